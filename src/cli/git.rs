//! What Git says: where the sources come from (the commit and whether the
//! work tree is dirty, for the matrix header; outside a work tree, or
//! without git, simply unknown), and what a commit object records (its
//! parents, author, committer and message), read from the object itself so
//! that no text a commit carries can pass for the structure around it.
#![expect(clippy::disallowed_methods, reason = "the CLI runs git")]

use super::UsageError;
use crate::matrix::Provenance;
use chrono::{DateTime, FixedOffset, SecondsFormat};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `git -C dir ARGS` and returns its stdout; a failure is a usage
/// error quoting git. Every Git command of Ward goes through here: paths
/// are literal (no pathspec magic in a file name), and replacement objects
/// (`git replace`) are ignored, so Ward reads the objects the commits name.
pub fn run(dir: &Path, args: &[&str]) -> Result<Vec<u8>, UsageError> {
    let output = Command::new("git")
        .args(["--literal-pathspecs", "--no-replace-objects"])
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| UsageError(format!("cannot run git: {e}")))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(UsageError(format!(
            "`git {}` failed in `{}`: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

/// What `git` prints, trimmed; `None` when it cannot say (no git, not a
/// work tree).
fn answer(dir: &Path, args: &[&str]) -> Option<String> {
    run(dir, args)
        .ok()
        .map(|out| String::from_utf8_lossy(&out).trim().to_string())
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
    let commit = answer(&dir, &["rev-parse", "HEAD"]);
    let dirty = commit.is_some()
        && answer(&dir, &["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|s| !s.is_empty());
    Provenance {
        commit,
        dirty,
        generated_at,
    }
}

/// Who wrote or committed a commit, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// The email, without its angle brackets.
    pub email: String,
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// The date in the person's own offset, as `git log --format=%aI`
    /// writes it (`2024-02-01T09:00:00Z`, `2024-02-01T10:00:00+01:00`).
    pub date: String,
}

/// A commit as its object records it (`git cat-file commit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitObject {
    /// The parents' ids, in order.
    pub parents: Vec<String>,
    /// Who wrote it.
    pub author: Ident,
    /// Who committed it.
    pub committer: Ident,
    /// The first paragraph of the message, its lines joined by spaces (as
    /// `git log --format=%s`).
    pub subject: String,
    /// The rest of the message, without the blank lines around it (as
    /// `--format=%b`, trailing white space removed).
    pub body: String,
}

/// Reads a raw commit object: header lines up to the first empty line, then
/// the message. A header line that starts with a space continues the one
/// before it (signatures, merge tags) and is skipped; the first `author` and
/// `committer` count, as for Git. Text is read as UTF-8, invalid bytes
/// replaced (a message in another `encoding` reads lossily). `None` when the
/// author or committer is missing or malformed.
pub fn parse_commit(raw: &[u8]) -> Option<CommitObject> {
    let (head, message) = match raw.windows(2).position(|pair| pair == b"\n\n") {
        Some(end) => {
            let (head, rest) = raw.split_at(end);
            (head, rest.get(2..).unwrap_or_default())
        }
        None => (raw, &b""[..]),
    };
    let mut parents = Vec::new();
    let (mut author, mut committer) = (None, None);
    for line in head.split(|b| *b == b'\n') {
        let line = String::from_utf8_lossy(line);
        let Some((key, value)) = line.split_once(' ') else {
            continue;
        };
        match key {
            "parent" => parents.push(value.to_string()),
            "author" if author.is_none() => author = Some(ident(value)?),
            "committer" if committer.is_none() => committer = Some(ident(value)?),
            _ => {}
        }
    }
    let (subject, body) = split_message(&String::from_utf8_lossy(message));
    Some(CommitObject {
        parents,
        author: author?,
        committer: committer?,
        subject,
        body,
    })
}

/// `Name <email> 1706778000 +0100`, read as Git does: the email between the
/// first `<` and the `>` after it, the date after the last `>`.
fn ident(value: &str) -> Option<Ident> {
    let open = value.find('<')?;
    let name = value.get(..open)?.trim_end();
    let after = value.get(open + 1..)?;
    let email = after.get(..after.find('>')?)?;
    let date = value.get(value.rfind('>')? + 1..)?;
    let mut parts = date.split_whitespace();
    let seconds: i64 = parts.next()?.parse().ok()?;
    let zone = parts.next()?;
    let (sign, digits) = match zone.split_at_checked(1)? {
        ("+", digits) => (1, digits),
        ("-", digits) => (-1, digits),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = digits.get(2..)?.parse().ok()?;
    let offset = FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))?;
    let date = DateTime::from_timestamp(seconds, 0)?
        .with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    Some(Ident {
        name: name.to_string(),
        email: email.to_string(),
        seconds,
        date,
    })
}

/// A message as Git's `%s` and `%b` split it: blank lines skipped, the first
/// paragraph joined into one line, then the rest.
fn split_message(message: &str) -> (String, String) {
    let blank = |line: &&str| line.trim().is_empty();
    let mut lines = message.split('\n').skip_while(blank);
    let mut subject: Vec<&str> = Vec::new();
    for line in lines.by_ref() {
        if blank(&line) {
            break;
        }
        subject.push(line.trim_end());
    }
    let body: Vec<&str> = lines.skip_while(blank).collect();
    (subject.join(" "), body.join("\n").trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::{parse_commit, split_message};
    use proptest::prelude::*;

    proptest! {
        /// No message, however it is made (header lines, separators,
        /// control characters, blank lines), changes the parents or the
        /// people, and the subject and body are read from it as Git does.
        #[test]
        fn the_message_never_reaches_the_headers(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just(String::new()),
                    Just("parent 3333333333333333333333333333333333333333".to_string()),
                    Just("author Mallory <m@evil> 1 +0000".to_string()),
                    Just("committer Mallory <m@evil> 1 +0000".to_string()),
                    "[^\n\x00]{0,20}",
                ],
                0..12,
            ),
            name in "[^<>\n\x00]{0,16}",
        ) {
            let message = lines.join("\n");
            let name = name.trim();
            let raw = format!(
                "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
    parent 1111111111111111111111111111111111111111\n\
    author {name} <a@example.com> 1706778000 +0100\n\
    committer Carol <c@example.com> 1706778060 -0230\n\n{message}"
            );
            let commit = parse_commit(raw.as_bytes()).unwrap();
            prop_assert_eq!(commit.parents, ["1111111111111111111111111111111111111111"]);
            prop_assert_eq!(commit.author.name, name);
            prop_assert_eq!(commit.author.email, "a@example.com");
            prop_assert_eq!(commit.committer.name, "Carol");
            prop_assert_eq!(commit.committer.date, "2024-02-01T06:31:00-02:30");
            // What `%s` and `%b` would say, worked out line by line.
            let blank = |l: &&String| l.trim().is_empty();
            let rest: Vec<&String> = lines.iter().skip_while(blank).collect();
            let subject_lines: Vec<&String> = rest.iter().copied().take_while(|l| !blank(l)).collect();
            let subject: Vec<&str> = subject_lines.iter().map(|l| l.trim_end()).collect();
            prop_assert_eq!(commit.subject, subject.join(" "));
            let body: Vec<&str> = rest
                .iter()
                .skip(subject_lines.len())
                .skip_while(|l| blank(l))
                .map(|l| l.as_str())
                .collect();
            let body = body.join("\n");
            prop_assert_eq!(commit.body, body.trim_end());
        }
    }

    #[test]
    fn reads_headers_then_the_message() {
        let raw = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
parent 1111111111111111111111111111111111111111\n\
parent 2222222222222222222222222222222222222222\n\
author Alice <a@example.com> 1706778000 +0100\n\
committer Carol <c@example.com> 1706778060 +0000\n\
gpgsig -----BEGIN PGP SIGNATURE-----\n \n author Mallory <m@example.com> 1 +0000\n -----END PGP SIGNATURE-----\n\
\n\
Subject\x1e with\x1f separators\n\
\n\
author Mallory <m@example.com> 1 +0000\n\
parent 3333333333333333333333333333333333333333\n";
        let commit = parse_commit(raw).unwrap();
        assert_eq!(commit.parents.len(), 2);
        assert_eq!(commit.author.name, "Alice");
        assert_eq!(commit.author.email, "a@example.com");
        assert_eq!(commit.author.date, "2024-02-01T10:00:00+01:00");
        assert_eq!(commit.committer.date, "2024-02-01T09:01:00Z");
        assert_eq!(commit.committer.seconds, 1_706_778_060);
        assert_eq!(commit.subject, "Subject\x1e with\x1f separators");
        assert_eq!(
            commit.body,
            "author Mallory <m@example.com> 1 +0000\nparent 3333333333333333333333333333333333333333"
        );
    }

    #[test]
    fn refuses_a_commit_without_a_readable_committer() {
        assert!(parse_commit(b"author A <a> 1 +0000\n\nmessage").is_none());
        assert!(parse_commit(b"author A <a> 1 +0000\ncommitter C <c> soon +0000\n\nm").is_none());
    }

    #[test]
    fn splits_messages_as_git_does() {
        assert_eq!(
            split_message("\n\nOne\ntwo  \n\n\nBody\n\nmore\n\n"),
            ("One two".to_string(), "Body\n\nmore".to_string())
        );
        assert_eq!(split_message(""), (String::new(), String::new()));
    }
}
