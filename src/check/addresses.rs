//! Address sets: CIDR blocks with holes, as ranges of integers, so that
//! externals can be intersected exactly.

use crate::model::IpBlock;
use ipnet::IpNet;
use std::net::IpAddr;

/// A set of addresses of one family: sorted, disjoint, inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddressSet {
    ranges: Vec<(bool, u128, u128)>,
}

fn bounds(net: &IpNet) -> (bool, u128, u128) {
    match net {
        IpNet::V4(v4) => (
            false,
            u128::from(u32::from(v4.network())),
            u128::from(u32::from(v4.broadcast())),
        ),
        IpNet::V6(v6) => (true, u128::from(v6.network()), u128::from(v6.broadcast())),
    }
}

impl AddressSet {
    /// The addresses of `blocks`, each minus its `except` blocks.
    pub fn of(blocks: &[IpBlock]) -> Self {
        let mut ranges = Vec::new();
        for block in blocks {
            let mut pieces = vec![bounds(&block.cidr)];
            for hole in &block.except {
                let (family, start, end) = bounds(hole);
                pieces = pieces
                    .into_iter()
                    .flat_map(|(f, s, e)| {
                        if f != family || end < s || start > e {
                            return vec![(f, s, e)];
                        }
                        let mut left = Vec::new();
                        if start > s {
                            left.push((f, s, start - 1));
                        }
                        if end < e {
                            left.push((f, end + 1, e));
                        }
                        left
                    })
                    .collect();
            }
            ranges.extend(pieces);
        }
        ranges.sort();
        Self { ranges }
    }

    /// The first address both sets hold, if any.
    pub fn first_shared(&self, other: &AddressSet) -> Option<IpAddr> {
        self.ranges
            .iter()
            .flat_map(|a| other.ranges.iter().map(move |b| (a, b)))
            .filter(|((fa, sa, ea), (fb, sb, eb))| fa == fb && sa <= eb && sb <= ea)
            .map(|((family, sa, _), (_, sb, _))| address(*family, (*sa).max(*sb)))
            .min()
    }

    /// True when `address` is in the set.
    pub fn contains(&self, address: IpAddr) -> bool {
        let (family, value) = match address {
            IpAddr::V4(v4) => (false, u128::from(u32::from(v4))),
            IpAddr::V6(v6) => (true, u128::from(v6)),
        };
        self.ranges
            .iter()
            .any(|(f, s, e)| *f == family && *s <= value && value <= *e)
    }
}

fn address(v6: bool, value: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(value.into())
    } else {
        IpAddr::V4(u32::try_from(value).unwrap_or(u32::MAX).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(cidr: &str, except: &[&str]) -> IpBlock {
        IpBlock {
            cidr: cidr.parse().unwrap(),
            except: except.iter().map(|e| e.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn holes_are_carved_out() {
        let internet = AddressSet::of(&[block("0.0.0.0/0", &["10.0.0.0/8", "192.168.0.0/16"])]);
        assert!(internet.contains("8.8.8.8".parse().unwrap()));
        assert!(!internet.contains("10.1.2.3".parse().unwrap()));
        assert!(internet.contains("11.0.0.0".parse().unwrap()));
        assert!(internet.contains("9.255.255.255".parse().unwrap()));
        let private = AddressSet::of(&[block("10.0.0.0/8", &[])]);
        assert_eq!(internet.first_shared(&private), None);
        let stripe = AddressSet::of(&[block("54.187.174.169/32", &[])]);
        assert_eq!(
            internet.first_shared(&stripe),
            Some("54.187.174.169".parse().unwrap())
        );
        let v6 = AddressSet::of(&[block("::/0", &[])]);
        assert_eq!(v6.first_shared(&internet), None);
    }
}
