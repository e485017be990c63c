//! The fuzzers' committed inputs, replayed with stable `cargo test`: every
//! file under `fuzz/regressions/` (each crash or failure a fuzzer found,
//! kept once fixed) and `fuzz/seeds/` (the starting corpus) goes through
//! what the `parse` and `pipeline` targets run (`fuzz/pipeline.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

#[path = "../fuzz/pipeline.rs"]
mod pipeline;

use std::path::{Path, PathBuf};

/// Every file under `dir`, recursively, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else if path.file_name().is_some_and(|n| n != "README.md") {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn replay(dir: &str) -> usize {
    let inputs = files(Path::new(dir));
    for input in &inputs {
        let bytes = std::fs::read(input).unwrap();
        let outcome = std::panic::catch_unwind(|| {
            pipeline::parse(&bytes);
            pipeline::pipeline(&bytes);
        });
        assert!(outcome.is_ok(), "{} fails again", input.display());
    }
    inputs.len()
}

#[test]
fn regressions_stay_fixed() {
    // The directory holds at least its README; inputs are added as found.
    assert!(Path::new("fuzz/regressions/README.md").is_file());
    replay("fuzz/regressions");
}

#[test]
fn seeds_go_through_the_pipeline() {
    assert!(replay("fuzz/seeds") >= 10, "the seed corpus is missing");
}
