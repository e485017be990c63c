//! Plain-text wording of model pieces, so that what a comparison calls a
//! change is what a reader sees change: endpoints by what they stand for,
//! selectors, ports and address blocks.
//!
//! Owns the wording only; must not decide what changed and must not escape
//! for any format.

use crate::model::{Addresses, Citation, Endpoint, Model, Port, Selector};

/// What an endpoint stands for in `model`: `pods app=web in shop`,
/// `every pod of payments`, the managed namespaces of `*.*`, an external's
/// ranges.
pub fn endpoint(end: &Endpoint, model: &Model) -> String {
    let unmanaged = |managed: bool| if managed { "" } else { " (unmanaged)" };
    match end {
        Endpoint::Service {
            namespace,
            managed,
            selector,
            ..
        } => format!(
            "pods {} in {namespace}{}",
            selector_text(selector),
            unmanaged(*managed)
        ),
        Endpoint::Namespace { namespace, managed } => {
            format!("every pod of {namespace}{}", unmanaged(*managed))
        }
        Endpoint::AllManaged => {
            let names: Vec<&str> = model
                .managed_namespaces()
                .map(|n| n.name.as_str())
                .collect();
            format!("every pod of {}", names.join(", "))
        }
        Endpoint::External { addresses, .. } => ranges(addresses).join("; "),
    }
}

/// A selector's terms (`app=web, tier=front`), or `(any labels)`.
pub fn selector_text(selector: &Selector) -> String {
    if selector.is_empty() {
        "(any labels)".to_string()
    } else {
        selector.to_string()
    }
}

/// One entry per `ipBlock` Ward emits for the set:
/// `0.0.0.0/0 except 10.0.0.0/8, 192.168.0.0/16`.
pub fn ranges(addresses: &Addresses) -> Vec<String> {
    addresses
        .ip_blocks()
        .iter()
        .map(|block| {
            if block.except.is_empty() {
                block.cidr.to_string()
            } else {
                let holes: Vec<String> = block.except.iter().map(ToString::to_string).collect();
                format!("{} except {}", block.cidr, holes.join(", "))
            }
        })
        .collect()
}

/// A named port: `https 8443/tcp`.
pub fn port(port: &Port) -> String {
    format!("{} {}", port.name, port.range)
}

/// The ids of citations as written, in source order.
pub fn cited(citations: &[Citation]) -> Vec<String> {
    citations.iter().map(|c| c.id.clone()).collect()
}

/// A list for reading, or `none`.
pub fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}
