//! YAML in and out, kept behind one module: `serde_yaml` is deprecated and
//! may be swapped for a maintained fork without touching anything else.

use k8s_openapi::api::networking::v1::NetworkPolicy;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One object as a YAML document (no leading `---`).
pub fn to_yaml<T: Serialize>(object: &T) -> Result<String, String> {
    serde_yaml::to_string(object).map_err(|e| e.to_string())
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
