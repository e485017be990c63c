//! Proof: the simulator's verdicts compared with what the program declares.
//!
//! For every ordered pair of endpoints that Ward is responsible for (at least
//! one end a pod of a managed namespace) and every probe, a connection must
//! be allowed exactly when some flow declares it, and never when a `deny`
//! covers it. Differences become diagnostics that point into the source.
//! Used by `ward test` (a world made from the program, see [`world`]) and
//! `ward verify` (a cluster's export). Knows nothing of YAML or files.

mod lookup;
pub mod meaning;
pub mod verify;
pub mod world;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{self, Model};
use crate::plan::{Direction, Plan};
use crate::simulate::{self, Endpoint, Explanation, Probe, Reachability};
use crate::source::Span;
use indexmap::{IndexMap, IndexSet};
use meaning::Meaning;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

/// What an endpoint of the simulated world is, as the program sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// A pod.
    Pod {
        /// Its namespace.
        namespace: String,
        /// Its labels.
        labels: BTreeMap<String, String>,
        /// Its address, when known.
        ip: Option<IpAddr>,
        /// Whether the program manages its namespace.
        managed: bool,
        /// Its named container ports: what a port given by name opens.
        ports: Vec<NamedContainerPort>,
    },
    /// An address outside the cluster.
    Address(IpAddr),
}

/// A container port with a name, as a port given by name resolves to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedContainerPort {
    /// The name.
    pub name: String,
    /// The number.
    pub port: u16,
    /// The protocol.
    pub protocol: simulate::Protocol,
}

/// Answers "does the program declare this?" for endpoints of a world, from
/// the program's meaning worked out apart from the compiler ([`meaning`]).
pub struct Declarations<'m> {
    model: &'m Model,
    meaning: Meaning,
}

impl<'m> Declarations<'m> {
    /// Works out what the program's flows and `deny`s mean.
    pub fn new(model: &'m Model) -> Self {
        Self {
            model,
            meaning: Meaning::new(model),
        }
    }

    /// The first flow that declares `src -> dst` on `probe`.
    pub fn declaring_flow(
        &self,
        src: &Member,
        dst: &Member,
        probe: Probe,
    ) -> Option<&'m model::Flow> {
        self.meaning
            .declaring_flow(src, dst, probe)
            .and_then(|i| self.model.flows.get(i))
    }

    /// The first `deny` that covers `src -> dst` on `probe`.
    pub fn forbidding_deny(
        &self,
        src: &Member,
        dst: &Member,
        probe: Probe,
    ) -> Option<&'m model::Deny> {
        self.meaning
            .forbidding_deny(src, dst, probe)
            .and_then(|i| self.model.denies.get(i))
    }
}

/// True when Ward's policies decide the pair: one end is a managed pod.
pub fn responsible(src: &Member, dst: &Member) -> bool {
    let managed = |m: &Member| matches!(m, Member::Pod { managed: true, .. });
    managed(src) || managed(dst)
}

/// What differs between the simulated world and the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Allowed, but no flow declares it: the severe kind.
    Undeclared {
        /// From.
        src: Endpoint,
        /// To.
        dst: Endpoint,
        /// On these probes (one list shared by every finding it is the
        /// same for: an allow-all policy makes millions of findings).
        probes: Arc<[Probe]>,
    },
    /// Declared by flow `flow`, but blocked.
    Blocked {
        /// The flow's index.
        flow: usize,
        /// From.
        src: Endpoint,
        /// To.
        dst: Endpoint,
        /// On these probes (one list shared by every finding it is the
        /// same for: an allow-all policy makes millions of findings).
        probes: Arc<[Probe]>,
    },
    /// Allowed, and covered by `deny` number `deny`.
    Forbidden {
        /// The invariant's index.
        deny: usize,
        /// From.
        src: Endpoint,
        /// To.
        dst: Endpoint,
        /// On these probes (one list shared by every finding it is the
        /// same for: an allow-all policy makes millions of findings).
        probes: Arc<[Probe]>,
    },
}

/// What a [`Finding`] is, without its endpoints: the key findings are
/// grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    /// Allowed, but no flow declares it.
    Undeclared,
    /// Declared by the flow with this index, but blocked.
    Blocked(usize),
    /// Allowed, and covered by the `deny` with this index.
    Forbidden(usize),
}

impl Finding {
    /// Its kind (and the flow or `deny` it concerns).
    #[must_use]
    pub fn kind(&self) -> FindingKind {
        match self {
            Finding::Undeclared { .. } => FindingKind::Undeclared,
            Finding::Blocked { flow, .. } => FindingKind::Blocked(*flow),
            Finding::Forbidden { deny, .. } => FindingKind::Forbidden(*deny),
        }
    }

    /// Its two ends.
    #[must_use]
    pub fn ends(&self) -> (&Endpoint, &Endpoint) {
        match self {
            Finding::Undeclared { src, dst, .. }
            | Finding::Blocked { src, dst, .. }
            | Finding::Forbidden { src, dst, .. } => (src, dst),
        }
    }

    /// The probes it holds on.
    #[must_use]
    pub fn probes(&self) -> &[Probe] {
        match self {
            Finding::Undeclared { probes, .. }
            | Finding::Blocked { probes, .. }
            | Finding::Forbidden { probes, .. } => probes,
        }
    }

    fn new(kind: FindingKind, src: Endpoint, dst: Endpoint, probes: Arc<[Probe]>) -> Self {
        match kind {
            FindingKind::Undeclared => Finding::Undeclared { src, dst, probes },
            FindingKind::Blocked(flow) => Finding::Blocked {
                flow,
                src,
                dst,
                probes,
            },
            FindingKind::Forbidden(deny) => Finding::Forbidden {
                deny,
                src,
                dst,
                probes,
            },
        }
    }
}

/// The outcome of a comparison.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// Every difference, grouped by pair.
    pub findings: Vec<Finding>,
    /// How many (pair, probe) cells were compared.
    pub checked: usize,
    /// How many of them were allowed.
    pub allowed: usize,
}

/// A finding as the comparison gathers it: the index of the first probe it
/// was found on, its source's and destination's positions, its kind's rank
/// among the findings of one cell, its kind and its probes.
type Found = (usize, usize, usize, u8, FindingKind, Arc<[Probe]>);

/// Compares a world's reachability with the program, over `members` (each
/// endpoint of `reachability` with its identity).
///
/// What the program declares comes from its meaning worked out apart from
/// the compiler ([`meaning`]), through a per-member index (`proof::lookup`:
/// a row of cells is a few bit operations), which gives the same answers
/// as [`Declarations::declaring_flow`] and [`Declarations::forbidding_deny`].
pub fn compare(
    model: &Model,
    reachability: &Reachability,
    members: &[(Endpoint, Member)],
) -> Comparison {
    compare_classes(model, reachability, members, &[])
}

/// [`compare`] where member `i` stands for `weights[i]` endpoints of the
/// world that get the same verdicts and the same meaning (a class of pods;
/// 1 when `weights` is shorter): only the members' cells are visited, and
/// [`Comparison::checked`] and [`Comparison::allowed`] count every endpoint
/// they stand for. Findings name the members. Endpoints of `reachability`
/// without a member are not compared.
pub fn compare_classes(
    model: &Model,
    reachability: &Reachability,
    members: &[(Endpoint, Member)],
    weights: &[usize],
) -> Comparison {
    compare_streamed(model, [reachability], members, weights)
}

/// [`compare_classes`] over results given one after another, each holding
/// some of the probes of one world (as `World::reachability_by_probe`
/// makes them, one probe each), so that a caller need not hold every
/// probe's matrix at once. Every result must come from the same world.
pub fn compare_streamed<R: std::borrow::Borrow<Reachability>>(
    model: &Model,
    results: impl IntoIterator<Item = R>,
    members: &[(Endpoint, Member)],
    weights: &[usize],
) -> Comparison {
    let meaning = Meaning::new(model);
    let weight = |m: usize| weights.get(m).copied().unwrap_or(1);
    // Each endpoint's identity: the last entry of `members` for it.
    let identity: IndexMap<&Endpoint, usize> = members
        .iter()
        .enumerate()
        .map(|(i, (e, _))| (e, i))
        .collect();
    let people: Vec<&Member> = members.iter().map(|(_, m)| m).collect();
    let flows = lookup::Rules::new(&meaning.flows, &people);
    let denies = lookup::Rules::new(&meaning.denies, &people);
    let mut frame: Option<Frame> = None;
    let mut comparison = Comparison::default();
    // Per row of cells (a source and a probe): what the flows and `deny`s
    // from the source reach, what the policies allow, and which cells
    // Ward answers for; a cell is then a few bit operations, and only the
    // rare cells that make a finding are looked at one by one. A source's
    // rows are walked together, so that its findings gather in arrays by
    // destination (no hashing per cell, however many cells are findings,
    // as with an allow-all policy), each with the first probe it was found
    // on: the findings are then put in the order a walk by probe first
    // finds them.
    let mut declared = lookup::Bits::new(people.len());
    let mut denied = lookup::Bits::new(people.len());
    let mut allowed = lookup::Bits::new(people.len());
    let mut flagged = Vec::new();
    let mut found: Vec<Found> = Vec::new();
    // Each distinct list of probes, held once.
    let mut lists: IndexSet<Arc<[Probe]>> = IndexSet::new();
    // The index of the current result's first probe among every result's.
    let mut offset = 0;
    let mut streamed = 0;
    for result in results {
        let reachability = result.borrow();
        let frame = frame.get_or_insert_with(|| Frame::new(reachability, &identity, &people));
        let weighed = |bits: &lookup::Bits| bits.iter().map(weight).sum::<usize>();
        let (present_weight, managed_weight) = (weighed(&frame.present), weighed(&frame.managed));
        // Per destination (by its index in `frame.rows`): the probes it is
        // undeclared on, the first one's index, and the destinations with
        // any (so that a source costs what it finds, not a pass over every
        // destination); other kinds are rarer.
        let mut undeclared: Vec<(usize, Vec<Probe>)> = vec![(0, Vec::new()); frame.rows.len()];
        let mut touched: Vec<usize> = Vec::new();
        let mut others: BTreeMap<(usize, FindingKind), (usize, Vec<Probe>)> = BTreeMap::new();
        for &(i, s) in &frame.rows {
            let Some(src) = people.get(s).copied() else {
                continue;
            };
            // Both ends outside Ward's policies: not Ward's to answer for.
            let (responsible, responsible_weight) =
                if matches!(src, Member::Pod { managed: true, .. }) {
                    (&frame.present, present_weight)
                } else {
                    (&frame.managed, managed_weight)
                };
            for (p, &probe) in reachability.probes().iter().enumerate() {
                flows.reached(s, probe, &mut declared);
                denies.reached(s, probe, &mut denied);
                // The allowed cells, from the set bits of the source's
                // group (an address's own address cells are dropped by
                // `responsible`, which never holds an address for one).
                allowed.clear();
                for group in reachability
                    .group(i)
                    .into_iter()
                    .flat_map(|g| reachability.reached_groups(p, g))
                {
                    for &d in frame.members_of.get(group).into_iter().flatten() {
                        allowed.insert(d);
                    }
                }
                allowed.intersect(responsible);
                comparison.checked += weight(s) * responsible_weight;
                comparison.allowed += weight(s) * weighed(&allowed);
                flagged.clear();
                flagged.extend(allowed.differing(&declared, responsible));
                flagged.extend(allowed.common(&denied));
                flagged.sort_unstable();
                flagged.dedup();
                for &d in &flagged {
                    let Some(&r) = frame.row_of.get(d) else {
                        continue;
                    };
                    let mut other = |kind: FindingKind| {
                        let entry = others.entry((r, kind)).or_insert((p, Vec::new()));
                        entry.1.push(probe);
                    };
                    if allowed.contains(d) {
                        if !declared.contains(d) {
                            if let Some(entry) = undeclared.get_mut(r) {
                                if entry.1.is_empty() {
                                    entry.0 = p;
                                    touched.push(r);
                                }
                                entry.1.push(probe);
                            }
                        }
                        if denied.contains(d) {
                            if let Some(index) = denies.first(s, d, probe) {
                                other(FindingKind::Forbidden(index));
                            }
                        }
                    } else if declared.contains(d) {
                        if let Some(flow) =
                            flows.first(s, d, probe).and_then(|f| model.flows.get(f))
                        {
                            other(FindingKind::Blocked(flow.index));
                        }
                    }
                }
            }
            let column = |r: usize| frame.rows.get(r).map_or(usize::MAX, |(j, _)| *j);
            for r in touched.drain(..) {
                if let Some((first, probes)) = undeclared.get_mut(r) {
                    let probes = shared(&mut lists, std::mem::take(probes));
                    let kind = FindingKind::Undeclared;
                    found.push((offset + *first, i, column(r), 0, kind, probes));
                }
            }
            for ((r, kind), (first, probes)) in std::mem::take(&mut others) {
                let rank = u8::from(matches!(kind, FindingKind::Forbidden(_)));
                let probes = shared(&mut lists, probes);
                found.push((offset + first, i, column(r), rank, kind, probes));
            }
        }
        offset += reachability.probes().len();
        streamed += 1;
    }
    if streamed > 1 {
        found = coalesced(found, &mut lists);
    }
    found.sort_by_key(|(first, i, j, rank, kind, _)| (*first, *i, *j, *rank, *kind));
    let endpoints = frame.map(|f| f.endpoints).unwrap_or_default();
    comparison.findings = found
        .into_iter()
        .filter_map(|(_, i, j, _, kind, probes)| {
            let (src, dst) = (endpoints.get(i)?, endpoints.get(j)?);
            Some(Finding::new(kind, src.clone(), dst.clone(), probes))
        })
        .collect();
    comparison
}

/// `probes` as the list of `lists` equal to it, added when new: a flood of
/// findings on the same probes holds their list once.
fn shared(lists: &mut IndexSet<Arc<[Probe]>>, probes: Vec<Probe>) -> Arc<[Probe]> {
    if let Some(list) = lists.get(probes.as_slice()) {
        return Arc::clone(list);
    }
    let list: Arc<[Probe]> = probes.into();
    lists.insert(Arc::clone(&list));
    list
}

/// The findings of several results of one world as one finding per pair and
/// kind: its first probe the earliest, its probes in the results' order.
fn coalesced(mut found: Vec<Found>, lists: &mut IndexSet<Arc<[Probe]>>) -> Vec<Found> {
    // Stable: a pair's findings stay in the order of the results.
    found.sort_by_key(|(_, i, j, _, kind, _)| (*i, *j, *kind));
    found
        .chunk_by(|a, b| (a.1, a.2, a.4) == (b.1, b.2, b.4))
        .filter_map(|findings| {
            let (first, i, j, rank, kind, _) = findings.first()?;
            let probes: Vec<Probe> = findings.iter().flat_map(|f| f.5.iter().copied()).collect();
            Some((*first, *i, *j, *rank, *kind, shared(lists, probes)))
        })
        .collect()
}

/// What a comparison needs of a world's endpoints, the same for every
/// probe: the members in the matrix and where they are.
struct Frame {
    /// The members in the matrix, as (position, member), in endpoint order.
    rows: Vec<(usize, usize)>,
    /// Per member, its index in `rows` (`usize::MAX`: absent).
    row_of: Vec<usize>,
    /// Per group of the matrix, the members in it.
    members_of: Vec<Vec<usize>>,
    /// The members the matrix holds.
    present: lookup::Bits,
    /// The members in managed namespaces.
    managed: lookup::Bits,
    /// The world's endpoints, to name findings.
    endpoints: Vec<Endpoint>,
}

impl Frame {
    fn new(
        reachability: &Reachability,
        identity: &IndexMap<&Endpoint, usize>,
        people: &[&Member],
    ) -> Self {
        let mut rows: Vec<(usize, usize)> = identity
            .iter()
            .filter_map(|(e, m)| Some((reachability.position(e)?, *m)))
            .collect();
        rows.sort_unstable();
        let mut frame = Frame {
            rows: Vec::new(),
            row_of: vec![usize::MAX; people.len()],
            members_of: Vec::new(),
            present: lookup::Bits::new(people.len()),
            managed: lookup::Bits::new(people.len()),
            endpoints: reachability.endpoints().to_vec(),
        };
        for (r, &(e, m)) in rows.iter().enumerate() {
            if let Some(slot) = frame.row_of.get_mut(m) {
                *slot = r;
            }
            if let Some(group) = reachability.group(e) {
                if frame.members_of.len() <= group {
                    frame.members_of.resize(group + 1, Vec::new());
                }
                if let Some(list) = frame.members_of.get_mut(group) {
                    list.push(m);
                }
            }
            frame.present.insert(m);
            if people
                .get(m)
                .is_some_and(|p| matches!(p, Member::Pod { managed: true, .. }))
            {
                frame.managed.insert(m);
            }
        }
        frame.rows = rows;
        frame
    }
}

fn probe_list(probes: &[Probe]) -> String {
    const SHOWN: usize = 6;
    let mut text: Vec<String> = probes.iter().take(SHOWN).map(ToString::to_string).collect();
    if probes.len() > SHOWN {
        text.push(format!("and {} more", probes.len() - SHOWN));
    }
    text.join(", ")
}

/// Turns findings into diagnostics pointing into the source. `explain` says
/// why a connection is allowed or blocked in the simulated world; `plan` maps
/// the rules it names back to flows (for Ward's own policies).
pub fn diagnostics(
    model: &Model,
    plan: &Plan,
    findings: &[Finding],
    explain: &dyn Fn(&Endpoint, &Endpoint, Probe) -> Option<Explanation>,
    fallback: Span,
) -> Vec<Diagnostic> {
    findings
        .iter()
        .map(|finding| match finding {
            Finding::Undeclared { src, dst, probes } => {
                let first = probes.first().copied();
                let why = first.and_then(|p| explain(src, dst, p));
                let flows = why.as_ref().map(|w| allowing_flows(plan, w)).unwrap_or_default();
                let span = flows
                    .first()
                    .and_then(|i| model.flows.get(*i))
                    .map_or(fallback, |f| f.span);
                let mut diagnostic = Diagnostic::new(
                    Code::E0501,
                    format!("`{src}` can reach `{dst}`, which no flow declares"),
                    span,
                    "a rule of this flow lets it through",
                )
                .with_note(format!("allowed on {}", probe_list(probes)));
                for note in why.iter().flat_map(sides) {
                    diagnostic = diagnostic.with_note(note);
                }
                diagnostic.with_help("this is a defect in the generated policies or the cluster: narrow the flow, or report it")
            }
            Finding::Blocked {
                flow,
                src,
                dst,
                probes,
            } => {
                let declared = model.flows.get(*flow);
                let span = declared.map_or(fallback, |f| f.span);
                let text = declared.map_or_else(String::new, |f| f.text.clone());
                let mut diagnostic = Diagnostic::new(
                    Code::E0502,
                    format!("flow `{text}` is blocked from `{src}` to `{dst}`"),
                    span,
                    "declared here",
                )
                .with_note(format!("blocked on {}", probe_list(probes)));
                if let Some(why) = probes.first().and_then(|p| explain(src, dst, *p)) {
                    for note in sides(&why) {
                        diagnostic = diagnostic.with_note(note);
                    }
                }
                diagnostic.with_help("rebuild and apply the policies; if they are current, another policy or the cluster is missing a rule")
            }
            Finding::Forbidden {
                deny,
                src,
                dst,
                probes,
            } => {
                let invariant = model.denies.get(*deny);
                let span = invariant.map_or(fallback, |d| d.span);
                let text = invariant.map_or_else(String::new, |d| d.text.clone());
                Diagnostic::new(
                    Code::E0503,
                    format!("`{src}` can reach `{dst}`, which `deny {text}` forbids"),
                    span,
                    "this invariant is broken",
                )
                .with_note(format!("allowed on {}", probe_list(probes)))
                .with_help("find the policy that allows it with `ward explain` and remove it")
            }
        })
        .collect()
}

/// The flows behind the rules that allow a connection, for Ward's policies.
fn allowing_flows(plan: &Plan, why: &Explanation) -> Vec<usize> {
    let mut flows = Vec::new();
    let sides = [
        (why.egress.as_ref(), Direction::Egress),
        (why.ingress.as_ref(), Direction::Ingress),
    ];
    for (side, direction) in sides {
        for rule in side.iter().flat_map(|s| &s.allowed_by) {
            if let Some(flow) = rule_flow(plan, rule, direction) {
                if !flows.contains(&flow) {
                    flows.push(flow);
                }
            }
        }
    }
    flows
}

/// The flow behind a rule of one of Ward's policies, by the plan.
fn rule_flow(plan: &Plan, rule: &simulate::RuleRef, direction: Direction) -> Option<usize> {
    plan.policies
        .iter()
        .find(|p| p.namespace == rule.policy.namespace && p.name == rule.policy.name)
        .and_then(|p| p.rules(direction).get(rule.index))
        .map(|rule| rule.flow)
}

/// One note per side of an explanation.
fn sides(why: &Explanation) -> Vec<String> {
    let describe = |name: &str, side: &simulate::Side| {
        if !side.isolated {
            format!(
                "{name} at `{}`: no policy selects the pod, so everything is allowed",
                side.pod
            )
        } else if side.allowed_by.is_empty() {
            let policies: Vec<String> = side.policies.iter().map(ToString::to_string).collect();
            format!(
                "{name} at `{}`: isolated by {}, and no rule allows it",
                side.pod,
                policies.join(", ")
            )
        } else {
            let rules: Vec<String> = side
                .allowed_by
                .iter()
                .map(|r| format!("{} rule {}", r.policy, r.index))
                .collect();
            format!("{name} at `{}`: allowed by {}", side.pod, rules.join(", "))
        }
    };
    let mut notes = Vec::new();
    if let Some(side) = &why.egress {
        notes.push(describe("egress", side));
    }
    if let Some(side) = &why.ingress {
        notes.push(describe("ingress", side));
    }
    notes
}

/// What `ward test` found.
#[derive(Debug)]
pub struct TestReport {
    /// The comparison's counts and findings.
    pub comparison: Comparison,
    /// The findings as diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// How many pods, addresses and probes the world had.
    pub size: (usize, usize, usize),
    /// The exact judge's verdict over every pod and address
    /// ([`crate::symbolic`]), or why it could not read the policies.
    pub exact: Result<crate::symbolic::Verdict, crate::symbolic::Unreadable>,
    /// False when the sampled judge found a kind of difference that the
    /// exact one did not: one of them is wrong.
    pub judges_agree: bool,
}

/// Simulates the program's own policies in a world made from the program and
/// compares the result with its flows and invariants.
pub fn test_program(
    model: &Model,
    plan: &Plan,
    policies: Vec<k8s_openapi::api::networking::v1::NetworkPolicy>,
) -> Result<TestReport, simulate::LoadError> {
    let exact = crate::symbolic::judge(model, &policies);
    let test_world = world::adversarial_world(model);
    let addresses = test_world.addresses();
    let simulated = simulate::World::from_objects(
        test_world.namespaces.clone(),
        test_world.pods.clone(),
        policies,
    )?;
    // One probe's matrix at a time: together they are most of the memory.
    let comparison = compare_streamed(
        model,
        simulated.reachability_by_probe(&test_world.probes, &addresses),
        &test_world.members,
        &[],
    );
    let fallback = model
        .namespaces
        .values()
        .next()
        .map_or(Span::new(crate::source::FileId(0), 0, 0), |ns| ns.span);
    let explain =
        |src: &Endpoint, dst: &Endpoint, probe: Probe| simulated.explain(src, dst, probe).ok();
    let mut diagnostics = diagnostics(model, plan, &comparison.findings, &explain, fallback);
    // The exact judge's counterexamples of a kind the sampled world missed.
    let sampled: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
    let (missed, judges_agree) = match &exact {
        Ok(verdict) => {
            let exact: Vec<Code> = verdict
                .counterexamples
                .iter()
                .map(|c| crate::symbolic::report::code(&c.kind))
                .collect();
            let missed: Vec<crate::symbolic::Counterexample> = verdict
                .counterexamples
                .iter()
                .filter(|c| !sampled.contains(&crate::symbolic::report::code(&c.kind)))
                .cloned()
                .collect();
            (missed, sampled.iter().all(|code| exact.contains(code)))
        }
        Err(_) => (Vec::new(), false),
    };
    diagnostics.extend(crate::symbolic::report::diagnostics(
        model, plan, &missed, fallback,
    ));
    Ok(TestReport {
        exact,
        judges_agree,
        size: (
            test_world.pods.len(),
            addresses.len(),
            test_world.probes.len(),
        ),
        comparison,
        diagnostics,
    })
}
