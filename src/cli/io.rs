//! The CLI's file access: reading programs, and reading a file Ward owns
//! without following a symbolic link. The only place (with the rest of
//! `cli`) allowed to touch the file system.
//!
//! A program's files are reported under stable names (decision 0013): their
//! path relative to the Git work tree that holds them, else relative to the
//! program's root (the directory named, or the directory of the file named).
//! So the same program gives the same names, and so the same bytes in every
//! output, whatever the working directory and however its path is spelled,
//! and no absolute path of the author's machine enters the output.
#![expect(clippy::disallowed_methods, reason = "the CLI is where IO happens")]

use crate::diagnostic::Diagnostic;
use crate::source::Sources;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A problem that stops a command before it starts: a missing file, an
/// unreadable directory. Reported on stderr with exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

/// A program as read from disk: its sources (under stable names), the path
/// each file was read from (indexed like the sources, for writing back), and
/// a diagnostic for every file that is not UTF-8.
pub struct ReadProgram {
    /// The files' texts under their stable names, sorted by name.
    pub sources: Sources,
    /// The path each source was read from, in the same order.
    pub paths: Vec<PathBuf>,
    /// E0002 for every file that is not valid UTF-8.
    pub encoding: Vec<Diagnostic>,
}

/// One `.ward` file of a program: where it is read from and where it is.
struct ProgramFile {
    /// The path to open, as given or as found in a named directory.
    path: PathBuf,
    /// The absolute path with `.`, `..` and symbolic links resolved.
    canonical: PathBuf,
}

/// Every `.ward` file the paths name: files as given, directories expanded
/// to their `.ward` files (recursively), each file once however it is
/// spelled, with the directory each argument roots (a directory itself, a
/// file's parent).
fn program_files(paths: &[PathBuf]) -> Result<(Vec<ProgramFile>, Vec<PathBuf>), UsageError> {
    let mut files = Vec::new();
    let mut roots = Vec::new();
    for path in paths {
        let canonical = canonical(path)?;
        if canonical.is_dir() {
            let before = files.len();
            collect_dir(path, &mut files)?;
            if files.len() == before {
                return Err(UsageError(format!(
                    "`{}` holds no `.ward` files",
                    path.display()
                )));
            }
            roots.push(canonical);
        } else {
            roots.push(
                canonical
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
            );
            files.push(ProgramFile {
                path: path.clone(),
                canonical,
            });
        }
    }
    files.sort_by(|a, b| a.canonical.cmp(&b.canonical));
    files.dedup_by(|a, b| a.canonical == b.canonical);
    Ok((files, roots))
}

fn canonical(path: &Path) -> Result<PathBuf, UsageError> {
    std::fs::canonicalize(path)
        .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))
}

fn collect_dir(dir: &Path, files: &mut Vec<ProgramFile>) -> Result<(), UsageError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| UsageError(format!("cannot read directory `{}`: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        // A linked directory is not followed into: it could lead out of the
        // tree or into a cycle. (A linked file is read; `ward fmt` refuses
        // to rewrite it.)
        let Ok(kind) = std::fs::symlink_metadata(&path).map(|m| m.file_type()) else {
            continue;
        };
        if kind.is_dir() {
            collect_dir(&path, files)?;
        } else if kind.is_symlink() && path.is_dir() {
            continue;
        } else if path.extension().is_some_and(|e| e == "ward") {
            let canonical = canonical(&path)?;
            files.push(ProgramFile { path, canonical });
        }
    }
    Ok(())
}

/// The directory names are relative to: the Git work tree holding every file
/// when there is one, else the deepest directory holding every root.
fn stable_root(files: &[ProgramFile], roots: &[PathBuf]) -> PathBuf {
    let common = roots
        .iter()
        .cloned()
        .reduce(|a, b| common_ancestor(&a, &b))
        .unwrap_or_default();
    match work_tree(&common) {
        Some(tree) if files.iter().all(|f| f.canonical.starts_with(&tree)) => tree,
        _ => common,
    }
}

/// The deepest directory that holds both `a` and `b`.
fn common_ancestor(a: &Path, b: &Path) -> PathBuf {
    a.components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect()
}

/// The top of the Git work tree `dir` is in: the nearest directory, from
/// `dir` up, with a `.git` entry (a directory, or a file for a worktree or a
/// submodule). Only looked at, never read or followed.
fn work_tree(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// A file's stable name: its path below `root` with `/` separators, and any
/// character a terminal or a reader could misread (controls, bidi overrides)
/// written as `\u{…}`.
fn stable_name(canonical: &Path, root: &Path) -> String {
    let relative = canonical.strip_prefix(root).unwrap_or(canonical);
    let name = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    escape_unprintable(&name)
}

/// `text` with every character no reader may see as itself (controls,
/// bidirectional overrides, invisible characters, stray line breaks) written
/// as `\u{…}`, so that a hostile file name can neither drive a terminal nor
/// reorder what a reviewer reads.
fn escape_unprintable(text: &str) -> String {
    let mut one_line = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\n' | '\t') {
            one_line.extend(c.escape_unicode());
        } else {
            one_line.push(c);
        }
    }
    crate::source::escape_unshowable(&one_line)
}

/// Reads a program: its sources under stable names and any file that is not
/// UTF-8.
pub fn read_program(paths: &[PathBuf]) -> Result<(Sources, Vec<Diagnostic>), UsageError> {
    let program = read_program_files(paths)?;
    Ok((program.sources, program.encoding))
}

/// Reads a program and keeps the path each file was read from.
pub fn read_program_files(paths: &[PathBuf]) -> Result<ReadProgram, UsageError> {
    let (files, roots) = program_files(paths)?;
    let root = stable_root(&files, &roots);
    let mut named: Vec<(String, ProgramFile)> = files
        .into_iter()
        .map(|file| (stable_name(&file.canonical, &root), file))
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let mut program = ReadProgram {
        sources: Sources::new(),
        paths: Vec::with_capacity(named.len()),
        encoding: Vec::new(),
    };
    for (name, file) in named {
        let bytes = std::fs::read(&file.path)
            .map_err(|e| UsageError(format!("cannot read `{}`: {e}", file.path.display())))?;
        program
            .encoding
            .extend(crate::add_file(&mut program.sources, name, bytes));
        program.paths.push(file.path);
    }
    Ok(program)
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
    same_as(path, Some(expected.len()), &|out| out.write_all(expected))
}

/// Whether a file Ward owns holds exactly what `render` writes (`None`:
/// absent), refusing links like [`read_regular`]. The file is read as
/// `render` writes, a block at a time, and `render` is stopped at the first
/// difference: neither the old content nor the new is ever held whole.
/// `length`, when known, is compared first (a file of another size is not
/// read at all).
pub fn same_as(
    path: &Path,
    length: Option<usize>,
    render: &dyn Fn(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Option<bool>, UsageError> {
    let Some((file, size)) = open_regular(path)? else {
        return Ok(None);
    };
    if length.is_some_and(|length| usize::try_from(size).ok() != Some(length)) {
        return Ok(Some(false));
    }
    let mut compare = Compare {
        reader: std::io::BufReader::with_capacity(1 << 16, file),
        differs: false,
        failed: None,
    };
    let rendered = render(&mut compare);
    if let Some(e) = compare.failed {
        return Err(cannot_read(path, &e));
    }
    if compare.differs {
        return Ok(Some(false));
    }
    rendered.map_err(|e| UsageError(format!("cannot make `{}`: {e}", path.display())))?;
    let rest =
        std::io::BufRead::fill_buf(&mut compare.reader).map_err(|e| cannot_read(path, &e))?;
    Ok(Some(rest.is_empty()))
}

/// A writer that compares what it is given with a file, block by block,
/// failing (to stop the writing) at the first difference or read error.
struct Compare {
    reader: std::io::BufReader<std::fs::File>,
    /// The bytes written so far differ from the file's.
    differs: bool,
    /// Reading the file failed.
    failed: Option<std::io::Error>,
}

impl Write for Compare {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            let block = match std::io::BufRead::fill_buf(&mut self.reader) {
                Ok(block) => block,
                Err(e) => {
                    self.failed = Some(e);
                    return Err(std::io::Error::other("the file cannot be read"));
                }
            };
            let n = block.len().min(rest.len());
            let (Some(ours), Some(theirs), Some(tail)) =
                (rest.get(..n), block.get(..n), rest.get(n..))
            else {
                return Err(std::io::Error::other("out of bounds"));
            };
            if n == 0 || ours != theirs {
                self.differs = true;
                return Err(std::io::Error::other("the file differs"));
            }
            rest = tail;
            std::io::BufRead::consume(&mut self.reader, n);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
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

/// Reads YAML files for the simulator: at most `yaml::MAX_INPUT_BYTES` in
/// all, and never more than that into memory, however large a file is.
///
/// `-` reads standard input; a directory is read as every `.yaml` and
/// `.yml` file below it (sorted, symbolic links skipped): what `ward build
/// -o` writes, or a folder of exports.
pub fn read_documents(paths: &[PathBuf]) -> Result<Vec<crate::simulate::Document>, UsageError> {
    use std::io::Read as _;
    let limit = crate::yaml::MAX_INPUT_BYTES;
    let mut documents = Vec::new();
    let mut total = 0usize;
    for path in yaml_files(paths)? {
        let cannot =
            |e: std::io::Error| UsageError(format!("cannot read `{}`: {e}", path.display()));
        let input: Box<dyn std::io::Read> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            Box::new(std::fs::File::open(&path).map_err(cannot)?)
        };
        let budget = limit.saturating_sub(total).saturating_add(1);
        let mut bytes = Vec::new();
        input
            .take(u64::try_from(budget).unwrap_or(u64::MAX))
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

/// The files `read_documents` reads: each path as given (`-` included), a
/// directory replaced by its YAML files, recursively and sorted.
fn yaml_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut files = Vec::new();
    for path in paths {
        let is_dir = path.as_os_str() != "-"
            && std::fs::metadata(path).is_ok_and(|metadata| metadata.is_dir());
        if !is_dir {
            files.push(path.clone());
            continue;
        }
        let before = files.len();
        let mut stack = vec![path.clone()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| {
                UsageError(format!("cannot read directory `{}`: {e}", dir.display()))
            })?;
            for entry in entries.filter_map(Result::ok) {
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let found = entry.path();
                let yaml = found.extension().is_some_and(|e| e == "yaml" || e == "yml");
                if kind.is_dir() {
                    stack.push(found);
                } else if kind.is_file() && yaml {
                    files.push(found);
                }
            }
        }
        files.get_mut(before..).map(<[PathBuf]>::sort);
        if files.len() == before {
            return Err(UsageError(format!(
                "`{}` holds no `.yaml` or `.yml` files",
                path.display()
            )));
        }
    }
    Ok(files)
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

        /// Written in pieces of any size and with no length known ahead
        /// (the matrix files), the comparison is still byte equality: a
        /// prefix, an extension or one changed byte is told apart.
        #[test]
        fn a_streamed_comparison_is_byte_equality(
            on_disk in proptest::collection::vec(0u8..3, 0..200_000),
            cut in 0usize..200_000,
            change in 0u8..3,
            piece in 1usize..100_000,
        ) {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().join("f");
            std::fs::write(&path, &on_disk).unwrap();
            let mut expected = on_disk.clone();
            match change {
                0 => expected.truncate(cut),
                1 => expected.extend(std::iter::repeat_n(7, cut % 5 + 1)),
                _ => {
                    if let Some(byte) = expected.get_mut(cut) {
                        *byte = byte.wrapping_add(1);
                    }
                }
            }
            let render = |out: &mut dyn Write| {
                expected.chunks(piece).try_for_each(|chunk| out.write_all(chunk))
            };
            prop_assert_eq!(same_as(&path, None, &render).unwrap(), Some(on_disk == expected));
        }
    }

    #[test]
    fn an_absent_file_is_none() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(same_content(&tmp.path().join("no"), b"").unwrap(), None);
    }
}
