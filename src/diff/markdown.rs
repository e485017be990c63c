//! A diff as Markdown (GitHub-flavoured), fit for a pull-request comment:
//! the verdict, the connections newly allowed and blocked, then the
//! program's changes as tables, criteria coverage last.
//!
//! Owns the Markdown layout: text the team wrote (names, justifications,
//! statements) goes through [`escape`] or [`code`], so that it can neither
//! break a table nor inject markup. Must not decide what changed.

use super::region::Region;
use super::words::{self, Facts};
use super::{Change, Diff};
use crate::markup::markdown::{code, escape, table_head, table_row};
use std::fmt::Write as _;

/// How many regions a list of connections shows.
const SHOWN_REGIONS: usize = 50;

/// The diff as a Markdown document.
pub fn markdown(d: &Diff) -> String {
    let mut out = String::from("## Ward: network boundary change\n\n");
    let _ = writeln!(out, "{} → {}\n", code(&d.old), code(&d.new));
    let _ = writeln!(
        out,
        "**{}**\n",
        escape(&words::capitalized(&words::verdict(&d.summary)))
    );
    if d.summary.changed {
        let touched = if d.summary.criteria_touched.is_empty() {
            "none".to_string()
        } else {
            d.summary.criteria_touched.join(", ")
        };
        let _ = writeln!(
            out,
            "Flows: {}. Criteria touched: {}.\n",
            words::flow_counts(&d.summary),
            escape(&touched)
        );
    }
    regions(
        &mut out,
        "Newly allowed connections",
        &d.reachability.newly_allowed,
    );
    regions(
        &mut out,
        "Newly blocked connections",
        &d.reachability.newly_blocked,
    );
    table(&mut out, "Flows", &d.flows);
    table(&mut out, "Namespaces", &d.namespaces);
    table(&mut out, "Services", &d.services);
    table(&mut out, "Externals", &d.externals);
    table(&mut out, "Invariants (`deny`)", &d.invariants);
    table(&mut out, "Controls", &d.controls);
    for (name, edit) in [("System", &d.system), ("Baseline controls", &d.baseline)] {
        if let Some(edit) = edit {
            let _ = writeln!(
                out,
                "**{name}**: {} → {}\n",
                escape(&edit.old),
                escape(&edit.new)
            );
        }
    }
    if !d.criteria.is_empty() {
        out.push_str("### Criteria coverage\n\n");
        table_head(
            &mut out,
            &["Criterion", "Before", "After", "Gained", "Lost"],
        );
        for c in &d.criteria {
            table_row(
                &mut out,
                &[
                    &escape(&c.criterion),
                    &c.before,
                    &c.after,
                    &cell_list(&c.gained),
                    &cell_list(&c.lost),
                ],
            );
        }
        out.push('\n');
    }
    out
}

fn regions(out: &mut String, title: &str, regions: &[Region]) {
    if regions.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title}\n");
    for region in regions.iter().take(SHOWN_REGIONS) {
        let _ = writeln!(out, "- {}", region.words(&|name| code(name)));
    }
    if regions.len() > SHOWN_REGIONS {
        let _ = writeln!(
            out,
            "- …and {} more (`ward diff --format json` lists them all)",
            regions.len() - SHOWN_REGIONS
        );
    }
    out.push('\n');
}

fn table<T: Facts>(out: &mut String, title: &str, changes: &[Change<T>]) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title}\n");
    table_head(out, &["", "Name", "What changed", "Source"]);
    for change in changes {
        let details: Vec<String> = words::details(change, "→")
            .iter()
            .map(|line| escape(line))
            .collect();
        let location = words::location(change);
        let location = match location.strip_prefix("was ") {
            Some(old) => format!("was {}", code(old)),
            None => code(&location),
        };
        let details = if details.is_empty() {
            "—".to_string()
        } else {
            details.join("<br>")
        };
        table_row(
            out,
            &[
                &change.status.as_str(),
                &code(&change.name),
                &details,
                &location,
            ],
        );
    }
    out.push('\n');
}

fn cell_list(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_string()
    } else {
        items.iter().map(|i| code(i)).collect::<Vec<_>>().join(", ")
    }
}
