//! The change population of an audit period: every commit that changed a
//! program, with its author, date and message, and the semantic [`Diff`]
//! against the program before it, or the problems that kept it from
//! compiling.
//!
//! This module owns the [`History`] (plain data: the CLI walks Git, reads
//! each commit's program and builds the entries) and its renderings:
//! [`markdown`], [`csv`] (one row per commit, stable [`COLUMNS`]) and
//! [`json`]. It must not run Git or read the clock: the same entries give
//! the same bytes.
//!
//! # JSON
//!
//! ```text
//! { "format_version": 1,
//!   "path": "policy/", "since": null | "2024-01-01", "until": null | "...",
//!   "commits": [                                   // oldest first
//!     { "commit": "<sha>", "parents": ["<sha>"],
//!       "base": null | "<sha>",      // the commit whose program it is compared with
//!       "author": "...", "email": "...",
//!       "author_date": "2024-01-02T10:00:00+00:00", "commit_date": "...",
//!       "subject": "...", "body": "...",
//!       "status": "changed" | "unchanged" | "broken",
//!       "diff": null | DIFF,         // the `ward diff` JSON (see `ward::diff`)
//!       "problems": [ { "code": "E0402", "severity": "error",
//!                       "location": "policy/a.ward:10", "message": "..." } ] } ] }
//! ```
//!
//! `base` is the first parent, or an earlier commit when the parent's
//! program does not compile, or `null` when there was no program before
//! (everything is then added).

mod csv;
mod markdown;
mod period;

pub use csv::{COLUMNS, csv};
pub use markdown::markdown;
pub use period::{Period, PeriodError};

use super::region::Region;
use super::{Diff, FORMAT_VERSION, Field as _};
use serde::Serialize;

/// Every commit that changed a program over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The program's path in the repository.
    pub path: String,
    /// The start of the period, as given (see [`Period`]).
    pub since: Option<String>,
    /// The end of the period, as given.
    pub until: Option<String>,
    /// The commits, oldest first.
    pub commits: Vec<Entry>,
}

impl History {
    /// A history of `path` over a period, with no commits yet.
    pub fn new(path: &str, since: Option<String>, until: Option<String>) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            path: path.to_string(),
            since,
            until,
            commits: Vec::new(),
        }
    }
}

/// One commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The commit's full hash.
    pub commit: String,
    /// Its parents' hashes (the first is the one it is compared with).
    pub parents: Vec<String>,
    /// The commit whose program this one is compared with.
    pub base: Option<String>,
    /// The author's name.
    pub author: String,
    /// The author's email.
    pub email: String,
    /// When it was written (the author date), ISO 8601.
    pub author_date: String,
    /// When it was committed (the committer date, which the [`Period`]
    /// selects by), ISO 8601.
    pub commit_date: String,
    /// The first line of the message.
    pub subject: String,
    /// The rest of the message.
    pub body: String,
    /// `changed`, `unchanged` (no change of meaning) or `broken`.
    pub status: &'static str,
    /// The semantic diff, unless the program does not compile.
    pub diff: Option<Diff>,
    /// Why the program does not compile (errors only).
    pub problems: Vec<Problem>,
}

/// A diagnostic of a commit whose program does not compile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The code (`E0402`).
    pub code: String,
    /// `error`.
    pub severity: String,
    /// `file:line`.
    pub location: String,
    /// The one-line message.
    pub message: String,
}

/// An entry's status for a diff, or for a program that does not compile.
pub fn status(diff: Option<&Diff>) -> &'static str {
    match diff {
        Some(d) if d.summary.changed => "changed",
        Some(_) => "unchanged",
        None => "broken",
    }
}

/// A short hash, as people read them.
pub fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// One change of an entry: `added flow` `a -> b`, `changed service`
/// `ns.svc` ` (selector)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What happened to what kind of item.
    pub what: String,
    /// The item.
    pub name: String,
    /// More about it, starting with a space (may be empty).
    pub detail: String,
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}{}", self.what, self.name, self.detail)
    }
}

/// One line per changed item of a diff, for Markdown bullets and the CSV's
/// `changes` column, in the order the diff lists them.
pub fn change_lines(d: &Diff) -> Vec<Line> {
    fn kind<T: super::Item>(lines: &mut Vec<Line>, what: &str, changes: &[super::Change<T>]) {
        for change in changes {
            let detail = if change.fields.is_empty() {
                String::new()
            } else {
                let names: Vec<&str> = change.fields.iter().map(|f| f.name()).collect();
                format!(" ({})", names.join(", "))
            };
            lines.push(Line {
                what: format!("{} {what}", change.status.as_str()),
                name: change.name.clone(),
                detail,
            });
        }
    }
    let mut lines = Vec::new();
    kind(&mut lines, "flow", &d.flows);
    kind(&mut lines, "namespace", &d.namespaces);
    kind(&mut lines, "service", &d.services);
    kind(&mut lines, "external", &d.externals);
    kind(&mut lines, "deny", &d.invariants);
    kind(&mut lines, "control", &d.controls);
    for (name, edit) in [("system", &d.system), ("baseline controls", &d.baseline)] {
        if let Some(edit) = edit {
            lines.push(Line {
                what: "changed".to_string(),
                name: name.to_string(),
                detail: format!(": {} -> {}", edit.old, edit.new),
            });
        }
    }
    lines
}

/// Every region of connections newly allowed, then newly blocked, each
/// with what happened to it (`newly allowed`).
pub fn region_lines(d: &Diff) -> Vec<(&'static str, &Region)> {
    let allowed = d.reachability.newly_allowed.iter();
    let blocked = d.reachability.newly_blocked.iter();
    allowed
        .map(|r| ("newly allowed", r))
        .chain(blocked.map(|r| ("newly blocked", r)))
        .collect()
}

/// The history as pretty-printed JSON with a final newline.
pub fn json(history: &History) -> Result<String, crate::error::SerializeError> {
    let mut text =
        serde_json::to_string_pretty(history).map_err(crate::error::SerializeError::new)?;
    text.push('\n');
    Ok(text)
}
