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

use super::{Matrix, Row};

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
    line(&mut out, COLUMNS.iter().map(|c| (*c).to_string()));
    for row in &m.rows {
        line(&mut out, fields(row));
    }
    out
}

fn fields(row: &Row) -> [String; 27] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let number = |v: Option<usize>| v.map(|n| n.to_string()).unwrap_or_default();
    [
        row.criterion_id.clone(),
        row.criterion_series.clone(),
        row.criterion_description.clone(),
        text(&row.control_id),
        text(&row.control_statement),
        row.artifact_kind.clone(),
        number(row.flow_index),
        text(&row.flow),
        text(&row.source),
        text(&row.destination),
        row.ports.clone(),
        row.protocols.clone(),
        text(&row.justification),
        row.source_location.clone(),
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

fn line(out: &mut String, fields: impl IntoIterator<Item = String>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(&field));
    }
    out.push_str("\r\n");
}

/// One field, defused and quoted as RFC 4180 requires.
pub(super) fn quote(field: &str) -> String {
    let defused = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if defused.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
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
