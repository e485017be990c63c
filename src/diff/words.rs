//! Plain-text pieces every rendering of a diff shares: the verdict, what an
//! item is, a field's value, a region of connections.
//!
//! Owns the wording, so that the text, Markdown and history renderings say
//! the same thing the same way. Must not escape for any format (each
//! renderer does).

use super::{
    Change, ControlFacts, ExternalFacts, FlowFacts, InvariantFacts, NamespaceFacts, ServiceFacts,
    Summary,
};

/// What every kind of item says about itself.
pub trait Facts {
    /// Where it is declared (`file:line`).
    fn location(&self) -> &str;
    /// One line about it, for an item added or removed (may be empty).
    fn about(&self) -> String;
    /// The value of one of its fields, as a changed field shows it.
    fn field(&self, name: &str) -> String;
}

fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

/// `a, b`, or `none`.
pub fn list(items: &[String]) -> String {
    super::describe::list(items)
}

impl Facts for FlowFacts {
    fn location(&self) -> &str {
        &self.location
    }

    fn about(&self) -> String {
        let mut about = format!("ports {}; controls {}", self.ports, list(&self.controls));
        if let Some(because) = &self.because {
            about.push_str("; because ");
            about.push_str(&quoted(because));
        }
        about
    }

    fn field(&self, name: &str) -> String {
        match name {
            "ports" => self.ports.clone(),
            "source" => self.source.clone(),
            "destination" => self.destination.clone(),
            "controls" => list(&self.controls),
            "criteria" => list(&self.criteria),
            "justification" => self
                .because
                .as_deref()
                .map_or_else(|| "none".to_string(), quoted),
            _ => String::new(),
        }
    }
}

fn managed(managed: bool) -> String {
    if managed { "managed" } else { "unmanaged" }.to_string()
}

impl Facts for NamespaceFacts {
    fn location(&self) -> &str {
        &self.location
    }

    fn about(&self) -> String {
        managed(self.managed)
    }

    fn field(&self, _name: &str) -> String {
        managed(self.managed)
    }
}

impl Facts for ServiceFacts {
    fn location(&self) -> &str {
        &self.location
    }

    fn about(&self) -> String {
        format!("pods {}; ports {}", self.selector, list(&self.ports))
    }

    fn field(&self, name: &str) -> String {
        match name {
            "selector" => self.selector.clone(),
            "ports" => list(&self.ports),
            _ => String::new(),
        }
    }
}

impl Facts for ExternalFacts {
    fn location(&self) -> &str {
        &self.location
    }

    fn about(&self) -> String {
        self.ranges.join("; ")
    }

    fn field(&self, _name: &str) -> String {
        self.ranges.join("; ")
    }
}

impl Facts for InvariantFacts {
    fn location(&self) -> &str {
        &self.location
    }

    fn about(&self) -> String {
        String::new()
    }

    fn field(&self, _name: &str) -> String {
        String::new()
    }
}

impl Facts for ControlFacts {
    fn location(&self) -> &str {
        &self.location
    }

    fn about(&self) -> String {
        format!("{} maps {}", quoted(&self.title), list(&self.maps))
    }

    fn field(&self, name: &str) -> String {
        match name {
            "title" => quoted(&self.title),
            "maps" => list(&self.maps),
            _ => String::new(),
        }
    }
}

/// Where a changed item is: its new location, or `was file:line` for an
/// item removed.
pub fn location<T: Facts>(change: &Change<T>) -> String {
    match (&change.new, &change.old) {
        (Some(new), _) => new.location().to_string(),
        (None, Some(old)) => format!("was {}", old.location()),
        (None, None) => String::new(),
    }
}

/// One line per changed field (`ports: 8443/tcp -> 9443/tcp`), or the one
/// line about an item added or removed (empty when there is nothing to say).
pub fn details<T: Facts>(change: &Change<T>, arrow: &str) -> Vec<String> {
    match (&change.old, &change.new) {
        (Some(old), Some(new)) => change
            .fields
            .iter()
            .map(|f| format!("{f}: {} {arrow} {}", old.field(f), new.field(f)))
            .collect(),
        (Some(one), None) | (None, Some(one)) => {
            let about = one.about();
            if about.is_empty() {
                Vec::new()
            } else {
                vec![about]
            }
        }
        (None, None) => Vec::new(),
    }
}

/// The verdict: what the change does to the connections.
pub fn verdict(summary: &Summary) -> String {
    let allowed = regions(summary.newly_allowed);
    let blocked = regions(summary.newly_blocked);
    match (summary.widened, summary.narrowed) {
        (true, true) => {
            format!("widens and narrows access: {allowed} newly allowed, {blocked} newly blocked")
        }
        (true, false) => format!("widens access: {allowed} newly allowed"),
        (false, true) => format!("narrows access: {blocked} newly blocked"),
        (false, false) if summary.changed => {
            "no connection changes: the change is to the program's meaning or traceability only"
                .to_string()
        }
        (false, false) => "no change to the boundary".to_string(),
    }
}

/// `1 region`, `3 regions` (of connections).
pub fn regions(count: usize) -> String {
    if count == 1 {
        "1 region".to_string()
    } else {
        format!("{count} regions")
    }
}

/// `1 added, 0 removed, 2 changed` for flows.
pub fn flow_counts(summary: &Summary) -> String {
    format!(
        "{} added, {} removed, {} changed",
        summary.flows_added, summary.flows_removed, summary.flows_changed
    )
}

/// The text with its first letter in upper case.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
