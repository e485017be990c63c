//! What stops a command, by whose fault: the user's (a [`UsageError`]: a
//! missing file, a bad argument; exit 2) or Ward's own (an [`InternalError`]:
//! its output did not serialize or simulate; exit 3), each with its own
//! message on stderr.

use super::UsageError;
use crate::error::SerializeError;
use crate::simulate::LoadError;

/// Ward failed itself: what it made did not serialize, or the simulator
/// refused the policies Ward generated. A bug in Ward, never the user's
/// doing: reported as one (exit 3), so that CI does not blame the input.
#[derive(Debug)]
pub struct InternalError(pub String);

impl From<SerializeError> for InternalError {
    fn from(error: SerializeError) -> Self {
        InternalError(format!("cannot serialize Ward's output: {error}"))
    }
}

impl InternalError {
    /// The simulator refused the policies Ward generated.
    pub fn unsimulated(error: &LoadError) -> Self {
        InternalError(format!(
            "the generated policies could not be simulated: {error}"
        ))
    }
}

/// Exit code: a usage or IO error.
const EXIT_USAGE: u8 = 2;
/// Exit code: Ward failed itself.
const EXIT_INTERNAL: u8 = 3;

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// The user's input or environment (exit 2).
    Usage(UsageError),
    /// Ward's own failure (exit 3).
    Internal(InternalError),
}

impl From<UsageError> for Failure {
    fn from(error: UsageError) -> Self {
        Failure::Usage(error)
    }
}

impl From<InternalError> for Failure {
    fn from(error: InternalError) -> Self {
        Failure::Internal(error)
    }
}

impl From<SerializeError> for Failure {
    fn from(error: SerializeError) -> Self {
        Failure::Internal(error.into())
    }
}

impl Failure {
    /// The process's exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => EXIT_USAGE,
            Failure::Internal(_) => EXIT_INTERNAL,
        }
    }

    /// What stderr says, with a final newline. Messages quote input (YAML
    /// names, paths): their unshowable characters are escaped.
    pub fn report(&self) -> String {
        let escape = crate::source::escape_unshowable;
        match self {
            Failure::Usage(UsageError(message)) => format!("error: {}\n", escape(message)),
            Failure::Internal(InternalError(message)) => format!(
                "error: internal error: {}\nnote: this is a bug in Ward, not in the input: please report it with the program that caused it\n",
                escape(message)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_failures_and_wards_own_are_told_apart() {
        let usage = Failure::from(UsageError("cannot read `a\u{7}.ward`".to_string()));
        assert_eq!(usage.exit_code(), 2);
        assert_eq!(usage.report(), "error: cannot read `a\\u{7}.ward`\n");
        let internal = Failure::from(SerializeError::new("key must be a string"));
        assert_eq!(internal.exit_code(), 3);
        let report = internal.report();
        assert!(report.starts_with(
            "error: internal error: cannot serialize Ward's output: key must be a string\n"
        ));
        assert!(report.contains("a bug in Ward"), "{report}");
    }
}
