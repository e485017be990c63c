//! `ward fmt`: every file of a program in the canonical layout, or with
//! `--check` the names of the files that are not.
//!
//! Files are rewritten all at once or not at all (the transaction of
//! [`super::write`], staging beside each file), each at exactly the path it
//! was read from and with its permissions. A `.ward` file that is a symbolic
//! link is read but never rewritten: writing through it would change a file
//! elsewhere, so `ward fmt` refuses it and names the target to format.

use super::write::{Content, Op, RealDisk, Staging, Transaction};
use super::{Color, EXIT_FINDINGS, UsageError, emit_human, io, note};
use crate::format;
use std::path::{Path, PathBuf};

/// `ward fmt`.
pub fn run(paths: &[PathBuf], check: bool, color: Color) -> Result<u8, UsageError> {
    let io::ReadProgram {
        sources,
        paths: files,
        encoding,
    } = io::read_program_files(paths)?;
    if !encoding.is_empty() {
        emit_human(&sources, &encoding, color);
        return Ok(EXIT_FINDINGS);
    }
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    for ((id, file), path) in sources.iter().zip(&files) {
        match format::format_source(id, &file.text) {
            Ok(formatted) if formatted != file.text => changed.push((path, file, formatted)),
            Ok(_) => {}
            Err(mut diagnostics) => errors.append(&mut diagnostics),
        }
    }
    if !errors.is_empty() {
        emit_human(&sources, &errors, color);
        return Ok(EXIT_FINDINGS);
    }
    if check {
        for (_, file, _) in &changed {
            note(&format!("would reformat {}", file.name));
        }
        return Ok(if changed.is_empty() { 0 } else { EXIT_FINDINGS });
    }
    let ops = changed
        .iter()
        .map(|(path, file, formatted)| {
            Ok(Op {
                target: path.to_path_buf(),
                old: true,
                new: Some(Content::Bytes(formatted.as_bytes())),
                old_copy: Some(file.text.as_bytes()),
                permissions: Some(regular_file(path)?.permissions()),
            })
        })
        .collect::<Result<Vec<_>, UsageError>>()?;
    let transaction = Transaction {
        staging: Staging::Beside,
        dirs: Vec::new(),
        emptied: Vec::new(),
        ops,
    };
    transaction.apply(&mut RealDisk)?;
    for (_, file, _) in &changed {
        note(&format!("reformatted {}", file.name));
    }
    Ok(0)
}

/// The metadata of a file to rewrite, refusing a symbolic link.
#[expect(
    clippy::disallowed_methods,
    reason = "the CLI looks at the file it rewrites"
)]
fn regular_file(path: &Path) -> Result<std::fs::Metadata, UsageError> {
    let metadata = std::fs::symlink_metadata(path)
        .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))?;
    if metadata.file_type().is_symlink() {
        let target = io::link_target(path);
        return Err(UsageError(format!(
            "`{}` is a symbolic link{target}: `ward fmt` rewrites only regular files; format the file it points to; nothing was changed",
            path.display()
        )));
    }
    Ok(metadata)
}
