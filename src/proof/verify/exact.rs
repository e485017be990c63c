//! The exact part of `ward verify`: the export's policies judged against
//! the program for every pod and address that could exist, by the exact
//! judge `ward test` runs (`crate::symbolic`, decision 0017), so that a
//! widening no pod of the export shows (`app in (web, web-canary)` where
//! the program says `app=web`) is found, and an export without pods still
//! gets a full verdict.
//!
//! Each counterexample is blamed as the pods' findings are
//! (`verify::causes`): a rule of a policy Ward did not write, or of one of
//! Ward's that the export holds edited, names that policy and where the
//! export holds it; one of Ward's rules points at its flow. A counterexample whose kind and cause a finding on the export's
//! pods already reports is left out, since that finding says the same with
//! real pods.

use super::causes::{self, Cause, Context};
use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::plan::Direction;
use crate::proof::FindingKind;
use crate::simulate::{self, PolicyRef};
use crate::symbolic::{self, Counterexample, Kind, Verdict};
use indexmap::IndexSet;

/// How the note with a counterexample's connection ends.
const UNSEEN: &str = "whether or not the export runs such a pod";

/// The exact verdict on every policy of `cluster`, or why the judge could
/// not read one.
pub(super) fn judge(
    model: &Model,
    cluster: &simulate::World,
) -> Result<Verdict, symbolic::Unreadable> {
    let policies: Vec<_> = cluster
        .policy_labels()
        .filter_map(|(namespace, name, _)| cluster.policy(&namespace, &name).cloned())
        .collect();
    symbolic::judge(model, &policies)
}

/// The diagnostics of the counterexamples whose kind and cause `shown`
/// does not hold, one per kind and cause: those a policy Ward did not write
/// lets through, then the others.
pub(super) fn diagnostics(
    context: &Context<'_>,
    verdict: &Verdict,
    shown: &IndexSet<(FindingKind, Cause)>,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut reported = shown.clone();
    let (mut foreign, mut rest) = (Vec::new(), Vec::new());
    for found in &verdict.counterexamples {
        let (kind, cause) = key(context, found);
        if !reported.insert((kind, cause)) {
            continue;
        }
        let mut diagnostic = symbolic::report::diagnostic(
            context.model,
            context.plan,
            found,
            context.fallback,
            UNSEEN,
        );
        let namespaces = namespaces(found);
        let names: Vec<&str> = namespaces.iter().map(String::as_str).collect();
        let attribution = causes::attribute(context, kind, &cause, &names);
        diagnostic.primary.span = attribution.span;
        diagnostic.primary.message = attribution.label;
        diagnostic.help = Some(attribution.help);
        if let Some(note) = attribution.note {
            diagnostic.notes.insert(0, note);
        }
        match (kind, cause) {
            (FindingKind::Undeclared, Cause::Foreign { .. } | Cause::Edited { .. }) => {
                foreign.push(diagnostic);
            }
            _ => rest.push(diagnostic),
        }
    }
    (foreign, rest)
}

/// A counterexample's kind and cause, as the pods' findings have them.
fn key(context: &Context<'_>, found: &Counterexample) -> (FindingKind, Cause) {
    let kind = match found.kind {
        Kind::Undeclared => FindingKind::Undeclared,
        Kind::Blocked(flow) => {
            FindingKind::Blocked(context.model.flows.get(flow).map_or(flow, |f| f.index))
        }
        Kind::Forbidden(deny) => FindingKind::Forbidden(deny),
    };
    if matches!(kind, FindingKind::Blocked(_)) {
        return (kind, Cause::None);
    }
    let refs: Vec<(PolicyRef, Direction, usize)> = found
        .rules
        .iter()
        .map(|o| {
            let policy = PolicyRef {
                namespace: o.namespace.clone(),
                name: o.name.clone(),
            };
            (policy, o.direction, o.index)
        })
        .collect();
    // Ingress at the destination first, then egress at the source.
    let ordered = [Direction::Ingress, Direction::Egress]
        .into_iter()
        .flat_map(|d| refs.iter().filter(move |(_, r, _)| *r == d))
        .map(|(p, d, i)| (p, *d, *i));
    (kind, context.blame(ordered))
}

/// The namespaces of a counterexample's pods, destination first.
fn namespaces(found: &Counterexample) -> Vec<String> {
    [&found.point.dst, &found.point.src]
        .into_iter()
        .filter_map(symbolic::report::namespace)
        .collect()
}
