//! Rendering a [`Reachability`] as text: JSON for machines and one matrix
//! per probe for people, in the layout of the Kubernetes e2e network policy
//! tests; and the warnings of a load ([`Unsimulated`] objects) for people.
//!
//! Pure functions from a result to text (a `String`, or streamed to a
//! writer for large worlds); they decide nothing.

use super::endpoint::Endpoint;
use super::error::Unsimulated;
use super::reach::Reachability;
use std::fmt::{self, Write as _};
use std::io::{self, Write};

/// A JSON string literal.
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// Renders every connection as JSON, one connection per line:
///
/// ```text
/// {"connections": [
///   {"src": "x/a", "dst": "y/b", "port": 80, "protocol": "TCP", "allowed": true},
///   ...
/// ]}
/// ```
///
/// Pods are written `namespace/name`, external addresses as the IP. The
/// order is probes as given, then sources, then destinations, in endpoint
/// order. [`write_json`] writes the same text to a writer as it goes.
#[must_use]
pub fn render_json(reachability: &Reachability) -> String {
    written(reachability, write_json)
}

/// What `write` writes, as a string.
fn written(
    reachability: &Reachability,
    write: fn(&Reachability, &mut dyn Write) -> io::Result<()>,
) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail, and the text is UTF-8.
    let _ = write(reachability, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes [`render_json`]'s text to `out` line by line, holding no more
/// than the endpoints' names: the output of a large world (pods squared
/// times probes) is streamed, never built in memory.
///
/// # Errors
///
/// The writer's.
pub fn write_json(reachability: &Reachability, out: &mut dyn Write) -> io::Result<()> {
    let names: Vec<String> = reachability
        .endpoints()
        .iter()
        .map(|endpoint| quoted(&endpoint.to_string()))
        .collect();
    out.write_all(b"{\"connections\": [")?;
    let mut first = true;
    for (p, probe) in reachability.probes().iter().enumerate() {
        let protocol = quoted(&probe.protocol.to_string());
        for (s, src) in names.iter().enumerate() {
            for (allowed, dst) in reachability.row(p, s).zip(&names) {
                let Some(allowed) = allowed else { continue };
                out.write_all(if first { b"\n  " } else { b",\n  " })?;
                first = false;
                write!(
                    out,
                    "{{\"src\": {src}, \"dst\": {dst}, \"port\": {}, \"protocol\": {protocol}, \"allowed\": {allowed}}}",
                    probe.port
                )?;
            }
        }
    }
    out.write_all(if first { b"]}\n" } else { b"\n]}\n" })
}

/// Renders one matrix per probe, rows for sources and columns for
/// destinations: `.` allowed, `X` blocked, `-` not simulated (from one
/// external address to another). Each matrix starts with a legend line
/// naming the probe; matrices are separated by a blank line.
/// [`write_table`] writes the same text to a writer as it goes.
#[must_use]
pub fn render_table(reachability: &Reachability) -> String {
    written(reachability, write_table)
}

/// Writes [`render_table`]'s text to `out` one row at a time.
///
/// # Errors
///
/// The writer's.
pub fn write_table(reachability: &Reachability, out: &mut dyn Write) -> io::Result<()> {
    let names: Vec<String> = reachability
        .endpoints()
        .iter()
        .map(Endpoint::to_string)
        .collect();
    let first_width = names.iter().map(String::len).max().unwrap_or(0).max(1);
    for (index, probe) in reachability.probes().iter().enumerate() {
        if index > 0 {
            out.write_all(b"\n")?;
        }
        writeln!(
            out,
            "probe {probe}: rows are sources, columns destinations; `.` allowed, `X` blocked, `-` not simulated (between two external addresses)"
        )?;
        let mut header = format!("{:first_width$}", "-");
        for name in &names {
            header.push(' ');
            header.push_str(name);
        }
        writeln!(out, "{}", header.trim_end())?;
        for (src, src_name) in names.iter().enumerate() {
            let mut line = format!("{src_name:first_width$}");
            for (cell, dst_name) in reachability.row(index, src).zip(&names) {
                let mark = match cell {
                    Some(true) => ".",
                    Some(false) => "X",
                    None => "-",
                };
                let _ = fmt::Write::write_fmt(
                    &mut line,
                    format_args!(" {mark:width$}", width = dst_name.len()),
                );
            }
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(())
}

/// One `warning: ...` line per policy object the simulator does not
/// evaluate, in input order, then one line that says what follows from
/// them; empty when there are none.
#[must_use]
pub fn render_warnings(unsimulated: &[Unsimulated]) -> String {
    if unsimulated.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for object in unsimulated {
        let _ = writeln!(out, "warning: {object}");
    }
    let _ = writeln!(
        out,
        "warning: {} policy object(s) not simulated: the simulation covers NetworkPolicy (networking.k8s.io/v1) only",
        unsimulated.len()
    );
    out
}
