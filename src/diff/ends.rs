//! The ends a change can be about: the classes of pods and addresses that
//! two programs can tell apart, and their names.
//!
//! Pods: per namespace of either program, one class per service of either
//! program (labelled to meet its selector, with its ports), one more for a
//! service whose selector changed (labelled for the old selector), one for
//! the namespace's other pods; and one for a namespace neither declares.
//! Addresses: the atoms of both programs' externals, each the addresses
//! held by exactly the same externals. Everything the programs' flows can
//! say about an end, they say about its class, so a change computed on
//! classes is the change on every pod and address; the size is linear in
//! the programs.
//!
//! Owns the classes and how they are named ([`Place`]); must not know how
//! a change is computed from them.

use super::region::{Place, Side};
use crate::model::{Addresses, Endpoint, Model, PortRange, Protocol};
use crate::proof::world::labels_for;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;
use std::rc::Rc;

/// The label of the class of a namespace's pods that no service selects.
const OTHER_LABEL: (&str, &str) = ("ward.dev/diff", "other");

/// A namespace of either program, or the one neither declares.
#[derive(Debug)]
pub(super) struct Space {
    /// Its name (empty for the undeclared one).
    pub(super) name: String,
    /// Whether a program declares it.
    pub(super) declared: bool,
    /// Whether the old and the new program manage (isolate) it.
    pub(super) managed: [bool; 2],
    /// Its pod classes.
    pub(super) classes: Range<usize>,
}

/// What a pod class stands for.
#[derive(Debug)]
pub(super) enum Kind {
    /// A service's pods.
    Service(String),
    /// The pods only a service's old selector chose.
    OldSelector(String, String),
    /// The namespace's other pods.
    Other,
}

/// Pods that no program's flow tells apart.
#[derive(Debug)]
pub(super) struct PodClass {
    /// Its namespace, by position.
    pub(super) space: usize,
    /// What it stands for.
    pub(super) kind: Kind,
    /// Labels its pods carry.
    pub(super) labels: BTreeMap<String, String>,
    /// Its named container ports.
    pub(super) ports: Vec<(String, PortRange)>,
}

/// An external of one program or of both (when unchanged).
#[derive(Debug)]
pub(super) struct AddressSet {
    /// Its name.
    pub(super) name: String,
    /// How a reader sees it: the name, `NAME (old ranges)` for the old
    /// version of an external whose ranges changed.
    pub(super) label: String,
    /// True when the name stands for this set in every program that has it.
    pub(super) whole: bool,
    addresses: Rc<Addresses>,
    /// Its atoms.
    pub(super) atoms: Vec<usize>,
}

/// Addresses that exactly the same externals hold.
#[derive(Debug)]
pub(super) struct Atom {
    /// Inclusive ranges: IPv6 or not, first, last.
    intervals: Vec<(bool, u128, u128)>,
    /// The sets holding it.
    sets: Vec<usize>,
}

/// Every class of two programs. An end is a number: pod classes first,
/// then atoms.
#[derive(Debug)]
pub(super) struct Ends {
    pub(super) spaces: Vec<Space>,
    pub(super) pods: Vec<PodClass>,
    pub(super) sets: Vec<AddressSet>,
    pub(super) atoms: Vec<Atom>,
    space_of: BTreeMap<String, usize>,
    set_of: BTreeMap<(Side, String), usize>,
}

/// An end, or a group of them, as a change names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Spot {
    /// Everything a program leaves open.
    Open(Side),
    /// Every pod of a namespace.
    Space(usize),
    /// One class.
    End(usize),
    /// Every address of an external.
    Set(usize),
}

fn index(side: Side) -> usize {
    match side {
        Side::Old => 0,
        Side::New => 1,
    }
}

impl Ends {
    /// The classes of `old` and `new`.
    pub(super) fn of(old: &Model, new: &Model) -> Self {
        let mut ends = Ends {
            spaces: Vec::new(),
            pods: Vec::new(),
            sets: Vec::new(),
            atoms: Vec::new(),
            space_of: BTreeMap::new(),
            set_of: BTreeMap::new(),
        };
        ends.pods_of(old, new);
        ends.addresses_of(old, new);
        ends
    }

    fn pods_of(&mut self, old: &Model, new: &Model) {
        let names: Vec<&String> = new
            .namespaces
            .keys()
            .chain(
                old.namespaces
                    .keys()
                    .filter(|n| !new.namespaces.contains_key(*n)),
            )
            .collect();
        for name in names {
            let (was, is) = (old.namespaces.get(name), new.namespaces.get(name));
            let space = self.spaces.len();
            let start = self.pods.len();
            for service in is.iter().flat_map(|ns| ns.services.values()) {
                let mut ports: Vec<(String, PortRange)> = service
                    .ports
                    .values()
                    .map(|p| (p.name.clone(), p.range))
                    .collect();
                let before = was.and_then(|ns| ns.services.get(&service.name));
                if let Some(before) = before.filter(|b| b.selector == service.selector) {
                    for port in before.ports.values() {
                        if !ports.iter().any(|(n, _)| *n == port.name) {
                            ports.push((port.name.clone(), port.range));
                        }
                    }
                }
                self.pods.push(PodClass {
                    space,
                    kind: Kind::Service(service.name.clone()),
                    labels: labels_for(&service.selector),
                    ports,
                });
            }
            for service in was.iter().flat_map(|ns| ns.services.values()) {
                let kind = match is.and_then(|ns| ns.services.get(&service.name)) {
                    None => Kind::Service(service.name.clone()),
                    Some(now) if now.selector == service.selector => continue,
                    Some(_) => {
                        Kind::OldSelector(service.name.clone(), service.selector.to_string())
                    }
                };
                self.pods.push(PodClass {
                    space,
                    kind,
                    labels: labels_for(&service.selector),
                    ports: service
                        .ports
                        .values()
                        .map(|p| (p.name.clone(), p.range))
                        .collect(),
                });
            }
            self.push_other(space);
            let managed = |ns: Option<&crate::model::Namespace>| ns.is_some_and(|n| n.managed);
            self.spaces.push(Space {
                name: name.clone(),
                declared: true,
                managed: [managed(was), managed(is)],
                classes: start..self.pods.len(),
            });
            self.space_of.insert(name.clone(), space);
        }
        let space = self.spaces.len();
        let start = self.pods.len();
        self.push_other(space);
        self.spaces.push(Space {
            name: String::new(),
            declared: false,
            managed: [false, false],
            classes: start..self.pods.len(),
        });
    }

    fn push_other(&mut self, space: usize) {
        self.pods.push(PodClass {
            space,
            kind: Kind::Other,
            labels: BTreeMap::from([(OTHER_LABEL.0.to_string(), OTHER_LABEL.1.to_string())]),
            ports: Vec::new(),
        });
    }

    fn addresses_of(&mut self, old: &Model, new: &Model) {
        for external in new.externals.values() {
            let changed = old
                .externals
                .get(&external.name)
                .is_some_and(|o| o.addresses != external.addresses);
            self.set_of
                .insert((Side::New, external.name.clone()), self.sets.len());
            if !changed && old.externals.contains_key(&external.name) {
                self.set_of
                    .insert((Side::Old, external.name.clone()), self.sets.len());
            }
            self.sets.push(AddressSet {
                name: external.name.clone(),
                label: external.name.clone(),
                whole: !changed,
                addresses: Rc::clone(&external.addresses),
                atoms: Vec::new(),
            });
        }
        for external in old.externals.values() {
            if self
                .set_of
                .contains_key(&(Side::Old, external.name.clone()))
            {
                continue;
            }
            let changed = new.externals.contains_key(&external.name);
            self.set_of
                .insert((Side::Old, external.name.clone()), self.sets.len());
            self.sets.push(AddressSet {
                name: external.name.clone(),
                label: if changed {
                    format!("{} (old ranges)", external.name)
                } else {
                    external.name.clone()
                },
                whole: !changed,
                addresses: Rc::clone(&external.addresses),
                atoms: Vec::new(),
            });
        }
        self.atoms_of();
    }

    /// Cuts the address space at every edge of every set and groups the
    /// pieces by the sets that hold them.
    fn atoms_of(&mut self) {
        let mut cuts: BTreeSet<(bool, u128)> = BTreeSet::new();
        for set in &self.sets {
            for (v6, first, last) in intervals(&set.addresses) {
                cuts.insert((v6, first));
                if last < family_max(v6) {
                    cuts.insert((v6, last + 1));
                }
            }
        }
        let cuts: Vec<(bool, u128)> = cuts.into_iter().collect();
        let mut by_sets: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
        for (i, &(v6, first)) in cuts.iter().enumerate() {
            let last = match cuts.get(i + 1) {
                Some(&(same, next)) if same == v6 => next - 1,
                _ => family_max(v6),
            };
            let ip = address(v6, first);
            let sets: Vec<usize> = (0..self.sets.len())
                .filter(|&s| {
                    self.sets
                        .get(s)
                        .is_some_and(|set| set.addresses.contains(ip))
                })
                .collect();
            if sets.is_empty() {
                continue;
            }
            let atom = *by_sets.entry(sets.clone()).or_insert_with(|| {
                self.atoms.push(Atom {
                    intervals: Vec::new(),
                    sets: sets.clone(),
                });
                self.atoms.len() - 1
            });
            if let Some(atom) = self.atoms.get_mut(atom) {
                atom.intervals.push((v6, first, last));
            }
        }
        for (a, atom) in self.atoms.iter().enumerate() {
            for s in &atom.sets {
                if let Some(set) = self.sets.get_mut(*s) {
                    set.atoms.push(a);
                }
            }
        }
    }

    /// How many ends there are.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.pods.len() + self.atoms.len()
    }

    /// The pod class an end is, if it is one.
    pub(super) fn pod(&self, end: usize) -> Option<&PodClass> {
        self.pods.get(end)
    }

    /// True when `side`'s program leaves the end open (an address, or a
    /// pod of a namespace it does not manage).
    pub(super) fn open(&self, side: Side, end: usize) -> bool {
        self.pod(end).is_none_or(|pod| {
            self.spaces
                .get(pod.space)
                .is_none_or(|s| !s.managed.get(index(side)).copied().unwrap_or(false))
        })
    }

    /// The ends a flow's end stands for in `side`'s program.
    pub(super) fn ends(&self, side: Side, model_end: &Endpoint) -> Vec<usize> {
        let space = |name: &str| {
            self.space_of
                .get(name)
                .and_then(|s| self.spaces.get(*s))
                .map_or(0..0, |s| s.classes.clone())
        };
        match model_end {
            Endpoint::Service {
                namespace,
                selector,
                ..
            } => space(namespace)
                .filter(|&c| self.pod(c).is_some_and(|p| selector.matches(&p.labels)))
                .collect(),
            Endpoint::Namespace { namespace, .. } => space(namespace).collect(),
            Endpoint::AllManaged => self
                .spaces
                .iter()
                .filter(|s| s.managed.get(index(side)).copied().unwrap_or(false))
                .flat_map(|s| s.classes.clone())
                .collect(),
            Endpoint::External { name, .. } => self
                .set_of
                .get(&(side, name.clone()))
                .and_then(|s| self.sets.get(*s))
                .map(|set| set.atoms.iter().map(|a| self.pods.len() + a).collect())
                .unwrap_or_default(),
        }
    }

    /// True when a spot holds an end.
    #[cfg(test)]
    pub(super) fn holds(&self, spot: Spot, end: usize) -> bool {
        match spot {
            Spot::Open(side) => self.open(side, end),
            Spot::Space(space) => self.pod(end).is_some_and(|p| p.space == space),
            Spot::End(e) => e == end,
            Spot::Set(set) => end
                .checked_sub(self.pods.len())
                .is_some_and(|a| self.sets.get(set).is_some_and(|s| s.atoms.contains(&a))),
        }
    }

    /// The fewest spots that hold exactly `ends` (sorted): whole namespaces
    /// and whole externals where they are all there.
    pub(super) fn group(&self, ends: &[usize]) -> Vec<Spot> {
        let mut spots = Vec::new();
        let (pods, atoms) = ends.split_at(ends.partition_point(|e| *e < self.pods.len()));
        let mut rest = pods;
        while let Some(&first) = rest.first() {
            let space = self.pod(first).map_or(usize::MAX, |p| p.space);
            let count = rest.partition_point(|e| self.pod(*e).is_some_and(|p| p.space == space));
            let (these, after) = rest.split_at(count);
            let whole = self
                .spaces
                .get(space)
                .is_some_and(|s| s.classes.len() == count);
            if whole {
                spots.push(Spot::Space(space));
            } else {
                spots.extend(these.iter().map(|e| Spot::End(*e)));
            }
            rest = after;
        }
        let mut left: BTreeSet<usize> = atoms.iter().map(|e| e - self.pods.len()).collect();
        let mut sets: Vec<usize> = (0..self.sets.len()).collect();
        sets.sort_by_key(|s| std::cmp::Reverse(self.sets.get(*s).map_or(0, |x| x.atoms.len())));
        for s in sets {
            let Some(set) = self.sets.get(s).filter(|x| x.whole && !x.atoms.is_empty()) else {
                continue;
            };
            if set.atoms.iter().all(|a| left.contains(a)) {
                for a in &set.atoms {
                    left.remove(a);
                }
                spots.push(Spot::Set(s));
            }
        }
        spots.extend(left.into_iter().map(|a| Spot::End(a + self.pods.len())));
        spots
    }

    /// The place a spot is, as a reader sees it.
    pub(super) fn place(&self, spot: Spot) -> Place {
        let space_name = |s: usize| {
            self.spaces
                .get(s)
                .map(|x| x.name.clone())
                .unwrap_or_default()
        };
        match spot {
            Spot::Open(side) => Place::Open {
                side,
                everything: self
                    .spaces
                    .iter()
                    .all(|s| !s.managed.get(index(side)).copied().unwrap_or(false)),
            },
            Spot::Space(s) if self.spaces.get(s).is_some_and(|x| x.declared) => Place::Namespace {
                namespace: space_name(s),
            },
            Spot::Space(_) => Place::Undeclared,
            Spot::Set(s) => Place::External {
                name: self.sets.get(s).map(|x| x.name.clone()).unwrap_or_default(),
            },
            Spot::End(end) => match self.pod(end) {
                Some(pod) => {
                    let declared = self.spaces.get(pod.space).is_some_and(|x| x.declared);
                    let namespace = space_name(pod.space);
                    match &pod.kind {
                        Kind::Service(service) => Place::Service {
                            namespace,
                            service: service.clone(),
                        },
                        Kind::OldSelector(service, selector) => Place::OldSelector {
                            namespace,
                            service: service.clone(),
                            selector: selector.clone(),
                        },
                        Kind::Other if declared => Place::OtherPods { namespace },
                        Kind::Other => Place::Undeclared,
                    }
                }
                None => {
                    let atom = end
                        .checked_sub(self.pods.len())
                        .and_then(|a| self.atoms.get(a));
                    Place::Addresses {
                        cidrs: atom.map(|a| cidrs(&a.intervals)).unwrap_or_default(),
                        externals: atom
                            .map(|a| {
                                a.sets
                                    .iter()
                                    .filter_map(|s| self.sets.get(*s).map(|x| x.label.clone()))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                }
            },
        }
    }

    /// The atom holding an address, if an external holds it (for tests).
    #[cfg(test)]
    pub(super) fn atom_of(&self, ip: IpAddr) -> Option<usize> {
        let (v6, value) = match ip {
            IpAddr::V4(v4) => (false, u128::from(u32::from(v4))),
            IpAddr::V6(v6) => (true, u128::from(v6)),
        };
        self.atoms
            .iter()
            .position(|a| {
                a.intervals
                    .iter()
                    .any(|&(f, first, last)| f == v6 && first <= value && value <= last)
            })
            .map(|a| a + self.pods.len())
    }

    /// The ports a flow opens towards `end`: its ranges, or, for a port
    /// given by name, the pod's own container port of that name.
    pub(super) fn ports(&self, ports: &crate::model::Ports, end: usize) -> super::region::PortSet {
        use super::region::PortSet;
        match ports {
            crate::model::Ports::Any => PortSet::all(),
            crate::model::Ports::Ranges(ranges) => PortSet::of(ranges.iter().copied()),
            crate::model::Ports::Named(named) => {
                let protocols: BTreeSet<Protocol> = named.protocols();
                PortSet::of(
                    self.pod(end)
                        .into_iter()
                        .flat_map(|p| &p.ports)
                        .filter(|(name, range)| {
                            *name == named.name && protocols.contains(&range.protocol)
                        })
                        .map(|(_, range)| PortRange {
                            last: range.first,
                            ..*range
                        }),
                )
            }
        }
    }
}

fn family_max(v6: bool) -> u128 {
    if v6 { u128::MAX } else { u128::from(u32::MAX) }
}

fn address(v6: bool, value: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(value))
    } else {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX)))
    }
}

/// An address set as inclusive ranges: each `ipBlock` minus its holes.
fn intervals(addresses: &Addresses) -> Vec<(bool, u128, u128)> {
    let range = |net: &ipnet::IpNet| match net {
        ipnet::IpNet::V4(n) => (
            false,
            u128::from(u32::from(n.network())),
            u128::from(u32::from(n.broadcast())),
        ),
        ipnet::IpNet::V6(n) => (true, u128::from(n.network()), u128::from(n.broadcast())),
    };
    let mut out = Vec::new();
    for block in addresses.ip_blocks() {
        let (v6, first, last) = range(&block.cidr);
        let mut holes: Vec<(u128, u128)> = block
            .except
            .iter()
            .map(range)
            .map(|(_, f, l)| (f, l))
            .collect();
        holes.sort_unstable();
        let mut cursor = Some(first);
        for (hole_first, hole_last) in holes {
            let Some(at) = cursor else { break };
            if at < hole_first {
                out.push((v6, at, hole_first - 1));
            }
            cursor = if hole_last >= at {
                hole_last.checked_add(1)
            } else {
                Some(at)
            };
        }
        if let Some(at) = cursor.filter(|at| *at <= last) {
            out.push((v6, at, last));
        }
    }
    out
}

/// The fewest CIDR blocks that cover the ranges.
fn cidrs(intervals: &[(bool, u128, u128)]) -> Vec<String> {
    let mut out = Vec::new();
    for &(v6, first, last) in intervals {
        if v6 {
            out.extend(
                ipnet::Ipv6Subnets::new(Ipv6Addr::from(first), Ipv6Addr::from(last), 0)
                    .map(|n| n.to_string()),
            );
        } else {
            let (Ok(first), Ok(last)) = (u32::try_from(first), u32::try_from(last)) else {
                continue;
            };
            out.extend(
                ipnet::Ipv4Subnets::new(Ipv4Addr::from(first), Ipv4Addr::from(last), 0)
                    .map(|n| n.to_string()),
            );
        }
    }
    out
}
