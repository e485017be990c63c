//! The reachability change: both programs' policies, planned and emitted
//! as `ward build` does, simulated in the one world of their [`Union`], and
//! every connection whose verdict differs, grouped per source and
//! destination as a reader names them.
//!
//! Owns the simulation of a change and the grouping; must not know how the
//! result is rendered.

use super::union::Union;
use super::{PairChange, Program, ReachabilityChange, WorldSize};
use crate::proof::world;
use crate::simulate::{self, Endpoint, LoadError, Probe};
use crate::{emit, plan};
use indexmap::IndexSet;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::rc::Rc;

/// The policies `ward build` would write for a program.
fn policies(program: Program<'_>) -> Vec<NetworkPolicy> {
    let planned = plan::plan(program.model);
    emit::emit(program.model, &planned, program.sources)
        .into_iter()
        .map(|e| e.object)
        .collect()
}

/// Cells of one verdict change, while they are collected.
#[derive(Default)]
struct Group {
    /// The smallest (source, destination) endpoint positions: the order.
    first: (usize, usize),
    /// The probes, by their position in the run (one bit each).
    probes: Vec<u64>,
    addresses: BTreeSet<IpAddr>,
    connections: usize,
}

impl Group {
    fn add(&mut self, position: (usize, usize), ends: [&Endpoint; 2], probe: usize) {
        if self.connections == 0 || position < self.first {
            self.first = position;
        }
        self.connections += 1;
        let (word, bit) = (probe / 64, probe % 64);
        if self.probes.len() <= word {
            self.probes.resize(word + 1, 0);
        }
        if let Some(bits) = self.probes.get_mut(word) {
            *bits |= 1 << bit;
        }
        for end in ends {
            if let Endpoint::External(ip) = end {
                self.addresses.insert(*ip);
            }
        }
    }

    /// The probes whose bits are set, sorted; pairs with the same probes
    /// share one list (most pairs of a large change have the same).
    fn probes(&self, run: &[Probe], shared: &mut Shared) -> Rc<[Probe]> {
        if let Some(probes) = shared.get(&self.probes) {
            return Rc::clone(probes);
        }
        let mut probes: Vec<Probe> = (0..self.probes.len() * 64)
            .filter(|i| {
                self.probes
                    .get(i / 64)
                    .is_some_and(|bits| bits & (1 << (i % 64)) != 0)
            })
            .filter_map(|i| run.get(i).copied())
            .collect();
        probes.sort_unstable();
        let probes: Rc<[Probe]> = Rc::from(probes);
        shared.insert(self.probes.clone(), Rc::clone(&probes));
        probes
    }
}

/// Probe lists by their bits.
type Shared = BTreeMap<Vec<u64>, Rc<[Probe]>>;

/// Groups by (source, destination) label, each label by its number. A
/// changed cell finds its group by two array lookups: per source label, the
/// group of each destination label (made when the source first changes).
#[derive(Default)]
struct Groups {
    /// Per source label, per destination label: the group's position + 1.
    index: Vec<Vec<u32>>,
    groups: Vec<((usize, usize), Group)>,
}

impl Groups {
    fn group(&mut self, src: usize, dst: usize, labels: usize) -> Option<&mut Group> {
        if self.index.len() <= src {
            self.index.resize_with(src + 1, Vec::new);
        }
        let row = self.index.get_mut(src)?;
        if row.is_empty() {
            row.resize(labels, 0);
        }
        let slot = row.get_mut(dst)?;
        if *slot == 0 {
            self.groups.push(((src, dst), Group::default()));
            *slot = u32::try_from(self.groups.len()).ok()?;
        }
        let position = usize::try_from(*slot).ok()?.checked_sub(1)?;
        self.groups.get_mut(position).map(|(_, group)| group)
    }
}

fn finish(groups: Groups, names: &IndexSet<String>, run: &[Probe]) -> Vec<PairChange> {
    let name = |label: usize| names.get_index(label).cloned().unwrap_or_default();
    let mut shared = Shared::new();
    let mut groups: Vec<((String, String), Group)> = groups
        .groups
        .into_iter()
        .map(|((src, dst), group)| ((name(src), name(dst)), group))
        .collect();
    groups.sort_by(|a, b| (a.1.first, &a.0).cmp(&(b.1.first, &b.0)));
    groups
        .into_iter()
        .map(|((src, dst), group)| PairChange {
            src,
            dst,
            probes: group.probes(run, &mut shared),
            addresses: group.addresses.iter().map(ToString::to_string).collect(),
            connections: group.connections,
        })
        .collect()
}

/// Simulates both programs in one world and lists what changed. The world
/// is simulated one probe at a time (`World::reachability_by_probe`), so
/// that only one probe's matrices of both programs are ever held (all 64
/// of them took 2.1 GB at 5,000 services).
pub fn compare(old: Program<'_>, new: Program<'_>) -> Result<ReachabilityChange, LoadError> {
    let union = Union::of(old.model, new.model);
    let test_world = world::test_world(&union.model);
    let addresses = test_world.addresses();
    let simulate = |program: Program<'_>| {
        simulate::World::from_objects(
            test_world.namespaces.clone(),
            test_world.pods.clone(),
            policies(program),
        )
    };
    let (old_world, new_world) = (simulate(old)?, simulate(new)?);
    let mut change = ReachabilityChange {
        world: WorldSize {
            pods: test_world.pods.len(),
            addresses: addresses.len(),
            probes: test_world.probes.len(),
        },
        ..ReachabilityChange::default()
    };
    let mut allowed = Groups::default();
    let mut blocked = Groups::default();
    // Each endpoint's label, by position (the same in every run: one world),
    // as a number into `names`: a changed cell costs no text.
    let mut names: IndexSet<String> = IndexSet::new();
    let mut labels: Vec<usize> = Vec::new();
    // The probes in the order of the runs.
    let mut run: Vec<Probe> = Vec::new();
    let runs = old_world
        .reachability_by_probe(&test_world.probes, &addresses)
        .zip(new_world.reachability_by_probe(&test_world.probes, &addresses));
    for (before, after) in runs {
        let Some(&probe) = before.probes().first() else {
            break;
        };
        if before.probes() != after.probes() {
            break;
        }
        let p = run.len();
        run.push(probe);
        // Both programs are simulated in one world, so both runs list the
        // same endpoints in the same order (checked once, on the first
        // probe) and their cells pair up one to one: walked row by row
        // (82 M cells at 1,000 services).
        if labels.is_empty() {
            if before.endpoints() != after.endpoints() {
                break;
            }
            labels = before
                .endpoints()
                .iter()
                .map(|e| names.insert_full(union.label(e)).0)
                .collect();
        }
        for (s, src) in before.endpoints().iter().enumerate() {
            let cells = before.row(0, s).zip(after.row(0, s));
            for ((d, dst), cell) in before.endpoints().iter().enumerate().zip(cells) {
                let (Some(was), Some(is)) = cell else {
                    continue;
                };
                change.connections += 1;
                change.allowed_before += usize::from(was);
                change.allowed_after += usize::from(is);
                if was == is {
                    continue;
                }
                let (Some(src_label), Some(dst_label)) = (labels.get(s), labels.get(d)) else {
                    continue;
                };
                let groups = if is { &mut allowed } else { &mut blocked };
                if let Some(group) = groups.group(*src_label, *dst_label, names.len()) {
                    group.add((s, d), [src, dst], p);
                }
            }
        }
    }
    change.newly_allowed = finish(allowed, &names, &run);
    change.newly_blocked = finish(blocked, &names, &run);
    Ok(change)
}
