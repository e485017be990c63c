//! `ward history`: the change population of an audit period. Walks `git
//! log` for the program's path (oldest first), reads each commit's program
//! and its parent's as the commits hold them, and lists every commit with
//! its semantic diff; a commit whose program does not compile is listed
//! with its errors. Programs are cached by their files' blob ids, so a
//! program is compiled once however many commits share it.

use super::diff::{Repo, locate};
use super::{UsageError, write_stdout};
use crate::diagnostic::Diagnostic;
use crate::diff::history::{self, Entry, History, Problem};
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

/// The fields `git log` writes per commit, separated by US, ended by RS.
const LOG_FORMAT: &str = "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%s%x1f%b%x1e";

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

    /// The program a commit's change is compared with: its parent's, or
    /// when that does not compile the newest earlier change (along first
    /// parents) whose program does; `None` when there was no program
    /// before.
    fn base(&mut self, parent: &str) -> Result<Option<(String, Rc<Compiled>)>, UsageError> {
        let compiled = self.at(parent)?;
        match *compiled {
            Compiled::Absent => return Ok(None),
            Compiled::Valid { .. } => return Ok(Some((parent.to_string(), compiled))),
            Compiled::Broken(_) => {}
        }
        let spec = if self.path.is_empty() { "." } else { self.path };
        let out = self
            .repo
            .git(&["rev-list", "--first-parent", parent, "--", spec])?;
        // The commits that changed the program, newest first: each holds
        // the program as that change left it.
        for candidate in String::from_utf8_lossy(&out).lines() {
            let compiled = self.at(candidate)?;
            match *compiled {
                Compiled::Absent => return Ok(None),
                Compiled::Valid { .. } => return Ok(Some((candidate.to_string(), compiled))),
                Compiled::Broken(_) => {}
            }
        }
        Ok(None)
    }
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

/// One commit as `git log` describes it.
struct Commit {
    hash: String,
    parents: Vec<String>,
    author: String,
    email: String,
    author_date: String,
    commit_date: String,
    subject: String,
    body: String,
}

fn commits(log: &[u8]) -> Vec<Commit> {
    String::from_utf8_lossy(log)
        .split('\x1e')
        .filter_map(|record| {
            let record = record.trim_start_matches('\n');
            let mut fields = record.split('\x1f');
            Some(Commit {
                hash: fields.next().filter(|h| !h.is_empty())?.to_string(),
                parents: fields
                    .next()?
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                author: fields.next()?.to_string(),
                email: fields.next()?.to_string(),
                author_date: fields.next()?.to_string(),
                commit_date: fields.next()?.to_string(),
                subject: fields.next()?.to_string(),
                body: fields.next()?.trim_end().to_string(),
            })
        })
        .collect()
}

/// `ward history`.
pub fn run(
    path: &Path,
    since: Option<String>,
    until: Option<String>,
    first_parent: bool,
    format: HistoryFormat,
) -> Result<u8, UsageError> {
    let (repo, in_repo) = locate(path)?;
    let spec = if in_repo.is_empty() {
        ".".to_string()
    } else {
        in_repo.clone()
    };
    // Configuration that would add to the output (signatures, colour) is off.
    let mut args: Vec<String> = [
        "log",
        "--no-color",
        "--no-show-signature",
        "--reverse",
        LOG_FORMAT,
    ]
    .map(String::from)
    .to_vec();
    if first_parent {
        args.push("--first-parent".to_string());
    }
    if let Some(since) = &since {
        args.push(format!("--since={since}"));
    }
    if let Some(until) = &until {
        args.push(format!("--until={until}"));
    }
    args.extend(["--".to_string(), spec.clone()]);
    let log = repo.git(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
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
    for commit in commits(&log) {
        let new = programs.at(&commit.hash)?;
        let base = match (&*new, commit.parents.first()) {
            (Compiled::Broken(_), _) | (_, None) => None,
            (_, Some(parent)) => programs.base(parent)?,
        };
        let (diff, problems) = match &*new {
            Compiled::Broken(problems) => (None, problems.clone()),
            compiled => {
                let old = base.as_ref().map_or(empty, |(_, c)| side(c, empty));
                let old_name = base.as_ref().map_or_else(
                    || "(no program)".to_string(),
                    |(hash, _)| format!("{}:{spec}", history::short(hash)),
                );
                let new_name = format!("{}:{spec}", history::short(&commit.hash));
                let d =
                    diff::diff(old, side(compiled, empty), &old_name, &new_name).map_err(|e| {
                        UsageError(format!(
                            "the policies of {} could not be simulated: {e}",
                            commit.hash
                        ))
                    })?;
                (Some(d), Vec::new())
            }
        };
        h.commits.push(Entry {
            status: history::status(diff.as_ref()),
            base: base.map(|(hash, _)| hash),
            commit: commit.hash,
            parents: commit.parents,
            author: commit.author,
            email: commit.email,
            author_date: commit.author_date,
            commit_date: commit.commit_date,
            subject: commit.subject,
            body: commit.body,
            diff,
            problems,
        });
    }
    let text = match format {
        HistoryFormat::Md => history::markdown(&h),
        HistoryFormat::Csv => history::csv(&h),
        HistoryFormat::Json => history::json(&h)
            .map_err(|e| UsageError(format!("cannot serialize the history: {e}")))?,
    };
    write_stdout(&text);
    Ok(0)
}
