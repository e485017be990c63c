//! Proof: the generated policies, simulated, allow exactly the declared
//! flows. On every example, on random programs (a property test), and a
//! check that tampered policies are caught.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

mod common;

use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyIngressRule};
use proptest::prelude::*;
use ward::diagnostic::Code;
use ward::model::Model;
use ward::source::Sources;

fn compile(text: &str) -> Option<(Model, Sources)> {
    let mut sources = Sources::new();
    sources.add("generated.ward", text);
    ward::compile(&sources).model.map(|m| (m, sources))
}

fn policies(model: &Model, sources: &Sources) -> (ward::plan::Plan, Vec<NetworkPolicy>) {
    let plan = ward::plan::plan(model);
    let emitted = ward::emit::emit(model, &plan, sources);
    (plan, emitted.into_iter().map(|e| e.object).collect())
}

fn codes(report: &ward::proof::TestReport) -> Vec<Code> {
    report.diagnostics.iter().map(|d| d.code).collect()
}

fn messages(report: &ward::proof::TestReport) -> Vec<&str> {
    report
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect()
}

#[test]
fn every_example_allows_exactly_its_flows() {
    for path in common::examples() {
        let sources = common::load(&path);
        let model = ward::compile(&sources).model.unwrap();
        let (plan, objects) = policies(&model, &sources);
        let report = ward::proof::test_program(&model, &plan, objects).unwrap();
        assert!(
            report.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            report.diagnostics
        );
        assert!(
            report.comparison.allowed > 0 && report.comparison.checked > report.comparison.allowed
        );
    }
}

fn payments() -> (Model, Sources) {
    let sources = common::load("examples/payments.ward".as_ref());
    (ward::compile(&sources).model.unwrap(), sources)
}

fn find<'a>(
    objects: &'a mut [NetworkPolicy],
    namespace: &str,
    name: &str,
) -> &'a mut NetworkPolicy {
    objects
        .iter_mut()
        .find(|p| {
            p.metadata.namespace.as_deref() == Some(namespace)
                && p.metadata.name.as_deref() == Some(name)
        })
        .unwrap()
}

#[test]
fn an_over_permissive_policy_is_caught_and_traced_to_the_invariant_it_breaks() {
    let (model, sources) = payments();
    let (plan, mut objects) = policies(&model, &sources);
    // Someone opens the vault to every pod of every namespace.
    let vault = find(&mut objects, "payments", "svc-vault");
    let spec = vault.spec.as_mut().unwrap();
    spec.ingress
        .as_mut()
        .unwrap()
        .push(NetworkPolicyIngressRule {
            from: Some(vec![k8s_openapi::api::networking::v1::NetworkPolicyPeer {
                namespace_selector: Some(Default::default()),
                ..Default::default()
            }]),
            ports: None,
        });
    // ... and every pod of the shop may send anything anywhere.
    let web = find(&mut objects, "shop", "all-pods");
    web.spec
        .as_mut()
        .unwrap()
        .egress
        .as_mut()
        .unwrap()
        .push(Default::default());
    let report = ward::proof::test_program(&model, &plan, objects).unwrap();
    let codes = codes(&report);
    assert!(codes.contains(&Code::E0501), "{codes:?}");
    assert!(codes.contains(&Code::E0503), "{codes:?}");
    let broken = report
        .diagnostics
        .iter()
        .find(|d| d.code == Code::E0503)
        .unwrap();
    assert!(
        broken.message.contains("deny shop.* -> payments.vault"),
        "{}",
        broken.message
    );
    assert!(!codes.contains(&Code::E0502));
}

#[test]
fn a_missing_rule_blocks_its_flow_and_is_reported_at_the_flow() {
    let (model, sources) = payments();
    let (plan, mut objects) = policies(&model, &sources);
    let web = find(&mut objects, "shop", "svc-web");
    web.spec.as_mut().unwrap().egress = None;
    let report = ward::proof::test_program(&model, &plan, objects).unwrap();
    assert_eq!(codes(&report), [Code::E0502]);
    let blocked = &report.diagnostics[0];
    assert!(
        blocked.message.contains("shop.web -> payments.api:https"),
        "{}",
        blocked.message
    );
    assert_eq!(blocked.primary.span, model.flows[1].span);
}

/// Decision 0007: a port name on `ns.*` is opened on each pod as that pod
/// names it, so a pod gets its own `metrics` port, not every number the
/// name has in the namespace, and a pod without the name gets nothing.
#[test]
fn a_port_name_on_a_namespace_is_resolved_on_each_pod() {
    let (model, sources) = compile(
        "baseline controls CC6.1\n\
         namespace monitoring { service prometheus { pods app=prometheus } }\n\
         namespace payments {\n\
           service api { pods app=api  ports https 8443, metrics 9090 }\n\
           service exporter { pods app=exporter  ports metrics 9100 }\n\
           service statsd { pods app=statsd  ports metrics 8125/udp }\n\
           service vault { pods app=vault  ports pg 5432 }\n\
         }\n\
         flow monitoring.prometheus -> payments.*:metrics controls CC7.2 because \"scrape\"\n",
    )
    .unwrap();
    let (plan, objects) = policies(&model, &sources);
    // The YAML names the port once per protocol, on both sides.
    let named: Vec<String> = objects
        .iter()
        .filter_map(|o| o.spec.as_ref())
        .flat_map(|spec| {
            let ingress = spec
                .ingress
                .iter()
                .flatten()
                .flat_map(|r| r.ports.iter().flatten());
            let egress = spec
                .egress
                .iter()
                .flatten()
                .flat_map(|r| r.ports.iter().flatten());
            ingress.chain(egress).cloned().collect::<Vec<_>>()
        })
        .map(|p| format!("{:?} {}", p.port, p.protocol.unwrap_or_default()))
        .collect();
    let tcp = r#"Some(String("metrics")) TCP"#;
    let udp = r#"Some(String("metrics")) UDP"#;
    assert_eq!(named, [tcp, udp, tcp, udp]);
    // `ward test` agrees with the simulator on every connection.
    let world = ward::proof::world::test_world(&model);
    let report = ward::proof::test_program(&model, &plan, objects.clone()).unwrap();
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    // And what each pod gets is its own port of the name, nothing else.
    let simulated =
        ward::simulate::World::from_objects(world.namespaces, world.pods, objects).unwrap();
    let prometheus =
        ward::simulate::Endpoint::Pod(ward::simulate::PodRef::new("monitoring", "svc-prometheus"));
    let allowed = |pod: &str, port: u16, protocol: ward::simulate::Protocol| {
        let dst = ward::simulate::Endpoint::Pod(ward::simulate::PodRef::new("payments", pod));
        let probe = ward::simulate::Probe::new(port, protocol);
        simulated.explain(&prometheus, &dst, probe).unwrap().allowed
    };
    use ward::simulate::Protocol::{Tcp, Udp};
    assert!(allowed("svc-api", 9090, Tcp));
    assert!(!allowed("svc-api", 9100, Tcp));
    assert!(allowed("svc-exporter", 9100, Tcp));
    assert!(!allowed("svc-exporter", 9090, Tcp));
    assert!(allowed("svc-statsd", 8125, Udp));
    assert!(!allowed("svc-statsd", 9090, Tcp));
    assert!(!allowed("svc-vault", 9090, Tcp));
    assert!(!allowed("svc-vault", 5432, Tcp));
    assert!(!allowed("unmatched", 9090, Tcp));
}

/// `ward verify` reads the cluster's named container ports: a pod no service
/// describes that names its own `metrics` port is reached on it, as the flow
/// says, and that is no finding.
#[test]
fn verify_resolves_a_port_name_on_the_cluster_pods() {
    use k8s_openapi::api::core::v1 as core;
    let (model, sources) = compile(
        "baseline controls CC6.1\n\
         namespace monitoring { service prometheus { pods app=prometheus } }\n\
         namespace payments { service api { pods app=api  ports metrics 9090 } }\n\
         flow monitoring.prometheus -> payments.*:metrics controls CC7.2 because \"scrape\"\n",
    )
    .unwrap();
    let (plan, objects) = policies(&model, &sources);
    let expected = ward::emit::emit(&model, &plan, &sources);
    let world = ward::proof::world::test_world(&model);
    let mut pods = world.pods.clone();
    let mut sidecar = pods
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some("svc-api"))
        .unwrap()
        .clone();
    sidecar.metadata.name = Some("sidecar".to_string());
    sidecar.metadata.labels = Some([("app".to_string(), "sidecar".to_string())].into());
    sidecar.spec.as_mut().unwrap().containers[0].ports = Some(vec![core::ContainerPort {
        name: Some("metrics".to_string()),
        container_port: 9200,
        protocol: Some("TCP".to_string()),
        ..core::ContainerPort::default()
    }]);
    sidecar.status = Some(core::PodStatus {
        pod_ip: Some("10.244.0.200".to_string()),
        ..core::PodStatus::default()
    });
    pods.push(sidecar);
    let cluster = ward::simulate::World::from_objects(world.namespaces, pods, objects).unwrap();
    let prometheus =
        ward::simulate::Endpoint::Pod(ward::simulate::PodRef::new("monitoring", "svc-prometheus"));
    let sidecar = ward::simulate::Endpoint::Pod(ward::simulate::PodRef::new("payments", "sidecar"));
    let probe = |port| ward::simulate::Probe::new(port, ward::simulate::Protocol::Tcp);
    assert!(
        cluster
            .explain(&prometheus, &sidecar, probe(9200))
            .unwrap()
            .allowed
    );
    assert!(
        !cluster
            .explain(&prometheus, &sidecar, probe(9090))
            .unwrap()
            .allowed
    );
    let report = ward::proof::verify::verify(&model, &plan, &expected, &cluster);
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_policy_that_drops_one_selector_requirement_is_caught_by_a_near_miss_pod() {
    let (model, sources) = payments();
    let (plan, mut objects) = policies(&model, &sources);
    // Both sides of `payments.api -> payments.vault` forget `tier=data`: a
    // pod labelled only `app=card-vault` now takes the vault's traffic.
    let vault = find(&mut objects, "payments", "svc-vault");
    let selector = vault.spec.as_mut().unwrap().pod_selector.as_mut().unwrap();
    selector.match_labels.as_mut().unwrap().remove("tier");
    let api = find(&mut objects, "payments", "svc-api");
    for rule in api.spec.as_mut().unwrap().egress.as_mut().unwrap() {
        for peer in rule.to.iter_mut().flatten() {
            if let Some(labels) = peer
                .pod_selector
                .as_mut()
                .and_then(|p| p.match_labels.as_mut())
            {
                labels.remove("tier");
            }
        }
    }
    let report = ward::proof::test_program(&model, &plan, objects).unwrap();
    // The near misses that break `tier=data`, and no other pod.
    assert_eq!(
        messages(&report),
        [
            "`payments/svc-api` can reach `payments/near-miss-vault-tier-value`, which no flow declares",
            "`payments/svc-api` can reach `payments/near-miss-vault-tier-missing`, which no flow declares",
        ]
    );
}

#[test]
fn an_ip_block_that_loses_its_hole_is_caught_at_the_hole_edges() {
    let text = "baseline controls CC6.1\nnamespace shop { service web { pods app=web  ports http 8080 } }\nexternal partner = 10.0.0.0/8 except 10.1.2.0/24\nflow partner -> shop.web:http controls CC6.1 because \"partner calls\"\n";
    let (model, sources) = compile(text).unwrap();
    let (plan, mut objects) = policies(&model, &sources);
    let web = find(&mut objects, "shop", "svc-web");
    let ingress = web.spec.as_mut().unwrap().ingress.as_mut().unwrap();
    let peers = ingress[0].from.as_mut().unwrap();
    peers[0].ip_block.as_mut().unwrap().except = None;
    let report = ward::proof::test_program(&model, &plan, objects).unwrap();
    assert_eq!(
        messages(&report),
        [
            "`10.1.2.0` can reach `shop/svc-web`, which no flow declares",
            "`10.1.2.127` can reach `shop/svc-web`, which no flow declares",
            "`10.1.2.255` can reach `shop/svc-web`, which no flow declares",
        ]
    );
}

/// A random program from a small vocabulary, so that selectors overlap,
/// externals cover pod addresses, and every endpoint and port form occurs.
fn program() -> impl Strategy<Value = String> {
    let selector = prop_oneof![
        Just("app=a"),
        Just("app=b"),
        Just("app=c"),
        Just("app=a, tier in (x, y)"),
        Just("app=b, !canary"),
        Just("has team"),
        Just("app=c, env notin (prod)"),
        Just("tier=x"),
    ];
    let ports = prop_oneof![
        Just(""),
        Just("ports web 80"),
        Just("ports web 80, tls 443"),
        Just("ports dns 53/udp, web 8080"),
        Just("ports range 9000-9010, web 80"),
        Just("ports sig 5060/sctp"),
        Just("ports web 8080/udp, tls 443"),
    ];
    let service = (selector, ports).prop_map(|(s, p)| format!("pods {s}  {p}"));
    let namespace = (any::<bool>(), proptest::collection::vec(service, 1..4));
    let externals = proptest::sample::subsequence(
        vec![
            "external internet = 0.0.0.0/0 except 10.0.0.0/8",
            "external partner = 203.0.113.0/24",
            "external split = 198.51.100.0/24 except 198.51.100.128/25",
            "external podnet = 10.244.0.0/16",
            "external nested = 10.0.0.0/8, 10.1.0.0/16 except 10.1.2.0/24, 10.244.0.0/16",
        ],
        0..5,
    );
    (proptest::collection::vec(namespace, 1..4), externals).prop_flat_map(
        |(namespaces, externals)| {
            let mut endpoints = vec!["*.*".to_string()];
            let mut text = String::from("baseline controls CC6.1\n");
            for (n, (unmanaged, services)) in namespaces.iter().enumerate() {
                let flag = if *unmanaged && n > 0 {
                    " unmanaged"
                } else {
                    ""
                };
                text.push_str(&format!("namespace n{n}{flag} {{\n"));
                for (s, body) in services.iter().enumerate() {
                    text.push_str(&format!("  service s{s} {{ {body} }}\n"));
                    endpoints.push(format!("n{n}.s{s}"));
                }
                text.push_str("}\n");
                endpoints.push(format!("n{n}.*"));
            }
            for external in &externals {
                text.push_str(external);
                text.push('\n');
                endpoints.push(external.split_whitespace().nth(1).unwrap().to_string());
            }
            let port = prop_oneof![
                Just(""),
                Just(":web"),
                Just(":80"),
                Just(":9005-9020/tcp"),
                Just(":53/udp"),
                Just(":*"),
                Just(":5060/sctp")
            ];
            let flow = (
                proptest::sample::select(endpoints.clone()),
                proptest::sample::select(endpoints),
                port,
            )
                .prop_map(|(src, dst, port)| {
                    format!("flow {src} -> {dst}{port} controls CC6.1 because \"generated\"\n")
                });
            proptest::collection::vec(flow, 1..8)
                .prop_map(move |flows| format!("{text}{}", flows.concat()))
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_programs_allow_exactly_their_flows(text in program()) {
        let compiled = compile(&text);
        prop_assume!(compiled.is_some());
        let (model, sources) = compiled.unwrap();
        let (plan, objects) = policies(&model, &sources);
        let report = ward::proof::test_program(&model, &plan, objects).unwrap();
        prop_assert!(report.diagnostics.is_empty(), "{text}\n{:#?}", report.comparison.findings);
    }
}
