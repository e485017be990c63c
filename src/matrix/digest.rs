//! SHA-256 digests: of one text, and of a whole program's sources.
//!
//! Owns the framing of the sources digest. Must not know what the sources
//! mean.

use crate::source::Sources;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The first bytes hashed by [`sources_digest`]: names the framing, so that
/// a change of framing changes every digest.
const SOURCES_DOMAIN: &[u8] = b"ward sources v1\n";

/// `sha256:HEX` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `sha256:HEX` over every file of `sources`, in order, unambiguously
/// framed: the bytes `ward sources v1\n`, the number of files as a 64-bit
/// big-endian integer, then for each file the length of its name, its name,
/// the length of its text and its text (lengths as 64-bit big-endian
/// integers, names and texts as UTF-8). Any change to a name, a text or the
/// order of the files changes the digest.
pub fn sources_digest(sources: &Sources) -> String {
    let mut hasher = Sha256::new();
    hasher.update(SOURCES_DOMAIN);
    hasher.update(length(sources.len()));
    for (_, file) in sources.iter() {
        for part in [file.name.as_bytes(), file.text.as_bytes()] {
            hasher.update(length(part.len()));
            hasher.update(part);
        }
    }
    hex(&hasher.finalize())
}

fn length(n: usize) -> [u8; 8] {
    u64::try_from(n).unwrap_or(u64::MAX).to_be_bytes()
}

fn hex(digest: &[u8]) -> String {
    let mut text = String::with_capacity(7 + 2 * digest.len());
    text.push_str("sha256:");
    for byte in digest {
        let _ = write!(text, "{byte:02x}");
    }
    text
}
