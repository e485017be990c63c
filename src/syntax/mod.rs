//! Syntax: source text to [`ast::Ast`].
//!
//! Owns the grammar (`grammar/ward.pest`, used only by `parser`) and the AST.
//! Must not resolve names or validate values: that is the checker's job.

pub mod ast;
mod characters;
mod hints;
mod parser;
mod split;

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
pub const PROTOCOLS: &[&str] = &crate::protocol::KEYWORDS;

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
    with_characters(id, text, parser::parse_file(id, text))
}

/// [`parse_file`] with the file cut into at most `parts` pieces parsed side
/// by side, whatever its size (`parse_file` picks `parts` by size and
/// cores): the same statements and errors for every `parts`, which the
/// tests hold it to.
pub fn parse_file_in(id: FileId, text: &str, parts: usize) -> (Vec<ast::Item>, Vec<Diagnostic>) {
    with_characters(id, text, parser::parse_file_in(id, text, parts))
}

/// A file's parse with the characters it may not hold, syntax errors at
/// them left out.
fn with_characters(
    id: FileId,
    text: &str,
    (items, file_errors): (Vec<ast::Item>, Vec<Diagnostic>),
) -> (Vec<ast::Item>, Vec<Diagnostic>) {
    let refused = characters::refused(id, text);
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

#[cfg(test)]
mod tests {
    use super::KEYWORDS;
    use std::collections::BTreeSet;

    /// The grammar the parser is generated from.
    const GRAMMAR: &str = include_str!("../../grammar/ward.pest");

    /// The string literals of `text` (pest's: in double quotes, with
    /// backslash escapes) that are words: `"flow"` gives `flow`.
    fn words(text: &str) -> Vec<&str> {
        let mut words = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('"') {
            let body = &rest[open + 1..];
            let mut escaped = false;
            let close = body
                .char_indices()
                .find(|&(_, c)| {
                    let end = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    end
                })
                .map_or(body.len(), |(at, _)| at);
            let literal = &body[..close];
            if literal.len() > 1 && literal.bytes().all(|b| b.is_ascii_lowercase()) {
                words.push(literal);
            }
            rest = body.get(close + 1..).unwrap_or_default();
        }
        words
    }

    /// The body of the rule `name` in the grammar, up to its closing brace.
    fn rule(name: &str) -> &'static str {
        let start = GRAMMAR
            .lines()
            .position(|line| line.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("the grammar has no rule `{name}`"));
        let body = GRAMMAR.lines().skip(start);
        let mut end = 0;
        for (index, line) in body.clone().enumerate() {
            if line.trim_end().ends_with('}') {
                end = index + 1;
                break;
            }
        }
        let offset: usize = GRAMMAR.lines().take(start).map(|l| l.len() + 1).sum();
        let length: usize = body.take(end).map(|l| l.len() + 1).sum();
        &GRAMMAR[offset..offset + length]
    }

    #[test]
    fn the_keywords_are_the_grammars() {
        // The grammar's `keyword` rule (what a name may not be) lists them in
        // order.
        assert_eq!(words(rule("keyword")), KEYWORDS);
        // Each has its own `kw_` rule, which matches exactly it.
        for keyword in KEYWORDS {
            let body = rule(&format!("kw_{keyword}"));
            assert_eq!(words(body), [*keyword], "{body}");
        }
        // And the grammar spells no other word outside comments.
        let code: String = GRAMMAR
            .lines()
            .map(|line| line.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let spelt: BTreeSet<&str> = words(&code).into_iter().collect();
        assert_eq!(spelt, KEYWORDS.iter().copied().collect());
        // Parsing resumes at statement keywords, which are keywords.
        for keyword in super::parser::STATEMENT_KEYWORDS {
            assert!(KEYWORDS.contains(keyword), "{keyword}");
        }
    }
}
