//! `ward build -o`, `ward fmt` and `ward matrix -o` never write outside their files and never
//! half-write (issue 13): a hostile manifest, planted symbolic links, odd
//! file names, a process killed at any step, two builds at once, a full
//! disk. Each test scripts the attack or the fault against the real binary.
//! Unix only: links, modes, `/dev/full` and non-UTF-8 names.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn ward(args: &[&str]) -> Output {
    ward_with(args, &[])
}

fn ward_with(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ward"));
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Every entry below `dir`, links included (as `-> target`), directories
/// as `path/`, files with their bytes. The lock file is left out: a killed
/// build cannot remove it (an empty file, never followed).
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
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
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.push((format!("{rel} -> {}", target.display()), Vec::new()));
            } else if kind.is_dir() {
                out.push((format!("{rel}/"), Vec::new()));
                stack.push(path);
            } else if rel != ".ward-build.lock" {
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn build_ok(program: &Path, out: &Path) {
    let result = ward(&["build", s(program), "-o", s(out)]);
    assert!(result.status.success(), "{}", stderr(&result));
}

const PAYMENTS: &str = "examples/payments.ward";

#[test]
fn a_manifest_line_outside_the_directory_is_refused_and_nothing_outside_is_touched() {
    for entry in [
        "../victims/x",
        "/VICTIM",
        "shop/../../victims/x",
        "a\\..\\x",
        ".ward-staging/journal",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        build_ok(PAYMENTS.as_ref(), &out);
        let victims = tmp.path().join("victims");
        std::fs::create_dir(&victims).unwrap();
        std::fs::write(victims.join("x"), "keep").unwrap();
        let entry = entry.replace("/VICTIM", s(&victims.join("x")));
        let manifest = out.join(".ward-build");
        let mut text = std::fs::read_to_string(&manifest).unwrap();
        let line = text.lines().count() + 1;
        text.push_str(&format!("{entry}\n"));
        std::fs::write(&manifest, text).unwrap();
        let before = tree(tmp.path());
        for check in [false, true] {
            let mut args = vec!["build", PAYMENTS, "-o", s(&out)];
            if check {
                args.push("--check");
            }
            let result = ward(&args);
            assert_eq!(result.status.code(), Some(2), "{entry} check={check}");
            let message = stderr(&result);
            assert!(
                message.contains(&format!("line {line} lists `{}`", entry.escape_debug())),
                "{entry}: {message}"
            );
            assert_eq!(tree(tmp.path()), before, "{entry} check={check}");
        }
    }
}

#[test]
fn a_link_in_the_build_directory_is_refused_never_followed() {
    // Each case plants a link in a fresh build, pointing at `outside`.
    type Plant = fn(&Path, &Path);
    let cases: [(&str, Plant); 5] = [
        ("a namespace directory", |out, outside| {
            std::fs::remove_dir_all(out.join("shop")).unwrap();
            symlink(outside, out.join("shop")).unwrap();
        }),
        ("a stale namespace directory", |out, outside| {
            std::fs::write(outside.join("svc-old.yaml"), "theirs").unwrap();
            symlink(outside, out.join("gone")).unwrap();
            let mut manifest = std::fs::read_to_string(out.join(".ward-build")).unwrap();
            manifest.push_str("gone/svc-old.yaml\n");
            std::fs::write(out.join(".ward-build"), manifest).unwrap();
        }),
        ("a policy file", |out, outside| {
            std::fs::remove_file(out.join("payments/svc-api.yaml")).unwrap();
            symlink(
                outside.join("victim.txt"),
                out.join("payments/svc-api.yaml"),
            )
            .unwrap();
        }),
        ("the manifest", |out, outside| {
            std::fs::rename(out.join(".ward-build"), outside.join("manifest")).unwrap();
            symlink(outside.join("manifest"), out.join(".ward-build")).unwrap();
        }),
        ("the lock file", |out, outside| {
            symlink(outside.join("victim.txt"), out.join(".ward-build.lock")).unwrap();
        }),
    ];
    for (what, plant) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let (out, outside) = (tmp.path().join("out"), tmp.path().join("outside"));
        build_ok(PAYMENTS.as_ref(), &out);
        // An edit, so that the build has something to write.
        std::fs::write(out.join("payments/svc-vault.yaml"), "edited").unwrap();
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("victim.txt"), "keep").unwrap();
        plant(&out, &outside);
        let before = tree(&outside);
        let result = ward(&["build", PAYMENTS, "-o", s(&out)]);
        assert_eq!(result.status.code(), Some(2), "{what}: {}", stderr(&result));
        assert!(
            stderr(&result).contains("is a symbolic link"),
            "{what}: {}",
            stderr(&result)
        );
        assert_eq!(tree(&outside), before, "{what}: outside changed");
        assert_eq!(
            std::fs::read_to_string(out.join("payments/svc-vault.yaml")).unwrap(),
            "edited",
            "{what}: the build went ahead"
        );
    }
}

#[test]
fn planted_staging_links_are_removed_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, victim) = (tmp.path().join("out"), tmp.path().join("victim"));
    build_ok(PAYMENTS.as_ref(), &out);
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(
        victim.join("journal"),
        "ward-journal 1\nop 01 kustomization.yaml\n",
    )
    .unwrap();
    std::fs::write(victim.join("new-0"), "keep").unwrap();
    symlink(&victim, out.join(".ward-staging")).unwrap();
    // The old staging name, beside a policy: never written through.
    std::fs::write(tmp.path().join("victim.txt"), "keep").unwrap();
    symlink(
        "../../victim.txt",
        out.join("payments/all-pods.yaml.ward-tmp"),
    )
    .unwrap();
    std::fs::write(out.join("payments/all-pods.yaml"), "edited").unwrap();
    build_ok(PAYMENTS.as_ref(), &out);
    assert_eq!(
        std::fs::read_to_string(victim.join("new-0")).unwrap(),
        "keep"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("victim.txt")).unwrap(),
        "keep"
    );
    assert!(!out.join(".ward-staging").exists());
    let fresh = tmp.path().join("fresh");
    build_ok(PAYMENTS.as_ref(), &fresh);
    let mut built = tree(&out);
    built.retain(|(p, _)| !p.ends_with(".ward-tmp -> ../../victim.txt"));
    assert_eq!(built, tree(&fresh));
}

#[test]
fn an_output_directory_that_is_a_link_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    std::fs::create_dir(&real).unwrap();
    symlink(&real, tmp.path().join("out")).unwrap();
    let result = ward(&["build", PAYMENTS, "-o", s(&tmp.path().join("out"))]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("is a symbolic link"),
        "{}",
        stderr(&result)
    );
    assert!(tree(&real).is_empty());
}

const UNFORMATTED: &str = "namespace a {   service b { pods app=b ports http 80 } }\n";

fn formatted() -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.ward");
    std::fs::write(&path, UNFORMATTED).unwrap();
    assert!(ward(&["fmt", s(&path)]).status.success());
    let text = std::fs::read_to_string(&path).unwrap();
    assert_ne!(text, UNFORMATTED);
    text
}

#[test]
fn fmt_writes_back_to_exactly_the_path_it_read_with_its_mode() {
    use std::os::unix::ffi::OsStrExt as _;
    let formatted = formatted();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("bs/a")).unwrap();
    std::fs::write(tmp.path().join("bs/a/b.ward"), "# not me\n").unwrap();
    let names: [PathBuf; 4] = [
        tmp.path().join("bs/a\\b.ward"),
        tmp.path().join(std::ffi::OsStr::from_bytes(b"p\xff.ward")),
        tmp.path().join("ro.ward"),
        tmp.path().join("private.ward"),
    ];
    let modes = [0o644, 0o640, 0o444, 0o600];
    for (name, mode) in names.iter().zip(modes) {
        std::fs::write(name, UNFORMATTED).unwrap();
        std::fs::set_permissions(name, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let args: Vec<&str> = std::iter::once("fmt")
        .chain(names.iter().filter_map(|n| n.to_str()))
        .collect();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ward"));
    command.arg("fmt").args(&names);
    let result = command.output().unwrap();
    assert!(result.status.success(), "{args:?}: {}", stderr(&result));
    for (name, mode) in names.iter().zip(modes) {
        assert_eq!(
            std::fs::read_to_string(name).unwrap(),
            formatted,
            "{}",
            name.display()
        );
        let got = std::fs::metadata(name).unwrap().permissions().mode() & 0o777;
        assert_eq!(got, mode, "{}", name.display());
    }
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("bs/a/b.ward")).unwrap(),
        "# not me\n"
    );
    let mut entries: Vec<Vec<u8>> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().as_bytes().to_vec())
        .collect();
    entries.sort();
    let mut expected: Vec<Vec<u8>> = ["bs", "private.ward", "ro.ward"]
        .iter()
        .map(|n| n.as_bytes().to_vec())
        .chain([b"p\xff.ward".to_vec()])
        .collect();
    expected.sort();
    assert_eq!(entries, expected, "a second file appeared");
}

#[test]
fn fmt_refuses_a_linked_file_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (elsewhere, program) = (tmp.path().join("elsewhere"), tmp.path().join("program"));
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::create_dir(&program).unwrap();
    std::fs::write(elsewhere.join("target.ward"), UNFORMATTED).unwrap();
    std::fs::write(program.join("a.ward"), UNFORMATTED).unwrap();
    symlink(elsewhere.join("target.ward"), program.join("z.ward")).unwrap();
    let before = tree(tmp.path());
    let result = ward(&["fmt", s(&program)]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("is a symbolic link"),
        "{}",
        stderr(&result)
    );
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn fmt_never_writes_through_a_link_planted_at_its_staging_name() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.ward"), UNFORMATTED).unwrap();
    std::fs::write(tmp.path().join("victim.txt"), "keep").unwrap();
    symlink("victim.txt", tmp.path().join(".a.ward.ward-new")).unwrap();
    symlink("victim.txt", tmp.path().join(".a.ward.ward-old")).unwrap();
    let result = ward(&["fmt", s(&tmp.path().join("a.ward"))]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("a.ward")).unwrap(),
        formatted()
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("victim.txt")).unwrap(),
        "keep"
    );
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a.ward", "victim.txt"]);
}

#[test]
fn fmt_of_several_files_is_all_or_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["a.ward", "b.ward", "c.ward"] {
        std::fs::write(tmp.path().join(name), UNFORMATTED).unwrap();
    }
    // Staging `c.ward` fails: a directory holds its staging name.
    std::fs::create_dir(tmp.path().join(".c.ward.ward-new")).unwrap();
    std::fs::write(tmp.path().join(".c.ward.ward-new/x"), "").unwrap();
    let before = tree(tmp.path());
    let result = ward(&["fmt", s(tmp.path())]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("nothing was changed"),
        "{}",
        stderr(&result)
    );
    assert_eq!(tree(tmp.path()), before);
}

/// Writes a generated program to `dir/prog.ward`.
fn generated(dir: &Path, services: usize, seed: u64) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("prog.ward");
    std::fs::write(
        &path,
        ward::generator::program(&ward::generator::Config::sized(services, seed)),
    )
    .unwrap();
    path
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Two programs and their builds, each made in a fresh directory.
struct Builds {
    tmp: tempfile::TempDir,
    old_program: PathBuf,
    new_program: PathBuf,
    old: Vec<(String, Vec<u8>)>,
    new: Vec<(String, Vec<u8>)>,
}

fn builds(services: usize) -> Builds {
    let tmp = tempfile::tempdir().unwrap();
    let old_program = generated(&tmp.path().join("old"), services, 1);
    let new_program = generated(&tmp.path().join("new"), services, 2);
    let (old_dir, new_dir) = (tmp.path().join("old-build"), tmp.path().join("new-build"));
    build_ok(&old_program, &old_dir);
    build_ok(&new_program, &new_dir);
    let (old, new) = (tree(&old_dir), tree(&new_dir));
    assert_ne!(old, new);
    Builds {
        tmp,
        old_program,
        new_program,
        old,
        new,
    }
}

impl Builds {
    /// A fresh copy of the old build.
    fn old_copy(&self, name: &str) -> PathBuf {
        let out = self.tmp.path().join(name);
        copy_tree(&self.tmp.path().join("old-build"), &out);
        assert_eq!(tree(&out), self.old);
        out
    }

    /// What the next run finds once it has undone an interrupted build:
    /// it is crashed right after (before its first file operation).
    fn recovered(&self, out: &Path) -> Vec<(String, Vec<u8>)> {
        let result = ward_with(
            &["build", s(&self.new_program), "-o", s(out)],
            &[("WARD_FAULT_AFTER", "0".to_string())],
        );
        let state = tree(out);
        assert!(
            result.status.code() != Some(2),
            "the run after the crash failed: {}",
            stderr(&result)
        );
        state
    }

    fn assert_old_or_new_then_new(&self, out: &Path, what: &str) {
        let state = self.recovered(out);
        assert!(
            state == self.old || state == self.new,
            "{what}: a mixed directory: {:?}",
            state.iter().map(|(p, _)| p).collect::<Vec<_>>()
        );
        build_ok(&self.new_program, out);
        assert_eq!(tree(out), self.new, "{what}: the next build");
        assert!(!out.join(".ward-build.lock").exists());
    }
}

#[test]
fn a_build_killed_at_any_step_leaves_the_old_or_the_new_build_and_the_next_run_finishes() {
    let builds = builds(12);
    let mut crashed = 0;
    let mut step = 0;
    loop {
        let out = builds.old_copy(&format!("out-{step}"));
        let result = ward_with(
            &["build", s(&builds.new_program), "-o", s(&out)],
            &[("WARD_FAULT_AFTER", step.to_string())],
        );
        if result.status.success() {
            assert_eq!(tree(&out), builds.new);
            break;
        }
        assert_eq!(
            result.status.code(),
            None,
            "step {step}: {}",
            stderr(&result)
        );
        crashed += 1;
        builds.assert_old_or_new_then_new(&out, &format!("killed at step {step}"));
        std::fs::remove_dir_all(&out).unwrap();
        // Every early step, then a sample of the later ones.
        step += 1 + step / 16;
    }
    assert!(crashed > 20, "only {crashed} steps");
}

#[test]
fn check_reports_an_interrupted_build_as_drift_and_writes_nothing() {
    let builds = builds(4);
    // Killed in the middle of the switch: the first step at which a kill
    // leaves the journal (files staged, the switch begun, not committed).
    let out = (1..400)
        .find_map(|step| {
            let out = builds.old_copy(&format!("out-{step}"));
            let killed = ward_with(
                &["build", s(&builds.new_program), "-o", s(&out)],
                &[("WARD_FAULT_AFTER", step.to_string())],
            );
            assert!(killed.status.code() != Some(2), "{}", stderr(&killed));
            let switching =
                killed.status.code().is_none() && out.join(".ward-staging/journal").exists();
            switching.then_some(out)
        })
        .expect("some step is inside the switch");
    let before = tree(&out);
    let check = ward(&["build", s(&builds.new_program), "-o", s(&out), "--check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stderr(&check).contains("interrupted"), "{}", stderr(&check));
    assert_eq!(tree(&out), before);
    builds.assert_old_or_new_then_new(&out, "after --check");
}

#[test]
fn a_build_killed_by_a_signal_at_random_times_leaves_the_old_or_the_new_build() {
    let builds = builds(150);
    for (i, delay) in [10u64, 30, 60, 90].iter().enumerate() {
        let out = builds.old_copy(&format!("out-{i}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_ward"))
            .args(["build", s(&builds.new_program), "-o", s(&out)])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(*delay));
        let _ = child.kill();
        child.wait().unwrap();
        builds.assert_old_or_new_then_new(&out, &format!("killed after {delay} ms"));
    }
}

#[test]
fn a_second_build_waits_for_the_first_and_neither_update_is_lost() {
    let builds = builds(12);
    let out = builds.old_copy("out");
    // The first build pauses inside its switch, holding the lock.
    let first = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["build", s(&builds.old_program), "-o", s(&out)])
        .env("WARD_PAUSE_AFTER", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Give it something to write: an edited file it must restore.
    let edited = out.join("kustomization.yaml");
    std::fs::write(&edited, "edited").unwrap();
    let mut waited = 0;
    while !out.join(".ward-staging").exists() {
        std::thread::sleep(std::time::Duration::from_millis(10));
        waited += 1;
        assert!(waited < 1000, "the first build never started writing");
    }
    let second = ward(&["build", s(&builds.new_program), "-o", s(&out)]);
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("waiting for another `ward build`"),
        "{}",
        stderr(&second)
    );
    // The second build ran after the first, on what the first wrote.
    assert_eq!(tree(&out), builds.new);
}

#[test]
fn a_write_error_on_stdout_fails_the_command() {
    let commands: [&[&str]; 4] = [
        &["build", PAYMENTS],
        &["matrix", PAYMENTS],
        &["matrix", PAYMENTS, "--format", "json"],
        &["check", PAYMENTS, "--format", "sarif"],
    ];
    for args in commands {
        let full = std::fs::File::create("/dev/full").unwrap();
        let result = Command::new(env!("CARGO_BIN_EXE_ward"))
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(result.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&result).contains("cannot write to standard output"),
            "{args:?}: {}",
            stderr(&result)
        );
    }
}

#[test]
fn a_closed_pipe_stops_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let program = generated(tmp.path(), 200, 1);
    for command in ["build", "matrix"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ward"))
            .args([command, s(&program)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
        drop(stdout);
        let result = child.wait_with_output().unwrap();
        assert_eq!(
            result.status.code(),
            Some(0),
            "{command}: {}",
            stderr(&result)
        );
        assert!(
            !stderr(&result).contains("error"),
            "{command}: {}",
            stderr(&result)
        );
    }
}

#[test]
fn matrix_to_a_file_never_writes_through_a_planted_staging_link() {
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    std::os::unix::fs::symlink(&victim, tmp.path().join("matrix.ward-tmp")).unwrap();
    let target = tmp.path().join("matrix.md");
    let result = ward(&["matrix", "examples/minimal.ward", "-o", s(&target)]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("Guestbook")
    );
    assert!(!tmp.path().join("matrix.ward-tmp").exists());
}

#[test]
fn a_planted_journal_cannot_reach_through_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("victim.yaml"), "keep me").unwrap();
    let out = tmp.path().join("out");
    let built = ward(&["build", "examples/minimal.ward", "-o", s(&out)]);
    assert!(built.status.success(), "{}", stderr(&built));
    // A pull request commits a link and a journal whose undo would delete
    // `link/victim.yaml` (a file "added" by a build that never staged it).
    std::os::unix::fs::symlink(&outside, out.join("link")).unwrap();
    std::fs::create_dir(out.join(".ward-staging")).unwrap();
    std::fs::write(
        out.join(".ward-staging/journal"),
        "ward-journal 1\nop 01 link/victim.yaml\n",
    )
    .unwrap();
    let result = ward(&["build", "examples/minimal.ward", "-o", s(&out)]);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("passes through the symbolic link"),
        "{}",
        stderr(&result)
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("victim.yaml")).unwrap(),
        "keep me"
    );
}

#[test]
fn fmt_does_not_follow_a_linked_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let messy = "namespace   shop {\n  service web { pods app=web ports http 8080 }\n}\n";
    std::fs::write(outside.join("other.ward"), messy).unwrap();
    let program = tmp.path().join("policy");
    std::fs::create_dir(&program).unwrap();
    std::fs::copy("examples/minimal.ward", program.join("minimal.ward")).unwrap();
    std::os::unix::fs::symlink(&outside, program.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(&program, program.join("loop")).unwrap();
    let result = ward(&["fmt", s(&program)]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(
        std::fs::read_to_string(outside.join("other.ward")).unwrap(),
        messy
    );
}
