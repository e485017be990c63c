//! `ward history`: the change population of an audit period, on a scripted
//! Git repository whose commits widen, break, fix, narrow, reformat and
//! split the program (and one that does not touch it). Snapshots of
//! Markdown, CSV and JSON; the period's bounds as Ward reads them;
//! determinism; hostile commit messages, author names and file names that
//! must not change the listing; shallow clones and paths that never
//! existed refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

mod common;

use common::git::{Repo, ward_command};
use std::ffi::OsStr;
use std::process::Output;

const GUESTBOOK: &str = include_str!("../examples/minimal.ward");

fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "missing {from:?}");
    text.replacen(from, to, 1)
}

const CAPTCHA: &str = "\nexternal captcha = 203.0.113.0/24\nflow guestbook.frontend -> captcha:443/tcp\n  controls CC6.7 because \"Visitors prove they are human\"\n";

/// The guestbook's history over a year; returns the commit hashes in order.
fn guestbook_repo() -> (Repo, Vec<String>) {
    let repo = Repo::new();
    let mut commits = Vec::new();
    repo.write("policy/guestbook.ward", GUESTBOOK);
    repo.write("README.md", "# Guestbook\n");
    commits.push(repo.commit("Guestbook boundary", "", "2024-01-10T09:00:00Z"));

    let widened = format!("{GUESTBOOK}{CAPTCHA}");
    repo.write("policy/guestbook.ward", &widened);
    commits.push(repo.commit(
        "Frontend calls the captcha service",
        "Ticket SEC-42.\n\nReviewed-by: Bob Security <bob@example.com>",
        "2024-02-01T09:00:00Z",
    ));

    repo.write("README.md", "# Guestbook\n\nSee policy/.\n");
    commits.push(repo.commit("Document the layout", "", "2024-02-15T09:00:00Z"));

    let broken = edit(&widened, "guestbook.redis:redis", "guestbook.cache:redis");
    repo.write("policy/guestbook.ward", &broken);
    commits.push(repo.commit("Rename the cache", "", "2024-03-01T09:00:00Z"));

    let fixed = edit(&widened, "tier=backend", "tier=cache");
    repo.write("policy/guestbook.ward", &fixed);
    commits.push(repo.commit("Relabel the cache instead", "", "2024-03-02T09:00:00Z"));

    let commented = edit(&fixed, "\ndeny", "\n# Redis is never public.\ndeny");
    repo.write("policy/guestbook.ward", &commented);
    commits.push(repo.commit("Explain the invariant", "", "2024-04-01T09:00:00Z"));

    let without = edit(&commented, CAPTCHA, "\n");
    repo.write("policy/guestbook.ward", &without);
    repo.write("policy/captcha.ward", CAPTCHA);
    commits.push(repo.commit(
        "Move the captcha flow to its own file",
        "",
        "2024-05-01T09:00:00Z",
    ));

    repo.remove("policy/captcha.ward");
    repo.write("policy/guestbook.ward", &without);
    commits.push(repo.commit("Retire the captcha", "", "2024-06-01T09:00:00Z"));
    (repo, commits)
}

fn stdout(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn history(repo: &Repo, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["history"];
    all.extend(args);
    all.extend(["--format", "json"]);
    serde_json::from_str(&stdout(&repo.ward(&all))).unwrap()
}

#[test]
fn every_format_of_the_whole_history_matches_its_snapshot() {
    let (repo, _) = guestbook_repo();
    insta::assert_snapshot!("markdown", stdout(&repo.ward(&["history", "policy"])));
    insta::assert_snapshot!(
        "csv",
        stdout(&repo.ward(&["history", "policy", "--format", "csv"]))
    );
}

#[test]
fn an_audit_period_in_json_matches_its_snapshot() {
    let (repo, _) = guestbook_repo();
    let json = stdout(&repo.ward(&[
        "history",
        "policy/",
        "--since",
        "2024-01-15",
        "--until",
        "2024-03-15",
        "--format",
        "json",
    ]));
    insta::assert_snapshot!("json_period", json);
}

#[test]
fn a_commit_that_adds_a_flow_lists_its_ends_and_declared_ports_only() {
    let repo = Repo::new();
    repo.write("policy/guestbook.ward", GUESTBOOK);
    repo.commit("Guestbook boundary", "", "2024-01-10T09:00:00Z");
    let flow = "flow guestbook.redis -> guestbook.frontend:http\n  controls CC6.1 because \"Cache warm-up\"\n";
    repo.write("policy/guestbook.ward", &format!("{GUESTBOOK}{flow}"));
    let hash = repo.commit("Redis warms the frontend", "", "2024-02-01T09:00:00Z");
    let markdown = stdout(&repo.ward(&["history", "policy"]));
    let section = markdown
        .split(&format!("## `{}` ", &hash[..12]))
        .nth(1)
        .expect("the commit's section");
    let changes: Vec<&str> = section.lines().filter(|l| l.starts_with("- ")).collect();
    // The flow's ends as the program names them, on the port `http` declares.
    assert_eq!(
        changes,
        [
            "- added flow `guestbook.redis -> guestbook.frontend:http`",
            "- newly allowed `guestbook.redis` -> `guestbook.frontend` on 8080/tcp",
        ]
    );
    let csv = stdout(&repo.ward(&["history", "policy", "--format", "csv"]));
    let row = csv.lines().last().unwrap();
    assert!(
        row.contains(",newly allowed guestbook.redis -> guestbook.frontend on 8080/tcp,"),
        "{row}"
    );
    // No sampled port beside the declared one, no simulator word.
    for word in ["8079", "8081", "1/tcp", "undeclared namespace", "probe"] {
        assert!(!section.contains(word) && !row.contains(word), "{word}");
    }
}

#[test]
fn every_commit_that_touched_the_program_is_listed_with_its_meaning() {
    let (repo, commits) = guestbook_repo();
    let value = history(&repo, &["policy"]);
    let listed: Vec<&str> = value["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["commit"].as_str().unwrap())
        .collect();
    // Every commit but the README's, oldest first.
    let expected: Vec<&str> = commits
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, c)| c.as_str())
        .collect();
    assert_eq!(listed, expected);
    let statuses: Vec<&str> = value["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "changed",
            "changed",
            "broken",
            "changed",
            "unchanged",
            "unchanged",
            "changed"
        ]
    );
    let commits = &value["commits"];
    // The first program is compared with none; the widening is flagged.
    assert!(commits[0]["base"].is_null());
    assert_eq!(commits[0]["diff"]["summary"]["flows_added"], 2);
    assert_eq!(commits[1]["diff"]["summary"]["widened"], true);
    assert_eq!(
        commits[1]["diff"]["summary"]["criteria_touched"],
        serde_json::json!(["CC6.7"])
    );
    assert_eq!(commits[1]["author"], "Alice Author");
    assert_eq!(commits[1]["email"], "alice@example.com");
    assert_eq!(
        commits[1]["body"],
        "Ticket SEC-42.\n\nReviewed-by: Bob Security <bob@example.com>"
    );
    // The broken commit carries its errors; the fix is compared with the
    // last program that compiled, not with the broken one.
    assert_eq!(commits[2]["problems"][0]["code"], "E0103");
    assert_eq!(
        commits[2]["problems"][0]["location"],
        "policy/guestbook.ward:14"
    );
    assert_eq!(commits[3]["base"], commits[1]["commit"]);
    assert_eq!(commits[3]["diff"]["services"][0]["name"], "guestbook.redis");
    // A comment and a split into two files change no meaning.
    assert_eq!(commits[4]["diff"]["summary"]["changed"], false);
    assert_eq!(commits[5]["diff"]["summary"]["changed"], false);
    assert_eq!(commits[6]["diff"]["summary"]["flows_removed"], 1);
}

fn failure(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "partial output: {output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The subjects of the commits a history lists.
fn subjects(value: &serde_json::Value) -> Vec<String> {
    value["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_period_is_whole_utc_days_or_exact_instants_by_commit_date() {
    let (repo, commits) = guestbook_repo();
    // A bare date is the whole day in UTC: the commit of 09:00 that day is
    // in `--since` and in `--until` (Git read it as the current time of day).
    let day = history(
        &repo,
        &["policy", "--since", "2024-02-01", "--until", "2024-02-01"],
    );
    assert_eq!(subjects(&day), ["Frontend calls the captcha service"]);
    let before = history(&repo, &["policy", "--until", "2024-01-31"]);
    assert_eq!(subjects(&before), ["Guestbook boundary"]);
    // An instant is exact, in any offset.
    let value = history(&repo, &["policy", "--since", "2024-03-01T12:00:00Z"]);
    assert_eq!(value["commits"][0]["commit"], commits[4]);
    assert_eq!(value["since"], "2024-03-01T12:00:00Z");
    let value = history(&repo, &["policy", "--since", "2024-03-01T10:00:00+01:00"]);
    assert_eq!(value["commits"][0]["commit"], commits[3]);
    let value = history(&repo, &["policy", "--since", "2024-03-01T10:00:01+01:00"]);
    assert_eq!(value["commits"][0]["commit"], commits[4]);
    // A period after every commit, or before, is empty, not everything.
    for args in [["--since", "2999-01-01"], ["--until", "2023-12-31"]] {
        let mut all = vec!["policy"];
        all.extend(args);
        assert_eq!(history(&repo, &all)["commits"], serde_json::json!([]));
    }
    // One file of the program is a path too.
    let value = history(&repo, &["policy/captcha.ward"]);
    assert_eq!(value["commits"].as_array().unwrap().len(), 2);
}

#[test]
fn the_period_selects_by_committer_date_not_author_date() {
    let repo = Repo::new();
    repo.write("policy/guestbook.ward", GUESTBOOK);
    // Written in December, committed (merged) in February.
    let late = repo.commit_as(
        b"Written early, merged late\n",
        OsStr::new("Alice Author"),
        "2023-12-01T09:00:00Z",
        "2024-02-10T09:00:00Z",
    );
    let value = history(&repo, &["policy", "--since", "2024-02-01"]);
    assert_eq!(value["commits"][0]["commit"], late);
    assert_eq!(value["commits"][0]["author_date"], "2023-12-01T09:00:00Z");
    assert_eq!(value["commits"][0]["commit_date"], "2024-02-10T09:00:00Z");
    let value = history(&repo, &["policy", "--until", "2024-01-31"]);
    assert_eq!(value["commits"], serde_json::json!([]));
}

#[test]
fn bad_dates_paths_and_places_are_usage_errors() {
    let (repo, _) = guestbook_repo();
    for args in [
        ["history", "policy", "--since", "not a date"],
        ["history", "policy", "--until", "yesterday"],
        ["history", "policy", "--since", "2024-02-30"],
        ["history", "policy", "--since", "2024-02-01 09:00"],
    ] {
        let stderr = failure(&repo.ward(&args));
        assert!(stderr.contains("is not a date"), "{stderr}");
    }
    let stderr = failure(&repo.ward(&[
        "history",
        "policy",
        "--since",
        "2024-03-02",
        "--until",
        "2024-03-01",
    ]));
    assert!(stderr.contains("before it starts"), "{stderr}");
    // A path no commit ever held is an error, not an empty history.
    for path in ["nonexistent.ward", "policy/nonexistent.ward", "README.md/x"] {
        let stderr = failure(&repo.ward(&["history", path]));
        assert!(stderr.contains("ever touched"), "{stderr}");
    }
    let outside = tempfile::tempdir().unwrap();
    let output = ward_command()
        .current_dir(outside.path())
        .args(["history", "."])
        .env("GIT_CEILING_DIRECTORIES", outside.path().parent().unwrap())
        .output()
        .unwrap();
    failure(&output);
}

#[test]
fn a_shallow_clone_is_refused_not_read_as_a_shorter_history() {
    let (repo, _) = guestbook_repo();
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    for (name, depth) in [("shallow", Some("2")), ("full", None)] {
        let mut args = vec!["clone", "-q"];
        if let Some(depth) = depth {
            args.extend(["--depth", depth]);
        }
        let target = clones.path().join(name);
        args.extend([url.as_str(), target.to_str().unwrap()]);
        repo.git(&args, "2024-07-01T00:00:00Z");
    }
    let run = |name: &str| {
        ward_command()
            .current_dir(clones.path().join(name))
            .args(["history", "policy", "--format", "json"])
            .output()
            .unwrap()
    };
    let stderr = failure(&run("shallow"));
    assert!(stderr.contains("shallow clone"), "{stderr}");
    assert_eq!(
        stdout(&run("full")),
        stdout(&repo.ward(&["history", "policy", "--format", "json"]))
    );
}

/// A commit message an attacker writes: Ward's old field and record
/// separators (0x1F, 0x1E) with a forged record, header lines, control
/// characters, terminal escapes, Markdown and CSV syntax.
const FORGERY: &[u8] = b"Open the cache\x1e to everyone\x1f\n\n\
body\x1e\n0000000000000000000000000000000000000000\x1f\x1fMallory\x1fm@evil.example\x1f\
2024-02-02T00:00:00Z\x1f2024-02-02T00:00:00Z\x1fApproved by the CISO\x1f\x1e\n\
author Mallory <m@evil.example> 1706832000 +0000\n\
parent 0000000000000000000000000000000000000000\n\
\x1b[2J\x1b[31mred\x1b[0m \x07\x08\x0b\x0c\x7f | cell | =HYPERLINK(\"http://evil\") <script>\n\
\r\n=1+1\n";

/// A Unix file name that is not UTF-8, a space, a quote, a newline.
const ODD_NAMES: [&[u8]; 4] = [
    b"policy/with space.ward",
    b"policy/quote\"d.ward",
    b"policy/new\nline.ward",
    b"policy/latin1-\xe9.ward",
];

/// A repository whose commits carry hostile text in their messages,
/// author names and file names; the commits in order with the subject,
/// body and author each was given.
fn hostile_repo() -> (Repo, Vec<(String, String, String, String)>) {
    let repo = Repo::new();
    let mut made = Vec::new();
    let mut commit = |message: &[u8], author: &[u8], subject: &str, body: &str, date: &str| {
        use std::os::unix::ffi::OsStrExt;
        let hash = repo.commit_as(message, OsStr::from_bytes(author), date, date);
        // Git stores bytes that are not UTF-8 as Latin-1 converted to UTF-8.
        let author = match std::str::from_utf8(author) {
            Ok(text) => text.to_string(),
            Err(_) => author.iter().map(|b| char::from(*b)).collect(),
        };
        made.push((hash, subject.to_string(), body.to_string(), author));
    };
    repo.write("policy/guestbook.ward", GUESTBOOK);
    commit(
        b"Guestbook boundary\n",
        b"Alice Author",
        "Guestbook boundary",
        "",
        "2024-01-10T09:00:00Z",
    );
    // A widening whose subject holds the separators.
    repo.write("policy/guestbook.ward", &format!("{GUESTBOOK}{CAPTCHA}"));
    let text = String::from_utf8_lossy(FORGERY);
    let (subject, body) = text.split_once("\n\n").unwrap();
    commit(
        FORGERY,
        b"Eve \"The Quoted\", Jr. | =cmd() *bold*",
        subject,
        body.trim_end(),
        "2024-02-01T09:00:00Z",
    );
    // Files of the program with odd names, and an author name that is not UTF-8.
    for (i, name) in ODD_NAMES.iter().enumerate() {
        let flow = format!(
            "flow guestbook.frontend -> captcha:{}/tcp\n  controls CC6.7 because \"Odd file {i}\"\n",
            1000 + i
        );
        repo.write_bytes(name, flow.as_bytes());
    }
    commit(
        b"\n\nLeading blank lines\nand a wrapped subject\n\n\n\nReviewed-by: B\n\n",
        b"Jos\xe9 (Latin-1)",
        "Leading blank lines and a wrapped subject",
        "Reviewed-by: B",
        "2024-03-01T09:00:00Z",
    );
    // A commit of nothing but the program's odd files, and an empty message.
    repo.write_bytes(ODD_NAMES[2], b"# emptied\n");
    commit(b"", b"Nobody", "", "", "2024-04-01T09:00:00Z");
    // A commit that does not touch the program, with a message naming it.
    repo.write("README.md", "# Guestbook\n");
    repo.commit("policy/guestbook.ward\x1e", "", "2024-05-01T09:00:00Z");
    (repo, made)
}

/// The records of an RFC 4180 document, each a list of fields: a test's
/// own reading, independent of Ward's writer.
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "unterminated CSV"
    );
    records
}

#[test]
fn hostile_text_can_neither_hide_nor_forge_a_commit() {
    let (repo, made) = hostile_repo();
    // The commits that touched the program, as Git lists them.
    let expected = repo.git(
        &["rev-list", "--reverse", "HEAD", "--", "policy"],
        "2024-07-01T00:00:00Z",
    );
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(
        expected,
        made.iter().map(|m| m.0.as_str()).collect::<Vec<_>>()
    );
    let value = history(&repo, &["policy"]);
    let commits = value["commits"].as_array().unwrap();
    assert_eq!(commits.len(), made.len());
    for (entry, (hash, subject, body, author)) in commits.iter().zip(&made) {
        assert_eq!(entry["commit"], hash.as_str());
        assert_eq!(entry["subject"], subject.as_str());
        assert_eq!(entry["body"], body.as_str());
        assert_eq!(entry["author"], author.as_str());
        assert_eq!(entry["email"], "alice@example.com");
        assert_ne!(entry["status"], "broken", "{entry}");
    }
    // The widening with separators in its subject is listed as one.
    assert_eq!(commits[1]["diff"]["summary"]["widened"], true);
    assert_eq!(commits[1]["base"], made[0].0.as_str());
    // Every file of the program was read, whatever its name.
    assert_eq!(
        commits[2]["diff"]["summary"]["flows_added"],
        ODD_NAMES.len()
    );
    assert_eq!(commits[3]["diff"]["summary"]["flows_removed"], 1);

    // Markdown: one table row per commit with seven cells, and no
    // control character but the line feed anywhere.
    let md = stdout(&repo.ward(&["history", "policy"]));
    let rows: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("|---"))
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(rows.len(), made.len(), "{md}");
    for row in &rows {
        let unescaped = row
            .match_indices('|')
            .filter(|(i, _)| !row[..*i].ends_with('\\'))
            .count();
        assert_eq!(unescaped, 8, "{row}");
    }
    assert!(
        !md.chars().any(|c| c.is_control() && c != '\n'),
        "a control character in the Markdown: {md:?}"
    );
    assert!(
        !md.contains("<script>") && !md.contains("Mallory <"),
        "{md}"
    );

    // CSV: a header and one record per commit, with the fields as given and
    // formulas defused.
    let csv = stdout(&repo.ward(&["history", "policy", "--format", "csv"]));
    let records = csv_records(&csv);
    assert_eq!(records.len(), made.len() + 1);
    let column = |name: &str| {
        ward::diff::history::COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    for (record, (hash, subject, _, author)) in records[1..].iter().zip(&made) {
        assert_eq!(record.len(), ward::diff::history::COLUMNS.len());
        assert_eq!(&record[column("commit")], hash);
        assert_eq!(&record[column("subject")], subject);
        assert_eq!(&record[column("author")], author);
    }
    let body = &records[2][column("body")];
    assert!(body.starts_with("body\x1e"), "{body:?}");
    for record in &records[1..] {
        for field in record {
            assert!(
                !field.starts_with(['=', '+', '-', '@']),
                "an undefused formula: {field:?}"
            );
        }
    }
}

#[test]
fn a_file_named_like_a_pathspec_is_only_itself() {
    let repo = Repo::new();
    repo.write("policy/guestbook.ward", GUESTBOOK);
    repo.write("policy/*.ward", GUESTBOOK);
    repo.commit("Two programs", "", "2024-01-10T09:00:00Z");
    repo.write("policy/guestbook.ward", &format!("{GUESTBOOK}{CAPTCHA}"));
    repo.commit("Only the real file", "", "2024-02-01T09:00:00Z");
    let value = history(&repo, &["policy/*.ward"]);
    assert_eq!(subjects(&value), ["Two programs"]);
}

#[test]
fn the_same_repository_gives_the_same_bytes() {
    let (first, _) = guestbook_repo();
    let (second, _) = guestbook_repo();
    for format in ["md", "csv", "json"] {
        let args = ["history", "policy", "--format", format];
        assert_eq!(stdout(&first.ward(&args)), stdout(&second.ward(&args)));
    }
}

#[test]
fn the_csv_has_one_row_per_commit_and_stable_columns() {
    let (repo, _) = guestbook_repo();
    let csv = stdout(&repo.ward(&["history", "policy", "--format", "csv"]));
    let header = csv.lines().next().unwrap().trim_end();
    assert_eq!(header, ward::diff::history::COLUMNS.join(","));
    // Seven commits, each one record (the body's line breaks are quoted).
    assert_eq!(csv.matches("\r\n").count(), 8);
}
