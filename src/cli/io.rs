//! The CLI's file access: reading programs, and reading a file Ward owns
//! without following a symbolic link. The only place (with the rest of
//! `cli`) allowed to touch the file system.
#![expect(clippy::disallowed_methods, reason = "the CLI is where IO happens")]

use crate::diagnostic::Diagnostic;
use crate::source::Sources;
use std::path::{Path, PathBuf};

/// A problem that stops a command before it starts: a missing file, an
/// unreadable directory. Reported on stderr with exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

/// Every `.ward` file the paths name: files as given, directories expanded
/// to their `.ward` files (recursively, sorted). The result is sorted and
/// without repeats so the program does not depend on argument order.
pub fn program_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path)
            .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))?;
        if metadata.is_dir() {
            let before = files.len();
            collect_dir(path, &mut files)?;
            if files.len() == before {
                return Err(UsageError(format!(
                    "`{}` holds no `.ward` files",
                    path.display()
                )));
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn collect_dir(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), UsageError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| UsageError(format!("cannot read directory `{}`: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_dir(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "ward") {
            files.push(path);
        }
    }
    Ok(())
}

/// Reads a program: its sources and any file that is not UTF-8.
pub fn read_program(paths: &[PathBuf]) -> Result<(Sources, Vec<Diagnostic>), UsageError> {
    let (sources, _, problems) = read_program_files(paths)?;
    Ok((sources, problems))
}

/// Reads a program like [`read_program`], with the path each source was read
/// from, in the order of the sources' ids: a source's name is for people
/// (lossy, with `/`), the path is the one to write back to.
pub fn read_program_files(
    paths: &[PathBuf],
) -> Result<(Sources, Vec<PathBuf>, Vec<Diagnostic>), UsageError> {
    let mut sources = Sources::new();
    let mut problems = Vec::new();
    let files = program_files(paths)?;
    for path in &files {
        let bytes = std::fs::read(path)
            .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))?;
        let name = path.to_string_lossy().replace('\\', "/");
        problems.extend(crate::add_file(&mut sources, name, bytes));
    }
    Ok((sources, files, problems))
}

/// Reads a file Ward owns: `None` when absent; an error when it is a
/// symbolic link or not a regular file, which Ward never reads through.
pub fn read_regular(path: &Path) -> Result<Option<Vec<u8>>, UsageError> {
    let cannot = |e: std::io::Error| UsageError(format!("cannot read `{}`: {e}", path.display()));
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot(e)),
    };
    refuse_link(path, &metadata, "a file")?;
    if !metadata.is_file() {
        return Err(UsageError(format!(
            "`{}` is not a regular file where Ward keeps one; move it away",
            path.display()
        )));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    super::write::no_follow(&mut options);
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut options.open(path).map_err(cannot)?, &mut bytes)
        .map_err(cannot)?;
    Ok(Some(bytes))
}

/// ` (to `TARGET`)` for a symbolic link, for messages that refuse it.
pub fn link_target(path: &Path) -> String {
    std::fs::read_link(path)
        .map(|t| format!(" (to `{}`)", t.display()))
        .unwrap_or_default()
}

/// Refuses a symbolic link where Ward expects its own `what` (a file, a
/// directory): following it could read or write outside the build directory.
pub fn refuse_link(
    path: &Path,
    metadata: &std::fs::Metadata,
    what: &str,
) -> Result<(), UsageError> {
    if metadata.file_type().is_symlink() {
        return Err(UsageError(format!(
            "`{}` is a symbolic link where Ward expects {what} of its own; Ward never follows links in a build directory: remove the link",
            path.display()
        )));
    }
    Ok(())
}

/// Reads YAML files for the simulator.
pub fn read_documents(paths: &[PathBuf]) -> Result<Vec<crate::simulate::Document>, UsageError> {
    paths
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .map(|text| {
                    crate::simulate::Document::new(path.to_string_lossy().replace('\\', "/"), text)
                })
                .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))
        })
        .collect()
}
