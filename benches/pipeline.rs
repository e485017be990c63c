//! Benchmarks of the compiler's stages on generated programs (`ward::generator`)
//! of 100, 1,000 and 5,000 services with four flows per service (and 2,500
//! and 10,000, to show how the time grows when the program doubles): parse,
//! check, parse and check together (what `ward check` does), build (plan,
//! emit, YAML and the file layout: what `ward build -o` computes for the
//! policies), its three parts alone, the parse of each file whole on one
//! thread (`parse-whole`, what `parse` did before decision 0023), the
//! traceability matrix (built, and rendered as Markdown and as JSON), and
//! `ward test` (both judges: simulate the build probe by probe and compare
//! with the program, and the exact judge), and the exact judge alone
//! (`ward::symbolic::judge`: the policies against the flows for every pod).
//!
//! `cargo bench --bench pipeline`; one stage: `cargo bench --bench pipeline
//! -- 'pipeline/check/'`. Results and the machine are in
//! `docs/PERFORMANCE.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark of valid generated programs fails loudly"
)]

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_main};
use std::time::Duration;
use ward::generator::{self, Config};
use ward::matrix::Provenance;
use ward::model::Model;
use ward::plan::Plan;
use ward::source::Sources;

/// Services per size; flows are four per service.
const SIZES: [usize; 5] = [100, 1_000, 2_500, 5_000, 10_000];
/// A program and everything the stages make from it.
struct Built {
    sources: Sources,
    ast: ward::syntax::ast::Ast,
    model: Model,
    diagnostics: Vec<ward::diagnostic::Diagnostic>,
    plan: Plan,
    emitted: Vec<ward::emit::Emitted>,
    documents: Vec<String>,
}

fn prepare(services: usize) -> Built {
    let sources = generator::sources(&Config::sized(services, 1));
    let (ast, errors) = ward::syntax::parse(&sources);
    assert!(errors.is_empty(), "{errors:?}");
    let checked = ward::check::check(&ast);
    let model = checked.model.expect("the generated program checks");
    let plan = ward::plan::plan(&model);
    let emitted = ward::emit::emit(&model, &plan, &sources);
    let documents = ward::output::documents(&emitted).unwrap();
    Built {
        sources,
        ast,
        model,
        diagnostics: checked.diagnostics,
        plan,
        emitted,
        documents,
    }
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    for services in SIZES {
        let built = prepare(services);
        group.throughput(Throughput::Elements(services as u64));
        let id = |stage: &str| BenchmarkId::new(stage, services);
        group.bench_function(id("parse"), |b| {
            b.iter_with_large_drop(|| ward::syntax::parse(&built.sources));
        });
        // The parse as it was before pieces (decision 0023): each file whole,
        // on one thread.
        group.bench_function(id("parse-whole"), |b| {
            b.iter_with_large_drop(|| {
                built
                    .sources
                    .iter()
                    .map(|(file, source)| ward::syntax::parse_file_in(file, &source.text, 1))
                    .collect::<Vec<_>>()
            });
        });
        group.bench_function(id("check"), |b| {
            b.iter_with_large_drop(|| ward::check::check(&built.ast));
        });
        group.bench_function(id("parse+check"), |b| {
            b.iter_with_large_drop(|| ward::compile(&built.sources));
        });
        group.bench_function(id("build"), |b| {
            b.iter_with_large_drop(|| {
                // What `ward build` does: each object serialized and dropped.
                let plan = ward::plan::plan(&built.model);
                let documents =
                    ward::output::plan_documents(&built.model, &plan, &built.sources).unwrap();
                let files: ward::output::Files = ward::output::layout(&plan, documents, Vec::new());
                (plan, files)
            });
        });
        group.bench_function(id("build-plan"), |b| {
            b.iter_with_large_drop(|| ward::plan::plan(&built.model));
        });
        group.bench_function(id("build-emit"), |b| {
            b.iter_with_large_drop(|| ward::emit::emit(&built.model, &built.plan, &built.sources));
        });
        group.bench_function(id("build-yaml"), |b| {
            b.iter_with_large_drop(|| ward::output::documents(&built.emitted).unwrap());
        });
        group.bench_function(id("matrix"), |b| {
            b.iter_with_large_drop(|| matrix(&built));
        });
        let matrix = matrix(&built);
        group.bench_function(id("matrix-markdown"), |b| {
            b.iter_with_large_drop(|| ward::matrix::markdown(&matrix));
        });
        group.bench_function(id("matrix-json"), |b| {
            b.iter_with_large_drop(|| ward::matrix::json(&matrix).unwrap());
        });
        let objects: Vec<_> = built.emitted.iter().map(|e| e.object.clone()).collect();
        group.bench_function(id("exact"), |b| {
            b.iter_with_large_drop(|| ward::symbolic::judge(&built.model, &objects).unwrap());
        });
        group.bench_function(id("test"), |b| {
            b.iter_batched(
                || built.emitted.iter().map(|e| e.object.clone()).collect(),
                |policies| ward::proof::test_program(&built.model, &built.plan, policies),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

fn matrix(built: &Built) -> ward::matrix::Matrix {
    ward::matrix::build(
        &built.model,
        &built.plan,
        &built.documents,
        &built.sources,
        &built.diagnostics,
        &Provenance::default(),
    )
}

/// The benchmark group (what `criterion_group!` would generate, with a doc).
fn pipeline() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
}

criterion_main!(pipeline);
