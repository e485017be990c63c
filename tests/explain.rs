//! `ward explain PROGRAM SRC DST[:PORT]` as a user meets it: the whole
//! output of each kind of answer and of each bad question, snapshotted, with
//! the exit code. What the answers claim is checked against the simulator by
//! `tests/build.rs` and `tests/proof.rs`; here the wording is pinned.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests run the binary and fail loudly"
)]

use std::process::Command;

/// `ward explain examples/payments.ward ARGS...` as one text: the exit
/// code, then stdout, then stderr.
fn explain(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["explain", "--color", "never", "examples/payments.ward"])
        .args(args)
        .output()
        .unwrap();
    format!(
        "$ ward explain examples/payments.ward {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn a_declared_flow_is_allowed_by_its_rules() {
    insta::assert_snapshot!(explain(&["shop.web", "payments.api:https"]));
}

#[test]
fn a_connection_no_flow_declares_is_blocked_by_the_default_deny() {
    insta::assert_snapshot!(explain(&["shop/svc-web", "payments.api:9090"]));
}

#[test]
fn a_connection_a_deny_forbids_is_blocked() {
    insta::assert_snapshot!(explain(&["shop.web", "payments.vault:5432/tcp"]));
}

#[test]
fn an_external_source_meets_only_the_destination_policies() {
    insta::assert_snapshot!(explain(&["203.0.113.7", "shop.web:http"]));
}

#[test]
fn an_address_a_deny_covers_is_named_with_the_deny() {
    insta::assert_snapshot!(explain(&[
        "203.0.113.7",
        "payments{app=payments-api}:https"
    ]));
}

#[test]
fn an_external_destination_meets_only_the_source_policies() {
    insta::assert_snapshot!(explain(&["payments.api", "54.187.174.169:443"]));
}

#[test]
fn without_a_port_every_declared_port_is_explained() {
    insta::assert_snapshot!(explain(&["monitoring.prometheus", "payments/api"]));
}

#[test]
fn a_pod_of_the_test_world_is_named_by_namespace_and_name() {
    insta::assert_snapshot!(explain(&["shop/unmatched", "kube-system.dns:dns"]));
}

#[test]
fn an_unknown_namespace_gets_a_suggestion() {
    insta::assert_snapshot!(explain(&["shop.web", "payment.api:https"]));
}

#[test]
fn an_unknown_service_gets_a_suggestion() {
    insta::assert_snapshot!(explain(&["shop.web", "payments.apii:https"]));
}

#[test]
fn an_unknown_port_lists_the_known_ports() {
    insta::assert_snapshot!(explain(&["shop.web", "payments.api:htps"]));
}

#[test]
fn a_port_range_is_refused() {
    insta::assert_snapshot!(explain(&["shop.web", "payments.api:8000-9000"]));
}

#[test]
fn a_word_that_is_no_endpoint_is_refused() {
    insta::assert_snapshot!(explain(&["web", "payments.api:https"]));
}

#[test]
fn a_pod_described_by_labels_meets_the_policies_that_select_it() {
    insta::assert_snapshot!(explain(&[
        "shop{app=web,track=canary}",
        "payments.api:https"
    ]));
}

#[test]
fn a_pod_no_service_selects_is_blocked_whatever_its_other_labels() {
    insta::assert_snapshot!(explain(&["shop{track=canary}", "payments.api:8443"]));
}

#[test]
fn a_described_destination_takes_the_ports_of_the_services_that_select_it() {
    insta::assert_snapshot!(explain(&[
        "monitoring{app.kubernetes.io/name=prometheus}",
        "payments{app=card-vault,tier=data}"
    ]));
}

#[test]
fn a_described_destination_lists_its_ports_for_an_unknown_name() {
    insta::assert_snapshot!(explain(&["shop{app=web}", "payments{app=payments-api}:pg"]));
}

#[test]
fn a_label_kubernetes_would_refuse_is_refused() {
    insta::assert_snapshot!(explain(&["shop{app=web page}", "payments.api:https"]));
}

#[path = "simulate/oracle.rs"]
#[allow(dead_code, reason = "the oracle serves the simulator's tests too")]
mod oracle;

mod described {
    //! A pod described by labels is answered from what the emitted policies
    //! mean: random label sets in random namespaces, each answer compared
    //! with the naive oracle of `tests/simulate/oracle.rs` run on a world of
    //! just the two pods and the program's policies.

    use super::oracle::Oracle;
    use k8s_openapi::api::core::v1 as core;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use ward::model::Model;
    use ward::simulate::{Endpoint, Probe, World};
    use ward::source::Sources;

    fn payments() -> (Model, Sources) {
        let mut sources = Sources::new();
        sources.add(
            "examples/payments.ward",
            std::fs::read_to_string("examples/payments.ward").unwrap(),
        );
        let model = ward::compile(&sources).model.unwrap();
        (model, sources)
    }

    /// A pod with `labels` and, as a pod of each service that selects it
    /// would, every port those services declare.
    fn pod(
        model: &Model,
        namespace: &str,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> core::Pod {
        let mut ports = Vec::new();
        for service in model.namespaces[namespace].services.values() {
            if service.selector.matches(labels) {
                for port in service.ports.values() {
                    if !ports
                        .iter()
                        .any(|p: &core::ContainerPort| p.name.as_deref() == Some(&port.name))
                    {
                        ports.push(core::ContainerPort {
                            name: Some(port.name.clone()),
                            container_port: i32::from(port.range.first),
                            protocol: Some(port.range.protocol.as_str().to_string()),
                            ..core::ContainerPort::default()
                        });
                    }
                }
            }
        }
        core::Pod {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(namespace.to_string()),
                labels: Some(labels.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(core::PodSpec {
                containers: vec![core::Container {
                    name: "app".to_string(),
                    ports: Some(ports),
                    ..core::Container::default()
                }],
                ..core::PodSpec::default()
            }),
            status: None,
        }
    }

    fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
        let keys = ["app", "tier", "track", "app.kubernetes.io/name", "k8s-app"];
        let values = prop::sample::select(vec![
            "web",
            "payments-api",
            "card-vault",
            "data",
            "canary",
            "prometheus",
            "kube-dns",
        ]);
        prop::collection::btree_map(prop::sample::select(keys.to_vec()), values, 0..4).prop_map(
            |labels| {
                labels
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            },
        )
    }

    fn written(namespace: &str, labels: &BTreeMap<String, String>) -> String {
        let terms: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{namespace}{{{}}}", terms.join(","))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn the_answer_is_the_policies_verdict(
            src_ns in prop::sample::select(vec!["shop", "payments", "monitoring", "kube-system"]),
            dst_ns in prop::sample::select(vec!["shop", "payments", "monitoring", "kube-system"]),
            src in labels(),
            dst in labels(),
            port in prop::sample::select(vec!["53/udp", "8080", "8443", "9090", "5432"]),
        ) {
            let (model, sources) = payments();
            let answer = ward::explain::explain(
                &model,
                &sources,
                &written(src_ns, &src),
                &format!("{}:{port}", written(dst_ns, &dst)),
            )
            .unwrap();
            let first = answer.lines().next().unwrap();
            prop_assert!(first.ends_with("ALLOWED") || first.ends_with("BLOCKED"), "{}", first);
            let namespaces: Vec<core::Namespace> = model
                .namespaces
                .keys()
                .map(|name| core::Namespace {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        ..ObjectMeta::default()
                    },
                    ..core::Namespace::default()
                })
                .collect();
            let pods = vec![pod(&model, src_ns, "s", &src), pod(&model, dst_ns, "d", &dst)];
            let policies = ward::pipeline::build(&model, &sources).policies();
            let world = World::from_objects(namespaces.clone(), pods.clone(), policies.clone()).unwrap();
            let oracle = Oracle::new(&namespaces, &pods, &policies, &world);
            let probe: Probe = if port.contains('/') { port.parse().unwrap() } else { format!("{port}/tcp").parse().unwrap() };
            let expected = oracle
                .allowed(&Endpoint::pod(src_ns, "s"), &Endpoint::pod(dst_ns, "d"), probe)
                .unwrap();
            prop_assert_eq!(first.ends_with("ALLOWED"), expected, "{}", answer);
        }
    }
}
