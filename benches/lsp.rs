//! What an edit costs in `ward lsp` on a generated program of 1,000 services
//! (`ward::generator`, four flows per service) split into files of 25
//! statements, as a team keeps a large program: the analysis alone (an
//! edited file parsed again, the others from the cache, then check and
//! index), and the whole round trip as an editor sees it (a `didChange`
//! sent to the real `ward lsp` until the diagnostics that changed are
//! published: the edit adds or removes a service that no flow uses, so
//! only the edited file's change).
//!
//! `cargo bench --bench lsp`. The budget is 50 ms for the round trip.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::print_stdout,
    reason = "a benchmark of a valid generated program; it writes its files, prints its CPU figures and fails loudly"
)]

#[path = "../tests/lsp/client.rs"]
#[allow(dead_code, reason = "the benchmark uses part of the test client")]
mod client;

use criterion::{Criterion, criterion_main};
use serde_json::json;
use std::time::{Duration, Instant};
use ward::generator::{self, Config};
use ward::lsp::{ParseCache, Program};
use ward::source::Sources;

const SERVICES: usize = 1_000;
/// Top-level statements per file.
const PER_FILE: usize = 25;

/// The generated program as files of at most `PER_FILE` statements (a
/// statement starts on a line that is not indented, a brace or a comment).
fn files() -> Vec<String> {
    let text = generator::program(&Config::sized(SERVICES, 1));
    let mut files = vec![String::new()];
    let mut statements = 0;
    for line in text.split_inclusive('\n') {
        let starts = !line.starts_with([' ', '}', '#', '\n']);
        if starts {
            statements += 1;
            if statements > PER_FILE {
                files.push(String::new());
                statements = 1;
            }
        }
        files.last_mut().unwrap().push_str(line);
    }
    files
}

fn sources(files: &[String]) -> Sources {
    let mut sources = Sources::new();
    for (i, text) in files.iter().enumerate() {
        sources.add(format!("{i:03}.ward"), text.clone());
    }
    sources
}

/// Two versions of the file edited: as written, and with one more service.
fn edits(file: &str) -> [String; 2] {
    let with_service = file.replacen(
        "{\n",
        "{\n  service added { pods app=added  ports http 8080 }\n",
        1,
    );
    assert_ne!(with_service, file, "the edited file declares a namespace");
    [file.to_string(), with_service]
}

/// CPU time spent so far by the threads whose `schedstat` files are in
/// `dir` (`/proc/PID/task`), or by the calling thread when `None`: on a
/// machine shared with other builds, CPU time is the fair figure, since
/// wall time counts the waits for a core.
fn cpu(pid: Option<u32>) -> Duration {
    let read = |path: std::path::PathBuf| -> u64 {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.split_whitespace()
            .next()
            .and_then(|ns| ns.parse().ok())
            .unwrap_or(0)
    };
    let nanos = match pid {
        None => read("/proc/thread-self/schedstat".into()),
        Some(pid) => std::fs::read_dir(format!("/proc/{pid}/task"))
            .unwrap()
            .map(|task| read(task.unwrap().path().join("schedstat")))
            .sum(),
    };
    Duration::from_nanos(nanos)
}

/// How many edits the CPU time is averaged over.
const CPU_EDITS: u32 = 60;

fn analysis(c: &mut Criterion) {
    let mut files = files();
    let edited = files
        .iter()
        .position(|f| f.contains("\nnamespace "))
        .unwrap();
    let versions = edits(&files[edited]);
    let mut cache = ParseCache::new();
    let program = Program::new(sources(&files), Vec::new(), &mut cache);
    assert!(program.diagnostics.iter().all(|d| !d.is_error()));
    let mut turn = 0;
    c.bench_function("lsp/analysis after an edit, 1,000 services", |b| {
        b.iter(|| {
            turn += 1;
            files[edited].clone_from(&versions[turn % 2]);
            Program::new(sources(&files), Vec::new(), &mut cache)
        });
    });
    let start = cpu(None);
    for _ in 0..CPU_EDITS {
        turn += 1;
        files[edited].clone_from(&versions[turn % 2]);
        drop(Program::new(sources(&files), Vec::new(), &mut cache));
    }
    println!(
        "lsp/analysis after an edit, 1,000 services: {:.1} ms of CPU per edit",
        (cpu(None) - start).as_secs_f64() * 1e3 / f64::from(CPU_EDITS)
    );
}

fn round_trip(c: &mut Criterion) {
    let files = files();
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in files.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i:03}.ward")), text).unwrap();
    }
    let edited = files
        .iter()
        .position(|f| f.contains("\nnamespace "))
        .unwrap();
    let path = dir.path().join(format!("{edited:03}.ward"));
    let versions = edits(&files[edited]);
    let mut client = client::Client::start(dir.path(), json!({})).0;
    client.open(&path, &versions[0]);
    let published = client.diagnostics();
    assert_eq!(published.len(), files.len());
    let mut version = 1;
    c.bench_function("lsp/didChange to diagnostics, 1,000 services", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                version += 1;
                let start = Instant::now();
                client.change(
                    &path,
                    version,
                    &versions[usize::try_from(version).unwrap() % 2],
                );
                let published = client.diagnostics();
                total += start.elapsed();
                assert_eq!(published.len(), 1);
                assert!(published.contains_key(&client::url(&path)));
            }
            total
        });
    });
    let (server, own) = (cpu(Some(client.pid())), cpu(None));
    for _ in 0..CPU_EDITS {
        version += 1;
        client.change(
            &path,
            version,
            &versions[usize::try_from(version).unwrap() % 2],
        );
        client.diagnostics();
    }
    let per_edit = |spent: Duration| spent.as_secs_f64() * 1e3 / f64::from(CPU_EDITS);
    println!(
        "lsp/didChange to diagnostics, 1,000 services: {:.1} ms of the server's CPU per edit ({:.1} ms of the client's)",
        per_edit(cpu(Some(client.pid())) - server),
        per_edit(cpu(None) - own)
    );
    client.shutdown();
}

fn benches() {
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(30)
        .measurement_time(Duration::from_secs(5));
    analysis(&mut c);
    round_trip(&mut c);
}

criterion_main!(benches);
