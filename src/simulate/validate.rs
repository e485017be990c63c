//! What the API server validates of Namespaces, Pods (and workloads' pod
//! templates) and NetworkPolicies that the typed objects do not: object
//! names, label keys and values, annotation keys, container names and port
//! names, the count of `policyTypes`. The naming rules are `crate::naming`'s
//! (those of `k8s.io/apimachinery/pkg/util/validation`), worded here as the
//! API server words them and applied where `pkg/apis/core/validation` and
//! `pkg/apis/networking/validation` apply them.
//!
//! Ports, protocols, CIDRs and selector operators are validated where they
//! are read (`policy`, `selector`, `world`), for typed objects too. Errors
//! name the field by its path in the object.

use super::error::{Invalid, invalid};
use crate::naming::{self, Fault, KeyFault, MAX_SUBDOMAIN, SubdomainFault};
use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeSet;

/// Which rule an object's `metadata.name` follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameRule {
    /// `IsDNS1123Label`: namespaces.
    Label,
    /// `IsDNS1123Subdomain`: pods, policies, workloads.
    Subdomain,
}

/// How the API server words a DNS-1123 label's fault.
fn label_fault(fault: Fault) -> String {
    match fault {
        Fault::Empty => "must not be empty".to_owned(),
        Fault::TooLong { limit, .. } => format!("must be at most {limit} characters"),
        Fault::Character(c) => {
            format!("must hold only lowercase letters, digits and `-` (not `{c}`)")
        }
        Fault::Edge | Fault::NoLetter | Fault::Hyphens => {
            "must start and end with a lowercase letter or digit".to_owned()
        }
    }
}

/// Why `text` is not a DNS-1123 label, if it is not.
fn dns_label(text: &str) -> Option<String> {
    naming::dns_label(text).err().map(label_fault)
}

/// Why `text` is not a DNS-1123 subdomain, if it is not.
fn dns_subdomain(text: &str) -> Option<String> {
    naming::dns_subdomain(text).err().map(subdomain_fault)
}

fn subdomain_fault(fault: SubdomainFault) -> String {
    match fault {
        SubdomainFault::TooLong { .. } => format!("must be at most {MAX_SUBDOMAIN} characters"),
        SubdomainFault::Part(fault) => format!(
            "is not a DNS subdomain: each dot-separated part {}",
            label_fault(fault)
        ),
    }
}

/// How the API server words a label value's fault (also the name part of a
/// qualified name).
fn value_fault(fault: Fault) -> String {
    match fault {
        Fault::TooLong { limit, .. } => format!("must be at most {limit} characters"),
        Fault::Character(c) => {
            format!("may hold only letters, digits, `-`, `_` and `.` (not `{c}`)")
        }
        Fault::Empty | Fault::Edge | Fault::NoLetter | Fault::Hyphens => {
            "must start and end with a letter or digit".to_owned()
        }
    }
}

/// Why `text` is not a label value, if it is not.
fn label_value(text: &str) -> Option<String> {
    naming::label_value(text).err().map(value_fault)
}

/// Why `text` is not a qualified name (`[prefix/]name`: a label key, an
/// annotation key), if it is not.
fn qualified_name(text: &str) -> Option<String> {
    naming::label_key(text).err().map(|fault| match fault {
        KeyFault::Slashes => "holds more than one `/`".to_owned(),
        KeyFault::EmptyPrefix => "has an empty prefix before `/`".to_owned(),
        KeyFault::Prefix(fault) => format!("has a prefix that {}", subdomain_fault(fault)),
        KeyFault::Name(Fault::Empty) => "has an empty name part".to_owned(),
        KeyFault::Name(fault) => format!("has a name part that {}", value_fault(fault)),
    })
}

/// Why `text` is not a port name (an IANA service name), if it is not.
fn port_name(text: &str) -> Option<String> {
    naming::port_name(text).err().map(|fault| match fault {
        Fault::TooLong { length, limit } => {
            format!("is {length} characters long; a port name is at most {limit}")
        }
        Fault::Character(c) => {
            format!("may hold only lowercase letters, digits and `-` (not `{c}`)")
        }
        Fault::Empty | Fault::NoLetter => "must hold at least one letter".to_owned(),
        Fault::Edge | Fault::Hyphens => "must not start or end with `-` or hold `--`".to_owned(),
    })
}

/// `Err("`at` is `text`, which WHY")` when `why` is some.
fn check(at: &str, text: &str, why: Option<String>) -> Result<(), Invalid> {
    match why {
        None => Ok(()),
        Some(why) => invalid(format!("`{at}` is `{text}`, which {why}")),
    }
}

/// The object's name (by `rule`), namespace, label keys and values, and
/// annotation keys; `at` is the path of the metadata (`metadata`).
pub(crate) fn metadata(meta: &ObjectMeta, at: &str, rule: NameRule) -> Result<(), Invalid> {
    if let Some(name) = meta.name.as_deref().filter(|name| !name.is_empty()) {
        let why = match rule {
            NameRule::Label => dns_label(name),
            NameRule::Subdomain => dns_subdomain(name),
        };
        check(&format!("{at}.name"), name, why)?;
    }
    if let Some(namespace) = meta.namespace.as_deref().filter(|ns| !ns.is_empty()) {
        check(&format!("{at}.namespace"), namespace, dns_label(namespace))?;
    }
    for (key, value) in meta.labels.iter().flatten() {
        check(&format!("{at}.labels"), key, qualified_name(key))?;
        check(&format!("{at}.labels.{key}"), value, label_value(value))?;
    }
    for key in meta.annotations.iter().flatten().map(|(key, _)| key) {
        check(&format!("{at}.annotations"), key, qualified_name(key))?;
    }
    Ok(())
}

/// A pod spec's containers, then its init containers, each with its path
/// (`spec.containers[0]`); `at` is the path of the spec.
pub(crate) fn containers<'a>(
    spec: &'a PodSpec,
    at: &'a str,
) -> impl Iterator<Item = (String, &'a Container)> + 'a {
    let listed = |field: &'a str, list: &'a [Container]| {
        list.iter()
            .enumerate()
            .map(move |(index, container)| (format!("{at}.{field}[{index}]"), container))
    };
    listed("containers", &spec.containers).chain(listed(
        "initContainers",
        spec.init_containers.as_deref().unwrap_or_default(),
    ))
}

/// A pod spec's containers (init containers too): names present, DNS
/// labels and unique; port names valid and unique within a container.
/// `at` is the path of the spec (`spec`, `spec.template.spec`).
pub(crate) fn pod_spec(spec: &PodSpec, at: &str) -> Result<(), Invalid> {
    let mut names = BTreeSet::new();
    for (at, container) in containers(spec, at) {
        container_names(container, &at)?;
        if !names.insert(container.name.as_str()) {
            return invalid(format!(
                "`{at}.name` is `{}`, which another container of the pod already has",
                container.name
            ));
        }
    }
    Ok(())
}

fn container_names(container: &Container, at: &str) -> Result<(), Invalid> {
    check(
        &format!("{at}.name"),
        &container.name,
        dns_label(&container.name),
    )?;
    let mut names = BTreeSet::new();
    for (index, port) in container.ports.iter().flatten().enumerate() {
        let Some(name) = port.name.as_deref().filter(|name| !name.is_empty()) else {
            continue;
        };
        let at = format!("{at}.ports[{index}].name");
        check(&at, name, port_name(name))?;
        if !names.insert(name) {
            return invalid(format!(
                "`{at}` is `{name}`, which another port of the container already has"
            ));
        }
    }
    Ok(())
}

fn selector(selector: &LabelSelector, at: &str) -> Result<(), Invalid> {
    for (key, value) in selector.match_labels.iter().flatten() {
        check(&format!("{at}.matchLabels"), key, qualified_name(key))?;
        check(
            &format!("{at}.matchLabels.{key}"),
            value,
            label_value(value),
        )?;
    }
    for (index, expression) in selector.match_expressions.iter().flatten().enumerate() {
        let at = format!("{at}.matchExpressions[{index}]");
        if !expression.key.is_empty() {
            check(
                &format!("{at}.key"),
                &expression.key,
                qualified_name(&expression.key),
            )?;
        }
        for (number, value) in expression.values.iter().flatten().enumerate() {
            check(&format!("{at}.values[{number}]"), value, label_value(value))?;
        }
    }
    Ok(())
}

fn peers(peers: Option<&[NetworkPolicyPeer]>, at: &str) -> Result<(), Invalid> {
    for (index, peer) in peers.into_iter().flatten().enumerate() {
        let at = format!("{at}[{index}]");
        if let Some(pods) = &peer.pod_selector {
            selector(pods, &format!("{at}.podSelector"))?;
        }
        if let Some(namespaces) = &peer.namespace_selector {
            selector(namespaces, &format!("{at}.namespaceSelector"))?;
        }
    }
    Ok(())
}

/// A policy's selectors' label keys and values, its named ports, and
/// `policyTypes` (at most two, per `ValidateNetworkPolicySpec`).
pub(crate) fn network_policy(policy: &NetworkPolicy) -> Result<(), Invalid> {
    let Some(spec) = &policy.spec else {
        return Ok(());
    };
    if let Some(pods) = &spec.pod_selector {
        selector(pods, "spec.podSelector")?;
    }
    if let Some(types) = &spec.policy_types {
        if types.len() > 2 {
            return invalid(format!(
                "`spec.policyTypes` lists {} types; it takes at most `Ingress` and `Egress`",
                types.len()
            ));
        }
    }
    let rules = spec
        .ingress
        .iter()
        .flatten()
        .enumerate()
        .map(|(index, rule)| {
            (
                format!("spec.ingress[{index}]"),
                "from",
                rule.from.as_deref(),
                rule.ports.as_deref(),
            )
        })
        .chain(
            spec.egress
                .iter()
                .flatten()
                .enumerate()
                .map(|(index, rule)| {
                    (
                        format!("spec.egress[{index}]"),
                        "to",
                        rule.to.as_deref(),
                        rule.ports.as_deref(),
                    )
                }),
        );
    for (at, field, rule_peers, ports) in rules {
        peers(rule_peers, &format!("{at}.{field}"))?;
        for (index, port) in ports.into_iter().flatten().enumerate() {
            if let Some(IntOrString::String(name)) = &port.port {
                // A quoted number is reported by `policy` as such.
                if name.bytes().any(|b| b.is_ascii_alphabetic()) {
                    check(&format!("{at}.ports[{index}].port"), name, port_name(name))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cases from k8s.io/apimachinery/pkg/util/validation's tests of
    // IsDNS1123Label, IsQualifiedName, IsValidLabelValue and IsValidPortName.
    #[test]
    fn names_follow_the_api_server() {
        for good in ["a", "ab", "a-b", "0", "a0", &"a".repeat(63)] {
            assert_eq!(dns_label(good), None, "{good}");
        }
        for bad in ["", "A", "a_b", "-a", "a-", "a.b", &"a".repeat(64)] {
            assert!(dns_label(bad).is_some(), "{bad}");
        }
        for good in ["a.b.c", "a-b.c0", &format!("{}.b", "a".repeat(63))] {
            assert_eq!(dns_subdomain(good), None, "{good}");
        }
        for bad in ["a..b", ".a", "a.", "A.b", &"a.".repeat(127)] {
            assert!(dns_subdomain(bad).is_some(), "{bad}");
        }
        for good in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "1234",
            "simple/simple",
            "example.com/Upper_Case.dots",
            "k8s.io/x",
            &"a".repeat(63),
        ] {
            assert_eq!(qualified_name(good), None, "{good}");
        }
        for bad in [
            "",
            "nospecialchars%^=@",
            "cantendwithadash-",
            "-cantstartwithadash",
            "only/one/slash",
            "Example.com/abc",
            "example_com/abc",
            "example.com/",
            "/simple",
            &"a".repeat(64),
        ] {
            assert!(qualified_name(bad).is_some(), "{bad}");
        }
        for good in [
            "",
            "simple",
            "now-with-dashes",
            "1234",
            "a.b_c-D",
            &"a".repeat(63),
        ] {
            assert_eq!(label_value(good), None, "{good}");
        }
        for bad in [
            "nospecialchars%^=@",
            "Tama-nui-te-rā.Ëŗ",
            "-a",
            "a_",
            &"a".repeat(64),
        ] {
            assert!(label_value(bad).is_some(), "{bad}");
        }
        for good in [
            "telnet",
            "re-mail-ck",
            "pop3",
            "a",
            "a-1",
            "1-a",
            "a-1-b-2-c",
            "1-a-2-b-3",
        ] {
            assert_eq!(port_name(good), None, "{good}");
        }
        for bad in [
            "longerthan15characters",
            "",
            "12345",
            "1-2-3-4",
            "-begin",
            "end-",
            "two--dashes",
            "whois++",
            "Upper",
        ] {
            assert!(port_name(bad).is_some(), "{bad}");
        }
    }
}
