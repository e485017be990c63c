//! An editor's side of the protocol: spawns `ward lsp` and speaks JSON-RPC
//! to it over stdin and stdout with `Content-Length` framing, as an editor
//! does. Written from the protocol's specification, not from the server's
//! code.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// A running `ward lsp` and what it has said.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications received and not yet taken.
    pub notifications: Vec<Value>,
}

/// Reads one framed message; `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches("\r\n");
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(": ").unwrap();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse::<usize>().unwrap());
        }
    }
    let mut body = vec![0; length.unwrap()];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).unwrap())
}

impl Client {
    /// Starts `ward lsp` in `dir` and initializes it with `capabilities`,
    /// `dir` as the workspace (`rootUri`).
    pub fn start(dir: &Path, capabilities: Value) -> (Client, Value) {
        let root = url(dir);
        Client::start_with(
            dir,
            json!({ "processId": null, "rootUri": root, "capabilities": capabilities }),
        )
    }

    /// Starts `ward lsp` in `dir` and initializes it with `params`.
    pub fn start_with(dir: &Path, params: Value) -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ward"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            messages,
            next_id: 0,
            notifications: Vec::new(),
        };
        let result = client.request("initialize", params);
        client.notify("initialized", json!({}));
        (client, result)
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (the whole message),
    /// keeping the notifications that come before it.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(60))
                .expect("the server answers within a minute");
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Sends a request and returns its result, failing on an error.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// Every `publishDiagnostics` received once every message sent so far
    /// is handled (a request's answer comes after them), in order, as (URI,
    /// diagnostics); other notifications are kept.
    pub fn published(&mut self) -> Vec<(String, Vec<Value>)> {
        let _ = self.call("ward/unknown-method", json!({}));
        let mut published = Vec::new();
        let mut others = Vec::new();
        for message in self.notifications.drain(..) {
            if message["method"] == "textDocument/publishDiagnostics" {
                let uri = message["params"]["uri"].as_str().unwrap().to_string();
                let list = message["params"]["diagnostics"].as_array().unwrap().clone();
                published.push((uri, list));
            } else {
                others.push(message);
            }
        }
        self.notifications = others;
        published
    }

    /// The diagnostics last published for each URI once every message sent
    /// so far is handled, by URI.
    pub fn diagnostics(&mut self) -> std::collections::BTreeMap<String, Vec<Value>> {
        self.published().into_iter().collect()
    }

    /// Opens a document with `text`.
    pub fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": url(path), "languageId": "ward", "version": 1, "text": text } }),
        );
    }

    /// Replaces a document's text (full synchronization).
    pub fn change(&mut self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": url(path), "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// The server's process id.
    #[allow(dead_code, reason = "the benchmark reads the server's CPU time")]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Shuts the server down and returns its exit code.
    pub fn shutdown(mut self) -> Option<i32> {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        drop(self.stdin);
        self.child.wait().unwrap().code()
    }
}

/// The `file:` URI of a path, resolved as the file system resolves it.
pub fn url(path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file://");
    for c in path.to_string_lossy().chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '/' | '-' | '.' | '_' | '~' => uri.push(c),
            _ => {
                let mut buf = [0; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    uri.push_str(&format!("%{byte:02X}"));
                }
            }
        }
    }
    uri
}

/// A position as the protocol writes it.
pub fn position(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

/// The position (line and UTF-16 unit) of the first occurrence of `needle`
/// in `text`, plus `skip` characters, computed independently of the server.
pub fn find(text: &str, needle: &str, skip: usize) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` in the text"));
    let before = &text[..at];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let units: usize = text[line_start..at]
        .chars()
        .map(char::len_utf16)
        .sum::<usize>()
        + skip;
    position(line as u32, units as u32)
}
