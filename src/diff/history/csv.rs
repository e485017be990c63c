//! The change population as CSV: one row per commit, for a spreadsheet or a
//! GRC tool's sample selection.
//!
//! Owns the column names (stable: tools map them once): a header row, then a
//! row per commit as `crate::csv` quotes them, as the matrix's CSV is (RFC
//! 4180, CRLF line ends, formulas defused). Lists
//! inside a field are separated by `; `: `changes` lists the items added,
//! removed or changed, `newly_allowed_pairs` the sources and destinations
//! with connections newly allowed (newly blocked ones are only counted).
//! Must not decide what changed.

use super::{Diff, Entry, History, Line, change_lines, pair_lines};

/// The column names, in order.
pub const COLUMNS: [&str; 27] = [
    "commit",
    "parents",
    "base",
    "author",
    "email",
    "author_date",
    "commit_date",
    "subject",
    "body",
    "status",
    "widened",
    "narrowed",
    "flows_added",
    "flows_removed",
    "flows_changed",
    "namespaces",
    "services",
    "externals",
    "invariants_added",
    "invariants_removed",
    "controls",
    "criteria_touched",
    "newly_allowed",
    "newly_blocked",
    "changes",
    "newly_allowed_pairs",
    "problems",
];

/// The history as CSV, with a header row.
pub fn csv(h: &History) -> String {
    let mut out = String::new();
    crate::csv::record(&mut out, COLUMNS);
    for entry in &h.commits {
        crate::csv::record(&mut out, fields(entry));
    }
    out
}

fn fields(entry: &Entry) -> [String; 27] {
    let summary = entry.diff.as_ref().map(|d| &d.summary);
    let number = |f: fn(&super::super::Summary) -> usize| {
        summary.map(|s| f(s).to_string()).unwrap_or_default()
    };
    let flag = |f: fn(&super::super::Summary) -> bool| {
        summary.map(|s| f(s).to_string()).unwrap_or_default()
    };
    let problems: Vec<String> = entry
        .problems
        .iter()
        .map(|p| format!("{} {}: {}", p.code, p.location, p.message))
        .collect();
    [
        entry.commit.clone(),
        entry.parents.join(" "),
        entry.base.clone().unwrap_or_default(),
        entry.author.clone(),
        entry.email.clone(),
        entry.author_date.clone(),
        entry.commit_date.clone(),
        entry.subject.clone(),
        entry.body.clone(),
        entry.status.to_string(),
        flag(|s| s.widened),
        flag(|s| s.narrowed),
        number(|s| s.flows_added),
        number(|s| s.flows_removed),
        number(|s| s.flows_changed),
        number(|s| s.namespaces),
        number(|s| s.services),
        number(|s| s.externals),
        number(|s| s.invariants_added),
        number(|s| s.invariants_removed),
        number(|s| s.controls),
        summary
            .map(|s| s.criteria_touched.join("; "))
            .unwrap_or_default(),
        number(|s| s.newly_allowed),
        number(|s| s.newly_blocked),
        joined(entry, change_lines),
        joined(entry, |d| {
            let mut lines = pair_lines(d);
            lines.retain(|l| l.what == "newly allowed");
            lines
        }),
        problems.join("; "),
    ]
}

/// An entry's lines of one kind, `; `-separated.
fn joined(entry: &Entry, lines: fn(&Diff) -> Vec<Line>) -> String {
    entry
        .diff
        .as_ref()
        .map(|d| {
            lines(d)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}
