//! Syntax: source text to [`ast::Ast`].
//!
//! Owns the grammar (`grammar/ward.pest`, used only by `parser`) and the AST.
//! Must not resolve names or validate values: that is the checker's job.

pub mod ast;
mod parser;

use crate::diagnostic::Diagnostic;
use crate::source::Sources;

/// The language's keywords, as the grammar spells them. Editor grammars are
/// checked against this list.
pub const KEYWORDS: &[&str] = &[
    "system",
    "baseline",
    "controls",
    "namespace",
    "unmanaged",
    "service",
    "pods",
    "ports",
    "external",
    "except",
    "control",
    "maps",
    "flow",
    "because",
    "deny",
    "in",
    "notin",
    "has",
];

/// The protocols a port may name.
pub const PROTOCOLS: &[&str] = &["tcp", "udp", "sctp"];

/// Parses every file of a program, in order, into one AST and the syntax
/// errors found (at most a few per file; parsing resumes at the next
/// top-level statement after each).
pub fn parse(sources: &Sources) -> (ast::Ast, Vec<Diagnostic>) {
    let mut ast = ast::Ast::default();
    let mut errors = Vec::new();
    for (id, file) in sources.iter() {
        let (mut items, mut file_errors) = parser::parse_file(id, &file.text);
        ast.items.append(&mut items);
        errors.append(&mut file_errors);
    }
    (ast, errors)
}
