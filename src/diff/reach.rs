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
use indexmap::IndexMap;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// The policies `ward build` would write for a program.
fn policies(program: Program<'_>) -> Vec<NetworkPolicy> {
    let planned = plan::plan(program.model);
    emit::emit(program.model, &planned, program.sources)
        .into_iter()
        .map(|e| e.object)
        .collect()
}

/// A probe as Ward writes ports: `5432/tcp`.
fn probe_text(probe: Probe) -> String {
    format!(
        "{}/{}",
        probe.port,
        probe.protocol.to_string().to_ascii_lowercase()
    )
}

/// Cells of one verdict change, while they are collected.
#[derive(Default)]
struct Group {
    /// The smallest (source, destination) endpoint positions: the order.
    first: (usize, usize),
    probes: BTreeSet<Probe>,
    addresses: BTreeSet<IpAddr>,
    connections: usize,
}

impl Group {
    fn add(&mut self, position: (usize, usize), ends: [&Endpoint; 2], probe: Probe) {
        if self.connections == 0 || position < self.first {
            self.first = position;
        }
        self.connections += 1;
        self.probes.insert(probe);
        for end in ends {
            if let Endpoint::External(ip) = end {
                self.addresses.insert(*ip);
            }
        }
    }
}

type Groups = IndexMap<(String, String), Group>;

fn finish(groups: Groups) -> Vec<PairChange> {
    let mut groups: Vec<((String, String), Group)> = groups.into_iter().collect();
    groups.sort_by(|a, b| (a.1.first, &a.0).cmp(&(b.1.first, &b.0)));
    groups
        .into_iter()
        .map(|((src, dst), group)| PairChange {
            src,
            dst,
            probes: group.probes.into_iter().map(probe_text).collect(),
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
    let mut allowed = Groups::new();
    let mut blocked = Groups::new();
    // Each endpoint's label, by position (the same in every run: one world).
    let mut labels: Vec<String> = Vec::new();
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
        // Both programs are simulated in one world, so both runs list the
        // same endpoints in the same order (checked once, on the first
        // probe) and their cells pair up one to one: walked row by row
        // (82 M cells at 1,000 services).
        if labels.is_empty() {
            if before.endpoints() != after.endpoints() {
                break;
            }
            labels = before.endpoints().iter().map(|e| union.label(e)).collect();
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
                groups
                    .entry((src_label.clone(), dst_label.clone()))
                    .or_default()
                    .add((s, d), [src, dst], probe);
            }
        }
    }
    change.newly_allowed = finish(allowed);
    change.newly_blocked = finish(blocked);
    Ok(change)
}
