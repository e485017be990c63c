//! Building the [`Matrix`] from the model, the plan and the emitted YAML.
//!
//! Owns what the matrix says: which criteria are cited and how, which rules
//! implement which flow, which warnings weigh on a flow, and the rows. Must
//! not know how any of it is rendered.

use super::digest::{sha256, sources_digest};
use super::text;
use super::{
    BaselineEntry, ControlEntry, Coverage, CriterionEntry, CriterionSummary, FORMAT_VERSION,
    FlowCitation, FlowEntry, Git, Header, Matrix, ObjectEntry, ObjectRef, ObjectRule, PortEntry,
    Provenance, Row, RuleEntry, SourceEntry, Totals, Via, WarningEntry, WarningsOnly, object_file,
};
use crate::catalog::{self, CRITERIA, Criterion};
use crate::diagnostic::{Diagnostic, Severity};
use crate::emit::rule_annotation;
use crate::model::{Citation, CitationTarget, Flow, Model, Ports};
use crate::plan::{Direction, Plan, Policy, Target};
use crate::source::{Sources, Span};
use std::collections::{BTreeMap, BTreeSet};

/// The justification of a default deny: its `ward.dev/purpose` annotation.
const DEFAULT_DENY_JUSTIFICATION: &str =
    "default deny: every connection not allowed by another policy";

/// Builds the matrix of a checked program.
///
/// `plan` must be the plan the YAML was emitted from, and `documents` the
/// YAML of each of its policies in the same order (as
/// [`crate::output::documents`] returns them); when the lengths differ, the
/// objects carry no content digest. `diagnostics` are the program's
/// diagnostics: a warning whose primary place lies inside a flow statement
/// weighs on that flow. `provenance` is what the caller knows about Git and
/// the time; nothing here reads either.
pub fn build(
    model: &Model,
    plan: &Plan,
    documents: &[String],
    sources: &Sources,
    diagnostics: &[Diagnostic],
    provenance: &Provenance,
) -> Matrix {
    let header = header(model, sources, provenance);
    let flows: Vec<FlowEntry> = model
        .flows
        .iter()
        .map(|flow| flow_entry(flow, plan, sources, diagnostics))
        .collect();
    let default_denies: Vec<ObjectRef> = plan
        .policies
        .iter()
        .filter(|p| p.target == Target::DefaultDeny)
        .map(|p| ObjectRef {
            namespace: p.namespace.clone(),
            name: p.name.clone(),
        })
        .collect();
    let criteria: Vec<CriterionEntry> = CRITERIA
        .iter()
        .filter_map(|criterion| criterion_entry(criterion, model, sources, &default_denies))
        .collect();
    let digests = (documents.len() == plan.policies.len()).then_some(documents);
    let objects: Vec<ObjectEntry> = plan
        .policies
        .iter()
        .enumerate()
        .map(|(i, policy)| {
            let digest = digests
                .and_then(|d| d.get(i))
                .map(|doc| sha256(doc.as_bytes()));
            object_entry(policy, digest, model)
        })
        .collect();
    let coverage = coverage(&criteria, &flows);
    let rows = rows(&criteria, &flows, &objects, model);
    let totals = Totals {
        catalog_criteria: CRITERIA.len(),
        cited_criteria: criteria.len(),
        network_relevant_criteria: CRITERIA.iter().filter(|c| c.network_relevant).count(),
        cited_network_relevant_criteria: criteria.iter().filter(|c| c.network_relevant).count(),
        controls: model.controls.len(),
        flows: flows.len(),
        flows_with_warnings: flows.iter().filter(|f| !f.warnings.is_empty()).count(),
        objects: objects.len(),
        default_deny_objects: default_denies.len(),
        rules: objects.iter().map(|o| o.rules.len()).sum(),
        rows: rows.len(),
    };
    Matrix {
        format_version: FORMAT_VERSION,
        header,
        criteria,
        flows,
        objects,
        coverage,
        totals,
        rows,
    }
}

fn header(model: &Model, sources: &Sources, provenance: &Provenance) -> Header {
    Header {
        system: model.system.clone(),
        catalog: catalog::CATALOG_NAME.to_string(),
        catalog_version: catalog::CATALOG_VERSION.to_string(),
        ward_version: env!("CARGO_PKG_VERSION").to_string(),
        sources_digest: sources_digest(sources),
        sources: sources
            .iter()
            .map(|(_, file)| SourceEntry {
                name: file.name.clone(),
                sha256: sha256(file.text.as_bytes()),
                bytes: file.text.len(),
            })
            .collect(),
        git: provenance.commit.as_ref().map(|commit| Git {
            commit: commit.clone(),
            dirty: provenance.dirty,
        }),
        generated_at: provenance.generated_at.clone(),
    }
}

/// How `citations` cite criterion `id`; `None` when they do not.
fn via(citations: &[Citation], id: &str) -> Option<Via> {
    let mut via = Via {
        direct: false,
        controls: Vec::new(),
    };
    for citation in citations {
        match &citation.target {
            CitationTarget::Criterion(criterion) => via.direct |= criterion.id == id,
            CitationTarget::Control {
                id: control,
                criteria,
            } => {
                if criteria.iter().any(|c| c.id == id) && !via.controls.contains(control) {
                    via.controls.push(control.clone());
                }
            }
        }
    }
    (via.direct || !via.controls.is_empty()).then_some(via)
}

/// The first citation among `citations` that stands for criterion `id`.
fn first_citing(citations: &[Citation], id: &str) -> Option<Span> {
    citations
        .iter()
        .find(|c| c.criteria().iter().any(|criterion| criterion.id == id))
        .map(|c| c.span)
}

/// The ids of `ids` in catalog order.
fn catalog_order<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let ids: BTreeSet<&str> = ids.into_iter().collect();
    CRITERIA
        .iter()
        .filter(|c| ids.contains(c.id))
        .map(|c| c.id.to_string())
        .collect()
}

fn flow_entry(
    flow: &Flow,
    plan: &Plan,
    sources: &Sources,
    diagnostics: &[Diagnostic],
) -> FlowEntry {
    let (every_port, ports) = match &flow.ports {
        Ports::Any => (true, Vec::new()),
        Ports::Ranges(ranges) => (
            false,
            ranges
                .iter()
                .map(|range| PortEntry {
                    protocol: range.protocol.as_str().to_string(),
                    first: range.first,
                    last: range.last,
                })
                .collect(),
        ),
    };
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Warning && inside(d.primary.span, flow.span))
        .map(|d| WarningEntry {
            code: d.code.as_str().to_string(),
            title: d.code.title().to_string(),
            message: d.message.clone(),
            location: sources.location(d.primary.span),
        })
        .collect();
    let rules = plan
        .rules_of_flow(flow.index)
        .into_iter()
        .map(|rule| RuleEntry {
            yaml_path: format!("spec.{}[{}]", rule.direction.as_str(), rule.index),
            annotation: rule_annotation(rule.direction, rule.index),
            namespace: rule.namespace,
            policy: rule.policy,
            direction: rule.direction.as_str().to_string(),
            index: rule.index,
        })
        .collect();
    FlowEntry {
        index: flow.index,
        text: flow.text.clone(),
        source: flow.src.to_string(),
        destination: flow.dst.to_string(),
        every_port,
        ports,
        justification: flow.because.clone(),
        location: sources.location(flow.span),
        citations: flow.citations.iter().map(|c| c.id.clone()).collect(),
        criteria: catalog_order(flow.criteria()),
        warnings,
        rules,
    }
}

/// True when `inner` lies within `outer`.
fn inside(inner: Span, outer: Span) -> bool {
    inner.file == outer.file && outer.start <= inner.start && inner.end <= outer.end
}

fn criterion_entry(
    criterion: &Criterion,
    model: &Model,
    sources: &Sources,
    default_denies: &[ObjectRef],
) -> Option<CriterionEntry> {
    let baseline = via(&model.baseline, criterion.id).map(|via| BaselineEntry {
        via,
        location: first_citing(&model.baseline, criterion.id)
            .map_or_else(String::new, |span| sources.location(span)),
        objects: default_denies.to_vec(),
    });
    let flows: Vec<FlowCitation> = model
        .flows
        .iter()
        .filter_map(|flow| {
            via(&flow.citations, criterion.id).map(|via| FlowCitation {
                flow: flow.index,
                via,
            })
        })
        .collect();
    if baseline.is_none() && flows.is_empty() {
        return None;
    }
    let controls = model
        .controls
        .values()
        .filter(|control| control.maps.iter().any(|c| c.id == criterion.id))
        .map(|control| ControlEntry {
            id: control.id.clone(),
            statement: control.title.clone(),
            location: sources.location(control.span),
        })
        .collect();
    Some(CriterionEntry {
        id: criterion.id.to_string(),
        series: criterion.series.to_string(),
        series_title: criterion.series_title.to_string(),
        category: criterion.category.name().to_string(),
        network_relevant: criterion.network_relevant,
        description: criterion.description.to_string(),
        controls,
        baseline,
        flows,
    })
}

fn object_entry(policy: &Policy, sha256: Option<String>, model: &Model) -> ObjectEntry {
    let mut all: BTreeSet<&str> = BTreeSet::new();
    if policy.target == Target::DefaultDeny {
        all.extend(model.baseline_criteria());
    }
    let mut rules = Vec::new();
    for direction in [Direction::Egress, Direction::Ingress] {
        for (index, rule) in policy.rules(direction).iter().enumerate() {
            let criteria = model
                .flows
                .get(rule.flow)
                .map(Flow::criteria)
                .unwrap_or_default();
            all.extend(criteria.iter().copied());
            rules.push(ObjectRule {
                direction: direction.as_str().to_string(),
                index,
                flow: rule.flow,
                criteria: catalog_order(criteria),
            });
        }
    }
    ObjectEntry {
        namespace: policy.namespace.clone(),
        name: policy.name.clone(),
        kind: match policy.target {
            Target::DefaultDeny => "default-deny",
            Target::AllPods => "namespace",
            Target::Service(_) => "service",
        }
        .to_string(),
        file: object_file(&policy.namespace, &policy.name),
        sha256,
        criteria: catalog_order(all),
        rules,
    }
}

fn coverage(criteria: &[CriterionEntry], flows: &[FlowEntry]) -> Coverage {
    let cited: BTreeSet<&str> = criteria.iter().map(|c| c.id.as_str()).collect();
    let uncited_network_relevant = CRITERIA
        .iter()
        .filter(|c| c.network_relevant && !cited.contains(c.id))
        .map(|c| CriterionSummary {
            id: c.id.to_string(),
            series: c.series.to_string(),
            description: c.description.to_string(),
        })
        .collect();
    let warned = |index: usize| flows.get(index).is_some_and(|f| !f.warnings.is_empty());
    let warnings_only = criteria
        .iter()
        .filter(|c| {
            c.baseline.is_none() && !c.flows.is_empty() && c.flows.iter().all(|f| warned(f.flow))
        })
        .map(|c| WarningsOnly {
            criterion: c.id.clone(),
            flows: c.flows.iter().map(|f| f.flow).collect(),
        })
        .collect();
    Coverage {
        uncited_network_relevant,
        warnings_only,
    }
}

/// The channels of a citation: `None` for the criterion itself, then each
/// control with its statement.
fn channels(via: &Via, model: &Model) -> Vec<(Option<String>, Option<String>)> {
    let direct = via.direct.then_some((None, None));
    let controls = via.controls.iter().map(|id| {
        let statement = model.controls.get(id).map(|c| c.title.clone());
        (Some(id.clone()), statement)
    });
    direct.into_iter().chain(controls).collect()
}

fn rows(
    criteria: &[CriterionEntry],
    flows: &[FlowEntry],
    objects: &[ObjectEntry],
    model: &Model,
) -> Vec<Row> {
    let digests: BTreeMap<(&str, &str), &str> = objects
        .iter()
        .filter_map(|o| {
            Some((
                (o.namespace.as_str(), o.name.as_str()),
                o.sha256.as_deref()?,
            ))
        })
        .collect();
    let digest_of =
        |namespace: &str, name: &str| digests.get(&(namespace, name)).map(|d| (*d).to_string());
    let mut rows = Vec::new();
    for criterion in criteria {
        let blank = Row {
            criterion_id: criterion.id.clone(),
            criterion_series: criterion.series.clone(),
            criterion_description: criterion.description.clone(),
            control_id: None,
            control_statement: None,
            artifact_kind: String::new(),
            flow_index: None,
            flow: None,
            source: None,
            destination: None,
            ports: String::new(),
            protocols: String::new(),
            justification: None,
            source_location: String::new(),
            warnings: None,
            namespace: None,
            object: None,
            object_file: None,
            object_sha256: None,
            direction: None,
            rule_index: None,
            yaml_path: None,
            annotation: None,
            owner: None,
            test_result: None,
            review: None,
            exception: None,
        };
        if let Some(baseline) = &criterion.baseline {
            for (control_id, control_statement) in channels(&baseline.via, model) {
                for object in &baseline.objects {
                    rows.push(Row {
                        control_id: control_id.clone(),
                        control_statement: control_statement.clone(),
                        artifact_kind: "default-deny".to_string(),
                        ports: text::EVERY_PORT.to_string(),
                        protocols: text::ANY_PROTOCOL.to_string(),
                        justification: Some(DEFAULT_DENY_JUSTIFICATION.to_string()),
                        source_location: baseline.location.clone(),
                        namespace: Some(object.namespace.clone()),
                        object: Some(object.name.clone()),
                        object_file: Some(object_file(&object.namespace, &object.name)),
                        object_sha256: digest_of(&object.namespace, &object.name),
                        ..blank.clone()
                    });
                }
            }
        }
        for citation in &criterion.flows {
            let Some(flow) = flows.get(citation.flow) else {
                continue;
            };
            for (control_id, control_statement) in channels(&citation.via, model) {
                let row = Row {
                    control_id,
                    control_statement,
                    artifact_kind: "flow".to_string(),
                    flow_index: Some(flow.index),
                    flow: Some(flow.text.clone()),
                    source: Some(flow.source.clone()),
                    destination: Some(flow.destination.clone()),
                    ports: text::ports(flow),
                    protocols: text::protocols(flow),
                    justification: flow.justification.clone(),
                    source_location: flow.location.clone(),
                    warnings: (!flow.warnings.is_empty()).then(|| text::warning_codes(flow)),
                    ..blank.clone()
                };
                if flow.rules.is_empty() {
                    rows.push(row.clone());
                }
                for rule in &flow.rules {
                    rows.push(Row {
                        artifact_kind: "policy-rule".to_string(),
                        namespace: Some(rule.namespace.clone()),
                        object: Some(rule.policy.clone()),
                        object_file: Some(object_file(&rule.namespace, &rule.policy)),
                        object_sha256: digest_of(&rule.namespace, &rule.policy),
                        direction: Some(rule.direction.clone()),
                        rule_index: Some(rule.index),
                        yaml_path: Some(rule.yaml_path.clone()),
                        annotation: Some(rule.annotation.clone()),
                        ..row.clone()
                    });
                }
            }
        }
    }
    rows
}
