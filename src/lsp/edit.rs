//! Edits the server proposes: renaming a name everywhere it is written
//! (refusing a name Kubernetes or the grammar would reject), and quick
//! fixes for diagnostics (the did-you-mean of a help line, a missing
//! `because`).

use super::Program;
use super::index::Symbol;
use crate::check::names;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::ast::Item;

/// One replacement of a span's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    /// What is replaced (empty to insert).
    pub span: Span,
    /// The new text.
    pub text: String,
}

/// Why a rename is refused; its text is what the editor shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameRefused {
    /// The name is a criterion of the built-in catalog, not the program's.
    Criterion(String),
    /// The new name breaks the naming rules of what it names.
    Invalid {
        /// The refused name.
        name: String,
        /// What it would name: `namespace`, `port`, ...
        what: &'static str,
        /// The rule it breaks, as the checker words it.
        why: String,
    },
    /// The new name is a keyword of the language.
    Keyword(String),
    /// Something of the same kind already has the new name.
    Taken {
        /// The new name.
        name: String,
        /// What it names.
        what: &'static str,
    },
}

impl std::fmt::Display for RenameRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Criterion(id) => write!(
                f,
                "`{id}` is a criterion of the SOC 2 catalog; only names the program declares can be renamed"
            ),
            Self::Invalid { name, what, why } => write!(f, "`{name}` cannot name a {what}: {why}"),
            Self::Keyword(name) => write!(f, "`{name}` is a keyword"),
            Self::Taken { name, what } => write!(f, "a {what} named `{name}` is already declared"),
        }
    }
}

/// The edits that rename `symbol` to `new_name` everywhere it is written,
/// or why the name cannot be used.
pub fn rename(
    program: &Program,
    symbol: &Symbol,
    new_name: &str,
) -> Result<Vec<Replace>, RenameRefused> {
    let what = match symbol {
        Symbol::Namespace(_) => "namespace",
        Symbol::Service(..) => "service",
        Symbol::Port(..) => "port",
        Symbol::External(_) => "external",
        Symbol::Control(_) => "control",
        Symbol::Criterion(id) => return Err(RenameRefused::Criterion(id.clone())),
    };
    let valid = match symbol {
        Symbol::Port(..) => names::port_name(new_name),
        Symbol::Control(_) => control_id(new_name),
        _ => names::dns_label(new_name),
    };
    valid.map_err(|why| RenameRefused::Invalid {
        name: new_name.to_string(),
        what,
        why,
    })?;
    if crate::syntax::KEYWORDS.contains(&new_name) {
        return Err(RenameRefused::Keyword(new_name.to_string()));
    }
    let renamed = match symbol {
        Symbol::Namespace(_) => Symbol::Namespace(new_name.to_string()),
        Symbol::Service(ns, _) => Symbol::Service(ns.clone(), new_name.to_string()),
        Symbol::Port(ns, svc, _) => Symbol::Port(ns.clone(), svc.clone(), new_name.to_string()),
        Symbol::External(_) => Symbol::External(new_name.to_string()),
        Symbol::Control(_) | Symbol::Criterion(_) => Symbol::Control(new_name.to_string()),
    };
    if renamed != *symbol && program.index.definitions(&renamed).next().is_some() {
        return Err(RenameRefused::Taken {
            name: new_name.to_string(),
            what,
        });
    }
    Ok(program
        .index
        .occurrences(symbol)
        .map(|o| Replace {
            span: o.span,
            text: new_name.to_string(),
        })
        .collect())
}

/// A control id as the grammar reads one: a letter or digit, then letters,
/// digits, `-`, `_`, `.`, `:`, `(` and `)`.
fn control_id(id: &str) -> Result<(), String> {
    let mut chars = id.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "-_.:()".contains(c));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err("a control id is a letter or digit, then letters, digits, `-`, `_`, `.`, `:`, `(` or `)`".to_string())
    }
}

/// A quick fix for one diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the editor shows.
    pub title: String,
    /// The diagnostic it fixes.
    pub diagnostic: Diagnostic,
    /// The edit.
    pub edit: Replace,
}

/// The text a missing `because` is given, for the author to replace.
pub const BECAUSE_PLACEHOLDER: &str = " because \"TODO: why this connection is needed\"";

/// The quick fixes for the diagnostics of `file` whose primary place
/// overlaps bytes `start..end`.
pub fn fixes(program: &Program, file: FileId, start: usize, end: usize) -> Vec<Fix> {
    program
        .diagnostics
        .iter()
        .filter(|d| {
            let span = d.primary.span;
            span.file == file && span.start <= end && start <= span.end
        })
        .filter_map(|d| fix(program, d))
        .collect()
}

fn fix(program: &Program, diagnostic: &Diagnostic) -> Option<Fix> {
    let span = diagnostic.primary.span;
    if diagnostic.code == Code::W0001 {
        let flow = program.ast.items.iter().find_map(|item| match item {
            Item::Flow(flow) if flow.span.start <= span.start && span.end <= flow.span.end => {
                Some(flow)
            }
            _ => None,
        })?;
        return Some(Fix {
            title: "add a justification (`because`)".to_string(),
            diagnostic: diagnostic.clone(),
            edit: Replace {
                span: Span::new(span.file, flow.span.end, flow.span.end),
                text: BECAUSE_PLACEHOLDER.to_string(),
            },
        });
    }
    let help = diagnostic.help.as_deref()?;
    let (_, rest) = help.split_once("did you mean `")?;
    let (suggestion, _) = rest.split_once('`')?;
    let written = program.sources.slice(span);
    let one_word = !written.is_empty() && !written.contains(char::is_whitespace);
    (one_word && written != suggestion).then(|| Fix {
        title: format!("replace `{written}` with `{suggestion}`"),
        diagnostic: diagnostic.clone(),
        edit: Replace {
            span,
            text: suggestion.to_string(),
        },
    })
}
