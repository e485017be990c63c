//! Layout: the canonical lines of each statement.
//!
//! Owns how every AST node is written (spacing, keywords, quoting, the split
//! of a flow over two lines) and the source range each output line stands
//! for, so that comments can be placed by offset. Must not know where
//! comments or blank lines go: that is the emitter's job.

use super::trivia::{self, Comment};
use crate::syntax::ast::{
    Ast, Baseline, Control, Deny, Endpoint, External, Flow, Ident, Item, Namespace, Part, PortDecl,
    PortRef, PortSpec, SelectorKind, SelectorTerm, Service, System,
};

/// The indentation of a service in its namespace and of a flow's second line.
pub(super) const INDENT: usize = 2;

/// The role of an output line, which decides where blank lines may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// The first line of a statement or a service: blank lines may precede it.
    Statement,
    /// `namespace NAME {` of a namespace written over several lines.
    Opener,
    /// The second line of a flow: part of the statement above.
    Continuation,
    /// The `}` closing a namespace.
    Closer,
}

/// One output line without its comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    /// Its role.
    pub kind: Kind,
    /// Spaces before the text.
    pub indent: usize,
    /// Spaces before a comment placed on its own line above it.
    pub comment_indent: usize,
    /// The text, without indentation.
    pub text: String,
    /// The offset of the first source token the line holds.
    pub start: usize,
    /// The offset just past the last source token the line holds.
    pub end: usize,
}

/// The lines of a program, in source order; their source ranges are sorted
/// and disjoint.
pub(super) fn lines(ast: &Ast, text: &str, comments: &[Comment<'_>]) -> Vec<Line> {
    let mut out = Vec::new();
    for item in &ast.items {
        match item {
            Item::System(system) => out.push(statement(system_line(system), system.span)),
            Item::Baseline(baseline) => {
                out.push(statement(baseline_line(baseline), baseline.span));
            }
            Item::Namespace(namespace) => namespace_lines(namespace, text, comments, &mut out),
            Item::External(external) => {
                out.push(statement(external_line(external), external.span));
            }
            Item::Control(control) => out.push(statement(control_line(control), control.span)),
            Item::Flow(flow) => flow_lines(flow, text, &mut out),
            Item::Deny(deny) => out.push(statement(deny_line(deny), deny.span)),
        }
    }
    out
}

fn statement(text: String, span: crate::source::Span) -> Line {
    Line {
        kind: Kind::Statement,
        indent: 0,
        comment_indent: 0,
        text,
        start: span.start,
        end: span.end,
    }
}

fn system_line(system: &System) -> String {
    format!("system {}", quote(&system.name.value))
}

fn baseline_line(baseline: &Baseline) -> String {
    format!("baseline controls {}", list(&baseline.controls))
}

fn external_line(external: &External) -> String {
    let mut line = format!(
        "external {} = {}",
        external.name.text,
        list(&external.cidrs)
    );
    if !external.except.is_empty() {
        line.push_str(" except ");
        line.push_str(&list(&external.except));
    }
    line
}

fn control_line(control: &Control) -> String {
    let mut line = format!(
        "control {} {}",
        control.id.text,
        quote(&control.title.value)
    );
    if let Some(maps) = &control.maps {
        line.push_str(" maps ");
        line.push_str(&list(maps));
    }
    line
}

fn deny_line(deny: &Deny) -> String {
    format!(
        "deny {} -> {}{}",
        endpoint(&deny.src),
        endpoint(&deny.dst),
        deny.port.as_ref().map(port_ref).unwrap_or_default()
    )
}

/// `flow SRC -> DST[:port]`, then `controls ... because "..."` indented on
/// the next line when either clause is present.
fn flow_lines(flow: &Flow, text: &str, out: &mut Vec<Line>) {
    let head_end = flow
        .port
        .as_ref()
        .map_or(flow.dst.span.end, |port| port.span().end);
    out.push(Line {
        end: head_end,
        ..statement(
            format!(
                "flow {} -> {}{}",
                endpoint(&flow.src),
                endpoint(&flow.dst),
                flow.port.as_ref().map(port_ref).unwrap_or_default()
            ),
            flow.span,
        )
    });
    let mut clauses = Vec::new();
    if let Some(controls) = &flow.controls {
        clauses.push(format!("controls {}", list(controls)));
    }
    if let Some(because) = &flow.because {
        clauses.push(format!("because {}", quote(&because.value)));
    }
    if !clauses.is_empty() {
        out.push(Line {
            kind: Kind::Continuation,
            indent: INDENT,
            comment_indent: INDENT,
            text: clauses.join(" "),
            start: trivia::next_token(text, head_end),
            end: flow.span.end,
        });
    }
}

/// `namespace NAME [unmanaged] {`, one line per service, `}`; or
/// `namespace NAME [unmanaged] {}` when nothing, not even a comment, is
/// inside the braces.
fn namespace_lines(
    namespace: &Namespace,
    text: &str,
    comments: &[Comment<'_>],
    out: &mut Vec<Line>,
) {
    let mut header = format!("namespace {}", namespace.name.text);
    if namespace.unmanaged.is_some() {
        header.push_str(" unmanaged");
    }
    let header_end = namespace
        .unmanaged
        .map_or(namespace.name.span.end, |span| span.end);
    let open = trivia::find_code_byte(text, header_end, b'{').unwrap_or(header_end);
    let mut services = Vec::new();
    let mut after = open + 1;
    for service in &namespace.services {
        let line = service_line(service, text);
        after = line.end;
        services.push(line);
    }
    let close = trivia::find_code_byte(text, after, b'}').unwrap_or(after);
    // Comments are in source order: the first one after `{` decides.
    let first_after_open = comments.partition_point(|c| c.start <= open);
    let commented = comments
        .get(first_after_open)
        .is_some_and(|c| c.start < close);
    if services.is_empty() && !commented {
        out.push(Line {
            end: close + 1,
            ..statement(format!("{header} {{}}"), namespace.span)
        });
        return;
    }
    out.push(Line {
        kind: Kind::Opener,
        end: open + 1,
        ..statement(format!("{header} {{"), namespace.span)
    });
    out.append(&mut services);
    out.push(Line {
        kind: Kind::Closer,
        indent: 0,
        comment_indent: INDENT,
        text: "}".to_string(),
        start: close,
        end: close + 1,
    });
}

/// `service NAME { pods TERMS  ports PORTS }`, either clause left out when
/// absent, `service NAME {}` with neither.
fn service_line(service: &Service, text: &str) -> Line {
    let mut clauses = Vec::new();
    if let Some(pods) = &service.pods {
        let terms: Vec<String> = pods.terms.iter().map(selector).collect();
        clauses.push(format!("pods {}", terms.join(", ")));
    }
    if !service.ports.is_empty() {
        let ports: Vec<String> = service.ports.iter().map(port_decl).collect();
        clauses.push(format!("ports {}", ports.join(", ")));
    }
    let body = if clauses.is_empty() {
        "{}".to_string()
    } else {
        format!("{{ {} }}", clauses.join("  "))
    };
    let open =
        trivia::find_code_byte(text, service.name.span.end, b'{').unwrap_or(service.name.span.end);
    let close = trivia::find_code_byte(text, open + 1, b'}').unwrap_or(service.span.end);
    Line {
        kind: Kind::Statement,
        indent: INDENT,
        comment_indent: INDENT,
        text: format!("service {} {body}", service.name.text),
        start: service.span.start,
        end: close + 1,
    }
}

fn selector(term: &SelectorTerm) -> String {
    match &term.kind {
        SelectorKind::Equals { key, value } => format!("{}={}", key.text, value.text),
        SelectorKind::In { key, values } => format!("{} in ({})", key.text, list(values)),
        SelectorKind::NotIn { key, values } => format!("{} notin ({})", key.text, list(values)),
        SelectorKind::Exists { key } => format!("has {}", key.text),
        SelectorKind::Absent { key } => format!("!{}", key.text),
    }
}

fn port_decl(port: &PortDecl) -> String {
    format!("{} {}", port.name.text, port_spec(&port.spec))
}

/// `443`, `8000-8080`, `53/udp`: digits as written, the protocol lowercase
/// (protocols are read in any case, so this keeps the meaning).
fn port_spec(spec: &PortSpec) -> String {
    spec.text()
}

fn port_ref(port: &PortRef) -> String {
    match port {
        PortRef::Any(_) => ":*".to_string(),
        PortRef::Spec(spec) => format!(":{}", port_spec(spec)),
        PortRef::Named(name) => format!(":{}", name.text),
    }
}

fn endpoint(endpoint: &Endpoint) -> String {
    match &endpoint.second {
        Some(second) => format!("{}.{}", part(&endpoint.first), part(second)),
        None => part(&endpoint.first).to_string(),
    }
}

fn part(part: &Part) -> &str {
    match part {
        Part::Name(ident) => &ident.text,
        Part::Wildcard(_) => "*",
    }
}

/// Words joined by `, `.
fn list(idents: &[Ident]) -> String {
    let words: Vec<&str> = idents.iter().map(|i| i.text.as_str()).collect();
    words.join(", ")
}

/// A string literal that reads back as `value`: `"` and `\` escaped, a
/// newline as `\n` and a tab as `\t`; every other character as itself (a
/// `\r` too, since `\r` would read back as `r`).
pub(super) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}
