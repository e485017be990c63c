//! What a program means, worked out apart from the compiler: which pods and
//! addresses each end of a flow or `deny` stands for, and which ports it
//! covers.
//!
//! `ward test` proves something only if its expected verdicts do not come
//! from the code that wrote the policies: a wrong address set or port list
//! shared by both would pass unseen. So nothing here uses what the checker,
//! the planner or the emitter derived (no `check::AddressSet`, no
//! `Selector::matches`, no resolved `model::Ports`, no plan peers). It reads
//! only what was declared: each flow and `deny` as written (its canonical
//! text, `SRC -> DST[:port]`), each service's selector requirements and
//! named ports, each external's CIDRs and `except` holes; and it evaluates
//! them itself, with `ipnet` for addresses.
//!
//! The meanings, as the README states them: an external holds an address in
//! some of its blocks and in none of its holes (a hole cuts the whole set,
//! not only the block it was written after); a service holds the pods of its
//! namespace whose labels meet every requirement of its selector; `ns.*`
//! every pod of `ns`; `*.*` every pod of every managed namespace. A port as
//! written is a number or range (TCP unless a protocol is given), `*` every
//! port, or a name. A name on `ns.svc` is the numbers the service declares
//! under it. A name on `ns.*` or `*.*` is each destination pod's own
//! container port of that name, on the protocols the services in scope
//! declare it with (decision 0007), unless some service in scope declares
//! it as a range: then it is the numbers they all declare under it. No port
//! means every declared port of the destination for a flow, and every port
//! for a `deny`.

use super::Member;
use crate::model::{Model, Operator, Protocol, Selector};
use crate::simulate::{self, Probe};
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::rc::Rc;

/// The pods or addresses one end of a rule stands for.
#[derive(Debug, Clone)]
pub(crate) enum End {
    /// The pods of `namespace` that meet `selector` (every pod: `None`).
    Pods {
        /// The namespace.
        namespace: String,
        /// The service's selector, for `ns.svc`.
        selector: Option<Rc<Selector>>,
    },
    /// Every pod of every managed namespace.
    AllManaged,
    /// Addresses in some block and in no hole.
    Addresses {
        /// The declared blocks.
        blocks: Vec<IpNet>,
        /// Every `except` of the set, whichever block it was written with.
        holes: Vec<IpNet>,
    },
    /// A name the program does not declare: holds nothing. Cannot happen
    /// for a checked model; kept so that a mismatch shows as a finding
    /// rather than a panic.
    Nothing,
}

/// The ports a rule covers.
#[derive(Debug, Clone)]
pub(crate) enum Covered {
    /// Every port of every protocol.
    Any,
    /// These (protocol, first, last) ranges; empty covers nothing.
    Ranges(Vec<(Protocol, u16, u16)>),
    /// The destination pod's own container port named `name`, when its
    /// protocol is one of `protocols`; never an address.
    Named {
        /// The port name, as written.
        name: String,
        /// The protocols the services in scope declare the name with.
        protocols: Vec<simulate::Protocol>,
    },
}

impl Covered {
    /// True when the probe's port and protocol are covered towards `dst`.
    pub(super) fn covers(&self, probe: Probe, dst: &Member) -> bool {
        match self {
            Covered::Named { .. } => self.own_ports(dst).any(|own| own == probe),
            Covered::Any | Covered::Ranges(_) => self.covers_numbers(probe),
        }
    }

    /// True when the probe is covered whatever the destination; a port
    /// given by name never is (it depends on the destination pod).
    pub(super) fn covers_numbers(&self, probe: Probe) -> bool {
        match self {
            Covered::Any => true,
            Covered::Ranges(ranges) => ranges.iter().any(|(protocol, first, last)| {
                *protocol == probe.protocol && *first <= probe.port && probe.port <= *last
            }),
            Covered::Named { .. } => false,
        }
    }

    /// For a port given by name, the probes that are `member`'s own
    /// container ports of that name on a protocol it is declared with;
    /// nothing for other ports.
    pub(super) fn own_ports<'a>(&'a self, member: &'a Member) -> impl Iterator<Item = Probe> + 'a {
        let named = match (self, member) {
            (Covered::Named { name, protocols }, Member::Pod { ports, .. }) => {
                Some((name, protocols, ports))
            }
            _ => None,
        };
        named.into_iter().flat_map(|(name, protocols, ports)| {
            ports
                .iter()
                .filter(move |p| p.name == *name && protocols.contains(&p.protocol))
                .map(|p| Probe::new(p.port, p.protocol))
        })
    }
}

/// One flow or `deny`, as the program means it.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    /// Who opens the connection.
    pub(crate) src: End,
    /// Who accepts it.
    pub(crate) dst: End,
    /// On which ports.
    pub(crate) ports: Covered,
}

impl Rule {
    /// True when the rule covers `src -> dst` on `probe`.
    fn covers(&self, src: &Member, dst: &Member, probe: Probe) -> bool {
        self.ports.covers(probe, dst) && holds(&self.src, src) && holds(&self.dst, dst)
    }
}

/// The meaning of a program's flows and `deny`s.
#[derive(Debug, Clone)]
pub struct Meaning {
    /// The flows, in source order (`flows[i]` is `model.flows[i]`).
    pub(crate) flows: Vec<Rule>,
    /// The `deny`s, in source order.
    pub(crate) denies: Vec<Rule>,
}

impl Meaning {
    /// Works out what every flow and `deny` of `model` means.
    pub fn new(model: &Model) -> Self {
        Self {
            flows: model
                .flows
                .iter()
                .map(|f| rule(model, &f.text, true))
                .collect(),
            denies: model
                .denies
                .iter()
                .map(|d| rule(model, &d.text, false))
                .collect(),
        }
    }

    /// The index of the first flow that declares `src -> dst` on `probe`.
    pub fn declaring_flow(&self, src: &Member, dst: &Member, probe: Probe) -> Option<usize> {
        self.flows.iter().position(|r| r.covers(src, dst, probe))
    }

    /// Per end of a flow or `deny` that stands for addresses, whether
    /// `member` is in it: besides its namespace, labels and ports, the only
    /// fact about a pod (its address) that the meaning looks at, so pods
    /// alike in all of these are alike to the proof.
    pub(super) fn addresses_holding(&self, member: &Member) -> Vec<bool> {
        self.flows
            .iter()
            .chain(&self.denies)
            .flat_map(|rule| [&rule.src, &rule.dst])
            .filter(|end| matches!(end, End::Addresses { .. }))
            .map(|end| holds(end, member))
            .collect()
    }

    /// The index of the first `deny` that covers `src -> dst` on `probe`.
    pub fn forbidding_deny(&self, src: &Member, dst: &Member, probe: Probe) -> Option<usize> {
        self.denies.iter().position(|r| r.covers(src, dst, probe))
    }
}

/// True when `member` is one of the pods or addresses `end` stands for.
pub(super) fn holds(end: &End, member: &Member) -> bool {
    match (end, member) {
        (
            End::Pods {
                namespace,
                selector,
            },
            Member::Pod {
                namespace: ns,
                labels,
                ..
            },
        ) => namespace == ns && selector.as_deref().is_none_or(|s| meets(s, labels)),
        (End::AllManaged, Member::Pod { managed, .. }) => *managed,
        // An ipBlock also matches pods whose address is inside it. Ward
        // writes no policy for external ends, so only pods that no Ward
        // policy governs count as part of an external.
        (
            End::Addresses { blocks, holes },
            Member::Pod {
                ip: Some(ip),
                managed: false,
                ..
            }
            | Member::Address(ip),
        ) => in_set(blocks, holes, *ip),
        _ => false,
    }
}

/// Address `ip` is in some block and in no hole.
pub(super) fn in_set(blocks: &[IpNet], holes: &[IpNet], ip: IpAddr) -> bool {
    blocks.iter().any(|b| b.contains(&ip)) && !holes.iter().any(|h| h.contains(&ip))
}

/// Whether labels meet every requirement of a selector, evaluated here from
/// the requirements (the Kubernetes label-selector rules).
pub(super) fn meets(selector: &Selector, labels: &BTreeMap<String, String>) -> bool {
    let equal = selector
        .labels
        .iter()
        .all(|(key, value)| labels.get(key).is_some_and(|v| v == value));
    equal
        && selector.expressions.iter().all(|requirement| {
            let value = labels.get(&requirement.key);
            let listed = value.is_some_and(|v| requirement.values.contains(v));
            match requirement.operator {
                Operator::In => listed,
                Operator::NotIn => !listed,
                Operator::Exists => value.is_some(),
                Operator::DoesNotExist => value.is_none(),
            }
        })
}

/// A flow's or `deny`'s meaning from its text `SRC -> DST[:port]`.
fn rule(model: &Model, text: &str, for_flow: bool) -> Rule {
    let (src, rest) = text.split_once(" -> ").unwrap_or((text, ""));
    let (dst, port) = match rest.split_once(':') {
        Some((dst, port)) => (dst, Some(port)),
        None => (rest, None),
    };
    let ports = match port {
        None if !for_flow => Covered::Any,
        None => Covered::Ranges(declared_ports(model, dst, None)),
        Some("*") => Covered::Any,
        Some(spec) if spec.starts_with(|c: char| c.is_ascii_digit()) => {
            Covered::Ranges(literal_port(spec).into_iter().collect())
        }
        Some(name) => named(model, dst, name),
    };
    Rule {
        src: end(model, src),
        dst: end(model, dst),
        ports,
    }
}

/// An endpoint as written: `ns.svc`, `ns.*`, `*.*` or an external's name.
fn end(model: &Model, text: &str) -> End {
    match text.split_once('.') {
        Some(("*", "*")) => End::AllManaged,
        Some((namespace, "*")) => End::Pods {
            namespace: namespace.to_string(),
            selector: None,
        },
        Some((namespace, service)) => model
            .namespaces
            .get(namespace)
            .and_then(|ns| ns.services.get(service))
            .map_or(End::Nothing, |s| End::Pods {
                namespace: namespace.to_string(),
                selector: Some(Rc::clone(&s.selector)),
            }),
        None => model
            .externals
            .get(text)
            .map_or(End::Nothing, |e| End::Addresses {
                blocks: e.addresses.blocks().to_vec(),
                holes: e.addresses.holes().to_vec(),
            }),
    }
}

/// `443`, `8000-8080`, `53/udp`: TCP unless a protocol is written.
fn literal_port(spec: &str) -> Option<(Protocol, u16, u16)> {
    let (range, protocol) = match spec.split_once('/') {
        Some((range, protocol)) => (range, Protocol::parse(protocol)?),
        None => (spec, Protocol::Tcp),
    };
    let (first, last) = match range.split_once('-') {
        Some((first, last)) => (first.parse().ok()?, last.parse().ok()?),
        None => {
            let port = range.parse().ok()?;
            (port, port)
        }
    };
    Some((protocol, first, last))
}

/// A port given by name towards `dst` (as written): on `ns.*` or `*.*`, each
/// pod's own port of that name when every service in scope declares it as
/// one number (decision 0007); otherwise the numbers declared under it.
fn named(model: &Model, dst: &str, name: &str) -> Covered {
    let declared = declared_ports(model, dst, Some(name));
    let many = matches!(dst.split_once('.'), Some((_, "*")));
    if many && !declared.is_empty() && declared.iter().all(|(_, first, last)| first == last) {
        let mut protocols: Vec<simulate::Protocol> =
            declared.iter().map(|(protocol, ..)| *protocol).collect();
        protocols.sort_unstable();
        protocols.dedup();
        return Covered::Named {
            name: name.to_string(),
            protocols,
        };
    }
    Covered::Ranges(declared)
}

/// The ports (all, or those named `name`) declared by the services that the
/// destination `dst` (as written) covers.
fn declared_ports(model: &Model, dst: &str, name: Option<&str>) -> Vec<(Protocol, u16, u16)> {
    let services: Vec<&crate::model::Service> = match dst.split_once('.') {
        Some(("*", "*")) => model
            .namespaces
            .values()
            .filter(|ns| ns.managed)
            .flat_map(|ns| ns.services.values())
            .collect(),
        Some((namespace, "*")) => model
            .namespaces
            .get(namespace)
            .into_iter()
            .flat_map(|ns| ns.services.values())
            .collect(),
        Some((namespace, service)) => model
            .namespaces
            .get(namespace)
            .and_then(|ns| ns.services.get(service))
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    services
        .iter()
        .flat_map(|s| s.ports.values())
        .filter(|p| name.is_none_or(|n| n == p.name))
        .map(|p| (p.range.protocol, p.range.first, p.range.last))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Model {
        let mut sources = crate::source::Sources::new();
        sources.add("t.ward", text);
        let checked = crate::compile(&sources);
        checked.model.unwrap()
    }

    fn pod(namespace: &str, labels: &[(&str, &str)]) -> Member {
        Member::Pod {
            namespace: namespace.to_string(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ip: None,
            managed: true,
            ports: Vec::new(),
        }
    }

    /// A pod of namespace `a` with one named container port.
    fn with_port(name: &str, port: u16, protocol: crate::simulate::Protocol) -> Member {
        Member::Pod {
            namespace: "a".to_string(),
            labels: BTreeMap::from([("app".to_string(), "exporter".to_string())]),
            ip: None,
            managed: true,
            ports: vec![super::super::NamedContainerPort {
                name: name.to_string(),
                port,
                protocol,
            }],
        }
    }

    fn address(text: &str) -> Member {
        Member::Address(text.parse().unwrap())
    }

    const PROGRAM: &str = r#"baseline controls CC6.1
namespace a {
  service web { pods app=web, tier in (x, y), !canary ports http 80, dns 53/udp }
  service db { pods app=db, env notin (prod) ports pg 5432, metrics 9100 }
}
external partner = 10.0.0.0/8, 10.1.0.0/16 except 10.1.2.0/24
external v6 = fd00::/8 except fd00:1::/32
flow a.web -> a.db:pg controls CC6.1 because "x"
flow partner -> a.web:http controls CC6.1 because "x"
flow v6 -> a.web:8000-8080/udp controls CC6.1 because "x"
flow a.db -> a.*:metrics controls CC6.1 because "x"
"#;

    #[test]
    fn a_hole_cuts_every_block_of_the_set() {
        let meaning = Meaning::new(&model(PROGRAM));
        let web = pod("a", &[("app", "web"), ("tier", "x")]);
        let http = Probe::new(80, crate::simulate::Protocol::Tcp);
        let from = |ip: &str| meaning.declaring_flow(&address(ip), &web, http);
        assert_eq!(from("10.0.0.0"), Some(1));
        assert_eq!(from("10.255.255.255"), Some(1));
        assert_eq!(from("10.1.2.0"), None, "the hole is inside both blocks");
        assert_eq!(from("10.1.2.255"), None);
        assert_eq!(from("10.1.3.0"), Some(1));
        assert_eq!(from("11.0.0.0"), None);
    }

    #[test]
    fn selector_requirements_are_each_required() {
        let meaning = Meaning::new(&model(PROGRAM));
        let db = pod("a", &[("app", "db")]);
        let pg = Probe::new(5432, crate::simulate::Protocol::Tcp);
        let declared = |labels: &[(&str, &str)]| meaning.declaring_flow(&pod("a", labels), &db, pg);
        assert_eq!(declared(&[("app", "web"), ("tier", "y")]), Some(0));
        assert_eq!(declared(&[("app", "web"), ("tier", "z")]), None);
        assert_eq!(declared(&[("app", "web")]), None);
        assert_eq!(
            declared(&[("app", "web"), ("tier", "x"), ("canary", "")]),
            None
        );
        assert_eq!(declared(&[("app", "api"), ("tier", "x")]), None);
        let prod = pod("a", &[("app", "db"), ("env", "prod")]);
        let web = pod("a", &[("app", "web"), ("tier", "x")]);
        assert_eq!(meaning.declaring_flow(&web, &prod, pg), None);
        assert_eq!(
            meaning.declaring_flow(&pod("b", &[("app", "web"), ("tier", "x")]), &db, pg),
            None
        );
    }

    #[test]
    fn ports_are_resolved_from_what_was_written() {
        let meaning = Meaning::new(&model(PROGRAM));
        let web = pod("a", &[("app", "web"), ("tier", "x")]);
        let udp = |port| Probe::new(port, crate::simulate::Protocol::Udp);
        let tcp = |port| Probe::new(port, crate::simulate::Protocol::Tcp);
        let v6 = address("fd00::1");
        assert_eq!(meaning.declaring_flow(&v6, &web, udp(8000)), Some(2));
        assert_eq!(meaning.declaring_flow(&v6, &web, udp(8080)), Some(2));
        assert_eq!(meaning.declaring_flow(&v6, &web, udp(8081)), None);
        assert_eq!(meaning.declaring_flow(&v6, &web, tcp(8000)), None);
        assert_eq!(
            meaning.declaring_flow(&address("fd00:1::1"), &web, udp(8000)),
            None
        );
        // A name on `ns.*`: each pod's own container port of that name
        // (decision 0007), on the protocol the services declare it with.
        let db = pod("a", &[("app", "db")]);
        let own = with_port("metrics", 9200, crate::simulate::Protocol::Tcp);
        assert_eq!(meaning.declaring_flow(&db, &own, tcp(9200)), Some(3));
        assert_eq!(meaning.declaring_flow(&db, &own, tcp(9100)), None);
        assert_eq!(meaning.declaring_flow(&db, &pod("a", &[]), tcp(9100)), None);
        let on_udp = with_port("metrics", 9200, crate::simulate::Protocol::Udp);
        assert_eq!(meaning.declaring_flow(&db, &on_udp, udp(9200)), None);
        let other_name = with_port("web", 9100, crate::simulate::Protocol::Tcp);
        assert_eq!(meaning.declaring_flow(&db, &other_name, tcp(9100)), None);
        assert_eq!(
            meaning.declaring_flow(&db, &address("10.0.0.1"), tcp(9100)),
            None
        );
    }
}
