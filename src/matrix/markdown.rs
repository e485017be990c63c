//! The matrix as Markdown (GitHub-flavoured tables), for a pull-request
//! comment or a wiki page.
//!
//! Owns the Markdown layout: text the team wrote (system name,
//! justifications, control statements, file names) goes through
//! [`escape`] or [`code`] so that it can neither break a table nor inject
//! markup. Must not decide what the matrix says (that is
//! [`build`](super::build())).

use super::spill::{self, Spill};
use super::text::{
    self, DEFAULT_DENY, NONE, REVERSE_INDEX_COLUMNS, SOURCES_COLUMNS, TRACE_COLUMNS,
    UNCITED_COLUMNS, WARNINGS_ONLY_COLUMNS, or_none,
};
use super::{CriterionEntry, Matrix};
use crate::markup::Markdown;
use crate::markup::markdown::{code, escape, table_head, table_row};
use std::fmt::Write as _;

/// The matrix as a Markdown document.
pub fn markdown(m: &Matrix) -> String {
    spill::held(|out| render(out, m))
}

/// [`markdown`], written to `out` a block at a time.
pub fn write_markdown(m: &Matrix, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    spill::written(out, |spill| render(spill, m))
}

fn render(out: &mut Spill<'_>, m: &Matrix) {
    header(out, m);
    criteria(out, m);
    reverse_index(out, m);
    coverage(out, m);
    sources(out, m);
}

fn header(out: &mut Spill<'_>, m: &Matrix) {
    let h = &m.header;
    match &h.system {
        Some(system) => {
            let _ = writeln!(out, "# Traceability matrix: {}\n", escape(system));
        }
        None => out.push_str("# Traceability matrix\n\n"),
    }
    table_head(out, &["", ""]);
    if let Some(system) = &h.system {
        table_row(out, &[&"System", &escape(system)]);
    }
    let catalog = format!("{}, {}", escape(&h.catalog), escape(&h.catalog_version));
    table_row(out, &[&"Catalog", &catalog]);
    let files = h.sources.len();
    let sources = format!(
        "{files} {}, {}",
        text::plural(files, "file", "files"),
        code(&h.sources_digest)
    );
    table_row(out, &[&"Sources", &sources]);
    let git = h.git.as_ref().map_or_else(
        || "not recorded".to_string(),
        |g| format!("{}{}", code(&g.commit), text::dirty(g)),
    );
    table_row(out, &[&"Git commit", &git]);
    table_row(out, &[&"Ward", &escape(&h.ward_version)]);
    if let Some(at) = &h.generated_at {
        table_row(out, &[&"Generated", &escape(at)]);
    }
    let _ = writeln!(out, "\n{}\n", text::summary(m));
}

fn criteria(out: &mut Spill<'_>, m: &Matrix) {
    out.push_str("## Criteria\n\n");
    if m.criteria.is_empty() {
        out.push_str("Nothing cites a criterion.\n\n");
        return;
    }
    table_head(
        out,
        &[
            "Criterion",
            "Series",
            "Team controls",
            "Default deny",
            "Flows",
            "Flow rules",
        ],
    );
    for c in &m.criteria {
        let controls: Vec<String> = c.controls.iter().map(|k| escape(&k.id)).collect();
        let default_deny = c.baseline.as_ref().map_or_else(
            || NONE.to_string(),
            |b| {
                format!(
                    "{} {}",
                    b.objects.len(),
                    text::plural(b.objects.len(), "namespace", "namespaces")
                )
            },
        );
        let series = format!("{} {}", c.series, escape(&c.series_title));
        table_row(
            out,
            &[
                &c.id,
                &series,
                &or_none(&controls.join(", ")),
                &default_deny,
                &c.flows.len(),
                &rules_of(m, c),
            ],
        );
    }
    out.push('\n');
    for c in &m.criteria {
        criterion(out, m, c);
    }
}

/// The number of rules implementing the flows that cite `c`.
fn rules_of(m: &Matrix, c: &CriterionEntry) -> usize {
    text::cited_flows(m, c)
        .map(|(_, flow)| flow.rules.len())
        .sum()
}

fn criterion(out: &mut Spill<'_>, m: &Matrix, c: &CriterionEntry) {
    let _ = writeln!(out, "### {}: {}\n", c.id, escape(&c.series_title));
    let relevant = if c.network_relevant {
        " *Network-relevant.*"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{} ({}){relevant}\n",
        escape(&c.description),
        escape(&c.category)
    );
    if !c.controls.is_empty() {
        let controls: Vec<String> = c
            .controls
            .iter()
            .map(|k| {
                format!(
                    "**{}** {} ({})",
                    escape(&k.id),
                    escape(&k.statement),
                    code(&k.location)
                )
            })
            .collect();
        let _ = writeln!(out, "Team controls: {}.\n", controls.join("; "));
    }
    table_head(out, TRACE_COLUMNS);
    if let Some(b) = &c.baseline {
        let objects = text::baseline_objects::<Markdown>(b).join(", ");
        text::default_deny_row::<Markdown>(out, b, &or_none(&objects));
    }
    for (citation, flow) in text::cited_flows(m, c) {
        let warnings = escape(&text::warnings(flow).join(", "));
        let rules = text::implementing_rules::<Markdown>(flow).join(", ");
        table_row(
            out,
            &[
                &code(&flow.text),
                &text::ports(flow),
                &escape(&text::via(&citation.via)),
                &text::justification::<Markdown>(flow),
                &code(&flow.location),
                &or_none(&warnings),
                &or_none(&rules),
            ],
        );
        out.spill();
    }
    out.push('\n');
}

fn reverse_index(out: &mut Spill<'_>, m: &Matrix) {
    out.push_str("## Reverse index\n\nEvery generated object, the rules in it and the criteria they serve.\n\n");
    table_head(out, REVERSE_INDEX_COLUMNS);
    for o in &m.objects {
        let rules = if o.kind == "default-deny" {
            DEFAULT_DENY.to_string()
        } else {
            let rules: Vec<String> = o
                .rules
                .iter()
                .map(|r| text::object_rule::<Markdown>(m, r))
                .collect();
            rules.join("; ")
        };
        let sha256 = o.sha256.as_deref().map_or_else(|| NONE.to_string(), code);
        table_row(
            out,
            &[
                &code(&text::object(&o.namespace, &o.name)),
                &o.kind,
                &or_none(&rules),
                &or_none(&o.criteria.join(", ")),
                &sha256,
            ],
        );
        out.spill();
    }
    out.push('\n');
}

fn coverage(out: &mut Spill<'_>, m: &Matrix) {
    out.push_str("## Coverage\n\n");
    let uncited = &m.coverage.uncited_network_relevant;
    if uncited.is_empty() {
        out.push_str("Every network-relevant criterion is cited.\n\n");
    } else {
        out.push_str("Network-relevant criteria that nothing cites:\n\n");
        table_head(out, UNCITED_COLUMNS);
        for c in uncited {
            table_row(out, &[&c.id, &escape(&c.description)]);
        }
        out.push('\n');
    }
    let weak = &m.coverage.warnings_only;
    if weak.is_empty() {
        out.push_str("No criterion is cited only by flows with warnings.\n\n");
    } else {
        out.push_str("Criteria cited only by flows with warnings:\n\n");
        table_head(out, WARNINGS_ONLY_COLUMNS);
        for w in weak {
            let flows = text::flows_with_warnings::<Markdown>(m, w).join(", ");
            table_row(out, &[&w.criterion, &flows]);
        }
        out.push('\n');
    }
}

fn sources(out: &mut Spill<'_>, m: &Matrix) {
    out.push_str("## Sources\n\n");
    table_head(out, SOURCES_COLUMNS);
    for s in &m.header.sources {
        table_row(out, &[&code(&s.name), &s.bytes, &code(&s.sha256)]);
    }
}
