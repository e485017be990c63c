//! `ward lsp`: the language server, over stdio. The loop reads the
//! protocol's messages, keeps the open buffers, reads each program's other
//! files from disk, and answers with [`crate::lsp`]'s analysis, translated
//! by `protocol` (the only module that knows the protocol's types).
//!
//! A document's program is every `.ward` file below the document's
//! directory, as `ward check DIR` reads it, with the open buffers in place
//! of the files on disk (and added when not on disk yet). Each program keeps
//! its files' parses, so that an edit parses again only the file it
//! changed. Diagnostics are published for every file of the program after
//! every change.
#![expect(
    clippy::disallowed_methods,
    reason = "the server reads the program's files and resolves the paths of open documents"
)]

mod protocol;

use super::UsageError;
use crate::lsp::position::{Encoding, LineIndex};
use crate::lsp::{ParseCache, Program};
use crate::source::{FileId, Sources};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// An open document.
struct Document {
    /// The URI the client calls it by.
    uri: String,
    /// The buffer's text.
    text: String,
}

/// A program being edited: its analysis and each file's path and URI.
struct Workspace {
    cache: ParseCache,
    program: Program,
    /// The path of each file, by file id.
    paths: Vec<PathBuf>,
    /// The URI of each file, by file id.
    uris: Vec<String>,
}

/// The server's state between messages.
struct Server {
    connection: Connection,
    encoding: Encoding,
    /// Open documents by path (resolved when the file exists).
    documents: BTreeMap<PathBuf, Document>,
    /// Programs by directory.
    programs: BTreeMap<PathBuf, Workspace>,
    /// The URIs diagnostics were last published for, by program directory.
    published: BTreeMap<PathBuf, BTreeSet<String>>,
}

/// Runs the server on stdin and stdout until the client says `exit`.
pub fn run() -> Result<u8, UsageError> {
    let (connection, threads) = Connection::stdio();
    let failed = |e: lsp_server::ProtocolError| UsageError(format!("language server: {e}"));
    let (id, params) = connection.initialize_start().map_err(failed)?;
    let (result, encoding) = protocol::initialize(&params);
    connection.initialize_finish(id, result).map_err(failed)?;
    let mut server = Server {
        connection,
        encoding,
        documents: BTreeMap::new(),
        programs: BTreeMap::new(),
        published: BTreeMap::new(),
    };
    server.serve().map_err(failed)?;
    drop(server);
    threads
        .join()
        .map_err(|e| UsageError(format!("language server: {e}")))?;
    Ok(0)
}

impl Server {
    fn serve(&mut self) -> Result<(), lsp_server::ProtocolError> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    let response = self.request(request);
                    self.send(Message::Response(response));
                }
                Message::Notification(notification) => self.notification(notification),
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn send(&self, message: Message) {
        // A closed channel means the client is gone; the loop then ends.
        let _ = self.connection.sender.send(message);
    }

    fn notification(&mut self, notification: Notification) {
        let Notification { method, params } = notification;
        let Some((uri, text)) = protocol::document(&method, params) else {
            return;
        };
        let Some(path) = protocol::path_of(&uri).map(|p| resolved(&p)) else {
            return;
        };
        match (method.as_str(), text) {
            ("textDocument/didClose", _) => {
                self.documents.remove(&path);
            }
            (_, Some(text)) => {
                self.documents.insert(path.clone(), Document { uri, text });
            }
            (_, None) => {}
        }
        if let Some(dir) = path.parent() {
            self.refresh(dir);
        }
    }

    /// Reads the program of `dir` again (open buffers over the disk),
    /// analyses it and publishes its diagnostics.
    fn refresh(&mut self, dir: &Path) {
        let mut cache = self
            .programs
            .remove(dir)
            .map(|w| w.cache)
            .unwrap_or_default();
        let (sources, paths, encoding) = read(dir, &self.documents);
        let uris: Vec<String> = paths
            .iter()
            .map(|path| match self.documents.get(path) {
                Some(document) => document.uri.clone(),
                None => protocol::uri_of(path).unwrap_or_default(),
            })
            .collect();
        let program = Program::new(sources, encoding, &mut cache);
        let workspace = Workspace {
            cache,
            program,
            paths,
            uris,
        };
        self.publish(dir, &workspace);
        self.programs.insert(dir.to_path_buf(), workspace);
    }

    fn publish(&mut self, dir: &Path, workspace: &Workspace) {
        let view = self.view(workspace);
        let mut now = BTreeSet::new();
        for (id, _) in workspace.program.sources.iter() {
            if let Some(params) = view.publish(id) {
                self.notify("textDocument/publishDiagnostics", params);
            }
            now.extend(workspace.uris.get(id.0).cloned());
        }
        let before = self.published.insert(dir.to_path_buf(), now.clone());
        for gone in before.unwrap_or_default().difference(&now) {
            self.notify(
                "textDocument/publishDiagnostics",
                serde_json::json!({ "uri": gone, "diagnostics": [] }),
            );
        }
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    }

    fn view<'w>(&self, workspace: &'w Workspace) -> protocol::View<'w> {
        protocol::View {
            program: &workspace.program,
            uris: &workspace.uris,
            encoding: self.encoding,
        }
    }

    /// The program and file id of the document `uri`, its program read
    /// when not yet.
    fn locate(&mut self, uri: &str) -> Option<(&Workspace, FileId)> {
        let path = resolved(&protocol::path_of(uri)?);
        let dir = path.parent()?.to_path_buf();
        if !self.programs.contains_key(&dir) {
            self.refresh(&dir);
        }
        let workspace = self.programs.get(&dir)?;
        let id = workspace.paths.iter().position(|p| *p == path)?;
        Some((workspace, FileId(id)))
    }

    fn request(&mut self, request: Request) -> Response {
        let Request { id, method, params } = request;
        let encoding = self.encoding;
        let result = match method.as_str() {
            "textDocument/definition"
            | "textDocument/references"
            | "textDocument/hover"
            | "textDocument/completion" => self.at_position(&method, &params),
            "textDocument/documentSymbol"
            | "textDocument/formatting"
            | "textDocument/semanticTokens/full"
            | "textDocument/codeAction" => self.on_document(&method, &params, encoding),
            "textDocument/rename" => match self.rename(&params) {
                Ok(edit) => edit,
                Err(message) => {
                    return Response::new_err(id, ErrorCode::RequestFailed as i32, message);
                }
            },
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("`ward lsp` does not handle `{method}`"),
                );
            }
        };
        Response::new_ok(id, result.unwrap_or(Value::Null))
    }

    /// Answers a request about a position in a document.
    fn at_position(&mut self, method: &str, params: &Value) -> Option<Value> {
        let (uri, position) = protocol::position(params)?;
        let encoding = self.encoding;
        let (workspace, file) = self.locate(&uri)?;
        let program = &workspace.program;
        let offset = LineIndex::new(program.text(file), encoding).offset(position);
        let view = protocol::View {
            program,
            uris: &workspace.uris,
            encoding,
        };
        if method == "textDocument/completion" {
            return Some(protocol::completion(crate::lsp::complete::complete(
                program, file, offset,
            )));
        }
        let found = program.index.at(file, offset)?;
        Some(match method {
            "textDocument/definition" => view.locations(program.index.definitions(&found.symbol)),
            "textDocument/references" => {
                let all = protocol::include_declaration(params);
                view.locations(
                    program
                        .index
                        .occurrences(&found.symbol)
                        .filter(|o| all || !o.definition),
                )
            }
            _ => view.hover(
                crate::lsp::hover::hover(program, &found.symbol)?,
                found.span,
            ),
        })
    }

    /// Answers a request about a whole document.
    fn on_document(&mut self, method: &str, params: &Value, encoding: Encoding) -> Option<Value> {
        let uri = protocol::document_uri(params)?;
        let (workspace, file) = self.locate(&uri)?;
        let program = &workspace.program;
        if method == "textDocument/formatting" {
            let text = program.text(file);
            let formatted = crate::format::format_source(file, text).ok()?;
            return Some(protocol::replace_all(text, formatted, encoding));
        }
        let view = protocol::View {
            program,
            uris: &workspace.uris,
            encoding,
        };
        match method {
            "textDocument/semanticTokens/full" => Some(view.semantic_tokens(file)),
            "textDocument/codeAction" => {
                let (start, end) = protocol::range(params)?;
                let index = LineIndex::new(program.text(file), encoding);
                let fixes =
                    crate::lsp::edit::fixes(program, file, index.offset(start), index.offset(end));
                Some(view.code_actions(&fixes))
            }
            _ => Some(view.symbols(&crate::lsp::outline::outline(&program.ast, file))),
        }
    }

    /// Renames the name at a position everywhere, or says why not.
    fn rename(&mut self, params: &Value) -> Result<Option<Value>, String> {
        let encoding = self.encoding;
        let new_name = protocol::new_name(params).unwrap_or_default();
        let Some((uri, position)) = protocol::position(params) else {
            return Ok(None);
        };
        let Some((workspace, file)) = self.locate(&uri) else {
            return Ok(None);
        };
        let program = &workspace.program;
        let offset = LineIndex::new(program.text(file), encoding).offset(position);
        let Some(found) = program.index.at(file, offset) else {
            return Err("there is no name to rename here".to_string());
        };
        let edits = crate::lsp::edit::rename(program, &found.symbol, &new_name)?;
        let view = protocol::View {
            program,
            uris: &workspace.uris,
            encoding,
        };
        Ok(Some(view.workspace_edit(&edits)))
    }
}

/// A path with links and `..` resolved when it exists, as given otherwise
/// (a buffer not saved yet).
fn resolved(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The program of `dir`: its `.ward` files as `ward check DIR` reads them,
/// each open buffer in place of its file, and the open buffers below `dir`
/// that are not on disk after them; with each file's path and the E0002 of
/// files read from disk that are not UTF-8.
fn read(
    dir: &Path,
    documents: &BTreeMap<PathBuf, Document>,
) -> (Sources, Vec<PathBuf>, Vec<crate::diagnostic::Diagnostic>) {
    let mut sources = Sources::new();
    let mut paths = Vec::new();
    let mut encoding = Vec::new();
    if let Ok(program) = super::io::read_program_files(&[dir.to_path_buf()]) {
        for (id, file) in program.sources.iter() {
            let path = program
                .paths
                .get(id.0)
                .map_or_else(PathBuf::new, |p| resolved(p));
            let text = match documents.get(&path) {
                Some(document) => document.text.clone(),
                None => {
                    encoding.extend(
                        program
                            .encoding
                            .iter()
                            .filter(|d| d.primary.span.file == id)
                            .cloned(),
                    );
                    file.text.clone()
                }
            };
            sources.add(file.name.clone(), text);
            paths.push(path);
        }
    }
    for (path, document) in documents.range(dir.to_path_buf()..) {
        if !path.starts_with(dir) {
            break;
        }
        let is_ward = path.extension().is_some_and(|e| e == "ward");
        if is_ward && !paths.contains(path) {
            let name = path.strip_prefix(dir).unwrap_or(path).to_string_lossy();
            sources.add(name.replace('\\', "/"), document.text.clone());
            paths.push(path.clone());
        }
    }
    (sources, paths, encoding)
}
