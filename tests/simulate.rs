//! Tests of `ward::simulate`, the NetworkPolicy simulator: a corpus of
//! hand-checked worlds, properties against a naive transcription of the
//! spec, random programs judged by it on `ward test`'s world, error paths,
//! explanations and the renderers.

#[path = "simulate/corpus.rs"]
mod corpus;
#[path = "simulate/errors.rs"]
mod errors;
#[path = "simulate/explain.rs"]
mod explain;
#[path = "simulate/oracle.rs"]
mod oracle;
#[path = "simulate/program.rs"]
mod program;
#[path = "simulate/props.rs"]
mod props;
#[path = "simulate/render.rs"]
mod render;
