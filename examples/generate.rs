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
//!
//! `--stage export --replicas K` prints, instead of the program, the export
//! of a cluster that runs its build: every namespace, K pods per service
//! (and per namespace-wide role) of the program's world, and the policies,
//! as `kubectl get ns,pods,netpol -A -o yaml` would list them. With
//! `--allow-all`, one more hand-made policy per managed namespace lets
//! everything through. For `ward verify` and `ward simulate` at size:
//!
//! ```sh
//! target/release/examples/generate --services 1000 > big.ward
//! target/release/examples/generate --services 1000 --stage export --replicas 10 > export.yaml
//! /usr/bin/time -v target/release/ward verify big.ward --cluster export.yaml
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
    /// With `--stage export`: pods per service.
    #[arg(long, default_value_t = 1)]
    replicas: usize,
    /// With `--stage export`: add a hand-made allow-all policy to every
    /// managed namespace.
    #[arg(long)]
    allow_all: bool,
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
    /// Print a cluster export running the build (see `--replicas`).
    Export,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let flows = args.flows.unwrap_or(args.services.saturating_mul(4));
    let text = program(&Config::new(args.services, flows, args.seed));
    match args.stage {
        None => std::io::stdout().lock().write_all(text.as_bytes()),
        Some(Stage::Export) => {
            let export = export(text, args.replicas, args.allow_all)?;
            std::io::stdout().lock().write_all(export.as_bytes())
        }
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
        Stage::Parse | Stage::Check | Stage::Build | Stage::Stream | Stage::Export => {}
    }
}

/// A cluster export running the program's build: its namespaces, `replicas`
/// pods per pod of the program's world (named `NAME-K`; replicas share
/// their pod's address, which the world placed outside every external) and
/// its policies, and with `allow_all`
/// a hand-made allow-all policy per managed namespace.
fn export(text: String, replicas: usize, allow_all: bool) -> std::io::Result<String> {
    use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicySpec};
    let mut sources = Sources::new();
    sources.add("generated.ward", text);
    let Some(model) = ward::compile(&sources).model else {
        return Err(std::io::Error::other("the generated program has errors"));
    };
    let plan = ward::plan::plan(&model);
    let emitted = ward::emit::emit(&model, &plan, &sources);
    let world = ward::proof::world::test_world(&model);
    let mut documents: Vec<String> = Vec::new();
    // A document that does not serialize fails the export rather than
    // leaving a cluster with a hole in it.
    let mut add = |yaml: Result<String, ward::error::SerializeError>| {
        documents.push(yaml.map_err(std::io::Error::other)?);
        Ok::<(), std::io::Error>(())
    };
    for namespace in &world.namespaces {
        add(ward::yaml::to_yaml(namespace))?;
    }
    for pod in &world.pods {
        for replica in 0..replicas {
            let mut copy = pod.clone();
            let name = copy.metadata.name.clone().unwrap_or_default();
            copy.metadata.name = Some(format!("{name}-{replica}"));
            add(ward::yaml::to_yaml(&copy))?;
        }
    }
    for policy in &emitted {
        add(ward::yaml::to_yaml(&policy.object))?;
    }
    if allow_all {
        for namespace in model.namespaces.values().filter(|ns| ns.managed) {
            let mut policy = NetworkPolicy::default();
            policy.metadata.name = Some("allow-all".to_owned());
            policy.metadata.namespace = Some(namespace.name.clone());
            policy.spec = Some(NetworkPolicySpec {
                ingress: Some(vec![Default::default()]),
                egress: Some(vec![Default::default()]),
                policy_types: Some(vec!["Ingress".to_owned(), "Egress".to_owned()]),
                ..Default::default()
            });
            add(ward::yaml::to_yaml(&policy))?;
        }
    }
    let mut out = String::new();
    for document in documents {
        out.push_str("---\n");
        out.push_str(&document);
    }
    Ok(out)
}
