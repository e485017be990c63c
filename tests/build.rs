//! `ward build`: the YAML of every example (snapshots, read as a reviewer
//! would), round trips, the directory layout, stale-file removal, `--check`
//! both ways, and independence from argument order.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

mod common;

use std::path::Path;
use std::process::Command;
use ward::source::Sources;

fn build_stream(sources: &Sources) -> (Vec<ward::emit::Emitted>, String) {
    let model = ward::compile(sources)
        .model
        .expect("the example checks clean");
    let plan = ward::plan::plan(&model);
    let emitted = ward::emit::emit(&model, &plan, sources);
    let documents = ward::output::documents(&emitted).unwrap();
    (emitted, ward::yaml::stream(&documents))
}

fn ward(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn every_example_builds_to_the_snapshotted_yaml() {
    for path in common::examples() {
        let (_, stream) = build_stream(&common::load(&path));
        insta::assert_snapshot!(format!("yaml_{}", common::example_name(&path)), stream);
    }
}

#[test]
fn every_document_deserializes_back_to_the_same_object() {
    for path in common::examples() {
        let (emitted, _) = build_stream(&common::load(&path));
        for object in &emitted {
            let text = ward::yaml::to_yaml(&object.object).unwrap();
            let back = ward::yaml::network_policy(&text).unwrap();
            assert_eq!(back, object.object, "{}/{}", object.namespace, object.name);
        }
    }
}

#[test]
fn every_object_is_labelled_and_every_rule_annotated() {
    for path in common::examples() {
        let (emitted, _) = build_stream(&common::load(&path));
        for object in &emitted {
            let meta = &object.object.metadata;
            assert_eq!(
                meta.labels
                    .as_ref()
                    .unwrap()
                    .get("app.kubernetes.io/managed-by")
                    .map(String::as_str),
                Some("ward")
            );
            let spec = object.object.spec.as_ref().unwrap();
            let annotations = meta.annotations.as_ref().unwrap();
            let rules = [
                ("ingress", spec.ingress.as_ref().map_or(0, Vec::len)),
                ("egress", spec.egress.as_ref().map_or(0, Vec::len)),
            ];
            for (direction, count) in rules {
                for i in 0..count {
                    let note = annotations
                        .get(&format!("ward.dev/{direction}-{i}"))
                        .unwrap_or_else(|| {
                            panic!(
                                "{}/{} {direction} {i} has no annotation",
                                object.namespace, object.name
                            )
                        });
                    assert!(note.starts_with("flow "), "{note}");
                    assert!(note.contains(" | controls "), "{note}");
                    assert!(note.contains(".ward:"), "{note}");
                }
            }
            assert!(spec.policy_types.as_ref().is_some_and(|t| !t.is_empty()));
        }
    }
}

#[test]
fn a_service_named_like_a_namespace_policy_does_not_clash() {
    let mut sources = Sources::new();
    sources.add(
        "clash.ward",
        "baseline controls CC6.1\nnamespace a {\n  service default-deny { pods app=x ports http 80 }\n  service all-pods { pods app=y ports http 80 }\n}\nflow a.default-deny -> a.all-pods:http controls CC6.1 because \"x\"\nflow a.* -> a.all-pods:http controls CC6.1 because \"y\"\n",
    );
    let (emitted, _) = build_stream(&sources);
    let names: Vec<&str> = emitted.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "default-deny",
            "all-pods",
            "svc-default-deny",
            "svc-all-pods"
        ]
    );
}

fn read_tree(dir: &Path) -> Vec<(String, String)> {
    common::files_below(dir)
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

#[test]
fn build_writes_a_kustomize_layout_removes_stale_files_and_keeps_foreign_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_str = out.to_str().unwrap();
    let result = ward(&["build", "examples/payments.ward", "-o", out_str]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let tree = read_tree(&out);
    let paths: Vec<&str> = tree.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"payments/svc-vault.yaml"));
    assert!(paths.contains(&"shop/default-deny.yaml"));
    assert!(
        !paths.iter().any(|p| p.starts_with("kube-system/")),
        "unmanaged namespaces get no policies"
    );
    let kustomization = &tree
        .iter()
        .find(|(p, _)| p == "kustomization.yaml")
        .unwrap()
        .1;
    for (path, _) in tree
        .iter()
        .filter(|(p, _)| p.ends_with(".yaml") && p.contains('/'))
    {
        assert!(
            kustomization.contains(&format!("- {path}\n")),
            "{path} missing from the kustomization"
        );
    }
    // A foreign file survives rebuilds; a policy the program no longer emits goes.
    std::fs::write(out.join("NOTES.md"), "ours").unwrap();
    let smaller = tmp.path().join("smaller.ward");
    let text = std::fs::read_to_string("examples/payments.ward").unwrap();
    let text = text.replace(
        "flow payments.api -> payments.vault:pg\n  controls CC6.1, C1.1 because \"Only the API reaches card data\"\n",
        "",
    );
    std::fs::write(&smaller, text).unwrap();
    let result = ward(&["build", smaller.to_str().unwrap(), "-o", out_str]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(!out.join("payments/svc-vault.yaml").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("NOTES.md")).unwrap(),
        "ours"
    );
}

#[test]
fn build_refuses_a_non_empty_directory_that_holds_no_ward_build() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("important.txt"), "keep").unwrap();
    let result = ward(&[
        "build",
        "examples/minimal.ward",
        "-o",
        tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert_eq!(
        read_tree(tmp.path()),
        [("important.txt".to_string(), "keep".to_string())]
    );
}

#[test]
fn a_program_with_errors_changes_nothing_in_the_output_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert!(
        ward(&[
            "build",
            "examples/minimal.ward",
            "-o",
            out.to_str().unwrap()
        ])
        .status
        .success()
    );
    let before = read_tree(&out);
    let broken = tmp.path().join("broken.ward");
    std::fs::write(
        &broken,
        "namespace a { service b { pods app=b } }\nflow a.b -> a.c controls CC6.1\n",
    )
    .unwrap();
    let result = ward(&[
        "build",
        broken.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(1));
    assert_eq!(read_tree(&out), before);
}

#[test]
fn check_passes_on_a_fresh_build_and_names_what_drifted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_str = out.to_str().unwrap();
    let check = |out: &str| ward(&["build", "examples/payments.ward", "-o", out, "--check"]);
    assert_eq!(
        check(out_str).status.code(),
        Some(1),
        "nothing built yet is drift"
    );
    assert!(
        ward(&["build", "examples/payments.ward", "-o", out_str])
            .status
            .success()
    );
    let clean = check(out_str);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    // Someone edits a generated policy by hand.
    let path = out.join("payments/svc-vault.yaml");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("5432", "5433");
    std::fs::write(&path, edited).unwrap();
    std::fs::remove_file(out.join("shop/svc-web.yaml")).unwrap();
    let drift = check(out_str);
    assert_eq!(drift.status.code(), Some(1));
    let report = String::from_utf8_lossy(&drift.stderr);
    assert!(
        report.contains("changed  payments/svc-vault.yaml: spec.ingress[0].ports[0].port"),
        "{report}"
    );
    assert!(report.contains("added    shop/svc-web.yaml"), "{report}");
    // --check never writes.
    assert!(!out.join("shop/svc-web.yaml").exists());
}

#[test]
fn output_does_not_depend_on_the_order_of_paths() {
    let files: Vec<String> = common::ward_files("examples/platform".as_ref())
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let forward: Vec<&str> = std::iter::once("build")
        .chain(files.iter().map(String::as_str))
        .collect();
    let reverse: Vec<&str> = std::iter::once("build")
        .chain(files.iter().rev().map(String::as_str))
        .collect();
    let a = ward(&forward);
    let b = ward(&reverse);
    assert!(a.status.success());
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
}

/// The YAML README.md shows is exactly what `ward build` prints for the
/// payments example, so the documentation cannot drift from the output.
#[test]
fn the_readme_shows_the_yaml_ward_prints() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let sample = readme
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README.md shows a YAML sample");
    let output = ward(&["build", "examples/payments.ward"]);
    assert!(output.status.success());
    let stream = String::from_utf8(output.stdout).unwrap();
    assert!(
        stream.contains(sample),
        "README.md's sample is not in the build:\n{sample}"
    );
}

/// Issue 12: a hole belongs to the whole set. `10.1.0.0/16` lies inside
/// `10.0.0.0/8`, so the hole is carved from both; the YAML holds one
/// `ipBlock` with the hole, on both sides, and 10.1.2.1 reaches nothing.
#[test]
fn an_except_hole_applies_to_every_block_that_holds_it() {
    let mut sources = Sources::new();
    sources.add(
        "partner.ward",
        "namespace shop { service web { pods app=web  ports http 8080 } }\n\
         external partner = 10.0.0.0/8, 10.1.0.0/16 except 10.1.2.0/24\n\
         flow partner -> shop.web:http controls CC6.6 because \"in\"\n\
         flow shop.web -> partner:443/tcp controls CC6.7 because \"out\"\n",
    );
    let model = ward::compile(&sources).model.unwrap();
    let (emitted, yaml) = build_stream(&sources);
    let blocks: Vec<(String, Option<Vec<String>>)> = emitted
        .iter()
        .filter_map(|e| e.object.spec.as_ref())
        .flat_map(|spec| {
            let from = spec
                .ingress
                .iter()
                .flatten()
                .flat_map(|r| r.from.iter().flatten());
            let to = spec
                .egress
                .iter()
                .flatten()
                .flat_map(|r| r.to.iter().flatten());
            from.chain(to).cloned().collect::<Vec<_>>()
        })
        .filter_map(|peer| peer.ip_block)
        .map(|block| (block.cidr, block.except))
        .collect();
    let expected = (
        "10.0.0.0/8".to_string(),
        Some(vec!["10.1.2.0/24".to_string()]),
    );
    assert_eq!(blocks, vec![expected.clone(), expected], "{yaml}");
    // The simulator, on the program's own test world, agrees.
    let world = ward::proof::world::test_world(&model);
    let objects = emitted.into_iter().map(|e| e.object).collect();
    let simulated =
        ward::simulate::World::from_objects(world.namespaces, world.pods, objects).unwrap();
    let web = ward::simulate::Endpoint::Pod(ward::simulate::PodRef::new("shop", "svc-web"));
    let allowed = |ip: &str, inbound: bool| {
        let address = ward::simulate::Endpoint::External(ip.parse().unwrap());
        let (src, dst, port) = if inbound {
            (&address, &web, 8080)
        } else {
            (&web, &address, 443)
        };
        let probe = ward::simulate::Probe::new(port, ward::simulate::Protocol::Tcp);
        simulated.explain(src, dst, probe).unwrap().allowed
    };
    for (ip, expected) in [
        ("10.1.2.1", false),
        ("10.1.2.255", false),
        ("10.1.3.0", true),
        ("10.1.1.255", true),
        ("10.200.0.1", true),
    ] {
        assert_eq!(allowed(ip, true), expected, "{ip} -> shop.web");
        assert_eq!(allowed(ip, false), expected, "shop.web -> {ip}");
    }
}
