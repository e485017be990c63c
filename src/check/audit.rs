//! Pass 3: whole-program audits. `deny` invariants against every flow,
//! duplicate flows, services of one namespace that can select one pod, and
//! definitions nothing uses.

use super::{AddressSet, Checker, selector};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Endpoint, Ports};
use indexmap::IndexMap;

/// How two endpoints share pods or addresses, for a note; `None` when they
/// share none.
fn shared(a: &Endpoint, b: &Endpoint) -> Option<String> {
    use Endpoint::*;
    match (a, b) {
        (
            External {
                name: x,
                blocks: bx,
            },
            External {
                name: y,
                blocks: by,
            },
        ) => {
            let address = AddressSet::of(bx).first_shared(&AddressSet::of(by))?;
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

impl Checker {
    /// Runs every whole-program audit.
    pub(super) fn audit(&mut self) {
        self.check_invariants();
        self.check_duplicate_flows();
        self.check_overlapping_services();
        self.check_unused();
    }

    fn check_invariants(&mut self) {
        let mut found = Vec::new();
        for deny in &self.model.denies {
            for (flow, places) in self.model.flows.iter().zip(&self.flow_places) {
                let Some(sources) = shared(&flow.src, &deny.src) else {
                    continue;
                };
                let Some(destinations) = shared(&flow.dst, &deny.dst) else {
                    continue;
                };
                let Some(ports) = flow.ports.intersection(&deny.ports) else {
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
        let mut first_of: IndexMap<(String, String, String), usize> = IndexMap::new();
        let mut found = Vec::new();
        for flow in &self.model.flows {
            let key = (
                flow.src.to_string(),
                flow.dst.to_string(),
                flow.ports.to_string(),
            );
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
            for (i, a) in services.iter().enumerate() {
                for b in services.iter().skip(i + 1) {
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
                            .with_help("add a label that tells the two apart, unless the overlap is intended"),
                        );
                    }
                }
            }
        }
        self.diagnostics.extend(found);
    }

    fn check_unused(&mut self) {
        let mut found = Vec::new();
        for namespace in self.model.namespaces.values() {
            if self.used_namespaces.contains(&namespace.name) {
                continue;
            }
            for service in namespace.services.values() {
                let key = (namespace.name.clone(), service.name.clone());
                if !self.used_services.contains(&key) {
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
