//! Characters a Ward file may not hold, found before parsing.
//!
//! Owns the rule that what an editor shows is what Ward reads, and that no
//! team-written text carries a character that would hide or change what a
//! terminal, a YAML annotation or a matrix shows. Line breaks other than
//! `\n`, `\r\n` and `\r` (form feed, vertical tab, NEL, U+2028, U+2029) are
//! E0003 anywhere: some editors start a new line at them, the grammar does
//! not, so a comment could hide a statement. Control characters (C0 but tab
//! and line ends, DEL, C1) and bidirectional controls are E0004 anywhere
//! (a bidirectional override in a comment can make code read backwards);
//! invisible characters (zero-width spaces and joiners, a byte-order mark
//! after the start) are E0004 outside comments, where emoji may use a joiner.
//! Mirrors the grammar's `COMMENT` and `string` rules; knows no statement.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span, is_bidi_control, is_invisible, is_other_line_break};

/// Why a character is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A line break that Ward does not read as one (E0003).
    LineBreak,
    /// A control character (E0004).
    Control,
    /// A bidirectional control (E0004).
    Bidi,
    /// A character that shows as nothing (E0004 outside comments).
    Invisible,
}

/// The kind of a refused character, `None` for a character Ward accepts.
fn classify(offset: usize, c: char) -> Option<Kind> {
    if is_other_line_break(c) {
        Some(Kind::LineBreak)
    } else if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
        Some(Kind::Control)
    } else if is_bidi_control(c) {
        Some(Kind::Bidi)
    } else if is_invisible(c) && !(c == '\u{FEFF}' && offset == 0) {
        Some(Kind::Invisible)
    } else {
        None
    }
}

/// Where a character stands, as the grammar reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Code,
    String,
    Comment,
}

impl Place {
    fn words(self) -> &'static str {
        match self {
            Place::Code => "",
            Place::String => " in a string",
            Place::Comment => " in a comment",
        }
    }
}

/// A run of refused characters of one kind in one place.
struct Run {
    kind: Kind,
    place: Place,
    first: char,
    start: usize,
    end: usize,
}

/// Every refused character of `text` as a diagnostic, adjacent characters of
/// one kind as one. Their spans are where the parser must not report a
/// syntax error of its own.
pub fn refused(file: FileId, text: &str) -> Vec<Diagnostic> {
    let mut runs: Vec<Run> = Vec::new();
    let mut place = Place::Code;
    let mut escaped = false;
    let mut escaped_cr = false;
    for (offset, c) in text.char_indices() {
        let kind = classify(offset, c)
            .filter(|kind| !(*kind == Kind::Invisible && place == Place::Comment));
        if let Some(kind) = kind {
            let end = offset + c.len_utf8();
            match runs.last_mut() {
                Some(run) if run.end == offset && run.kind == kind && run.place == place => {
                    run.end = end;
                }
                _ => runs.push(Run {
                    kind,
                    place,
                    first: c,
                    start: offset,
                    end,
                }),
            }
        }
        let was_escaped = std::mem::take(&mut escaped);
        let after_escaped_cr = std::mem::take(&mut escaped_cr);
        place = match (place, c) {
            (Place::Code, '#') => Place::Comment,
            (Place::Code, '"') => Place::String,
            (Place::String, '\\') if !was_escaped => {
                escaped = true;
                Place::String
            }
            // `\` escapes a whole `\r\n`, as the grammar has it.
            (Place::String, '\r') if was_escaped => {
                escaped_cr = true;
                Place::String
            }
            (Place::String, '\n') if after_escaped_cr => Place::String,
            (Place::String, '"' | '\n' | '\r') if !was_escaped => Place::Code,
            (Place::Comment, '\n' | '\r') => Place::Code,
            (other, _) => other,
        };
    }
    runs.iter().map(|run| diagnostic(file, run)).collect()
}

fn diagnostic(file: FileId, run: &Run) -> Diagnostic {
    let span = Span::new(file, run.start, run.end);
    let shown: String = run.first.escape_unicode().collect();
    let place = run.place.words();
    match run.kind {
        Kind::LineBreak => Diagnostic::new(
            Code::E0003,
            format!("`{shown}` is a line break to some editors but not to Ward"),
            span,
            "an editor may start a new line here",
        )
        .with_help(
            "end lines with `\\n` or `\\r\\n`: replace this character with a line end or delete it",
        ),
        Kind::Control | Kind::Bidi | Kind::Invisible => {
            let (what, label) = match run.kind {
                Kind::Bidi => (
                    "bidirectional control",
                    "this character reorders the text that editors and terminals show",
                ),
                Kind::Invisible => ("invisible character", "this character shows as nothing"),
                _ => (
                    "control character",
                    "this character is not shown as written",
                ),
            };
            Diagnostic::new(
                Code::E0004,
                format!("{what} `{shown}`{place}"),
                span,
                label,
            )
            .with_help(
                "delete it: Ward copies text into YAML, matrices and terminals, where it would hide or change what is shown (write `\\n` or `\\t` in a string for a newline or a tab)",
            )
        }
    }
}
