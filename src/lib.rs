//! Ward: a compiler for Kubernetes network boundaries that must stand up in a
//! SOC 2 audit.
//!
//! The stages, in the order data flows through them (see ARCHITECTURE.md):
//! [`source`] text -> [`syntax`] (AST with spans) -> [`check`] (a resolved,
//! valid [`model`]) -> emitted policies. Every stage is a pure function of its
//! inputs; only the binary reads files, the environment or the clock.

pub mod catalog;
pub mod check;
pub mod diagnostic;
pub mod model;
pub mod simulate;
pub mod source;
pub mod syntax;
