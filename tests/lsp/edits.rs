//! Random edit scripts on the bundled examples: the analysis after every
//! edit equals a fresh compile (only the edited file is parsed again), no
//! question at any place panics, and the server answers every request of a
//! random session and exits cleanly.

use super::client::{Client, url};
use proptest::prelude::*;
use serde_json::json;
use ward::lsp::position::{Encoding, LineIndex, Position};
use ward::lsp::{ParseCache, Program, complete, edit, hover, outline};
use ward::source::{FileId, Sources};

/// Every `.ward` file of the examples, as (name, text).
fn example_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for example in crate::common::examples() {
        for file in crate::common::ward_files(&example) {
            let text = std::fs::read_to_string(&file).unwrap();
            files.push((file.to_string_lossy().into_owned(), text));
        }
    }
    files
}

/// What an edit inserts: pieces of the language, line breaks of every kind,
/// characters wider than one UTF-16 unit, and anything printable.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "{",
            "}",
            "(",
            ")",
            "flow ",
            "deny ",
            " -> ",
            ".",
            ":",
            "*",
            ",",
            "\"",
            "#",
            "\n",
            "\r\n",
            "\r",
            "namespace x { service y { pods a=b ports p 80 } }\n",
            "controls ",
            "because \"z\"",
            "maps CC6.1",
            "\u{e9}",
            "\u{1f600}",
            "\u{202e}",
            "except 10.0.0.0/8",
            "soc2:CC6.1",
            "",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,8}",
        any::<char>().prop_map(String::from),
    ]
}

/// One edit: where (a fraction of the text), how much to delete, what to insert.
fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, usize, String)>> {
    prop::collection::vec(
        (any::<prop::sample::Index>(), 0usize..12, fragment()),
        1..12,
    )
}

/// `text` with one edit applied at a character boundary.
fn apply(text: &str, (at, delete, insert): &(prop::sample::Index, usize, String)) -> String {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let start = boundaries[at.index(boundaries.len())];
    let end = text[start..]
        .char_indices()
        .map(|(i, _)| start + i)
        .chain([text.len()])
        .nth(*delete)
        .unwrap_or(text.len());
    format!("{}{insert}{}", &text[..start], &text[end..])
}

fn sources(files: &[(String, String)]) -> Sources {
    let mut sources = Sources::new();
    for (name, text) in files {
        sources.add(name.clone(), text.clone());
    }
    sources
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_edit_is_analysed_as_a_fresh_compile_and_no_question_panics(
        file in any::<prop::sample::Index>(),
        script in edits(),
        probes in prop::collection::vec(any::<prop::sample::Index>(), 4),
        name in "[a-zA-Z0-9_-]{0,6}",
    ) {
        let mut files = example_files();
        let edited = file.index(files.len());
        let mut cache = ParseCache::new();
        let mut program = Program::new(sources(&files), Vec::new(), &mut cache);
        for step in &script {
            let before = std::mem::take(&mut files[edited].1);
            files[edited].1 = apply(&before, step);
            let changed = usize::from(files[edited].1 != before);
            let parses = cache.parses();
            program = Program::new(sources(&files), Vec::new(), &mut cache);
            prop_assert_eq!(cache.parses(), parses + changed, "only the edited file is parsed again");
            let fresh = ward::compile(&program.sources);
            prop_assert_eq!(&fresh.diagnostics, &program.diagnostics);
        }
        let id = FileId(edited);
        let text = program.text(id).to_string();
        for probe in &probes {
            let offset = probe.index(text.len() + 2);
            let _ = complete::complete(&program, id, offset);
            let _ = edit::fixes(&program, id, offset.saturating_sub(40), offset);
            if let Some(found) = program.index.at(id, offset) {
                let _ = hover::hover(&program, &found.symbol);
                let _ = edit::rename(&program, &found.symbol, &name);
            }
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let lines = LineIndex::new(&text, encoding);
                let position = lines.position(offset);
                prop_assert!(lines.offset(position) <= text.len());
                let wild = Position { line: position.line + (offset as u32 % 3), character: offset as u32 };
                prop_assert!(lines.offset(wild) <= text.len());
            }
        }
        let _ = outline::outline(&program.ast, id);
    }
}

/// The requests an editor sends about a place or a document.
const REQUESTS: &[&str] = &[
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/completion",
    "textDocument/rename",
    "textDocument/documentSymbol",
    "textDocument/formatting",
    "textDocument/codeAction",
    "textDocument/semanticTokens/full",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn the_server_answers_every_request_of_a_random_session(
        script in edits(),
        asks in prop::collection::vec((any::<prop::sample::Index>(), 0u32..400, 0u32..200), 1..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let example = std::path::Path::new("examples/platform");
        let mut names = Vec::new();
        for file in crate::common::ward_files(example) {
            let name = file.file_name().unwrap().to_owned();
            std::fs::copy(&file, dir.path().join(&name)).unwrap();
            names.push(name);
        }
        let path = dir.path().join(&names[names.len() / 2]);
        let mut text = std::fs::read_to_string(&path).unwrap();
        let mut client = Client::start(dir.path(), json!({})).0;
        client.open(&path, &text);
        let uri = url(&path);
        for (version, (step, (method, line, character))) in script.iter().zip(asks.iter().cycle()).enumerate() {
            text = apply(&text, step);
            client.change(&path, version as i64 + 2, &text);
            let method = REQUESTS[method.index(REQUESTS.len())];
            let position = json!({ "line": line, "character": character });
            let params = json!({
                "textDocument": { "uri": uri },
                "position": position,
                "range": { "start": position, "end": { "line": line + 3, "character": 0 } },
                "context": { "includeDeclaration": true, "diagnostics": [] },
                "newName": "renamed",
                "options": { "tabSize": 2, "insertSpaces": true },
            });
            let response = client.call(method, params);
            match response.get("error") {
                None => {}
                Some(error) => prop_assert!(
                    method == "textDocument/rename" && error["code"] == -32803,
                    "{} failed: {}", method, error
                ),
            }
        }
        let published = client.diagnostics();
        prop_assert!(published.contains_key(&uri));
        prop_assert_eq!(client.shutdown(), Some(0));
    }
}
