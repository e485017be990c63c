//! Probes: the destination port and protocol of a simulated connection, and
//! their text form (`80/tcp`).
//!
//! Owns [`Probe`] (and the text form of [`Protocol`], which `crate::protocol`
//! owns) and nothing about policies or pods.

use std::fmt;
use std::str::FromStr;

pub use crate::protocol::Protocol;

impl FromStr for Protocol {
    type Err = ParseProbeError;

    /// Parses `tcp`, `udp` or `sctp` in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text).ok_or_else(|| ParseProbeError {
            input: text.to_owned(),
            reason: "the protocol must be `tcp`, `udp` or `sctp`",
        })
    }
}

/// The destination port and protocol of a connection attempt.
///
/// Ordered by port, then protocol. Written `80/TCP`; parsed from `80/tcp`,
/// `53/UDP` or `8080` (TCP).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Probe {
    /// The destination port.
    pub port: u16,
    /// The transport protocol.
    pub protocol: Protocol,
}

impl Probe {
    /// A probe of `port` over `protocol`.
    #[must_use]
    pub const fn new(port: u16, protocol: Protocol) -> Self {
        Self { port, protocol }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.port, self.protocol)
    }
}

impl FromStr for Probe {
    type Err = ParseProbeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason| ParseProbeError {
            input: text.to_owned(),
            reason,
        };
        let (port, protocol) = match text.split_once('/') {
            Some((port, protocol)) => (
                port,
                protocol
                    .parse::<Protocol>()
                    .map_err(|_| error("the protocol must be `tcp`, `udp` or `sctp`"))?,
            ),
            None => (text, Protocol::Tcp),
        };
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error("expected a port number, as in `80/tcp`"));
        }
        match port.parse::<u16>() {
            Ok(port) if port > 0 => Ok(Self { port, protocol }),
            _ => Err(error("the port must be between 1 and 65535")),
        }
    }
}

/// A probe or protocol that could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseProbeError {
    /// The text that was given.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for ParseProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid probe `{}`: {}", self.input, self.reason)
    }
}

impl std::error::Error for ParseProbeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        assert_eq!("80/tcp".parse(), Ok(Probe::new(80, Protocol::Tcp)));
        assert_eq!("53/UDP".parse(), Ok(Probe::new(53, Protocol::Udp)));
        assert_eq!("8080".parse(), Ok(Probe::new(8080, Protocol::Tcp)));
        assert_eq!("9/sctp".parse(), Ok(Probe::new(9, Protocol::Sctp)));
        assert_eq!(Probe::new(53, Protocol::Udp).to_string(), "53/UDP");
    }

    #[test]
    fn rejects_bad_text() {
        for bad in ["", "/tcp", "http", "0/tcp", "70000", "80/icmp", "-1", "80/"] {
            let parsed: Result<Probe, _> = bad.parse();
            assert!(parsed.is_err(), "{bad} should not parse");
        }
        let error = "80/icmp".parse::<Probe>().err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("invalid probe `80/icmp`: the protocol must be `tcp`, `udp` or `sctp`")
        );
    }
}
