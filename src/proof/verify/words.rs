//! How `ward verify` names what it found, as `ward diff` does: pods by the
//! services that select them (`shop.web`), by their namespace otherwise;
//! addresses by the externals that hold them; ports by what is declared
//! (the program's ports and the pods' own container ports), never by the
//! simulator's probes beside them, which are said as "undeclared ports".
//!
//! Owns the wording only; must not decide what is a finding.

use crate::diff::region::{Place, PortSet};
use crate::model::{Model, PortRange};
use crate::proof::meaning::{Covered, Meaning};
use crate::simulate::{self, Endpoint, Probe};

/// What naming needs: the program, the cluster and every declared port.
pub(super) struct Words<'a> {
    model: &'a Model,
    cluster: &'a simulate::World,
    declared: PortSet,
}

/// A name in a message: a code span.
fn code(name: &str) -> String {
    format!("`{name}`")
}

impl<'a> Words<'a> {
    /// The words for findings of `cluster` against `model`.
    pub(super) fn new(model: &'a Model, cluster: &'a simulate::World) -> Self {
        let mut declared = PortSet::default();
        for namespace in model.namespaces.values() {
            for service in namespace.services.values() {
                for port in service.ports.values() {
                    declared.insert(port.range);
                }
            }
        }
        let meaning = Meaning::new(model);
        for rule in meaning.flows.iter().chain(&meaning.denies) {
            if let Covered::Ranges(ranges) = &rule.ports {
                for (protocol, first, last) in ranges {
                    declared.insert(PortRange {
                        protocol: *protocol,
                        first: *first,
                        last: *last,
                    });
                }
            }
        }
        for probe in cluster.declared_probes() {
            declared.insert(PortRange {
                protocol: probe.protocol,
                first: probe.port,
                last: probe.port,
            });
        }
        Self {
            model,
            cluster,
            declared,
        }
    }

    /// An end of a finding: `` `shop.web` ``, `` pods of namespace `shop`
    /// that no service selects ``, `` address `10.0.0.0` (in `corp`) ``.
    pub(super) fn place(&self, end: &Endpoint) -> String {
        match end {
            Endpoint::Pod(pod) => {
                let Some(namespace) = self.model.namespaces.get(&pod.namespace) else {
                    return format!(
                        "a pod of namespace {}, which the program does not declare",
                        code(&pod.namespace)
                    );
                };
                let labels = self.cluster.pod_labels(pod);
                let services: Vec<String> = namespace
                    .services
                    .values()
                    .filter(|s| labels.is_some_and(|l| s.selector.matches(l)))
                    .map(|s| {
                        Place::Service {
                            namespace: namespace.name.clone(),
                            service: s.name.clone(),
                        }
                        .words(&code)
                    })
                    .collect();
                if services.is_empty() {
                    Place::OtherPods {
                        namespace: namespace.name.clone(),
                    }
                    .words(&code)
                } else {
                    services.join(" and ")
                }
            }
            Endpoint::External(ip) => {
                let externals: Vec<String> = self
                    .model
                    .externals
                    .values()
                    .filter(|e| e.addresses.contains(*ip))
                    .map(|e| code(&e.name))
                    .collect();
                if externals.is_empty() {
                    format!("address {}, outside every external", code(&ip.to_string()))
                } else {
                    format!(
                        "address {} (in {})",
                        code(&ip.to_string()),
                        externals.join(", ")
                    )
                }
            }
        }
    }

    /// The ports of `probes` that something declares (`8443/tcp, 53/udp`),
    /// and `undeclared ports` for the others.
    pub(super) fn ports(&self, probes: &[Probe]) -> String {
        let mut shown = PortSet::default();
        let mut other = false;
        for probe in probes {
            if self.declared.contains(probe.protocol, probe.port) {
                shown.insert(PortRange {
                    protocol: probe.protocol,
                    first: probe.port,
                    last: probe.port,
                });
            } else {
                other = true;
            }
        }
        match (shown.is_empty(), other) {
            (true, _) => "undeclared ports".to_string(),
            (false, false) => shown.to_string(),
            (false, true) => format!("{shown} and undeclared ports"),
        }
    }
}
