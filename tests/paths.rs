//! A program's output does not depend on how its path is spelled or where
//! `ward` runs: files are named relative to their Git work tree, else to the
//! program's root (decision 0013), and no absolute path enters the output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests write scratch directories and fail loudly"
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Runs `ward build SPELLING -o OUT` in `cwd` and returns every output file.
fn build(cwd: &Path, spelling: &str, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let output = Command::new(env!("CARGO_BIN_EXE_ward"))
        .current_dir(cwd)
        .args(["build", spelling, "-o"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "ward build {spelling} in {}: {}",
        cwd.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    common::files_below(out).into_iter().collect()
}

fn copy_example(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir("examples/platform").unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

/// Builds the program at `program` under every spelling, from `top` and from
/// inside the program, and checks that all builds are byte-identical and
/// mention no absolute path. Returns one of the builds.
fn same_build_for_every_spelling(top: &Path, program: &str) -> BTreeMap<String, Vec<u8>> {
    let absolute = top.join(program);
    let spellings: [(&Path, String); 5] = [
        (top, program.to_owned()),
        (top, format!("./{program}/")),
        (top, format!("{program}/../{program}")),
        (top, absolute.display().to_string()),
        (&absolute, ".".to_owned()),
    ];
    let outputs = tempfile::tempdir().unwrap();
    let builds: Vec<_> = spellings
        .iter()
        .enumerate()
        .map(|(n, (cwd, spelling))| build(cwd, spelling, &outputs.path().join(n.to_string())))
        .collect();
    for (n, other) in builds.iter().enumerate().skip(1) {
        assert_eq!(
            builds[0].keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>(),
            "files differ for {:?}",
            spellings[n]
        );
        for (file, bytes) in &builds[0] {
            assert!(
                other[file] == *bytes,
                "{file} differs for {:?}",
                spellings[n]
            );
        }
    }
    let top_text = top.display().to_string();
    for (file, bytes) in &builds[0] {
        assert!(
            !String::from_utf8_lossy(bytes).contains(&top_text),
            "{file} holds the absolute path {top_text}"
        );
    }
    builds.into_iter().next().unwrap()
}

fn annotation_names(build: &BTreeMap<String, Vec<u8>>) -> String {
    let policy = &build["accounts/default-deny.yaml"];
    String::from_utf8_lossy(policy).into_owned()
}

#[test]
fn outside_git_names_are_relative_to_the_program_root() {
    let top = tempfile::tempdir().unwrap();
    copy_example(&top.path().join("plat"));
    let build = same_build_for_every_spelling(top.path(), "plat");
    assert!(annotation_names(&build).contains("| 00-system.ward:4"));
}

#[test]
fn inside_git_names_are_relative_to_the_work_tree() {
    let top = tempfile::tempdir().unwrap();
    let status = Command::new("git")
        .args(["init", "-q"])
        .current_dir(top.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .unwrap();
    assert!(status.success());
    copy_example(&top.path().join("net/platform"));
    let build = same_build_for_every_spelling(&top.path().join("net"), "platform");
    assert!(annotation_names(&build).contains("| net/platform/00-system.ward:4"));
}

#[test]
fn unprintable_file_names_are_escaped_in_the_output() {
    let top = tempfile::tempdir().unwrap();
    let program = top.path().join("prog");
    copy_example(&program);
    std::fs::rename(
        program.join("00-system.ward"),
        program.join("00-\u{1b}[2J\u{202e}system.ward"),
    )
    .unwrap();
    let build = build(top.path(), "prog", &top.path().join("out"));
    let text = annotation_names(&build);
    assert!(
        text.contains("00-\\u{1b}[2J\\u{202e}system.ward:4"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
}

#[test]
fn fmt_writes_back_to_the_file_it_read_whatever_its_stable_name() {
    let top = tempfile::tempdir().unwrap();
    let program = top.path().join("net");
    std::fs::create_dir_all(&program).unwrap();
    std::fs::create_dir_all(top.path().join(".git")).unwrap();
    let messy = "namespace   shop {\n  service web { pods app=web ports http 8080 }\n}\n";
    std::fs::write(program.join("a.ward"), messy).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ward"))
        .current_dir(&program)
        .args(["fmt", "a.ward"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let formatted = std::fs::read_to_string(program.join("a.ward")).unwrap();
    assert_ne!(formatted, messy);
    assert!(formatted.starts_with("namespace shop {"), "{formatted}");
    let entries: Vec<_> = std::fs::read_dir(&program).unwrap().collect();
    assert_eq!(entries.len(), 1, "fmt wrote a second file");
    assert!(!program.join("net").exists());
}

#[test]
fn separate_programs_in_one_directory_are_explained() {
    let output = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["check", "--format", "json", "examples"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let twice: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "E0106")
        .collect();
    assert_eq!(twice.len(), 2, "three systems, two of them named again");
    for diagnostic in twice {
        assert_eq!(
            diagnostic["notes"][0],
            "every file given, and every `.ward` file below a directory given \
             (recursively), is part of one program"
        );
    }
}
