//! A simulator of Kubernetes NetworkPolicy v1 semantics: who can reach whom
//! in a world of Namespaces, Pods and NetworkPolicies.
//!
//! It is the proof behind `ward test`, `ward verify` and `ward explain`: the
//! generated YAML (or a cluster's export) goes in, reachability comes out.
//! Everything here is a pure function of its inputs: YAML text in
//! ([`read()`], [`load()`]) or typed objects ([`World::from_objects`]); answers and
//! rendered strings out. It knows nothing of the Ward language.
//!
//! Semantics, as the API server and conforming network plugins apply them:
//!
//! - Defaulting first: omitted `policyTypes` means `Ingress`, plus `Egress`
//!   when the spec has egress rules; an omitted port protocol is TCP (so
//!   `ports: [{}]` is every TCP port).
//! - A pod that no policy selects for a direction is not isolated for it.
//!   Policies are unioned: a connection is allowed on a side if any rule of
//!   any policy selecting the pod for that direction allows it.
//! - A connection is allowed iff egress is allowed at the source (when it is
//!   a pod) and ingress at the destination (when it is a pod).
//! - Peers: `podSelector` alone means pods of the policy's namespace;
//!   `namespaceSelector` alone all pods of the matching namespaces; both in
//!   one peer, their intersection; `ipBlock` matches external addresses and
//!   pods whose IP is inside it and outside its exceptions. Omitted or empty
//!   `from`/`to` matches everything.
//! - Ports: a number, a range (`endPort`), all ports of a protocol, or a
//!   named port resolved on the destination pod's container ports by name
//!   and protocol (never matching an external address). Omitted or empty
//!   `ports` matches every port of every protocol.
//!
//! Architecture invariant: pods are grouped into classes that no policy can
//! tell apart (namespace, labels, container ports, ipBlock membership), and
//! every computation runs on classes, so its cost follows classes, not pods.

mod bits;
mod endpoint;
mod error;
mod eval;
mod explain;
mod load;
mod policy;
mod probe;
mod reach;
mod report;
mod selector;
mod validate;
mod world;

pub use endpoint::{Endpoint, ParseEndpointError, PodRef};
pub use error::{Invalid, LoadError, ObjectRef, QueryError, Unsimulated};
pub use explain::{Explanation, PolicyRef, RuleRef, Side};
pub use load::{Document, Loaded, load, read};
pub use probe::{ParseProbeError, Probe, Protocol};
pub use reach::{Connection, Reachability};
pub use report::{render_json, render_table, render_warnings, write_json, write_table};
pub use world::World;
