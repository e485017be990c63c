//! No input, however malformed, makes the compiler panic or hang: arbitrary
//! bytes, mutated examples, and pathological shapes (deep nesting, huge
//! files). Errors always come back as coded diagnostics, and whatever
//! compiles keeps the invariants of `fuzz/pipeline.rs`, shared with the fuzz
//! targets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

mod common;
#[path = "../fuzz/pipeline.rs"]
#[expect(
    dead_code,
    reason = "the parser-only target `parse` checks a subset of what `pipeline` does"
)]
mod pipeline;

use proptest::prelude::*;
use ward::source::Sources;

/// Compiles bytes as one file and checks the invariants every run keeps:
/// the fuzz targets' own (`fuzz/pipeline.rs`), so that a property test and a
/// fuzzer judge an input alike.
fn compile_bytes(bytes: Vec<u8>) {
    pipeline::pipeline(&bytes);
}

/// The whole-file and the split parse of `bytes` as one file agree
/// (`fuzz/pipeline.rs`).
fn split_parse(bytes: Vec<u8>) {
    let mut sources = Sources::new();
    let _ = ward::add_file(&mut sources, "split.ward", bytes);
    pipeline::split_parse(&sources);
}

fn example_texts() -> Vec<Vec<u8>> {
    common::examples()
        .iter()
        .flat_map(|p| common::ward_files(p))
        .map(|f| std::fs::read(f).unwrap())
        .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Replace(usize, u8),
    Duplicate(usize, usize),
}

fn apply(mut text: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        let len = text.len().max(1);
        match mutation {
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(text.len());
                if at < end {
                    text.drain(at..end);
                }
            }
            Mutation::Insert(at, bytes) => {
                let at = (at % len).min(text.len());
                text.splice(at..at, bytes.iter().copied());
            }
            Mutation::Replace(at, byte) => {
                if let Some(b) = text.get_mut(at % len) {
                    *b = *byte;
                }
            }
            Mutation::Duplicate(at, n) => {
                let at = (at % len).min(text.len());
                let end = (at + n).min(text.len());
                let piece: Vec<u8> = text[at..end].to_vec();
                text.splice(at..at, piece);
            }
        }
    }
    text
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let tokens: Vec<&'static [u8]> = vec![
        b"{",
        b"}",
        b"->",
        b":",
        b"*",
        b".",
        b",",
        b"\"",
        b"#",
        b"\n",
        b" flow ",
        b" deny ",
        b"namespace",
        b"service",
        b"ports",
        b"pods",
        b"controls",
        b"except",
        b"0.0.0.0/0",
        b"65536",
        b"0",
        b"-",
        b"/udp",
        b"in (",
        b"!",
        b"has ",
        b"\xff",
        b"CC6.9",
    ];
    prop_oneof![
        (any::<usize>(), 1..20usize).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), proptest::sample::select(tokens))
            .prop_map(|(a, t)| Mutation::Insert(a, t.to_vec())),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Replace(a, b)),
        (any::<usize>(), 1..80usize).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        compile_bytes(bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[a-z0-9 .:*,=/#{}()\"!\\->\n]{0,400}") {
        compile_bytes(text.into_bytes());
    }

    #[test]
    fn mutated_examples_never_panic(
        which in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let texts = example_texts();
        let text = which.get(&texts).clone();
        compile_bytes(apply(text, &mutations));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn split_parse_is_whole_parse_on_mutated_examples(
        which in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let texts = example_texts();
        split_parse(apply(which.get(&texts).clone(), &mutations));
    }

    #[test]
    fn split_parse_is_whole_parse_on_mutated_generated_programs(
        services in 1..60usize,
        seed in any::<u64>(),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let config = ward::generator::Config::new(services, services * 4, seed);
        let text = ward::generator::program(&config).into_bytes();
        split_parse(apply(text, &mutations));
    }

    #[test]
    fn split_parse_is_whole_parse_on_arbitrary_text(
        text in r#"(flow |namespace |deny |control |#|"|\\|[a-z0-9 .:*,=/{}()!\->\n\r])*"#,
    ) {
        split_parse(text.into_bytes());
    }
}

#[test]
fn deep_nesting_and_huge_inputs_finish() {
    compile_bytes(b"{".repeat(1_000_000));
    compile_bytes(b"(".repeat(1_000_000));
    compile_bytes(b"namespace a { ".repeat(200_000));
    compile_bytes(
        "flow a.b -> c.d:80 controls CC6.1 because \"x\"\n"
            .repeat(50_000)
            .into_bytes(),
    );
    compile_bytes("x\n".repeat(5_000_000).into_bytes());
}
