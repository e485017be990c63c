//! All pairs at once: [`World::reachability`] and its result,
//! [`Reachability`].
//!
//! The computation works on groups: the world's pod classes, then one group
//! per external address. For each probe it builds, per source group, the set
//! of destination groups its egress allows, and per destination group the
//! set of source groups its ingress allows, with bit-set unions over the
//! rules of the policies that select the group; a pair is allowed when both
//! sets agree. The cost follows groups and rules, not pods. Its meaning is
//! the one `eval` defines for one pair, and the tests check that they agree.

use super::bits::BitSet;
use super::endpoint::Endpoint;
use super::eval::Direction;
use super::policy::{PortMatch, ports_match};
use super::probe::{Probe, Protocol};
use super::world::{Rule, World};
use indexmap::{IndexMap, IndexSet};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::rc::Rc;

/// Who can reach whom, for every ordered pair of endpoints (pods first, in
/// world order, then external addresses; never from one external address to
/// another) and every probe.
#[derive(Clone, Debug)]
pub struct Reachability {
    endpoints: Rc<[Endpoint]>,
    index: Rc<IndexMap<Endpoint, usize>>,
    groups: Rc<[usize]>,
    pods: usize,
    probes: Vec<Probe>,
    /// Per probe, per source group: the destination groups allowed.
    matrices: Vec<Vec<BitSet>>,
}

/// One cell of a [`Reachability`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connection<'a> {
    /// Where the connection starts.
    pub src: &'a Endpoint,
    /// Where it goes.
    pub dst: &'a Endpoint,
    /// Its destination port and protocol.
    pub probe: Probe,
    /// Whether the policies allow it.
    pub allowed: bool,
}

impl Reachability {
    /// The endpoints: pods in world order, then external addresses.
    #[must_use]
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// How many of [`Reachability::endpoints`] are pods (they come first).
    #[must_use]
    pub fn pod_count(&self) -> usize {
        self.pods
    }

    /// The probes, in the order given.
    #[must_use]
    pub fn probes(&self) -> &[Probe] {
        &self.probes
    }

    /// Whether `src` may reach `dst` on `probe`; `None` when the pair or the
    /// probe is not part of this result (an unknown endpoint or probe, or two
    /// external addresses).
    #[must_use]
    pub fn allowed(&self, src: &Endpoint, dst: &Endpoint, probe: Probe) -> Option<bool> {
        let probe = self.probes.iter().position(|known| *known == probe)?;
        self.cell(probe, *self.index.get(src)?, *self.index.get(dst)?)
    }

    /// The index of `endpoint` in [`Reachability::endpoints`].
    #[must_use]
    pub fn position(&self, endpoint: &Endpoint) -> Option<usize> {
        self.index.get(endpoint).copied()
    }

    fn cell(&self, probe: usize, src: usize, dst: usize) -> Option<bool> {
        if src >= self.pods && dst >= self.pods {
            return None;
        }
        let (from, to) = (self.groups.get(src)?, self.groups.get(dst)?);
        Some(self.matrices.get(probe)?.get(*from)?.contains(*to))
    }

    /// One row of cells: whether `src` (an index into
    /// [`Reachability::endpoints`]) may reach each endpoint, in endpoint
    /// order, on the probe at index `probe`; `None` where
    /// [`Reachability::allowed`] would say `None`. For callers that walk
    /// every cell: the source's row is looked up once, not per cell.
    pub fn row(&self, probe: usize, src: usize) -> impl Iterator<Item = Option<bool>> + '_ {
        let row = self
            .groups
            .get(src)
            .and_then(|group| self.matrices.get(probe)?.get(*group));
        let from_address = src >= self.pods;
        self.groups.iter().enumerate().map(move |(dst, group)| {
            if from_address && dst >= self.pods {
                return None;
            }
            row.map(|allowed| allowed.contains(*group))
        })
    }

    /// The group of the endpoint at `position`: endpoints of one group (a
    /// class of pods, or an address) get the same verdicts.
    #[must_use]
    pub fn group(&self, position: usize) -> Option<usize> {
        self.groups.get(position).copied()
    }

    /// The groups that group `src` may reach on the probe at index `probe`,
    /// ascending, from the matrix's set bits (so a caller's work follows
    /// the allowed cells, not every cell). Unlike [`Reachability::row`] it
    /// includes address groups from an address: callers drop those.
    pub fn reached_groups(&self, probe: usize, src: usize) -> impl Iterator<Item = usize> + '_ {
        self.matrices
            .get(probe)
            .and_then(|rows| rows.get(src))
            .into_iter()
            .flat_map(BitSet::iter)
    }

    /// Every cell: probes in the given order, then sources, then
    /// destinations, in endpoint order.
    pub fn connections(&self) -> impl Iterator<Item = Connection<'_>> {
        self.probes.iter().enumerate().flat_map(move |(p, probe)| {
            self.endpoints.iter().enumerate().flat_map(move |(s, src)| {
                self.endpoints
                    .iter()
                    .zip(self.row(p, s))
                    .filter_map(move |(dst, allowed)| {
                        allowed.map(|allowed| Connection {
                            src,
                            dst,
                            probe: *probe,
                            allowed,
                        })
                    })
            })
        })
    }
}

/// The peers of every rule of every policy for one direction, as groups.
type PeerGroups = Vec<Vec<BitSet>>;

impl World {
    fn peer_groups(&self, direction: Direction, externals: &[IpAddr], groups: usize) -> PeerGroups {
        let classes = self.classes.len();
        let peers_of = |rule: &Rule| {
            if rule.peers.all {
                return BitSet::full(groups);
            }
            let mut set = rule.peers.classes.resized(groups);
            for (offset, ip) in externals.iter().enumerate() {
                let inside = rule.peers.blocks.iter().any(|block| {
                    self.blocks
                        .get(*block)
                        .is_some_and(|block| block.contains(ip))
                });
                if inside {
                    set.insert(classes + offset);
                }
            }
            set
        };
        self.policies
            .iter()
            .map(|policy| direction.rules(policy).iter().map(peers_of).collect())
            .collect()
    }

    /// The groups (classes) that declare a port `name` on `protocol` with
    /// the probe's number.
    fn named_groups(&self, protocol: Protocol, name: &str, probe: Probe, groups: usize) -> BitSet {
        let mut set = BitSet::new(groups);
        for (index, class) in self.classes.iter().enumerate() {
            let declares = class.ports.iter().any(|port| {
                port.port == probe.port
                    && port.protocol == protocol
                    && port.name.as_deref() == Some(name)
            });
            if declares {
                set.insert(index);
            }
        }
        set
    }

    /// Per egress rule, the destination groups it allows on `probe`.
    fn egress_destinations(
        &self,
        probe: Probe,
        peers: &PeerGroups,
        groups: usize,
    ) -> Vec<Vec<BitSet>> {
        let mut named: BTreeMap<(Protocol, &str), BitSet> = BTreeMap::new();
        let mut result = Vec::with_capacity(self.policies.len());
        for (policy, peer_sets) in self.policies.iter().zip(peers) {
            let mut sets = Vec::with_capacity(policy.egress.len());
            for (rule, peer_set) in policy.egress.iter().zip(peer_sets) {
                let mut set = match &rule.ports {
                    None => peer_set.clone(),
                    Some(ports)
                        if ports
                            .iter()
                            .any(|port| port.is_numeric() && port.matches(probe, None)) =>
                    {
                        peer_set.clone()
                    }
                    Some(ports) => {
                        let mut set = BitSet::new(groups);
                        for port in ports {
                            if let PortMatch::Named(protocol, name) = port {
                                if *protocol == probe.protocol {
                                    let members =
                                        named.entry((*protocol, name.as_str())).or_insert_with(
                                            || self.named_groups(*protocol, name, probe, groups),
                                        );
                                    set.union_with(members);
                                }
                            }
                        }
                        set
                    }
                };
                set.intersect_with(peer_set);
                sets.push(set);
            }
            result.push(sets);
        }
        result
    }

    fn matrix(
        &self,
        probe: Probe,
        ingress_peers: &PeerGroups,
        egress_peers: &PeerGroups,
        groups: usize,
    ) -> Vec<BitSet> {
        let egress_sets = self.egress_destinations(probe, egress_peers, groups);
        // Ingress, transposed: for each source group, the destination groups
        // whose ingress admits it. Destinations that no ingress policy
        // isolates (external addresses included) admit every source.
        let mut open = BitSet::full(groups);
        let mut admitted_by = vec![BitSet::new(groups); groups];
        for (destination, class) in self.classes.iter().enumerate() {
            if class.ingress.is_empty() {
                continue;
            }
            let mut sources = BitSet::new(groups);
            for policy in &class.ingress {
                let (Some(rules), Some(peer_sets)) = (
                    self.policies.get(*policy).map(|policy| &policy.ingress),
                    ingress_peers.get(*policy),
                ) else {
                    continue;
                };
                for (rule, peer_set) in rules.iter().zip(peer_sets) {
                    if ports_match(rule.ports.as_deref(), probe, Some(&class.ports)) {
                        sources.union_with(peer_set);
                    }
                }
            }
            open.remove(destination);
            for source in sources.iter() {
                if let Some(row) = admitted_by.get_mut(source) {
                    row.insert(destination);
                }
            }
        }
        let mut rows = Vec::with_capacity(groups);
        for source in 0..groups {
            let mut row = match self.classes.get(source) {
                Some(class) if !class.egress.is_empty() => {
                    let mut row = BitSet::new(groups);
                    for policy in &class.egress {
                        for set in egress_sets.get(*policy).into_iter().flatten() {
                            row.union_with(set);
                        }
                    }
                    row
                }
                _ => BitSet::full(groups),
            };
            let mut admitted = open.clone();
            if let Some(more) = admitted_by.get(source) {
                admitted.union_with(more);
            }
            row.intersect_with(&admitted);
            rows.push(row);
        }
        rows
    }

    /// Computes whether each endpoint can reach each other on each probe:
    /// every ordered pair over the pods (world order) and `externals` (in the
    /// order given, duplicates dropped), except between two externals.
    /// Without probes, [`World::declared_probes`] are used.
    #[must_use]
    pub fn reachability(&self, probes: &[Probe], externals: &[IpAddr]) -> Reachability {
        let frame = self.frame(externals);
        let probes = self.probe_list(probes);
        let matrices = probes
            .iter()
            .map(|probe| frame.matrix(self, *probe))
            .collect();
        frame.reachability(probes, matrices)
    }

    /// [`World::reachability`] one probe at a time, each result holding the
    /// cells of one probe: for a caller that goes probe by probe and need
    /// not hold every probe's matrices (they are most of the memory of a
    /// large world). What does not depend on the probe is worked out once.
    pub fn reachability_by_probe(
        &self,
        probes: &[Probe],
        externals: &[IpAddr],
    ) -> impl Iterator<Item = Reachability> + '_ {
        let frame = self.frame(externals);
        self.probe_list(probes).into_iter().map(move |probe| {
            let matrix = frame.matrix(self, probe);
            frame.reachability(vec![probe], vec![matrix])
        })
    }

    /// `probes` without repeats, or the declared probes when there are none.
    fn probe_list(&self, probes: &[Probe]) -> Vec<Probe> {
        if probes.is_empty() {
            self.declared_probes()
        } else {
            probes
                .iter()
                .copied()
                .collect::<IndexSet<_>>()
                .into_iter()
                .collect()
        }
    }

    /// What a reachability computation needs besides the probes.
    fn frame(&self, externals: &[IpAddr]) -> Frame {
        let externals: Vec<IpAddr> = externals
            .iter()
            .copied()
            .collect::<IndexSet<_>>()
            .into_iter()
            .collect();
        let classes = self.classes.len();
        let groups = classes + externals.len();
        let ingress_peers = self.peer_groups(Direction::Ingress, &externals, groups);
        let egress_peers = self.peer_groups(Direction::Egress, &externals, groups);
        let mut endpoints: Vec<Endpoint> = self.pods.iter().cloned().map(Endpoint::Pod).collect();
        let mut group_of = self.pod_class.clone();
        for (offset, ip) in externals.iter().enumerate() {
            endpoints.push(Endpoint::External(*ip));
            group_of.push(classes + offset);
        }
        let index = endpoints
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, endpoint)| (endpoint, i))
            .collect();
        Frame {
            groups,
            ingress_peers,
            egress_peers,
            endpoints: Rc::from(endpoints),
            index: Rc::new(index),
            group_of: Rc::from(group_of),
            pods: self.pods.len(),
        }
    }
}

/// The probe-independent part of a reachability computation: the groups'
/// peers and the endpoints, shared by every result made from it.
struct Frame {
    groups: usize,
    ingress_peers: PeerGroups,
    egress_peers: PeerGroups,
    endpoints: Rc<[Endpoint]>,
    index: Rc<IndexMap<Endpoint, usize>>,
    group_of: Rc<[usize]>,
    pods: usize,
}

impl Frame {
    /// Per source group, the destination groups allowed on `probe`.
    fn matrix(&self, world: &World, probe: Probe) -> Vec<BitSet> {
        world.matrix(probe, &self.ingress_peers, &self.egress_peers, self.groups)
    }

    fn reachability(&self, probes: Vec<Probe>, matrices: Vec<Vec<BitSet>>) -> Reachability {
        Reachability {
            endpoints: Rc::clone(&self.endpoints),
            index: Rc::clone(&self.index),
            groups: Rc::clone(&self.group_of),
            pods: self.pods,
            probes,
            matrices,
        }
    }
}
