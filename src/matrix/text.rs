//! Plain-text pieces every rendering shares: ports, protocols, how a
//! criterion is cited, rule positions, the Git line; and the tables the
//! Markdown and HTML both show: their titles and the cells they share.
//!
//! Owns the wording, so that the Markdown, CSV and HTML say the same thing
//! the same way. Must not know any format's escaping: the shared cells are
//! written with the [`Markup`] the renderer names.

use super::{
    BaselineEntry, CriterionEntry, FlowCitation, FlowEntry, Git, Matrix, ObjectRule, RuleEntry,
    Via, WarningsOnly,
};
use crate::markup::Markup;
use std::collections::BTreeSet;

/// The ports of a flow or default deny that covers every port.
pub const EVERY_PORT: &str = "every port";
/// The ports of a default deny, as the human-readable formats show them.
pub const DEFAULT_DENY_PORTS: &str = "every port, both directions";
pub use crate::emit::DEFAULT_DENY_PURPOSE;
/// The protocols of a flow or default deny that covers every protocol.
pub const ANY_PROTOCOL: &str = "any";
/// What a default deny implements, as the matrix names the artifact.
pub const DEFAULT_DENY: &str = "default deny (baseline)";
/// What an empty cell shows.
pub const NONE: &str = "—";

/// The columns of a criterion's table: each artifact that implements it.
pub const TRACE_COLUMNS: &[&str] = &[
    "Artifact",
    "Ports",
    "Cited",
    "Justification",
    "Source",
    "Warnings",
    "Implemented by",
];
/// The columns of the reverse index: each generated object.
pub const REVERSE_INDEX_COLUMNS: &[&str] = &["Object", "Kind", "Rules", "Criteria", "SHA-256"];
/// The columns of the network-relevant criteria that nothing cites.
pub const UNCITED_COLUMNS: &[&str] = &["Criterion", "Description"];
/// The columns of the criteria cited only by flows with warnings.
pub const WARNINGS_ONLY_COLUMNS: &[&str] = &["Criterion", "Flows"];
/// The columns of the source files.
pub const SOURCES_COLUMNS: &[&str] = &["File", "Bytes", "SHA-256"];

/// Writes a criterion's row for its default deny `b`, in [`TRACE_COLUMNS`]
/// order; `implemented_by` is its policies as the renderer lists them.
pub fn default_deny_row<M: Markup>(out: &mut String, b: &BaselineEntry, implemented_by: &str) {
    M::table_row(
        out,
        &[
            &DEFAULT_DENY,
            &DEFAULT_DENY_PORTS,
            &M::escape(&via(&b.via)),
            &DEFAULT_DENY_PURPOSE,
            &M::code(&b.location),
            &NONE,
            &implemented_by,
        ],
    );
}

/// The flows `c` cites, each with its citation.
pub fn cited_flows<'a>(
    m: &'a Matrix,
    c: &'a CriterionEntry,
) -> impl Iterator<Item = (&'a FlowCitation, &'a FlowEntry)> {
    c.flows
        .iter()
        .filter_map(|citation| Some((citation, m.flows.get(citation.flow)?)))
}

/// The default-deny policies of a baseline, each as code.
pub fn baseline_objects<M: Markup>(b: &BaselineEntry) -> Vec<String> {
    b.objects
        .iter()
        .map(|o| M::code(&object(&o.namespace, &o.name)))
        .collect()
}

/// The rules that implement `flow`, each object as code:
/// `payments/svc-api ingress rule 2`.
pub fn implementing_rules<M: Markup>(flow: &FlowEntry) -> Vec<String> {
    flow.rules
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                M::code(&object(&r.namespace, &r.policy)),
                M::escape(&position(r))
            )
        })
        .collect()
}

/// The flow's justification, escaped, or [`NONE`].
pub fn justification<M: Markup>(flow: &FlowEntry) -> String {
    flow.justification
        .as_deref()
        .map_or_else(|| NONE.to_string(), M::escape)
}

/// A rule of an object and the flow it implements, the flow as code:
/// `ingress rule 2: shop.web -> payments.api`.
pub fn object_rule<M: Markup>(m: &Matrix, r: &ObjectRule) -> String {
    let flow = m
        .flows
        .get(r.flow)
        .map_or_else(String::new, |f| M::code(&f.text));
    format!("{} rule {}: {flow}", M::escape(&r.direction), r.index)
}

/// The flows behind a criterion cited only with warnings, each as code
/// with its warning codes: `shop.web -> payments.api (W0001)`.
pub fn flows_with_warnings<M: Markup>(m: &Matrix, w: &WarningsOnly) -> Vec<String> {
    w.flows
        .iter()
        .filter_map(|i| m.flows.get(*i))
        .map(|f| format!("{} ({})", M::code(&f.text), M::escape(&warning_codes(f))))
        .collect()
}

/// `text`, or [`NONE`] when it is empty.
pub fn or_none(text: &str) -> String {
    if text.is_empty() {
        NONE.to_string()
    } else {
        text.to_string()
    }
}

/// `8443/tcp, 9000-9100/tcp`, `metrics on each pod (9090/tcp)` for a port
/// given by name, or [`EVERY_PORT`].
pub fn ports(flow: &FlowEntry) -> String {
    if flow.every_port {
        return EVERY_PORT.to_string();
    }
    let ports: Vec<String> = flow
        .ports
        .iter()
        .map(|p| {
            let protocol = p.protocol.to_ascii_lowercase();
            if p.first == p.last {
                format!("{}/{protocol}", p.first)
            } else {
                format!("{}-{}/{protocol}", p.first, p.last)
            }
        })
        .collect();
    match &flow.port_name {
        Some(name) => format!("{name} on each pod ({})", ports.join(", ")),
        None => ports.join(", "),
    }
}

/// `TCP, UDP`, or [`ANY_PROTOCOL`].
pub fn protocols(flow: &FlowEntry) -> String {
    if flow.every_port {
        return ANY_PROTOCOL.to_string();
    }
    let protocols: BTreeSet<&str> = flow.ports.iter().map(|p| p.protocol.as_str()).collect();
    protocols.into_iter().collect::<Vec<_>>().join(", ")
}

/// `W0001, W0002`: the codes of the flow's warnings.
pub fn warning_codes(flow: &FlowEntry) -> String {
    let codes: Vec<&str> = flow.warnings.iter().map(|w| w.code.as_str()).collect();
    codes.join(", ")
}

/// `directly`, `through NET-01`, `directly and through NET-01, NET-03`.
pub fn via(via: &Via) -> String {
    let controls =
        (!via.controls.is_empty()).then(|| format!("through {}", via.controls.join(", ")));
    match (via.direct, controls) {
        (true, Some(controls)) => format!("directly and {controls}"),
        (false, Some(controls)) => controls,
        (_, None) => "directly".to_string(),
    }
}

/// `W0001 (flow without justification)`, one per warning.
pub fn warnings(flow: &FlowEntry) -> Vec<String> {
    flow.warnings
        .iter()
        .map(|w| format!("{} ({})", w.code, w.title))
        .collect()
}

/// `payments/svc-api`.
pub fn object(namespace: &str, name: &str) -> String {
    format!("{namespace}/{name}")
}

/// `ingress rule 2`.
pub fn position(rule: &RuleEntry) -> String {
    format!("{} rule {}", rule.direction, rule.index)
}

/// What follows the commit: ` (uncommitted changes)` for a dirty work tree.
pub fn dirty(git: &Git) -> &'static str {
    if git.dirty {
        " (uncommitted changes)"
    } else {
        ""
    }
}

/// The line of totals every human-readable rendering opens with.
pub fn summary(m: &super::Matrix) -> String {
    let t = &m.totals;
    format!(
        "{} of {} criteria cited ({} of {} network-relevant), {} team {}, {} {} ({} with warnings), {} {}, {} {}.",
        t.cited_criteria,
        t.catalog_criteria,
        t.cited_network_relevant_criteria,
        t.network_relevant_criteria,
        t.controls,
        plural(t.controls, "control", "controls"),
        t.flows,
        plural(t.flows, "flow", "flows"),
        t.flows_with_warnings,
        t.objects,
        plural(t.objects, "object", "objects"),
        t.rules,
        plural(t.rules, "rule", "rules"),
    )
}

/// `one` when `n == 1`, else `many`.
pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
