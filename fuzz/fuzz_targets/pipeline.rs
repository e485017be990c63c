//! Fuzz target: the whole pipeline (check, build, YAML, matrix, and for
//! small programs the simulation) never panics and holds together.
//! `cargo +nightly fuzz run pipeline fuzz/seeds` (from the repository root).

#![no_main]

#[path = "../pipeline.rs"]
#[allow(dead_code, reason = "each target uses one of its entry points")]
mod pipeline;

libfuzzer_sys::fuzz_target!(|data: &[u8]| pipeline::pipeline(data));
