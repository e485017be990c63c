//! `ward matrix`: the traceability matrix in one format, to stdout or a file.
#![expect(clippy::disallowed_methods, reason = "the CLI writes the matrix file")]

use super::{Color, EXIT_FINDINGS, Failure, Format, UsageError, compile_valid, emit_human, git};
use crate::matrix;
use clap::ValueEnum;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The matrix's formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum MatrixFormat {
    /// Markdown: a pull-request comment or a wiki page.
    Md,
    /// CSV: one row per criterion, control, flow and policy rule.
    Csv,
    /// JSON, as `docs/matrix.schema.json` describes it.
    Json,
    /// A self-contained HTML page to read, search and print.
    Html,
}

/// `ward matrix`.
pub fn run(
    paths: &[PathBuf],
    format: MatrixFormat,
    output: Option<&Path>,
    timestamp: Option<String>,
    color: Color,
) -> Result<u8, Failure> {
    let Some((sources, model, warnings)) = compile_valid(paths, Format::Human, color)? else {
        return Ok(EXIT_FINDINGS);
    };
    emit_human(&sources, &warnings, color);
    let provenance = git::provenance(paths, timestamp);
    let m = crate::pipeline::matrix(&model, &sources, &warnings, &provenance)?;
    let write_text = |out: &mut dyn Write, text: String| {
        out.write_all(text.as_bytes()).map_err(|e| e.to_string())
    };
    let render = |out: &mut dyn Write| -> Result<(), String> {
        match format {
            MatrixFormat::Md => write_text(out, matrix::markdown(&m)),
            // The largest formats are streamed, never held whole.
            MatrixFormat::Csv => matrix::write_csv(&m, out).map_err(|e| e.to_string()),
            MatrixFormat::Json => matrix::write_json(&m, out).map_err(|e| e.to_string()),
            MatrixFormat::Html => write_text(out, matrix::html(&m)),
        }
    };
    match output {
        // Errors are noted by the writer: a closed pipe (`| head`) stops
        // quietly, any other fails the command.
        None => {
            let mut out = BufWriter::new(super::Stdout::new());
            let _ = render(&mut out).and_then(|()| out.flush().map_err(|e| e.to_string()));
        }
        Some(path) => {
            let tmp = path.with_extension("ward-tmp");
            let written = staging_file(&tmp)
                .map_err(|e| e.to_string())
                .and_then(|file| {
                    let mut out = BufWriter::new(file);
                    render(&mut out)?;
                    out.flush().map_err(|e| e.to_string())
                })
                .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| e.to_string()));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&tmp);
                return Err(UsageError(format!("cannot write `{}`: {e}", path.display())).into());
            }
        }
    }
    Ok(0)
}

/// Creates the staging file for `-o FILE`, never through a link: a stale
/// staging file or a link planted at its name is removed (the link itself,
/// not its target), then the file is created exclusively without following
/// links. The rename that follows replaces `FILE` itself, a link included,
/// so nothing outside the named file is ever written.
fn staging_file(tmp: &Path) -> std::io::Result<File> {
    if std::fs::symlink_metadata(tmp).is_ok() {
        std::fs::remove_file(tmp)?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    super::write::no_follow(&mut options);
    options.open(tmp)
}
