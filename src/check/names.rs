//! Kubernetes naming rules as the checker words them: the rules are
//! `crate::naming`'s; this module says which one a name in a program breaks,
//! in the checker's words.

use crate::naming::{self, Fault, KeyFault, MAX_LABEL, MAX_SUBDOMAIN, SubdomainFault};

/// Checks a namespace or service name: a DNS-1123 label.
pub fn dns_label(name: &str) -> Result<(), String> {
    naming::dns_label(name).map_err(label_fault)
}

/// The wording of a DNS-1123 label's fault.
fn label_fault(fault: Fault) -> String {
    match fault {
        Fault::Empty => "a name must not be empty".into(),
        Fault::TooLong { length, limit } => {
            format!("is {length} characters long; the limit is {limit}")
        }
        Fault::Character(c) if c.is_ascii_uppercase() => "must be lowercase".into(),
        Fault::Character(c) => format!(
            "must hold only lowercase ASCII letters, digits and `-`, not {}",
            shown(c)
        ),
        Fault::Edge | Fault::NoLetter | Fault::Hyphens => {
            "must start and end with a letter or digit".into()
        }
    }
}

/// A DNS-1123 label that is close to `name`, when one can be made.
pub fn suggest_dns_label(name: &str) -> Option<String> {
    let fixed: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let fixed = fixed.trim_matches('-').to_string();
    let fixed: String = fixed.chars().take(MAX_LABEL).collect();
    let fixed = fixed.trim_end_matches('-').to_string();
    (dns_label(&fixed).is_ok() && fixed != name).then_some(fixed)
}

/// The wording of the fault of a label value or of a key's name part
/// (`what`).
fn name_fault(fault: Fault, what: &str) -> String {
    match fault {
        Fault::Empty => format!("{what} must not be empty"),
        Fault::TooLong { length, limit } => {
            format!("{what} is {length} characters long; the limit is {limit}")
        }
        Fault::Character(c) => format!(
            "{what} may hold only ASCII letters, digits, `-`, `_` and `.`, not {}",
            shown(c)
        ),
        Fault::Edge | Fault::NoLetter | Fault::Hyphens => {
            format!("{what} must start and end with a letter or digit")
        }
    }
}

/// Checks a label key: `[prefix/]name`.
pub fn label_key(key: &str) -> Result<(), String> {
    naming::label_key(key).map_err(|fault| match fault {
        KeyFault::Slashes => "a key holds at most one `/`".into(),
        KeyFault::EmptyPrefix => "the prefix before `/` must not be empty".into(),
        KeyFault::Prefix(SubdomainFault::TooLong { length }) => {
            format!("prefix is {length} characters long; the limit is {MAX_SUBDOMAIN}")
        }
        KeyFault::Prefix(SubdomainFault::Part(fault)) => {
            let prefix = key.split_once('/').map_or(key, |(prefix, _)| prefix);
            format!(
                "prefix `{prefix}`: each dot-separated part {}",
                label_fault(fault)
            )
        }
        KeyFault::Name(fault) => name_fault(fault, "the name part"),
    })
}

/// Checks a label value.
pub fn label_value(value: &str) -> Result<(), String> {
    naming::label_value(value).map_err(|fault| name_fault(fault, "a value"))
}

/// Checks a port name: an IANA service name, as Kubernetes requires of
/// container port names.
pub fn port_name(name: &str) -> Result<(), String> {
    naming::port_name(name).map_err(|fault| match fault {
        Fault::TooLong { length, limit } => {
            format!("is {length} characters long; the limit is {limit}")
        }
        Fault::Character(c) => format!(
            "may hold only lowercase ASCII letters, digits and `-`, not {}",
            shown(c)
        ),
        Fault::NoLetter | Fault::Empty => "must contain at least one letter".into(),
        Fault::Edge | Fault::Hyphens => "must not start or end with `-` or hold `--`".into(),
    })
}

/// A character as a message shows it: `é`, and for anything outside ASCII
/// its code point too (`е` (U+0435)), since it may look like an ASCII letter.
fn shown(c: char) -> String {
    if c.is_ascii() {
        format!("`{c}`")
    } else {
        format!("`{c}` (U+{:04X})", u32::from(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert!(dns_label("payments-api").is_ok());
        assert!(dns_label("a").is_ok());
        assert_eq!(dns_label("Shop"), Err("must be lowercase".into()));
        assert!(dns_label("-shop").is_err());
        assert!(dns_label("shop_1").is_err());
        assert!(dns_label(&"a".repeat(64)).is_err());
        assert!(dns_label(&"a".repeat(63)).is_ok());
        assert_eq!(suggest_dns_label("Shop_Front"), Some("shop-front".into()));
    }

    #[test]
    fn label_keys_and_values() {
        assert!(label_key("app").is_ok());
        assert!(label_key("app.kubernetes.io/name").is_ok());
        assert!(label_key("k8s-app").is_ok());
        assert!(label_key("Example.com/x").is_err());
        assert!(label_key("/x").is_err());
        assert!(label_key("a/b/c").is_err());
        assert!(label_key(&"k".repeat(64)).is_err());
        assert!(label_key("-app").is_err());
        assert!(label_value("").is_ok());
        assert!(label_value("v1.2_3-x").is_ok());
        assert!(label_value("x.").is_err());
        assert!(label_value(&"v".repeat(64)).is_err());
    }

    #[test]
    fn port_names() {
        assert!(port_name("https").is_ok());
        assert!(port_name("dns-tcp").is_ok());
        assert!(port_name("8080").is_err());
        assert!(port_name("a--b").is_err());
        assert!(port_name("HTTP").is_err());
        assert!(port_name("a-very-long-port-name").is_err());
    }
}
