//! The simulator's commands: `ward test`, `ward verify`, `ward explain`
//! (of a connection) and `ward simulate`.

use super::{
    Color, EXIT_FINDINGS, Failure, Format, InternalError, UsageError, compile_valid, io, note,
    report_with_summary, write_stdout,
};
use crate::diagnostic::Diagnostic;
use crate::explain::ExplainError;
use crate::pipeline;
use crate::proof;
use crate::simulate::{self, Probe};
use clap::ValueEnum;
use std::io::{BufWriter, Write as _};
use std::net::IpAddr;
use std::path::PathBuf;

/// `ward simulate`'s output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SimulateFormat {
    /// One reachability matrix per probe, as the Kubernetes e2e tests print.
    Table,
    /// `{"connections": [...]}`.
    Json,
}

/// Writes a warning on stderr for every policy object of the input that the
/// simulator does not evaluate.
fn warn_unsimulated(unsimulated: &[simulate::Unsimulated]) {
    let text = simulate::render_warnings(unsimulated);
    if !text.is_empty() {
        note(text.trim_end());
    }
}

/// `ward test`.
pub fn test(paths: &[PathBuf], format: Format, color: Color) -> Result<u8, Failure> {
    let Some((sources, model, warnings)) = compile_valid(paths, format, color)? else {
        return Ok(EXIT_FINDINGS);
    };
    let tested = pipeline::test(&model, &sources).map_err(|e| InternalError::unsimulated(&e))?;
    let mut diagnostics = warnings;
    diagnostics.extend(tested.diagnostics);
    crate::diagnostic::sort(&mut diagnostics);
    let (pods, addresses, probes) = tested.size;
    let findings = tested.comparison.findings.len();
    let (regions, counterexamples) = tested
        .exact
        .as_ref()
        .map_or((0, 0), |v| (v.regions, v.counterexamples.len()));
    let summary = serde_json::json!({
        "connections": tested.comparison.checked,
        "allowed": tested.comparison.allowed,
        "pods": pods,
        "addresses": addresses,
        "probes": probes,
        "findings": findings,
        "exact_regions": regions,
        "exact_counterexamples": counterexamples,
    });
    report_with_summary(&sources, &diagnostics, format, color, summary);
    note(&format!(
        "tested {} connections ({pods} pods, {addresses} addresses, {probes} probes): {} allowed, {}",
        tested.comparison.checked,
        tested.comparison.allowed,
        if findings == 0 {
            "exactly the declared flows".to_string()
        } else {
            format!("{findings} finding(s)")
        }
    ));
    note(&match &tested.exact {
        Ok(_) if counterexamples == 0 => format!(
            "proved for every pod and address ({regions} allowed regions): exactly the declared flows"
        ),
        Ok(_) => format!("proved for every pod and address: {counterexamples} counterexample(s)"),
        Err(error) => format!("the exact judge could not read the policies: {error}"),
    });
    if !tested.judges_agree {
        note(
            "the sampled and the exact judge disagree: this is a defect in Ward, please report it",
        );
    }
    let passed =
        findings == 0 && counterexamples == 0 && tested.exact.is_ok() && tested.judges_agree;
    Ok(if passed { 0 } else { EXIT_FINDINGS })
}

/// `ward verify`.
pub fn verify(
    paths: &[PathBuf],
    cluster: &[PathBuf],
    format: Format,
    color: Color,
) -> Result<u8, UsageError> {
    let Some((sources, model, _)) = compile_valid(paths, format, color)? else {
        return Ok(EXIT_FINDINGS);
    };
    let documents = io::read_documents(cluster)?;
    let loaded = simulate::read(&documents)
        .map_err(|e| UsageError(format!("cannot read the cluster export: {e}")))?;
    warn_unsimulated(&loaded.unsimulated);
    let world = loaded.world;
    let built = pipeline::build(&model, &sources);
    let verified = proof::verify::verify(&model, &built.plan, &built.emitted, &world);
    let (regions, counterexamples) = verified
        .exact
        .as_ref()
        .map_or((0, 0), |v| (v.regions, v.counterexamples.len()));
    let failed = verified.diagnostics.iter().any(Diagnostic::is_error) || verified.exact.is_err();
    let summary = serde_json::json!({
        "connections": verified.comparison.checked,
        "allowed": verified.comparison.allowed,
        "pods": verified.pods,
        "classes": verified.classes,
        "findings": verified.comparison.findings.len(),
        "errors": verified.diagnostics.iter().filter(|d| d.is_error()).count(),
        "exact_regions": regions,
        "exact_counterexamples": counterexamples,
    });
    if format == Format::Json {
        let document = super::render::json_with_summary(&sources, &verified.diagnostics, summary);
        write_with_connections(&document, verified.connections());
    } else {
        report_with_summary(&sources, &verified.diagnostics, format, color, summary);
    }
    note(&match &verified.exact {
        Ok(_) if counterexamples == 0 => format!(
            "proved for every pod and address the export could run ({regions} allowed regions): exactly the declared flows"
        ),
        Ok(_) => format!(
            "proved for every pod and address the export could run: {counterexamples} counterexample(s)"
        ),
        Err(error) => format!("the exact judge could not read the policies: {error}"),
    });
    note(&format!(
        "verified {} connections over {} pods: {} allowed, {}",
        verified.comparison.checked,
        verified.pods,
        verified.comparison.allowed,
        if failed {
            "findings above"
        } else {
            "as declared"
        }
    ));
    Ok(if failed { EXIT_FINDINGS } else { 0 })
}

/// Writes the JSON `document` (an object) with one more member,
/// `connections`, streamed from `connections`: one line per item, so that
/// the whole list is never held as text.
fn write_with_connections(document: &str, connections: impl Iterator<Item = serde_json::Value>) {
    let mut out = BufWriter::new(super::Stdout::new());
    let head = document.trim_end();
    let head = head.strip_suffix('}').unwrap_or(head).trim_end();
    let written = (|| -> std::io::Result<()> {
        write!(out, "{head},\n  \"connections\": [")?;
        for (index, connection) in connections.enumerate() {
            let separator = if index == 0 { "" } else { "," };
            write!(out, "{separator}\n    {connection}")?;
        }
        writeln!(out, "\n  ]\n}}")?;
        out.flush()
    })();
    super::stdout_written(written);
}

/// `ward simulate`.
pub fn simulate(
    files: &[PathBuf],
    probes: &[String],
    externals: &[String],
    format: SimulateFormat,
) -> Result<u8, UsageError> {
    let documents = io::read_documents(files)?;
    let loaded = simulate::read(&documents).map_err(|e| UsageError(e.to_string()))?;
    warn_unsimulated(&loaded.unsimulated);
    let world = loaded.world;
    let mut parsed = Vec::new();
    for probe in probes {
        parsed.push(
            probe
                .parse::<Probe>()
                .map_err(|e| UsageError(e.to_string()))?,
        );
    }
    if parsed.is_empty() {
        parsed = world.declared_probes();
    }
    let mut addresses = Vec::new();
    for external in externals {
        addresses.push(
            external
                .parse::<IpAddr>()
                .map_err(|_| UsageError(format!("`{external}` is not an IP address")))?,
        );
    }
    let reachability = world.reachability(&parsed, &addresses);
    if reachability.endpoints().is_empty() {
        note(
            "nothing to simulate: the input holds no pods (nor workloads) and no `--external` address; add them, e.g. from `kubectl get ns,pods -A -o yaml`",
        );
    } else if reachability.probes().is_empty() {
        note(
            "nothing to simulate: the pods declare no container ports; name the ports to probe with `--probe 80/tcp`",
        );
    }
    let mut out = BufWriter::new(super::Stdout::new());
    let written = match format {
        SimulateFormat::Table => simulate::write_table(&reachability, &mut out),
        SimulateFormat::Json => simulate::write_json(&reachability, &mut out),
    };
    super::stdout_written(written.and_then(|()| out.flush()));
    Ok(0)
}

/// `ward explain PATH SRC DST[:PORT[/PROTO]]`.
pub fn explain(path: &str, src: &str, dst: &str, color: Color) -> Result<u8, Failure> {
    let paths = [PathBuf::from(path)];
    let Some((sources, model, _)) = compile_valid(&paths, Format::Human, color)? else {
        return Ok(EXIT_FINDINGS);
    };
    let text = crate::explain::explain(&model, &sources, src, dst).map_err(|e| match e {
        ExplainError::Query(message) => Failure::from(UsageError(message)),
        ExplainError::Unsimulated(e) => InternalError::unsimulated(&e).into(),
    })?;
    write_stdout(&text);
    Ok(0)
}
