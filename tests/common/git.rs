//! A scripted Git repository for the tests of the commands that read Git.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

/// The date of the repository's `init` and of the runs of `ward`.
const EPOCH: &str = "2024-01-01T00:00:00Z";

/// A Git repository in a temporary directory, with a fixed identity and
/// clock so hashes and output are stable.
pub struct Repo {
    dir: tempfile::TempDir,
}

/// `command` with no user or system Git configuration, a fixed author and
/// committer, and `date` as both their dates.
fn isolated<'c>(command: &'c mut Command, date: &str) -> &'c mut Command {
    command
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Alice Author")
        .env("GIT_AUTHOR_EMAIL", "alice@example.com")
        .env("GIT_COMMITTER_NAME", "Carol Committer")
        .env("GIT_COMMITTER_EMAIL", "carol@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
}

/// The `ward` binary, isolated, dated [`EPOCH`].
pub fn ward_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ward"));
    isolated(&mut command, EPOCH);
    command
}

impl Repo {
    /// An empty repository on branch `main`.
    pub fn new() -> Self {
        let repo = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"], EPOCH);
        repo
    }

    /// The work tree's top.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `git` with `args` at `date` in the work tree; its trimmed stdout.
    pub fn git(&self, args: &[&str], date: &str) -> String {
        let output = isolated(&mut Command::new("git"), date)
            .current_dir(self.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Writes `text` to `path` in the work tree, creating its directories.
    pub fn write(&self, path: &str, text: &str) {
        let path = self.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Deletes `path` from the work tree.
    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).unwrap();
    }

    /// Commits the whole work tree at `date` with `subject` and, unless it is
    /// empty, `body`; the new commit's hash.
    pub fn commit(&self, subject: &str, body: &str, date: &str) -> String {
        self.git(&["add", "-A"], date);
        let mut args = vec!["commit", "-q", "-m", subject];
        if !body.is_empty() {
            args.extend(["-m", body]);
        }
        self.git(&args, date);
        self.git(&["rev-parse", "HEAD"], date)
    }

    /// Commits the whole work tree with `message` exactly as given (no
    /// cleanup: control characters, leading blank lines and `#` lines
    /// stay), written by `author` at `author_date` and committed at
    /// `commit_date`; the new commit's hash.
    pub fn commit_as(
        &self,
        message: &[u8],
        author: &OsStr,
        author_date: &str,
        commit_date: &str,
    ) -> String {
        self.git(&["add", "-A"], commit_date);
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), message).unwrap();
        let output = isolated(&mut Command::new("git"), commit_date)
            .env("GIT_AUTHOR_NAME", author)
            .env("GIT_AUTHOR_DATE", author_date)
            .current_dir(self.path())
            .args([
                "commit",
                "-q",
                "--allow-empty-message",
                "--cleanup=verbatim",
                "-F",
            ])
            .arg(file.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git commit: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        self.git(&["rev-parse", "HEAD"], commit_date)
    }

    /// Writes `bytes` to a file of the work tree whose name may be any bytes.
    pub fn write_bytes(&self, path: &[u8], bytes: &[u8]) {
        use std::os::unix::ffi::OsStrExt;
        let path = self.path().join(OsStr::from_bytes(path));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Runs `ward` with `args` at the work tree's top.
    pub fn ward(&self, args: &[&str]) -> Output {
        ward_command()
            .current_dir(self.path())
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs `ward` with `args` in `dir`, relative to the work tree's top.
    pub fn ward_in(&self, dir: &str, args: &[&str]) -> Output {
        ward_command()
            .current_dir(self.path().join(dir))
            .args(args)
            .output()
            .unwrap()
    }
}
