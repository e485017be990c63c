//! YAML in and out, kept behind one module. Ward writes with `serde-saphyr`
//! (maintained, and about twice as fast as `serde_yaml`'s libyaml emitter,
//! which was most of a large build's time: see docs/decisions/0005) and
//! reads with `serde_yaml`; either may be swapped without touching anything
//! else.

use k8s_openapi::api::networking::v1::NetworkPolicy;
use serde::Serialize;
use serde::de::DeserializeOwned;

mod quoting;

pub use quoting::is_plain_string;

/// One object as a YAML document (no leading `---`). Strings stay on one
/// line (no folded block scalars), and every string, key or value, that a
/// YAML 1.1 reader such as kubectl's or a YAML 1.2 reader could take for
/// something else (`on`, `2024-01-15`, `1:20`, `0x_1F`, `1e3`) is quoted: see
/// [`is_plain_string`].
pub fn to_yaml<T: Serialize>(object: &T) -> Result<String, String> {
    let options = serde_saphyr::ser_options! {
        prefer_block_scalars: false,
    };
    serde_saphyr::to_string_with_options(&quoting::Quoted(object), options)
        .map_err(|e| e.to_string())
}

/// Objects as one multi-document stream.
pub fn stream(documents: &[String]) -> String {
    documents
        .iter()
        .map(|doc| format!("---\n{doc}"))
        .collect::<String>()
}

/// Parses one typed object.
pub fn from_yaml<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_yaml::from_str(text).map_err(|e| e.to_string())
}

/// Parses a NetworkPolicy document.
pub fn network_policy(text: &str) -> Result<NetworkPolicy, String> {
    from_yaml(text)
}

/// The field paths where two YAML documents differ (`spec.ingress[1].ports`),
/// or the parse error of either. Used to say what drifted.
pub fn changed_fields(old: &str, new: &str) -> Vec<String> {
    let parse = |text: &str| serde_yaml::from_str::<serde_yaml::Value>(text);
    match (parse(old), parse(new)) {
        (Ok(a), Ok(b)) => {
            let mut paths = Vec::new();
            diff_values("", &a, &b, &mut paths);
            paths
        }
        _ => vec!["(the file on disk is not valid YAML)".to_string()],
    }
}

fn diff_values(path: &str, a: &serde_yaml::Value, b: &serde_yaml::Value, out: &mut Vec<String>) {
    use serde_yaml::Value;
    if a == b {
        return;
    }
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Mapping(x), Value::Mapping(y)) => {
            let mut keys: Vec<String> = x
                .keys()
                .chain(y.keys())
                .map(|k| k.as_str().map_or_else(|| format!("{k:?}"), str::to_string))
                .collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let missing = Value::Null;
                let left = x.get(key.as_str()).unwrap_or(&missing);
                let right = y.get(key.as_str()).unwrap_or(&missing);
                diff_values(&join(&key), left, right, out);
            }
        }
        (Value::Sequence(x), Value::Sequence(y)) if x.len() == y.len() => {
            for (i, (left, right)) in x.iter().zip(y).enumerate() {
                diff_values(&format!("{path}[{i}]"), left, right, out);
            }
        }
        _ => out.push(if path.is_empty() {
            "(document)".to_string()
        } else {
            path.to_string()
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A string value under `key`, written and read back as a YAML value.
    fn round_trip(value: &str) -> (String, serde_yaml::Value) {
        let map = BTreeMap::from([("key", value)]);
        let text = to_yaml(&map).unwrap();
        let parsed: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        (text, parsed)
    }

    #[test]
    fn words_a_yaml_1_1_reader_would_retype_are_quoted() {
        for word in [
            "on",
            "off",
            "yes",
            "no",
            "y",
            "n",
            "true",
            "false",
            "null",
            "~",
            "1",
            "1e3",
            "0x1f",
            "0o17",
            ".inf",
            "-.nan",
            "",
            " padded",
            "- dash",
            "a: b",
            "#hash",
            "*star",
            "&anchor",
            "!tag",
            "'quote",
            "\"dq",
            "2024-01-15",
            "1:20",
            "0x_1F",
            "=",
            "<<",
            "yEs",
            "NULL",
        ] {
            let (text, parsed) = round_trip(word);
            assert_eq!(
                parsed["key"],
                serde_yaml::Value::from(word),
                "{word:?} -> {text}"
            );
            let line = text.lines().next().unwrap();
            assert_ne!(line, format!("key: {word}"), "{word:?} is written bare");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn any_string_reads_back_as_itself(value in "\\PC*") {
            let (text, parsed) = round_trip(&value);
            prop_assert_eq!(&parsed["key"], &serde_yaml::Value::from(value.as_str()), "{}", text);
        }
    }
}
