//! Sets of integers as sorted, disjoint, non-adjacent inclusive ranges: the
//! ports of a connection and, as [`Addresses`], its IPv4 and IPv6 addresses.
//! Closed under union, intersection and difference.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A set of integers as inclusive ranges, sorted and merged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Intervals {
    ranges: Vec<(u128, u128)>,
}

impl Intervals {
    /// The set of the given inclusive ranges (empty ones ignored).
    pub fn new<I: IntoIterator<Item = (u128, u128)>>(ranges: I) -> Self {
        let mut sorted: Vec<(u128, u128)> = ranges.into_iter().filter(|(a, b)| a <= b).collect();
        sorted.sort_unstable();
        let mut merged: Vec<(u128, u128)> = Vec::with_capacity(sorted.len());
        for (first, last) in sorted {
            match merged.last_mut() {
                Some(previous) if first <= previous.1.saturating_add(1) => {
                    previous.1 = previous.1.max(last);
                }
                _ => merged.push((first, last)),
            }
        }
        Self { ranges: merged }
    }

    /// The ranges, sorted.
    pub fn ranges(&self) -> &[(u128, u128)] {
        &self.ranges
    }

    /// True when the set holds nothing.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether `value` is in the set.
    pub fn contains(&self, value: u128) -> bool {
        self.ranges
            .iter()
            .any(|(first, last)| *first <= value && value <= *last)
    }

    /// The smallest member.
    pub fn first(&self) -> Option<u128> {
        self.ranges.first().map(|(first, _)| *first)
    }

    /// Whether some member is in both (no allocation).
    pub fn meets(&self, other: &Self) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some(a), Some(b)) = (self.ranges.get(i), other.ranges.get(j)) {
            if a.0.max(b.0) <= a.1.min(b.1) {
                return true;
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    /// Members of both.
    pub fn intersect(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while let (Some(a), Some(b)) = (self.ranges.get(i), other.ranges.get(j)) {
            let (first, last) = (a.0.max(b.0), a.1.min(b.1));
            if first <= last {
                out.push((first, last));
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        Self { ranges: out }
    }

    /// Members of `self` not in `other`.
    pub fn minus(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        for &(first, last) in &self.ranges {
            let mut start = Some(first);
            for &(hole_first, hole_last) in &other.ranges {
                let Some(from) = start else { break };
                if hole_last < from || hole_first > last {
                    continue;
                }
                if hole_first > from {
                    out.push((from, hole_first - 1));
                }
                start = hole_last.checked_add(1).filter(|next| *next <= last);
            }
            if let Some(from) = start {
                out.push((from, last));
            }
        }
        Self::new(out)
    }
}

/// A set of IPv4 and IPv6 addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Addresses {
    /// IPv4 addresses as integers.
    pub v4: Intervals,
    /// IPv6 addresses as integers.
    pub v6: Intervals,
}

impl Addresses {
    /// Every address of both families.
    pub fn all() -> Self {
        Self {
            v4: Intervals::new([(0, u128::from(u32::MAX))]),
            v6: Intervals::new([(0, u128::MAX)]),
        }
    }

    /// The addresses of `blocks` outside every one of `holes`.
    pub fn blocks(blocks: &[IpNet], holes: &[IpNet]) -> Self {
        let set = |nets: &[IpNet]| {
            let (v4, v6): (Vec<&IpNet>, Vec<&IpNet>) =
                nets.iter().partition(|n| matches!(n, IpNet::V4(_)));
            Self {
                v4: Intervals::new(v4.into_iter().map(|n| range(*n))),
                v6: Intervals::new(v6.into_iter().map(|n| range(*n))),
            }
        };
        set(blocks).minus(&set(holes))
    }

    /// True when no address is in the set.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// Addresses in both.
    pub fn intersect(&self, other: &Self) -> Self {
        Self {
            v4: self.v4.intersect(&other.v4),
            v6: self.v6.intersect(&other.v6),
        }
    }

    /// Addresses of `self` not in `other`.
    pub fn minus(&self, other: &Self) -> Self {
        Self {
            v4: self.v4.minus(&other.v4),
            v6: self.v6.minus(&other.v6),
        }
    }

    /// Whether `ip` is in the set.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(v4) => self.v4.contains(u128::from(u32::from(v4))),
            IpAddr::V6(v6) => self.v6.contains(u128::from(v6)),
        }
    }

    /// The smallest address, IPv4 first.
    pub fn pick(&self) -> Option<IpAddr> {
        let v4 = self
            .v4
            .first()
            .and_then(|n| u32::try_from(n).ok())
            .map(|n| IpAddr::V4(Ipv4Addr::from(n)));
        v4.or_else(|| self.v6.first().map(|n| IpAddr::V6(Ipv6Addr::from(n))))
    }
}

/// The addresses of a network, as integers.
fn range(net: IpNet) -> (u128, u128) {
    match net {
        IpNet::V4(n) => (
            u128::from(u32::from(n.network())),
            u128::from(u32::from(n.broadcast())),
        ),
        IpNet::V6(n) => (u128::from(n.network()), u128::from(n.broadcast())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn set() -> impl Strategy<Value = Vec<(u128, u128)>> {
        proptest::collection::vec((0u128..30, 0u128..8).prop_map(|(a, n)| (a, a + n)), 0..4)
    }

    fn members(ranges: &[(u128, u128)]) -> BTreeSet<u128> {
        ranges.iter().flat_map(|(a, b)| *a..=*b).collect()
    }

    proptest! {
        #[test]
        fn operations_match_sets_of_numbers(a in set(), b in set()) {
            let (x, y) = (Intervals::new(a.clone()), Intervals::new(b.clone()));
            let (ma, mb) = (members(&a), members(&b));
            prop_assert_eq!(members(x.ranges()), ma.clone());
            prop_assert_eq!(members(x.intersect(&y).ranges()), &ma & &mb);
            prop_assert_eq!(x.meets(&y), !(&ma & &mb).is_empty());
            prop_assert_eq!(members(x.minus(&y).ranges()), &ma - &mb);
            prop_assert_eq!(x.first(), ma.first().copied());
            // Sorted, disjoint and never adjacent: one way to write a set.
            prop_assert!(x.ranges().windows(2).all(|w| w[0].1 + 1 < w[1].0));
        }
    }

    #[test]
    fn blocks_minus_holes_and_edges_of_the_space() {
        let net = |t: &str| t.parse::<IpNet>().unwrap();
        let set = Addresses::blocks(&[net("10.0.0.0/8"), net("::/0")], &[net("10.1.0.0/16")]);
        assert!(set.contains("10.0.0.0".parse().unwrap()));
        assert!(!set.contains("10.1.255.255".parse().unwrap()));
        assert!(set.contains("10.2.0.0".parse().unwrap()));
        assert!(set.contains("ffff::1".parse().unwrap()));
        let everything = Addresses::all();
        assert!(everything.minus(&everything).is_empty());
        assert_eq!(everything.pick(), Some("0.0.0.0".parse().unwrap()));
        let v6 = everything.minus(&Addresses::blocks(&[net("0.0.0.0/0")], &[]));
        assert_eq!(v6.pick(), Some("::".parse().unwrap()));
    }
}
