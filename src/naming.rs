//! Kubernetes naming rules, as `k8s.io/apimachinery/pkg/util/validation`
//! defines them (`IsDNS1123Label`, `IsDNS1123Subdomain`, `IsQualifiedName`,
//! `IsValidLabelValue`, `IsValidPortName`): the one definition that the
//! checker (names in a program) and the simulator (names in a cluster
//! export) both apply.
//!
//! Owns the rules and reports the first fault of a name as data; each caller
//! words it for its reader. Knows nothing of programs or objects.

/// The longest DNS-1123 label, label name or label value.
pub(crate) const MAX_LABEL: usize = 63;
/// The longest DNS-1123 subdomain (most object names, a label key's prefix).
pub(crate) const MAX_SUBDOMAIN: usize = 253;
/// The longest port name (an IANA service name).
pub(crate) const MAX_PORT_NAME: usize = 15;

/// Why a name breaks its rule: the first fault found, in the order the
/// rules are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The name is empty.
    Empty,
    /// The name is longer than the rule's limit.
    TooLong {
        /// Its length in bytes.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// The name holds a character the rule does not allow (the first).
    Character(char),
    /// The name starts or ends with a character it may hold elsewhere only.
    Edge,
    /// A port name without a letter.
    NoLetter,
    /// A port name that starts or ends with `-` or holds `--`.
    Hyphens,
}

/// Why a label key (a qualified name, `[prefix/]name`) breaks its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFault {
    /// The key holds more than one `/`.
    Slashes,
    /// The prefix before `/` is empty.
    EmptyPrefix,
    /// The prefix is not a DNS-1123 subdomain.
    Prefix(SubdomainFault),
    /// The name part breaks the rule of a label value, or is empty.
    Name(Fault),
}

/// Why a DNS-1123 subdomain breaks its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubdomainFault {
    /// It is longer than [`MAX_SUBDOMAIN`].
    TooLong {
        /// Its length in bytes.
        length: usize,
    },
    /// A dot-separated part is not a DNS-1123 label.
    Part(Fault),
}

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn too_long(text: &str, limit: usize) -> Option<Fault> {
    (text.len() > limit).then_some(Fault::TooLong {
        length: text.len(),
        limit,
    })
}

/// A DNS-1123 label: a namespace, a service, a container name.
pub(crate) fn dns_label(text: &str) -> Result<(), Fault> {
    if text.is_empty() {
        return Err(Fault::Empty);
    }
    if let Some(fault) = too_long(text, MAX_LABEL) {
        return Err(fault);
    }
    if let Some(c) = text.chars().find(|c| !lower_alnum(*c) && *c != '-') {
        return Err(Fault::Character(c));
    }
    if text.starts_with('-') || text.ends_with('-') {
        return Err(Fault::Edge);
    }
    Ok(())
}

/// A DNS-1123 subdomain: most object names, a label key's prefix.
pub(crate) fn dns_subdomain(text: &str) -> Result<(), SubdomainFault> {
    if text.len() > MAX_SUBDOMAIN {
        return Err(SubdomainFault::TooLong { length: text.len() });
    }
    text.split('.')
        .try_for_each(dns_label)
        .map_err(SubdomainFault::Part)
}

/// A label value (which may be empty); also the name part of a label key,
/// which may not.
pub(crate) fn label_value(text: &str) -> Result<(), Fault> {
    if let Some(fault) = too_long(text, MAX_LABEL) {
        return Err(fault);
    }
    if let Some(c) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(Fault::Character(c));
    }
    let edge = |c: Option<char>| c.is_none_or(|c| c.is_ascii_alphanumeric());
    if !edge(text.chars().next()) || !edge(text.chars().last()) {
        return Err(Fault::Edge);
    }
    Ok(())
}

/// A label key (an annotation key too): `[prefix/]name`.
pub(crate) fn label_key(key: &str) -> Result<(), KeyFault> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if name.contains('/') {
        return Err(KeyFault::Slashes);
    }
    if let Some(prefix) = prefix {
        if prefix.is_empty() {
            return Err(KeyFault::EmptyPrefix);
        }
        dns_subdomain(prefix).map_err(KeyFault::Prefix)?;
    }
    if name.is_empty() {
        return Err(KeyFault::Name(Fault::Empty));
    }
    label_value(name).map_err(KeyFault::Name)
}

/// A port name: an IANA service name, as Kubernetes requires of container
/// port names.
pub(crate) fn port_name(text: &str) -> Result<(), Fault> {
    if let Some(fault) = too_long(text, MAX_PORT_NAME) {
        return Err(fault);
    }
    if let Some(c) = text.chars().find(|c| !lower_alnum(*c) && *c != '-') {
        return Err(Fault::Character(c));
    }
    if !text.chars().any(|c| c.is_ascii_lowercase()) {
        return Err(Fault::NoLetter);
    }
    if text.starts_with('-') || text.ends_with('-') || text.contains("--") {
        return Err(Fault::Hyphens);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cases from k8s.io/apimachinery/pkg/util/validation's tests of
    // IsDNS1123Label, IsQualifiedName, IsValidLabelValue and IsValidPortName.
    #[test]
    fn follow_the_api_server() {
        for good in [
            "a",
            "ab",
            "abc",
            "a1",
            "a-1",
            "a--1--2--b",
            "0",
            "01",
            "payments-api",
        ] {
            assert_eq!(dns_label(good), Ok(()), "{good}");
        }
        assert_eq!(dns_label(""), Err(Fault::Empty));
        assert_eq!(dns_label("Shop"), Err(Fault::Character('S')));
        assert_eq!(dns_label("-shop"), Err(Fault::Edge));
        assert_eq!(dns_label("shop_1"), Err(Fault::Character('_')));
        assert_eq!(
            dns_label(&"a".repeat(64)),
            Err(Fault::TooLong {
                length: 64,
                limit: 63
            })
        );
        assert_eq!(dns_label(&"a".repeat(63)), Ok(()));
        for good in [
            "app",
            "app.kubernetes.io/name",
            "k8s-app",
            "a.b/C_d.e",
            "x/1",
        ] {
            assert_eq!(label_key(good), Ok(()), "{good}");
        }
        assert_eq!(label_key("/x"), Err(KeyFault::EmptyPrefix));
        assert_eq!(label_key("a/b/c"), Err(KeyFault::Slashes));
        assert_eq!(label_key("x/"), Err(KeyFault::Name(Fault::Empty)));
        assert_eq!(label_key("-app"), Err(KeyFault::Name(Fault::Edge)));
        assert_eq!(
            label_key("Example.com/x"),
            Err(KeyFault::Prefix(SubdomainFault::Part(Fault::Character(
                'E'
            ))))
        );
        assert_eq!(
            label_key(&format!("{}/x", "a".repeat(254))),
            Err(KeyFault::Prefix(SubdomainFault::TooLong { length: 254 }))
        );
        for good in ["", "v1.2_3-x", "A"] {
            assert_eq!(label_value(good), Ok(()), "{good}");
        }
        assert_eq!(label_value("x."), Err(Fault::Edge));
        assert_eq!(label_value("a b"), Err(Fault::Character(' ')));
        for good in ["https", "dns-tcp", "a1", "p-o-r-t"] {
            assert_eq!(port_name(good), Ok(()), "{good}");
        }
        assert_eq!(port_name("8080"), Err(Fault::NoLetter));
        assert_eq!(port_name("a--b"), Err(Fault::Hyphens));
        assert_eq!(port_name("-a"), Err(Fault::Hyphens));
        assert_eq!(port_name("HTTP"), Err(Fault::Character('H')));
        assert_eq!(
            port_name("a-very-long-port-name"),
            Err(Fault::TooLong {
                length: 21,
                limit: 15
            })
        );
    }
}
