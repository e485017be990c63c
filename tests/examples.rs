//! The bundled examples parse, check clean, and mean what they say.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

mod common;

use ward::model::{Endpoint, Ports};

#[test]
fn every_example_checks_without_diagnostics() {
    let examples = common::examples();
    assert!(examples.len() >= 3, "at least three examples are bundled");
    for path in examples {
        let sources = common::load(&path);
        let checked = ward::compile(&sources);
        let rendered = ward::cli::render::human(&sources, &checked.diagnostics);
        assert!(
            checked.diagnostics.is_empty(),
            "{}:\n{rendered}",
            path.display()
        );
        assert!(checked.model.is_some());
    }
}

#[test]
fn the_platform_example_is_a_realistic_size() {
    let model = ward::compile(&common::load("examples/platform".as_ref()))
        .model
        .unwrap();
    let services: usize = model.namespaces.values().map(|ns| ns.services.len()).sum();
    assert!(model.namespaces.len() >= 8);
    assert!(services >= 25, "{services} services");
    assert!(
        model
            .namespaces
            .values()
            .any(|ns| !ns.managed && ns.name == "kube-system")
    );
    assert!(!model.externals.is_empty() && !model.controls.is_empty() && !model.denies.is_empty());
}

#[test]
fn the_payments_example_resolves_as_the_design_describes() {
    let model = ward::compile(&common::load("examples/payments.ward".as_ref()))
        .model
        .unwrap();
    let texts: Vec<&str> = model.flows.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "internet -> shop.web:http",
            "shop.web -> payments.api:https",
            "payments.api -> payments.vault:pg",
            "payments.api -> stripe:443/tcp",
            "monitoring.prometheus -> payments.*:metrics",
            "*.* -> kube-system.dns",
        ]
    );
    let metrics = &model.flows[4];
    // A port name on `ns.*` is resolved on each pod (decision 0007).
    assert_eq!(metrics.ports.to_string(), "metrics on each pod (9090/tcp)");
    assert!(
        matches!(&metrics.dst, Endpoint::Namespace { namespace, managed: true } if namespace == "payments")
    );
    let dns = &model.flows[5];
    assert_eq!(dns.src, Endpoint::AllManaged);
    assert_eq!(dns.ports.to_string(), "53/tcp, 53/udp");
    let checkout = &model.flows[1];
    assert_eq!(
        checkout.criteria().into_iter().collect::<Vec<_>>(),
        ["CC6.1", "CC6.7"]
    );
    assert_eq!(
        model.baseline_criteria().into_iter().collect::<Vec<_>>(),
        ["CC6.1", "CC6.6"]
    );
    let internet = model.externals.get("internet").unwrap();
    assert_eq!(internet.addresses.blocks().len(), 1);
    assert_eq!(internet.addresses.holes().len(), 3);
    assert_eq!(internet.addresses.ip_blocks()[0].except.len(), 3);
    assert_eq!(model.denies.len(), 2);
    assert_eq!(model.denies[0].ports, Ports::Any);
}
