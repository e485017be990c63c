//! `ward build`: the program's NetworkPolicies, to stdout or a directory
//! (with the traceability matrix beside them), and `--check`, the CI drift
//! gate.

use super::outdir::{self, BuildFile, Change};
use super::write;
use super::{
    Color, EXIT_FINDINGS, Failure, Format, UsageError, compile_valid, emit_human, note,
    write_stdout,
};
use crate::{matrix, output, pipeline, plan, yaml};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The output directory's files: the YAML, the kustomization and the
/// matrix `m` (made from the same plan and documents). The matrix files are
/// streamed from `m` as they are compared and written, one at a time: at
/// 5,000 services they are 176 MB of text, which a build never holds.
fn files<'m>(
    m: &'m matrix::Matrix,
    plan: &plan::Plan,
    documents: Vec<String>,
) -> output::Files<BuildFile<'m>> {
    let streamed = |write: fn(&matrix::Matrix, &mut dyn std::io::Write) -> std::io::Result<()>| {
        BuildFile::Streamed(Box::new(move |out: &mut dyn std::io::Write| write(m, out)))
    };
    pipeline::layout(
        plan,
        documents,
        [
            streamed(matrix::write_markdown),
            streamed(|m, out| matrix::write_csv(m, out)),
            streamed(|m, out| matrix::write_json(m, out)),
            streamed(matrix::write_html),
        ],
    )
}

/// `ward build`.
pub fn run(
    paths: &[PathBuf],
    output: Option<&Path>,
    check: bool,
    deny_warnings: bool,
    color: Color,
) -> Result<u8, Failure> {
    let Some((sources, model, warnings)) = compile_valid(paths, Format::Human, color)? else {
        return Ok(EXIT_FINDINGS);
    };
    emit_human(&sources, &warnings, color);
    if deny_warnings && !warnings.is_empty() {
        return Ok(EXIT_FINDINGS);
    }
    let (plan, documents) = pipeline::documents(&model, &sources)?;
    let Some(dir) = output else {
        write_stdout(&yaml::stream(&documents));
        return Ok(0);
    };
    let policies = documents.len();
    // The matrix here carries no Git commit, so that committing the build
    // does not make it stale; `ward matrix` adds the commit.
    let m = matrix::build(
        &model,
        &plan,
        &documents,
        &sources,
        &warnings,
        &matrix::Provenance::default(),
    );
    let files = files(&m, &plan, documents);
    // Only the matrix and the files are needed from here: the program goes
    // before the largest files are made.
    drop((sources, model, warnings, plan));
    if check {
        return Ok(match drift(dir, &files, &rebuild_command(paths, dir))? {
            Some(report) => {
                let _ = std::io::Write::write_all(&mut std::io::stderr(), report.as_bytes());
                EXIT_FINDINGS
            }
            None => {
                note(&format!("{} is up to date", dir.display()));
                0
            }
        });
    }
    let created = outdir::create(dir)?;
    let written = write(dir, &files);
    if written.is_err() && created {
        outdir::remove_created(dir);
    }
    let changes = written?;
    let count = |f: fn(&Change) -> bool| {
        changes
            .iter()
            .filter(|c| c.path != output::MANIFEST && f(c))
            .count()
    };
    note(&format!(
        "wrote {} policies and the traceability matrix to {} ({} files added, {} changed, {} removed)",
        policies,
        dir.display(),
        count(|c| !c.old),
        count(|c| c.old && c.new.is_some()),
        count(|c| c.new.is_none()),
    ));
    Ok(0)
}

/// Writes `files` to `dir` under its lock, after undoing any build that was
/// interrupted there: the changes made.
fn write<'f>(
    dir: &Path,
    files: &'f output::Files<BuildFile<'f>>,
) -> Result<Vec<Change<'f>>, UsageError> {
    let _lock = outdir::lock(dir)?;
    write::recover(dir)?;
    let (changes, dirs) = outdir::plan(dir, files)?;
    if !changes.is_empty() {
        outdir::transaction(dir, &changes, dirs).apply(&mut write::build_disk())?;
    }
    Ok(changes)
}

/// Compares the build with `dir`: `None` when identical, else a readable
/// summary of the drift, ending with `rebuild`, the command that repairs it.
fn drift(
    dir: &Path,
    files: &output::Files<BuildFile<'_>>,
    rebuild: &str,
) -> Result<Option<String>, UsageError> {
    if write::interrupted(dir) {
        return Ok(Some(format!(
            "{} holds a build that was interrupted (`{}`): run `{rebuild}` and commit the result\n",
            dir.display(),
            output::STAGING,
        )));
    }
    let (changes, _) = outdir::plan(dir, files)?;
    let changes: Vec<&Change> = changes
        .iter()
        .filter(|c| c.path != output::MANIFEST)
        .collect();
    if changes.is_empty() {
        return Ok(None);
    }
    let mut report = format!("{} is out of date with the program:\n", dir.display());
    for change in &changes {
        let _ = match (change.old, change.new) {
            (false, Some(_)) => writeln!(report, "  added    {}", change.path),
            (true, None) => writeln!(report, "  removed  {}", change.path),
            (true, Some(BuildFile::Text(new))) if change.path.ends_with(".yaml") => {
                let old = outdir::read_owned(dir, &change.path)?.unwrap_or_default();
                let fields = yaml::changed_fields(&old, new);
                if fields.is_empty() {
                    writeln!(
                        report,
                        "  changed  {}: edited outside Ward (comments or layout; no field differs)",
                        change.path
                    )
                } else {
                    writeln!(report, "  changed  {}: {}", change.path, fields.join(", "))
                }
            }
            (true, Some(_)) => writeln!(report, "  changed  {}", change.path),
            (false, None) => Ok(()),
        };
    }
    let _ = writeln!(report, "run `{rebuild}` and commit the result");
    Ok(Some(report))
}

/// The command that rebuilds `dir` from the program at `paths`, quoted for
/// a POSIX shell so that it can be pasted as printed.
fn rebuild_command(paths: &[PathBuf], dir: &Path) -> String {
    let quote = |path: &Path| {
        let text = path.to_string_lossy();
        shlex::try_quote(&text).map_or_else(|_| format!("{text:?}"), |q| q.into_owned())
    };
    let mut words = vec!["ward".to_owned(), "build".to_owned()];
    words.extend(paths.iter().map(|p| quote(p)));
    words.extend(["-o".to_owned(), quote(dir)]);
    words.join(" ")
}
