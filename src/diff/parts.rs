//! Everything but flows: namespaces, services, externals, invariants,
//! controls, the baseline and the system name, each matched by its name.
//!
//! Owns what counts as a change of each (a selector or port set, an address
//! set, a mapping); must not know how changes are rendered.

use super::{
    Change, ControlFacts, ControlField, Edit, ExternalFacts, ExternalField, InvariantFacts, Item,
    NamespaceFacts, NamespaceField, Program, ServiceFacts, ServiceField, Status, describe,
};
use crate::model::{Control, Deny, External, Model, Namespace, Service};
use crate::source::Sources;
use std::collections::{BTreeMap, BTreeSet};

/// One part of both programs, its items matched by name: new order (added,
/// changed), then removed ones in old order. `items` lists a program's items
/// by name, `facts` says what one is, and `fields` what differs in meaning
/// between an old item and its new one.
fn keyed<'m, M: 'm, T: Item>(
    old: Program<'m>,
    new: Program<'m>,
    items: impl Fn(&'m Model) -> Vec<(String, &'m M)>,
    facts: impl Fn(&M, &Sources) -> T,
    fields: impl Fn(&M, &M) -> Vec<T::Field>,
) -> Vec<Change<T>> {
    let (old_items, new_items) = (items(old.model), items(new.model));
    let old_facts = |m: &M| facts(m, old.sources);
    let new_facts = |m: &M| facts(m, new.sources);
    // Looked up by name, so that matching thousands of services stays linear.
    let by_name = |items: &'_ [(String, &'m M)]| -> BTreeMap<String, &'m M> {
        items
            .iter()
            .map(|(name, item)| (name.clone(), *item))
            .collect()
    };
    let (old_by_name, new_by_name) = (by_name(&old_items), by_name(&new_items));
    let mut changes = Vec::new();
    for (name, item) in &new_items {
        match old_by_name.get(name).copied() {
            None => changes.push(Change {
                status: Status::Added,
                name: name.clone(),
                old: None,
                new: Some(new_facts(item)),
                fields: Vec::new(),
            }),
            Some(before) => {
                let changed = fields(before, item);
                if !changed.is_empty() {
                    changes.push(Change {
                        status: Status::Changed,
                        name: name.clone(),
                        old: Some(old_facts(before)),
                        new: Some(new_facts(item)),
                        fields: changed,
                    });
                }
            }
        }
    }
    for (name, item) in &old_items {
        if !new_by_name.contains_key(name) {
            changes.push(Change {
                status: Status::Removed,
                name: name.clone(),
                old: Some(old_facts(item)),
                new: None,
                fields: Vec::new(),
            });
        }
    }
    changes
}

/// The fields marked as differing, in the order given.
fn differing<F: Copy>(fields: &[(F, bool)]) -> Vec<F> {
    fields
        .iter()
        .filter(|(_, differs)| *differs)
        .map(|(field, _)| *field)
        .collect()
}

/// Namespaces, by name.
pub fn namespaces(old: Program<'_>, new: Program<'_>) -> Vec<Change<NamespaceFacts>> {
    keyed(
        old,
        new,
        |m| m.namespaces.values().map(|n| (n.name.clone(), n)).collect(),
        |n: &Namespace, sources| NamespaceFacts {
            managed: n.managed,
            location: sources.location(n.span),
        },
        |a, b| differing(&[(NamespaceField::Managed, a.managed != b.managed)]),
    )
}

/// Services, by `ns.svc`.
pub fn services(old: Program<'_>, new: Program<'_>) -> Vec<Change<ServiceFacts>> {
    let ports = |s: &Service| -> BTreeMap<String, String> {
        s.ports
            .values()
            .map(|p| (p.name.clone(), p.range.to_string()))
            .collect()
    };
    keyed(
        old,
        new,
        |m| {
            m.namespaces
                .values()
                .flat_map(|n| n.services.values())
                .map(|s| (format!("{}.{}", s.namespace, s.name), s))
                .collect()
        },
        |s: &Service, sources| ServiceFacts {
            selector: describe::selector_text(&s.selector),
            ports: s.ports.values().map(describe::port).collect(),
            location: sources.location(s.span),
        },
        |a, b| {
            differing(&[
                (ServiceField::Selector, a.selector != b.selector),
                (ServiceField::Ports, ports(a) != ports(b)),
            ])
        },
    )
}

/// Externals, by name; their ranges compared as address sets.
pub fn externals(old: Program<'_>, new: Program<'_>) -> Vec<Change<ExternalFacts>> {
    keyed(
        old,
        new,
        |m| m.externals.values().map(|e| (e.name.clone(), e)).collect(),
        |e: &External, sources| ExternalFacts {
            ranges: describe::ranges(&e.addresses),
            location: sources.location(e.span),
        },
        |a, b| differing(&[(ExternalField::Ranges, a.addresses != b.addresses)]),
    )
}

/// Invariants, by their canonical text: added or removed.
pub fn invariants(old: Program<'_>, new: Program<'_>) -> Vec<Change<InvariantFacts>> {
    keyed(
        old,
        new,
        |m| {
            let mut seen = BTreeSet::new();
            m.denies
                .iter()
                .filter(|d| seen.insert(d.text.clone()))
                .map(|d| (d.text.clone(), d))
                .collect()
        },
        |d: &Deny, sources| InvariantFacts {
            location: sources.location(d.span),
        },
        |_, _| Vec::new(),
    )
}

/// Controls, by id.
pub fn controls(old: Program<'_>, new: Program<'_>) -> Vec<Change<ControlFacts>> {
    let maps = |c: &Control| -> Vec<String> { c.maps.iter().map(|m| m.id.to_string()).collect() };
    let mapped = |c: &Control| maps(c).into_iter().collect::<BTreeSet<_>>();
    keyed(
        old,
        new,
        |m| m.controls.values().map(|c| (c.id.clone(), c)).collect(),
        |c: &Control, sources| ControlFacts {
            title: c.title.clone(),
            maps: maps(c),
            location: sources.location(c.span),
        },
        |a, b| {
            differing(&[
                (ControlField::Title, a.title != b.title),
                (ControlField::Maps, mapped(a) != mapped(b)),
            ])
        },
    )
}

/// The baseline controls, when the criteria they stand for or their ids
/// changed.
pub fn baseline(old: &Model, new: &Model) -> Option<Edit> {
    let ids = |m: &Model| describe::cited(&m.baseline);
    let set = |m: &Model| ids(m).into_iter().collect::<BTreeSet<_>>();
    let same = set(old) == set(new) && old.baseline_criteria() == new.baseline_criteria();
    (!same).then(|| Edit {
        old: describe::list(&ids(old)),
        new: describe::list(&ids(new)),
    })
}

/// The system's name, when it changed.
pub fn system(old: &Model, new: &Model) -> Option<Edit> {
    let name = |m: &Model| m.system.clone().unwrap_or_else(|| "none".to_string());
    (old.system != new.system).then(|| Edit {
        old: name(old),
        new: name(new),
    })
}
