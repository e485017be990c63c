//! Fast answers to "does the program declare this?" over every cell of a
//! reachability matrix, for [`super::compare`].
//!
//! [`super::Declarations`] answers for one pair by trying every flow; over
//! every pair and probe of a large world that is far too slow. Here each
//! member gets, once, the flows and `deny`s whose source (or destination)
//! holds it, and each (probe, source) the set of members some covering flow
//! or `deny` reaches: a cell is then a bit test, and the exact flow or
//! `deny` is looked for only for the rare cells that make a finding. The
//! answers are the same: the first flow (or `deny`) in source order whose
//! ports cover the probe and whose ends hold both members.

use super::{Declarations, Member, covers, covers_numeric};
use crate::model::{self, Model, Ports};
use crate::simulate::Probe;
use crate::sorted;
use std::collections::BTreeMap;

/// A set of member indices.
#[derive(Clone)]
pub(super) struct Bits(Vec<u64>);

impl Bits {
    pub(super) fn new(len: usize) -> Self {
        Bits(vec![0; len.div_ceil(64)])
    }

    fn insert(&mut self, i: usize) {
        if let Some(word) = self.0.get_mut(i / 64) {
            *word |= 1 << (i % 64);
        }
    }

    pub(super) fn contains(&self, i: usize) -> bool {
        self.0
            .get(i / 64)
            .is_some_and(|word| word & (1 << (i % 64)) != 0)
    }

    fn union(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    pub(super) fn clear(&mut self) {
        self.0.iter_mut().for_each(|word| *word = 0);
    }
}

/// The ends and ports of flows or `deny`s, indexed by member.
pub(super) struct Rules<'m> {
    ports: Vec<&'m Ports>,
    /// Per member, the rules whose source holds it, in source order.
    from: Vec<Vec<usize>>,
    /// Per member, the rules whose destination holds it, in source order.
    to: Vec<Vec<usize>>,
    /// Per rule, the members its destination holds.
    reaches: Vec<Bits>,
    /// Per rule with a port given by name, the members of `reaches` that
    /// have a container port of that name, by the probe it is.
    named: Vec<BTreeMap<Probe, Bits>>,
}

/// Which rules an endpoint may hold a member of, by the member's namespace:
/// the rest cannot (see [`Declarations::contains`]).
struct Buckets {
    by_namespace: BTreeMap<String, Vec<usize>>,
    all_managed: Vec<usize>,
    external: Vec<usize>,
}

impl Buckets {
    fn new<'e>(ends: impl Iterator<Item = &'e model::Endpoint>) -> Self {
        let mut buckets = Buckets {
            by_namespace: BTreeMap::new(),
            all_managed: Vec::new(),
            external: Vec::new(),
        };
        for (i, end) in ends.enumerate() {
            match end {
                model::Endpoint::Service { namespace, .. }
                | model::Endpoint::Namespace { namespace, .. } => {
                    buckets
                        .by_namespace
                        .entry(namespace.clone())
                        .or_default()
                        .push(i);
                }
                model::Endpoint::AllManaged => buckets.all_managed.push(i),
                model::Endpoint::External { .. } => buckets.external.push(i),
            }
        }
        buckets
    }

    /// The rules that may hold `member`, in source order.
    fn candidates(&self, member: &Member) -> Vec<usize> {
        let mut found = match member {
            Member::Pod { namespace, .. } => {
                let mut found = self
                    .by_namespace
                    .get(namespace)
                    .cloned()
                    .unwrap_or_default();
                found.extend(&self.all_managed);
                found.extend(&self.external);
                found
            }
            Member::Address(_) => self.external.clone(),
        };
        found.sort_unstable();
        found
    }
}

impl<'m> Rules<'m> {
    /// Indexes rules given as (source, destination, ports).
    pub(super) fn new(
        declarations: &Declarations<'_>,
        rules: &[(&'m model::Endpoint, &'m model::Endpoint, &'m Ports)],
        members: &[&Member],
    ) -> Self {
        let sources = Buckets::new(rules.iter().map(|(src, _, _)| *src));
        let destinations = Buckets::new(rules.iter().map(|(_, dst, _)| *dst));
        let mut from = Vec::with_capacity(members.len());
        let mut to = Vec::with_capacity(members.len());
        let mut reaches = vec![Bits::new(members.len()); rules.len()];
        for (m, member) in members.iter().enumerate() {
            let holds = |rule: &usize, end: fn(&(_, _, _)) -> &'m model::Endpoint| {
                rules
                    .get(*rule)
                    .is_some_and(|r| declarations.contains(end(r), member))
            };
            let sourced: Vec<usize> = sources
                .candidates(member)
                .into_iter()
                .filter(|r| holds(r, |r| r.0))
                .collect();
            let reached: Vec<usize> = destinations
                .candidates(member)
                .into_iter()
                .filter(|r| holds(r, |r| r.1))
                .collect();
            for rule in &reached {
                if let Some(bits) = reaches.get_mut(*rule) {
                    bits.insert(m);
                }
            }
            from.push(sourced);
            to.push(reached);
        }
        let mut named = vec![BTreeMap::new(); rules.len()];
        for (rule, by_probe) in named.iter_mut().enumerate() {
            let Some((_, _, Ports::Named(port))) = rules.get(rule) else {
                continue;
            };
            for (m, member) in members.iter().enumerate() {
                let reached = reaches.get(rule).is_some_and(|bits| bits.contains(m));
                let Member::Pod { ports, .. } = member else {
                    continue;
                };
                for own in ports.iter().filter(|p| reached && p.name == port.name) {
                    by_probe
                        .entry(Probe::new(own.port, own.protocol))
                        .or_insert_with(|| Bits::new(members.len()))
                        .insert(m);
                }
            }
        }
        Self {
            ports: rules.iter().map(|(_, _, ports)| *ports).collect(),
            from,
            to,
            reaches,
            named,
        }
    }

    /// Into `row`, the members that some rule from member `src` covering
    /// `probe` reaches.
    pub(super) fn reached(&self, src: usize, probe: Probe, row: &mut Bits) {
        row.clear();
        for rule in self.from.get(src).into_iter().flatten() {
            let reached = match self.ports.get(*rule) {
                Some(Ports::Named(_)) => self.named.get(*rule).and_then(|n| n.get(&probe)),
                Some(ports) if covers_numeric(ports, probe) => self.reaches.get(*rule),
                _ => None,
            };
            if let Some(bits) = reached {
                row.union(bits);
            }
        }
    }

    /// The first rule from `src` to `dst` (the member `member`) that covers
    /// `probe`.
    pub(super) fn first(
        &self,
        src: usize,
        dst: usize,
        probe: Probe,
        member: &Member,
    ) -> Option<usize> {
        let (Some(from), Some(to)) = (self.from.get(src), self.to.get(dst)) else {
            return None;
        };
        sorted::common(from, to).find(|&rule| {
            self.ports
                .get(rule)
                .is_some_and(|p| covers(p, probe, member))
        })
    }
}

/// The flows of a model as rules.
pub(super) fn flows(model: &Model) -> Vec<(&model::Endpoint, &model::Endpoint, &Ports)> {
    model
        .flows
        .iter()
        .map(|f| (&f.src, &f.dst, &f.ports))
        .collect()
}

/// The `deny`s of a model as rules.
pub(super) fn denies(model: &Model) -> Vec<(&model::Endpoint, &model::Endpoint, &Ports)> {
    model
        .denies
        .iter()
        .map(|d| (&d.src, &d.dst, &d.ports))
        .collect()
}
