//! `ward explain PROGRAM SRC DST[:PORT]`: one connection of a program,
//! answered by the simulator on the program's own policies in its test
//! world, with the policies that select each side and the rules (with the
//! flow, controls and source line each carries) that allow it, or the
//! baseline that blocks it.
//!
//! SRC and DST are resolved against the program as `ward check` resolves
//! names: `ns.svc` and `ns/svc` alike name a service (its pod in the test
//! world), `ns/pod` any pod of that world, an IP address an outside
//! address; a typo gets a did-you-mean, and an unknown port the list of the
//! ports the destination declares.

use crate::emit;
use crate::model::{Model, Service};
use crate::pipeline;
use crate::plan::Direction;
use crate::proof::{self, world};
use crate::simulate::{self, Endpoint, LoadError, Probe};
use crate::source::Sources;
use crate::suggest;
use k8s_openapi::api::core::v1 as core;
use std::fmt::{self, Write as _};
use std::net::IpAddr;

/// Why a connection could not be explained.
#[derive(Debug)]
pub enum ExplainError {
    /// SRC, DST or the port name nothing of the program: the message says
    /// what was not found and what to write instead.
    Query(String),
    /// The program's policies or its test world did not simulate: a bug in
    /// Ward, not in the question.
    Unsimulated(LoadError),
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExplainError::Query(message) => f.write_str(message),
            ExplainError::Unsimulated(error) => {
                write!(f, "the generated policies could not be simulated: {error}")
            }
        }
    }
}

impl std::error::Error for ExplainError {}

/// The explanation of `src -> dst[:port]` in `model`'s test world, one
/// paragraph per probe: the verdict, then for each side the policies that
/// select the pod and the rules that allow the connection, or the baseline
/// that blocks it.
///
/// # Errors
///
/// [`ExplainError::Query`] for an endpoint or port the program does not
/// have; [`ExplainError::Unsimulated`] when Ward's own policies do not
/// simulate.
pub fn explain(
    model: &Model,
    sources: &Sources,
    src: &str,
    dst: &str,
) -> Result<String, ExplainError> {
    let built = pipeline::build(model, sources);
    let test_world = world::adversarial_world(model);
    let simulated = simulate::World::from_objects(
        test_world.namespaces.clone(),
        test_world.pods.clone(),
        built.policies(),
    )
    .map_err(ExplainError::Unsimulated)?;
    let (dst, port) = split_port(dst);
    let pods = &test_world.pods;
    let source = endpoint(model, pods, src)?;
    let destination = endpoint(model, pods, dst)?;
    let probes = probes(model, dst, port)?;
    let mut text = String::new();
    for probe in probes {
        let why = simulated
            .explain(&source, &destination, probe)
            .map_err(|e| ExplainError::Query(e.to_string()))?;
        let verdict = if why.allowed { "ALLOWED" } else { "BLOCKED" };
        let _ = writeln!(text, "{src} -> {dst} on {probe}: {verdict}");
        for (name, side, direction) in [
            ("egress", &why.egress, Direction::Egress),
            ("ingress", &why.ingress, Direction::Ingress),
        ] {
            let Some(side) = side else {
                let _ = writeln!(text, "  {name}: an external address; no policy applies");
                continue;
            };
            describe_side(&mut text, &simulated, name, side, direction);
        }
    }
    Ok(text)
}

/// `DST[:PORT]` as the destination and the port, if given (an IPv6
/// address's colons are its own unless it is bracketed).
fn split_port(dst: &str) -> (&str, Option<&str>) {
    match dst.rsplit_once(':') {
        Some((endpoint, port)) if !endpoint.contains("::") || dst.starts_with('[') => {
            (endpoint, Some(port))
        }
        _ => (dst, None),
    }
}

/// The pod of the test world that stands for `text`, or an address.
fn endpoint(model: &Model, pods: &[core::Pod], text: &str) -> Result<Endpoint, ExplainError> {
    if let Ok(ip) = text.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok(Endpoint::External(ip));
    }
    let Some(at) = text.find(['.', '/']) else {
        return Err(ExplainError::Query(format!(
            "`{text}` is not an endpoint: write `ns.svc`, `ns/pod` or an IP address"
        )));
    };
    let (namespace, rest) = (
        text.get(..at).unwrap_or(""),
        text.get(at + 1..).unwrap_or(""),
    );
    let Some(declared) = model.namespaces.get(namespace) else {
        return Err(ExplainError::Query(format!(
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
    Err(ExplainError::Query(format!(
        "namespace `{namespace}` declares no service `{rest}`; {}",
        suggest::help("service", rest, services)
    )))
}

/// The probes for `:PORT[/PROTO]` (a number or a named port of the
/// destination service), or every declared port of the destination.
fn probes(model: &Model, dst: &str, port: Option<&str>) -> Result<Vec<Probe>, ExplainError> {
    let service = dst
        .split_once(['.', '/'])
        .and_then(|(ns, svc)| model.namespaces.get(ns).and_then(|n| n.services.get(svc)));
    let probes = match port {
        None => declared(service, None),
        Some(range) if range.contains('-') && range.starts_with(|c: char| c.is_ascii_digit()) => {
            return Err(ExplainError::Query(format!(
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
                    .map_err(|e| ExplainError::Query(e.to_string()))?,
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
    Err(ExplainError::Query(format!(
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

fn describe_side(
    text: &mut String,
    world: &simulate::World,
    name: &str,
    side: &simulate::Side,
    direction: Direction,
) {
    if !side.isolated {
        let _ = writeln!(
            text,
            "  {name} at {}: no policy selects the pod; everything is allowed",
            side.pod
        );
        return;
    }
    let policies: Vec<String> = side.policies.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        text,
        "  {name} at {}: selected by {}",
        side.pod,
        policies.join(", ")
    );
    if side.allowed_by.is_empty() {
        let _ = writeln!(text, "    no rule allows it (default deny)");
        for policy in &side.policies {
            let baseline = world
                .policy(&policy.namespace, &policy.name)
                .and_then(|p| p.metadata.annotations.as_ref())
                .and_then(|a| a.get(&format!("{}baseline", emit::ANNOTATION_PREFIX)));
            if let Some(baseline) = baseline {
                let _ = writeln!(text, "    {policy}: {baseline}");
            }
        }
        return;
    }
    for rule in &side.allowed_by {
        let _ = writeln!(
            text,
            "    allowed by {} {} rule {}",
            rule.policy,
            direction.as_str(),
            rule.index
        );
        let annotation = world
            .policy(&rule.policy.namespace, &rule.policy.name)
            .and_then(|p| p.metadata.annotations.as_ref())
            .and_then(|a| a.get(&emit::rule_annotation(direction, rule.index)));
        if let Some(annotation) = annotation {
            let _ = writeln!(text, "      {annotation}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let service = endpoint(&model, &pods, "a.c").unwrap_err().to_string();
        assert_eq!(
            service,
            "namespace `a` declares no service `c`; did you mean `b`?"
        );
        let namespace = endpoint(&model, &pods, "aa.b").unwrap_err().to_string();
        assert_eq!(
            namespace,
            "the program declares no namespace `aa`; did you mean `a`?"
        );
        let pod = endpoint(&model, &pods, "a/nobody-at-all")
            .unwrap_err()
            .to_string();
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
        let unknown = probes(&model, "a.b", Some("htp")).unwrap_err().to_string();
        assert_eq!(
            unknown,
            "`a.b` declares no port named `htp`; did you mean `http`? it declares http 80/tcp"
        );
        assert!(probes(&model, "a.b", Some("80-90/tcp")).is_err());
    }
}
