//! `ward verify`'s findings grouped by cause, as diagnostics: one per rule
//! of a policy Ward did not write (E0501, naming that policy, where the
//! export holds it, and its rule), per flow whose rules let too much through
//! (E0501, at the flow), per blocked flow
//! (E0502) and per broken `deny` (E0503), each with the number of pairs
//! of pods, a bounded number of examples and "and K more". Examples name
//! their ends and ports as `ward diff` names regions (`verify::words`).
//!
//! A connection is allowed when both sides allow it; the rule blamed is the
//! first of a policy Ward did not write (ingress at the destination, then
//! egress at the source), else the first of Ward's own, whose flow the plan
//! names. Ward's policies are the build's, as the cluster labels them; a
//! rule an edit added to one of them is not Ward's either.

use super::labelled_ours;
use super::words::Words;
use crate::diagnostic::{Code, Diagnostic};
use crate::emit::Emitted;
use crate::model::Model;
use crate::plan::{Direction, Plan};
use crate::proof::{Finding, FindingKind, sides};
use crate::simulate::{self, Endpoint, Explanation, PolicyRef};
use crate::source::Span;
use indexmap::{IndexMap, IndexSet};

/// At most this many example connections in a diagnostic's notes.
pub(super) const EXAMPLES: usize = 5;

/// A policy of the cluster, as blame sees it: per direction, the flow of
/// each of its rules when Ward wrote it (empty when Ward did not).
#[derive(Default)]
struct Written {
    egress: Vec<usize>,
    ingress: Vec<usize>,
    /// Ward wrote it, but the cluster holds it edited (E0505).
    edited: bool,
}

impl Written {
    fn rules(&self, direction: Direction) -> &[usize] {
        match direction {
            Direction::Egress => &self.egress,
            Direction::Ingress => &self.ingress,
        }
    }
}

/// What attributing a finding needs.
pub(super) struct Context<'a> {
    pub(super) model: &'a Model,
    pub(super) plan: &'a Plan,
    pub(super) cluster: &'a simulate::World,
    pub(super) fallback: Span,
    pub(super) words: Words<'a>,
    /// Every policy of the cluster, in world order, with the flows of its
    /// rules when Ward wrote it: built by the program and labelled as
    /// Ward's. Made once, so that blaming a connection is a few lookups.
    policies: IndexMap<PolicyRef, Written>,
}

impl<'a> Context<'a> {
    /// The context of a verification of `cluster` against `expected`.
    pub(super) fn new(
        model: &'a Model,
        plan: &'a Plan,
        expected: &[Emitted],
        edited: &IndexSet<PolicyRef>,
        cluster: &'a simulate::World,
        fallback: Span,
    ) -> Self {
        let built: IndexSet<(&str, &str)> = expected
            .iter()
            .map(|e| (e.namespace.as_str(), e.name.as_str()))
            .collect();
        let planned: IndexMap<(&str, &str), &crate::plan::Policy> = plan
            .policies
            .iter()
            .map(|p| ((p.namespace.as_str(), p.name.as_str()), p))
            .collect();
        let policies = cluster
            .policy_labels()
            .map(|(namespace, name, labels)| {
                let key = (namespace.as_str(), name.as_str());
                let ours = labelled_ours(&labels) && built.contains(&key);
                let flows = |direction| -> Vec<usize> {
                    planned
                        .get(&key)
                        .filter(|_| ours)
                        .map(|p| p.rules(direction).iter().map(|r| r.flow).collect())
                        .unwrap_or_default()
                };
                let (egress, ingress) = (flows(Direction::Egress), flows(Direction::Ingress));
                let policy = PolicyRef { namespace, name };
                let written = Written {
                    egress,
                    ingress,
                    edited: ours && edited.contains(&policy),
                };
                (policy, written)
            })
            .collect();
        Self {
            model,
            plan,
            cluster,
            fallback,
            words: Words::new(model, cluster),
            policies,
        }
    }

    /// The rule to blame of those that let a connection through, given
    /// ingress at the destination first, then egress at the source: the
    /// first of a policy Ward did not write (or a rule an edit added to one
    /// of Ward's) or of one of Ward's that the cluster holds edited, else
    /// the first of Ward's own, by its flow.
    pub(super) fn blame<'r>(
        &self,
        rules: impl Iterator<Item = (&'r PolicyRef, Direction, usize)> + Clone,
    ) -> Cause {
        let flow = |policy: &PolicyRef, direction, rule: usize| {
            let (at, _, written) = self.policies.get_full(policy)?;
            Some((at, written, written.rules(direction).get(rule).copied()))
        };
        for (policy, direction, rule) in rules.clone() {
            match flow(policy, direction, rule) {
                Some((at, _, None)) => {
                    return Cause::Foreign {
                        policy: at,
                        direction,
                        rule,
                    };
                }
                Some((at, written, Some(_))) if written.edited => {
                    return Cause::Edited {
                        policy: at,
                        direction,
                        rule,
                    };
                }
                Some(_) => {}
                None => crate::error::never!("a rule of policy `{policy}`, which the world lacks"),
            }
        }
        rules
            .filter_map(|(policy, direction, rule)| flow(policy, direction, rule)?.2)
            .next()
            .map_or(Cause::None, Cause::Flow)
    }

    /// The policy a [`Cause::Foreign`] names.
    fn policy(&self, at: usize) -> Option<&PolicyRef> {
        self.policies.get_index(at).map(|(p, _)| p)
    }
}

/// What lets a connection through (or, for a blocked flow, nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Cause {
    /// A rule of a policy Ward did not write (the policy by its position
    /// in the cluster).
    Foreign {
        policy: usize,
        direction: Direction,
        rule: usize,
    },
    /// A rule of a policy Ward wrote that the cluster holds edited.
    Edited {
        policy: usize,
        direction: Direction,
        rule: usize,
    },
    /// A rule Ward wrote for this flow (an index into the model's flows).
    Flow(usize),
    /// No rule: the pods are not isolated, or the flow is blocked.
    None,
}

/// The diagnostics, and per finding the code and cause it is reported under.
pub(super) struct Grouped {
    /// Connections let through by policies Ward did not write: what to
    /// remove or narrow.
    pub(super) foreign: Vec<Diagnostic>,
    /// The others.
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) causes: Vec<(Code, String)>,
    /// The kinds and causes reported.
    pub(super) keys: IndexSet<(FindingKind, Cause)>,
}

/// The findings of one cause.
struct Group {
    /// The findings, by index.
    findings: Vec<usize>,
    /// How many pairs of endpoints they stand for.
    pairs: usize,
    /// Why the first one is allowed or blocked.
    why: Option<Explanation>,
}

/// Groups `findings` by cause; `size` is how many endpoints a finding's end
/// stands for.
pub(super) fn group(
    context: &Context<'_>,
    findings: &[Finding],
    size: &dyn Fn(&Endpoint) -> usize,
) -> Grouped {
    let mut groups: IndexMap<(FindingKind, Cause), Group> = IndexMap::new();
    let mut keys = Vec::with_capacity(findings.len());
    for (index, finding) in findings.iter().enumerate() {
        let (src, dst) = finding.ends();
        let probe = finding.probes().first().copied();
        let cause = match (finding.kind(), probe) {
            (FindingKind::Blocked(_), _) | (_, None) => Cause::None,
            (FindingKind::Undeclared | FindingKind::Forbidden(_), Some(probe)) => {
                match context.cluster.allowed_by(src, dst, probe) {
                    Ok((ingress, egress)) => {
                        let rules = ingress
                            .iter()
                            .map(|(p, r)| (*p, Direction::Ingress, *r))
                            .chain(egress.iter().map(|(p, r)| (*p, Direction::Egress, *r)));
                        context.blame(rules)
                    }
                    Err(_) => Cause::None,
                }
            }
        };
        let pairs = size(src) * size(dst);
        let entry = groups.entry((finding.kind(), cause));
        keys.push(entry.index());
        let group = entry.or_insert_with(|| Group {
            findings: Vec::new(),
            pairs: 0,
            why: probe.and_then(|p| context.cluster.explain(src, dst, p).ok()),
        });
        group.findings.push(index);
        group.pairs += pairs;
    }
    let described: Vec<(Code, String)> = groups
        .keys()
        .map(|(kind, cause)| (code(*kind), describe(context, *kind, cause)))
        .collect();
    let (mut foreign, mut diagnostics) = (Vec::new(), Vec::new());
    for ((kind, cause), group) in &groups {
        let made = diagnostic(context, findings, size, *kind, cause, group);
        match (kind, cause) {
            (FindingKind::Undeclared, Cause::Foreign { .. } | Cause::Edited { .. }) => {
                foreign.push(made);
            }
            _ => diagnostics.push(made),
        }
    }
    Grouped {
        foreign,
        diagnostics,
        causes: keys
            .into_iter()
            .filter_map(|key| described.get(key).cloned())
            .collect(),
        keys: groups.into_keys().collect(),
    }
}

pub(super) fn code(kind: FindingKind) -> Code {
    match kind {
        FindingKind::Undeclared => Code::E0501,
        FindingKind::Blocked(_) => Code::E0502,
        FindingKind::Forbidden(_) => Code::E0503,
    }
}

/// The cause in a few words, for the JSON.
fn describe(context: &Context<'_>, kind: FindingKind, cause: &Cause) -> String {
    let model = context.model;
    let flow = |index: usize| {
        model
            .flows
            .get(index)
            .map_or_else(String::new, |f| format!("flow `{}`", f.text))
    };
    let allowed = match cause {
        Cause::Foreign {
            policy,
            direction,
            rule,
        } => format!(
            "policy `{}` {} rule {rule}, which Ward did not write",
            context
                .policy(*policy)
                .map(ToString::to_string)
                .unwrap_or_default(),
            direction.as_str()
        ),
        Cause::Edited {
            policy,
            direction,
            rule,
        } => format!(
            "policy `{}` {} rule {rule}, edited in the cluster",
            context
                .policy(*policy)
                .map(ToString::to_string)
                .unwrap_or_default(),
            direction.as_str()
        ),
        Cause::Flow(index) => format!("the rules of {}", flow(*index)),
        Cause::None => "pods that no policy isolates".to_owned(),
    };
    match kind {
        FindingKind::Undeclared => format!("allowed by {allowed}"),
        FindingKind::Blocked(index) => format!("{} is blocked", flow(index)),
        FindingKind::Forbidden(index) => {
            let deny = model
                .denies
                .get(index)
                .map_or_else(String::new, |d| d.text.clone());
            format!("`deny {deny}` is broken, allowed by {allowed}")
        }
    }
}

/// Where a policy of the cluster shows in the program: its namespace, when
/// the program declares it.
fn namespace_span(context: &Context<'_>, namespace: &str) -> Option<Span> {
    context.model.namespaces.get(namespace).map(|ns| ns.span)
}

/// Where a finding points and what it tells to do, by its cause: a policy
/// Ward did not write is named with the place the export holds it; a rule
/// Ward wrote points at its flow; pods no policy isolates at their
/// namespace (of `namespaces`, the ends' pods: destination first).
pub(super) struct Attribution {
    /// The primary span and its label.
    pub(super) span: Span,
    pub(super) label: String,
    /// Where the export holds the policy to blame, when one is.
    pub(super) note: Option<String>,
    pub(super) help: String,
}

/// The [`Attribution`] of a finding of `kind` with `cause`.
pub(super) fn attribute(
    context: &Context<'_>,
    kind: FindingKind,
    cause: &Cause,
    namespaces: &[&str],
) -> Attribution {
    let model = context.model;
    // A policy to blame, and whether Ward wrote it (and it was edited).
    let blamed = match cause {
        Cause::Foreign {
            policy,
            direction,
            rule,
        } => context
            .policy(*policy)
            .map(|p| (p, direction.as_str(), rule, false)),
        Cause::Edited {
            policy,
            direction,
            rule,
        } => context
            .policy(*policy)
            .map(|p| (p, direction.as_str(), rule, true)),
        Cause::Flow(_) | Cause::None => None,
    };
    let reapply = "re-apply the build; change policies through the program, not by hand";
    match kind {
        FindingKind::Blocked(index) => {
            let declared = model.flows.get(index);
            return Attribution {
                span: declared.map_or(context.fallback, |f| f.span),
                label: "declared here".to_owned(),
                note: None,
                help: "rebuild and apply the policies; if they are current, another policy or the cluster is missing a rule".to_owned(),
            };
        }
        FindingKind::Forbidden(index) => {
            let invariant = model.denies.get(index);
            let help = match blamed {
                Some((_, _, _, true)) => reapply.to_owned(),
                Some((policy, ..)) => {
                    format!("remove or narrow policy `{policy}`, which Ward did not write")
                }
                None => {
                    "find the policy that allows it with `ward explain` and remove it".to_owned()
                }
            };
            return Attribution {
                span: invariant.map_or(context.fallback, |d| d.span),
                label: "this invariant is broken".to_owned(),
                note: None,
                help,
            };
        }
        FindingKind::Undeclared => {}
    }
    if let Some((policy, direction, rule, edited)) = blamed {
        let place = context
            .cluster
            .policy_origin(&policy.namespace, &policy.name)
            .unwrap_or("the cluster export");
        if edited {
            return Attribution {
                span: super::policy_span(model, &policy.namespace, &policy.name, context.fallback),
                label: format!(
                    "`{policy}` {direction} rule {rule}, edited in the cluster, lets it through"
                ),
                note: Some(format!(
                    "policy `{policy}` ({place}), {direction} rule {rule}: Ward's policy, edited in the cluster"
                )),
                help: reapply.to_owned(),
            };
        }
        return Attribution {
            span: namespace_span(context, &policy.namespace).unwrap_or(context.fallback),
            label: format!("`{policy}` {direction} rule {rule} lets it through"),
            note: Some(format!(
                "policy `{policy}` ({place}), {direction} rule {rule}: not part of Ward's build"
            )),
            help: format!("remove or narrow policy `{policy}`, or declare the flow in the program"),
        };
    }
    match cause {
        Cause::Flow(index) => Attribution {
            span: model.flows.get(*index).map_or(context.fallback, |f| f.span),
            label: "a rule of this flow lets it through".to_owned(),
            note: None,
            help: "this is a defect in the generated policies or the cluster: narrow the flow, or report it".to_owned(),
        },
        Cause::Foreign { .. } | Cause::Edited { .. } | Cause::None => Attribution {
            span: namespaces
                .iter()
                .find_map(|ns| namespace_span(context, ns))
                .unwrap_or(context.fallback),
            label: "no policy isolates these pods".to_owned(),
            note: None,
            help: "apply the build (its default-deny policies isolate every pod), or declare the flow".to_owned(),
        },
    }
}

/// The namespaces of a finding's pods, destination first.
fn pod_namespaces<'f>(src: &'f Endpoint, dst: &'f Endpoint) -> Vec<&'f str> {
    [dst, src]
        .into_iter()
        .filter_map(|end| match end {
            Endpoint::Pod(pod) => Some(pod.namespace.as_str()),
            Endpoint::External(_) => None,
        })
        .collect()
}

/// `12 pairs of pods`, `1 pair of a pod and an address`, as the ends are.
fn pairs(count: usize, addresses: bool) -> String {
    match (count, addresses) {
        (1, false) => "1 pair of pods".to_owned(),
        (1, true) => "1 pair of a pod and an address".to_owned(),
        (n, false) => format!("{n} pairs of pods"),
        (n, true) => format!("{n} pairs of pods and addresses"),
    }
}

fn diagnostic(
    context: &Context<'_>,
    findings: &[Finding],
    size: &dyn Fn(&Endpoint) -> usize,
    kind: FindingKind,
    cause: &Cause,
    group: &Group,
) -> Diagnostic {
    let Some(first) = group.findings.first().and_then(|i| findings.get(*i)) else {
        return Diagnostic::new(code(kind), "no finding", context.fallback, "");
    };
    let (src, dst) = first.ends();
    // One pair of pods: said with their names.
    let single = group.findings.len() == 1 && size(src) == 1 && size(dst) == 1;
    let examples = || {
        group
            .findings
            .iter()
            .filter_map(|i| findings.get(*i))
            .map(Finding::ends)
    };
    let addresses = examples()
        .any(|(s, d)| matches!(s, Endpoint::External(_)) || matches!(d, Endpoint::External(_)));
    let between = pairs(group.pairs, addresses);
    let model = context.model;
    let flow_text = |index: usize| {
        model
            .flows
            .get(index)
            .map_or_else(String::new, |f| f.text.clone())
    };
    let message = match (kind, cause) {
        (FindingKind::Undeclared, Cause::Foreign { policy, .. } | Cause::Edited { policy, .. }) => {
            let policy = context
                .policy(*policy)
                .map(ToString::to_string)
                .unwrap_or_default();
            let whose = if matches!(cause, Cause::Edited { .. }) {
                "edited in the cluster"
            } else {
                "which Ward did not write"
            };
            if single {
                format!("`{src}` can reach `{dst}` through policy `{policy}`, {whose}")
            } else {
                format!(
                    "policy `{policy}`, {whose}, allows connections that no flow declares between {between}"
                )
            }
        }
        (FindingKind::Undeclared, Cause::Flow(_)) if !single => {
            format!(
                "the rules of this flow allow connections that no flow declares between {between}"
            )
        }
        (FindingKind::Undeclared, Cause::None) if !single => {
            format!("connections that no flow declares are allowed between {between}")
        }
        (FindingKind::Undeclared, _) => {
            format!("`{src}` can reach `{dst}`, which no flow declares")
        }
        (FindingKind::Blocked(index), _) => {
            let text = flow_text(index);
            if single {
                format!("flow `{text}` is blocked from `{src}` to `{dst}`")
            } else {
                format!("flow `{text}` is blocked between {between}")
            }
        }
        (FindingKind::Forbidden(index), _) => {
            let text = model
                .denies
                .get(index)
                .map_or_else(String::new, |d| d.text.clone());
            if single {
                format!("`{src}` can reach `{dst}`, which `deny {text}` forbids")
            } else {
                format!("`deny {text}` is broken between {between}")
            }
        }
    };
    let attribution = attribute(context, kind, cause, &pod_namespaces(src, dst));
    let mut diagnostic = Diagnostic::new(code(kind), message, attribution.span, attribution.label);
    if let Some(note) = attribution.note {
        diagnostic = diagnostic.with_note(note);
    }
    diagnostic = diagnostic.with_help(attribution.help);
    let verb = if matches!(kind, FindingKind::Blocked(_)) {
        "blocked"
    } else {
        "allowed"
    };
    let words = &context.words;
    if single {
        diagnostic = diagnostic.with_note(format!(
            "{} -> {}, {verb} on {}",
            words.place(src),
            words.place(dst),
            words.ports(first.probes())
        ));
    } else {
        diagnostic = diagnostic.with_note("for example:");
        for finding in group
            .findings
            .iter()
            .take(EXAMPLES)
            .filter_map(|i| findings.get(*i))
        {
            let (src, dst) = finding.ends();
            let pods = match (size(src), size(dst)) {
                (1, 1) => format!("`{src}` -> `{dst}`"),
                (from, to) => format!("{from} x {to}, e.g. `{src}` -> `{dst}`"),
            };
            diagnostic = diagnostic.with_note(format!(
                "{} -> {} {verb} on {} ({pods})",
                words.place(src),
                words.place(dst),
                words.ports(finding.probes())
            ));
        }
        let more = group.findings.len().saturating_sub(EXAMPLES);
        if more > 0 {
            diagnostic = diagnostic.with_note(format!(
                "and {more} more like these (`--format json` lists every connection)"
            ));
        }
    }
    if !matches!(kind, FindingKind::Forbidden(_)) {
        for note in group.why.iter().flat_map(sides) {
            diagnostic = diagnostic.with_note(note);
        }
    }
    diagnostic
}
