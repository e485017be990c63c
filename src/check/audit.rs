//! Pass 3: whole-program audits. `deny` invariants against every flow,
//! duplicate flows, services of one namespace that can select one pod, and
//! definitions nothing uses.

use super::{Checker, selector};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::never;
use crate::model::{Endpoint, Flow, Model, NamedPort, PortRange, Ports, Service};
use crate::sorted;
use indexmap::IndexMap;
use std::collections::BTreeMap;

/// An endpoint by name, without copying: two are equal exactly when the
/// endpoints print the same (names hold no `.`, so `a.b` is only ever the
/// service `b` of namespace `a`).
#[derive(Debug, PartialEq, Eq, Hash)]
enum EndKey<'m> {
    Service(&'m str, &'m str),
    Namespace(&'m str),
    AllManaged,
    External(&'m str),
}

impl<'m> EndKey<'m> {
    fn of(end: &'m Endpoint) -> Self {
        match end {
            Endpoint::Service {
                namespace, service, ..
            } => EndKey::Service(namespace, service),
            Endpoint::Namespace { namespace, .. } => EndKey::Namespace(namespace),
            Endpoint::AllManaged => EndKey::AllManaged,
            Endpoint::External { name, .. } => EndKey::External(name),
        }
    }
}

/// What makes two flows the same: source, destination, ports (`None` for
/// every port) and the port name when resolved on each pod. Equal exactly
/// when their printed forms are.
#[derive(Debug, PartialEq, Eq, Hash)]
struct FlowKey<'m>(
    EndKey<'m>,
    EndKey<'m>,
    Option<&'m [PortRange]>,
    Option<&'m str>,
);

impl<'m> FlowKey<'m> {
    fn of(flow: &'m Flow) -> Self {
        let (ports, name) = match &flow.ports {
            Ports::Any => (None, None),
            Ports::Ranges(ranges) => (Some(ranges.as_slice()), None),
            Ports::Named(named) => (Some(named.declared.as_slice()), Some(named.name.as_str())),
        };
        FlowKey(EndKey::of(&flow.src), EndKey::of(&flow.dst), ports, name)
    }
}

/// The flows by where one of their ends is (their sources or their
/// destinations), so that a `deny` is compared only with the flows whose
/// ends can share pods or addresses with its own (see [`shared`]): the same
/// namespace, `*.*`, or externals.
struct EndIndex<'m> {
    /// Flows with the end in `ns.svc` or `ns.*`, by namespace.
    by_namespace: IndexMap<&'m str, Vec<usize>>,
    /// Flows with the end in a service or namespace Ward manages.
    managed: Vec<usize>,
    /// Flows with the end `*.*`.
    all_managed: Vec<usize>,
    /// Flows with the end an external.
    external: Vec<usize>,
}

impl<'m> EndIndex<'m> {
    fn new(flows: &'m [Flow], end: fn(&Flow) -> &Endpoint) -> Self {
        let mut index = EndIndex {
            by_namespace: IndexMap::new(),
            managed: Vec::new(),
            all_managed: Vec::new(),
            external: Vec::new(),
        };
        for (i, flow) in flows.iter().enumerate() {
            match end(flow) {
                Endpoint::Service {
                    namespace, managed, ..
                }
                | Endpoint::Namespace { namespace, managed } => {
                    index.by_namespace.entry(namespace).or_default().push(i);
                    if *managed {
                        index.managed.push(i);
                    }
                }
                Endpoint::AllManaged => index.all_managed.push(i),
                Endpoint::External { .. } => index.external.push(i),
            }
        }
        index
    }

    /// The flows whose end may share something with `end`, in flow order:
    /// every flow for which `shared(flow's end, end)` can be `Some`.
    fn candidates(&self, end: &Endpoint) -> Vec<usize> {
        let mut found: Vec<usize> = match end {
            Endpoint::External { .. } => self.external.clone(),
            Endpoint::AllManaged => [self.managed.as_slice(), &self.all_managed].concat(),
            Endpoint::Service {
                namespace, managed, ..
            }
            | Endpoint::Namespace { namespace, managed } => {
                let mut found = self
                    .by_namespace
                    .get(namespace.as_str())
                    .cloned()
                    .unwrap_or_default();
                if *managed {
                    found.extend(&self.all_managed);
                }
                found
            }
        };
        found.sort_unstable();
        found
    }
}

/// The pairs `(i, j)`, `i < j`, of services of one namespace whose selectors
/// may overlap, in the order of a nested loop over both. Services that
/// require different values of one label key (`app=a`, `app=b`) never
/// overlap, so they are told apart by the key most of them set, and only
/// services with the same value, or without the key, are paired.
fn overlap_candidates(services: &[&Service]) -> Vec<(usize, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for service in services {
        for key in service.selector.labels.keys() {
            *counts.entry(key).or_default() += 1;
        }
    }
    let key = counts
        .iter()
        .max_by_key(|(key, count)| (**count, std::cmp::Reverse(**key)))
        .map(|(key, _)| *key);
    let value = |i: usize| {
        let service = services.get(i)?;
        service.selector.labels.get(key?).map(String::as_str)
    };
    // Earlier services by value of the key, and those without it.
    let mut by_value: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut without: Vec<usize> = Vec::new();
    let mut pairs = Vec::new();
    for j in 0..services.len() {
        match value(j) {
            Some(v) => {
                let same = by_value.get(v).map(Vec::as_slice).unwrap_or_default();
                pairs.extend(same.iter().chain(&without).map(|&i| (i, j)));
                by_value.entry(v).or_default().push(j);
            }
            None => {
                pairs.extend((0..j).map(|i| (i, j)));
                without.push(j);
            }
        }
    }
    pairs.sort_unstable();
    pairs
}

/// How two endpoints share pods or addresses, for a note; `None` when they
/// share none.
fn shared(a: &Endpoint, b: &Endpoint) -> Option<String> {
    use Endpoint::*;
    match (a, b) {
        (
            External {
                name: x,
                addresses: ax,
            },
            External {
                name: y,
                addresses: ay,
            },
        ) => {
            let address = ax.first_shared(ay)?;
            Some(if x == y {
                format!("`{x}`")
            } else {
                format!("`{x}` and `{y}` share addresses (first: {address})")
            })
        }
        (External { .. }, _) | (_, External { .. }) => None,
        (AllManaged, other) | (other, AllManaged) => other
            .is_managed()
            .then(|| format!("every pod of `{other}` (inside `*.*`)")),
        (Namespace { namespace: x, .. }, Namespace { namespace: y, .. }) => {
            (x == y).then(|| format!("every pod of `{x}.*`"))
        }
        (
            Namespace { namespace, .. },
            service @ Service {
                namespace: other, ..
            },
        )
        | (
            service @ Service {
                namespace: other, ..
            },
            Namespace { namespace, .. },
        ) => (namespace == other)
            .then(|| format!("the pods of `{service}` (inside `{namespace}.*`)")),
        (
            Service {
                namespace: nx,
                service: sx,
                selector: x,
                ..
            },
            Service {
                namespace: ny,
                service: sy,
                selector: y,
                ..
            },
        ) => {
            if nx != ny || !selector::can_overlap(x, y) {
                None
            } else if sx == sy {
                Some(format!("the pods of `{nx}.{sx}`"))
            } else {
                Some(format!(
                    "pods that both `{nx}.{sx}` ({x}) and `{ny}.{sy}` ({y}) select"
                ))
            }
        }
    }
}

/// The ports a flow opens on the pods of `end`: a port given by name is,
/// on a service's pods, the port the services that can select them declare
/// under the name (decision 0007), so a `deny` towards a service without it
/// is not broken.
/// `None` when it opens none there.
fn ports_toward(model: &Model, ports: &Ports, end: &Endpoint) -> Option<Ports> {
    let Ports::Named(named) = ports else {
        return Some(ports.clone());
    };
    let services: Vec<&Service> = match end {
        // A pod of the service may be another service's pod too (W0004).
        Endpoint::Service {
            namespace,
            selector: own,
            ..
        } => model
            .namespaces
            .get(namespace)
            .into_iter()
            .flat_map(|ns| ns.services.values())
            .filter(|other| selector::can_overlap(own, &other.selector))
            .collect(),
        Endpoint::Namespace { namespace, .. } => model
            .namespaces
            .get(namespace)
            .into_iter()
            .flat_map(|ns| ns.services.values())
            .collect(),
        Endpoint::AllManaged | Endpoint::External { .. } => return Some(ports.clone()),
    };
    let mut declared: Vec<PortRange> = services
        .iter()
        .filter_map(|s| s.ports.get(&named.name))
        .map(|p| p.range)
        .collect();
    declared.sort();
    declared.dedup();
    (!declared.is_empty()).then(|| {
        Ports::Named(NamedPort {
            name: named.name.clone(),
            declared,
        })
    })
}

impl Checker {
    /// Runs every whole-program audit.
    pub(super) fn audit(&mut self) {
        self.check_invariants();
        self.check_duplicate_flows();
        self.check_overlapping_services();
        self.check_unused();
    }

    fn check_invariants(&mut self) {
        let sources = EndIndex::new(&self.model.flows, |flow| &flow.src);
        let destinations = EndIndex::new(&self.model.flows, |flow| &flow.dst);
        let mut found = Vec::new();
        for deny in &self.model.denies {
            let (from, to) = (
                sources.candidates(&deny.src),
                destinations.candidates(&deny.dst),
            );
            for i in sorted::common(&from, &to) {
                let (Some(flow), Some(places)) = (self.model.flows.get(i), self.flow_places.get(i))
                else {
                    continue;
                };
                let Some(sources) = shared(&flow.src, &deny.src) else {
                    continue;
                };
                let Some(destinations) = shared(&flow.dst, &deny.dst) else {
                    continue;
                };
                let Some(ports) = ports_toward(&self.model, &flow.ports, &deny.dst)
                    .and_then(|opened| opened.intersection(&deny.ports))
                else {
                    continue;
                };
                let ports = match ports {
                    Ports::Any => "every port".to_string(),
                    ranges => ranges.to_string(),
                };
                found.push(
                    Diagnostic::new(
                        Code::E0402,
                        format!("flow `{}` opens what `deny {}` forbids", flow.text, deny.text),
                        flow.span,
                        "this flow",
                    )
                    .with_secondary(deny.span, "forbidden by this invariant")
                    .with_secondary(places.src, format!("sources: {sources}"))
                    .with_secondary(places.dst, format!("destinations: {destinations}"))
                    .with_note(format!("overlap: sources {sources}; destinations {destinations}; ports {ports}"))
                    .with_help("remove or narrow the flow; change the invariant only after a security review"),
                );
            }
        }
        self.diagnostics.extend(found);
    }

    fn check_duplicate_flows(&mut self) {
        let mut first_of: IndexMap<FlowKey<'_>, usize> = IndexMap::new();
        let mut found = Vec::new();
        for flow in &self.model.flows {
            let key = FlowKey::of(flow);
            match first_of.get(&key) {
                Some(first) => {
                    if let Some(first) = self.model.flows.get(*first) {
                        found.push(
                            Diagnostic::new(
                                Code::W0006,
                                format!("flow `{}` repeats an earlier flow", flow.text),
                                flow.span,
                                "same source, destination and ports",
                            )
                            .with_secondary(first.span, "first declared here")
                            .with_help("merge the two flows' controls and justifications into one"),
                        );
                    }
                }
                None => {
                    first_of.insert(key, flow.index);
                }
            }
        }
        self.diagnostics.extend(found);
    }

    fn check_overlapping_services(&mut self) {
        let mut found = Vec::new();
        for namespace in self.model.namespaces.values() {
            let services: Vec<_> = namespace.services.values().collect();
            for (i, j) in overlap_candidates(&services) {
                let (Some(a), Some(b)) = (services.get(i), services.get(j)) else {
                    never!(
                        "overlap candidates ({i}, {j}) past {} services",
                        services.len()
                    );
                    continue;
                };
                if a.selector.is_empty() || b.selector.is_empty() {
                    continue;
                }
                if selector::can_overlap(&a.selector, &b.selector) {
                    found.push(
                        Diagnostic::new(
                            Code::W0004,
                            format!(
                                "services `{}.{}` and `{}.{}` can select the same pod",
                                namespace.name, a.name, namespace.name, b.name
                            ),
                            b.span,
                            format!("selects {}", b.selector),
                        )
                        .with_secondary(a.span, format!("selects {}", a.selector))
                        .with_note("a pod both select gets the flows of both services")
                        .with_help(
                            "add a label that tells the two apart, unless the overlap is intended",
                        ),
                    );
                }
            }
        }
        self.diagnostics.extend(found);
    }

    fn check_unused(&mut self) {
        let mut found = Vec::new();
        for (n, namespace) in self.model.namespaces.values().enumerate() {
            if self.used_namespaces.contains(&namespace.name) {
                continue;
            }
            for (s, service) in namespace.services.values().enumerate() {
                if !self.used_services.contains(&(n, s)) {
                    found.push(
                        Diagnostic::new(
                            Code::W0005,
                            format!(
                                "service `{}.{}` is never used",
                                namespace.name, service.name
                            ),
                            service.span,
                            "no flow or deny refers to it",
                        )
                        .with_help("remove it, or add the flow it was declared for"),
                    );
                }
            }
        }
        for external in self.model.externals.values() {
            if !self.used_externals.contains(&external.name) {
                found.push(
                    Diagnostic::new(
                        Code::W0005,
                        format!("external `{}` is never used", external.name),
                        external.span,
                        "no flow or deny refers to it",
                    )
                    .with_help("remove it, or add the flow it was declared for"),
                );
            }
        }
        for control in self.model.controls.values() {
            if !self.used_controls.contains(&control.id) {
                found.push(
                    Diagnostic::new(
                        Code::W0005,
                        format!("control `{}` is never cited", control.id),
                        control.span,
                        "no flow or baseline cites it",
                    )
                    .with_help("cite it from the flows it governs, or remove it"),
                );
            }
        }
        self.diagnostics.extend(found);
    }
}
