//! The pieces every Markdown and HTML rendering (the matrix, the diff, the
//! history) builds with: text escaped for the format, code spans, and the
//! rows of a table; [`Markup`] for what is written the same way in both
//! formats but for them.
//!
//! Owns the escaping, so that text the team wrote (names, justifications,
//! statements, file names) can neither break a table nor inject markup in
//! any rendering, and the table syntax of each format. Must not decide what
//! a document or a table holds (each renderer does).

use std::fmt::{Display, Write as _};

/// A format's escaping and table rows, for pieces written the same way in
/// Markdown and HTML but for them.
pub trait Markup {
    /// Text the team wrote, escaped: [`markdown::escape`], [`html::escape`].
    fn escape(text: &str) -> String;
    /// Text shown verbatim as code: [`markdown::code`], [`html::code`].
    fn code(text: &str) -> String;
    /// One row of a table's body: [`markdown::table_row`],
    /// [`html::table_row`].
    fn table_row(out: &mut String, cells: &[&dyn Display]);
}

/// Implements [`Markup`] for `$format` with the functions of `$module`.
macro_rules! markup_of {
    ($format:ident, $module:ident) => {
        impl Markup for $format {
            fn escape(text: &str) -> String {
                $module::escape(text)
            }

            fn code(text: &str) -> String {
                $module::code(text)
            }

            fn table_row(out: &mut String, cells: &[&dyn Display]) {
                $module::table_row(out, cells);
            }
        }
    };
}

/// GitHub-flavoured Markdown, as a [`Markup`].
pub struct Markdown;
markup_of!(Markdown, markdown);

/// HTML, as a [`Markup`].
pub struct Html;
markup_of!(Html, html);

/// True for a character no rendering shows as itself: a control character,
/// a bidirectional control, an invisible character, or a line break other
/// than `\r`, `\n` (which each format handles); written as `\u{..}`. Ward
/// refuses them in strings (E0004), but file names and Git messages reach
/// the renderings too.
fn unshowable(ch: char) -> bool {
    !matches!(ch, '\r' | '\n' | '\t')
        && (crate::source::is_unshowable(ch) || crate::source::is_other_line_break(ch))
}

/// How a format writes one row of a table: what opens and closes the row
/// and each of its cells.
struct RowSyntax {
    row_start: &'static str,
    cell_start: &'static str,
    cell_end: &'static str,
    row_end: &'static str,
}

impl RowSyntax {
    /// Writes a row of `cells`, each written as it is.
    fn write<T: Display>(&self, out: &mut String, cells: &[T]) {
        out.push_str(self.row_start);
        for cell in cells {
            let _ = write!(out, "{}{cell}{}", self.cell_start, self.cell_end);
        }
        out.push_str(self.row_end);
    }
}

/// GitHub-flavoured Markdown: escaping, code spans and table rows.
pub mod markdown {
    use super::RowSyntax;
    use std::fmt::{Display, Write as _};

    /// Text for a table cell or a heading: one line, Markdown punctuation
    /// backslash-escaped (so `|` cannot end a cell and `<` cannot open a tag).
    pub fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for ch in text.chars() {
            match ch {
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!' => {
                    out.push('\\');
                    out.push(ch);
                }
                '\r' | '\n' | '\t' => out.push(' '),
                ch if super::unshowable(ch) => out.extend(ch.escape_unicode()),
                _ => out.push(ch),
            }
        }
        out
    }

    /// A code span that holds `text` verbatim on one line: the fence is one
    /// backtick longer than the longest run inside; `|` is escaped, as
    /// tables need even there.
    pub fn code(text: &str) -> String {
        let text: String = text
            .chars()
            .flat_map(|c| {
                let shown: Vec<char> = if matches!(c, '\r' | '\n' | '\t') {
                    vec![' ']
                } else if super::unshowable(c) {
                    c.escape_unicode().collect()
                } else {
                    vec![c]
                };
                shown
            })
            .collect::<String>()
            .replace('|', "\\|");
        let mut longest = 0;
        let mut run = 0;
        for c in text.chars() {
            run = if c == '`' { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        let fence = "`".repeat(longest + 1);
        let pad = if text.starts_with('`') || text.ends_with('`') {
            " "
        } else {
            ""
        };
        format!("{fence}{pad}{text}{pad}{fence}")
    }

    /// `| a | b |`.
    const ROW: RowSyntax = RowSyntax {
        row_start: "|",
        cell_start: " ",
        cell_end: " |",
        row_end: "\n",
    };

    /// The head of a table: `| A | B |` and its `|---|---|` line. The titles
    /// are the renderer's own words, written as they are; an empty one
    /// leaves its column untitled (`| |`).
    pub fn table_head(out: &mut String, titles: &[&str]) {
        out.push('|');
        for title in titles {
            if title.is_empty() {
                out.push_str(" |");
            } else {
                let _ = write!(out, " {title} |");
            }
        }
        out.push_str("\n|");
        for _ in titles {
            out.push_str("---|");
        }
        out.push('\n');
    }

    /// One row of a table: `| a | b |`. The cells are already escaped.
    pub fn table_row(out: &mut String, cells: &[&dyn Display]) {
        ROW.write(out, cells);
    }
}

/// HTML: escaping, code elements and tables with a header row.
pub mod html {
    use super::RowSyntax;
    use std::fmt::{Display, Write as _};

    /// Text for element content or a double-quoted attribute.
    pub fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for ch in text.chars() {
            match ch {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                ch if super::unshowable(ch) => out.extend(ch.escape_unicode()),
                _ => out.push(ch),
            }
        }
        out
    }

    /// `text`, escaped, in a `<code>` element.
    pub fn code(text: &str) -> String {
        format!("<code>{}</code>", escape(text))
    }

    /// A row of the body: `<tr><td>a</td></tr>`.
    const ROW: RowSyntax = RowSyntax {
        row_start: "<tr>",
        cell_start: "<td>",
        cell_end: "</td>",
        row_end: "</tr>\n",
    };

    /// The header row, of column titles.
    const HEAD_ROW: RowSyntax = RowSyntax {
        row_start: "<thead><tr>",
        cell_start: "<th scope=\"col\">",
        cell_end: "</th>",
        row_end: "</tr></thead>\n",
    };

    /// Opens a table (with `class`, if any) and writes its header row of
    /// column titles, then opens the body. The titles are the renderer's own
    /// words, written as they are.
    pub fn table_start(out: &mut String, class: Option<&str>, titles: &[&str]) {
        match class {
            Some(class) => {
                let _ = writeln!(out, "<table class=\"{class}\">");
            }
            None => out.push_str("<table>\n"),
        }
        HEAD_ROW.write(out, titles);
        out.push_str("<tbody>\n");
    }

    /// One row of a table's body. The cells are already escaped.
    pub fn table_row(out: &mut String, cells: &[&dyn Display]) {
        ROW.write(out, cells);
    }

    /// Closes the body and the table [`table_start`] opened.
    pub fn table_end(out: &mut String) {
        out.push_str("</tbody>\n</table>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::{html, markdown};

    #[test]
    fn the_teams_text_can_neither_break_a_table_nor_open_a_tag() {
        let text = "a | b <script> *x*\n'&\"";
        assert_eq!(
            markdown::escape(text),
            "a \\| b \\<script\\> \\*x\\* '\\&\""
        );
        assert_eq!(
            html::escape(text),
            "a | b &lt;script&gt; *x*\n&#39;&amp;&quot;"
        );
        assert_eq!(html::code("a<b"), "<code>a&lt;b</code>");
    }

    #[test]
    fn control_and_bidirectional_characters_are_shown_escaped() {
        let text = "a\u{1b}[31m\u{202e}b\u{9b}\u{2028}\u{200b}";
        let shown = r"a\u{1b}[31m\u{202e}b\u{9b}\u{2028}\u{200b}";
        assert_eq!(html::escape(text), shown);
        assert_eq!(markdown::code(text), format!("`{shown}`"));
        assert_eq!(
            markdown::escape(text),
            r"a\u{1b}\[31m\u{202e}b\u{9b}\u{2028}\u{200b}"
        );
    }

    #[test]
    fn markdown_code_spans_hold_backticks_and_pipes() {
        for (text, span) in [
            ("a.b -> c.d", "`a.b -> c.d`"),
            ("x`y", "``x`y``"),
            ("`x", "`` `x ``"),
            ("a|b", "`a\\|b`"),
            ("a`b|c", "``a`b\\|c``"),
            ("two\nlines", "`two lines`"),
        ] {
            assert_eq!(markdown::code(text), span, "{text}");
        }
    }

    #[test]
    fn markdown_tables_have_a_rule_under_the_head_and_a_cell_per_column() {
        let mut out = String::new();
        markdown::table_head(&mut out, &["File", "Bytes"]);
        markdown::table_row(&mut out, &[&"`a`", &3]);
        assert_eq!(out, "| File | Bytes |\n|---|---|\n| `a` | 3 |\n");
        out.clear();
        markdown::table_head(&mut out, &["", "Name"]);
        assert_eq!(out, "| | Name |\n|---|---|\n");
    }

    #[test]
    fn html_tables_have_a_header_row_and_a_body() {
        let mut out = String::new();
        html::table_start(&mut out, Some("trace"), &["File", "Bytes"]);
        html::table_row(&mut out, &[&"<code>a</code>", &3]);
        html::table_end(&mut out);
        assert_eq!(
            out,
            "<table class=\"trace\">\n<thead><tr><th scope=\"col\">File</th><th scope=\"col\">Bytes</th></tr></thead>\n<tbody>\n<tr><td><code>a</code></td><td>3</td></tr>\n</tbody>\n</table>\n"
        );
    }
}
