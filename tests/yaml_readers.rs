//! Every string Ward writes into YAML reads back as that string, through a
//! YAML 1.2 reader (Ward's own, `ward::yaml`) and through a YAML 1.1 reader
//! (PyYAML's `safe_load`, which resolves types as kubectl's reader does:
//! `2024-01-15` is a date, `1:20` is 80, `0x_1F` is 31, `on` is true). Each
//! string stands in a NetworkPolicy as a namespace name, an annotation value,
//! a label value and a label key, written by `ward::yaml::to_yaml`; every
//! scalar PyYAML reads, key or value, must be the string the object holds.
//!
//! Needs `python3` with PyYAML (`.ci/run` installs it): without it the test
//! says so and passes, except under CI (`CI` set), where it fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests run a process and fail loudly"
)]

use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicySpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

/// Strings that YAML readers are known to retype, or that are plain
/// scalars only by a hair.
const TRAPS: &[&str] = &[
    // YAML 1.1 booleans, in every case YAML 1.1 lists and some it does not.
    "y",
    "Y",
    "n",
    "N",
    "yes",
    "Yes",
    "YES",
    "yEs",
    "no",
    "No",
    "NO",
    "true",
    "True",
    "TRUE",
    "tRUE",
    "false",
    "False",
    "FALSE",
    "on",
    "On",
    "ON",
    "oN",
    "off",
    "Off",
    "OFF",
    // null.
    "null",
    "Null",
    "NULL",
    "nULL",
    "~",
    "",
    // Integers: decimal, signed, underscored, octal, hexadecimal, binary, base 60.
    "0",
    "1",
    "-1",
    "+1",
    "007",
    "1_000",
    "+1_000",
    "-1_000",
    "0o17",
    "0O17",
    "017",
    "0x1F",
    "0x_1F",
    "0X1f",
    "0b101",
    "0b_101",
    "-0b101",
    "+0x_1F",
    "1:20",
    "190:20:30",
    "-1:20",
    "1_0:20",
    "0:0",
    "1__2",
    // Floats: YAML 1.1 needs a dot, YAML 1.2 does not.
    "1e3",
    "1E3",
    "1e+3",
    "1e-3",
    "1.5e3",
    ".5",
    "-.5",
    "+.5",
    "5.",
    "1.0",
    "1_000.5",
    "190:20:30.15",
    "1.2.3",
    "6.8523015e+5",
    "685.230_15e+03",
    ".inf",
    ".Inf",
    ".INF",
    "-.inf",
    "+.inf",
    ".nan",
    ".NaN",
    ".NAN",
    "inf",
    "nan",
    "NaN",
    "Infinity",
    "-inf",
    // Timestamps.
    "2024-01-15",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2001-12-15T02:59:43.1Z",
    "2002-12-14",
    "2024-1-5",
    "2024-01-15T00:00:00Z",
    // Value, merge and YAML syntax.
    "=",
    "<<",
    "-",
    "--",
    "---",
    "...",
    "- a",
    "? a",
    "?",
    ":",
    "a:",
    "a: b",
    "a #b",
    "#a",
    "&a",
    "*a",
    "!a",
    "!!str",
    "%a",
    "@a",
    "`a",
    "|",
    ">",
    "'a'",
    "\"a\"",
    "[a]",
    "{a}",
    "a,b",
    " a",
    "a ",
    "a\tb",
    "a\\b",
    "ünï",
    "a\u{2028}b",
    // Ordinary strings that must stay as they are.
    "web",
    "release-2024",
    "v1.2.3",
    "app.kubernetes.io/name",
    "x1",
    "e3",
    "xe",
];

/// A NetworkPolicy carrying `s` as a namespace, an annotation value, a
/// label value and a label key (through `ward::emit::label_selector`, as
/// Ward writes selectors).
fn object(s: &str) -> NetworkPolicy {
    let selector = ward::model::Selector {
        labels: BTreeMap::from([
            ("release".to_string(), s.to_string()),
            (s.to_string(), "x".to_string()),
        ]),
        expressions: Vec::new(),
    };
    NetworkPolicy {
        metadata: ObjectMeta {
            name: Some("p".to_string()),
            namespace: Some(s.to_string()),
            annotations: Some(BTreeMap::from([("ward.dev/a".to_string(), s.to_string())])),
            ..ObjectMeta::default()
        },
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(ward::emit::label_selector(&selector)),
            ..NetworkPolicySpec::default()
        }),
    }
}

/// Every scalar, key or value, of each document as PyYAML reads it:
/// `[type name, value or repr]`, sorted.
const READ: &str = r#"
import json, sys, yaml
def typed(x):
    return [type(x).__name__, x if isinstance(x, str) else repr(x)]
def scalars(node, out):
    if isinstance(node, dict):
        for key, value in node.items():
            out.append(typed(key))
            scalars(value, out)
    elif isinstance(node, list):
        for item in node:
            scalars(item, out)
    else:
        out.append(typed(node))
    return out
print(json.dumps([sorted(scalars(doc, [])) for doc in yaml.safe_load_all(sys.stdin)]))
"#;

/// Every scalar of `value` as `("str", text)`, sorted: what a reader must
/// see, computed from the object without YAML.
fn expected_scalars(value: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    out.push(("str".to_string(), key.clone()));
                    walk(item, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| walk(item, out)),
            serde_json::Value::String(text) => out.push(("str".to_string(), text.clone())),
            other => out.push(("other".to_string(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    walk(value, &mut out);
    out.sort();
    out
}

fn pyyaml_available() -> bool {
    Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Fails unless every string reads back as itself through both readers.
fn assert_read_back(strings: &[String]) {
    let mut documents = Vec::new();
    for s in strings {
        let object = object(s);
        let text = ward::yaml::to_yaml(&object).unwrap();
        let back = ward::yaml::network_policy(&text)
            .unwrap_or_else(|e| panic!("{s:?}: Ward cannot read its own YAML: {e}\n{text}"));
        assert_eq!(
            back, object,
            "{s:?} does not read back through Ward:\n{text}"
        );
        documents.push(text);
    }
    if !pyyaml_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with PyYAML is needed under CI: `python3 -m pip install pyyaml`"
        );
        let _ = writeln!(
            std::io::stderr(),
            "python3 with PyYAML not found: the YAML 1.1 check is skipped (pip install pyyaml)"
        );
        return;
    }
    let mut child = Command::new("python3")
        .args(["-c", READ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stream = ward::yaml::stream(&documents);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "PyYAML failed: {}\n{stream}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read: Vec<Vec<(String, String)>> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(read.len(), strings.len());
    for ((s, scalars), document) in strings.iter().zip(&read).zip(&documents) {
        let expected = expected_scalars(&serde_json::to_value(object(s)).unwrap());
        assert_eq!(
            scalars, &expected,
            "{s:?} does not read back as written in YAML 1.1:\n{document}"
        );
    }
}

#[test]
fn known_traps_read_back_as_themselves_in_yaml_1_1_and_1_2() {
    let strings: Vec<String> = TRAPS.iter().map(|s| (*s).to_string()).collect();
    assert!(strings.len() >= 100, "{} traps", strings.len());
    assert_read_back(&strings);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn number_like_strings_read_back_as_themselves_in_yaml_1_1_and_1_2(
        strings in prop::collection::vec("[0-9:._+xeEobyYnN-]{1,10}|[0-9]{1,4}[-:][0-9]{1,2}([-:][0-9]{1,2})?", 64),
    ) {
        assert_read_back(&strings);
    }
}

#[test]
fn the_quoting_decision_is_conservative() {
    // Plain only when it starts with a letter, is printable ASCII and is no
    // boolean or null word in any case.
    for plain in [
        "web",
        "TCP",
        "Ingress",
        "flow a -> b | controls CC6.1 | a.ward:3",
        "x1",
    ] {
        assert!(ward::yaml::is_plain_string(plain), "{plain:?}");
    }
    for quoted in [
        "",
        "1",
        "10.0.0.0/8",
        ".5",
        "~",
        "yes",
        "oFF",
        "n",
        "é",
        "-a",
        " a",
        "=",
        "<<",
    ] {
        assert!(!ward::yaml::is_plain_string(quoted), "{quoted:?}");
    }
}
