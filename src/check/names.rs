//! Kubernetes naming rules: DNS-1123 labels and subdomains, label keys and
//! values, port names. Each check says which rule a name breaks.

/// The longest DNS-1123 label, label name or label value.
const MAX_LABEL: usize = 63;
/// The longest DNS-1123 subdomain (a label key's prefix).
const MAX_SUBDOMAIN: usize = 253;
/// The longest port name (an IANA service name).
const MAX_PORT_NAME: usize = 15;

/// Checks a namespace or service name: a DNS-1123 label.
pub fn dns_label(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a name must not be empty".into());
    }
    if name.len() > MAX_LABEL {
        return Err(format!(
            "is {} characters long; the limit is {MAX_LABEL}",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(if c.is_ascii_uppercase() {
            "must be lowercase".into()
        } else {
            format!(
                "must hold only lowercase ASCII letters, digits and `-`, not {}",
                shown(c)
            )
        });
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
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

fn dns_subdomain(prefix: &str) -> Result<(), String> {
    if prefix.len() > MAX_SUBDOMAIN {
        return Err(format!(
            "prefix is {} characters long; the limit is {MAX_SUBDOMAIN}",
            prefix.len()
        ));
    }
    for part in prefix.split('.') {
        dns_label(part)
            .map_err(|why| format!("prefix `{prefix}`: each dot-separated part {why}"))?;
    }
    Ok(())
}

/// Checks the name part of a label key or a label value (which may be empty
/// only where `allow_empty`).
fn label_name(text: &str, what: &str, allow_empty: bool) -> Result<(), String> {
    if text.is_empty() {
        return if allow_empty {
            Ok(())
        } else {
            Err(format!("{what} must not be empty"))
        };
    }
    if text.len() > MAX_LABEL {
        return Err(format!(
            "{what} is {} characters long; the limit is {MAX_LABEL}",
            text.len()
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "{what} may hold only ASCII letters, digits, `-`, `_` and `.`, not {}",
            shown(c)
        ));
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !alnum(text.chars().next()) || !alnum(text.chars().last()) {
        return Err(format!("{what} must start and end with a letter or digit"));
    }
    Ok(())
}

/// Checks a label key: `[prefix/]name`.
pub fn label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if name.contains('/') {
        return Err("a key holds at most one `/`".into());
    }
    if let Some(prefix) = prefix {
        if prefix.is_empty() {
            return Err("the prefix before `/` must not be empty".into());
        }
        dns_subdomain(prefix)?;
    }
    label_name(name, "the name part", false)
}

/// Checks a label value.
pub fn label_value(value: &str) -> Result<(), String> {
    label_name(value, "a value", true)
}

/// Checks a port name: an IANA service name, as Kubernetes requires of
/// container port names.
pub fn port_name(name: &str) -> Result<(), String> {
    if name.len() > MAX_PORT_NAME {
        return Err(format!(
            "is {} characters long; the limit is {MAX_PORT_NAME}",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "may hold only lowercase ASCII letters, digits and `-`, not {}",
            shown(c)
        ));
    }
    if !name.chars().any(|c| c.is_ascii_lowercase()) {
        return Err("must contain at least one letter".into());
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err("must not start or end with `-` or hold `--`".into());
    }
    Ok(())
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
