//! Rendering diagnostics: for people (codespan-reporting), as JSON, and as
//! SARIF 2.1.0 for code-scanning UIs. Pure functions of the diagnostics and
//! the sources.

use crate::diagnostic::{Code, Diagnostic, Label, Severity};
use crate::source::{Sources, Span, is_other_line_break, is_unshowable};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;
use serde::Serialize;
use serde_json::json;

/// The sources as a terminal may be shown them, in the shape
/// codespan-reporting reads: a hostile file must not move the cursor or
/// recolour the terminal, so every unshowable character (an escape, a
/// bidirectional control, ...) of a file's text or name is written as
/// `\u{1b}`, and a lone `\r` ends its line as the line index has it.
pub(crate) struct Shown {
    files: SimpleFiles<String, String>,
    /// Per file, for each escaped character, its offset in the source and
    /// the bytes added by escaping it and every one before it.
    shifts: Vec<Vec<(usize, usize)>>,
}

/// The sources as [`Shown`] reads them.
pub(crate) fn files(sources: &Sources) -> Shown {
    let mut files = SimpleFiles::new();
    let mut shifts = Vec::new();
    for (_, file) in sources.iter() {
        let (text, shift) = escaped(&file.text);
        files.add(escaped(&file.name).0, text);
        shifts.push(shift);
    }
    Shown { files, shifts }
}

/// `text` with every unshowable character written as `\u{..}` and every
/// lone `\r` as `\n` (the same length), and the shifts that escaping made.
fn escaped(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut shifts = Vec::new();
    let mut added = 0;
    for (offset, c) in text.char_indices() {
        if c == '\r'
            && !text
                .get(offset + 1..)
                .is_some_and(|rest| rest.starts_with('\n'))
        {
            out.push('\n');
        } else if is_unshowable(c) || is_other_line_break(c) {
            let before = out.len();
            out.extend(c.escape_unicode());
            added += out.len() - before - c.len_utf8();
            shifts.push((offset, added));
        } else {
            out.push(c);
        }
    }
    (out, shifts)
}

/// Escapes unshowable characters of a message.
fn escape_text(text: &str) -> String {
    escaped(text).0
}

impl Shown {
    /// The files for codespan-reporting.
    pub fn files(&self) -> &SimpleFiles<String, String> {
        &self.files
    }

    /// Where byte `offset` of a source file is in the shown text.
    fn offset(&self, file: usize, offset: usize) -> usize {
        let Some(shifts) = self.shifts.get(file) else {
            return offset;
        };
        let escaped_before = shifts.partition_point(|(at, _)| *at < offset);
        let added = escaped_before
            .checked_sub(1)
            .and_then(|last| shifts.get(last))
            .map_or(0, |(_, added)| *added);
        offset + added
    }

    /// A diagnostic in codespan-reporting's terms, its spans in the shown
    /// text.
    pub fn to_codespan(&self, diagnostic: &Diagnostic) -> cs::Diagnostic<usize> {
        let severity = match diagnostic.severity() {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
        };
        let label = |style, label: &Label| {
            let file = label.span.file.0;
            cs::Label::new(
                style,
                file,
                self.offset(file, label.span.start)..self.offset(file, label.span.end),
            )
            .with_message(escape_text(&label.message))
        };
        let mut labels = vec![label(cs::LabelStyle::Primary, &diagnostic.primary)];
        labels.extend(
            diagnostic
                .secondary
                .iter()
                .map(|l| label(cs::LabelStyle::Secondary, l)),
        );
        let mut notes: Vec<String> = diagnostic
            .notes
            .iter()
            .map(|n| format!("note: {}", escape_text(n)))
            .collect();
        if let Some(help) = &diagnostic.help {
            notes.push(format!("help: {}", escape_text(help)));
        }
        cs::Diagnostic::new(severity)
            .with_code(diagnostic.code.as_str())
            .with_message(escape_text(&diagnostic.message))
            .with_labels(labels)
            .with_notes(notes)
    }
}

/// The one-line summary printed after the diagnostics.
pub(crate) fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Every diagnostic rendered for people, without colour, plus the summary.
pub fn human(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let shown = files(sources);
    let config = term::Config::default();
    let mut out = String::new();
    for diagnostic in diagnostics {
        if let Err(error) = term::emit_to_string(
            &mut out,
            &config,
            shown.files(),
            &shown.to_codespan(diagnostic),
        ) {
            out.push_str(&format!(
                "{}[{}]: {} (could not show the source: {error})\n",
                diagnostic.severity().as_str(),
                diagnostic.code.as_str(),
                escape_text(&diagnostic.message)
            ));
        }
    }
    out.push_str(&summary(diagnostics));
    out.push('\n');
    out
}

/// A place, 1-based, as JSON and SARIF give it.
#[derive(Serialize)]
struct Place {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn place(sources: &Sources, span: Span) -> Place {
    let (line, column) = sources.line_col(span.file, span.start);
    let (end_line, end_column) = sources.line_col(span.file, span.end);
    Place {
        file: sources
            .get(span.file)
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        line,
        column,
        end_line,
        end_column,
    }
}

/// Every diagnostic as one JSON document:
/// `{"diagnostics": [...], "errors": N, "warnings": N}`.
pub fn json(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    pretty(&json_document(sources, diagnostics))
}

/// [`json()`] with a `summary` object beside the diagnostics: what a command
/// checked (`ward test`, `ward verify`), for CI to read without parsing text.
pub(crate) fn json_with_summary(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    summary: serde_json::Value,
) -> String {
    let mut document = json_document(sources, diagnostics);
    if let Some(object) = document.as_object_mut() {
        object.insert("summary".to_owned(), summary);
    }
    pretty(&document)
}

fn json_document(sources: &Sources, diagnostics: &[Diagnostic]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let at = place(sources, d.primary.span);
            let labels: Vec<serde_json::Value> = std::iter::once((&d.primary, true))
                .chain(d.secondary.iter().map(|l| (l, false)))
                .map(|(label, primary)| {
                    let p = place(sources, label.span);
                    json!({
                        "primary": primary,
                        "message": label.message,
                        "file": p.file,
                        "line": p.line,
                        "column": p.column,
                        "end_line": p.end_line,
                        "end_column": p.end_column,
                    })
                })
                .collect();
            json!({
                "code": d.code.as_str(),
                "severity": d.severity().as_str(),
                "message": d.message,
                "file": at.file,
                "line": at.line,
                "column": at.column,
                "end_line": at.end_line,
                "end_column": at.end_column,
                "labels": labels,
                "notes": d.notes,
                "help": d.help,
            })
        })
        .collect();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    json!({
        "diagnostics": items,
        "errors": errors,
        "warnings": diagnostics.len() - errors,
    })
}

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn sarif_location(sources: &Sources, span: Span) -> serde_json::Value {
    let p = place(sources, span);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": p.file.replace('\\', "/") },
            "region": {
                "startLine": p.line,
                "startColumn": p.column,
                "endLine": p.end_line,
                "endColumn": p.end_column,
            }
        }
    })
}

/// Every diagnostic as a SARIF 2.1.0 log with one run, and every code as a
/// rule of the tool, so code-scanning UIs can show the long explanations.
pub(crate) fn sarif(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "name": rule_name(code.title()),
                "shortDescription": { "text": code.title() },
                "fullDescription": { "text": code.explanation() },
                "help": { "text": code.explanation() },
                "defaultConfiguration": { "level": sarif_level(code.severity()) },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            for note in &d.notes {
                text.push_str(&format!("\nnote: {note}"));
            }
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            let related: Vec<serde_json::Value> = d
                .secondary
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let mut location = sarif_location(sources, label.span);
                    if let Some(object) = location.as_object_mut() {
                        object.insert("id".into(), json!(i + 1));
                        object.insert("message".into(), json!({ "text": label.message }));
                    }
                    location
                })
                .collect();
            let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": index,
                "level": sarif_level(d.severity()),
                "message": { "text": text },
                "locations": [sarif_location(sources, d.primary.span)],
            });
            if !related.is_empty() {
                if let Some(object) = result.as_object_mut() {
                    object.insert("relatedLocations".into(), json!(related));
                }
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ward",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    pretty(&log)
}

/// `duplicate definition` -> `DuplicateDefinition`, SARIF's rule name form.
fn rule_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, reason = "tests fail loudly")]
    use super::*;
    use crate::source::{FileId, is_bidi_control};
    use proptest::prelude::*;

    /// A rendering with a diagnostic whose primary span is `TARGET` in
    /// `text`, with a secondary label on the file's first character.
    fn render_target(name: &str, text: &str) -> String {
        let mut sources = Sources::new();
        let file = sources.add(name, text);
        let start = text.find("TARGET").unwrap_or(0);
        let diagnostic = Diagnostic::new(
            Code::E0004,
            "a message with \u{1b}[31m in it",
            Span::new(file, start, start + "TARGET".len()),
            "here",
        )
        .with_secondary(Span::new(FileId(0), 0, 1), "first")
        .with_note("a note \u{202e} reversed")
        .with_help("help \u{7}");
        human(&sources, &[diagnostic])
    }

    /// The column (in characters) of `TARGET` on the line that shows it, and
    /// of the carets under it.
    fn target_and_carets(rendered: &str) -> (usize, usize) {
        let lines: Vec<&str> = rendered.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains("TARGET") && l.contains('│'))
            .unwrap_or_else(|| panic!("no source line with TARGET:\n{rendered}"));
        let column = |line: &str, needle: &str| {
            let byte = line
                .find(needle)
                .unwrap_or_else(|| panic!("{needle} in {line}"));
            line[..byte].chars().count()
        };
        (column(lines[at], "TARGET"), column(lines[at + 1], "^^^^^^"))
    }

    #[test]
    fn escape_sequences_in_source_lines_are_shown_escaped() {
        let text = "system \"\u{1b}[2J\u{1b}[H\u{9b}31m\u{202e}\" TARGET\u{1b}]0;title\u{7}\n";
        let rendered = render_target("evil\u{1b}[1m.ward", text);
        assert!(
            !rendered.chars().any(is_unshowable),
            "an unshowable character reached the terminal:\n{rendered:?}"
        );
        assert!(
            rendered.contains(r"\u{1b}[2J\u{1b}[H\u{9b}31m\u{202e}"),
            "{rendered}"
        );
        assert!(rendered.contains(r"evil\u{1b}[1m.ward"), "{rendered}");
        let (target, carets) = target_and_carets(&rendered);
        assert_eq!(target, carets, "the carets are under the span:\n{rendered}");
    }

    #[test]
    fn a_lone_carriage_return_ends_a_shown_line() {
        let rendered = render_target("f.ward", "a\rb\r\nTARGET\n");
        assert!(rendered.contains("f.ward:3:1"), "{rendered}");
        assert!(!rendered.contains('\r'), "{rendered:?}");
        let (target, carets) = target_and_carets(&rendered);
        assert_eq!(target, carets, "{rendered}");
    }

    proptest! {
        #[test]
        fn no_source_text_reaches_the_terminal_raw(
            before in "(\\PC|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200b}\u{feff}]){0,40}",
            after in "(\\PC|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200b}\u{feff}]){0,40}",
        ) {
            let text = format!("{before} TARGET {after}");
            let rendered = render_target("f.ward", &text);
            prop_assert!(
                !rendered.chars().any(|c| is_unshowable(c) || is_bidi_control(c) || c == '\r'),
                "{:?}", rendered
            );
        }
    }
}
