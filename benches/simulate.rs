//! Benchmarks of the NetworkPolicy simulator at cluster scale.
//!
//! A generated world: N namespaces, each with five apps of two replicas (10
//! pods, 5 classes) and five policies (a default deny plus one per app, with
//! same-namespace, cross-namespace AND, matchExpressions, named-port and
//! ipBlock rules). Sizes: 100, 200 and 400 namespaces (1,000, 2,000 and
//! 4,000 pods; 500, 1,000 and 2,000 policies), and 200 namespaces with eight
//! replicas per app (8,000 pods, same 1,000 classes) to show that the cost
//! follows classes, not pods. Every ordered pair, two probes, two external
//! addresses.

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_main};
use k8s_openapi::api::core::v1::{Container, ContainerPort, Namespace, Pod, PodSpec};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement, ObjectMeta,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use ward::simulate::{Document, Probe, Protocol, World, load};

struct Objects {
    namespaces: Vec<Namespace>,
    pods: Vec<Pod>,
    policies: Vec<NetworkPolicy>,
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn meta(name: &str, namespace: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(namespace.to_owned()),
        ..ObjectMeta::default()
    }
}

fn app(name: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(labels(&[("app", name)])),
        match_expressions: None,
    }
}

fn pods_of(name: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(app(name)),
        ..NetworkPolicyPeer::default()
    }
}

fn named(port: &str) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::String(port.to_owned())),
        ..NetworkPolicyPort::default()
    }
}

fn number(port: i32) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(port)),
        ..NetworkPolicyPort::default()
    }
}

fn ingress(
    from: Vec<NetworkPolicyPeer>,
    ports: Vec<NetworkPolicyPort>,
) -> NetworkPolicyIngressRule {
    NetworkPolicyIngressRule {
        from: Some(from),
        ports: Some(ports),
    }
}

fn egress(to: Vec<NetworkPolicyPeer>, ports: Vec<NetworkPolicyPort>) -> NetworkPolicyEgressRule {
    NetworkPolicyEgressRule {
        to: Some(to),
        ports: Some(ports),
    }
}

fn policy(
    name: &str,
    namespace: &str,
    selector: LabelSelector,
    ingress: Vec<NetworkPolicyIngressRule>,
    egress: Vec<NetworkPolicyEgressRule>,
) -> NetworkPolicy {
    NetworkPolicy {
        metadata: meta(name, namespace),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(selector),
            policy_types: Some(vec!["Ingress".to_owned(), "Egress".to_owned()]),
            ingress: Some(ingress),
            egress: Some(egress),
        }),
    }
}

/// The apps of every namespace: name and container ports.
const APPS: [(&str, &[(&str, i32)]); 5] = [
    ("web", &[("http", 8080)]),
    ("api", &[("https", 8443), ("metrics", 9090)]),
    ("db", &[("pg", 5432)]),
    ("cache", &[("redis", 6379)]),
    ("worker", &[("metrics", 9090)]),
];

fn generate(namespaces: usize, replicas: usize) -> Objects {
    let mut objects = Objects {
        namespaces: Vec::new(),
        pods: Vec::new(),
        policies: Vec::new(),
    };
    let internet = NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: "0.0.0.0/0".to_owned(),
            except: Some(vec![
                "10.0.0.0/8".to_owned(),
                "172.16.0.0/12".to_owned(),
                "192.168.0.0/16".to_owned(),
            ]),
        }),
        ..NetworkPolicyPeer::default()
    };
    let stripe = NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: "54.187.174.169/32".to_owned(),
            except: None,
        }),
        ..NetworkPolicyPeer::default()
    };
    for index in 0..namespaces {
        let ns = format!("ns-{index}");
        let team = format!("t{}", index % 10);
        let partner = format!("t{}", (index + 1) % 10);
        objects.namespaces.push(Namespace {
            metadata: ObjectMeta {
                name: Some(ns.clone()),
                labels: Some(labels(&[("team", &team)])),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        });
        for (name, ports) in APPS {
            for replica in 0..replicas {
                objects.pods.push(Pod {
                    metadata: ObjectMeta {
                        labels: Some(labels(&[("app", name), ("team", &team)])),
                        ..meta(&format!("{name}-{replica}"), &ns)
                    },
                    spec: Some(PodSpec {
                        containers: vec![Container {
                            name: (*name).to_owned(),
                            ports: Some(
                                ports
                                    .iter()
                                    .map(|(port, number)| ContainerPort {
                                        name: Some((*port).to_owned()),
                                        container_port: *number,
                                        ..ContainerPort::default()
                                    })
                                    .collect(),
                            ),
                            ..Container::default()
                        }],
                        ..PodSpec::default()
                    }),
                    status: None,
                });
            }
        }
        let partner_web = NetworkPolicyPeer {
            namespace_selector: Some(LabelSelector {
                match_labels: Some(labels(&[("team", &partner)])),
                match_expressions: None,
            }),
            pod_selector: Some(app("web")),
            ip_block: None,
        };
        let monitoring = NetworkPolicyPeer {
            namespace_selector: Some(LabelSelector {
                match_labels: Some(labels(&[("kubernetes.io/metadata.name", "ns-0")])),
                match_expressions: None,
            }),
            pod_selector: None,
            ip_block: None,
        };
        let some_teams_api = NetworkPolicyPeer {
            namespace_selector: Some(LabelSelector {
                match_labels: None,
                match_expressions: Some(vec![LabelSelectorRequirement {
                    key: "team".to_owned(),
                    operator: "In".to_owned(),
                    values: Some(vec!["t1".to_owned(), "t2".to_owned()]),
                }]),
            }),
            pod_selector: Some(app("api")),
            ip_block: None,
        };
        objects.policies.push(policy(
            "default-deny",
            &ns,
            LabelSelector::default(),
            Vec::new(),
            Vec::new(),
        ));
        objects.policies.push(policy(
            "web",
            &ns,
            app("web"),
            vec![ingress(vec![internet.clone()], vec![named("http")])],
            vec![egress(vec![pods_of("api")], vec![named("https")])],
        ));
        objects.policies.push(policy(
            "api",
            &ns,
            app("api"),
            vec![
                ingress(vec![pods_of("web"), partner_web], vec![named("https")]),
                ingress(vec![monitoring.clone()], vec![named("metrics")]),
            ],
            vec![
                egress(vec![pods_of("db")], vec![named("pg")]),
                egress(vec![pods_of("cache")], vec![number(6379)]),
                egress(vec![stripe.clone()], vec![number(443)]),
            ],
        ));
        objects.policies.push(policy(
            "db",
            &ns,
            app("db"),
            vec![ingress(
                vec![NetworkPolicyPeer {
                    pod_selector: Some(LabelSelector {
                        match_labels: None,
                        match_expressions: Some(vec![LabelSelectorRequirement {
                            key: "app".to_owned(),
                            operator: "In".to_owned(),
                            values: Some(vec!["api".to_owned(), "worker".to_owned()]),
                        }]),
                    }),
                    ..NetworkPolicyPeer::default()
                }],
                vec![number(5432)],
            )],
            Vec::new(),
        ));
        objects.policies.push(policy(
            "worker",
            &ns,
            app("worker"),
            vec![ingress(vec![monitoring], vec![named("metrics")])],
            vec![
                egress(vec![pods_of("db"), pods_of("cache")], Vec::new()),
                egress(vec![some_teams_api], vec![named("https")]),
            ],
        ));
    }
    objects
}

fn build(objects: &Objects) -> World {
    World::from_objects(
        objects.namespaces.clone(),
        objects.pods.clone(),
        objects.policies.clone(),
    )
    .unwrap_or_else(|error| unreachable!("the generated world is valid: {error}"))
}

fn yaml(objects: &Objects) -> String {
    let mut text = String::new();
    let documents = objects
        .namespaces
        .iter()
        .map(ward::yaml::to_yaml)
        .chain(objects.pods.iter().map(ward::yaml::to_yaml))
        .chain(objects.policies.iter().map(ward::yaml::to_yaml));
    for document in documents {
        text.push_str("---\n");
        text.push_str(&document.unwrap_or_default());
    }
    text
}

const PROBES: [Probe; 2] = [
    Probe::new(8443, Protocol::Tcp),
    Probe::new(5432, Protocol::Tcp),
];

const EXTERNALS: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::new(54, 187, 174, 169)),
    IpAddr::V4(Ipv4Addr::new(8, 8, 8, 8)),
];

/// (label, namespaces, replicas per app)
const SIZES: [(&str, usize, usize); 4] = [
    ("1000-pods", 100, 2),
    ("2000-pods", 200, 2),
    ("4000-pods", 400, 2),
    ("8000-pods-1000-classes", 200, 8),
];

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    for (label, namespaces, replicas) in SIZES {
        let objects = generate(namespaces, replicas);
        let world = build(&objects);
        group.bench_with_input(BenchmarkId::new("build", label), &objects, |b, objects| {
            b.iter(|| black_box(build(objects)));
        });
        group.bench_with_input(
            BenchmarkId::new("reachability", label),
            &world,
            |b, world| {
                b.iter(|| black_box(world.reachability(&PROBES, &EXTERNALS)));
            },
        );
        group.bench_with_input(
            BenchmarkId::new("build+reachability", label),
            &objects,
            |b, objects| {
                b.iter(|| black_box(build(objects).reachability(&PROBES, &EXTERNALS)));
            },
        );
        group.bench_with_input(
            BenchmarkId::new("count-allowed", label),
            &world,
            |b, world| {
                b.iter_batched(
                    || world.reachability(&PROBES, &EXTERNALS),
                    |reach| black_box(reach.connections().filter(|c| c.allowed).count()),
                    BatchSize::LargeInput,
                );
            },
        );
    }
    let objects = generate(200, 2);
    let text = yaml(&objects);
    group.bench_function("load-yaml/2000-pods", |b| {
        b.iter(|| black_box(load(&[Document::new("world.yaml", text.as_str())])));
    });
    group.finish();
}

/// The benchmark group (what `criterion_group!` would generate, with a doc).
fn simulate() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
}

criterion_main!(simulate);
