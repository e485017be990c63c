//! The answer to "why is this connection allowed or blocked?": for each side
//! (egress at the source pod, ingress at the destination pod), whether the
//! pod is isolated, by which policies, and which rules let the connection
//! through.
//!
//! Owns only these result types; `eval` computes them.

use super::endpoint::PodRef;
use std::fmt;

/// A NetworkPolicy, named by its namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyRef {
    /// The policy's namespace.
    pub namespace: String,
    /// The policy's name.
    pub name: String,
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// A rule of a policy: its 0-based index in the policy's `spec.ingress` or
/// `spec.egress` list (which one follows from the [`Side`] it appears in).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleRef {
    /// The policy the rule belongs to.
    pub policy: PolicyRef,
    /// The rule's index in the policy's list for this direction.
    pub index: usize,
}

/// One side of a connection: the source pod's egress or the destination
/// pod's ingress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// The pod whose policies decide this side.
    pub pod: PodRef,
    /// Whether any policy selects the pod for this direction. A pod that no
    /// policy selects is not isolated and allows everything.
    pub isolated: bool,
    /// The policies that select the pod for this direction, in world order.
    pub policies: Vec<PolicyRef>,
    /// The rules of those policies that match the other end and the probe.
    pub allowed_by: Vec<RuleRef>,
    /// Whether this side lets the connection through: not isolated, or
    /// allowed by at least one rule.
    pub allowed: bool,
}

/// Why a connection is allowed or blocked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// Whether the connection is allowed: both sides that apply allow it.
    pub allowed: bool,
    /// Egress at the source; `None` when the source is an external address.
    pub egress: Option<Side>,
    /// Ingress at the destination; `None` when the destination is an
    /// external address.
    pub ingress: Option<Side>,
}
