//! The command line: parses arguments, reads files, runs the library's
//! stages and writes what they produce. The only module that does IO.
//!
//! Exit codes, for every command: `0` success, `1` the program (or the
//! cluster, or the drift check) has findings, `2` a usage or IO error, `3`
//! Ward's own failure (a bug: its output did not serialize or simulate).

mod build;
mod diff;
mod failure;
mod fmt;
mod generated;
mod git;
mod history;
mod io;
mod lsp;
mod matrix;
mod outdir;
mod prove;
pub mod render;
mod repo;
mod write;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Sources;
use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::{self, termcolor};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use failure::{Failure, InternalError};
use io::UsageError;

/// Ward: compile network boundaries into NetworkPolicies an auditor can trace.
#[derive(Debug, Parser)]
#[command(name = "ward", version, about, long_about = None)]
pub(crate) struct Cli {
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
    /// Compile programs into NetworkPolicy YAML (and, with `-o`, the
    /// traceability matrix beside it).
    Build {
        /// `.ward` files or directories holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write `<namespace>/<policy>.yaml` files, a kustomization and the
        /// matrix here (default: one YAML stream on stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Compare with the output directory instead of writing; exit 1 on drift.
        #[arg(long, requires = "output")]
        check: bool,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Write the traceability matrix: criterion -> flow -> policy rule -> source line.
    Matrix {
        /// `.ward` files or directories holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The format.
        #[arg(long, value_enum, default_value_t = matrix::MatrixFormat::Md)]
        format: matrix::MatrixFormat,
        /// Write to this file (default: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Print this RFC 3339 timestamp (`2026-11-30T09:00:00Z`) in the
        /// header (default: none, so the output is byte-identical for the
        /// same program).
        #[arg(long, value_parser = rfc3339)]
        timestamp: Option<String>,
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
    /// Explain a diagnostic code (`ward explain E0402`), or a connection
    /// (`ward explain PATH SRC DST[:PORT[/PROTO]]`, endpoints as `ns.svc`,
    /// `ns/pod`, a pod by labels `'ns{k=v,...}'` or an IP): which policy and
    /// rule allow or block it, and the flow, controls and source line behind
    /// each rule.
    Explain {
        /// A code, or a program path, a source and a destination.
        #[arg(required = true, num_args = 1..=3)]
        args: Vec<String>,
    },
    /// Simulate NetworkPolicies from YAML files (`kubectl get -o yaml`
    /// output): who can reach whom.
    Simulate {
        /// YAML files: Namespaces, Pods (or workloads) and NetworkPolicies.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Ports to probe, like `80/tcp` (default: every port the pods declare).
        #[arg(long = "probe")]
        probes: Vec<String>,
        /// External addresses to include as sources and destinations.
        #[arg(long = "external")]
        externals: Vec<String>,
        /// The output format.
        #[arg(long, value_enum, default_value_t = prove::SimulateFormat::Table)]
        format: prove::SimulateFormat,
    },
    /// What a change does to the boundary: flows, services, externals,
    /// invariants, controls and criteria coverage added, removed or changed,
    /// and the connections newly allowed or blocked, as regions computed
    /// from what each program allows. Each side is a path or `REV:PATH`
    /// (`ward diff main:policy/ policy/`); `--git REV PATH` compares the
    /// work tree with a revision.
    Diff {
        /// The old and the new program (`OLD NEW`), or with `--git` the
        /// program in the work tree.
        #[arg(required = true, num_args = 1..=2)]
        sides: Vec<String>,
        /// Compare the work tree's PATH with PATH at this revision.
        #[arg(long, value_name = "REV")]
        git: Option<String>,
        /// The output format.
        #[arg(long, value_enum, default_value_t = diff::DiffFormat::Text)]
        format: diff::DiffFormat,
        /// Exit 1 when the change widens access (`widened`: a connection is
        /// newly allowed) or changes anything (`changed`): a CI gate.
        #[arg(long, value_enum)]
        fail_on: Option<diff::FailOn>,
    },
    /// The change population of an audit period: every commit that changed
    /// the program, with author, date, message and its semantic diff.
    History {
        /// The program's path (a `.ward` file or a directory) in a Git work tree.
        path: PathBuf,
        /// Only commits committed at or after this instant: an RFC 3339
        /// timestamp, or `YYYY-MM-DD` for 00:00 UTC that day.
        #[arg(long)]
        since: Option<String>,
        /// Only commits committed at or before this instant: an RFC 3339
        /// timestamp, or `YYYY-MM-DD` for the end of that day in UTC.
        #[arg(long)]
        until: Option<String>,
        /// Follow only the first parent of merges: the main line's changes.
        #[arg(long)]
        first_parent: bool,
        /// The output format.
        #[arg(long, value_enum, default_value_t = history::HistoryFormat::Md)]
        format: history::HistoryFormat,
    },
    /// Print the completion script for a shell (`ward completions bash >
    /// /etc/bash_completion.d/ward`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page: `ward(1)`, or `ward-COMMAND(1)` for a command
    /// (`ward man build | man -l -`).
    Man {
        /// A command, for its own page.
        command: Option<String>,
    },
    /// Run the language server on stdin and stdout (for editors): the
    /// program's diagnostics as you type, hover, go to definition, find
    /// references, completion, the outline and formatting.
    Lsp,
    /// Format programs in Ward's one canonical layout.
    Fmt {
        /// `.ward` files or directories holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write nothing; exit 1 and name the files that would change.
        #[arg(long)]
        check: bool,
    },
}

/// Accepts an RFC 3339 timestamp as written; anything else is a usage error.
fn rfc3339(text: &str) -> Result<String, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|_| text.to_owned())
        .map_err(|e| format!("not an RFC 3339 timestamp like `2026-11-30T09:00:00Z` ({e})"))
}

/// Exit code: the program, cluster or drift check has findings.
const EXIT_FINDINGS: u8 = 1;

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cli.color;
    let result: Result<u8, Failure> = match cli.command {
        Command::Check {
            paths,
            format,
            deny_warnings,
        } => check(&paths, format, deny_warnings, color).map_err(Failure::from),
        Command::Build {
            paths,
            output,
            check,
            deny_warnings,
        } => build::run(&paths, output.as_deref(), check, deny_warnings, color),
        Command::Matrix {
            paths,
            format,
            output,
            timestamp,
        } => matrix::run(&paths, format, output.as_deref(), timestamp, color),
        Command::Test { paths, format } => prove::test(&paths, format, color),
        Command::Verify {
            paths,
            cluster,
            format,
        } => prove::verify(&paths, &cluster, format, color).map_err(Failure::from),
        Command::Explain { args } => match args.as_slice() {
            [code] => explain_code(code).map_err(Failure::from),
            [path, src, dst] => prove::explain(path, src, dst, color),
            _ => Err(Failure::Usage(UsageError(
                "`ward explain` takes a code (E0402), or a program, a source and a destination"
                    .to_string(),
            ))),
        },
        Command::Simulate {
            files,
            probes,
            externals,
            format,
        } => prove::simulate(&files, &probes, &externals, format).map_err(Failure::from),
        Command::Diff {
            sides,
            git,
            format,
            fail_on,
        } => diff::run(&sides, git.as_deref(), format, fail_on, color),
        Command::History {
            path,
            since,
            until,
            first_parent,
            format,
        } => history::run(&path, since, until, first_parent, format),
        Command::Fmt { paths, check } => fmt::run(&paths, check, color).map_err(Failure::from),
        Command::Lsp => lsp::run().map_err(Failure::from),
        Command::Completions { shell } => generated::completions(shell).map_err(Failure::from),
        Command::Man { command } => generated::man(command.as_deref()),
    };
    stdout_written(std::io::stdout().lock().flush());
    let result = match (result, STDOUT_ERROR.get()) {
        (Ok(_), Some(error)) => Err(Failure::Usage(UsageError(error.clone()))),
        (result, _) => result,
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            let _ = std::io::stderr().write_all(failure.report().as_bytes());
            ExitCode::from(failure.exit_code())
        }
    }
}

/// The first error writing to stdout: the command then fails (exit 2),
/// whatever it found, since its output is incomplete.
static STDOUT_ERROR: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Notes the result of writing to stdout. A closed pipe (`ward build | head`)
/// is not an error: the reader wanted no more, and Ward stops quietly as
/// Unix tools do; any other error (a full disk) fails the command.
fn stdout_written(result: std::io::Result<()>) {
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = STDOUT_ERROR.set(format!("cannot write to standard output: {e}"));
        }
    }
}

/// A writer to stdout that notes its errors (see [`stdout_written`]), for
/// output streamed through code that reports errors as text.
struct Stdout<'a>(std::io::StdoutLock<'a>);

impl Stdout<'_> {
    fn new() -> Self {
        Stdout(std::io::stdout().lock())
    }
}

impl Write for Stdout<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.0.write(buf);
        if let Err(e) = &result {
            stdout_written(Err(std::io::Error::new(e.kind(), e.to_string())));
        }
        result
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.0.flush();
        if let Err(e) = &result {
            stdout_written(Err(std::io::Error::new(e.kind(), e.to_string())));
        }
        result
    }
}

/// Reads and compiles a program, returning its sources and the checked result.
fn compile(paths: &[PathBuf]) -> Result<(Sources, crate::check::Checked), UsageError> {
    let (sources, encoding) = io::read_program(paths)?;
    let checked = crate::compile_read(&sources, encoding);
    Ok((sources, checked))
}

/// A valid program: its sources, model and warnings; `None` (after reporting
/// the diagnostics) when it has errors.
type Valid = Option<(Sources, crate::model::Model, Vec<Diagnostic>)>;

/// Compiles a program that must be valid. Errors are reported in `format`;
/// the warnings of a valid program are returned for the caller to report.
fn compile_valid(paths: &[PathBuf], format: Format, color: Color) -> Result<Valid, UsageError> {
    let (sources, checked) = compile(paths)?;
    match checked.model {
        Some(model) => Ok(Some((sources, model, checked.diagnostics))),
        None => {
            report(&sources, &checked.diagnostics, format, color);
            Ok(None)
        }
    }
}

fn check(
    paths: &[PathBuf],
    format: Format,
    deny_warnings: bool,
    color: Color,
) -> Result<u8, UsageError> {
    let (sources, checked) = compile(paths)?;
    let diagnostics = &checked.diagnostics;
    if format == Format::Human {
        emit_diagnostics(&sources, diagnostics, color);
        note(&check_summary(&sources, &checked));
    } else {
        report(&sources, diagnostics, format, color);
    }
    let failed = diagnostics.iter().any(|d| d.is_error() || deny_warnings);
    Ok(if failed { EXIT_FINDINGS } else { 0 })
}

/// Writes diagnostics in the chosen format: for people on stderr, JSON and
/// SARIF on stdout.
fn report(sources: &Sources, diagnostics: &[Diagnostic], format: Format, color: Color) {
    match format {
        Format::Human => emit_human(sources, diagnostics, color),
        Format::Json => write_stdout(&render::json(sources, diagnostics)),
        Format::Sarif => write_stdout(&render::sarif(sources, diagnostics)),
    }
}

/// Writes diagnostics like [`report`]; the JSON also carries `summary`.
fn report_with_summary(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    format: Format,
    color: Color,
    summary: serde_json::Value,
) {
    match format {
        Format::Json => write_stdout(&render::json_with_summary(sources, diagnostics, summary)),
        Format::Human | Format::Sarif => report(sources, diagnostics, format, color),
    }
}

/// `ward check`'s closing line: what was read and what was found, e.g.
/// `checked 6 files (10 namespaces, 25 services, 40 flows): 0 errors, 1 warning`.
fn check_summary(sources: &Sources, checked: &crate::check::Checked) -> String {
    let files = sources.iter().count();
    let counts = checked.model.as_ref().map_or(String::new(), |model| {
        let services: usize = model.namespaces.values().map(|ns| ns.services.len()).sum();
        format!(
            " ({}, {}, {})",
            plural(model.namespaces.len(), "namespace"),
            plural(services, "service"),
            plural(model.flows.len(), "flow")
        )
    });
    format!(
        "checked {}{counts}: {}",
        plural(files, "file"),
        render::summary(&checked.diagnostics)
    )
}

/// `n word`, with an `s` unless `n` is one.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Writes diagnostics for people to stderr, in colour where asked, and the
/// count of errors and warnings after them.
fn emit_human(sources: &Sources, diagnostics: &[Diagnostic], color: Color) {
    emit_diagnostics(sources, diagnostics, color);
    if !diagnostics.is_empty() {
        note(&render::summary(diagnostics));
    }
}

/// Writes diagnostics for people to stderr, in colour where asked.
fn emit_diagnostics(sources: &Sources, diagnostics: &[Diagnostic], color: Color) {
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
    let shown = render::files(sources);
    let config = term::Config::default();
    for diagnostic in diagnostics {
        let _ = term::emit_to_write_style(
            &mut out,
            &config,
            shown.files(),
            &shown.to_codespan(diagnostic),
        );
    }
}

/// Writes text to stdout; an error fails the command (see [`stdout_written`]).
fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    stdout_written(out.write_all(text.as_bytes()).and_then(|()| out.flush()));
}

/// Writes a line to stderr.
fn note(text: &str) {
    let text = crate::source::escape_unshowable(text);
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn explain_code(code: &str) -> Result<u8, UsageError> {
    let Some(found) = Code::parse(code) else {
        return Err(UsageError(format!(
            "`{code}` is not a Ward diagnostic code (codes look like E0101 or W0002); to explain a connection, give a program, a source and a destination"
        )));
    };
    write_stdout(&explanation(found));
    Ok(0)
}

/// The text `ward explain CODE` prints.
fn explanation(code: Code) -> String {
    format!(
        "{} ({}): {}\n\n{}\n",
        code.as_str(),
        code.severity().as_str(),
        code.title(),
        code.explanation()
    )
}
