//! The build directory `ward build -o` writes: what Ward owns in it (the
//! manifest, checked line by line), the links it refuses, the lock two
//! builds share, and the transaction that brings it to a new build.
//!
//! Ward never follows a symbolic link below the directory: every component
//! of every path it writes, reads or removes is checked with
//! `symlink_metadata`, and a link where Ward expects its own file or
//! directory is refused. The directory itself may not be a link either.
#![expect(clippy::disallowed_methods, reason = "the CLI is where IO happens")]

use super::io::same_as;
use super::io::{UsageError, read_regular, refuse_link, same_content};
use super::write::{Content, Op, Render, Staging, Transaction};
use crate::output::{self, Files};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// A file of a build: text held in memory (the policies, the
/// kustomization, the manifest), or made as it is written (the matrix
/// files, which are most of a large build's bytes: they are made once to
/// compare with the file on disk and once more to stage, never held whole).
pub enum BuildFile<'m> {
    /// Text held in memory.
    Text(String),
    /// Made as it is written.
    Streamed(Box<Render<'m>>),
}

impl From<String> for BuildFile<'_> {
    fn from(text: String) -> Self {
        BuildFile::Text(text)
    }
}

impl BuildFile<'_> {
    /// The content, to stage.
    pub fn content(&self) -> Content<'_> {
        match self {
            BuildFile::Text(text) => Content::Bytes(text.as_bytes()),
            BuildFile::Streamed(render) => Content::Stream(render.as_ref()),
        }
    }
}

impl std::fmt::Debug for BuildFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.content().fmt(f)
    }
}

/// One file's change: `old` whether it exists now, `new` its content after
/// the build (`None`: removed). The content is borrowed from the build.
#[derive(Debug)]
pub struct Change<'f> {
    /// The path relative to the output directory.
    pub path: String,
    /// Whether the file exists now.
    pub old: bool,
    /// The content the build wants.
    pub new: Option<&'f BuildFile<'f>>,
}

/// The changes that bring `dir` to `files`, and the directories to create
/// for them (parents first), refusing what Ward must not touch: a manifest
/// line that is not a plain path below `dir`, a link anywhere below it, a
/// file Ward did not write. Includes only files whose content differs.
pub fn plan<'f>(
    dir: &Path,
    files: &'f Files<BuildFile<'f>>,
) -> Result<(Vec<Change<'f>>, Vec<PathBuf>), UsageError> {
    let mut walk = Walk::new(dir)?;
    let manifest_path = dir.join(output::MANIFEST);
    let manifest =
        read_regular(&manifest_path)?.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let owned = match &manifest {
        Some(text) => output::manifest_paths(text).map_err(|bad| {
            UsageError(format!(
                "`{}` line {} lists `{}`, which Ward never writes: {}; restore the manifest Ward wrote (or empty the directory) and build again",
                manifest_path.display(),
                bad.line,
                bad.entry.escape_debug(),
                bad.reason
            ))
        })?,
        None => Vec::new(),
    };
    if manifest.is_none() && walk.exists && has_foreign_entries(dir)? {
        return Err(UsageError(format!(
            "`{}` is not empty and holds no Ward build (no `{}`); choose a new or empty directory",
            dir.display(),
            output::MANIFEST
        )));
    }
    let mut changes = Vec::new();
    for (path, content) in &files.files {
        if let Some(problem) = output::path_problem(path).filter(|_| path != output::MANIFEST) {
            return Err(UsageError(format!("the build names `{path}`: {problem}")));
        }
        let old = walk.same(path, content.content(), true)?;
        if old.is_some() && path != output::MANIFEST && !owned.contains(path) {
            return Err(UsageError(format!(
                "refusing to overwrite `{}`: Ward did not write it",
                dir.join(path).display()
            )));
        }
        if old != Some(true) {
            changes.push(Change {
                path: path.clone(),
                old: old.is_some(),
                new: Some(content),
            });
        }
    }
    for path in owned {
        if !files.files.contains_key(&path)
            && walk.same(&path, Content::Bytes(&[]), false)?.is_some()
        {
            changes.push(Change {
                path,
                old: true,
                new: None,
            });
        }
    }
    // The manifest goes last, so a reader between two steps never sees it
    // list less than what is there.
    changes.sort_by_key(|c| c.path == output::MANIFEST);
    Ok((changes, walk.missing))
}

/// Creates the build directory if it does not exist (refusing a link);
/// `true` when it was created.
pub fn create(dir: &Path) -> Result<bool, UsageError> {
    if Walk::new(dir)?.exists {
        return Ok(false);
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| UsageError(format!("cannot create `{}`: {e}", dir.display())))?;
    Ok(true)
}

/// Removes a build directory [`create`] made, if nothing was written to it.
pub fn remove_created(dir: &Path) {
    let _ = std::fs::remove_dir(dir);
}

/// The transaction that applies `changes` to `dir`.
pub fn transaction<'f>(dir: &Path, changes: &[Change<'f>], dirs: Vec<PathBuf>) -> Transaction<'f> {
    // The directories of removed files, children first: removed if empty.
    let mut emptied: Vec<PathBuf> = changes
        .iter()
        .filter(|c| c.new.is_none())
        .flat_map(|c| {
            let parents: Vec<&str> = c.path.split('/').collect();
            (1..parents.len())
                .map(move |n| dir.join(parents.get(..n).unwrap_or_default().join("/")))
        })
        .collect();
    emptied.sort_by(|a, b| {
        b.components()
            .count()
            .cmp(&a.components().count())
            .then(a.cmp(b))
    });
    emptied.dedup();
    Transaction {
        staging: Staging::Journal {
            root: dir.to_path_buf(),
        },
        dirs,
        emptied,
        ops: changes
            .iter()
            .map(|c| Op {
                target: dir.join(&c.path),
                old: c.old,
                new: c.new.map(BuildFile::content),
                old_copy: None,
                permissions: None,
            })
            .collect(),
    }
}

/// The content of a file Ward owns in `dir` (for `--check`'s report).
pub fn read_owned(dir: &Path, path: &str) -> Result<Option<String>, UsageError> {
    Walk::new(dir)?
        .file(path)
        .map(|bytes| bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
}

/// Walks paths below the build directory, checking every component once.
struct Walk<'d> {
    root: &'d Path,
    exists: bool,
    /// Directory -> whether it exists (links and files refused).
    dirs: BTreeMap<PathBuf, bool>,
    /// The directories to create, parents first.
    missing: Vec<PathBuf>,
}

impl<'d> Walk<'d> {
    fn new(root: &'d Path) -> Result<Self, UsageError> {
        let exists = match std::fs::symlink_metadata(root) {
            Ok(metadata) => {
                if metadata.file_type().is_symlink() {
                    let target = super::io::link_target(root);
                    return Err(UsageError(format!(
                        "the output directory `{}` is a symbolic link{target}; Ward writes only into a real directory: give the directory itself",
                        root.display()
                    )));
                }
                if !metadata.is_dir() {
                    return Err(UsageError(format!(
                        "`{}` is not a directory",
                        root.display()
                    )));
                }
                true
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(UsageError(format!("cannot read `{}`: {e}", root.display()))),
        };
        Ok(Walk {
            root,
            exists,
            dirs: BTreeMap::new(),
            missing: Vec::new(),
        })
    }

    /// The full path of `path` when its directory exists (`None`: it is
    /// absent), having checked that no directory on the way is a link; with
    /// `create`, notes the missing directories.
    fn locate(&mut self, path: &str, create: bool) -> Result<Option<PathBuf>, UsageError> {
        let mut dir = self.root.to_path_buf();
        let mut present = self.exists;
        let components: Vec<&str> = path.split('/').collect();
        let (name, parents) = components.split_last().unwrap_or((&"", &[]));
        for part in parents {
            dir.push(part);
            present = match self.dirs.get(&dir) {
                Some(known) => *known,
                None => {
                    let known = present && self.check_dir(&dir)?;
                    self.dirs.insert(dir.clone(), known);
                    if !known && create {
                        self.missing.push(dir.clone());
                    }
                    known
                }
            };
        }
        Ok(present.then(|| dir.join(name)))
    }

    /// Reads `path`'s bytes (`None`: absent), never through a link.
    fn file(&mut self, path: &str) -> Result<Option<Vec<u8>>, UsageError> {
        match self.locate(path, false)? {
            Some(full) => read_regular(&full),
            None => Ok(None),
        }
    }

    /// Whether `path` holds exactly `expected` (`None`: absent), never
    /// through a link, reading it a block at a time.
    fn same(
        &mut self,
        path: &str,
        expected: Content<'_>,
        create: bool,
    ) -> Result<Option<bool>, UsageError> {
        match (self.locate(path, create)?, expected) {
            (Some(full), Content::Bytes(bytes)) => same_content(&full, bytes),
            (Some(full), Content::Stream(render)) => same_as(&full, None, render),
            (None, _) => Ok(None),
        }
    }

    fn check_dir(&self, dir: &Path) -> Result<bool, UsageError> {
        match std::fs::symlink_metadata(dir) {
            Ok(metadata) => {
                refuse_link(dir, &metadata, "a directory")?;
                if metadata.is_dir() {
                    Ok(true)
                } else {
                    Err(UsageError(format!(
                        "`{}` is not a directory where Ward writes one; move it away",
                        dir.display()
                    )))
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(UsageError(format!("cannot read `{}`: {e}", dir.display()))),
        }
    }
}

/// Whether `dir` holds anything but Ward's lock and staging directory.
fn has_foreign_entries(dir: &Path) -> Result<bool, UsageError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| UsageError(format!("cannot read `{}`: {e}", dir.display())))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| UsageError(format!("cannot read `{}`: {e}", dir.display())))?;
        let name = entry.file_name();
        if name != output::LOCK && name != output::STAGING {
            return Ok(true);
        }
    }
    Ok(false)
}

/// How long a build waits for another to release the directory, in tenths
/// of a second.
const LOCK_TRIES: u32 = 600;

/// The lock on a build directory, held while a build reads and writes it;
/// the lock file is removed when it is released.
pub struct Lock {
    path: PathBuf,
    _file: File,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held: a build waiting on this file sees it
        // gone once it gets the lock, and takes a new one.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Takes the lock on `dir` (which exists), waiting up to a minute for
/// another build to release it.
pub fn lock(dir: &Path) -> Result<Lock, UsageError> {
    let path = dir.join(output::LOCK);
    let cannot = |e: io::Error| UsageError(format!("cannot lock `{}`: {e}", path.display()));
    for attempt in 0..LOCK_TRIES {
        if let Ok(metadata) = std::fs::symlink_metadata(&path) {
            refuse_link(&path, &metadata, "a lock file")?;
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        super::write::no_follow(&mut options);
        let file = options.open(&path).map_err(cannot)?;
        if fs4::fs_std::FileExt::try_lock_exclusive(&file).map_err(cannot)? {
            if same_file(&file, &path) {
                return Ok(Lock { path, _file: file });
            }
            continue;
        }
        if attempt == 0 {
            super::note(&format!(
                "waiting for another `ward build` to finish writing {}",
                dir.display()
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(UsageError(format!(
        "another `ward build` has been writing `{}` for a minute (it holds `{}`); try again when it finishes",
        dir.display(),
        path.display()
    )))
}

/// Whether the open lock file is still the one at `path` (the build that
/// held it may have removed it in the meantime).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Outside Unix an open file cannot be removed, so it is always the one.
#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}
