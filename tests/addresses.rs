//! An external's address set and the `ipBlock`s Ward emits for it: for
//! random externals (IPv4 and IPv6, several blocks, nested and repeated
//! blocks, holes inside one or several blocks, holes covering blocks), the
//! emitted `ipBlock`s, read as Kubernetes reads them, hold exactly the
//! addresses that are in some block and in no hole, checked address by
//! address on every edge and on random addresses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use ward::model::{Addresses, IpBlock};

/// The meaning written in the language reference: in some block, in no hole.
fn expected(blocks: &[IpNet], holes: &[IpNet], ip: IpAddr) -> bool {
    blocks.iter().any(|b| b.contains(&ip)) && !holes.iter().any(|h| h.contains(&ip))
}

/// Kubernetes: an address matches an ipBlock when inside `cidr` and inside
/// no `except`; a list of peers is a union.
fn kubernetes(ip_blocks: &[IpBlock], ip: IpAddr) -> bool {
    ip_blocks
        .iter()
        .any(|b| b.cidr.contains(&ip) && !b.except.iter().any(|e| e.contains(&ip)))
}

fn as_int(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => (true, u128::from(v6)),
    }
}

fn from_int(v6: bool, value: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(value))
    } else {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(value).unwrap()))
    }
}

/// First, last, just before and just after every net.
fn edges(nets: &[IpNet]) -> Vec<IpAddr> {
    let mut out = Vec::new();
    for net in nets {
        let (v6, first) = as_int(net.network());
        let (_, last) = as_int(net.broadcast());
        let max = if v6 { u128::MAX } else { u128::from(u32::MAX) };
        out.extend([from_int(v6, first), from_int(v6, last)]);
        if first > 0 {
            out.push(from_int(v6, first - 1));
        }
        if last < max {
            out.push(from_int(v6, last + 1));
        }
    }
    out
}

/// A net inside a small region, so that random nets nest and overlap often;
/// now and then the whole address space.
fn net(v6: bool) -> impl Strategy<Value = IpNet> {
    (0u8..20, any::<u16>(), 0u8..=14).prop_map(move |(whole, bits, len)| {
        if whole == 0 {
            return if v6 {
                IpNet::V6(Ipv6Net::new(Ipv6Addr::UNSPECIFIED, 0).unwrap())
            } else {
                IpNet::V4(Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 0).unwrap())
            };
        }
        if v6 {
            let base = u128::from(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0));
            let addr = Ipv6Addr::from(base | u128::from(bits));
            IpNet::V6(Ipv6Net::new(addr, 114 + len).unwrap().trunc())
        } else {
            let addr = Ipv4Addr::from(0x0a00_0000 | u32::from(bits));
            IpNet::V4(Ipv4Net::new(addr, 18 + len).unwrap().trunc())
        }
    })
}

fn external() -> impl Strategy<Value = (Vec<IpNet>, Vec<IpNet>, Vec<u16>)> {
    any::<bool>().prop_flat_map(|v6| {
        (
            prop::collection::vec(net(v6), 1..5),
            prop::collection::vec(net(v6), 0..5),
            prop::collection::vec(any::<u16>(), 32),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn emitted_ip_blocks_hold_exactly_the_set((blocks, holes, random) in external()) {
        let set = Addresses::new(blocks.clone(), holes.clone());
        let ip_blocks = set.ip_blocks();
        for block in &ip_blocks {
            for hole in &block.except {
                prop_assert!(
                    block.cidr.contains(hole) && *hole != block.cidr,
                    "{hole} is not strictly inside {}", block.cidr
                );
            }
        }
        let (v6, base) = as_int(blocks[0].network());
        let region = base & !0xffff;
        let random = random.iter().map(|low| from_int(v6, region | u128::from(*low)));
        let all: Vec<IpNet> = blocks.iter().chain(&holes).copied().collect();
        for ip in edges(&all).into_iter().chain(random) {
            let want = expected(&blocks, &holes, ip);
            prop_assert_eq!(kubernetes(&ip_blocks, ip), want, "{} in {:?}", ip, ip_blocks);
            prop_assert_eq!(set.contains(ip), want, "{}", ip);
        }
    }

    #[test]
    fn first_shared_is_the_least_address_both_hold(
        (a_blocks, a_holes, _) in external(),
        (b_blocks, b_holes, _) in external(),
    ) {
        let a = Addresses::new(a_blocks.clone(), a_holes.clone());
        let b = Addresses::new(b_blocks.clone(), b_holes.clone());
        // The least address of an intersection of unions of ranges is the
        // first address of a block or the one after a hole.
        let all: Vec<IpNet> = [&a_blocks, &a_holes, &b_blocks, &b_holes]
            .into_iter()
            .flatten()
            .copied()
            .collect();
        let both = |ip: &IpAddr| {
            expected(&a_blocks, &a_holes, *ip) && expected(&b_blocks, &b_holes, *ip)
        };
        let least = edges(&all)
            .into_iter()
            .filter(both)
            .min_by_key(|ip| as_int(*ip));
        prop_assert_eq!(a.first_shared(&b), least);
        // Equal exactly when they hold the same addresses (membership only
        // changes at an edge).
        let same = edges(&all).iter().all(|ip| {
            expected(&a_blocks, &a_holes, *ip) == expected(&b_blocks, &b_holes, *ip)
        });
        prop_assert_eq!(a == b, same);
    }
}

/// The peers of every `ipBlock` in the YAML Ward emits for a program.
fn emitted_blocks(text: &str) -> Option<Vec<IpBlock>> {
    let mut sources = ward::source::Sources::new();
    sources.add("external.ward", text);
    let model = ward::compile(&sources).model?;
    let plan = ward::plan::plan(&model);
    let blocks = ward::emit::emit(&model, &plan, &sources)
        .into_iter()
        .filter_map(|e| e.object.spec)
        .flat_map(|spec| spec.ingress.into_iter().flatten())
        .flat_map(|rule| rule.from.into_iter().flatten())
        .filter_map(|peer| peer.ip_block)
        .map(|block| IpBlock {
            cidr: block.cidr.parse().unwrap(),
            except: block
                .except
                .into_iter()
                .flatten()
                .map(|e| e.parse().unwrap())
                .collect(),
        })
        .collect();
    Some(blocks)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The same, end to end: an external written in a program, checked,
    /// planned and emitted (externals the checker refuses are skipped).
    #[test]
    fn a_written_external_is_emitted_as_exactly_its_addresses(
        (blocks, holes, random) in external(),
    ) {
        let list = |nets: &[IpNet]| {
            nets.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        };
        let except = if holes.is_empty() {
            String::new()
        } else {
            format!(" except {}", list(&holes))
        };
        let text = format!(
            "namespace shop {{ service web {{ pods app=web  ports http 8080 }} }}\n\
             external x = {}{except}\n\
             flow x -> shop.web:http controls CC6.6 because \"x\"\n",
            list(&blocks)
        );
        let emitted = emitted_blocks(&text);
        prop_assume!(emitted.is_some());
        let emitted = emitted.unwrap();
        prop_assert!(!emitted.is_empty());
        let (v6, base) = as_int(blocks[0].network());
        let region = base & !0xffff;
        let random = random.iter().map(|low| from_int(v6, region | u128::from(*low)));
        let all: Vec<IpNet> = blocks.iter().chain(&holes).copied().collect();
        for ip in edges(&all).into_iter().chain(random) {
            prop_assert_eq!(
                kubernetes(&emitted, ip),
                expected(&blocks, &holes, ip),
                "{} in {:?}", ip, emitted
            );
        }
    }
}
