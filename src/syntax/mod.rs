//! Syntax: source text to [`ast::Ast`].
//!
//! Owns the grammar (`grammar/ward.pest`, used only by `parser`) and the AST.
//! Must not resolve names or validate values: that is the checker's job.

pub mod ast;
mod characters;
mod hints;
mod parser;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Sources};

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
/// top-level statement after each), with the characters no file may hold
/// (E0003, E0004). A syntax error at such a character is left out: the
/// character's own error says more.
pub fn parse(sources: &Sources) -> (ast::Ast, Vec<Diagnostic>) {
    let mut ast = ast::Ast::default();
    let mut errors = Vec::new();
    for (id, file) in sources.iter() {
        let (mut items, file_errors) = parse_file(id, &file.text);
        ast.items.append(&mut items);
        errors.extend(file_errors);
    }
    (ast, errors)
}

/// Parses one file of a program (file `id` of its sources), as [`parse`]
/// does each: its statements and its syntax errors, with the characters it
/// may not hold. The language server parses again only the files that
/// changed.
pub fn parse_file(id: FileId, text: &str) -> (Vec<ast::Item>, Vec<Diagnostic>) {
    let refused = characters::refused(id, text);
    let (items, file_errors) = parser::parse_file(id, text);
    let at_refused = |error: &Diagnostic| {
        let at = error.primary.span.start;
        refused
            .iter()
            .any(|r| r.primary.span.start <= at && at < r.primary.span.end)
    };
    let mut errors: Vec<Diagnostic> = file_errors.into_iter().filter(|e| !at_refused(e)).collect();
    errors.extend(refused);
    (items, errors)
}
