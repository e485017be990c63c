//! Everything but flows: namespaces, services, externals, invariants,
//! controls, the baseline and the system name, each matched by its name.
//!
//! Owns what counts as a change of each (a selector or port set, an address
//! set, a mapping); must not know how changes are rendered.

use super::{
    Change, ControlFacts, Edit, ExternalFacts, InvariantFacts, NamespaceFacts, Program,
    ServiceFacts, Status, describe,
};
use crate::check::AddressSet;
use crate::model::{Control, Deny, External, Model, Namespace, Service};
use crate::source::Sources;
use std::collections::{BTreeMap, BTreeSet};

/// Items of both sides matched by name: new order (added, changed), then
/// removed ones in old order. `fields` says what differs in meaning.
fn keyed<'m, M, T>(
    (old, old_sources): (&[(String, &'m M)], &Sources),
    (new, new_sources): (&[(String, &'m M)], &Sources),
    facts: impl Fn(&M, &Sources) -> T,
    fields: impl Fn(&M, &M) -> Vec<&'static str>,
) -> Vec<Change<T>> {
    let old_facts = |m: &M| facts(m, old_sources);
    let new_facts = |m: &M| facts(m, new_sources);
    let find = |items: &[(String, &'m M)], name: &str| -> Option<&'m M> {
        items.iter().find(|(n, _)| n == name).map(|(_, item)| *item)
    };
    let mut changes = Vec::new();
    for (name, item) in new {
        match find(old, name) {
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
    for (name, item) in old {
        if find(new, name).is_none() {
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

/// Namespaces, by name.
pub fn namespaces(old: Program<'_>, new: Program<'_>) -> Vec<Change<NamespaceFacts>> {
    fn items<'a>(p: Program<'a>) -> Vec<(String, &'a Namespace)> {
        p.model
            .namespaces
            .values()
            .map(|n| (n.name.clone(), n))
            .collect()
    }
    let facts = |n: &Namespace, sources: &Sources| NamespaceFacts {
        managed: n.managed,
        location: sources.location(n.span),
    };
    keyed(
        (&items(old), old.sources),
        (&items(new), new.sources),
        facts,
        |a, b| {
            if a.managed == b.managed {
                Vec::new()
            } else {
                vec!["managed"]
            }
        },
    )
}

/// Services, by `ns.svc`.
pub fn services(old: Program<'_>, new: Program<'_>) -> Vec<Change<ServiceFacts>> {
    fn items<'a>(p: Program<'a>) -> Vec<(String, &'a Service)> {
        p.model
            .namespaces
            .values()
            .flat_map(|n| n.services.values())
            .map(|s| (format!("{}.{}", s.namespace, s.name), s))
            .collect()
    }
    let facts = |s: &Service, sources: &Sources| ServiceFacts {
        selector: describe::selector_text(&s.selector),
        ports: s.ports.values().map(describe::port).collect(),
        location: sources.location(s.span),
    };
    let ports = |s: &Service| -> BTreeMap<String, String> {
        s.ports
            .values()
            .map(|p| (p.name.clone(), p.range.to_string()))
            .collect()
    };
    keyed(
        (&items(old), old.sources),
        (&items(new), new.sources),
        facts,
        |a, b| {
            let mut fields = Vec::new();
            if a.selector != b.selector {
                fields.push("selector");
            }
            if ports(a) != ports(b) {
                fields.push("ports");
            }
            fields
        },
    )
}

/// Externals, by name; their ranges compared as address sets.
pub fn externals(old: Program<'_>, new: Program<'_>) -> Vec<Change<ExternalFacts>> {
    fn items<'a>(p: Program<'a>) -> Vec<(String, &'a External)> {
        p.model
            .externals
            .values()
            .map(|e| (e.name.clone(), e))
            .collect()
    }
    let facts = |e: &External, sources: &Sources| ExternalFacts {
        ranges: describe::ranges(&e.blocks),
        location: sources.location(e.span),
    };
    keyed(
        (&items(old), old.sources),
        (&items(new), new.sources),
        facts,
        |a, b| {
            if AddressSet::of(&a.blocks) == AddressSet::of(&b.blocks) {
                Vec::new()
            } else {
                vec!["ranges"]
            }
        },
    )
}

/// Invariants, by their canonical text: added or removed.
pub fn invariants(old: Program<'_>, new: Program<'_>) -> Vec<Change<InvariantFacts>> {
    fn items<'a>(p: Program<'a>) -> Vec<(String, &'a Deny)> {
        let mut seen = BTreeSet::new();
        p.model
            .denies
            .iter()
            .filter(|d| seen.insert(d.text.clone()))
            .map(|d| (d.text.clone(), d))
            .collect()
    }
    let facts = |d: &Deny, sources: &Sources| InvariantFacts {
        location: sources.location(d.span),
    };
    keyed(
        (&items(old), old.sources),
        (&items(new), new.sources),
        facts,
        |_, _| Vec::new(),
    )
}

/// Controls, by id.
pub fn controls(old: Program<'_>, new: Program<'_>) -> Vec<Change<ControlFacts>> {
    fn items<'a>(p: Program<'a>) -> Vec<(String, &'a Control)> {
        p.model
            .controls
            .values()
            .map(|c| (c.id.clone(), c))
            .collect()
    }
    let maps = |c: &Control| -> Vec<String> { c.maps.iter().map(|m| m.id.to_string()).collect() };
    let facts = |c: &Control, sources: &Sources| ControlFacts {
        title: c.title.clone(),
        maps: maps(c),
        location: sources.location(c.span),
    };
    keyed(
        (&items(old), old.sources),
        (&items(new), new.sources),
        facts,
        |a, b| {
            let mut fields = Vec::new();
            if a.title != b.title {
                fields.push("title");
            }
            let set = |c: &Control| maps(c).into_iter().collect::<BTreeSet<_>>();
            if set(a) != set(b) {
                fields.push("maps");
            }
            fields
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
