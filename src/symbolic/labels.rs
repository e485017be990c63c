//! Label requirements: what a set of pods (or namespaces) may carry, key by
//! key. A [`Values`] is any set of "absent or a value" for one key, closed
//! under intersection and complement; a [`Labels`] cube is a conjunction of
//! them over distinct keys, and its complement is a union of disjoint cubes.
//! Knows nothing of Kubernetes objects or of Ward.

use std::collections::{BTreeMap, BTreeSet};

/// The name of one label in a connection's description.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// A label of the namespace (its name is `kubernetes.io/metadata.name`).
    Namespace(String),
    /// A label of the pod.
    Pod(String),
    /// A pseudo-label of a destination pod: present when its container port
    /// of this name is the connection's port and protocol.
    Port(String),
}

/// The values of one key a set allows: absence, and a finite or co-finite
/// set of values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Values {
    /// Whether the key may be missing.
    pub absent: bool,
    /// Which values it may have when present.
    pub present: Present,
}

/// A finite or co-finite set of label values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Present {
    /// Exactly these values.
    Only(BTreeSet<String>),
    /// Every value but these.
    AllBut(BTreeSet<String>),
}

impl Values {
    /// Every value, and absence.
    pub fn any() -> Self {
        Self {
            absent: true,
            present: Present::AllBut(BTreeSet::new()),
        }
    }

    /// `In (values)` (and `key=value` for one value).
    pub fn one_of<I: IntoIterator<Item = String>>(values: I) -> Self {
        Self {
            absent: false,
            present: Present::Only(values.into_iter().collect()),
        }
    }

    /// `NotIn (values)`: absent, or present with another value.
    pub fn none_of<I: IntoIterator<Item = String>>(values: I) -> Self {
        Self {
            absent: true,
            present: Present::AllBut(values.into_iter().collect()),
        }
    }

    /// `Exists`: present with any value.
    pub fn exists() -> Self {
        Self {
            absent: false,
            present: Present::AllBut(BTreeSet::new()),
        }
    }

    /// `DoesNotExist`: absent.
    pub fn missing() -> Self {
        Self {
            absent: true,
            present: Present::Only(BTreeSet::new()),
        }
    }

    /// True when no label state is allowed.
    pub fn is_empty(&self) -> bool {
        !self.absent && matches!(&self.present, Present::Only(v) if v.is_empty())
    }

    /// True when every label state is allowed.
    pub fn is_any(&self) -> bool {
        self.absent && matches!(&self.present, Present::AllBut(v) if v.is_empty())
    }

    /// The states both allow.
    pub fn intersect(&self, other: &Self) -> Self {
        let present = match (&self.present, &other.present) {
            (Present::Only(a), Present::Only(b)) => Present::Only(a & b),
            (Present::Only(a), Present::AllBut(b)) | (Present::AllBut(b), Present::Only(a)) => {
                Present::Only(a - b)
            }
            (Present::AllBut(a), Present::AllBut(b)) => Present::AllBut(a | b),
        };
        Self {
            absent: self.absent && other.absent,
            present,
        }
    }

    /// Whether some state is allowed by both (no allocation).
    pub fn meets(&self, other: &Self) -> bool {
        (self.absent && other.absent)
            || match (&self.present, &other.present) {
                (Present::Only(a), Present::Only(b)) => a.iter().any(|v| b.contains(v)),
                (Present::Only(a), Present::AllBut(b)) | (Present::AllBut(b), Present::Only(a)) => {
                    a.iter().any(|v| !b.contains(v))
                }
                // Two co-finite sets always share a value.
                (Present::AllBut(_), Present::AllBut(_)) => true,
            }
    }

    /// The states this does not allow.
    pub fn complement(&self) -> Self {
        Self {
            absent: !self.absent,
            present: match &self.present {
                Present::Only(v) => Present::AllBut(v.clone()),
                Present::AllBut(v) => Present::Only(v.clone()),
            },
        }
    }

    /// Whether a key with `value` (`None`: missing) is allowed.
    pub fn contains(&self, value: Option<&str>) -> bool {
        match (value, &self.present) {
            (None, _) => self.absent,
            (Some(v), Present::Only(set)) => set.contains(v),
            (Some(v), Present::AllBut(set)) => !set.contains(v),
        }
    }

    /// A state this allows, missing when it can be: the smallest example.
    /// `None` when empty; `Some(None)` for a missing key.
    pub fn pick(&self) -> Option<Option<String>> {
        if self.absent {
            return Some(None);
        }
        match &self.present {
            Present::Only(set) => set.first().cloned().map(Some),
            Present::AllBut(set) => Some(Some(fresh(set))),
        }
    }
}

/// A valid label value outside `taken`.
fn fresh(taken: &BTreeSet<String>) -> String {
    (0..=taken.len())
        .map(|n| {
            if n == 0 {
                "x".to_string()
            } else {
                format!("x{n}")
            }
        })
        .find(|v| !taken.contains(v))
        .unwrap_or_default()
}

/// A conjunction of per-key requirements; a key not listed may be anything.
/// Never empty: operations that could empty it return `Option`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels {
    keys: BTreeMap<Key, Values>,
}

impl Labels {
    /// Every label state of every key.
    pub fn any() -> Self {
        Self::default()
    }

    /// One requirement, or `None` when it allows nothing.
    pub fn require(key: Key, values: Values) -> Option<Self> {
        Self::any().with(key, &values)
    }

    /// This cube with `values` also required of `key`; `None` when empty.
    pub fn with(mut self, key: Key, values: &Values) -> Option<Self> {
        let merged = match self.keys.get(&key) {
            Some(old) => old.intersect(values),
            None => values.clone(),
        };
        if merged.is_empty() {
            return None;
        }
        if merged.is_any() {
            self.keys.remove(&key);
        } else {
            self.keys.insert(key, merged);
        }
        Some(self)
    }

    /// The requirement on `key` (every state when none).
    pub fn get(&self, key: &Key) -> Values {
        self.keys.get(key).cloned().unwrap_or_else(Values::any)
    }

    /// The requirement on `key`, when it has one (no allocation).
    pub fn requirement(&self, key: &Key) -> Option<&Values> {
        self.keys.get(key)
    }

    /// The requirements, by key.
    pub fn requirements(&self) -> impl Iterator<Item = (&Key, &Values)> {
        self.keys.iter()
    }

    /// Whether some labelling meets both cubes (no allocation).
    pub fn meets(&self, other: &Self) -> bool {
        let (small, large) = if self.keys.len() <= other.keys.len() {
            (self, other)
        } else {
            (other, self)
        };
        small
            .keys
            .iter()
            .all(|(key, values)| large.keys.get(key).is_none_or(|v| v.meets(values)))
    }

    /// The label states both cubes allow; `None` when none.
    pub fn intersect(&self, other: &Self) -> Option<Self> {
        other
            .keys
            .iter()
            .try_fold(self.clone(), |cube, (key, values)| {
                cube.with(key.clone(), values)
            })
    }

    /// The states this cube does not allow, as disjoint cubes: the i-th
    /// meets the first i-1 requirements and fails the i-th.
    pub fn complement(&self) -> Vec<Self> {
        let mut pieces = Vec::new();
        let mut prefix = Self::any();
        for (key, values) in &self.keys {
            let outside = values.complement();
            if let Some(piece) = prefix.clone().with(key.clone(), &outside) {
                pieces.push(piece);
            }
            match prefix.with(key.clone(), values) {
                Some(next) => prefix = next,
                None => break,
            }
        }
        pieces
    }

    /// `self` minus `other`, as disjoint cubes.
    pub fn minus(&self, other: &Self) -> Vec<Self> {
        if !self.meets(other) {
            return vec![self.clone()];
        }
        other
            .complement()
            .iter()
            .filter_map(|piece| self.intersect(piece))
            .collect()
    }

    /// Whether labels `of` (key -> value) meet every requirement.
    pub fn contains(&self, of: &BTreeMap<Key, String>) -> bool {
        self.keys
            .iter()
            .all(|(key, values)| values.contains(of.get(key).map(String::as_str)))
    }

    /// Labels that meet the cube: only keys that must be present, each with
    /// a value the cube allows.
    pub fn pick(&self) -> BTreeMap<Key, String> {
        self.keys
            .iter()
            .filter_map(|(key, values)| Some((key.clone(), values.pick()??)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEYS: [&str; 2] = ["a", "b"];
    const VALUES: [&str; 3] = ["x", "y", "z"];

    /// Every labelling of the keys with absence or one of the values (and
    /// `w`, a value no requirement names).
    fn universe() -> Vec<BTreeMap<Key, String>> {
        let states = [None, Some("x"), Some("y"), Some("z"), Some("w")];
        let mut all = vec![BTreeMap::new()];
        for key in KEYS {
            all = all
                .into_iter()
                .flat_map(|labels| {
                    states.iter().map(move |state| {
                        let mut labels = labels.clone();
                        if let Some(v) = state {
                            labels.insert(Key::Pod(key.to_string()), v.to_string());
                        }
                        labels
                    })
                })
                .collect();
        }
        all
    }

    fn values() -> impl Strategy<Value = Values> {
        let set = proptest::sample::subsequence(VALUES.to_vec(), 0..=3)
            .prop_map(|v| v.into_iter().map(String::from).collect::<BTreeSet<_>>());
        (any::<bool>(), any::<bool>(), set).prop_map(|(absent, only, set)| Values {
            absent,
            present: if only {
                Present::Only(set)
            } else {
                Present::AllBut(set)
            },
        })
    }

    fn cube() -> impl Strategy<Value = Option<Labels>> {
        proptest::collection::vec((proptest::sample::select(KEYS.to_vec()), values()), 0..3)
            .prop_map(|requirements| {
                requirements
                    .into_iter()
                    .try_fold(Labels::any(), |cube, (key, values)| {
                        cube.with(Key::Pod(key.to_string()), &values)
                    })
            })
    }

    proptest! {
        #[test]
        fn intersection_complement_and_difference_match_brute_force(a in cube(), b in cube()) {
            let universe = universe();
            let holds = |c: &Option<Labels>, l: &BTreeMap<Key, String>| c.as_ref().is_some_and(|c| c.contains(l));
            // An empty cube is `None`: nothing to compare.
            let (Some(ca), Some(cb)) = (&a, &b) else {
                return Ok(());
            };
            let both = ca.intersect(cb);
            prop_assert_eq!(ca.meets(cb), both.is_some());
            let outside = ca.complement();
            let rest = ca.minus(cb);
            for labels in &universe {
                prop_assert_eq!(holds(&both, labels), ca.contains(labels) && cb.contains(labels));
                let pieces = outside.iter().filter(|p| p.contains(labels)).count();
                prop_assert_eq!(pieces, usize::from(!ca.contains(labels)), "complement pieces are disjoint and cover");
                let pieces = rest.iter().filter(|p| p.contains(labels)).count();
                prop_assert_eq!(pieces, usize::from(ca.contains(labels) && !cb.contains(labels)));
            }
            // A picked labelling is in the cube, and has only required keys.
            let picked = ca.pick();
            prop_assert!(ca.contains(&picked));
            for key in picked.keys() {
                prop_assert!(!ca.get(key).absent);
            }
        }

        #[test]
        fn values_complement_and_intersection_are_exact(a in values(), b in values()) {
            for state in [None, Some("x"), Some("y"), Some("z"), Some("w")] {
                prop_assert_eq!(a.intersect(&b).contains(state), a.contains(state) && b.contains(state));
                prop_assert_eq!(a.complement().contains(state), !a.contains(state));
                prop_assert_eq!(a.meets(&b), !a.intersect(&b).is_empty());
            }
            prop_assert_eq!(a.is_empty(), a.pick().is_none());
        }
    }
}
