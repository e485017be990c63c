//! No input, however malformed, makes the compiler panic or hang: arbitrary
//! bytes, mutated examples, and pathological shapes (deep nesting, huge
//! files). Errors always come back as coded diagnostics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

mod common;

use proptest::prelude::*;
use ward::source::Sources;

/// Compiles bytes as one file and checks the invariants every run keeps.
fn compile_bytes(bytes: Vec<u8>) {
    let mut sources = Sources::new();
    let encoding = ward::add_file(&mut sources, "fuzz.ward", bytes);
    let checked = ward::compile(&sources);
    let text_len = sources.get(ward::source::FileId(0)).unwrap().text.len();
    for d in checked.diagnostics.iter().chain(encoding.iter()) {
        assert!(d.primary.span.start <= d.primary.span.end);
        assert!(
            d.primary.span.end <= text_len + 1,
            "span past the end: {d:?}"
        );
        assert!(!d.message.is_empty());
    }
    if let Some(model) = &checked.model {
        assert!(!checked.diagnostics.iter().any(|d| d.is_error()));
        // What the API server would reject never reaches the YAML.
        let plan = ward::plan::plan(model);
        for emitted in ward::emit::emit(model, &plan, &sources) {
            let text = serde_json::to_value(&emitted.object).unwrap();
            assert_valid(&text);
        }
    }
    // Rendering must not panic either.
    let _ = ward::cli::render::human(&sources, &checked.diagnostics);
}

/// No `In`/`NotIn` without values, and every `except` strictly inside its
/// `cidr`, anywhere in an emitted object.
fn assert_valid(value: &serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(operator) = map.get("operator").and_then(|o| o.as_str()) {
                if operator == "In" || operator == "NotIn" {
                    let values = map.get("values").and_then(|v| v.as_array());
                    assert!(values.is_some_and(|v| !v.is_empty()), "{value}");
                }
            }
            if let Some(cidr) = map.get("cidr").and_then(|c| c.as_str()) {
                let cidr: ipnet::IpNet = cidr.parse().unwrap();
                for hole in map
                    .get("except")
                    .and_then(|e| e.as_array())
                    .into_iter()
                    .flatten()
                {
                    let hole: ipnet::IpNet = hole.as_str().unwrap().parse().unwrap();
                    assert!(cidr.contains(&hole) && cidr != hole, "{value}");
                }
            }
            map.values().for_each(assert_valid);
        }
        serde_json::Value::Array(items) => items.iter().for_each(assert_valid),
        _ => {}
    }
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
