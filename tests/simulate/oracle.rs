//! A naive transcription of the NetworkPolicy v1 spec, pod by pod and rule
//! by rule over the typed objects, written apart from the simulator (no
//! classes, no bit sets, no precomputation) so that the properties can
//! compare the two.

use ipnet::IpNet;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;
use std::net::IpAddr;
use ward::simulate::{Endpoint, PodRef, Probe, World};

type Labels = BTreeMap<String, String>;

/// A pod as the oracle sees it.
pub struct OraclePod {
    namespace: String,
    labels: Labels,
    /// (name, protocol, number)
    ports: Vec<(Option<String>, String, i32)>,
    ips: Vec<IpAddr>,
}

/// The oracle's view of a world.
pub struct Oracle {
    namespaces: BTreeMap<String, Labels>,
    pods: BTreeMap<PodRef, OraclePod>,
    policies: Vec<NetworkPolicy>,
}

enum End<'a> {
    Pod(&'a OraclePod),
    Ip(IpAddr),
}

fn namespace_of(namespace: Option<&String>) -> String {
    namespace.cloned().unwrap_or_else(|| "default".to_owned())
}

/// Whether a label selector matches, straight from the API documentation.
pub fn selects(selector: &LabelSelector, labels: &Labels) -> bool {
    let by_label = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(key, value)| labels.get(key) == Some(value));
    let by_expression = selector
        .match_expressions
        .iter()
        .flatten()
        .all(|requirement| {
            let values = requirement.values.clone().unwrap_or_default();
            let value = labels.get(&requirement.key);
            match requirement.operator.as_str() {
                "In" => value.is_some_and(|value| values.contains(value)),
                "NotIn" => !value.is_some_and(|value| values.contains(value)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        });
    by_label && by_expression
}

/// (isolates for ingress, isolates for egress), after defaulting.
pub fn policy_types(policy: &NetworkPolicy) -> (bool, bool) {
    let spec = policy.spec.clone().unwrap_or_default();
    let types = spec.policy_types.clone().unwrap_or_default();
    if types.is_empty() {
        (true, spec.egress.is_some_and(|rules| !rules.is_empty()))
    } else {
        (
            types.iter().any(|t| t == "Ingress"),
            types.iter().any(|t| t == "Egress"),
        )
    }
}

fn in_block(block: &IPBlock, ip: IpAddr) -> bool {
    let inside = |cidr: &str| cidr.parse::<IpNet>().is_ok_and(|net| net.contains(&ip));
    inside(&block.cidr) && !block.except.iter().flatten().any(|except| inside(except))
}

impl Oracle {
    /// The oracle for the world built from these objects (`world` gives the
    /// pod IPs it assigned).
    pub fn new(
        namespaces: &[Namespace],
        pods: &[Pod],
        policies: &[NetworkPolicy],
        world: &World,
    ) -> Self {
        let mut spaces: BTreeMap<String, Labels> = BTreeMap::new();
        for namespace in namespaces {
            let name = namespace.metadata.name.clone().unwrap_or_default();
            let mut labels = namespace.metadata.labels.clone().unwrap_or_default();
            labels.insert("kubernetes.io/metadata.name".to_owned(), name.clone());
            spaces.insert(name, labels);
        }
        let mut oracle_pods = BTreeMap::new();
        for pod in pods {
            let namespace = namespace_of(pod.metadata.namespace.as_ref());
            let id = PodRef::new(
                namespace.clone(),
                pod.metadata.name.clone().unwrap_or_default(),
            );
            let mut ips: Vec<IpAddr> = pod
                .status
                .iter()
                .flat_map(|status| status.pod_ip.iter())
                .filter_map(|ip| ip.parse().ok())
                .collect();
            if ips.is_empty() {
                ips.extend(world.pod_ip(&id));
            }
            let ports = pod
                .spec
                .iter()
                .flat_map(|spec| spec.containers.iter())
                .flat_map(|container| container.ports.iter().flatten())
                .map(|port| {
                    (
                        port.name.clone(),
                        port.protocol.clone().unwrap_or_else(|| "TCP".to_owned()),
                        port.container_port,
                    )
                })
                .collect();
            spaces.entry(namespace.clone()).or_insert_with(|| {
                BTreeMap::from([("kubernetes.io/metadata.name".to_owned(), namespace.clone())])
            });
            oracle_pods.insert(
                id,
                OraclePod {
                    namespace,
                    labels: pod.metadata.labels.clone().unwrap_or_default(),
                    ports,
                    ips,
                },
            );
        }
        for policy in policies {
            let namespace = namespace_of(policy.metadata.namespace.as_ref());
            spaces.entry(namespace.clone()).or_insert_with(|| {
                BTreeMap::from([("kubernetes.io/metadata.name".to_owned(), namespace.clone())])
            });
        }
        Self {
            namespaces: spaces,
            pods: oracle_pods,
            policies: policies.to_vec(),
        }
    }

    fn end(&self, endpoint: &Endpoint) -> Option<End<'_>> {
        match endpoint {
            Endpoint::Pod(pod) => self.pods.get(pod).map(End::Pod),
            Endpoint::External(ip) => Some(End::Ip(*ip)),
        }
    }

    /// Whether `policy` selects `pod` for ingress (`true`) or egress.
    pub fn selects_pod(&self, policy: &NetworkPolicy, pod: &PodRef, ingress: bool) -> bool {
        let Some(pod) = self.pods.get(pod) else {
            return false;
        };
        let (isolates_ingress, isolates_egress) = policy_types(policy);
        let applies = if ingress {
            isolates_ingress
        } else {
            isolates_egress
        };
        applies
            && namespace_of(policy.metadata.namespace.as_ref()) == pod.namespace
            && selects(
                &policy
                    .spec
                    .clone()
                    .unwrap_or_default()
                    .pod_selector
                    .unwrap_or_default(),
                &pod.labels,
            )
    }

    fn peer_matches(
        &self,
        peers: Option<&Vec<NetworkPolicyPeer>>,
        policy_namespace: &str,
        peer: &End<'_>,
    ) -> bool {
        let Some(peers) = peers.filter(|peers| !peers.is_empty()) else {
            return true;
        };
        peers.iter().any(|entry| {
            if let Some(block) = &entry.ip_block {
                return match peer {
                    End::Pod(pod) => pod.ips.iter().any(|ip| in_block(block, *ip)),
                    End::Ip(ip) => in_block(block, *ip),
                };
            }
            let End::Pod(pod) = peer else {
                return false;
            };
            let namespace_ok = match &entry.namespace_selector {
                None => pod.namespace == policy_namespace,
                Some(selector) => self
                    .namespaces
                    .get(&pod.namespace)
                    .is_some_and(|labels| selects(selector, labels)),
            };
            let pod_ok = entry
                .pod_selector
                .as_ref()
                .is_none_or(|selector| selects(selector, &pod.labels));
            namespace_ok && pod_ok
        })
    }

    fn port_matches(
        ports: Option<&Vec<NetworkPolicyPort>>,
        probe: Probe,
        destination: &End<'_>,
    ) -> bool {
        let Some(ports) = ports.filter(|ports| !ports.is_empty()) else {
            return true;
        };
        let number = i32::from(probe.port);
        ports.iter().any(|port| {
            let protocol = port.protocol.clone().unwrap_or_else(|| "TCP".to_owned());
            protocol == probe.protocol.to_string()
                && match &port.port {
                    None => true,
                    Some(IntOrString::Int(first)) => match port.end_port {
                        None => number == *first,
                        Some(last) => *first <= number && number <= last,
                    },
                    Some(IntOrString::String(name)) => match destination {
                        End::Ip(_) => false,
                        End::Pod(pod) => {
                            pod.ports
                                .iter()
                                .any(|(port_name, port_protocol, port_number)| {
                                    port_name.as_deref() == Some(name.as_str())
                                        && *port_protocol == protocol
                                        && *port_number == number
                                })
                        }
                    },
                }
        })
    }

    fn side(
        &self,
        subject: &OraclePod,
        ingress: bool,
        peer: &End<'_>,
        probe: Probe,
        destination: &End<'_>,
    ) -> bool {
        let selecting: Vec<&NetworkPolicy> = self
            .policies
            .iter()
            .filter(|policy| {
                let (isolates_ingress, isolates_egress) = policy_types(policy);
                (if ingress {
                    isolates_ingress
                } else {
                    isolates_egress
                }) && namespace_of(policy.metadata.namespace.as_ref()) == subject.namespace
                    && selects(
                        &policy
                            .spec
                            .clone()
                            .unwrap_or_default()
                            .pod_selector
                            .unwrap_or_default(),
                        &subject.labels,
                    )
            })
            .collect();
        if selecting.is_empty() {
            return true;
        }
        selecting.iter().any(|policy| {
            let namespace = namespace_of(policy.metadata.namespace.as_ref());
            let spec = policy.spec.clone().unwrap_or_default();
            if ingress {
                spec.ingress.iter().flatten().any(|rule| {
                    self.peer_matches(rule.from.as_ref(), &namespace, peer)
                        && Self::port_matches(rule.ports.as_ref(), probe, destination)
                })
            } else {
                spec.egress.iter().flatten().any(|rule| {
                    self.peer_matches(rule.to.as_ref(), &namespace, peer)
                        && Self::port_matches(rule.ports.as_ref(), probe, destination)
                })
            }
        })
    }

    /// Whether the spec allows `src` to reach `dst` on `probe`.
    pub fn allowed(&self, src: &Endpoint, dst: &Endpoint, probe: Probe) -> Option<bool> {
        let (from, to) = (self.end(src)?, self.end(dst)?);
        let egress = match &from {
            End::Pod(pod) => self.side(pod, false, &to, probe, &to),
            End::Ip(_) => true,
        };
        let ingress = match &to {
            End::Pod(pod) => self.side(pod, true, &from, probe, &to),
            End::Ip(_) => true,
        };
        Some(egress && ingress)
    }
}
