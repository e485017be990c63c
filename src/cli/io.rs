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
    let Some((mut file, _)) = open_regular(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| cannot_read(path, &e))?;
    Ok(Some(bytes))
}

/// Whether a file Ward owns holds exactly `expected` (`None`: absent),
/// refusing links like [`read_regular`]. Reads a block at a time, and not at
/// all when the sizes differ, so that no old build is held whole.
pub fn same_content(path: &Path, expected: &[u8]) -> Result<Option<bool>, UsageError> {
    let Some((file, length)) = open_regular(path)? else {
        return Ok(None);
    };
    if usize::try_from(length).ok() != Some(expected.len()) {
        return Ok(Some(false));
    }
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut rest = expected;
    loop {
        let block = std::io::BufRead::fill_buf(&mut reader).map_err(|e| cannot_read(path, &e))?;
        if block.is_empty() {
            return Ok(Some(rest.is_empty()));
        }
        let Some((head, tail)) = rest.split_at_checked(block.len()) else {
            return Ok(Some(false));
        };
        if head != block {
            return Ok(Some(false));
        }
        let consumed = block.len();
        rest = tail;
        std::io::BufRead::consume(&mut reader, consumed);
    }
}

fn cannot_read(path: &Path, e: &std::io::Error) -> UsageError {
    UsageError(format!("cannot read `{}`: {e}", path.display()))
}

/// Opens a regular file without following a link, with its length.
fn open_regular(path: &Path) -> Result<Option<(std::fs::File, u64)>, UsageError> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot_read(path, &e)),
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
    let file = options.open(path).map_err(|e| cannot_read(path, &e))?;
    Ok(Some((file, metadata.len())))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The block-wise comparison agrees with comparing whole contents,
        /// across block boundaries (a small prefix shared, or none).
        #[test]
        fn same_content_is_byte_equality(
            on_disk in proptest::collection::vec(0u8..3, 0..200_000),
            cut in 0usize..200_000,
            flip in any::<bool>(),
        ) {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().join("f");
            std::fs::write(&path, &on_disk).unwrap();
            let mut expected = on_disk.clone();
            if flip {
                if let Some(byte) = expected.get_mut(cut) {
                    *byte = byte.wrapping_add(1);
                }
            } else {
                expected.truncate(cut);
            }
            prop_assert_eq!(same_content(&path, &expected).unwrap(), Some(on_disk == expected));
        }
    }

    #[test]
    fn an_absent_file_is_none() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(same_content(&tmp.path().join("no"), b"").unwrap(), None);
    }
}
