//! Writing a build into a directory, all or nothing.
//!
//! Ward owns only the files its manifest lists: a non-empty directory without
//! a manifest is refused, a file Ward did not write is never overwritten, and
//! files Ward wrote earlier and no longer emits are removed. New contents are
//! staged beside their targets first; if staging or any later step fails,
//! every change already made is undone, so on error the directory is as it
//! was.
#![expect(clippy::disallowed_methods, reason = "the CLI is where IO happens")]

use super::io::UsageError;
use crate::output::{self, Files};
use std::io;
use std::path::{Path, PathBuf};

/// The file operations a build needs, so tests can inject failures.
pub trait Disk {
    /// Writes a file, creating its parent directories.
    fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    /// Renames a file over another.
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes a file.
    fn remove(&mut self, path: &Path) -> io::Result<()>;
}

/// The real file system.
pub struct RealDisk;

impl Disk for RealDisk {
    fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    fn remove(&mut self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }
}

/// One file's change: from `old` to `new` (`None`: absent). The new content
/// is borrowed from the build's [`Files`], never copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<'f> {
    /// The path relative to the output directory.
    pub path: String,
    /// The content on disk now.
    pub old: Option<String>,
    /// The content the build wants.
    pub new: Option<&'f str>,
}

fn read(path: &Path) -> Result<Option<String>, UsageError> {
    match std::fs::read(path) {
        // Valid UTF-8 (always, for Ward's files) is taken without a copy.
        Ok(bytes) => Ok(Some(String::from_utf8(bytes).unwrap_or_else(|error| {
            String::from_utf8_lossy(error.as_bytes()).into_owned()
        }))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(UsageError(format!("cannot read `{}`: {e}", path.display()))),
    }
}

/// The changes that would bring `dir` to `files`, refusing what Ward must not
/// touch. Includes only files whose content differs.
pub fn plan_changes<'f>(dir: &Path, files: &'f Files) -> Result<Vec<Change<'f>>, UsageError> {
    let manifest = read(&dir.join(output::MANIFEST))?;
    let owned: Vec<String> = manifest
        .as_deref()
        .map(output::manifest_paths)
        .unwrap_or_default();
    if manifest.is_none() && dir_has_entries(dir)? {
        return Err(UsageError(format!(
            "`{}` is not empty and holds no Ward build (no `{}`); choose a new or empty directory",
            dir.display(),
            output::MANIFEST
        )));
    }
    let mut changes = Vec::new();
    for (path, content) in &files.files {
        let old = read(&dir.join(path))?;
        if old.is_some() && path != output::MANIFEST && !owned.contains(path) {
            return Err(UsageError(format!(
                "refusing to overwrite `{}`: Ward did not write it",
                dir.join(path).display()
            )));
        }
        if old.as_deref() != Some(content.as_str()) {
            changes.push(Change {
                path: path.clone(),
                old,
                new: Some(content.as_str()),
            });
        }
    }
    for path in owned {
        if !files.files.contains_key(&path) {
            if let Some(old) = read(&dir.join(&path))? {
                changes.push(Change {
                    path,
                    old: Some(old),
                    new: None,
                });
            }
        }
    }
    // The manifest goes last, so a build interrupted by force still lists
    // every file it may have written.
    changes.sort_by_key(|c| c.path == output::MANIFEST);
    Ok(changes)
}

fn dir_has_entries(dir: &Path) -> Result<bool, UsageError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(UsageError(format!("cannot read `{}`: {e}", dir.display()))),
    }
}

fn staging_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".ward-tmp");
    target.with_file_name(name)
}

/// Applies `changes` to `dir`, all or nothing.
pub fn apply(dir: &Path, changes: &[Change], disk: &mut dyn Disk) -> Result<(), UsageError> {
    // Stage every new content beside its target.
    let mut staged: Vec<PathBuf> = Vec::new();
    for change in changes {
        if let Some(new) = change.new {
            let tmp = staging_path(&dir.join(&change.path));
            if let Err(e) = disk.write(&tmp, new.as_bytes()) {
                for path in &staged {
                    let _ = disk.remove(path);
                }
                let _ = disk.remove(&tmp);
                return Err(UsageError(format!(
                    "cannot write `{}`: {e}; nothing was changed",
                    tmp.display()
                )));
            }
            staged.push(tmp);
        }
    }
    // Put each in place, undoing on the first failure.
    for (done, change) in changes.iter().enumerate() {
        let target = dir.join(&change.path);
        let result = match &change.new {
            Some(_) => disk.rename(&staging_path(&target), &target),
            None => disk.remove(&target),
        };
        if let Err(e) = result {
            undo(dir, changes.get(..done).unwrap_or_default(), disk);
            for change in changes.iter().skip(done) {
                if change.new.is_some() {
                    let _ = disk.remove(&staging_path(&dir.join(&change.path)));
                }
            }
            return Err(UsageError(format!(
                "cannot update `{}`: {e}; every change was undone",
                target.display()
            )));
        }
    }
    remove_empty_dirs(dir, changes);
    Ok(())
}

fn undo(dir: &Path, applied: &[Change], disk: &mut dyn Disk) {
    for change in applied.iter().rev() {
        let target = dir.join(&change.path);
        let _ = match &change.old {
            Some(old) => disk.write(&target, old.as_bytes()),
            None => disk.remove(&target),
        };
    }
}

fn remove_empty_dirs(dir: &Path, changes: &[Change]) {
    for change in changes.iter().filter(|c| c.new.is_none()) {
        if let Some(parent) = dir.join(&change.path).parent() {
            if parent != dir {
                let _ = std::fs::remove_dir(parent);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    /// Fails the `n`th operation (0-based) and passes the rest to the disk.
    struct FailingDisk {
        n: usize,
        count: usize,
    }

    impl FailingDisk {
        fn tick(&mut self) -> io::Result<()> {
            self.count += 1;
            if self.count - 1 == self.n {
                Err(io::Error::other("injected failure"))
            } else {
                Ok(())
            }
        }
    }

    impl Disk for FailingDisk {
        fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
            self.tick()?;
            RealDisk.write(path, bytes)
        }
        fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
            self.tick()?;
            RealDisk.rename(from, to)
        }
        fn remove(&mut self, path: &Path) -> io::Result<()> {
            self.tick()?;
            RealDisk.remove(path)
        }
    }

    fn files(pairs: &[(&str, &str)]) -> Files {
        let mut files: IndexMap<String, String> = pairs
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        let mut manifest = String::new();
        for path in files.keys() {
            manifest.push_str(path);
            manifest.push('\n');
        }
        files.insert(output::MANIFEST.to_string(), manifest);
        Files { files }
    }

    fn snapshot(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path
                        .strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    out.push((rel, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_failure_at_any_step_leaves_the_directory_as_it_was() {
        let before = files(&[
            ("a/x.yaml", "old x"),
            ("a/stale.yaml", "stale"),
            ("b/y.yaml", "y"),
        ]);
        let after = files(&[
            ("a/x.yaml", "new x"),
            ("b/y.yaml", "y"),
            ("c/z.yaml", "new z"),
        ]);
        for n in 0..12 {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("out");
            let changes = plan_changes(&dir, &before).unwrap();
            apply(&dir, &changes, &mut RealDisk).unwrap();
            let original = snapshot(&dir);
            let changes = plan_changes(&dir, &after).unwrap();
            let result = apply(&dir, &changes, &mut FailingDisk { n, count: 0 });
            if result.is_err() {
                assert_eq!(
                    snapshot(&dir),
                    original,
                    "failure at operation {n} changed the directory"
                );
            } else {
                let expected: Vec<(String, String)> = {
                    let mut v: Vec<_> = after
                        .files
                        .iter()
                        .map(|(p, c)| (p.clone(), c.clone()))
                        .collect();
                    v.sort();
                    v
                };
                assert_eq!(snapshot(&dir), expected);
            }
        }
    }

    #[test]
    fn foreign_files_are_never_touched_and_unknown_directories_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("README.md"), "mine").unwrap();
        assert!(plan_changes(&dir, &files(&[("a/x.yaml", "x")])).is_err());
        // With a manifest, Ward builds beside foreign files but never over them.
        std::fs::write(dir.join(output::MANIFEST), "a/x.yaml\n").unwrap();
        let wanted = files(&[("a/x.yaml", "x")]);
        let changes = plan_changes(&dir, &wanted).unwrap();
        apply(&dir, &changes, &mut RealDisk).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("README.md")).unwrap(),
            "mine"
        );
        assert!(plan_changes(&dir, &files(&[("README.md", "theirs")])).is_err());
    }
}
