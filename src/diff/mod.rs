//! What a change does to the boundary: the semantic difference between two
//! checked programs, for reviewers (`ward diff`) and auditors (`ward
//! history`).
//!
//! This module owns the [`Diff`] (plain data, built by [`diff()`] from two
//! [`Program`]s) and its renderings: [`text`], [`markdown`] and [`json`],
//! plus the audit-period [`history`] built from many diffs. It compares what
//! the programs *mean*, not their lines:
//!
//! - flows are matched by identity: first by their canonical text, then by
//!   source and destination (in source order), so a flow whose port, controls
//!   or justification changed is one changed flow, with the fields that
//!   changed (`ports`, `source`, `destination`, `controls`, `criteria`,
//!   `justification`); an endpoint "changes" when what it stands for does (a
//!   service's selector, an external's ranges, the managed namespaces of
//!   `*.*`). A flow rewritten without a change of meaning is no change;
//! - namespaces (`managed`), services (`selector`, `ports`), externals
//!   (`ranges`), invariants (added or removed), controls (`title`, `maps`),
//!   the baseline and the system name;
//! - criteria coverage: per criterion, the flows (and the default deny, for
//!   the baseline) that cite it before and after, and which it gained or lost;
//! - reachability: both programs' policies (planned and emitted as for `ward
//!   build`) simulated in ONE world that holds both programs' services,
//!   namespaces, external edge addresses and probes, and every connection
//!   whose verdict differs, grouped per source and destination with the
//!   probes.
//!
//! It must not know where the programs come from (files, Git: the CLI reads
//! them and names the sides), nor read the clock: the same two programs give
//! the same bytes.
//!
//! # JSON
//!
//! [`json`] writes the [`Diff`] field for field (pretty-printed, final
//! newline); `format_version` is [`FORMAT_VERSION`]:
//!
//! ```text
//! { "format_version": 1,
//!   "old": "main:policy/", "new": "policy/",          // how the caller named the sides
//!   "summary": { "changed": true, "widened": true, "narrowed": false,
//!                "flows_added": 1, "flows_removed": 0, "flows_changed": 1,
//!                "namespaces": 0, "services": 1, "externals": 0,
//!                "invariants_added": 0, "invariants_removed": 1, "controls": 0,
//!                "criteria_touched": ["CC6.1"],
//!                "newly_allowed": 4, "newly_blocked": 0 },   // connections (pair and probe)
//!   "system":   null | { "old": "...", "new": "..." },
//!   "baseline": null | { "old": "CC6.1, CC6.6", "new": "CC6.1" },
//!   "flows": [ { "status": "added" | "removed" | "changed",
//!                "name": "shop.web -> payments.api:https",  // new text, else old
//!                "old": null | FLOW, "new": null | FLOW,
//!                "fields": ["ports", "controls"] } ],       // for "changed"
//!   //   FLOW = { "text", "source", "destination", "ports", "controls": [..],
//!   //            "criteria": [..], "because": null | "...", "location": "file:line" }
//!   "namespaces": [ CHANGE of { "managed": bool, "location" } ],
//!   "services":   [ CHANGE of { "selector", "ports": ["https 8443/tcp"], "location" } ],
//!   "externals":  [ CHANGE of { "ranges": ["0.0.0.0/0 except 10.0.0.0/8"], "location" } ],
//!   "invariants": [ CHANGE of { "location" } ],               // name: the deny's text
//!   "controls":   [ CHANGE of { "title", "maps": ["CC6.1"], "location" } ],
//!   "criteria": [ { "criterion": "CC6.1", "description": "...",
//!                   "before": 3, "after": 4,                 // artifacts citing it
//!                   "gained": ["shop.web -> payments.vault:pg"], "lost": [] } ],
//!   "reachability": {
//!     "world": { "pods": 12, "addresses": 30, "probes": 20 },
//!     "connections": 21000, "allowed_before": 60, "allowed_after": 64,
//!     "newly_allowed": [ PAIR ], "newly_blocked": [ PAIR ] } }
//!   //   PAIR = { "src": "shop.web", "dst": "payments.vault",
//!   //            "probes": ["5432/tcp"], "addresses": [], "connections": 1 }
//! ```
//!
//! CHANGE has the shape of a flow's entry (`status`, `name`, `old`, `new`,
//! `fields`). In PAIR, pods are named as the program names them (`ns.svc`;
//! `ns.svc (old selector)` for pods only the old selector chose; `ns (pods of
//! no service)`; `undeclared namespace`), addresses by the externals that
//! hold them, with the addresses themselves in `addresses`. Locations are
//! `file:line` under the names the caller gave the sources (for Git, the
//! path in the repository).

mod coverage;
mod describe;
mod flows;
pub mod history;
mod json;
mod markdown;
mod parts;
mod plain;
mod reach;
mod union;
mod words;

pub use json::json;
pub use markdown::markdown;
pub use plain::text;

use crate::model::Model;
use crate::simulate::{LoadError, Probe};
use crate::source::Sources;
use serde::Serialize;
use std::collections::BTreeSet;
use std::rc::Rc;

/// The version of the JSON shape; raised when a field changes meaning or
/// goes away.
pub const FORMAT_VERSION: u32 = 1;

/// One side of a comparison: a checked program and the sources its spans
/// point into. An absent program is `Model::default()` with no sources.
#[derive(Debug, Clone, Copy)]
pub struct Program<'a> {
    /// The checked program.
    pub model: &'a Model,
    /// Its sources, named as locations should cite them.
    pub sources: &'a Sources,
}

/// What changed between two programs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The old side's name, as the caller gave it.
    pub old: String,
    /// The new side's name.
    pub new: String,
    /// Counts and verdicts.
    pub summary: Summary,
    /// The system's name, when it changed.
    pub system: Option<Edit>,
    /// The baseline controls, when they changed.
    pub baseline: Option<Edit>,
    /// Flows added, removed or changed: new source order, then removed
    /// flows in old source order.
    pub flows: Vec<Change<FlowFacts>>,
    /// Namespaces added, removed or changed (`managed`).
    pub namespaces: Vec<Change<NamespaceFacts>>,
    /// Services added, removed or changed (`selector`, `ports`).
    pub services: Vec<Change<ServiceFacts>>,
    /// Externals added, removed or changed (`ranges`).
    pub externals: Vec<Change<ExternalFacts>>,
    /// `deny` invariants added or removed.
    pub invariants: Vec<Change<InvariantFacts>>,
    /// Controls added, removed or changed (`title`, `maps`).
    pub controls: Vec<Change<ControlFacts>>,
    /// Criteria whose coverage changed, in catalog order.
    pub criteria: Vec<CriterionChange>,
    /// Connections whose verdict changed.
    pub reachability: ReachabilityChange,
}

/// How an item changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Only in the new program.
    Added,
    /// Only in the old program.
    Removed,
    /// In both, with different meaning.
    Changed,
}

impl Status {
    /// `added`, `removed` or `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
        }
    }

    /// `+`, `-` or `~`.
    pub fn sign(self) -> &'static str {
        match self {
            Status::Added => "+",
            Status::Removed => "-",
            Status::Changed => "~",
        }
    }
}

/// One item that was added, removed or changed, with what it was and is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change<T> {
    /// Added, removed or changed.
    pub status: Status,
    /// The item's name (for a flow, its new text, else its old one).
    pub name: String,
    /// What it was (absent when added).
    pub old: Option<T>,
    /// What it is (absent when removed).
    pub new: Option<T>,
    /// The fields that changed (empty unless changed).
    pub fields: Vec<&'static str>,
}

/// A scalar that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Before.
    pub old: String,
    /// After.
    pub new: String,
}

/// A flow, as a reviewer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowFacts {
    /// `SRC -> DST[:port]` in canonical form.
    pub text: String,
    /// What the source stands for (`pods app=web in shop`).
    pub source: String,
    /// What the destination stands for.
    pub destination: String,
    /// The ports (`8443/tcp`, `every port`).
    pub ports: String,
    /// The cited controls and criteria as written, in source order.
    pub controls: Vec<String>,
    /// The criteria it serves, directly or through controls, sorted.
    pub criteria: Vec<String>,
    /// The justification.
    pub because: Option<String>,
    /// `file:line`.
    pub location: String,
}

/// A namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamespaceFacts {
    /// Whether Ward generates its policies.
    pub managed: bool,
    /// `file:line`.
    pub location: String,
}

/// A service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceFacts {
    /// Its selector (`app=web, tier=front`).
    pub selector: String,
    /// Its ports (`https 8443/tcp`), in source order.
    pub ports: Vec<String>,
    /// `file:line`.
    pub location: String,
}

/// An external address set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalFacts {
    /// One entry per block (`0.0.0.0/0 except 10.0.0.0/8`).
    pub ranges: Vec<String>,
    /// `file:line`.
    pub location: String,
}

/// A `deny` invariant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvariantFacts {
    /// `file:line`.
    pub location: String,
}

/// A team's own control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlFacts {
    /// Its statement.
    pub title: String,
    /// The criteria it maps to, in source order.
    pub maps: Vec<String>,
    /// `file:line`.
    pub location: String,
}

/// A criterion whose coverage changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionChange {
    /// Its id (`CC6.1`).
    pub criterion: String,
    /// The catalog's description.
    pub description: String,
    /// How many artifacts (flows, the default deny) cited it before.
    pub before: usize,
    /// How many cite it after.
    pub after: usize,
    /// Artifacts that cite it now and did not (flows by their new text).
    pub gained: Vec<String>,
    /// Artifacts that cited it and no longer do (flows by their old text).
    pub lost: Vec<String>,
}

/// The size of the world both programs were simulated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct WorldSize {
    /// Pods.
    pub pods: usize,
    /// External addresses.
    pub addresses: usize,
    /// Probes (port and protocol).
    pub probes: usize,
}

/// Connections whose verdict differs between the two programs' policies.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReachabilityChange {
    /// The world.
    pub world: WorldSize,
    /// How many (pair, probe) cells were compared.
    pub connections: usize,
    /// How many the old policies allow.
    pub allowed_before: usize,
    /// How many the new policies allow.
    pub allowed_after: usize,
    /// Allowed now, blocked before, per source and destination.
    pub newly_allowed: Vec<PairChange>,
    /// Blocked now, allowed before.
    pub newly_blocked: Vec<PairChange>,
}

/// Connections from one source to one destination whose verdict changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairChange {
    /// The source, as the programs name it.
    pub src: String,
    /// The destination.
    pub dst: String,
    /// The probes, sorted; written as Ward writes ports (`5432/tcp`).
    /// Pairs with the same probes may share the list.
    #[serde(serialize_with = "words::serialize_probes")]
    pub probes: Rc<[Probe]>,
    /// The external addresses among the ends, sorted (empty for pods).
    pub addresses: Vec<String>,
    /// How many (pair, probe) cells.
    pub connections: usize,
}

impl PairChange {
    /// The probes as Ward writes ports: `5432/tcp`.
    pub fn probe_texts(&self) -> Vec<String> {
        self.probes.iter().copied().map(words::probe_text).collect()
    }
}

/// The counts and verdicts of a [`Diff`], also what `ward history` lists
/// per commit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Anything changed in meaning (program or reachability).
    pub changed: bool,
    /// Some connection is newly allowed.
    pub widened: bool,
    /// Some connection is newly blocked.
    pub narrowed: bool,
    /// Flows only in the new program.
    pub flows_added: usize,
    /// Flows only in the old program.
    pub flows_removed: usize,
    /// Flows in both with a different meaning.
    pub flows_changed: usize,
    /// Namespaces added, removed or changed.
    pub namespaces: usize,
    /// Services added, removed or changed.
    pub services: usize,
    /// Externals added, removed or changed.
    pub externals: usize,
    /// Invariants added.
    pub invariants_added: usize,
    /// Invariants removed.
    pub invariants_removed: usize,
    /// Controls added, removed or changed.
    pub controls: usize,
    /// Criteria whose coverage changed or that a changed flow or the
    /// baseline serves, in catalog order.
    pub criteria_touched: Vec<String>,
    /// Connections (pair and probe) newly allowed.
    pub newly_allowed: usize,
    /// Connections newly blocked.
    pub newly_blocked: usize,
}

/// Compares two programs. `old_name` and `new_name` say where each side came
/// from (`main:policy/`, `policy/`).
///
/// # Errors
///
/// When the simulator rejects the generated policies, which would be a
/// defect in Ward.
pub fn diff(
    old: Program<'_>,
    new: Program<'_>,
    old_name: &str,
    new_name: &str,
) -> Result<Diff, LoadError> {
    let (flows, matching) = flows::compare(old, new);
    let criteria = coverage::compare(old.model, new.model, &matching);
    let reachability = reach::compare(old, new)?;
    let mut d = Diff {
        format_version: FORMAT_VERSION,
        old: old_name.to_string(),
        new: new_name.to_string(),
        summary: Summary::default(),
        system: parts::system(old.model, new.model),
        baseline: parts::baseline(old.model, new.model),
        flows,
        namespaces: parts::namespaces(old, new),
        services: parts::services(old, new),
        externals: parts::externals(old, new),
        invariants: parts::invariants(old, new),
        controls: parts::controls(old, new),
        criteria,
        reachability,
    };
    d.summary = summarize(&d, old.model, new.model);
    Ok(d)
}

fn summarize(d: &Diff, old: &Model, new: &Model) -> Summary {
    let flows = |status: Status| d.flows.iter().filter(|f| f.status == status).count();
    let invariants = |status: Status| d.invariants.iter().filter(|i| i.status == status).count();
    let mut touched: BTreeSet<&str> = d.criteria.iter().map(|c| c.criterion.as_str()).collect();
    for flow in d.flows.iter().filter(|f| f.status == Status::Changed) {
        for facts in flow.old.iter().chain(&flow.new) {
            touched.extend(facts.criteria.iter().map(String::as_str));
        }
    }
    if d.baseline.is_some() {
        touched.extend(old.baseline_criteria());
        touched.extend(new.baseline_criteria());
    }
    let reach = &d.reachability;
    let count = |pairs: &[PairChange]| pairs.iter().map(|p| p.connections).sum();
    let mut summary = Summary {
        changed: false,
        widened: !reach.newly_allowed.is_empty(),
        narrowed: !reach.newly_blocked.is_empty(),
        flows_added: flows(Status::Added),
        flows_removed: flows(Status::Removed),
        flows_changed: flows(Status::Changed),
        namespaces: d.namespaces.len(),
        services: d.services.len(),
        externals: d.externals.len(),
        invariants_added: invariants(Status::Added),
        invariants_removed: invariants(Status::Removed),
        controls: d.controls.len(),
        criteria_touched: crate::catalog::catalog_order(touched),
        newly_allowed: count(&reach.newly_allowed),
        newly_blocked: count(&reach.newly_blocked),
    };
    summary.changed = summary.widened
        || summary.narrowed
        || d.system.is_some()
        || d.baseline.is_some()
        || !d.flows.is_empty()
        || !d.namespaces.is_empty()
        || !d.services.is_empty()
        || !d.externals.is_empty()
        || !d.invariants.is_empty()
        || !d.controls.is_empty()
        || !d.criteria.is_empty();
    summary
}
