//! The Language Server Protocol's types, and the only module that uses the
//! `lsp-types` crate: requests' parameters are read into Ward's own terms
//! (paths, [`Position`]s) and the analysis' answers ([`crate::lsp`]) are
//! written back as the protocol's JSON. Swapping the protocol crate means
//! rewriting this module alone.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lsp::Program;
use crate::lsp::complete::{self, Completion};
use crate::lsp::edit::{Fix, Replace};
use crate::lsp::index::{Occurrence, Symbol};
use crate::lsp::outline::{self, Entry};
use crate::lsp::position::{Encoding, LineIndex, Position};
use crate::source::Span;
use lsp_types as lsp;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// What the server knows of its client after `initialize`.
pub struct Client {
    /// The position encoding agreed: UTF-8 when the client offers it, else
    /// the protocol's default UTF-16.
    pub encoding: Encoding,
    /// The workspace folders (`workspaceFolders`, else `rootUri`, else
    /// `rootPath`), as paths.
    pub folders: Vec<PathBuf>,
    /// Whether the client lets the server register a file watcher.
    pub watch: bool,
}

/// The server's capabilities, given the client's `initialize` parameters,
/// and what the server keeps of the client.
pub fn initialize(params: &Value) -> (Value, Client) {
    let offered = params
        .pointer("/capabilities/general/positionEncodings")
        .and_then(Value::as_array);
    let utf8 = offered.is_some_and(|kinds| {
        kinds
            .iter()
            .any(|kind| kind.as_str() == Some(lsp::PositionEncodingKind::UTF8.as_str()))
    });
    let (encoding, kind) = if utf8 {
        (Encoding::Utf8, lsp::PositionEncodingKind::UTF8)
    } else {
        (Encoding::Utf16, lsp::PositionEncodingKind::UTF16)
    };
    let capabilities = lsp::ServerCapabilities {
        position_encoding: Some(kind),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![".".to_string(), ":".to_string()]),
            ..Default::default()
        }),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: lsp::SemanticTokensLegend {
                        token_types: TOKEN_TYPES.to_vec(),
                        token_modifiers: vec![lsp::SemanticTokenModifier::DECLARATION],
                    },
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    ..Default::default()
                },
            ),
        ),
        ..Default::default()
    };
    let result = json!({
        "capabilities": capabilities,
        "serverInfo": { "name": "ward", "version": env!("CARGO_PKG_VERSION") },
    });
    let watch = params
        .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let client = Client {
        encoding,
        folders: folders(params),
        watch,
    };
    (result, client)
}

/// The workspace folders of `initialize`'s parameters, as paths.
fn folders(params: &Value) -> Vec<PathBuf> {
    if let Some(folders) = params.get("workspaceFolders").and_then(Value::as_array) {
        return folders
            .iter()
            .filter_map(|f| path_of(f.get("uri")?.as_str()?))
            .collect();
    }
    if let Some(root) = params.get("rootUri").and_then(Value::as_str) {
        return path_of(root).into_iter().collect();
    }
    params
        .get("rootPath")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .into_iter()
        .collect()
}

/// The registration of a watcher on every `.ward` file, as the method and
/// parameters of the `client/registerCapability` request.
pub fn watch_ward_files() -> (&'static str, Value) {
    let options = lsp::DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![lsp::FileSystemWatcher {
            glob_pattern: lsp::GlobPattern::String("**/*.ward".to_string()),
            kind: None,
        }],
    };
    let params = lsp::RegistrationParams {
        registrations: vec![lsp::Registration {
            id: "ward/watch".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        }],
    };
    (
        "client/registerCapability",
        serde_json::to_value(params).unwrap_or(Value::Null),
    )
}

/// The paths of the files a `workspace/didChangeWatchedFiles` names.
pub fn watched_changes(params: &Value) -> Vec<PathBuf> {
    let Ok(params) = serde_json::from_value::<lsp::DidChangeWatchedFilesParams>(params.clone())
    else {
        return Vec::new();
    };
    params
        .changes
        .iter()
        .filter_map(|change| change.uri.to_file_path().ok())
        .collect()
}

/// The semantic token types, in the legend's order: the index of each is
/// what a token carries.
const TOKEN_TYPES: [lsp::SemanticTokenType; 6] = [
    lsp::SemanticTokenType::NAMESPACE,
    lsp::SemanticTokenType::CLASS,
    lsp::SemanticTokenType::PROPERTY,
    lsp::SemanticTokenType::VARIABLE,
    lsp::SemanticTokenType::INTERFACE,
    lsp::SemanticTokenType::ENUM_MEMBER,
];

/// The path a `file:` URI names; `None` for any other URI.
pub fn path_of(uri: &str) -> Option<PathBuf> {
    lsp::Url::parse(uri).ok()?.to_file_path().ok()
}

/// The `file:` URI of an absolute path.
pub fn uri_of(path: &Path) -> Option<String> {
    lsp::Url::from_file_path(path).ok().map(String::from)
}

/// What a notification about a document says: its URI and, when it carries
/// one, its whole new text (`didOpen`, and `didChange` under full sync).
pub fn document(method: &str, params: Value) -> Option<(String, Option<String>)> {
    match method {
        "textDocument/didOpen" => {
            let params: lsp::DidOpenTextDocumentParams = serde_json::from_value(params).ok()?;
            Some((
                params.text_document.uri.into(),
                Some(params.text_document.text),
            ))
        }
        "textDocument/didChange" => {
            let params: lsp::DidChangeTextDocumentParams = serde_json::from_value(params).ok()?;
            let text = params.content_changes.into_iter().last().map(|c| c.text);
            Some((params.text_document.uri.into(), text))
        }
        "textDocument/didSave" | "textDocument/didClose" => {
            let uri = params.pointer("/textDocument/uri")?.as_str()?;
            Some((uri.to_string(), None))
        }
        _ => None,
    }
}

/// The document and position a request is about.
pub fn position(params: &Value) -> Option<(String, Position)> {
    let uri = params.pointer("/textDocument/uri")?.as_str()?;
    let at: lsp::Position = serde_json::from_value(params.get("position")?.clone()).ok()?;
    Some((
        uri.to_string(),
        Position {
            line: at.line,
            character: at.character,
        },
    ))
}

/// The document a request is about.
pub fn document_uri(params: &Value) -> Option<String> {
    Some(params.pointer("/textDocument/uri")?.as_str()?.to_string())
}

/// The new name of a `rename` request.
pub fn new_name(params: &Value) -> Option<String> {
    Some(params.get("newName")?.as_str()?.to_string())
}

/// The range of a `codeAction` request.
pub fn range(params: &Value) -> Option<(Position, Position)> {
    let range: lsp::Range = serde_json::from_value(params.get("range")?.clone()).ok()?;
    let position = |p: lsp::Position| Position {
        line: p.line,
        character: p.character,
    };
    Some((position(range.start), position(range.end)))
}

/// Whether a `references` request wants the declarations too.
pub fn include_declaration(params: &Value) -> bool {
    params
        .pointer("/context/includeDeclaration")
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

/// A program as the client sees it: its files' URIs (by file id) and the
/// position encoding agreed.
pub struct View<'a> {
    /// The program.
    pub program: &'a Program,
    /// The URI of each file, by file id.
    pub uris: &'a [String],
    /// How positions count characters.
    pub encoding: Encoding,
}

impl View<'_> {
    fn range(&self, span: Span) -> lsp::Range {
        let index = LineIndex::new(self.program.text(span.file), self.encoding);
        let (start, end) = (index.position(span.start), index.position(span.end));
        lsp::Range::new(
            lsp::Position::new(start.line, start.character),
            lsp::Position::new(end.line, end.character),
        )
    }

    fn url(&self, span: Span) -> Option<lsp::Url> {
        lsp::Url::parse(self.uris.get(span.file.0)?).ok()
    }

    fn location(&self, span: Span) -> Option<lsp::Location> {
        Some(lsp::Location::new(self.url(span)?, self.range(span)))
    }

    /// For every file, its URI and the parameters of `publishDiagnostics`:
    /// every diagnostic whose primary place is in it.
    pub fn publish_all(&self) -> Vec<(String, Value)> {
        let mut by_file: Vec<Vec<lsp::Diagnostic>> = vec![Vec::new(); self.uris.len()];
        for diagnostic in &self.program.diagnostics {
            if let Some(list) = by_file.get_mut(diagnostic.primary.span.file.0) {
                list.push(self.diagnostic(diagnostic));
            }
        }
        self.uris
            .iter()
            .zip(by_file)
            .filter_map(|(uri, diagnostics)| {
                let url = lsp::Url::parse(uri).ok()?;
                let params = lsp::PublishDiagnosticsParams::new(url, diagnostics, None);
                Some((uri.clone(), serde_json::to_value(params).ok()?))
            })
            .collect()
    }

    fn diagnostic(&self, diagnostic: &Diagnostic) -> lsp::Diagnostic {
        let mut message = diagnostic.message.clone();
        if !diagnostic.primary.message.is_empty() {
            message.push_str(&format!(": {}", diagnostic.primary.message));
        }
        for note in &diagnostic.notes {
            message.push_str(&format!("\nnote: {note}"));
        }
        if let Some(help) = &diagnostic.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let related: Vec<lsp::DiagnosticRelatedInformation> = diagnostic
            .secondary
            .iter()
            .filter_map(|label| {
                Some(lsp::DiagnosticRelatedInformation {
                    location: self.location(label.span)?,
                    message: label.message.clone(),
                })
            })
            .collect();
        let code = diagnostic.code.as_str();
        lsp::Diagnostic {
            range: self.range(diagnostic.primary.span),
            severity: Some(match diagnostic.severity() {
                Severity::Error => lsp::DiagnosticSeverity::ERROR,
                Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            }),
            code: Some(lsp::NumberOrString::String(code.to_string())),
            code_description: explain_link(code).map(|href| lsp::CodeDescription { href }),
            source: Some("ward".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        }
    }

    /// Locations of occurrences (definitions or references).
    pub fn locations<'o>(&self, occurrences: impl Iterator<Item = &'o Occurrence>) -> Value {
        let found: Vec<lsp::Location> = occurrences.filter_map(|o| self.location(o.span)).collect();
        serde_json::to_value(found).unwrap_or(Value::Null)
    }

    /// A hover over `span` showing Markdown `text`.
    pub fn hover(&self, text: String, span: Span) -> Value {
        let hover = lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: text,
            }),
            range: Some(self.range(span)),
        };
        serde_json::to_value(hover).unwrap_or(Value::Null)
    }

    /// The outline of a file as document symbols.
    pub fn symbols(&self, entries: &[Entry]) -> Value {
        serde_json::to_value(entries.iter().map(|e| self.symbol(e)).collect::<Vec<_>>())
            .unwrap_or(Value::Null)
    }

    #[expect(
        deprecated,
        reason = "the protocol type still has the `deprecated` field"
    )]
    fn symbol(&self, entry: &Entry) -> lsp::DocumentSymbol {
        let children: Vec<lsp::DocumentSymbol> =
            entry.children.iter().map(|c| self.symbol(c)).collect();
        lsp::DocumentSymbol {
            name: entry.name.clone(),
            detail: None,
            kind: match entry.kind {
                outline::Kind::System => lsp::SymbolKind::PACKAGE,
                outline::Kind::Baseline => lsp::SymbolKind::PROPERTY,
                outline::Kind::Namespace => lsp::SymbolKind::NAMESPACE,
                outline::Kind::Service => lsp::SymbolKind::CLASS,
                outline::Kind::Port => lsp::SymbolKind::FIELD,
                outline::Kind::External => lsp::SymbolKind::CONSTANT,
                outline::Kind::Control => lsp::SymbolKind::INTERFACE,
                outline::Kind::Flow => lsp::SymbolKind::EVENT,
                outline::Kind::Deny => lsp::SymbolKind::OPERATOR,
            },
            tags: None,
            deprecated: None,
            range: self.range(entry.span),
            selection_range: self.range(entry.selection),
            children: (!children.is_empty()).then_some(children),
        }
    }
}

impl View<'_> {
    fn text_edit(&self, replace: &Replace) -> lsp::TextEdit {
        lsp::TextEdit::new(self.range(replace.span), replace.text.clone())
    }

    /// A workspace edit: the edits grouped by file, as `changes`.
    pub fn workspace_edit(&self, edits: &[Replace]) -> Value {
        let mut changes = serde_json::Map::new();
        for edit in edits {
            let Some(uri) = self.uris.get(edit.span.file.0) else {
                continue;
            };
            let entry = changes
                .entry(uri.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let (Value::Array(list), Ok(edit)) =
                (entry, serde_json::to_value(self.text_edit(edit)))
            {
                list.push(edit);
            }
        }
        json!({ "changes": changes })
    }

    /// Quick fixes as code actions.
    pub fn code_actions(&self, fixes: &[Fix]) -> Value {
        let actions: Vec<Value> = fixes
            .iter()
            .map(|fix| {
                json!({
                    "title": fix.title,
                    "kind": lsp::CodeActionKind::QUICKFIX,
                    "diagnostics": [self.diagnostic(&fix.diagnostic)],
                    "isPreferred": true,
                    "edit": self.workspace_edit(std::slice::from_ref(&fix.edit)),
                })
            })
            .collect();
        Value::Array(actions)
    }

    /// The semantic tokens of a file: every name the index knows in it.
    pub fn semantic_tokens(&self, file: crate::source::FileId) -> Value {
        let index = LineIndex::new(self.program.text(file), self.encoding);
        let mut data = Vec::new();
        let mut previous = Position {
            line: 0,
            character: 0,
        };
        for occurrence in self.program.index.all() {
            if occurrence.span.file != file {
                continue;
            }
            let start = index.position(occurrence.span.start);
            let end = index.position(occurrence.span.end);
            let token_type = match occurrence.symbol {
                Symbol::Namespace(_) => 0,
                Symbol::Service(..) => 1,
                Symbol::Port(..) => 2,
                Symbol::External(_) => 3,
                Symbol::Control(_) => 4,
                Symbol::Criterion(_) => 5,
            };
            let delta_start = if start.line == previous.line {
                start.character.saturating_sub(previous.character)
            } else {
                start.character
            };
            data.push(lsp::SemanticToken {
                delta_line: start.line.saturating_sub(previous.line),
                delta_start,
                length: end.character.saturating_sub(start.character),
                token_type,
                token_modifiers_bitset: u32::from(occurrence.definition),
            });
            previous = start;
        }
        serde_json::to_value(lsp::SemanticTokens {
            result_id: None,
            data,
        })
        .unwrap_or(Value::Null)
    }
}

/// The link behind a diagnostic's code: a VS Code command URI that runs
/// `ward explain CODE` through the Ward extension (decision 0018).
fn explain_link(code: &str) -> Option<lsp::Url> {
    lsp::Url::parse(&format!("command:ward.explain?%5B%22{code}%22%5D")).ok()
}

/// Completion items.
pub fn completion(items: Vec<Completion>) -> Value {
    let items: Vec<lsp::CompletionItem> = items
        .into_iter()
        .map(|item| lsp::CompletionItem {
            kind: Some(match item.kind {
                complete::Kind::Keyword => lsp::CompletionItemKind::KEYWORD,
                complete::Kind::Namespace => lsp::CompletionItemKind::MODULE,
                complete::Kind::Service => lsp::CompletionItemKind::CLASS,
                complete::Kind::Port => lsp::CompletionItemKind::FIELD,
                complete::Kind::External => lsp::CompletionItemKind::CONSTANT,
                complete::Kind::Control => lsp::CompletionItemKind::INTERFACE,
                complete::Kind::Criterion => lsp::CompletionItemKind::REFERENCE,
                complete::Kind::LabelKey => lsp::CompletionItemKind::PROPERTY,
            }),
            detail: item.detail,
            label: item.label,
            ..Default::default()
        })
        .collect();
    serde_json::to_value(items).unwrap_or(Value::Null)
}

/// One edit replacing the whole of `old` (counted in `encoding`) by `new`.
pub fn replace_all(old: &str, new: String, encoding: Encoding) -> Value {
    let end = LineIndex::new(old, encoding).position(old.len());
    let edit = lsp::TextEdit::new(
        lsp::Range::new(
            lsp::Position::new(0, 0),
            lsp::Position::new(end.line, end.character),
        ),
        new,
    );
    serde_json::to_value(vec![edit]).unwrap_or(Value::Null)
}
