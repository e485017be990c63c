//! Trivia: the comments and blank lines the parser drops.
//!
//! Owns the lexical facts the formatter needs beyond the AST: where each
//! comment is and whether it stands on its own line, where the next token
//! after an offset starts, where a brace is, and whether a blank line
//! precedes an offset. Mirrors the grammar's `WHITESPACE`, `COMMENT` and
//! `string` rules; must not know any statement or the layout.
//!
//! A line ends at `\n`, `\r\n` or a lone `\r` ([`crate::source::LINE_ENDS`]).
//!
//! Scanning is bytewise: every character that matters here (`#`, `"`, `\`,
//! newline, braces) is ASCII, and no byte of a multi-byte UTF-8 character is
//! ever an ASCII byte.

use crate::source::{line_end, line_start, line_starts};

/// A comment: `#` to the end of its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Comment<'t> {
    /// The byte offset of the `#`.
    pub start: usize,
    /// The text from `#` on, trailing whitespace (and a `\r`) removed.
    pub text: &'t str,
    /// True when only whitespace precedes it on its line.
    pub own_line: bool,
}

/// Whitespace as the grammar's `WHITESPACE` rule has it.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

/// Every comment of `text`, in order. `#` inside a string literal is not a
/// comment.
pub(super) fn comments(text: &str) -> Vec<Comment<'_>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(step) = scan(text, at) {
        match step {
            Step::Comment(start, end) => {
                found.push(Comment {
                    start,
                    text: text.get(start..end).unwrap_or("").trim_end(),
                    own_line: is_own_line(text, start),
                });
                at = end;
            }
            Step::String(_, end) | Step::Other(_, end) => at = end,
        }
    }
    found
}

/// The offset of the first character at or after `from` that is neither
/// whitespace nor part of a comment (the length of `text` when none is).
pub(super) fn next_token(text: &str, from: usize) -> usize {
    let mut at = from;
    while let Some(step) = scan(text, at) {
        match step {
            Step::Comment(_, end) => at = end,
            Step::Other(start, end) => {
                let space = text
                    .get(start..end)
                    .is_some_and(|s| s.chars().all(is_space));
                if !space {
                    return start;
                }
                at = end;
            }
            Step::String(start, _) => return start,
        }
    }
    text.len()
}

/// The offset of the first `byte` at or after `from` outside comments and
/// strings.
pub(super) fn find_code_byte(text: &str, from: usize, byte: u8) -> Option<usize> {
    let mut at = from;
    while let Some(step) = scan(text, at) {
        match step {
            Step::Comment(_, end) | Step::String(_, end) => at = end,
            Step::Other(start, end) => {
                if text.as_bytes().get(start) == Some(&byte) {
                    return Some(start);
                }
                at = end;
            }
        }
    }
    None
}

/// True when the whitespace right before `offset` holds a blank line (two or
/// more line ends: `\n`, `\r\n` or a lone `\r`).
pub(super) fn blank_before(text: &str, offset: usize) -> bool {
    text.get(..offset).is_some_and(|before| {
        let code = before.trim_end_matches(is_space);
        let whitespace = before.get(code.len()..).unwrap_or("");
        line_starts(whitespace).len() >= 2
    })
}

/// True when only whitespace precedes `offset` on its line.
fn is_own_line(text: &str, offset: usize) -> bool {
    let Some(before) = text.get(..offset) else {
        return false;
    };
    before
        .get(line_start(text, offset)..)
        .is_some_and(|s| s.chars().all(is_space))
}

/// One lexical step: a comment, a string literal, or one other character,
/// each as `start..end`.
enum Step {
    Comment(usize, usize),
    String(usize, usize),
    Other(usize, usize),
}

/// The step that starts at `at`, or `None` at the end of `text`.
fn scan(text: &str, at: usize) -> Option<Step> {
    let bytes = text.as_bytes();
    let first = *bytes.get(at)?;
    Some(match first {
        b'#' => Step::Comment(at, line_end(text, at)),
        b'"' => {
            // A string ends at its closing quote; an unterminated one (which
            // never parses) at the end of its line. `\` escapes any
            // character, a line end (`\r\n` too) included, as in the grammar.
            let mut i = at + 1;
            loop {
                match bytes.get(i) {
                    None => break,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\n' | b'\r') => break,
                    Some(b'\\') if bytes.get(i + 1..i + 3) == Some(b"\r\n") => i += 3,
                    Some(b'\\') => i += 2,
                    Some(_) => i += 1,
                }
            }
            Step::String(at, i.min(text.len()))
        }
        _ => {
            let len = text.get(at..)?.chars().next()?.len_utf8();
            Step::Other(at, at + len)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(&str, bool)> {
        comments(text)
            .iter()
            .map(|c| (c.text, c.own_line))
            .collect()
    }

    #[test]
    fn comments_outside_strings_only() {
        let text = "system \"a # b\" # one\n  # two  \r\nflow \"x\\\"#\" #three";
        assert_eq!(
            texts(text),
            [("# one", false), ("# two", true), ("#three", false)]
        );
    }

    #[test]
    fn an_escaped_newline_stays_in_the_string() {
        let text = "system \"a\\\n# not a comment\" # yes";
        assert_eq!(texts(text), [("# yes", false)]);
    }

    #[test]
    fn next_token_skips_whitespace_and_comments() {
        let text = "a  # c\n\t\u{FEFF} controls";
        assert_eq!(next_token(text, 1), text.len() - "controls".len());
        assert_eq!(next_token("x   ", 1), 4);
    }

    #[test]
    fn braces_in_comments_are_not_code() {
        let text = "service a # {\n { }";
        assert_eq!(find_code_byte(text, 9, b'{'), Some(15));
        assert_eq!(find_code_byte(text, 9, b'}'), Some(17));
    }

    #[test]
    fn blank_lines_are_two_line_breaks() {
        assert!(blank_before("a\n\nb", 3));
        assert!(blank_before("a\n \r\n  b", 7));
        assert!(!blank_before("a\nb", 2));
        assert!(!blank_before("\nb", 1));
        assert!(blank_before("a\r\rb", 3));
        assert!(blank_before("a\r \r\n\tb", 6));
        assert!(!blank_before("a\r\nb", 3));
        assert!(!blank_before("a\rb", 2));
    }

    #[test]
    fn a_lone_cr_ends_a_comment_and_a_string() {
        let text = "# one\rdeny a -> b # two\r\nsystem \"s\r# three";
        assert_eq!(
            texts(text),
            [("# one", true), ("# two", false), ("# three", true)]
        );
        assert_eq!(next_token(text, 5), 6);
    }
}
