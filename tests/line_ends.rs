//! A program reads the same whatever ends its lines: `\n`, `\r\n` and a lone
//! `\r` (classic Mac OS, and what some tools write) each end one line, as
//! every editor shows them. The examples and generated programs, with their
//! line ends replaced (all at once or each picked at random), give the same
//! diagnostics at the same lines and columns, the same YAML (whose
//! annotations cite `file:line`), the same matrix and the same `ward fmt`
//! output as the original.

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
use ward::matrix::{self, Provenance};
use ward::source::{FileId, Sources};

/// Everything a program compiles to, as text, with the sources' digests and
/// sizes (the one thing that must differ: the bytes differ) left out.
fn outputs(sources: &Sources) -> Vec<String> {
    let checked = ward::compile(sources);
    let mut out: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| {
            let (line, column) = sources.line_col(d.primary.span.file, d.primary.span.start);
            format!("{}:{line}:{column}: {}", d.code.as_str(), d.message)
        })
        .collect();
    out.push(ward::cli::render::json(sources, &checked.diagnostics));
    for (id, file) in sources.iter() {
        out.push(match ward::format::format_source(id, &file.text) {
            Ok(formatted) => formatted,
            Err(errors) => format!("{} syntax errors", errors.len()),
        });
    }
    if let Some(model) = &checked.model {
        let plan = ward::plan::plan(model);
        let emitted = ward::emit::emit(model, &plan, sources);
        let documents = ward::output::documents(&emitted).unwrap();
        out.push(ward::yaml::stream(&documents));
        let matrix = matrix::build(
            model,
            &plan,
            &documents,
            sources,
            &checked.diagnostics,
            &Provenance::default(),
        );
        let digest = matrix::sources_digest(sources);
        let markdown = matrix::markdown(&matrix).replace(&digest, "DIGEST");
        let (cited, _sources_table) = markdown.split_once("\n## Sources\n").unwrap();
        out.push(cited.to_string());
    }
    out
}

/// The first place where two outputs differ, to read in a failure.
fn difference(left: &[String], right: &[String]) -> Option<String> {
    if left.len() != right.len() {
        return Some(format!("{} outputs against {}", left.len(), right.len()));
    }
    left.iter().zip(right).enumerate().find_map(|(i, (a, b))| {
        let line = a.lines().zip(b.lines()).find(|(x, y)| x != y);
        (a != b).then(|| format!("output {i}: {line:?}"))
    })
}

/// `sources` with every `\n` replaced by what `line_end` gives for it (the
/// texts hold no `\r` of their own).
fn relined(sources: &Sources, mut line_end: impl FnMut() -> &'static str) -> Sources {
    let mut out = Sources::new();
    for (_, file) in sources.iter() {
        let mut text = String::new();
        for (i, line) in file.text.split('\n').enumerate() {
            if i > 0 {
                let mut end = line_end();
                // A `\n` right after a lone `\r` would make one `\r\n` of two
                // line ends.
                if end == "\n" && text.ends_with('\r') {
                    end = "\r";
                }
                text.push_str(end);
            }
            text.push_str(line);
        }
        out.add(file.name.clone(), text);
    }
    out
}

fn assert_same_outputs(sources: &Sources, what: &str) {
    let original = outputs(sources);
    for ending in ["\r", "\r\n"] {
        let other = relined(sources, || ending);
        let found = difference(&outputs(&other), &original);
        assert!(
            found.is_none(),
            "{what} with {ending:?} line ends: {found:?}"
        );
    }
}

#[test]
fn every_example_reads_the_same_with_cr_and_crlf_line_ends() {
    for path in common::examples() {
        let sources = common::load(&path);
        assert!(
            ward::compile(&sources).model.is_some(),
            "{} checks clean",
            path.display()
        );
        assert_same_outputs(&sources, &path.display().to_string());
    }
}

#[test]
fn every_ui_program_reads_the_same_with_cr_and_crlf_line_ends() {
    for path in common::ward_files(std::path::Path::new("tests/ui")) {
        let text = std::fs::read_to_string(&path);
        let Ok(text) = text else { continue };
        if text.contains('\r') {
            continue;
        }
        let mut sources = Sources::new();
        sources.add(path.to_string_lossy(), text);
        assert_same_outputs(&sources, &path.display().to_string());
    }
}

#[test]
fn a_comment_ended_by_a_lone_cr_hides_no_statement() {
    let text = "namespace a { service x { pods app=x } service y { pods app=y  ports p 80 } }\n\
        flow a.x -> a.y controls CC6.1 because \"b\"\n# note\rdeny a.x -> a.y\n";
    let mut sources = Sources::new();
    sources.add("a.ward", text);
    let checked = ward::compile(&sources);
    let codes: Vec<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert!(codes.contains(&"E0402"), "the deny was read: {codes:?}");
    assert_eq!(
        ward::format::format_source(FileId(0), text).unwrap(),
        "namespace a {\n  service x { pods app=x }\n  service y { pods app=y  ports p 80 }\n}\n\
        flow a.x -> a.y\n  controls CC6.1 because \"b\"\n# note\ndeny a.x -> a.y\n"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn generated_programs_read_the_same_whatever_ends_each_line(
        seed in any::<u64>(),
        services in 3usize..30,
        picks in prop::collection::vec(0usize..3, 1..64),
    ) {
        let sources = ward::generator::sources(&ward::generator::Config::sized(services, seed));
        let original = outputs(&sources);
        let mut pick = picks.iter().cycle();
        let mixed = relined(&sources, || ["\n", "\r", "\r\n"][*pick.next().unwrap()]);
        let found = difference(&outputs(&mixed), &original);
        prop_assert!(found.is_none(), "mixed line ends: {:?}", found);
        let found = difference(&outputs(&relined(&sources, || "\r")), &original);
        prop_assert!(found.is_none(), "\\r line ends: {:?}", found);
    }

    #[test]
    fn mutated_examples_read_the_same_whatever_ends_each_line(
        example in 0usize..100,
        edits in prop::collection::vec((0usize..10_000, 0usize..8), 1..4),
        picks in prop::collection::vec(0usize..3, 1..64),
    ) {
        let examples = common::examples();
        let base = common::load(&examples[example % examples.len()]);
        let mut sources = Sources::new();
        for (_, file) in base.iter() {
            let mut text = file.text.clone();
            for (at, what) in &edits {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let insert = ["# c\n", "\n", "\"", "\\\n", "}", "deny a.b -> c.d\n", "#", " "][*what];
                text.insert_str(at, insert);
            }
            sources.add(file.name.clone(), text);
        }
        let original = outputs(&sources);
        let mut pick = picks.iter().cycle();
        let mixed = relined(&sources, || ["\n", "\r", "\r\n"][*pick.next().unwrap()]);
        let found = difference(&outputs(&mixed), &original);
        prop_assert!(found.is_none(), "mixed line ends: {:?}", found);
    }
}
