//! Reading YAML with `serde-saphyr`, within fixed limits, and decoding
//! Kubernetes objects strictly (docs/decisions/0009).
//!
//! Every YAML read of the crate comes through here: the simulator's cluster
//! exports, the field-level diff behind `ward build --check` and
//! `ward verify`, and typed reads in tests. A stream is split into its
//! documents by the parser's events (so that document numbers count every
//! `---`, empty documents included), nesting deeper than [`MAX_DEPTH`] is
//! refused during that first pass, and each document is then read on its own
//! with a budget: at most [`MAX_ALIAS_NODES`] nodes copied by aliases (the
//! "billion laughs"), duplicate keys refused. The input size limit
//! ([`MAX_INPUT_BYTES`]) is the caller's to apply before the text is in
//! memory; [`documents`] checks it again.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_saphyr::granit_parser::{ErrorKind, Event, Parser};
use std::fmt;
use std::ops::Range;

/// The most YAML text read at once (one file, or all the files of a
/// simulation): 64 MiB. A larger cluster export is refused before parsing.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// The deepest nesting of lists and mappings read: Kubernetes objects are
/// far shallower (a pod template in a `List` is about 15 deep, with
/// `managedFields` under 25).
pub const MAX_DEPTH: usize = 100;

/// The most nodes that aliases (`*name`) may copy into one document.
/// Kubernetes never writes aliases; a few in a hand-written file are far
/// below this, an alias bomb far above.
pub const MAX_ALIAS_NODES: usize = 10_000;

/// Why YAML could not be read: the 1-based document of the stream, when it
/// is known, and what is wrong in one lowercase line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// The document the problem is in.
    pub document: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.document {
            Some(document) => write!(f, "document {document}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ReadError {}

/// One document of a stream: its 1-based number and its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentText<'a> {
    /// Its number in the stream, counting empty documents.
    pub index: usize,
    /// Its text, from its start (`---` or first node) to its end.
    pub text: &'a str,
}

/// The text without a leading UTF-8 byte-order mark.
#[must_use]
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The message for input over [`MAX_INPUT_BYTES`].
#[must_use]
pub fn too_large() -> String {
    format!(
        "the YAML input is over {} MiB ({MAX_INPUT_BYTES} bytes), the most Ward reads at once; split the export (one namespace at a time)",
        MAX_INPUT_BYTES >> 20
    )
}

/// The message for nesting deeper than [`MAX_DEPTH`], at a line and column.
fn too_deep(line: usize, column: usize) -> String {
    format!(
        "lists and mappings nested deeper than {MAX_DEPTH} levels at line {line}, column {column}; no Kubernetes object is this deep"
    )
}

/// Splits a stream into its documents, refusing input over
/// [`MAX_INPUT_BYTES`], YAML that does not parse and nesting deeper than
/// [`MAX_DEPTH`] (as soon as the parser reaches it).
///
/// # Errors
///
/// The first problem, with the document it is in.
pub fn documents(text: &str) -> Result<Vec<DocumentText<'_>>, ReadError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ReadError {
            document: None,
            message: too_large(),
        });
    }
    let text = strip_bom(text);
    let mut options = serde_saphyr::granit_parser::Options::default();
    options.emit_comments = false;
    options.flow_nesting_limit = MAX_DEPTH;
    options.block_nesting_limit = MAX_DEPTH;
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut found = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    while let Some(next) = parser.next_event() {
        let document = found.len() + 1;
        let (event, span) = next.map_err(|error| {
            let (line, column) = (error.marker().line(), error.marker().col() + 1);
            ReadError {
                document: Some(document),
                message: match error.kind() {
                    ErrorKind::RecursionLimitExceeded => too_deep(line, column),
                    _ => format!(
                        "invalid YAML at line {line}, column {column}: {}",
                        error.info()
                    ),
                },
            }
        })?;
        let offset = |marker: serde_saphyr::granit_parser::Marker| {
            marker.byte_offset().unwrap_or_else(|| {
                text.char_indices()
                    .nth(marker.index())
                    .map_or(text.len(), |(at, _)| at)
            })
        };
        match event {
            Event::DocumentStart(..) => {
                start = offset(span.start);
                depth = 0;
            }
            Event::DocumentEnd => {
                let end = offset(span.end).max(start);
                found.push(DocumentText {
                    index: document,
                    text: text.get(Range { start, end }).unwrap_or_default(),
                });
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ReadError {
                        document: Some(document),
                        message: too_deep(span.start.line(), span.start.col() + 1),
                    });
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(found)
}

/// The options every document is read with: the limits above, duplicate
/// keys refused, one-line errors.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(MAX_INPUT_BYTES),
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            // The size limit bounds the parser's events and nodes.
            max_events: MAX_INPUT_BYTES,
            max_nodes: MAX_INPUT_BYTES,
            max_total_scalar_bytes: MAX_INPUT_BYTES,
            max_total_comment_bytes: MAX_INPUT_BYTES,
            max_aliases: MAX_ALIAS_NODES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_ALIAS_NODES,
        },
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        with_snippet: false,
    }
}

/// Reads one YAML document (or a whole text holding one document) as a
/// value: `Null` for an empty document.
///
/// # Errors
///
/// YAML that does not parse or breaks a limit.
pub fn value(text: &str) -> Result<Value, ReadError> {
    let unnumbered = |message| ReadError {
        document: None,
        message,
    };
    if text.len() > MAX_INPUT_BYTES {
        return Err(unnumbered(too_large()));
    }
    serde_saphyr::from_str_with_options::<Option<Value>>(strip_bom(text), options())
        .map(Option::unwrap_or_default)
        .map_err(|error| unnumbered(describe(&error)))
}

/// A reading error in Ward's words where it is one of the limits or the
/// strictness Ward asks for, else in the parser's (on one line).
fn describe(error: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error;
    let at = |location: &serde_saphyr::Location| {
        format!("at line {}, column {}", location.line(), location.column())
    };
    match error.without_snippet() {
        Error::DuplicateMappingKey { key, location } => format!(
            "the key `{}` appears twice in one mapping {}; the API server rejects duplicate fields",
            key.as_deref().unwrap_or("?"),
            at(location)
        ),
        Error::AliasReplayLimitExceeded { location, .. }
        | Error::AliasExpansionLimitExceeded { location, .. }
        | Error::AliasReplayStackDepthExceeded { location, .. } => format!(
            "aliases expand to more than {MAX_ALIAS_NODES} nodes {}; Ward refuses such input (an alias bomb)",
            at(location)
        ),
        // The alias limits, with the places of the aliases involved.
        Error::AliasError { msg, .. } => format!("invalid YAML: {}", one_line(msg)),
        Error::Budget { location, .. } => format!(
            "the document is too large to read {}: {}",
            at(location),
            one_line(&error.to_string())
        ),
        _ => format!("invalid YAML: {}", one_line(&error.to_string())),
    }
}

/// An error message on one line, lowercase first.
fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = line.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// A value decoded into a type, with the fields the type does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded<T> {
    /// The typed value.
    pub value: T,
    /// The path of every field the type does not know
    /// (`spec.ingress[0].fromm`), in input order.
    pub unknown: Vec<String>,
}

/// Why a value does not decode: where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The path of the field at fault (`spec.ports[0].port`), empty for the
    /// object itself.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// `spec.ingress[0].fromm`, from `serde_ignored`'s path.
fn render(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", render(parent)),
        Path::Map { parent, key } => {
            let parent = render(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => render(parent),
    }
}

/// Decodes a value into `T`, collecting the fields `T` does not have
/// rather than dropping them silently (the caller decides whether they are
/// errors, as the API server's strict decoding does).
///
/// # Errors
///
/// A value of the wrong type, a missing required field, a wrong `kind` or
/// `apiVersion`: with the path of the field.
pub fn decode<T: DeserializeOwned>(value: Value) -> Result<Decoded<T>, DecodeError> {
    let mut unknown = Vec::new();
    let mut track = serde_path_to_error::Track::new();
    let decoded = serde_ignored::deserialize(
        serde_path_to_error::Deserializer::new(value, &mut track),
        |path| unknown.push(render(&path)),
    );
    match decoded {
        Ok(value) => Ok(Decoded { value, unknown }),
        Err(error) => {
            let path = track.path().to_string();
            Err(DecodeError {
                path: if path == "." { String::new() } else { path },
                message: one_line(&error.to_string()),
            })
        }
    }
}

/// Reads one typed object strictly: a field the type does not know is an
/// error.
///
/// # Errors
///
/// YAML that does not parse or breaks a limit, a value that does not match
/// the type, an unknown field.
pub fn from_yaml<T: DeserializeOwned>(text: &str) -> Result<T, ReadError> {
    let unnumbered = |message| ReadError {
        document: None,
        message,
    };
    let decoded = decode(value(text)?).map_err(|error| {
        unnumbered(if error.path.is_empty() {
            error.message
        } else {
            format!("`{}`: {}", error.path, error.message)
        })
    })?;
    match decoded.unknown.first() {
        None => Ok(decoded.value),
        Some(field) => Err(unnumbered(format!("unknown field `{field}`"))),
    }
}

/// The field paths where two YAML documents differ (`spec.ingress[1].ports`),
/// or a note that the first one does not read. Used to say what drifted.
#[must_use]
pub fn changed_fields(old: &str, new: &str) -> Vec<String> {
    match (value(old), value(new)) {
        (Ok(a), Ok(b)) => {
            let mut paths = Vec::new();
            diff_values("", &a, &b, &mut paths);
            paths
        }
        _ => vec!["(the file on disk is not valid YAML)".to_string()],
    }
}

fn diff_values(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if a == b {
        return;
    }
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let left = x.get(key).unwrap_or(&Value::Null);
                let right = y.get(key).unwrap_or(&Value::Null);
                diff_values(&join(key), left, right, out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (left, right)) in x.iter().zip(y).enumerate() {
                diff_values(&format!("{path}[{i}]"), left, right, out);
            }
        }
        _ => out.push(if path.is_empty() {
            "(document)".to_string()
        } else {
            path.to_string()
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    #[test]
    fn documents_count_empty_ones() {
        let text = "---\n---\na: 1\n---\n# only a comment\n---\nb: [1, 2]\n...\n";
        let found: Vec<(usize, Value)> = documents(text)
            .unwrap()
            .into_iter()
            .map(|doc| (doc.index, value(doc.text).unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                (1, Value::Null),
                (2, serde_json::json!({"a": 1})),
                (3, Value::Null),
                (4, serde_json::json!({"b": [1, 2]})),
            ]
        );
    }

    #[test]
    fn changed_fields_name_paths() {
        let old = "a: 1\nb: {c: [1, 2], d: x}\n";
        let new = "a: 1\nb: {c: [1, 3], d: y}\ne: z\n";
        assert_eq!(changed_fields(old, new), ["b.c[1]", "b.d", "e"]);
        assert_eq!(
            changed_fields("a: [", new),
            ["(the file on disk is not valid YAML)"]
        );
    }
}
