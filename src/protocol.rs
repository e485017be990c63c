//! The transport protocols a port may name: one type for the language, the
//! model and the simulator, with the language's spelling (`tcp`, any case)
//! and the Kubernetes API's (`TCP`, exact).
//!
//! Knows nothing of ports, policies or programs.

use std::fmt;

/// A transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP: the language's default, and the protocol Kubernetes assumes when
    /// a port omits it.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

/// The protocols a port may name, as the language spells them (the editor
/// grammars are tested against this list).
pub const KEYWORDS: [&str; 3] = [
    Protocol::Tcp.keyword(),
    Protocol::Udp.keyword(),
    Protocol::Sctp.keyword(),
];

impl Protocol {
    /// Every protocol, in order.
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    /// The protocol as the language spells it: `tcp`.
    pub const fn keyword(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }

    /// The protocol as Kubernetes spells it: `TCP`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// Parses `tcp`, `udp` or `sctp` in any case.
    pub fn parse(text: &str) -> Option<Protocol> {
        Self::ALL
            .into_iter()
            .find(|protocol| protocol.keyword().eq_ignore_ascii_case(text))
    }

    /// Parses the API spelling (`TCP`, `UDP`, `SCTP`; case-sensitive, as the
    /// API server validates it).
    pub fn from_api(text: &str) -> Option<Protocol> {
        Self::ALL
            .into_iter()
            .find(|protocol| protocol.as_str() == text)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Protocol;

    #[test]
    fn both_spellings_read_back() {
        for protocol in Protocol::ALL {
            assert_eq!(Protocol::parse(protocol.keyword()), Some(protocol));
            assert_eq!(Protocol::parse(protocol.as_str()), Some(protocol));
            assert_eq!(Protocol::from_api(protocol.as_str()), Some(protocol));
            assert_eq!(Protocol::from_api(protocol.keyword()), None);
        }
        assert_eq!(Protocol::parse("Udp"), Some(Protocol::Udp));
        assert_eq!(Protocol::parse("icmp"), None);
        assert_eq!(Protocol::parse(""), None);
    }
}
