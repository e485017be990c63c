//! The world `ward test` simulates: made from the program alone.
//!
//! One pod per service, labelled to match its selector and exposing its
//! ports; in every declared namespace a pod that matches no service; a
//! namespace nobody declared, with a pod; addresses inside, at the edges of
//! and just outside every external set and its holes; and probes on every
//! declared port, the ports just beside each range, and a port nothing uses.

use super::{Member, NamedContainerPort};
use crate::model::{Model, NamedPort, Operator, PortRange, Ports, Protocol, Selector};
use crate::simulate::{self, Endpoint, Probe};
use ipnet::IpNet;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// The namespace the test world adds that no program declares.
pub const OUTSIDER_NAMESPACE: &str = "ward-outsider";
/// The name of the pod in each namespace that matches no service.
pub const UNMATCHED_POD: &str = "unmatched";
/// The label that marks the test world's unmatched pods.
const PROBE_LABEL: (&str, &str) = ("ward.dev/probe", "unmatched");

/// A world made from a program, with what each endpoint is.
#[derive(Debug, Clone)]
pub struct TestWorld {
    /// Namespaces, as Kubernetes objects.
    pub namespaces: Vec<core::Namespace>,
    /// Pods, as Kubernetes objects.
    pub pods: Vec<core::Pod>,
    /// Every endpoint (pods first, then addresses) with its identity.
    pub members: Vec<(Endpoint, Member)>,
    /// The probes to try.
    pub probes: Vec<Probe>,
}

impl TestWorld {
    /// The external addresses of the world.
    pub fn addresses(&self) -> Vec<IpAddr> {
        self.members
            .iter()
            .filter_map(|(e, _)| match e {
                Endpoint::External(ip) => Some(*ip),
                Endpoint::Pod(_) => None,
            })
            .collect()
    }
}

/// Labels that `selector` selects: `k=v` as given, `in` its first value,
/// `has` a placeholder value; `notin` and `!` by leaving the label out.
pub fn labels_for(selector: &Selector) -> BTreeMap<String, String> {
    let mut labels = selector.labels.clone();
    for expression in &selector.expressions {
        match expression.operator {
            Operator::In => {
                if let Some(value) = expression.values.iter().next() {
                    labels
                        .entry(expression.key.clone())
                        .or_insert_with(|| value.clone());
                }
            }
            Operator::Exists => {
                labels
                    .entry(expression.key.clone())
                    .or_insert_with(|| "present".to_string());
            }
            Operator::NotIn | Operator::DoesNotExist => {}
        }
    }
    labels
}

/// Makes the test world of a program.
pub fn test_world(model: &Model) -> TestWorld {
    let pod_range = pod_range(model);
    let mut hosts = pod_range.hosts();
    let mut next_ip = || hosts.next();
    let mut world = TestWorld {
        namespaces: Vec::new(),
        pods: Vec::new(),
        members: Vec::new(),
        probes: probes(model),
    };
    let mut namespaces: Vec<(String, bool)> = model
        .namespaces
        .values()
        .map(|ns| (ns.name.clone(), ns.managed))
        .collect();
    namespaces.push((OUTSIDER_NAMESPACE.to_string(), false));
    for (index, (name, managed)) in namespaces.iter().enumerate() {
        world.namespaces.push(core::Namespace {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                ..ObjectMeta::default()
            },
            ..core::Namespace::default()
        });
        let services = model
            .namespaces
            .get_index(index)
            .map(|(_, ns)| ns.services.values());
        for service in services.into_iter().flatten() {
            let ports: Vec<(String, PortRange)> = service
                .ports
                .values()
                .map(|p| (p.name.clone(), p.range))
                .collect();
            let pod_name = format!("svc-{}", service.name);
            world.add_pod(
                name,
                &pod_name,
                labels_for(&service.selector),
                &ports,
                next_ip(),
                *managed,
            );
        }
        let unmatched = BTreeMap::from([(PROBE_LABEL.0.to_string(), PROBE_LABEL.1.to_string())]);
        world.add_pod(name, UNMATCHED_POD, unmatched, &[], next_ip(), *managed);
    }
    for ip in edge_addresses(model) {
        world
            .members
            .push((Endpoint::External(ip), Member::Address(ip)));
    }
    world
}

impl TestWorld {
    fn add_pod(
        &mut self,
        namespace: &str,
        name: &str,
        labels: BTreeMap<String, String>,
        ports: &[(String, PortRange)],
        ip: Option<IpAddr>,
        managed: bool,
    ) {
        let container_ports: Vec<core::ContainerPort> = ports
            .iter()
            .map(|(port_name, range)| core::ContainerPort {
                name: Some(port_name.clone()),
                container_port: i32::from(range.first),
                protocol: Some(range.protocol.as_str().to_string()),
                ..core::ContainerPort::default()
            })
            .collect();
        self.pods.push(core::Pod {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(namespace.to_string()),
                labels: Some(labels.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(core::PodSpec {
                containers: vec![core::Container {
                    name: "app".to_string(),
                    ports: (!container_ports.is_empty()).then_some(container_ports),
                    ..core::Container::default()
                }],
                ..core::PodSpec::default()
            }),
            status: ip.map(|ip| core::PodStatus {
                pod_ip: Some(ip.to_string()),
                ..core::PodStatus::default()
            }),
        });
        self.members.push((
            Endpoint::Pod(simulate::PodRef::new(namespace, name)),
            Member::Pod {
                namespace: namespace.to_string(),
                labels,
                ip,
                managed,
                ports: ports
                    .iter()
                    .map(|(port_name, range)| NamedContainerPort {
                        name: port_name.clone(),
                        port: range.first,
                        protocol: super::simulator_protocol(range.protocol),
                    })
                    .collect(),
            },
        ));
    }
}

/// A block for pod addresses that no external covers, when one exists:
/// a familiar pod range first, then any IPv4 /16, then an IPv6 block. Pods
/// inside an external would be matched by its `ipBlock` rules, which is
/// Kubernetes' meaning but not what a test of the program's flows wants.
fn pod_range(model: &Model) -> IpNet {
    let free = |net: &IpNet| {
        model
            .externals
            .values()
            .all(|e| e.addresses.first_in(net).is_none())
    };
    let preferred: Vec<IpNet> = [
        "10.244.0.0/16",
        "100.64.0.0/16",
        "172.31.0.0/16",
        "198.18.0.0/16",
    ]
    .iter()
    .filter_map(|c| c.parse().ok())
    .collect();
    let any_v4 = (0..=u8::MAX).flat_map(|a| {
        (0..=u8::MAX).filter_map(move |b| {
            ipnet::Ipv4Net::new(std::net::Ipv4Addr::new(a, b, 0, 0), 16)
                .ok()
                .map(IpNet::V4)
        })
    });
    let v6 = "fd00:ba5e::/64".parse::<IpNet>().ok();
    preferred
        .iter()
        .copied()
        .chain(any_v4)
        .chain(v6)
        .find(free)
        .or_else(|| preferred.first().copied())
        .unwrap_or_default()
}

/// Addresses inside, at the edges of and just outside every external block
/// and every `except` hole.
pub(crate) fn edge_addresses(model: &Model) -> Vec<IpAddr> {
    let mut addresses = BTreeSet::new();
    for external in model.externals.values() {
        let set = &external.addresses;
        for net in set.blocks().iter().chain(set.holes()) {
            addresses.extend(edges(net));
        }
    }
    addresses.into_iter().collect()
}

fn edges(net: &IpNet) -> Vec<IpAddr> {
    let (first, last, v6) = match net {
        IpNet::V4(n) => (
            u128::from(u32::from(n.network())),
            u128::from(u32::from(n.broadcast())),
            false,
        ),
        IpNet::V6(n) => (u128::from(n.network()), u128::from(n.broadcast()), true),
    };
    let max = if v6 { u128::MAX } else { u128::from(u32::MAX) };
    let middle = first + (last - first) / 2;
    let mut values = vec![first, middle, last];
    if first > 0 {
        values.push(first - 1);
    }
    if last < max {
        values.push(last + 1);
    }
    values
        .into_iter()
        .map(|v| {
            if v6 {
                IpAddr::V6(v.into())
            } else {
                IpAddr::V4(u32::try_from(v).unwrap_or(u32::MAX).into())
            }
        })
        .collect()
}

/// Every declared port and range edge, the ports just beside each range, and
/// for each protocol a port nothing declares.
pub(crate) fn probes(model: &Model) -> Vec<Probe> {
    let mut ranges: Vec<PortRange> = Vec::new();
    for namespace in model.namespaces.values() {
        for service in namespace.services.values() {
            ranges.extend(service.ports.values().map(|p| p.range));
        }
    }
    for ports in model
        .flows
        .iter()
        .map(|f| &f.ports)
        .chain(model.denies.iter().map(|d| &d.ports))
    {
        match ports {
            Ports::Ranges(list) | Ports::Named(NamedPort { declared: list, .. }) => {
                ranges.extend(list.iter().copied());
            }
            Ports::Any => {}
        }
    }
    let mut probes: BTreeSet<(Protocol, u16)> = BTreeSet::new();
    for range in &ranges {
        probes.insert((range.protocol, range.first));
        probes.insert((range.protocol, range.last));
        if range.first > 1 {
            probes.insert((range.protocol, range.first - 1));
        }
        if range.last < u16::MAX {
            probes.insert((range.protocol, range.last + 1));
        }
    }
    for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Sctp] {
        let unused = (1..=u16::MAX).find(|port| {
            !ranges
                .iter()
                .any(|r| r.protocol == protocol && r.first <= *port && *port <= r.last)
        });
        if let Some(port) = unused {
            probes.insert((protocol, port));
        }
    }
    probes
        .into_iter()
        .map(|(protocol, port)| Probe {
            port,
            protocol: super::simulator_protocol(protocol),
        })
        .collect()
}
