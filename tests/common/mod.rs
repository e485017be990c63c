//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "each test binary uses a different subset; tests fail loudly"
)]

pub mod git;

use std::path::{Path, PathBuf};
use ward::source::Sources;

/// The bundled examples: each a file or a directory of `.ward` files.
pub fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "ward"))
        .collect();
    paths.sort();
    paths
}

/// The `.ward` files of an example, sorted.
pub fn ward_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ward"))
        .collect();
    files.sort();
    files
}

/// An example's sources.
pub fn load(path: &Path) -> Sources {
    let mut sources = Sources::new();
    for file in ward_files(path) {
        let text = std::fs::read_to_string(&file).unwrap();
        sources.add(file.to_string_lossy().replace('\\', "/"), text);
    }
    sources
}

/// The name of an example for snapshot names: `payments`, `platform`.
pub fn example_name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Every file below `dir`, recursively: its path from `dir` (with `/`) and
/// its bytes, sorted by path.
pub fn files_below(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy();
                found.push((relative.replace('\\', "/"), std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}
