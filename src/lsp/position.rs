//! Positions as editors count them: a zero-based line and a character
//! offset within it, in UTF-16 code units (the protocol's default) or in
//! bytes (when the client offers `utf-8`), to and from the byte offsets of
//! [`Span`](crate::source::Span)s. Lines end where [`crate::source`] ends
//! them: at `\n`, `\r\n` and a lone `\r`, as the protocol does too.

use crate::source::line_starts;

/// How a position counts characters within a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// In bytes of UTF-8.
    Utf8,
    /// In UTF-16 code units: the protocol's default.
    Utf16,
}

impl Encoding {
    /// How many units `c` takes.
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// A place in a text: zero-based line and character (in the units of an
/// [`Encoding`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// The line, from 0.
    pub line: u32,
    /// The character within the line, from 0.
    pub character: u32,
}

/// The lines of one text, to convert between byte offsets and positions.
#[derive(Debug, Clone)]
pub struct LineIndex<'t> {
    text: &'t str,
    /// Where the second, third, ... lines start.
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'t> LineIndex<'t> {
    /// The lines of `text`, positions counted in `encoding`.
    pub fn new(text: &'t str, encoding: Encoding) -> Self {
        Self {
            text,
            starts: line_starts(text),
            encoding,
        }
    }

    /// The byte offset where line `line` starts (`None` past the last line).
    fn line_start(&self, line: usize) -> Option<usize> {
        match line.checked_sub(1) {
            None => Some(0),
            Some(previous) => self.starts.get(previous).copied(),
        }
    }

    /// The position of byte `offset` (clamped to the text, and down to a
    /// character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|start| *start <= offset);
        let start = self.line_start(line).unwrap_or(0);
        let character: usize = self
            .text
            .get(start..offset)
            .unwrap_or("")
            .chars()
            .map(|c| self.encoding.width(c))
            .sum();
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of `position`: a character past the end of its line
    /// is the line's end (before its line break), a line past the last is
    /// the end of the text, and a position inside a character (half of a
    /// UTF-16 surrogate pair) is the start of that character.
    pub fn offset(&self, position: Position) -> usize {
        let line = usize::try_from(position.line).unwrap_or(usize::MAX);
        let Some(start) = self.line_start(line) else {
            return self.text.len();
        };
        let rest = self.text.get(start..).unwrap_or("");
        let wanted = usize::try_from(position.character).unwrap_or(usize::MAX);
        let mut units = 0;
        for (at, c) in rest.char_indices() {
            if c == '\n' || c == '\r' || units + self.encoding.width(c) > wanted {
                return start + at;
            }
            units += self.encoding.width(c);
        }
        self.text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counts_utf16_units_and_bytes() {
        let text = "a\u{e9}\u{1f600}b\r\nx\ry";
        let utf16 = LineIndex::new(text, Encoding::Utf16);
        let utf8 = LineIndex::new(text, Encoding::Utf8);
        let b = text.find('b').unwrap();
        assert_eq!(
            utf16.position(b),
            Position {
                line: 0,
                character: 4
            }
        );
        assert_eq!(
            utf8.position(b),
            Position {
                line: 0,
                character: 7
            }
        );
        let y = text.find('y').unwrap();
        assert_eq!(
            utf16.position(y),
            Position {
                line: 2,
                character: 0
            }
        );
        assert_eq!(
            utf16.offset(Position {
                line: 0,
                character: 99
            }),
            text.find('\r').unwrap()
        );
        assert_eq!(
            utf16.offset(Position {
                line: 9,
                character: 0
            }),
            text.len()
        );
    }

    proptest! {
        /// Every character boundary goes to a position and back, in both
        /// encodings.
        #[test]
        fn offsets_round_trip(text in "[a\u{e9}\u{1f600}\r\n ]{0,40}", utf8 in any::<bool>()) {
            let encoding = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
            let index = LineIndex::new(&text, encoding);
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                // An offset between `\r` and `\n` is not a place an editor can name.
                if text.get(..offset).is_some_and(|b| b.ends_with('\r')) && text.get(offset..).is_some_and(|a| a.starts_with('\n')) {
                    continue;
                }
                prop_assert_eq!(index.offset(index.position(offset)), offset);
            }
        }
    }
}
