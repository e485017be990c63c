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

use crate::check::names;
use crate::emit;
use crate::model::{Model, Namespace, Port, Service};
use crate::pipeline;
use crate::plan::Direction;
use crate::proof::Member;
use crate::proof::meaning::Meaning;
use crate::proof::{self, world};
use crate::simulate::{self, Endpoint, LoadError, Probe};
use crate::source::Sources;
use crate::suggest;
use indexmap::IndexMap;
use k8s_openapi::api::core::v1 as core;
use std::collections::BTreeMap;
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
/// that blocks it; a connection a `deny` of the program covers names that
/// `deny` (from what it means, as `ward test` reads it). A pod described by labels (`ns{k=v,...}`) is added to
/// the world with exactly those labels, so its answer is what the emitted
/// policies mean for such a pod, whatever the program's flows say.
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
    let (dst, port) = split_port(dst);
    let mut test_world = world::adversarial_world(model);
    let source = end(model, &test_world.pods, src)?;
    let destination = end(model, &test_world.pods, dst)?;
    let probes = probes(&destination.ports(model), dst, port)?;
    let source = source.place(model, &mut test_world, "described-source");
    let destination = destination.place(model, &mut test_world, "described-destination");
    let member = |endpoint: &Endpoint| match endpoint {
        Endpoint::External(ip) => Some(Member::Address(*ip)),
        Endpoint::Pod(_) => {
            let found = test_world.members.iter().find(|(e, _)| e == endpoint);
            found.map(|(_, member)| member.clone())
        }
    };
    let members = (member(&source.0), member(&destination.0));
    let simulated = simulate::World::from_objects(
        test_world.namespaces,
        test_world.pods,
        pipeline::build(model, sources).policies(),
    )
    .map_err(ExplainError::Unsimulated)?;
    let meaning = Meaning::new(model);
    let mut text = String::new();
    for probe in probes {
        let why = simulated
            .explain(&source.0, &destination.0, probe)
            .map_err(|e| ExplainError::Query(e.to_string()))?;
        let verdict = if why.allowed { "ALLOWED" } else { "BLOCKED" };
        let _ = writeln!(text, "{src} -> {dst} on {probe}: {verdict}");
        if let (Some(from), Some(to)) = &members {
            let deny = meaning.forbidding_deny(from, to, probe);
            if let Some(deny) = deny.and_then(|index| model.denies.get(index)) {
                let at = sources.location(deny.span);
                let _ = writeln!(text, "  the program forbids it: deny {} | {at}", deny.text);
            }
        }
        for (name, side, direction, shown) in [
            ("egress", &why.egress, Direction::Egress, &source.1),
            ("ingress", &why.ingress, Direction::Ingress, &destination.1),
        ] {
            let Some(side) = side else {
                let _ = writeln!(text, "  {name}: an external address; no policy applies");
                continue;
            };
            let at = shown.clone().unwrap_or_else(|| side.pod.to_string());
            describe_side(&mut text, &simulated, name, &at, side, direction);
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

/// One end of the question, resolved.
#[derive(Debug)]
enum End<'m> {
    /// A pod of the test world or an outside address. A service's pod
    /// carries the service, whose ports a destination port may name.
    Known(Endpoint, Option<&'m Service>),
    /// A pod with exactly these labels in a declared namespace (its text
    /// kept for the answer).
    Described {
        namespace: String,
        labels: BTreeMap<String, String>,
        text: String,
    },
}

impl End<'_> {
    /// The ports the destination declares: a service's, or for a pod
    /// described by labels those of every service of its namespace that
    /// selects it (a pod of those services exposes them).
    fn ports<'a>(&'a self, model: &'a Model) -> Vec<&'a Port> {
        match self {
            End::Known(_, service) => service.iter().flat_map(|s| s.ports.values()).collect(),
            End::Described {
                namespace, labels, ..
            } => {
                let mut ports: IndexMap<&str, &Port> = IndexMap::new();
                let services = model.namespaces.get(namespace).into_iter();
                for service in services.flat_map(|n| n.services.values()) {
                    if service.selector.matches(labels) {
                        for port in service.ports.values() {
                            ports.entry(port.name.as_str()).or_insert(port);
                        }
                    }
                }
                ports.into_values().collect()
            }
        }
    }

    /// The endpoint to simulate, with the text to show for its pod: a
    /// described pod is added to `test_world` first, under a fresh name
    /// made from `name`.
    fn place(
        self,
        model: &Model,
        test_world: &mut world::TestWorld,
        name: &str,
    ) -> (Endpoint, Option<String>) {
        let ports = self
            .ports(model)
            .into_iter()
            .map(|p| (p.name.clone(), p.range))
            .collect();
        match self {
            End::Known(endpoint, _) => (endpoint, None),
            End::Described {
                namespace,
                labels,
                text,
            } => {
                let pod = test_world.add_described_pod(model, &namespace, name, labels, ports);
                (Endpoint::pod(namespace, pod), Some(text))
            }
        }
    }
}

/// What `text` names: a pod described by labels (`ns{k=v,...}`), the pod
/// of the test world that stands for a service or has that name, or an
/// address.
fn end<'m>(model: &'m Model, pods: &[core::Pod], text: &str) -> Result<End<'m>, ExplainError> {
    if let Some(described) = described(model, text) {
        return described;
    }
    if let Ok(ip) = text.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok(End::Known(Endpoint::External(ip), None));
    }
    let Some(at) = text.find(['.', '/']) else {
        return Err(ExplainError::Query(format!(
            "`{text}` is not an endpoint: write `ns.svc`, `ns/pod`, `ns{{label=value,...}}` or an IP address"
        )));
    };
    let (namespace, rest) = (
        text.get(..at).unwrap_or(""),
        text.get(at + 1..).unwrap_or(""),
    );
    let declared = namespace_of(model, namespace)?;
    if let Some(service) = declared.services.get(rest) {
        let pod = Endpoint::pod(namespace, proof::world::service_pod_name(rest));
        return Ok(End::Known(pod, Some(service)));
    }
    let pod_names: Vec<&str> = pods
        .iter()
        .filter(|pod| pod.metadata.namespace.as_deref() == Some(namespace))
        .filter_map(|pod| pod.metadata.name.as_deref())
        .collect();
    if text.get(at..).is_some_and(|sep| sep.starts_with('/')) && pod_names.contains(&rest) {
        return Ok(End::Known(Endpoint::pod(namespace, rest), None));
    }
    let services = declared.services.keys().map(String::as_str);
    Err(ExplainError::Query(format!(
        "namespace `{namespace}` declares no service `{rest}`; {}",
        suggest::help("service", rest, services)
    )))
}

/// The namespace `name` of the program, or why not (with a did-you-mean).
fn namespace_of<'m>(model: &'m Model, name: &str) -> Result<&'m Namespace, ExplainError> {
    model.namespaces.get(name).ok_or_else(|| {
        ExplainError::Query(format!(
            "the program declares no namespace `{name}`; {}",
            suggest::help(
                "namespace",
                name,
                model.namespaces.keys().map(String::as_str)
            )
        ))
    })
}

/// `ns{k=v,...}` as a described pod, when `text` has that form: `None`
/// when it does not, an error when a part is not a valid label or the
/// namespace is not the program's.
fn described<'m>(model: &Model, text: &str) -> Option<Result<End<'m>, ExplainError>> {
    let (namespace, rest) = text.split_once('{')?;
    Some((|| {
        let Some(inner) = rest.strip_suffix('}') else {
            return Err(ExplainError::Query(format!(
                "`{text}` does not end with `}}`: write a pod as `ns{{label=value,...}}`"
            )));
        };
        namespace_of(model, namespace)?;
        let mut labels = BTreeMap::new();
        for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, value)) = part.split_once('=') else {
                return Err(ExplainError::Query(format!(
                    "`{part}` is not a label: write `key=value`"
                )));
            };
            let (key, value) = (key.trim(), value.trim());
            names::label_key(key).map_err(|why| {
                ExplainError::Query(format!("`{key}` is not a valid label key: {why}"))
            })?;
            names::label_value(value).map_err(|why| {
                ExplainError::Query(format!("`{value}` is not a valid label value: {why}"))
            })?;
            if labels.insert(key.to_string(), value.to_string()).is_some() {
                return Err(ExplainError::Query(format!(
                    "label `{key}` is given twice in `{text}`"
                )));
            }
        }
        Ok(End::Described {
            namespace: namespace.to_string(),
            labels,
            text: text.to_string(),
        })
    })())
}

/// The probes for `:PORT[/PROTO]` (a number or the name of one of the
/// destination's `declared` ports), or every declared port.
fn probes(declared: &[&Port], dst: &str, port: Option<&str>) -> Result<Vec<Probe>, ExplainError> {
    let named = |name: Option<&str>| -> Vec<Probe> {
        declared
            .iter()
            .filter(|p| name.is_none_or(|n| n == p.name))
            .map(|p| Probe::new(p.range.first, p.range.protocol))
            .collect()
    };
    let probes = match port {
        None => named(None),
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
        Some(name) => named(Some(name)),
    };
    if !probes.is_empty() {
        return Ok(probes);
    }
    let known = if declared.is_empty() {
        format!("give a port like `{dst}:443/tcp`")
    } else {
        let listed: Vec<String> = declared
            .iter()
            .map(|p| format!("{} {}", p.name, p.range))
            .collect();
        let names = declared.iter().map(|p| p.name.as_str());
        let closest = port.and_then(|p| suggest::closest(p, names));
        let guess = closest.map_or(String::new(), |c| format!("did you mean `{c}`? "));
        format!("{guess}it declares {}", listed.join(", "))
    };
    Err(ExplainError::Query(format!(
        "`{dst}` declares no {}; {known}",
        port.map_or("ports".to_string(), |p| format!("port named `{p}`"))
    )))
}

/// One side of an explanation: the policies that select the pod (shown as
/// `at`) and the rules that allow the connection, each with the flow,
/// controls and line its annotation carries, or the baseline that blocks it.
fn describe_side(
    text: &mut String,
    world: &simulate::World,
    name: &str,
    at: &str,
    side: &simulate::Side,
    direction: Direction,
) {
    if !side.isolated {
        let _ = writeln!(
            text,
            "  {name} at {at}: no policy selects the pod; everything is allowed"
        );
        return;
    }
    let policies: Vec<String> = side.policies.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        text,
        "  {name} at {at}: selected by {}",
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

    const PROGRAM: &str = "namespace a { service b { pods app=b ports http 80 } }\nflow a.b -> a.b controls CC6.1 because \"x\"\nbaseline controls CC6.1\n";

    fn model() -> (Model, Vec<core::Pod>) {
        let mut sources = crate::source::Sources::new();
        sources.add("t.ward", PROGRAM);
        let model = crate::compile(&sources).model.unwrap();
        let pods = proof::world::adversarial_world(&model).pods;
        (model, pods)
    }

    fn endpoint(model: &Model, pods: &[core::Pod], text: &str) -> Result<Endpoint, ExplainError> {
        match end(model, pods, text)? {
            End::Known(endpoint, _) => Ok(endpoint),
            End::Described { .. } => panic!("{text} is no known endpoint"),
        }
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
    fn labelled_pods_are_read_and_their_labels_checked() {
        let (model, pods) = model();
        let End::Described {
            namespace, labels, ..
        } = end(&model, &pods, "a{app=b, track=canary}").unwrap()
        else {
            panic!("not described");
        };
        assert_eq!(namespace, "a");
        assert_eq!(
            labels,
            BTreeMap::from([
                ("app".to_string(), "b".to_string()),
                ("track".to_string(), "canary".to_string())
            ])
        );
        assert!(
            matches!(end(&model, &pods, "a{}").unwrap(), End::Described { labels, .. } if labels.is_empty())
        );
        for bad in [
            "a{app}",
            "a{app=b",
            "a{app=b,app=c}",
            "a{-x=b}",
            "a{app=b c}",
            "aa{app=b}",
        ] {
            let error = end(&model, &pods, bad).unwrap_err().to_string();
            assert!(!error.is_empty(), "{bad}");
        }
        assert_eq!(
            end(&model, &pods, "aa{app=b}").unwrap_err().to_string(),
            "the program declares no namespace `aa`; did you mean `a`?"
        );
    }

    #[test]
    fn a_labelled_pod_takes_the_ports_of_the_services_that_select_it() {
        let (model, pods) = model();
        let selected = end(&model, &pods, "a{app=b,x=y}").unwrap();
        let names: Vec<&str> = selected
            .ports(&model)
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["http"]);
        assert!(
            end(&model, &pods, "a{app=c}")
                .unwrap()
                .ports(&model)
                .is_empty()
        );
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
        let (model, pods) = model();
        let service = end(&model, &pods, "a.b").unwrap();
        let declared = service.ports(&model);
        assert_eq!(
            probes(&declared, "a.b", Some("http")).unwrap(),
            [Probe::new(80, simulate::Protocol::Tcp)]
        );
        assert_eq!(
            probes(&declared, "a/b", Some("53/udp")).unwrap(),
            [Probe::new(53, simulate::Protocol::Udp)]
        );
        let unknown = probes(&declared, "a.b", Some("htp"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            unknown,
            "`a.b` declares no port named `htp`; did you mean `http`? it declares http 80/tcp"
        );
        assert!(probes(&declared, "a.b", Some("80-90/tcp")).is_err());
        assert!(probes(&[], "a/unmatched", Some("http")).is_err());
    }
}
