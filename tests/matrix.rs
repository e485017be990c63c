//! The traceability matrix: snapshots of every format for every example,
//! every cited rule position checked against the emitted objects, the JSON
//! against its schema, the HTML parsed, and determinism.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

mod common;

use k8s_openapi::api::networking::v1 as net;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use ward::emit::Emitted;
use ward::matrix::{self, Matrix, Provenance};
use ward::model::{Endpoint, Model};
use ward::source::Sources;

/// Everything one program compiles to.
struct Built {
    model: Model,
    plan: ward::plan::Plan,
    emitted: Vec<Emitted>,
    documents: Vec<String>,
    matrix: Matrix,
}

fn build_with(sources: &Sources, provenance: &Provenance) -> Built {
    let checked = ward::compile(sources);
    let model = checked.model.expect("the program checks clean");
    let plan = ward::plan::plan(&model);
    let emitted = ward::emit::emit(&model, &plan, sources);
    let documents = ward::output::documents(&emitted).unwrap();
    let matrix = matrix::build(
        &model,
        &plan,
        &documents,
        sources,
        &checked.diagnostics,
        provenance,
    );
    Built {
        model,
        plan,
        emitted,
        documents,
        matrix,
    }
}

fn build(sources: &Sources) -> Built {
    build_with(sources, &Provenance::default())
}

fn json(m: &Matrix) -> String {
    matrix::json(m).unwrap()
}

fn examples() -> Vec<(String, Sources)> {
    common::examples()
        .iter()
        .map(|path| (common::example_name(path), common::load(path)))
        .collect()
}

// ---------------------------------------------------------------- snapshots

/// The example too large to review as a JSON snapshot (7,000 lines): its
/// JSON is checked against the schema and by its counts instead.
const LARGE: &str = "platform";

#[test]
fn every_example_renders_to_the_snapshotted_markdown_csv_and_json() {
    for (name, sources) in examples() {
        let m = build(&sources).matrix;
        insta::assert_snapshot!(format!("markdown_{name}"), matrix::markdown(&m));
        insta::assert_snapshot!(format!("csv_{name}"), matrix::csv(&m));
        if name != LARGE {
            insta::assert_snapshot!(format!("json_{name}"), json(&m));
        }
    }
}

/// The large example's JSON by its counts: the snapshotted totals, each
/// recounted from the program and the emitted objects, and every list of the
/// JSON as long as its total says.
#[test]
fn the_large_examples_json_has_the_snapshotted_counts() {
    let built = build(&common::load(&Path::new("examples").join(LARGE)));
    let value: serde_json::Value = serde_json::from_str(&json(&built.matrix)).unwrap();
    let totals = &value["totals"];
    insta::assert_snapshot!(
        format!("json_{LARGE}_totals"),
        serde_json::to_string_pretty(totals).unwrap()
    );
    let count = |key: &str| usize::try_from(totals[key].as_u64().unwrap()).unwrap();
    let length = |key: &str| value[key].as_array().unwrap().len();
    assert_eq!(length("criteria"), count("cited_criteria"));
    assert_eq!(length("flows"), count("flows"));
    assert_eq!(length("objects"), count("objects"));
    assert_eq!(length("rows"), count("rows"));
    assert_eq!(count("catalog_criteria"), ward::catalog::CRITERIA.len());
    assert_eq!(count("controls"), built.model.controls.len());
    assert_eq!(count("flows"), built.model.flows.len());
    assert_eq!(count("objects"), built.emitted.len());
    let specs = || {
        built
            .emitted
            .iter()
            .map(|e| e.object.spec.as_ref().unwrap())
    };
    assert_eq!(
        count("default_deny_objects"),
        built
            .emitted
            .iter()
            .filter(|e| e.name == "default-deny")
            .count()
    );
    assert_eq!(
        count("rules"),
        specs()
            .map(|s| s.ingress.as_ref().map_or(0, Vec::len) + s.egress.as_ref().map_or(0, Vec::len))
            .sum::<usize>()
    );
}

#[test]
fn the_payments_example_renders_to_the_snapshotted_html() {
    let m = build(&common::load(Path::new("examples/payments.ward"))).matrix;
    insta::assert_snapshot!("html_payments", matrix::html(&m));
}

#[test]
fn a_program_with_warnings_and_provenance_renders_to_the_snapshotted_markdown() {
    let provenance = Provenance {
        commit: Some("0123456789abcdef0123456789abcdef01234567".to_string()),
        dirty: true,
        generated_at: Some("2025-01-31T12:00:00Z".to_string()),
    };
    let m = build_with(&warned(), &provenance).matrix;
    insta::assert_snapshot!("markdown_warnings", matrix::markdown(&m));
}

/// A program whose flows draw warnings, with text that needs escaping in
/// every format.
fn warned() -> Sources {
    let mut sources = Sources::new();
    sources.add(
        "policy/warned.ward",
        concat!(
            "system \"Team <A> | \\\"B\\\"\"\n",
            "baseline controls CC6.1\n",
            "control NET-01 \"Segmentation, by \\\"namespace\\\"\" maps CC6.1, CC6.6\n",
            "namespace shop {\n",
            "  service web { pods app=web  ports http 8080 }\n",
            "  service api { pods app=api  ports https 8443, admin 9000-9100/udp }\n",
            "}\n",
            "external everything = 0.0.0.0/0\n",
            "flow shop.web -> shop.api controls NET-01, CC6.1\n",
            "flow shop.api -> everything:443/tcp controls CC6.7 because \"=HYPERLINK(\\\"x\\\"), | <b>\"\n",
            "flow shop.web -> shop.api:* controls CC7.2 because \"debugging\"\n",
        ),
    );
    sources
}

// ------------------------------------------------------ the matrix and YAML

/// The Kubernetes ports a flow's rule must carry.
fn expected_ports(flow: &matrix::FlowEntry) -> Option<Vec<net::NetworkPolicyPort>> {
    if let Some(name) = &flow.port_name {
        // By name, once per protocol the services declare it with.
        let protocols: std::collections::BTreeSet<&str> =
            flow.ports.iter().map(|p| p.protocol.as_str()).collect();
        return Some(
            protocols
                .into_iter()
                .map(|protocol| net::NetworkPolicyPort {
                    protocol: Some(protocol.to_string()),
                    port: Some(IntOrString::String(name.clone())),
                    end_port: None,
                })
                .collect(),
        );
    }
    (!flow.every_port).then(|| {
        flow.ports
            .iter()
            .map(|p| net::NetworkPolicyPort {
                protocol: Some(p.protocol.clone()),
                port: Some(IntOrString::Int(i32::from(p.first))),
                end_port: (p.first != p.last).then_some(i32::from(p.last)),
            })
            .collect()
    })
}

fn namespace_selector(name: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(BTreeMap::from([(
            "kubernetes.io/metadata.name".to_string(),
            name.to_string(),
        )])),
        match_expressions: None,
    }
}

/// The peers a rule in a policy of namespace `own` must carry for `end`,
/// written from the model independently of the planner.
fn expected_peers(end: &Endpoint, own: &str, model: &Model) -> Vec<net::NetworkPolicyPeer> {
    let namespaces = |namespace: &str| (namespace != own).then(|| namespace_selector(namespace));
    let everything = LabelSelector::default();
    match end {
        Endpoint::Service {
            namespace,
            selector,
            ..
        } => vec![net::NetworkPolicyPeer {
            namespace_selector: namespaces(namespace),
            pod_selector: Some(ward::emit::label_selector(selector)),
            ip_block: None,
        }],
        Endpoint::Namespace { namespace, .. } => vec![net::NetworkPolicyPeer {
            namespace_selector: namespaces(namespace),
            pod_selector: Some(everything),
            ip_block: None,
        }],
        Endpoint::AllManaged => vec![net::NetworkPolicyPeer {
            namespace_selector: Some(LabelSelector {
                match_labels: None,
                match_expressions: Some(vec![LabelSelectorRequirement {
                    key: "kubernetes.io/metadata.name".to_string(),
                    operator: "In".to_string(),
                    values: Some(
                        model
                            .managed_namespaces()
                            .map(|ns| ns.name.clone())
                            .collect(),
                    ),
                }]),
            }),
            pod_selector: Some(everything),
            ip_block: None,
        }],
        Endpoint::External { addresses, .. } => addresses
            .ip_blocks()
            .iter()
            .map(|b| net::NetworkPolicyPeer {
                ip_block: Some(net::IPBlock {
                    cidr: b.cidr.to_string(),
                    except: (!b.except.is_empty())
                        .then(|| b.except.iter().map(ToString::to_string).collect()),
                }),
                namespace_selector: None,
                pod_selector: None,
            })
            .collect(),
    }
}

fn object<'a>(emitted: &'a [Emitted], namespace: &str, name: &str) -> &'a net::NetworkPolicy {
    &emitted
        .iter()
        .find(|e| e.namespace == namespace && e.name == name)
        .unwrap_or_else(|| panic!("the matrix cites `{namespace}/{name}`, which is not emitted"))
        .object
}

/// Every rule position the matrix cites for a flow is, in the emitted
/// object, a rule of that direction at that index, annotated with that flow,
/// whose peers are the flow's other end and whose ports are the flow's.
#[test]
fn every_cited_rule_position_is_that_rule_in_the_yaml() {
    for (name, sources) in examples()
        .into_iter()
        .chain([("warned".to_string(), warned())])
    {
        let built = build(&sources);
        let mut cited = 0;
        for flow in &built.matrix.flows {
            let model_flow = &built.model.flows[flow.index];
            assert!(
                !flow.rules.is_empty(),
                "{name}: `{}` is implemented by no rule",
                flow.text
            );
            for rule in &flow.rules {
                cited += 1;
                let here = format!(
                    "{name}: {}/{} {} {}",
                    rule.namespace, rule.policy, rule.direction, rule.index
                );
                let policy = object(&built.emitted, &rule.namespace, &rule.policy);
                let spec = policy.spec.as_ref().unwrap();
                let (peers, ports, other_end) = match rule.direction.as_str() {
                    "egress" => {
                        let r = &spec.egress.as_ref().unwrap()[rule.index];
                        (r.to.clone().unwrap(), r.ports.clone(), &model_flow.dst)
                    }
                    "ingress" => {
                        let r = &spec.ingress.as_ref().unwrap()[rule.index];
                        (r.from.clone().unwrap(), r.ports.clone(), &model_flow.src)
                    }
                    other => panic!("{here}: direction `{other}`"),
                };
                assert_eq!(
                    peers,
                    expected_peers(other_end, &rule.namespace, &built.model),
                    "{here}: peers"
                );
                assert_eq!(ports, expected_ports(flow), "{here}: ports");
                let annotations = policy.metadata.annotations.as_ref().unwrap();
                let note = &annotations[&rule.annotation];
                assert!(
                    note.starts_with(&format!("flow {} | ", flow.text)),
                    "{here}: {note}"
                );
                assert!(
                    note.ends_with(&format!("| {}", flow.location)),
                    "{here}: {note}"
                );
                assert_eq!(
                    rule.yaml_path,
                    format!("spec.{}[{}]", rule.direction, rule.index)
                );
            }
        }
        assert!(cited > 0, "{name}");
    }
}

/// Conversely, every rule of every emitted object is cited by the matrix,
/// exactly once per flow, and every default deny is cited under the
/// baseline.
#[test]
fn every_emitted_rule_is_cited_by_the_matrix() {
    for (name, sources) in examples()
        .into_iter()
        .chain([("warned".to_string(), warned())])
    {
        let built = build(&sources);
        let mut emitted_rules = BTreeSet::new();
        for e in &built.emitted {
            let spec = e.object.spec.as_ref().unwrap();
            for i in 0..spec.ingress.as_ref().map_or(0, Vec::len) {
                emitted_rules.insert((
                    e.namespace.clone(),
                    e.name.clone(),
                    "ingress".to_string(),
                    i,
                ));
            }
            for i in 0..spec.egress.as_ref().map_or(0, Vec::len) {
                emitted_rules.insert((
                    e.namespace.clone(),
                    e.name.clone(),
                    "egress".to_string(),
                    i,
                ));
            }
        }
        let cited: Vec<_> = built
            .matrix
            .flows
            .iter()
            .flat_map(|f| &f.rules)
            .map(|r| {
                (
                    r.namespace.clone(),
                    r.policy.clone(),
                    r.direction.clone(),
                    r.index,
                )
            })
            .collect();
        let cited_set: BTreeSet<_> = cited.iter().cloned().collect();
        assert_eq!(
            cited.len(),
            cited_set.len(),
            "{name}: a rule is cited for two flows"
        );
        assert_eq!(cited_set, emitted_rules, "{name}");
        assert_eq!(built.matrix.totals.rules, emitted_rules.len(), "{name}");

        let default_denies: BTreeSet<_> = built
            .emitted
            .iter()
            .filter(|e| e.name == "default-deny")
            .map(|e| (e.namespace.clone(), e.name.clone()))
            .collect();
        assert!(!default_denies.is_empty(), "{name}");
        for id in built.model.baseline_criteria() {
            let criterion = built.matrix.criteria.iter().find(|c| c.id == id).unwrap();
            let listed: BTreeSet<_> = criterion
                .baseline
                .as_ref()
                .unwrap()
                .objects
                .iter()
                .map(|o| (o.namespace.clone(), o.name.clone()))
                .collect();
            assert_eq!(listed, default_denies, "{name}: {id}");
        }
    }
}

/// The reverse index agrees with each object's `ward.dev/criteria`
/// annotation, names the file `ward build -o` writes, and digests the YAML.
#[test]
fn the_reverse_index_matches_the_objects_files_and_annotations() {
    for (name, sources) in examples() {
        let built = build(&sources);
        let layout: ward::output::Files =
            ward::output::layout(&built.plan, built.documents.clone(), Vec::new());
        assert_eq!(built.matrix.objects.len(), built.emitted.len(), "{name}");
        for ((entry, emitted), document) in built
            .matrix
            .objects
            .iter()
            .zip(&built.emitted)
            .zip(&built.documents)
        {
            assert_eq!(
                (&entry.namespace, &entry.name),
                (&emitted.namespace, &emitted.name)
            );
            assert_eq!(
                layout.files.get(&entry.file),
                Some(document),
                "{name}: {}",
                entry.file
            );
            assert_eq!(
                entry.sha256.as_deref(),
                Some(matrix::sha256(document.as_bytes()).as_str())
            );
            let annotations = emitted.object.metadata.annotations.as_ref().unwrap();
            let annotated: BTreeSet<&str> = annotations["ward.dev/criteria"].split(", ").collect();
            let listed: BTreeSet<&str> = entry.criteria.iter().map(String::as_str).collect();
            assert_eq!(listed, annotated, "{name}: {}", entry.file);
        }
    }
}

#[test]
fn criteria_come_in_catalog_order_and_only_when_cited() {
    let built = build(&common::load(Path::new("examples/platform")));
    let catalog: Vec<&str> = ward::catalog::CRITERIA.iter().map(|c| c.id).collect();
    let ids: Vec<&str> = built
        .matrix
        .criteria
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| catalog.iter().position(|c| c == id).unwrap());
    assert_eq!(ids, sorted);
    let mut cited: BTreeSet<&str> = built.model.baseline_criteria();
    for flow in &built.model.flows {
        cited.extend(flow.criteria());
    }
    assert_eq!(ids.iter().copied().collect::<BTreeSet<_>>(), cited);
    // NET-01 maps CC6.1 and CC6.6 and is cited by the baseline and by flows.
    let cc61 = built
        .matrix
        .criteria
        .iter()
        .find(|c| c.id == "CC6.1")
        .unwrap();
    assert_eq!(
        cc61.controls
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        ["NET-01", "NET-03"]
    );
    let baseline = cc61.baseline.as_ref().unwrap();
    assert!(!baseline.via.direct);
    assert_eq!(baseline.via.controls, ["NET-01"]);
}

#[test]
fn warnings_bearing_flows_and_gaps_are_reported() {
    let m = build(&warned()).matrix;
    let codes: Vec<Vec<&str>> = m
        .flows
        .iter()
        .map(|f| f.warnings.iter().map(|w| w.code.as_str()).collect())
        .collect();
    assert_eq!(codes, [vec!["W0001"], vec!["W0003"], vec!["W0002"]]);
    assert_eq!(m.totals.flows_with_warnings, 3);
    // CC6.1 is cited by the baseline too; the others only by warned flows.
    let weak: Vec<&str> = m
        .coverage
        .warnings_only
        .iter()
        .map(|w| w.criterion.as_str())
        .collect();
    assert_eq!(weak, ["CC6.6", "CC6.7", "CC7.2"]);
    let uncited: Vec<&str> = m
        .coverage
        .uncited_network_relevant
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(uncited, ["CC2.1", "CC7.1", "CC8.1"]);
    // A flow cited both directly and through a control gives one row per way.
    let cc61_rules: Vec<(Option<&str>, &str)> = m
        .rows
        .iter()
        .filter(|r| r.criterion_id == "CC6.1" && r.flow_index == Some(0))
        .map(|r| (r.control_id.as_deref(), r.annotation.as_deref().unwrap()))
        .collect();
    assert_eq!(cc61_rules, expected_cc61_rows());
}

/// Direct citations first, then controls in citation order; within each,
/// the rules in plan order.
fn expected_cc61_rows() -> Vec<(Option<&'static str>, &'static str)> {
    vec![
        (None, "ward.dev/egress-0"),
        (None, "ward.dev/ingress-0"),
        (Some("NET-01"), "ward.dev/egress-0"),
        (Some("NET-01"), "ward.dev/ingress-0"),
    ]
}

#[test]
fn rows_count_one_per_criterion_control_artifact_and_rule() {
    for (name, sources) in examples() {
        let m = build(&sources).matrix;
        let mut expected = 0;
        for c in &m.criteria {
            if let Some(b) = &c.baseline {
                expected += (usize::from(b.via.direct) + b.via.controls.len()) * b.objects.len();
            }
            for f in &c.flows {
                let ways = usize::from(f.via.direct) + f.via.controls.len();
                expected += ways * m.flows[f.flow].rules.len().max(1);
            }
        }
        assert_eq!(m.rows.len(), expected, "{name}");
        assert_eq!(m.totals.rows, expected, "{name}");
    }
}

// ------------------------------------------------------------------- CSV

/// A strict RFC 4180 reader: fields separated by commas, records by CRLF,
/// quoted fields with doubled quotes.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(field.is_empty(), "a quote inside an unquoted field");
                quoted = true;
            }
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            '\n' => panic!("LF without CR outside quotes"),
            _ => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "the last record ends with CRLF"
    );
    records
}

#[test]
fn csv_is_rfc_4180_with_stable_columns_shared_with_the_json_rows() {
    for (name, sources) in examples()
        .into_iter()
        .chain([("warned".to_string(), warned())])
    {
        let m = build(&sources).matrix;
        let records = read_csv(&matrix::csv(&m));
        assert_eq!(records[0], matrix::COLUMNS, "{name}");
        assert_eq!(records.len(), m.rows.len() + 1, "{name}");
        let value: serde_json::Value = serde_json::from_str(&json(&m)).unwrap();
        for (record, row) in records[1..].iter().zip(value["rows"].as_array().unwrap()) {
            let row = row.as_object().unwrap();
            let keys: Vec<&str> = row.keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                matrix::COLUMNS,
                "{name}: JSON row keys are the CSV columns, in order"
            );
            for ((column, cell), value) in matrix::COLUMNS.iter().zip(record).zip(row.values()) {
                let expected = match value {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) if s.starts_with(['=', '+', '-', '@']) => {
                        format!("'{s}")
                    }
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(cell, &expected, "{name}: column {column}");
            }
        }
    }
}

#[test]
fn csv_defuses_formulas_and_quotes_commas_and_quotes() {
    let text = matrix::csv(&build(&warned()).matrix);
    assert!(
        text.contains(",\"'=HYPERLINK(\"\"x\"\"), | <b>\","),
        "{text}"
    );
    assert!(
        text.contains(",\"Segmentation, by \"\"namespace\"\"\","),
        "{text}"
    );
}

// ------------------------------------------------------------------- JSON

fn schema() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string("docs/matrix.schema.json").unwrap()).unwrap()
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::draft202012::meta::validate(&schema).unwrap();
    assert!(jsonschema::validator_for(&schema).is_ok());
}

#[test]
fn the_json_of_every_example_validates_against_the_schema() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let provenance = Provenance {
        commit: Some("abc".to_string()),
        dirty: false,
        generated_at: Some("2025-01-31".to_string()),
    };
    let cases = examples()
        .into_iter()
        .chain([("warned".to_string(), warned())])
        .flat_map(|(name, sources)| {
            [
                (name.clone(), build(&sources).matrix),
                (
                    format!("{name} with provenance"),
                    build_with(&sources, &provenance).matrix,
                ),
            ]
        });
    for (name, m) in cases {
        let instance: serde_json::Value = serde_json::from_str(&json(&m)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
}

#[test]
fn the_schema_rejects_what_it_does_not_document() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let m = build(&common::load(Path::new("examples/minimal.ward"))).matrix;
    let good: serde_json::Value = serde_json::from_str(&json(&m)).unwrap();
    let mut extra = good.clone();
    extra["header"]["surprise"] = serde_json::json!(1);
    assert!(!validator.is_valid(&extra));
    let mut missing = good.clone();
    missing["rows"][0].as_object_mut().unwrap().remove("owner");
    assert!(!validator.is_valid(&missing));
    let mut bad_digest = good;
    bad_digest["header"]["sources_digest"] = serde_json::json!("md5:abc");
    assert!(!validator.is_valid(&bad_digest));
}

// ------------------------------------------------------------------- HTML

#[test]
fn the_html_has_contents_anchors_full_tables_and_nothing_external() {
    use scraper::{Html, Selector};
    let sel = |s: &str| Selector::parse(s).unwrap();
    for (name, sources) in examples()
        .into_iter()
        .chain([("warned".to_string(), warned())])
    {
        let m = build(&sources).matrix;
        let page = Html::parse_document(&matrix::html(&m));
        assert!(page.errors.is_empty(), "{name}: {:?}", page.errors);

        // A table of contents linking to an anchor for every cited criterion.
        let links: Vec<String> = page
            .select(&sel("nav#contents a"))
            .filter_map(|a| a.value().attr("href"))
            .map(str::to_string)
            .collect();
        for c in &m.criteria {
            let anchor = matrix::criterion_anchor(&c.id);
            assert!(
                links.contains(&format!("#{anchor}")),
                "{name}: no link to {anchor}"
            );
        }
        for link in &links {
            let id = link.strip_prefix('#').unwrap();
            let target = sel(&format!("[id=\"{id}\"]"));
            assert_eq!(
                page.select(&target).count(),
                1,
                "{name}: {link} names one element"
            );
        }

        // Every table has a header row; criterion tables have one row per
        // artifact, the reverse index one per object.
        for table in page.select(&sel("table")) {
            let header = table.select(&sel("thead tr th")).count();
            assert!(header > 0, "{name}: a table without a header row");
            for row in table.select(&sel("tbody tr")) {
                assert_eq!(
                    row.select(&sel("td, th")).count(),
                    header,
                    "{name}: a row of the wrong width"
                );
            }
        }
        for c in &m.criteria {
            let section = sel(&format!(
                "section[id=\"{}\"] table tbody tr",
                matrix::criterion_anchor(&c.id)
            ));
            let expected = usize::from(c.baseline.is_some()) + c.flows.len();
            assert_eq!(page.select(&section).count(), expected, "{name}: {}", c.id);
        }
        let index = page.select(&sel("#reverse-index table tbody tr")).count();
        assert_eq!(index, m.objects.len(), "{name}");

        // Self-contained: no scripts, no external resources.
        assert_eq!(page.select(&sel("script")).count(), 0, "{name}");
        for element in page.select(&sel(
            "link, script, img, iframe, object, embed, source, audio, video",
        )) {
            for attr in ["src", "href", "data"] {
                let value = element.value().attr(attr).unwrap_or("");
                assert!(
                    !value.contains("http") && !value.starts_with("//"),
                    "{name}: {value}"
                );
            }
        }
        for a in page.select(&sel("a")) {
            assert!(
                a.value().attr("href").unwrap().starts_with('#'),
                "{name}: only in-page links"
            );
        }
        let style: String = page.select(&sel("style")).map(|s| s.inner_html()).collect();
        assert!(style.contains("@media print"), "{name}");
        assert!(
            !style.contains("url(") && !style.contains("@import"),
            "{name}"
        );
    }
}

#[test]
fn the_html_escapes_the_teams_text() {
    let page = matrix::html(&build(&warned()).matrix);
    assert!(
        page.contains("<title>Traceability matrix: Team &lt;A&gt; | &quot;B&quot;</title>"),
        "{page}"
    );
    assert!(
        page.contains("=HYPERLINK(&quot;x&quot;), | &lt;b&gt;"),
        "{page}"
    );
    assert!(!page.contains("<b>"));
}

// ------------------------------------------------------------- Markdown

#[test]
fn the_markdown_of_the_largest_example_fits_a_pull_request_comment() {
    let m = build(&common::load(Path::new("examples/platform"))).matrix;
    let text = matrix::markdown(&m);
    assert!(text.len() < 65_536, "{} bytes", text.len());
}

#[test]
fn markdown_tables_keep_their_shape_whatever_the_team_writes() {
    let text = matrix::markdown(&build(&warned()).matrix);
    let mut width = None;
    for line in text.lines() {
        if line.starts_with('|') {
            // Unescaped pipes delimit cells.
            let cells = line.replace("\\|", "").matches('|').count();
            if line.starts_with("|---") || width.is_none() {
                width = Some(cells);
            }
            assert_eq!(Some(cells), width, "{line}");
        } else {
            width = None;
        }
    }
    assert!(text.contains("=HYPERLINK(\"x\"), \\| \\<b\\>"), "{text}");
}

// --------------------------------------------------------- determinism

#[test]
fn output_is_byte_identical_for_the_same_input() {
    for (name, sources) in examples() {
        let a = build(&sources).matrix;
        let b = build(&sources).matrix;
        assert_eq!(matrix::markdown(&a), matrix::markdown(&b), "{name}");
        assert_eq!(matrix::csv(&a), matrix::csv(&b), "{name}");
        assert_eq!(json(&a), json(&b), "{name}");
        assert_eq!(matrix::html(&a), matrix::html(&b), "{name}");
    }
}

#[test]
fn the_sources_digest_changes_with_any_byte_name_or_order() {
    let sources = common::load(Path::new("examples/platform"));
    let digest = build(&sources).matrix.header.sources_digest;
    let files: Vec<(String, String)> = sources
        .iter()
        .map(|(_, f)| (f.name.clone(), f.text.clone()))
        .collect();
    let rebuild = |files: &[(String, String)]| {
        let mut s = Sources::new();
        for (name, text) in files {
            s.add(name.clone(), text.clone());
        }
        matrix::sources_digest(&s)
    };
    assert_eq!(rebuild(&files), digest);
    // One byte of a comment: the program means the same, the digest differs.
    let mut edited = files.clone();
    edited[0].1 = edited[0].1.replacen("Acme", "Acmf", 1);
    assert_ne!(rebuild(&edited), digest);
    let mut renamed = files.clone();
    renamed[0].0.push('x');
    assert_ne!(rebuild(&renamed), digest);
    let mut reordered = files.clone();
    reordered.swap(0, 1);
    assert_ne!(rebuild(&reordered), digest);
    // Framing: moving a byte from one file's end to the next file's start.
    let mut moved = files;
    let last = moved[0].1.pop().unwrap();
    moved[1].1.insert(0, last);
    assert_ne!(rebuild(&moved), digest);
}

#[test]
fn provenance_is_printed_only_when_given() {
    let sources = common::load(Path::new("examples/minimal.ward"));
    let plain = build(&sources).matrix;
    assert_eq!(plain.header.git, None);
    assert_eq!(plain.header.generated_at, None);
    for text in [matrix::markdown(&plain), matrix::html(&plain)] {
        assert!(text.contains("not recorded"));
    }
    let provenance = Provenance {
        commit: Some("0123abc".to_string()),
        dirty: true,
        generated_at: Some("2025-01-31T12:00:00Z".to_string()),
    };
    let given = build_with(&sources, &provenance).matrix;
    for text in [matrix::markdown(&given), matrix::html(&given), json(&given)] {
        assert!(text.contains("0123abc"));
        assert!(text.contains("2025-01-31T12:00:00Z"));
    }
    assert!(matrix::markdown(&given).contains("`0123abc` (uncommitted changes)"));
    // Only the header differs.
    assert_eq!(plain.criteria, given.criteria);
    assert_eq!(plain.rows, given.rows);
}

#[test]
fn objects_without_documents_carry_no_digest() {
    let sources = common::load(Path::new("examples/minimal.ward"));
    let built = build(&sources);
    let plan = ward::plan::plan(&built.model);
    let m = matrix::build(
        &built.model,
        &plan,
        &[],
        &sources,
        &[],
        &Provenance::default(),
    );
    assert!(m.objects.iter().all(|o| o.sha256.is_none()));
    assert!(m.rows.iter().all(|r| r.object_sha256.is_none()));
}
