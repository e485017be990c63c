//! The plan: NetworkPolicy-shaped, with provenance.
//!
//! Lowers the checked [`Model`] into the policies Ward will emit: per managed
//! namespace a default deny, a namespace-wide policy for flows from or to
//! `ns.*` and `*.*`, and one policy per service that takes part in a flow.
//! Every rule carries the index of the flow it implements, so the YAML and
//! the traceability matrix, both functions of the plan, cannot disagree.
//! Must not know about YAML or any output format.

use crate::error::never;
use crate::model::{Endpoint, IpBlock, Model, Ports, Selector};
use indexmap::IndexMap;
use std::rc::Rc;

/// The name of every managed namespace's default-deny policy.
pub const DEFAULT_DENY: &str = "default-deny";
/// The name of the policy that selects every pod of a namespace.
pub const ALL_PODS: &str = "all-pods";
/// The prefix of a service's policy name. Service names are DNS labels, so
/// `svc-NAME` never equals [`DEFAULT_DENY`] or [`ALL_PODS`].
pub const SERVICE_PREFIX: &str = "svc-";

/// Every policy to emit, in a stable order: namespaces in source order, and
/// within each the default deny, the namespace-wide policy, then services in
/// source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The policies.
    pub policies: Vec<Policy>,
}

/// What a policy selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every pod, no rules: the namespace's default deny.
    DefaultDeny,
    /// Every pod, with the rules of `ns.*` and `*.*` flows.
    AllPods,
    /// The pods of one service.
    Service(String),
}

/// One NetworkPolicy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// What it selects.
    pub target: Target,
    /// Its pod selector (empty for namespace-wide policies).
    pub selector: Rc<Selector>,
    /// Ingress rules, one per flow into the selected pods, in source order.
    pub ingress: Vec<Rule>,
    /// Egress rules, one per flow out of the selected pods, in source order.
    pub egress: Vec<Rule>,
}

/// A rule's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Connections into the selected pods.
    Ingress,
    /// Connections out of the selected pods.
    Egress,
}

impl Direction {
    /// `ingress` or `egress`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

impl Policy {
    /// The rules of one direction.
    pub fn rules(&self, direction: Direction) -> &[Rule] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

/// One rule: who, which ports, and the flow it implements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The peers (ORed).
    pub peers: Vec<Peer>,
    /// The destination ports.
    pub ports: Ports,
    /// The index of the flow in [`Model::flows`].
    pub flow: usize,
}

/// The other end of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// Pods chosen by namespace and labels (one peer: both must match).
    Pods {
        /// Which namespaces.
        namespaces: Namespaces,
        /// Which pods in them (shared with the model's service).
        pods: Rc<Selector>,
    },
    /// Addresses outside the cluster.
    Addresses(IpBlock),
}

/// The namespaces of a pod peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespaces {
    /// The policy's own namespace (no namespace selector).
    Own,
    /// One namespace, by its `kubernetes.io/metadata.name` label.
    Named(String),
    /// Several namespaces by name (the managed ones, for `*.*`).
    AnyOf(Vec<String>),
}

/// A place in the plan: which policy, which direction, which rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleRef {
    /// The policy's namespace.
    pub namespace: String,
    /// The policy's name.
    pub policy: String,
    /// The direction.
    pub direction: Direction,
    /// The rule's index within that direction.
    pub index: usize,
}

impl Plan {
    /// Every rule that implements flow `flow`, in plan order.
    pub fn rules_of_flow(&self, flow: usize) -> Vec<RuleRef> {
        let mut refs = Vec::new();
        for policy in &self.policies {
            for direction in [Direction::Egress, Direction::Ingress] {
                for (index, rule) in policy.rules(direction).iter().enumerate() {
                    if rule.flow == flow {
                        refs.push(RuleRef {
                            namespace: policy.namespace.clone(),
                            policy: policy.name.clone(),
                            direction,
                            index,
                        });
                    }
                }
            }
        }
        refs
    }

    /// For every flow index below `flows`, the rules that implement it, in
    /// plan order: [`Plan::rules_of_flow`] for all flows in one pass over
    /// the plan.
    pub fn rules_by_flow(&self, flows: usize) -> Vec<Vec<RuleRef>> {
        let mut refs = vec![Vec::new(); flows];
        for policy in &self.policies {
            for direction in [Direction::Egress, Direction::Ingress] {
                for (index, rule) in policy.rules(direction).iter().enumerate() {
                    if let Some(list) = refs.get_mut(rule.flow) {
                        list.push(RuleRef {
                            namespace: policy.namespace.clone(),
                            policy: policy.name.clone(),
                            direction,
                            index,
                        });
                    }
                }
            }
        }
        refs
    }
}

/// Lowers a checked model to the policies that implement it.
pub fn plan(model: &Model) -> Plan {
    let managed: Vec<String> = model
        .managed_namespaces()
        .map(|ns| ns.name.clone())
        .collect();
    // Every policy, in order, and where to find each while rules are added.
    let mut index = Index::default();
    let mut policies: Vec<Policy> = Vec::new();
    for namespace in model.managed_namespaces() {
        policies.push(policy(
            &namespace.name,
            DEFAULT_DENY.to_string(),
            Target::DefaultDeny,
            Rc::default(),
        ));
        index.all_pods.insert(&namespace.name, policies.len());
        policies.push(policy(
            &namespace.name,
            ALL_PODS.to_string(),
            Target::AllPods,
            Rc::default(),
        ));
        for service in namespace.services.values() {
            index
                .services
                .insert((&namespace.name, &service.name), policies.len());
            policies.push(policy(
                &namespace.name,
                format!("{SERVICE_PREFIX}{}", service.name),
                Target::Service(service.name.clone()),
                service.selector.clone(),
            ));
        }
    }
    for flow in &model.flows {
        for (holder, direction, other) in [
            (&flow.src, Direction::Egress, &flow.dst),
            (&flow.dst, Direction::Ingress, &flow.src),
        ] {
            for at in index.holders(holder) {
                let Some(policy) = policies.get_mut(at) else {
                    never!("the index names policy {at}, which the plan does not hold");
                    continue;
                };
                let peers = peers_of(other, &policy.namespace, &managed);
                // No peers would be Kubernetes' "every peer"; an external
                // with no address (every block inside a hole) allows nothing.
                if peers.is_empty() {
                    continue;
                }
                let rule = Rule {
                    peers,
                    ports: flow.ports.clone(),
                    flow: flow.index,
                };
                match direction {
                    Direction::Ingress => policy.ingress.push(rule),
                    Direction::Egress => policy.egress.push(rule),
                }
            }
        }
    }
    Plan {
        policies: policies
            .into_iter()
            .filter(|p| {
                p.target == Target::DefaultDeny || !p.ingress.is_empty() || !p.egress.is_empty()
            })
            .collect(),
    }
}

fn policy(namespace: &str, name: String, target: Target, selector: Rc<Selector>) -> Policy {
    Policy {
        namespace: namespace.to_string(),
        name,
        target,
        selector,
        ingress: Vec::new(),
        egress: Vec::new(),
    }
}

/// Where the policies that hold a flow's rules are, by position.
#[derive(Default)]
struct Index<'m> {
    /// Each managed namespace's `all-pods` policy, in source order.
    all_pods: IndexMap<&'m str, usize>,
    /// Each service's policy, by (namespace, service).
    services: IndexMap<(&'m str, &'m str), usize>,
}

impl Index<'_> {
    /// The policies that hold the rules for pods at `end`: none for
    /// externals and unmanaged namespaces, every namespace's `all-pods` for
    /// `*.*`.
    fn holders(&self, end: &Endpoint) -> Vec<usize> {
        match end {
            Endpoint::Service {
                namespace,
                managed: true,
                service,
                ..
            } => self
                .services
                .get(&(namespace.as_str(), service.as_str()))
                .copied()
                .into_iter()
                .collect(),
            Endpoint::Namespace {
                namespace,
                managed: true,
            } => self
                .all_pods
                .get(namespace.as_str())
                .copied()
                .into_iter()
                .collect(),
            Endpoint::AllManaged => self.all_pods.values().copied().collect(),
            Endpoint::Service { .. } | Endpoint::Namespace { .. } | Endpoint::External { .. } => {
                Vec::new()
            }
        }
    }
}

/// `end` as the peers of a rule in a policy of namespace `own`.
fn peers_of(end: &Endpoint, own: &str, managed: &[String]) -> Vec<Peer> {
    let namespace_of = |namespace: &str| {
        if namespace == own {
            Namespaces::Own
        } else {
            Namespaces::Named(namespace.to_string())
        }
    };
    match end {
        Endpoint::Service {
            namespace,
            selector,
            ..
        } => vec![Peer::Pods {
            namespaces: namespace_of(namespace),
            pods: selector.clone(),
        }],
        Endpoint::Namespace { namespace, .. } => vec![Peer::Pods {
            namespaces: namespace_of(namespace),
            pods: Rc::default(),
        }],
        Endpoint::AllManaged => vec![Peer::Pods {
            namespaces: Namespaces::AnyOf(managed.to_vec()),
            pods: Rc::default(),
        }],
        Endpoint::External { addresses, .. } => addresses
            .ip_blocks()
            .into_iter()
            .map(Peer::Addresses)
            .collect(),
    }
}
