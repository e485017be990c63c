//! `ward verify`: a cluster's export judged against the program.
//!
//! The cluster's policies are first judged exactly, for every pod and
//! address that could exist (`verify::exact`, the judge of `ward test`);
//! then the cluster's pods are simulated under them and compared
//! with the declared flows and invariants (as in `ward test`), and the
//! cluster's Ward-managed policies are compared with what the program builds:
//! missing, changed, or left over. Pods and selectors that do not line up
//! (a service whose selector matches no pod, a pod no service describes) are
//! reported too, since the proof is only as good as that match.
//!
//! A cluster has far more pods than a program has services, and most of them
//! are replicas: pods of one namespace with the same labels and named ports
//! (and the same answer to "is my address in this external?") get the same
//! verdict against every other endpoint and mean the same to the program.
//! The proof compares one pod per such class, weighs the counts by the
//! class sizes and expands the findings only when asked (the JSON's
//! connections), so its cost follows classes, not pods squared. Findings are
//! grouped by cause (`verify::causes`): per rule of a policy Ward did not write, per
//! flow whose rules let too much through, per blocked flow, per broken `deny`.

mod causes;
mod exact;
mod words;

use super::meaning::Meaning;
use super::{Comparison, Member, NamedContainerPort, compare_classes, world};
use crate::diagnostic::{Code, Diagnostic};
use crate::emit::{self, Emitted};
use crate::model::Model;
use crate::plan::Plan;
use crate::simulate::{self, Endpoint, PodRef, PolicyRef};
use crate::source::Span;
use crate::yaml;
use indexmap::{IndexMap, IndexSet};
use std::collections::BTreeMap;

/// What `ward verify` found.
#[derive(Debug)]
pub struct VerifyReport {
    /// The reachability comparison: counts over every pod, findings between
    /// one pod per class (see [`VerifyReport::stands_for`]).
    pub comparison: Comparison,
    /// The findings as diagnostics, one per cause: first the drift findings
    /// (E0504-E0506), then the connections that policies Ward did not
    /// write let through, since both say what to do; then the rest.
    pub diagnostics: Vec<Diagnostic>,
    /// How many pods the cluster has.
    pub pods: usize,
    /// How many classes of pods the proof compared.
    pub classes: usize,
    /// The exact judge's verdict on the export's policies for every pod
    /// and address that could exist ([`crate::symbolic`]), or why it could
    /// not read them. Its counterexamples that no finding on the export's
    /// pods already reports are among [`VerifyReport::diagnostics`].
    pub exact: Result<crate::symbolic::Verdict, crate::symbolic::Unreadable>,
    /// Per finding of [`Comparison::findings`] (same order): the code and
    /// cause of the diagnostic it is part of.
    causes: Vec<(Code, String)>,
    /// The pods each class's representative stands for, itself first.
    members: IndexMap<PodRef, Vec<PodRef>>,
}

impl VerifyReport {
    /// The endpoints a finding's end stands for: every pod of its class (the
    /// pod itself first), or the address itself.
    pub fn stands_for<'a>(&'a self, end: &'a Endpoint) -> Box<dyn Iterator<Item = Endpoint> + 'a> {
        match end {
            Endpoint::Pod(pod) => match self.members.get(pod) {
                Some(pods) => Box::new(pods.iter().cloned().map(Endpoint::Pod)),
                None => Box::new(std::iter::once(end.clone())),
            },
            Endpoint::External(_) => Box::new(std::iter::once(end.clone())),
        }
    }

    /// Every connection of every finding, one JSON object per finding (a
    /// pair of classes): its `code`, `cause`, `sources` and `destinations`
    /// (every pod of each class), `probes`, and the number of
    /// `connections` (sources x destinations x probes, each one a
    /// connection that differs from the program). Made one at a time, for
    /// output that is streamed.
    pub fn connections(&self) -> impl Iterator<Item = serde_json::Value> + '_ {
        self.comparison
            .findings
            .iter()
            .zip(&self.causes)
            .map(|(finding, (code, cause))| {
                let (src, dst) = finding.ends();
                let names = |end| {
                    self.stands_for(end)
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                };
                let (sources, destinations) = (names(src), names(dst));
                let probes: Vec<String> =
                    finding.probes().iter().map(ToString::to_string).collect();
                let connections = sources.len() * destinations.len() * probes.len();
                serde_json::json!({
                    "code": code.as_str(),
                    "cause": cause,
                    "sources": sources,
                    "destinations": destinations,
                    "probes": probes,
                    "connections": connections,
                })
            })
    }
}

/// The classes of pods alike to the simulator and to the program.
struct Classes {
    /// Per class: its first pod's endpoint and identity.
    members: Vec<(Endpoint, Member)>,
    /// Per class: its pods (indices into the world's pods), in world order.
    pods: Vec<Vec<usize>>,
}

/// Splits the simulator's classes by what the program's meaning sees of a
/// pod's address (its externals), so that every pod of a class means the
/// same to the proof.
fn classes(model: &Model, meaning: &Meaning, cluster: &simulate::World) -> Classes {
    let mut found = Classes {
        members: Vec::new(),
        pods: Vec::new(),
    };
    for simulated in cluster.class_members() {
        let mut split: IndexMap<Vec<bool>, (Endpoint, Member, Vec<usize>)> = IndexMap::new();
        for index in simulated {
            let Some(pod) = cluster.pods().get(index) else {
                continue;
            };
            let member = member(model, cluster, pod);
            let key = meaning.addresses_holding(&member);
            split
                .entry(key)
                .or_insert_with(|| (Endpoint::Pod(pod.clone()), member, Vec::new()))
                .2
                .push(index);
        }
        for (_, (endpoint, member, pods)) in split {
            found.members.push((endpoint, member));
            found.pods.push(pods);
        }
    }
    found
}

/// A cluster pod as the program sees it.
fn member(model: &Model, cluster: &simulate::World, pod: &PodRef) -> Member {
    Member::Pod {
        namespace: pod.namespace.clone(),
        labels: cluster.pod_labels(pod).cloned().unwrap_or_default(),
        ip: cluster.pod_ip(pod),
        managed: model
            .namespaces
            .get(&pod.namespace)
            .is_some_and(|ns| ns.managed),
        ports: named_ports(cluster, pod),
    }
}

/// Judges `cluster` against the program whose build is `expected`.
pub fn verify(
    model: &Model,
    plan: &Plan,
    expected: &[Emitted],
    cluster: &simulate::World,
) -> VerifyReport {
    let fallback = fallback_span(model);
    let meaning = Meaning::new(model);
    let Classes {
        members: mut compared,
        pods: class_pods,
    } = classes(model, &meaning, cluster);
    let classes = compared.len();
    let mut weights: Vec<usize> = class_pods.iter().map(Vec::len).collect();
    let (probes, addresses) = probes_and_addresses(model, cluster);
    compared.extend(
        addresses
            .iter()
            .map(|ip| (Endpoint::External(*ip), Member::Address(*ip))),
    );
    weights.resize(compared.len(), 1);
    let reachability = cluster.reachability(&probes, &addresses);
    let comparison = compare_classes(model, &reachability, &compared, &weights);
    let members: IndexMap<PodRef, Vec<PodRef>> = compared
        .iter()
        .zip(&class_pods)
        .filter_map(|((endpoint, _), pods)| match endpoint {
            Endpoint::Pod(pod) => Some((
                pod.clone(),
                pods.iter()
                    .filter_map(|i| cluster.pods().get(*i).cloned())
                    .collect(),
            )),
            Endpoint::External(_) => None,
        })
        .collect();
    let size = |end: &Endpoint| match end {
        Endpoint::Pod(pod) => members.get(pod).map_or(1, Vec::len),
        Endpoint::External(_) => 1,
    };
    let (mut drift, edited) = policy_drift(model, expected, cluster, fallback);
    let context = causes::Context::new(model, plan, expected, &edited, cluster, fallback);
    let grouped = causes::group(&context, &comparison.findings, &size);
    let exact = exact::judge(model, cluster);
    let mut foreign = grouped.foreign;
    let mut rest = grouped.diagnostics;
    if let Ok(verdict) = &exact {
        let (beyond, others) = exact::diagnostics(&context, verdict, &grouped.keys);
        foreign.extend(beyond);
        rest.extend(others);
    }
    rest.extend(unmatched(model, cluster, &compared, &class_pods));
    crate::diagnostic::sort(&mut drift);
    crate::diagnostic::sort(&mut foreign);
    crate::diagnostic::sort(&mut rest);
    drift.extend(foreign);
    drift.extend(rest);
    VerifyReport {
        comparison,
        diagnostics: drift,
        pods: cluster.pods().len(),
        classes,
        exact,
        causes: grouped.causes,
        members,
    }
}

/// What `ward verify` simulates besides the cluster's pods: the program's
/// probes and the cluster's declared ports, and the edge addresses of the
/// program's externals.
pub fn probes_and_addresses(
    model: &Model,
    cluster: &simulate::World,
) -> (Vec<simulate::Probe>, Vec<std::net::IpAddr>) {
    let mut probes = world::probes(model, false);
    for probe in cluster.declared_probes() {
        if !probes.contains(&probe) {
            probes.push(probe);
        }
    }
    (probes, world::edge_addresses(model))
}

fn fallback_span(model: &Model) -> Span {
    model
        .namespaces
        .values()
        .next()
        .map_or(Span::new(crate::source::FileId(0), 0, 0), |ns| ns.span)
}

/// Where in the source a policy comes from: its service, or its namespace.
pub(super) fn policy_span(model: &Model, namespace: &str, name: &str, fallback: Span) -> Span {
    let Some(ns) = model.namespaces.get(namespace) else {
        return fallback;
    };
    name.strip_prefix(crate::plan::SERVICE_PREFIX)
        .and_then(|service| ns.services.get(service))
        .map_or(ns.span, |service| service.span)
}

/// E0504-E0506, and the policies of the build that the cluster holds edited.
fn policy_drift(
    model: &Model,
    expected: &[Emitted],
    cluster: &simulate::World,
    fallback: Span,
) -> (Vec<Diagnostic>, IndexSet<PolicyRef>) {
    let mut found = Vec::new();
    let mut edited = IndexSet::new();
    for emitted in expected {
        let span = policy_span(model, &emitted.namespace, &emitted.name, fallback);
        let id = format!("{}/{}", emitted.namespace, emitted.name);
        match cluster.policy(&emitted.namespace, &emitted.name) {
            None => found.push(
                Diagnostic::new(
                    Code::E0504,
                    format!("policy `{id}` is missing from the cluster"),
                    span,
                    "the program builds it",
                )
                .with_help("apply the build: `ward build -o DIR` and `kubectl apply -k DIR`"),
            ),
            Some(actual) => {
                let want = yaml::to_yaml(&emitted.object.spec).unwrap_or_default();
                let have = yaml::to_yaml(&actual.spec).unwrap_or_default();
                let fields = yaml::changed_fields(&have, &want);
                if !fields.is_empty() {
                    edited.insert(PolicyRef {
                        namespace: emitted.namespace.clone(),
                        name: emitted.name.clone(),
                    });
                    found.push(
                        Diagnostic::new(
                            Code::E0505,
                            format!("policy `{id}` in the cluster differs from the build"),
                            span,
                            "the program builds it differently",
                        )
                        .with_note(format!(
                            "changed: {}",
                            fields
                                .iter()
                                .map(|f| format!("spec.{f}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .with_help(
                            "re-apply the build; change policies through the program, not by hand",
                        ),
                    );
                }
            }
        }
    }
    for (namespace, name, labels) in cluster.policy_labels() {
        let built = expected
            .iter()
            .any(|e| e.namespace == namespace && e.name == name);
        if labelled_ours(&labels) && !built {
            found.push(
                Diagnostic::new(
                    Code::E0506,
                    format!("policy `{namespace}/{name}` is labelled as Ward's but the program does not build it"),
                    policy_span(model, &namespace, &name, fallback),
                    "the program has no such policy",
                )
                .with_help("delete it from the cluster (kustomize prune), or restore the flow that produced it"),
            );
        }
    }
    (found, edited)
}

/// Whether a policy's labels say Ward manages it.
fn labelled_ours(labels: &BTreeMap<String, String>) -> bool {
    labels.get(emit::MANAGED_BY.0).map(String::as_str) == Some(emit::MANAGED_BY.1)
}

/// A cluster pod's named container ports, as the simulator read them.
fn named_ports(cluster: &simulate::World, pod: &PodRef) -> Vec<NamedContainerPort> {
    let class = cluster.class_of(pod).and_then(|c| cluster.classes.get(c));
    class
        .into_iter()
        .flat_map(|class| &class.ports)
        .filter_map(|port| {
            Some(NamedContainerPort {
                name: port.name.clone()?,
                port: port.port,
                protocol: port.protocol,
            })
        })
        .collect()
}

/// W0009 and W0010, over one pod per class (`compared`, whose pods
/// `class_pods` holds by class).
fn unmatched(
    model: &Model,
    cluster: &simulate::World,
    compared: &[(Endpoint, Member)],
    class_pods: &[Vec<usize>],
) -> Vec<Diagnostic> {
    let pods: Vec<(&[usize], &str, &BTreeMap<String, String>)> = compared
        .iter()
        .zip(class_pods)
        .filter_map(|((_, member), pods)| match member {
            Member::Pod {
                namespace, labels, ..
            } => Some((pods.as_slice(), namespace.as_str(), labels)),
            Member::Address(_) => None,
        })
        .collect();
    let mut found = Vec::new();
    for namespace in model.namespaces.values() {
        for service in namespace.services.values() {
            let matched = pods
                .iter()
                .any(|(_, ns, labels)| *ns == namespace.name && service.selector.matches(labels));
            if !matched {
                found.push(
                    Diagnostic::new(
                        Code::W0009,
                        format!(
                            "no pod in the cluster is `{}.{}`",
                            namespace.name, service.name
                        ),
                        service.span,
                        format!("selects {}", service.selector),
                    )
                    .with_help("fix the selector to match the pods' labels, or remove the service"),
                );
            }
        }
        if !namespace.managed {
            continue;
        }
        let mut strays: Vec<usize> = pods
            .iter()
            .filter(|(_, ns, labels)| {
                *ns == namespace.name
                    && !namespace
                        .services
                        .values()
                        .any(|s| s.selector.matches(labels))
            })
            .flat_map(|(pods, _, _)| pods.iter().copied())
            .collect();
        if !strays.is_empty() {
            // In world order, as the pods were given.
            strays.sort_unstable();
            let count = strays.len();
            let shown: Vec<String> = strays
                .iter()
                .filter_map(|i| cluster.pods().get(*i))
                .take(5)
                .map(|p| format!("`{p}`"))
                .collect();
            let more = count.saturating_sub(shown.len());
            let mut list = shown.join(", ");
            if more > 0 {
                list.push_str(&format!(" and {more} more"));
            }
            found.push(
                Diagnostic::new(
                    Code::W0010,
                    format!("{count} pod(s) in `{}` match no service", namespace.name),
                    namespace.span,
                    "no service describes them",
                )
                .with_note(format!("pods: {list}"))
                .with_help("declare a service for them, or they only get namespace-wide flows"),
            );
        }
    }
    found
}
