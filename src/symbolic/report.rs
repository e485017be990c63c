//! Counterexamples as diagnostics: the same codes as the sampled judge's
//! findings (E0501 undeclared, E0502 blocked, E0503 forbidden), with the
//! concrete connection, the rules that let it through and the flow or
//! `deny` at fault.

use super::judge::{Counterexample, Kind};
use super::labels::Key;
use super::policies::Origin;
use super::region::{End, NAME_LABEL};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Model;
use crate::plan::Plan;
use crate::source::Span;

/// One diagnostic per counterexample (`ward test`'s, beside the sampled
/// world); `fallback` is the span of a finding that points at no flow (a
/// rule Ward did not write).
pub fn diagnostics(
    model: &Model,
    plan: &Plan,
    counterexamples: &[Counterexample],
    fallback: Span,
) -> Vec<Diagnostic> {
    counterexamples
        .iter()
        .map(|found| {
            diagnostic(
                model,
                plan,
                found,
                fallback,
                "which the sampled test world does not hold",
            )
        })
        .collect()
}

/// The diagnostic of one counterexample; `unseen` ends the note with the
/// concrete connection, saying why only the exact judge shows it.
pub fn diagnostic(
    model: &Model,
    plan: &Plan,
    found: &Counterexample,
    fallback: Span,
    unseen: &str,
) -> Diagnostic {
    let point = &found.point;
    let (src, dst) = (end(&point.src), end(&point.dst));
    let on = format!("{}/{}", point.port, point.protocol);
    let example = format!(
        "for example from {} to {} on {on}, {unseen}",
        describe(&point.src, false),
        describe(&point.dst, true)
    );
    let rules = found.rules.iter().map(rule).collect::<Vec<_>>().join(", ");
    match found.kind {
        Kind::Undeclared => {
            let flow = found
                .rules
                .iter()
                .find_map(|o| flow_of(plan, o))
                .and_then(|f| model.flows.get(f));
            Diagnostic::new(
                Code::E0501,
                format!("`{src}` can reach `{dst}`, which no flow declares"),
                flow.map_or(fallback, |f| f.span),
                "a rule of this flow lets it through",
            )
            .with_note(example)
            .with_note(format!("allowed by {rules}"))
            .with_help("this is a defect in the generated policies or the cluster: narrow the flow, or report it")
        }
        Kind::Blocked(flow) => {
            let declared = model.flows.get(flow);
            let text = declared.map_or_else(String::new, |f| f.text.clone());
            let side = match found.sides {
                (false, false) => "neither side lets it out or in",
                (false, true) => "the source's egress does not let it out",
                _ => "the destination's ingress does not let it in",
            };
            Diagnostic::new(
                Code::E0502,
                format!("flow `{text}` is blocked from `{src}` to `{dst}`"),
                declared.map_or(fallback, |f| f.span),
                "declared here",
            )
            .with_note(example)
            .with_note(side)
            .with_help("rebuild and apply the policies; if they are current, another policy or the cluster is missing a rule")
        }
        Kind::Forbidden(deny) => {
            let invariant = model.denies.get(deny);
            let text = invariant.map_or_else(String::new, |d| d.text.clone());
            Diagnostic::new(
                Code::E0503,
                format!("`{src}` can reach `{dst}`, which `deny {text}` forbids"),
                invariant.map_or(fallback, |d| d.span),
                "this invariant is broken",
            )
            .with_note(example)
            .with_note(format!("allowed by {rules}"))
            .with_help("find the policy that allows it with `ward explain` and remove it")
        }
    }
}

/// The flow behind one of Ward's rules.
fn flow_of(plan: &Plan, origin: &Origin) -> Option<usize> {
    plan.policies
        .iter()
        .find(|p| p.namespace == origin.namespace && p.name == origin.name)
        .and_then(|p| p.rules(origin.direction).get(origin.index))
        .map(|r| r.flow)
}

fn rule(origin: &Origin) -> String {
    format!(
        "`{}/{}` {} rule {}",
        origin.namespace,
        origin.name,
        origin.direction.as_str(),
        origin.index
    )
}

/// An end in a message: `ns/{labels}` or an address.
fn end(end: &End) -> String {
    match end {
        End::Address(ip) => ip.to_string(),
        End::Pod(labels) => {
            let pods: Vec<String> = labels
                .iter()
                .filter_map(|(k, v)| match k {
                    Key::Pod(k) => Some(format!("{k}={v}")),
                    _ => None,
                })
                .collect();
            format!(
                "{}/{{{}}}",
                namespace(end).unwrap_or_default(),
                pods.join(",")
            )
        }
    }
}

/// The namespace of a pod end (none for an address).
pub fn namespace(end: &End) -> Option<String> {
    match end {
        End::Pod(labels) => labels.get(&Key::Namespace(NAME_LABEL.to_string())).cloned(),
        End::Address(_) => None,
    }
}

/// An end in a note, with what matters about it.
fn describe(end: &End, destination: bool) -> String {
    let End::Pod(labels) = end else {
        return format!("address `{}`", self::end(end));
    };
    let mut pods = Vec::new();
    let mut namespaces = Vec::new();
    let mut ports = Vec::new();
    for (key, value) in labels {
        match key {
            Key::Pod(k) => pods.push(format!("`{k}={value}`")),
            Key::Namespace(k) if k == NAME_LABEL => {}
            Key::Namespace(k) => namespaces.push(format!("`{k}={value}`")),
            Key::Port(name) => ports.push(format!("`{name}`")),
        }
    }
    let mut text = format!(
        "a pod of namespace `{}`",
        namespace(end).unwrap_or_default()
    );
    if !namespaces.is_empty() {
        text.push_str(&format!(" (namespace labels {})", namespaces.join(", ")));
    }
    text.push_str(&if pods.is_empty() {
        " with no labels".to_string()
    } else {
        format!(" labelled {}", pods.join(", "))
    });
    if destination && !ports.is_empty() {
        text.push_str(&format!(
            " whose container port {} is the connection's port",
            ports.join(", ")
        ));
    }
    text
}

/// A point's kind of difference, for tests that match findings of the two
/// judges.
pub fn code(kind: &Kind) -> Code {
    match kind {
        Kind::Undeclared => Code::E0501,
        Kind::Blocked(_) => Code::E0502,
        Kind::Forbidden(_) => Code::E0503,
    }
}
