//! The matrix as CSV: one row per (criterion, control, artifact, object
//! rule), for a spreadsheet or a GRC tool.
//!
//! Owns the column names (stable: tools map them once): a header row, then
//! the rows as `crate::csv` quotes them (RFC 4180, CRLF line ends, formulas
//! defused; only free text written by the team can start like one). No
//! byte-order mark. Must not know how rows are chosen (that is
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
    let _ = records(m, |record| {
        out.push_str(record);
        Ok(())
    });
    out
}

/// [`csv`], written to `out` a row at a time: a large matrix's CSV (about
/// 34 MB at 5,000 services) is never held whole. Fails when `out` does.
pub fn write_csv(m: &Matrix, mut out: impl std::io::Write) -> std::io::Result<()> {
    records(m, |record| out.write_all(record.as_bytes()))
}

/// Gives `emit` the header row, then each row, as CSV records.
fn records(m: &Matrix, mut emit: impl FnMut(&str) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut record = String::new();
    crate::csv::record(&mut record, COLUMNS);
    emit(&record)?;
    for row in &m.rows {
        record.clear();
        crate::csv::record(&mut record, fields(row));
        emit(&record)?;
    }
    Ok(())
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
