//! Properties over random small worlds: the simulator agrees with the naive
//! oracle and with itself (reachability, verdict, explain), no policies
//! means everything is allowed, policies only add connections once every pod
//! is isolated, a policy never changes a side it does not select, the three
//! YAML shapes load to the same world, and no input makes loading panic.

use crate::corpus::check_consistency;
use crate::oracle::Oracle;
use k8s_openapi::api::core::v1::{Container, ContainerPort, Namespace, Pod, PodSpec, PodStatus};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement, ObjectMeta,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use ward::simulate::{Document, Probe, Protocol, Reachability, World, load};

/// Objects of a random world.
#[derive(Clone, Debug)]
pub struct Objects {
    pub namespaces: Vec<Namespace>,
    pub pods: Vec<Pod>,
    pub policies: Vec<NetworkPolicy>,
}

impl Objects {
    fn world(&self) -> Result<World, TestCaseError> {
        World::from_objects(
            self.namespaces.clone(),
            self.pods.clone(),
            self.policies.clone(),
        )
        .map_err(|e| TestCaseError::fail(e.to_string()))
    }
}

const NAMESPACES: [&str; 3] = ["x", "y", "z"];

fn probes() -> Vec<Probe> {
    vec![
        Probe::new(80, Protocol::Tcp),
        Probe::new(8080, Protocol::Tcp),
        Probe::new(53, Protocol::Udp),
        Probe::new(53, Protocol::Tcp),
        Probe::new(9090, Protocol::Tcp),
        Probe::new(9090, Protocol::Sctp),
    ]
}

fn externals() -> Vec<IpAddr> {
    vec![
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)),
        IpAddr::V4(Ipv4Addr::new(10, 1, 0, 99)),
        IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5)),
    ]
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn pod_labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    (
        prop::option::of(select(vec!["web", "db"])),
        prop::option::of(select(vec!["1", "2"])),
    )
        .prop_map(|(app, tier)| {
            let mut labels = BTreeMap::new();
            if let Some(app) = app {
                labels.insert("app".to_owned(), app.to_owned());
            }
            if let Some(tier) = tier {
                labels.insert("tier".to_owned(), tier.to_owned());
            }
            labels
        })
}

fn requirement() -> impl Strategy<Value = LabelSelectorRequirement> {
    (
        select(vec![
            ("app", vec!["web", "db"]),
            ("tier", vec!["1", "2"]),
            ("team", vec!["a", "b"]),
            ("kubernetes.io/metadata.name", vec!["x", "y"]),
        ]),
        select(vec!["In", "NotIn", "Exists", "DoesNotExist"]),
        any::<bool>(),
    )
        .prop_map(|((key, values), operator, both)| LabelSelectorRequirement {
            key: key.to_owned(),
            operator: operator.to_owned(),
            values: match operator {
                "In" | "NotIn" => Some(
                    values
                        .iter()
                        .take(if both { 2 } else { 1 })
                        .map(|v| (*v).to_owned())
                        .collect(),
                ),
                _ => None,
            },
        })
}

fn selector() -> impl Strategy<Value = LabelSelector> {
    (
        prop::option::of(select(vec![
            ("app", "web"),
            ("app", "db"),
            ("tier", "1"),
            ("team", "a"),
        ])),
        prop::collection::vec(requirement(), 0..2),
    )
        .prop_map(|(label, requirements)| LabelSelector {
            match_labels: label.map(|(k, v)| map(&[(k, v)])),
            match_expressions: if requirements.is_empty() {
                None
            } else {
                Some(requirements)
            },
        })
}

fn peer() -> impl Strategy<Value = NetworkPolicyPeer> {
    let blocks = vec![
        ("10.0.0.0/8", vec![]),
        ("10.0.0.0/8", vec!["10.1.0.0/16"]),
        ("0.0.0.0/0", vec!["10.0.0.0/8"]),
        ("0.0.0.0/0", vec![]),
        ("192.0.2.0/24", vec![]),
        ("10.0.0.0/16", vec!["10.0.0.0/30"]),
    ];
    prop_oneof![
        selector().prop_map(|pods| NetworkPolicyPeer {
            pod_selector: Some(pods),
            ..NetworkPolicyPeer::default()
        }),
        selector().prop_map(|namespaces| NetworkPolicyPeer {
            namespace_selector: Some(namespaces),
            ..NetworkPolicyPeer::default()
        }),
        (selector(), selector()).prop_map(|(namespaces, pods)| NetworkPolicyPeer {
            namespace_selector: Some(namespaces),
            pod_selector: Some(pods),
            ..NetworkPolicyPeer::default()
        }),
        select(blocks).prop_map(|(cidr, except)| NetworkPolicyPeer {
            ip_block: Some(IPBlock {
                cidr: cidr.to_owned(),
                except: if except.is_empty() {
                    None
                } else {
                    Some(except.iter().map(|e| (*e).to_owned()).collect())
                },
            }),
            ..NetworkPolicyPeer::default()
        }),
    ]
}

fn port() -> impl Strategy<Value = NetworkPolicyPort> {
    let protocol = prop::option::of(select(vec!["TCP", "UDP", "SCTP"]));
    let number = (
        select(vec![53, 80, 8080, 9090]),
        prop::option::of(select(vec![0, 10, 8000])),
    )
        .prop_map(|(port, span)| (Some(IntOrString::Int(port)), span.map(|span| port + span)));
    let named = select(vec!["http", "dns", "metrics"])
        .prop_map(|name| (Some(IntOrString::String(name.to_owned())), None));
    let value = prop_oneof![Just((None, None)), number, named];
    (protocol, value).prop_map(|(protocol, (port, end_port))| NetworkPolicyPort {
        protocol: protocol.map(str::to_owned),
        port,
        end_port,
    })
}

type Rule = (
    Option<Vec<NetworkPolicyPeer>>,
    Option<Vec<NetworkPolicyPort>>,
);

fn rule() -> impl Strategy<Value = Rule> {
    (
        prop::option::of(prop::collection::vec(peer(), 0..3)),
        prop::option::of(prop::collection::vec(port(), 0..3)),
    )
}

fn policy(index: usize) -> impl Strategy<Value = NetworkPolicy> {
    (
        select(NAMESPACES.to_vec()),
        selector(),
        select(vec![
            None,
            Some(vec!["Ingress"]),
            Some(vec!["Egress"]),
            Some(vec!["Ingress", "Egress"]),
        ]),
        prop::option::of(prop::collection::vec(rule(), 0..3)),
        prop::option::of(prop::collection::vec(rule(), 0..3)),
    )
        .prop_map(
            move |(namespace, pod_selector, types, ingress, egress)| NetworkPolicy {
                metadata: ObjectMeta {
                    name: Some(format!("np{index}")),
                    namespace: Some(namespace.to_owned()),
                    ..ObjectMeta::default()
                },
                spec: Some(NetworkPolicySpec {
                    pod_selector: Some(pod_selector),
                    policy_types: types
                        .map(|types| types.iter().map(|t| (*t).to_owned()).collect()),
                    ingress: ingress.map(|rules| {
                        rules
                            .into_iter()
                            .map(|(from, ports)| NetworkPolicyIngressRule { from, ports })
                            .collect()
                    }),
                    egress: egress.map(|rules| {
                        rules
                            .into_iter()
                            .map(|(to, ports)| NetworkPolicyEgressRule { to, ports })
                            .collect()
                    }),
                }),
            },
        )
}

fn policies(count: std::ops::Range<usize>) -> impl Strategy<Value = Vec<NetworkPolicy>> {
    count.prop_flat_map(|count| (0..count).map(policy).collect::<Vec<_>>())
}

fn pod() -> impl Strategy<Value = PodGen> {
    (
        select(NAMESPACES.to_vec()),
        pod_labels(),
        prop::option::of(select(vec![80, 8080])),
        prop::option::of(select(vec!["UDP", "TCP"])),
        any::<bool>(),
        prop::option::of(select(vec!["10.0.0.", "10.1.0.", "192.0.2."])),
    )
}

/// A generated pod: namespace, labels, `http` port number, `dns` protocol,
/// whether it has `metrics`, and its IP prefix (none: a synthetic IP).
type PodGen = (
    &'static str,
    BTreeMap<String, String>,
    Option<i32>,
    Option<&'static str>,
    bool,
    Option<&'static str>,
);

fn make_pod(index: usize, (namespace, labels, http, dns, metrics, ip): PodGen) -> Pod {
    let mut ports = Vec::new();
    if let Some(http) = http {
        ports.push(ContainerPort {
            name: Some("http".to_owned()),
            container_port: http,
            ..ContainerPort::default()
        });
    }
    if let Some(protocol) = dns {
        ports.push(ContainerPort {
            name: Some("dns".to_owned()),
            container_port: 53,
            protocol: Some(protocol.to_owned()),
            ..ContainerPort::default()
        });
    }
    if metrics {
        ports.push(ContainerPort {
            name: Some("metrics".to_owned()),
            container_port: 9090,
            protocol: Some("SCTP".to_owned()),
            ..ContainerPort::default()
        });
    }
    Pod {
        metadata: ObjectMeta {
            name: Some(format!("p{index}")),
            namespace: Some(namespace.to_owned()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "c".to_owned(),
                ports: Some(ports),
                ..Container::default()
            }],
            ..PodSpec::default()
        }),
        status: ip.map(|prefix| PodStatus {
            pod_ip: Some(format!("{prefix}{}", index + 1)),
            ..PodStatus::default()
        }),
    }
}

fn namespaces() -> impl Strategy<Value = Vec<Namespace>> {
    prop::collection::vec(prop::option::of(select(vec!["a", "b"])), 3).prop_map(|teams| {
        NAMESPACES
            .iter()
            .zip(teams)
            .map(|(name, team)| Namespace {
                metadata: ObjectMeta {
                    name: Some((*name).to_owned()),
                    labels: team.map(|team| map(&[("team", team)])),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            })
            .collect()
    })
}

fn objects() -> impl Strategy<Value = Objects> {
    (
        namespaces(),
        prop::collection::vec(pod(), 1..7),
        policies(0..5),
    )
        .prop_map(|(namespaces, pods, policies)| Objects {
            namespaces,
            pods: pods
                .into_iter()
                .enumerate()
                .map(|(i, pod)| make_pod(i, pod))
                .collect(),
            policies,
        })
}

fn default_deny(namespace: &str) -> NetworkPolicy {
    NetworkPolicy {
        metadata: ObjectMeta {
            name: Some("default-deny".to_owned()),
            namespace: Some(namespace.to_owned()),
            ..ObjectMeta::default()
        },
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".to_owned(), "Egress".to_owned()]),
            ..NetworkPolicySpec::default()
        }),
    }
}

fn cells(reach: &Reachability) -> Vec<(String, String, Probe, bool)> {
    reach
        .connections()
        .map(|c| (c.src.to_string(), c.dst.to_string(), c.probe, c.allowed))
        .collect()
}

fn yaml_stream(objects: &Objects) -> Result<String, TestCaseError> {
    let fail = |e: ward::error::SerializeError| TestCaseError::fail(e.to_string());
    let mut documents = Vec::new();
    for namespace in &objects.namespaces {
        documents.push(ward::yaml::to_yaml(namespace).map_err(fail)?);
    }
    for pod in &objects.pods {
        documents.push(ward::yaml::to_yaml(pod).map_err(fail)?);
    }
    for policy in &objects.policies {
        documents.push(ward::yaml::to_yaml(policy).map_err(fail)?);
    }
    Ok(documents.join("---\n"))
}

fn yaml_list(objects: &Objects) -> Result<String, TestCaseError> {
    let fail = |e: serde_json::Error| TestCaseError::fail(e.to_string());
    let mut items = Vec::new();
    for namespace in &objects.namespaces {
        items.push(serde_json::to_value(namespace).map_err(fail)?);
    }
    for pod in &objects.pods {
        items.push(serde_json::to_value(pod).map_err(fail)?);
    }
    for policy in &objects.policies {
        items.push(serde_json::to_value(policy).map_err(fail)?);
    }
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    ward::yaml::to_yaml(&list).map_err(|e| TestCaseError::fail(e.to_string()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The class-based simulator, the per-pair evaluation and the naive
    /// oracle agree on every cell.
    #[test]
    fn simulator_matches_the_oracle(objects in objects()) {
        let world = objects.world()?;
        let oracle = Oracle::new(&objects.namespaces, &objects.pods, &objects.policies, &world);
        let reach = world.reachability(&probes(), &externals());
        for connection in reach.connections() {
            let expected = oracle.allowed(connection.src, connection.dst, connection.probe);
            prop_assert_eq!(
                Some(connection.allowed),
                expected,
                "{} -> {} on {}",
                connection.src,
                connection.dst,
                connection.probe
            );
        }
        let problems = check_consistency(&world, &reach);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Simulating one probe at a time gives the same cells, in the same
    /// order, as simulating every probe at once.
    #[test]
    fn probe_by_probe_is_every_probe_at_once(objects in objects()) {
        let world = objects.world()?;
        let all = world.reachability(&probes(), &externals());
        let one_at_a_time: Vec<(String, String, String, bool)> = world
            .reachability_by_probe(&probes(), &externals())
            .flat_map(|reach| {
                reach
                    .connections()
                    .map(|c| (c.src.to_string(), c.dst.to_string(), c.probe.to_string(), c.allowed))
                    .collect::<Vec<_>>()
            })
            .collect();
        let at_once: Vec<(String, String, String, bool)> = all
            .connections()
            .map(|c| (c.src.to_string(), c.dst.to_string(), c.probe.to_string(), c.allowed))
            .collect();
        prop_assert_eq!(one_at_a_time, at_once);
    }

    /// Without policies, nothing is isolated.
    #[test]
    fn no_policies_allow_everything(objects in objects()) {
        let world = World::from_objects(objects.namespaces, objects.pods, Vec::new())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let reach = world.reachability(&probes(), &externals());
        prop_assert!(reach.connections().all(|c| c.allowed));
    }

    /// Once a default deny isolates every pod both ways, policies are pure
    /// allow-lists: adding one never blocks a connection.
    #[test]
    fn policies_only_add_under_default_deny(objects in objects(), extra in policy(99)) {
        let mut base = objects.clone();
        base.policies.extend(NAMESPACES.iter().map(|ns| default_deny(ns)));
        let mut more = base.clone();
        more.policies.push(extra);
        let before = base.world()?.reachability(&probes(), &externals());
        let after = more.world()?.reachability(&probes(), &externals());
        for ((src, dst, probe, was), (_, _, _, now)) in cells(&before).into_iter().zip(cells(&after)) {
            prop_assert!(!was || now, "{src} -> {dst} on {probe} was allowed, now blocked");
        }
    }

    /// A new policy changes nothing for a pair whose source it does not
    /// select for egress and whose destination it does not select for
    /// ingress.
    #[test]
    fn a_policy_leaves_unselected_sides_alone(objects in objects(), extra in policy(99)) {
        let mut more = objects.clone();
        more.policies.push(extra.clone());
        let world = objects.world()?;
        let oracle = Oracle::new(&more.namespaces, &more.pods, &more.policies, &world);
        let before = world.reachability(&probes(), &externals());
        let after = more.world()?.reachability(&probes(), &externals());
        for (connection, (_, _, _, now)) in before.connections().zip(cells(&after)) {
            let touches = |endpoint: &ward::simulate::Endpoint, ingress: bool| match endpoint {
                ward::simulate::Endpoint::Pod(pod) => oracle.selects_pod(&extra, pod, ingress),
                ward::simulate::Endpoint::External(_) => false,
            };
            if !touches(connection.src, false) && !touches(connection.dst, true) {
                prop_assert_eq!(connection.allowed, now, "{} -> {} on {}", connection.src, connection.dst, connection.probe);
            }
        }
    }

    /// A `---` stream, a `v1/List` and the typed objects give the same world.
    #[test]
    fn yaml_shapes_load_the_same_world(objects in objects()) {
        let typed = objects.world()?.reachability(&probes(), &externals());
        let fail = |e: ward::simulate::LoadError| TestCaseError::fail(e.to_string());
        let stream = load(&[Document::new("stream.yaml", yaml_stream(&objects)?)]).map_err(fail)?;
        let list = load(&[Document::new("list.yaml", yaml_list(&objects)?)]).map_err(fail)?;
        prop_assert_eq!(cells(&typed), cells(&stream.reachability(&probes(), &externals())));
        prop_assert_eq!(cells(&typed), cells(&list.reachability(&probes(), &externals())));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary text never makes loading panic.
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = load(&[Document::new("fuzz.yaml", text)]);
    }

    /// Damaged real YAML (a byte range replaced) never makes loading panic.
    #[test]
    fn damaged_yaml_never_panics(objects in objects(), cut in any::<prop::sample::Index>(), len in 0usize..20, patch in "[-:{}\\[\\] a-z0-9\n]{0,8}") {
        let text = yaml_stream(&objects)?;
        let start = cut.index(text.len().max(1));
        let end = (start + len).min(text.len());
        if let (Some(head), Some(tail)) = (text.get(..start), text.get(end..)) {
            let damaged = format!("{head}{patch}{tail}");
            if let Ok(world) = load(&[Document::new("damaged.yaml", damaged)]) {
                let _ = world.reachability(&probes(), &externals());
            }
        }
    }
}
