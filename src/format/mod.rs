//! The canonical formatter behind `ward fmt`.
//!
//! Owns the canonical layout of a Ward file and the placement of comments
//! and blank lines in it. It reads the AST that [`crate::syntax`] produces
//! and the comments it scans itself (the parser drops them); it must not know
//! the grammar's internals, the checker or the file system. Formatting keeps
//! meaning: the output parses to the same AST (spans aside, protocols
//! lowercased), keeps every comment, and is a fixed point
//! (`format(format(x)) == format(x)`).
//!
//! # Layout
//!
//! - One statement per line, in source order, never reordered or wrapped:
//!   `system "..."`, `baseline controls A, B`,
//!   `external NAME = CIDR, CIDR except CIDR`,
//!   `control ID "title" maps A, B`, `deny SRC -> DST[:port]`.
//! - `namespace NAME [unmanaged] {`, then one service per line indented two
//!   spaces, then `}`; `namespace NAME {}` when nothing, not even a comment,
//!   is inside the braces.
//! - `service NAME { pods k=v, k in (a, b), has k, !k  ports NAME 443/tcp }`:
//!   terms and ports joined by `, `, two spaces between the clauses, either
//!   clause left out when absent, `service NAME {}` with neither. No column
//!   alignment between lines.
//! - `flow SRC -> DST[:port]`, then, when present,
//!   `  controls A, B because "..."` on the next line, indented two spaces.
//! - Protocols lowercase; numbers, names, ids and CIDRs as written. Strings
//!   are re-quoted: `"` and `\` escaped, newline as `\n`, tab as `\t`.
//! - Blank lines: one where the source had one or more, before a statement,
//!   a service, or a comment on its own line; none at the start of the file,
//!   right after a namespace's `{`, before a `}`, or inside a flow. Lines end
//!   in `\n`, the file in exactly one; trailing whitespace is dropped.
//!
//! # Comments
//!
//! A comment after a token on the same line stays at the end of the output
//! line holding that token, two spaces after it. A comment on its own line
//! goes on its own line before the output line holding the next token, with
//! that line's indentation (two spaces inside a namespace, before a `}` too);
//! comments after the last token end the file. When a statement written over
//! several lines becomes one line, the comments inside it move above it in
//! their order, and so do trailing comments that would share one line, but
//! the last, which stays at its end. Comment text is kept from `#` on,
//! trailing whitespace removed.

mod layout;
mod trivia;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Sources};
use layout::{Kind, Line};
use trivia::Comment;

/// Formats one file's text; Err with the syntax diagnostics when it does not
/// parse. `file` is the id the diagnostics' spans point into; formatting
/// itself looks only at `text`.
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let mut sources = Sources::new();
    let local = sources.add("", text);
    let (ast, mut errors) = crate::syntax::parse(&sources);
    if !errors.is_empty() {
        for error in &mut errors {
            for label in std::iter::once(&mut error.primary).chain(&mut error.secondary) {
                if label.span.file == local {
                    label.span.file = file;
                }
            }
        }
        return Err(errors);
    }
    let comments = trivia::comments(text);
    let lines = layout::lines(&ast, text, &comments);
    Ok(emit(text, &lines, &comments))
}

/// The comments that go with one output line.
#[derive(Default)]
struct Attached<'c, 't> {
    /// On their own lines above it, in source order.
    above: Vec<&'c Comment<'t>>,
    /// At its end.
    trailing: Vec<&'c Comment<'t>>,
}

/// Writes the lines with their comments and blank lines.
fn emit(text: &str, lines: &[Line], comments: &[Comment<'_>]) -> String {
    let mut attached: Vec<Attached<'_, '_>> = lines.iter().map(|_| Attached::default()).collect();
    let mut at_end = Vec::new();
    for comment in comments {
        if !comment.own_line {
            // The line holding the token before the comment.
            let holder = lines
                .partition_point(|l| l.start < comment.start)
                .checked_sub(1);
            if let Some(slot) = holder.and_then(|i| attached.get_mut(i)) {
                slot.trailing.push(comment);
                continue;
            }
        }
        // The line holding the token after the comment.
        let next = lines.partition_point(|l| l.end <= comment.start);
        match attached.get_mut(next) {
            Some(slot) => slot.above.push(comment),
            None => at_end.push(comment),
        }
    }
    let mut out = Writer::default();
    for (line, slot) in lines.iter().zip(attached.iter_mut()) {
        // One comment fits at the end of a line: the last one stays there,
        // the others move above. (So a comment after a namespace's `{` stays
        // inside its braces, and keeps a multi-line namespace multi-line.)
        if let Some((last, others)) = slot.trailing.split_last() {
            let last = *last;
            slot.above.extend_from_slice(others);
            slot.above.sort_by_key(|c| c.start);
            slot.trailing = vec![last];
        }
        let blank_allowed = line.kind != Kind::Continuation;
        // Comments from before the line keep their blank lines; the line's own
        // blank line goes before the comments moved up from inside it.
        let (before, inside): (Vec<&Comment<'_>>, Vec<&Comment<'_>>) =
            slot.above.iter().partition(|c| c.start < line.start);
        for comment in before {
            let blank = blank_allowed && trivia::blank_before(text, comment.start);
            out.line(line.comment_indent, comment.text, blank, false);
        }
        let mut blank = matches!(line.kind, Kind::Statement | Kind::Opener)
            && trivia::blank_before(text, line.start);
        for comment in inside {
            out.line(line.comment_indent, comment.text, blank, false);
            blank = false;
        }
        let mut content = line.text.clone();
        if let [comment] = slot.trailing.as_slice() {
            content.push_str("  ");
            content.push_str(comment.text);
        }
        out.line(line.indent, &content, blank, line.kind == Kind::Opener);
    }
    for comment in at_end {
        out.line(
            0,
            comment.text,
            trivia::blank_before(text, comment.start),
            false,
        );
    }
    out.text
}

/// Output text, with the rules on where blank lines may go.
#[derive(Default)]
struct Writer {
    text: String,
    /// True right after a namespace's `{` line.
    after_opener: bool,
}

impl Writer {
    /// Writes one line, after a blank line when `blank` and one is allowed
    /// here.
    fn line(&mut self, indent: usize, content: &str, blank: bool, opener: bool) {
        if blank && !self.text.is_empty() && !self.after_opener {
            self.text.push('\n');
        }
        let content = content.trim_end();
        if !content.is_empty() {
            self.text.extend(std::iter::repeat_n(' ', indent));
            self.text.push_str(content);
        }
        self.text.push('\n');
        self.after_opener = opener;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        match format_source(FileId(0), text) {
            Ok(formatted) => formatted,
            Err(errors) => panic!("{text:?} does not parse: {errors:?}"),
        }
    }

    #[test]
    fn the_readme_layout() {
        let text = "system   \"P\"\nbaseline controls CC6.1,CC6.6\n\n\n\
            namespace kube-system unmanaged{service dns{pods k8s-app=kube-dns ports dns 53/UDP,dns-tcp 53/tcp}}\n\
            namespace empty { }\n\
            external internet=0.0.0.0/0 except 10.0.0.0/8,  172.16.0.0/12\n\
            control NET-01 \"Seg\"\n  maps CC6.1, CC6.6\n\
            flow internet -> shop.web : http controls CC6.6 because \"Public\"\n\
            flow * . * -> kube-system.dns\n\
            deny internet ->payments.*";
        assert_eq!(
            fmt(text),
            "system \"P\"\nbaseline controls CC6.1, CC6.6\n\n\
            namespace kube-system unmanaged {\n  service dns { pods k8s-app=kube-dns  ports dns 53/udp, dns-tcp 53/tcp }\n}\n\
            namespace empty {}\n\
            external internet = 0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12\n\
            control NET-01 \"Seg\" maps CC6.1, CC6.6\n\
            flow internet -> shop.web:http\n  controls CC6.6 because \"Public\"\n\
            flow *.* -> kube-system.dns\n\
            deny internet -> payments.*\n"
        );
    }

    #[test]
    fn selectors_and_services() {
        let text = "namespace a {\n service s { pods x in (a,b), y notin ( c ), has z, ! w }\n\
            service t { ports p 1-2/Sctp }\n service u { }\n service v { pods k=, j in (), l in (a,) }\n}";
        assert_eq!(
            fmt(text),
            "namespace a {\n  service s { pods x in (a, b), y notin (c), has z, !w }\n  \
            service t { ports p 1-2/sctp }\n  service u {}\n  service v { pods k=, j in (), l in (a, ) }\n}\n"
        );
    }

    #[test]
    fn strings_are_requoted() {
        let text = "system \"a\\\"b\\\\c\\nd\\te\\qf\tg#h\"";
        assert_eq!(fmt(text), "system \"a\\\"b\\\\c\\nd\\teqf\\tg#h\"\n");
    }

    #[test]
    fn comments_stay_where_they_were() {
        let text = "# head\n\n\nsystem \"s\"   # trailing   \n\
            namespace a { # on the brace\n\n  # about b\n  service b {}\n\n  # last\n} # closed\n\
            # about the flow\nflow a -> b # head\n  # inside\n  controls X\n\n# the end\n";
        assert_eq!(
            fmt(text),
            "# head\n\nsystem \"s\"  # trailing\n\
            namespace a {  # on the brace\n  # about b\n  service b {}\n\n  # last\n}  # closed\n\
            # about the flow\nflow a -> b  # head\n  # inside\n  controls X\n\n# the end\n"
        );
    }

    #[test]
    fn comments_inside_a_collapsed_statement_move_above_it() {
        let text = "namespace a {\n  service b {  # one\n    pods x=y\n    # two\n    ports p 1  # three\n  }\n}\n";
        assert_eq!(
            fmt(text),
            "namespace a {\n  # one\n  # two\n  service b { pods x=y  ports p 1 }  # three\n}\n"
        );
    }

    #[test]
    fn a_namespace_with_only_comments_keeps_its_braces_apart() {
        assert_eq!(fmt("namespace a { # soon\n}"), "namespace a {  # soon\n}\n");
        assert_eq!(
            fmt("namespace a {\n# soon\n}"),
            "namespace a {\n  # soon\n}\n"
        );
        assert_eq!(fmt("namespace a {\n}  # done"), "namespace a {}  # done\n");
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n  \n"), "");
        assert_eq!(fmt("\n\n# a\n\n\n# b\n\n"), "# a\n\n# b\n");
    }

    #[test]
    fn crlf_and_bom_become_plain_newlines() {
        assert_eq!(
            fmt("\u{FEFF}system \"s\" # c\r\n\r\n\r\ndeny a -> b\r\n"),
            "system \"s\"  # c\n\ndeny a -> b\n"
        );
    }

    #[test]
    fn syntax_errors_come_back_for_the_given_file() {
        let Err(errors) = format_source(FileId(7), "flow a ->\n") else {
            panic!("a broken flow formatted");
        };
        assert!(!errors.is_empty());
        assert!(errors.iter().all(|e| e.primary.span.file == FileId(7)));
    }
}
