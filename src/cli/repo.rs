//! A Git work tree and the programs its revisions hold, as `ward diff` and
//! `ward history` read them: finding a path in its repository and reading a
//! program as a revision holds it (`git ls-tree`, `git cat-file`). Sources
//! read from Git are named by their path in the repository, so locations
//! read the same on both sides of a comparison.
#![expect(
    clippy::disallowed_methods,
    reason = "the CLI runs git and reads the work tree"
)]

use super::UsageError;
use crate::check::Checked;
use crate::source::Sources;
use std::path::{Path, PathBuf};

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
pub fn normalize(path: &str) -> String {
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
