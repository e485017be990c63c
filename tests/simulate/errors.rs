//! Error paths: malformed or invalid input gives a `LoadError` that names the
//! file, the document (and list item) and the object, never a panic. The
//! structured fields are asserted here; the full messages are in one
//! snapshot, `snapshots/load_errors.snap`.

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::fmt::Write as _;
use ward::simulate::{Document, LoadError, World, load, read, render_warnings};

const POD_A: &str = "apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
spec: {containers: [{name: c, image: nginx}]}
";

/// Nine levels of ten aliases each: a billion nodes once expanded.
fn alias_bomb() -> String {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let previous = format!("*a{}", level - 1);
        let _ = writeln!(
            text,
            "a{level}: &a{level} [{}]",
            vec![previous; 10].join(", ")
        );
    }
    text
}

fn policy(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: x}}\nspec:\n{spec}"
    )
}

/// (case, YAML, document, item, object kind, object name)
type ErrorCase = (
    &'static str,
    String,
    usize,
    Option<usize>,
    Option<&'static str>,
    Option<&'static str>,
);

fn cases() -> Vec<ErrorCase> {
    vec![
        (
            "garbage-yaml",
            format!("{POD_A}---\nkind: Pod\nmetadata: {{name: [a\n"),
            2,
            None,
            None,
            None,
        ),
        (
            "bad-operator",
            policy(
                "bad-op",
                "  podSelector:\n    matchExpressions:\n    - {key: app, operator: Equals, values: [web]}\n",
            ),
            1,
            None,
            Some("NetworkPolicy"),
            Some("bad-op"),
        ),
        (
            "wrong-type",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c, ports: [{containerPort: eighty}]}]}\n".to_owned(),
            1,
            None,
            Some("Pod"),
            Some("a"),
        ),
        ("missing-kind", "apiVersion: v1\nmetadata: {name: a}\n".to_owned(), 1, None, None, None),
        ("scalar-document", format!("{POD_A}---\njust some text\n"), 2, None, None, None),
        (
            "items-not-a-list",
            "apiVersion: v1\nkind: List\nitems: 3\n".to_owned(),
            1,
            None,
            Some("List"),
            None,
        ),
        (
            "bad-item-in-list",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: x}\n- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata: {name: np, namespace: x}\n  spec:\n    podSelector: {}\n    policyTypes: [Both]\n".to_owned(),
            1,
            Some(2),
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "except-outside-cidr",
            policy(
                "cidr",
                "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}\n",
            ),
            1,
            None,
            Some("NetworkPolicy"),
            Some("cidr"),
        ),
        (
            "bad-cidr",
            policy("cidr", "  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.1}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("cidr"),
        ),
        (
            "unknown-protocol",
            policy("proto", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 80, protocol: ICMP}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("proto"),
        ),
        (
            "empty-peer",
            policy("peer", "  podSelector: {}\n  ingress:\n  - from:\n    - {}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("peer"),
        ),
        (
            "ipblock-with-selector",
            policy(
                "peer",
                "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}\n",
            ),
            1,
            None,
            Some("NetworkPolicy"),
            Some("peer"),
        ),
        (
            "end-port-with-named-port",
            policy("range", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: http, endPort: 90}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("range"),
        ),
        (
            "end-port-below-port",
            policy("range", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 90, endPort: 80}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("range"),
        ),
        (
            "quoted-number-port",
            policy("quoted", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: \"80\"}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("quoted"),
        ),
        ("duplicate-pod", format!("{POD_A}---\n{POD_A}"), 2, None, Some("Pod"), Some("a")),
        (
            "duplicate-policy",
            format!(
                "{}---\n{}",
                policy("np", "  podSelector: {}\n"),
                policy("np", "  podSelector: {}\n")
            ),
            2,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "duplicate-namespace",
            "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n- {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n".to_owned(),
            1,
            Some(2),
            Some("Namespace"),
            Some("x"),
        ),
        (
            "bad-pod-ip",
            format!("{POD_A}status: {{podIP: 10.0.0.300}}\n"),
            1,
            None,
            Some("Pod"),
            Some("a"),
        ),
        (
            "workload-port-out-of-range",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: x}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, ports: [{containerPort: 70000}]}]}\n".to_owned(),
            1,
            None,
            Some("Deployment"),
            Some("web"),
        ),
        (
            "wrong-api-version",
            "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: old, namespace: x}\nspec: {podSelector: {}}\n".to_owned(),
            1,
            None,
            Some("NetworkPolicy"),
            Some("old"),
        ),
        // Strict decoding: the API server's strict field validation rejects
        // a field the schema does not have, at any depth
        // (`strict decoding error: unknown field "spec.ingress[0].fromm"`).
        (
            "typo-top-level",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: x}\nspecc: {podSelector: {}}\n".to_owned(),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "typo-from",
            policy("np", "  podSelector: {}\n  ingress:\n  - fromm:\n    - podSelector: {}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "typo-in-selector",
            policy(
                "np",
                "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabelz: {app: a}}\n      namespaceSelector: {}\n",
            ),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "typo-in-metadata",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, lables: {team: a}}\n".to_owned(),
            1,
            None,
            Some("Namespace"),
            Some("x"),
        ),
        (
            "typo-in-pod-template",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: x}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, portz: [{containerPort: 80}]}]}\n".to_owned(),
            1,
            None,
            Some("Deployment"),
            Some("web"),
        ),
        (
            "typos-in-list-item",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata: {name: np, namespace: x}\n  spec:\n    podSelector: {}\n    egress: [{too: [], portss: []}]\n".to_owned(),
            1,
            Some(1),
            Some("NetworkPolicy"),
            Some("np"),
        ),
        // YAML 1.1, as kubectl reads it: an unquoted `y` is a boolean, and a
        // boolean is not a namespace.
        (
            "yaml-1-1-boolean",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: y}\nspec: {containers: [{name: c}]}\n".to_owned(),
            1,
            None,
            Some("Pod"),
            Some("a"),
        ),
        (
            "duplicate-key",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nmetadata: {name: b, namespace: x}\n".to_owned(),
            1,
            None,
            None,
            None,
        ),
        // Names and labels: k8s.io/apimachinery/pkg/util/validation
        // (IsDNS1123Label for namespaces, IsDNS1123Subdomain for pods and
        // policies, IsQualifiedName for keys, IsValidLabelValue for values).
        (
            "bad-namespace-name",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: Prod}\n".to_owned(),
            1,
            None,
            Some("Namespace"),
            Some("Prod"),
        ),
        (
            "bad-pod-name",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a_b, namespace: x}\nspec: {containers: [{name: c}]}\n".to_owned(),
            1,
            None,
            Some("Pod"),
            Some("a_b"),
        ),
        (
            "bad-label-key",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {-app: web}}\nspec: {containers: [{name: c}]}\n".to_owned(),
            1,
            None,
            Some("Pod"),
            Some("a"),
        ),
        (
            "bad-label-prefix",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {Example.com/team: a}}\n".to_owned(),
            1,
            None,
            Some("Namespace"),
            Some("x"),
        ),
        (
            "bad-label-value",
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: a, namespace: x, labels: {{app: {}}}}}\nspec: {{containers: [{{name: c}}]}}\n",
                "w".repeat(64)
            ),
            1,
            None,
            Some("Pod"),
            Some("a"),
        ),
        (
            "bad-selector-key",
            policy("np", "  podSelector: {matchLabels: {\"a b\": web}}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "bad-expression-value",
            policy(
                "np",
                "  podSelector:\n    matchExpressions:\n    - {key: app, operator: In, values: [\"web server\"]}\n",
            ),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        // Port names: IsValidPortName (IANA_SVC_NAME, at most 15
        // characters), for container ports and policy ports alike.
        (
            "long-container-port-name",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c, ports: [{name: metrics-prometheus-http, containerPort: 9090}]}]}\n".to_owned(),
            1,
            None,
            Some("Pod"),
            Some("a"),
        ),
        (
            "long-policy-port-name",
            policy("np", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: metrics-prometheus-http}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "double-dash-port-name",
            policy("np", "  podSelector: {}\n  egress:\n  - ports:\n    - {port: web--http, protocol: TCP}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "duplicate-port-name",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c, ports: [{name: http, containerPort: 80}, {name: http, containerPort: 81}]}]}\n".to_owned(),
            1,
            None,
            Some("Pod"),
            Some("a"),
        ),
        (
            "duplicate-container-name",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec:\n  containers: [{name: c}]\n  initContainers: [{name: c}]\n".to_owned(),
            1,
            None,
            Some("Pod"),
            Some("a"),
        ),
        // pkg/apis/networking/validation: ValidateNetworkPolicyPort (port
        // numbers 1-65535, endPort only with a numeric port), the
        // requirement rules of ValidateLabelSelectorRequirement, and at most
        // two policyTypes (ValidateNetworkPolicySpec).
        (
            "port-zero",
            policy("np", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 0}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "end-port-without-port",
            policy("np", "  podSelector: {}\n  ingress:\n  - ports:\n    - {endPort: 90}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "in-without-values",
            policy("np", "  podSelector:\n    matchExpressions:\n    - {key: app, operator: In, values: []}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "exists-with-values",
            policy("np", "  podSelector:\n    matchExpressions:\n    - {key: app, operator: Exists, values: [a]}\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        (
            "three-policy-types",
            policy("np", "  podSelector: {}\n  policyTypes: [Ingress, Egress, Ingress]\n"),
            1,
            None,
            Some("NetworkPolicy"),
            Some("np"),
        ),
        // Limits: nesting, alias expansion ("billion laughs").
        (
            "deep-nesting",
            format!("{POD_A}---\n{}{}\n", "[".repeat(200_000), "]".repeat(200_000)),
            2,
            None,
            None,
            None,
        ),
        (
            "deep-block-nesting",
            format!("{}x\n", "- ".repeat(200_000)),
            1,
            None,
            None,
            None,
        ),
        ("alias-bomb", alias_bomb(), 1, None, None, None),
        // A byte-order mark is not part of the text: the error is the
        // document's own, on its own line.
        (
            "bom",
            format!("\u{feff}{POD_A}---\nkind: Pod\nmetadata: {{name: [a\n"),
            2,
            None,
            None,
            None,
        ),
        (
            "pod-without-name",
            "apiVersion: v1\nkind: Pod\nmetadata: {namespace: x}\nspec: {containers: [{name: c}]}\n".to_owned(),
            1,
            None,
            Some("Pod"),
            None,
        ),
    ]
}

#[test]
fn malformed_input_names_file_document_and_object() -> Result<(), String> {
    let mut messages = String::new();
    for (case, yaml, document, item, kind, name) in cases() {
        let file = format!("{case}.yaml");
        let error: LoadError = match load(&[Document::new(file.clone(), yaml)]) {
            Ok(_) => return Err(format!("{case}: loaded without an error")),
            Err(error) => error,
        };
        assert_eq!(error.file.as_deref(), Some(file.as_str()), "{case}");
        assert_eq!(error.document, Some(document), "{case}");
        assert_eq!(error.item, item, "{case}");
        assert_eq!(
            error.object.as_ref().map(|o| o.kind.as_str()),
            kind,
            "{case}"
        );
        assert_eq!(
            error.object.as_ref().and_then(|o| o.name.as_deref()),
            name,
            "{case}"
        );
        let _ = writeln!(messages, "{error}");
    }
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("load_errors", messages);
    });
    Ok(())
}

#[test]
fn the_second_file_is_named() {
    let error = load(&[
        Document::new("good.yaml", POD_A),
        Document::new("bad.yaml", "kind: [\n"),
    ])
    .err();
    assert_eq!(error.and_then(|e| e.file), Some("bad.yaml".to_owned()));
}

#[test]
fn typed_objects_are_validated_too() {
    let policy = NetworkPolicy {
        metadata: ObjectMeta {
            name: Some("np".to_owned()),
            namespace: Some("x".to_owned()),
            ..ObjectMeta::default()
        },
        spec: Some(NetworkPolicySpec {
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![NetworkPolicyPeer {
                    ip_block: Some(IPBlock {
                        cidr: "not-a-cidr".to_owned(),
                        except: None,
                    }),
                    ..NetworkPolicyPeer::default()
                }]),
                ports: None,
            }]),
            ..NetworkPolicySpec::default()
        }),
    };
    let error = World::from_objects(Vec::new(), Vec::new(), vec![policy]).err();
    assert_eq!(
        error.map(|e| e.to_string()),
        Some(
            "NetworkPolicy `x/np`: `spec.ingress[0].from[0].ipBlock.cidr` is `not-a-cidr`, which is not a CIDR such as `10.0.0.0/8`"
                .to_owned()
        )
    );
}

#[test]
fn empty_input_is_an_empty_world() -> Result<(), LoadError> {
    let world = load(&[
        Document::new("empty.yaml", ""),
        Document::new("comments.yaml", "# nothing\n---\n"),
    ])?;
    assert!(world.pods().is_empty());
    let reach = world.reachability(&[], &[]);
    assert!(reach.probes().is_empty());
    assert_eq!(reach.connections().count(), 0);
    Ok(())
}

#[test]
fn policy_objects_the_simulator_does_not_evaluate_are_warned_by_name() -> Result<(), LoadError> {
    let text = "apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l7, namespace: x}
spec: {endpointSelector: {}}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: cluster-guard}
spec: {priority: 10, subject: {namespaces: {}}}
---
apiVersion: v1
kind: List
items:
- apiVersion: projectcalico.org/v3
  kind: NetworkPolicy
  metadata: {name: calico, namespace: x}
- apiVersion: projectcalico.org/v3
  kind: GlobalNetworkPolicy
  metadata: {name: global}
- apiVersion: projectcalico.org/v3
  kind: StagedNetworkPolicy
  metadata: {name: staged, namespace: x}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: settings, namespace: x}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicyList
items:
- metadata: {name: wide}
";
    let loaded = read(&[Document::new("cluster.yaml", format!("{POD_A}---\n{text}"))])?;
    type Named<'a> = (Option<usize>, Option<usize>, &'a str, Option<&'a str>);
    let named: Vec<Named<'_>> = loaded
        .unsimulated
        .iter()
        .map(|u| {
            (
                u.document,
                u.item,
                u.object.kind.as_str(),
                u.object.name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            (Some(2), None, "CiliumNetworkPolicy", Some("l7")),
            (Some(3), None, "AdminNetworkPolicy", Some("cluster-guard")),
            (Some(4), Some(1), "NetworkPolicy", Some("calico")),
            (Some(4), Some(2), "GlobalNetworkPolicy", Some("global")),
            (
                Some(5),
                Some(1),
                "CiliumClusterwideNetworkPolicy",
                Some("wide")
            ),
        ]
    );
    assert_eq!(loaded.world.pods().len(), 1);
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("unsimulated_warnings", render_warnings(&loaded.unsimulated));
    });
    Ok(())
}

#[test]
fn fields_under_status_are_not_checked_but_its_values_are() {
    // `status` is written by the API server, and newer versions add fields
    // there first: a field Ward's schema does not know is not a typo.
    let newer = format!("{POD_A}status: {{podIP: 10.0.0.9, someFieldOfKubernetes199: {{a: 1}}}}\n");
    let world = load(&[Document::new("pod.yaml", newer)]);
    assert_eq!(
        world
            .ok()
            .and_then(|w| w.pod_ip(&ward::simulate::PodRef::new("x", "a"))),
        "10.0.0.9".parse().ok()
    );
    let wrong = format!("{POD_A}status: {{podIP: [10.0.0.9]}}\n");
    let error = load(&[Document::new("pod.yaml", wrong)]).err();
    assert_eq!(
        error.map(|e| e.message),
        Some("`status.podIP` does not match the Kubernetes schema: invalid type: sequence, expected a string".to_owned())
    );
}

#[test]
fn a_byte_order_mark_is_ignored() -> Result<(), LoadError> {
    let world = load(&[Document::new("bom.yaml", format!("\u{feff}{POD_A}"))])?;
    assert_eq!(world.pods(), [ward::simulate::PodRef::new("x", "a")]);
    Ok(())
}

#[test]
fn input_over_the_size_limit_is_refused_before_parsing() {
    // Two files of half the limit and one byte each: neither alone is too
    // large, together they are. The text is not YAML: it is never parsed.
    let half = "#".repeat(ward::yaml::MAX_INPUT_BYTES / 2 + 1);
    let error = load(&[
        Document::new("a.yaml", half.clone()),
        Document::new("b.yaml", half),
    ])
    .err();
    assert_eq!(
        error.map(|e| (e.file, e.message)),
        Some((None, ward::yaml::too_large()))
    );
}

#[test]
fn nesting_up_to_the_limit_reads_and_one_more_level_does_not() {
    // The document's mapping is one level, `spec`'s lists the others.
    let nested = |depth: usize| {
        let lists = depth - 1;
        format!(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w}}\nspec: {}{}\n",
            "[".repeat(lists),
            "]".repeat(lists)
        )
    };
    let deepest = ward::yaml::MAX_DEPTH;
    let read = |depth: usize| load(&[Document::new("deep.yaml", nested(depth))]).err();
    assert_eq!(read(deepest), None);
    assert_eq!(
        read(deepest + 1).map(|e| e.message),
        Some(format!(
            "lists and mappings nested deeper than {deepest} levels at line 4, column {}; no Kubernetes object is this deep",
            7 + deepest - 1
        ))
    );
}

/// `ward simulate` and `ward verify` as a user meets them: exit code, stdout,
/// stderr.
#[allow(
    clippy::disallowed_methods,
    reason = "these tests run the binary on files they write"
)]
mod cli {
    use super::{POD_A, policy};

    /// The `error:` line and exit code of `ward ARGS`.
    fn ward(args: &[&str]) -> (Option<i32>, String, String) {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ward"))
            .args(args)
            .output()
            .unwrap_or_else(|error| unreachable!("ward runs: {error}"));
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    #[test]
    fn ward_simulate_and_verify_refuse_a_bad_file_with_its_place() -> Result<(), std::io::Error> {
        let dir = tempfile::tempdir()?;
        let bad = dir.path().join("bad.yaml");
        std::fs::write(
            &bad,
            policy(
                "np",
                "  podSelector: {}\n  ingress:\n  - fromm:\n    - podSelector: {}\n",
            ),
        )?;
        let bad = bad.to_string_lossy().into_owned();
        let message = format!(
            "{bad}: document 1: NetworkPolicy `x/np`: unknown field `spec.ingress[0].fromm`: the API server rejects it (check the spelling)"
        );
        let (code, stdout, stderr) = ward(&["simulate", &bad]);
        assert_eq!((code, stdout.as_str()), (Some(2), ""));
        assert_eq!(stderr, format!("error: {message}\n"));
        let (code, stdout, stderr) =
            ward(&["verify", "tests/ui/verify_cluster.ward", "--cluster", &bad]);
        assert_eq!((code, stdout.as_str()), (Some(2), ""));
        assert_eq!(
            stderr,
            format!("error: cannot read the cluster export: {message}\n")
        );
        Ok(())
    }

    #[test]
    fn ward_simulate_refuses_a_file_over_the_limit_without_reading_it_all()
    -> Result<(), std::io::Error> {
        let dir = tempfile::tempdir()?;
        let big = dir.path().join("big.yaml");
        let file = std::fs::File::create(&big)?;
        // A sparse file of 100 MB: reading it whole would show in the time and
        // memory of the test.
        file.set_len(100_000_000)?;
        let big = big.to_string_lossy().into_owned();
        let (code, stdout, stderr) = ward(&["simulate", &big]);
        assert_eq!((code, stdout.as_str()), (Some(2), ""));
        assert_eq!(
            stderr,
            format!("error: cannot read `{big}`: {}\n", ward::yaml::too_large())
        );
        Ok(())
    }

    #[test]
    fn ward_simulate_warns_about_policies_it_does_not_evaluate() -> Result<(), std::io::Error> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("cluster.yaml");
        std::fs::write(
            &file,
            format!(
                "{POD_A}---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: l7, namespace: x}}\n"
            ),
        )?;
        let file = file.to_string_lossy().into_owned();
        let (code, stdout, stderr) = ward(&["simulate", &file, "--probe", "80/tcp"]);
        assert_eq!(code, Some(0));
        assert!(stdout.starts_with("probe 80/TCP"), "{stdout}");
        assert_eq!(
            stderr,
            format!(
                "warning: {file}: document 2: CiliumNetworkPolicy `x/l7` (`cilium.io/v2`) is a policy the simulator does not evaluate; verdicts about the pods it applies to may be wrong\nwarning: 1 policy object(s) not simulated: the simulation covers NetworkPolicy (networking.k8s.io/v1) only\n"
            )
        );
        Ok(())
    }
}
