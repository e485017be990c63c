//! A diff as Markdown (GitHub-flavoured), fit for a pull-request comment:
//! the verdict, the connections newly allowed and blocked, then the
//! program's changes as tables, criteria coverage last.
//!
//! Owns the Markdown layout and escaping: text the team wrote (names,
//! justifications, statements) can neither break a table nor inject markup.
//! Must not decide what changed.

use super::words::{self, Facts};
use super::{Change, Diff, PairChange};
use std::fmt::Write as _;

/// How many sources and destinations a table of connections shows.
const SHOWN_PAIRS: usize = 50;

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
    pairs(
        &mut out,
        "Newly allowed connections",
        &d.reachability.newly_allowed,
    );
    pairs(
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
        out.push_str("| Criterion | Before | After | Gained | Lost |\n|---|---|---|---|---|\n");
        for c in &d.criteria {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                escape(&c.criterion),
                c.before,
                c.after,
                cell_list(&c.gained),
                cell_list(&c.lost)
            );
        }
        out.push('\n');
    }
    let r = &d.reachability;
    let _ = writeln!(
        out,
        "<sub>Both programs simulated in one world of {} pods, {} addresses and {} probes: {} → {} of {} connections allowed.</sub>",
        r.world.pods,
        r.world.addresses,
        r.world.probes,
        r.allowed_before,
        r.allowed_after,
        r.connections
    );
    out
}

fn pairs(out: &mut String, title: &str, pairs: &[PairChange]) {
    if pairs.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title}\n");
    out.push_str("| From | To | Ports | Connections |\n|---|---|---|---|\n");
    for pair in pairs.iter().take(SHOWN_PAIRS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            escape(&pair.src),
            escape(&pair.dst),
            escape(&words::pair_ports(pair)),
            pair.connections
        );
    }
    if pairs.len() > SHOWN_PAIRS {
        let _ = writeln!(
            out,
            "\n…and {} more sources and destinations (`ward diff --format json` lists them all).",
            pairs.len() - SHOWN_PAIRS
        );
    }
    out.push('\n');
}

fn table<T: Facts>(out: &mut String, title: &str, changes: &[Change<T>]) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title}\n");
    out.push_str("| | Name | What changed | Source |\n|---|---|---|---|\n");
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
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            change.status.as_str(),
            code(&change.name),
            if details.is_empty() {
                "—".to_string()
            } else {
                details.join("<br>")
            },
            location
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

/// Text with Markdown's and HTML's special characters escaped, on one line.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '\r' | '\n' | '\t' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// A code span that holds `text` verbatim: the fence is one backtick longer
/// than the longest run inside; `|` is escaped, as tables need even there.
pub fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\r' | '\n' | '\t') {
                ' '
            } else {
                c
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_break_a_table() {
        assert_eq!(escape("a | b <x>"), "a \\| b \\<x\\>");
        assert_eq!(code("a`b|c"), "``a`b\\|c``");
    }
}
