//! Criteria coverage: which artifacts (flows, and the default deny for the
//! baseline) cite each criterion before and after, and what each criterion
//! gained or lost.
//!
//! A flow keeps its identity across the change (the flow matching), so a
//! flow whose port changed still covers what it covered. Owns the coverage
//! comparison and the catalog order of criteria; must not know how changes
//! are rendered.

use super::CriterionChange;
use super::flows::Matching;
use crate::catalog::{self, catalog_order};
use crate::model::Model;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::matrix::DEFAULT_DENY;

/// Something that cites a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Artifact {
    /// The default deny of every managed namespace.
    Baseline,
    /// A flow, by its position in the matching.
    Flow(usize),
}

type Coverage = BTreeMap<&'static str, BTreeSet<Artifact>>;

fn coverage(model: &Model, flows: impl Iterator<Item = (usize, Option<usize>)>) -> Coverage {
    let mut map = Coverage::new();
    for criterion in model.baseline_criteria() {
        map.entry(criterion).or_default().insert(Artifact::Baseline);
    }
    for (pair, index) in flows {
        let Some(flow) = index.and_then(|i| model.flows.get(i)) else {
            continue;
        };
        for criterion in flow.criteria() {
            map.entry(criterion)
                .or_default()
                .insert(Artifact::Flow(pair));
        }
    }
    map
}

/// The criteria whose coverage changed, in catalog order.
pub fn compare(old: &Model, new: &Model, matching: &Matching) -> Vec<CriterionChange> {
    let before = coverage(old, matching.iter().map(|(i, _)| *i).enumerate());
    let after = coverage(new, matching.iter().map(|(_, j)| *j).enumerate());
    let name = |artifact: &Artifact, model: &Model, new_side: bool| match artifact {
        Artifact::Baseline => DEFAULT_DENY.to_string(),
        Artifact::Flow(pair) => matching
            .get(*pair)
            .and_then(|(i, j)| if new_side { *j } else { *i })
            .and_then(|index| model.flows.get(index))
            .map_or_else(String::new, |f| f.text.clone()),
    };
    let empty = BTreeSet::new();
    let criteria: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
    let mut changes = Vec::new();
    for id in catalog_order(criteria) {
        let was = before.get(id.as_str()).unwrap_or(&empty);
        let is = after.get(id.as_str()).unwrap_or(&empty);
        if was == is {
            continue;
        }
        changes.push(CriterionChange {
            description: catalog::criterion(&id)
                .map_or_else(String::new, |c| c.description.to_string()),
            before: was.len(),
            after: is.len(),
            gained: is.difference(was).map(|a| name(a, new, true)).collect(),
            lost: was.difference(is).map(|a| name(a, old, false)).collect(),
            criterion: id,
        });
    }
    changes
}
