//! The meaning of an `external`: the addresses of its blocks minus the
//! addresses of its holes. A hole belongs to the whole set, whichever block
//! it was written after: it is carved from every block that contains it, and
//! a block inside a hole is dropped.
//!
//! Everything that reasons about externals derives from [`Addresses`]: the
//! checker's overlaps (`deny` invariants, W0003), the emitted `ipBlock`s
//! ([`Addresses::ip_blocks`]), the test world's addresses and `ward diff`.

use super::IpBlock;
use ipnet::IpNet;
use std::net::IpAddr;

/// An external's address set, as written and as inclusive integer ranges.
#[derive(Debug, Clone)]
pub struct Addresses {
    /// The blocks, as written.
    blocks: Vec<IpNet>,
    /// The `except` blocks, as written.
    holes: Vec<IpNet>,
    /// The set: sorted, disjoint, non-adjacent ranges.
    ranges: Vec<Range>,
}

/// Inclusive addresses `first..=last` of one family, as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Range {
    v6: bool,
    first: u128,
    last: u128,
}

impl Range {
    fn of(net: &IpNet) -> Range {
        let (v6, first) = value(net.network());
        let (_, last) = value(net.broadcast());
        Range { v6, first, last }
    }
}

/// An address as an integer, with its family (`true` for IPv6): the one
/// place where the two families become numbers.
pub(crate) fn value(address: IpAddr) -> (bool, u128) {
    match address {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => (true, u128::from(v6)),
    }
}

/// The highest address of a family, as an integer.
pub(crate) fn family_max(v6: bool) -> u128 {
    if v6 { u128::MAX } else { u128::from(u32::MAX) }
}

/// The address of a family with the integer `value` (saturated to the
/// family's highest).
pub(crate) fn address(v6: bool, value: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(value.into())
    } else {
        IpAddr::V4(u32::try_from(value).unwrap_or(u32::MAX).into())
    }
}

/// Sorted, merged ranges covering what `nets` cover.
fn union(nets: &[IpNet]) -> Vec<Range> {
    let mut ranges: Vec<Range> = nets.iter().map(Range::of).collect();
    ranges.sort();
    let mut merged: Vec<Range> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if last.v6 == range.v6 && range.first <= last.last.saturating_add(1) => {
                last.last = last.last.max(range.last);
            }
            _ => merged.push(range),
        }
    }
    merged
}

/// `from` minus `cut`, both sorted and merged.
fn subtract(from: Vec<Range>, cut: &[Range]) -> Vec<Range> {
    let mut left = Vec::with_capacity(from.len());
    for mut range in from {
        let mut whole = true;
        for hole in cut.iter().filter(|h| h.v6 == range.v6) {
            if hole.last < range.first || hole.first > range.last {
                continue;
            }
            if hole.first > range.first {
                left.push(Range {
                    last: hole.first - 1,
                    ..range
                });
            }
            if hole.last >= range.last {
                whole = false;
                break;
            }
            range.first = hole.last + 1;
        }
        if whole {
            left.push(range);
        }
    }
    left
}

impl Addresses {
    /// The set `blocks` minus `holes`.
    pub fn new(blocks: Vec<IpNet>, holes: Vec<IpNet>) -> Self {
        let ranges = subtract(union(&blocks), &union(&holes));
        Addresses {
            blocks,
            holes,
            ranges,
        }
    }

    /// The blocks, as written.
    pub fn blocks(&self) -> &[IpNet] {
        &self.blocks
    }

    /// The `except` blocks, as written.
    pub fn holes(&self) -> &[IpNet] {
        &self.holes
    }

    /// True when `address` is in some block and in no hole.
    pub fn contains(&self, address: IpAddr) -> bool {
        let (v6, value) = value(address);
        self.ranges
            .iter()
            .any(|r| r.v6 == v6 && r.first <= value && value <= r.last)
    }

    /// True when the set holds no address.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// True when the set is the whole address space of a family.
    pub fn is_everything(&self) -> bool {
        self.ranges
            .iter()
            .any(|r| r.first == 0 && r.last == family_max(r.v6))
    }

    /// The first address both sets hold, if any.
    pub fn first_shared(&self, other: &Addresses) -> Option<IpAddr> {
        first_shared(&self.ranges, &other.ranges)
    }

    /// The first address of `net` that the set holds, if any.
    pub fn first_in(&self, net: &IpNet) -> Option<IpAddr> {
        first_shared(&self.ranges, &[Range::of(net)])
    }

    /// The set as Kubernetes `ipBlock`s whose union is exactly the set:
    /// the blocks that lie in no other block and in no hole (in written
    /// order, repeats once), each with the holes strictly inside it that no
    /// other such hole contains. Every `except` is strictly inside its
    /// `cidr`, as the API server requires.
    pub fn ip_blocks(&self) -> Vec<IpBlock> {
        let mut outer: Vec<IpNet> = Vec::new();
        for (i, block) in self.blocks.iter().enumerate() {
            let inside_other = self
                .blocks
                .iter()
                .enumerate()
                .any(|(j, other)| other.contains(block) && (other != block || j < i) && i != j);
            let in_hole = self.holes.iter().any(|hole| hole.contains(block));
            if !inside_other && !in_hole {
                outer.push(*block);
            }
        }
        outer
            .into_iter()
            .map(|cidr| {
                let inside: Vec<(usize, &IpNet)> = self
                    .holes
                    .iter()
                    .enumerate()
                    .filter(|(_, hole)| **hole != cidr && cidr.contains(*hole))
                    .collect();
                let except = inside
                    .iter()
                    .filter(|(i, hole)| {
                        !inside.iter().any(|(j, other)| {
                            i != j && other.contains(*hole) && (other != hole || j < i)
                        })
                    })
                    .map(|(_, hole)| **hole)
                    .collect();
                IpBlock { cidr, except }
            })
            .collect()
    }
}

/// The first address two sorted range lists share.
fn first_shared(a: &[Range], b: &[Range]) -> Option<IpAddr> {
    a.iter()
        .flat_map(|x| b.iter().map(move |y| (x, y)))
        .filter(|(x, y)| x.v6 == y.v6 && x.first <= y.last && y.first <= x.last)
        .map(|(x, y)| (x.v6, x.first.max(y.first)))
        .min()
        .map(|(v6, value)| address(v6, value))
}

/// Two sets are equal when they hold the same addresses, however written.
impl PartialEq for Addresses {
    fn eq(&self, other: &Self) -> bool {
        self.ranges == other.ranges
    }
}

impl Eq for Addresses {}

/// The ranges where clusters usually put pod and service addresses: RFC 1918,
/// the shared address space of RFC 6598 and IPv6 unique local addresses.
pub fn private_ranges() -> Vec<IpNet> {
    [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "fc00::/7",
    ]
    .iter()
    .filter_map(|text| text.parse().ok())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(blocks: &[&str], holes: &[&str]) -> Addresses {
        let nets = |list: &[&str]| list.iter().map(|n| n.parse().unwrap()).collect();
        Addresses::new(nets(blocks), nets(holes))
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_hole_is_carved_from_every_block_that_holds_it() {
        let partner = set(&["10.0.0.0/8", "10.1.0.0/16"], &["10.1.2.0/24"]);
        assert!(!partner.contains(ip("10.1.2.1")));
        assert!(partner.contains(ip("10.1.3.0")));
        assert!(partner.contains(ip("10.1.1.255")));
        assert_eq!(
            partner.ip_blocks(),
            vec![IpBlock {
                cidr: "10.0.0.0/8".parse().unwrap(),
                except: vec!["10.1.2.0/24".parse().unwrap()],
            }]
        );
        let lab = set(&["10.1.2.0/24"], &[]);
        assert_eq!(partner.first_shared(&lab), None);
    }

    #[test]
    fn blocks_inside_holes_are_dropped_and_nested_holes_folded() {
        let nets = set(
            &["10.0.0.0/8", "10.1.0.0/16", "10.2.3.0/24", "10.2.3.0/24"],
            &["10.2.0.0/16", "10.2.5.0/24", "10.1.0.0/16"],
        );
        assert_eq!(
            nets.ip_blocks(),
            vec![IpBlock {
                cidr: "10.0.0.0/8".parse().unwrap(),
                except: vec![
                    "10.2.0.0/16".parse().unwrap(),
                    "10.1.0.0/16".parse().unwrap()
                ],
            }]
        );
        assert!(!nets.contains(ip("10.2.3.4")));
        assert!(nets.contains(ip("10.3.0.0")));
    }

    #[test]
    fn sets_compare_by_their_addresses() {
        assert_eq!(
            set(&["10.0.0.0/25", "10.0.0.128/25"], &[]),
            set(&["10.0.0.0/24"], &[])
        );
        assert_ne!(
            set(&["10.0.0.0/24"], &["10.0.0.0/25"]),
            set(&["10.0.0.0/24"], &[])
        );
        assert!(set(&["0.0.0.0/0"], &[]).is_everything());
        assert!(!set(&["0.0.0.0/0"], &["10.0.0.0/8"]).is_everything());
        assert!(set(&["10.0.0.0/8"], &["10.0.0.0/9", "10.128.0.0/9"]).is_empty());
        assert_eq!(
            set(&["::/0"], &[]).first_shared(&set(&["0.0.0.0/0"], &[])),
            None
        );
    }
}
