//! The language server's analysis: what `ward lsp` knows about a program,
//! as pure functions of its sources. Positions to symbols (`index`), the
//! editor's units (`position`), and the answers to an editor's questions:
//! hover text (`hover`), completions (`complete`), the outline (`outline`).
//!
//! Must not do IO nor know the protocol's types: the server loop in
//! `cli::lsp` reads the files, overlays the open buffers and translates to
//! and from the protocol (the protocol crate is used in `cli::lsp::protocol`
//! only, so that it can be swapped).

pub mod complete;
pub mod edit;
pub mod hover;
pub mod index;
pub mod outline;
pub mod position;

use crate::check::Checked;
use crate::diagnostic::{self, Diagnostic};
use crate::source::{FileId, Sources};
use crate::syntax::ast::{Ast, Item};
use index::Index;

/// One file's parse, kept while its text is unchanged.
#[derive(Debug, Clone)]
struct Parsed {
    /// The text parsed.
    text: String,
    /// Its statements.
    items: Vec<Item>,
    /// Its syntax errors.
    errors: Vec<Diagnostic>,
}

/// The parses of a program's files by file id, so that an edit parses
/// only the file it changed.
#[derive(Debug, Clone, Default)]
pub struct ParseCache {
    files: Vec<Option<Parsed>>,
    /// How many files were parsed since the cache was made (for tests).
    parses: usize,
}

impl ParseCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many files this cache parsed so far.
    pub fn parses(&self) -> usize {
        self.parses
    }

    /// The parse of file `id`, from the cache when its text is unchanged.
    fn parse(&mut self, id: FileId, text: &str) -> (Vec<Item>, Vec<Diagnostic>) {
        if let Some(Some(parsed)) = self.files.get(id.0) {
            if parsed.text == text {
                return (parsed.items.clone(), parsed.errors.clone());
            }
        }
        self.parses += 1;
        let (items, errors) = crate::syntax::parse_file(id, text);
        if self.files.len() <= id.0 {
            self.files.resize(id.0 + 1, None);
        }
        if let Some(slot) = self.files.get_mut(id.0) {
            *slot = Some(Parsed {
                text: text.to_string(),
                items: items.clone(),
                errors: errors.clone(),
            });
        }
        (items, errors)
    }

    /// Forgets files past the first `len`.
    fn truncate(&mut self, len: usize) {
        self.files.truncate(len);
    }
}

/// A program as the server sees it: its sources (open buffers over the
/// files on disk), what `ward check` says about it, and its names.
#[derive(Debug)]
pub struct Program {
    /// Every file, in the order `ward check` reads them.
    pub sources: Sources,
    /// Every statement that parsed.
    pub ast: Ast,
    /// What `ward check` reports for the program.
    pub diagnostics: Vec<Diagnostic>,
    /// The checked model, when the program has no errors.
    pub model: Option<crate::model::Model>,
    /// Every name and where it is written.
    pub index: Index,
}

impl Program {
    /// Analyses a program; `encoding` holds the E0002 of files that are
    /// not UTF-8, which (as in `ward check`) are then all that is reported.
    pub fn new(sources: Sources, encoding: Vec<Diagnostic>, cache: &mut ParseCache) -> Self {
        cache.truncate(sources.len());
        let mut ast = Ast::default();
        let mut errors = Vec::new();
        for (id, file) in sources.iter() {
            let (mut items, mut file_errors) = cache.parse(id, &file.text);
            ast.items.append(&mut items);
            errors.append(&mut file_errors);
        }
        let Checked { model, diagnostics } = if encoding.is_empty() {
            crate::compile_parsed(&sources, &ast, errors)
        } else {
            let mut diagnostics = encoding;
            diagnostic::sort(&mut diagnostics);
            Checked {
                model: None,
                diagnostics,
            }
        };
        let index = Index::new(&ast);
        Program {
            sources,
            ast,
            diagnostics,
            model,
            index,
        }
    }

    /// The text of file `id` (empty for an unknown id).
    pub fn text(&self, id: FileId) -> &str {
        self.sources.get(id).map_or("", |f| f.text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_files_are_parsed_again() {
        let files = |second: &str| {
            let mut sources = Sources::new();
            sources.add("a.ward", "namespace a { service web { pods app=web } }\n");
            sources.add("b.ward", second.to_string());
            sources
        };
        let mut cache = ParseCache::new();
        let first = Program::new(
            files("flow a.web -> a.web:* controls CC6.1\n"),
            Vec::new(),
            &mut cache,
        );
        assert_eq!(cache.parses(), 2);
        let second = Program::new(
            files("flow a.web -> a.wb:* controls CC6.1\n"),
            Vec::new(),
            &mut cache,
        );
        assert_eq!(cache.parses(), 3);
        assert!(first.diagnostics.iter().all(|d| !d.is_error()));
        assert!(second.diagnostics.iter().any(Diagnostic::is_error));
        // The same as compiling from scratch.
        let fresh = crate::compile(&second.sources);
        assert_eq!(fresh.diagnostics, second.diagnostics);
    }
}
