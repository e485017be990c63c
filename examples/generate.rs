//! Prints a synthetic Ward program (see `ward::generator`): realistic, valid and
//! deterministic by seed. With `--stage`, runs the pipeline on it in-process
//! instead, up to that stage, and prints what each stage took on stderr: a
//! driver for measuring peak memory with `/usr/bin/time -v`.
//!
//! ```sh
//! cargo run --release --example generate -- --services 5000 --flows 20000 --seed 1 > big.ward
//! cargo build --release --example generate
//! /usr/bin/time -v target/release/examples/generate --services 5000 --stage matrix
//! ```

#![allow(
    clippy::print_stderr,
    clippy::disallowed_methods,
    reason = "a command-line driver: it times stages and reports on stderr"
)]

use clap::{Parser, ValueEnum};
use std::io::Write;
use std::time::Instant;
use ward::generator::{Config, program};
use ward::source::Sources;

/// Print a synthetic Ward program on stdout, or run the pipeline on it.
#[derive(Debug, Parser)]
#[command(name = "gen")]
struct Args {
    /// Services in managed namespaces.
    #[arg(long, default_value_t = 100)]
    services: usize,
    /// Flows (default: four per service).
    #[arg(long)]
    flows: Option<usize>,
    /// The seed; the same arguments always print the same program.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Instead of printing the program, run the pipeline up to this stage.
    #[arg(long, value_enum)]
    stage: Option<Stage>,
}

/// How far to run the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
enum Stage {
    /// Parse only.
    Parse,
    /// Parse and check.
    Check,
    /// Check, plan, emit, serialize to YAML and lay out the files.
    Build,
    /// What `ward build` to stdout needs, holding the least: check, plan,
    /// each policy emitted and serialized in turn, one YAML stream.
    Stream,
    /// Build, then the traceability matrix and its Markdown and JSON.
    Matrix,
    /// Build, then simulate the policies and compare (`ward test`).
    Test,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let flows = args.flows.unwrap_or(args.services.saturating_mul(4));
    let text = program(&Config::new(args.services, flows, args.seed));
    match args.stage {
        None => std::io::stdout().lock().write_all(text.as_bytes()),
        Some(stage) => {
            run(stage, text);
            Ok(())
        }
    }
}

/// Times `f`, reporting on stderr.
fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let value = f();
    eprintln!(
        "{name:>10}: {:>8.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    value
}

fn run(stage: Stage, text: String) {
    let mut sources = Sources::new();
    sources.add("generated.ward", text);
    let (ast, errors) = timed("parse", || ward::syntax::parse(&sources));
    if stage == Stage::Parse || !errors.is_empty() {
        eprintln!("{} items, {} syntax errors", ast.items.len(), errors.len());
        return;
    }
    let checked = timed("check", || ward::check::check(&ast));
    drop(ast);
    let Some(model) = checked.model else {
        eprintln!("the program has errors");
        return;
    };
    if stage == Stage::Check {
        return;
    }
    let plan = timed("plan", || ward::plan::plan(&model));
    if stage == Stage::Stream {
        let documents = timed("documents", || {
            ward::output::plan_documents(&model, &plan, &sources)
        })
        .unwrap_or_default();
        let stream = timed("stream", || ward::yaml::stream(&documents));
        eprintln!(
            "{} policies, {} bytes of YAML",
            documents.len(),
            stream.len()
        );
        return;
    }
    let emitted = timed("emit", || ward::emit::emit(&model, &plan, &sources));
    let documents = timed("yaml", || ward::output::documents(&emitted)).unwrap_or_default();
    let files = timed("layout", || {
        ward::output::layout(&plan, documents.clone(), Vec::<(String, String)>::new())
    });
    eprintln!("{} policies, {} files", emitted.len(), files.files.len());
    drop(files);
    match stage {
        Stage::Matrix => {
            let matrix = timed("matrix", || {
                ward::matrix::build(
                    &model,
                    &plan,
                    &documents,
                    &sources,
                    &checked.diagnostics,
                    &ward::matrix::Provenance::default(),
                )
            });
            let markdown = timed("markdown", || ward::matrix::markdown(&matrix));
            let json = timed("json", || ward::matrix::json(&matrix)).unwrap_or_default();
            eprintln!(
                "{} rows, {} bytes of Markdown, {} bytes of JSON",
                matrix.rows.len(),
                markdown.len(),
                json.len()
            );
        }
        Stage::Test => {
            let policies = emitted.into_iter().map(|e| e.object).collect();
            let report = timed("test", || {
                ward::proof::test_program(&model, &plan, policies)
            });
            match report {
                Ok(report) => eprintln!(
                    "{} connections, {} allowed, {} findings",
                    report.comparison.checked,
                    report.comparison.allowed,
                    report.comparison.findings.len()
                ),
                Err(e) => eprintln!("cannot simulate: {e}"),
            }
        }
        Stage::Parse | Stage::Check | Stage::Build | Stage::Stream => {}
    }
}
