//! The checker: AST to a resolved, valid [`Model`], or the problems that stop
//! it.
//!
//! Works in passes so that order in the source never matters: definitions
//! (namespaces, services, externals, controls), then uses (baseline, flows,
//! denies), then whole-program audits (invariants, overlaps, unused and
//! duplicate definitions). Every pass checks every item and reports all it
//! finds. Must not know about YAML, policies or output formats.

mod audit;
mod definitions;
pub mod names;
mod references;
pub mod selector;
mod uses;

pub(crate) use references::{endpoint_text, port_text};

use crate::diagnostic::{self, Diagnostic};
use crate::model::Model;
use crate::source::Span;
use crate::syntax::ast::Ast;
use indexmap::IndexSet;

/// The result of checking: the model when the program has no errors, and
/// every diagnostic found (errors and warnings), in reading order.
#[derive(Debug)]
pub struct Checked {
    /// The model; `None` when any diagnostic is an error.
    pub model: Option<Model>,
    /// Everything found, sorted by place.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks a parsed program.
pub fn check(ast: &Ast) -> Checked {
    let mut checker = Checker::default();
    checker.define(ast);
    checker.resolve_uses(ast);
    checker.audit();
    let Checker {
        model,
        mut diagnostics,
        ..
    } = checker;
    diagnostic::sort(&mut diagnostics);
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Checked {
        model: (!has_errors).then_some(model),
        diagnostics,
    }
}

/// State shared by the passes.
#[derive(Default)]
struct Checker {
    /// The model being built; incomplete while errors are found.
    model: Model,
    /// Everything reported so far.
    diagnostics: Vec<Diagnostic>,
    /// Where each flow's source and destination endpoints and ports are
    /// written, by flow index: for diagnostics about flows.
    flow_places: Vec<FlowPlaces>,
    /// Where each `deny`'s parts are written, by index.
    deny_places: Vec<FlowPlaces>,
    /// Where `system` was first declared.
    system_span: Option<Span>,
    /// Services referenced as `ns.svc` (or through their ports), by their
    /// positions: (namespace in the model, service in the namespace).
    used_services: IndexSet<(usize, usize)>,
    /// Namespaces referenced as `ns.*`.
    used_namespaces: IndexSet<String>,
    /// Externals referenced.
    used_externals: IndexSet<String>,
    /// Custom controls cited.
    used_controls: IndexSet<String>,
    /// Services (namespace, service) with a port declaration already
    /// reported as invalid: a flow to them that names no port is not also
    /// told that they declare none.
    invalid_ports: IndexSet<(String, String)>,
}

/// Where the parts of a flow or `deny` are written.
#[derive(Debug, Clone, Copy)]
struct FlowPlaces {
    src: Span,
    dst: Span,
}

impl Checker {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// Adds `name` to `set`, copying it only when it is new.
fn mark(set: &mut IndexSet<String>, name: &str) {
    if !set.contains(name) {
        set.insert(name.to_string());
    }
}
