//! Explanations and the world's accessors: which policies isolate a side and
//! which rules allow it, the policies' annotations, pod IPs, classes and
//! default probes.

use std::net::{IpAddr, Ipv4Addr};
use ward::simulate::{
    Document, Endpoint, Explanation, LoadError, PodRef, PolicyRef, Probe, Protocol, QueryError,
    RuleRef, Side, World, load,
};

fn world(case: &str, yaml: &str) -> Result<World, LoadError> {
    load(&[Document::new(case, yaml)])
}

fn policy(name: &str) -> PolicyRef {
    PolicyRef {
        namespace: "x".to_owned(),
        name: name.to_owned(),
    }
}

fn open_side(pod: &str) -> Side {
    Side {
        pod: PodRef::new("x", pod),
        isolated: false,
        policies: Vec::new(),
        allowed_by: Vec::new(),
        allowed: true,
    }
}

const HTTP: Probe = Probe::new(80, Protocol::Tcp);

#[test]
fn explains_the_rule_that_allows() -> Result<(), Box<dyn std::error::Error>> {
    let world = world("union", include_str!("data/25-union-of-policies.yaml"))?;
    let explanation = world.explain(&Endpoint::pod("x", "a"), &Endpoint::pod("x", "srv"), HTTP)?;
    assert_eq!(
        explanation,
        Explanation {
            allowed: true,
            egress: Some(open_side("a")),
            ingress: Some(Side {
                pod: PodRef::new("x", "srv"),
                isolated: true,
                policies: vec![policy("srv-from-a"), policy("srv-from-b")],
                allowed_by: vec![RuleRef {
                    policy: policy("srv-from-a"),
                    index: 0
                }],
                allowed: true,
            }),
        }
    );
    Ok(())
}

#[test]
fn explains_what_blocks() -> Result<(), Box<dyn std::error::Error>> {
    let world = world("union", include_str!("data/25-union-of-policies.yaml"))?;
    let explanation = world.explain(&Endpoint::pod("x", "c"), &Endpoint::pod("x", "srv"), HTTP)?;
    assert!(!explanation.allowed);
    let ingress = explanation.ingress.ok_or("no ingress side")?;
    assert!(ingress.isolated && !ingress.allowed && ingress.allowed_by.is_empty());
    assert_eq!(
        ingress.policies,
        vec![policy("srv-from-a"), policy("srv-from-b")]
    );
    assert_eq!(
        world.verdict(&Endpoint::pod("x", "c"), &Endpoint::pod("x", "srv"), HTTP),
        Ok(false)
    );
    Ok(())
}

#[test]
fn explains_egress_and_external_ends() -> Result<(), Box<dyn std::error::Error>> {
    let world = world(
        "internet",
        include_str!("data/34-ipblock-egress-internet.yaml"),
    )?;
    let stripe = Endpoint::External(IpAddr::V4(Ipv4Addr::new(54, 187, 174, 169)));
    let https = Probe::new(443, Protocol::Tcp);
    let explanation = world.explain(&Endpoint::pod("x", "app"), &stripe, https)?;
    assert!(explanation.allowed);
    assert_eq!(explanation.ingress, None);
    let egress = explanation.egress.ok_or("no egress side")?;
    assert_eq!(
        egress.allowed_by,
        vec![RuleRef {
            policy: policy("app-egress"),
            index: 0
        }]
    );
    let dns = Probe::new(53, Protocol::Udp);
    let to_dns = world.explain(
        &Endpoint::pod("x", "app"),
        &Endpoint::pod("kube-system", "dns"),
        dns,
    )?;
    assert_eq!(
        to_dns.egress.map(|side| side.allowed_by),
        Some(vec![RuleRef {
            policy: policy("app-egress"),
            index: 1
        }])
    );
    let inbound = world.explain(&stripe, &Endpoint::pod("x", "app"), https)?;
    assert_eq!(inbound.egress, None);
    assert!(inbound.allowed);
    Ok(())
}

#[test]
fn unknown_pods_are_errors() -> Result<(), LoadError> {
    let world = world("self", include_str!("data/30-self-traffic.yaml"))?;
    let ghost = Endpoint::pod("x", "ghost");
    assert_eq!(
        world.verdict(&ghost, &Endpoint::pod("x", "a"), HTTP),
        Err(QueryError::UnknownPod(PodRef::new("x", "ghost")))
    );
    assert!(
        world
            .explain(&Endpoint::pod("x", "a"), &ghost, HTTP)
            .is_err()
    );
    assert_eq!(
        QueryError::UnknownPod(PodRef::new("x", "ghost")).to_string(),
        "no pod `x/ghost` in the world"
    );
    Ok(())
}

#[test]
fn exposes_policies_with_their_annotations() -> Result<(), LoadError> {
    let world = world("list", include_str!("data/27-v1-list.yaml"))?;
    let annotations = world
        .policy("shop", "db")
        .and_then(|policy| policy.metadata.annotations.clone())
        .unwrap_or_default();
    assert_eq!(
        annotations.get("ward.dev/flow").map(String::as_str),
        Some("shop.web -> shop.db:pg")
    );
    assert!(world.policy("shop", "nope").is_none());
    let labels: Vec<(String, String, Option<String>)> = world
        .policy_labels()
        .map(|(namespace, name, labels)| {
            let managed = labels.get("app.kubernetes.io/managed-by").cloned();
            (namespace, name, managed)
        })
        .collect();
    assert_eq!(
        labels,
        vec![("shop".to_owned(), "db".to_owned(), Some("ward".to_owned()))]
    );
    assert_eq!(
        world
            .pod_labels(&PodRef::new("shop", "web"))
            .and_then(|labels| labels.get("app"))
            .map(String::as_str),
        Some("web")
    );
    assert_eq!(world.pod_labels(&PodRef::new("shop", "nope")), None);
    Ok(())
}

#[test]
fn pod_ips_are_real_or_synthetic() -> Result<(), LoadError> {
    let listed = world("list", include_str!("data/27-v1-list.yaml"))?;
    assert_eq!(
        listed.pod_ip(&PodRef::new("shop", "web")),
        Some(IpAddr::V4(Ipv4Addr::new(10, 42, 0, 7)))
    );
    let synthetic = world("self", include_str!("data/30-self-traffic.yaml"))?;
    assert_eq!(
        synthetic.pod_ip(&PodRef::new("x", "a")),
        Some(IpAddr::V4(Ipv4Addr::new(10, 244, 0, 1)))
    );
    assert_eq!(
        synthetic.pod_ip(&PodRef::new("x", "b")),
        Some(IpAddr::V4(Ipv4Addr::new(10, 244, 0, 2)))
    );
    assert_eq!(synthetic.pod_ip(&PodRef::new("x", "c")), None);
    Ok(())
}

#[test]
fn synthetic_ips_skip_addresses_in_use() -> Result<(), LoadError> {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\nspec: {containers: [{name: c}]}\nstatus: {podIP: 10.244.0.1}\n";
    let world = world("ips", yaml)?;
    assert_eq!(
        world.pod_ip(&PodRef::new("x", "a")),
        Some(IpAddr::V4(Ipv4Addr::new(10, 244, 0, 2)))
    );
    Ok(())
}

#[test]
fn replicas_share_a_class() -> Result<(), LoadError> {
    let mut yaml = String::new();
    for index in 0..100 {
        yaml.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: web-{index}, namespace: x, labels: {{app: web}}}}\nspec: {{containers: [{{name: c, ports: [{{name: http, containerPort: 80}}]}}]}}\n"
        ));
    }
    yaml.push_str("---\napiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: x, labels: {app: db}}\nspec: {containers: [{name: c}]}\n");
    yaml.push_str("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: x}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n");
    let world = world("replicas", &yaml)?;
    assert_eq!(world.pods().len(), 101);
    assert_eq!(world.class_count(), 2);
    let reach = world.reachability(&[], &[]);
    assert_eq!(reach.probes(), &[HTTP]);
    assert_eq!(reach.connections().count(), 101 * 101);
    assert_eq!(
        reach.allowed(
            &Endpoint::pod("x", "web-7"),
            &Endpoint::pod("x", "db"),
            HTTP
        ),
        Some(true)
    );
    Ok(())
}

#[test]
fn declared_probes_are_sorted_and_distinct() -> Result<(), LoadError> {
    let world = world("dns", include_str!("data/16-named-port-protocol.yaml"))?;
    assert_eq!(
        world.declared_probes(),
        vec![Probe::new(53, Protocol::Tcp), Probe::new(53, Protocol::Udp)]
    );
    Ok(())
}

#[test]
fn reachability_lookups() -> Result<(), LoadError> {
    let world = world("self", include_str!("data/30-self-traffic.yaml"))?;
    let outside = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    let reach = world.reachability(&[HTTP, HTTP], &[outside, outside]);
    assert_eq!(reach.probes(), &[HTTP]);
    assert_eq!(reach.pod_count(), 2);
    assert_eq!(reach.endpoints().len(), 3);
    let external = Endpoint::External(outside);
    assert_eq!(reach.allowed(&external, &external, HTTP), None);
    assert_eq!(
        reach.allowed(&external, &Endpoint::pod("x", "b"), HTTP),
        Some(false)
    );
    assert_eq!(
        reach.allowed(&Endpoint::pod("x", "b"), &external, HTTP),
        Some(true)
    );
    assert_eq!(
        reach.allowed(&Endpoint::pod("x", "zz"), &external, HTTP),
        None
    );
    assert_eq!(
        reach.allowed(
            &Endpoint::pod("x", "b"),
            &external,
            Probe::new(81, Protocol::Tcp)
        ),
        None
    );
    Ok(())
}
