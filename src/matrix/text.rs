//! Plain-text pieces every rendering shares: ports, protocols, how a
//! criterion is cited, rule positions, the Git line.
//!
//! Owns the wording, so that the Markdown, CSV and HTML say the same thing
//! the same way. Must not escape for any format (each renderer does).

use super::{FlowEntry, Git, RuleEntry, Via};
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

/// `text`, or [`NONE`] when it is empty.
pub fn or_none(text: &str) -> String {
    if text.is_empty() {
        NONE.to_string()
    } else {
        text.to_string()
    }
}

/// `8443/tcp, 9000-9100/tcp`, or [`EVERY_PORT`].
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
    ports.join(", ")
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
