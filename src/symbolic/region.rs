//! Regions of the connection space: products of a source, a destination, a
//! set of protocols and a set of ports, with intersection, difference into
//! disjoint regions, membership of a concrete connection and a witness.

use super::intervals::{Addresses, Intervals};
use super::labels::{Key, Labels, Values};
use crate::protocol::Protocol;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The label every namespace carries with its name.
pub const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The key of a namespace's name, made once (sides are indexed by it).
static NAME_KEY: std::sync::LazyLock<Key> = std::sync::LazyLock::new(name_key);

/// The key of a namespace's name.
pub fn name_key() -> Key {
    Key::Namespace(NAME_LABEL.to_string())
}

/// Every protocol a NetworkPolicy port names.
pub const PROTOCOLS: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

/// A set of protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Protocols(u8);

impl Protocols {
    /// TCP, UDP and SCTP.
    pub const ALL: Self = Self(0b111);

    /// One protocol.
    pub fn one(protocol: Protocol) -> Self {
        Self(match protocol {
            Protocol::Tcp => 1,
            Protocol::Udp => 2,
            Protocol::Sctp => 4,
        })
    }

    /// Whether `protocol` is in the set.
    pub fn contains(self, protocol: Protocol) -> bool {
        self.0 & Self::one(protocol).0 != 0
    }

    /// The members, in the order of [`PROTOCOLS`].
    pub fn members(self) -> impl Iterator<Item = Protocol> {
        PROTOCOLS.into_iter().filter(move |p| self.contains(*p))
    }

    fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Every port, 1-65535.
pub fn all_ports() -> Intervals {
    Intervals::new([(1, 65535)])
}

/// One end of the connections of a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// Pods, by the labels of their namespace and their own (and, for a
    /// destination, which of its named ports the connection uses).
    Pods(Labels),
    /// Addresses outside the cluster.
    Addresses(Addresses),
}

impl Side {
    /// Every pod of every namespace.
    pub fn all_pods() -> Self {
        Self::Pods(Labels::require(name_key(), Values::exists()).unwrap_or_default())
    }

    /// Every pod and every address: as two sides.
    pub fn everything() -> [Self; 2] {
        [Self::all_pods(), Self::Addresses(Addresses::all())]
    }

    fn intersect(&self, other: &Self) -> Option<Self> {
        match (self, other) {
            (Self::Pods(a), Self::Pods(b)) => a.intersect(b).map(Self::Pods),
            (Self::Addresses(a), Self::Addresses(b)) => Some(a.intersect(b))
                .filter(|s| !s.is_empty())
                .map(Self::Addresses),
            _ => None,
        }
    }

    fn meets(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Pods(a), Self::Pods(b)) => a.meets(b),
            (Self::Addresses(a), Self::Addresses(b)) => a.v4.meets(&b.v4) || a.v6.meets(&b.v6),
            _ => false,
        }
    }

    fn minus(&self, other: &Self) -> Vec<Self> {
        match (self, other) {
            (Self::Pods(a), Self::Pods(b)) => a.minus(b).into_iter().map(Self::Pods).collect(),
            (Self::Addresses(a), Self::Addresses(b)) => {
                let rest = a.minus(b);
                if rest.is_empty() {
                    Vec::new()
                } else {
                    vec![Self::Addresses(rest)]
                }
            }
            _ => vec![self.clone()],
        }
    }

    fn contains(&self, end: &End) -> bool {
        match (self, end) {
            (Self::Pods(cube), End::Pod(labels)) => cube.contains(labels),
            (Self::Addresses(set), End::Address(ip)) => set.contains(*ip),
            _ => false,
        }
    }

    fn pick(&self) -> Option<End> {
        match self {
            Self::Pods(cube) => Some(End::Pod(cube.pick())),
            Self::Addresses(set) => set.pick().map(End::Address),
        }
    }

    /// The one namespace the side's pods are in, when it names one.
    pub fn namespace(&self) -> Pin {
        match self {
            Self::Pods(cube) => match cube.requirement(&NAME_KEY).map(|v| &v.present) {
                Some(super::labels::Present::Only(names)) if names.len() == 1 => {
                    names.first().cloned().map_or(Pin::Any, Pin::Namespace)
                }
                _ => Pin::Any,
            },
            Self::Addresses(_) => Pin::Addresses,
        }
    }
}

/// Where a side is, for indexing: one namespace, the addresses, or unknown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pin {
    /// Pods of this namespace only.
    Namespace(String),
    /// Addresses only.
    Addresses,
    /// Possibly anything.
    Any,
}

/// A product of constraints: connections from `src` to `dst` on one of
/// `protocols` and one of `ports`. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cube {
    /// Who opens the connection.
    pub src: Side,
    /// Who accepts it.
    pub dst: Side,
    /// On which protocols.
    pub protocols: Protocols,
    /// On which ports.
    pub ports: Intervals,
}

impl Cube {
    /// The region, or `None` when a dimension is empty.
    pub fn new(src: Side, dst: Side, protocols: Protocols, ports: Intervals) -> Option<Self> {
        let empty = |side: &Side| matches!(side, Side::Addresses(a) if a.is_empty());
        (!empty(&src) && !empty(&dst) && !protocols.is_empty() && !ports.is_empty()).then_some(
            Self {
                src,
                dst,
                protocols,
                ports,
            },
        )
    }

    /// Whether some connection is in both (no allocation).
    pub fn meets(&self, other: &Self) -> bool {
        self.protocols.0 & other.protocols.0 != 0
            && self.ports.meets(&other.ports)
            && self.src.meets(&other.src)
            && self.dst.meets(&other.dst)
    }

    /// The connections in both; `None` when none.
    pub fn intersect(&self, other: &Self) -> Option<Self> {
        if !self.meets(other) {
            return None;
        }
        Self::new(
            self.src.intersect(&other.src)?,
            self.dst.intersect(&other.dst)?,
            Protocols(self.protocols.0 & other.protocols.0),
            self.ports.intersect(&other.ports),
        )
    }

    /// The connections of `self` outside `other`, as disjoint regions.
    pub fn minus(&self, other: &Self) -> Vec<Self> {
        let Some(common) = self.intersect(other) else {
            return vec![self.clone()];
        };
        let mut pieces = Vec::new();
        for src in self.src.minus(&other.src) {
            pieces.push(Self {
                src,
                ..self.clone()
            });
        }
        let rest = Self {
            src: common.src,
            ..self.clone()
        };
        for dst in rest.dst.minus(&other.dst) {
            pieces.push(Self {
                dst,
                ..rest.clone()
            });
        }
        let rest = Self {
            dst: common.dst,
            ..rest
        };
        let protocols = Protocols(rest.protocols.0 & !other.protocols.0);
        if !protocols.is_empty() {
            pieces.push(Self {
                protocols,
                ..rest.clone()
            });
        }
        let ports = rest.ports.minus(&other.ports);
        if !ports.is_empty() {
            pieces.push(Self {
                protocols: common.protocols,
                ports,
                ..rest
            });
        }
        pieces
    }

    /// Whether the concrete connection is in the region.
    pub fn contains(&self, point: &Point) -> bool {
        self.protocols.contains(point.protocol)
            && self.ports.contains(u128::from(point.port))
            && self.src.contains(&point.src)
            && self.dst.contains(&point.dst)
    }

    /// A connection of the region, with as few labels as the cube allows.
    pub fn pick(&self) -> Option<Point> {
        Some(Point {
            src: self.src.pick()?,
            dst: self.dst.pick()?,
            protocol: self.protocols.members().next()?,
            port: u16::try_from(self.ports.first()?).ok()?,
        })
    }
}

/// One end of a concrete connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// A pod, by its labels (namespace labels, pod labels, and for a
    /// destination the names of its ports that the connection uses).
    Pod(BTreeMap<Key, String>),
    /// An address outside the cluster.
    Address(IpAddr),
}

/// A concrete connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    /// Who opens it.
    pub src: End,
    /// Who accepts it.
    pub dst: End,
    /// Its protocol.
    pub protocol: Protocol,
    /// Its port.
    pub port: u16,
}

/// `regions` minus `holes`, as disjoint regions.
pub fn minus_all<'a>(region: &Cube, holes: impl IntoIterator<Item = &'a Cube>) -> Vec<Cube> {
    let mut rest = vec![region.clone()];
    for hole in holes {
        if rest.is_empty() {
            break;
        }
        // Most holes miss every piece: keep the pieces, copy nothing.
        if !rest.iter().any(|piece| piece.meets(hole)) {
            continue;
        }
        rest = rest
            .into_iter()
            .flat_map(|piece| {
                if piece.meets(hole) {
                    piece.minus(hole)
                } else {
                    vec![piece]
                }
            })
            .collect();
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    /// Ends of a tiny universe: pods labelled `a` absent, `x` or `y`, and
    /// addresses 0.0.0.0 to 0.0.0.3.
    fn ends() -> Vec<End> {
        let mut ends: Vec<End> = [None, Some("x"), Some("y")]
            .into_iter()
            .map(|v| {
                let mut labels = BTreeMap::from([(name_key(), "n".to_string())]);
                if let Some(v) = v {
                    labels.insert(Key::Pod("a".to_string()), v.to_string());
                }
                End::Pod(labels)
            })
            .collect();
        ends.extend((0u32..4).map(|n| End::Address(IpAddr::V4(Ipv4Addr::from(n)))));
        ends
    }

    fn side() -> impl Strategy<Value = Side> {
        prop_oneof![
            proptest::sample::subsequence(vec!["x", "y"], 0..=2).prop_map(|values| {
                Side::Pods(
                    Labels::require(
                        Key::Pod("a".to_string()),
                        Values::one_of(values.into_iter().map(String::from)),
                    )
                    .unwrap_or_default(),
                )
            }),
            Just(Side::all_pods()),
            (0u128..4, 0u128..4).prop_map(|(a, n)| Side::Addresses(Addresses {
                v4: Intervals::new([(a, a + n)]),
                v6: Intervals::default(),
            })),
        ]
    }

    fn cube() -> impl Strategy<Value = Option<Cube>> {
        (side(), side(), 1u8..8, 1u128..4, 0u128..3).prop_map(|(src, dst, p, first, n)| {
            Cube::new(src, dst, Protocols(p), Intervals::new([(first, first + n)]))
        })
    }

    proptest! {
        #[test]
        fn difference_and_intersection_match_brute_force(a in cube(), b in cube()) {
            let (Some(a), Some(b)) = (a, b) else { return Ok(()) };
            let both = a.intersect(&b);
            let rest = a.minus(&b);
            prop_assert_eq!(a.meets(&b), both.is_some());
            for src in ends() {
                for dst in ends() {
                    for protocol in PROTOCOLS {
                        for port in 1u16..7 {
                            let point = Point { src: src.clone(), dst: dst.clone(), protocol, port };
                            let (in_a, in_b) = (a.contains(&point), b.contains(&point));
                            prop_assert_eq!(both.as_ref().is_some_and(|c| c.contains(&point)), in_a && in_b);
                            let pieces = rest.iter().filter(|c| c.contains(&point)).count();
                            prop_assert_eq!(pieces, usize::from(in_a && !in_b), "pieces are disjoint");
                        }
                    }
                }
            }
            let picked = a.pick();
            prop_assert!(picked.is_some_and(|p| a.contains(&p)));
        }
    }
}
