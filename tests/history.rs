//! `ward history`: the change population of an audit period, on a scripted
//! Git repository whose commits widen, break, fix, narrow, reformat and
//! split the program (and one that does not touch it). Snapshots of
//! Markdown, CSV and JSON; the period's bounds; determinism.
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

#[test]
fn the_period_bounds_are_gits_and_outside_work_trees_fail_cleanly() {
    let (repo, commits) = guestbook_repo();
    let value = history(&repo, &["policy", "--since", "2024-03-01T12:00:00Z"]);
    let first = &value["commits"][0];
    assert_eq!(first["commit"], commits[4]);
    assert_eq!(first["subject"], "Relabel the cache instead");
    assert_eq!(value["since"], "2024-03-01T12:00:00Z");
    let value = history(&repo, &["policy", "--until", "2023-12-31"]);
    assert_eq!(value["commits"], serde_json::json!([]));
    // One file of the program is a path too.
    let value = history(&repo, &["policy/captcha.ward"]);
    assert_eq!(value["commits"].as_array().unwrap().len(), 2);
    let outside = tempfile::tempdir().unwrap();
    let output = ward_command()
        .current_dir(outside.path())
        .args(["history", "."])
        .env("GIT_CEILING_DIRECTORIES", outside.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
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
