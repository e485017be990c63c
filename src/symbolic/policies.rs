//! What NetworkPolicy objects allow, as regions: per policy and rule, the
//! connections an egress rule admits from the pods it governs and an
//! ingress rule admits to them, and the connections of pods no policy
//! isolates. Read from the objects directly (not through the simulator's
//! reader), so that the two judges share no interpretation of the API.

use super::intervals::{Addresses, Intervals};
use super::labels::{Key, Labels, Values};
use super::region::{Cube, Protocols, Side, all_ports, name_key};
use crate::plan::Direction;
use crate::protocol::Protocol;
use ipnet::IpNet;
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// The rule a region comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// The policy's namespace.
    pub namespace: String,
    /// The policy's name.
    pub name: String,
    /// Egress or ingress.
    pub direction: Direction,
    /// The rule's position in its list.
    pub index: usize,
}

/// One direction's grants: regions with the rule behind each (`None`: a pod
/// no policy isolates in that direction).
pub type Grants = Vec<(Cube, Option<Origin>)>;

/// What a set of policies allows, per direction.
#[derive(Debug, Clone, Default)]
pub struct Allowed {
    /// Connections the source's side lets out (sources are pods).
    pub egress: Grants,
    /// Connections the destination's side lets in (destinations are pods).
    pub ingress: Grants,
}

/// A policy the judge cannot read: where (the object and field, as
/// `` `ns/name` `spec.ingress[0].ports[1]` ``) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The object and field.
    pub at: String,
    /// What is wrong with it.
    pub fault: Fault,
}

/// What makes a field of a policy unreadable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The object has no `metadata.namespace`.
    NoNamespace,
    /// An `ipBlock` address that is not a CIDR.
    Cidr(String),
    /// A protocol other than TCP, UDP and SCTP.
    Protocol(String),
    /// A port number outside 1-65535.
    Port(i32),
    /// A selector operator other than `In`, `NotIn`, `Exists`, `DoesNotExist`.
    Operator(String),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = &self.at;
        match &self.fault {
            Fault::NoNamespace => write!(f, "a policy has no `metadata.namespace`"),
            Fault::Cidr(text) => write!(f, "{at}: `{text}` is not a CIDR"),
            Fault::Protocol(text) => write!(f, "{at}.protocol: `{text}` is not a protocol"),
            Fault::Port(n) => write!(f, "{at}: port {n} is outside 1-65535"),
            Fault::Operator(text) => write!(f, "{at}: `{text}` is not an operator"),
        }
    }
}

impl Unreadable {
    fn new(at: &str, fault: Fault) -> Self {
        Self {
            at: at.to_string(),
            fault,
        }
    }
}

/// Reads the policies; an error names the object and field it cannot read.
pub fn allowed(policies: &[NetworkPolicy]) -> Result<Allowed, Unreadable> {
    let mut allowed = Allowed::default();
    // Per namespace, the selectors of the policies isolating each direction.
    let mut isolating: [BTreeMap<String, Vec<Labels>>; 2] = Default::default();
    for policy in policies {
        let namespace = policy
            .metadata
            .namespace
            .clone()
            .ok_or_else(|| Unreadable::new("", Fault::NoNamespace))?;
        let name = policy.metadata.name.clone().unwrap_or_default();
        let at = |field: &str| format!("`{namespace}/{name}` `{field}`");
        let spec = policy.spec.as_ref();
        let home =
            Labels::require(name_key(), Values::one_of([namespace.clone()])).unwrap_or_default();
        let selected = match spec.and_then(|s| s.pod_selector.as_ref()) {
            Some(pods) => selector(pods, Key::Pod, &at("spec.podSelector"))?,
            None => Some(Labels::any()),
        }
        .and_then(|s| s.intersect(&home));
        let ingress = spec.and_then(|s| s.ingress.as_deref()).unwrap_or_default();
        let egress = spec.and_then(|s| s.egress.as_deref()).unwrap_or_default();
        let (has_ingress, has_egress) = match spec.and_then(|s| s.policy_types.as_deref()) {
            None | Some([]) => (true, !egress.is_empty()),
            Some(types) => (
                types.iter().any(|t| t == "Ingress"),
                types.iter().any(|t| t == "Egress"),
            ),
        };
        let Some(selected) = selected else { continue };
        // Per direction: its rules as (peers, ports), whether the policy
        // isolates it, and where its grants and selectors go.
        let directions = [
            (
                Direction::Egress,
                has_egress,
                egress
                    .iter()
                    .map(|r| (r.to.as_deref(), r.ports.as_deref()))
                    .collect::<Vec<_>>(),
            ),
            (
                Direction::Ingress,
                has_ingress,
                ingress
                    .iter()
                    .map(|r| (r.from.as_deref(), r.ports.as_deref()))
                    .collect(),
            ),
        ];
        for (direction, isolates, rules) in directions {
            if !isolates {
                continue;
            }
            let (list, isolated) = match direction {
                Direction::Egress => (&mut allowed.egress, &mut isolating[0]),
                Direction::Ingress => (&mut allowed.ingress, &mut isolating[1]),
            };
            isolated
                .entry(namespace.clone())
                .or_default()
                .push(selected.clone());
            for (index, (peers, ports)) in rules.into_iter().enumerate() {
                let path = at(&format!("spec.{}[{index}]", direction.as_str()));
                for (peer, grant) in grants(&namespace, peers, ports, &path)? {
                    let governed = Side::Pods(selected.clone());
                    let (src, dst) = match direction {
                        Direction::Egress => (governed, peer),
                        Direction::Ingress => (peer, governed),
                    };
                    let (dst, protocols, numbers) = grant.apply(dst);
                    let origin = Origin {
                        namespace: namespace.clone(),
                        name: name.clone(),
                        direction,
                        index,
                    };
                    list.extend(
                        dst.and_then(|dst| Cube::new(src, dst, protocols, numbers))
                            .map(|c| (c, Some(origin))),
                    );
                }
            }
        }
    }
    let [out, into] = isolating;
    for pods in free(&out) {
        for dst in Side::everything() {
            allowed.egress.extend(
                Cube::new(Side::Pods(pods.clone()), dst, Protocols::ALL, all_ports())
                    .map(|c| (c, None)),
            );
        }
    }
    for pods in free(&into) {
        for src in Side::everything() {
            allowed.ingress.extend(
                Cube::new(src, Side::Pods(pods.clone()), Protocols::ALL, all_ports())
                    .map(|c| (c, None)),
            );
        }
    }
    Ok(allowed)
}

/// The pods no policy of `isolating` selects: those of namespaces without
/// one, and in the others those outside every selector.
fn free(isolating: &BTreeMap<String, Vec<Labels>>) -> Vec<Labels> {
    let elsewhere = Labels::require(
        name_key(),
        Values {
            absent: false,
            present: super::labels::Present::AllBut(isolating.keys().cloned().collect()),
        },
    );
    let mut pods: Vec<Labels> = elsewhere.into_iter().collect();
    for (namespace, selectors) in isolating {
        let home = Labels::require(name_key(), Values::one_of([namespace.clone()]));
        let mut rest: Vec<Labels> = home.into_iter().collect();
        for selected in selectors {
            rest = rest
                .iter()
                .flat_map(|piece| piece.minus(selected))
                .collect();
        }
        pods.extend(rest);
    }
    pods
}

/// What one port entry of a rule admits: protocols, numbers, and for a
/// named port the destination's port of that name.
#[derive(Debug, Clone)]
struct PortGrant {
    protocols: Protocols,
    numbers: Intervals,
    name: Option<String>,
}

impl PortGrant {
    /// The destination side narrowed to pods whose port of the name is the
    /// connection's (nothing for addresses), with the protocols and numbers.
    fn apply(&self, dst: Side) -> (Option<Side>, Protocols, Intervals) {
        let dst = match (&self.name, dst) {
            (None, dst) => Some(dst),
            (Some(name), Side::Pods(cube)) => cube
                .with(Key::Port(name.clone()), &Values::exists())
                .map(Side::Pods),
            (Some(_), Side::Addresses(_)) => None,
        };
        (dst, self.protocols, self.numbers.clone())
    }
}

/// Every (peer side, port grant) pair of one rule.
fn grants(
    namespace: &str,
    peers: Option<&[NetworkPolicyPeer]>,
    ports: Option<&[NetworkPolicyPort]>,
    at: &str,
) -> Result<Vec<(Side, PortGrant)>, Unreadable> {
    let sides = match peers {
        None | Some([]) => Side::everything().to_vec(),
        Some(peers) => {
            let mut sides = Vec::new();
            for (i, peer) in peers.iter().enumerate() {
                sides.extend(peer_side(namespace, peer, &format!("{at}.peers[{i}]"))?);
            }
            sides
        }
    };
    let grants = match ports {
        None | Some([]) => vec![PortGrant {
            protocols: Protocols::ALL,
            numbers: all_ports(),
            name: None,
        }],
        Some(ports) => ports
            .iter()
            .enumerate()
            .map(|(i, port)| port_grant(port, &format!("{at}.ports[{i}]")))
            .collect::<Result<_, _>>()?,
    };
    Ok(sides
        .iter()
        .flat_map(|side| grants.iter().map(move |g| (side.clone(), g.clone())))
        .collect())
}

fn peer_side(
    namespace: &str,
    peer: &NetworkPolicyPeer,
    at: &str,
) -> Result<Option<Side>, Unreadable> {
    if let Some(block) = &peer.ip_block {
        let net = |text: &str| {
            text.parse::<IpNet>()
                .map(|n| n.trunc())
                .map_err(|_| Unreadable::new(at, Fault::Cidr(text.to_string())))
        };
        let cidr = net(&block.cidr)?;
        let holes = block
            .except
            .iter()
            .flatten()
            .map(|t| net(t))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Some(Side::Addresses(Addresses::blocks(&[cidr], &holes))));
    }
    let namespaces = match &peer.namespace_selector {
        None => Labels::require(name_key(), Values::one_of([namespace.to_string()])),
        Some(s) => selector(s, Key::Namespace, &format!("{at}.namespaceSelector"))?
            .and_then(|s| s.intersect(&Labels::require(name_key(), Values::exists())?)),
    };
    let pods = match &peer.pod_selector {
        None => Some(Labels::any()),
        Some(s) => selector(s, Key::Pod, &format!("{at}.podSelector"))?,
    };
    Ok(namespaces
        .zip(pods)
        .and_then(|(n, p)| n.intersect(&p))
        .map(Side::Pods))
}

fn port_grant(port: &NetworkPolicyPort, at: &str) -> Result<PortGrant, Unreadable> {
    let protocol = match port.protocol.as_deref() {
        None | Some("TCP") => Protocol::Tcp,
        Some("UDP") => Protocol::Udp,
        Some("SCTP") => Protocol::Sctp,
        Some(other) => return Err(Unreadable::new(at, Fault::Protocol(other.to_string()))),
    };
    let number = |n: i32| {
        u128::try_from(n)
            .ok()
            .filter(|n| (1..=65535).contains(n))
            .ok_or_else(|| Unreadable::new(at, Fault::Port(n)))
    };
    let (numbers, name) = match (&port.port, port.end_port) {
        (None, _) => (all_ports(), None),
        (Some(IntOrString::Int(first)), end) => {
            let first = number(*first)?;
            let last = end.map(number).transpose()?.unwrap_or(first);
            (Intervals::new([(first, last)]), None)
        }
        (Some(IntOrString::String(name)), _) => (all_ports(), Some(name.clone())),
    };
    Ok(PortGrant {
        protocols: Protocols::one(protocol),
        numbers,
        name,
    })
}

/// A label selector as a cube over keys made by `scope`; `None` when it
/// selects nothing.
fn selector(
    selector: &LabelSelector,
    scope: fn(String) -> Key,
    at: &str,
) -> Result<Option<Labels>, Unreadable> {
    let mut cube = Some(Labels::any());
    for (key, value) in selector.match_labels.iter().flatten() {
        cube = cube.and_then(|c| c.with(scope(key.clone()), &Values::one_of([value.clone()])));
    }
    for requirement in selector.match_expressions.iter().flatten() {
        let values = requirement.values.clone().unwrap_or_default();
        let required = match requirement.operator.as_str() {
            "In" => Values::one_of(values),
            "NotIn" => Values::none_of(values),
            "Exists" => Values::exists(),
            "DoesNotExist" => Values::missing(),
            other => return Err(Unreadable::new(at, Fault::Operator(other.to_string()))),
        };
        cube = cube.and_then(|c| c.with(scope(requirement.key.clone()), &required));
    }
    Ok(cube)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy in `shop` allowing ingress from `peer` on `port`.
    fn policy(peer: serde_json::Value, port: serde_json::Value) -> NetworkPolicy {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "shop"},
            "spec": {
                "podSelector": {},
                "ingress": [{"from": [peer], "ports": [port]}],
            },
        }))
        .unwrap()
    }

    #[test]
    fn an_unreadable_field_is_named_with_its_fault() {
        let pods = serde_json::json!({"podSelector": {}});
        let tcp = serde_json::json!({"port": 80});
        let cases = [
            (
                serde_json::json!({"ipBlock": {"cidr": "10.0.0.0/33"}}),
                tcp.clone(),
                Fault::Cidr("10.0.0.0/33".to_string()),
            ),
            (
                serde_json::json!({"podSelector": {"matchExpressions": [{"key": "app", "operator": "Near"}]}}),
                tcp.clone(),
                Fault::Operator("Near".to_string()),
            ),
            (
                pods.clone(),
                serde_json::json!({"port": 80, "protocol": "ICMP"}),
                Fault::Protocol("ICMP".to_string()),
            ),
            (pods.clone(), serde_json::json!({"port": 0}), Fault::Port(0)),
        ];
        for (peer, port, fault) in cases {
            let error = allowed(&[policy(peer, port)]).unwrap_err();
            assert_eq!(error.fault, fault);
            assert!(
                error.at.starts_with("`shop/p` `spec.ingress[0]"),
                "{}",
                error.at
            );
        }
        let mut nameless = policy(pods, tcp);
        nameless.metadata.namespace = None;
        let error = allowed(&[nameless]).unwrap_err();
        assert_eq!(error.fault, Fault::NoNamespace);
        assert_eq!(error.to_string(), "a policy has no `metadata.namespace`");
    }
}
