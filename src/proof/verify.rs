//! `ward verify`: a cluster's export judged against the program.
//!
//! The cluster's pods are simulated under the cluster's policies and compared
//! with the declared flows and invariants (as in `ward test`), and the
//! cluster's Ward-managed policies are compared with what the program builds:
//! missing, changed, or left over. Pods and selectors that do not line up
//! (a service whose selector matches no pod, a pod no service describes) are
//! reported too, since the proof is only as good as that match.

use super::{Comparison, Member, NamedContainerPort, compare, diagnostics, world};
use crate::diagnostic::{Code, Diagnostic};
use crate::emit::{self, Emitted};
use crate::model::Model;
use crate::plan::Plan;
use crate::simulate::{self, Endpoint, Probe};
use crate::source::Span;
use crate::yaml;

/// What `ward verify` found.
#[derive(Debug)]
pub struct VerifyReport {
    /// The reachability comparison.
    pub comparison: Comparison,
    /// Every finding as a diagnostic.
    pub diagnostics: Vec<Diagnostic>,
    /// How many pods the cluster has.
    pub pods: usize,
}

/// Judges `cluster` against the program whose build is `expected`.
pub fn verify(
    model: &Model,
    plan: &Plan,
    expected: &[Emitted],
    cluster: &simulate::World,
) -> VerifyReport {
    let fallback = fallback_span(model);
    let mut members: Vec<(Endpoint, Member)> = Vec::new();
    for pod in cluster.pods() {
        let labels = cluster.pod_labels(pod).cloned().unwrap_or_default();
        let managed = model
            .namespaces
            .get(&pod.namespace)
            .is_some_and(|ns| ns.managed);
        members.push((
            Endpoint::Pod(pod.clone()),
            Member::Pod {
                namespace: pod.namespace.clone(),
                labels,
                ip: cluster.pod_ip(pod),
                managed,
                ports: named_ports(cluster, pod),
            },
        ));
    }
    let addresses = world::edge_addresses(model);
    members.extend(
        addresses
            .iter()
            .map(|ip| (Endpoint::External(*ip), Member::Address(*ip))),
    );
    let mut probes = world::probes(model, false);
    for probe in cluster.declared_probes() {
        if !probes.contains(&probe) {
            probes.push(probe);
        }
    }
    let reachability = cluster.reachability(&probes, &addresses);
    let comparison = compare(model, &reachability, &members);
    let explain =
        |src: &Endpoint, dst: &Endpoint, probe: Probe| cluster.explain(src, dst, probe).ok();
    let mut found = diagnostics(model, plan, &comparison.findings, &explain, fallback);
    found.extend(policy_drift(model, expected, cluster, fallback));
    found.extend(unmatched(model, &members));
    crate::diagnostic::sort(&mut found);
    VerifyReport {
        comparison,
        diagnostics: found,
        pods: cluster.pods().len(),
    }
}

fn fallback_span(model: &Model) -> Span {
    model
        .namespaces
        .values()
        .next()
        .map_or(Span::new(crate::source::FileId(0), 0, 0), |ns| ns.span)
}

/// Where in the source a policy comes from: its service, or its namespace.
fn policy_span(model: &Model, namespace: &str, name: &str, fallback: Span) -> Span {
    let Some(ns) = model.namespaces.get(namespace) else {
        return fallback;
    };
    name.strip_prefix(crate::plan::SERVICE_PREFIX)
        .and_then(|service| ns.services.get(service))
        .map_or(ns.span, |service| service.span)
}

fn policy_drift(
    model: &Model,
    expected: &[Emitted],
    cluster: &simulate::World,
    fallback: Span,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
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
        let ours = labels.get(emit::MANAGED_BY.0).map(String::as_str) == Some(emit::MANAGED_BY.1);
        let built = expected
            .iter()
            .any(|e| e.namespace == namespace && e.name == name);
        if ours && !built {
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
    found
}

/// A cluster pod's named container ports, as the simulator read them.
fn named_ports(cluster: &simulate::World, pod: &simulate::PodRef) -> Vec<NamedContainerPort> {
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

fn unmatched(model: &Model, members: &[(Endpoint, Member)]) -> Vec<Diagnostic> {
    let pods: Vec<(&Endpoint, &str, &std::collections::BTreeMap<String, String>)> = members
        .iter()
        .filter_map(|(endpoint, member)| match member {
            Member::Pod {
                namespace, labels, ..
            } => Some((endpoint, namespace.as_str(), labels)),
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
        let strays: Vec<String> = pods
            .iter()
            .filter(|(_, ns, labels)| {
                *ns == namespace.name
                    && !namespace
                        .services
                        .values()
                        .any(|s| s.selector.matches(labels))
            })
            .map(|(endpoint, _, _)| format!("`{endpoint}`"))
            .collect();
        if !strays.is_empty() {
            let shown: Vec<String> = strays.iter().take(5).cloned().collect();
            let more = strays.len().saturating_sub(shown.len());
            let mut list = shown.join(", ");
            if more > 0 {
                list.push_str(&format!(" and {more} more"));
            }
            found.push(
                Diagnostic::new(
                    Code::W0010,
                    format!(
                        "{} pod(s) in `{}` match no service",
                        strays.len(),
                        namespace.name
                    ),
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
