//! Errors of Ward's own making, as types: what the core returns when its own
//! output fails it (which a correct Ward never does), and `never!`, the
//! mark of a state the code's invariants rule out.
//!
//! Errors in what a user gave are diagnostics (`crate::diagnostic`) or the
//! error types of the readers (`crate::yaml::ReadError`,
//! `crate::simulate::LoadError`); they are not here.

use std::fmt;

/// Ward could not serialize an object or a report it made itself. Plain data
/// never makes serde fail, so this is a bug in Ward, which the CLI reports
/// as an internal error (exit 3), not as the user's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerializeError(String);

impl SerializeError {
    /// The serializer's own error, kept as its message.
    pub(crate) fn new(error: impl fmt::Display) -> Self {
        SerializeError(error.to_string())
    }
}

impl fmt::Display for SerializeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerializeError {}

/// Marks a state the code's own invariants rule out, where a `let ... else`
/// or a `match` arm has to say something: a debug build (and so every test)
/// stops there with the message, a release build goes on with the fallback
/// the caller writes after it (a `continue`, an empty value), so that a
/// broken invariant is seen in testing and never crashes a user's run.
macro_rules! never {
    ($($message:tt)+) => {
        debug_assert!(false, $($message)+)
    };
}
pub(crate) use never;
