//! Emission: the plan as `networking.k8s.io/v1` NetworkPolicy objects.
//!
//! Builds k8s-openapi objects from the [`Plan`], adding the label that marks
//! them as Ward's and annotations that lead from every rule back to its flow,
//! controls and source line. Must not serialize (that is [`crate::yaml`]).

use crate::model::{Citation, Expression, Model, Ports, Selector};
use crate::plan::{self, Direction, Namespaces, Peer, Plan, Policy, Rule};
use crate::source::Sources;
use k8s_openapi::api::networking::v1 as net;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement, ObjectMeta,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// The label every emitted object carries.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "ward");
/// The prefix of Ward's annotations.
pub const ANNOTATION_PREFIX: &str = "ward.dev/";
/// What a default-deny policy does, as its annotation and the matrix say it.
pub const DEFAULT_DENY_PURPOSE: &str = "every connection not allowed by another policy";

/// A default-deny policy's `ward.dev/purpose` annotation, which the matrix
/// shows as its justification.
pub fn default_deny_note() -> String {
    format!("default deny: {DEFAULT_DENY_PURPOSE}")
}

/// The label Kubernetes sets on every namespace to its name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// One emitted policy with the plan entry it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted {
    /// The namespace.
    pub namespace: String,
    /// The policy's name.
    pub name: String,
    /// The object.
    pub object: net::NetworkPolicy,
}

/// Every policy of the plan as a Kubernetes object, in plan order.
pub fn emit(model: &Model, plan: &Plan, sources: &Sources) -> Vec<Emitted> {
    emit_each(model, plan, sources, |emitted| emitted)
}

/// Every policy of the plan as a Kubernetes object, handed to `f` one at a
/// time in plan order, with what `f` returns for each: for a caller that
/// serializes each object and need not hold them all (a large build's
/// objects take several times the memory of their YAML).
pub fn emit_each<T>(
    model: &Model,
    plan: &Plan,
    sources: &Sources,
    mut f: impl FnMut(Emitted) -> T,
) -> Vec<T> {
    let traces = traces(model, sources);
    plan.policies
        .iter()
        .map(|policy| {
            f(Emitted {
                namespace: policy.namespace.clone(),
                name: policy.name.clone(),
                object: network_policy(model, policy, sources, &traces),
            })
        })
        .collect()
}

/// What every rule of a flow carries, made once per flow.
fn traces(model: &Model, sources: &Sources) -> Vec<Trace> {
    model
        .flows
        .iter()
        .map(|flow| Trace {
            annotation: format!(
                "flow {} | controls {} | {}",
                flow.text,
                cited(&flow.citations),
                sources.location(flow.span)
            ),
            criteria: flow.criteria(),
        })
        .collect()
}

/// A flow's annotation and criteria, as every rule implementing it cites
/// them.
struct Trace {
    annotation: String,
    criteria: std::collections::BTreeSet<&'static str>,
}

/// Kubernetes' limit on the annotations of one object: keys and values
/// together, in bytes (`TotalAnnotationSizeLimitB`, 256 KiB).
pub const ANNOTATIONS_LIMIT: usize = 256 * 1024;

/// A policy whose annotations would be over [`ANNOTATIONS_LIMIT`], which the
/// API server would reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oversized {
    /// Its position in the plan.
    pub policy: usize,
    /// The bytes of its annotations, keys and values.
    pub bytes: usize,
}

/// Every policy of the plan whose annotations, exactly as [`emit`] writes
/// them, are over Kubernetes' limit.
///
/// Most policies are far below it, so a policy's annotations are built and
/// measured only when an upper bound of their size, summed from the flows'
/// parts without building any text, could be over it.
pub fn oversized(model: &Model, plan: &Plan, sources: &Sources) -> Vec<Oversized> {
    let bounds: Vec<usize> = model
        .flows
        .iter()
        .map(|flow| {
            let file = sources.get(flow.span.file).map_or(0, |f| f.name.len());
            let controls: usize = flow.citations.iter().map(|c| c.id.len() + 2).sum();
            // `flow TEXT | controls A, B | FILE:LINE` and the key
            // `ward.dev/ingress-N`, with room for any N and LINE.
            "flow  | controls  | :".len() + flow.text.len() + controls + file + 2 * 20 + 40
        })
        .collect();
    let mut traces: Option<Vec<Trace>> = None;
    plan.policies
        .iter()
        .enumerate()
        .filter_map(|(index, policy)| {
            let bound: usize = policy
                .ingress
                .iter()
                .chain(&policy.egress)
                .map(|rule| bounds.get(rule.flow).copied().unwrap_or(ANNOTATIONS_LIMIT))
                .sum::<usize>()
                // The criteria (at most the catalog's ids) and the purpose.
                + 4096;
            if policy.target != plan::Target::DefaultDeny && bound <= ANNOTATIONS_LIMIT {
                return None;
            }
            // A default deny has no rules: it needs no flow's trace.
            let traces: &[Trace] = if policy.target == plan::Target::DefaultDeny {
                &[]
            } else {
                traces.get_or_insert_with(|| self::traces(model, sources))
            };
            let bytes = annotations(model, policy, sources, traces)
                .iter()
                .map(|(key, value)| key.len() + value.len())
                .sum();
            (bytes > ANNOTATIONS_LIMIT).then_some(Oversized {
                policy: index,
                bytes,
            })
        })
        .collect()
}

/// The annotation key citing rule `index` of `direction`: `ward.dev/ingress-0`.
pub fn rule_annotation(direction: Direction, index: usize) -> String {
    format!("{ANNOTATION_PREFIX}{}-{index}", direction.as_str())
}

/// The annotations of one policy: its purpose (default deny), the baseline,
/// one per rule leading to its flow, and the criteria served.
fn annotations(
    model: &Model,
    policy: &Policy,
    sources: &Sources,
    traces: &[Trace],
) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::new();
    let mut criteria = std::collections::BTreeSet::new();
    if policy.target == plan::Target::DefaultDeny {
        criteria.extend(model.baseline_criteria());
        annotations.insert(format!("{ANNOTATION_PREFIX}purpose"), default_deny_note());
        if let Some(first) = model.baseline.first() {
            annotations.insert(
                format!("{ANNOTATION_PREFIX}baseline"),
                format!(
                    "controls {} | {}",
                    cited(&model.baseline),
                    sources.location(first.span)
                ),
            );
        }
    }
    for direction in [Direction::Ingress, Direction::Egress] {
        for (index, rule) in policy.rules(direction).iter().enumerate() {
            if let Some(trace) = traces.get(rule.flow) {
                criteria.extend(trace.criteria.iter().copied());
                annotations.insert(rule_annotation(direction, index), trace.annotation.clone());
            }
        }
    }
    if !criteria.is_empty() {
        let list: Vec<&str> = criteria.into_iter().collect();
        annotations.insert(format!("{ANNOTATION_PREFIX}criteria"), list.join(", "));
    }
    annotations
}

fn network_policy(
    model: &Model,
    policy: &Policy,
    sources: &Sources,
    traces: &[Trace],
) -> net::NetworkPolicy {
    let annotations = annotations(model, policy, sources, traces);
    let mut policy_types = Vec::new();
    if policy.target == plan::Target::DefaultDeny || !policy.ingress.is_empty() {
        policy_types.push("Ingress".to_string());
    }
    if policy.target == plan::Target::DefaultDeny || !policy.egress.is_empty() {
        policy_types.push("Egress".to_string());
    }
    let ingress: Vec<net::NetworkPolicyIngressRule> = policy
        .ingress
        .iter()
        .map(|rule| net::NetworkPolicyIngressRule {
            from: Some(peers(rule)),
            ports: ports(rule),
        })
        .collect();
    let egress: Vec<net::NetworkPolicyEgressRule> = policy
        .egress
        .iter()
        .map(|rule| net::NetworkPolicyEgressRule {
            to: Some(peers(rule)),
            ports: ports(rule),
        })
        .collect();
    net::NetworkPolicy {
        metadata: ObjectMeta {
            name: Some(policy.name.clone()),
            namespace: Some(policy.namespace.clone()),
            labels: Some(BTreeMap::from([(
                MANAGED_BY.0.to_string(),
                MANAGED_BY.1.to_string(),
            )])),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        },
        spec: Some(net::NetworkPolicySpec {
            pod_selector: Some(label_selector(&policy.selector)),
            policy_types: Some(policy_types),
            ingress: (!ingress.is_empty()).then_some(ingress),
            egress: (!egress.is_empty()).then_some(egress),
        }),
    }
}

fn cited(citations: &[Citation]) -> String {
    citations
        .iter()
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A selector in Kubernetes' form; empty is `{}` (select everything).
///
/// A `k=v` term whose key a YAML reader could take for something other than
/// a string (`2024-01-15`, `0x_1F`: valid label keys) is written as the
/// requirement `k In (v)`, which selects the same pods: the YAML writer can
/// quote a value but not a map key (see [`crate::yaml::is_plain_string`]).
pub fn label_selector(selector: &Selector) -> LabelSelector {
    let (match_labels, retyped): (BTreeMap<String, String>, BTreeMap<String, String>) = selector
        .labels
        .clone()
        .into_iter()
        .partition(|(key, _)| key.contains('/') || crate::yaml::is_plain_string(key));
    let mut match_expressions: Vec<LabelSelectorRequirement> =
        selector.expressions.iter().map(requirement).collect();
    match_expressions.extend(
        retyped
            .into_iter()
            .map(|(key, value)| LabelSelectorRequirement {
                key,
                operator: "In".to_string(),
                values: Some(vec![value]),
            }),
    );
    LabelSelector {
        match_labels: (!match_labels.is_empty()).then_some(match_labels),
        match_expressions: (!match_expressions.is_empty()).then_some(match_expressions),
    }
}

fn requirement(expression: &Expression) -> LabelSelectorRequirement {
    let values: Vec<String> = expression.values.iter().cloned().collect();
    LabelSelectorRequirement {
        key: expression.key.clone(),
        operator: expression.operator.as_str().to_string(),
        values: (!values.is_empty()).then_some(values),
    }
}

fn peers(rule: &Rule) -> Vec<net::NetworkPolicyPeer> {
    rule.peers.iter().map(peer).collect()
}

fn peer(peer: &Peer) -> net::NetworkPolicyPeer {
    match peer {
        Peer::Pods { namespaces, pods } => net::NetworkPolicyPeer {
            namespace_selector: match namespaces {
                Namespaces::Own => None,
                Namespaces::Named(name) => Some(LabelSelector {
                    match_labels: Some(BTreeMap::from([(
                        NAMESPACE_NAME_LABEL.to_string(),
                        name.clone(),
                    )])),
                    match_expressions: None,
                }),
                Namespaces::AnyOf(names) => Some(LabelSelector {
                    match_labels: None,
                    match_expressions: Some(vec![LabelSelectorRequirement {
                        key: NAMESPACE_NAME_LABEL.to_string(),
                        operator: "In".to_string(),
                        values: Some(names.clone()),
                    }]),
                }),
            },
            pod_selector: Some(label_selector(pods)),
            ip_block: None,
        },
        Peer::Addresses(block) => net::NetworkPolicyPeer {
            ip_block: Some(net::IPBlock {
                cidr: block.cidr.to_string(),
                except: (!block.except.is_empty())
                    .then(|| block.except.iter().map(ToString::to_string).collect()),
            }),
            namespace_selector: None,
            pod_selector: None,
        },
    }
}

fn ports(rule: &Rule) -> Option<Vec<net::NetworkPolicyPort>> {
    match &rule.ports {
        Ports::Any => None,
        // By name, one entry per protocol: Kubernetes resolves it on each
        // destination pod (decision 0007).
        Ports::Named(named) => Some(
            named
                .protocols()
                .into_iter()
                .map(|protocol| net::NetworkPolicyPort {
                    protocol: Some(protocol.as_str().to_string()),
                    port: Some(IntOrString::String(named.name.clone())),
                    end_port: None,
                })
                .collect(),
        ),
        Ports::Ranges(ranges) => Some(
            ranges
                .iter()
                .map(|range| net::NetworkPolicyPort {
                    protocol: Some(range.protocol.as_str().to_string()),
                    port: Some(IntOrString::Int(i32::from(range.first))),
                    end_port: (range.last != range.first).then_some(i32::from(range.last)),
                })
                .collect(),
        ),
    }
}
