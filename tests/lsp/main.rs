//! `ward lsp` driven as an editor drives it: the real binary, JSON-RPC over
//! its stdin and stdout. Expectations come from the program text and from
//! `ward check --format json`, never from the server's own code.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

mod client;
#[path = "../common/mod.rs"]
mod common;
mod edits;
mod session;

use client::{Client, find, url};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

const CLUSTER: &str = "\
baseline controls CC6.1, CC6.6
namespace shop {
  service web { pods app=web  ports http 8080 }
  service db { pods app=db, tier=data  ports pg 5432 }
}
external internet = 0.0.0.0/0 except 10.0.0.0/8
control NET-1 \"Only the web tier reaches the database\" maps CC6.1
";

const FLOWS: &str = "\
# flows \u{1f680} of the shop
flow internet -> shop.web:http controls CC6.6 because \"visitors\"
flow shop.web -> shop.db:pg controls NET-1 because \"orders\"
";

/// A program directory with two files.
fn program() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cluster.ward"), CLUSTER).unwrap();
    std::fs::write(dir.path().join("flows.ward"), FLOWS).unwrap();
    dir
}

fn start(dir: &Path) -> Client {
    Client::start(dir, json!({})).0
}

/// The two-file program, its server started and flows.ward open.
fn flows_open() -> (tempfile::TempDir, Client) {
    let dir = program();
    let mut client = start(dir.path());
    client.open(&dir.path().join("flows.ward"), FLOWS);
    (dir, client)
}

#[test]
fn initialize_negotiates_the_position_encoding_and_shutdown_exits_cleanly() {
    let dir = program();
    let (client, result) = Client::start(dir.path(), json!({}));
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    for provider in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "completionProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
    ] {
        assert!(!capabilities[provider].is_null(), "{provider}");
    }
    assert_eq!(client.shutdown(), Some(0));

    let offered = json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } });
    let (client, result) = Client::start(dir.path(), offered);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(client.shutdown(), Some(0));
}

/// `ward check --format json` on a directory: (file name, code, line,
/// column) of every diagnostic, 1-based, columns in characters.
fn check_json(dir: &Path) -> BTreeSet<(String, String, u64, u64)> {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            let name = file.rsplit('/').next().unwrap().to_string();
            (
                name,
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// [`check_json`] on a program of the two files with these texts.
fn check_texts(cluster: &str, flows: &str) -> BTreeSet<(String, String, u64, u64)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cluster.ward"), cluster).unwrap();
    std::fs::write(dir.path().join("flows.ward"), flows).unwrap();
    check_json(dir.path())
}

/// A request about a whole document.
fn on_document(client: &mut Client, method: &str, dir: &Path, name: &str) -> Value {
    client.request(
        method,
        json!({ "textDocument": { "uri": url(&dir.join(name)) } }),
    )
}

/// The server's diagnostics in the same terms: the UTF-16 character turned
/// into a character count with the file's text.
fn lsp_diagnostics(
    published: &std::collections::BTreeMap<String, Vec<Value>>,
    dir: &Path,
    texts: &[(&str, &str)],
) -> BTreeSet<(String, String, u64, u64)> {
    let mut found = BTreeSet::new();
    for (name, text) in texts {
        let Some(list) = published.get(&url(&dir.join(name))) else {
            continue;
        };
        for d in list {
            let line = d["range"]["start"]["line"].as_u64().unwrap();
            let units = d["range"]["start"]["character"].as_u64().unwrap();
            let line_text = text.split('\n').nth(line as usize).unwrap();
            let mut count = 0;
            let mut chars = 0;
            for c in line_text.chars() {
                if count >= units {
                    break;
                }
                count += c.len_utf16() as u64;
                chars += 1;
            }
            assert_eq!(d["source"], "ward");
            let code = d["code"].as_str().unwrap().to_string();
            assert!(
                d["codeDescription"]["href"]
                    .as_str()
                    .unwrap()
                    .contains(&code),
                "the code links to its explanation: {d}"
            );
            found.insert((name.to_string(), code, line + 1, chars + 1));
        }
    }
    found
}

#[test]
fn diagnostics_cover_the_whole_program_and_open_buffers_win_over_disk() {
    let dir = program();
    let mut client = start(dir.path());
    let flows = dir.path().join("flows.ward");
    // The buffer breaks a reference after the non-ASCII comment; the disk
    // still holds the valid file.
    let broken = FLOWS.replace("shop.db:pg", "shop.dbb:pg").replace(
        "visitors\"",
        "visitors\" # \u{e9}t\u{e9} \u{1f600}\nflow shop.web -> shop.web:htp",
    );
    client.open(&flows, &broken);
    let published = client.diagnostics();
    assert!(published.contains_key(&url(&dir.path().join("cluster.ward"))));
    let shown = lsp_diagnostics(
        &published,
        dir.path(),
        &[("flows.ward", &broken), ("cluster.ward", CLUSTER)],
    );
    assert!(!shown.is_empty());
    // `ward check` on the same texts says the same, at the same places.
    assert_eq!(shown, check_texts(CLUSTER, &broken));

    // An edit that fixes it clears every file's diagnostics.
    client.change(&flows, 2, FLOWS);
    let published = client.diagnostics();
    assert!(published.values().all(Vec::is_empty), "{published:?}");

    // A syntax error in the buffer; the file on disk is still valid.
    client.change(&flows, 3, "flow shop.web -> \n");
    let published = client.diagnostics();
    let errors = &published[&url(&flows)];
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["code"], "E0001");
    assert_eq!(errors[0]["severity"], 1);
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn a_file_on_disk_that_no_buffer_holds_is_read_from_disk() {
    let dir = program();
    // cluster.ward on disk lacks `shop.db`: the open flows.ward is told.
    std::fs::write(
        dir.path().join("cluster.ward"),
        CLUSTER.replace("service db", "service store"),
    )
    .unwrap();
    let mut client = start(dir.path());
    let flows = dir.path().join("flows.ward");
    client.open(&flows, FLOWS);
    let published = client.diagnostics();
    let codes: Vec<&str> = published[&url(&flows)]
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["E0103"]);
    // Opening cluster.ward with the service back: the buffer wins.
    client.open(&dir.path().join("cluster.ward"), CLUSTER);
    let published = client.diagnostics();
    assert!(published.values().all(Vec::is_empty), "{published:?}");
    client.shutdown();
}

/// A location as the protocol writes it: the file's URI and the range of
/// `needle` (plus `skip` characters, `len` long) in `text`.
fn location(dir: &Path, name: &str, text: &str, needle: &str, skip: usize, len: u64) -> Value {
    let start = find(text, needle, skip);
    let end =
        json!({ "line": start["line"], "character": start["character"].as_u64().unwrap() + len });
    json!({ "uri": url(&dir.join(name)), "range": { "start": start, "end": end } })
}

fn at(dir: &Path, name: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": url(&dir.join(name)) }, "position": position })
}

fn sorted(value: Value) -> Vec<String> {
    let mut items: Vec<String> = value
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect();
    items.sort();
    items
}

#[test]
fn definition_and_references_cross_files() {
    let (dir, mut client) = flows_open();
    let d = dir.path();
    // (file and needle of a use, skip to the name) -> the definition.
    let cases = [
        ("shop.db:pg", 5, ("service db", 8, 2)),
        ("shop.db:pg", 8, ("pg 5432", 0, 2)),
        ("shop.web:http", 0, ("namespace shop", 10, 4)),
        ("internet ->", 0, ("external internet", 9, 8)),
        ("NET-1 because", 0, ("control NET-1", 8, 5)),
    ];
    for (needle, skip, (definition, def_skip, len)) in cases {
        let found = client.request(
            "textDocument/definition",
            at(d, "flows.ward", find(FLOWS, needle, skip)),
        );
        let expected = location(d, "cluster.ward", CLUSTER, definition, def_skip, len);
        assert_eq!(found, json!([expected]), "{needle}");
    }

    // Every place `shop.web` is written, from its definition in a file
    // that is not open.
    let found = client.request(
        "textDocument/references",
        json!({
            "textDocument": { "uri": url(&d.join("cluster.ward")) },
            "position": find(CLUSTER, "service web", 8),
            "context": { "includeDeclaration": true },
        }),
    );
    let mut expected = vec![location(d, "cluster.ward", CLUSTER, "service web", 8, 3)];
    let second = FLOWS.replacen("shop.web", "xxxx.xxx", 1);
    expected.push(location(d, "flows.ward", FLOWS, "shop.web", 5, 3));
    expected.push(location(d, "flows.ward", &second, "shop.web", 5, 3));
    assert_eq!(sorted(found), sorted(Value::from(expected.clone())));
    let found = client.request(
        "textDocument/references",
        json!({
            "textDocument": { "uri": url(&d.join("cluster.ward")) },
            "position": find(CLUSTER, "service web", 8),
            "context": { "includeDeclaration": false },
        }),
    );
    assert_eq!(sorted(found), sorted(Value::from(expected[1..].to_vec())));

    // Nothing is named at a keyword.
    let found = client.request(
        "textDocument/definition",
        at(d, "flows.ward", find(FLOWS, "flow", 1)),
    );
    assert_eq!(found, Value::Null);
    client.shutdown();
}

fn hover_text(
    client: &mut Client,
    d: &Path,
    name: &str,
    text: &str,
    needle: &str,
    skip: usize,
) -> String {
    let hover = client.request("textDocument/hover", at(d, name, find(text, needle, skip)));
    assert_eq!(hover["contents"]["kind"], "markdown");
    hover["contents"]["value"].as_str().unwrap().to_string()
}

#[test]
fn hover_tells_what_a_name_stands_for() {
    let (dir, mut client) = flows_open();
    let d = dir.path();
    let criterion = ward::catalog::criterion("CC6.6").unwrap();
    let text = hover_text(&mut client, d, "flows.ward", FLOWS, "CC6.6", 2);
    for part in [
        criterion.id,
        criterion.series,
        criterion.series_title,
        criterion.description,
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    let text = hover_text(&mut client, d, "flows.ward", FLOWS, "NET-1", 0);
    assert!(
        text.contains("Only the web tier reaches the database"),
        "{text}"
    );
    assert!(text.contains("CC6.1"), "{text}");
    let text = hover_text(&mut client, d, "flows.ward", FLOWS, "shop.db", 6);
    for part in ["app=db, tier=data", "pg 5432", "shop.web -> shop.db:pg"] {
        assert!(text.contains(part), "{part} in {text}");
    }
    assert!(!text.contains("internet -> shop.web"), "{text}");
    let text = hover_text(&mut client, d, "flows.ward", FLOWS, "internet", 3);
    assert!(
        text.contains("0.0.0.0/0") && text.contains("10.0.0.0/8"),
        "{text}"
    );
    client.shutdown();
}

fn labels(client: &mut Client, d: &Path, text: &str, needle: &str, skip: usize) -> Vec<String> {
    let path = d.join("edit.ward");
    client.change(&path, 2, text);
    let items = client.request(
        "textDocument/completion",
        at(d, "edit.ward", find(text, needle, skip)),
    );
    let items = match &items {
        Value::Array(items) => items.clone(),
        other => other["items"].as_array().unwrap().clone(),
    };
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn completion_offers_the_names_that_fit_the_place() {
    let dir = program();
    let d = dir.path();
    let mut client = start(d);
    client.open(&d.join("edit.ward"), "");
    let found = labels(&mut client, d, "flow shop.web -> shop.\n", "shop.\n", 5);
    assert_eq!(found, ["web", "db"]);
    let found = labels(&mut client, d, "flow shop.web -> shop.db:\n", ":\n", 1);
    assert_eq!(found, ["pg"]);
    let found = labels(
        &mut client,
        d,
        "flow shop.web -> shop.db:pg controls \n",
        "controls \n",
        9,
    );
    assert_eq!(found.len(), 1 + ward::catalog::CRITERIA.len());
    assert_eq!(found[0], "NET-1");
    assert!(found.contains(&"CC6.6".to_string()));
    let found = labels(&mut client, d, "fl\n", "fl", 2);
    assert!(found.contains(&"flow".to_string()) && found.contains(&"namespace".to_string()));
    let found = labels(
        &mut client,
        d,
        "namespace x { service y { pods  } }\n",
        "pods ",
        5,
    );
    assert_eq!(found, ["app", "tier"]);
    // Wherever a term of a `pods` clause starts, and only there.
    let keys = ["app", "tier"];
    for (text, needle, skip) in [
        ("namespace x { service y { pods app=web,  } }\n", "web, ", 5),
        ("namespace x { service y { pods ti } }\n", "ti", 2),
        ("namespace x { service y { pods has  } }\n", "has ", 4),
        ("namespace x { service y { pods !  } }\n", "!", 1),
        (
            "namespace x {\n  service y {\n    pods app=web, # the web tier\n      \n  }\n}\n",
            "      \n",
            6,
        ),
    ] {
        assert_eq!(labels(&mut client, d, text, needle, skip), keys, "{text}");
    }
    for (text, needle, skip) in [
        ("namespace x { service y { pods app=  } }\n", "app=", 4),
        (
            "namespace x { service y { pods tier in (a,  } }\n",
            "(a, ",
            4,
        ),
        (
            "namespace x { service y { pods app=web ports  } }\n",
            "ports ",
            6,
        ),
        (
            "namespace x { service y { pods app=web }\n  \n}\n",
            "}\n  ",
            4,
        ),
        ("control C \"pods \" maps \n", "maps ", 5),
    ] {
        let found = labels(&mut client, d, text, needle, skip);
        assert!(!found.iter().any(|f| f == "tier"), "{text}: {found:?}");
    }
    let found = labels(&mut client, d, "flow \n", "flow ", 5);
    assert_eq!(found, ["shop", "internet"]);
    client.shutdown();
}

#[test]
fn document_symbols_outline_a_file() {
    let dir = program();
    let d = dir.path();
    let mut client = start(d);
    let symbols = on_document(
        &mut client,
        "textDocument/documentSymbol",
        d,
        "cluster.ward",
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["baseline", "shop", "internet", "NET-1"]);
    let shop = &symbols[1];
    let services: Vec<&str> = shop["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["web", "db"]);
    assert_eq!(shop["selectionRange"]["start"], find(CLUSTER, "shop", 0));
    client.shutdown();
}

#[test]
fn formatting_gives_what_ward_fmt_writes() {
    let dir = program();
    let d = dir.path();
    let messy = "flow   internet->shop.web:http   controls CC6.6 because \"visitors\"   # why\n\n\n\nflow shop.web -> shop.db:pg controls NET-1 because \"orders\"";
    let mut client = start(d);
    client.open(&d.join("flows.ward"), messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": url(&d.join("flows.ward")) }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    // `ward fmt` on the same text.
    let other = tempfile::tempdir().unwrap();
    let file = other.path().join("f.ward");
    std::fs::write(&file, messy).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ward"))
        .arg("fmt")
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    let expected = std::fs::read_to_string(&file).unwrap();
    assert_ne!(expected, messy);
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    assert_eq!(edits[0]["range"]["end"], find(messy, "\"orders\"", 8));
    assert_eq!(edits[0]["newText"], expected);

    // A buffer that does not parse is left alone.
    client.change(&d.join("flows.ward"), 2, "flow ->");
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": url(&d.join("flows.ward")) }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits, Value::Null);
    client.shutdown();
}

/// The byte offset of a protocol position (UTF-16 characters) in `text`.
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let units = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut count = 0;
    for (at, c) in text[start..].char_indices() {
        if count >= units {
            return start + at;
        }
        count += c.len_utf16();
    }
    text.len()
}

/// `text` with protocol text edits applied.
fn apply(text: &str, edits: &[Value]) -> String {
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort();
    let mut out = text.to_string();
    for (start, end, new) in edits.into_iter().rev() {
        out.replace_range(start..end, new);
    }
    out
}

fn edits_for(edit: &Value, dir: &Path, name: &str) -> Vec<Value> {
    edit["changes"][url(&dir.join(name))]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn rename_rewrites_every_place_and_refuses_names_kubernetes_rejects() {
    let (dir, mut client) = flows_open();
    let d = dir.path();
    let rename = |client: &mut Client, needle: &str, skip: usize, name: &str| {
        let mut params = at(d, "flows.ward", find(FLOWS, needle, skip));
        params["newName"] = json!(name);
        client.call("textDocument/rename", params)
    };
    for (needle, skip, new) in [
        ("shop.db", 5, "database"),
        ("shop.web", 0, "store"),
        (":pg", 1, "postgres"),
        ("internet", 0, "world"),
        ("NET-1", 0, "NET-2"),
    ] {
        let response = rename(&mut client, needle, skip, new);
        let edit = &response["result"];
        let cluster = apply(CLUSTER, &edits_for(edit, d, "cluster.ward"));
        let flows = apply(FLOWS, &edits_for(edit, d, "flows.ward"));
        // The renamed program is as valid as before and names the new name.
        assert_eq!(
            check_texts(&cluster, &flows),
            BTreeSet::new(),
            "{cluster}\n{flows}"
        );
        assert!(
            cluster.contains(new) && flows.contains(new),
            "{new}: {cluster}\n{flows}"
        );
    }
    for (needle, skip, bad) in [
        ("shop.db", 5, "Data_Base"),
        ("shop.db", 5, &"d".repeat(64)),
        ("shop.db", 5, "web"),
        ("shop.web", 0, "flow"),
        (":pg", 1, "a-very-long-port-name"),
        ("NET-1", 0, "-x"),
        ("CC6.6", 0, "CC6.7"),
    ] {
        let response = rename(&mut client, needle, skip, bad);
        assert_eq!(response["error"]["code"], -32803, "{bad}: {response}");
        assert!(response["error"]["message"].as_str().unwrap().contains('`'));
    }
    client.shutdown();
}

#[test]
fn quick_fixes_apply_the_did_you_mean_and_add_a_missing_because() {
    let dir = program();
    let d = dir.path();
    let flows = d.join("flows.ward");
    let broken = [
        FLOWS.replace("shop.db:pg", "shop.dbb:pg"),
        FLOWS.replace("shop.db:pg", "shopp.db:pg"),
        FLOWS.replace("shop.db:pg", "shop.db:pgg"),
        FLOWS.replace("controls CC6.6", "controls CC66.6"),
        FLOWS.replace("controls CC6.6", "contrls CC6.6"),
        FLOWS.replace(" because \"orders\"", ""),
    ];
    let mut client = start(d);
    client.open(&flows, FLOWS);
    for (version, text) in broken.iter().enumerate() {
        client.change(&flows, version as i64 + 2, text);
        let published = client.diagnostics();
        let before = &published[&url(&flows)];
        assert_eq!(before.len(), 1, "{text}: {before:?}");
        let lines = text.split('\n').count() as u64;
        let actions = client.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": url(&flows) },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": lines, "character": 0 } },
                "context": { "diagnostics": before },
            }),
        );
        let actions = actions.as_array().unwrap();
        assert_eq!(actions.len(), 1, "{text}: {actions:?}");
        assert_eq!(actions[0]["kind"], "quickfix");
        assert_eq!(actions[0]["diagnostics"][0]["code"], before[0]["code"]);
        let fixed = apply(text, &edits_for(&actions[0]["edit"], d, "flows.ward"));
        assert_eq!(check_texts(CLUSTER, &fixed), BTreeSet::new(), "{fixed}");
    }
    client.shutdown();
}

#[test]
fn semantic_tokens_mark_every_name() {
    let dir = program();
    let d = dir.path();
    let mut client = start(d);
    let result = on_document(
        &mut client,
        "textDocument/semanticTokens/full",
        d,
        "flows.ward",
    );
    let data: Vec<u64> = result["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    // Decode the relative encoding back into absolute places.
    let (mut line, mut character) = (0, 0);
    let mut tokens = Vec::new();
    for token in data.chunks(5) {
        if token[0] > 0 {
            character = 0;
        }
        line += token[0];
        character += token[1];
        let text_line = FLOWS.split('\n').nth(line as usize).unwrap();
        let units: Vec<u16> = text_line.encode_utf16().collect();
        let word = String::from_utf16(&units[character as usize..(character + token[2]) as usize])
            .unwrap();
        tokens.push((word, token[3]));
    }
    let words: Vec<&str> = tokens.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(
        words,
        [
            "internet", "shop", "web", "http", "CC6.6", "shop", "web", "shop", "db", "pg", "NET-1"
        ]
    );
    client.shutdown();
}

#[test]
fn an_edit_publishes_only_the_files_whose_diagnostics_changed() {
    let dir = program();
    let d = dir.path();
    let (flows, cluster) = (url(&d.join("flows.ward")), url(&d.join("cluster.ward")));
    let mut client = start(d);
    client.open(&d.join("flows.ward"), FLOWS);
    let uris = |published: Vec<(String, Vec<Value>)>| -> Vec<String> {
        published.into_iter().map(|(uri, _)| uri).collect()
    };
    let first = uris(client.published());
    assert!(
        first.contains(&flows) && first.contains(&cluster),
        "{first:?}"
    );
    // An error in the edited file only: cluster.ward is not sent again.
    let unknown = FLOWS.replace("controls CC6.6", "controls CC66.6");
    let expected = check_texts(CLUSTER, &unknown);
    assert!(expected.iter().all(|(file, ..)| file == "flows.ward"));
    client.change(&d.join("flows.ward"), 2, &unknown);
    let published = client.published();
    assert_eq!(uris(published.clone()), std::slice::from_ref(&flows));
    assert_eq!(published[0].1.len(), expected.len());
    // Without the flow to `shop.db`, cluster.ward gets warnings (W0005)...
    let alone = FLOWS.split_inclusive('\n').take(2).collect::<String>();
    client.change(&d.join("flows.ward"), 3, &alone);
    let published = client.published();
    assert_eq!(uris(published.clone()), [cluster.clone(), flows.clone()]);
    assert!(published[0].1.iter().all(|d| d["code"] == "W0005"));
    assert_eq!(published[0].1.len(), check_texts(CLUSTER, &alone).len());
    // ... which are not sent again while they stay the same ...
    client.change(&d.join("flows.ward"), 4, &format!("{alone}# a comment\n"));
    assert_eq!(uris(client.published()), std::slice::from_ref(&flows));
    // ... and are cleared when the flow is back.
    client.change(&d.join("flows.ward"), 5, FLOWS);
    let published = client.published();
    assert_eq!(uris(published.clone()), [cluster, flows]);
    assert!(published.iter().all(|(_, list)| list.is_empty()));
    client.shutdown();
}

#[test]
fn the_disk_is_read_again_when_the_client_says_it_changed() {
    let dir = program();
    let d = dir.path();
    let watch =
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
    let (mut client, _) = Client::start(d, watch);
    client.open(&d.join("flows.ward"), FLOWS);
    assert!(client.diagnostics().values().all(Vec::is_empty));
    // The server asked to be told about every `.ward` file.
    let registration = client
        .notifications
        .iter()
        .find(|m| m["method"] == "client/registerCapability")
        .expect("a watcher registration")
        .clone();
    let registration = &registration["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registration["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.ward"
    );

    // Another program changes cluster.ward on disk: an edit does not read
    // the disk, the watcher's report does.
    let store = CLUSTER.replace("service db", "service store");
    std::fs::write(d.join("cluster.ward"), &store).unwrap();
    client.change(&d.join("flows.ward"), 2, &format!("{FLOWS}# edited\n"));
    assert!(client.diagnostics().values().all(Vec::is_empty));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": url(&d.join("cluster.ward")), "type": 2 }] }),
    );
    let codes: Vec<String> = client.diagnostics()[&url(&d.join("flows.ward"))]
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["E0103"]);

    // cluster.ward opened, fixed, saved and closed: the disk is read again
    // on save and on close (the buffer is gone, the saved file is what is).
    let cluster = d.join("cluster.ward");
    client.open(&cluster, &store);
    client.change(&cluster, 2, CLUSTER);
    assert!(client.diagnostics().values().all(Vec::is_empty));
    std::fs::write(&cluster, CLUSTER).unwrap();
    let document = json!({ "textDocument": { "uri": url(&cluster) } });
    client.notify("textDocument/didSave", document.clone());
    client.notify("textDocument/didClose", document);
    assert!(client.diagnostics().values().all(Vec::is_empty));
    client.shutdown();
}

#[test]
fn a_file_in_a_subdirectory_sees_the_whole_program_of_its_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("defs")).unwrap();
    std::fs::create_dir_all(d.join("flows/shop")).unwrap();
    std::fs::write(d.join("defs/cluster.ward"), CLUSTER).unwrap();
    let flows = d.join("flows/shop/flows.ward");
    std::fs::write(&flows, FLOWS).unwrap();
    // `ward check` on the workspace finds nothing wrong ...
    assert_eq!(check_json(d), BTreeSet::new());
    // ... nor does the server, for a file two directories down.
    let folders = json!([{ "uri": url(d), "name": "program" }]);
    let (mut client, _) = Client::start_with(
        d,
        json!({ "processId": null, "rootUri": null, "workspaceFolders": folders, "capabilities": {} }),
    );
    client.open(&flows, FLOWS);
    let published = client.diagnostics();
    assert!(published.contains_key(&url(&d.join("defs/cluster.ward"))));
    assert!(published.values().all(Vec::is_empty), "{published:?}");
    let found = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": url(&flows) }, "position": find(FLOWS, "shop.db", 5) }),
    );
    assert_eq!(found[0]["uri"], url(&d.join("defs/cluster.ward")));
    client.shutdown();

    // Without a workspace, the file's directory is the program, as `ward
    // check` of that directory says.
    let (mut client, _) = Client::start_with(
        d,
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    client.open(&flows, FLOWS);
    let codes: BTreeSet<String> = client.diagnostics()[&url(&flows)]
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = check_json(&d.join("flows/shop"))
        .into_iter()
        .map(|(_, code, _, _)| code)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(codes, expected);
    client.shutdown();
}

/// The rules `ward build` writes for the flow `text` (`a -> b:port`), read
/// back from its YAML: (`namespace/name`, `spec.direction[index]`, the
/// rule's ports as `port/protocol`).
fn built_rules(dir: &Path, text: &str) -> Vec<(String, String, Vec<String>)> {
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ward"))
        .arg("build")
        .arg(dir)
        .arg("-o")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mut rules = Vec::new();
    for namespace in std::fs::read_dir(out.path()).unwrap() {
        let namespace = namespace.unwrap().path();
        if !namespace.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&namespace).unwrap() {
            let yaml = std::fs::read_to_string(file.unwrap().path()).unwrap();
            let policy: Value = serde_saphyr::from_str(&yaml).unwrap();
            let name = format!(
                "{}/{}",
                policy["metadata"]["namespace"].as_str().unwrap(),
                policy["metadata"]["name"].as_str().unwrap()
            );
            let Some(annotations) = policy["metadata"]["annotations"].as_object() else {
                continue;
            };
            for (key, value) in annotations {
                let Some(place) = key.strip_prefix("ward.dev/") else {
                    continue;
                };
                let Some((direction, index)) = place.split_once('-') else {
                    continue;
                };
                if !value
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("flow {text} |"))
                {
                    continue;
                }
                let rule = &policy["spec"][direction][index.parse::<usize>().unwrap()];
                let ports = rule["ports"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        format!(
                            "{}/{}",
                            p["port"],
                            p["protocol"].as_str().unwrap().to_lowercase()
                        )
                    })
                    .collect();
                rules.push((name.clone(), format!("spec.{direction}[{index}]"), ports));
            }
        }
    }
    rules
}

#[test]
fn hover_on_a_flow_shows_the_rules_it_compiles_to() {
    let (dir, mut client) = flows_open();
    let d = dir.path();
    // An egress rule of `svc-web` and an ingress rule of `svc-db`; an
    // ingress rule of `svc-web` (an external has no policy).
    for (needle, text, rules) in [
        ("flow shop.web", "shop.web -> shop.db:pg", 2),
        ("flow internet", "internet -> shop.web:http", 1),
    ] {
        let expected = built_rules(d, text);
        assert_eq!(expected.len(), rules, "{expected:?}");
        for skip in [1, 14] {
            let hover = hover_text(&mut client, d, "flows.ward", FLOWS, needle, skip);
            assert!(hover.contains(text), "{hover}");
            for (policy, place, ports) in &expected {
                let line = hover
                    .lines()
                    .find(|l| l.contains(&format!("`{policy}`")) && l.contains(place))
                    .unwrap_or_else(|| panic!("{policy} {place} in {hover}"));
                for port in ports {
                    assert!(line.contains(port), "{port} in {line}");
                }
            }
            assert_eq!(hover.matches("spec.").count(), expected.len(), "{hover}");
        }
    }
    // While the program has errors there is no plan, and the hover says so.
    let broken = FLOWS.replace("shop.db:pg", "shop.dbb:pg");
    client.change(&d.join("flows.ward"), 2, &broken);
    let hover = hover_text(&mut client, d, "flows.ward", &broken, "flow internet", 1);
    assert!(
        hover.contains("has errors") && !hover.contains("spec."),
        "{hover}"
    );
    client.shutdown();
}
