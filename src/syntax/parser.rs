//! The pest parser and its lowering to the AST.
//!
//! The only module that knows `grammar/ward.pest`: `Pair<Rule>` never leaves
//! it. Syntax errors are turned into [`Diagnostic`]s in our own words, and
//! parsing resumes at the next top-level statement so that one run reports
//! every broken statement.

use super::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, LINE_ENDS, Span, line_start};
use pest::Parser;
use pest::iterators::{Pair, Pairs};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/ward.pest"]
struct WardParser;

/// At most this many syntax errors are reported per file; past that the file
/// is garbage and more errors help nobody.
const MAX_ERRORS_PER_FILE: usize = 20;

/// The words that may start a top-level statement, where parsing resumes.
pub(super) const STATEMENT_KEYWORDS: &[&str] = &[
    "system",
    "baseline",
    "namespace",
    "external",
    "control",
    "flow",
    "deny",
];

/// A file is cut into pieces of at least this many bytes: a smaller piece
/// is not worth its scan and its hand-over.
const PIECE_MIN: usize = 64 * 1024;

/// At most this many pieces per core, so that a core that gets no time
/// (on a busy machine) leaves the others little to wait for.
const PIECES_PER_CORE: usize = 8;

/// Parses one file into its statements and syntax errors; a large file in
/// pieces, shared out among the cores (the result does not depend on how
/// many).
pub fn parse_file(file: FileId, text: &str) -> (Vec<Item>, Vec<Diagnostic>) {
    let cores = cores();
    parse_file_in(
        file,
        text,
        (text.len() / PIECE_MIN).clamp(1, cores * PIECES_PER_CORE),
    )
}

/// The threads a parse may use: the cores this process may run on. Only
/// how fast a parse is depends on it, never what it gives.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// [`parse_file`] cut into at most `parts` pieces whatever the file's size:
/// the same statements and errors for every `parts` (decision 0023). The
/// pieces start at top-level statements (`split::cuts`) and are parsed side
/// by side; when one does not parse, the file is parsed whole, so that the
/// errors and where parsing resumes are those of one parse.
pub fn parse_file_in(file: FileId, text: &str, parts: usize) -> (Vec<Item>, Vec<Diagnostic>) {
    let cuts = match parts {
        0 | 1 => Vec::new(),
        _ => super::split::cuts(text, parts),
    };
    if cuts.is_empty() {
        return parse_whole(file, text);
    }
    match parse_pieces(file, text, &cuts) {
        Some(items) => (items, Vec::new()),
        None => parse_whole(file, text),
    }
}

/// The statements of `text` cut at `cuts`, or `None` when a piece has a
/// syntax error. This thread and one helper per other core take the next
/// piece until none is left, so a helper that never gets a core costs
/// this thread nothing but the wait for it to start and stop.
fn parse_pieces(file: FileId, text: &str, cuts: &[usize]) -> Option<Vec<Item>> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let starts = std::iter::once(0).chain(cuts.iter().copied());
    let ends = cuts.iter().copied().chain(std::iter::once(text.len()));
    let pieces: Vec<(usize, usize)> = starts.zip(ends).collect();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = || {
        let mut parsed = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(start, end)) = pieces.get(index) else {
                break;
            };
            match parse_piece(file, text, start, end) {
                Some(items) => parsed.push((index, items)),
                None => failed.store(true, Ordering::Relaxed),
            }
        }
        parsed
    };
    let helpers = cores().min(pieces.len()).saturating_sub(1);
    let mut parsed = std::thread::scope(|scope| {
        let spawned: Vec<_> = (0..helpers)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        let mut parsed = work();
        for helper in spawned {
            parsed.extend(helper.join().ok()?);
        }
        Some(parsed)
    })?;
    if failed.load(Ordering::Relaxed) || parsed.len() != pieces.len() {
        return None;
    }
    parsed.sort_unstable_by_key(|(index, _)| *index);
    Some(parsed.into_iter().flat_map(|(_, items)| items).collect())
}

/// The statements of `text[start..end]`, spans in the whole file, or
/// `None` when it does not parse.
fn parse_piece(file: FileId, text: &str, start: usize, end: usize) -> Option<Vec<Item>> {
    let piece = text.get(start..end)?;
    let pairs = WardParser::parse(Rule::program, piece).ok()?;
    Lower {
        file,
        offset: start,
    }
    .program(pairs)
    .ok()
}

/// The whole-file parse: resumes at the next statement after each error.
fn parse_whole(file: FileId, text: &str) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut offset = 0;
    while let Some(rest) = text.get(offset..) {
        match WardParser::parse(Rule::program, rest) {
            Ok(pairs) => {
                let lower = Lower { file, offset };
                match lower.program(pairs) {
                    Ok(mut parsed) => items.append(&mut parsed),
                    Err(error) => errors.push(*error),
                }
                break;
            }
            Err(error) => {
                let position = offset + error_position(&error);
                errors.push(syntax_error(file, text, position, &error));
                match next_statement(text, offset, position) {
                    Some(next) if errors.len() < MAX_ERRORS_PER_FILE => offset = next,
                    _ => break,
                }
            }
        }
    }
    (items, errors)
}

fn error_position(error: &pest::error::Error<Rule>) -> usize {
    match error.location {
        pest::error::InputLocation::Pos(position) => position,
        pest::error::InputLocation::Span((start, _)) => start,
    }
}

/// Where parsing resumes after an error at `position`: the error's own line
/// when the error is at a statement keyword there (the statement before it
/// was cut short), else the first later line that starts a statement.
fn next_statement(text: &str, offset: usize, position: usize) -> Option<usize> {
    let own_line = line_start(text, position);
    let error_at_line_start = text
        .get(own_line..position)
        .is_some_and(|before| before.trim().is_empty());
    if own_line > offset && error_at_line_start && starts_statement(text.get(own_line..)?) {
        return Some(own_line);
    }
    let mut line = text
        .get(position..)?
        .find(LINE_ENDS)
        .map(|i| position + i + 1)?;
    loop {
        let rest = text.get(line..)?;
        if starts_statement(rest) {
            return Some(line);
        }
        line += rest.find(LINE_ENDS)? + 1;
    }
}

/// True when `line` begins (after indentation) with a statement keyword.
fn starts_statement(line: &str) -> bool {
    let trimmed = line.trim_start_matches([' ', '\t']);
    STATEMENT_KEYWORDS.iter().any(|keyword| {
        trimmed.starts_with(keyword)
            && trimmed
                .get(keyword.len()..)
                .and_then(|after| after.chars().next())
                .is_some_and(char::is_whitespace)
    }) || super::hints::starts_misspelt_statement(trimmed, STATEMENT_KEYWORDS)
}

fn syntax_error(
    file: FileId,
    text: &str,
    position: usize,
    error: &pest::error::Error<Rule>,
) -> Diagnostic {
    let expected = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let (found, found_len) = describe_found(text, position);
    // Between statements pest lists every statement keyword and the end of
    // the file; "a statement" says the same in two words.
    let between_statements = expected.contains(&Rule::EOI);
    let expected: Vec<Rule> = if between_statements {
        Vec::new()
    } else {
        expected
    };
    let mut what: Vec<&str> = Vec::new();
    for rule in &expected {
        let description = describe_rule(*rule);
        if !what.contains(&description) {
            what.push(description);
        }
    }
    let expected_text = match what.as_slice() {
        [] => "a statement".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    };
    let span = Span::new(file, position, position + found_len);
    let rest = text.get(position..).unwrap_or("");
    if rest.starts_with('"') && expected.contains(&Rule::string) {
        let line_len = rest.find(LINE_ENDS).unwrap_or(rest.len());
        return Diagnostic::new(
            Code::E0001,
            "this string is not closed",
            Span::new(file, position, position + line_len),
            "no closing `\"` on this line",
        )
        .with_help("strings are written in double quotes on one line");
    }
    let diagnostic = Diagnostic::new(
        Code::E0001,
        format!("expected {expected_text}, found {found}"),
        span,
        format!("expected {expected_text}"),
    );
    let word: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
    if let Some(help) = super::hints::keyword_help(text, position, &word) {
        return diagnostic.with_help(help);
    }
    match expected.iter().find_map(|rule| help_for(*rule)) {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic.with_help(
            "a program is a list of `system`, `baseline`, `namespace`, `external`, `control`, `flow` and `deny` statements",
        ),
    }
}

/// What stands at `position`, for "found ...", and its length in bytes.
fn describe_found(text: &str, position: usize) -> (String, usize) {
    let rest = text.get(position..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    if first == '\n' || first == '\r' {
        return ("end of line".to_string(), first.len_utf8());
    }
    let word: String = if first.is_alphanumeric() || first == '_' {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':'))
            .take(40)
            .collect()
    } else {
        first.to_string()
    };
    let shown: String = word.escape_debug().collect();
    (format!("`{shown}`"), word.len())
}

fn describe_rule(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::system | Rule::kw_system => "`system`",
        Rule::baseline | Rule::kw_baseline => "`baseline`",
        Rule::namespace | Rule::kw_namespace => "`namespace`",
        Rule::unmanaged | Rule::kw_unmanaged => "`unmanaged`",
        Rule::service | Rule::kw_service => "`service`",
        Rule::pods | Rule::kw_pods => "`pods`",
        Rule::ports | Rule::kw_ports => "`ports`",
        Rule::external | Rule::kw_external => "`external`",
        Rule::except | Rule::kw_except => "`except`",
        Rule::control | Rule::kw_control => "`control`",
        Rule::maps | Rule::kw_maps => "`maps`",
        Rule::flow | Rule::kw_flow => "`flow`",
        Rule::controls | Rule::kw_controls => "`controls`",
        Rule::because | Rule::kw_because => "`because`",
        Rule::deny | Rule::kw_deny => "`deny`",
        Rule::kw_in => "`in`",
        Rule::kw_notin => "`notin`",
        Rule::kw_has | Rule::sel_exists => "`has`",
        Rule::sel_absent => "`!`",
        Rule::arrow => "`->`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::equals => "`=`",
        Rule::wildcard => "`*`",
        Rule::name | Rule::keyword | Rule::endpoint => "a name",
        Rule::port_ref => "`:` and a port",
        Rule::port_decl => "a port name",
        Rule::port_spec | Rule::port_range | Rule::number => "a port number",
        Rule::protocol => "a protocol",
        Rule::sel_keyed | Rule::sel_in | Rule::sel_notin | Rule::sel_equals | Rule::label_key => {
            "a label selector"
        }
        Rule::label_value | Rule::value_list => "a label value",
        Rule::control_id | Rule::control_refs => "a control or criterion id",
        Rule::cidr | Rule::cidrs => "a CIDR block",
        Rule::string | Rule::string_inner => "a string",
        Rule::program | Rule::item | Rule::WHITESPACE | Rule::COMMENT => "a statement",
        Rule::selector => "a label selector",
        Rule::endpoint_part | Rule::name_char => "a name",
    }
}

fn help_for(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::port_decl | Rule::port_spec | Rule::port_range | Rule::number => {
            "ports are written `name number[-number][/tcp|udp|sctp]`, e.g. `https 8443/tcp`"
        }
        Rule::port_ref => "a destination port is `:name`, `:443/tcp` or `:*`",
        Rule::sel_keyed
        | Rule::sel_in
        | Rule::sel_notin
        | Rule::sel_equals
        | Rule::kw_in
        | Rule::kw_notin
        | Rule::label_key => {
            "selectors are `k=v`, `k in (a, b)`, `k notin (a)`, `has k` or `!k`, separated by commas"
        }
        Rule::label_value | Rule::value_list => "a selector value list is written `(a, b)`",
        Rule::control_id | Rule::control_refs => {
            "cite criteria or controls by id, separated by commas: `controls CC6.1, CC6.6`"
        }
        Rule::cidr | Rule::cidrs => {
            "address blocks are written like `10.0.0.0/8` or `2001:db8::/32`"
        }
        Rule::string | Rule::string_inner => "strings are written in double quotes on one line",
        Rule::arrow => "a flow is written `flow SOURCE -> DESTINATION[:port]`",
        Rule::name | Rule::endpoint | Rule::wildcard => {
            "endpoints are `namespace.service`, `namespace.*`, `*.*` or an external's name"
        }
        Rule::kw_controls | Rule::controls | Rule::kw_because | Rule::because => {
            "a flow ends with `controls ID, ...` and `because \"why\"`"
        }
        Rule::service | Rule::kw_service => {
            "a namespace holds `service NAME { pods ... ports ... }` blocks"
        }
        Rule::pods | Rule::kw_pods | Rule::ports | Rule::kw_ports => {
            "a service is written `service NAME { pods k=v, ...  ports NAME NUMBER[/PROTOCOL], ... }`"
        }
        _ => return None,
    })
}

/// Turns pest pairs into AST nodes; spans are shifted by `offset` when a file
/// is parsed from the middle after a syntax error.
#[derive(Clone, Copy)]
struct Lower {
    file: FileId,
    offset: usize,
}

type Lowered<T> = Result<T, Box<Diagnostic>>;

/// Walks the children of one pair, skipping keywords and punctuation.
struct Cursor<'i> {
    /// The parent's text with any trailing whitespace, for the (never
    /// expected) report that a child is missing.
    span: Span,
    pairs: std::iter::Peekable<Pairs<'i, Rule>>,
}

fn is_token(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_system
            | Rule::kw_baseline
            | Rule::kw_controls
            | Rule::kw_namespace
            | Rule::kw_unmanaged
            | Rule::kw_service
            | Rule::kw_pods
            | Rule::kw_ports
            | Rule::kw_external
            | Rule::kw_except
            | Rule::kw_control
            | Rule::kw_maps
            | Rule::kw_flow
            | Rule::kw_because
            | Rule::kw_deny
            | Rule::kw_in
            | Rule::kw_notin
            | Rule::kw_has
            | Rule::arrow
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lparen
            | Rule::rparen
            | Rule::equals
            | Rule::EOI
    )
}

impl<'i> Cursor<'i> {
    fn skip_tokens(&mut self) {
        while self.pairs.next_if(|p| is_token(p.as_rule())).is_some() {}
    }

    /// The next child, which must be `rule`.
    fn expect(&mut self, rule: Rule) -> Lowered<Pair<'i, Rule>> {
        self.optional(rule).ok_or_else(|| internal(self.span, rule))
    }

    /// The next child when it is `rule`.
    fn optional(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.skip_tokens();
        self.pairs.next_if(|p| p.as_rule() == rule)
    }

    /// Every following child that is `rule`.
    fn many(&mut self, rule: Rule) -> Vec<Pair<'i, Rule>> {
        std::iter::from_fn(|| self.optional(rule)).collect()
    }

    /// The next child, whatever it is.
    fn any(&mut self) -> Lowered<Pair<'i, Rule>> {
        self.skip_tokens();
        self.pairs
            .next()
            .ok_or_else(|| internal(self.span, Rule::program))
    }
}

/// Where the last token of `pair` ends. Tokens (atomic rules) end where
/// they end; a rule with children ends where its last child does.
fn token_end(pair: &Pair<'_, Rule>) -> usize {
    if is_atomic(pair.as_rule()) {
        return pair.as_span().end();
    }
    match pair.clone().into_inner().next_back() {
        Some(last) => token_end(&last),
        None => pair.as_span().end(),
    }
}

/// True for the rules pest matches without skipping whitespace inside or
/// after them: their span ends at their last character.
fn is_atomic(rule: Rule) -> bool {
    is_token(rule)
        || matches!(
            rule,
            Rule::name
                | Rule::number
                | Rule::protocol
                | Rule::label_key
                | Rule::label_value
                | Rule::control_id
                | Rule::cidr
                | Rule::string
                | Rule::string_inner
                | Rule::port_spec
                | Rule::port_range
                | Rule::wildcard
        )
}

/// A grammar/lowering mismatch: a bug in Ward, reported instead of a panic.
fn internal(span: Span, rule: Rule) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::new(
            Code::E0001,
            "this statement could not be read",
            span,
            format!("expected {} here", describe_rule(rule)),
        )
        .with_note("this is a bug in Ward's parser; please report it with the statement"),
    )
}

impl Lower {
    /// The pair's span, ending at its last token rather than after the
    /// whitespace and comments that pest consumed looking for more.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        Span::new(
            self.file,
            self.offset + pair.as_span().start(),
            self.offset + token_end(pair),
        )
    }

    fn cursor<'i>(&self, pair: Pair<'i, Rule>) -> Cursor<'i> {
        let text = pair.as_span();
        Cursor {
            span: Span::new(
                self.file,
                self.offset + text.start(),
                self.offset + text.end(),
            ),
            pairs: pair.into_inner().peekable(),
        }
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            text: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    fn program(&self, mut pairs: Pairs<'_, Rule>) -> Lowered<Vec<Item>> {
        let Some(program) = pairs.next() else {
            return Ok(Vec::new());
        };
        let mut cursor = self.cursor(program);
        let mut items = Vec::new();
        while cursor.pairs.peek().is_some() {
            cursor.skip_tokens();
            let Some(pair) = cursor.pairs.next() else {
                break;
            };
            items.push(self.item(pair)?);
        }
        Ok(items)
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Lowered<Item> {
        let span = self.span(&pair);
        Ok(match pair.as_rule() {
            Rule::system => {
                let mut c = self.cursor(pair);
                Item::System(System {
                    name: self.string(c.expect(Rule::string)?),
                    span,
                })
            }
            Rule::baseline => {
                let mut c = self.cursor(pair);
                Item::Baseline(Baseline {
                    controls: self.control_refs(c.expect(Rule::control_refs)?),
                    span,
                })
            }
            Rule::namespace => Item::Namespace(self.namespace(pair)?),
            Rule::external => Item::External(self.external(pair)?),
            Rule::control => Item::Control(self.control(pair)?),
            Rule::flow => Item::Flow(self.flow(pair)?),
            Rule::deny => {
                let mut c = self.cursor(pair);
                Item::Deny(Deny {
                    src: self.endpoint(c.expect(Rule::endpoint)?)?,
                    dst: self.endpoint(c.expect(Rule::endpoint)?)?,
                    port: c
                        .optional(Rule::port_ref)
                        .map(|p| self.port_ref(p))
                        .transpose()?,
                    span,
                })
            }
            _ => return Err(internal(span, Rule::program)),
        })
    }

    fn namespace(&self, pair: Pair<'_, Rule>) -> Lowered<Namespace> {
        let span = self.span(&pair);
        let mut c = self.cursor(pair);
        let name = self.ident(&c.expect(Rule::name)?);
        let unmanaged = c.optional(Rule::unmanaged).map(|p| self.span(&p));
        let services = c
            .many(Rule::service)
            .into_iter()
            .map(|p| self.service(p))
            .collect::<Lowered<_>>()?;
        Ok(Namespace {
            name,
            unmanaged,
            services,
            span,
        })
    }

    fn service(&self, pair: Pair<'_, Rule>) -> Lowered<Service> {
        let span = self.span(&pair);
        let mut c = self.cursor(pair);
        let name = self.ident(&c.expect(Rule::name)?);
        let pods = match c.optional(Rule::pods) {
            Some(pods) => {
                let pods_span = self.span(&pods);
                let mut pc = self.cursor(pods);
                let mut terms = Vec::new();
                while pc.pairs.peek().is_some() {
                    terms.push(self.selector(pc.any()?)?);
                }
                Some(Pods {
                    terms,
                    span: pods_span,
                })
            }
            None => None,
        };
        let ports = match c.optional(Rule::ports) {
            Some(ports) => self
                .cursor(ports)
                .many(Rule::port_decl)
                .into_iter()
                .map(|p| {
                    let span = self.span(&p);
                    let mut pc = self.cursor(p);
                    Ok(PortDecl {
                        name: self.ident(&pc.expect(Rule::name)?),
                        spec: self.port_spec(pc.expect(Rule::port_spec)?)?,
                        span,
                    })
                })
                .collect::<Lowered<_>>()?,
            None => Vec::new(),
        };
        Ok(Service {
            name,
            pods,
            ports,
            span,
        })
    }

    fn selector(&self, pair: Pair<'_, Rule>) -> Lowered<SelectorTerm> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut c = self.cursor(pair);
        let key = self.ident(&c.expect(Rule::label_key)?);
        let kind = match rule {
            Rule::sel_keyed => {
                let operator = c.any()?;
                let operator_rule = operator.as_rule();
                let mut o = self.cursor(operator);
                match operator_rule {
                    Rule::sel_equals => SelectorKind::Equals {
                        key,
                        value: self.ident(&o.expect(Rule::label_value)?),
                    },
                    Rule::sel_in | Rule::sel_notin => {
                        let values = self
                            .cursor(o.expect(Rule::value_list)?)
                            .many(Rule::label_value)
                            .iter()
                            .map(|p| self.ident(p))
                            .collect();
                        if operator_rule == Rule::sel_in {
                            SelectorKind::In { key, values }
                        } else {
                            SelectorKind::NotIn { key, values }
                        }
                    }
                    _ => return Err(internal(span, Rule::sel_equals)),
                }
            }
            Rule::sel_exists => SelectorKind::Exists { key },
            Rule::sel_absent => SelectorKind::Absent { key },
            _ => return Err(internal(span, Rule::label_key)),
        };
        Ok(SelectorTerm { kind, span })
    }

    fn port_spec(&self, pair: Pair<'_, Rule>) -> Lowered<PortSpec> {
        let span = self.span(&pair);
        let mut c = self.cursor(pair);
        let mut range = self.cursor(c.expect(Rule::port_range)?);
        let first = self.ident(&range.expect(Rule::number)?);
        let last = range.optional(Rule::number).map(|p| self.ident(&p));
        let protocol = c.optional(Rule::protocol).map(|p| self.ident(&p));
        Ok(PortSpec {
            first,
            last,
            protocol,
            span,
        })
    }

    fn external(&self, pair: Pair<'_, Rule>) -> Lowered<External> {
        let span = self.span(&pair);
        let mut c = self.cursor(pair);
        let name = self.ident(&c.expect(Rule::name)?);
        let cidrs = self.cidrs(c.expect(Rule::cidrs)?);
        let except = match c.optional(Rule::except) {
            Some(except) => self.cidrs(self.cursor(except).expect(Rule::cidrs)?),
            None => Vec::new(),
        };
        Ok(External {
            name,
            cidrs,
            except,
            span,
        })
    }

    fn cidrs(&self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        self.cursor(pair)
            .many(Rule::cidr)
            .iter()
            .map(|p| self.ident(p))
            .collect()
    }

    fn control(&self, pair: Pair<'_, Rule>) -> Lowered<Control> {
        let span = self.span(&pair);
        let mut c = self.cursor(pair);
        let id = self.ident(&c.expect(Rule::control_id)?);
        let title = self.string(c.expect(Rule::string)?);
        let maps = match c.optional(Rule::maps) {
            Some(maps) => Some(self.control_refs(self.cursor(maps).expect(Rule::control_refs)?)),
            None => None,
        };
        Ok(Control {
            id,
            title,
            maps,
            span,
        })
    }

    fn flow(&self, pair: Pair<'_, Rule>) -> Lowered<Flow> {
        let span = self.span(&pair);
        let mut c = self.cursor(pair);
        let src = self.endpoint(c.expect(Rule::endpoint)?)?;
        let dst = self.endpoint(c.expect(Rule::endpoint)?)?;
        let port = c
            .optional(Rule::port_ref)
            .map(|p| self.port_ref(p))
            .transpose()?;
        let controls = match c.optional(Rule::controls) {
            Some(controls) => {
                Some(self.control_refs(self.cursor(controls).expect(Rule::control_refs)?))
            }
            None => None,
        };
        let because = match c.optional(Rule::because) {
            Some(because) => Some(self.string(self.cursor(because).expect(Rule::string)?)),
            None => None,
        };
        Ok(Flow {
            src,
            dst,
            port,
            controls,
            because,
            span,
        })
    }

    fn control_refs(&self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        self.cursor(pair)
            .many(Rule::control_id)
            .iter()
            .map(|p| self.ident(p))
            .collect()
    }

    fn endpoint(&self, pair: Pair<'_, Rule>) -> Lowered<Endpoint> {
        let span = self.span(&pair);
        let mut c = self.cursor(pair);
        let first = self.part(c.any()?);
        let second = c.pairs.next().map(|p| self.part(p));
        Ok(Endpoint {
            first,
            second,
            span,
        })
    }

    fn part(&self, pair: Pair<'_, Rule>) -> Part {
        match pair.as_rule() {
            Rule::wildcard => Part::Wildcard(self.span(&pair)),
            _ => Part::Name(self.ident(&pair)),
        }
    }

    fn port_ref(&self, pair: Pair<'_, Rule>) -> Lowered<PortRef> {
        let mut c = self.cursor(pair);
        let inner = c.any()?;
        Ok(match inner.as_rule() {
            Rule::wildcard => PortRef::Any(self.span(&inner)),
            Rule::port_spec => PortRef::Spec(self.port_spec(inner)?),
            _ => PortRef::Named(self.ident(&inner)),
        })
    }

    fn string(&self, pair: Pair<'_, Rule>) -> Str {
        let span = self.span(&pair);
        let raw = pair.as_str();
        let inner = raw
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(raw);
        let mut value = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    // An escaped line end is a newline, however the file
                    // ends its lines.
                    Some('\r') => {
                        value.push('\n');
                        if chars.as_str().starts_with('\n') {
                            chars.next();
                        }
                    }
                    Some(other) => value.push(other),
                    None => {}
                }
            } else {
                value.push(c);
            }
        }
        Str { value, span }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_pieces, parse_whole};
    use crate::generator::{Config, program};
    use crate::source::FileId;

    /// Valid programs are parsed in pieces (not whole after a piece
    /// failed), to the statements of the whole-file parse.
    #[test]
    fn valid_programs_parse_in_pieces_as_whole() {
        for (services, seed) in [(5, 1), (40, 2), (200, 3)] {
            let text = program(&Config::new(services, services * 4, seed));
            let (whole, errors) = parse_whole(FileId(0), &text);
            assert!(errors.is_empty());
            for parts in [2, 4, 7] {
                let cuts = super::super::split::cuts(&text, parts);
                assert_eq!(cuts.len(), parts - 1, "{services} services");
                let pieces = parse_pieces(FileId(0), &text, &cuts);
                assert_eq!(pieces.as_ref(), Some(&whole), "{services} services");
            }
        }
    }
}
