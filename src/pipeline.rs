//! The stages composed as the commands use them: a checked model's objects
//! (plan + emit), `ward test`'s proof of them, its matrix, its documents
//! (plan + YAML, each object dropped once written) and the layout of a build
//! directory (the YAML, the kustomization and the traceability matrix beside
//! them). The commands call these and only read and write around them.

use crate::diagnostic::Diagnostic;
use crate::error::SerializeError;
use crate::model::Model;
use crate::simulate::LoadError;
use crate::source::Sources;
use crate::{emit, matrix, output, plan, proof};

/// The matrix files `ward build -o` writes beside the YAML, in the order of
/// [`layout`]'s `matrix`: Markdown, CSV, JSON, HTML. Kustomize does not list
/// them, so `kubectl apply -k` ignores them.
pub const MATRIX_FILES: [&str; 4] = [
    "traceability.md",
    "traceability.csv",
    "traceability.json",
    "traceability.html",
];

/// A build's objects, for the simulator.
pub struct Build {
    /// The plan the objects come from.
    pub plan: plan::Plan,
    /// The emitted objects, in plan order.
    pub emitted: Vec<emit::Emitted>,
}

impl Build {
    /// The objects alone, in plan order.
    pub fn policies(self) -> Vec<k8s_openapi::api::networking::v1::NetworkPolicy> {
        self.emitted.into_iter().map(|e| e.object).collect()
    }
}

/// Builds a checked model's objects in memory.
pub fn build(model: &Model, sources: &Sources) -> Build {
    let plan = plan::plan(model);
    let emitted = emit::emit(model, &plan, sources);
    Build { plan, emitted }
}

/// `ward test`: the program's own objects simulated in a world made from
/// it and judged exactly, both against its flows and invariants.
///
/// # Errors
///
/// The simulator refused the policies Ward generated: a bug in Ward.
pub fn test(model: &Model, sources: &Sources) -> Result<proof::TestReport, LoadError> {
    let Build { plan, emitted } = build(model, sources);
    let policies = emitted.into_iter().map(|e| e.object).collect();
    proof::test_program(model, &plan, policies)
}

/// The plan and each policy's YAML, in plan order: every object is
/// serialized and dropped at once, so only the text is ever held whole.
///
/// # Errors
///
/// An object that does not serialize: a bug in Ward, not in the program.
pub fn documents(
    model: &Model,
    sources: &Sources,
) -> Result<(plan::Plan, Vec<String>), SerializeError> {
    let plan = plan::plan(model);
    let documents = output::plan_documents(model, &plan, sources)?;
    Ok((plan, documents))
}

/// `ward matrix`: the traceability matrix of a program, from the same plan
/// and documents a build writes, with its `warnings` and `provenance`.
///
/// # Errors
///
/// An object that does not serialize: a bug in Ward, not in the program.
pub fn matrix(
    model: &Model,
    sources: &Sources,
    warnings: &[Diagnostic],
    provenance: &matrix::Provenance,
) -> Result<matrix::Matrix, SerializeError> {
    let (plan, documents) = documents(model, sources)?;
    Ok(matrix::build(
        model, &plan, &documents, sources, warnings, provenance,
    ))
}

/// A build directory's files: the YAML `documents` of `plan`, the
/// kustomization, and the four matrix files (`matrix`, in the order of
/// [`MATRIX_FILES`]), whatever form the caller holds their contents in.
pub fn layout<C: From<String>>(
    plan: &plan::Plan,
    documents: Vec<String>,
    matrix: [C; 4],
) -> output::Files<C> {
    let extra = MATRIX_FILES
        .into_iter()
        .map(str::to_string)
        .zip(matrix)
        .collect();
    output::layout(plan, documents, extra)
}
