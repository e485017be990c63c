//! The exact judge (`ward::symbolic`): it passes every example, catches a
//! widening no sampled pod shows, and agrees with the simulator.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

mod common;

use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
use ward::model::Model;
use ward::source::Sources;
use ward::symbolic::labels::Key;
use ward::symbolic::region::End;
use ward::symbolic::{Kind, judge};

fn policies(model: &Model, sources: &Sources) -> (ward::plan::Plan, Vec<NetworkPolicy>) {
    let plan = ward::plan::plan(model);
    let emitted = ward::emit::emit(model, &plan, sources);
    (plan, emitted.into_iter().map(|e| e.object).collect())
}

#[test]
fn every_example_allows_exactly_its_flows_for_every_pod() {
    for path in common::examples() {
        let sources = common::load(&path);
        let model = ward::compile(&sources).model.unwrap();
        let (_, objects) = policies(&model, &sources);
        let verdict = judge(&model, &objects).unwrap();
        assert!(
            verdict.counterexamples.is_empty(),
            "{}: {:#?}",
            path.display(),
            verdict.counterexamples
        );
        assert!(verdict.regions > 0);
    }
}

#[test]
fn a_selector_widened_to_a_value_no_sample_holds_is_caught_with_that_value() {
    let sources = common::load("examples/payments.ward".as_ref());
    let model = ward::compile(&sources).model.unwrap();
    let (plan, mut objects) = policies(&model, &sources);
    // `shop/svc-web` admits the internet to `app=web`; widen the pods it
    // governs (its ingress comes from addresses, so no other policy stops it).
    let web = objects
        .iter_mut()
        .find(|p| p.metadata.name.as_deref() == Some("svc-web"))
        .unwrap();
    let spec = web.spec.as_mut().unwrap();
    let selector = spec.pod_selector.as_mut().unwrap();
    selector.match_labels = None;
    selector.match_expressions = Some(vec![LabelSelectorRequirement {
        key: "app".to_string(),
        operator: "In".to_string(),
        values: Some(vec!["web".to_string(), "web-canary".to_string()]),
    }]);
    let sampled = ward::proof::test_program(&model, &plan, objects.clone()).unwrap();
    assert!(
        sampled.comparison.findings.is_empty(),
        "the sampled world holds no canary"
    );
    let verdict = judge(&model, &objects).unwrap();
    assert_eq!(
        verdict.counterexamples.len(),
        1,
        "{:#?}",
        verdict.counterexamples
    );
    let found = &verdict.counterexamples[0];
    assert_eq!(found.kind, Kind::Undeclared);
    let End::Pod(labels) = &found.point.dst else {
        panic!("{found:?}")
    };
    assert_eq!(
        labels.get(&Key::Pod("app".to_string())).map(String::as_str),
        Some("web-canary")
    );
}
