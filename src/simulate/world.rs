//! The world: namespaces, pods and policies resolved once into pod classes,
//! so that every later question costs per class, not per pod.
//!
//! A class is a set of pods that no policy can tell apart: the same
//! namespace, labels and container ports, and the same answer to "is my IP
//! inside this ipBlock?" for every ipBlock of the world. Each policy keeps the
//! classes it selects (on the classes themselves, per direction) and each rule
//! the classes its peers match. This module owns that resolution and the
//! world's accessors; it does not evaluate connections (see `eval` and
//! `reach`) and does not read YAML (see `load`).

use super::bits::BitSet;
use super::endpoint::PodRef;
use super::error::{Invalid, LoadError, ObjectRef};
use super::explain::PolicyRef;
use super::policy::{
    ContainerPort, IpBlock, PeerSpec, PortMatch, RuleSpec, read_policy, read_protocol,
};
use super::probe::Probe;
use super::selector::Selector;
use super::validate::containers;
use indexmap::{IndexMap, IndexSet};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

/// The label the API server puts on every namespace.
const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The first synthetic pod IP (pods without `status.podIP` get the next free
/// address from here, in world order).
const FIRST_SYNTHETIC_IP: Ipv4Addr = Ipv4Addr::new(10, 244, 0, 1);

/// Where an object came from, for error messages.
#[derive(Clone, Debug, Default)]
pub(crate) struct Origin {
    pub(crate) file: Option<String>,
    pub(crate) document: Option<usize>,
    pub(crate) item: Option<usize>,
    /// The object errors name instead of the one at hand: the workload a pod
    /// was made from.
    pub(crate) object: Option<ObjectRef>,
    /// The path of the pod spec inside that workload (`spec.template.`).
    pub(crate) path: &'static str,
}

impl Origin {
    /// "file, document N, item M", as far as it is known.
    fn place(&self) -> String {
        let mut parts = Vec::new();
        parts.extend(self.file.clone());
        parts.extend(self.document.map(|document| format!("document {document}")));
        parts.extend(self.item.map(|item| format!("item {item}")));
        parts.join(", ")
    }

    /// An error about `object`, declared a second time here.
    fn duplicate(&self, object: ObjectRef, first: &Self) -> LoadError {
        let place = first.place();
        if place.is_empty() {
            self.error(object, "is declared twice")
        } else {
            self.error(object, format!("is declared twice (first in {place})"))
        }
    }

    /// An error about `object` (or about the workload it was made from).
    pub(crate) fn error(&self, object: ObjectRef, message: impl Into<String>) -> LoadError {
        LoadError {
            file: self.file.clone(),
            document: self.document,
            item: self.item,
            object: Some(Box::new(self.object.clone().unwrap_or(object))),
            message: message.into(),
        }
    }
}

/// An object with the place it came from.
#[derive(Clone, Debug)]
pub(crate) struct Sourced<T> {
    pub(crate) origin: Origin,
    pub(crate) object: T,
}

/// The peers of a rule, resolved.
#[derive(Clone, Debug)]
pub(crate) struct Peers {
    /// Every source or destination (`from`/`to` omitted or empty).
    pub(crate) all: bool,
    /// The classes matched by a selector peer or (by pod IP) an ipBlock.
    pub(crate) classes: BitSet,
    /// The ipBlocks (indices into [`World::blocks`]) external addresses
    /// match against.
    pub(crate) blocks: Vec<usize>,
}

/// A rule, its peers resolved to classes.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) peers: Peers,
    /// `None`: every port and protocol.
    pub(crate) ports: Option<Vec<PortMatch>>,
}

/// A policy of the world.
#[derive(Clone, Debug)]
pub(crate) struct Policy {
    pub(crate) id: PolicyRef,
    pub(crate) object: NetworkPolicy,
    /// Where it was read: file, document, item (empty for typed objects).
    pub(crate) origin: String,
    /// The ingress rules; empty unless the policy isolates for ingress.
    pub(crate) ingress: Vec<Rule>,
    /// The egress rules; empty unless the policy isolates for egress.
    pub(crate) egress: Vec<Rule>,
}

/// Pods no policy can tell apart.
#[derive(Clone, Debug)]
pub(crate) struct Class {
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) ports: Vec<ContainerPort>,
    /// The policies (indices into [`World::policies`]) that select the class
    /// and isolate it for ingress, in world order.
    pub(crate) ingress: Vec<usize>,
    /// Likewise for egress.
    pub(crate) egress: Vec<usize>,
}

/// Namespaces, pods and NetworkPolicies, resolved for simulation.
///
/// Built by [`super::load()`] from YAML or by [`World::from_objects`] from
/// typed objects. Pods keep the order in which they were given ("world
/// order").
#[derive(Clone, Debug)]
pub struct World {
    pub(crate) pods: Vec<PodRef>,
    pub(crate) pod_index: IndexMap<PodRef, usize>,
    pub(crate) pod_class: Vec<usize>,
    pub(crate) pod_ips: Vec<Vec<IpAddr>>,
    pub(crate) classes: Vec<Class>,
    pub(crate) policies: Vec<Policy>,
    pub(crate) policy_index: IndexMap<PolicyRef, usize>,
    pub(crate) blocks: Vec<IpBlock>,
}

/// A pod read, before classes exist.
struct PodDraft {
    namespace: usize,
    labels: BTreeMap<String, String>,
    ports: Vec<ContainerPort>,
    ips: Vec<IpAddr>,
}

/// What makes pods indistinguishable: namespace, labels, container ports,
/// and the ipBlocks (indices) that contain the pod's IP.
type ClassKey = (
    usize,
    BTreeMap<String, String>,
    Vec<ContainerPort>,
    Vec<usize>,
);

/// A policy read, before its selectors are resolved.
struct PolicyDraft {
    id: PolicyRef,
    origin: String,
    namespace: usize,
    object: NetworkPolicy,
    selector: Selector,
    ingress: Option<Vec<RuleSpec>>,
    egress: Option<Vec<RuleSpec>>,
}

fn object_ref(kind: &str, namespace: Option<&str>, name: Option<&str>) -> ObjectRef {
    ObjectRef {
        kind: kind.to_owned(),
        namespace: namespace.map(str::to_owned),
        name: name.map(str::to_owned),
    }
}

/// The namespace (defaulted) and name of a namespaced object.
fn identity(
    origin: &Origin,
    kind: &str,
    metadata: &ObjectMeta,
) -> Result<(String, String), LoadError> {
    let namespace = metadata
        .namespace
        .clone()
        .filter(|namespace| !namespace.is_empty())
        .unwrap_or_else(|| "default".to_owned());
    match metadata.name.as_deref() {
        Some(name) if !name.is_empty() => Ok((namespace, name.to_owned())),
        _ => Err(origin.error(
            object_ref(kind, Some(&namespace), None),
            "missing `metadata.name`",
        )),
    }
}

/// The index of a namespace, created with its automatic label if new.
fn namespace_index(spaces: &mut IndexMap<String, BTreeMap<String, String>>, name: &str) -> usize {
    if let Some(index) = spaces.get_index_of(name) {
        return index;
    }
    let labels = BTreeMap::from([(NAME_LABEL.to_owned(), name.to_owned())]);
    spaces.insert_full(name.to_owned(), labels).0
}

fn read_container_ports(pod: &Pod, path: &str) -> Result<Vec<ContainerPort>, Invalid> {
    let Some(spec) = &pod.spec else {
        return Ok(Vec::new());
    };
    let at = format!("{path}spec");
    let mut ports = Vec::new();
    for (at, container) in containers(spec, &at) {
        for (index, port) in container.ports.iter().flatten().enumerate() {
            let at = format!("{at}.ports[{index}]");
            let number = u16::try_from(port.container_port)
                .ok()
                .filter(|number| *number > 0)
                .ok_or_else(|| {
                    Invalid(format!(
                        "`{at}.containerPort` is {}, outside 1-65535",
                        port.container_port
                    ))
                })?;
            let protocol = read_protocol(port.protocol.as_deref(), &at)?;
            ports.push(ContainerPort {
                port: number,
                protocol,
                name: port.name.clone().filter(|name| !name.is_empty()),
            });
        }
    }
    ports.sort();
    ports.dedup();
    Ok(ports)
}

fn read_ips(pod: &Pod) -> Result<Vec<IpAddr>, Invalid> {
    let Some(status) = &pod.status else {
        return Ok(Vec::new());
    };
    let parse = |text: &str, at: &str| {
        text.parse::<IpAddr>()
            .map_err(|_| Invalid(format!("`{at}` is `{text}`, which is not an IP address")))
    };
    let mut ips = Vec::new();
    if let Some(ip) = status.pod_ip.as_deref().filter(|ip| !ip.is_empty()) {
        ips.push(parse(ip, "status.podIP")?);
    }
    for (index, entry) in status.pod_ips.iter().flatten().enumerate() {
        let ip = parse(&entry.ip, &format!("status.podIPs[{index}].ip"))?;
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    Ok(ips)
}

/// Gives every pod without an IP the next free synthetic one.
fn assign_ips(drafts: &mut [PodDraft]) {
    let used: BTreeSet<IpAddr> = drafts
        .iter()
        .flat_map(|draft| draft.ips.iter().copied())
        .collect();
    let mut next = u32::from(FIRST_SYNTHETIC_IP);
    for draft in drafts.iter_mut().filter(|draft| draft.ips.is_empty()) {
        loop {
            let ip = IpAddr::V4(Ipv4Addr::from(next));
            next = next.wrapping_add(1);
            if !used.contains(&ip) {
                draft.ips.push(ip);
                break;
            }
        }
    }
}

/// The namespaces given, with their labels (the automatic one included).
fn read_namespaces(
    namespaces: &[Sourced<Namespace>],
) -> Result<IndexMap<String, BTreeMap<String, String>>, LoadError> {
    let mut spaces: IndexMap<String, BTreeMap<String, String>> = IndexMap::new();
    let mut first_seen: Vec<&Origin> = Vec::new();
    for Sourced { origin, object } in namespaces {
        let Some(name) = object
            .metadata
            .name
            .as_deref()
            .filter(|name| !name.is_empty())
        else {
            return Err(origin.error(
                object_ref("Namespace", None, None),
                "missing `metadata.name`",
            ));
        };
        if let Some(first) = spaces.get_index_of(name).and_then(|i| first_seen.get(i)) {
            return Err(origin.duplicate(object_ref("Namespace", None, Some(name)), first));
        }
        first_seen.push(origin);
        let mut labels = object.metadata.labels.clone().unwrap_or_default();
        labels.insert(NAME_LABEL.to_owned(), name.to_owned());
        spaces.insert(name.to_owned(), labels);
    }
    Ok(spaces)
}

/// The pods read: names in world order, their index, and their facts.
struct ReadPods {
    refs: Vec<PodRef>,
    index: IndexMap<PodRef, usize>,
    drafts: Vec<PodDraft>,
}

/// Reads the pods (creating their namespaces) and gives them IPs.
fn read_pods(
    pods: &[Sourced<Pod>],
    spaces: &mut IndexMap<String, BTreeMap<String, String>>,
) -> Result<ReadPods, LoadError> {
    let mut read = ReadPods {
        refs: Vec::with_capacity(pods.len()),
        index: IndexMap::with_capacity(pods.len()),
        drafts: Vec::with_capacity(pods.len()),
    };
    for Sourced { origin, object } in pods {
        let (namespace, name) = identity(origin, "Pod", &object.metadata)?;
        let this = || object_ref("Pod", Some(&namespace), Some(&name));
        let id = PodRef::new(namespace.as_str(), name.as_str());
        if let Some(first) = read.index.get(&id).and_then(|i| pods.get(*i)) {
            return Err(origin.duplicate(this(), &first.origin));
        }
        let ports = read_container_ports(object, origin.path)
            .map_err(|message| origin.error(this(), message))?;
        let ips = read_ips(object).map_err(|message| origin.error(this(), message))?;
        read.drafts.push(PodDraft {
            namespace: namespace_index(spaces, &namespace),
            labels: object.metadata.labels.clone().unwrap_or_default(),
            ports,
            ips,
        });
        read.index.insert(id.clone(), read.refs.len());
        read.refs.push(id);
    }
    assign_ips(&mut read.drafts);
    Ok(read)
}

/// The policies read: in world order, their index by name, and the world's
/// distinct ipBlocks.
struct ReadPolicies {
    drafts: Vec<PolicyDraft>,
    index: IndexMap<PolicyRef, usize>,
    blocks: Vec<IpBlock>,
}

/// Reads and validates the policies (creating their namespaces).
fn read_policies(
    policies: Vec<Sourced<NetworkPolicy>>,
    spaces: &mut IndexMap<String, BTreeMap<String, String>>,
) -> Result<ReadPolicies, LoadError> {
    let mut blocks = IndexSet::new();
    let mut drafts = Vec::with_capacity(policies.len());
    let mut index = IndexMap::with_capacity(policies.len());
    let mut origins: Vec<Origin> = Vec::with_capacity(policies.len());
    for Sourced { origin, object } in policies {
        let (namespace, name) = identity(&origin, "NetworkPolicy", &object.metadata)?;
        let this = || object_ref("NetworkPolicy", Some(&namespace), Some(&name));
        let id = PolicyRef {
            namespace: namespace.clone(),
            name: name.clone(),
        };
        if let Some(first) = index.get(&id).and_then(|i: &usize| origins.get(*i)) {
            return Err(origin.duplicate(this(), first));
        }
        let spec =
            read_policy(&object, &mut blocks).map_err(|message| origin.error(this(), message))?;
        index.insert(id.clone(), drafts.len());
        let place = origin.place();
        origins.push(origin);
        drafts.push(PolicyDraft {
            id,
            origin: place,
            namespace: namespace_index(spaces, &namespace),
            object,
            selector: spec.selector,
            ingress: spec.ingress,
            egress: spec.egress,
        });
    }
    Ok(ReadPolicies {
        drafts,
        index,
        blocks: blocks.into_iter().collect(),
    })
}

/// Pods grouped into classes.
struct Grouping {
    pod_class: Vec<usize>,
    pod_ips: Vec<Vec<IpAddr>>,
    classes: Vec<Class>,
    /// The classes of each namespace (by namespace index).
    by_namespace: Vec<Vec<usize>>,
    /// The classes whose pods are inside each ipBlock (by block index).
    block_classes: Vec<BitSet>,
}

/// Groups pods with the same namespace, labels, ports and ipBlock
/// membership into classes (in order of first appearance).
fn group(drafts: Vec<PodDraft>, blocks: &[IpBlock], namespaces: usize) -> Grouping {
    let mut keys: IndexMap<ClassKey, usize> = IndexMap::new();
    let mut pod_class = Vec::with_capacity(drafts.len());
    let mut pod_ips = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let inside: Vec<usize> = blocks
            .iter()
            .enumerate()
            .filter(|(_, block)| draft.ips.iter().any(|ip| block.contains(ip)))
            .map(|(index, _)| index)
            .collect();
        let next = keys.len();
        let class = *keys
            .entry((draft.namespace, draft.labels, draft.ports, inside))
            .or_insert(next);
        pod_class.push(class);
        pod_ips.push(draft.ips);
    }
    let mut classes = Vec::with_capacity(keys.len());
    let mut by_namespace = vec![Vec::new(); namespaces];
    let mut block_classes = vec![BitSet::new(keys.len()); blocks.len()];
    for (index, (namespace, labels, ports, inside)) in keys.into_keys().enumerate() {
        if let Some(members) = by_namespace.get_mut(namespace) {
            members.push(index);
        }
        for block in inside {
            if let Some(members) = block_classes.get_mut(block) {
                members.insert(index);
            }
        }
        classes.push(Class {
            labels,
            ports,
            ingress: Vec::new(),
            egress: Vec::new(),
        });
    }
    Grouping {
        pod_class,
        pod_ips,
        classes,
        by_namespace,
        block_classes,
    }
}

/// What resolving selectors against the classes needs.
struct Resolver<'a> {
    namespaces: &'a IndexMap<String, BTreeMap<String, String>>,
    classes: &'a [Class],
    by_namespace: &'a [Vec<usize>],
    block_classes: &'a [BitSet],
    namespace_cache: IndexMap<Selector, Vec<usize>>,
}

impl Resolver<'_> {
    fn classes_in(&self, namespace: usize, selector: &Selector) -> impl Iterator<Item = usize> {
        self.by_namespace
            .get(namespace)
            .into_iter()
            .flatten()
            .copied()
            .filter(|class| {
                self.classes
                    .get(*class)
                    .is_some_and(|class| selector.matches(&class.labels))
            })
    }

    fn namespaces_matching(&mut self, selector: &Selector) -> Vec<usize> {
        if let Some(found) = self.namespace_cache.get(selector) {
            return found.clone();
        }
        let found: Vec<usize> = self
            .namespaces
            .values()
            .enumerate()
            .filter(|(_, labels)| selector.matches(labels))
            .map(|(index, _)| index)
            .collect();
        self.namespace_cache.insert(selector.clone(), found.clone());
        found
    }

    fn rule(&mut self, rule: RuleSpec, namespace: usize) -> Rule {
        let mut classes = BitSet::new(self.classes.len());
        let mut blocks = Vec::new();
        let all = rule.peers.is_none();
        for peer in rule.peers.into_iter().flatten() {
            match peer {
                PeerSpec::Pods {
                    namespaces: None,
                    pods,
                } => {
                    for class in self.classes_in(namespace, &pods) {
                        classes.insert(class);
                    }
                }
                PeerSpec::Pods {
                    namespaces: Some(namespaces),
                    pods,
                } => {
                    for space in self.namespaces_matching(&namespaces) {
                        for class in self.classes_in(space, &pods) {
                            classes.insert(class);
                        }
                    }
                }
                PeerSpec::Block(block) => {
                    if let Some(members) = self.block_classes.get(block) {
                        classes.union_with(members);
                    }
                    blocks.push(block);
                }
            }
        }
        if all {
            classes = BitSet::full(self.classes.len());
        }
        blocks.sort_unstable();
        blocks.dedup();
        Rule {
            peers: Peers {
                all,
                classes,
                blocks,
            },
            ports: rule.ports,
        }
    }
}

impl World {
    /// Builds a world from typed objects, as a caller that made them in
    /// memory has them. Namespaces that pods or policies use but that are not
    /// given are created (with only the automatic `kubernetes.io/metadata.name`
    /// label); pods without `status.podIP` get synthetic addresses from
    /// 10.244.0.1 on.
    ///
    /// # Errors
    ///
    /// An object the API server would reject (a selector with an unknown
    /// operator, an invalid CIDR or port, a duplicate name...).
    pub fn from_objects(
        namespaces: Vec<Namespace>,
        pods: Vec<Pod>,
        policies: Vec<NetworkPolicy>,
    ) -> Result<Self, LoadError> {
        fn sourced<T>(objects: Vec<T>) -> Vec<Sourced<T>> {
            objects
                .into_iter()
                .map(|object| Sourced {
                    origin: Origin::default(),
                    object,
                })
                .collect()
        }
        Self::build(sourced(namespaces), sourced(pods), sourced(policies))
    }

    /// Resolves objects into a world: namespaces, then pods (with their
    /// IPs), then policies (validated, ipBlocks interned), then classes, then
    /// every selector against the classes.
    pub(crate) fn build(
        namespaces: Vec<Sourced<Namespace>>,
        pods: Vec<Sourced<Pod>>,
        policies: Vec<Sourced<NetworkPolicy>>,
    ) -> Result<Self, LoadError> {
        let mut spaces = read_namespaces(&namespaces)?;
        let read = read_pods(&pods, &mut spaces)?;
        let ReadPolicies {
            drafts: policy_drafts,
            index: policy_index,
            blocks,
        } = read_policies(policies, &mut spaces)?;
        let grouping = group(read.drafts, &blocks, spaces.len());
        let Grouping {
            pod_class,
            pod_ips,
            mut classes,
            by_namespace,
            block_classes,
        } = grouping;

        let mut resolved = Vec::with_capacity(policy_drafts.len());
        let mut selections = Vec::with_capacity(policy_drafts.len());
        let mut resolver = Resolver {
            namespaces: &spaces,
            classes: &classes,
            by_namespace: &by_namespace,
            block_classes: &block_classes,
            namespace_cache: IndexMap::new(),
        };
        for draft in policy_drafts {
            let selected: Vec<usize> = resolver
                .classes_in(draft.namespace, &draft.selector)
                .collect();
            selections.push((selected, draft.ingress.is_some(), draft.egress.is_some()));
            let mut rules = |rules: Option<Vec<RuleSpec>>| -> Vec<Rule> {
                rules
                    .into_iter()
                    .flatten()
                    .map(|rule| resolver.rule(rule, draft.namespace))
                    .collect()
            };
            let ingress = rules(draft.ingress);
            let egress = rules(draft.egress);
            resolved.push(Policy {
                id: draft.id,
                origin: draft.origin,
                object: draft.object,
                ingress,
                egress,
            });
        }
        for (policy, (selected, ingress, egress)) in selections.into_iter().enumerate() {
            for class in selected {
                if let Some(class) = classes.get_mut(class) {
                    if ingress {
                        class.ingress.push(policy);
                    }
                    if egress {
                        class.egress.push(policy);
                    }
                }
            }
        }

        Ok(Self {
            pods: read.refs,
            pod_index: read.index,
            pod_class,
            pod_ips,
            classes,
            policies: resolved,
            policy_index,
            blocks,
        })
    }

    /// The pods, in world order.
    #[must_use]
    pub fn pods(&self) -> &[PodRef] {
        &self.pods
    }

    /// The IP a pod has in the simulation: its `status.podIP`, or the
    /// synthetic address it was given.
    #[must_use]
    pub fn pod_ip(&self, pod: &PodRef) -> Option<IpAddr> {
        let index = self.pod_index.get(pod)?;
        self.pod_ips.get(*index)?.first().copied()
    }

    /// A pod's labels.
    #[must_use]
    pub fn pod_labels(&self, pod: &PodRef) -> Option<&BTreeMap<String, String>> {
        self.classes
            .get(self.class_of(pod)?)
            .map(|class| &class.labels)
    }

    /// Every policy's namespace, name and labels (copied), in world order.
    pub fn policy_labels(
        &self,
    ) -> impl Iterator<Item = (String, String, BTreeMap<String, String>)> + '_ {
        self.policies.iter().map(|policy| {
            (
                policy.id.namespace.clone(),
                policy.id.name.clone(),
                policy.object.metadata.labels.clone().unwrap_or_default(),
            )
        })
    }

    /// How many classes of indistinguishable pods the world has (what the
    /// cost of [`World::reachability`] follows).
    #[must_use]
    pub fn class_count(&self) -> usize {
        self.classes.len()
    }

    /// The NetworkPolicy `namespace/name` as it was given (for its
    /// annotations, labels or spec).
    #[must_use]
    pub fn policy(&self, namespace: &str, name: &str) -> Option<&NetworkPolicy> {
        self.policy_named(namespace, name)
            .map(|policy| &policy.object)
    }

    fn policy_named(&self, namespace: &str, name: &str) -> Option<&Policy> {
        let id = PolicyRef {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        };
        let index = self.policy_index.get(&id)?;
        self.policies.get(*index)
    }

    /// Where the NetworkPolicy `namespace/name` was read ("export.yaml,
    /// document 7"), when the world was loaded from YAML; `None` for an
    /// unknown policy or one given as a typed object.
    #[must_use]
    pub fn policy_origin(&self, namespace: &str, name: &str) -> Option<&str> {
        self.policy_named(namespace, name)
            .map(|policy| policy.origin.as_str())
            .filter(|place| !place.is_empty())
    }

    /// The pods of each class, in world order, by class index (what
    /// [`World::class_count`] counts): pods in one class get the same verdict
    /// against every other endpoint.
    #[must_use]
    pub fn class_members(&self) -> Vec<Vec<usize>> {
        let mut members = vec![Vec::new(); self.classes.len()];
        for (pod, class) in self.pod_class.iter().enumerate() {
            if let Some(list) = members.get_mut(*class) {
                list.push(pod);
            }
        }
        members
    }

    /// Every distinct port and protocol that the pods' containers declare,
    /// in increasing order: the probes used when none are given.
    #[must_use]
    pub fn declared_probes(&self) -> Vec<Probe> {
        let probes: BTreeSet<Probe> = self
            .classes
            .iter()
            .flat_map(|class| class.ports.iter())
            .map(|port| Probe::new(port.port, port.protocol))
            .collect();
        probes.into_iter().collect()
    }

    /// The class of a pod.
    pub(crate) fn class_of(&self, pod: &PodRef) -> Option<usize> {
        let index = self.pod_index.get(pod)?;
        self.pod_class.get(*index).copied()
    }
}
