//! `ward verify` at cluster size: the proof compares one pod per class, and
//! a differential property test checks that this gives the findings and
//! counts of the pod-by-pod comparison on random small exports; findings are
//! grouped by cause with bounded examples, and the JSON lists every
//! connection.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests fail loudly"
)]

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicySpec};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use ward::diagnostic::Code;
use ward::model::Model;
use ward::proof::{Finding, FindingKind, Member, NamedContainerPort};
use ward::simulate::{Endpoint, PodRef, Probe, Protocol};
use ward::source::Sources;

/// A program with a named port on `ns.*`, an external whose hole holds pod
/// addresses, and an external that only a `deny` names (so the simulator
/// cannot tell its pods apart, but the program can).
const PROGRAM: &str = "baseline controls CC6.1
namespace kube-system unmanaged { service dns { pods app=dns  ports dns 53/udp } }
namespace shop {
  service web { pods app=web  ports http 8080 }
  service api { pods app=api, tier in (x)  ports https 8443, metrics 9090 }
}
namespace pay { service db { pods app=db  ports pg 5432, metrics 9090 } }
external corp = 10.0.0.0/8 except 10.1.0.0/16
external partner = 192.168.0.0/16
flow shop.web -> shop.api:https controls CC6.1 because \"pages\"
flow shop.api -> pay.db:pg controls CC6.1 because \"orders\"
flow corp -> shop.web:http controls CC6.1 because \"staff\"
flow shop.* -> kube-system.dns controls CC6.1 because \"names\"
flow kube-system.dns -> pay.*:metrics controls CC6.1 because \"scrape\"
flow shop.web -> corp:443/tcp controls CC6.1 because \"intranet\"
deny partner -> pay.*
";

fn compiled() -> (Model, Sources) {
    let mut sources = Sources::new();
    sources.add("verify.ward", PROGRAM);
    let checked = ward::compile(&sources);
    let model = checked
        .model
        .unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    (model, sources)
}

/// One kind of pod: namespace, labels, container ports, address.
#[derive(Debug, Clone)]
struct Kind {
    namespace: &'static str,
    labels: Vec<(&'static str, &'static str)>,
    ports: Vec<(u16, Option<&'static str>, &'static str)>,
    ip: Option<&'static str>,
}

fn pod(kind: &Kind, name: String) -> core::Pod {
    let ports = kind
        .ports
        .iter()
        .map(|(port, name, protocol)| core::ContainerPort {
            container_port: i32::from(*port),
            name: name.map(str::to_owned),
            protocol: Some((*protocol).to_owned()),
            ..Default::default()
        })
        .collect();
    core::Pod {
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: Some(name),
            namespace: Some(kind.namespace.to_owned()),
            labels: Some(
                kind.labels
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ),
            ..Default::default()
        },
        spec: Some(core::PodSpec {
            containers: vec![core::Container {
                name: "main".to_owned(),
                ports: Some(ports),
                ..Default::default()
            }],
            ..Default::default()
        }),
        status: kind.ip.map(|ip| core::PodStatus {
            pod_ip: Some(ip.to_owned()),
            ..Default::default()
        }),
    }
}

fn allow_all(namespace: &str) -> NetworkPolicy {
    let mut policy = NetworkPolicy::default();
    policy.metadata.name = Some("allow-all".to_owned());
    policy.metadata.namespace = Some(namespace.to_owned());
    policy.spec = Some(NetworkPolicySpec {
        ingress: Some(vec![Default::default()]),
        egress: Some(vec![Default::default()]),
        policy_types: Some(vec!["Ingress".to_owned(), "Egress".to_owned()]),
        ..Default::default()
    });
    policy
}

/// The cluster: `kinds` each with its replicas, Ward's build (without the
/// policies at `dropped`), and allow-all policies in `open`.
fn cluster(
    model: &Model,
    sources: &Sources,
    kinds: &[(Kind, usize)],
    dropped: &[usize],
    open: &[&str],
) -> (ward::simulate::World, Vec<(Endpoint, Member)>) {
    let plan = ward::plan::plan(model);
    let emitted = ward::emit::emit(model, &plan, sources);
    let mut pods = Vec::new();
    let mut members = Vec::new();
    for (k, (kind, replicas)) in kinds.iter().enumerate() {
        for r in 0..*replicas {
            let name = format!("k{k}-{r}");
            pods.push(pod(kind, name.clone()));
            members.push((kind.clone(), PodRef::new(kind.namespace, name)));
        }
    }
    let mut policies: Vec<NetworkPolicy> = emitted
        .iter()
        .enumerate()
        .filter(|(i, _)| !dropped.contains(i))
        .map(|(_, e)| e.object.clone())
        .collect();
    policies.extend(open.iter().map(|ns| allow_all(ns)));
    let world = ward::simulate::World::from_objects(Vec::new(), pods, policies).unwrap();
    // Every pod with its identity, worked out here from what the test made.
    let identities = members
        .into_iter()
        .map(|(kind, pod)| {
            let member = Member::Pod {
                namespace: kind.namespace.to_owned(),
                labels: kind
                    .labels
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect::<BTreeMap<_, _>>(),
                ip: world.pod_ip(&pod),
                managed: model
                    .namespaces
                    .get(kind.namespace)
                    .is_some_and(|ns| ns.managed),
                ports: kind
                    .ports
                    .iter()
                    .filter_map(|(port, name, protocol)| {
                        Some(NamedContainerPort {
                            name: (*name)?.to_owned(),
                            port: *port,
                            protocol: match *protocol {
                                "UDP" => Protocol::Udp,
                                _ => Protocol::Tcp,
                            },
                        })
                    })
                    .collect(),
            };
            (Endpoint::Pod(pod), member)
        })
        .collect();
    (world, identities)
}

type Cell = (FindingKind, Endpoint, Endpoint, Vec<Probe>);

fn cell(finding: &Finding) -> Cell {
    let (src, dst) = finding.ends();
    (
        finding.kind(),
        src.clone(),
        dst.clone(),
        finding.probes().to_vec(),
    )
}

fn kind_strategy() -> impl Strategy<Value = Kind> {
    let namespace = prop::sample::select(vec!["shop", "pay", "kube-system", "elsewhere"]);
    let labels = prop::sample::select(vec![
        vec![("app", "web")],
        vec![("app", "api"), ("tier", "x")],
        vec![("app", "api")],
        vec![("app", "db")],
        vec![("app", "dns")],
        vec![],
    ]);
    let ports = prop::sample::select(vec![
        vec![(8080, Some("http"), "TCP")],
        vec![(8443, Some("https"), "TCP"), (9090, Some("metrics"), "TCP")],
        vec![(9100, Some("metrics"), "TCP")],
        vec![(5432, None, "TCP"), (53, Some("dns"), "UDP")],
        vec![],
    ]);
    let ip = prop::sample::select(vec![
        None,
        Some("10.0.0.5"),
        Some("10.1.2.3"),
        Some("192.168.1.1"),
        Some("172.20.0.1"),
    ]);
    (namespace, labels, ports, ip).prop_map(|(namespace, labels, ports, ip)| Kind {
        namespace,
        labels,
        ports,
        ip,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Comparing one pod per class gives what comparing every pod gives:
    /// the same counts, and the class findings, expanded to every pod of
    /// their classes, are exactly the pod-by-pod findings.
    #[test]
    fn pod_classes_give_the_pod_by_pod_verdicts(
        kinds in prop::collection::vec((kind_strategy(), 1usize..4), 1..7),
        dropped in prop::collection::vec(0usize..8, 0..2),
        open in prop::sample::subsequence(vec!["shop", "pay", "kube-system"], 0..2),
    ) {
        let (model, sources) = compiled();
        let plan = ward::plan::plan(&model);
        let expected = ward::emit::emit(&model, &plan, &sources);
        let (world, mut members) = cluster(&model, &sources, &kinds, &dropped, &open);
        let report = ward::proof::verify::verify(&model, &plan, &expected, &world);

        // Pod by pod, on the same probes and addresses as `ward verify`.
        let (probes, addresses) = ward::proof::verify::probes_and_addresses(&model, &world);
        members.extend(addresses.iter().map(|ip| (Endpoint::External(*ip), Member::Address(*ip))));
        let reachability = world.reachability(&probes, &addresses);
        let pairwise = ward::proof::compare(&model, &reachability, &members);

        prop_assert_eq!(report.comparison.checked, pairwise.checked);
        prop_assert_eq!(report.comparison.allowed, pairwise.allowed);
        let expanded: BTreeSet<Cell> = report
            .comparison
            .findings
            .iter()
            .flat_map(|finding| {
                let (kind, src, dst, probes) = cell(finding);
                let dsts: Vec<Endpoint> = report.stands_for(&dst).collect();
                report
                    .stands_for(&src)
                    .flat_map(move |s| {
                        let probes = probes.clone();
                        dsts.clone().into_iter().map(move |d| (kind, s.clone(), d, probes.clone()))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let expected_cells: BTreeSet<Cell> = pairwise.findings.iter().map(cell).collect();
        prop_assert_eq!(&expanded, &expected_cells);
        // No cell is listed twice: the classes partition the pods.
        let listed: usize = report
            .connections()
            .map(|c| c["connections"].as_u64().unwrap() as usize)
            .sum();
        let cells: usize = pairwise.findings.iter().map(|f| f.probes().len()).sum();
        prop_assert_eq!(listed, cells);
        // Findings are errors.
        let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
        prop_assert!(report.comparison.findings.is_empty() || errors > 0);
    }
}

/// Web pods as the program describes them.
fn web() -> Kind {
    Kind {
        namespace: "shop",
        labels: vec![("app", "web")],
        ports: vec![(8080, Some("http"), "TCP")],
        ip: Some("172.16.0.10"),
    }
}

fn api() -> Kind {
    Kind {
        namespace: "shop",
        labels: vec![("app", "api"), ("tier", "x")],
        ports: vec![(8443, Some("https"), "TCP"), (9090, Some("metrics"), "TCP")],
        ip: Some("172.16.0.11"),
    }
}

fn db() -> Kind {
    Kind {
        namespace: "pay",
        labels: vec![("app", "db")],
        ports: vec![(5432, Some("pg"), "TCP"), (9090, Some("metrics"), "TCP")],
        ip: Some("172.16.0.12"),
    }
}

fn dns() -> Kind {
    Kind {
        namespace: "kube-system",
        labels: vec![("app", "dns")],
        ports: vec![(53, Some("dns"), "UDP")],
        ip: Some("172.20.0.1"),
    }
}

#[test]
fn a_cluster_running_the_build_verifies_clean_whatever_the_replicas() {
    let (model, sources) = compiled();
    let plan = ward::plan::plan(&model);
    let expected = ward::emit::emit(&model, &plan, &sources);
    let kinds = [(web(), 7), (api(), 5), (db(), 3), (dns(), 2)];
    let (world, _) = cluster(&model, &sources, &kinds, &[], &[]);
    let report = ward::proof::verify::verify(&model, &plan, &expected, &world);
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(report.pods, 17);
    assert_eq!(report.classes, 4);
}

/// An allow-all policy in `shop` among many replicas: one diagnostic per
/// rule of it, pointing at `shop` and naming the policy, with the count of
/// connections, at most five examples and "and K more"; the JSON lists
/// every connection.
#[test]
fn findings_are_grouped_by_the_rule_that_allows_them() {
    let (model, sources) = compiled();
    let plan = ward::plan::plan(&model);
    let expected = ward::emit::emit(&model, &plan, &sources);
    // Many classes, so that one cause has more than five examples.
    let mut kinds = vec![(web(), 20), (api(), 10), (db(), 4), (dns(), 3)];
    for (i, app) in ["a", "b", "c", "d", "e", "f"].into_iter().enumerate() {
        kinds.push((
            Kind {
                namespace: "shop",
                labels: vec![("app", "web"), ("variant", app)],
                ports: vec![(8080, Some("http"), "TCP")],
                ip: Some("172.16.0.13"),
            },
            i + 1,
        ));
    }
    let (world, members) = cluster(&model, &sources, &kinds, &[], &["shop"]);
    let report = ward::proof::verify::verify(&model, &plan, &expected, &world);
    let undeclared: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::E0501)
        .collect();
    let shop = model.namespaces.get("shop").unwrap().span;
    // The allow-all policy's two rules, each one diagnostic at `shop`.
    assert_eq!(undeclared.len(), 2, "{undeclared:#?}");
    let mut rules = BTreeSet::new();
    for d in &undeclared {
        assert_eq!(d.primary.span, shop);
        assert!(
            d.message
                .contains("`shop/allow-all`, which Ward did not write"),
            "{}",
            d.message
        );
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .contains("remove or narrow policy `shop/allow-all`")
        );
        rules.insert(d.primary.message.clone());
        let examples = d.notes.iter().filter(|n| n.contains("` -> `")).count();
        assert!(examples <= 5, "{:#?}", d.notes);
    }
    assert_eq!(
        rules,
        BTreeSet::from([
            "`shop/allow-all` egress rule 0 lets it through".to_owned(),
            "`shop/allow-all` ingress rule 0 lets it through".to_owned(),
        ])
    );
    // The counts in the messages add up to every undeclared pair of
    // endpoints, pod by pod.
    let counted: usize = undeclared
        .iter()
        .map(|d| {
            let words: Vec<&str> = d.message.split(' ').collect();
            let at = words.iter().position(|w| *w == "between").unwrap();
            words[at + 1].parse::<usize>().unwrap()
        })
        .sum();
    let mut all = members;
    let (probes, addresses) = ward::proof::verify::probes_and_addresses(&model, &world);
    all.extend(
        addresses
            .iter()
            .map(|ip| (Endpoint::External(*ip), Member::Address(*ip))),
    );
    let pairwise = ward::proof::compare(&model, &world.reachability(&probes, &addresses), &all);
    let undeclared_pairs: BTreeSet<(&Endpoint, &Endpoint)> = pairwise
        .findings
        .iter()
        .filter(|f| f.kind() == FindingKind::Undeclared)
        .map(Finding::ends)
        .collect();
    assert_eq!(counted, undeclared_pairs.len());
    // One of them has more than five pairs of classes: "and K more".
    assert!(
        undeclared.iter().any(|d| d
            .notes
            .iter()
            .any(|n| n.starts_with("and ") && n.contains("more like these"))),
        "{undeclared:#?}"
    );
    // The examples name services and declared ports, never a probe beside
    // a declared port.
    for d in &undeclared {
        for note in d.notes.iter().filter(|n| n.contains(" allowed on ")) {
            assert!(
                note.starts_with("`shop.")
                    || note.starts_with("`kube-system.")
                    || note.starts_with("`pay.")
                    || note.starts_with("pods of ")
                    || note.starts_with("address "),
                "{note}"
            );
            let words: Vec<&str> = note.split([' ', ',']).collect();
            for probe in ["1/tcp", "8079/tcp", "8081/tcp", "8442/tcp", "8444/tcp"] {
                assert!(!words.contains(&probe), "{note}");
            }
        }
    }
    // The JSON names every pod of every class.
    let mut named = BTreeSet::new();
    for connection in report.connections() {
        for end in ["sources", "destinations"] {
            for pod in connection[end].as_array().unwrap() {
                named.insert(pod.as_str().unwrap().to_owned());
            }
        }
    }
    for pod in world.pods() {
        if pod.namespace == "shop" {
            assert!(
                named.contains(&pod.to_string()),
                "{pod} is in no connection"
            );
        }
    }
}

/// `ward verify --format json` is one JSON document whose `connections`
/// (streamed) hold every connection of every finding.
#[test]
fn verify_json_lists_every_connection() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("p.ward");
    std::fs::write(&program, PROGRAM).unwrap();
    let (model, sources) = compiled();
    let plan = ward::plan::plan(&model);
    let emitted = ward::emit::emit(&model, &plan, &sources);
    let mut export = String::new();
    let kinds = [(web(), 3), (api(), 2)];
    for (k, (kind, replicas)) in kinds.iter().enumerate() {
        for r in 0..*replicas {
            export.push_str("---\n");
            export.push_str(&ward::yaml::to_yaml(&pod(kind, format!("k{k}-{r}"))).unwrap());
        }
    }
    for policy in emitted
        .iter()
        .map(|e| e.object.clone())
        .chain([allow_all("shop")])
    {
        export.push_str("---\n");
        export.push_str(&ward::yaml::to_yaml(&policy).unwrap());
    }
    let cluster = dir.path().join("export.yaml");
    std::fs::write(&cluster, export).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ward"))
        .arg("verify")
        .arg(&program)
        .args(["--format", "json", "--cluster"])
        .arg(&cluster)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let connections = json["connections"].as_array().unwrap();
    assert!(!connections.is_empty());
    let total: u64 = connections
        .iter()
        .map(|c| {
            let n = |key: &str| c[key].as_array().unwrap().len() as u64;
            assert_eq!(
                c["connections"].as_u64().unwrap(),
                n("sources") * n("destinations") * n("probes")
            );
            c["connections"].as_u64().unwrap()
        })
        .sum();
    assert!(
        total > connections.len() as u64,
        "replicas make more connections than class pairs"
    );
    assert_eq!(json["summary"]["pods"], 5);
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "E0501")
    );
}
