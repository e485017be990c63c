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
    // Sized once: a large build's stream is tens of megabytes.
    let size = documents.iter().map(|doc| doc.len() + 4).sum();
    let mut text = String::with_capacity(size);
    for doc in documents {
        text.push_str("---\n");
        text.push_str(doc);
    }
    text
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

/// NetworkPolicies as YAML documents: byte for byte what [`to_yaml`] writes
/// for each, several times faster. Ward's own objects use a small subset of
/// YAML (block mappings and sequences of printable ASCII scalars), which is
/// written directly, with the scalar styles serde_yaml and libyaml would
/// choose; any object outside that subset (another metadata field, a
/// non-ASCII or very long key, a lone key that reads as a tag) goes through
/// serde_yaml whole, and a scalar that could read as something other than a
/// string (`1`, `true`, `~`, `-x`) is styled by serde_yaml itself, so the
/// output never differs.
pub fn network_policies<'a>(
    policies: impl IntoIterator<Item = &'a NetworkPolicy>,
) -> Result<Vec<String>, String> {
    let mut writer = PolicyWriter::default();
    policies
        .into_iter()
        .map(|policy| writer.document(policy))
        .collect()
}

/// Writes NetworkPolicies one at a time, as [`network_policies`] does,
/// remembering across them how serde_yaml styles the scalars it was asked
/// about.
#[derive(Default)]
pub struct PolicyWriter {
    scalars: Scalars,
}

impl PolicyWriter {
    /// One policy as a YAML document, exactly as [`to_yaml`] writes it.
    pub fn document(&mut self, policy: &NetworkPolicy) -> Result<String, String> {
        match written(policy, &mut self.scalars) {
            Some(text) => Ok(text),
            None => to_yaml(policy),
        }
    }
}

/// The document written directly, or `None` when serde_yaml must write it.
fn written(policy: &NetworkPolicy, scalars: &mut Scalars) -> Option<String> {
    let mut out = Writer {
        text: String::with_capacity(1024),
        scalars,
    };
    out.network_policy(policy)?;
    Some(out.text)
}

/// How serde_yaml writes scalars that could read as something other than a
/// string, asked of serde_yaml itself once each.
#[derive(Default)]
struct Scalars {
    /// (as a key?, text) -> the rendering, `None` when it is not one line.
    asked: std::collections::BTreeMap<(bool, String), Option<String>>,
}

impl Scalars {
    /// The rendering serde_yaml gives `text` as a mapping key or value.
    fn ask(&mut self, text: &str, key: bool) -> Option<&str> {
        let entry = self
            .asked
            .entry((key, text.to_string()))
            .or_insert_with(|| {
                let rendered = if key {
                    let doc = to_yaml(&std::collections::BTreeMap::from([(text, 0)])).ok()?;
                    doc.strip_suffix(": 0\n").map(str::to_string)
                } else {
                    let doc = to_yaml(&std::collections::BTreeMap::from([("k", text)])).ok()?;
                    doc.strip_prefix("k: ")
                        .and_then(|rest| rest.strip_suffix('\n'))
                        .map(str::to_string)
                };
                rendered.filter(|r| !r.contains('\n'))
            });
        entry.as_deref()
    }
}

/// True when serde_yaml would read `text` as something other than a string
/// (null, a boolean, a number, or digits with a leading zero), or might:
/// such scalars are rendered by serde_yaml itself.
fn may_not_be_a_string(text: &str) -> bool {
    matches!(
        text,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
    ) || text
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'))
}

/// True when libyaml writes `text` (printable ASCII, one line) as a plain
/// scalar in block context (`yaml_emitter_analyze_scalar`).
fn plain_allowed(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return true;
    };
    if *first == b' ' || *last == b' ' || text.starts_with("---") || text.starts_with("...") {
        return false;
    }
    // The end of the text counts as whitespace.
    let followed_by_blank = |i: usize| bytes.get(i + 1).is_none_or(|b| *b == b' ');
    if b"#,[]{}&*!|>'\"%@`".contains(first)
        || (matches!(first, b'?' | b':' | b'-') && followed_by_blank(0))
    {
        return false;
    }
    for (i, pair) in bytes.windows(2).enumerate() {
        if let [previous, current] = pair {
            let at = i + 1;
            if (*current == b':' && followed_by_blank(at))
                || (*current == b'#' && *previous == b' ')
            {
                return false;
            }
        }
    }
    true
}

/// Writes one document in the layout serde_yaml gives it: block mappings
/// indented by two, sequences inside mappings not indented, `{}` and `[]`
/// for empty collections. Each method returns `None` for what it does not
/// handle, and the caller falls back to serde_yaml.
struct Writer<'s> {
    text: String,
    scalars: &'s mut Scalars,
}

/// Where the next mapping entry goes: its indentation, and whether it
/// follows a sequence's `- ` on the same line.
#[derive(Clone, Copy)]
struct At {
    indent: usize,
    inline: bool,
}

impl At {
    const TOP: At = At {
        indent: 0,
        inline: false,
    };

    fn nested(self) -> At {
        At {
            indent: self.indent + 2,
            inline: false,
        }
    }
}

impl Writer<'_> {
    fn scalar(&mut self, text: &str, key: bool) -> Option<()> {
        if !text.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return None;
        }
        // libyaml writes an empty key, or one longer than 128 bytes, in
        // another form.
        if key && (text.is_empty() || text.len() > 128) {
            return None;
        }
        if may_not_be_a_string(text) {
            let rendered = self.scalars.ask(text, key)?;
            self.text.push_str(rendered);
        } else if plain_allowed(text) {
            self.text.push_str(text);
        } else {
            self.text.push('\'');
            self.text.push_str(&text.replace('\'', "''"));
            self.text.push('\'');
        }
        Some(())
    }

    /// `key:` at `at` (the value follows).
    fn key(&mut self, at: &mut At, key: &str) -> Option<()> {
        if at.inline {
            at.inline = false;
        } else {
            self.text.extend(std::iter::repeat_n(' ', at.indent));
        }
        self.scalar(key, true)?;
        self.text.push(':');
        Some(())
    }

    fn string_field(&mut self, at: &mut At, key: &str, value: &str) -> Option<()> {
        self.key(at, key)?;
        self.text.push(' ');
        self.scalar(value, false)?;
        self.text.push('\n');
        Some(())
    }

    fn int_field(&mut self, at: &mut At, key: &str, value: i32) -> Option<()> {
        self.key(at, key)?;
        self.text.push(' ');
        self.text.push_str(&value.to_string());
        self.text.push('\n');
        Some(())
    }

    /// `key:` and a mapping written by `entries` (which returns how many it
    /// wrote), or `key: {}`.
    fn map_field(
        &mut self,
        at: &mut At,
        key: &str,
        entries: impl FnOnce(&mut Self, &mut At) -> Option<usize>,
    ) -> Option<()> {
        self.key(at, key)?;
        self.text.push('\n');
        let mark = self.text.len();
        let mut inner = at.nested();
        if entries(self, &mut inner)? == 0 {
            self.text.truncate(mark - 1);
            self.text.push_str(" {}\n");
        }
        Some(())
    }

    /// `key:` and a sequence, one item per element, or `key: []`.
    fn seq_field<T>(
        &mut self,
        at: &mut At,
        key: &str,
        items: &[T],
        mut item: impl FnMut(&mut Self, &mut At, &T) -> Option<usize>,
    ) -> Option<()> {
        self.key(at, key)?;
        if items.is_empty() {
            self.text.push_str(" []\n");
            return Some(());
        }
        self.text.push('\n');
        for element in items {
            self.text.extend(std::iter::repeat_n(' ', at.indent));
            self.text.push_str("- ");
            let mark = self.text.len();
            let mut inner = At {
                indent: at.indent + 2,
                inline: true,
            };
            if item(self, &mut inner, element)? == 0 {
                self.text.truncate(mark);
                self.text.push_str("{}\n");
            }
        }
        Some(())
    }

    /// `key:` and a sequence of strings, or `key: []`.
    fn strings_field(&mut self, at: &mut At, key: &str, items: &[String]) -> Option<()> {
        self.key(at, key)?;
        if items.is_empty() {
            self.text.push_str(" []\n");
            return Some(());
        }
        self.text.push('\n');
        for element in items {
            self.text.extend(std::iter::repeat_n(' ', at.indent));
            self.text.push_str("- ");
            self.scalar(element, false)?;
            self.text.push('\n');
        }
        Some(())
    }

    /// The entries of a string map; how many.
    fn string_map(
        &mut self,
        at: &mut At,
        map: &std::collections::BTreeMap<String, String>,
    ) -> Option<usize> {
        // serde_yaml reads a lone key that starts with `!` as a tag.
        if map.len() == 1 && map.keys().any(|key| key.starts_with('!')) {
            return None;
        }
        for (key, value) in map {
            self.string_field(at, key, value)?;
        }
        Some(map.len())
    }

    fn network_policy(&mut self, policy: &NetworkPolicy) -> Option<()> {
        use k8s_openapi::Resource;
        let mut at = At::TOP;
        self.string_field(&mut at, "apiVersion", NetworkPolicy::API_VERSION)?;
        self.string_field(&mut at, "kind", NetworkPolicy::KIND)?;
        let meta = &policy.metadata;
        let unsupported = meta.creation_timestamp.is_some()
            || meta.deletion_grace_period_seconds.is_some()
            || meta.deletion_timestamp.is_some()
            || meta.finalizers.is_some()
            || meta.generate_name.is_some()
            || meta.generation.is_some()
            || meta.managed_fields.is_some()
            || meta.owner_references.is_some()
            || meta.resource_version.is_some()
            || meta.self_link.is_some()
            || meta.uid.is_some();
        if unsupported {
            return None;
        }
        self.map_field(&mut at, "metadata", |w, at| {
            let mut count = 0;
            if let Some(annotations) = &meta.annotations {
                w.map_field(at, "annotations", |w, at| w.string_map(at, annotations))?;
                count += 1;
            }
            if let Some(labels) = &meta.labels {
                w.map_field(at, "labels", |w, at| w.string_map(at, labels))?;
                count += 1;
            }
            if let Some(name) = &meta.name {
                w.string_field(at, "name", name)?;
                count += 1;
            }
            if let Some(namespace) = &meta.namespace {
                w.string_field(at, "namespace", namespace)?;
                count += 1;
            }
            Some(count)
        })?;
        if let Some(spec) = &policy.spec {
            self.map_field(&mut at, "spec", |w, at| w.spec(at, spec))?;
        }
        Some(())
    }

    fn spec(
        &mut self,
        at: &mut At,
        spec: &k8s_openapi::api::networking::v1::NetworkPolicySpec,
    ) -> Option<usize> {
        let mut count = 0;
        if let Some(egress) = &spec.egress {
            self.seq_field(at, "egress", egress, |w, at, rule| {
                let mut count = 0;
                if let Some(ports) = &rule.ports {
                    w.seq_field(at, "ports", ports, Self::port)?;
                    count += 1;
                }
                if let Some(to) = &rule.to {
                    w.seq_field(at, "to", to, Self::peer)?;
                    count += 1;
                }
                Some(count)
            })?;
            count += 1;
        }
        if let Some(ingress) = &spec.ingress {
            self.seq_field(at, "ingress", ingress, |w, at, rule| {
                let mut count = 0;
                if let Some(from) = &rule.from {
                    w.seq_field(at, "from", from, Self::peer)?;
                    count += 1;
                }
                if let Some(ports) = &rule.ports {
                    w.seq_field(at, "ports", ports, Self::port)?;
                    count += 1;
                }
                Some(count)
            })?;
            count += 1;
        }
        if let Some(selector) = &spec.pod_selector {
            self.map_field(at, "podSelector", |w, at| w.selector(at, selector))?;
            count += 1;
        }
        if let Some(types) = &spec.policy_types {
            self.strings_field(at, "policyTypes", types)?;
            count += 1;
        }
        Some(count)
    }

    fn port(
        &mut self,
        at: &mut At,
        port: &k8s_openapi::api::networking::v1::NetworkPolicyPort,
    ) -> Option<usize> {
        use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
        let mut count = 0;
        if let Some(end) = port.end_port {
            self.int_field(at, "endPort", end)?;
            count += 1;
        }
        match &port.port {
            Some(IntOrString::Int(number)) => {
                self.int_field(at, "port", *number)?;
                count += 1;
            }
            Some(IntOrString::String(name)) => {
                self.string_field(at, "port", name)?;
                count += 1;
            }
            None => {}
        }
        if let Some(protocol) = &port.protocol {
            self.string_field(at, "protocol", protocol)?;
            count += 1;
        }
        Some(count)
    }

    fn peer(
        &mut self,
        at: &mut At,
        peer: &k8s_openapi::api::networking::v1::NetworkPolicyPeer,
    ) -> Option<usize> {
        let mut count = 0;
        if let Some(block) = &peer.ip_block {
            self.map_field(at, "ipBlock", |w, at| {
                w.string_field(at, "cidr", &block.cidr)?;
                if let Some(except) = &block.except {
                    w.strings_field(at, "except", except)?;
                    return Some(2);
                }
                Some(1)
            })?;
            count += 1;
        }
        if let Some(selector) = &peer.namespace_selector {
            self.map_field(at, "namespaceSelector", |w, at| w.selector(at, selector))?;
            count += 1;
        }
        if let Some(selector) = &peer.pod_selector {
            self.map_field(at, "podSelector", |w, at| w.selector(at, selector))?;
            count += 1;
        }
        Some(count)
    }

    fn selector(
        &mut self,
        at: &mut At,
        selector: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
    ) -> Option<usize> {
        let mut count = 0;
        if let Some(expressions) = &selector.match_expressions {
            self.seq_field(at, "matchExpressions", expressions, |w, at, requirement| {
                w.string_field(at, "key", &requirement.key)?;
                w.string_field(at, "operator", &requirement.operator)?;
                if let Some(values) = &requirement.values {
                    w.strings_field(at, "values", values)?;
                    return Some(3);
                }
                Some(2)
            })?;
            count += 1;
        }
        if let Some(labels) = &selector.match_labels {
            self.map_field(at, "matchLabels", |w, at| w.string_map(at, labels))?;
            count += 1;
        }
        Some(count)
    }
}

#[cfg(test)]
mod tests {
    use super::{Scalars, network_policies, to_yaml, written};
    use crate::r#gen::{Config, sources};
    use k8s_openapi::api::networking::v1::{
        IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule,
        NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
        LabelSelector, LabelSelectorRequirement, ObjectMeta,
    };
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    use std::collections::BTreeMap;

    fn same_as_serde_yaml(policies: &[NetworkPolicy]) {
        let fast = network_policies(policies).unwrap();
        for (policy, fast) in policies.iter().zip(fast) {
            assert_eq!(fast, to_yaml(policy).unwrap());
        }
    }

    /// Written directly, not by serde_yaml, and the same.
    fn written_directly(policy: &NetworkPolicy) {
        let text = written(policy, &mut Scalars::default());
        assert_eq!(text, Some(to_yaml(policy).unwrap()));
    }

    #[test]
    fn generated_programs_serialize_as_serde_yaml_does() {
        for (services, seed) in [(30, 1), (200, 2), (400, 3)] {
            let sources = sources(&Config::sized(services, seed));
            let model = crate::compile(&sources).model.unwrap();
            let plan = crate::plan::plan(&model);
            let emitted = crate::emit::emit(&model, &plan, &sources);
            let objects: Vec<NetworkPolicy> = emitted.into_iter().map(|e| e.object).collect();
            same_as_serde_yaml(&objects);
            objects.iter().for_each(written_directly);
        }
    }

    /// Scalars of every style serde_yaml and libyaml choose between, all
    /// printable ASCII on one line.
    const AWKWARD: &[&str] = &[
        "",
        "~",
        "null",
        "Null",
        "true",
        "FALSE",
        "1",
        "-1",
        "+1",
        "007",
        "0x1F",
        "0o7",
        "0b1",
        "1.5",
        "1e3",
        ".inf",
        "-.inf",
        ".nan",
        ".5",
        "-",
        "-x",
        "- x",
        "--- x",
        "...",
        "a: b",
        "a:b",
        "a:",
        ":a",
        ": a",
        "?a",
        "? a",
        "#a",
        "a #b",
        "a#b",
        "it's",
        "'q'",
        "\"q\"",
        " lead",
        "trail ",
        "a  b",
        "*.* -> x",
        "|",
        ">x",
        "%x",
        "@x",
        "`x",
        "!x",
        "&x",
        "[x]",
        "{x}",
        "x,y",
        "inf",
        "nan",
        "yes",
        "no",
        "on",
        "1_000",
        "1.0.0",
        "10.0.0.0/8",
        "2001:db8::/32",
        "a/b",
        "k8s-app",
    ];

    /// Scalars that only serde_yaml writes.
    const OUTSIDE: &[&str] = &["é", "tab\there", "line\nbreak", "\u{7f}"];

    fn policy(
        annotations: BTreeMap<String, String>,
        labels: BTreeMap<String, String>,
    ) -> NetworkPolicy {
        let selector = LabelSelector {
            match_labels: Some(labels.clone()),
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "k".to_string(),
                operator: "In".to_string(),
                values: Some(AWKWARD.iter().map(|s| (*s).to_string()).collect()),
            }]),
        };
        NetworkPolicy {
            metadata: ObjectMeta {
                name: Some("p".to_string()),
                namespace: Some("0".to_string()),
                annotations: Some(annotations),
                labels: Some(labels),
                ..ObjectMeta::default()
            },
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector::default()),
                policy_types: Some(vec!["Ingress".to_string(), "Egress".to_string()]),
                ingress: Some(vec![
                    NetworkPolicyIngressRule {
                        from: Some(vec![
                            NetworkPolicyPeer::default(),
                            NetworkPolicyPeer {
                                namespace_selector: Some(LabelSelector::default()),
                                pod_selector: Some(selector.clone()),
                                ip_block: None,
                            },
                        ]),
                        ports: Some(vec![NetworkPolicyPort::default()]),
                    },
                    NetworkPolicyIngressRule::default(),
                ]),
                egress: Some(vec![NetworkPolicyEgressRule {
                    ports: Some(vec![
                        NetworkPolicyPort {
                            port: Some(IntOrString::String("https".to_string())),
                            end_port: Some(-1),
                            protocol: Some("TCP".to_string()),
                        },
                        NetworkPolicyPort {
                            port: Some(IntOrString::Int(8000)),
                            end_port: Some(8080),
                            protocol: None,
                        },
                    ]),
                    to: Some(vec![NetworkPolicyPeer {
                        ip_block: Some(IPBlock {
                            cidr: "0.0.0.0/0".to_string(),
                            except: Some(vec!["10.0.0.0/8".to_string()]),
                        }),
                        ..NetworkPolicyPeer::default()
                    }]),
                }]),
            }),
        }
    }

    #[test]
    fn awkward_scalars_are_styled_as_serde_yaml_styles_them() {
        let map = |f: &dyn Fn(&str) -> (String, String)| -> BTreeMap<String, String> {
            AWKWARD.iter().map(|s| f(s)).collect()
        };
        let keyed = policy(
            map(&|s| (format!("key-{s}"), s.to_string())),
            BTreeMap::new(),
        );
        written_directly(&keyed);
        let mut labels = map(&|s| (s.to_string(), s.to_string()));
        labels.remove("");
        let labelled = policy(BTreeMap::new(), labels);
        written_directly(&labelled);
        written_directly(&policy(BTreeMap::new(), BTreeMap::new()));
        written_directly(&NetworkPolicy::default());
        for s in AWKWARD {
            let value = BTreeMap::from([("k".to_string(), (*s).to_string())]);
            written_directly(&policy(value, BTreeMap::new()));
        }
        let policies = vec![
            keyed,
            labelled,
            policy(
                BTreeMap::from([(String::new(), "empty key".to_string())]),
                BTreeMap::new(),
            ),
            policy(
                BTreeMap::from([("a".repeat(129), "long".to_string())]),
                BTreeMap::new(),
            ),
            policy(
                BTreeMap::from([("!tag".to_string(), "x".to_string())]),
                BTreeMap::new(),
            ),
            NetworkPolicy {
                metadata: ObjectMeta {
                    uid: Some("u".to_string()),
                    ..ObjectMeta::default()
                },
                spec: Some(NetworkPolicySpec::default()),
            },
        ];
        same_as_serde_yaml(&policies);
        for s in AWKWARD.iter().chain(OUTSIDE) {
            let one = BTreeMap::from([((*s).to_string(), (*s).to_string())]);
            same_as_serde_yaml(&[policy(one, BTreeMap::new())]);
        }
    }
}
