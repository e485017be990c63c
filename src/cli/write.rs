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
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The file operations a transaction makes, so tests can inject failures
/// and crashes. Reads are not among them: they change nothing.
pub trait Disk {
    /// Creates a new file (never through a symbolic link, never over an
    /// existing entry), writes `bytes`, sets `permissions` and syncs it.
    fn create(&mut self, path: &Path, bytes: &[u8], permissions: Option<&Permissions>)
    -> io::Result<()>;
    /// Creates one directory.
    fn create_dir(&mut self, path: &Path) -> io::Result<()>;
    /// Renames an entry over another (a symbolic link is moved, not followed).
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes a file or a symbolic link.
    fn remove_file(&mut self, path: &Path) -> io::Result<()>;
    /// Removes an empty directory.
    fn remove_dir(&mut self, path: &Path) -> io::Result<()>;
    /// Makes a directory's entries durable.
    fn sync_dir(&mut self, path: &Path) -> io::Result<()>;
}

/// The real file system.
pub struct RealDisk;

impl Disk for RealDisk {
    fn create(
        &mut self,
        path: &Path,
        bytes: &[u8],
        permissions: Option<&Permissions>,
    ) -> io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        no_follow(&mut options);
        let mut file = options.open(path)?;
        file.write_all(bytes)?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions.clone())?;
        }
        file.sync_all()
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

    fn sync_dir(&mut self, path: &Path) -> io::Result<()> {
        sync_dir(path)
    }
}

/// The disk a build writes with: the real one, unless a test hook is set
/// in the environment: `WARD_FAULT_AFTER=N` aborts the process right before
/// its `N`th file operation (from 0), as a kill would; `WARD_PAUSE_AFTER=N`
/// sleeps two seconds there instead. Only Ward's own tests set them (see
/// `tests/write_safety.rs`).
pub struct HookedDisk {
    count: usize,
    crash: Option<usize>,
    pause: Option<usize>,
}

impl HookedDisk {
    /// Reads the hooks from the environment.
    pub fn from_env() -> Self {
        let hook = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
        HookedDisk {
            count: 0,
            crash: hook("WARD_FAULT_AFTER"),
            pause: hook("WARD_PAUSE_AFTER"),
        }
    }

    fn tick(&mut self) {
        if self.crash == Some(self.count) {
            std::process::abort();
        }
        if self.pause == Some(self.count) {
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
        self.count += 1;
    }
}

impl Disk for HookedDisk {
    fn create(&mut self, path: &Path, bytes: &[u8], p: Option<&Permissions>) -> io::Result<()> {
        self.tick();
        RealDisk.create(path, bytes, p)
    }
    fn create_dir(&mut self, path: &Path) -> io::Result<()> {
        self.tick();
        RealDisk.create_dir(path)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        self.tick();
        RealDisk.rename(from, to)
    }
    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        self.tick();
        RealDisk.remove_file(path)
    }
    fn remove_dir(&mut self, path: &Path) -> io::Result<()> {
        self.tick();
        RealDisk.remove_dir(path)
    }
    fn sync_dir(&mut self, path: &Path) -> io::Result<()> {
        self.tick();
        RealDisk.sync_dir(path)
    }
}

/// Opens never through a symbolic link in the last component.
pub fn no_follow(options: &mut OpenOptions) {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(options, libc::O_NOFOLLOW);
    #[cfg(not(unix))]
    let _ = options;
}

#[cfg(unix)]
fn sync_dir(path: &Path) -> io::Result<()> {
    std::fs::File::open(path)?.sync_all()
}

/// Directories cannot be opened for syncing outside Unix; their entries are
/// as durable as the file system makes them.
#[cfg(not(unix))]
fn sync_dir(_: &Path) -> io::Result<()> {
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
    pub new: Option<&'a [u8]>,
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
                .and_then(|()| disk.sync_dir(&staging))
            {
                let error = failed("commit", &journal, &e);
                return Err(self.undone(error, true, disk));
            }
        }
        self.clean_up(disk);
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
        for (index, op) in self.ops.iter().enumerate() {
            let staged = [
                (self.staging.new_path(index, &op.target), op.new),
                (self.staging.old_path(index, &op.target), op.old_copy),
            ];
            for (path, bytes) in staged {
                let Some(bytes) = bytes else { continue };
                if matches!(self.staging, Staging::Beside) && exists(&path) {
                    // Left by a run that was killed: a link is removed, not followed.
                    disk.remove_file(&path)
                        .map_err(|e| failed("remove", &path, &e))?;
                }
                disk.create(&path, bytes, op.permissions.as_ref())
                    .map_err(|e| failed("write", &path, &e))?;
            }
        }
        if let (Some(staging), Staging::Journal { root }) = (self.staging_dir(), &self.staging) {
            let journal = self.journal(root);
            let tmp = staging.join("journal.tmp");
            disk.create(&tmp, journal.as_bytes(), None)
                .map_err(|e| failed("write", &tmp, &e))?;
            let path = staging.join(JOURNAL);
            disk.rename(&tmp, &path)
                .map_err(|e| failed("write", &path, &e))?;
            disk.sync_dir(&staging)
                .map_err(|e| failed("sync", &staging, &e))?;
        }
        Ok(())
    }

    /// Creates the directories, then moves each replaced file aside and each
    /// new one into place.
    fn switch(&self, disk: &mut dyn Disk) -> Result<(), String> {
        for dir in &self.dirs {
            disk.create_dir(dir).map_err(|e| failed("create", dir, &e))?;
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
        let mut parents: Vec<&Path> = self.ops.iter().filter_map(|op| op.target.parent()).collect();
        parents.sort();
        parents.dedup();
        for parent in parents {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            disk.sync_dir(parent)
                .map_err(|e| failed("sync", parent, &e))?;
        }
        Ok(())
    }

    /// After the commit: removes the files put aside and the directories a
    /// removed file left empty. Nothing here can make the change fail;
    /// leftovers are removed by the next run.
    fn clean_up(&self, disk: &mut dyn Disk) {
        match self.staging_dir() {
            Some(staging) => {
                let _ = std::fs::remove_dir_all(&staging);
            }
            None => {
                for (index, op) in self.ops.iter().enumerate().filter(|(_, op)| op.old) {
                    let _ = disk.remove_file(&self.staging.old_path(index, &op.target));
                }
            }
        }
        if let Staging::Journal { root } = &self.staging {
            for op in self.ops.iter().filter(|op| op.new.is_none()) {
                let mut dir = op.target.parent();
                while let Some(d) = dir.filter(|d| d.starts_with(root) && *d != root.as_path()) {
                    if disk.remove_dir(d).is_err() {
                        break;
                    }
                    dir = d.parent();
                }
            }
        }
    }

    /// Removes the staged files of a transaction whose switch never began.
    fn discard(&self, disk: &mut dyn Disk) -> Result<(), String> {
        if let Some(staging) = self.staging_dir() {
            return match std::fs::remove_dir_all(&staging) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(failed("remove", &staging, &e)),
                _ => Ok(()),
            };
        }
        for (index, op) in self.ops.iter().enumerate() {
            for path in [
                self.staging.new_path(index, &op.target),
                self.staging.old_path(index, &op.target),
            ] {
                if exists(&path) {
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
    let mut ops = Vec::new();
    for line in lines {
        let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
        let (flags, path) = match kind {
            "dir" => ("", rest),
            "op" => rest.split_once(' ').unwrap_or(("", "")),
            _ => return Err(format!("it has an unknown line `{line}`")),
        };
        if let Some(problem) = output::path_problem(path).or(path.is_empty().then_some("empty")) {
            return Err(format!("it lists `{path}`, which is refused: {problem}"));
        }
        let target = root.join(path);
        match (kind, flags) {
            ("dir", _) => dirs.push(target),
            (_, "00" | "01" | "10" | "11") => ops.push(Op {
                target,
                old: flags.starts_with('1'),
                // The content is not needed to undo, only whether there was one.
                new: flags.ends_with('1').then_some(&[][..]),
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
        ops,
    })
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
    use super::*;

    /// Fails the `n`th operation (0-based) and passes the rest to the disk.
    pub struct FailingDisk {
        pub n: usize,
        pub count: usize,
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
        fn create(&mut self, path: &Path, bytes: &[u8], p: Option<&Permissions>) -> io::Result<()> {
            self.tick()?;
            RealDisk.create(path, bytes, p)
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
        fn sync_dir(&mut self, path: &Path) -> io::Result<()> {
            self.tick()?;
            RealDisk.sync_dir(path)
        }
    }

    #[test]
    fn a_journal_with_a_path_outside_the_directory_is_refused() {
        let root = Path::new("/out");
        for bad in ["op 11 ../x", "op 10 /etc/passwd", "dir ..", "op 11 a//b", "op 2 x"] {
            let text = format!("{JOURNAL_HEADER}\n{bad}\n");
            assert!(read_journal(root, &text).is_err(), "{bad}");
        }
        let good = format!("{JOURNAL_HEADER}\ndir a\nop 01 a/x.yaml\nop 10 b.yaml\n");
        let t = read_journal(root, &good).unwrap();
        assert_eq!(t.dirs, [root.join("a")]);
        assert_eq!(t.ops.len(), 2);
        assert!(!t.ops[0].old && t.ops[0].new.is_some());
        assert!(t.ops[1].old && t.ops[1].new.is_none());
    }
}
