//! The union of two programs, as one world can hold them: every namespace
//! and service of both, every external of both, every port either uses. The
//! test world made from it (`proof::world::test_world`) has a pod per
//! service of either program, the edge addresses of both programs' externals
//! and the probes of both, with pod addresses outside all of them.
//!
//! A service whose selector changed gets a second pod, labelled for its old
//! selector, so both meanings are simulated. Owns that construction and the
//! names a reader sees for the world's endpoints; must not simulate.

use crate::model::{Addresses, Model, Namespace};
use crate::proof::world::{OUTSIDER_NAMESPACE, UNMATCHED_POD};
use crate::simulate::Endpoint;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::rc::Rc;

/// The suffix of a service that stands for a selector only the old program
/// used. Not valid in a DNS label, so it never clashes with a real name.
const OLD_SUFFIX: &str = "~old";

/// Both programs in one model, with what each of its pods stands for.
pub struct Union {
    /// The union model: only its namespaces, services, externals and ports
    /// mean anything (it is the world's recipe, not a program).
    pub model: Model,
    /// `(namespace, pod)` -> the name a reader sees.
    pods: BTreeMap<(String, String), String>,
    /// Each external's addresses in the old program.
    old_externals: Vec<(String, Rc<Addresses>)>,
    /// Each external's addresses in the new program.
    new_externals: Vec<(String, Rc<Addresses>)>,
}

fn pod_name(service: &str) -> String {
    crate::proof::world::service_pod_name(service)
}

impl Union {
    /// The union of `old` and `new`.
    pub fn of(old: &Model, new: &Model) -> Self {
        let mut model = Model::default();
        let mut pods = BTreeMap::new();
        for namespace in new.namespaces.values() {
            model
                .namespaces
                .insert(namespace.name.clone(), namespace.clone());
            for service in namespace.services.values() {
                pods.insert(
                    (namespace.name.clone(), pod_name(&service.name)),
                    format!("{}.{}", namespace.name, service.name),
                );
            }
        }
        for namespace in old.namespaces.values() {
            let merged = model
                .namespaces
                .entry(namespace.name.clone())
                .or_insert_with(|| Namespace {
                    services: indexmap::IndexMap::new(),
                    ..namespace.clone()
                });
            for service in namespace.services.values() {
                let label = format!("{}.{}", namespace.name, service.name);
                match merged.services.get_mut(&service.name) {
                    None => {
                        merged
                            .services
                            .insert(service.name.clone(), service.clone());
                        pods.insert((namespace.name.clone(), pod_name(&service.name)), label);
                    }
                    Some(same) if same.selector == service.selector => {
                        for (name, port) in &service.ports {
                            if !same.ports.contains_key(name) {
                                same.ports.insert(name.clone(), port.clone());
                            }
                        }
                    }
                    Some(_) => {
                        let name = format!("{}{OLD_SUFFIX}", service.name);
                        let mut variant = service.clone();
                        variant.name.clone_from(&name);
                        merged.services.insert(name.clone(), variant);
                        pods.insert(
                            (namespace.name.clone(), pod_name(&name)),
                            format!("{label} (old selector)"),
                        );
                    }
                }
            }
        }
        for external in new.externals.values() {
            model
                .externals
                .insert(external.name.clone(), external.clone());
        }
        for external in old.externals.values() {
            let name = match model.externals.get(&external.name) {
                None => external.name.clone(),
                Some(same) if same.addresses == external.addresses => continue,
                Some(_) => format!("{}{OLD_SUFFIX}", external.name),
            };
            let mut variant = external.clone();
            variant.name.clone_from(&name);
            model.externals.insert(name, variant);
        }
        model.flows = new.flows.iter().chain(&old.flows).cloned().collect();
        for (index, flow) in model.flows.iter_mut().enumerate() {
            flow.index = index;
        }
        model.denies = new.denies.iter().chain(&old.denies).cloned().collect();
        let sets = |m: &Model| {
            m.externals
                .values()
                .map(|e| (e.name.clone(), e.addresses.clone()))
                .collect()
        };
        Self {
            model,
            pods,
            old_externals: sets(old),
            new_externals: sets(new),
        }
    }

    /// The name a reader sees for an endpoint of the union's test world.
    pub fn label(&self, endpoint: &Endpoint) -> String {
        match endpoint {
            Endpoint::Pod(pod) => {
                let key = (pod.namespace.clone(), pod.name.clone());
                if let Some(label) = self.pods.get(&key) {
                    label.clone()
                } else if pod.name == UNMATCHED_POD && pod.namespace == OUTSIDER_NAMESPACE {
                    "undeclared namespace".to_string()
                } else if pod.name == UNMATCHED_POD {
                    format!("{} (pods of no service)", pod.namespace)
                } else {
                    pod.to_string()
                }
            }
            Endpoint::External(ip) => self.address_label(*ip),
        }
    }

    /// The externals that hold an address, in the new program's order then
    /// the old one's; `(old ranges)` marks an external that held it only
    /// before its ranges changed.
    fn address_label(&self, ip: IpAddr) -> String {
        let holds = |sets: &[(String, Rc<Addresses>)], name: &str| {
            sets.iter()
                .find(|(n, _)| n == name)
                .map(|(_, set)| set.contains(ip))
        };
        let mut names = Vec::new();
        for (name, set) in &self.new_externals {
            if set.contains(ip) {
                names.push(name.clone());
            } else if holds(&self.old_externals, name) == Some(true) {
                names.push(format!("{name} (old ranges)"));
            }
        }
        for (name, set) in &self.old_externals {
            if holds(&self.new_externals, name).is_none() && set.contains(ip) {
                names.push(name.clone());
            }
        }
        if names.is_empty() {
            "addresses outside every external".to_string()
        } else {
            names.join(", ")
        }
    }
}
