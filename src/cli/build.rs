//! `ward build`: the program's NetworkPolicies, to stdout or a directory,
//! and `--check`, the CI drift gate.

use super::io::UsageError;
use super::write::{self, Change, RealDisk};
use crate::model::Model;
use crate::output;
use crate::source::Sources;
use crate::{emit, plan, yaml};
use std::fmt::Write as _;
use std::path::Path;

/// Everything a build produces, in memory.
pub struct Build {
    /// The emitted objects.
    pub emitted: Vec<emit::Emitted>,
    /// The directory layout.
    pub files: output::Files,
}

/// Builds a checked model in memory.
pub fn build(model: &Model, sources: &Sources) -> Result<Build, UsageError> {
    let plan = plan::plan(model);
    let emitted = emit::emit(model, &plan, sources);
    let files = output::layout(&emitted, &[])
        .map_err(|e| UsageError(format!("cannot serialize the policies: {e}")))?;
    Ok(Build { emitted, files })
}

/// The objects as one multi-document YAML stream.
pub fn stream(build: &Build) -> Result<String, UsageError> {
    let documents = output::documents(&build.emitted)
        .map_err(|e| UsageError(format!("cannot serialize the policies: {e}")))?;
    Ok(yaml::stream(&documents))
}

/// Writes the build into `dir`; returns a one-line summary.
pub fn write(dir: &Path, build: &Build) -> Result<String, UsageError> {
    let changes = write::plan_changes(dir, &build.files)?;
    write::apply(dir, &changes, &mut RealDisk)?;
    let count = |f: fn(&Change) -> bool| {
        changes
            .iter()
            .filter(|c| c.path != output::MANIFEST && f(c))
            .count()
    };
    Ok(format!(
        "wrote {} policies to {} ({} added, {} changed, {} removed)",
        build.emitted.len(),
        dir.display(),
        count(|c| c.old.is_none()),
        count(|c| c.old.is_some() && c.new.is_some()),
        count(|c| c.new.is_none()),
    ))
}

/// Compares the build with `dir`: `None` when identical, else a readable
/// summary of the drift.
pub fn check(dir: &Path, build: &Build) -> Result<Option<String>, UsageError> {
    let changes = write::plan_changes(dir, &build.files)?;
    let changes: Vec<&Change> = changes
        .iter()
        .filter(|c| c.path != output::MANIFEST)
        .collect();
    if changes.is_empty() {
        return Ok(None);
    }
    let mut report = format!("{} is out of date with the program:\n", dir.display());
    for change in &changes {
        let _ = match (&change.old, &change.new) {
            (None, Some(_)) => writeln!(report, "  added    {}", change.path),
            (Some(_), None) => writeln!(report, "  removed  {}", change.path),
            (Some(old), Some(new)) => {
                let fields = yaml::changed_fields(old, new);
                writeln!(report, "  changed  {}: {}", change.path, fields.join(", "))
            }
            (None, None) => Ok(()),
        };
    }
    let _ = writeln!(
        report,
        "run `ward build -o {}` and commit the result",
        dir.display()
    );
    Ok(Some(report))
}
