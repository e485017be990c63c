//! A whole editing session on the bundled multi-file example, played as an
//! editor plays it: initialize with a workspace folder, open a file, type
//! errors (diagnostics with codes, where `ward check` puts them), fix them,
//! hover, go to a definition in another file, complete, rename across
//! files, shut down and exit. Every answer is checked against the program's
//! text or `ward check`, not against the server's code.

use super::client::{Client, find, url};
use super::{apply, check_json, edits_for, lsp_diagnostics};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

/// The example's files copied into `dir`, as (name, text).
fn copy_example(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for file in crate::common::ward_files(Path::new("examples/platform")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(dir.join(&name), &text).unwrap();
        files.push((name, text));
    }
    files
}

/// `ward check` on the program with `name`'s text replaced.
fn check_with(
    files: &[(String, String)],
    name: &str,
    text: &str,
) -> BTreeSet<(String, String, u64, u64)> {
    let dir = tempfile::tempdir().unwrap();
    for (file, original) in files {
        let text = if file == name { text } else { original };
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    check_json(dir.path())
}

fn labels(items: &Value) -> Vec<String> {
    let items = match items {
        Value::Array(items) => items,
        other => other["items"].as_array().unwrap(),
    };
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_editor_session_on_the_platform_example() {
    let workspace = tempfile::tempdir().unwrap();
    let d = workspace.path();
    let files = copy_example(d);
    let text_of = |name: &str| files.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let name = "20-storefront.ward";
    let path = d.join(name);
    let original = text_of(name);

    // initialize, as VS Code sends it (a workspace folder, a file watcher
    // it lets the server register, Markdown hovers).
    let (mut client, result) = Client::start_with(
        d,
        json!({
            "processId": null,
            "clientInfo": { "name": "a test editor" },
            "rootUri": url(d),
            "workspaceFolders": [{ "uri": url(d), "name": "platform" }],
            "capabilities": {
                "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
                "textDocument": {
                    "hover": { "contentFormat": ["markdown", "plaintext"] },
                    "completion": { "completionItem": { "snippetSupport": false } },
                    "publishDiagnostics": { "relatedInformation": true },
                },
            },
        }),
    );
    assert_eq!(result["serverInfo"]["name"], "ward");

    // open: every file of the program is published, as `ward check` sees it.
    client.open(&path, &original);
    let published = client.diagnostics();
    for (file, _) in &files {
        assert!(published.contains_key(&url(&d.join(file))), "{file}");
    }
    let texts: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    assert_eq!(lsp_diagnostics(&published, d, &texts), check_json(d));

    // Type two errors, one keystroke at a time at the end of a name: an
    // unknown service and a port number out of range.
    let mut broken = original.clone();
    let mut version = 1;
    for (from, to) in [
        ("storefront.catalog:grpc", "storefront.catalogs:grpc"),
        ("ports http 8080 }", "ports http 80809 }"),
    ] {
        broken = broken.replacen(from, to, 1);
        version += 1;
        client.change(&path, version, &broken);
    }
    let published = client.diagnostics();
    let shown = lsp_diagnostics(&published, d, &[(name, &broken)]);
    let codes: BTreeSet<&str> = shown.iter().map(|(_, code, _, _)| code.as_str()).collect();
    assert!(codes.len() >= 2, "{shown:?}");
    assert_eq!(shown, check_with(&files, name, &broken));
    let list = &published[&url(&path)];
    assert!(
        list.iter()
            .all(|d| d["severity"] == 1 && d["source"] == "ward")
    );

    // Fix them: the file is clean again.
    version += 1;
    client.change(&path, version, &original);
    let published = client.diagnostics();
    assert_eq!(published[&url(&path)], Vec::<Value>::new());

    // hover over a service in a flow: its selector and ports.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": url(&path) }, "position": find(&original, "storefront.catalog:grpc", 12) }),
    );
    let hover = hover["contents"]["value"].as_str().unwrap();
    assert!(
        hover.contains("app=catalog") && hover.contains("grpc 9000"),
        "{hover}"
    );

    // definition of a service declared in another file.
    let cluster = text_of("10-cluster.ward");
    let found = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": url(&path) }, "position": find(&original, "ingress-nginx.controller", 15) }),
    );
    let start = find(&cluster, "service controller", 8);
    assert_eq!(found[0]["uri"], url(&d.join("10-cluster.ward")));
    assert_eq!(found[0]["range"]["start"], start);

    // completion: the services of a namespace declared in another file,
    // then label keys the program uses, as a flow and a service are typed.
    let typed = format!("{original}flow storefront.cart -> checkout.");
    version += 1;
    client.change(&path, version, &typed);
    let at_end = find(&typed, "-> checkout.", 12);
    let items = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": url(&path) }, "position": at_end, "context": { "triggerKind": 2, "triggerCharacter": "." } }),
    );
    let checkout = text_of("30-checkout.ward");
    let services: Vec<String> = checkout
        .lines()
        .skip_while(|l| !l.starts_with("namespace checkout"))
        .take_while(|l| !l.starts_with('}'))
        .filter_map(|l| l.trim().strip_prefix("service "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert_eq!(labels(&items), services);
    let typed = original.replacen("pods app=cart ", "pods app=cart, ", 1);
    version += 1;
    client.change(&path, version, &typed);
    let items = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": url(&path) }, "position": find(&typed, "app=cart, ", 10) }),
    );
    let keys = labels(&items);
    for key in [
        "app",
        "tier",
        "app.kubernetes.io/name",
        "billing.acme.io/region",
    ] {
        assert!(keys.contains(&key.to_string()), "{key} in {keys:?}");
    }
    version += 1;
    client.change(&path, version, &original);

    // rename a service used in two files: the program stays as valid.
    let response = client.call(
        "textDocument/rename",
        json!({
            "textDocument": { "uri": url(&path) },
            "position": find(&original, "storefront.cart:grpc", 11),
            "newName": "basket",
        }),
    );
    let edit = &response["result"];
    let renamed_store = apply(&original, &edits_for(edit, d, name));
    let renamed_checkout = apply(&checkout, &edits_for(edit, d, "30-checkout.ward"));
    assert!(
        renamed_store.contains("service basket")
            && renamed_store.contains("storefront.basket:grpc")
    );
    assert!(renamed_checkout.contains("flow storefront.basket -> checkout.orders"));
    assert!(!renamed_store.contains("cart {") && !renamed_checkout.contains("storefront.cart"));
    let renamed = tempfile::tempdir().unwrap();
    for (file, text) in &files {
        let text = match file.as_str() {
            "20-storefront.ward" => &renamed_store,
            "30-checkout.ward" => &renamed_checkout,
            _ => text,
        };
        std::fs::write(renamed.path().join(file), text).unwrap();
    }
    let after: BTreeSet<String> = check_json(renamed.path())
        .into_iter()
        .map(|(_, c, _, _)| c)
        .collect();
    let before: BTreeSet<String> = check_json(d).into_iter().map(|(_, c, _, _)| c).collect();
    assert_eq!(after, before);

    // shutdown, exit: the server ends with status 0.
    assert_eq!(client.shutdown(), Some(0));
}
