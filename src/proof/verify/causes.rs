//! `ward verify`'s findings grouped by cause, as diagnostics: one per rule
//! of a policy Ward did not write (E0501, naming that policy, where the
//! export holds it, and its rule), per flow whose rules let too much through
//! (E0501, at the flow), per blocked flow
//! (E0502) and per broken `deny` (E0503), each with the number of
//! connections, a bounded number of examples and "and K more".
//!
//! A connection is allowed when both sides allow it; the rule blamed is the
//! first of a policy Ward did not write (ingress at the destination, then
//! egress at the source), else the first of Ward's own, whose flow the plan
//! names. Ward's policies are the build's, as the cluster labels them; a
//! rule an edit added to one of them is not Ward's either.

use super::super::{Finding, FindingKind, probe_list, rule_flow, sides};
use super::labelled_ours;
use crate::diagnostic::{Code, Diagnostic};
use crate::emit::Emitted;
use crate::model::Model;
use crate::plan::{Direction, Plan};
use crate::simulate::{self, Endpoint, Explanation, PolicyRef};
use crate::source::Span;
use indexmap::{IndexMap, IndexSet};

/// At most this many example connections in a diagnostic's notes.
pub(super) const EXAMPLES: usize = 5;

/// What attributing a finding needs.
pub(super) struct Context<'a> {
    pub(super) model: &'a Model,
    pub(super) plan: &'a Plan,
    pub(super) cluster: &'a simulate::World,
    pub(super) fallback: Span,
    /// The cluster's policies that Ward wrote: built by the program and
    /// labelled as Ward's.
    ours: IndexSet<PolicyRef>,
}

impl<'a> Context<'a> {
    /// The context of a verification of `cluster` against `expected`.
    pub(super) fn new(
        model: &'a Model,
        plan: &'a Plan,
        expected: &[Emitted],
        cluster: &'a simulate::World,
        fallback: Span,
    ) -> Self {
        let ours = cluster
            .policy_labels()
            .filter(|(namespace, name, labels)| {
                labelled_ours(labels)
                    && expected
                        .iter()
                        .any(|e| e.namespace == *namespace && e.name == *name)
            })
            .map(|(namespace, name, _)| PolicyRef { namespace, name })
            .collect();
        Self {
            model,
            plan,
            cluster,
            fallback,
            ours,
        }
    }
}

/// What lets a connection through (or, for a blocked flow, nothing).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Cause {
    /// A rule of a policy Ward did not write.
    Foreign {
        policy: PolicyRef,
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
}

/// The findings of one cause.
struct Group {
    /// The findings, by index.
    findings: Vec<usize>,
    /// How many connections they stand for.
    connections: usize,
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
        let explain = || {
            let probe = finding.probes().first()?;
            context.cluster.explain(src, dst, *probe).ok()
        };
        let (cause, why) = match finding.kind() {
            FindingKind::Blocked(_) => (Cause::None, None),
            FindingKind::Undeclared | FindingKind::Forbidden(_) => {
                let why = explain();
                (why.as_ref().map_or(Cause::None, |w| cause(context, w)), why)
            }
        };
        let connections = size(src) * size(dst) * finding.probes().len();
        let entry = groups.entry((finding.kind(), cause));
        keys.push(entry.index());
        let group = entry.or_insert_with(|| Group {
            findings: Vec::new(),
            connections: 0,
            why: why.or_else(explain),
        });
        group.findings.push(index);
        group.connections += connections;
    }
    let described: Vec<(Code, String)> = groups
        .iter()
        .map(|((kind, cause), _)| (code(*kind), describe(context.model, *kind, cause)))
        .collect();
    let (mut foreign, mut diagnostics) = (Vec::new(), Vec::new());
    for ((kind, cause), group) in &groups {
        let made = diagnostic(context, findings, size, *kind, cause, group);
        match (kind, cause) {
            (FindingKind::Undeclared, Cause::Foreign { .. }) => foreign.push(made),
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
    }
}

/// The rule to blame for an allowed connection.
fn cause(context: &Context<'_>, why: &Explanation) -> Cause {
    let sides = [
        (why.ingress.as_ref(), Direction::Ingress),
        (why.egress.as_ref(), Direction::Egress),
    ];
    let rules = || {
        sides.iter().flat_map(|(side, direction)| {
            side.iter()
                .flat_map(|s| &s.allowed_by)
                .map(move |rule| (rule, *direction))
        })
    };
    let flow = |rule: &simulate::RuleRef, direction| {
        if context.ours.contains(&rule.policy) {
            rule_flow(context.plan, rule, direction)
        } else {
            None
        }
    };
    if let Some((rule, direction)) =
        rules().find(|(rule, direction)| flow(rule, *direction).is_none())
    {
        return Cause::Foreign {
            policy: rule.policy.clone(),
            direction,
            rule: rule.index,
        };
    }
    rules()
        .find_map(|(rule, direction)| flow(rule, direction))
        .map_or(Cause::None, Cause::Flow)
}

fn code(kind: FindingKind) -> Code {
    match kind {
        FindingKind::Undeclared => Code::E0501,
        FindingKind::Blocked(_) => Code::E0502,
        FindingKind::Forbidden(_) => Code::E0503,
    }
}

/// The cause in a few words, for the JSON.
fn describe(model: &Model, kind: FindingKind, cause: &Cause) -> String {
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
            "policy `{policy}` {} rule {rule}, which Ward did not write",
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

/// "`a` -> `b`".
fn pair(finding: &Finding) -> String {
    let (src, dst) = finding.ends();
    format!("`{src}` -> `{dst}`")
}

/// Where a policy of the cluster shows in the program: its namespace, when
/// the program declares it.
fn namespace_span(context: &Context<'_>, namespace: &str) -> Option<Span> {
    context.model.namespaces.get(namespace).map(|ns| ns.span)
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
    // One connection class of one pod each: said as before grouping.
    let single = group.findings.len() == 1 && size(src) == 1 && size(dst) == 1;
    let count = group.connections;
    let model = context.model;
    let flow = |index: usize| model.flows.get(index);
    let mut diagnostic = match (kind, cause) {
        (
            FindingKind::Undeclared,
            Cause::Foreign {
                policy,
                direction,
                rule,
            },
        ) => {
            let message = if single {
                format!(
                    "`{src}` can reach `{dst}` through policy `{policy}`, which Ward did not write"
                )
            } else {
                format!(
                    "policy `{policy}`, which Ward did not write, allows {count} connections that no flow declares"
                )
            };
            let span = namespace_span(context, &policy.namespace).unwrap_or(context.fallback);
            let place = context
                .cluster
                .policy_origin(&policy.namespace, &policy.name)
                .unwrap_or("the cluster export");
            Diagnostic::new(
                Code::E0501,
                message,
                span,
                format!(
                    "`{policy}` {} rule {rule} lets it through",
                    direction.as_str()
                ),
            )
            .with_note(format!(
                "policy `{policy}` ({place}), {} rule {rule}: not part of Ward's build",
                direction.as_str()
            ))
            .with_help(format!(
                "remove or narrow policy `{policy}`, or declare the flow in the program"
            ))
        }
        (FindingKind::Undeclared, Cause::Flow(index)) => {
            let message = if single {
                format!("`{src}` can reach `{dst}`, which no flow declares")
            } else {
                format!("the rules of this flow allow {count} connections that no flow declares")
            };
            Diagnostic::new(
                Code::E0501,
                message,
                flow(*index).map_or(context.fallback, |f| f.span),
                "a rule of this flow lets it through",
            )
            .with_help("this is a defect in the generated policies or the cluster: narrow the flow, or report it")
        }
        (FindingKind::Undeclared, Cause::None) => {
            let message = if single {
                format!("`{src}` can reach `{dst}`, which no flow declares")
            } else {
                format!("{count} connections that no flow declares are allowed")
            };
            let managed = [dst, src].into_iter().find_map(|end| match end {
                Endpoint::Pod(pod) => namespace_span(context, &pod.namespace),
                Endpoint::External(_) => None,
            });
            Diagnostic::new(
                Code::E0501,
                message,
                managed.unwrap_or(context.fallback),
                "no policy isolates these pods",
            )
            .with_help("apply the build (its default-deny policies isolate every pod), or declare the flow")
        }
        (FindingKind::Blocked(index), _) => {
            let declared = flow(index);
            let text = declared.map_or_else(String::new, |f| f.text.clone());
            let message = if single {
                format!("flow `{text}` is blocked from `{src}` to `{dst}`")
            } else {
                format!("flow `{text}` is blocked on {count} connections")
            };
            Diagnostic::new(
                Code::E0502,
                message,
                declared.map_or(context.fallback, |f| f.span),
                "declared here",
            )
            .with_help("rebuild and apply the policies; if they are current, another policy or the cluster is missing a rule")
        }
        (FindingKind::Forbidden(index), _) => {
            let invariant = model.denies.get(index);
            let text = invariant.map_or_else(String::new, |d| d.text.clone());
            let message = if single {
                format!("`{src}` can reach `{dst}`, which `deny {text}` forbids")
            } else {
                format!("{count} connections break `deny {text}`")
            };
            let help = match cause {
                Cause::Foreign { policy, .. } => {
                    format!("remove or narrow policy `{policy}`, which Ward did not write")
                }
                Cause::Flow(_) | Cause::None => {
                    "find the policy that allows it with `ward explain` and remove it".to_owned()
                }
            };
            Diagnostic::new(
                Code::E0503,
                message,
                invariant.map_or(context.fallback, |d| d.span),
                "this invariant is broken",
            )
            .with_help(help)
        }
    };
    let verb = if matches!(kind, FindingKind::Blocked(_)) {
        "blocked"
    } else {
        "allowed"
    };
    if single {
        diagnostic = diagnostic.with_note(format!("{verb} on {}", probe_list(first.probes())));
    } else {
        diagnostic = diagnostic.with_note(format!(
            "{count} connections between {} pair(s) of pod classes; for example:",
            group.findings.len()
        ));
        for finding in group
            .findings
            .iter()
            .take(EXAMPLES)
            .filter_map(|i| findings.get(*i))
        {
            let (src, dst) = finding.ends();
            let alike = match (size(src), size(dst)) {
                (1, 1) => String::new(),
                (from, to) => format!(" ({from} x {to} pods alike)"),
            };
            diagnostic = diagnostic.with_note(format!(
                "{} {verb} on {}{alike}",
                pair(finding),
                probe_list(finding.probes())
            ));
        }
        let more = group.findings.len().saturating_sub(EXAMPLES);
        if more > 0 {
            diagnostic = diagnostic.with_note(format!(
                "and {more} more pair(s) of pod classes (`--format json` lists every connection)"
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
