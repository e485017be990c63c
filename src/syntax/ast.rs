//! The abstract syntax tree: what was written, with spans.
//!
//! The AST mirrors the text and validates nothing: numbers are kept as their
//! digits and names as written, so the checker can say what is wrong with
//! them. Every node carries the byte span it came from.

use crate::source::Span;

/// A word as written, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The text.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// A string literal, escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str {
    /// The value between the quotes.
    pub value: String,
    /// The literal, quotes included.
    pub span: Span,
}

/// Every top-level statement of a program, in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ast {
    /// The statements of every file, files in order.
    pub items: Vec<Item>,
}

/// One top-level statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `system "name"`.
    System(System),
    /// `baseline controls A, B`.
    Baseline(Baseline),
    /// `namespace name [unmanaged] { services }`.
    Namespace(Namespace),
    /// `external name = cidrs [except cidrs]`.
    External(External),
    /// `control ID "title" [maps A, B]`.
    Control(Control),
    /// `flow A -> B[:port] [controls ...] [because "..."]`.
    Flow(Flow),
    /// `deny A -> B[:port]`.
    Deny(Deny),
}

/// `system "name"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    /// The system's name.
    pub name: Str,
    /// The statement.
    pub span: Span,
}

/// `baseline controls A, B`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// The cited controls or criteria.
    pub controls: Vec<Ident>,
    /// The statement.
    pub span: Span,
}

/// `namespace name [unmanaged] { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// The namespace's name.
    pub name: Ident,
    /// The `unmanaged` keyword, when present.
    pub unmanaged: Option<Span>,
    /// The services declared inside.
    pub services: Vec<Service>,
    /// The whole block.
    pub span: Span,
}

/// `service name { pods ... ports ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The service's name.
    pub name: Ident,
    /// The `pods` clause, when present.
    pub pods: Option<Pods>,
    /// The declared ports (empty without a `ports` clause).
    pub ports: Vec<PortDecl>,
    /// The whole block.
    pub span: Span,
}

/// `pods term, term`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pods {
    /// The selector terms, ANDed.
    pub terms: Vec<SelectorTerm>,
    /// The clause.
    pub span: Span,
}

/// One term of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorTerm {
    /// What the term requires.
    pub kind: SelectorKind,
    /// The term.
    pub span: Span,
}

/// The forms of a selector term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectorKind {
    /// `k=v`.
    Equals {
        /// The key.
        key: Ident,
        /// The value.
        value: Ident,
    },
    /// `k in (a, b)`.
    In {
        /// The key.
        key: Ident,
        /// The values.
        values: Vec<Ident>,
    },
    /// `k notin (a, b)`.
    NotIn {
        /// The key.
        key: Ident,
        /// The values.
        values: Vec<Ident>,
    },
    /// `has k`.
    Exists {
        /// The key.
        key: Ident,
    },
    /// `!k`.
    Absent {
        /// The key.
        key: Ident,
    },
}

/// `name 8080[-8090][/tcp]` in a `ports` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortDecl {
    /// The port's name.
    pub name: Ident,
    /// The number or range and protocol.
    pub spec: PortSpec,
    /// The declaration.
    pub span: Span,
}

/// `443`, `8000-8080`, `53/udp`: digits kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    /// The first (or only) port.
    pub first: Ident,
    /// The last port of a range.
    pub last: Option<Ident>,
    /// The protocol, when written.
    pub protocol: Option<Ident>,
    /// The whole spec.
    pub span: Span,
}

impl PortSpec {
    /// The spec as written, protocol lowercased: `8000-8080/udp`.
    pub fn text(&self) -> String {
        let mut text = self.first.text.clone();
        if let Some(last) = &self.last {
            text.push('-');
            text.push_str(&last.text);
        }
        if let Some(protocol) = &self.protocol {
            text.push('/');
            text.push_str(&protocol.text.to_ascii_lowercase());
        }
        text
    }
}

/// `external name = cidrs [except cidrs]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    /// The set's name.
    pub name: Ident,
    /// The blocks, as written.
    pub cidrs: Vec<Ident>,
    /// The `except` blocks, as written.
    pub except: Vec<Ident>,
    /// The statement.
    pub span: Span,
}

/// `control ID "title" [maps A, B]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// The control's id.
    pub id: Ident,
    /// The control's statement.
    pub title: Str,
    /// The criteria it maps to; `None` without a `maps` clause.
    pub maps: Option<Vec<Ident>>,
    /// The statement.
    pub span: Span,
}

/// `flow A -> B[:port] [controls ...] [because "..."]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// Who opens the connection.
    pub src: Endpoint,
    /// Who accepts it.
    pub dst: Endpoint,
    /// The destination port, when written.
    pub port: Option<PortRef>,
    /// The cited controls; `None` without a `controls` clause.
    pub controls: Option<Vec<Ident>>,
    /// The justification.
    pub because: Option<Str>,
    /// The statement.
    pub span: Span,
}

/// `deny A -> B[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deny {
    /// The sources the invariant covers.
    pub src: Endpoint,
    /// The destinations it covers.
    pub dst: Endpoint,
    /// The ports it covers (every port when absent).
    pub port: Option<PortRef>,
    /// The statement.
    pub span: Span,
}

/// `ns.svc`, `ns.*`, `*.*`, or a bare name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The part before the dot, or the only part.
    pub first: Part,
    /// The part after the dot.
    pub second: Option<Part>,
    /// The whole endpoint.
    pub span: Span,
}

/// One part of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A name.
    Name(Ident),
    /// `*`.
    Wildcard(Span),
}

impl Part {
    /// Where the part is.
    pub fn span(&self) -> Span {
        match self {
            Part::Name(ident) => ident.span,
            Part::Wildcard(span) => *span,
        }
    }
}

/// The `:...` after a destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    /// `:*`.
    Any(Span),
    /// `:443/tcp`, `:8000-8080`.
    Spec(PortSpec),
    /// `:https`.
    Named(Ident),
}

impl PortRef {
    /// Where the port reference is.
    pub fn span(&self) -> Span {
        match self {
            PortRef::Any(span) => *span,
            PortRef::Spec(spec) => spec.span,
            PortRef::Named(ident) => ident.span,
        }
    }
}
