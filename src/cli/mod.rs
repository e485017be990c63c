//! The command line: parses arguments, reads files, runs the library's
//! stages and writes what they produce. The only module that does IO.

mod build;
mod io;
pub mod render;
mod write;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Sources;
use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::{self, termcolor};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Ward: compile network boundaries into NetworkPolicies an auditor can trace.
#[derive(Debug, Parser)]
#[command(name = "ward", version, about, long_about = None)]
pub struct Cli {
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,
    #[command(subcommand)]
    command: Command,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Color {
    /// On a terminal only.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// How diagnostics are written.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// For people, with source excerpts.
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check programs and report every problem.
    Check {
        /// `.ward` files or directories holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// How to write diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Compile programs into NetworkPolicy YAML.
    Build {
        /// `.ward` files or directories holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write `<namespace>/<policy>.yaml` files and a kustomization here
        /// (default: one YAML stream on stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Compare with the output directory instead of writing; exit 1 on drift.
        #[arg(long, requires = "output")]
        check: bool,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Prove the policies: simulate them in a world made from the program and
    /// compare every connection with the declared flows and invariants.
    Test {
        /// `.ward` files or directories holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// How to write diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Judge a cluster's export (`kubectl get ns,pods,netpol -A -o yaml`)
    /// against the program.
    Verify {
        /// `.ward` files or directories holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// YAML files exported from the cluster.
        #[arg(long, required = true, num_args = 1..)]
        cluster: Vec<PathBuf>,
        /// How to write diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Explain a diagnostic code (`ward explain E0402`).
    Explain {
        /// The code.
        code: String,
    },
}

/// Exit codes: success, problems found in the program, usage or IO error.
const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE: u8 = 2;

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cli.color;
    let result = match cli.command {
        Command::Check {
            paths,
            format,
            deny_warnings,
        } => check(&paths, format, deny_warnings, color),
        Command::Build {
            paths,
            output,
            check,
            deny_warnings,
        } => run_build(&paths, output.as_deref(), check, deny_warnings, color),
        Command::Test { paths, format } => run_test(&paths, format, color),
        Command::Verify {
            paths,
            cluster,
            format,
        } => run_verify(&paths, &cluster, format, color),
        Command::Explain { code } => explain(&code),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(io::UsageError(message)) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Reads and compiles a program, returning its sources and the checked result.
fn compile(paths: &[PathBuf]) -> Result<(Sources, crate::check::Checked), io::UsageError> {
    let (sources, encoding) = io::read_program(paths)?;
    if !encoding.is_empty() {
        let checked = crate::check::Checked {
            model: None,
            diagnostics: encoding,
        };
        return Ok((sources, checked));
    }
    let checked = crate::compile(&sources);
    Ok((sources, checked))
}

fn run_build(
    paths: &[PathBuf],
    output: Option<&std::path::Path>,
    check: bool,
    deny_warnings: bool,
    color: Color,
) -> Result<u8, io::UsageError> {
    let (sources, checked) = compile(paths)?;
    emit_human(&sources, &checked.diagnostics, color);
    let Some(model) = checked.model else {
        return Ok(EXIT_FINDINGS);
    };
    if deny_warnings && !checked.diagnostics.is_empty() {
        return Ok(EXIT_FINDINGS);
    }
    let built = build::build(&model, &sources)?;
    match (output, check) {
        (None, _) => write_stdout(&build::stream(&built)?),
        (Some(dir), false) => {
            let summary = build::write(dir, &built)?;
            let _ = writeln!(std::io::stderr(), "{summary}");
        }
        (Some(dir), true) => {
            if let Some(drift) = build::check(dir, &built)? {
                let _ = write!(std::io::stderr(), "{drift}");
                return Ok(EXIT_FINDINGS);
            }
            let _ = writeln!(std::io::stderr(), "{} is up to date", dir.display());
        }
    }
    Ok(0)
}

fn run_test(paths: &[PathBuf], format: Format, color: Color) -> Result<u8, io::UsageError> {
    let (sources, checked) = compile(paths)?;
    let Some(model) = checked.model else {
        report(&sources, &checked.diagnostics, format, color);
        return Ok(EXIT_FINDINGS);
    };
    let built = build::build(&model, &sources)?;
    let plan = crate::plan::plan(&model);
    let policies = built.emitted.into_iter().map(|e| e.object).collect();
    let tested = crate::proof::test_program(&model, &plan, policies).map_err(|e| {
        io::UsageError(format!(
            "the generated policies could not be simulated: {e}"
        ))
    })?;
    let mut diagnostics = checked.diagnostics;
    diagnostics.extend(tested.diagnostics);
    crate::diagnostic::sort(&mut diagnostics);
    report(&sources, &diagnostics, format, color);
    let (pods, addresses, probes) = tested.size;
    let findings = tested.comparison.findings.len();
    let _ = writeln!(
        std::io::stderr(),
        "tested {} connections ({pods} pods, {addresses} addresses, {probes} probes): {} allowed, {}",
        tested.comparison.checked,
        tested.comparison.allowed,
        if findings == 0 {
            "exactly the declared flows".to_string()
        } else {
            format!("{findings} finding(s)")
        }
    );
    Ok(if findings == 0 { 0 } else { EXIT_FINDINGS })
}

fn run_verify(
    paths: &[PathBuf],
    cluster: &[PathBuf],
    format: Format,
    color: Color,
) -> Result<u8, io::UsageError> {
    let (sources, checked) = compile(paths)?;
    let Some(model) = checked.model else {
        report(&sources, &checked.diagnostics, format, color);
        return Ok(EXIT_FINDINGS);
    };
    let documents = io::read_documents(cluster)?;
    let world = crate::simulate::load(&documents)
        .map_err(|e| io::UsageError(format!("cannot read the cluster export: {e}")))?;
    let built = build::build(&model, &sources)?;
    let plan = crate::plan::plan(&model);
    let verified = crate::proof::verify::verify(&model, &plan, &built.emitted, &world);
    let failed = verified.diagnostics.iter().any(Diagnostic::is_error);
    report(&sources, &verified.diagnostics, format, color);
    let _ = writeln!(
        std::io::stderr(),
        "verified {} connections over {} pods: {} allowed, {}",
        verified.comparison.checked,
        verified.pods,
        verified.comparison.allowed,
        if failed {
            "findings above"
        } else {
            "as declared"
        }
    );
    Ok(if failed { EXIT_FINDINGS } else { 0 })
}

/// Writes diagnostics in the chosen format.
fn report(sources: &Sources, diagnostics: &[Diagnostic], format: Format, color: Color) {
    match format {
        Format::Human => emit_human(sources, diagnostics, color),
        Format::Json => write_stdout(&render::json(sources, diagnostics)),
        Format::Sarif => write_stdout(&render::sarif(sources, diagnostics)),
    }
}

fn check(
    paths: &[PathBuf],
    format: Format,
    deny_warnings: bool,
    color: Color,
) -> Result<u8, io::UsageError> {
    let (sources, checked) = compile(paths)?;
    let diagnostics = &checked.diagnostics;
    match format {
        Format::Human => emit_human(&sources, diagnostics, color),
        Format::Json => write_stdout(&render::json(&sources, diagnostics)),
        Format::Sarif => write_stdout(&render::sarif(&sources, diagnostics)),
    }
    let failed = diagnostics.iter().any(|d| d.is_error() || deny_warnings);
    Ok(if failed { EXIT_FINDINGS } else { 0 })
}

/// Writes diagnostics for people to stderr, in colour where asked.
fn emit_human(sources: &Sources, diagnostics: &[Diagnostic], color: Color) {
    let choice = match color {
        Color::Always => termcolor::ColorChoice::Always,
        Color::Never => termcolor::ColorChoice::Never,
        Color::Auto if std::io::IsTerminal::is_terminal(&std::io::stderr()) => {
            termcolor::ColorChoice::Auto
        }
        Color::Auto => termcolor::ColorChoice::Never,
    };
    let stream = termcolor::StandardStream::stderr(choice);
    let mut out = stream.lock();
    let files = render::files(sources);
    let config = term::Config::default();
    for diagnostic in diagnostics {
        let _ =
            term::emit_to_write_style(&mut out, &config, &files, &render::to_codespan(diagnostic));
    }
    if !diagnostics.is_empty() {
        let _ = writeln!(out, "{}", render::summary(diagnostics));
    }
}

fn write_stdout(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn explain(code: &str) -> Result<u8, io::UsageError> {
    let Some(found) = Code::parse(code) else {
        return Err(io::UsageError(format!(
            "`{code}` is not a Ward diagnostic code (codes look like E0101 or W0002)"
        )));
    };
    write_stdout(&explanation(found));
    Ok(0)
}

/// The text `ward explain CODE` prints.
pub fn explanation(code: Code) -> String {
    format!(
        "{} ({}): {}\n\n{}\n",
        code.as_str(),
        code.severity().as_str(),
        code.title(),
        code.explanation()
    )
}
