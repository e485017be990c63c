//! YAML in and out, kept behind one module, all of it on `serde-saphyr`.
//! Ward writes with it (maintained, and about twice as fast as libyaml's
//! emitter, which was most of a large build's time: see docs/decisions/0005)
//! and reads with it, within limits and strictly (`src/yaml/read.rs`,
//! decision 0009).

mod read;

pub use read::{
    DecodeError, Decoded, DocumentText, MAX_ALIAS_NODES, MAX_DEPTH, MAX_INPUT_BYTES, ReadError,
    changed_fields, decode, documents, from_yaml, strip_bom, too_large, value,
};

use crate::error::SerializeError;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use serde::Serialize;

mod quoting;

pub use quoting::is_plain_string;

/// One object as a YAML document (no leading `---`). Strings stay on one
/// line (no folded block scalars), and every string, key or value, that a
/// YAML 1.1 reader such as kubectl's or a YAML 1.2 reader could take for
/// something else (`on`, `2024-01-15`, `1:20`, `0x_1F`, `1e3`) is quoted: see
/// [`is_plain_string`].
pub fn to_yaml<T: Serialize>(object: &T) -> Result<String, SerializeError> {
    let options = serde_saphyr::ser_options! {
        prefer_block_scalars: false,
    };
    serde_saphyr::to_string_with_options(&quoting::Quoted(object), options)
        .map_err(SerializeError::new)
}

/// Objects as one multi-document stream.
pub fn stream(documents: &[String]) -> String {
    documents
        .iter()
        .map(|doc| format!("---\n{doc}"))
        .collect::<String>()
}

/// Parses a NetworkPolicy document.
///
/// # Errors
///
/// As [`from_yaml`].
pub fn network_policy(text: &str) -> Result<NetworkPolicy, ReadError> {
    from_yaml(text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A string value under `key`, written and read back as a YAML value.
    fn round_trip(value: &str) -> (String, serde_json::Value) {
        let map = BTreeMap::from([("key", value)]);
        let text = to_yaml(&map).unwrap();
        let parsed = read::value(&text).unwrap();
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
                serde_json::Value::from(word),
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
            prop_assert_eq!(&parsed["key"], &serde_json::Value::from(value.as_str()), "{}", text);
        }
    }
}
