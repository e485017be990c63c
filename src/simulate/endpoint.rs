//! The two ends of a simulated connection: a pod of the world or an address
//! outside it, with their text form (`namespace/name` or an IP).
//!
//! Owns [`PodRef`] and [`Endpoint`]; knows nothing of policies.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// A pod, named by its namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PodRef {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub name: String,
}

impl PodRef {
    /// The pod `namespace/name`.
    #[must_use]
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for PodRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// One end of a connection: a pod of the world or an external address.
///
/// Written `namespace/name` for a pod and as the bare IP for an address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// A pod of the world.
    Pod(PodRef),
    /// An address outside the world (no pod has it as its identity).
    External(IpAddr),
}

impl Endpoint {
    /// The pod `namespace/name`.
    #[must_use]
    pub fn pod(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self::Pod(PodRef::new(namespace, name))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pod(pod) => pod.fmt(f),
            Self::External(ip) => ip.fmt(f),
        }
    }
}

impl FromStr for Endpoint {
    type Err = ParseEndpointError;

    /// Parses `namespace/name` or an IPv4/IPv6 address.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(Self::External(ip));
        }
        match text.split_once('/') {
            Some((namespace, name))
                if !namespace.is_empty() && !name.is_empty() && !name.contains('/') =>
            {
                Ok(Self::pod(namespace, name))
            }
            _ => Err(ParseEndpointError {
                input: text.to_owned(),
            }),
        }
    }
}

/// Text that is neither `namespace/name` nor an IP address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseEndpointError {
    /// The text that was given.
    pub input: String,
}

impl fmt::Display for ParseEndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid endpoint `{}`: expected `namespace/pod` or an IP address",
            self.input
        )
    }
}

impl std::error::Error for ParseEndpointError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn parses_pods_and_addresses() {
        assert_eq!("shop/web".parse(), Ok(Endpoint::pod("shop", "web")));
        assert_eq!(
            "192.0.2.1".parse(),
            Ok(Endpoint::External(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))))
        );
        assert!("2001:db8::1".parse::<Endpoint>().is_ok());
        for bad in ["web", "/web", "shop/", "a/b/c", ""] {
            assert!(bad.parse::<Endpoint>().is_err(), "{bad} should not parse");
        }
        assert_eq!(Endpoint::pod("shop", "web").to_string(), "shop/web");
    }
}
