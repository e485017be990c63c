//! An index of regions by the namespaces (or addresses) their two sides are
//! pinned to, so that a region meets only the few others that can overlap
//! it instead of all of them.

use super::region::{Cube, Pin};
use std::collections::BTreeMap;

/// Regions by (source pin, destination pin).
#[derive(Debug, Default)]
pub struct Index {
    by_pins: BTreeMap<Pin, BTreeMap<Pin, Vec<usize>>>,
}

impl Index {
    /// Indexes the regions, by position.
    pub fn new<'a>(cubes: impl IntoIterator<Item = &'a Cube>) -> Self {
        let mut index = Self::default();
        for (i, cube) in cubes.into_iter().enumerate() {
            index
                .by_pins
                .entry(cube.src.namespace())
                .or_default()
                .entry(cube.dst.namespace())
                .or_default()
                .push(i);
        }
        index
    }

    /// The positions of the regions that may overlap `cube`, ascending.
    pub fn candidates(&self, cube: &Cube) -> Vec<usize> {
        let mut found = Vec::new();
        for inner in matching(&self.by_pins, &cube.src.namespace()) {
            for positions in matching(inner, &cube.dst.namespace()) {
                found.extend_from_slice(positions);
            }
        }
        found.sort_unstable();
        found
    }
}

/// The entries whose pin can meet `pin`: all of them for an unknown pin,
/// else the same pin and the unknown one.
fn matching<'a, T>(map: &'a BTreeMap<Pin, T>, pin: &Pin) -> Vec<&'a T> {
    match pin {
        Pin::Any => map.values().collect(),
        known => [known, &Pin::Any]
            .into_iter()
            .filter_map(|p| map.get(p))
            .collect(),
    }
}
