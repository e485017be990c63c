//! Objects Kubernetes would reject are never written: a service whose
//! policy's annotations are over the API server's 256 KiB limit is E0405 at
//! the service, `ward check --deny-warnings` fails and `ward build` writes
//! nothing. The limit is applied to the annotations exactly as emitted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests fail loudly"
)]

use std::process::Command;
use ward::source::Sources;

/// A program with `flows` flows from one external into `shop.web`, each to
/// its own port, and one small flow into `shop.api`.
fn program(flows: usize) -> String {
    let mut text = String::from(
        "baseline controls CC6.1\nnamespace shop {\n  service web { pods app=web }\n  service api { pods app=api  ports https 8443 }\n}\n\
         external partners = 198.51.100.0/24\nflow shop.web -> shop.api controls CC6.1 because \"small\"\n",
    );
    for i in 0..flows {
        text.push_str(&format!(
            "flow partners -> shop.web:{}/tcp controls CC6.1 because \"partner {i}\"\n",
            1000 + i
        ));
    }
    text
}

fn sources(text: &str) -> Sources {
    let mut sources = Sources::new();
    sources.add("limits.ward", text);
    sources
}

/// The bytes of the annotations of every object Ward would emit, measured
/// on the emitted objects (the checker's own model, without the limit).
fn emitted_annotation_bytes(sources: &Sources) -> Vec<(String, usize)> {
    let (ast, errors) = ward::syntax::parse(sources);
    assert!(errors.is_empty());
    let model = ward::check::check(&ast).model.unwrap();
    let plan = ward::plan::plan(&model);
    ward::emit::emit(&model, &plan, sources)
        .iter()
        .map(|e| {
            let bytes = e
                .object
                .metadata
                .annotations
                .iter()
                .flatten()
                .map(|(k, v)| k.len() + v.len())
                .sum();
            (format!("{}/{}", e.namespace, e.name), bytes)
        })
        .collect()
}

/// The most flows into `shop.web` whose emitted annotations stay within
/// the limit, by bisection on the emitted objects.
fn most_flows_within_the_limit() -> usize {
    let within = |flows: usize| {
        emitted_annotation_bytes(&sources(&program(flows)))
            .iter()
            .all(|(_, bytes)| *bytes <= 262_144)
    };
    let (mut low, mut high) = (1, 4000);
    assert!(within(low) && !within(high));
    while high - low > 1 {
        let middle = (low + high) / 2;
        if within(middle) {
            low = middle;
        } else {
            high = middle;
        }
    }
    low
}

#[test]
fn a_policy_is_refused_exactly_when_its_annotations_are_over_the_limit() {
    let most = most_flows_within_the_limit();
    for flows in [10, most - 1, most, most + 1, most + 2, 4000] {
        let sources = sources(&program(flows));
        let checked = ward::compile(&sources);
        let over: Vec<(String, usize)> = emitted_annotation_bytes(&sources)
            .into_iter()
            .filter(|(_, bytes)| *bytes > 262_144)
            .collect();
        let found: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.code.as_str() == "E0405")
            .map(|d| d.message.clone())
            .collect();
        let expected: Vec<String> = over
            .iter()
            .map(|(name, bytes)| {
                format!("policy `{name}` would carry {bytes} bytes of annotations, over Kubernetes' limit of 262144")
            })
            .collect();
        assert_eq!(found, expected, "{flows} flows");
        assert_eq!(checked.model.is_none(), !over.is_empty(), "{flows} flows");
        assert_eq!(over.is_empty(), flows <= most, "{flows} flows");
    }
}

#[test]
fn four_thousand_flows_into_one_service_fail_at_the_service_and_build_nothing() {
    let text = program(4000);
    let sources = sources(&text);
    let checked = ward::compile(&sources);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code.as_str(), "E0405");
    assert_eq!(sources.slice(errors[0].primary.span), "web");
    assert_eq!(
        sources
            .line_col(errors[0].primary.span.file, errors[0].primary.span.start)
            .0,
        3
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.ward");
    std::fs::write(&file, &text).unwrap();
    let ward = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ward"))
            .args(args)
            .output()
            .unwrap()
    };
    let file = file.to_str().unwrap();
    let check = ward(&["check", "--deny-warnings", file]);
    assert!(!check.status.success());
    assert!(String::from_utf8_lossy(&check.stderr).contains("E0405"));
    let out = dir.path().join("out");
    let build = ward(&["build", file, "-o", out.to_str().unwrap()]);
    assert!(!build.status.success());
    assert!(!out.exists(), "a refused build wrote files");
    let stdout = ward(&["build", file]);
    assert!(!stdout.status.success());
    assert!(stdout.stdout.is_empty(), "a refused build printed YAML");
}
