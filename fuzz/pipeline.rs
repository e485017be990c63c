//! What the fuzz targets do with one input, and the invariants every input
//! keeps: shared with `tests/fuzz_corpus.rs`, which replays the committed
//! inputs under `fuzz/regressions/` and `fuzz/seeds/` with stable `cargo
//! test`, and with `tests/robustness.rs`, whose property tests feed it
//! arbitrary and mutated programs. One file included by `#[path]` rather than
//! a library module: the invariants are assertions (panics), which the
//! library's lints keep out of its code, and the fuzz crate, in its own
//! workspace, depends on nothing but `ward` and `libfuzzer-sys`.
//!
//! An input is the bytes of one `.ward` file. Nothing may panic, and what
//! comes out must hold together: diagnostics point inside the file, a model
//! exists exactly when nothing is an error, the YAML `ward build` streams is
//! the objects' YAML and reads back as the same objects (the strict reader
//! of `ward::yaml` reads what its writer wrote) that the API server would
//! accept (the simulator's loader applies its rules: names, labels, selector
//! operators with their values, `except` strictly inside its `cidr`), every
//! rendering of the matrix
//! succeeds, and (for programs small enough to simulate quickly) the
//! generated policies allow exactly the declared flows.

use ward::diagnostic::Diagnostic;
use ward::source::{FileId, Sources};

/// The largest program the pipeline target also simulates, in services and
/// flows: the simulation grows with the square of the pods.
const SIMULATED: (usize, usize) = (40, 80);

/// The input as a one-file program, with the encoding error if any.
fn program(bytes: &[u8]) -> (Sources, Option<Diagnostic>) {
    let mut sources = Sources::new();
    let encoding = ward::add_file(&mut sources, "fuzz.ward", bytes.to_vec());
    (sources, encoding)
}

fn spans_inside(sources: &Sources, diagnostics: &[Diagnostic]) {
    let len = sources.get(FileId(0)).map_or(0, |f| f.text.len());
    for d in diagnostics {
        assert!(d.primary.span.start <= d.primary.span.end, "{d:?}");
        assert!(d.primary.span.end <= len + 1, "span past the end: {d:?}");
        assert!(!d.message.is_empty(), "{d:?}");
    }
}

/// The `parse` target: the parser alone, whole and in pieces.
pub fn parse(bytes: &[u8]) {
    let (sources, encoding) = program(bytes);
    let (_ast, diagnostics) = ward::syntax::parse(&sources);
    spans_inside(&sources, &diagnostics);
    spans_inside(&sources, encoding.as_slice());
    split_parse(&sources);
}

/// A file cut into pieces parsed side by side (`ward::syntax::parse_file_in`)
/// parses to the statements and errors, spans included, of the whole file
/// parsed at once (decision 0023).
pub fn split_parse(sources: &Sources) {
    let Some(file) = sources.get(FileId(0)) else {
        return;
    };
    let whole = ward::syntax::parse_file_in(FileId(0), &file.text, 1);
    for parts in [2, 3, 5, 8] {
        let split = ward::syntax::parse_file_in(FileId(0), &file.text, parts);
        assert_eq!(split, whole, "cut into {parts} pieces");
    }
}

/// The `pipeline` target: check, build, serialize, the matrix in every
/// format, and for small programs the simulation.
pub fn pipeline(bytes: &[u8]) {
    let (sources, encoding) = program(bytes);
    spans_inside(&sources, encoding.as_slice());
    let checked = ward::compile(&sources);
    spans_inside(&sources, &checked.diagnostics);
    let has_errors = checked.diagnostics.iter().any(Diagnostic::is_error);
    assert_eq!(checked.model.is_some(), !has_errors);
    let _ = ward::cli::render::human(&sources, &checked.diagnostics);
    let _ = ward::cli::render::json(&sources, &checked.diagnostics);
    let Some(model) = checked.model else {
        return;
    };
    let plan = ward::plan::plan(&model);
    let emitted = ward::emit::emit(&model, &plan, &sources);
    let documents = ward::output::documents(&emitted).expect("the policies serialize");
    assert_eq!(documents.len(), emitted.len());
    let streamed =
        ward::output::plan_documents(&model, &plan, &sources).expect("the policies serialize");
    assert_eq!(streamed, documents, "`ward build`'s streamed YAML differs");
    for (object, document) in emitted.iter().zip(&documents) {
        let back = ward::yaml::network_policy(document).expect("the YAML reads back");
        assert_eq!(back, object.object, "the YAML reads back as another object");
    }
    let yaml: Vec<_> = documents
        .iter()
        .map(|document| ward::simulate::Document::new("build.yaml", document.as_str()))
        .collect();
    if let Err(error) = ward::simulate::load(&yaml) {
        panic!("the API server would reject the YAML: {error}");
    }
    let _ = ward::output::layout(&plan, documents.clone(), Vec::<(String, String)>::new());
    let matrix = ward::matrix::build(
        &model,
        &plan,
        &documents,
        &sources,
        &checked.diagnostics,
        &ward::matrix::Provenance::default(),
    );
    assert_eq!(matrix.rows.len(), matrix.totals.rows);
    let _ = ward::matrix::markdown(&matrix);
    let _ = ward::matrix::csv(&matrix);
    let _ = ward::matrix::html(&matrix);
    let _ = ward::matrix::json(&matrix).expect("the matrix serializes");
    let services: usize = model.namespaces.values().map(|ns| ns.services.len()).sum();
    if services <= SIMULATED.0 && model.flows.len() <= SIMULATED.1 {
        let objects = emitted.into_iter().map(|e| e.object).collect();
        let report =
            ward::proof::test_program(&model, &plan, objects).expect("the build simulates");
        assert!(
            report.diagnostics.is_empty(),
            "the build does not allow exactly the declared flows: {}",
            ward::cli::render::human(&sources, &report.diagnostics)
        );
    }
}
