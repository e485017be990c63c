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
