//! UI tests: every `tests/ui/*.ward` file annotates the diagnostics it must
//! produce (`#~ CODE` on the line where the primary span starts), and an insta
//! snapshot holds the full rendered output. The harness fails when the
//! annotations and the diagnostics disagree, and when a code has no UI test
//! or no explanation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::print_stderr,
    reason = "tests read files and fail loudly"
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ward::diagnostic::Code;
use ward::source::Sources;

/// The UI test files, sorted.
fn ui_files() -> Vec<PathBuf> {
    common::ward_files(Path::new("tests/ui"))
}

/// The lines of `text` as Ward numbers them (`\n`, `\r\n` and `\r` end one).
fn lines(text: &str) -> Vec<&str> {
    let starts = ward::source::line_starts(text);
    std::iter::once(0)
        .chain(starts.iter().copied())
        .zip(
            starts
                .iter()
                .copied()
                .chain(std::iter::once(text.len() + 1)),
        )
        .map(|(start, next)| &text[start..next - 1])
        .collect()
}

/// `(line, code)` pairs annotated in a file, with multiplicity.
fn annotations(text: &str) -> BTreeMap<(usize, String), usize> {
    let mut expected = BTreeMap::new();
    for (index, line) in lines(text).into_iter().enumerate() {
        if let Some((_, codes)) = line.split_once("#~") {
            for code in codes.split_whitespace() {
                *expected.entry((index + 1, code.to_string())).or_insert(0) += 1;
            }
        }
    }
    expected
}

fn run(path: &Path) -> (Sources, Vec<ward::diagnostic::Diagnostic>) {
    let bytes = std::fs::read(path).unwrap();
    let mut sources = Sources::new();
    let name = path.to_string_lossy().replace('\\', "/");
    if let Some(encoding) = ward::add_file(&mut sources, name, bytes) {
        return (sources, vec![encoding]);
    }
    let checked = ward::compile(&sources);
    let cluster = path.with_extension("cluster.yaml");
    if cluster.exists() {
        return (sources.clone(), verify(&sources, checked, &cluster));
    }
    assert_eq!(
        checked.model.is_some(),
        !checked.diagnostics.iter().any(|d| d.is_error()),
        "a model must exist exactly when there are no errors"
    );
    (sources, checked.diagnostics)
}

/// `ward verify` of the program against the cluster export beside it.
fn verify(
    sources: &Sources,
    checked: ward::check::Checked,
    cluster: &Path,
) -> Vec<ward::diagnostic::Diagnostic> {
    let model = checked.model.expect("a verify case's program checks clean");
    let text = std::fs::read_to_string(cluster).unwrap();
    let world = ward::simulate::load(&[ward::simulate::Document::new(
        cluster.to_string_lossy(),
        text,
    )])
    .unwrap();
    let plan = ward::plan::plan(&model);
    let emitted = ward::emit::emit(&model, &plan, sources);
    let mut diagnostics = checked.diagnostics;
    diagnostics.extend(ward::proof::verify::verify(&model, &plan, &emitted, &world).diagnostics);
    diagnostics
}

/// Every UI file, each judged on its own: `glob!` runs them all and fails at
/// the end with every mismatched snapshot (not at the first), and the
/// annotation mismatches of all files are reported together.
#[test]
fn annotated_diagnostics_match_and_render_as_snapshotted() {
    let mut failures = Vec::new();
    insta::glob!("ui/*.ward", |absolute| {
        // Diagnostics name the file as the other tests and the CLI do:
        // relative to the crate.
        let file_name = absolute.file_name().unwrap().to_string_lossy();
        let path = Path::new("tests/ui").join(file_name.as_ref());
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let expected = annotations(&text);
        let (sources, diagnostics) = run(&path);
        let mut actual = BTreeMap::new();
        for d in &diagnostics {
            let (line, _) = sources.line_col(d.primary.span.file, d.primary.span.start);
            *actual
                .entry((line, d.code.as_str().to_string()))
                .or_insert(0) += 1;
        }
        if expected != actual {
            let failure = format!(
                "{}:\n  expected {expected:?}\n  actual   {actual:?}",
                path.display()
            );
            // Shown now too: a failed snapshot ends the test before the
            // assertion below.
            eprintln!("{failure}");
            failures.push(failure);
        }
        let rendered = ward::cli::render::human(&sources, &diagnostics);
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        // One snapshot per file, named after it (`ui__cidrs.snap`) rather
        // than suffixed by `glob!`.
        let mut settings = insta::Settings::clone_current();
        settings.remove_snapshot_suffix();
        settings.bind(|| insta::assert_snapshot!(name, rendered));
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_has_an_explanation_and_a_ui_test() {
    let mut annotated = std::collections::BTreeSet::new();
    for path in ui_files() {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        annotated.extend(annotations(&text).into_keys().map(|(_, code)| code));
    }
    let mut missing = Vec::new();
    for code in Code::ALL {
        if !annotated.contains(code.as_str()) {
            missing.push(format!("{} has no UI test", code.as_str()));
        }
        if code.explanation().trim().len() < 40 || code.title().is_empty() {
            missing.push(format!("{} has no explanation", code.as_str()));
        }
    }
    for code in &annotated {
        if Code::parse(code).is_none() {
            missing.push(format!("{code} is annotated but is not a code"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn codes_are_sequential_within_their_ranges() {
    let mut previous: Option<(char, u32)> = None;
    for code in Code::ALL {
        let text = code.as_str();
        let kind = text.chars().next().unwrap();
        let number: u32 = text[1..].parse().unwrap();
        assert_eq!(
            kind == 'E',
            code.severity() == ward::diagnostic::Severity::Error,
            "{text}: E codes are errors, W codes warnings"
        );
        if let Some((prev_kind, prev)) = previous {
            if prev_kind == kind && prev / 100 == number / 100 {
                assert_eq!(
                    number,
                    prev + 1,
                    "{text} does not follow {prev_kind}{prev:04}"
                );
            }
        }
        previous = Some((kind, number));
    }
}
