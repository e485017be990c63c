//! Synthetic programs: realistic, valid and deterministic by seed, for the
//! benchmarks, the tests and the fuzzers' seed corpus
//! (`cargo run --release --example generate -- --services 5000 --flows 20000`).
//!
//! A program has an `observability` namespace (a collector every pod sends
//! telemetry to, a Prometheus that scrapes namespaces), a ring of team
//! namespaces of varied sizes whose services call their own namespace and
//! their next neighbours, unmanaged `kube-system` (DNS) and vendor
//! namespaces, the internet, a VPN and partner networks (IPv4 and IPv6, with
//! `except` holes), custom controls mapped to SOC 2 criteria, and `deny`
//! invariants drawn only between namespaces that no flow connects (and two
//! that hold by construction). Every flow cites a network-relevant control
//! and says why; no two flows open the same ports between the same ends;
//! with a few more flows than services (`Config::sized` makes four per
//! service), every definition is used, so the program checks without a
//! diagnostic.
//!
//! Pure: a function of the [`Config`], using its own [`Rng`]. Must not know
//! about checking or output; it only writes source text.

mod rng;

pub use rng::Rng;

use crate::source::Sources;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Services in managed namespaces (at least 3 are made).
    pub services: usize,
    /// Flows (fewer when the program is too small to hold that many
    /// distinct flows).
    pub flows: usize,
    /// The seed: the same config always gives the same text.
    pub seed: u64,
}

impl Config {
    /// `services` services, `flows` flows, from `seed`.
    pub fn new(services: usize, flows: usize, seed: u64) -> Self {
        Self {
            services,
            flows,
            seed,
        }
    }

    /// `services` services and four flows per service, from `seed`.
    pub fn sized(services: usize, seed: u64) -> Self {
        Self::new(services, services.saturating_mul(4), seed)
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::sized(100, 1)
    }
}

/// The program's text.
pub fn program(config: &Config) -> String {
    Generator::new(config).run()
}

/// The program as one file, `generated.ward`.
pub fn sources(config: &Config) -> Sources {
    let mut sources = Sources::new();
    sources.add("generated.ward", program(config));
    sources
}

/// Services per team namespace, on average.
const SERVICES_PER_NAMESPACE: usize = 20;

const NAMESPACE_WORDS: &[&str] = &[
    "shop",
    "payments",
    "billing",
    "search",
    "catalog",
    "identity",
    "orders",
    "shipping",
    "ledger",
    "risk",
    "notify",
    "media",
    "analytics",
    "support",
    "inventory",
    "pricing",
    "reviews",
    "ads",
    "accounts",
    "gateway",
    "fraud",
    "loyalty",
    "tax",
    "returns",
];

const SERVICE_WORDS: &[&str] = &[
    "api", "web", "worker", "db", "cache", "queue", "cron", "admin", "grpc", "events", "store",
    "proxy", "auth", "export", "import", "sync", "report", "index", "feed", "render",
];

/// A port kind: name, how it is written, protocol (`t`, `u`, `s`), range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PortKind {
    name: &'static str,
    written: &'static str,
    protocol: char,
    first: u16,
    last: u16,
}

const fn port(
    name: &'static str,
    written: &'static str,
    protocol: char,
    first: u16,
    last: u16,
) -> PortKind {
    PortKind {
        name,
        written,
        protocol,
        first,
        last,
    }
}

const HTTP: PortKind = port("http", "8080", 't', 8080, 8080);
const HTTPS: PortKind = port("https", "8443/tcp", 't', 8443, 8443);
const GRPC: PortKind = port("grpc", "9000", 't', 9000, 9000);
const METRICS: PortKind = port("metrics", "9090", 't', 9090, 9090);
const HEALTH: PortKind = port("health", "8081/tcp", 't', 8081, 8081);
const PG: PortKind = port("pg", "5432", 't', 5432, 5432);
const REDIS: PortKind = port("redis", "6379", 't', 6379, 6379);
const AMQP: PortKind = port("amqp", "5672/tcp", 't', 5672, 5672);
const KAFKA: PortKind = port("kafka", "9092", 't', 9092, 9092);
const STATSD: PortKind = port("statsd", "8125/udp", 'u', 8125, 8125);
const HOOKS: PortKind = port("hooks", "8000-8010", 't', 8000, 8010);
const DIAMETER: PortKind = port("diameter", "3868/sctp", 's', 3868, 3868);
const ADMIN: PortKind = port("admin", "9443/tcp", 't', 9443, 9443);
const OTLP: PortKind = port("otlp", "4317", 't', 4317, 4317);
const OTLP_HTTP: PortKind = port("otlp-http", "4318", 't', 4318, 4318);
const DNS: PortKind = port("dns", "53/udp", 'u', 53, 53);
const DNS_TCP: PortKind = port("dns-tcp", "53/tcp", 't', 53, 53);
const VENDOR_API: PortKind = port("api", "7443/tcp", 't', 7443, 7443);
const RELAY: PortKind = port("relay", "7000", 't', 7000, 7000);

/// The main port of a service named after `word`.
fn primary_port(word: &str) -> PortKind {
    match word {
        "db" | "store" => PG,
        "cache" => REDIS,
        "queue" => AMQP,
        "events" | "feed" => KAFKA,
        "grpc" | "sync" | "index" => GRPC,
        "admin" => ADMIN,
        "api" | "auth" | "proxy" => HTTPS,
        _ => HTTP,
    }
}

/// Custom controls: id, statement, the criteria they map to.
const CONTROLS: &[(&str, &str, &str)] = &[
    ("NET-01", "Workload segmentation", "CC6.1, CC6.6"),
    ("NET-02", "Encryption in transit", "CC6.7"),
    ("DATA-01", "Access to confidential data", "C1.1, CC6.1"),
    ("OPS-01", "Capacity monitoring", "A1.2"),
    ("SEC-07", "Boundary protection", "CC6.6, CC6.7"),
];

/// What flows cite: each list holds a network-relevant criterion, and every
/// custom control appears in some list.
const CITATIONS: &[&str] = &[
    "CC6.1",
    "NET-01",
    "CC6.6",
    "NET-02, OPS-01",
    "CC6.7",
    "DATA-01",
    "CC6.1, C1.1",
    "SEC-07",
    "NET-01, CC6.7",
    "CC6.6, A1.2",
    "CC6.1, NET-02",
    "CC6.1, CC6.7",
    "CC6.6, CC7.2",
];

const VERBS: &[&str] = &[
    "calls",
    "reads from",
    "writes to",
    "publishes to",
    "queries",
    "streams to",
    "syncs with",
    "reports to",
];

const PURPOSES: &[&str] = &[
    "to serve customer requests",
    "for nightly reconciliation",
    "to keep the search index fresh",
    "for fraud scoring",
    "to render the storefront",
    "for audit logging",
    "to settle payments",
    "for capacity planning",
];

/// A namespace being generated.
#[derive(Debug)]
struct Ns {
    name: String,
    managed: bool,
    services: Vec<Svc>,
}

/// A service being generated.
#[derive(Debug)]
struct Svc {
    name: String,
    selector: String,
    ports: Vec<PortKind>,
}

/// An external being generated.
#[derive(Debug)]
struct Ext {
    name: String,
    text: String,
}

/// One end of a flow or `deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// `ns.svc`, by indices.
    Svc(usize, usize),
    /// `ns.*`.
    Ns(usize),
    /// `*.*`.
    All,
    /// An external, by index.
    Ext(usize),
}

/// A flow being generated.
#[derive(Debug)]
struct FlowSpec {
    src: End,
    dst: End,
    /// `:https`, `:5432`, or empty.
    port: String,
    /// The ports it opens: (protocol, first, last), sorted.
    opens: Vec<(char, u16, u16)>,
}

/// Which namespaces the flows connect, to draw `deny`s that none breaks.
#[derive(Debug, Default)]
struct Reach {
    /// (source namespace, destination namespace) of pod ends.
    pairs: BTreeSet<(usize, usize)>,
    /// Namespaces some `*.*` flow reaches.
    from_all: BTreeSet<usize>,
    /// Namespaces some external reaches.
    from_external: BTreeSet<usize>,
    /// Namespaces that reach some external.
    to_external: BTreeSet<usize>,
}

struct Generator {
    config: Config,
    rng: Rng,
    /// Unmanaged namespaces first (`kube-system`, vendors), then
    /// `observability`, then the team namespaces.
    namespaces: Vec<Ns>,
    /// The index of `observability`.
    observability: usize,
    /// The indices of the team namespaces, in ring order.
    teams: Vec<usize>,
    /// Team namespaces that take traffic from outside.
    edge: BTreeSet<usize>,
    externals: Vec<Ext>,
    out: String,
}

/// The name for the `index`-th use of a list of words: `word`, then
/// `word-2`, `word-3`...
fn nth_name(words: &[&str], index: usize) -> String {
    let word = words
        .get(index % words.len().max(1))
        .copied()
        .unwrap_or("x");
    let round = index / words.len().max(1);
    if round == 0 {
        word.to_string()
    } else {
        format!("{word}-{}", round + 1)
    }
}

impl Generator {
    fn new(config: &Config) -> Self {
        Self {
            config: *config,
            rng: Rng::new(config.seed),
            namespaces: Vec::new(),
            observability: 0,
            teams: Vec::new(),
            edge: BTreeSet::new(),
            externals: Vec::new(),
            out: String::new(),
        }
    }

    fn line(&mut self, args: std::fmt::Arguments<'_>) {
        let _ = self.out.write_fmt(args);
        self.out.push('\n');
    }

    fn run(mut self) -> String {
        self.define();
        let services = self.managed_services().len();
        let Config { flows, seed, .. } = self.config;
        self.line(format_args!(
            "# Generated by ward::gen: {services} services, at most {flows} flows, seed {seed}."
        ));
        self.line(format_args!("system \"Synthetic platform (seed {seed})\""));
        self.line(format_args!("baseline controls CC6.1, CC6.6"));
        self.line(format_args!(""));
        for (id, title, maps) in CONTROLS {
            self.line(format_args!("control {id} \"{title}\" maps {maps}"));
        }
        self.write_definitions();
        let mut reach = Reach::default();
        let flows = self.flows(&mut reach);
        self.line(format_args!(""));
        for (index, flow) in flows.iter().enumerate() {
            self.write_flow(index, flow);
        }
        self.line(format_args!(""));
        for deny in self.denies(&reach, flows.len()) {
            self.line(format_args!("deny {deny}"));
        }
        self.out
    }

    // ---- definitions -----------------------------------------------------

    fn define(&mut self) {
        let services = self.config.services.max(3);
        self.namespaces.push(Ns {
            name: "kube-system".to_string(),
            managed: false,
            services: vec![Svc {
                name: "dns".to_string(),
                selector: "k8s-app=kube-dns".to_string(),
                ports: vec![DNS, DNS_TCP],
            }],
        });
        for vendor in 0..1 + services / 1000 {
            let name = format!("vendor-{}", vendor + 1);
            self.namespaces.push(Ns {
                services: vec![
                    Svc {
                        name: "agent".to_string(),
                        selector: format!("app={name}-agent"),
                        ports: vec![VENDOR_API],
                    },
                    Svc {
                        name: "relay".to_string(),
                        selector: format!("app={name}-relay, has version"),
                        ports: vec![RELAY, METRICS],
                    },
                ],
                name,
                managed: false,
            });
        }
        self.observability = self.namespaces.len();
        self.namespaces.push(Ns {
            name: "observability".to_string(),
            managed: true,
            services: vec![
                Svc {
                    name: "collector".to_string(),
                    selector: "app.kubernetes.io/name=otel-collector".to_string(),
                    ports: vec![OTLP, OTLP_HTTP, METRICS],
                },
                Svc {
                    name: "prometheus".to_string(),
                    selector:
                        "app.kubernetes.io/name=prometheus, app.kubernetes.io/component=server"
                            .to_string(),
                    ports: vec![HTTP],
                },
            ],
        });
        let remaining = services - 2;
        let teams = (remaining / SERVICES_PER_NAMESPACE).clamp(1, remaining);
        // Each team gets one service, the rest go by random weights, so
        // sizes vary from a handful to several times the average.
        let weights: Vec<usize> = (0..teams).map(|_| 1 + self.rng.below(6)).collect();
        let total: usize = weights.iter().sum();
        let mut sizes = vec![1usize; teams];
        for _ in 0..remaining - teams {
            let mut roll = self.rng.below(total);
            for (size, weight) in sizes.iter_mut().zip(&weights) {
                if roll < *weight {
                    *size += 1;
                    break;
                }
                roll -= weight;
            }
        }
        for (team, size) in sizes.into_iter().enumerate() {
            let index = self.namespaces.len();
            let name = nth_name(NAMESPACE_WORDS, team);
            let key = if self.rng.chance(30) {
                "app.kubernetes.io/name"
            } else {
                "app"
            };
            let services = (0..size).map(|s| self.service(&name, key, s)).collect();
            self.namespaces.push(Ns {
                name,
                managed: true,
                services,
            });
            self.teams.push(index);
            if team == 0 || self.rng.chance(25) {
                self.edge.insert(index);
            }
        }
        self.define_externals(services);
    }

    fn service(&mut self, namespace: &str, key: &str, index: usize) -> Svc {
        let name = nth_name(SERVICE_WORDS, index);
        let word = SERVICE_WORDS
            .get(index % SERVICE_WORDS.len())
            .copied()
            .unwrap_or("api");
        let mut terms = vec![format!("{key}={name}")];
        if self.rng.chance(25) {
            let tier = self
                .rng
                .pick(&["web", "api", "data", "batch"])
                .copied()
                .unwrap_or("web");
            terms.push(format!("tier={tier}"));
        } else if self.rng.chance(10) {
            terms.push("tier in (api, backend)".to_string());
        }
        if self.rng.chance(15) {
            terms.push("has version".to_string());
        }
        if self.rng.chance(10) {
            terms.push("!canary".to_string());
        } else if self.rng.chance(8) {
            terms.push("track notin (canary, shadow)".to_string());
        }
        if self.rng.chance(10) {
            terms.push(format!("team={namespace}"));
        }
        let mut ports = vec![primary_port(word)];
        let extras = [
            (METRICS, 40),
            (HEALTH, 15),
            (GRPC, 10),
            (STATSD, 5),
            (HOOKS, 5),
            (DIAMETER, 2),
        ];
        for (kind, percent) in extras {
            if self.rng.chance(percent) && !ports.iter().any(|p| p.name == kind.name) {
                ports.push(kind);
            }
        }
        Svc {
            name,
            selector: terms.join(", "),
            ports,
        }
    }

    fn define_externals(&mut self, services: usize) {
        self.externals.push(Ext {
            name: "internet".to_string(),
            text: "0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10"
                .to_string(),
        });
        self.externals.push(Ext {
            name: "corp-vpn".to_string(),
            text: "10.8.0.0/16, 10.9.0.0/16 except 10.9.255.0/24".to_string(),
        });
        for partner in 1..=1 + services / 200 {
            let (high, low) = (partner / 256 % 256, partner % 256);
            let text = match partner % 4 {
                0 => format!("2001:db8:{partner:x}::/48 except 2001:db8:{partner:x}:ff::/64"),
                1 => format!("52.{high}.{low}.0/24 except 52.{high}.{low}.128/25"),
                2 => format!("54.{high}.{low}.10/32, 54.{high}.{low}.11/32"),
                _ => format!(
                    "35.{high}.{low}.0/24, 34.{high}.{low}.0/25 except 34.{high}.{low}.0/28"
                ),
            };
            self.externals.push(Ext {
                name: format!("partner-{partner}"),
                text,
            });
        }
    }

    fn write_definitions(&mut self) {
        let mut text = String::new();
        for ns in &self.namespaces {
            let _ = writeln!(
                text,
                "\nnamespace {}{} {{",
                ns.name,
                if ns.managed { "" } else { " unmanaged" }
            );
            let width = ns.services.iter().map(|s| s.name.len()).max().unwrap_or(0);
            for svc in &ns.services {
                let ports: Vec<String> = svc
                    .ports
                    .iter()
                    .map(|p| format!("{} {}", p.name, p.written))
                    .collect();
                let _ = writeln!(
                    text,
                    "  service {:width$} {{ pods {}  ports {} }}",
                    svc.name,
                    svc.selector,
                    ports.join(", ")
                );
            }
            text.push_str("}\n");
        }
        text.push('\n');
        let width = self
            .externals
            .iter()
            .map(|e| e.name.len())
            .max()
            .unwrap_or(0);
        for ext in &self.externals {
            let _ = writeln!(text, "external {:width$} = {}", ext.name, ext.text);
        }
        self.out.push_str(&text);
    }

    // ---- flows -----------------------------------------------------------

    fn managed_services(&self) -> Vec<(usize, usize)> {
        self.teams
            .iter()
            .chain(std::iter::once(&self.observability))
            .flat_map(|&ns| {
                let count = self.namespaces.get(ns).map_or(0, |n| n.services.len());
                (0..count).map(move |s| (ns, s))
            })
            .collect()
    }

    fn services_of(&self, ns: usize) -> usize {
        self.namespaces.get(ns).map_or(0, |n| n.services.len())
    }

    fn svc(&self, ns: usize, svc: usize) -> Option<&Svc> {
        self.namespaces.get(ns)?.services.get(svc)
    }

    fn random_service_in(&mut self, ns: usize) -> End {
        let count = self.services_of(ns);
        End::Svc(ns, self.rng.below(count))
    }

    /// A team namespace one or two steps after `ns` in the ring (or `ns`
    /// itself when there is only one).
    fn neighbour(&mut self, ns: usize) -> usize {
        let count = self.teams.len();
        let at = self.teams.iter().position(|&t| t == ns).unwrap_or(0);
        let step = if count > 1 {
            1 + self.rng.below(2.min(count - 1))
        } else {
            0
        };
        self.teams
            .get((at + step) % count.max(1))
            .copied()
            .unwrap_or(ns)
    }

    fn random_team(&mut self) -> usize {
        self.rng.pick(&self.teams).copied().unwrap_or(0)
    }

    fn random_edge(&mut self) -> usize {
        let edge: Vec<usize> = self.edge.iter().copied().collect();
        self.rng.pick(&edge).copied().unwrap_or(0)
    }

    fn random_team_service(&mut self) -> End {
        let ns = self.random_team();
        self.random_service_in(ns)
    }

    /// The ports written after a destination service, and what they open.
    fn port_towards(&mut self, ns: usize, svc: usize) -> (String, Vec<(char, u16, u16)>) {
        let ports = self
            .svc(ns, svc)
            .map(|s| s.ports.clone())
            .unwrap_or_default();
        let managed = self.namespaces.get(ns).is_some_and(|n| n.managed);
        let Some(chosen) = self.rng.pick(&ports).copied() else {
            return (String::new(), Vec::new());
        };
        let one = vec![(chosen.protocol, chosen.first, chosen.last)];
        let roll = if managed { self.rng.below(100) } else { 0 };
        match roll {
            0..55 => (format!(":{}", chosen.name), one),
            55..75 => {
                let mut all: Vec<(char, u16, u16)> = ports
                    .iter()
                    .map(|p| (p.protocol, p.first, p.last))
                    .collect();
                all.sort_unstable();
                all.dedup();
                (String::new(), all)
            }
            // A literal the service declares (W0011 warns on any other).
            _ => (format!(":{}", chosen.written), one),
        }
    }

    /// A flow from `src` to a service `dst`, with a port drawn for it.
    fn flow_to_service(&mut self, src: End, dst: End) -> FlowSpec {
        let (port, opens) = match dst {
            End::Svc(ns, svc) => self.port_towards(ns, svc),
            _ => (String::new(), Vec::new()),
        };
        FlowSpec {
            src,
            dst,
            port,
            opens,
        }
    }

    fn literal(src: End, dst: End, port: &str, opens: (char, u16, u16)) -> FlowSpec {
        FlowSpec {
            src,
            dst,
            port: format!(":{port}"),
            opens: vec![opens],
        }
    }

    /// A random flow; `focus` (a service or an external) takes part in it.
    fn flow(&mut self, focus: Option<End>) -> FlowSpec {
        let unmanaged: Vec<usize> = (0..self.observability).collect();
        match focus {
            Some(End::Ext(e)) => {
                // Externals the world reaches over TLS, or that reach an edge.
                if e == 1 || self.rng.chance(40) {
                    let ns = if e == 1 {
                        self.random_team()
                    } else {
                        self.random_edge()
                    };
                    let dst = self.random_service_in(ns);
                    return self.flow_to_service(End::Ext(e), dst);
                }
                let src = self.random_team_service();
                return Self::literal(src, End::Ext(e), "443/tcp", ('t', 443, 443));
            }
            Some(End::Svc(ns, _)) if unmanaged.contains(&ns) => {
                let src = self.random_team_service();
                let dst = focus.unwrap_or(End::All);
                return self.flow_to_service(src, dst);
            }
            _ => {}
        }
        let kind = self.rng.weighted(&[40, 22, 6, 4, 5, 5, 5, 3]);
        let pick_src = |g: &mut Self| match focus {
            Some(end) => end,
            None => g.random_team_service(),
        };
        match kind {
            // Within a namespace, or across to a neighbour (focus either end).
            0 | 1 => {
                let focus_is_dst = focus.is_some() && self.rng.chance(50);
                let anchor = pick_src(self);
                let End::Svc(ns, svc) = anchor else {
                    return self.flow(None);
                };
                let other_ns = if kind == 0 && self.services_of(ns) > 1 {
                    ns
                } else {
                    self.neighbour(ns)
                };
                let mut other = self.random_service_in(other_ns);
                if other == anchor {
                    let count = self.services_of(ns);
                    other = End::Svc(ns, (svc + 1) % count.max(1));
                }
                if focus_is_dst {
                    self.flow_to_service(other, anchor)
                } else {
                    self.flow_to_service(anchor, other)
                }
            }
            // To a partner or the internet, over TLS.
            2 => {
                let src = pick_src(self);
                let partner = if self.rng.chance(30) {
                    0
                } else {
                    2 + self.rng.below(self.externals.len().saturating_sub(2))
                };
                Self::literal(src, End::Ext(partner), "443/tcp", ('t', 443, 443))
            }
            // From outside to an edge service (or the focus, over the VPN).
            3 => {
                let (src, dst) = match focus {
                    Some(dst) => (End::Ext(1), dst),
                    None => {
                        let ns = self.random_edge();
                        let e = if self.rng.chance(50) {
                            0
                        } else {
                            2 + self.rng.below(self.externals.len().saturating_sub(2))
                        };
                        (End::Ext(e), self.random_service_in(ns))
                    }
                };
                self.flow_to_service(src, dst)
            }
            // Prometheus scrapes a namespace (the focus is then a client).
            4 if focus.is_none() => {
                let ns = self.random_team();
                let prometheus = End::Svc(self.observability, 1);
                Self::literal(prometheus, End::Ns(ns), "9090/tcp", ('t', 9090, 9090))
            }
            // Every pod of a namespace calls a neighbour's service.
            4 | 5 => {
                let dst = pick_src(self);
                let End::Svc(ns, _) = dst else {
                    return self.flow(None);
                };
                let from = self.neighbour(ns);
                self.flow_to_service(End::Ns(from), dst)
            }
            // To a vendor's agent.
            6 => {
                let src = pick_src(self);
                let vendor = 1 + self.rng.below(self.observability.saturating_sub(1));
                let dst = self.random_service_in(vendor);
                self.flow_to_service(src, dst)
            }
            // A port range to every pod of the source's namespace (a
            // literal range to one service would be one it does not declare).
            _ => {
                let src = pick_src(self);
                let End::Svc(ns, _) = src else {
                    return self.flow(None);
                };
                Self::literal(src, End::Ns(ns), "8000-8080/tcp", ('t', 8000, 8080))
            }
        }
    }

    fn flows(&mut self, reach: &mut Reach) -> Vec<FlowSpec> {
        let mut flows = vec![
            FlowSpec {
                src: End::All,
                dst: End::Svc(0, 0),
                port: String::new(),
                opens: vec![('t', 53, 53), ('u', 53, 53)],
            },
            Self::literal(
                End::All,
                End::Svc(self.observability, 0),
                "otlp",
                ('t', 4317, 4317),
            ),
        ];
        flows.truncate(self.config.flows);
        // Every external and service takes part in some flow, first (the
        // few shared ones before the many of the teams).
        let mut focus: Vec<End> = (0..self.externals.len()).map(End::Ext).collect();
        for ns in 1..self.observability {
            for svc in 0..self.services_of(ns) {
                focus.push(End::Svc(ns, svc));
            }
        }
        let mut services = self.managed_services();
        services.rotate_right(self.services_of(self.observability));
        focus.extend(services.into_iter().map(|(ns, svc)| End::Svc(ns, svc)));
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for flow in &flows {
            seen.insert(self.key(flow));
            reach.record(flow);
        }
        let mut attempts = self.config.flows.saturating_mul(4);
        while flows.len() < self.config.flows && attempts > 0 {
            attempts -= 1;
            let wanted = focus.get(flows.len().saturating_sub(2)).copied();
            let flow = self.flow(wanted);
            if flow.src == flow.dst || !seen.insert(self.key(&flow)) {
                continue;
            }
            reach.record(&flow);
            flows.push(flow);
        }
        flows
    }

    /// What makes two flows the same: the ends and the ports opened.
    fn key(&self, flow: &FlowSpec) -> String {
        format!(
            "{} {} {:?}",
            self.end(flow.src),
            self.end(flow.dst),
            flow.opens
        )
    }

    fn end(&self, end: End) -> String {
        match end {
            End::Svc(ns, svc) => format!(
                "{}.{}",
                self.namespaces.get(ns).map_or("", |n| n.name.as_str()),
                self.svc(ns, svc).map_or("", |s| s.name.as_str())
            ),
            End::Ns(ns) => format!(
                "{}.*",
                self.namespaces.get(ns).map_or("", |n| n.name.as_str())
            ),
            End::All => "*.*".to_string(),
            End::Ext(e) => self
                .externals
                .get(e)
                .map_or_else(String::new, |x| x.name.clone()),
        }
    }

    fn short(&self, end: End) -> String {
        match end {
            End::Svc(ns, svc) => format!(
                "{} {}",
                self.namespaces.get(ns).map_or("", |n| n.name.as_str()),
                self.svc(ns, svc).map_or("", |s| s.name.as_str())
            ),
            End::Ns(ns) => format!(
                "every {} pod",
                self.namespaces.get(ns).map_or("", |n| n.name.as_str())
            ),
            End::All => "every pod".to_string(),
            End::Ext(_) => self.end(end),
        }
    }

    fn write_flow(&mut self, index: usize, flow: &FlowSpec) {
        let citations = if index < 2 {
            "CC6.6"
        } else if index < 2 + CITATIONS.len() {
            CITATIONS.get(index - 2).copied().unwrap_or("CC6.1")
        } else {
            self.rng.pick(CITATIONS).copied().unwrap_or("CC6.1")
        };
        let because = match index {
            0 => "Name resolution".to_string(),
            1 => "Telemetry export to the collector".to_string(),
            _ => {
                let verb = self.rng.pick(VERBS).copied().unwrap_or("calls");
                let purpose = self.rng.pick(PURPOSES).copied().unwrap_or("");
                format!(
                    "{} {verb} {} {purpose}",
                    self.short(flow.src),
                    self.short(flow.dst)
                )
            }
        };
        let (src, dst) = (self.end(flow.src), self.end(flow.dst));
        self.line(format_args!("flow {src} -> {dst}{}", flow.port));
        self.line(format_args!("  controls {citations} because \"{because}\""));
    }

    // ---- invariants ------------------------------------------------------

    /// `deny`s that no flow breaks: between team namespaces no flow
    /// connects, and between the internet and namespaces no external flow
    /// touches.
    fn denies(&mut self, reach: &Reach, flows: usize) -> Vec<String> {
        let wanted = (flows / 100).max(2);
        let mut denies: BTreeSet<String> = BTreeSet::new();
        // Two that hold by construction: no flow starts in a vendor's
        // namespace, and only `*.*` flows reach `kube-system`.
        let team = self.teams.first().copied().unwrap_or(0);
        let mut ordered = vec![
            format!("vendor-1.* -> {}", self.end(End::Ns(team))),
            "internet -> kube-system.*".to_string(),
        ];
        denies.extend(ordered.iter().cloned());
        let mut attempts = wanted.saturating_mul(20);
        while ordered.len() < wanted && attempts > 0 {
            attempts -= 1;
            let Some(deny) = self.deny(reach) else {
                continue;
            };
            if denies.insert(deny.clone()) {
                ordered.push(deny);
            }
        }
        ordered
    }

    fn deny(&mut self, reach: &Reach) -> Option<String> {
        match self.rng.below(4) {
            0 => {
                let b = self.random_team();
                let ok = !reach.from_external.contains(&b) && !reach.from_all.contains(&b);
                ok.then(|| format!("internet -> {}", self.end(End::Ns(b))))
            }
            1 => {
                let a = self.random_team();
                (!reach.to_external.contains(&a))
                    .then(|| format!("{} -> internet", self.end(End::Ns(a))))
            }
            _ => {
                let (a, b) = (self.random_team(), self.random_team());
                if a == b || reach.pairs.contains(&(a, b)) || reach.from_all.contains(&b) {
                    return None;
                }
                let src = if self.rng.chance(50) {
                    End::Ns(a)
                } else {
                    self.random_service_in(a)
                };
                let (dst, port) = match self.rng.below(3) {
                    0 => (End::Ns(b), String::new()),
                    1 => (End::Ns(b), ":22/tcp".to_string()),
                    _ => {
                        let dst = self.random_service_in(b);
                        let End::Svc(ns, svc) = dst else {
                            return None;
                        };
                        let name = self
                            .svc(ns, svc)
                            .and_then(|s| s.ports.first())
                            .map_or("", |p| p.name);
                        (dst, format!(":{name}"))
                    }
                };
                Some(format!("{} -> {}{port}", self.end(src), self.end(dst)))
            }
        }
    }
}

impl Reach {
    /// Notes which namespaces `flow` connects. `*.*` sources reach every
    /// managed namespace: their destinations get no `deny` at all.
    fn record(&mut self, flow: &FlowSpec) {
        let namespace = |end: End| match end {
            End::Svc(ns, _) | End::Ns(ns) => Some(ns),
            End::All | End::Ext(_) => None,
        };
        match (flow.src, namespace(flow.dst)) {
            (End::All, Some(dst)) => {
                self.from_all.insert(dst);
            }
            (End::Ext(_), Some(dst)) => {
                self.from_external.insert(dst);
            }
            (src, Some(dst)) => {
                if let Some(src) = namespace(src) {
                    self.pairs.insert((src, dst));
                }
            }
            (src, None) => {
                if let (Some(src), End::Ext(_)) = (namespace(src), flow.dst) {
                    self.to_external.insert(src);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Config, program};

    #[test]
    fn the_same_seed_gives_the_same_program() {
        let config = Config::new(60, 200, 9);
        assert_eq!(program(&config), program(&config));
        assert_ne!(program(&config), program(&Config::new(60, 200, 10)));
    }

    #[test]
    fn tiny_configs_still_make_a_program() {
        for services in 0..5 {
            for flows in 0..5 {
                let text = program(&Config::new(services, flows, 1));
                assert!(text.contains("namespace observability"));
            }
        }
    }
}
