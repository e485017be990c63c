//! Rendering a [`Reachability`] as text: JSON for machines and one matrix
//! per probe for people, in the layout of the Kubernetes e2e network policy
//! tests; and the warnings of a load ([`Unsimulated`] objects) for people.
//!
//! Pure functions from a result to a `String`; they decide nothing.

use super::endpoint::Endpoint;
use super::error::Unsimulated;
use super::reach::Reachability;
use std::fmt::Write as _;

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
/// order.
#[must_use]
pub fn render_json(reachability: &Reachability) -> String {
    let mut out = String::from("{\"connections\": [");
    let mut first = true;
    for connection in reachability.connections() {
        out.push_str(if first { "\n  " } else { ",\n  " });
        first = false;
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "{{\"src\": {}, \"dst\": {}, \"port\": {}, \"protocol\": {}, \"allowed\": {}}}",
            quoted(&connection.src.to_string()),
            quoted(&connection.dst.to_string()),
            connection.probe.port,
            quoted(&connection.probe.protocol.to_string()),
            connection.allowed
        );
    }
    out.push_str(if first { "]}\n" } else { "\n]}\n" });
    out
}

/// Renders one matrix per probe, rows for sources and columns for
/// destinations: `.` allowed, `X` blocked, `-` not simulated (from one
/// external address to another). Each matrix starts with a legend line
/// naming the probe; matrices are separated by a blank line.
#[must_use]
pub fn render_table(reachability: &Reachability) -> String {
    let names: Vec<String> = reachability
        .endpoints()
        .iter()
        .map(Endpoint::to_string)
        .collect();
    let first_width = names.iter().map(String::len).max().unwrap_or(0).max(1);
    let mut out = String::new();
    for (index, probe) in reachability.probes().iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "probe {probe}: rows are sources, columns destinations; `.` allowed, `X` blocked, `-` not simulated (between two external addresses)"
        );
        let mut header = format!("{:first_width$}", "-");
        for name in &names {
            header.push(' ');
            header.push_str(name);
        }
        out.push_str(header.trim_end());
        out.push('\n');
        for (src, src_name) in reachability.endpoints().iter().zip(&names) {
            let mut line = format!("{src_name:first_width$}");
            for (dst, dst_name) in reachability.endpoints().iter().zip(&names) {
                let mark = match reachability.allowed(src, dst, *probe) {
                    Some(true) => ".",
                    Some(false) => "X",
                    None => "-",
                };
                let _ = write!(line, " {mark:width$}", width = dst_name.len());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
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
