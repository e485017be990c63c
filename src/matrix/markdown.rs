//! The matrix as Markdown (GitHub-flavoured tables), for a pull-request
//! comment or a wiki page.
//!
//! Owns the Markdown layout and escaping: text the team wrote (system name,
//! justifications, control statements, file names) is escaped so that it
//! can neither break a table nor inject markup. Must not decide what the
//! matrix says (that is [`build`](super::build())).

use super::text::{self, DEFAULT_DENY, DEFAULT_DENY_PORTS, DEFAULT_DENY_PURPOSE, NONE, or_none};
use super::{CriterionEntry, Matrix};
use std::fmt::Write as _;

/// The matrix as a Markdown document.
pub fn markdown(m: &Matrix) -> String {
    let mut out = String::new();
    header(&mut out, m);
    criteria(&mut out, m);
    reverse_index(&mut out, m);
    coverage(&mut out, m);
    sources(&mut out, m);
    out
}

fn header(out: &mut String, m: &Matrix) {
    let h = &m.header;
    match &h.system {
        Some(system) => {
            let _ = writeln!(out, "# Traceability matrix: {}\n", escape(system));
        }
        None => out.push_str("# Traceability matrix\n\n"),
    }
    out.push_str("| | |\n|---|---|\n");
    if let Some(system) = &h.system {
        let _ = writeln!(out, "| System | {} |", escape(system));
    }
    let _ = writeln!(
        out,
        "| Catalog | {}, {} |",
        escape(&h.catalog),
        escape(&h.catalog_version)
    );
    let files = h.sources.len();
    let _ = writeln!(
        out,
        "| Sources | {files} {}, {} |",
        text::plural(files, "file", "files"),
        code(&h.sources_digest)
    );
    let git = h.git.as_ref().map_or_else(
        || "not recorded".to_string(),
        |g| format!("{}{}", code(&g.commit), text::dirty(g)),
    );
    let _ = writeln!(out, "| Git commit | {git} |");
    let _ = writeln!(out, "| Ward | {} |", escape(&h.ward_version));
    if let Some(at) = &h.generated_at {
        let _ = writeln!(out, "| Generated | {} |", escape(at));
    }
    let _ = writeln!(out, "\n{}\n", text::summary(m));
}

fn criteria(out: &mut String, m: &Matrix) {
    out.push_str("## Criteria\n\n");
    if m.criteria.is_empty() {
        out.push_str("Nothing cites a criterion.\n\n");
        return;
    }
    out.push_str("| Criterion | Series | Team controls | Default deny | Flows | Flow rules |\n|---|---|---|---|---|---|\n");
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
        let _ = writeln!(
            out,
            "| {} | {} {} | {} | {} | {} | {} |",
            c.id,
            c.series,
            escape(&c.series_title),
            or_none(&controls.join(", ")),
            default_deny,
            c.flows.len(),
            rules_of(m, c),
        );
    }
    out.push('\n');
    for c in &m.criteria {
        criterion(out, m, c);
    }
}

/// The number of rules implementing the flows that cite `c`.
fn rules_of(m: &Matrix, c: &CriterionEntry) -> usize {
    c.flows
        .iter()
        .filter_map(|f| m.flows.get(f.flow))
        .map(|f| f.rules.len())
        .sum()
}

fn criterion(out: &mut String, m: &Matrix, c: &CriterionEntry) {
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
    out.push_str(
        "| Artifact | Ports | Cited | Justification | Source | Warnings | Implemented by |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    if let Some(b) = &c.baseline {
        let objects: Vec<String> = b
            .objects
            .iter()
            .map(|o| code(&text::object(&o.namespace, &o.name)))
            .collect();
        let _ = writeln!(
            out,
            "| {DEFAULT_DENY} | {DEFAULT_DENY_PORTS} | {} | {DEFAULT_DENY_PURPOSE} | {} | {NONE} | {} |",
            escape(&text::via(&b.via)),
            code(&b.location),
            or_none(&objects.join(", ")),
        );
    }
    for citation in &c.flows {
        let Some(flow) = m.flows.get(citation.flow) else {
            continue;
        };
        let rules: Vec<String> = flow
            .rules
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    code(&text::object(&r.namespace, &r.policy)),
                    text::position(r)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            code(&flow.text),
            text::ports(flow),
            escape(&text::via(&citation.via)),
            flow.justification
                .as_deref()
                .map_or_else(|| NONE.to_string(), escape),
            code(&flow.location),
            or_none(&escape(&text::warnings(flow).join(", "))),
            or_none(&rules.join(", ")),
        );
    }
    out.push('\n');
}

fn reverse_index(out: &mut String, m: &Matrix) {
    out.push_str("## Reverse index\n\nEvery generated object, the rules in it and the criteria they serve.\n\n");
    out.push_str("| Object | Kind | Rules | Criteria | SHA-256 |\n|---|---|---|---|---|\n");
    for o in &m.objects {
        let rules: Vec<String> = o
            .rules
            .iter()
            .map(|r| {
                let flow = m
                    .flows
                    .get(r.flow)
                    .map_or_else(String::new, |f| code(&f.text));
                format!("{} rule {}: {flow}", r.direction, r.index)
            })
            .collect();
        let rules = if o.kind == "default-deny" {
            DEFAULT_DENY.to_string()
        } else {
            rules.join("; ")
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            code(&text::object(&o.namespace, &o.name)),
            o.kind,
            or_none(&rules),
            or_none(&o.criteria.join(", ")),
            o.sha256.as_deref().map_or_else(|| NONE.to_string(), code),
        );
    }
    out.push('\n');
}

fn coverage(out: &mut String, m: &Matrix) {
    out.push_str("## Coverage\n\n");
    let uncited = &m.coverage.uncited_network_relevant;
    if uncited.is_empty() {
        out.push_str("Every network-relevant criterion is cited.\n\n");
    } else {
        out.push_str("Network-relevant criteria that nothing cites:\n\n| Criterion | Description |\n|---|---|\n");
        for c in uncited {
            let _ = writeln!(out, "| {} | {} |", c.id, escape(&c.description));
        }
        out.push('\n');
    }
    let weak = &m.coverage.warnings_only;
    if weak.is_empty() {
        out.push_str("No criterion is cited only by flows with warnings.\n\n");
    } else {
        out.push_str(
            "Criteria cited only by flows with warnings:\n\n| Criterion | Flows |\n|---|---|\n",
        );
        for w in weak {
            let flows: Vec<String> = w
                .flows
                .iter()
                .filter_map(|i| m.flows.get(*i))
                .map(|f| format!("{} ({})", code(&f.text), text::warning_codes(f)))
                .collect();
            let _ = writeln!(out, "| {} | {} |", w.criterion, flows.join(", "));
        }
        out.push('\n');
    }
}

fn sources(out: &mut String, m: &Matrix) {
    out.push_str("## Sources\n\n| File | Bytes | SHA-256 |\n|---|---|---|\n");
    for s in &m.header.sources {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(&s.name),
            s.bytes,
            code(&s.sha256)
        );
    }
}

/// Text for a table cell or a heading: one line, Markdown punctuation
/// backslash-escaped (so `|` cannot end a cell and `<` cannot open a tag).
fn escape(text: &str) -> String {
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
fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\r' | '\n' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::{code, escape};

    #[test]
    fn escapes_what_could_break_a_table_or_open_a_tag() {
        assert_eq!(escape("a | b <script> *x*"), "a \\| b \\<script\\> \\*x\\*");
        assert_eq!(escape("two\nlines"), "two lines");
    }

    #[test]
    fn code_spans_hold_backticks_and_pipes() {
        assert_eq!(code("a.b -> c.d"), "`a.b -> c.d`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a|b"), "`a\\|b`");
    }
}
