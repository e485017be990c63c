//! `ward fmt`: every file of a program in the canonical layout, or with
//! `--check` the names of the files that are not.
#![expect(clippy::disallowed_methods, reason = "the CLI rewrites source files")]

use super::{Color, EXIT_FINDINGS, UsageError, emit_human, io, note};
use crate::format;
use std::path::PathBuf;

/// `ward fmt`.
pub fn run(paths: &[PathBuf], check: bool, color: Color) -> Result<u8, UsageError> {
    let io::ReadProgram {
        sources,
        paths,
        encoding,
    } = io::read_program_files(paths)?;
    if !encoding.is_empty() {
        emit_human(&sources, &encoding, color);
        return Ok(EXIT_FINDINGS);
    }
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    for ((id, file), path) in sources.iter().zip(&paths) {
        match format::format_source(id, &file.text) {
            Ok(formatted) if formatted != file.text => {
                changed.push((file.name.clone(), path, formatted));
            }
            Ok(_) => {}
            Err(mut diagnostics) => errors.append(&mut diagnostics),
        }
    }
    if !errors.is_empty() {
        emit_human(&sources, &errors, color);
        return Ok(EXIT_FINDINGS);
    }
    if check {
        for (name, _, _) in &changed {
            note(&format!("would reformat {name}"));
        }
        return Ok(if changed.is_empty() { 0 } else { EXIT_FINDINGS });
    }
    for (name, path, text) in &changed {
        let tmp = path.with_extension("ward-tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| UsageError(format!("cannot write `{name}`: {e}")))?;
        note(&format!("reformatted {name}"));
    }
    Ok(0)
}
