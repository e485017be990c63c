//! Plain-text pieces every rendering of a diff shares: the verdict, what an
//! item is, a field's value, a region of connections.
//!
//! Owns the wording, so that the text, Markdown and history renderings say
//! the same thing the same way. Must not escape for any format (each
//! renderer does).

use super::describe::list;
use super::{
    Change, ControlFacts, ControlField, ExternalFacts, ExternalField, Field, FlowFacts, FlowField,
    InvariantFacts, InvariantField, Item, NamespaceFacts, NamespaceField, ServiceFacts,
    ServiceField, Summary,
};

/// What every kind of item says about itself.
pub trait Facts: Item {
    /// Where it is declared (`file:line`).
    fn location(&self) -> &str;
    /// One line about it, for an item added or removed (may be empty).
    fn about(&self) -> String;
    /// The value of one of its fields, as a changed field shows it.
    fn field(&self, field: Self::Field) -> String;
}

fn quoted(text: &str) -> String {
    format!("\"{text}\"")
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

    fn field(&self, field: FlowField) -> String {
        match field {
            FlowField::Ports => self.ports.clone(),
            FlowField::Source => self.source.clone(),
            FlowField::Destination => self.destination.clone(),
            FlowField::Controls => list(&self.controls),
            FlowField::Criteria => list(&self.criteria),
            FlowField::Justification => self
                .because
                .as_deref()
                .map_or_else(|| "none".to_string(), quoted),
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

    fn field(&self, field: NamespaceField) -> String {
        match field {
            NamespaceField::Managed => managed(self.managed),
        }
    }
}

impl Facts for ServiceFacts {
    fn location(&self) -> &str {
        &self.location
    }

    fn about(&self) -> String {
        format!("pods {}; ports {}", self.selector, list(&self.ports))
    }

    fn field(&self, field: ServiceField) -> String {
        match field {
            ServiceField::Selector => self.selector.clone(),
            ServiceField::Ports => list(&self.ports),
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

    fn field(&self, field: ExternalField) -> String {
        match field {
            ExternalField::Ranges => self.ranges.join("; "),
        }
    }
}

impl Facts for InvariantFacts {
    fn location(&self) -> &str {
        &self.location
    }

    fn about(&self) -> String {
        String::new()
    }

    fn field(&self, field: InvariantField) -> String {
        match field {}
    }
}

impl Facts for ControlFacts {
    fn location(&self) -> &str {
        &self.location
    }

    fn about(&self) -> String {
        format!("{} maps {}", quoted(&self.title), list(&self.maps))
    }

    fn field(&self, field: ControlField) -> String {
        match field {
            ControlField::Title => quoted(&self.title),
            ControlField::Maps => list(&self.maps),
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
            .map(|&f| format!("{}: {} {arrow} {}", f.name(), old.field(f), new.field(f)))
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
