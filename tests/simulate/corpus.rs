//! The corpus: each case is a world (`data/NAME.yaml`) and the matrices
//! expected of it (`data/NAME.expect`), written by hand from the Kubernetes
//! NetworkPolicy documentation, never copied from the simulator's output.
//!
//! An expectation file has optional `probes:` and `externals:` lines (no
//! `probes:` means the world's declared ports), then one matrix per probe in
//! the layout `render_table` prints: rows are sources, columns destinations,
//! `.` allowed, `X` blocked, `-` between two external addresses. Every cell
//! of every matrix is checked, and the matrices must list every endpoint in
//! world order. Each cell is also checked against `World::verdict` and
//! `World::explain`, and the rendered table must read back as the result.

use std::net::IpAddr;
use ward::simulate::{Document, Probe, Reachability, World, load, render_table};

/// A matrix: the probe, the column names and each row's name and marks.
#[derive(Debug, PartialEq, Eq)]
pub struct Table {
    pub probe: Probe,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

/// What an expectation file says.
#[derive(Debug, Default)]
pub struct Expected {
    pub probes: Option<Vec<Probe>>,
    pub externals: Vec<IpAddr>,
    pub tables: Vec<Table>,
}

/// Reads an expectation file (or `render_table` output).
pub fn parse_expected(text: &str) -> Result<Expected, String> {
    let mut expected = Expected::default();
    for (number, line) in text.lines().enumerate() {
        let at = |message: String| format!("line {}: {message}", number + 1);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("probes:") {
            let probes = rest
                .split_whitespace()
                .map(|text| text.parse::<Probe>().map_err(|e| at(e.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
            expected.probes = Some(probes);
        } else if let Some(rest) = line.strip_prefix("externals:") {
            expected.externals = rest
                .split_whitespace()
                .map(|text| text.parse::<IpAddr>().map_err(|e| at(e.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
        } else if let Some(rest) = line.strip_prefix("probe ") {
            let word = rest.split_whitespace().next().unwrap_or_default();
            let probe = word
                .trim_end_matches(':')
                .parse::<Probe>()
                .map_err(|e| at(e.to_string()))?;
            expected.tables.push(Table {
                probe,
                columns: Vec::new(),
                rows: Vec::new(),
            });
        } else {
            let Some(table) = expected.tables.last_mut() else {
                return Err(at("a matrix row before any `probe` line".to_owned()));
            };
            let mut words = line.split_whitespace().map(str::to_owned);
            let first = words.next().unwrap_or_default();
            if table.columns.is_empty() {
                if first != "-" {
                    return Err(at("a matrix must start with a `-` header".to_owned()));
                }
                table.columns = words.collect();
            } else {
                let marks: Vec<String> = words.collect();
                if marks.len() != table.columns.len() {
                    return Err(at(format!(
                        "row `{first}` has {} marks for {} columns",
                        marks.len(),
                        table.columns.len()
                    )));
                }
                table.rows.push((first, marks));
            }
        }
    }
    Ok(expected)
}

fn mark(allowed: Option<bool>) -> &'static str {
    match allowed {
        Some(true) => ".",
        Some(false) => "X",
        None => "-",
    }
}

/// The tables a reachability result amounts to.
pub fn tables_of(reach: &Reachability) -> Vec<Table> {
    let names: Vec<String> = reach.endpoints().iter().map(ToString::to_string).collect();
    reach
        .probes()
        .iter()
        .map(|probe| Table {
            probe: *probe,
            columns: names.clone(),
            rows: reach
                .endpoints()
                .iter()
                .zip(&names)
                .map(|(src, name)| {
                    let marks = reach
                        .endpoints()
                        .iter()
                        .map(|dst| mark(reach.allowed(src, dst, *probe)).to_owned())
                        .collect();
                    (name.clone(), marks)
                })
                .collect(),
        })
        .collect()
}

/// Checks a world against its expectation; the error lists every
/// disagreement.
pub fn check_case(name: &str, yaml: &str, expect: &str) -> Result<(), String> {
    let world = load(&[Document::new(format!("{name}.yaml"), yaml)]).map_err(|e| e.to_string())?;
    let expected = parse_expected(expect)?;
    let reach = world.reachability(
        expected.probes.as_deref().unwrap_or(&[]),
        &expected.externals,
    );
    let actual = tables_of(&reach);
    let mut problems = Vec::new();
    let expected_probes: Vec<Probe> = expected.tables.iter().map(|t| t.probe).collect();
    if expected_probes != reach.probes() {
        problems.push(format!(
            "probes: expected {expected_probes:?}, simulated {:?}",
            reach.probes()
        ));
    }
    for (want, got) in expected.tables.iter().zip(&actual) {
        if want.columns != got.columns {
            problems.push(format!(
                "{}: columns {:?}, but the endpoints are {:?}",
                want.probe, want.columns, got.columns
            ));
            continue;
        }
        let want_rows: Vec<&String> = want.rows.iter().map(|(row, _)| row).collect();
        let got_rows: Vec<&String> = got.rows.iter().map(|(row, _)| row).collect();
        if want_rows != got_rows {
            problems.push(format!(
                "{}: rows {want_rows:?}, but the endpoints are {got_rows:?}",
                want.probe
            ));
            continue;
        }
        for ((src, want_marks), (_, got_marks)) in want.rows.iter().zip(&got.rows) {
            for ((dst, want_mark), got_mark) in want.columns.iter().zip(want_marks).zip(got_marks) {
                if want_mark != got_mark {
                    problems.push(format!(
                        "{}: {src} -> {dst}: expected {want_mark}, simulated {got_mark}",
                        want.probe
                    ));
                }
            }
        }
    }
    problems.extend(check_consistency(&world, &reach));
    let rendered = parse_expected(&render_table(&reach))?;
    if rendered.tables != actual {
        problems.push(format!(
            "render_table does not read back:\n{}",
            render_table(&reach)
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}:\n  {}", problems.join("\n  ")))
    }
}

/// Every cell of `reach` agrees with `verdict` and `explain`.
pub fn check_consistency(world: &World, reach: &Reachability) -> Vec<String> {
    let mut problems = Vec::new();
    for connection in reach.connections() {
        let verdict = world.verdict(connection.src, connection.dst, connection.probe);
        let explained = world
            .explain(connection.src, connection.dst, connection.probe)
            .map(|explanation| explanation.allowed);
        if verdict != Ok(connection.allowed) || explained != Ok(connection.allowed) {
            problems.push(format!(
                "{}: {} -> {}: reachability says {}, verdict {verdict:?}, explain {explained:?}",
                connection.probe, connection.src, connection.dst, connection.allowed
            ));
        }
    }
    problems
}

macro_rules! cases {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() -> Result<(), String> {
                check_case(
                    $file,
                    include_str!(concat!("data/", $file, ".yaml")),
                    include_str!(concat!("data/", $file, ".expect")),
                )
            }
        )*

        /// Every case listed above.
        pub const CASES: &[&str] = &[$($file),*];
    };
}

cases! {
    no_policies => "01-no-policies",
    deny_all_ingress => "02-deny-all-ingress",
    deny_all_egress => "03-deny-all-egress",
    deny_all_both => "04-deny-all-both",
    allow_all_ingress => "05-allow-all-ingress",
    allow_all_egress => "06-allow-all-egress",
    pod_selector_same_namespace => "07-pod-selector-same-namespace",
    namespace_selector_only => "08-namespace-selector-only",
    and_peer => "09-and-peer",
    or_peers => "10-or-peers",
    match_expressions => "11-match-expressions",
    metadata_name_label => "12-metadata-name-label",
    ipblock_except_ingress => "13-ipblock-except-ingress",
    ipblock_pod_ips => "14-ipblock-pod-ips",
    named_port_ingress => "15-named-port-ingress",
    named_port_protocol => "16-named-port-protocol",
    named_port_egress => "17-named-port-egress",
    end_port => "18-end-port",
    udp_sctp => "19-udp-sctp",
    ports_empty_object => "20-ports-empty-object",
    empty_from => "21-empty-from",
    egress_empty_list => "22-egress-empty-list",
    policy_types_defaulting => "23-policy-types-defaulting",
    policy_types_ignore_rules => "24-policy-types-ignore-rules",
    union_of_policies => "25-union-of-policies",
    both_sides_needed => "26-both-sides-needed",
    v1_list => "27-v1-list",
    workload_templates => "28-workload-templates",
    owned_workloads => "29-owned-workloads",
    self_traffic => "30-self-traffic",
    namespace_selector_empty => "31-namespace-selector-empty",
    stream_quirks => "32-stream-quirks",
    pod_selector_notin => "33-pod-selector-notin",
    ipblock_egress_internet => "34-ipblock-egress-internet",
    ipv6_dual_stack => "35-ipv6-dual-stack",
    typed_lists => "36-typed-lists",
}

/// A case added to `data/` must be listed in `cases!`, or it would never run.
#[test]
#[expect(
    clippy::disallowed_methods,
    reason = "the test lists its own data directory"
)]
fn every_case_is_listed() -> Result<(), String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/simulate/data");
    let mut on_disk = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        on_disk.insert(stem);
    }
    let listed: std::collections::BTreeSet<String> =
        CASES.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(on_disk, listed, "tests/simulate/data and `cases!` disagree");
    Ok(())
}
