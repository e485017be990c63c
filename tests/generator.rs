//! The program generator (`ward::generator`): its programs check clean at every
//! size, are the same for the same seed, and simulate to exactly their
//! flows; and on them, the indexed comparison of `ward test` agrees with the
//! pair-by-pair one, also when the policies are tampered with.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyIngressRule};
use ward::generator::{Config, program, sources};
use ward::model::Model;
use ward::proof::{self, Comparison, Declarations, Finding, Member};
use ward::simulate::{Endpoint, Probe, Reachability};
use ward::source::Sources;

fn compile(config: &Config) -> (Model, Sources, Vec<ward::diagnostic::Diagnostic>) {
    let sources = sources(config);
    let checked = ward::compile(&sources);
    let model = checked.model.unwrap_or_else(|| {
        panic!(
            "{config:?} does not check: {}",
            ward::cli::render::human(&sources, &checked.diagnostics)
        )
    });
    (model, sources, checked.diagnostics)
}

#[test]
fn generated_programs_check_without_a_diagnostic() {
    let configs = [
        Config::sized(3, 1),
        Config::sized(20, 2),
        Config::sized(100, 3),
        Config::sized(1_000, 4),
        Config::new(100, 1_000, 5),
        Config::new(300, 330, 6),
    ];
    for config in configs {
        let (model, sources, diagnostics) = compile(&config);
        assert!(
            diagnostics.is_empty(),
            "{config:?}: {}",
            ward::cli::render::human(&sources, &diagnostics)
        );
        assert!(model.flows.len() <= config.flows);
        assert!(!model.denies.is_empty(), "{config:?} has no invariant");
        let services: usize = model.managed_namespaces().map(|ns| ns.services.len()).sum();
        assert_eq!(services, config.services.max(3), "{config:?}");
    }
}

#[test]
fn large_programs_get_all_the_flows_asked_for() {
    for config in [Config::sized(1_000, 7), Config::new(200, 2_000, 8)] {
        let (model, _, _) = compile(&config);
        assert_eq!(model.flows.len(), config.flows, "{config:?}");
    }
}

#[test]
fn programs_with_fewer_flows_than_services_have_no_errors() {
    // Too few flows to use every service: warnings (unused), never errors.
    for flows in [0, 1, 2, 5, 40] {
        let config = Config::new(60, flows, 9);
        let checked = ward::compile(&sources(&config));
        assert!(checked.model.is_some(), "{config:?}");
    }
}

#[test]
fn the_same_seed_gives_the_same_program() {
    let config = Config::sized(200, 42);
    assert_eq!(program(&config), program(&config));
    assert_ne!(program(&config), program(&Config::sized(200, 43)));
    // The generator is pure: the text is a function of the config alone.
    let first = program(&Config::new(50, 120, 7));
    let _ = program(&Config::sized(300, 1));
    assert_eq!(first, program(&Config::new(50, 120, 7)));
}

/// The build of a program, as Kubernetes objects.
fn build(model: &Model, sources: &Sources) -> (ward::plan::Plan, Vec<NetworkPolicy>) {
    let plan = ward::plan::plan(model);
    let emitted = ward::emit::emit(model, &plan, sources);
    (plan, emitted.into_iter().map(|e| e.object).collect())
}

#[test]
fn generated_programs_simulate_to_exactly_their_flows() {
    for config in [Config::sized(40, 1), Config::sized(120, 2)] {
        let (model, sources, _) = compile(&config);
        let (plan, objects) = build(&model, &sources);
        let report = proof::test_program(&model, &plan, objects).unwrap();
        assert!(
            report.diagnostics.is_empty(),
            "{config:?}: {}",
            ward::cli::render::human(&sources, &report.diagnostics)
        );
        assert!(report.comparison.allowed > 0);
        assert!(report.comparison.checked > report.comparison.allowed);
    }
}

/// What `proof::compare` computed before it was indexed: every cell asks
/// the declarations, pair by pair.
fn compare_pairwise(
    model: &Model,
    reachability: &Reachability,
    members: &[(Endpoint, Member)],
) -> Comparison {
    let declarations = Declarations::new(model);
    let identity: indexmap::IndexMap<&Endpoint, &Member> =
        members.iter().map(|(e, m)| (e, m)).collect();
    let mut grouped: indexmap::IndexMap<(u8, usize, Endpoint, Endpoint), Vec<Probe>> =
        indexmap::IndexMap::new();
    let mut comparison = Comparison::default();
    for connection in reachability.connections() {
        let (Some(src), Some(dst)) = (identity.get(connection.src), identity.get(connection.dst))
        else {
            continue;
        };
        if !proof::responsible(src, dst) {
            continue;
        }
        comparison.checked += 1;
        let probe = connection.probe;
        let declared = declarations.declaring_flow(src, dst, probe);
        let key =
            |kind: u8, index: usize| (kind, index, connection.src.clone(), connection.dst.clone());
        if connection.allowed {
            comparison.allowed += 1;
            if declared.is_none() {
                grouped.entry(key(0, 0)).or_default().push(probe);
            }
            if let Some(deny) = declarations.forbidding_deny(src, dst, probe) {
                let index = model
                    .denies
                    .iter()
                    .position(|d| std::ptr::eq(d, deny))
                    .unwrap();
                grouped.entry(key(2, index)).or_default().push(probe);
            }
        } else if let Some(flow) = declared {
            grouped.entry(key(1, flow.index)).or_default().push(probe);
        }
    }
    comparison.findings = grouped
        .into_iter()
        .map(|((kind, index, src, dst), probes)| (kind, index, src, dst, probes.into()))
        .map(|(kind, index, src, dst, probes)| match kind {
            0 => Finding::Undeclared { src, dst, probes },
            1 => Finding::Blocked {
                flow: index,
                src,
                dst,
                probes,
            },
            _ => Finding::Forbidden {
                deny: index,
                src,
                dst,
                probes,
            },
        })
        .collect();
    comparison
}

/// Ways to break a build: drop a rule, open a policy to everything, drop a
/// policy's egress.
fn tamper(objects: &mut [NetworkPolicy], how: usize, which: usize) {
    let count = objects.len();
    let spec = objects[which % count].spec.as_mut().unwrap();
    match how {
        0 => {
            if let Some(ingress) = spec.ingress.as_mut().filter(|i| !i.is_empty()) {
                ingress.remove(0);
            }
        }
        1 => spec
            .ingress
            .get_or_insert_with(Vec::new)
            .push(NetworkPolicyIngressRule::default()),
        _ => spec.egress = None,
    }
}

#[test]
fn the_indexed_comparison_agrees_with_the_pairwise_one() {
    for (services, seed) in [(12, 11), (36, 12)] {
        let (model, sources, _) = compile(&Config::sized(services, seed));
        let (_, clean) = build(&model, &sources);
        let world = proof::world::test_world(&model);
        let addresses = world.addresses();
        for case in 0..5 {
            let mut objects = clean.clone();
            if case > 0 {
                tamper(&mut objects, case % 3, case * 7 + seed as usize);
                tamper(&mut objects, (case + 1) % 3, case * 13);
            }
            let simulated = ward::simulate::World::from_objects(
                world.namespaces.clone(),
                world.pods.clone(),
                objects,
            )
            .unwrap();
            let reachability = simulated.reachability(&world.probes, &addresses);
            let fast = proof::compare(&model, &reachability, &world.members);
            let slow = compare_pairwise(&model, &reachability, &world.members);
            assert_eq!(fast.checked, slow.checked, "case {case}");
            assert_eq!(fast.allowed, slow.allowed, "case {case}");
            assert_eq!(fast.findings, slow.findings, "case {case}");
            if case > 0 {
                assert!(!fast.findings.is_empty(), "case {case} broke nothing");
            }
        }
    }
}

#[test]
fn documents_straight_from_the_plan_are_the_build_documents() {
    let (model, sources, _) = compile(&Config::sized(150, 21));
    let plan = ward::plan::plan(&model);
    let emitted = ward::emit::emit(&model, &plan, &sources);
    let documents = ward::output::documents(&emitted).unwrap();
    assert_eq!(
        ward::output::plan_documents(&model, &plan, &sources).unwrap(),
        documents
    );
    for (object, document) in emitted.iter().zip(&documents) {
        assert_eq!(document, &ward::yaml::to_yaml(&object.object).unwrap());
    }
}
