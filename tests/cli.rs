//! The command line as a user meets it: exit codes, formats, and each
//! command on the bundled examples.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

use std::process::{Command, Output};

fn ward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn check_exit_codes_follow_the_contract() {
    assert_eq!(
        ward(&["check", "examples/payments.ward"]).status.code(),
        Some(0)
    );
    assert_eq!(
        ward(&["check", "tests/ui/invariants.ward"]).status.code(),
        Some(1)
    );
    assert_eq!(
        ward(&["check", "tests/ui/warnings.ward"]).status.code(),
        Some(0)
    );
    assert_eq!(
        ward(&["check", "--deny-warnings", "tests/ui/warnings.ward"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(ward(&["check", "no/such/file.ward"]).status.code(), Some(2));
    assert_eq!(ward(&["check"]).status.code(), Some(2));
}

#[test]
fn json_diagnostics_carry_every_documented_field() {
    let output = ward(&["check", "--format", "json", "tests/ui/invariants.ward"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let first = &value["diagnostics"][0];
    for field in [
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "labels",
        "notes",
        "help",
    ] {
        assert!(first.get(field).is_some(), "missing {field}: {first}");
    }
    assert_eq!(first["code"], "E0402");
    assert_eq!(first["line"], 10);
    assert_eq!(value["errors"], 2);
    assert_eq!(first["labels"].as_array().unwrap().len(), 4);
}

#[test]
fn sarif_has_the_shape_code_scanning_reads() {
    let output = ward(&["check", "--format", "sarif", "tests/ui/unknown_names.ward"]);
    assert_eq!(output.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "ward");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "tests/ui/unknown_names.ward"
        );
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(location["region"]["startColumn"].as_u64().unwrap() >= 1);
        assert!(["error", "warning"].contains(&result["level"].as_str().unwrap()));
    }
}

#[test]
fn explain_prints_a_code_or_a_connection_with_its_provenance() {
    let code = ward(&["explain", "e0402"]);
    assert!(code.status.success());
    assert!(stdout(&code).starts_with("E0402 (error): flow violates a deny invariant"));
    assert_eq!(ward(&["explain", "E9999"]).status.code(), Some(2));

    let allowed = ward(&[
        "explain",
        "examples/payments.ward",
        "shop.web",
        "payments.api:https",
    ]);
    let text = stdout(&allowed);
    assert!(
        text.starts_with("shop.web -> payments.api on 8443/TCP: ALLOWED"),
        "{text}"
    );
    assert!(
        text.contains("allowed by payments/svc-api ingress rule 0"),
        "{text}"
    );
    assert!(text.contains("flow shop.web -> payments.api:https | controls CC6.1, CC6.7 | examples/payments.ward:27"), "{text}");

    let blocked = ward(&[
        "explain",
        "examples/payments.ward",
        "shop.web",
        "payments.vault:5432/tcp",
    ]);
    let text = stdout(&blocked);
    assert!(text.contains("BLOCKED"), "{text}");
    assert!(
        text.contains("payments/default-deny: controls CC6.1, CC6.6 | examples/payments.ward:3"),
        "{text}"
    );

    let external = ward(&[
        "explain",
        "examples/payments.ward",
        "203.0.113.7",
        "shop.web:http",
    ]);
    assert!(
        stdout(&external).contains("ALLOWED"),
        "{}",
        stdout(&external)
    );
    let private = ward(&[
        "explain",
        "examples/payments.ward",
        "10.1.2.3",
        "shop.web:http",
    ]);
    assert!(stdout(&private).contains("BLOCKED"), "{}", stdout(&private));
}

#[test]
fn test_command_proves_each_example() {
    for example in [
        "examples/minimal.ward",
        "examples/payments.ward",
        "examples/platform",
    ] {
        let output = ward(&["test", example]);
        assert!(output.status.success(), "{example}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("exactly the declared flows"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn simulate_prints_json_and_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let world = tmp.path().join("world.yaml");
    std::fs::write(
        &world,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: \"y\", labels: {app: b}}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: \"y\"}\nspec: {podSelector: {}}\n",
    )
    .unwrap();
    let path = world.to_str().unwrap();
    let json = ward(&["simulate", path, "--format", "json", "--probe", "80/tcp"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let connections = value["connections"].as_array().unwrap();
    let verdict = |src: &str, dst: &str| {
        connections
            .iter()
            .find(|c| c["src"] == src && c["dst"] == dst)
            .map(|c| c["allowed"].as_bool().unwrap())
    };
    assert_eq!(verdict("x/a", "y/b"), Some(false));
    assert_eq!(verdict("y/b", "x/a"), Some(true));
    let table = ward(&["simulate", path]);
    assert!(table.status.success());
    assert!(stdout(&table).contains("80/TCP"), "{}", stdout(&table));
}

#[test]
fn matrix_writes_each_format_and_build_puts_it_beside_the_yaml() {
    let tmp = tempfile::tempdir().unwrap();
    for format in ["md", "csv", "json", "html"] {
        let file = tmp.path().join(format!("matrix.{format}"));
        let output = ward(&[
            "matrix",
            "examples/payments.ward",
            "--format",
            format,
            "-o",
            file.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(written.contains("CC6.1"));
        // The file and stdout get the same bytes (JSON is streamed to both).
        let printed = ward(&["matrix", "examples/payments.ward", "--format", format]);
        assert_eq!(stdout(&printed), written, "{format}");
        // A file that cannot be written is an error that leaves nothing behind.
        let missing = tmp.path().join("no-such-dir").join(format!("m.{format}"));
        let failed = ward(&[
            "matrix",
            "examples/payments.ward",
            "--format",
            format,
            "-o",
            missing.to_str().unwrap(),
        ]);
        assert!(!failed.status.success(), "{format}");
        assert!(
            stderr(&failed).contains("cannot write"),
            "{}",
            stderr(&failed)
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().contains("ward-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let out = tmp.path().join("out");
    assert!(
        ward(&[
            "build",
            "examples/payments.ward",
            "-o",
            out.to_str().unwrap()
        ])
        .status
        .success()
    );
    let kustomization = std::fs::read_to_string(out.join("kustomization.yaml")).unwrap();
    for file in [
        "traceability.md",
        "traceability.csv",
        "traceability.json",
        "traceability.html",
    ] {
        assert!(out.join(file).exists(), "{file}");
        assert!(
            !kustomization.contains(file),
            "kustomize must not apply {file}"
        );
    }
    // The matrix in the build has no commit, so committing the build keeps it fresh.
    let check = ward(&[
        "build",
        "examples/payments.ward",
        "-o",
        out.to_str().unwrap(),
        "--check",
    ]);
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn fmt_check_names_unformatted_files_and_fmt_fixes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("messy.ward");
    std::fs::write(&file, "baseline   controls CC6.1\nnamespace a {\nservice b { pods app=b   ports http 80/TCP }\n}\nflow a.b -> a.b controls CC6.1 because \"self\"\n").unwrap();
    let path = file.to_str().unwrap();
    let check = ward(&["fmt", "--check", path]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stderr(&check).contains("would reformat"),
        "{}",
        stderr(&check)
    );
    assert!(ward(&["fmt", path]).status.success());
    assert_eq!(ward(&["fmt", "--check", path]).status.code(), Some(0));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("  service b { pods app=b  ports http 80/tcp }"),
        "{text}"
    );
    assert!(
        ward(&["fmt", "--check", "examples"]).status.success(),
        "the examples are kept formatted"
    );
    let broken = tmp.path().join("broken.ward");
    std::fs::write(&broken, "namespace {").unwrap();
    assert_eq!(
        ward(&["fmt", broken.to_str().unwrap()]).status.code(),
        Some(1)
    );
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), "namespace {");
}
