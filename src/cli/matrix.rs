//! `ward matrix`: the traceability matrix in one format, to stdout or a file.
#![expect(clippy::disallowed_methods, reason = "the CLI writes the matrix file")]

use super::{
    Color, EXIT_FINDINGS, Format, UsageError, compile_valid, emit_human, git, write_stdout,
};
use crate::matrix;
use clap::ValueEnum;
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
) -> Result<u8, UsageError> {
    let Some((sources, model, warnings)) = compile_valid(paths, Format::Human, color)? else {
        return Ok(EXIT_FINDINGS);
    };
    emit_human(&sources, &warnings, color);
    let (plan, documents) = super::build::documents(&model, &sources)?;
    let provenance = git::provenance(paths, timestamp);
    let m = matrix::build(&model, &plan, &documents, &sources, &warnings, &provenance);
    let text = match format {
        MatrixFormat::Md => matrix::markdown(&m),
        MatrixFormat::Csv => matrix::csv(&m),
        MatrixFormat::Json => {
            matrix::json(&m).map_err(|e| UsageError(format!("cannot serialize the matrix: {e}")))?
        }
        MatrixFormat::Html => matrix::html(&m),
    };
    match output {
        None => write_stdout(&text),
        Some(path) => {
            let tmp = path.with_extension("ward-tmp");
            std::fs::write(&tmp, &text)
                .and_then(|()| std::fs::rename(&tmp, path))
                .map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    UsageError(format!("cannot write `{}`: {e}", path.display()))
                })?;
        }
    }
    Ok(0)
}
