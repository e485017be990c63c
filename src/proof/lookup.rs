//! Fast answers to "does the program declare this?" over every cell of a
//! reachability matrix, for [`super::compare`].
//!
//! [`super::meaning::Meaning`] answers for one pair by trying every flow; over
//! every pair and probe of a large world that is far too slow. Here each
//! member gets, once, the flows and `deny`s whose source (or destination)
//! holds it, and each (probe, source) the set of members some covering flow
//! or `deny` reaches: a cell is then a bit test, and the exact flow or
//! `deny` is looked for only for the rare cells that make a finding. The
//! answers are the same: the first flow (or `deny`) in source order whose
//! ports cover the probe and whose ends hold both members.

use super::Member;
use super::meaning::{self, Covered, End, Rule};
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

    pub(super) fn insert(&mut self, i: usize) {
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

    /// Keeps only the members `other` holds too.
    pub(super) fn intersect(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
        }
    }

    /// The members of `within` that exactly one of the two sets holds.
    pub(super) fn differing<'a>(
        &'a self,
        other: &'a Bits,
        within: &'a Bits,
    ) -> impl Iterator<Item = usize> + 'a {
        ones(
            self.0
                .iter()
                .zip(&other.0)
                .zip(&within.0)
                .map(|((a, b), w)| (a ^ b) & w),
        )
    }

    /// The members the set holds, in increasing order.
    pub(super) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        ones(self.0.iter().copied())
    }

    /// The members both sets hold.
    pub(super) fn common<'a>(&'a self, other: &'a Bits) -> impl Iterator<Item = usize> + 'a {
        ones(self.0.iter().zip(&other.0).map(|(a, b)| a & b))
    }
}

/// The positions of the set bits of a sequence of words.
fn ones(words: impl Iterator<Item = u64>) -> impl Iterator<Item = usize> {
    words.enumerate().flat_map(|(w, mut word)| {
        std::iter::from_fn(move || {
            (word != 0).then(|| {
                let bit = word.trailing_zeros() as usize;
                word &= word - 1;
                w * 64 + bit
            })
        })
    })
}

/// The ends and ports of flows or `deny`s, indexed by member.
pub(super) struct Rules<'m> {
    ports: Vec<&'m Covered>,
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
/// the rest cannot (see [`meaning::holds`]).
struct Buckets {
    by_namespace: BTreeMap<String, Vec<usize>>,
    all_managed: Vec<usize>,
    external: Vec<usize>,
}

impl Buckets {
    fn new<'e>(ends: impl Iterator<Item = &'e End>) -> Self {
        let mut buckets = Buckets {
            by_namespace: BTreeMap::new(),
            all_managed: Vec::new(),
            external: Vec::new(),
        };
        for (i, end) in ends.enumerate() {
            match end {
                End::Pods { namespace, .. } => {
                    buckets
                        .by_namespace
                        .entry(namespace.clone())
                        .or_default()
                        .push(i);
                }
                End::AllManaged => buckets.all_managed.push(i),
                End::Addresses { .. } => buckets.external.push(i),
                End::Nothing => {}
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
    /// Indexes the flows or `deny`s of a program's meaning.
    pub(super) fn new(rules: &'m [Rule], members: &[&Member]) -> Self {
        let sources = Buckets::new(rules.iter().map(|r| &r.src));
        let destinations = Buckets::new(rules.iter().map(|r| &r.dst));
        let mut from = Vec::with_capacity(members.len());
        let mut to = Vec::with_capacity(members.len());
        let mut reaches = vec![Bits::new(members.len()); rules.len()];
        for (m, member) in members.iter().enumerate() {
            let holds = |rule: &usize, end: fn(&Rule) -> &End| {
                rules
                    .get(*rule)
                    .is_some_and(|r| meaning::holds(end(r), member))
            };
            let sourced: Vec<usize> = sources
                .candidates(member)
                .into_iter()
                .filter(|r| holds(r, |r| &r.src))
                .collect();
            let reached: Vec<usize> = destinations
                .candidates(member)
                .into_iter()
                .filter(|r| holds(r, |r| &r.dst))
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
        for ((rule, by_probe), reached) in rules.iter().zip(&mut named).zip(&reaches) {
            if !matches!(rule.ports, Covered::Named { .. }) {
                continue;
            }
            for (m, member) in members.iter().enumerate() {
                if !reached.contains(m) {
                    continue;
                }
                for own in rule.ports.own_ports(member) {
                    by_probe
                        .entry(own)
                        .or_insert_with(|| Bits::new(members.len()))
                        .insert(m);
                }
            }
        }
        Self {
            ports: rules.iter().map(|r| &r.ports).collect(),
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
            if let Some(bits) = self.covered(*rule, probe) {
                row.union(bits);
            }
        }
    }

    /// The members `rule` reaches on `probe`: those its destination holds
    /// when its ports cover the probe, or for a port given by name those
    /// whose own port of that name the probe is; `None` when none.
    fn covered(&self, rule: usize, probe: Probe) -> Option<&Bits> {
        match self.ports.get(rule) {
            Some(Covered::Named { .. }) => self.named.get(rule).and_then(|n| n.get(&probe)),
            Some(ports) if ports.covers_numbers(probe) => self.reaches.get(rule),
            _ => None,
        }
    }

    /// The first rule from `src` to `dst` that covers `probe`.
    pub(super) fn first(&self, src: usize, dst: usize, probe: Probe) -> Option<usize> {
        let (Some(from), Some(to)) = (self.from.get(src), self.to.get(dst)) else {
            return None;
        };
        sorted::common(from, to).find(|&rule| {
            self.covered(rule, probe)
                .is_some_and(|bits| bits.contains(dst))
        })
    }
}
