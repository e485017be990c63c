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
mod csv;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod error;
pub mod explain;
pub mod format;
#[cfg(feature = "generator")]
pub mod generator;
pub mod lsp;
mod markup;
pub mod matrix;
pub mod model;
mod naming;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod proof;
pub mod protocol;
pub mod simulate;
mod sorted;
pub mod source;
mod suggest;
pub mod symbolic;
pub mod syntax;
pub mod yaml;

use diagnostic::{Code, Diagnostic};
use source::{Sources, Span};

/// Parses and checks a program. The checker runs only when every file
/// parsed, so that a broken statement does not cascade into spurious
/// "unknown name" errors.
pub fn compile(sources: &Sources) -> check::Checked {
    let (ast, diagnostics) = syntax::parse(sources);
    compile_parsed(sources, &ast, diagnostics)
}

/// [`compile`] after parsing: `ast` and the syntax `diagnostics` are what
/// [`syntax::parse`] gives for `sources` (the language server keeps each
/// file's parse until the file changes).
pub fn compile_parsed(
    sources: &Sources,
    ast: &syntax::ast::Ast,
    mut diagnostics: Vec<Diagnostic>,
) -> check::Checked {
    if !diagnostics.is_empty() {
        diagnostic::sort(&mut diagnostics);
        return check::Checked {
            model: None,
            diagnostics,
        };
    }
    let mut checked = check::check(ast);
    if let Some(empty) = empty_program(&checked, sources) {
        checked.diagnostics.push(empty);
    }
    if let Some(model) = &checked.model {
        let too_large = object_limits(model, sources);
        if !too_large.is_empty() {
            checked.diagnostics.extend(too_large);
            diagnostic::sort(&mut checked.diagnostics);
            checked.model = None;
        }
    }
    checked
}

/// W0012 for a valid program that declares no namespace: it builds nothing,
/// which is most often a wrong path or a file of comments only.
fn empty_program(checked: &check::Checked, sources: &Sources) -> Option<Diagnostic> {
    let model = checked.model.as_ref()?;
    let (first, _) = sources.iter().next()?;
    model.namespaces.is_empty().then(|| {
        Diagnostic::new(
            Code::W0012,
            "the program declares no namespace",
            Span::new(first, 0, 0),
            "nothing to build",
        )
        .with_note("`ward build` writes no policy and the matrix traces nothing")
        .with_help("check the path given; declare `namespace NAME { service ... }`")
    })
}

/// E0405 for every object Ward would emit that the API server would reject
/// for the size of its annotations (decision 0008): the annotations are
/// measured exactly as [`emit::emit`] writes them.
fn object_limits(model: &model::Model, sources: &Sources) -> Vec<Diagnostic> {
    let plan = plan::plan(model);
    emit::oversized(model, &plan, sources)
        .into_iter()
        .filter_map(|found| {
            let policy = plan.policies.get(found.policy)?;
            let namespace = model.namespaces.get(&policy.namespace)?;
            let (span, owner) = match &policy.target {
                plan::Target::Service(name) => (
                    namespace.services.get(name)?.span,
                    format!("`{}.{name}`", namespace.name),
                ),
                plan::Target::AllPods | plan::Target::DefaultDeny => {
                    (namespace.span, format!("`{}.*`", namespace.name))
                }
            };
            let rules = policy.ingress.len() + policy.egress.len();
            Some(
                Diagnostic::new(
                    Code::E0405,
                    format!(
                        "policy `{}/{}` would carry {} bytes of annotations, over Kubernetes' limit of {}",
                        policy.namespace,
                        policy.name,
                        found.bytes,
                        emit::ANNOTATIONS_LIMIT
                    ),
                    span,
                    format!("the {rules} rules of {owner} are too many for one object"),
                )
                .with_note(
                    "every rule is annotated with its flow, controls and source line, and the API server rejects an object whose annotations total more than 256 KiB",
                )
                .with_help(format!(
                    "split {owner} into services with narrower pod selectors, or write the flows that share a destination as fewer flows (a wider source such as `ns.*`, a port range)"
                )),
            )
        })
        .collect()
}

/// [`compile`] of a program as it was read: when a file was not UTF-8
/// (`encoding`, the diagnostics of [`add_file`]), those diagnostics and no
/// model, since the text Ward would check is not the file's.
pub fn compile_read(sources: &Sources, encoding: Vec<Diagnostic>) -> check::Checked {
    if encoding.is_empty() {
        compile(sources)
    } else {
        check::Checked {
            model: None,
            diagnostics: encoding,
        }
    }
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
