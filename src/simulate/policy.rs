//! One NetworkPolicy, defaulted and validated as the API server would, in a
//! form that no longer needs the world: selectors compiled, `policyTypes`
//! inferred, protocols defaulted, ipBlocks parsed and interned.
//!
//! Owns the reading of a single policy's spec and the matching of ports and
//! ipBlocks; it must not know pods or classes (the world resolves selectors).

use super::error::{Invalid, invalid};
use super::probe::{Probe, Protocol};
use super::selector::Selector;
use indexmap::IndexSet;
use ipnet::IpNet;
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::net::IpAddr;

/// An ipBlock: a CIDR minus its exceptions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct IpBlock {
    cidr: IpNet,
    except: Vec<IpNet>,
}

impl IpBlock {
    /// Whether `ip` is inside the CIDR and outside every exception.
    pub(crate) fn contains(&self, ip: &IpAddr) -> bool {
        self.cidr.contains(ip) && !self.except.iter().any(|net| net.contains(ip))
    }
}

/// A port of a container: what named ports resolve against.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ContainerPort {
    pub(crate) port: u16,
    pub(crate) protocol: Protocol,
    pub(crate) name: Option<String>,
}

/// One entry of a rule's `ports`, after defaulting the protocol to TCP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PortMatch {
    /// Every port of the protocol (`port` omitted).
    All(Protocol),
    /// Ports `first..=last` (`port`, or `port` to `endPort`).
    Range(Protocol, u16, u16),
    /// A container port of the destination pod, by name and protocol.
    Named(Protocol, String),
}

impl PortMatch {
    /// Whether the probe matches when the destination has `destination`'s
    /// container ports (`None` for an address outside the cluster: a named
    /// port never matches it).
    pub(crate) fn matches(&self, probe: Probe, destination: Option<&[ContainerPort]>) -> bool {
        match self {
            Self::All(protocol) => *protocol == probe.protocol,
            Self::Range(protocol, first, last) => {
                *protocol == probe.protocol && (*first..=*last).contains(&probe.port)
            }
            Self::Named(protocol, name) => {
                *protocol == probe.protocol
                    && destination.is_some_and(|ports| {
                        ports.iter().any(|port| {
                            port.port == probe.port
                                && port.protocol == *protocol
                                && port.name.as_deref() == Some(name.as_str())
                        })
                    })
            }
        }
    }

    /// Whether the match does not depend on the destination.
    pub(crate) fn is_numeric(&self) -> bool {
        !matches!(self, Self::Named(..))
    }
}

/// Whether a rule's ports (`None`: every port) let the probe through.
pub(crate) fn ports_match(
    ports: Option<&[PortMatch]>,
    probe: Probe,
    destination: Option<&[ContainerPort]>,
) -> bool {
    ports.is_none_or(|ports| ports.iter().any(|port| port.matches(probe, destination)))
}

/// One peer of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PeerSpec {
    /// Pods chosen by labels: in the namespaces `namespaces` selects, or in
    /// the policy's own namespace when it is `None`.
    Pods {
        namespaces: Option<Selector>,
        pods: Selector,
    },
    /// Addresses (and pods whose IP is) inside an ipBlock, by its index in
    /// the world's table of blocks.
    Block(usize),
}

/// One ingress or egress rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RuleSpec {
    /// `None`: every peer (`from`/`to` omitted or empty).
    pub(crate) peers: Option<Vec<PeerSpec>>,
    /// `None`: every port and protocol (`ports` omitted or empty).
    pub(crate) ports: Option<Vec<PortMatch>>,
}

/// A validated policy, with `policyTypes` applied: `ingress` is `Some`
/// exactly when the policy isolates the pods it selects for ingress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PolicySpec {
    pub(crate) selector: Selector,
    pub(crate) ingress: Option<Vec<RuleSpec>>,
    pub(crate) egress: Option<Vec<RuleSpec>>,
}

/// Reads a policy's spec; ipBlocks are interned in `blocks`. Errors name the
/// field by its path in the object.
pub(crate) fn read_policy(
    policy: &NetworkPolicy,
    blocks: &mut IndexSet<IpBlock>,
) -> Result<PolicySpec, Invalid> {
    let spec = policy.spec.clone().unwrap_or_default();
    let selector = Selector::compile(&spec.pod_selector.unwrap_or_default(), "spec.podSelector")?;
    let ingress_rules = spec.ingress.unwrap_or_default();
    let egress_rules = spec.egress.unwrap_or_default();
    let (mut has_ingress, mut has_egress) = (false, false);
    match spec.policy_types.as_deref() {
        // The API server's defaulting: Ingress always, Egress when there
        // are egress rules.
        None | Some([]) => {
            has_ingress = true;
            has_egress = !egress_rules.is_empty();
        }
        Some(types) => {
            for (index, kind) in types.iter().enumerate() {
                match kind.as_str() {
                    "Ingress" => has_ingress = true,
                    "Egress" => has_egress = true,
                    other => {
                        return invalid(format!(
                            "`spec.policyTypes[{index}]` is `{other}` (expected `Ingress` or `Egress`)"
                        ));
                    }
                }
            }
        }
    }
    let mut ingress = Vec::new();
    for (index, rule) in ingress_rules.iter().enumerate() {
        let at = format!("spec.ingress[{index}]");
        ingress.push(read_rule(
            rule.from.as_deref(),
            rule.ports.as_deref(),
            &at,
            "from",
            blocks,
        )?);
    }
    let mut egress = Vec::new();
    for (index, rule) in egress_rules.iter().enumerate() {
        let at = format!("spec.egress[{index}]");
        egress.push(read_rule(
            rule.to.as_deref(),
            rule.ports.as_deref(),
            &at,
            "to",
            blocks,
        )?);
    }
    Ok(PolicySpec {
        selector,
        ingress: has_ingress.then_some(ingress),
        egress: has_egress.then_some(egress),
    })
}

fn read_rule(
    peers: Option<&[NetworkPolicyPeer]>,
    ports: Option<&[NetworkPolicyPort]>,
    at: &str,
    field: &str,
    blocks: &mut IndexSet<IpBlock>,
) -> Result<RuleSpec, Invalid> {
    let peers = match peers {
        None | Some([]) => None,
        Some(peers) => {
            let mut specs = Vec::new();
            for (index, peer) in peers.iter().enumerate() {
                specs.push(read_peer(peer, &format!("{at}.{field}[{index}]"), blocks)?);
            }
            Some(specs)
        }
    };
    let ports = match ports {
        None | Some([]) => None,
        Some(ports) => {
            let mut matches = Vec::new();
            for (index, port) in ports.iter().enumerate() {
                matches.push(read_port(port, &format!("{at}.ports[{index}]"))?);
            }
            Some(matches)
        }
    };
    Ok(RuleSpec { peers, ports })
}

fn read_peer(
    peer: &NetworkPolicyPeer,
    at: &str,
    blocks: &mut IndexSet<IpBlock>,
) -> Result<PeerSpec, Invalid> {
    match (&peer.ip_block, &peer.namespace_selector, &peer.pod_selector) {
        (Some(block), None, None) => {
            let block = read_block(block, &format!("{at}.ipBlock"))?;
            let (index, _) = blocks.insert_full(block);
            Ok(PeerSpec::Block(index))
        }
        (Some(_), _, _) => invalid(format!(
            "`{at}` combines `ipBlock` with a selector (they must be separate peers)"
        )),
        (None, None, None) => invalid(format!(
            "`{at}` is empty (it needs `podSelector`, `namespaceSelector` or `ipBlock`)"
        )),
        (None, namespaces, pods) => Ok(PeerSpec::Pods {
            namespaces: namespaces
                .as_ref()
                .map(|selector| Selector::compile(selector, &format!("{at}.namespaceSelector")))
                .transpose()?,
            pods: match pods {
                Some(selector) => Selector::compile(selector, &format!("{at}.podSelector"))?,
                None => Selector::default(),
            },
        }),
    }
}

fn read_cidr(text: &str, at: &str) -> Result<IpNet, Invalid> {
    text.parse::<IpNet>().map(|net| net.trunc()).map_err(|_| {
        Invalid(format!(
            "`{at}` is `{text}`, which is not a CIDR such as `10.0.0.0/8`"
        ))
    })
}

fn read_block(block: &IPBlock, at: &str) -> Result<IpBlock, Invalid> {
    let cidr = read_cidr(&block.cidr, &format!("{at}.cidr"))?;
    let mut except = Vec::new();
    for (index, text) in block.except.iter().flatten().enumerate() {
        let path = format!("{at}.except[{index}]");
        let net = read_cidr(text, &path)?;
        if !(cidr.contains(&net) && net.prefix_len() > cidr.prefix_len()) {
            return invalid(format!(
                "`{path}` is `{text}`, which is not strictly inside `{}`",
                block.cidr
            ));
        }
        except.push(net);
    }
    except.sort();
    except.dedup();
    Ok(IpBlock { cidr, except })
}

/// The `protocol` field at `at` (a port of a policy or a container): TCP
/// when absent.
pub(crate) fn read_protocol(text: Option<&str>, at: &str) -> Result<Protocol, Invalid> {
    match text {
        None => Ok(Protocol::Tcp),
        Some(text) => Protocol::from_api(text).ok_or_else(|| {
            Invalid(format!(
                "`{at}.protocol` is `{text}` (expected `TCP`, `UDP` or `SCTP`)"
            ))
        }),
    }
}

fn read_port(port: &NetworkPolicyPort, at: &str) -> Result<PortMatch, Invalid> {
    let protocol = read_protocol(port.protocol.as_deref(), at)?;
    let number = |value: i32, field: &str| {
        u16::try_from(value)
            .ok()
            .filter(|port| *port > 0)
            .ok_or_else(|| Invalid(format!("`{at}.{field}` is {value}, outside 1-65535")))
    };
    match (&port.port, port.end_port) {
        (None, None) => Ok(PortMatch::All(protocol)),
        (None, Some(_)) => invalid(format!("`{at}.endPort` needs a numeric `port`")),
        (Some(IntOrString::Int(first)), end) => {
            let first = number(*first, "port")?;
            let last = match end {
                None => first,
                Some(end) => {
                    let last = number(end, "endPort")?;
                    if last < first {
                        return invalid(format!("`{at}.endPort` is {last}, below `port` {first}"));
                    }
                    last
                }
            };
            Ok(PortMatch::Range(protocol, first, last))
        }
        (Some(IntOrString::String(_)), Some(_)) => {
            invalid(format!("`{at}.endPort` cannot be used with a named port"))
        }
        (Some(IntOrString::String(name)), None) => {
            if name.is_empty() || !name.bytes().any(|b| b.is_ascii_alphabetic()) {
                return invalid(format!(
                    "`{at}.port` is `\"{name}\"`, which is not a port name (a port number is written without quotes)"
                ));
            }
            Ok(PortMatch::Named(protocol, name.clone()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn block_excludes_exceptions() -> Result<(), Invalid> {
        let block = read_block(
            &IPBlock {
                cidr: "10.0.0.0/8".to_owned(),
                except: Some(vec!["10.1.0.0/16".to_owned()]),
            },
            "b",
        )?;
        assert!(block.contains(&IpAddr::V4(Ipv4Addr::new(10, 2, 0, 1))));
        assert!(!block.contains(&IpAddr::V4(Ipv4Addr::new(10, 1, 0, 1))));
        assert!(!block.contains(&IpAddr::V4(Ipv4Addr::new(11, 0, 0, 1))));
        let outside = IPBlock {
            cidr: "10.0.0.0/8".to_owned(),
            except: Some(vec!["11.0.0.0/16".to_owned()]),
        };
        assert!(read_block(&outside, "b").is_err());
        let equal = IPBlock {
            cidr: "10.0.0.0/8".to_owned(),
            except: Some(vec!["10.0.0.0/8".to_owned()]),
        };
        assert!(read_block(&equal, "b").is_err());
        Ok(())
    }

    #[test]
    fn ports_default_to_tcp_and_named_ports_need_a_pod() -> Result<(), Invalid> {
        let any = read_port(&NetworkPolicyPort::default(), "p")?;
        assert_eq!(any, PortMatch::All(Protocol::Tcp));
        let named = PortMatch::Named(Protocol::Tcp, "http".to_owned());
        let ports = [ContainerPort {
            port: 8080,
            protocol: Protocol::Tcp,
            name: Some("http".to_owned()),
        }];
        assert!(named.matches(Probe::new(8080, Protocol::Tcp), Some(&ports)));
        assert!(!named.matches(Probe::new(8080, Protocol::Udp), Some(&ports)));
        assert!(!named.matches(Probe::new(8080, Protocol::Tcp), None));
        Ok(())
    }
}
