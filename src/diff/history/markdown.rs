//! The change population as Markdown: the period, a table with one row per
//! commit, then each commit's changes.
//!
//! Owns the layout; must not decide what changed. Text a commit carries
//! (author, email, subject, body) is shown, not obeyed: Markdown syntax is
//! escaped, and control characters (a terminal's escape sequences, the
//! separators of other tools) and bidirectional overrides are shown as
//! visible symbols; the JSON and CSV keep the text exactly.

use super::super::words;
use super::{Entry, History, change_lines, region_lines, short};
use crate::markup::markdown::{code, escape, table_head, table_row};
use std::fmt::Write as _;

/// How many regions of connections that changed a commit's section lists.
const SHOWN_REGIONS: usize = 20;

/// The history as a Markdown document.
pub fn markdown(h: &History) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Change history: {}\n", code(&h.path));
    let period = match (&h.since, &h.until) {
        (None, None) => "all history".to_string(),
        (Some(since), None) => format!("since {}", escape(since)),
        (None, Some(until)) => format!("until {}", escape(until)),
        (Some(since), Some(until)) => format!("{} to {}", escape(since), escape(until)),
    };
    let count = |status: &str| h.commits.iter().filter(|e| e.status == status).count();
    let widened = h
        .commits
        .iter()
        .filter(|e| e.diff.as_ref().is_some_and(|d| d.summary.widened))
        .count();
    let _ = writeln!(
        out,
        "Period: {period}. {} commits: {} changed the boundary's meaning ({widened} widened access), {} changed no meaning, {} did not compile.\n",
        h.commits.len(),
        count("changed"),
        count("unchanged"),
        count("broken"),
    );
    if h.commits.is_empty() {
        return out;
    }
    table_head(
        &mut out,
        &[
            "Commit",
            "Date",
            "Author",
            "Message",
            "Flows +/−/~",
            "Criteria touched",
            "Access",
        ],
    );
    for entry in &h.commits {
        row(&mut out, entry);
    }
    for entry in &h.commits {
        details(&mut out, entry);
    }
    out
}

fn row(out: &mut String, entry: &Entry) {
    let (flows, criteria, access) = match &entry.diff {
        Some(d) => {
            let s = &d.summary;
            (
                format!("{}/{}/{}", s.flows_added, s.flows_removed, s.flows_changed),
                if s.criteria_touched.is_empty() {
                    "—".to_string()
                } else {
                    escape(&s.criteria_touched.join(", "))
                },
                escape(&words::verdict(s)),
            )
        }
        None => (
            "—".to_string(),
            "—".to_string(),
            match entry.problems.len() {
                1 => "does not compile (1 error)".to_string(),
                n => format!("does not compile ({n} errors)"),
            },
        ),
    };
    table_row(
        out,
        &[
            &code(short(&entry.commit)),
            &escape(&entry.commit_date),
            &escape(&entry.author),
            &escape(&entry.subject),
            &flows,
            &criteria,
            &access,
        ],
    );
}

fn details(out: &mut String, entry: &Entry) {
    let _ = writeln!(
        out,
        "\n## {} {}\n",
        code(short(&entry.commit)),
        escape(&entry.subject)
    );
    let _ = write!(
        out,
        "{} \\<{}\\>, written {}, committed {}.",
        escape(&entry.author),
        escape(&entry.email),
        escape(&entry.author_date),
        escape(&entry.commit_date)
    );
    match (&entry.base, entry.parents.first()) {
        (Some(base), Some(parent)) if base != parent => {
            let _ = write!(
                out,
                " Compared with {}: the parent's program does not compile.",
                code(short(base))
            );
        }
        (None, _) if entry.diff.is_some() => {
            out.push_str(" Compared with no program: everything is added.");
        }
        _ => {}
    }
    out.push_str("\n\n");
    if !entry.body.is_empty() {
        for line in entry.body.lines() {
            if line.is_empty() {
                out.push_str(">\n");
            } else {
                let _ = writeln!(out, "> {}", escape(line));
            }
        }
        out.push('\n');
    }
    match &entry.diff {
        Some(d) => {
            let _ = writeln!(
                out,
                "{}.",
                escape(&words::capitalized(&words::verdict(&d.summary)))
            );
            if d.summary.changed {
                out.push('\n');
            }
            for line in change_lines(d) {
                let _ = writeln!(
                    out,
                    "- {} {}{}",
                    line.what,
                    code(&line.name),
                    escape(&line.detail)
                );
            }
            let regions = region_lines(d);
            for (what, region) in regions.iter().take(SHOWN_REGIONS) {
                let _ = writeln!(out, "- {what} {}", region.words(&|name| code(name)));
            }
            if regions.len() > SHOWN_REGIONS {
                let _ = writeln!(
                    out,
                    "- and {} more regions whose connections changed (`ward history --format json` lists them all)",
                    regions.len() - SHOWN_REGIONS
                );
            }
        }
        None => {
            out.push_str("The program does not compile:\n\n");
            for p in &entry.problems {
                let _ = writeln!(
                    out,
                    "- {}[{}] {}: {}",
                    p.severity,
                    p.code,
                    code(&p.location),
                    escape(&p.message)
                );
            }
        }
    }
}
