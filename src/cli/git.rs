//! Where the sources come from: the Git commit and whether the work tree is
//! dirty, for the matrix header. Asks the `git` command line; outside a
//! work tree (or without git) the answer is simply unknown.
#![expect(clippy::disallowed_methods, reason = "the CLI runs git")]

use crate::matrix::Provenance;
use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The commit and dirty state of the work tree holding `paths`.
pub fn provenance(paths: &[PathBuf], generated_at: Option<String>) -> Provenance {
    let dir = paths
        .first()
        .map(|p| {
            if p.is_dir() {
                p.clone()
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        })
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p
            }
        })
        .unwrap_or_else(|| PathBuf::from("."));
    let commit = git(&dir, &["rev-parse", "HEAD"]);
    let dirty = commit.is_some()
        && git(&dir, &["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|s| !s.is_empty());
    Provenance {
        commit,
        dirty,
        generated_at,
    }
}
