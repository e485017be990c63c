//! Label selectors: normalization and satisfiability.
//!
//! Decides whether a conjunction of selectors can match some pod, which the
//! checker uses for contradictory selectors, overlapping services and `deny`
//! invariants.

use crate::model::{Expression, Operator, Selector};
use std::collections::{BTreeMap, BTreeSet};

/// What a conjunction of terms requires of one label key.
#[derive(Default)]
struct KeyConstraint<'a> {
    /// The values allowed, when some term restricts them (`=`, `in`).
    allowed: Option<BTreeSet<&'a str>>,
    /// Values excluded by `notin`.
    excluded: BTreeSet<&'a str>,
    /// Some term requires the label to be present.
    present: bool,
    /// Some term requires the label to be absent.
    absent: bool,
}

impl<'a> KeyConstraint<'a> {
    fn allow(&mut self, values: impl IntoIterator<Item = &'a str>) {
        let values: BTreeSet<&str> = values.into_iter().collect();
        self.allowed = Some(match self.allowed.take() {
            Some(before) => before.intersection(&values).copied().collect(),
            None => values,
        });
        self.present = true;
    }

    fn satisfiable(&self) -> bool {
        if self.absent {
            return !self.present;
        }
        match &self.allowed {
            Some(allowed) => allowed.iter().any(|v| !self.excluded.contains(v)),
            None => true,
        }
    }
}

/// True when some pod can match every one of `selectors` at once.
pub fn satisfiable(selectors: &[&Selector]) -> bool {
    let mut keys: BTreeMap<&str, KeyConstraint<'_>> = BTreeMap::new();
    for selector in selectors {
        for (key, value) in &selector.labels {
            keys.entry(key).or_default().allow([value.as_str()]);
        }
        for expression in &selector.expressions {
            let constraint = keys.entry(&expression.key).or_default();
            let values = expression.values.iter().map(String::as_str);
            match expression.operator {
                Operator::In => constraint.allow(values),
                Operator::NotIn => constraint.excluded.extend(values),
                Operator::Exists => constraint.present = true,
                Operator::DoesNotExist => constraint.absent = true,
            }
        }
    }
    keys.values().all(KeyConstraint::satisfiable)
}

/// True when one pod could be selected by both `a` and `b`.
pub fn can_overlap(a: &Selector, b: &Selector) -> bool {
    // Fast path: two `k=v` labels with one key and different values.
    let disjoint_labels = a
        .labels
        .iter()
        .any(|(key, value)| b.labels.get(key).is_some_and(|other| other != value));
    !disjoint_labels && satisfiable(&[a, b])
}

/// Builds a selector from `k=v` pairs and expressions, sorting the
/// expressions and merging repeated `k=v` terms (a repeated key with another
/// value is kept as an `In` expression so the contradiction stays visible).
pub fn normalize(equals: Vec<(String, String)>, mut expressions: Vec<Expression>) -> Selector {
    let mut labels = BTreeMap::new();
    for (key, value) in equals {
        match labels.get(&key) {
            Some(existing) if existing != &value => expressions.push(Expression {
                key,
                operator: Operator::In,
                values: [value].into_iter().collect(),
            }),
            _ => {
                labels.insert(key, value);
            }
        }
    }
    expressions.sort();
    expressions.dedup();
    Selector {
        labels,
        expressions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(equals: &[(&str, &str)], expressions: &[(&str, Operator, &[&str])]) -> Selector {
        normalize(
            equals
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            expressions
                .iter()
                .map(|(k, op, vs)| Expression {
                    key: k.to_string(),
                    operator: *op,
                    values: vs.iter().map(|v| v.to_string()).collect(),
                })
                .collect(),
        )
    }

    #[test]
    fn equal_labels_with_different_values_never_overlap() {
        assert!(!can_overlap(
            &sel(&[("app", "a")], &[]),
            &sel(&[("app", "b")], &[])
        ));
        assert!(can_overlap(
            &sel(&[("app", "a")], &[]),
            &sel(&[("tier", "b")], &[])
        ));
    }

    #[test]
    fn expressions_constrain_values() {
        let in_ab = sel(&[], &[("app", Operator::In, &["a", "b"])]);
        assert!(can_overlap(&in_ab, &sel(&[("app", "b")], &[])));
        assert!(!can_overlap(&in_ab, &sel(&[("app", "c")], &[])));
        let notin_a = sel(&[], &[("app", Operator::NotIn, &["a"])]);
        assert!(!can_overlap(&notin_a, &sel(&[("app", "a")], &[])));
        assert!(can_overlap(
            &notin_a,
            &sel(&[], &[("app", Operator::DoesNotExist, &[])])
        ));
        let absent = sel(&[], &[("canary", Operator::DoesNotExist, &[])]);
        assert!(!can_overlap(
            &absent,
            &sel(&[], &[("canary", Operator::Exists, &[])])
        ));
    }

    #[test]
    fn contradictions_within_one_selector() {
        assert!(!satisfiable(&[&sel(&[("app", "a"), ("app", "b")], &[])]));
        assert!(!satisfiable(&[&sel(&[], &[("app", Operator::In, &[])])]));
        assert!(!satisfiable(&[&sel(
            &[],
            &[
                ("k", Operator::Exists, &[]),
                ("k", Operator::DoesNotExist, &[])
            ]
        )]));
        assert!(satisfiable(&[&sel(
            &[("app", "a")],
            &[("tier", Operator::NotIn, &["x"])]
        )]));
    }
}
