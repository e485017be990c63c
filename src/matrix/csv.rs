//! The matrix as CSV: one row per (criterion, control, artifact, object
//! rule), for a spreadsheet or a GRC tool.
//!
//! Owns the column names (stable: tools map them once) and RFC 4180 quoting:
//! a header row, CRLF line ends, a field quoted when it holds a comma, a
//! double quote, CR or LF, with quotes doubled. No byte-order mark. A field
//! that would start with `=`, `+`, `-`, `@`, a tab or CR gets a leading `'`
//! so that a spreadsheet shows it as text rather than running it as a
//! formula (OWASP's advice against CSV injection); only free text written by
//! the team can start so. Must not know how rows are chosen (that is
//! [`build`](super::build())).

use super::{Matrix, Row, Text};
use std::borrow::Cow;

/// The column names, in order: the fields of [`Row`], which the JSON's
/// `rows` use too. The last four are evidence slots the team fills in.
pub const COLUMNS: [&str; 27] = [
    "criterion_id",
    "criterion_series",
    "criterion_description",
    "control_id",
    "control_statement",
    "artifact_kind",
    "flow_index",
    "flow",
    "source",
    "destination",
    "ports",
    "protocols",
    "justification",
    "source_location",
    "warnings",
    "namespace",
    "object",
    "object_file",
    "object_sha256",
    "direction",
    "rule_index",
    "yaml_path",
    "annotation",
    "owner",
    "test_result",
    "review",
    "exception",
];

/// The matrix's rows as CSV, with a header row.
pub fn csv(m: &Matrix) -> String {
    let mut out = String::new();
    line(&mut out, COLUMNS);
    for row in &m.rows {
        line(&mut out, fields(row));
    }
    out
}

fn fields(row: &Row) -> [Cow<'_, str>; 27] {
    let number = |v: Option<usize>| v.map_or(Cow::Borrowed(""), |n| Cow::Owned(n.to_string()));
    [
        Cow::Borrowed(&row.criterion_id),
        Cow::Borrowed(&row.criterion_series),
        Cow::Borrowed(&row.criterion_description),
        text(&row.control_id),
        text(&row.control_statement),
        Cow::Borrowed(&row.artifact_kind),
        number(row.flow_index),
        text(&row.flow),
        text(&row.source),
        text(&row.destination),
        Cow::Borrowed(&row.ports),
        Cow::Borrowed(&row.protocols),
        text(&row.justification),
        Cow::Borrowed(&row.source_location),
        text(&row.warnings),
        text(&row.namespace),
        text(&row.object),
        text(&row.object_file),
        text(&row.object_sha256),
        text(&row.direction),
        number(row.rule_index),
        text(&row.yaml_path),
        text(&row.annotation),
        text(&row.owner),
        text(&row.test_result),
        text(&row.review),
        text(&row.exception),
    ]
}

fn text(cell: &Option<Text>) -> Cow<'_, str> {
    Cow::Borrowed(cell.as_deref().unwrap_or_default())
}

fn line<S: AsRef<str>>(out: &mut String, fields: impl IntoIterator<Item = S>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_quoted(out, field.as_ref());
    }
    out.push_str("\r\n");
}

/// One field, defused and quoted as RFC 4180 requires.
#[cfg(test)]
fn quote(field: &str) -> String {
    let mut out = String::with_capacity(field.len() + 2);
    push_quoted(&mut out, field);
    out
}

/// [`quote`], written at the end of `out`: a field that starts like a
/// formula gets a `'` in front, and one with a comma, quote or line break is
/// put in quotes with its quotes doubled.
fn push_quoted(out: &mut String, field: &str) {
    let defuse = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        if defuse {
            out.push('\'');
        }
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        if defuse {
            out.push('\'');
        }
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_only_what_rfc_4180_requires() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote(""), "");
        assert_eq!(quote("a, b"), "\"a, b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(quote("cr\rlf"), "\"cr\rlf\"");
    }

    #[test]
    fn defuses_formulas() {
        assert_eq!(quote("=1+1"), "'=1+1");
        assert_eq!(quote("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(quote("-2, or so"), "\"'-2, or so\"");
        assert_eq!(quote("a=b"), "a=b");
    }
}
