//! Replacing a set of files all at once or not at all: the transaction
//! behind `ward build -o` and `ward fmt` (decision 0011).
//!
//! A transaction stages every new content in a file it creates itself
//! (exclusively, never through a symbolic link) and syncs it; then, for a
//! build, it writes and syncs a journal; then it moves each file it replaces
//! aside and each new one into place, creating the directories it needs. On
//! any failure the same undo runs: every file put aside goes back, every new
//! file and directory goes. A build that was killed leaves its journal, and
//! the next build undoes it from there before it starts ([`recover`]), so a
//! reader after any run sees either the old build or the new one. The
//! transaction commits when its journal is removed.
#![expect(clippy::disallowed_methods, reason = "the CLI is where IO happens")]

use super::io::UsageError;
use crate::output;
use std::fs::{OpenOptions, Permissions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Content made as it is written, never held whole (the matrix files of a
/// large build): it writes itself to the writer it is given, and may be
/// called more than once (to compare with the file on disk, then to stage).
pub type Render<'a> = dyn Fn(&mut dyn Write) -> io::Result<()> + 'a;

/// A new file's content: bytes held in memory, or made as it is written.
#[derive(Clone, Copy)]
pub enum Content<'a> {
    /// Bytes held in memory.
    Bytes(&'a [u8]),
    /// Made as it is written.
    Stream(&'a Render<'a>),
}

impl Content<'_> {
    /// Writes the content to `out`.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Content::Bytes(bytes) => out.write_all(bytes),
            Content::Stream(render) => render(out),
        }
    }
}

impl std::fmt::Debug for Content<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Content::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Content::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// The file operations a transaction makes, so tests can inject failures
/// and crashes. Reads are not among them: they change nothing.
pub trait Disk {
    /// Creates a new file (never through a symbolic link, never over an
    /// existing entry), writes `content` and sets `permissions`.
    fn create(
        &mut self,
        path: &Path,
        content: Content<'_>,
        permissions: Option<&Permissions>,
    ) -> io::Result<()>;
    /// Creates one directory.
    fn create_dir(&mut self, path: &Path) -> io::Result<()>;
    /// Renames an entry over another (a symbolic link is moved, not followed).
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes a file or a symbolic link.
    fn remove_file(&mut self, path: &Path) -> io::Result<()>;
    /// Removes an empty directory.
    fn remove_dir(&mut self, path: &Path) -> io::Result<()>;
    /// Makes the files' contents and the directories' entries durable.
    fn sync(&mut self, files: &[PathBuf], dirs: &[&Path]) -> io::Result<()>;
}

/// The real file system.
pub struct RealDisk;

impl Disk for RealDisk {
    fn create(
        &mut self,
        path: &Path,
        content: Content<'_>,
        permissions: Option<&Permissions>,
    ) -> io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        no_follow(&mut options);
        let mut out = io::BufWriter::with_capacity(1 << 16, options.open(path)?);
        content.write_to(&mut out)?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions.clone())?;
        }
        Ok(())
    }

    fn create_dir(&mut self, path: &Path) -> io::Result<()> {
        std::fs::create_dir(path)
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }

    fn remove_dir(&mut self, path: &Path) -> io::Result<()> {
        std::fs::remove_dir(path)
    }

    fn sync(&mut self, files: &[PathBuf], dirs: &[&Path]) -> io::Result<()> {
        sync(files, dirs)
    }
}

/// The real file system, with `before` called ahead of every operation
/// with its number (from 0): where test hooks crash, pause or fail.
pub struct Hooked<F> {
    count: usize,
    before: F,
}

impl<F: FnMut(usize) -> io::Result<()>> Hooked<F> {
    /// The real disk with `before` ahead of each operation.
    pub fn new(before: F) -> Self {
        Hooked { count: 0, before }
    }

    fn tick(&mut self) -> io::Result<()> {
        self.count += 1;
        (self.before)(self.count - 1)
    }
}

/// The disk a build writes with: the real one, unless a test hook is set
/// in the environment: `WARD_FAULT_AFTER=N` aborts the process right before
/// its `N`th file operation (from 0), as a kill would; `WARD_PAUSE_AFTER=N`
/// sleeps five seconds there instead. Only Ward's own tests set them (see
/// `tests/write_safety.rs`).
pub fn build_disk() -> Hooked<impl FnMut(usize) -> io::Result<()>> {
    let hook = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    let (crash, pause): (Option<usize>, Option<usize>) =
        (hook("WARD_FAULT_AFTER"), hook("WARD_PAUSE_AFTER"));
    Hooked::new(move |step| {
        if crash == Some(step) {
            std::process::abort();
        }
        if pause == Some(step) {
            std::thread::sleep(std::time::Duration::from_secs(5));
        }
        Ok(())
    })
}

impl<F: FnMut(usize) -> io::Result<()>> Disk for Hooked<F> {
    fn create(&mut self, path: &Path, c: Content<'_>, p: Option<&Permissions>) -> io::Result<()> {
        self.tick()?;
        RealDisk.create(path, c, p)
    }
    fn create_dir(&mut self, path: &Path) -> io::Result<()> {
        self.tick()?;
        RealDisk.create_dir(path)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        self.tick()?;
        RealDisk.rename(from, to)
    }
    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        self.tick()?;
        RealDisk.remove_file(path)
    }
    fn remove_dir(&mut self, path: &Path) -> io::Result<()> {
        self.tick()?;
        RealDisk.remove_dir(path)
    }
    fn sync(&mut self, files: &[PathBuf], dirs: &[&Path]) -> io::Result<()> {
        self.tick()?;
        RealDisk.sync(files, dirs)
    }
}

/// Opens never through a symbolic link in the last component.
pub fn no_follow(options: &mut OpenOptions) {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(options, libc::O_NOFOLLOW);
    #[cfg(not(unix))]
    let _ = options;
}

/// Linux syncs whole file systems at once (`syncfs`): one call for the
/// thousands of files of a build instead of one `fsync` each (33 s to
/// under a second at 5,000 services).
#[cfg(target_os = "linux")]
fn sync(files: &[PathBuf], dirs: &[&Path]) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let mut seen = Vec::new();
    let parents = files.iter().filter_map(|f| f.parent());
    for dir in dirs.iter().copied().chain(parents) {
        let dir = std::fs::File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })?;
        let device = dir.metadata()?.dev();
        if !seen.contains(&device) {
            rustix::fs::syncfs(&dir).map_err(io::Error::from)?;
            seen.push(device);
        }
    }
    Ok(())
}

/// Elsewhere, each file and each directory is synced.
#[cfg(not(target_os = "linux"))]
fn sync(files: &[PathBuf], dirs: &[&Path]) -> io::Result<()> {
    for file in files {
        std::fs::File::open(file)?.sync_all()?;
    }
    #[cfg(unix)]
    for dir in dirs {
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dirs;
    Ok(())
}

/// One file a transaction replaces, creates or removes.
#[derive(Debug)]
pub struct Op<'a> {
    /// The file's path.
    pub target: PathBuf,
    /// Whether the target exists now (it is put aside, then restored on undo).
    pub old: bool,
    /// The new content (`None`: the file is removed).
    pub new: Option<Content<'a>>,
    /// The old content, when the caller holds it: then the old file is
    /// copied aside while staging and the target is replaced in one rename,
    /// never missing even for a moment (`ward fmt`, which has no journal).
    /// Otherwise the old file is moved aside during the switch.
    pub old_copy: Option<&'a [u8]>,
    /// The new file's permissions (`None`: the default for a new file).
    pub permissions: Option<Permissions>,
}

/// Where a transaction keeps its staged files, the files it puts aside and
/// its journal.
#[derive(Debug, Clone)]
pub enum Staging {
    /// In `<root>/.ward-staging`, with a journal that the next run undoes
    /// after a crash; targets are below `root`. For a build.
    Journal {
        /// The build directory.
        root: PathBuf,
    },
    /// Beside each target (`.NAME.ward-new`, `.NAME.ward-old`), without a
    /// journal: for files anywhere (`ward fmt`).
    Beside,
}

impl Staging {
    fn new_path(&self, index: usize, target: &Path) -> PathBuf {
        self.path(index, target, "new")
    }

    fn old_path(&self, index: usize, target: &Path) -> PathBuf {
        self.path(index, target, "old")
    }

    fn path(&self, index: usize, target: &Path, kind: &str) -> PathBuf {
        match self {
            Staging::Journal { root } => root.join(output::STAGING).join(format!("{kind}-{index}")),
            Staging::Beside => {
                let mut name = std::ffi::OsString::from(".");
                name.push(target.file_name().unwrap_or_default());
                name.push(format!(".ward-{kind}"));
                target.with_file_name(name)
            }
        }
    }
}

/// A set of changes to make all at once.
#[derive(Debug)]
pub struct Transaction<'a> {
    /// Where the staging happens.
    pub staging: Staging,
    /// The directories to create, parents first.
    pub dirs: Vec<PathBuf>,
    /// The directories to remove if the switch leaves them empty, children
    /// first (recreated on undo).
    pub emptied: Vec<PathBuf>,
    /// The files to change, in order.
    pub ops: Vec<Op<'a>>,
}

const JOURNAL: &str = "journal";
const JOURNAL_HEADER: &str = "ward-journal 1";

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn failed(what: &str, path: &Path, e: &io::Error) -> String {
    format!("cannot {what} `{}`: {e}", path.display())
}

impl Transaction<'_> {
    fn staging_dir(&self) -> Option<PathBuf> {
        match &self.staging {
            Staging::Journal { root } => Some(root.join(output::STAGING)),
            Staging::Beside => None,
        }
    }

    /// Applies every change, or none: on failure, everything done is undone
    /// and the error says whether that undo succeeded.
    pub fn apply(&self, disk: &mut dyn Disk) -> Result<(), UsageError> {
        if let Err(error) = self.stage(disk) {
            return Err(self.undone(error, false, disk));
        }
        if let Err(error) = self.switch(disk) {
            return Err(self.undone(error, true, disk));
        }
        if let Some(staging) = self.staging_dir() {
            let journal = staging.join(JOURNAL);
            if let Err(e) = disk
                .remove_file(&journal)
                .and_then(|()| disk.sync(&[], &[&staging]))
            {
                let error = failed("commit", &journal, &e);
                return Err(self.undone(error, true, disk));
            }
        }
        self.clean_up();
        Ok(())
    }

    fn undone(&self, error: String, switched: bool, disk: &mut dyn Disk) -> UsageError {
        let result = if switched {
            self.undo(disk)
        } else {
            self.discard(disk)
        };
        let success = if switched {
            "every change was undone"
        } else {
            "nothing was changed"
        };
        match result {
            Ok(()) => UsageError(format!("{error}; {success}")),
            Err(undo) => UsageError(match self.staging_dir() {
                Some(staging) => format!(
                    "{error}; undoing it failed too ({undo}): the next `ward build` on this directory finishes the undo from `{}`",
                    staging.join(JOURNAL).display()
                ),
                None => format!("{error}; undoing it failed too ({undo}): check the files named"),
            }),
        }
    }

    /// Writes every new content to its staging file and, for a build, the
    /// journal. Changes nothing a reader sees.
    fn stage(&self, disk: &mut dyn Disk) -> Result<(), String> {
        if let Some(staging) = self.staging_dir() {
            disk.create_dir(&staging)
                .map_err(|e| failed("create", &staging, &e))?;
        }
        let mut staged = Vec::new();
        for (index, op) in self.ops.iter().enumerate() {
            let files = [
                (self.staging.new_path(index, &op.target), op.new),
                (
                    self.staging.old_path(index, &op.target),
                    op.old_copy.map(Content::Bytes),
                ),
            ];
            for (path, content) in files {
                let Some(content) = content else { continue };
                if matches!(self.staging, Staging::Beside) && exists(&path) {
                    // Left by a run that was killed: a link is removed, not followed.
                    disk.remove_file(&path)
                        .map_err(|e| failed("remove", &path, &e))?;
                }
                disk.create(&path, content, op.permissions.as_ref())
                    .map_err(|e| failed("write", &path, &e))?;
                staged.push(path);
            }
        }
        let staging = self.staging_dir();
        let dirs: Vec<&Path> = staging.as_deref().into_iter().collect();
        disk.sync(&staged, &dirs)
            .map_err(|e| format!("cannot sync the staged files: {e}"))?;
        if let (Some(staging), Staging::Journal { root }) = (self.staging_dir(), &self.staging) {
            let journal = self.journal(root);
            let tmp = staging.join("journal.tmp");
            disk.create(&tmp, Content::Bytes(journal.as_bytes()), None)
                .map_err(|e| failed("write", &tmp, &e))?;
            let path = staging.join(JOURNAL);
            disk.rename(&tmp, &path)
                .map_err(|e| failed("write", &path, &e))?;
            disk.sync(&[path], &[&staging])
                .map_err(|e| failed("sync", &staging, &e))?;
        }
        Ok(())
    }

    /// Creates the directories, then moves each replaced file aside and each
    /// new one into place.
    fn switch(&self, disk: &mut dyn Disk) -> Result<(), String> {
        for dir in &self.dirs {
            disk.create_dir(dir)
                .map_err(|e| failed("create", dir, &e))?;
        }
        for (index, op) in self.ops.iter().enumerate() {
            if op.old && op.old_copy.is_none() {
                let aside = self.staging.old_path(index, &op.target);
                disk.rename(&op.target, &aside)
                    .map_err(|e| failed("update", &op.target, &e))?;
            }
            if op.new.is_some() {
                let new = self.staging.new_path(index, &op.target);
                disk.rename(&new, &op.target)
                    .map_err(|e| failed("update", &op.target, &e))?;
            }
        }
        for dir in &self.emptied {
            match disk.remove_dir(dir) {
                Err(e) if e.kind() != io::ErrorKind::DirectoryNotEmpty => {
                    return Err(failed("remove", dir, &e));
                }
                _ => {}
            }
        }
        let mut parents: Vec<&Path> = (self.ops.iter().map(|op| op.target.as_path()))
            .chain(self.emptied.iter().map(PathBuf::as_path))
            .filter_map(Path::parent)
            .collect();
        parents.sort();
        parents.dedup();
        parents.retain(|p| p.as_os_str().is_empty() || exists(p));
        disk.sync(&[], &parents)
            .map_err(|e| format!("cannot sync the changed directories: {e}"))?;
        Ok(())
    }

    /// After the commit: removes the files put aside. Not part of the transaction (it is done):
    /// nothing here can make it fail, and the next run removes leftovers.
    fn clean_up(&self) {
        match self.staging_dir() {
            Some(staging) => {
                let _ = std::fs::remove_dir_all(&staging);
            }
            None => {
                for (index, op) in self.ops.iter().enumerate().filter(|(_, op)| op.old) {
                    let _ = std::fs::remove_file(self.staging.old_path(index, &op.target));
                }
            }
        }
    }

    /// Removes the staged files of a transaction whose switch never began.
    fn discard(&self, disk: &mut dyn Disk) -> Result<(), String> {
        if let Some(staging) = self.staging_dir() {
            return match std::fs::remove_dir_all(&staging) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    Err(failed("remove", &staging, &e))
                }
                _ => Ok(()),
            };
        }
        for (index, op) in self.ops.iter().enumerate() {
            for path in [
                self.staging.new_path(index, &op.target),
                self.staging.old_path(index, &op.target),
            ] {
                // A directory there is not Ward's: staging failed on it.
                if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                    disk.remove_file(&path)
                        .map_err(|e| failed("remove", &path, &e))?;
                }
            }
        }
        Ok(())
    }

    /// Undoes whatever part of the switch happened, from what is on disk
    /// (every file was staged whole before the switch began): a staged file
    /// that is gone was moved into place; a file put aside goes back. Safe
    /// to run again after it was interrupted.
    fn undo(&self, disk: &mut dyn Disk) -> Result<(), String> {
        let mut first: Option<String> = None;
        // Every step is tried; the first failure is reported.
        let mut note = |result: io::Result<()>, what: &str, path: &Path| match result {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                first.get_or_insert_with(|| failed(what, path, &e));
                false
            }
            _ => true,
        };
        let mut clean = true;
        for dir in self.emptied.iter().rev() {
            if !exists(dir) {
                clean &= note(disk.create_dir(dir), "restore", dir);
            }
        }
        for (index, op) in self.ops.iter().enumerate().rev() {
            let new = self.staging.new_path(index, &op.target);
            let aside = self.staging.old_path(index, &op.target);
            let placed = op.new.is_some() && !exists(&new);
            if op.old && exists(&aside) {
                clean &= note(disk.rename(&aside, &op.target), "restore", &op.target);
            } else if placed && !op.old {
                clean &= note(disk.remove_file(&op.target), "remove", &op.target);
            }
            if matches!(self.staging, Staging::Beside) {
                for path in [&new, &aside] {
                    if exists(path) {
                        clean &= note(disk.remove_file(path), "remove", path);
                    }
                }
            }
        }
        for dir in self.dirs.iter().rev() {
            clean &= note(disk.remove_dir(dir), "remove", dir);
        }
        // The journal stays until the undo is complete, for the next run.
        if let Some(staging) = self.staging_dir().filter(|_| clean) {
            note(std::fs::remove_dir_all(&staging), "remove", &staging);
        }
        first.map_or(Ok(()), Err)
    }

    /// The journal: what the next run needs to undo this transaction.
    fn journal(&self, root: &Path) -> String {
        let relative = |path: &Path| {
            path.strip_prefix(root)
                .unwrap_or(path)
                .to_string_lossy()
                .into_owned()
        };
        let mut text = format!("{JOURNAL_HEADER}\n");
        for dir in &self.dirs {
            text.push_str(&format!("dir {}\n", relative(dir)));
        }
        for dir in &self.emptied {
            text.push_str(&format!("rmdir {}\n", relative(dir)));
        }
        for op in &self.ops {
            let flag = |b: bool| if b { '1' } else { '0' };
            text.push_str(&format!(
                "op {}{} {}\n",
                flag(op.old),
                flag(op.new.is_some()),
                relative(&op.target)
            ));
        }
        text
    }
}

/// Reads a journal back, refusing any path that is not below `root`: a
/// journal is data on disk like the manifest, and as untrusted.
fn read_journal(root: &Path, text: &str) -> Result<Transaction<'static>, String> {
    let mut lines = text.lines();
    if lines.next() != Some(JOURNAL_HEADER) {
        return Err("it does not start with `ward-journal 1`".to_string());
    }
    let mut dirs = Vec::new();
    let mut emptied = Vec::new();
    let mut ops = Vec::new();
    for line in lines {
        let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
        let (flags, path) = match kind {
            "dir" | "rmdir" => ("", rest),
            "op" => rest.split_once(' ').unwrap_or(("", "")),
            _ => return Err(format!("it has an unknown line `{line}`")),
        };
        let problem = match path {
            output::MANIFEST => None,
            "" => Some("it is empty"),
            _ => output::path_problem(path),
        };
        if let Some(problem) = problem {
            return Err(format!("it lists `{path}`, which is refused: {problem}"));
        }
        let target = root.join(path);
        // A journal is as hostile as the rest of the directory (a pull
        // request can commit one): the undo must not reach through a link.
        let checked = if kind == "op" {
            target.parent()
        } else {
            Some(target.as_path())
        };
        if let Some(link) = checked.and_then(|last| first_link(root, last)) {
            return Err(format!(
                "it lists `{path}`, which passes through the symbolic link `{}`",
                link.display()
            ));
        }
        match (kind, flags) {
            ("dir", _) => dirs.push(target),
            ("rmdir", _) => emptied.push(target),
            (_, "00" | "01" | "10" | "11") => ops.push(Op {
                target,
                old: flags.starts_with('1'),
                // The content is not needed to undo, only whether there was one.
                new: flags.ends_with('1').then_some(Content::Bytes(&[])),
                old_copy: None,
                permissions: None,
            }),
            _ => return Err(format!("it has an unknown line `{line}`")),
        }
    }
    Ok(Transaction {
        staging: Staging::Journal {
            root: root.to_path_buf(),
        },
        dirs,
        emptied,
        ops,
    })
}

/// The first path from `root` (exclusive) down to `last` (inclusive) that
/// is a symbolic link, if any.
fn first_link(root: &Path, last: &Path) -> Option<PathBuf> {
    let below = last.strip_prefix(root).ok()?;
    let mut path = root.to_path_buf();
    for component in below.components() {
        path.push(component);
        let link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if link {
            return Some(path);
        }
    }
    None
}

/// Whether `root` holds a build that was interrupted (a journal).
pub fn interrupted(root: &Path) -> bool {
    exists(&root.join(output::STAGING).join(JOURNAL))
}

/// Finishes what a killed build left: undoes its switch from the journal,
/// then removes the staging directory (and every staged file) whatever it
/// holds. A staging entry that is a symbolic link is removed, not followed.
pub fn recover(root: &Path) -> Result<(), UsageError> {
    let staging = root.join(output::STAGING);
    let Ok(metadata) = std::fs::symlink_metadata(&staging) else {
        return Ok(());
    };
    if !metadata.is_dir() {
        return std::fs::remove_file(&staging)
            .map_err(|e| UsageError(failed("remove", &staging, &e)));
    }
    let journal = staging.join(JOURNAL);
    if exists(&journal) {
        let text = super::io::read_regular(&journal)?.unwrap_or_default();
        let text = String::from_utf8(text).unwrap_or_default();
        let transaction = read_journal(root, &text).map_err(|e| {
            UsageError(format!(
                "cannot undo the interrupted build in `{}`: its journal `{}` is corrupt ({e}); restore the directory from version control and remove `{}`",
                root.display(),
                journal.display(),
                staging.display()
            ))
        })?;
        transaction.undo(&mut RealDisk).map_err(|e| {
            UsageError(format!(
                "cannot undo the interrupted build in `{}`: {e}",
                root.display()
            ))
        })?;
    }
    match std::fs::remove_dir_all(&staging) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(UsageError(failed("remove", &staging, &e)))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::outdir::{self, BuildFile};
    use super::*;
    use crate::output::Files;
    use indexmap::IndexMap;

    /// Fails the `n`th operation (0-based) and passes the rest to the disk.
    fn failing(n: usize) -> Hooked<impl FnMut(usize) -> io::Result<()>> {
        Hooked::new(move |step| {
            if step == n {
                Err(io::Error::other("injected failure"))
            } else {
                Ok(())
            }
        })
    }

    /// Works until operation `n`, then nothing works any more: a crash
    /// (the undo fails too, as the process is gone).
    fn crashing(n: usize) -> Hooked<impl FnMut(usize) -> io::Result<()>> {
        Hooked::new(move |step| {
            if step >= n {
                Err(io::Error::other("crashed"))
            } else {
                Ok(())
            }
        })
    }

    /// A build of `pairs` and its manifest. Every file but the manifest is
    /// streamed, a byte at a time, as the matrix files are.
    fn files(pairs: &[(&str, &str)]) -> Files<BuildFile<'static>> {
        let mut files: IndexMap<String, BuildFile> = pairs
            .iter()
            .map(|(p, c)| {
                let text = c.to_string();
                let render = move |out: &mut dyn Write| {
                    text.bytes().try_for_each(|byte| out.write_all(&[byte]))
                };
                (p.to_string(), BuildFile::Streamed(Box::new(render)))
            })
            .collect();
        let mut manifest = String::new();
        for path in files.keys() {
            manifest.push_str(path);
            manifest.push('\n');
        }
        files.insert(output::MANIFEST.to_string(), BuildFile::from(manifest));
        Files { files }
    }

    /// Every entry below `dir`: directories as `path/`, files with their
    /// content; the lock file is left out (it may outlive a crash).
    fn snapshot(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if path.is_dir() {
                    out.push((format!("{rel}/"), String::new()));
                    stack.push(path);
                } else if rel != output::LOCK {
                    out.push((rel, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    fn build(
        dir: &Path,
        files: &Files<BuildFile<'_>>,
        disk: &mut dyn Disk,
    ) -> Result<(), UsageError> {
        let (changes, dirs) = outdir::plan(dir, files)?;
        outdir::transaction(dir, &changes, dirs).apply(disk)
    }

    fn before_and_after() -> (Files<BuildFile<'static>>, Files<BuildFile<'static>>) {
        let before = files(&[
            ("a/x.yaml", "old x"),
            ("a/stale.yaml", "stale"),
            ("b/y.yaml", "y"),
            ("gone/deep/z.yaml", "going"),
        ]);
        let after = files(&[
            ("a/x.yaml", "new x"),
            ("b/y.yaml", "y"),
            ("c/d/z.yaml", "new z"),
        ]);
        (before, after)
    }

    #[test]
    fn a_failure_at_any_step_leaves_the_directory_as_it_was() {
        let (before, after) = before_and_after();
        let mut failures = 0;
        for n in 0..40 {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("out");
            std::fs::create_dir(&dir).unwrap();
            build(&dir, &before, &mut RealDisk).unwrap();
            let original = snapshot(&dir);
            let result = build(&dir, &after, &mut failing(n));
            let expected = if let Err(UsageError(message)) = result {
                failures += 1;
                assert!(
                    message.ends_with("every change was undone")
                        || message.ends_with("nothing was changed"),
                    "{n}: {message}"
                );
                original
            } else {
                let fresh = tmp.path().join("fresh");
                std::fs::create_dir(&fresh).unwrap();
                build(&fresh, &after, &mut RealDisk).unwrap();
                snapshot(&fresh)
            };
            assert_eq!(snapshot(&dir), expected, "failure at operation {n}");
        }
        assert!(
            failures > 10,
            "the failures reached only {failures} operations"
        );
    }

    #[test]
    fn after_a_crash_at_any_step_recovery_restores_the_old_build_or_keeps_the_new() {
        let (before, after) = before_and_after();
        let tmp = tempfile::tempdir().unwrap();
        let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
        for (dir, files) in [(&old, &before), (&new, &after)] {
            std::fs::create_dir(dir).unwrap();
            build(dir, files, &mut RealDisk).unwrap();
        }
        let (old, new) = (snapshot(&old), snapshot(&new));
        let mut crashes = 0;
        for n in 0..40 {
            let dir = tmp.path().join(format!("out{n}"));
            std::fs::create_dir(&dir).unwrap();
            build(&dir, &before, &mut RealDisk).unwrap();
            if let Err(UsageError(message)) = build(&dir, &after, &mut crashing(n)) {
                crashes += 1;
                // The undo cannot work on a dead disk: the error must say so.
                assert!(
                    message.ends_with("nothing was changed")
                        || message.contains("undoing it failed too"),
                    "{n}: {message}"
                );
            }
            recover(&dir).unwrap();
            let recovered = snapshot(&dir);
            assert!(
                recovered == old || recovered == new,
                "crash at operation {n}: {recovered:?}"
            );
            build(&dir, &after, &mut RealDisk).unwrap();
            assert_eq!(snapshot(&dir), new, "the build after the crash at {n}");
        }
        assert!(crashes > 10);
    }

    #[cfg(unix)]
    #[test]
    fn files_beside_their_targets_change_all_at_once_keeping_their_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        for n in 0..20 {
            let tmp = tempfile::tempdir().unwrap();
            let (a, b) = (tmp.path().join("a.ward"), tmp.path().join("sub/b.ward"));
            std::fs::create_dir(tmp.path().join("sub")).unwrap();
            std::fs::write(&a, "old a").unwrap();
            std::fs::write(&b, "old b").unwrap();
            std::fs::set_permissions(&a, Permissions::from_mode(0o444)).unwrap();
            std::fs::set_permissions(&b, Permissions::from_mode(0o600)).unwrap();
            let op = |target: &Path, old: &'static str, new: &'static str| Op {
                target: target.to_path_buf(),
                old: true,
                new: Some(Content::Bytes(new.as_bytes())),
                old_copy: Some(old.as_bytes()),
                permissions: Some(std::fs::metadata(target).unwrap().permissions()),
            };
            let transaction = Transaction {
                staging: Staging::Beside,
                dirs: Vec::new(),
                emptied: Vec::new(),
                ops: vec![op(&a, "old a", "new a"), op(&b, "old b", "new b")],
            };
            let ok = transaction.apply(&mut failing(n)).is_ok();
            let (want_a, want_b) = if ok {
                ("new a", "new b")
            } else {
                ("old a", "old b")
            };
            assert_eq!(std::fs::read_to_string(&a).unwrap(), want_a, "{n}");
            assert_eq!(std::fs::read_to_string(&b).unwrap(), want_b, "{n}");
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!((mode(&a), mode(&b)), (0o444, 0o600), "{n}");
            let mut names: Vec<String> = std::fs::read_dir(tmp.path())
                .unwrap()
                .chain(std::fs::read_dir(tmp.path().join("sub")).unwrap())
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            assert_eq!(
                names,
                ["a.ward", "b.ward", "sub"],
                "staging files left at {n}"
            );
        }
    }

    #[test]
    fn a_journal_with_a_path_outside_the_directory_is_refused() {
        let root = Path::new("/out");
        for bad in [
            "op 11 ../x",
            "op 10 /etc/passwd",
            "dir ..",
            "op 11 a//b",
            "op 2 x",
        ] {
            let text = format!("{JOURNAL_HEADER}\n{bad}\n");
            assert!(read_journal(root, &text).is_err(), "{bad}");
        }
        let good = format!("{JOURNAL_HEADER}\ndir a\nrmdir c/d\nop 01 a/x.yaml\nop 10 b.yaml\n");
        let t = read_journal(root, &good).unwrap();
        assert_eq!(t.dirs, [root.join("a")]);
        assert_eq!(t.emptied, [root.join("c/d")]);
        assert_eq!(t.ops.len(), 2);
        assert!(!t.ops[0].old && t.ops[0].new.is_some());
        assert!(t.ops[1].old && t.ops[1].new.is_none());
    }
}
