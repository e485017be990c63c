//! A program's files as the server last read them from disk, and the
//! program an editor sees: those files with the open buffers laid over them.
//!
//! The disk is read when a program is first needed and again when the
//! client says a file may have changed there (a document opened, saved or
//! closed, a watched file changed), never on a keystroke: an edit only
//! swaps a buffer's text (decision 0024).

use crate::diagnostic::Diagnostic;
use crate::source::Sources;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An open document.
pub struct Document {
    /// The URI the client calls it by.
    pub uri: String,
    /// The buffer's text.
    pub text: String,
}

/// One `.ward` file as read from disk.
struct File {
    /// Its stable name (as `ward check` names it).
    name: String,
    /// Where it is, links resolved.
    path: PathBuf,
    /// Its text.
    text: String,
}

/// The `.ward` files below a program's root as last read.
#[derive(Default)]
pub struct Disk {
    files: Vec<File>,
    /// E0002 for every file that is not UTF-8, by the file's position in
    /// `files` (which is its file id in [`Disk::compose`]'s sources).
    encoding: Vec<Diagnostic>,
}

/// A program as the analysis takes it: its sources, each file's path (by
/// file id) and the E0002s of files read from disk.
pub struct Composed {
    /// Every file's name and text.
    pub sources: Sources,
    /// Each file's path, by file id.
    pub paths: Vec<PathBuf>,
    /// E0002 for the files read from disk that are not UTF-8.
    pub encoding: Vec<Diagnostic>,
}

impl Disk {
    /// Every `.ward` file below `root`, as `ward check ROOT` reads them
    /// (same discovery, same names); no file when `root` cannot be read.
    pub fn read(root: &Path) -> Disk {
        let Ok(program) = super::super::io::read_program_files(&[root.to_path_buf()]) else {
            return Disk::default();
        };
        let files = program
            .sources
            .iter()
            .map(|(id, file)| File {
                name: file.name.clone(),
                path: program
                    .paths
                    .get(id.0)
                    .map_or_else(PathBuf::new, |p| super::resolved(p)),
                text: file.text.clone(),
            })
            .collect();
        Disk {
            files,
            encoding: program.encoding,
        }
    }

    /// The program below `root` as the editor sees it: the files on disk
    /// in `ward check`'s order, each open buffer in place of its file, then
    /// the open `.ward` buffers below `root` that are not on disk.
    pub fn compose(&self, root: &Path, documents: &BTreeMap<PathBuf, Document>) -> Composed {
        let mut sources = Sources::new();
        let mut paths = Vec::with_capacity(self.files.len());
        let mut encoding = Vec::new();
        for file in &self.files {
            match documents.get(&file.path) {
                Some(document) => {
                    sources.add(file.name.clone(), document.text.clone());
                }
                None => {
                    let id = sources.add(file.name.clone(), file.text.clone());
                    encoding.extend(
                        self.encoding
                            .iter()
                            .filter(|d| d.primary.span.file == id)
                            .cloned(),
                    );
                }
            }
            paths.push(file.path.clone());
        }
        for (path, document) in documents.range(root.to_path_buf()..) {
            if !path.starts_with(root) {
                break;
            }
            let is_ward = path.extension().is_some_and(|e| e == "ward");
            if is_ward && !paths.contains(path) {
                let name = path.strip_prefix(root).unwrap_or(path).to_string_lossy();
                sources.add(name.replace('\\', "/"), document.text.clone());
                paths.push(path.clone());
            }
        }
        Composed {
            sources,
            paths,
            encoding,
        }
    }
}
