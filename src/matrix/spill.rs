//! Text made a piece at a time and handed to a writer whenever the pieces
//! add up to a block, so that a long rendering (the Markdown and HTML
//! matrix: 12 MB and 18 MB at 5,000 services) is never held whole.
//!
//! The renderers write into a [`Spill`] as into a `String` (it derefs to
//! one) and call [`Spill::spill`] between rows. Must not know what it holds.

use std::io;
use std::ops::{Deref, DerefMut};

/// How much text is gathered before it is written out.
const BLOCK: usize = 64 * 1024;

/// A `String` that, when writing to a writer, hands its text on at each
/// [`Spill::spill`] once it holds a block.
pub struct Spill<'w> {
    text: String,
    out: Option<&'w mut dyn io::Write>,
    error: Option<io::Error>,
}

impl Spill<'static> {
    /// Text held whole, for a rendering returned as a `String`.
    pub fn held() -> Self {
        Spill {
            text: String::new(),
            out: None,
            error: None,
        }
    }
}

impl<'w> Spill<'w> {
    /// Text written to `out` a block at a time.
    pub fn to(out: &'w mut dyn io::Write) -> Self {
        Spill {
            text: String::with_capacity(2 * BLOCK),
            out: Some(out),
            error: None,
        }
    }

    /// Writes the text gathered so far when it is a block or more (and a
    /// writer is there). The first write error is kept for
    /// [`Spill::finish`]; nothing more is written after it.
    pub fn spill(&mut self) {
        if self.text.len() >= BLOCK {
            self.write();
        }
    }

    fn write(&mut self) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        if self.error.is_none() {
            self.error = out.write_all(self.text.as_bytes()).err();
        }
        self.text.clear();
    }

    /// The end of the rendering: the text not written yet is written, and
    /// the text held (all of it, without a writer) is returned.
    pub fn finish(mut self) -> io::Result<String> {
        self.write();
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.text),
        }
    }
}

/// The text `render` makes, held whole.
pub fn held(render: impl FnOnce(&mut Spill<'_>)) -> String {
    let mut spill = Spill::held();
    render(&mut spill);
    // Held text is written nowhere, so it cannot fail.
    spill.finish().unwrap_or_default()
}

/// The text `render` makes, written to `out` a block at a time.
pub fn written(out: &mut dyn io::Write, render: impl FnOnce(&mut Spill<'_>)) -> io::Result<()> {
    let mut spill = Spill::to(out);
    render(&mut spill);
    spill.finish().map(drop)
}

impl Deref for Spill<'_> {
    type Target = String;

    fn deref(&self) -> &String {
        &self.text
    }
}

impl DerefMut for Spill<'_> {
    fn deref_mut(&mut self) -> &mut String {
        &mut self.text
    }
}

#[cfg(test)]
mod tests {
    use super::{BLOCK, Spill};

    #[test]
    fn the_text_written_is_the_text_held() {
        let piece = "0123456789abcdef".repeat(1000);
        let mut held = Spill::held();
        let mut written = Vec::new();
        let mut spill = Spill::to(&mut written);
        let mut largest = 0;
        for _ in 0..20 {
            held.push_str(&piece);
            held.spill();
            spill.push_str(&piece);
            largest = largest.max(spill.len());
            spill.spill();
        }
        assert!(largest < BLOCK + piece.len());
        assert_eq!(spill.finish().unwrap(), "");
        assert_eq!(String::from_utf8(written).unwrap(), held.finish().unwrap());
    }
}
