//! The matrix as JSON, in the shape `docs/matrix.schema.json` documents
//! (JSON Schema draft 2020-12).
//!
//! Owns nothing but the serialization: the shape is [`super::Matrix`]'s,
//! field for field. Must not know about the other formats.

use super::Matrix;
use crate::error::SerializeError;

/// The matrix as pretty-printed JSON with a final newline. Fails only if
/// serialization itself fails, which plain data never makes it do.
pub fn json(m: &Matrix) -> Result<String, SerializeError> {
    let mut bytes = Vec::new();
    write_json(m, &mut bytes).map_err(SerializeError::new)?;
    String::from_utf8(bytes).map_err(SerializeError::new)
}

/// [`json`], written to `out` as it is made: a large matrix's JSON (about
/// 110 MB at 5,000 services) is never held whole. Fails when `out` does
/// (serialization itself does not fail on plain data).
pub fn write_json(m: &Matrix, mut out: impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, m)?;
    out.write_all(b"\n")
}
