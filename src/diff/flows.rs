//! Flows: matching the old program's flows with the new one's, and what
//! changed in each.
//!
//! A flow's identity is its canonical text; a flow not found by its text is
//! matched with the first unmatched flow of the same source and destination
//! (source order), so a port or control edit is one changed flow rather than
//! one removed and one added. Owns the matching and the field comparison;
//! must not know how changes are rendered.

use super::{Change, FlowFacts, FlowField, Program, Status, describe};
use crate::model::Flow;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Matched flows: `(old index, new index)`, in output order (new source
/// order, then old flows with no partner in old source order).
pub type Matching = Vec<(Option<usize>, Option<usize>)>;

/// What two flows must share to be matched in one pass.
type MatchKey = (String, String);

/// Matches the flows of two programs: each pass looks flows up by their
/// key (text, then source and destination), so that matching thousands of
/// flows stays linear; within a key, old flows are taken in source order.
pub fn matching(old: &[Flow], new: &[Flow]) -> Matching {
    let mut used: BTreeSet<usize> = BTreeSet::new();
    let mut partner: Vec<Option<usize>> = vec![None; new.len()];
    let passes: [fn(&Flow) -> MatchKey; 2] = [
        |flow| (flow.text.clone(), String::new()),
        |flow| (flow.src.to_string(), flow.dst.to_string()),
    ];
    for key in passes {
        let mut unmatched: BTreeMap<MatchKey, VecDeque<usize>> = BTreeMap::new();
        for (i, flow) in old.iter().enumerate() {
            if !used.contains(&i) {
                unmatched.entry(key(flow)).or_default().push_back(i);
            }
        }
        for (slot, flow) in partner.iter_mut().zip(new) {
            if slot.is_some() {
                continue;
            }
            if let Some(i) = unmatched.get_mut(&key(flow)).and_then(VecDeque::pop_front) {
                used.insert(i);
                *slot = Some(i);
            }
        }
    }
    let mut pairs: Matching = partner
        .into_iter()
        .enumerate()
        .map(|(j, i)| (i, Some(j)))
        .collect();
    pairs.extend(
        (0..old.len())
            .filter(|i| !used.contains(i))
            .map(|i| (Some(i), None)),
    );
    pairs
}

/// A flow as a reviewer reads it.
pub fn facts(flow: &Flow, program: Program<'_>) -> FlowFacts {
    FlowFacts {
        text: flow.text.clone(),
        source: describe::endpoint(&flow.src, program.model),
        destination: describe::endpoint(&flow.dst, program.model),
        ports: flow.ports.to_string(),
        controls: describe::cited(&flow.citations),
        criteria: flow.criteria().into_iter().map(String::from).collect(),
        because: flow.because.clone(),
        location: program.sources.location(flow.span),
    }
}

/// The fields whose meaning differs. Controls are compared as sets: their
/// order does not change what a flow serves.
fn changed_fields(old: &FlowFacts, new: &FlowFacts) -> Vec<FlowField> {
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<String>>();
    let mut fields = Vec::new();
    if old.ports != new.ports {
        fields.push(FlowField::Ports);
    }
    if old.source != new.source {
        fields.push(FlowField::Source);
    }
    if old.destination != new.destination {
        fields.push(FlowField::Destination);
    }
    if set(&old.controls) != set(&new.controls) {
        fields.push(FlowField::Controls);
    }
    if old.criteria != new.criteria {
        fields.push(FlowField::Criteria);
    }
    if old.because != new.because {
        fields.push(FlowField::Justification);
    }
    fields
}

/// The flows added, removed and changed, with the matching they come from.
pub fn compare(old: Program<'_>, new: Program<'_>) -> (Vec<Change<FlowFacts>>, Matching) {
    let pairs = matching(&old.model.flows, &new.model.flows);
    let mut changes = Vec::new();
    for (i, j) in &pairs {
        let before = i
            .and_then(|i| old.model.flows.get(i))
            .map(|f| facts(f, old));
        let after = j
            .and_then(|j| new.model.flows.get(j))
            .map(|f| facts(f, new));
        let (status, name, fields) = match (&before, &after) {
            (Some(b), Some(a)) => {
                let fields = changed_fields(b, a);
                if fields.is_empty() {
                    continue;
                }
                (Status::Changed, a.text.clone(), fields)
            }
            (None, Some(a)) => (Status::Added, a.text.clone(), Vec::new()),
            (Some(b), None) => (Status::Removed, b.text.clone(), Vec::new()),
            (None, None) => continue,
        };
        changes.push(Change {
            status,
            name,
            old: before,
            new: after,
            fields,
        });
    }
    (changes, pairs)
}
