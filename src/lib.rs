//! Ward: a compiler for Kubernetes network boundaries that must stand up in a
//! SOC 2 audit.
//!
//! The stages, in the order data flows through them (see ARCHITECTURE.md):
//! [`source`] text -> [`syntax`] (AST with spans) -> [`check`] (a resolved,
//! valid [`model`]) -> emitted policies. Every stage is a pure function of its
//! inputs; only the binary reads files, the environment or the clock.

pub mod catalog;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod format;
pub mod r#gen;
mod markup;
pub mod matrix;
pub mod model;
pub mod output;
pub mod plan;
pub mod proof;
pub mod simulate;
mod sorted;
pub mod source;
pub mod syntax;
pub mod yaml;

use diagnostic::{Code, Diagnostic};
use source::{Sources, Span};

/// Parses and checks a program. The checker runs only when every file
/// parsed, so that a broken statement does not cascade into spurious
/// "unknown name" errors.
pub fn compile(sources: &Sources) -> check::Checked {
    let (ast, mut diagnostics) = syntax::parse(sources);
    if !diagnostics.is_empty() {
        diagnostic::sort(&mut diagnostics);
        return check::Checked {
            model: None,
            diagnostics,
        };
    }
    check::check(&ast)
}

/// Reads a file's bytes into `sources`, returning a diagnostic when they are
/// not UTF-8.
pub fn add_file(
    sources: &mut Sources,
    name: impl Into<String>,
    bytes: Vec<u8>,
) -> Option<Diagnostic> {
    let (file, bad_byte) = sources.add_bytes(name, bytes);
    bad_byte.map(|offset| {
        Diagnostic::new(
            Code::E0002,
            "the file is not valid UTF-8",
            Span::new(file, offset, offset + 1),
            "first invalid byte",
        )
        .with_help("save the file as UTF-8 text")
    })
}
