//! The exact judge: the connections the policies allow compared with the
//! declared ones over the whole space Ward answers for, with one small
//! concrete counterexample per difference.

use super::declared::{Declared, declared};
use super::index::Index;
use super::labels::Key;
use super::policies::{Allowed, Origin, Unreadable, allowed};
use super::region::{Cube, End, Point, Side, minus_all};
use crate::model::Model;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use std::collections::BTreeSet;

/// What kind of difference a counterexample shows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Allowed, but no flow declares it.
    Undeclared,
    /// Declared by flow number `.0`, but blocked.
    Blocked(usize),
    /// Allowed, and covered by `deny` number `.0`.
    Forbidden(usize),
}

/// One concrete connection that shows a difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterexample {
    /// The difference.
    pub kind: Kind,
    /// The connection, with only the labels that matter.
    pub point: Point,
    /// The rules that let it through (none where a side is not isolated).
    pub rules: Vec<Origin>,
    /// Whether the source's side lets it out and the destination's lets it
    /// in (an address's side always does).
    pub sides: (bool, bool),
}

/// The exact judge's verdict.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// One counterexample per allowing rule pair, flow or `deny` at fault.
    pub counterexamples: Vec<Counterexample>,
    /// How many regions the allowed set was made of.
    pub regions: usize,
}

/// Decides whether `policies` allow exactly `model`'s flows and break no
/// `deny`, for every pod and address. Fails only on a policy it cannot read.
pub fn judge(model: &Model, policies: &[NetworkPolicy]) -> Result<Verdict, Unreadable> {
    let grants = allowed(policies)?;
    let program = declared(model);
    Ok(compare(&grants, &program))
}

/// An allowed region with the egress and ingress rules behind it.
type Admitted = (Cube, Option<Origin>, Option<Origin>);

/// The allowed connections inside the space Ward answers for.
fn admitted(grants: &Allowed, program: &Declared) -> Vec<Admitted> {
    let mut out = Vec::new();
    let ingress = Index::new(grants.ingress.iter().map(|(c, _)| c));
    let mut keep = |cube: Cube, e: &Option<Origin>, i: &Option<Origin>| {
        for c in program.confine(cube) {
            out.push((c, e.clone(), i.clone()));
        }
    };
    for (e, from) in &grants.egress {
        for i in ingress.candidates(e) {
            if let Some((c, to)) = grants.ingress.get(i) {
                if let Some(both) = e.intersect(c) {
                    keep(both, from, to);
                }
            }
        }
        // Towards an address, only the source's side decides.
        if matches!(e.dst, Side::Addresses(_)) {
            keep(e.clone(), from, &None);
        }
    }
    for (i, to) in &grants.ingress {
        // From an address, only the destination's side decides.
        if matches!(i.src, Side::Addresses(_)) {
            keep(i.clone(), &None, to);
        }
    }
    out
}

fn compare(grants: &Allowed, program: &Declared) -> Verdict {
    let allowed = admitted(grants, program);
    let allowed_cubes: Vec<&Cube> = allowed.iter().map(|(c, ..)| c).collect();
    let allowed_index = Index::new(allowed_cubes.iter().copied());
    let flows: Vec<(Cube, usize)> = program
        .flows
        .iter()
        .flat_map(|(cube, i)| {
            program
                .confine(cube.clone())
                .into_iter()
                .map(move |c| (c, *i))
        })
        .collect();
    let flow_index = Index::new(flows.iter().map(|(c, _)| c));
    let mut verdict = Verdict {
        regions: allowed.len(),
        ..Verdict::default()
    };
    let mut seen = BTreeSet::new();
    let mut reported: BTreeSet<(Option<&Origin>, Option<&Origin>)> = BTreeSet::new();
    let explain = |kind: Kind, point: Point| counterexample(grants, kind, point);
    // Allowed but not declared.
    for (cube, e, i) in &allowed {
        if reported.contains(&(e.as_ref(), i.as_ref())) {
            continue;
        }
        let holes: Vec<&Cube> = flow_index
            .candidates(cube)
            .into_iter()
            .filter_map(|f| flows.get(f).map(|(c, _)| c))
            .collect();
        let rest = minus_all(cube, holes.iter().copied());
        if let Some(point) = rest.first().and_then(Cube::pick) {
            let inside = |p: &Point| cube.contains(p) && !holes.iter().any(|h| h.contains(p));
            reported.insert((e.as_ref(), i.as_ref()));
            verdict
                .counterexamples
                .push(explain(Kind::Undeclared, minimal(point, &inside)));
        }
    }
    // Declared but not allowed.
    for (cube, flow) in &flows {
        if seen.contains(&Kind::Blocked(*flow)) {
            continue;
        }
        let holes: Vec<&Cube> = allowed_index
            .candidates(cube)
            .into_iter()
            .filter_map(|a| allowed_cubes.get(a).copied())
            .collect();
        let rest = minus_all(cube, holes.iter().copied());
        if let Some(point) = rest.first().and_then(Cube::pick) {
            let inside = |p: &Point| cube.contains(p) && !holes.iter().any(|h| h.contains(p));
            seen.insert(Kind::Blocked(*flow));
            verdict
                .counterexamples
                .push(explain(Kind::Blocked(*flow), minimal(point, &inside)));
        }
    }
    // Allowed and forbidden.
    for (cube, deny) in &program.denies {
        if seen.contains(&Kind::Forbidden(*deny)) {
            continue;
        }
        let broken = allowed_index
            .candidates(cube)
            .into_iter()
            .filter_map(|a| allowed_cubes.get(a))
            .find_map(|a| a.intersect(cube).map(|both| (both, *a)));
        if let Some((both, a)) = broken {
            if let Some(point) = both.pick() {
                let inside = |p: &Point| cube.contains(p) && a.contains(p);
                seen.insert(Kind::Forbidden(*deny));
                verdict
                    .counterexamples
                    .push(explain(Kind::Forbidden(*deny), minimal(point, &inside)));
            }
        }
    }
    verdict
}

/// Whether the policies allow the concrete connection: its source's side
/// lets it out (an address always does) and its destination's lets it in.
pub fn allows(grants: &Allowed, point: &Point) -> bool {
    let admits = |list: &[(Cube, Option<Origin>)]| list.iter().any(|(c, _)| c.contains(point));
    (matches!(point.src, End::Address(_)) || admits(&grants.egress))
        && (matches!(point.dst, End::Address(_)) || admits(&grants.ingress))
}

/// The counterexample for `point`, with the rules that admit it.
fn counterexample(grants: &Allowed, kind: Kind, point: Point) -> Counterexample {
    let admitting = |list: &[(Cube, Option<Origin>)]| -> Vec<Option<Origin>> {
        list.iter()
            .filter(|(c, _)| c.contains(&point))
            .map(|(_, o)| o.clone())
            .collect()
    };
    let out = admitting(&grants.egress);
    let into = admitting(&grants.ingress);
    let sides = (
        matches!(point.src, End::Address(_)) || !out.is_empty(),
        matches!(point.dst, End::Address(_)) || !into.is_empty(),
    );
    let mut rules: Vec<Origin> = out.into_iter().chain(into).flatten().collect();
    if !(sides.0 && sides.1) {
        rules.clear();
    }
    Counterexample {
        kind,
        point,
        rules,
        sides,
    }
}

/// Drops every label of the point that the difference does not need, one
/// at a time, keeping the point inside.
fn minimal(mut point: Point, inside: &dyn Fn(&Point) -> bool) -> Point {
    for at_src in [true, false] {
        let keys: Vec<Key> = match if at_src { &point.src } else { &point.dst } {
            End::Pod(labels) => labels.keys().cloned().collect(),
            End::Address(_) => Vec::new(),
        };
        for key in keys {
            let mut trial = point.clone();
            if let End::Pod(labels) = if at_src {
                &mut trial.src
            } else {
                &mut trial.dst
            } {
                labels.remove(&key);
            }
            if inside(&trial) {
                point = trial;
            }
        }
    }
    point
}
