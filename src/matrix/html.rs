//! The matrix as one self-contained HTML page an auditor can read, search
//! with the browser and print.
//!
//! Owns the page: inline CSS only (with `@media print` rules), no scripts,
//! no external resources; a table of contents linking to an anchor per
//! criterion ([`criterion_anchor`]); every table with a header row
//! ([`table_start`]). All text is escaped ([`escape`], [`code`]). Must not
//! decide what the matrix says (that is [`build`](super::build())).

use super::spill::{self, Spill};
use super::text::{
    self, DEFAULT_DENY, NONE, REVERSE_INDEX_COLUMNS, SOURCES_COLUMNS, TRACE_COLUMNS,
    UNCITED_COLUMNS, WARNINGS_ONLY_COLUMNS, or_none,
};
use super::{CriterionEntry, Matrix};
use crate::markup::Html;
use crate::markup::html::{code, escape, table_end, table_row, table_start};
use std::fmt::Write as _;

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff; max-width: 90rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .5rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #d0d0d0; margin-top: 2.5rem; padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin-top: 2rem; }
h3 .series { font-weight: normal; color: #555; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
table.facts { width: auto; }
th, td { border: 1px solid #c8c8c8; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #eef1f4; }
tbody th { background: #f7f7f7; font-weight: 600; white-space: nowrap; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
td ul { margin: 0; padding-left: 1.1rem; }
nav ol ol { columns: 2; }
.note { color: #555; }
.warning { color: #8a4b00; font-weight: 600; }
a { color: #0b57a4; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9pt; }
  nav#contents { break-after: page; }
  h2, h3 { break-after: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  thead th, tbody th { background: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The anchor of a criterion's section: `criterion-CC6.1`. Criterion ids
/// are letters, digits and dots, all valid in an HTML id and a URL fragment;
/// anything else is replaced by `-`.
pub fn criterion_anchor(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("criterion-{safe}")
}

/// The matrix as an HTML document.
pub fn html(m: &Matrix) -> String {
    spill::held(|out| render(out, m))
}

/// [`html`], written to `out` a block at a time.
pub fn write_html(m: &Matrix, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    spill::written(out, |spill| render(spill, m))
}

fn render(out: &mut Spill<'_>, m: &Matrix) {
    let title = match &m.header.system {
        Some(system) => format!("Traceability matrix: {}", escape(system)),
        None => "Traceability matrix".to_string(),
    };
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<meta name=\"generator\" content=\"Ward {}\">",
        escape(&m.header.ward_version)
    );
    let _ = writeln!(
        out,
        "<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>"
    );
    let _ = writeln!(out, "<header>\n<h1>{title}</h1>");
    facts(out, m);
    let _ = writeln!(out, "<p>{}</p>\n</header>", escape(&text::summary(m)));
    contents(out, m);
    out.push_str("<main>\n");
    criteria(out, m);
    reverse_index(out, m);
    coverage(out, m);
    sources(out, m);
    out.push_str("</main>\n</body>\n</html>\n");
}

fn facts(out: &mut Spill<'_>, m: &Matrix) {
    let h = &m.header;
    table_start(out, Some("facts"), &["Property", "Value"]);
    let mut row = |name: &str, value: String| {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{name}</th><td>{value}</td></tr>"
        );
    };
    if let Some(system) = &h.system {
        row("System", escape(system));
    }
    row(
        "Catalog",
        format!("{}, {}", escape(&h.catalog), escape(&h.catalog_version)),
    );
    let files = h.sources.len();
    row(
        "Sources",
        format!(
            "{files} {}, {}",
            text::plural(files, "file", "files"),
            code(&h.sources_digest)
        ),
    );
    row(
        "Git commit",
        h.git.as_ref().map_or_else(
            || "not recorded".to_string(),
            |g| format!("{}{}", code(&g.commit), text::dirty(g)),
        ),
    );
    row("Ward", escape(&h.ward_version));
    if let Some(at) = &h.generated_at {
        row("Generated", escape(at));
    }
    table_end(out);
}

fn contents(out: &mut Spill<'_>, m: &Matrix) {
    out.push_str("<nav id=\"contents\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n");
    out.push_str("<li><a href=\"#criteria\">Criteria</a>\n<ol>\n");
    for c in &m.criteria {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a> {}</li>",
            criterion_anchor(&c.id),
            escape(&c.id),
            escape(&c.series_title)
        );
    }
    out.push_str("</ol>\n</li>\n");
    out.push_str("<li><a href=\"#reverse-index\">Reverse index</a></li>\n");
    out.push_str("<li><a href=\"#coverage\">Coverage</a></li>\n");
    out.push_str("<li><a href=\"#sources\">Sources</a></li>\n</ol>\n</nav>\n");
}

fn criteria(out: &mut Spill<'_>, m: &Matrix) {
    out.push_str("<section id=\"criteria\">\n<h2>Criteria</h2>\n");
    if m.criteria.is_empty() {
        out.push_str("<p>Nothing cites a criterion.</p>\n");
    }
    for c in &m.criteria {
        criterion(out, m, c);
    }
    out.push_str("</section>\n");
}

fn criterion(out: &mut Spill<'_>, m: &Matrix, c: &CriterionEntry) {
    let _ = writeln!(
        out,
        "<section class=\"criterion\" id=\"{}\">\n<h3>{} <span class=\"series\">{} · {} · {}</span></h3>",
        criterion_anchor(&c.id),
        escape(&c.id),
        escape(&c.series),
        escape(&c.series_title),
        escape(&c.category),
    );
    let relevant = if c.network_relevant {
        " <span class=\"note\">(network-relevant)</span>"
    } else {
        ""
    };
    let _ = writeln!(out, "<p>{}{relevant}</p>", escape(&c.description));
    if !c.controls.is_empty() {
        out.push_str("<p>Team controls:</p>\n<ul>\n");
        for k in &c.controls {
            let _ = writeln!(
                out,
                "<li><strong>{}</strong> {} ({})</li>",
                escape(&k.id),
                escape(&k.statement),
                code(&k.location)
            );
        }
        out.push_str("</ul>\n");
    }
    table_start(out, Some("trace"), TRACE_COLUMNS);
    if let Some(b) = &c.baseline {
        let objects = text::baseline_objects::<Html>(b);
        text::default_deny_row::<Html>(out, b, &list(&objects));
    }
    for (citation, flow) in text::cited_flows(m, c) {
        let warnings: Vec<String> = flow
            .warnings
            .iter()
            .map(|w| {
                format!(
                    "<span class=\"warning\">{}</span> {}: {}",
                    escape(&w.code),
                    escape(&w.title),
                    escape(&w.message)
                )
            })
            .collect();
        let rules = text::implementing_rules::<Html>(flow);
        table_row(
            out,
            &[
                &code(&flow.text),
                &escape(&text::ports(flow)),
                &escape(&text::via(&citation.via)),
                &text::justification::<Html>(flow),
                &code(&flow.location),
                &list(&warnings),
                &list(&rules),
            ],
        );
        out.spill();
    }
    table_end(out);
    out.push_str("</section>\n");
}

fn reverse_index(out: &mut Spill<'_>, m: &Matrix) {
    out.push_str("<section id=\"reverse-index\">\n<h2>Reverse index</h2>\n<p>Every generated object, the rules in it and the criteria they serve.</p>\n");
    table_start(out, None, REVERSE_INDEX_COLUMNS);
    for o in &m.objects {
        let rules: Vec<String> = if o.kind == "default-deny" {
            vec![DEFAULT_DENY.to_string()]
        } else {
            o.rules
                .iter()
                .map(|r| {
                    format!(
                        "{} ({})",
                        text::object_rule::<Html>(m, r),
                        escape(&r.criteria.join(", "))
                    )
                })
                .collect()
        };
        let criteria: Vec<String> = o.criteria.iter().map(|id| criterion_link(id)).collect();
        let sha256 = o.sha256.as_deref().map_or_else(|| NONE.to_string(), code);
        table_row(
            out,
            &[
                &code(&text::object(&o.namespace, &o.name)),
                &escape(&o.kind),
                &list(&rules),
                &or_none(&criteria.join(", ")),
                &sha256,
            ],
        );
        out.spill();
    }
    table_end(out);
    out.push_str("</section>\n");
}

fn coverage(out: &mut Spill<'_>, m: &Matrix) {
    out.push_str("<section id=\"coverage\">\n<h2>Coverage</h2>\n");
    let uncited = &m.coverage.uncited_network_relevant;
    if uncited.is_empty() {
        out.push_str("<p>Every network-relevant criterion is cited.</p>\n");
    } else {
        out.push_str("<p>Network-relevant criteria that nothing cites:</p>\n");
        table_start(out, Some("uncited"), UNCITED_COLUMNS);
        for c in uncited {
            table_row(out, &[&escape(&c.id), &escape(&c.description)]);
        }
        table_end(out);
    }
    let weak = &m.coverage.warnings_only;
    if weak.is_empty() {
        out.push_str("<p>No criterion is cited only by flows with warnings.</p>\n");
    } else {
        out.push_str("<p>Criteria cited only by flows with warnings:</p>\n");
        table_start(out, Some("warnings-only"), WARNINGS_ONLY_COLUMNS);
        for w in weak {
            let flows = text::flows_with_warnings::<Html>(m, w);
            table_row(out, &[&criterion_link(&w.criterion), &list(&flows)]);
        }
        table_end(out);
    }
    out.push_str("</section>\n");
}

fn sources(out: &mut Spill<'_>, m: &Matrix) {
    out.push_str("<section id=\"sources\">\n<h2>Sources</h2>\n");
    table_start(out, None, SOURCES_COLUMNS);
    for s in &m.header.sources {
        table_row(out, &[&code(&s.name), &s.bytes, &code(&s.sha256)]);
    }
    table_end(out);
    out.push_str("</section>\n");
}

/// A link to a criterion's section, named by its id.
fn criterion_link(id: &str) -> String {
    format!("<a href=\"#{}\">{}</a>", criterion_anchor(id), escape(id))
}

/// Items already escaped, as a list (or the one item, or [`NONE`]).
fn list(items: &[String]) -> String {
    match items {
        [] => NONE.to_string(),
        [one] => one.clone(),
        many => {
            let items: String = many.iter().map(|i| format!("<li>{i}</li>")).collect();
            format!("<ul>{items}</ul>")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::criterion_anchor;

    #[test]
    fn anchors_are_safe() {
        assert_eq!(criterion_anchor("CC6.1"), "criterion-CC6.1");
        assert_eq!(criterion_anchor("a b\"<"), "criterion-a-b--");
    }
}
