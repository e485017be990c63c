//! Where a file may be cut into pieces that parse on their own: before a
//! top-level statement, found by a scan that knows only strings, comments
//! and braces (decision 0023).
//!
//! The scan need not be right for the parse to be: `parser` parses the
//! pieces side by side and keeps their statements only when every piece
//! parses, and no rule of the grammar can go on past a line that starts
//! with a statement keyword, so pieces that each parse are the statements
//! the whole file parses to. A cut the scan got wrong (inside a string, say)
//! makes a piece fail, and the file is parsed whole, errors and all.

use super::parser::STATEMENT_KEYWORDS;

/// Offsets, after 0 and in increasing order, where `text` may be cut so that
/// it falls into at most `parts` pieces of roughly equal size: each is the
/// start of a line that begins (after spaces and tabs) with a statement
/// keyword and a space, tab or line end, outside every string, comment and
/// brace.
pub(super) fn cuts(text: &str, parts: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let piece = text.len() / parts.max(1);
    let mut cuts = Vec::new();
    let mut next_target = piece;
    let mut depth = 0usize;
    let mut at = 0;
    let mut line_start = true;
    while let Some(&byte) = bytes.get(at) {
        if line_start {
            line_start = false;
            if depth == 0 && at >= next_target && at > 0 && starts_statement(bytes, at) {
                cuts.push(at);
                if cuts.len() + 1 >= parts {
                    break;
                }
                next_target = at + piece;
            }
        }
        match byte {
            b'\n' | b'\r' => line_start = true,
            b'#' => at = line_end(bytes, at),
            b'"' => at = string_end(bytes, at),
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    cuts
}

/// True when the line at `at` starts, after spaces and tabs, with a
/// statement keyword followed by a space, a tab or a line end.
fn starts_statement(bytes: &[u8], at: usize) -> bool {
    let rest = bytes.get(at..).unwrap_or_default();
    let indent = rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let word = rest.get(indent..).unwrap_or_default();
    STATEMENT_KEYWORDS.iter().any(|keyword| {
        word.starts_with(keyword.as_bytes())
            && matches!(word.get(keyword.len()), Some(b' ' | b'\t' | b'\n' | b'\r'))
    })
}

/// The offset of the line end that closes the comment opened at `at` (or
/// the last byte), so that the scan resumes on the line end.
fn line_end(bytes: &[u8], at: usize) -> usize {
    let rest = bytes.get(at..).unwrap_or_default();
    match rest.iter().position(|b| matches!(b, b'\n' | b'\r')) {
        Some(end) => at + end - 1,
        None => bytes.len(),
    }
}

/// The offset of the closing quote of the string opened at `at`, or the
/// byte before the line end that cuts it short (the grammar's strings hold
/// no raw line end; `\` escapes any character, `\r\n` as one).
fn string_end(bytes: &[u8], at: usize) -> usize {
    let mut at = at + 1;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => return at,
            b'\n' | b'\r' => return at - 1,
            b'\\' if bytes.get(at + 1..at + 3) == Some(b"\r\n".as_slice()) => at += 3,
            b'\\' => at += 2,
            _ => at += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::cuts;

    #[test]
    fn cuts_before_statements_outside_strings_comments_and_braces() {
        let text = "flow a.b -> c.d\n\
                    # flow in a comment\n\
                    flow x.y -> z.w because \"a\\\nflow inside\"\n\
                    namespace n {\n  service s {}\n}\n\
                    deny a.* -> b.*\n";
        let every = cuts(text, text.len());
        let starts: Vec<&str> = every
            .iter()
            .map(|&at| text[at..].lines().next().unwrap())
            .collect();
        assert_eq!(
            starts,
            [
                "flow x.y -> z.w because \"a\\",
                "namespace n {",
                "deny a.* -> b.*"
            ]
        );
        assert!(cuts(text, 1).is_empty());
        assert_eq!(cuts(text, 2).len(), 1);
    }
}
