//! What README.md and the CI examples show is what Ward does: the language
//! sample is a bundled example, the diagnostic sample is what `ward check`
//! prints, the install commands work, and the CI workflow and the Git hook
//! call commands and flags that exist.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

use std::path::Path;
use std::process::{Command, Output};

fn ward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(args)
        .output()
        .unwrap()
}

fn readme() -> String {
    std::fs::read_to_string("README.md").unwrap()
}

/// The body of the first fenced block of `fence` (e.g. "```ward") after
/// `heading`.
fn block_after(text: &str, heading: &str, fence: &str) -> String {
    let from = text
        .find(heading)
        .unwrap_or_else(|| panic!("no `{heading}`"));
    let open = from + text[from..].find(&format!("{fence}\n")).unwrap() + fence.len() + 1;
    let close = open + text[open..].find("```\n").unwrap();
    text[open..close].to_owned()
}

#[test]
fn the_language_sample_is_the_payments_example() {
    let sample = block_after(&readme(), "## The language, by example", "```ward");
    let example = std::fs::read_to_string("examples/payments.ward").unwrap();
    assert_eq!(sample, example, "README's language sample drifted");
}

#[test]
fn the_diagnostic_sample_is_what_ward_check_prints() {
    let sample = block_after(&readme(), "A diagnostic looks like this", "```text");
    let command = "$ ward check tests/readme/shortcut.ward\n";
    let printed = sample
        .strip_prefix(command)
        .expect("the sample starts with its command");
    let output = ward(&["check", "--color", "never", "tests/readme/shortcut.ward"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(printed, String::from_utf8(output.stderr).unwrap());
}

#[test]
fn the_explain_sample_is_what_ward_explain_prints() {
    let sample = block_after(&readme(), "A test keeps this sample equal", "```text");
    let command =
        "$ ward explain examples/payments.ward 'shop{app=web,track=canary}' payments.api:https\n";
    let printed = sample
        .strip_prefix(command)
        .expect("the sample starts with its command");
    let output = ward(&[
        "explain",
        "examples/payments.ward",
        "shop{app=web,track=canary}",
        "payments.api:https",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(printed, String::from_utf8(output.stdout).unwrap());
}

#[test]
fn completions_are_generated_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = ward(&["completions", shell]);
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        for command in ["check", "build", "matrix", "history"] {
            assert!(script.contains(command), "{shell} completes no `{command}`");
        }
    }
    assert_eq!(ward(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_pages_cover_the_command_and_each_subcommand() {
    let page = String::from_utf8(ward(&["man"]).stdout).unwrap();
    assert!(page.contains(".TH ward 1"), "{page}");
    let help = String::from_utf8(ward(&["--help"]).stdout).unwrap();
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    assert!(commands.len() >= 10, "{commands:?}");
    for command in commands {
        assert!(page.contains(command), "ward(1) does not list `{command}`");
        let own = ward(&["man", command]);
        assert!(own.status.success(), "ward man {command}");
        let text = String::from_utf8(own.stdout).unwrap();
        assert!(text.contains(&format!(".TH ward-{command} 1")), "{text}");
    }
    let unknown = ward(&["man", "deploy"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("`deploy` is not a command"));
}

/// Every `ward SUBCOMMAND ... --flag` in `text` names a subcommand and flags
/// that `ward SUBCOMMAND --help` documents.
fn assert_real_invocations(file: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut seen = 0;
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (at, word) in words.iter().enumerate() {
            if *word != "ward" && *word != "entry:" {
                continue;
            }
            let rest = &words[at + 1..];
            let rest = if *word == "entry:" {
                match rest.split_first() {
                    Some((&"ward", rest)) => rest,
                    _ => continue,
                }
            } else {
                rest
            };
            let Some(sub) = rest.first() else { continue };
            if !sub.chars().all(|c| c.is_ascii_lowercase()) {
                continue;
            }
            let help = ward(&[sub, "--help"]);
            assert!(help.status.success(), "{file}: `ward {sub}` is no command");
            let help = String::from_utf8(help.stdout).unwrap();
            for flag in rest.iter().filter(|w| w.starts_with("--")) {
                assert!(help.contains(flag), "{file}: `ward {sub}` has no `{flag}`");
            }
            seen += 1;
        }
    }
    assert!(seen > 0, "{file} calls no ward command");
}

#[test]
fn the_ci_examples_call_commands_and_flags_that_exist() {
    assert_real_invocations("docs/ci/github-actions.yml");
    assert_real_invocations("docs/ci/pre-commit");
    assert_real_invocations(".pre-commit-hooks.yaml");
}

/// Runs the pre-commit hook in `dir` with the built `ward` first on PATH.
fn hook(dir: &Path, output: Option<&str>) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_ward")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let script = std::fs::canonicalize("docs/ci/pre-commit").unwrap();
    let mut command = Command::new("sh");
    command
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        .env("WARD_PROGRAM", "policy");
    if let Some(output) = output {
        command.env("WARD_OUTPUT", output);
    }
    command.output().unwrap()
}

#[test]
fn the_pre_commit_hook_passes_a_clean_program_and_stops_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy");
    std::fs::create_dir(&policy).unwrap();
    std::fs::copy("examples/payments.ward", policy.join("payments.ward")).unwrap();
    let clean = hook(dir.path(), None);
    assert!(clean.status.success(), "{clean:?}");

    // A committed build that is current passes; a stale one stops the commit.
    let built = ward(&[
        "build",
        policy.to_str().unwrap(),
        "-o",
        dir.path().join("deploy").to_str().unwrap(),
    ]);
    assert!(built.status.success(), "{built:?}");
    assert!(hook(dir.path(), Some("deploy")).status.success());
    let text = std::fs::read_to_string(policy.join("payments.ward")).unwrap();
    let narrowed = text.replace(
        "flow payments.api -> stripe:443/tcp\n  controls CC6.7 because \"Card authorization with the processor\"\n",
        "",
    );
    assert_ne!(narrowed, text);
    std::fs::write(policy.join("payments.ward"), &narrowed).unwrap();
    assert_eq!(hook(dir.path(), Some("deploy")).status.code(), Some(1));

    // Unformatted: the hook says how to fix it.
    std::fs::write(
        policy.join("payments.ward"),
        text.replace("  controls", "    controls"),
    )
    .unwrap();
    let unformatted = hook(dir.path(), None);
    assert_eq!(unformatted.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unformatted.stderr).contains("run `ward fmt policy`"));

    // Formatted but wrong: the diagnostic is shown.
    std::fs::write(
        policy.join("payments.ward"),
        text.replace("controls CC6.7 because", "controls CC6.77 because"),
    )
    .unwrap();
    let broken = hook(dir.path(), None);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("E0302"));
}
