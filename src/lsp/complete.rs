//! Completion: what may be written at a place, from the text before it on
//! its line and the names the program declares. Keywords where a statement
//! starts; namespaces and externals where an endpoint starts, the services
//! of a namespace after `ns.`; a service's port names after `:`; team
//! controls and the catalog's criteria after `controls` or `maps`, with
//! their titles; the label keys the program already uses wherever a key
//! may start a term of a `pods` clause (the only selector of the grammar).

use super::Program;
use super::index::{Symbol, services};
use crate::source::{FileId, LINE_ENDS};
use crate::syntax::ast::{Item, SelectorKind};
use indexmap::IndexSet;

/// What a completion stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A keyword.
    Keyword,
    /// A namespace.
    Namespace,
    /// A service.
    Service,
    /// A named port.
    Port,
    /// An external address set.
    External,
    /// A team control.
    Control,
    /// A Trust Services criterion.
    Criterion,
    /// A label key.
    LabelKey,
}

/// One thing that may be written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Completion {
    /// The text to insert.
    pub label: String,
    /// What it is.
    pub kind: Kind,
    /// A short description (a control's statement, a criterion's series).
    pub detail: Option<String>,
}

impl Completion {
    fn new(label: impl Into<String>, kind: Kind, detail: Option<String>) -> Self {
        Self {
            label: label.into(),
            kind,
            detail,
        }
    }
}

/// The keywords that start a statement or a clause on its own line.
const STATEMENTS: &[&str] = &[
    "system",
    "baseline",
    "namespace",
    "service",
    "pods",
    "ports",
    "external",
    "control",
    "flow",
    "deny",
];

/// What may be written at byte `offset` of file `file`.
pub fn complete(program: &Program, file: FileId, offset: usize) -> Vec<Completion> {
    let text = program.text(file);
    let offset = floor_boundary(text, offset);
    let before_all = text.get(..offset).unwrap_or("");
    let line_start = before_all.rfind(LINE_ENDS).map_or(0, |at| at + 1);
    let line = before_all.get(line_start..).unwrap_or("");
    let word_start = line.rfind(|c: char| !is_word(c)).map_or(0, |at| at + 1);
    let word = line.get(word_start..).unwrap_or("");
    let before_word = line.get(..word_start).unwrap_or("");
    let first_word = line.split_whitespace().next().unwrap_or("");

    let key = line
        .rfind(|c: char| !is_key(c))
        .map_or(line, |at| line.get(at + 1..).unwrap_or(""));
    let before_key = text.get(..offset - key.len()).unwrap_or("");
    if label_key_place(before_key) {
        return label_keys(program);
    }
    if before_word.trim().is_empty() && !word.contains('.') {
        return STATEMENTS
            .iter()
            .map(|k| Completion::new(*k, Kind::Keyword, None))
            .collect();
    }
    if let Some((ns, _)) = word.split_once('.') {
        return services(&program.ast)
            .filter(|(namespace, _)| namespace.name.text == ns)
            .map(|(_, service)| {
                let detail = service.pods.as_ref().map(|pods| {
                    format!(
                        "pods {}",
                        program
                            .sources
                            .slice(pods.span)
                            .trim_start_matches("pods")
                            .trim()
                    )
                });
                Completion::new(service.name.text.clone(), Kind::Service, detail)
            })
            .collect::<IndexSet<_>>()
            .into_iter()
            .collect();
    }
    if let Some(endpoint) = before_word.strip_suffix(':') {
        let endpoint = endpoint
            .rfind(|c: char| !is_word(c))
            .map_or(endpoint, |at| endpoint.get(at + 1..).unwrap_or(""));
        return ports(program, endpoint);
    }
    let words: Vec<&str> = before_word.split_whitespace().collect();
    if words.iter().any(|w| matches!(*w, "controls" | "maps")) && !words.contains(&"because") {
        let only_criteria = words.contains(&"maps");
        return citations(program, only_criteria);
    }
    if matches!(first_word, "flow" | "deny") && !words.iter().any(|w| w.contains(':')) {
        return endpoints(program);
    }
    Vec::new()
}

/// A character of a name, endpoint or id.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '*')
}

/// A character of a label key (`app.kubernetes.io/name`).
fn is_key(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
}

/// Whether a label key may be written right after `before`: in a `pods`
/// clause where a term starts (after `pods`, or a `,` outside a value
/// list) or after `has` or `!`. The grammar has no other place for a
/// label key. Read from the text, since the clause being typed rarely
/// parses.
fn label_key_place(before: &str) -> bool {
    let mut in_pods = false;
    let mut place = false;
    let mut depth = 0usize;
    for token in tokens(before) {
        match token {
            "pods" => {
                in_pods = true;
                place = true;
                depth = 0;
            }
            _ if !in_pods => {}
            "(" => {
                depth += 1;
                place = false;
            }
            ")" => {
                depth = depth.saturating_sub(1);
                place = false;
            }
            "," => place = depth == 0,
            "has" | "!" => place = depth == 0,
            "{" | "}" | "ports" => in_pods = false,
            word if STATEMENTS.contains(&word) => in_pods = false,
            _ => place = false,
        }
    }
    in_pods && place
}

/// The tokens of `text` as far as completion needs them: words, and
/// punctuation one character at a time; comments and strings skipped.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            rest = rest.trim_start();
            let mut chars = rest.chars();
            let first = chars.next()?;
            match first {
                '#' => {
                    let end = rest.find(LINE_ENDS).unwrap_or(rest.len());
                    rest = rest.get(end..).unwrap_or("");
                }
                '"' => {
                    let mut escaped = false;
                    let mut end = rest.len();
                    for (at, c) in rest.char_indices().skip(1) {
                        match c {
                            _ if escaped => escaped = false,
                            '\\' => escaped = true,
                            '"' | '\n' | '\r' => {
                                end = at + c.len_utf8();
                                break;
                            }
                            _ => {}
                        }
                    }
                    rest = rest.get(end..).unwrap_or("");
                }
                '{' | '}' | '(' | ')' | ',' | '=' | '!' | ':' => {
                    let (token, after) = rest.split_at(first.len_utf8());
                    rest = after;
                    return Some(token);
                }
                _ => {
                    let end = rest
                        .find(|c: char| c.is_whitespace() || "{}(),=!:#\"".contains(c))
                        .unwrap_or(rest.len());
                    let (token, after) = rest.split_at(end);
                    rest = after;
                    return Some(token);
                }
            }
        }
    })
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The named ports of the service `endpoint` (`ns.svc`) names.
fn ports(program: &Program, endpoint: &str) -> Vec<Completion> {
    let Some((ns, svc)) = endpoint.split_once('.') else {
        return Vec::new();
    };
    services(&program.ast)
        .filter(|(namespace, service)| namespace.name.text == ns && service.name.text == svc)
        .flat_map(|(_, service)| &service.ports)
        .map(|port| Completion::new(port.name.text.clone(), Kind::Port, Some(port.spec.text())))
        .collect()
}

/// The team controls declared (unless only criteria may be cited) and every
/// criterion of the catalog.
fn citations(program: &Program, only_criteria: bool) -> Vec<Completion> {
    let controls = program.ast.items.iter().filter_map(|item| match item {
        Item::Control(control) if !only_criteria => Some(Completion::new(
            control.id.text.clone(),
            Kind::Control,
            Some(control.title.value.clone()),
        )),
        _ => None,
    });
    let criteria = crate::catalog::CRITERIA.iter().map(|c| {
        Completion::new(
            c.id,
            Kind::Criterion,
            Some(format!(
                "{} ({}): {}",
                c.series_title, c.series, c.description
            )),
        )
    });
    controls.chain(criteria).collect()
}

/// The label keys used in any `pods` clause of the program.
fn label_keys(program: &Program) -> Vec<Completion> {
    let keys: IndexSet<&str> = services(&program.ast)
        .filter_map(|(_, service)| service.pods.as_ref())
        .flat_map(|pods| &pods.terms)
        .map(|term| match &term.kind {
            SelectorKind::Equals { key, .. }
            | SelectorKind::In { key, .. }
            | SelectorKind::NotIn { key, .. }
            | SelectorKind::Exists { key }
            | SelectorKind::Absent { key } => key.text.as_str(),
        })
        .collect();
    keys.into_iter()
        .map(|key| Completion::new(key, Kind::LabelKey, None))
        .collect()
}

/// The namespaces and externals declared: where an endpoint starts.
fn endpoints(program: &Program) -> Vec<Completion> {
    let names: IndexSet<(String, Kind)> = program
        .index
        .all()
        .iter()
        .filter(|o| o.definition)
        .filter_map(|o| match &o.symbol {
            Symbol::Namespace(ns) => Some((ns.clone(), Kind::Namespace)),
            Symbol::External(name) => Some((name.clone(), Kind::External)),
            _ => None,
        })
        .collect();
    names
        .into_iter()
        .map(|(label, kind)| Completion::new(label, kind, None))
        .collect()
}
