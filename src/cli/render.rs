//! Rendering diagnostics: for people (codespan-reporting), as JSON, and as
//! SARIF 2.1.0 for code-scanning UIs. Pure functions of the diagnostics and
//! the sources.

use crate::diagnostic::{Code, Diagnostic, Label, Severity};
use crate::source::{Sources, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;
use serde::Serialize;
use serde_json::json;

/// The sources in the shape codespan-reporting reads.
pub fn files(sources: &Sources) -> SimpleFiles<String, String> {
    let mut files = SimpleFiles::new();
    for (_, file) in sources.iter() {
        files.add(file.name.clone(), file.text.clone());
    }
    files
}

/// A diagnostic in codespan-reporting's terms.
pub fn to_codespan(diagnostic: &Diagnostic) -> cs::Diagnostic<usize> {
    let severity = match diagnostic.severity() {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let label = |style, label: &Label| {
        cs::Label::new(style, label.span.file.0, label.span.start..label.span.end)
            .with_message(label.message.clone())
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
        .map(|n| format!("note: {n}"))
        .collect();
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {help}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(diagnostic.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// The one-line summary printed after the diagnostics.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
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
    let files = files(sources);
    let config = term::Config::default();
    let mut out = String::new();
    for diagnostic in diagnostics {
        if let Err(error) =
            term::emit_to_string(&mut out, &config, &files, &to_codespan(diagnostic))
        {
            out.push_str(&format!(
                "{}[{}]: {} (could not show the source: {error})\n",
                diagnostic.severity().as_str(),
                diagnostic.code.as_str(),
                diagnostic.message
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
    let document = json!({
        "diagnostics": items,
        "errors": errors,
        "warnings": diagnostics.len() - errors,
    });
    pretty(&document)
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
pub fn sarif(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
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
