//! `ward diff`: what a change does to the boundary, between two programs
//! each read from the work tree or from a Git revision (`REV:PATH`), and the
//! Git access `ward history` shares: finding a path in its repository and
//! reading a program as a revision holds it (`git ls-tree`, `git cat-file`).
//! Sources read from Git are named by their path in the repository, so
//! locations read the same on both sides.
#![expect(
    clippy::disallowed_methods,
    reason = "the CLI runs git and reads the work tree"
)]

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

/// A Git work tree, by its top-level directory.
pub struct Repo {
    top: PathBuf,
}

impl Repo {
    /// The repository holding `dir`.
    pub fn at(dir: &Path) -> Result<Self, UsageError> {
        let top = super::git::run(dir, &["rev-parse", "--show-toplevel"])?;
        Ok(Self {
            top: PathBuf::from(String::from_utf8_lossy(&top).trim()),
        })
    }

    /// Runs git at the top of the work tree and returns its stdout.
    pub fn git(&self, args: &[&str]) -> Result<Vec<u8>, UsageError> {
        super::git::run(&self.top, args)
    }

    /// Refuses a shallow clone: its history is cut, so a change before the
    /// cut would be missing and the first commit after it compared with
    /// the wrong program.
    pub fn refuse_shallow(&self) -> Result<(), UsageError> {
        let out = self.git(&["rev-parse", "--is-shallow-repository"])?;
        if String::from_utf8_lossy(&out).trim() == "false" {
            return Ok(());
        }
        Err(UsageError(format!(
            "`{}` is a shallow clone: its history is cut, so the change population would be incomplete; fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` in CI) and run again",
            self.top.display()
        )))
    }

    /// The full hash of the commit `rev` names.
    pub fn commit(&self, rev: &str) -> Result<String, UsageError> {
        let spec = format!("{rev}^{{commit}}");
        self.git(&["rev-parse", "--verify", "--quiet", &spec])
            .map(|out| String::from_utf8_lossy(&out).trim().to_string())
            .map_err(|_| UsageError(format!("`{rev}` is not a commit of this repository")))
    }

    /// The program's files at `rev`: `(path in the repository, blob id)`,
    /// sorted. `path` names a file, or a directory whose `.ward` files
    /// (recursively) make the program; `""` is the whole repository.
    pub fn listing(&self, rev: &str, path: &str) -> Result<Vec<(String, String)>, UsageError> {
        let spec = if path.is_empty() { "." } else { path };
        let out = self.git(&["ls-tree", "-r", "-z", rev, "--", spec])?;
        let mut files = Vec::new();
        for entry in out.split(|b| *b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            let Some((meta, name)) = entry.split_once('\t') else {
                continue;
            };
            let mut parts = meta.split(' ');
            let (Some(_mode), Some("blob"), Some(oid)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let inside = path.is_empty() || name.starts_with(&format!("{path}/"));
            if name == path || (inside && name.ends_with(".ward")) {
                files.push((name.to_string(), oid.to_string()));
            }
        }
        files.sort();
        Ok(files)
    }

    /// Reads the files of a listing into sources named by their paths and
    /// checks them; when a file is not UTF-8, the result is a diagnostic
    /// for each such file and no model.
    pub fn compile(&self, files: &[(String, String)]) -> Result<(Sources, Checked), UsageError> {
        let mut sources = Sources::new();
        let mut encoding = Vec::new();
        for (name, oid) in files {
            let bytes = self.git(&["cat-file", "blob", oid])?;
            encoding.extend(crate::add_file(&mut sources, name.clone(), bytes));
        }
        let checked = crate::compile_read(&sources, encoding);
        Ok((sources, checked))
    }
}

/// `a/./b/../c/` as `a/c`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// A work-tree path (that may no longer exist) as its repository and its
/// path in that repository.
pub fn locate(path: &Path) -> Result<(Repo, String), UsageError> {
    let mut anchor = path.to_path_buf();
    let mut rest: Vec<String> = Vec::new();
    while !anchor.is_dir() {
        match (anchor.file_name(), anchor.parent()) {
            (Some(name), Some(parent)) => {
                rest.insert(0, name.to_string_lossy().into_owned());
                anchor = parent.to_path_buf();
            }
            _ => break,
        }
        if anchor.as_os_str().is_empty() {
            anchor = PathBuf::from(".");
        }
    }
    if rest.iter().any(|part| part == "..") {
        return Err(UsageError(format!(
            "cannot find `{}` in a work tree",
            path.display()
        )));
    }
    let repo = Repo::at(&anchor)?;
    let prefix = super::git::run(&anchor, &["rev-parse", "--show-prefix"])?;
    let prefix = String::from_utf8_lossy(&prefix).trim().to_string();
    Ok((repo, normalize(&format!("{prefix}/{}", rest.join("/")))))
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

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalizes_paths_lexically() {
        assert_eq!(normalize("a/./b/../c/"), "a/c");
        assert_eq!(normalize("/policy/"), "policy");
        assert_eq!(normalize("./"), "");
    }
}
