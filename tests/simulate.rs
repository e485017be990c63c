//! Tests of `ward::simulate`, the NetworkPolicy simulator: a corpus of
//! hand-checked worlds, properties against a naive transcription of the
//! spec, error paths, explanations and the renderers.

#[path = "simulate/corpus.rs"]
mod corpus;
#[path = "simulate/errors.rs"]
mod errors;
#[path = "simulate/explain.rs"]
mod explain;
#[path = "simulate/oracle.rs"]
mod oracle;
#[path = "simulate/props.rs"]
mod props;
#[path = "simulate/render.rs"]
mod render;
