//! Fuzz target: the parser never panics, and its diagnostics point inside
//! the file. `cargo +nightly fuzz run parse` (from the repository root).

#![no_main]

#[path = "../pipeline.rs"]
#[allow(dead_code, reason = "each target uses one of its entry points")]
mod pipeline;

libfuzzer_sys::fuzz_target!(|data: &[u8]| pipeline::parse(data));
