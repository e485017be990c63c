//! The checked model: what a valid program means.
//!
//! Produced only by [`crate::check`]; everything in it is resolved and valid
//! (names exist, CIDRs are parsed, selectors are normalized, ports are in
//! range), so later stages never re-validate. Endpoints carry the facts they
//! need (a service's selector, an external's addresses) rather than ids.

pub(crate) mod addresses;

pub use addresses::{Addresses, private_ranges};

use crate::catalog::Criterion;
use crate::source::Span;
use indexmap::IndexMap;
use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::rc::Rc;

/// A checked program.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// The system's name, from `system "..."`.
    pub system: Option<String>,
    /// The citations of `baseline controls`: what every default-deny serves.
    pub baseline: Vec<Citation>,
    /// Namespaces in source order.
    pub namespaces: IndexMap<String, Namespace>,
    /// External address sets in source order.
    pub externals: IndexMap<String, External>,
    /// The team's own controls in source order.
    pub controls: IndexMap<String, Control>,
    /// Flows in source order; `flows[i].index == i`.
    pub flows: Vec<Flow>,
    /// `deny` invariants in source order.
    pub denies: Vec<Deny>,
}

impl Model {
    /// The managed namespaces, in source order.
    pub fn managed_namespaces(&self) -> impl Iterator<Item = &Namespace> {
        self.namespaces.values().filter(|ns| ns.managed)
    }

    /// The criteria the baseline cites, sorted and without repeats.
    pub fn baseline_criteria(&self) -> BTreeSet<&'static str> {
        criteria_of(&self.baseline)
    }
}

/// A namespace.
#[derive(Debug, Clone)]
pub struct Namespace {
    /// Its name (a valid DNS-1123 label).
    pub name: String,
    /// True when Ward generates its policies.
    pub managed: bool,
    /// Its services in source order.
    pub services: IndexMap<String, Service>,
    /// The name in its declaration.
    pub span: Span,
}

/// A service: a set of pods chosen by labels, with named ports.
#[derive(Debug, Clone)]
pub struct Service {
    /// Its name (a valid DNS-1123 label).
    pub name: String,
    /// The namespace it is in.
    pub namespace: String,
    /// Which pods it is; shared with every flow endpoint that names the
    /// service, so that a large program holds each selector once.
    pub selector: Rc<Selector>,
    /// Its ports by name, in source order.
    pub ports: IndexMap<String, Port>,
    /// The name in its declaration.
    pub span: Span,
}

/// A normalized label selector: labels that must equal a value, and other
/// requirements, both sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Selector {
    /// `k=v` terms.
    pub labels: BTreeMap<String, String>,
    /// `in`, `notin`, `has`, `!` terms, sorted.
    pub expressions: Vec<Expression>,
}

impl Selector {
    /// True when the selector has no terms (and so selects everything).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.expressions.is_empty()
    }

    /// True when a pod with `labels` is selected.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.expressions.iter().all(|e| {
                let value = labels.get(&e.key);
                match e.operator {
                    Operator::In => value.is_some_and(|v| e.values.contains(v)),
                    Operator::NotIn => value.is_none_or(|v| !e.values.contains(v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                }
            })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut sep = |f: &mut fmt::Formatter<'_>| {
            let s = if first { "" } else { ", " };
            first = false;
            f.write_str(s)
        };
        for (key, value) in &self.labels {
            sep(f)?;
            write!(f, "{key}={value}")?;
        }
        for expression in &self.expressions {
            sep(f)?;
            write!(f, "{expression}")?;
        }
        Ok(())
    }
}

/// A selector requirement other than `k=v`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expression {
    /// The label key.
    pub key: String,
    /// What is required of it.
    pub operator: Operator,
    /// The values, for `In` and `NotIn` (sorted, unique).
    pub values: BTreeSet<String>,
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = || self.values.iter().cloned().collect::<Vec<_>>().join(", ");
        match self.operator {
            Operator::In => write!(f, "{} in ({})", self.key, values()),
            Operator::NotIn => write!(f, "{} notin ({})", self.key, values()),
            Operator::Exists => write!(f, "has {}", self.key),
            Operator::DoesNotExist => write!(f, "!{}", self.key),
        }
    }
}

/// The operators of a selector requirement, as Kubernetes names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    /// The label has one of the values.
    In,
    /// The label is absent or has none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

impl Operator {
    /// The operator as Kubernetes spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
        }
    }
}

pub use crate::protocol::Protocol;

/// A port or a range of ports of one protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    /// The protocol.
    pub protocol: Protocol,
    /// The first port (1..=65535).
    pub first: u16,
    /// The last port, `>= first`; equal to `first` for a single port.
    pub last: u16,
}

impl PortRange {
    /// True when the two ranges share a port of the same protocol.
    pub fn overlaps(&self, other: &PortRange) -> bool {
        self.protocol == other.protocol && self.first <= other.last && other.first <= self.last
    }

    /// The ports both ranges hold, if any.
    pub fn intersection(&self, other: &PortRange) -> Option<PortRange> {
        self.overlaps(other).then(|| PortRange {
            protocol: self.protocol,
            first: self.first.max(other.first),
            last: self.last.min(other.last),
        })
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let protocol = self.protocol.as_str().to_ascii_lowercase();
        if self.first == self.last {
            write!(f, "{}/{}", self.first, protocol)
        } else {
            write!(f, "{}-{}/{}", self.first, self.last, protocol)
        }
    }
}

/// A named port of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// The name.
    pub name: String,
    /// The number or range.
    pub range: PortRange,
    /// The declaration.
    pub span: Span,
}

/// A named set of addresses outside the cluster.
#[derive(Debug, Clone)]
pub struct External {
    /// The name.
    pub name: String,
    /// Its addresses (shared with every flow endpoint that names it).
    pub addresses: Rc<Addresses>,
    /// The name in its declaration.
    pub span: Span,
}

/// One CIDR block with the blocks carved out of it: Kubernetes' `ipBlock`,
/// made by [`Addresses::ip_blocks`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpBlock {
    /// The block (host bits zero).
    pub cidr: IpNet,
    /// Blocks strictly inside `cidr` that are excluded.
    pub except: Vec<IpNet>,
}

/// A team's own control, mapped to criteria.
#[derive(Debug, Clone)]
pub struct Control {
    /// Its id, as written (`NET-01`).
    pub id: String,
    /// Its statement.
    pub title: String,
    /// The criteria it implements, in source order, without repeats.
    pub maps: Vec<&'static Criterion>,
    /// The id in its declaration.
    pub span: Span,
}

/// A cited id, resolved.
#[derive(Debug, Clone)]
pub struct Citation {
    /// The id as written.
    pub id: String,
    /// Where it is cited.
    pub span: Span,
    /// What it resolved to.
    pub target: CitationTarget,
}

/// What a citation names.
#[derive(Debug, Clone)]
pub enum CitationTarget {
    /// A criterion of the catalog.
    Criterion(&'static Criterion),
    /// A custom control, with the criteria it maps to.
    Control {
        /// The control's id.
        id: String,
        /// Its criteria.
        criteria: Vec<&'static Criterion>,
    },
}

impl Citation {
    /// The criteria this citation stands for.
    pub fn criteria(&self) -> Vec<&'static Criterion> {
        match &self.target {
            CitationTarget::Criterion(criterion) => vec![*criterion],
            CitationTarget::Control { criteria, .. } => criteria.clone(),
        }
    }
}

/// The criteria a list of citations stands for, sorted by id.
pub fn criteria_of(citations: &[Citation]) -> BTreeSet<&'static str> {
    citations
        .iter()
        .flat_map(Citation::criteria)
        .map(|c| c.id)
        .collect()
}

/// Pods or addresses at one end of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// The pods of one service.
    Service {
        /// The namespace.
        namespace: String,
        /// Whether Ward manages the namespace.
        managed: bool,
        /// The service.
        service: String,
        /// The service's selector (shared with the service).
        selector: Rc<Selector>,
    },
    /// Every pod of one namespace (`ns.*`).
    Namespace {
        /// The namespace.
        namespace: String,
        /// Whether Ward manages it.
        managed: bool,
    },
    /// Every pod of every managed namespace (`*.*`).
    AllManaged,
    /// An external address set.
    External {
        /// Its name.
        name: String,
        /// Its addresses (shared with the external).
        addresses: Rc<Addresses>,
    },
}

impl Endpoint {
    /// True when the endpoint is in a namespace Ward manages (`*.*` is).
    pub fn is_managed(&self) -> bool {
        match self {
            Endpoint::Service { managed, .. } | Endpoint::Namespace { managed, .. } => *managed,
            Endpoint::AllManaged => true,
            Endpoint::External { .. } => false,
        }
    }

    /// True for pods (anything but an external).
    pub fn is_pods(&self) -> bool {
        !matches!(self, Endpoint::External { .. })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Service {
                namespace, service, ..
            } => write!(f, "{namespace}.{service}"),
            Endpoint::Namespace { namespace, .. } => write!(f, "{namespace}.*"),
            Endpoint::AllManaged => f.write_str("*.*"),
            Endpoint::External { name, .. } => f.write_str(name),
        }
    }
}

/// The ports a flow or invariant covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ports {
    /// Every port of every protocol (`:*`, or a `deny` without a port).
    Any,
    /// These ranges (sorted, without repeats, never empty).
    Ranges(Vec<PortRange>),
    /// A port name on `ns.*` or `*.*`, resolved on each destination pod
    /// (decision 0007).
    Named(NamedPort),
}

/// A port given by name to many services' pods (`payments.*:metrics`):
/// Ward emits the name, and Kubernetes opens on each destination pod the
/// container port of that name, if it has one (decision 0007).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPort {
    /// The name.
    pub name: String,
    /// The single ports the services in scope declare under the name
    /// (sorted, without repeats, never empty): where a pod may have it, for
    /// comparisons with `deny`s and for the matrix.
    pub declared: Vec<PortRange>,
}

impl NamedPort {
    /// The protocols the name is declared with, sorted.
    pub fn protocols(&self) -> BTreeSet<Protocol> {
        self.declared.iter().map(|r| r.protocol).collect()
    }
}

impl Ports {
    /// The ports both sets hold; `None` when they share none.
    pub fn intersection(&self, other: &Ports) -> Option<Ports> {
        match (self, other) {
            (Ports::Any, other) | (other, Ports::Any) => Some(other.clone()),
            (Ports::Named(a), b) => Ports::Ranges(a.declared.clone()).intersection(b),
            (a, Ports::Named(b)) => a.intersection(&Ports::Ranges(b.declared.clone())),
            (Ports::Ranges(a), Ports::Ranges(b)) => {
                let mut shared: Vec<PortRange> = a
                    .iter()
                    .flat_map(|x| b.iter().filter_map(move |y| x.intersection(y)))
                    .collect();
                shared.sort();
                shared.dedup();
                (!shared.is_empty()).then_some(Ports::Ranges(shared))
            }
        }
    }
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ports::Any => f.write_str("every port"),
            Ports::Ranges(ranges) => f.write_str(&ranges_text(ranges)),
            Ports::Named(named) => write!(
                f,
                "{} on each pod ({})",
                named.name,
                ranges_text(&named.declared)
            ),
        }
    }
}

fn ranges_text(ranges: &[PortRange]) -> String {
    let text: Vec<String> = ranges.iter().map(ToString::to_string).collect();
    text.join(", ")
}

/// An allowed connection, with the controls it serves.
#[derive(Debug, Clone)]
pub struct Flow {
    /// Its position among the program's flows.
    pub index: usize,
    /// `SRC -> DST[:port]` in canonical form.
    pub text: String,
    /// Who opens the connection.
    pub src: Endpoint,
    /// Who accepts it.
    pub dst: Endpoint,
    /// Which destination ports.
    pub ports: Ports,
    /// The cited controls and criteria, in source order.
    pub citations: Vec<Citation>,
    /// The justification.
    pub because: Option<String>,
    /// The whole statement.
    pub span: Span,
}

impl Flow {
    /// The criteria the flow serves, directly or through controls.
    pub fn criteria(&self) -> BTreeSet<&'static str> {
        criteria_of(&self.citations)
    }
}

/// An invariant: connections no flow may allow.
#[derive(Debug, Clone)]
pub struct Deny {
    /// `SRC -> DST[:port]` in canonical form.
    pub text: String,
    /// The sources covered.
    pub src: Endpoint,
    /// The destinations covered.
    pub dst: Endpoint,
    /// The ports covered.
    pub ports: Ports,
    /// The whole statement.
    pub span: Span,
}
