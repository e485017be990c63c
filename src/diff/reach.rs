//! The connections newly allowed and newly blocked, computed from what the
//! two programs allow rather than by sampling a world.
//!
//! Ward's policies allow a connection when both ends are open (pods of a
//! namespace the program does not manage, or addresses) or when a flow
//! covers it: a managed namespace denies everything by default, and every
//! flow is written on each managed side. So each program's allowed set is
//! the product of its open ends (every port) plus, per flow, its sources x
//! destinations x ports, on the classes of [`Ends`]. The change is
//!
//! - per namespace whose management changed, two regions (from and to its
//!   pods, everything the other program left open) minus what the flows of
//!   the program that isolates it allow;
//! - per pair of ends a flow of either program covers and neither leaves
//!   open, the ports one covers and the other does not;
//!
//! then grouped back into whole namespaces and externals. The work is the
//! flows' pairs, not all pairs: linear in the programs but for flows whose
//! ends are large on both sides. Owns the computation; the wording is
//! [`super::region`]'s.

use super::ReachabilityChange;
use super::ends::{Ends, Spot};
use super::region::{PortSet, Region, Side};
use crate::model::Model;
use std::collections::BTreeMap;

/// What a program's flows allow, per (source, destination) end.
type Cover = BTreeMap<(usize, usize), PortSet>;

/// A region before it is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Raw {
    pub(super) from: Spot,
    pub(super) to: Spot,
    pub(super) ports: PortSet,
    pub(super) except: Option<Side>,
}

/// Everything the change was computed from, and the change.
pub(super) struct Computed {
    pub(super) ends: Ends,
    #[cfg(test)]
    cover: [Cover; 2],
    pub(super) allowed: Vec<Raw>,
    pub(super) blocked: Vec<Raw>,
}

#[cfg(test)]
impl Computed {
    /// What `side`'s flows allow from one end to another.
    pub(super) fn covered(&self, side: Side, src: usize, dst: usize) -> Option<&PortSet> {
        let cover = match side {
            Side::Old => &self.cover[0],
            Side::New => &self.cover[1],
        };
        cover.get(&(src, dst))
    }
}

fn cover(ends: &Ends, side: Side, model: &Model) -> Cover {
    let mut cover = Cover::new();
    for flow in &model.flows {
        let sources = ends.ends(side, &flow.src);
        let destinations = ends.ends(side, &flow.dst);
        for &dst in &destinations {
            let ports = ends.ports(&flow.ports, dst);
            if ports.is_empty() {
                continue;
            }
            for &src in &sources {
                if ends.pod(src).is_none() && ends.pod(dst).is_none() {
                    continue;
                }
                cover.entry((src, dst)).or_default().extend(&ports);
            }
        }
    }
    cover
}

/// Both ends open in `side`'s program: everything is allowed.
fn open(ends: &Ends, side: Side, (src, dst): (usize, usize)) -> bool {
    ends.open(side, src) && ends.open(side, dst)
}

/// The connections `from`'s flows allow that `to`'s do not, where neither
/// program leaves both ends open.
fn sparse(ends: &Ends, from: &Cover, to: &Cover) -> Vec<(usize, usize, PortSet)> {
    let none = PortSet::default();
    from.iter()
        .filter(|(pair, _)| !open(ends, Side::Old, **pair) && !open(ends, Side::New, **pair))
        .filter_map(|(&(src, dst), ports)| {
            let left = ports.minus(to.get(&(src, dst)).unwrap_or(&none));
            (!left.is_empty()).then_some((src, dst, left))
        })
        .collect()
}

/// Cells grouped into regions: sources of one destination and ports into
/// namespaces and externals, then destinations of one source likewise.
fn grouped(ends: &Ends, cells: Vec<(usize, usize, PortSet)>) -> Vec<Raw> {
    let mut by_dst: BTreeMap<(usize, PortSet), Vec<usize>> = BTreeMap::new();
    for (src, dst, ports) in cells {
        by_dst.entry((dst, ports)).or_default().push(src);
    }
    let mut by_src: BTreeMap<(Spot, PortSet), Vec<usize>> = BTreeMap::new();
    for ((dst, ports), mut sources) in by_dst {
        sources.sort_unstable();
        for spot in ends.group(&sources) {
            by_src.entry((spot, ports.clone())).or_default().push(dst);
        }
    }
    let mut raws = Vec::new();
    for ((from, ports), mut destinations) in by_src {
        destinations.sort_unstable();
        for to in ends.group(&destinations) {
            raws.push(Raw {
                from,
                to,
                ports: ports.clone(),
                except: None,
            });
        }
    }
    raws.sort_by(|a, b| (a.from, a.to, &a.ports).cmp(&(b.from, b.to, &b.ports)));
    raws
}

/// Computes the change from `old` to `new`.
pub(super) fn compute(old: &Model, new: &Model) -> Computed {
    let ends = Ends::of(old, new);
    let cover = [cover(&ends, Side::Old, old), cover(&ends, Side::New, new)];
    let (mut allowed, mut blocked) = (Vec::new(), Vec::new());
    for (s, space) in ends.spaces.iter().enumerate() {
        let (regions, open, isolating) = match space.managed {
            [false, true] => (&mut blocked, Side::Old, Side::New),
            [true, false] => (&mut allowed, Side::New, Side::Old),
            _ => continue,
        };
        for (from, to) in [
            (Spot::Space(s), Spot::Open(open)),
            (Spot::Open(open), Spot::Space(s)),
        ] {
            regions.push(Raw {
                from,
                to,
                ports: PortSet::all(),
                except: Some(isolating),
            });
        }
    }
    let [was, is] = &cover;
    allowed.extend(grouped(&ends, sparse(&ends, is, was)));
    blocked.extend(grouped(&ends, sparse(&ends, was, is)));
    Computed {
        ends,
        #[cfg(test)]
        cover,
        allowed,
        blocked,
    }
}

/// The connections whose verdict differs between `old` and `new`, as
/// regions.
pub fn compare(old: &Model, new: &Model) -> ReachabilityChange {
    let computed = compute(old, new);
    let name = |raws: &[Raw]| -> Vec<Region> {
        raws.iter()
            .map(|raw| Region {
                from: computed.ends.place(raw.from),
                to: computed.ends.place(raw.to),
                ports: raw.ports.clone(),
                except_flows_of: raw.except,
            })
            .collect()
    };
    ReachabilityChange {
        newly_allowed: name(&computed.allowed),
        newly_blocked: name(&computed.blocked),
    }
}

#[cfg(test)]
mod tests {
    //! The change checked against brute force: both programs' emitted
    //! policies simulated on a world of one pod per class, the edge
    //! addresses of every external and every declared port; every cell
    //! whose verdict differs must be in a region of its list, and no other
    //! cell in any region.

    use super::{Computed, Raw, compute};
    use crate::generator;
    use crate::model::{Model, Protocol};
    use crate::proof::world;
    use crate::simulate::{self, Endpoint};
    use crate::source::Sources;
    use k8s_openapi::api::core::v1 as core;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use std::net::IpAddr;

    fn compiled(text: &str) -> (Model, Sources) {
        let mut sources = Sources::new();
        sources.add("policy/p.ward", text);
        let model = crate::compile(&sources).model.expect("compiles");
        (model, sources)
    }

    fn policies(
        model: &Model,
        sources: &Sources,
    ) -> Vec<k8s_openapi::api::networking::v1::NetworkPolicy> {
        crate::pipeline::build(model, sources).policies()
    }

    fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_string()),
            namespace: namespace.map(str::to_string),
            ..ObjectMeta::default()
        }
    }

    /// The world: a pod per class, named by its class.
    fn world(computed: &Computed) -> (Vec<core::Namespace>, Vec<core::Pod>) {
        let ends = &computed.ends;
        let name = |s: usize| {
            let space = &ends.spaces[s];
            if space.declared {
                space.name.clone()
            } else {
                world::OUTSIDER_NAMESPACE.to_string()
            }
        };
        let namespaces = (0..ends.spaces.len())
            .map(|s| core::Namespace {
                metadata: meta(&name(s), None),
                ..core::Namespace::default()
            })
            .collect();
        let free = ["10.244.0.0", "100.64.0.0", "172.31.0.0", "198.18.0.0"]
            .iter()
            .map(|base| base.parse::<std::net::Ipv4Addr>().unwrap())
            .find(|base| {
                (1..=ends.pods.len() as u32).all(|i| {
                    ends.atom_of(IpAddr::V4((u32::from(*base) + i).into()))
                        .is_none()
                })
            })
            .expect("a free block for pods");
        let pods = ends
            .pods
            .iter()
            .enumerate()
            .map(|(i, class)| {
                let ports: Vec<core::ContainerPort> = class
                    .ports
                    .iter()
                    .map(|(name, range)| core::ContainerPort {
                        name: Some(name.clone()),
                        container_port: i32::from(range.first),
                        protocol: Some(range.protocol.as_str().to_string()),
                        ..core::ContainerPort::default()
                    })
                    .collect();
                let ip = IpAddr::V4((u32::from(free) + 1 + i as u32).into());
                core::Pod {
                    metadata: ObjectMeta {
                        labels: Some(class.labels.clone()),
                        ..meta(&format!("c{i}"), Some(&name(class.space)))
                    },
                    spec: Some(core::PodSpec {
                        containers: vec![core::Container {
                            name: "app".to_string(),
                            ports: (!ports.is_empty()).then_some(ports),
                            ..core::Container::default()
                        }],
                        ..core::PodSpec::default()
                    }),
                    status: Some(core::PodStatus {
                        pod_ip: Some(ip.to_string()),
                        ..core::PodStatus::default()
                    }),
                }
            })
            .collect();
        (namespaces, pods)
    }

    fn protocol(p: simulate::Protocol) -> Protocol {
        match p {
            simulate::Protocol::Tcp => Protocol::Tcp,
            simulate::Protocol::Udp => Protocol::Udp,
            simulate::Protocol::Sctp => Protocol::Sctp,
        }
    }

    fn holds(computed: &Computed, raw: &Raw, cell: (usize, usize), probe: simulate::Probe) -> bool {
        let ends = &computed.ends;
        let (src, dst) = cell;
        let protocol = protocol(probe.protocol);
        ends.holds(raw.from, src)
            && ends.holds(raw.to, dst)
            && raw.ports.contains(protocol, probe.port)
            && raw.except.is_none_or(|side| {
                !computed
                    .covered(side, src, dst)
                    .is_some_and(|p| p.contains(protocol, probe.port))
            })
    }

    /// Checks every cell; returns how many changed.
    fn check(old: &(Model, Sources), new: &(Model, Sources)) -> usize {
        let computed = compute(&old.0, &new.0);
        let ends = &computed.ends;
        let (namespaces, pods) = world(&computed);
        let mut addresses: BTreeSet<IpAddr> = world::edge_addresses(&old.0).into_iter().collect();
        addresses.extend(world::edge_addresses(&new.0));
        addresses.insert("192.0.2.1".parse().unwrap());
        let addresses: Vec<IpAddr> = addresses.into_iter().collect();
        let mut probes: BTreeSet<simulate::Probe> =
            world::probes(&old.0, true).into_iter().collect();
        probes.extend(world::probes(&new.0, true));
        let probes: Vec<simulate::Probe> = probes.into_iter().collect();
        let simulated = |side: &(Model, Sources)| {
            simulate::World::from_objects(
                namespaces.clone(),
                pods.clone(),
                policies(&side.0, &side.1),
            )
            .unwrap()
            .reachability(&probes, &addresses)
        };
        let (before, after) = (simulated(old), simulated(new));
        let end = |e: &Endpoint| match e {
            Endpoint::Pod(pod) => pod.name[1..].parse::<usize>().unwrap(),
            Endpoint::External(ip) => ends.atom_of(*ip).unwrap_or(ends.len()),
        };
        let ids: Vec<usize> = before.endpoints().iter().map(end).collect();
        assert_eq!(before.endpoints(), after.endpoints());
        let mut changed = 0;
        for (p, probe) in probes.iter().enumerate() {
            for (s, src) in ids.iter().enumerate() {
                let cells = before.row(p, s).zip(after.row(p, s));
                for (dst, (was, is)) in ids.iter().zip(cells) {
                    let (Some(was), Some(is)) = (was, is) else {
                        continue;
                    };
                    let cell = (*src, *dst);
                    let allowed = computed
                        .allowed
                        .iter()
                        .any(|r| holds(&computed, r, cell, *probe));
                    let blocked = computed
                        .blocked
                        .iter()
                        .any(|r| holds(&computed, r, cell, *probe));
                    assert_eq!(
                        (allowed, blocked),
                        (!was && is, was && !is),
                        "{:?} -> {:?} on {probe}",
                        ends.place(super::Spot::End(*src)),
                        ends.place(super::Spot::End(*dst)),
                    );
                    changed += usize::from(was != is);
                }
            }
        }
        changed
    }

    fn generated(services: usize, flows: usize, seed: u64) -> (Model, Sources) {
        compiled(&generator::program(&generator::Config::new(
            services, flows, seed,
        )))
    }

    const PAYMENTS: &str = include_str!("../../examples/payments.ward");

    #[test]
    fn a_review_change_and_its_reverse_match_brute_force() {
        let new = PAYMENTS
            .replace("tier=data", "tier=db")
            .replace("54.187.205.235/32", "54.187.205.235/32, 54.187.216.72/32")
            .replace("namespace monitoring {", "namespace monitoring unmanaged {")
            .replace("deny shop.* -> payments.vault\n", "")
            .replace(
                "deny internet -> payments.*",
                "flow shop.* -> payments.vault:pg controls CC6.1\n\ndeny internet -> payments.*",
            );
        let (old, new) = (compiled(PAYMENTS), compiled(&new));
        assert!(check(&old, &new) > 0);
        assert!(check(&new, &old) > 0);
    }

    #[test]
    fn a_first_program_matches_brute_force() {
        let empty = (Model::default(), Sources::new());
        let program = generated(12, 48, 3);
        assert!(check(&empty, &program) > 0);
        assert!(check(&program, &empty) > 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        #[test]
        fn two_generated_programs_match_brute_force(
            a in 3usize..14, b in 3usize..14, seed_a in 0u64..1000, seed_b in 0u64..1000,
        ) {
            let (old, new) = (generated(a, a * 3, seed_a), generated(b, b * 4, seed_b));
            check(&old, &new);
        }
    }
}
