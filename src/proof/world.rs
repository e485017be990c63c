//! The worlds the proof simulates, made from the program alone: the plain
//! one ([`test_world`]: a pod per service, an `unmatched` pod per
//! namespace, the addresses and the declared probes), and the one `ward
//! test` uses, [`adversarial_world`], built to catch policies that are
//! too wide or too narrow. In every declared namespace, and in one nobody
//! declared:
//! - `svc-NAME`: a pod per service, labelled to match its selector and
//!   exposing its ports;
//! - `near-miss-NAME-KEY-HOW`: per requirement of the service's selector, a
//!   copy of its pod with that one requirement broken (`value`: a value it
//!   does not allow, `missing`: the key left out, `forbidden`: a value a
//!   `notin` lists, `present`: the key a `!` forbids);
//! - `both-A-B`: a pod both services A and B select, where their labels
//!   allow one (A is paired with the first of the next few services that
//!   can share a pod with it);
//! - `clone-of-NS-NAME`: a copy of every other namespace's service pods,
//!   same labels and ports, in the wrong namespace;
//! - `unmatched` (only a label no service asks for) and `unlabeled`.
//!
//! Addresses: the first, middle and last address of every block and every
//! `except` hole of every external, and the addresses just outside each.
//! Probes: every declared port and range edge on every protocol the program
//! uses, the ports just beside each range, and a port nothing declares on
//! each protocol.
//!
//! Size: the required pods are one per service and two per namespace (N
//! declared namespaces plus the undeclared one), with 5 addresses per block
//! or hole. The adversarial pods are capped at `ADVERSARIAL_PODS` (400) or one
//! per eight services, whichever is more, so that the compared cells stay
//! within a small factor of the program's own: the examples and the
//! property tests get every one of them (`examples/platform`: 326), the
//! generated 1,000-service program 400 beside its 1,113 required pods. When
//! capped, every service gets its first near miss, clone and pair before
//! any gets a second, and clones go first where a mistake is likeliest (the
//! undeclared namespace, then the namespaces at the other end of the
//! service's flows and `deny`s, then an unmanaged one). Probes: a few per
//! declared range and protocol.
//!
//! Pods get addresses outside every external where possible (decision 0003),
//! so that an external means addresses, not pods (that range is chosen with
//! the model's [`crate::model::Addresses`]). Which pods and addresses a rule
//! holds is evaluated with [`super::meaning`], never with the checker's sets.

use super::meaning::{self, Meaning};
use super::{Member, NamedContainerPort};
use crate::model::{Model, Operator, PortRange, Protocol, Selector, Service, addresses};
use crate::simulate::{self, Endpoint, Probe};
use indexmap::IndexSet;
use ipnet::IpNet;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// The namespace the test world adds that no program declares.
pub const OUTSIDER_NAMESPACE: &str = "ward-outsider";
/// The name of the pod in each namespace that matches no service.
pub const UNMATCHED_POD: &str = "unmatched";
/// The name of the pod in each namespace that has no labels.
pub const UNLABELED_POD: &str = "unlabeled";
/// The label that marks the test world's unmatched pods.
const PROBE_LABEL: (&str, &str) = ("ward.dev/probe", "unmatched");
/// How many of the next services of its namespace a service is tried with
/// for a pod that both select: keeps the pairs linear in the services.
const PAIR_WINDOW: usize = 8;
/// The adversarial pods every program may have, however small: enough for
/// all of them in the examples and the property tests.
const ADVERSARIAL_PODS: usize = 400;

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

/// A value not in `values`: `near-miss`, or `near-miss-N`.
fn other_value(values: &BTreeSet<String>) -> String {
    (0..=values.len())
        .map(|n| match n {
            0 => "near-miss".to_string(),
            n => format!("near-miss-{n}"),
        })
        .find(|v| !values.contains(v))
        .unwrap_or_default()
}

/// Labels that break one requirement of `selector` at a time, starting
/// from [`labels_for`], each with what was broken (`KEY-HOW`).
pub fn near_misses(selector: &Selector) -> Vec<(String, BTreeMap<String, String>)> {
    let matching = labels_for(selector);
    let with = |key: &str, value: Option<String>| {
        let mut labels = matching.clone();
        match value {
            Some(value) => labels.insert(key.to_string(), value),
            None => labels.remove(key),
        };
        labels
    };
    let mut misses = Vec::new();
    for (key, value) in &selector.labels {
        let wrong = other_value(&BTreeSet::from([value.clone()]));
        misses.push((format!("{key}-value"), with(key, Some(wrong))));
        misses.push((format!("{key}-missing"), with(key, None)));
    }
    for expression in &selector.expressions {
        let key = &expression.key;
        match expression.operator {
            Operator::In => {
                let wrong = other_value(&expression.values);
                misses.push((format!("{key}-value"), with(key, Some(wrong))));
                misses.push((format!("{key}-missing"), with(key, None)));
            }
            Operator::NotIn => {
                let forbidden = expression.values.iter().next().cloned();
                misses.push((format!("{key}-forbidden"), with(key, forbidden)));
            }
            Operator::Exists => misses.push((format!("{key}-missing"), with(key, None))),
            Operator::DoesNotExist => {
                misses.push((format!("{key}-present"), with(key, Some("present".into()))));
            }
        }
    }
    misses
}

/// A service's ports as container ports.
fn ports_of(service: &Service) -> Vec<(String, PortRange)> {
    service
        .ports
        .values()
        .map(|p| (p.name.clone(), p.range))
        .collect()
}

/// A pod of the world before it gets a name and an address: where it goes,
/// and how early it is dropped when the world is too large (lower first).
struct Draft {
    namespace: usize,
    name: String,
    labels: BTreeMap<String, String>,
    ports: Vec<(String, PortRange)>,
    rank: usize,
}

/// Pods two services of one namespace both select, where their labels allow
/// one: each service is tried with the next [`PAIR_WINDOW`] services.
fn pairs(namespace: usize, services: &[&Service]) -> Vec<Draft> {
    let mut drafts = Vec::new();
    for (i, a) in services.iter().enumerate() {
        let pair = services.iter().skip(i + 1).take(PAIR_WINDOW).find_map(|b| {
            let mut labels = labels_for(&a.selector);
            for (key, value) in labels_for(&b.selector) {
                labels.entry(key).or_insert(value);
            }
            let both = meaning::meets(&a.selector, &labels) && meaning::meets(&b.selector, &labels);
            both.then_some((b, labels))
        });
        if let Some((b, labels)) = pair {
            let mut ports = ports_of(a);
            for (name, range) in ports_of(b) {
                let taken = ports.iter().any(|(n, r)| {
                    *n == name || (r.protocol == range.protocol && r.first == range.first)
                });
                if !taken {
                    ports.push((name, range));
                }
            }
            drafts.push(Draft {
                namespace,
                name: format!("both-{}-{}", a.name, b.name),
                labels,
                ports,
                rank: 2,
            });
        }
    }
    drafts
}

/// Per namespace, the (selector, namespace at the other end) of every flow
/// and `deny` end that names a service of it, in the order of the rules:
/// where each service's clones go first, found without a pass over every
/// rule per service.
type Partners<'m> = BTreeMap<&'m str, Vec<(&'m Selector, &'m str)>>;

fn partners(meaning: &Meaning) -> Partners<'_> {
    let mut found: Partners<'_> = BTreeMap::new();
    for rule in meaning.flows.iter().chain(&meaning.denies) {
        for (this, other) in [(&rule.src, &rule.dst), (&rule.dst, &rule.src)] {
            if let (
                meaning::End::Pods {
                    namespace,
                    selector: Some(selector),
                },
                meaning::End::Pods { namespace: far, .. },
            ) = (this, other)
            {
                found
                    .entry(namespace.as_str())
                    .or_default()
                    .push((&**selector, far.as_str()));
            }
        }
    }
    found
}

/// The first `limit` namespaces (by index) a service's clones go to, most
/// telling first: the undeclared one, those at the other end of a flow or
/// `deny` with the service, an unmanaged one, then every other.
fn clone_targets(
    model: &Model,
    partners: &Partners<'_>,
    own: usize,
    service: &Service,
    outsider: usize,
    limit: usize,
) -> Vec<usize> {
    let index = |name: &str| model.namespaces.get_index_of(name);
    let ends = partners
        .get(service.namespace.as_str())
        .into_iter()
        .flatten()
        .filter(|(selector, _)| **selector == *service.selector)
        .filter_map(|(_, far)| index(far));
    let candidates = std::iter::once(outsider)
        .chain(ends)
        .chain(model.namespaces.values().position(|ns| !ns.managed))
        .chain(0..model.namespaces.len());
    let mut targets: IndexSet<usize> = IndexSet::new();
    for target in candidates {
        if targets.len() >= limit {
            break;
        }
        if target != own {
            targets.insert(target);
        }
    }
    targets.into_iter().collect()
}

/// Every pod the world could hold up to rank `max_rank`: the pods that must
/// be there (rank 0) and the adversarial ones, ranked so that every service
/// gets its first near miss and clone before any gets a second.
fn drafts(model: &Model, max_rank: usize) -> Vec<Draft> {
    let meaning = Meaning::new(model);
    let partners = partners(&meaning);
    let outsider = model.namespaces.len();
    // Clone k has rank 2 + 2k.
    let clones = max_rank.saturating_sub(2) / 2 + 1;
    let mut drafts = Vec::new();
    for (n, namespace) in model.namespaces.values().enumerate() {
        let services: Vec<&Service> = namespace.services.values().collect();
        for service in &services {
            drafts.push(Draft {
                namespace: n,
                name: service_pod_name(&service.name),
                labels: labels_for(&service.selector),
                ports: ports_of(service),
                rank: 0,
            });
            // Near miss k has rank 1 + 2k, at most `max_rank`.
            let misses = near_misses(&service.selector).into_iter().enumerate();
            for (k, (what, labels)) in misses.take_while(|(k, _)| 2 * k < max_rank) {
                drafts.push(Draft {
                    namespace: n,
                    name: format!("near-miss-{}-{}", service.name, pod_name(&what)),
                    labels,
                    ports: ports_of(service),
                    rank: 1 + 2 * k,
                });
            }
            let targets = clone_targets(model, &partners, n, service, outsider, clones);
            for (k, target) in targets.into_iter().enumerate() {
                drafts.push(Draft {
                    namespace: target,
                    name: format!("clone-of-{}-{}", namespace.name, service.name),
                    labels: labels_for(&service.selector),
                    ports: ports_of(service),
                    rank: 2 + 2 * k,
                });
            }
        }
        drafts.extend(pairs(n, &services));
    }
    for n in 0..=outsider {
        drafts.push(Draft {
            namespace: n,
            name: UNMATCHED_POD.to_string(),
            labels: BTreeMap::from([(PROBE_LABEL.0.to_string(), PROBE_LABEL.1.to_string())]),
            ports: Vec::new(),
            rank: 0,
        });
        drafts.push(Draft {
            namespace: n,
            name: UNLABELED_POD.to_string(),
            labels: BTreeMap::new(),
            ports: Vec::new(),
            rank: 0,
        });
    }
    drafts
}

/// The highest rank a world of `services` services in `namespaces`
/// namespaces with room for `budget` adversarial pods can keep, when that
/// can be known before drafting: every service has a clone at rank 2 + 2k
/// for each k below `namespaces` (the undeclared namespace and every other
/// one are targets), so when the clones up to rank 2k already number
/// `budget`, no pod above it is kept (the budget keeps the lowest ranks, in
/// draft order). Drafting none keeps the world the same and its making
/// linear in the program; small programs, whose clones do not fill the
/// budget, draft everything.
fn max_rank(services: usize, namespaces: usize, budget: usize) -> usize {
    let clones = budget.div_ceil(services.max(1)).max(1);
    if services.saturating_mul(clones.min(namespaces)) >= budget {
        2 * clones
    } else {
        usize::MAX
    }
}

/// How many adversarial pods (near misses, pairs, clones) a program with
/// `services` services gets at most: all of them for small programs, a
/// share that grows with the program for large ones.
fn adversarial_budget(services: usize) -> usize {
    ADVERSARIAL_PODS.max(services / 8)
}

/// The plain world of a program: a pod per service and an unmatched pod per
/// namespace, every address of `edge_addresses`, and the probes of
/// `probes`.
pub fn test_world(model: &Model) -> TestWorld {
    world(model, false)
}

/// The world `ward test` and `ward explain` simulate: [`test_world`] and the
/// adversarial pods and probes of this module's documentation.
pub fn adversarial_world(model: &Model) -> TestWorld {
    world(model, true)
}

fn world(model: &Model, adversarial: bool) -> TestWorld {
    let services = model.namespaces.values().map(|ns| ns.services.len()).sum();
    let budget = if adversarial {
        adversarial_budget(services)
    } else {
        0
    };
    world_to_rank(
        model,
        adversarial,
        max_rank(services, model.namespaces.len(), budget),
    )
}

/// The world, drafting no pod above rank `cut` (the same world for any cut
/// at or above [`max_rank`]'s).
fn world_to_rank(model: &Model, adversarial: bool, cut: usize) -> TestWorld {
    let pod_range = pod_range(model);
    let mut hosts = pod_range.hosts();
    let mut world = TestWorld {
        namespaces: Vec::new(),
        pods: Vec::new(),
        members: Vec::new(),
        probes: probes(model, adversarial),
    };
    let mut namespaces: Vec<(&str, bool)> = model
        .namespaces
        .values()
        .map(|ns| (ns.name.as_str(), ns.managed))
        .collect();
    namespaces.push((OUTSIDER_NAMESPACE, false));
    for (name, _) in &namespaces {
        world.namespaces.push(core::Namespace {
            metadata: ObjectMeta {
                name: Some((*name).to_string()),
                ..ObjectMeta::default()
            },
            ..core::Namespace::default()
        });
    }
    let services = model.namespaces.values().map(|ns| ns.services.len()).sum();
    let budget = if adversarial {
        adversarial_budget(services)
    } else {
        0
    };
    let mut drafts = drafts(model, cut);
    // The budget keeps the lowest ranks; the world keeps namespace order.
    drafts.sort_by_key(|d| d.rank);
    let required = drafts.iter().filter(|d| d.rank == 0).count();
    drafts.truncate(required + budget);
    if !adversarial {
        drafts.retain(|d| d.name != UNLABELED_POD);
    }
    drafts.sort_by_key(|d| d.namespace);
    let mut names: Vec<IndexSet<String>> = vec![IndexSet::new(); namespaces.len()];
    for draft in drafts {
        let (Some((namespace, managed)), Some(taken)) = (
            namespaces.get(draft.namespace),
            names.get_mut(draft.namespace),
        ) else {
            continue;
        };
        let name = unique(taken, &draft.name);
        world.add_pod(namespace, name, draft, hosts.next(), *managed);
    }
    for ip in edge_addresses(model) {
        world
            .members
            .push((Endpoint::External(ip), Member::Address(ip)));
    }
    world
}

/// A label key (`app.kubernetes.io/name`) as part of a pod name: lowercase
/// letters, digits and `-`.
fn pod_name(text: &str) -> String {
    let mut name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    name.trim_matches('-').to_string()
}

/// `name`, or `name-2`, `name-3`... when a pod of the namespace has it.
fn unique(names: &mut IndexSet<String>, name: &str) -> String {
    let mut candidate = name.to_string();
    let mut n = 1;
    while names.contains(&candidate) {
        n += 1;
        candidate = format!("{name}-{n}");
    }
    names.insert(candidate.clone());
    candidate
}

impl TestWorld {
    /// Adds a pod with exactly `labels` to `namespace` (one of `model`'s),
    /// exposing `ports`, at an address of the world's pod range that no
    /// other pod has: `ward explain`'s pod described by labels. Returns its
    /// name: `name`, or `name-2`... when the namespace has a pod so named.
    pub fn add_described_pod(
        &mut self,
        model: &Model,
        namespace: &str,
        name: &str,
        labels: BTreeMap<String, String>,
        ports: Vec<(String, PortRange)>,
    ) -> String {
        let mut taken: IndexSet<String> = self
            .pods
            .iter()
            .filter(|pod| pod.metadata.namespace.as_deref() == Some(namespace))
            .filter_map(|pod| pod.metadata.name.clone())
            .collect();
        let name = unique(&mut taken, name);
        let used: BTreeSet<IpAddr> = self
            .members
            .iter()
            .filter_map(|(_, member)| match member {
                Member::Pod { ip, .. } => *ip,
                Member::Address(_) => None,
            })
            .collect();
        let ip = pod_range(model).hosts().find(|ip| !used.contains(ip));
        let managed = model.namespaces.get(namespace).is_some_and(|n| n.managed);
        let draft = Draft {
            namespace: 0,
            name: name.clone(),
            labels,
            ports,
            rank: 0,
        };
        self.add_pod(namespace, name.clone(), draft, ip, managed);
        name
    }

    fn add_pod(
        &mut self,
        namespace: &str,
        name: String,
        draft: Draft,
        ip: Option<IpAddr>,
        namespace_managed: bool,
    ) {
        let Draft { labels, ports, .. } = draft;
        let namespace = namespace.to_string();
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
                name: Some(name.clone()),
                namespace: Some(namespace.clone()),
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
            Endpoint::Pod(simulate::PodRef::new(namespace.clone(), name)),
            Member::Pod {
                namespace,
                labels,
                ip,
                managed: namespace_managed,
                ports: ports
                    .iter()
                    .map(|(port_name, range)| NamedContainerPort {
                        name: port_name.clone(),
                        port: range.first,
                        protocol: range.protocol,
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
    let (v6, first) = addresses::value(net.network());
    let (_, last) = addresses::value(net.broadcast());
    let middle = first + (last - first) / 2;
    let mut values = vec![first, middle, last];
    if first > 0 {
        values.push(first - 1);
    }
    if last < addresses::family_max(v6) {
        values.push(last + 1);
    }
    values
        .into_iter()
        .map(|v| addresses::address(v6, v))
        .collect()
}

/// Every declared port and range edge on every protocol the program uses (a
/// rule written for one protocol must not open the number on another), the
/// ports just beside each range, and for each protocol a port nothing
/// declares.
/// Only the declared protocol of each range unless `across_protocols`.
pub(crate) fn probes(model: &Model, across_protocols: bool) -> Vec<Probe> {
    let meaning = Meaning::new(model);
    let mut ranges: Vec<(Protocol, u16, u16)> = Vec::new();
    for namespace in model.namespaces.values() {
        for service in namespace.services.values() {
            ranges.extend(
                service
                    .ports
                    .values()
                    .map(|p| (p.range.protocol, p.range.first, p.range.last)),
            );
        }
    }
    for rule in meaning.flows.iter().chain(&meaning.denies) {
        if let meaning::Covered::Ranges(list) = &rule.ports {
            ranges.extend(list.iter().copied());
        }
    }
    let protocols: BTreeSet<Protocol> = ranges.iter().map(|(p, _, _)| *p).collect();
    let mut probes: BTreeSet<(Protocol, u16)> = BTreeSet::new();
    for (protocol, first, last) in &ranges {
        probes.extend([(*protocol, *first), (*protocol, *last)]);
        for other in protocols.iter().filter(|_| across_protocols) {
            probes.extend([(*other, *first), (*other, *last)]);
        }
        probes.extend(
            first
                .checked_sub(1)
                .filter(|p| *p > 0)
                .map(|p| (*protocol, p)),
        );
        probes.extend(last.checked_add(1).map(|p| (*protocol, p)));
    }
    for protocol in Protocol::ALL {
        let unused = (1..=u16::MAX).find(|port| {
            !ranges
                .iter()
                .any(|(p, first, last)| *p == protocol && first <= port && port <= last)
        });
        if let Some(port) = unused {
            probes.insert((protocol, port));
        }
    }
    probes
        .into_iter()
        .map(|(protocol, port)| Probe { port, protocol })
        .collect()
}

/// The name of the pod that stands for a service in the test worlds:
/// `svc-NAME` (`ward explain` resolves `ns.svc` to it).
pub fn service_pod_name(service: &str) -> String {
    format!("svc-{service}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{self, Config};
    use crate::source::Sources;

    /// Generated programs where the budget cuts the drafts at rank 2 (450
    /// services), at a higher rank (100) and not at all (30).
    #[test]
    fn drafting_to_the_reachable_rank_makes_the_same_world() {
        for (services, seed) in [(450, 1), (100, 2), (30, 3)] {
            let mut sources = Sources::new();
            let text = generator::program(&Config::new(services, services * 4, seed));
            sources.add("policy/p.ward", &text);
            let model = crate::compile(&sources)
                .model
                .expect("the generated program checks");
            for adversarial in [true, false] {
                let cut = world(&model, adversarial);
                let whole = world_to_rank(&model, adversarial, usize::MAX);
                assert_eq!(cut.members, whole.members, "{services} services");
                assert_eq!(cut.probes, whole.probes);
            }
        }
    }
}
