//! The CLI's file access: reading programs. The only place (with the rest of
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
    let mut sources = Sources::new();
    let mut problems = Vec::new();
    for path in program_files(paths)? {
        let bytes = std::fs::read(&path)
            .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))?;
        let name = path.to_string_lossy().replace('\\', "/");
        problems.extend(crate::add_file(&mut sources, name, bytes));
    }
    Ok((sources, problems))
}

/// Reads YAML files for the simulator: at most `yaml::MAX_INPUT_BYTES` in
/// all, and never more than that into memory, however large a file is.
pub fn read_documents(paths: &[PathBuf]) -> Result<Vec<crate::simulate::Document>, UsageError> {
    use std::io::Read as _;
    let limit = crate::yaml::MAX_INPUT_BYTES;
    let mut documents = Vec::new();
    let mut total = 0usize;
    for path in paths {
        let cannot =
            |e: std::io::Error| UsageError(format!("cannot read `{}`: {e}", path.display()));
        let file = std::fs::File::open(path).map_err(cannot)?;
        let budget = limit.saturating_sub(total).saturating_add(1);
        let mut bytes = Vec::new();
        file.take(u64::try_from(budget).unwrap_or(u64::MAX))
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
        total = total.saturating_add(bytes.len());
        if total > limit {
            return Err(UsageError(format!(
                "cannot read `{}`: {}",
                path.display(),
                crate::yaml::too_large()
            )));
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            UsageError(format!(
                "cannot read `{}`: it is not UTF-8 text",
                path.display()
            ))
        })?;
        let name = path.to_string_lossy().replace('\\', "/");
        documents.push(crate::simulate::Document::new(name, text));
    }
    Ok(documents)
}
