//! `ward lsp`: the language server, over stdio. The loop reads the
//! protocol's messages, keeps the open buffers and each program's files as
//! last read from disk (`disk`), and answers with [`crate::lsp`]'s
//! analysis, translated by `protocol` (the only module that knows the
//! protocol's types).
//!
//! A document's program is every `.ward` file below its root, as `ward
//! check ROOT` reads it, with the open buffers in place of the files on
//! disk (and added when not on disk yet). The root is the deepest workspace
//! folder holding the document, else the document's directory (decision
//! 0024). Each program keeps its files' parses, so that an edit parses
//! again only the file it changed, and what it last published for each
//! file, so that an edit publishes only the files whose diagnostics
//! changed (and the edited one).
#![expect(
    clippy::disallowed_methods,
    reason = "the server reads the program's files and resolves the paths of open documents"
)]

mod disk;
mod protocol;

use super::UsageError;
use crate::lsp::position::{Encoding, LineIndex};
use crate::lsp::{ParseCache, Program};
use crate::source::FileId;
use disk::{Disk, Document};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A program being edited: its files on disk, its analysis, each file's
/// path and URI, and what was last published.
struct Workspace {
    disk: Disk,
    cache: ParseCache,
    program: Program,
    /// The path of each file, by file id.
    paths: Vec<PathBuf>,
    /// The URI of each file, by file id.
    uris: Vec<String>,
    /// The last `publishDiagnostics` parameters sent, by URI.
    published: BTreeMap<String, Value>,
}

/// The server's state between messages.
struct Server {
    connection: Connection,
    client: protocol::Client,
    /// Open documents by path (resolved when the file exists).
    documents: BTreeMap<PathBuf, Document>,
    /// Programs by root.
    programs: BTreeMap<PathBuf, Workspace>,
}

/// Runs the server on stdin and stdout until the client says `exit`.
pub fn run() -> Result<u8, UsageError> {
    let (connection, threads) = Connection::stdio();
    let failed = |e: lsp_server::ProtocolError| UsageError(format!("language server: {e}"));
    let (id, params) = connection.initialize_start().map_err(failed)?;
    let (result, mut client) = protocol::initialize(&params);
    client.folders = client.folders.iter().map(|f| resolved(f)).collect();
    connection.initialize_finish(id, result).map_err(failed)?;
    let mut server = Server {
        connection,
        client,
        documents: BTreeMap::new(),
        programs: BTreeMap::new(),
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
        if self.client.watch {
            let (method, params) = protocol::watch_ward_files();
            self.send(Message::Request(Request::new(
                RequestId::from("ward/watch".to_string()),
                method.to_string(),
                params,
            )));
        }
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
        if method == "workspace/didChangeWatchedFiles" {
            let changed: Vec<PathBuf> = protocol::watched_changes(&params)
                .iter()
                .map(|p| resolved(p))
                .collect();
            let roots: Vec<PathBuf> = self
                .programs
                .keys()
                .filter(|root| changed.iter().any(|path| path.starts_with(root)))
                .cloned()
                .collect();
            for root in roots {
                self.refresh(&root, true, None);
            }
            return;
        }
        let Some((uri, text)) = protocol::document(&method, params) else {
            return;
        };
        let Some(path) = protocol::path_of(&uri).map(|p| resolved(&p)) else {
            return;
        };
        let edited = match (method.as_str(), text) {
            ("textDocument/didClose", _) => {
                self.documents.remove(&path);
                None
            }
            (_, Some(text)) => {
                self.documents.insert(path.clone(), Document { uri, text });
                self.documents.get(&path).map(|d| d.uri.clone())
            }
            (_, None) => None,
        };
        // Only an edit leaves the disk as it was.
        let reread = method != "textDocument/didChange";
        let root = self.root_of(&path);
        self.refresh(&root, reread, edited.as_deref());
    }

    /// The root of the program a document at `path` belongs to: the
    /// deepest workspace folder holding it, else its directory.
    fn root_of(&self, path: &Path) -> PathBuf {
        self.client
            .folders
            .iter()
            .filter(|folder| path.starts_with(folder))
            .max_by_key(|folder| folder.components().count())
            .cloned()
            .unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default())
    }

    /// Analyses the program of `root` again (its disk read again when
    /// `reread` or when not read yet, the open buffers laid over it) and
    /// publishes the diagnostics that changed, and those of `edited`.
    fn refresh(&mut self, root: &Path, reread: bool, edited: Option<&str>) {
        let (disk, mut cache, mut published) = match self.programs.remove(root) {
            Some(w) if !reread => (w.disk, w.cache, w.published),
            Some(w) => (Disk::read(root), w.cache, w.published),
            None => (Disk::read(root), ParseCache::default(), BTreeMap::new()),
        };
        let composed = disk.compose(root, &self.documents);
        let uris: Vec<String> = composed
            .paths
            .iter()
            .map(|path| match self.documents.get(path) {
                Some(document) => document.uri.clone(),
                None => protocol::uri_of(path).unwrap_or_default(),
            })
            .collect();
        let program = Program::new(composed.sources, composed.encoding, &mut cache);
        let view = protocol::View {
            program: &program,
            uris: &uris,
            encoding: self.client.encoding,
        };
        let mut now = BTreeMap::new();
        for (uri, params) in view.publish_all() {
            if edited == Some(uri.as_str()) || published.get(&uri) != Some(&params) {
                self.notify("textDocument/publishDiagnostics", params.clone());
            }
            published.remove(&uri);
            now.insert(uri, params);
        }
        for gone in published.into_keys() {
            self.notify(
                "textDocument/publishDiagnostics",
                serde_json::json!({ "uri": gone, "diagnostics": [] }),
            );
        }
        let workspace = Workspace {
            disk,
            cache,
            program,
            paths: composed.paths,
            uris,
            published: now,
        };
        self.programs.insert(root.to_path_buf(), workspace);
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    }

    /// The program and file id of the document `uri`, its program read
    /// when not yet.
    fn locate(&mut self, uri: &str) -> Option<(&Workspace, FileId)> {
        let path = resolved(&protocol::path_of(uri)?);
        let root = self.root_of(&path);
        if !self.programs.contains_key(&root) {
            self.refresh(&root, true, None);
        }
        let workspace = self.programs.get(&root)?;
        let id = workspace.paths.iter().position(|p| *p == path)?;
        Some((workspace, FileId(id)))
    }

    fn request(&mut self, request: Request) -> Response {
        let Request { id, method, params } = request;
        let encoding = self.client.encoding;
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
        let encoding = self.client.encoding;
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
        let Some(found) = program.index.at(file, offset) else {
            if method != "textDocument/hover" {
                return None;
            }
            let (text, span) = crate::lsp::hover::flow(program, file, offset)?;
            return Some(view.hover(text, span));
        };
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
        let encoding = self.client.encoding;
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
        let edits = crate::lsp::edit::rename(program, &found.symbol, &new_name)
            .map_err(|refused| refused.to_string())?;
        let view = protocol::View {
            program,
            uris: &workspace.uris,
            encoding,
        };
        Ok(Some(view.workspace_edit(&edits)))
    }
}

/// A path with links and `..` resolved: the file's when it exists, else
/// its directory's with the name added (a buffer not saved yet, a file
/// deleted), else as given.
fn resolved(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        match (path.parent().map(std::fs::canonicalize), path.file_name()) {
            (Some(Ok(dir)), Some(name)) => dir.join(name),
            _ => path.to_path_buf(),
        }
    })
}
