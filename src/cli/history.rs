//! `ward history`: the change population of an audit period. Lists the
//! commits that touched the program's path (`git rev-list`, oldest first:
//! only ids, one a line), reads each commit's object for its parents,
//! author, committer and message (so no commit text can add, hide or alter
//! a row), keeps those the [`Period`] holds by committer date, and lists
//! each with its semantic diff against its parent's program; a commit whose
//! program does not compile is listed with its errors. A shallow clone is
//! refused: its history is cut, and a change before the cut would be
//! missing or compared with the wrong program. Programs are cached by their
//! files' blob ids, so a program is compiled once however many commits
//! share it.

use super::git::{CommitObject, parse_commit};
use super::repo::{Repo, locate};
use super::{Failure, UsageError, write_stdout};
use crate::diagnostic::Diagnostic;
use crate::diff::history::{self, Entry, History, Period, Problem};
use crate::diff::{self, Program};
use crate::model::Model;
use crate::source::Sources;
use clap::ValueEnum;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;

/// `ward history`'s output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum HistoryFormat {
    /// Markdown: a table of commits, then each commit's changes.
    Md,
    /// CSV: one row per commit.
    Csv,
    /// JSON, with each commit's full diff.
    Json,
}

/// A program as one commit holds it.
enum Compiled {
    /// No `.ward` file at the path.
    Absent,
    /// It compiles.
    Valid { sources: Sources, model: Box<Model> },
    /// It does not: its errors.
    Broken(Vec<Problem>),
}

/// Reads programs from the repository, each compiled once.
struct Programs<'r> {
    repo: &'r Repo,
    path: &'r str,
    /// By the listing of the program's files (paths and blob ids).
    cache: BTreeMap<String, Rc<Compiled>>,
}

impl Programs<'_> {
    fn at(&mut self, commit: &str) -> Result<Rc<Compiled>, UsageError> {
        let files = self.repo.listing(commit, self.path)?;
        let key: String = files.iter().map(|(n, o)| format!("{n} {o}\n")).collect();
        if let Some(found) = self.cache.get(&key) {
            return Ok(Rc::clone(found));
        }
        let compiled = if files.is_empty() {
            Compiled::Absent
        } else {
            let (sources, checked) = self.repo.compile(&files)?;
            match checked.model {
                Some(model) => Compiled::Valid {
                    sources,
                    model: Box::new(model),
                },
                None => Compiled::Broken(problems(&sources, &checked.diagnostics)),
            }
        };
        let compiled = Rc::new(compiled);
        self.cache.insert(key, Rc::clone(&compiled));
        Ok(compiled)
    }
}

/// Where `ward history` reads programs from: what a commit holds, and the
/// commits that changed the program. [`Programs`] reads them from Git; a
/// test can give them from a table.
trait Revisions {
    /// The program `commit` holds, compiled.
    fn program(&mut self, commit: &str) -> Result<Rc<Compiled>, UsageError>;
    /// The commits that changed the program, along first parents from
    /// `commit` (itself included when it did), newest first.
    fn changes(&mut self, commit: &str) -> Result<Vec<String>, UsageError>;
}

impl Revisions for Programs<'_> {
    fn program(&mut self, commit: &str) -> Result<Rc<Compiled>, UsageError> {
        self.at(commit)
    }

    fn changes(&mut self, commit: &str) -> Result<Vec<String>, UsageError> {
        let spec = if self.path.is_empty() { "." } else { self.path };
        let out = self
            .repo
            .git(&["rev-list", "--first-parent", commit, "--", spec])?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .map(str::to_string)
            .collect())
    }
}

/// The program a commit's change is compared with: its parent's, or when
/// that does not compile the newest earlier change (along first parents)
/// whose program does; `None` when there was no program before.
fn base(
    revisions: &mut impl Revisions,
    parent: &str,
) -> Result<Option<(String, Rc<Compiled>)>, UsageError> {
    let compiled = revisions.program(parent)?;
    match *compiled {
        Compiled::Absent => return Ok(None),
        Compiled::Valid { .. } => return Ok(Some((parent.to_string(), compiled))),
        Compiled::Broken(_) => {}
    }
    // Each change holds the program as that change left it.
    for candidate in revisions.changes(parent)? {
        let compiled = revisions.program(&candidate)?;
        match *compiled {
            Compiled::Absent => return Ok(None),
            Compiled::Valid { .. } => return Ok(Some((candidate, compiled))),
            Compiled::Broken(_) => {}
        }
    }
    Ok(None)
}

/// A compiled program as a side of a diff; `empty` when there is none.
fn side<'a>(compiled: &'a Compiled, empty: Program<'a>) -> Program<'a> {
    match compiled {
        Compiled::Valid { sources, model } => Program { model, sources },
        Compiled::Absent | Compiled::Broken(_) => empty,
    }
}

/// A program's errors, as the history lists them.
fn problems(sources: &Sources, diagnostics: &[Diagnostic]) -> Vec<Problem> {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| Problem {
            code: d.code.as_str().to_string(),
            severity: d.severity().as_str().to_string(),
            location: sources.location(d.primary.span),
            message: d.message.clone(),
        })
        .collect()
}

/// The commits of `HEAD`'s history that touched `spec`, oldest first, as
/// `git log -- SPEC` simplifies history. Only ids: their text is checked.
fn touching(repo: &Repo, spec: &str, first_parent: bool) -> Result<Vec<String>, UsageError> {
    let mut args = vec!["rev-list", "--reverse"];
    if first_parent {
        args.push("--first-parent");
    }
    args.extend(["HEAD", "--", spec]);
    let out = repo.git(&args)?;
    String::from_utf8_lossy(&out)
        .lines()
        .map(|id| {
            if is_object_id(id) {
                Ok(id.to_string())
            } else {
                Err(UsageError(format!(
                    "`git rev-list` wrote `{}`, which is not a commit id",
                    id.escape_debug()
                )))
            }
        })
        .collect()
}

/// 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
fn is_object_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A commit's object, read and parsed.
fn read_commit(repo: &Repo, hash: &str) -> Result<CommitObject, UsageError> {
    let raw = repo.git(&["cat-file", "commit", hash])?;
    parse_commit(&raw).ok_or_else(|| {
        UsageError(format!(
            "commit {hash} has no readable author or committer: refusing to list a history with a commit it cannot date"
        ))
    })
}

/// `ward history`.
pub fn run(
    path: &Path,
    since: Option<String>,
    until: Option<String>,
    first_parent: bool,
    format: HistoryFormat,
) -> Result<u8, Failure> {
    let period =
        Period::parse(since.as_deref(), until.as_deref()).map_err(|e| UsageError(e.to_string()))?;
    let (repo, in_repo) = locate(path)?;
    repo.refuse_shallow()?;
    let spec = if in_repo.is_empty() {
        ".".to_string()
    } else {
        in_repo.clone()
    };
    let ids = touching(&repo, &spec, first_parent)?;
    if ids.is_empty() {
        return Err(UsageError(format!(
            "no commit of `HEAD`{} ever touched `{}`: check the path",
            if first_parent {
                " (along first parents)"
            } else {
                ""
            },
            path.display()
        ))
        .into());
    }
    let mut programs = Programs {
        repo: &repo,
        path: &in_repo,
        cache: BTreeMap::new(),
    };
    let mut h = History::new(&spec, since, until);
    let empty_model = Model::default();
    let empty_sources = Sources::new();
    let empty = Program {
        model: &empty_model,
        sources: &empty_sources,
    };
    for hash in ids {
        let commit = read_commit(&repo, &hash)?;
        if !period.contains(commit.committer.seconds) {
            continue;
        }
        let new = programs.at(&hash)?;
        let base = match (&*new, commit.parents.first()) {
            (Compiled::Broken(_), _) | (_, None) => None,
            (_, Some(parent)) => base(&mut programs, parent)?,
        };
        let (diff, problems) = match &*new {
            Compiled::Broken(problems) => (None, problems.clone()),
            compiled => {
                let old = base.as_ref().map_or(empty, |(_, c)| side(c, empty));
                let old_name = base.as_ref().map_or_else(
                    || "(no program)".to_string(),
                    |(hash, _)| format!("{}:{spec}", history::short(hash)),
                );
                let new_name = format!("{}:{spec}", history::short(&hash));
                let d = diff::diff(old, side(compiled, empty), &old_name, &new_name);
                (Some(d), Vec::new())
            }
        };
        h.commits.push(Entry {
            status: history::status(diff.as_ref()),
            base: base.map(|(hash, _)| hash),
            commit: hash,
            parents: commit.parents,
            author: commit.author.name,
            email: commit.author.email,
            author_date: commit.author.date,
            commit_date: commit.committer.date,
            subject: commit.subject,
            body: commit.body,
            diff,
            problems,
        });
    }
    let text = match format {
        HistoryFormat::Md => history::markdown(&h),
        HistoryFormat::Csv => history::csv(&h),
        HistoryFormat::Json => history::json(&h)?,
    };
    write_stdout(&text);
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::{Compiled, Revisions, UsageError, base};
    use crate::diff::history::Problem;
    use crate::model::Model;
    use crate::source::Sources;
    use std::collections::BTreeMap;
    use std::rc::Rc;

    /// A history as a table: what each commit holds, and the commits that
    /// changed the program, oldest first, on one line.
    struct Table {
        held: BTreeMap<&'static str, Rc<Compiled>>,
        line: Vec<&'static str>,
    }

    impl Revisions for Table {
        fn program(&mut self, commit: &str) -> Result<Rc<Compiled>, UsageError> {
            self.held
                .get(commit)
                .cloned()
                .ok_or_else(|| UsageError(format!("no commit {commit}")))
        }

        fn changes(&mut self, commit: &str) -> Result<Vec<String>, UsageError> {
            let end = self
                .line
                .iter()
                .position(|c| *c == commit)
                .map_or(0, |i| i + 1);
            Ok(self.line[..end]
                .iter()
                .rev()
                .map(|c| (*c).to_string())
                .collect())
        }
    }

    fn valid() -> Rc<Compiled> {
        Rc::new(Compiled::Valid {
            sources: Sources::new(),
            model: Box::new(Model::default()),
        })
    }

    fn broken() -> Rc<Compiled> {
        Rc::new(Compiled::Broken(vec![Problem {
            code: "E0103".to_string(),
            severity: "error".to_string(),
            location: "policy/a.ward:1".to_string(),
            message: "broken".to_string(),
        }]))
    }

    fn table(commits: &[(&'static str, Rc<Compiled>)]) -> Table {
        Table {
            held: commits.iter().cloned().collect(),
            line: commits.iter().map(|(c, _)| *c).collect(),
        }
    }

    fn based(table: &mut Table, parent: &str) -> Option<String> {
        base(table, parent).unwrap().map(|(commit, _)| commit)
    }

    #[test]
    fn the_base_is_the_newest_earlier_program_that_compiles() {
        let mut t = table(&[
            ("a", valid()),
            ("b", valid()),
            ("c", broken()),
            ("d", broken()),
        ]);
        assert_eq!(based(&mut t, "b").as_deref(), Some("b"));
        assert_eq!(based(&mut t, "d").as_deref(), Some("b"));
        let mut never = table(&[("a", broken()), ("b", broken())]);
        assert_eq!(based(&mut never, "b"), None);
        // A program that was removed before the broken one: nothing before.
        let mut removed = table(&[
            ("a", valid()),
            ("b", Rc::new(Compiled::Absent)),
            ("c", broken()),
        ]);
        assert_eq!(based(&mut removed, "c"), None);
        assert_eq!(based(&mut removed, "b"), None);
    }
}
