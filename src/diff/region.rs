//! The connections a change newly allows or blocks, as regions a reviewer
//! reads: `shop.web -> payments.api on 8443/tcp`, `any pod of namespace
//! batch -> payments.vault on 5432/tcp`, `10.1.2.0/24 -> shop.web on
//! 8080/tcp`. A region's ends are named by the services and externals of
//! either program where one matches, by namespace, labels or addresses
//! otherwise; its ports are declared ranges, never sampled probes.
//!
//! Owns these types and their wording; must not know how a change set is
//! computed (`reach` computes one from the programs' flows; an exact
//! symbolic engine can hand over the same [`Region`]s) and must not escape
//! for any format: a renderer passes a function that marks names (a code
//! span in Markdown).

use crate::model::{PortRange, Protocol};
use serde::Serialize;
use std::fmt;

/// Which program of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The program before the change.
    Old,
    /// The program after it.
    New,
}

impl Side {
    /// `old` or `new`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Old => "old",
            Side::New => "new",
        }
    }
}

/// One end of a region: pods or addresses, as the programs name them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    /// The pods of a service (`shop.web`), as its selector chooses them in
    /// the new program (or the old one, for a service removed).
    Service {
        /// The namespace.
        namespace: String,
        /// The service.
        service: String,
    },
    /// The pods only the old selector of a service whose selector changed
    /// chose: `pods app=db in payments (old selector of payments.vault)`.
    OldSelector {
        /// The namespace.
        namespace: String,
        /// The service.
        service: String,
        /// The old selector (`app=db`).
        selector: String,
    },
    /// The pods of a namespace that no service of either program selects.
    OtherPods {
        /// The namespace.
        namespace: String,
    },
    /// Every pod of a namespace.
    Namespace {
        /// The namespace.
        namespace: String,
    },
    /// A pod in a namespace that neither program declares.
    Undeclared,
    /// Every address of an external (the same in both programs, or only in
    /// one).
    External {
        /// The external's name.
        name: String,
    },
    /// Addresses that no single external stands for: part of one, or of
    /// several.
    Addresses {
        /// The blocks, smallest first address first.
        cidrs: Vec<String>,
        /// The externals that hold them (`stripe (old ranges)` for an
        /// external that held them only before its ranges changed).
        externals: Vec<String>,
    },
    /// Every pod and address that a program does not isolate: the pods of
    /// the namespaces it does not manage, and every address.
    Open {
        /// The program.
        side: Side,
        /// True when it isolates nothing: anywhere at all.
        everything: bool,
    },
}

/// How many blocks an address region names before `and N more`.
const SHOWN_CIDRS: usize = 4;

impl Place {
    /// The place in words, with each name the programs gave passed through
    /// `name` (a code span in Markdown, as is in text).
    pub fn words(&self, name: &dyn Fn(&str) -> String) -> String {
        match self {
            Place::Service { namespace, service } => name(&format!("{namespace}.{service}")),
            Place::OldSelector {
                namespace,
                service,
                selector,
            } => format!(
                "pods {} in {} (old selector of {})",
                name(selector),
                name(namespace),
                name(&format!("{namespace}.{service}"))
            ),
            Place::OtherPods { namespace } => {
                format!(
                    "pods of namespace {} that no service selects",
                    name(namespace)
                )
            }
            Place::Namespace { namespace } => format!("any pod of namespace {}", name(namespace)),
            Place::Undeclared => "a pod in a namespace no program declares".to_string(),
            Place::External { name: external } => name(external),
            Place::Addresses { cidrs, externals } => {
                let mut shown: Vec<String> = cidrs.iter().take(SHOWN_CIDRS).cloned().collect();
                if cidrs.len() > SHOWN_CIDRS {
                    shown.push(format!("and {} more blocks", cidrs.len() - SHOWN_CIDRS));
                }
                let held: Vec<String> = externals.iter().map(|e| name(e)).collect();
                format!("{} (in {})", shown.join(", "), held.join(", "))
            }
            Place::Open {
                everything: true, ..
            } => "anywhere".to_string(),
            Place::Open {
                side: Side::Old, ..
            } => "anywhere the old program left open".to_string(),
            Place::Open {
                side: Side::New, ..
            } => "anywhere the new program leaves open".to_string(),
        }
    }
}

/// Sorted, merged port ranges: the ports of a region.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortSet(Vec<PortRange>);

const PROTOCOLS: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

impl PortSet {
    /// Every port of every protocol.
    pub fn all() -> Self {
        Self(
            PROTOCOLS
                .iter()
                .map(|&protocol| PortRange {
                    protocol,
                    first: 1,
                    last: u16::MAX,
                })
                .collect(),
        )
    }

    /// The ports of `ranges`.
    pub fn of(ranges: impl IntoIterator<Item = PortRange>) -> Self {
        let mut set = Self::default();
        for range in ranges {
            set.insert(range);
        }
        set
    }

    /// The ranges, sorted by protocol and first port, none touching another.
    pub fn ranges(&self) -> &[PortRange] {
        &self.0
    }

    /// True when no port is in the set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `port` of `protocol` is in the set.
    pub fn contains(&self, protocol: Protocol, port: u16) -> bool {
        self.0
            .iter()
            .any(|r| r.protocol == protocol && r.first <= port && port <= r.last)
    }

    /// Adds a range.
    pub fn insert(&mut self, range: PortRange) {
        let mut merged = range;
        self.0.retain(|r| {
            let touches = r.protocol == merged.protocol
                && u32::from(r.first) <= u32::from(merged.last) + 1
                && u32::from(merged.first) <= u32::from(r.last) + 1;
            if touches {
                merged.first = merged.first.min(r.first);
                merged.last = merged.last.max(r.last);
            }
            !touches
        });
        let at = self.0.partition_point(|r| r < &merged);
        self.0.insert(at, merged);
    }

    /// Adds every port of `other`.
    pub fn extend(&mut self, other: &PortSet) {
        for range in &other.0 {
            self.insert(*range);
        }
    }

    /// The ports of `self` not in `other`.
    pub fn minus(&self, other: &PortSet) -> PortSet {
        let mut left = Vec::new();
        for range in &self.0 {
            let mut pieces = vec![*range];
            for cut in other.0.iter().filter(|c| c.overlaps(range)) {
                pieces = pieces
                    .into_iter()
                    .flat_map(|p| {
                        let mut kept = Vec::new();
                        if p.overlaps(cut) {
                            if p.first < cut.first {
                                kept.push(PortRange {
                                    last: cut.first - 1,
                                    ..p
                                });
                            }
                            if cut.last < p.last {
                                kept.push(PortRange {
                                    first: cut.last + 1,
                                    ..p
                                });
                            }
                        } else {
                            kept.push(p);
                        }
                        kept
                    })
                    .collect();
            }
            left.extend(pieces);
        }
        PortSet(left)
    }

    /// Each range as Ward writes ports: `8443/tcp`, `8000-8080/udp`.
    pub fn texts(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }
}

/// `every port`, `every udp port, 8443/tcp`, `5432/tcp, 53/udp`.
impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == PortSet::all() {
            return f.write_str("every port");
        }
        let mut parts = Vec::new();
        for range in &self.0 {
            if range.first == 1 && range.last == u16::MAX {
                parts.push(format!(
                    "every {} port",
                    range.protocol.as_str().to_ascii_lowercase()
                ));
            } else {
                parts.push(range.to_string());
            }
        }
        f.write_str(&parts.join(", "))
    }
}

impl Serialize for PortSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.texts())
    }
}

/// Connections from one place to another on some ports whose verdict
/// changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    /// Who opens the connections.
    pub from: Place,
    /// Who accepts them.
    pub to: Place,
    /// On which ports.
    pub ports: PortSet,
    /// When set, the region leaves out the connections that program's
    /// flows allow: a namespace newly isolated blocks everything but what
    /// the new program's flows allow (`except_flows_of: "new"`), one no longer
    /// isolated opens everything but what the old one's flows allowed.
    pub except_flows_of: Option<Side>,
}

impl Region {
    /// `shop.web -> payments.api on 8443/tcp`, with names passed through
    /// `name`.
    pub fn words(&self, name: &dyn Fn(&str) -> String) -> String {
        let mut text = format!(
            "{} -> {} on {}",
            self.from.words(name),
            self.to.words(name),
            self.ports
        );
        if let Some(side) = self.except_flows_of {
            text.push_str(", except what ");
            text.push_str(match side {
                Side::Old => "the old program's flows allowed",
                Side::New => "the new program's flows allow",
            });
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::PortSet;
    use crate::model::{PortRange, Protocol};

    fn tcp(first: u16, last: u16) -> PortRange {
        PortRange {
            protocol: Protocol::Tcp,
            first,
            last,
        }
    }

    #[test]
    fn merges_and_cuts() {
        let set = PortSet::of([tcp(10, 20), tcp(21, 30), tcp(5, 5)]);
        assert_eq!(set.texts(), ["5/tcp", "10-30/tcp"]);
        let cut = set.minus(&PortSet::of([tcp(12, 14), tcp(30, 40)]));
        assert_eq!(cut.texts(), ["5/tcp", "10-11/tcp", "15-29/tcp"]);
        assert_eq!(PortSet::all().to_string(), "every port");
        let udp_cut = PortSet::all().minus(&PortSet::of([tcp(1, 65535)]));
        assert_eq!(udp_cut.to_string(), "every udp port, every sctp port");
    }
}
