//! Source files and byte spans.
//!
//! Owns the text of every `.ward` file of a program and the [`Span`] type that
//! every later stage uses to point back into it. Knows nothing of the language.

use serde::Serialize;

/// The index of a file within [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileId(pub usize);

/// A byte range `start..end` in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Self { file, start, end }
    }

    /// The smallest span that covers both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span::new(
            self.file,
            self.start.min(other.start),
            self.end.max(other.end),
        )
    }
}

/// One source file: the name it is reported under and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (or as found in a directory).
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// Every file of a program, in the order they are read.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// Per file, the byte offsets where its second, third, ... lines start
    /// (see [`line_starts`]), so that finding the line of an offset is a
    /// binary search, not a scan of the text before it (a large program
    /// cites thousands of lines).
    line_starts: Vec<Vec<usize>>,
}

impl Sources {
    /// An empty set of sources.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        self.line_starts.push(line_starts(&text));
        self.files.push(SourceFile {
            name: name.into(),
            text,
        });
        FileId(self.files.len() - 1)
    }

    /// The file with id `id`, if any.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0)
    }

    /// Every file with its id, in order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i), f))
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The text a span covers (empty when the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.get(span.file)
            .and_then(|f| f.text.get(span.start..span.end))
            .unwrap_or("")
    }

    /// The 1-based line and column (in characters) of byte `offset` of `file`.
    pub fn line_col(&self, file: FileId, offset: usize) -> (usize, usize) {
        let (Some(text), Some(starts)) = (
            self.get(file).map(|f| f.text.as_str()),
            self.line_starts.get(file.0),
        ) else {
            return (1, 1);
        };
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = starts.partition_point(|start| *start <= offset);
        let line_start = match line.checked_sub(1) {
            Some(previous) => starts.get(previous).copied().unwrap_or(0),
            None => 0,
        };
        let column = text.get(line_start..offset).unwrap_or("").chars().count() + 1;
        (line + 1, column)
    }

    /// `file:line` for the start of a span, as traces and annotations cite it.
    pub fn location(&self, span: Span) -> String {
        let name = self.get(span.file).map_or("?", |f| f.name.as_str());
        let (line, _) = self.line_col(span.file, span.start);
        format!("{name}:{line}")
    }
}

/// The characters that end a line: `\n`, `\r` and the pair `\r\n`, as
/// every editor shows them. The grammar, the formatter, the line index and the
/// editor grammars all agree on this; other characters that some editors
/// show as line breaks (form feed, U+2028, ...) are rejected by the parser.
pub const LINE_ENDS: [char; 2] = ['\n', '\r'];

/// The byte offsets where the lines of `text` after the first start: after
/// every `\n`, every `\r\n` and every `\r` not followed by `\n`.
pub fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|(offset, byte)| match byte {
            b'\n' => true,
            b'\r' => bytes.get(offset + 1) != Some(&b'\n'),
            _ => false,
        })
        .map(|(offset, _)| offset + 1)
        .collect()
}

/// The offset of the first line end (`\n` or `\r`) at or after `from`, or the
/// length of `text` when the line runs to the end.
pub fn line_end(text: &str, from: usize) -> usize {
    text.get(from..)
        .and_then(|rest| rest.find(LINE_ENDS))
        .map_or(text.len(), |i| from + i)
}

/// The offset where the line holding `offset` starts.
pub fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|before| before.rfind(LINE_ENDS))
        .map_or(0, |i| i + 1)
}

/// True for a character that some editors show as a line break but that is
/// not one of [`LINE_ENDS`]: vertical tab, form feed, NEL, U+2028, U+2029.
pub fn is_other_line_break(c: char) -> bool {
    matches!(c, '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// True for a bidirectional control: the marks and embeddings, overrides
/// and isolates that make text display in another order than it is stored.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// True for a character that shows as nothing: zero-width spaces, joiners
/// and word joiners, the soft hyphen, the byte-order mark.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
    )
}

/// True for a character that must never reach a terminal or a reader as
/// itself: a control character other than tab and the line ends, a
/// bidirectional control, an invisible character.
pub fn is_unshowable(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || is_bidi_control(c) || is_invisible(c)
}

/// `text` with every unshowable character and every line break other than
/// `\n` written as `\u{..}`: for messages that quote input (a YAML name, a
/// path) on a terminal.
pub fn escape_unshowable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unshowable(c) || is_other_line_break(c) || c == '\r' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// The largest char boundary of `text` at or before `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl Sources {
    /// Adds a file read as bytes. Text that is not UTF-8 is added with the
    /// bad bytes replaced, and the error is returned with the offset of the
    /// first bad byte.
    pub fn add_bytes(
        &mut self,
        name: impl Into<String>,
        bytes: Vec<u8>,
    ) -> (FileId, Option<usize>) {
        match String::from_utf8(bytes) {
            Ok(text) => (self.add(name, text), None),
            Err(error) => {
                let offset = error.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                (self.add(name, text), Some(offset))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Line and column by counting the text before the offset, with every
    /// `\r\n` and lone `\r` first made a `\n` (one byte each way, so offsets
    /// in the text before do not move, except that the `\r` of a `\r\n` pair
    /// stays on its line).
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let unified: String = text
            .char_indices()
            .map(|(i, c)| match c {
                '\r' if text.get(i + 1..).is_some_and(|rest| rest.starts_with('\n')) => ' ',
                '\r' => '\n',
                other => other,
            })
            .collect();
        let before = unified.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).unwrap_or("").chars().count() + 1;
        (before.matches('\n').count() + 1, column)
    }

    proptest! {
        #[test]
        fn line_col_is_the_count_of_the_text_before(text in "(\\PC|\n|\r|\r\n){0,200}", offset in 0usize..260) {
            let mut sources = Sources::new();
            let file = sources.add("f.ward", text.clone());
            prop_assert_eq!(sources.line_col(file, offset), counted(&text, offset));
            let line = counted(&text, offset).0;
            prop_assert_eq!(sources.location(Span::new(file, offset, offset)), format!("f.ward:{line}"));
        }
    }

    #[test]
    fn cr_crlf_and_lf_each_end_one_line() {
        let mut sources = Sources::new();
        let file = sources.add("f.ward", "a\rb\r\nc\nd");
        let lines: Vec<usize> = [0, 2, 5, 7]
            .iter()
            .map(|offset| sources.line_col(file, *offset).0)
            .collect();
        assert_eq!(lines, [1, 2, 3, 4]);
        assert_eq!(
            sources.line_col(file, 3),
            (2, 2),
            "the `\\r` of `\\r\\n` ends line 2"
        );
        assert_eq!(line_end("a\rb", 0), 1);
        assert_eq!(line_start("a\rb", 3), 2);
    }

    #[test]
    fn an_unknown_file_is_line_one() {
        assert_eq!(Sources::new().line_col(FileId(3), 10), (1, 1));
    }
}
