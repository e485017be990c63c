//! The matrix as JSON, in the shape `docs/matrix.schema.json` documents
//! (JSON Schema draft 2020-12).
//!
//! Owns nothing but the serialization: the shape is [`super::Matrix`]'s,
//! field for field. Must not know about the other formats.

use super::Matrix;

/// The matrix as pretty-printed JSON with a final newline. Fails only if
/// serialization itself fails, which plain data never makes it do.
pub fn json(m: &Matrix) -> Result<String, String> {
    let mut text = serde_json::to_string_pretty(m).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}
