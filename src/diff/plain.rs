//! A diff as plain text, for a terminal: the verdict first, then each kind
//! of change with `+`, `-` and `~`, criteria coverage and the connections
//! whose verdict changed.
//!
//! Owns the text layout; must not decide what changed.

use super::region::Region;
use super::words::{self, Facts};
use super::{Change, Diff};
use std::fmt::Write as _;

/// The diff for a terminal.
pub fn text(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ward diff: {} -> {}", d.old, d.new);
    let _ = writeln!(out, "{}", words::verdict(&d.summary));
    if !d.flows.is_empty() {
        let _ = writeln!(out, "\nflows: {}", words::flow_counts(&d.summary));
        section(&mut out, &d.flows);
    }
    titled(&mut out, "namespaces", &d.namespaces);
    titled(&mut out, "services", &d.services);
    titled(&mut out, "externals", &d.externals);
    let invariants: Vec<Change<_>> = d
        .invariants
        .iter()
        .cloned()
        .map(|mut c| {
            c.name = format!("deny {}", c.name);
            c
        })
        .collect();
    titled(&mut out, "invariants", &invariants);
    titled(&mut out, "controls", &d.controls);
    for (name, edit) in [("system", &d.system), ("baseline controls", &d.baseline)] {
        if let Some(edit) = edit {
            let _ = writeln!(out, "\n{name}: {} -> {}", edit.old, edit.new);
        }
    }
    if !d.criteria.is_empty() {
        out.push_str("\ncriteria coverage (artifacts citing each)\n");
        for c in &d.criteria {
            let _ = writeln!(out, "  {} ({} -> {})", c.criterion, c.before, c.after);
            for gained in &c.gained {
                let _ = writeln!(out, "      + {gained}");
            }
            for lost in &c.lost {
                let _ = writeln!(out, "      - {lost}");
            }
        }
    }
    let r = &d.reachability;
    if r.newly_allowed.is_empty() && r.newly_blocked.is_empty() {
        out.push_str("\nreachability: no connection changes\n");
    } else {
        out.push_str("\nreachability\n");
        regions(&mut out, "newly allowed", "+", &r.newly_allowed);
        regions(&mut out, "newly blocked", "-", &r.newly_blocked);
    }
    out
}

fn titled<T: Facts>(out: &mut String, title: &str, changes: &[Change<T>]) {
    if !changes.is_empty() {
        let _ = writeln!(out, "\n{title}");
        section(out, changes);
    }
}

fn section<T: Facts>(out: &mut String, changes: &[Change<T>]) {
    for change in changes {
        let _ = writeln!(
            out,
            "  {} {} ({})",
            change.status.sign(),
            change.name,
            words::location(change)
        );
        for line in words::details(change, "->") {
            let _ = writeln!(out, "      {line}");
        }
    }
}

fn regions(out: &mut String, title: &str, sign: &str, regions: &[Region]) {
    if regions.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}:");
    for region in regions {
        let _ = writeln!(out, "    {sign} {}", region.words(&|name| name.to_string()));
    }
}
