//! A diff as JSON, in the shape the module documentation describes.
//!
//! Owns nothing but the serialization: the shape is [`super::Diff`]'s, field
//! for field. Must not know about the other formats.

use super::Diff;
use crate::error::SerializeError;

/// The diff as pretty-printed JSON with a final newline. Fails only if
/// serialization itself fails, which plain data never makes it do.
pub fn json(d: &Diff) -> Result<String, SerializeError> {
    let mut text = serde_json::to_string_pretty(d).map_err(SerializeError::new)?;
    text.push('\n');
    Ok(text)
}
