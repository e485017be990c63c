//! Random programs, built and written as YAML, allow exactly their flows on
//! `ward test`'s adversarial world, as the naive evaluator ([`super::oracle`])
//! judges the YAML, and never what a `deny` forbids.
//!
//! The expected verdicts come from this file alone: the generator keeps the
//! program it wrote as data ([`Program`]), and [`Program::declares`] says
//! what it means (selector terms evaluated here, external sets as blocks
//! minus every hole of the set, ports resolved from the declared service
//! ports, a port name on `ns.*` or `*.*` from each destination pod's own
//! container ports, decision 0007), without the checker, the planner, the emitter or `ward::proof`.
//! Only the world's pods and addresses come from `ward::proof::world`
//! (`adversarial_world`): the
//! thing under test is whether the policies are right on them.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test: the generator's indices are its own, and a failure should be loud"
)]

use super::oracle::Oracle;
use ipnet::IpNet;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::IpAddr;
use ward::simulate::{Endpoint, Probe, Protocol};

/// One term of a selector, as written.
#[derive(Debug, Clone)]
enum Term {
    Equals(&'static str, &'static str),
    In(&'static str, Vec<&'static str>),
    NotIn(&'static str, Vec<&'static str>),
    Has(&'static str),
    Absent(&'static str),
}

impl Term {
    fn text(&self) -> String {
        match self {
            Term::Equals(k, v) => format!("{k}={v}"),
            Term::In(k, values) => format!("{k} in ({})", values.join(", ")),
            Term::NotIn(k, values) => format!("{k} notin ({})", values.join(", ")),
            Term::Has(k) => format!("has {k}"),
            Term::Absent(k) => format!("!{k}"),
        }
    }

    /// The Kubernetes meaning of the term, from its definition.
    fn holds(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = |k: &str| labels.get(k).map(String::as_str);
        match self {
            Term::Equals(k, v) => value(k) == Some(*v),
            Term::In(k, values) => value(k).is_some_and(|v| values.contains(&v)),
            Term::NotIn(k, values) => value(k).is_none_or(|v| !values.contains(&v)),
            Term::Has(k) => value(k).is_some(),
            Term::Absent(k) => value(k).is_none(),
        }
    }
}

/// A declared port: name, protocol, first, last.
type Port = (&'static str, &'static str, u16, u16);

#[derive(Debug, Clone)]
struct Service {
    terms: Vec<Term>,
    ports: Vec<Port>,
}

#[derive(Debug, Clone)]
struct Namespace {
    managed: bool,
    services: Vec<Service>,
}

#[derive(Debug, Clone)]
struct External {
    blocks: Vec<IpNet>,
    holes: Vec<IpNet>,
}

/// An endpoint as written.
#[derive(Debug, Clone, PartialEq)]
enum End {
    Service(usize, usize),
    Namespace(usize),
    AllManaged,
    External(usize),
}

/// A port reference as written.
#[derive(Debug, Clone)]
enum PortRef {
    Unwritten,
    Any,
    Literal(&'static str, u16, u16),
    Named(&'static str),
}

#[derive(Debug, Clone)]
struct Rule {
    src: End,
    dst: End,
    port: PortRef,
}

/// A program as data: what the generator wrote.
#[derive(Debug, Clone)]
struct Program {
    namespaces: Vec<Namespace>,
    externals: Vec<External>,
    flows: Vec<Rule>,
    denies: Vec<Rule>,
}

/// A member of the world as this test sees it.
enum Member<'a> {
    Pod {
        namespace: &'a str,
        labels: &'a BTreeMap<String, String>,
        ip: Option<IpAddr>,
        /// Its container ports: name, number, protocol.
        ports: Vec<(&'a str, u16, Protocol)>,
    },
    Address(IpAddr),
}

impl Program {
    fn namespace_name(n: usize) -> String {
        format!("n{n}")
    }

    fn end_text(&self, end: &End) -> String {
        match end {
            End::Service(n, s) => format!("n{n}.s{s}"),
            End::Namespace(n) => format!("n{n}.*"),
            End::AllManaged => "*.*".to_string(),
            End::External(e) => format!("x{e}"),
        }
    }

    fn rule_text(&self, rule: &Rule) -> String {
        let port = match &rule.port {
            PortRef::Unwritten => String::new(),
            PortRef::Any => ":*".to_string(),
            PortRef::Literal(protocol, first, last) if first == last => {
                format!(":{first}/{protocol}")
            }
            PortRef::Literal(protocol, first, last) => format!(":{first}-{last}/{protocol}"),
            PortRef::Named(name) => format!(":{name}"),
        };
        format!(
            "{} -> {}{port}",
            self.end_text(&rule.src),
            self.end_text(&rule.dst)
        )
    }

    fn text(&self, with_denies: bool) -> String {
        let mut text = String::from("baseline controls CC6.1\n");
        for (n, namespace) in self.namespaces.iter().enumerate() {
            let flag = if namespace.managed { "" } else { " unmanaged" };
            let _ = writeln!(text, "namespace n{n}{flag} {{");
            for (s, service) in namespace.services.iter().enumerate() {
                let terms: Vec<String> = service.terms.iter().map(Term::text).collect();
                let ports: Vec<String> = service
                    .ports
                    .iter()
                    .map(|(name, protocol, first, last)| {
                        if first == last {
                            format!("{name} {first}/{protocol}")
                        } else {
                            format!("{name} {first}-{last}/{protocol}")
                        }
                    })
                    .collect();
                let ports = if ports.is_empty() {
                    String::new()
                } else {
                    format!("ports {}", ports.join(", "))
                };
                let _ = writeln!(
                    text,
                    "  service s{s} {{ pods {}  {ports} }}",
                    terms.join(", ")
                );
            }
            text.push_str("}\n");
        }
        for (e, external) in self.externals.iter().enumerate() {
            let blocks: Vec<String> = external.blocks.iter().map(ToString::to_string).collect();
            let _ = write!(text, "external x{e} = {}", blocks.join(", "));
            if !external.holes.is_empty() {
                let holes: Vec<String> = external.holes.iter().map(ToString::to_string).collect();
                let _ = write!(text, " except {}", holes.join(", "));
            }
            text.push('\n');
        }
        for flow in &self.flows {
            let _ = writeln!(
                text,
                "flow {} controls CC6.1 because \"generated\"",
                self.rule_text(flow)
            );
        }
        if with_denies {
            for deny in &self.denies {
                let _ = writeln!(text, "deny {}", self.rule_text(deny));
            }
        }
        text
    }

    /// Every label value the selectors name.
    fn label_values(&self) -> Vec<&'static str> {
        let terms = self
            .namespaces
            .iter()
            .flat_map(|ns| &ns.services)
            .flat_map(|s| &s.terms);
        terms
            .flat_map(|term| match term {
                Term::Equals(_, v) => vec![*v],
                Term::In(_, values) | Term::NotIn(_, values) => values.clone(),
                Term::Has(_) | Term::Absent(_) => Vec::new(),
            })
            .collect()
    }

    fn managed(&self, namespace: &str) -> bool {
        (0..self.namespaces.len())
            .any(|n| Self::namespace_name(n) == namespace && self.namespaces[n].managed)
    }

    /// The services an endpoint covers, for its ports.
    fn services(&self, end: &End) -> Vec<&Service> {
        match end {
            End::Service(n, s) => vec![&self.namespaces[*n].services[*s]],
            End::Namespace(n) => self.namespaces[*n].services.iter().collect(),
            End::AllManaged => self
                .namespaces
                .iter()
                .filter(|ns| ns.managed)
                .flat_map(|ns| &ns.services)
                .collect(),
            End::External(_) => Vec::new(),
        }
    }

    fn holds(&self, end: &End, member: &Member<'_>) -> bool {
        match (end, member) {
            (
                End::Service(n, s),
                Member::Pod {
                    namespace, labels, ..
                },
            ) => {
                *namespace == Self::namespace_name(*n)
                    && self.namespaces[*n].services[*s]
                        .terms
                        .iter()
                        .all(|t| t.holds(labels))
            }
            (End::Namespace(n), Member::Pod { namespace, .. }) => {
                *namespace == Self::namespace_name(*n)
            }
            (End::AllManaged, Member::Pod { namespace, .. }) => self.managed(namespace),
            // Decision 0003: pods outside Ward's policies whose address is
            // in the set count as part of it.
            (
                End::External(e),
                Member::Pod {
                    ip: Some(ip),
                    namespace,
                    ..
                },
            ) if !self.managed(namespace) => self.inside(*e, *ip),
            (End::External(e), Member::Address(ip)) => self.inside(*e, *ip),
            _ => false,
        }
    }

    /// The ports to judge every pair on, from what the generator wrote (not
    /// from `ward::proof`): the edges of every declared port and of every
    /// literal, one past each edge, and an unused port, on every protocol.
    fn probes(&self) -> Vec<Probe> {
        let declared = self
            .namespaces
            .iter()
            .flat_map(|ns| &ns.services)
            .flat_map(|service| {
                service
                    .ports
                    .iter()
                    .map(|&(_, _, first, last)| (first, last))
            });
        let literal = self
            .flows
            .iter()
            .chain(&self.denies)
            .filter_map(|rule| match rule.port {
                PortRef::Literal(_, first, last) => Some((first, last)),
                _ => None,
            });
        let mut numbers: Vec<u16> = declared
            .chain(literal)
            .flat_map(|(first, last)| {
                [first.saturating_sub(1), first, last, last.saturating_add(1)]
            })
            .chain([1, 65_535, 7])
            .filter(|port| *port > 0)
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers
            .into_iter()
            .flat_map(|port| {
                [Protocol::Tcp, Protocol::Udp, Protocol::Sctp]
                    .map(|protocol| Probe::new(port, protocol))
            })
            .collect()
    }

    /// In some block of the set and in no hole of the whole set.
    fn inside(&self, external: usize, ip: IpAddr) -> bool {
        let set = &self.externals[external];
        set.blocks.iter().any(|b| b.contains(&ip)) && !set.holes.iter().any(|h| h.contains(&ip))
    }

    fn covers(&self, rule: &Rule, probe: Probe, flow: bool, dst: &Member<'_>) -> bool {
        let protocol = |p: &str| match p {
            "udp" => Protocol::Udp,
            "sctp" => Protocol::Sctp,
            _ => Protocol::Tcp,
        };
        let within = |(p, first, last): (&str, u16, u16)| {
            protocol(p) == probe.protocol && first <= probe.port && probe.port <= last
        };
        let declared = |name: Option<&str>| {
            self.services(&rule.dst)
                .iter()
                .flat_map(|s| &s.ports)
                .filter(|(n, ..)| name.is_none_or(|name| name == *n))
                .any(|(_, p, first, last)| within((p, *first, *last)))
        };
        // Decision 0007: a name on many services' pods, declared as single
        // numbers, is each destination pod's own container port of that name
        // on a protocol the services declare it with.
        let by_name = |name: &str| {
            let declared: Vec<&Port> = self
                .services(&rule.dst)
                .into_iter()
                .flat_map(|s| &s.ports)
                .filter(|p| p.0 == name)
                .collect();
            let many = matches!(rule.dst, End::Namespace(_) | End::AllManaged);
            (many && declared.iter().all(|p| p.2 == p.3)).then(|| {
                let Member::Pod { ports, .. } = dst else {
                    return false;
                };
                ports.iter().any(|(own, port, p)| {
                    *own == name
                        && *port == probe.port
                        && *p == probe.protocol
                        && declared.iter().any(|d| protocol(d.1) == *p)
                })
            })
        };
        match &rule.port {
            PortRef::Unwritten if !flow => true,
            PortRef::Unwritten => declared(None),
            PortRef::Any => true,
            PortRef::Literal(p, first, last) => within((p, *first, *last)),
            PortRef::Named(name) => by_name(name).unwrap_or_else(|| declared(Some(name))),
        }
    }

    /// The first flow that declares `src -> dst` on `probe`.
    fn declares(&self, src: &Member<'_>, dst: &Member<'_>, probe: Probe) -> Option<usize> {
        self.flows.iter().position(|f| {
            self.covers(f, probe, true, dst) && self.holds(&f.src, src) && self.holds(&f.dst, dst)
        })
    }

    /// The first `deny` that covers `src -> dst` on `probe`.
    fn forbids(&self, src: &Member<'_>, dst: &Member<'_>, probe: Probe) -> Option<usize> {
        self.denies.iter().position(|d| {
            self.covers(d, probe, false, dst) && self.holds(&d.src, src) && self.holds(&d.dst, dst)
        })
    }
}

const KEYS: [&str; 4] = ["app", "tier", "team", "canary"];

/// Label values, among them ones a YAML 1.1 reader (kubectl) takes for a
/// timestamp or a boolean when written unquoted.
fn value() -> BoxedStrategy<&'static str> {
    prop_oneof![
        Just("a"),
        Just("b"),
        Just("x"),
        Just("2024-01-15"),
        Just("true")
    ]
    .boxed()
}

fn term(key: &'static str) -> impl Strategy<Value = Term> {
    let values = proptest::collection::vec(value(), 1..3).prop_map(|mut v| {
        v.sort_unstable();
        v.dedup();
        v
    });
    prop_oneof![
        3 => value().prop_map(move |v| Term::Equals(key, v)),
        1 => values.clone().prop_map(move |v| Term::In(key, v)),
        1 => values.prop_map(move |v| Term::NotIn(key, v)),
        1 => Just(Term::Has(key)),
        1 => Just(Term::Absent(key)),
    ]
}

/// One to three terms on distinct keys, at least one that asks for a
/// label (a selector of only `notin` and `!` is legal but selects almost
/// everything, which the checker warns about).
fn selector() -> impl Strategy<Value = Vec<Term>> {
    proptest::sample::subsequence(KEYS.to_vec(), 1..=3)
        .prop_flat_map(|keys| keys.into_iter().map(term).collect::<Vec<_>>())
        .prop_map(|mut terms| {
            if !terms
                .iter()
                .any(|t| matches!(t, Term::Equals(..) | Term::In(..) | Term::Has(_)))
            {
                terms.push(Term::Has("team"));
            }
            terms
        })
}

fn ports() -> impl Strategy<Value = Vec<Port>> {
    let metrics = prop_oneof![
        Just(("metrics", "tcp", 9090, 9090)),
        Just(("metrics", "tcp", 9100, 9100))
    ];
    let web = prop_oneof![
        Just(("web", "tcp", 80, 80)),
        Just(("web", "tcp", 8080, 8080))
    ];
    (
        proptest::option::of(web),
        proptest::option::of(metrics),
        proptest::sample::subsequence(
            vec![
                ("dns", "udp", 53, 53),
                ("range", "tcp", 9000, 9010),
                ("sig", "sctp", 5060, 5060),
            ],
            0..=2,
        ),
    )
        .prop_map(|(web, metrics, rest)| web.into_iter().chain(metrics).chain(rest).collect())
}

fn service() -> impl Strategy<Value = Service> {
    (selector(), ports()).prop_map(|(terms, ports)| Service { terms, ports })
}

fn namespaces() -> impl Strategy<Value = Vec<Namespace>> {
    proptest::collection::vec(
        (any::<bool>(), proptest::collection::vec(service(), 1..4)),
        1..3,
    )
    .prop_map(|list| {
        list.into_iter()
            .enumerate()
            .map(|(n, (unmanaged, services))| Namespace {
                managed: n == 0 || !unmanaged,
                services,
            })
            .collect()
    })
}

/// Blocks and holes that nest and overlap: several blocks of one set share
/// addresses, and a hole may lie in more than one of them.
fn external() -> impl Strategy<Value = External> {
    let v4 = (
        vec![
            "10.0.0.0/8",
            "10.1.0.0/16",
            "192.0.2.0/24",
            "198.51.100.0/24",
        ],
        vec![
            "10.1.2.0/24",
            "10.2.0.0/16",
            "192.0.2.128/25",
            "198.51.100.0/28",
        ],
    );
    let v6 = (
        vec!["fd00::/8", "fd00:1::/32", "2001:db8::/32"],
        vec!["fd00:1:2::/48", "fd00:2::/32", "2001:db8:ff::/48"],
    );
    prop_oneof![Just(v4), Just(v6)].prop_flat_map(|(blocks, holes)| {
        (
            proptest::sample::subsequence(blocks, 1..=3),
            proptest::sample::subsequence(holes, 0..=2),
        )
            .prop_map(|(blocks, holes)| {
                let blocks: Vec<IpNet> = blocks.iter().map(|b| b.parse().unwrap()).collect();
                let holes = holes
                    .iter()
                    .map(|h| h.parse::<IpNet>().unwrap())
                    .filter(|h| {
                        let holding = blocks.iter().filter(|b| *b != h && b.contains(h)).count();
                        holding >= 1
                    })
                    .collect();
                External { blocks, holes }
            })
    })
}

/// A rule between endpoints of the program: at least one end in a managed
/// namespace, and a port the destination can take.
fn rule(
    namespaces: &[Namespace],
    externals: usize,
    flow: bool,
) -> impl Strategy<Value = Option<Rule>> + use<> {
    let mut ends = vec![End::AllManaged];
    for (n, namespace) in namespaces.iter().enumerate() {
        ends.push(End::Namespace(n));
        ends.extend((0..namespace.services.len()).map(|s| End::Service(n, s)));
    }
    ends.extend((0..externals).map(End::External));
    let program = Program {
        namespaces: namespaces.to_vec(),
        externals: Vec::new(),
        flows: Vec::new(),
        denies: Vec::new(),
    };
    let literal = prop_oneof![
        Just(PortRef::Literal("tcp", 80, 80)),
        Just(PortRef::Literal("udp", 53, 53)),
        Just(PortRef::Literal("tcp", 9005, 9020)),
        Just(PortRef::Literal("sctp", 5060, 5060)),
    ];
    let choice = (
        proptest::sample::select(ends.clone()),
        proptest::sample::select(ends),
        0..4usize,
        literal,
        proptest::sample::select(vec!["web", "metrics", "dns"]),
    );
    choice.prop_map(move |(src, dst, how, literal, name)| {
        let managed = |end: &End| match end {
            End::Service(n, _) | End::Namespace(n) => program.namespaces[*n].managed,
            End::AllManaged => true,
            End::External(_) => false,
        };
        if !managed(&src) && !managed(&dst) {
            return None;
        }
        let declared = program.services(&dst);
        let has = |name: &str| declared.iter().flat_map(|s| &s.ports).any(|p| p.0 == name);
        let port = match how {
            0 if !flow || has_any(&declared) => PortRef::Unwritten,
            1 if has(name) => PortRef::Named(name),
            2 => PortRef::Any,
            _ => literal,
        };
        Some(Rule { src, dst, port })
    })
}

fn has_any(services: &[&Service]) -> bool {
    services.iter().any(|s| !s.ports.is_empty())
}

fn program() -> impl Strategy<Value = Program> {
    (namespaces(), proptest::collection::vec(external(), 0..3)).prop_flat_map(
        |(namespaces, externals)| {
            let flows = proptest::collection::vec(rule(&namespaces, externals.len(), true), 1..8);
            let denies = proptest::collection::vec(rule(&namespaces, externals.len(), false), 0..3);
            (flows, denies).prop_map(move |(flows, denies)| Program {
                namespaces: namespaces.clone(),
                externals: externals.clone(),
                flows: flows.into_iter().flatten().collect(),
                denies: denies.into_iter().flatten().collect(),
            })
        },
    )
}

/// A label value a YAML 1.1 reader takes for something other than a string.
fn ambiguous(value: &str) -> bool {
    let date = value.len() == 10
        && value.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    date || value.parse::<f64>().is_ok()
        || [
            "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
        ]
        .contains(&value.to_ascii_lowercase().as_str())
}

/// Builds the program and reads its policies back from the YAML it writes.
fn build(program: &mut Program) -> Option<(String, Vec<NetworkPolicy>)> {
    let mut compiled = None;
    for with_denies in [true, false] {
        let text = program.text(with_denies);
        let mut sources = ward::source::Sources::new();
        sources.add("generated.ward", &text);
        if let Some(model) = ward::compile(&sources).model {
            if !with_denies {
                program.denies.clear();
            }
            compiled = Some((text, model, sources));
            break;
        }
    }
    let (text, model, sources) = compiled?;
    let plan = ward::plan::plan(&model);
    let mut policies = Vec::new();
    for emitted in ward::emit::emit(&model, &plan, &sources) {
        let yaml = ward::yaml::to_yaml(&emitted.object).unwrap();
        for line in yaml.lines() {
            let plain = line.trim().trim_start_matches("- ");
            let value = plain.rsplit_once(": ").map_or(plain, |(_, v)| v);
            assert!(
                !(ambiguous(value) && program.label_values().contains(&value)),
                "{text}\nthe YAML writes `{value}` unquoted, which YAML 1.1 readers such as kubectl do not read as a string:\n{yaml}"
            );
        }
        policies.push(ward::yaml::network_policy(&yaml).unwrap());
    }
    Some((text, policies))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10))]

    #[test]
    fn random_programs_allow_exactly_their_flows_on_the_adversarial_world(mut program in program()) {
        let built = build(&mut program);
        prop_assume!(built.is_some());
        let (text, policies) = built.unwrap();
        let mut sources = ward::source::Sources::new();
        sources.add("generated.ward", &text);
        let model = ward::compile(&sources).model.unwrap();
        let world = ward::proof::world::adversarial_world(&model);
        let probes = program.probes();
        let simulated = ward::simulate::World::from_objects(
            world.namespaces.clone(),
            world.pods.clone(),
            policies.clone(),
        )
        .unwrap();
        let oracle = Oracle::new(&world.namespaces, &world.pods, &policies, &simulated);
        let members: Vec<(Endpoint, Member<'_>, bool)> = world
            .members
            .iter()
            .map(|(endpoint, _)| match endpoint {
                Endpoint::External(ip) => (endpoint.clone(), Member::Address(*ip), false),
                Endpoint::Pod(pod) => {
                    let object = world
                        .pods
                        .iter()
                        .find(|p| {
                            p.metadata.name.as_deref() == Some(pod.name.as_str())
                                && p.metadata.namespace.as_deref() == Some(pod.namespace.as_str())
                        })
                        .unwrap();
                    let ip = object
                        .status
                        .as_ref()
                        .and_then(|s| s.pod_ip.as_ref())
                        .and_then(|ip| ip.parse().ok());
                    let ports = object
                        .spec
                        .iter()
                        .flat_map(|spec| &spec.containers)
                        .flat_map(|c| c.ports.iter().flatten())
                        .filter_map(|p| {
                            let protocol = match p.protocol.as_deref() {
                                Some("UDP") => Protocol::Udp,
                                Some("SCTP") => Protocol::Sctp,
                                _ => Protocol::Tcp,
                            };
                            Some((p.name.as_deref()?, u16::try_from(p.container_port).ok()?, protocol))
                        })
                        .collect();
                    let member = Member::Pod {
                        namespace: &pod.namespace,
                        labels: object.metadata.labels.as_ref().unwrap(),
                        ip,
                        ports,
                    };
                    (endpoint.clone(), member, program.managed(&pod.namespace))
                }
            })
            .collect();
        let mut wrong = Vec::new();
        for (src_end, src, src_managed) in &members {
            for (dst_end, dst, dst_managed) in &members {
                if !src_managed && !dst_managed {
                    continue;
                }
                for probe in &probes {
                    let allowed = oracle.allowed(src_end, dst_end, *probe).unwrap();
                    let declared = program.declares(src, dst, *probe);
                    if allowed != declared.is_some() {
                        wrong.push(match declared {
                            Some(f) => format!(
                                "{src_end} -> {dst_end} on {probe}: blocked, but `flow {}` declares it",
                                program.rule_text(&program.flows[f])
                            ),
                            None => format!("{src_end} -> {dst_end} on {probe}: allowed, but no flow declares it"),
                        });
                    }
                    if let (true, Some(d)) = (allowed, program.forbids(src, dst, *probe)) {
                        wrong.push(format!(
                            "{src_end} -> {dst_end} on {probe}: allowed, but `deny {}` forbids it",
                            program.rule_text(&program.denies[d])
                        ));
                    }
                }
            }
        }
        prop_assert!(
            wrong.is_empty(),
            "{text}\n{} wrong verdicts, the first ones:\n{}",
            wrong.len(),
            wrong.iter().take(12).cloned().collect::<Vec<_>>().join("\n")
        );
    }
}
