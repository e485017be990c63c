//! What `ward explain PROGRAM SRC DST[:PORT]` is given, resolved against the
//! program as `ward check` resolves names: `ns.svc` and `ns/svc` alike name
//! a service (its pod in the test world), `ns/pod` any pod of that world,
//! an IP address an outside address; a typo gets a did-you-mean, and an
//! unknown port the list of the ports the destination declares.

use super::UsageError;
use crate::model::{Model, Service};
use crate::proof;
use crate::simulate::{Endpoint, Probe};
use crate::suggest;
use k8s_openapi::api::core::v1 as core;
use std::net::IpAddr;

/// The pod of the test world that stands for `text`, or an address.
pub fn endpoint(model: &Model, pods: &[core::Pod], text: &str) -> Result<Endpoint, UsageError> {
    if let Ok(ip) = text.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok(Endpoint::External(ip));
    }
    let Some(at) = text.find(['.', '/']) else {
        return Err(UsageError(format!(
            "`{text}` is not an endpoint: write `ns.svc`, `ns/pod` or an IP address"
        )));
    };
    let (namespace, rest) = (
        text.get(..at).unwrap_or(""),
        text.get(at + 1..).unwrap_or(""),
    );
    let Some(declared) = model.namespaces.get(namespace) else {
        return Err(UsageError(format!(
            "the program declares no namespace `{namespace}`; {}",
            suggest::help(
                "namespace",
                namespace,
                model.namespaces.keys().map(String::as_str)
            )
        )));
    };
    if declared.services.contains_key(rest) {
        return Ok(Endpoint::pod(
            namespace,
            proof::world::service_pod_name(rest),
        ));
    }
    let pod_names: Vec<&str> = pods
        .iter()
        .filter(|pod| pod.metadata.namespace.as_deref() == Some(namespace))
        .filter_map(|pod| pod.metadata.name.as_deref())
        .collect();
    if text.get(at..).is_some_and(|sep| sep.starts_with('/')) && pod_names.contains(&rest) {
        return Ok(Endpoint::pod(namespace, rest));
    }
    let services = declared.services.keys().map(String::as_str);
    Err(UsageError(format!(
        "namespace `{namespace}` declares no service `{rest}`; {}",
        suggest::help("service", rest, services)
    )))
}

/// The probes for `:PORT[/PROTO]` (a number or a named port of the
/// destination service), or every declared port of the destination.
pub fn probes(model: &Model, dst: &str, port: Option<&str>) -> Result<Vec<Probe>, UsageError> {
    let service = dst
        .split_once(['.', '/'])
        .and_then(|(ns, svc)| model.namespaces.get(ns).and_then(|n| n.services.get(svc)));
    let probes = match port {
        None => declared(service, None),
        Some(range) if range.contains('-') && range.starts_with(|c: char| c.is_ascii_digit()) => {
            return Err(UsageError(format!(
                "`{range}` is a range; a single port is required to explain a connection, like `{}`",
                range.split('-').next().unwrap_or("443")
            )));
        }
        Some(port) if port.starts_with(|c: char| c.is_ascii_digit()) => {
            let text = if port.contains('/') {
                port.to_string()
            } else {
                format!("{port}/tcp")
            };
            vec![
                text.parse::<Probe>()
                    .map_err(|e| UsageError(e.to_string()))?,
            ]
        }
        Some(name) => declared(service, Some(name)),
    };
    if !probes.is_empty() {
        return Ok(probes);
    }
    let listed: Vec<String> = service
        .map(|s| {
            s.ports
                .values()
                .map(|p| format!("{} {}", p.name, p.range))
                .collect()
        })
        .unwrap_or_default();
    let known = if listed.is_empty() {
        format!("give a port like `{dst}:443/tcp`")
    } else {
        let names = service
            .into_iter()
            .flat_map(|s| s.ports.keys().map(String::as_str));
        let closest = port.and_then(|p| suggest::closest(p, names));
        let guess = closest.map_or(String::new(), |c| format!("did you mean `{c}`? "));
        format!("{guess}it declares {}", listed.join(", "))
    };
    Err(UsageError(format!(
        "`{dst}` declares no {}; {known}",
        port.map_or("ports".to_string(), |p| format!("port named `{p}`"))
    )))
}

/// The first port of each declared port of `service` (named `name`, when
/// given), as probes.
fn declared(service: Option<&Service>, name: Option<&str>) -> Vec<Probe> {
    service
        .map(|s| {
            s.ports
                .values()
                .filter(|p| name.is_none_or(|n| n == p.name))
                .map(|p| Probe::new(p.range.first, p.range.protocol))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate;

    fn model() -> (Model, Vec<core::Pod>) {
        let mut sources = crate::source::Sources::new();
        sources.add("t.ward", "namespace a { service b { pods app=b ports http 80 } }\nflow a.b -> a.b controls CC6.1 because \"x\"\nbaseline controls CC6.1\n");
        let model = crate::compile(&sources).model.unwrap();
        let pods = proof::world::adversarial_world(&model).pods;
        (model, pods)
    }

    #[test]
    fn endpoints_resolve_services_pods_and_addresses() {
        let (model, pods) = model();
        let service = Endpoint::pod("a", "svc-b");
        assert_eq!(endpoint(&model, &pods, "a.b").unwrap(), service);
        assert_eq!(endpoint(&model, &pods, "a/b").unwrap(), service);
        assert_eq!(
            endpoint(&model, &pods, "a/unmatched").unwrap(),
            Endpoint::pod("a", "unmatched")
        );
        assert!(matches!(
            endpoint(&model, &pods, "10.0.0.1").unwrap(),
            Endpoint::External(_)
        ));
    }

    #[test]
    fn unknown_names_get_a_suggestion() {
        let (model, pods) = model();
        let UsageError(service) = endpoint(&model, &pods, "a.c").unwrap_err();
        assert_eq!(
            service,
            "namespace `a` declares no service `c`; did you mean `b`?"
        );
        let UsageError(namespace) = endpoint(&model, &pods, "aa.b").unwrap_err();
        assert_eq!(
            namespace,
            "the program declares no namespace `aa`; did you mean `a`?"
        );
        let UsageError(pod) = endpoint(&model, &pods, "a/nobody-at-all").unwrap_err();
        assert!(
            pod.starts_with("namespace `a` declares no service `nobody-at-all`"),
            "{pod}"
        );
    }

    #[test]
    fn ports_resolve_by_name_or_number_and_unknown_ones_are_listed() {
        let (model, _) = model();
        assert_eq!(
            probes(&model, "a.b", Some("http")).unwrap(),
            [Probe::new(80, simulate::Protocol::Tcp)]
        );
        assert_eq!(
            probes(&model, "a/b", Some("53/udp")).unwrap(),
            [Probe::new(53, simulate::Protocol::Udp)]
        );
        let UsageError(unknown) = probes(&model, "a.b", Some("htp")).unwrap_err();
        assert_eq!(
            unknown,
            "`a.b` declares no port named `htp`; did you mean `http`? it declares http 80/tcp"
        );
        assert!(probes(&model, "a.b", Some("80-90/tcp")).is_err());
    }
}
