//! The outline of a file: its statements as a tree (namespaces hold their
//! services, services their ports), for an editor's document symbols.

use super::index::connection_text;
use crate::source::{FileId, Span};
use crate::syntax::ast::{Ast, Item};

/// What an outline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `system`.
    System,
    /// `baseline`.
    Baseline,
    /// A namespace.
    Namespace,
    /// A service.
    Service,
    /// A named port.
    Port,
    /// An external address set.
    External,
    /// A team control.
    Control,
    /// A flow.
    Flow,
    /// A `deny`.
    Deny,
}

/// One entry of the outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What is shown.
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// The whole statement.
    pub span: Span,
    /// The part to select (the name).
    pub selection: Span,
    /// The entries inside.
    pub children: Vec<Entry>,
}

impl Entry {
    fn leaf(name: impl Into<String>, kind: Kind, span: Span, selection: Span) -> Self {
        Self {
            name: name.into(),
            kind,
            span,
            selection,
            children: Vec::new(),
        }
    }
}

/// The outline of the statements of `file`.
pub fn outline(ast: &Ast, file: FileId) -> Vec<Entry> {
    ast.items
        .iter()
        .map(entry)
        .filter(|e| e.span.file == file)
        .collect()
}

fn entry(item: &Item) -> Entry {
    match item {
        Item::System(system) => Entry::leaf(
            format!("system {}", system.name.value),
            Kind::System,
            system.span,
            system.name.span,
        ),
        Item::Baseline(baseline) => {
            Entry::leaf("baseline", Kind::Baseline, baseline.span, baseline.span)
        }
        Item::Namespace(ns) => Entry {
            name: ns.name.text.clone(),
            kind: Kind::Namespace,
            span: ns.span,
            selection: ns.name.span,
            children: ns
                .services
                .iter()
                .map(|service| Entry {
                    name: service.name.text.clone(),
                    kind: Kind::Service,
                    span: service.span,
                    selection: service.name.span,
                    children: service
                        .ports
                        .iter()
                        .map(|port| {
                            let name = format!("{} {}", port.name.text, port.spec.text());
                            Entry::leaf(name, Kind::Port, port.span, port.name.span)
                        })
                        .collect(),
                })
                .collect(),
        },
        Item::External(external) => Entry::leaf(
            external.name.text.clone(),
            Kind::External,
            external.span,
            external.name.span,
        ),
        Item::Control(control) => Entry::leaf(
            control.id.text.clone(),
            Kind::Control,
            control.span,
            control.id.span,
        ),
        Item::Flow(flow) => Entry::leaf(
            connection_text(&flow.src, &flow.dst, flow.port.as_ref()),
            Kind::Flow,
            flow.span,
            flow.src.span.to(flow.dst.span),
        ),
        Item::Deny(deny) => Entry::leaf(
            format!(
                "deny {}",
                connection_text(&deny.src, &deny.dst, deny.port.as_ref())
            ),
            Kind::Deny,
            deny.span,
            deny.src.span.to(deny.dst.span),
        ),
    }
}
