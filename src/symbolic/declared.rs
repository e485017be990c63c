//! What a program declares, as regions: each flow and `deny` from its
//! meaning as `proof::meaning` works it out from what was written (never
//! from the checker's, planner's or emitter's derived sets), and the space
//! of connections Ward answers for (one end a pod of a managed namespace).

use super::intervals::{Addresses, Intervals};
use super::labels::{Key, Labels, Present, Values};
use super::region::{Cube, Pin, Protocols, Side, all_ports, name_key};
use crate::model::{Model, Operator, Selector};
use crate::proof::meaning::{Covered, End, Meaning, Rule};
use std::collections::BTreeSet;

/// The program's flows and `deny`s as regions, each with its index.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    /// Regions of the flows, with the flow's index.
    pub flows: Vec<(Cube, usize)>,
    /// Regions of the `deny`s, with the invariant's index.
    pub denies: Vec<(Cube, usize)>,
    /// The connections Ward's policies decide, as disjoint regions.
    pub space: Vec<Cube>,
    /// The managed namespaces: a region with an end pinned to one is
    /// inside [`Declared::space`] whole.
    managed: BTreeSet<String>,
}

impl Declared {
    /// The part of `cube` inside [`Declared::space`], as disjoint regions:
    /// the cube itself when one of its ends is pinned to a managed
    /// namespace (no set is copied), else its meets with the space.
    pub fn confine(&self, cube: Cube) -> Vec<Cube> {
        let managed = |side: &Side| matches!(side.namespace(), Pin::Namespace(n) if self.managed.contains(&n));
        if managed(&cube.src) || managed(&cube.dst) {
            return vec![cube];
        }
        self.space
            .iter()
            .filter_map(|s| cube.intersect(s))
            .collect()
    }
}

/// Works out the regions of `model`'s flows and `deny`s.
pub fn declared(model: &Model) -> Declared {
    let meaning = Meaning::new(model);
    let managed: Vec<String> = model
        .namespaces
        .values()
        .filter(|ns| ns.managed)
        .map(|ns| ns.name.clone())
        .collect();
    let regions = |rules: &[Rule]| -> Vec<(Cube, usize)> {
        rules
            .iter()
            .enumerate()
            .flat_map(|(i, rule)| cubes(rule, &managed).into_iter().map(move |c| (c, i)))
            .collect()
    };
    Declared {
        flows: regions(&meaning.flows),
        denies: regions(&meaning.denies),
        space: space(&managed),
        managed: managed.iter().cloned().collect(),
    }
}

/// Pods of the namespaces named `names` (or of every other namespace).
fn pods_of(names: &[String], inside: bool) -> Side {
    let names = names.iter().cloned();
    let values = if inside {
        Values::one_of(names)
    } else {
        Values {
            absent: false,
            present: Present::AllBut(names.collect()),
        }
    };
    Labels::require(name_key(), values).map_or(Side::Addresses(Addresses::default()), Side::Pods)
}

/// One end a pod of a managed namespace: from such a pod to anything, and
/// from anything else to such a pod.
fn space(managed: &[String]) -> Vec<Cube> {
    let mut cubes = Vec::new();
    for dst in Side::everything() {
        cubes.extend(Cube::new(
            pods_of(managed, true),
            dst,
            Protocols::ALL,
            all_ports(),
        ));
    }
    let others = [pods_of(managed, false), Side::Addresses(Addresses::all())];
    for src in others {
        cubes.extend(Cube::new(
            src,
            pods_of(managed, true),
            Protocols::ALL,
            all_ports(),
        ));
    }
    cubes
}

/// The regions of one flow or `deny`.
fn cubes(rule: &Rule, managed: &[String]) -> Vec<Cube> {
    let (srcs, dsts) = (sides(&rule.src, managed), sides(&rule.dst, managed));
    let mut out = Vec::new();
    for (protocols, ports, name) in covered(&rule.ports) {
        for src in &srcs {
            for dst in &dsts {
                let dst = match (&name, dst) {
                    (None, dst) => Some(dst.clone()),
                    (Some(name), Side::Pods(cube)) => cube
                        .clone()
                        .with(Key::Port(name.clone()), &Values::exists())
                        .map(Side::Pods),
                    (Some(_), Side::Addresses(_)) => None,
                };
                out.extend(
                    dst.and_then(|dst| Cube::new(src.clone(), dst, protocols, ports.clone())),
                );
            }
        }
    }
    out
}

/// The sides an end stands for.
fn sides(end: &End, managed: &[String]) -> Vec<Side> {
    match end {
        End::Pods {
            namespace,
            selector,
        } => {
            let home = Labels::require(name_key(), Values::one_of([namespace.clone()]));
            let cube = match selector {
                Some(s) => home.and_then(|h| requirements(s).and_then(|r| h.intersect(&r))),
                None => home,
            };
            cube.map(Side::Pods).into_iter().collect()
        }
        End::AllManaged => vec![pods_of(managed, true)],
        End::Addresses { blocks, holes } => {
            vec![Side::Addresses(Addresses::blocks(blocks, holes))]
        }
        End::Nothing => Vec::new(),
    }
}

/// A service's selector requirements as a cube of pod labels.
fn requirements(selector: &Selector) -> Option<Labels> {
    let mut cube = Some(Labels::any());
    for (key, value) in &selector.labels {
        cube = cube?.with(Key::Pod(key.clone()), &Values::one_of([value.clone()]));
    }
    for e in &selector.expressions {
        let values = e.values.iter().cloned();
        let required = match e.operator {
            Operator::In => Values::one_of(values),
            Operator::NotIn => Values::none_of(values),
            Operator::Exists => Values::exists(),
            Operator::DoesNotExist => Values::missing(),
        };
        cube = cube?.with(Key::Pod(e.key.clone()), &required);
    }
    cube
}

/// The (protocols, ports, port name) pieces a rule covers.
fn covered(ports: &Covered) -> Vec<(Protocols, Intervals, Option<String>)> {
    match ports {
        Covered::Any => vec![(Protocols::ALL, all_ports(), None)],
        Covered::Ranges(ranges) => ranges
            .iter()
            .map(|(protocol, first, last)| {
                (
                    Protocols::one(*protocol),
                    Intervals::new([(u128::from(*first), u128::from(*last))]),
                    None,
                )
            })
            .collect(),
        Covered::Named { name, protocols } => protocols
            .iter()
            .map(|p| (Protocols::one(*p), all_ports(), Some(name.clone())))
            .collect(),
    }
}
