//! `ward diff`: what a change means, not its lines. Snapshots of the text,
//! Markdown and JSON of one review-sized change; flow identity across edits;
//! changes of meaning without new lines and new lines without a change of
//! meaning; the reachability change as regions; and the command on a
//! scripted Git repository (`REV:PATH`, `--git`, `--fail-on widened`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

mod common;

use common::git::Repo;
use std::process::Output;
use ward::diff::region::{Place, Region, Side};
use ward::diff::{
    self, ControlField, Diff, ExternalField, FlowField, NamespaceField, Program, ServiceField,
    Status,
};
use ward::source::Sources;

const PAYMENTS: &str = include_str!("../examples/payments.ward");

/// `text` with each `(from, to)` replaced, each required to be present.
fn edit(text: &str, edits: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (from, to) in edits {
        assert!(out.contains(from), "the program does not contain {from:?}");
        out = out.replacen(from, to, 1);
    }
    out
}

fn compare(old: &str, new: &str) -> Diff {
    let mut old_sources = Sources::new();
    old_sources.add("policy/payments.ward", old);
    let mut new_sources = Sources::new();
    new_sources.add("policy/payments.ward", new);
    let old_model = ward::compile(&old_sources).model.expect("old compiles");
    let new_model = ward::compile(&new_sources).model.expect("new compiles");
    diff::diff(
        Program {
            model: &old_model,
            sources: &old_sources,
        },
        Program {
            model: &new_model,
            sources: &new_sources,
        },
        "main:policy/",
        "policy/",
    )
}

/// A region as a reviewer reads it in text.
fn words(region: &Region) -> String {
    region.words(&|name| name.to_string())
}

fn service(namespace: &str, service: &str) -> Place {
    Place::Service {
        namespace: namespace.to_string(),
        service: service.to_string(),
    }
}

/// A change a reviewer would see in one pull request: a flow widened, a
/// flow added, a flow removed, a selector and an external changed, an
/// invariant dropped, a control introduced.
fn review_change() -> String {
    edit(
        PAYMENTS,
        &[
            (
                "flow shop.web -> payments.api:https\n  controls CC6.1, CC6.7 because \"Checkout submits payment intents\"",
                "control NET-01 \"Workload segmentation\" maps CC6.1, CC6.6\n\nflow shop.web -> payments.api\n  controls NET-01, CC6.7 because \"Checkout submits payment intents and reads metrics\"",
            ),
            (
                "flow monitoring.prometheus -> payments.*:metrics\n  controls CC7.2 because \"Metrics for anomaly detection\"\n",
                "",
            ),
            ("54.187.205.235/32", "54.187.205.235/32, 54.187.216.72/32"),
            ("tier=data", "tier=db"),
            ("deny shop.* -> payments.vault\n", ""),
            (
                "deny internet -> payments.*",
                "flow shop.web -> payments.vault:pg controls CC6.1 because \"Order history reads card tokens\"\n\ndeny internet -> payments.*",
            ),
        ],
    )
}

// ---------------------------------------------------------------- snapshots

#[test]
fn a_review_sized_change_renders_to_the_snapshotted_text_markdown_and_json() {
    let d = compare(PAYMENTS, &review_change());
    insta::assert_snapshot!("review_text", diff::text(&d));
    insta::assert_snapshot!("review_markdown", diff::markdown(&d));
    insta::assert_snapshot!("review_json", diff::json(&d).unwrap());
}

#[test]
fn the_json_has_every_documented_field() {
    let d = compare(PAYMENTS, &review_change());
    let value: serde_json::Value = serde_json::from_str(&diff::json(&d).unwrap()).unwrap();
    for field in [
        "format_version",
        "old",
        "new",
        "summary",
        "system",
        "baseline",
        "flows",
        "namespaces",
        "services",
        "externals",
        "invariants",
        "controls",
        "criteria",
        "reachability",
    ] {
        assert!(value.get(field).is_some(), "missing {field}");
    }
    let flow = &value["flows"][0];
    for field in ["status", "name", "old", "new", "fields"] {
        assert!(flow.get(field).is_some(), "missing flows[].{field}");
    }
    for field in [
        "text",
        "source",
        "destination",
        "ports",
        "controls",
        "criteria",
        "because",
        "location",
    ] {
        assert!(flow["new"].get(field).is_some(), "missing FLOW.{field}");
    }
    let region = &value["reachability"]["newly_allowed"][0];
    for field in ["from", "to", "ports", "except_flows_of"] {
        assert!(region.get(field).is_some(), "missing REGION.{field}");
    }
    assert!(region["from"].get("kind").is_some(), "missing PLACE.kind");
    assert_eq!(value["format_version"], diff::FORMAT_VERSION);
}

// ---------------------------------------------------------------- meaning

#[test]
fn the_same_program_is_no_change() {
    let d = compare(PAYMENTS, PAYMENTS);
    assert!(!d.summary.changed);
    assert!(d.reachability.newly_allowed.is_empty() && d.reachability.newly_blocked.is_empty());
    assert!(diff::text(&d).contains("no change to the boundary"));
}

#[test]
fn new_lines_without_new_meaning_are_no_change() {
    // Comments, layout, flows in another order, a named port for its number.
    let rewritten = edit(
        PAYMENTS,
        &[
            (
                "# Payments platform: the network boundary.",
                "# Payments platform: the network boundary, reviewed.\n\n",
            ),
            (
                "flow internet -> shop.web:http\n  controls CC6.6 because \"Public storefront\"\n",
                "",
            ),
            (
                "deny internet -> payments.*",
                "flow internet -> shop.web:8080\n    controls CC6.6   because \"Public storefront\"\ndeny internet -> payments.*",
            ),
        ],
    );
    let d = compare(PAYMENTS, &rewritten);
    assert!(!d.summary.changed, "{}", diff::text(&d));
}

#[test]
fn a_flow_keeps_its_identity_when_its_port_changes() {
    let new = edit(PAYMENTS, &[("payments.api:https", "payments.api:metrics")]);
    let d = compare(PAYMENTS, &new);
    assert_eq!(d.flows.len(), 1, "{}", diff::text(&d));
    let flow = &d.flows[0];
    assert_eq!(flow.status, Status::Changed);
    assert_eq!(flow.fields, [FlowField::Ports]);
    assert_eq!(flow.name, "shop.web -> payments.api:metrics");
    assert_eq!(flow.old.as_ref().unwrap().ports, "8443/tcp");
    assert_eq!(flow.new.as_ref().unwrap().ports, "9090/tcp");
    assert!(d.summary.widened && d.summary.narrowed);
    let allowed = &d.reachability.newly_allowed;
    assert_eq!(allowed.len(), 1);
    assert_eq!(
        (&allowed[0].from, &allowed[0].to),
        (&service("shop", "web"), &service("payments", "api"))
    );
    assert_eq!(allowed[0].ports.texts(), ["9090/tcp"]);
    assert_eq!(d.reachability.newly_blocked[0].ports.texts(), ["8443/tcp"]);
    // The criteria it serves did not change hands.
    assert!(d.criteria.is_empty());
    assert_eq!(d.summary.criteria_touched, ["CC6.1", "CC6.7"]);
}

#[test]
fn a_new_justification_changes_traceability_not_connections() {
    let new = edit(
        PAYMENTS,
        &[("\"Public storefront\"", "\"The public storefront\"")],
    );
    let d = compare(PAYMENTS, &new);
    assert_eq!(d.flows[0].fields, [FlowField::Justification]);
    assert!(d.summary.changed && !d.summary.widened && !d.summary.narrowed);
    assert!(diff::text(&d).contains("no connection changes"));
}

#[test]
fn a_control_that_maps_elsewhere_moves_coverage() {
    let old = edit(
        PAYMENTS,
        &[
            (
                "flow internet",
                "control EDGE-1 \"Edge exposure\" maps CC6.6\n\nflow internet",
            ),
            (
                "controls CC6.6 because \"Public",
                "controls EDGE-1 because \"Public",
            ),
        ],
    );
    let new = edit(&old, &[("maps CC6.6\n", "maps CC6.6, CC6.7\n")]);
    let d = compare(&old, &new);
    assert_eq!(d.controls.len(), 1);
    assert_eq!(d.controls[0].fields, [ControlField::Maps]);
    assert_eq!(d.flows.len(), 1);
    assert_eq!(d.flows[0].fields, [FlowField::Criteria]);
    assert_eq!(d.criteria.len(), 1);
    assert_eq!(d.criteria[0].criterion, "CC6.7");
    assert_eq!(d.criteria[0].gained, ["internet -> shop.web:http"]);
    assert!(!d.summary.widened && !d.summary.narrowed);
}

#[test]
fn a_wider_external_is_newly_allowed_at_its_new_addresses() {
    let new = edit(
        PAYMENTS,
        &[("54.187.205.235/32", "54.187.205.235/32, 198.51.100.0/24")],
    );
    let d = compare(PAYMENTS, &new);
    assert_eq!(d.externals.len(), 1);
    assert_eq!(d.externals[0].fields, [ExternalField::Ranges]);
    assert_eq!(d.flows[0].fields, [FlowField::Destination]);
    assert!(d.summary.widened && !d.summary.narrowed);
    let allowed: Vec<String> = d.reachability.newly_allowed.iter().map(words).collect();
    assert_eq!(
        allowed,
        ["payments.api -> 198.51.100.0/24 (in internet, stripe) on 443/tcp"]
    );
}

#[test]
fn a_changed_selector_is_named_with_both_meanings() {
    let new = edit(PAYMENTS, &[("tier=data", "tier=db")]);
    let d = compare(PAYMENTS, &new);
    assert_eq!(d.services[0].fields, [ServiceField::Selector]);
    let r = &d.reachability;
    assert_eq!(r.newly_allowed.len(), 1);
    assert_eq!(r.newly_allowed[0].from, service("payments", "api"));
    assert_eq!(r.newly_allowed[0].to, service("payments", "vault"));
    assert_eq!(r.newly_allowed[0].ports.texts(), ["5432/tcp"]);
    let blocked: Vec<String> = r.newly_blocked.iter().map(words).collect();
    assert_eq!(
        blocked,
        [
            "payments.api -> pods app=card-vault, tier=data in payments (old selector of payments.vault) on 5432/tcp"
        ]
    );
}

#[test]
fn an_invariant_dropped_is_listed_without_a_connection_change() {
    let new = edit(PAYMENTS, &[("deny shop.* -> payments.vault\n", "")]);
    let d = compare(PAYMENTS, &new);
    assert_eq!(d.invariants.len(), 1);
    assert_eq!(d.invariants[0].status, Status::Removed);
    assert_eq!(d.invariants[0].name, "shop.* -> payments.vault");
    assert!(d.summary.changed && !d.summary.widened);
}

#[test]
fn a_namespace_left_unmanaged_opens_it() {
    let new = edit(
        PAYMENTS,
        &[("namespace monitoring {", "namespace monitoring unmanaged {")],
    );
    let d = compare(PAYMENTS, &new);
    assert_eq!(d.namespaces[0].fields, [NamespaceField::Managed]);
    assert!(d.summary.widened);
    // Everything to and from its pods, but what the old flows allowed.
    let allowed: Vec<String> = d.reachability.newly_allowed.iter().map(words).collect();
    assert_eq!(
        allowed[..2],
        [
            "any pod of namespace monitoring -> anywhere the new program leaves open on every port, except what the old program's flows allowed",
            "anywhere the new program leaves open -> any pod of namespace monitoring on every port, except what the old program's flows allowed",
        ]
    );
    assert!(
        d.reachability
            .newly_allowed
            .iter()
            .all(|r| r.except_flows_of.is_none_or(|side| side == Side::Old))
    );
}

#[test]
fn the_output_is_the_same_bytes_every_time() {
    let new = review_change();
    let first = compare(PAYMENTS, &new);
    let second = compare(PAYMENTS, &new);
    assert_eq!(diff::json(&first).unwrap(), diff::json(&second).unwrap());
    assert_eq!(diff::markdown(&first), diff::markdown(&second));
}

#[test]
fn swapping_the_sides_swaps_the_verdicts() {
    let new = review_change();
    let forward = compare(PAYMENTS, &new);
    let backward = compare(&new, PAYMENTS);
    assert_eq!(forward.summary.flows_added, backward.summary.flows_removed);
    assert_eq!(
        forward.summary.newly_allowed,
        backward.summary.newly_blocked
    );
    assert_eq!(
        forward.summary.newly_blocked,
        backward.summary.newly_allowed
    );
}

// ---------------------------------------------------------------- git and the command

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A repository whose `main` holds the payments program in `policy/` and
/// whose work tree holds the review change, uncommitted.
fn reviewed_repo() -> Repo {
    let repo = Repo::new();
    repo.write("policy/payments.ward", PAYMENTS);
    repo.write("README.md", "# Payments\n");
    repo.commit("Payments boundary", "", "2024-01-02T10:00:00Z");
    repo.write("policy/payments.ward", &review_change());
    repo
}

#[test]
fn git_sides_are_read_as_the_revision_holds_them_with_stable_names() {
    let repo = reviewed_repo();
    let output = repo.ward_in(".", &["diff", "main:policy/", "policy/"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    insta::assert_snapshot!("git_text", text);
    // The library's rendering of the same programs is the same bytes.
    assert_eq!(text, diff::text(&compare(PAYMENTS, &review_change())));
    // `--git REV PATH` is the same comparison.
    let output = repo.ward_in(".", &["diff", "--git", "main", "policy/"]);
    assert_eq!(stdout(&output), text);
}

#[test]
fn git_paths_follow_git_from_a_subdirectory() {
    let repo = reviewed_repo();
    repo.commit("Review change", "", "2024-01-03T10:00:00Z");
    let from_top = stdout(&repo.ward_in(
        ".",
        &["diff", "main~1:policy", "main:policy", "--format", "json"],
    ));
    // `REV:./PATH` is relative to the current directory, `REV:PATH` to the top.
    let from_sub = stdout(&repo.ward_in(
        "policy",
        &["diff", "main~1:./", "HEAD:policy", "--format", "json"],
    ));
    let strip = |text: &str| {
        let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
        value["old"] = serde_json::Value::Null;
        value["new"] = serde_json::Value::Null;
        value
    };
    assert_eq!(strip(&from_top), strip(&from_sub));
    assert!(from_top.contains("\"location\": \"policy/payments.ward:"));
    // A file, too.
    let file = repo.ward_in(
        ".",
        &[
            "diff",
            "main~1:policy/payments.ward",
            "policy/payments.ward",
        ],
    );
    assert_eq!(file.status.code(), Some(0));
}

#[test]
fn fail_on_widened_is_a_ci_gate() {
    let repo = reviewed_repo();
    let widened = repo.ward_in(
        ".",
        &["diff", "--git", "main", "policy", "--fail-on", "widened"],
    );
    assert_eq!(widened.status.code(), Some(1));
    // The log says why, without the report.
    let reason = String::from_utf8_lossy(&widened.stderr);
    assert!(
        reason.starts_with("the change widens access: ") && reason.contains("` -> `"),
        "{reason}"
    );
    // Narrowing only: the gate passes, `--fail-on changed` does not.
    repo.write(
        "policy/payments.ward",
        &edit(
            PAYMENTS,
            &[(
                "flow monitoring.prometheus -> payments.*:metrics\n  controls CC7.2 because \"Metrics for anomaly detection\"\n",
                "",
            )],
        ),
    );
    let narrowed = repo.ward_in(
        ".",
        &["diff", "--git", "main", "policy", "--fail-on", "widened"],
    );
    assert_eq!(narrowed.status.code(), Some(0), "{narrowed:?}");
    let changed = repo.ward_in(
        ".",
        &["diff", "--git", "main", "policy", "--fail-on", "changed"],
    );
    assert_eq!(changed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&changed.stderr).starts_with("the change alters the boundary"));
    assert!(narrowed.stderr.is_empty(), "{narrowed:?}");
    // Without the flag a change is not a failure.
    let plain = repo.ward_in(".", &["diff", "--git", "main", "policy", "--format", "md"]);
    assert_eq!(plain.status.code(), Some(0));
    assert!(stdout(&plain).starts_with("## Ward: network boundary change"));
}

#[test]
fn broken_sides_and_bad_arguments_have_their_exit_codes() {
    let repo = reviewed_repo();
    repo.write("policy/payments.ward", "flow nowhere -> nothing\n");
    let broken = repo.ward_in(".", &["diff", "--git", "main", "policy"]);
    assert_eq!(broken.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("`policy` does not compile"), "{stderr}");
    assert_eq!(
        repo.ward_in(".", &["diff", "no-such-rev:policy", "main:policy"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        repo.ward_in(".", &["diff", "main:policy"]).status.code(),
        Some(2)
    );
    // A `REV:PATH` that names no program is an error, not an empty program;
    // so is a path that does not exist.
    for (old, new) in [
        ("HEAD:nonexistent", "main:policy"),
        ("main:policy", "HEAD:policy/nonexistent.ward"),
        ("main:policy", "nonexistent/"),
    ] {
        let output = repo.ward_in(".", &["diff", old, new]);
        assert_eq!(output.status.code(), Some(2), "{old} {new}");
        assert!(output.stdout.is_empty());
    }
    let stderr = String::from_utf8_lossy(
        &repo
            .ward_in(".", &["diff", "HEAD:nonexistent", "main:policy"])
            .stderr,
    )
    .into_owned();
    assert!(
        stderr.contains("`HEAD:nonexistent` names no `.ward` file"),
        "{stderr}"
    );
    assert_eq!(
        repo.ward_in(".", &["diff", "--git", "main", "a", "b"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_program_new_in_the_work_tree_is_compared_with_nothing() {
    let repo = Repo::new();
    repo.write("README.md", "# Payments\n");
    repo.commit("Start", "", "2024-01-02T10:00:00Z");
    repo.write("policy/payments.ward", PAYMENTS);
    let output = repo.ward_in(
        ".",
        &["diff", "--git", "main", "policy", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["summary"]["flows_added"], 6);
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds no `.ward` files"));
}

#[test]
fn a_first_program_is_compared_with_nothing_namespace_by_namespace() {
    // A mid-size program: its first commit blocks everything to and from
    // each managed namespace but what its flows allow, two regions per
    // namespace, however many services and flows it has.
    let text = ward::generator::program(&ward::generator::Config::new(200, 800, 7));
    let mut sources = Sources::new();
    sources.add("policy/gen.ward", text);
    let model = ward::compile(&sources)
        .model
        .expect("the generated program compiles");
    let program = Program {
        model: &model,
        sources: &sources,
    };
    let (empty_model, empty_sources) = (ward::model::Model::default(), Sources::new());
    let nothing = Program {
        model: &empty_model,
        sources: &empty_sources,
    };
    let first = diff::diff(nothing, program, "(no program)", "policy/");
    let r = &first.reachability;
    assert!(r.newly_allowed.is_empty());
    let mut expected = Vec::new();
    for namespace in model.managed_namespaces() {
        let place = Place::Namespace {
            namespace: namespace.name.clone(),
        };
        let anywhere = Place::Open {
            side: Side::Old,
            everything: true,
        };
        expected.push((place.clone(), anywhere.clone()));
        expected.push((anywhere, place));
    }
    let blocked: Vec<(Place, Place)> = r
        .newly_blocked
        .iter()
        .map(|region| {
            assert_eq!(region.ports, ward::diff::region::PortSet::all());
            assert_eq!(region.except_flows_of, Some(Side::New));
            (region.from.clone(), region.to.clone())
        })
        .collect();
    assert_eq!(blocked, expected);
    assert_eq!(first.summary.newly_blocked, expected.len());
    let text = diff::text(&first);
    assert!(
        text.contains(
            "- any pod of namespace observability -> anywhere on every port, except what the new program's flows allow"
        ),
        "{text}"
    );
    // Removing it is the mirror image, region for region.
    let removed = diff::diff(program, nothing, "policy/", "(no program)");
    let back = &removed.reachability;
    assert!(back.newly_blocked.is_empty());
    let mirrored: Vec<(Place, Place)> = back
        .newly_allowed
        .iter()
        .map(|region| {
            assert_eq!(region.except_flows_of, Some(Side::Old));
            let open = |p: &Place| match p {
                Place::Open { everything, .. } => Place::Open {
                    side: Side::Old,
                    everything: *everything,
                },
                other => other.clone(),
            };
            (open(&region.from), open(&region.to))
        })
        .collect();
    assert_eq!(mirrored, expected);
}
