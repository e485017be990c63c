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
    /// Per file, the byte offsets of its `\n`s, so that finding the line of
    /// an offset is a binary search, not a scan of the text before it (a
    /// large program cites thousands of lines).
    newlines: Vec<Vec<usize>>,
}

impl Sources {
    /// An empty set of sources.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        self.newlines.push(
            text.bytes()
                .enumerate()
                .filter(|(_, byte)| *byte == b'\n')
                .map(|(offset, _)| offset)
                .collect(),
        );
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
        let (Some(text), Some(newlines)) = (
            self.get(file).map(|f| f.text.as_str()),
            self.newlines.get(file.0),
        ) else {
            return (1, 1);
        };
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = newlines.partition_point(|newline| *newline < offset);
        let line_start = match line.checked_sub(1) {
            Some(previous) => newlines.get(previous).map_or(0, |newline| newline + 1),
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

    /// Line and column by counting the text before the offset.
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = text.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).unwrap_or("").chars().count() + 1;
        (before.matches('\n').count() + 1, column)
    }

    proptest! {
        #[test]
        fn line_col_is_the_count_of_the_text_before(text in "(\\PC|\n){0,200}", offset in 0usize..260) {
            let mut sources = Sources::new();
            let file = sources.add("f.ward", text.clone());
            prop_assert_eq!(sources.line_col(file, offset), counted(&text, offset));
            let line = counted(&text, offset).0;
            prop_assert_eq!(sources.location(Span::new(file, offset, offset)), format!("f.ward:{line}"));
        }
    }

    #[test]
    fn an_unknown_file_is_line_one() {
        assert_eq!(Sources::new().line_col(FileId(3), 10), (1, 1));
    }
}
