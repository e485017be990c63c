//! `ward diff`: what a change does to the boundary, between two programs
//! each read from the work tree or from a Git revision (`REV:PATH`, read
//! through `repo`).
#![expect(
    clippy::disallowed_methods,
    reason = "the CLI runs git and reads the work tree"
)]

use super::repo::{Repo, locate, normalize};
use super::{Color, EXIT_FINDINGS, Failure, UsageError, compile, emit_human, note, write_stdout};
use crate::check::Checked;
use crate::diff::{self, Program};
use crate::model::Model;
use crate::source::Sources;
use clap::ValueEnum;
use std::path::{Path, PathBuf};

/// `ward diff`'s output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DiffFormat {
    /// For a terminal.
    Text,
    /// Markdown, fit for a pull-request comment.
    Md,
    /// JSON, as the `ward::diff` module documents it.
    Json,
}

/// When `ward diff` exits 1.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    /// Some connection is newly allowed: a change that needs a security review.
    Widened,
    /// Anything changed in meaning.
    Changed,
}

/// Where one side's program is.
enum Side {
    /// Files or a directory of the work tree.
    Path(PathBuf),
    /// A path as a revision holds it (relative to the repository's top, or
    /// to the current directory when it starts with `./` or `../`, as Git
    /// reads `REV:PATH`).
    Git { rev: String, path: String },
    /// A path in a known repository, as a revision holds it.
    Located {
        repo: Repo,
        rev: String,
        path: String,
        /// Whether a revision that holds no program there is an empty
        /// program (the base of `--git`, where the program may be new)
        /// rather than an error (a `REV:PATH` the user named).
        absent_is_empty: bool,
    },
}

impl Side {
    fn parse(text: &str) -> Self {
        if !Path::new(text).exists() {
            if let Some((rev, path)) = text.split_once(':') {
                if !rev.is_empty() {
                    return Side::Git {
                        rev: rev.to_string(),
                        path: path.to_string(),
                    };
                }
            }
        }
        Side::Path(PathBuf::from(text))
    }
}

/// A side read and checked.
struct Loaded {
    label: String,
    sources: Sources,
    checked: Checked,
}

fn load(side: Side, label: String) -> Result<Loaded, UsageError> {
    let (sources, checked) = match side {
        Side::Path(path) => compile(&[path])?,
        Side::Git { rev, path } => {
            let (repo, path) = if path.starts_with("./") || path.starts_with("../") {
                let (repo, prefix) = locate(Path::new("."))?;
                (repo, normalize(&format!("{prefix}/{path}")))
            } else {
                (Repo::at(Path::new("."))?, normalize(&path))
            };
            let side = Side::Located {
                repo,
                rev,
                path,
                absent_is_empty: false,
            };
            return load(side, label);
        }
        Side::Located {
            repo,
            rev,
            path,
            absent_is_empty,
        } => {
            let commit = repo.commit(&rev)?;
            let files = repo.listing(&commit, &path)?;
            if files.is_empty() && !absent_is_empty {
                return Err(UsageError(format!(
                    "`{label}` names no `.ward` file: `{rev}` holds no `{path}`, or no `.ward` file under it"
                )));
            }
            if files.is_empty() {
                note(&format!(
                    "note: `{label}` holds no `.ward` files; comparing with an empty program"
                ));
                let checked = Checked {
                    model: Some(Model::default()),
                    diagnostics: Vec::new(),
                };
                return Ok(Loaded {
                    label,
                    sources: Sources::new(),
                    checked,
                });
            }
            repo.compile(&files)?
        }
    };
    Ok(Loaded {
        label,
        sources,
        checked,
    })
}

/// `ward diff OLD NEW`, or `ward diff --git REV PATH`.
pub fn run(
    sides: &[String],
    git: Option<&str>,
    format: DiffFormat,
    fail_on: Option<FailOn>,
    color: Color,
) -> Result<u8, Failure> {
    let (old, new) = match (git, sides) {
        (Some(rev), [path]) => {
            let (repo, in_repo) = locate(Path::new(path))?;
            let old = Side::Located {
                repo,
                rev: rev.to_string(),
                path: in_repo,
                absent_is_empty: true,
            };
            (
                load(old, format!("{rev}:{path}"))?,
                load(Side::Path(PathBuf::from(path)), path.clone())?,
            )
        }
        (None, [old, new]) => (
            load(Side::parse(old), old.clone())?,
            load(Side::parse(new), new.clone())?,
        ),
        (Some(_), _) => {
            return Err(UsageError(
                "`ward diff --git REV` takes one path: the program in the work tree".to_string(),
            )
            .into());
        }
        (None, _) => {
            return Err(UsageError(
                "`ward diff` takes two programs (`OLD NEW`, each a path or `REV:PATH`), or `--git REV PATH`"
                    .to_string(),
            )
            .into());
        }
    };
    let mut broken = false;
    for side in [&old, &new] {
        if side.checked.model.is_none() {
            // Every diagnostic, as `ward check` reports it, so the counts agree.
            emit_human(&side.sources, &side.checked.diagnostics, color);
            note(&format!(
                "`{}` does not compile; nothing to compare",
                side.label
            ));
            broken = true;
        }
    }
    let (Some(old_model), Some(new_model)) = (&old.checked.model, &new.checked.model) else {
        return Ok(if broken { EXIT_FINDINGS } else { 0 });
    };
    let d = diff::diff(
        Program {
            model: old_model,
            sources: &old.sources,
        },
        Program {
            model: new_model,
            sources: &new.sources,
        },
        &old.label,
        &new.label,
    );
    let text = match format {
        DiffFormat::Text => diff::text(&d),
        DiffFormat::Md => diff::markdown(&d),
        DiffFormat::Json => diff::json(&d)?,
    };
    write_stdout(&text);
    let failed = match fail_on {
        Some(FailOn::Widened) => d.summary.widened,
        Some(FailOn::Changed) => d.summary.changed,
        None => false,
    };
    if failed {
        note(&failure_reason(&d, fail_on == Some(FailOn::Widened)));
    }
    Ok(if failed { EXIT_FINDINGS } else { 0 })
}

/// How many regions a `--fail-on` message names before "and N more".
const NAMED_REGIONS: usize = 3;

/// Why `--fail-on` failed, on stderr, so a CI log says it without the
/// report: the change widens access (naming the first regions newly allowed),
/// or it changes the program's meaning.
fn failure_reason(d: &diff::Diff, widened: bool) -> String {
    let allowed = &d.reachability.newly_allowed;
    if !widened {
        return format!(
            "the change alters the boundary ({} flows added, {} removed, {} changed; {}: failing as `--fail-on changed` asks",
            d.summary.flows_added,
            d.summary.flows_removed,
            d.summary.flows_changed,
            diff::verdict(&d.summary)
        );
    }
    let named: Vec<String> = allowed
        .iter()
        .take(NAMED_REGIONS)
        .map(|region| region.words(&|name| format!("`{name}`")))
        .collect();
    let more = allowed.len().saturating_sub(NAMED_REGIONS);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "the change widens access: {} newly allowed ({}{tail}): failing as `--fail-on widened` asks",
        diff::regions(d.summary.newly_allowed),
        named.join("; ")
    )
}
