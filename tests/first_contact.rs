//! What a new user meets first: every command says what it did, also when
//! all is well.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests run the binary and fail loudly"
)]

use std::process::Command;

fn check(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ward"))
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn check_ends_with_what_it_read_and_found() {
    let (code, stderr) = check(&["examples/platform"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        stderr,
        "checked 6 files (10 namespaces, 25 services, 29 flows): 0 errors, 0 warnings\n"
    );
    let (code, stderr) = check(&["--color", "never", "tests/readme/shortcut.ward"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr.lines().last(),
        Some("checked 1 file: 1 error, 0 warnings")
    );
}

#[test]
fn machine_formats_keep_stderr_quiet() {
    for format in ["json", "sarif"] {
        let (code, stderr) = check(&["--format", format, "examples/payments.ward"]);
        assert_eq!(code, Some(0));
        assert_eq!(stderr, "", "{format}");
    }
}

#[test]
fn matrix_timestamps_must_be_rfc3339() {
    let matrix = |timestamp: &str| {
        Command::new(env!("CARGO_BIN_EXE_ward"))
            .args(["matrix", "examples/minimal.ward", "--timestamp", timestamp])
            .output()
            .unwrap()
    };
    for bad in [
        "not a date",
        "2026-11-30",
        "2026-13-01T00:00:00Z",
        "30/11/2026 09:00",
    ] {
        let output = matrix(bad);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(output.stdout.is_empty(), "{bad}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("not an RFC 3339 timestamp"));
    }
    let good = matrix("2026-11-30T09:00:00+01:00");
    assert_eq!(good.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&good.stdout).contains("2026-11-30T09:00:00+01:00"));
}

#[test]
fn diff_of_a_broken_side_counts_as_check_does() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("p.ward");
    std::fs::write(
        &program,
        "namespace a {\n  service web { pods app=web  ports http 8080 }\n}\n\
         flow a.web -> a.web:http controls CC6.1\nflow a.web -> a.nope controls CC6.1 because \"x\"\n",
    )
    .unwrap();
    let path = program.to_str().unwrap();
    let (_, checked) = check(&["--color", "never", path]);
    let counts = checked.lines().last().unwrap().split(": ").last().unwrap();
    let diff = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["--color", "never", "diff", path, path])
        .output()
        .unwrap();
    assert_eq!(diff.status.code(), Some(1));
    let stderr = String::from_utf8(diff.stderr).unwrap();
    assert!(
        counts.contains("error") && counts.contains("warning"),
        "{counts}"
    );
    assert!(
        stderr.lines().any(|line| line == counts),
        "{counts} in {stderr}"
    );
}

/// `ward test`/`verify --format json`: the summary the stderr line gives,
/// as numbers.
fn json_summary(args: &[&str]) -> (serde_json::Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    (
        document["summary"].clone(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn test_and_verify_json_carry_their_summary() {
    let (summary, stderr) = json_summary(&["test", "examples/payments.ward"]);
    let line = format!(
        "tested {} connections ({} pods, {} addresses, {} probes): {} allowed, exactly the declared flows",
        summary["connections"],
        summary["pods"],
        summary["addresses"],
        summary["probes"],
        summary["allowed"]
    );
    let proved = format!(
        "proved for every pod and address ({} allowed regions): exactly the declared flows",
        summary["exact_regions"]
    );
    assert_eq!(stderr.trim_end(), format!("{line}\n{proved}"));
    assert_eq!(summary["exact_counterexamples"], 0);
    assert_eq!(summary["findings"], 0);

    let (summary, stderr) = json_summary(&[
        "verify",
        "tests/ui/verify_cluster.ward",
        "--cluster",
        "tests/ui/verify_cluster.cluster.yaml",
    ]);
    assert!(summary["findings"].as_u64().unwrap() > 0, "{summary}");
    assert!(
        stderr.contains(&format!(
            "verified {} connections over {} pods: {} allowed",
            summary["connections"], summary["pods"], summary["allowed"]
        )),
        "{stderr}"
    );
    // The exact part: the export's policies for every pod that could run.
    for case in ["verify_cluster", "verify_widened", "verify_no_pods"] {
        let (summary, stderr) = json_summary(&[
            "verify",
            &format!("tests/ui/{case}.ward"),
            "--cluster",
            &format!("tests/ui/{case}.cluster.yaml"),
        ]);
        let counterexamples = summary["exact_counterexamples"].as_u64().unwrap();
        assert!(counterexamples > 0, "{case}: {summary}");
        assert!(
            stderr.contains(&format!(
                "proved for every pod and address the export could run: {counterexamples} counterexample(s)"
            )),
            "{case}: {stderr}"
        );
    }
}

#[test]
fn build_check_prints_a_command_that_can_be_run_as_printed() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("my prog.ward");
    std::fs::copy("examples/payments.ward", &program).unwrap();
    let out = dir.path().join("out dir");
    let ward = |args: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_ward"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let build: [&std::ffi::OsStr; 4] = [
        "build".as_ref(),
        "my prog.ward".as_ref(),
        "-o".as_ref(),
        "out dir".as_ref(),
    ];
    assert!(ward(&build).status.success());

    // A comment added by hand: no field differs, and the report says so.
    let policy = out.join("shop/svc-web.yaml");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, text.replace("\nspec:", "\n# tuned by hand\nspec:")).unwrap();
    let mut check = build.to_vec();
    check.push("--check".as_ref());
    let drift = ward(&check);
    assert_eq!(drift.status.code(), Some(1));
    let report = String::from_utf8(drift.stderr).unwrap();
    assert!(
        report.contains(
            "changed  shop/svc-web.yaml: edited outside Ward (comments or layout; no field differs)"
        ),
        "{report}"
    );

    // The hint, run by a shell exactly as printed, repairs the directory.
    let hint = report
        .lines()
        .last()
        .and_then(|line| line.strip_prefix("run `"))
        .and_then(|line| line.strip_suffix("` and commit the result"))
        .unwrap();
    assert_eq!(hint, "ward build 'my prog.ward' -o 'out dir'");
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_ward"))
        .parent()
        .unwrap();
    let shell = Command::new("sh")
        .args(["-c", hint])
        .current_dir(dir.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .output()
        .unwrap();
    assert!(shell.status.success(), "{shell:?}");
    assert_eq!(ward(&check).status.code(), Some(0));
}

/// `ward simulate` with `args`, `stdin` piped in.
fn simulate(args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ward"))
        .arg("simulate")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn simulate_reads_a_build_directory_stdin_and_says_when_there_is_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let built = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["build", "examples/payments.ward", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(built.status.success());
    let out = out.to_str().unwrap();

    // Policies alone: no pods, so it says so instead of printing nothing.
    let alone = simulate(&[out], b"");
    assert_eq!(alone.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&alone.stderr)
            .starts_with("nothing to simulate: the input holds no pods")
    );

    // The build directory with pods from stdin: a table, with its legend.
    let pods = std::fs::read("tests/simulate/data/01-no-policies.yaml").unwrap();
    let table = simulate(&[out, "-"], &pods);
    assert_eq!(table.status.code(), Some(0), "{table:?}");
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("`-` not simulated (between two external addresses)"),
        "{text}"
    );
    assert!(text.lines().count() > 2, "{text}");

    // A directory with no YAML is an error, not an empty result.
    let empty = tempfile::tempdir().unwrap();
    let none = simulate(&[empty.path().to_str().unwrap()], b"");
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("holds no `.yaml` or `.yml` files"));
}

#[test]
fn errors_that_quote_a_hostile_yaml_name_never_reach_the_terminal_raw() {
    let yaml = b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"a\\e[2J\\u202Eb\"\n";
    let output = simulate(&["-"], yaml);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("a\\u{1b}[2J\\u{202e}b"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'),
        "{stderr}"
    );
}
