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
    Provenance, Row, RuleEntry, SourceEntry, Text, Totals, Via, WarningEntry, WarningsOnly,
};
use crate::catalog::{self, CRITERIA, Criterion, catalog_order};
use crate::diagnostic::{Diagnostic, Severity};
use crate::emit::{default_deny_note, rule_annotation};
use crate::model::{Citation, CitationTarget, Flow, Model, NamedPort, Ports};
use crate::output::object_file;
use crate::plan::{Direction, Plan, Policy, RuleRef, Target};
use crate::source::{FileId, Sources, Span};
use std::collections::{BTreeMap, BTreeSet};

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
    let mut rules_by_flow = plan.rules_by_flow(model.flows.len());
    let warnings = Warnings::new(diagnostics);
    let cited = Cited::new(model);
    let flows: Vec<FlowEntry> = model
        .flows
        .iter()
        .map(|flow| {
            let rules = rules_by_flow
                .get_mut(flow.index)
                .map(std::mem::take)
                .unwrap_or_else(|| plan.rules_of_flow(flow.index));
            flow_entry(flow, rules, sources, &warnings, cited.ordered(flow.index))
        })
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
        .filter_map(|criterion| criterion_entry(criterion, model, sources, &default_denies, &cited))
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
            object_entry(policy, digest, model, &cited)
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

/// The warnings among a program's diagnostics, sorted by where they start,
/// so that the warnings inside a flow are found without a scan of them all.
struct Warnings<'d> {
    /// (file, start, index in `diagnostics`), sorted.
    starts: Vec<(FileId, usize, usize)>,
    diagnostics: &'d [Diagnostic],
}

impl<'d> Warnings<'d> {
    fn new(diagnostics: &'d [Diagnostic]) -> Self {
        let mut starts: Vec<(FileId, usize, usize)> = diagnostics
            .iter()
            .enumerate()
            .filter(|(_, d)| d.severity() == Severity::Warning)
            .map(|(i, d)| (d.primary.span.file, d.primary.span.start, i))
            .collect();
        starts.sort_unstable();
        Self {
            starts,
            diagnostics,
        }
    }

    /// The warnings whose primary place lies within `outer`, in the order
    /// of the diagnostics.
    fn inside(&self, outer: Span) -> Vec<&'d Diagnostic> {
        let first = self
            .starts
            .partition_point(|(file, start, _)| (*file, *start) < (outer.file, outer.start));
        let mut found: Vec<usize> = self
            .starts
            .get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(|(file, start, _)| *file == outer.file && *start <= outer.end)
            .map(|(_, _, i)| *i)
            .filter(|i| {
                self.diagnostics
                    .get(*i)
                    .is_some_and(|d| inside(d.primary.span, outer))
            })
            .collect();
        found.sort_unstable();
        found
            .into_iter()
            .filter_map(|i| self.diagnostics.get(i))
            .collect()
    }
}

/// The criteria each flow serves, worked out once: as a set, in catalog
/// order, and the other way round (the flows citing each criterion).
struct Cited {
    /// Per flow, its criteria.
    sets: Vec<BTreeSet<&'static str>>,
    /// Per flow, its criteria in catalog order.
    ordered: Vec<Vec<String>>,
    /// Per criterion, the flows that cite it, in flow order.
    flows: BTreeMap<&'static str, Vec<usize>>,
}

impl Cited {
    fn new(model: &Model) -> Self {
        let sets: Vec<BTreeSet<&'static str>> = model.flows.iter().map(Flow::criteria).collect();
        let ordered = sets
            .iter()
            .map(|set| catalog_order(set.iter().copied()))
            .collect();
        let mut flows: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
        for (index, set) in sets.iter().enumerate() {
            for id in set {
                flows.entry(id).or_default().push(index);
            }
        }
        Self {
            sets,
            ordered,
            flows,
        }
    }

    fn set(&self, flow: usize) -> Option<&BTreeSet<&'static str>> {
        self.sets.get(flow)
    }

    fn ordered(&self, flow: usize) -> Vec<String> {
        self.ordered.get(flow).cloned().unwrap_or_default()
    }

    /// The flows whose citations stand for criterion `id`.
    fn citing(&self, id: &str) -> &[usize] {
        self.flows.get(id).map_or(&[], Vec::as_slice)
    }
}

fn flow_entry(
    flow: &Flow,
    rules: Vec<RuleRef>,
    sources: &Sources,
    warnings: &Warnings<'_>,
    criteria: Vec<String>,
) -> FlowEntry {
    let (every_port, ports) = match &flow.ports {
        Ports::Any => (true, Vec::new()),
        // A port by name: the numbers the services declare under it.
        Ports::Ranges(ranges)
        | Ports::Named(NamedPort {
            declared: ranges, ..
        }) => (
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
    let warnings = warnings
        .inside(flow.span)
        .into_iter()
        .map(|d| WarningEntry {
            code: d.code.as_str().to_string(),
            title: d.code.title().to_string(),
            message: d.message.clone(),
            location: sources.location(d.primary.span),
        })
        .collect();
    let rules = rules
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
        port_name: match &flow.ports {
            Ports::Named(named) => Some(named.name.clone()),
            Ports::Any | Ports::Ranges(_) => None,
        },
        justification: flow.because.clone(),
        location: sources.location(flow.span),
        citations: flow.citations.iter().map(|c| c.id.clone()).collect(),
        criteria,
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
    cited: &Cited,
) -> Option<CriterionEntry> {
    let baseline = via(&model.baseline, criterion.id).map(|via| BaselineEntry {
        via,
        location: first_citing(&model.baseline, criterion.id)
            .map_or_else(String::new, |span| sources.location(span)),
        objects: default_denies.to_vec(),
    });
    // Only the flows whose criteria include this one can cite it.
    let flows: Vec<FlowCitation> = cited
        .citing(criterion.id)
        .iter()
        .filter_map(|index| model.flows.get(*index))
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

fn object_entry(
    policy: &Policy,
    sha256: Option<String>,
    model: &Model,
    cited: &Cited,
) -> ObjectEntry {
    let mut all: BTreeSet<&str> = BTreeSet::new();
    if policy.target == Target::DefaultDeny {
        all.extend(model.baseline_criteria());
    }
    let mut rules = Vec::new();
    for direction in [Direction::Egress, Direction::Ingress] {
        for (index, rule) in policy.rules(direction).iter().enumerate() {
            if let Some(criteria) = cited.set(rule.flow) {
                all.extend(criteria.iter().copied());
            }
            rules.push(ObjectRule {
                direction: direction.as_str().to_string(),
                index,
                flow: rule.flow,
                criteria: cited.ordered(rule.flow),
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
fn channels(via: &Via, model: &Model) -> Vec<(Option<Text>, Option<Text>)> {
    let direct = via.direct.then_some((None, None));
    let controls = via.controls.iter().map(|id| {
        let statement = model.controls.get(id).map(|c| Text::from(c.title.as_str()));
        (Some(Text::from(id.as_str())), statement)
    });
    direct.into_iter().chain(controls).collect()
}

/// The cells of a flow's rows, made at its first row and shared by the
/// others (a flow cites several criteria, each with a row per rule).
struct FlowCells {
    flow: Text,
    source: Text,
    destination: Text,
    ports: Text,
    protocols: Text,
    justification: Option<Text>,
    location: Text,
    warnings: Option<Text>,
    rules: Vec<ObjectCells>,
}

/// The cells that say where an artifact is: an object, and for a rule its
/// place in the object.
#[derive(Clone)]
struct ObjectCells {
    namespace: Text,
    object: Text,
    file: Text,
    sha256: Option<Text>,
    direction: Option<Text>,
    index: Option<usize>,
    yaml_path: Option<Text>,
    annotation: Option<Text>,
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
    let object_cells = |namespace: &str, name: &str| ObjectCells {
        namespace: Text::from(namespace),
        object: Text::from(name),
        file: Text::from(object_file(namespace, name)),
        sha256: digests.get(&(namespace, name)).map(|d| Text::from(*d)),
        direction: None,
        index: None,
        yaml_path: None,
        annotation: None,
    };
    // The rows are many and large: count them first, so that the vector is
    // allocated once instead of being copied as it grows.
    let count: usize = criteria
        .iter()
        .map(|criterion| {
            let baseline = criterion.baseline.as_ref().map_or(0, |baseline| {
                channels(&baseline.via, model).len() * baseline.objects.len()
            });
            let flows: usize = criterion
                .flows
                .iter()
                .filter_map(|citation| {
                    let flow = flows.get(citation.flow)?;
                    Some(channels(&citation.via, model).len() * flow.rules.len().max(1))
                })
                .sum();
            baseline + flows
        })
        .sum();
    let mut rows = Vec::with_capacity(count);
    let kind_default_deny = Text::from("default-deny");
    let kind_policy_rule = Text::from("policy-rule");
    let kind_flow = Text::from("flow");
    let every_port = Text::from(text::EVERY_PORT);
    let any_protocol = Text::from(text::ANY_PROTOCOL);
    let default_deny_justification = Text::from(default_deny_note());
    let empty = Text::default();
    let mut default_denies: BTreeMap<(&str, &str), ObjectCells> = BTreeMap::new();
    let mut flow_cells: Vec<Option<FlowCells>> = Vec::new();
    flow_cells.resize_with(flows.len(), || None);
    for criterion in criteria {
        let blank = Row {
            criterion_id: Text::from(criterion.id.as_str()),
            criterion_series: Text::from(criterion.series.as_str()),
            criterion_description: Text::from(criterion.description.as_str()),
            control_id: None,
            control_statement: None,
            artifact_kind: empty.clone(),
            flow_index: None,
            flow: None,
            source: None,
            destination: None,
            ports: empty.clone(),
            protocols: empty.clone(),
            justification: None,
            source_location: empty.clone(),
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
            let location = Text::from(baseline.location.as_str());
            for (control_id, control_statement) in channels(&baseline.via, model) {
                for object in &baseline.objects {
                    let cells = default_denies
                        .entry((&object.namespace, &object.name))
                        .or_insert_with(|| object_cells(&object.namespace, &object.name));
                    rows.push(Row {
                        control_id: control_id.clone(),
                        control_statement: control_statement.clone(),
                        artifact_kind: kind_default_deny.clone(),
                        ports: every_port.clone(),
                        protocols: any_protocol.clone(),
                        justification: Some(default_deny_justification.clone()),
                        source_location: location.clone(),
                        namespace: Some(cells.namespace.clone()),
                        object: Some(cells.object.clone()),
                        object_file: Some(cells.file.clone()),
                        object_sha256: cells.sha256.clone(),
                        ..blank.clone()
                    });
                }
            }
        }
        for citation in &criterion.flows {
            let (Some(flow), Some(slot)) =
                (flows.get(citation.flow), flow_cells.get_mut(citation.flow))
            else {
                continue;
            };
            let cells = slot.get_or_insert_with(|| FlowCells {
                flow: Text::from(flow.text.as_str()),
                source: Text::from(flow.source.as_str()),
                destination: Text::from(flow.destination.as_str()),
                ports: Text::from(text::ports(flow)),
                protocols: Text::from(text::protocols(flow)),
                justification: flow.justification.as_deref().map(Text::from),
                location: Text::from(flow.location.as_str()),
                warnings: (!flow.warnings.is_empty())
                    .then(|| Text::from(text::warning_codes(flow))),
                rules: flow
                    .rules
                    .iter()
                    .map(|rule| ObjectCells {
                        direction: Some(Text::from(rule.direction.as_str())),
                        index: Some(rule.index),
                        yaml_path: Some(Text::from(rule.yaml_path.as_str())),
                        annotation: Some(Text::from(rule.annotation.as_str())),
                        ..object_cells(&rule.namespace, &rule.policy)
                    })
                    .collect(),
            });
            for (control_id, control_statement) in channels(&citation.via, model) {
                let row = Row {
                    control_id,
                    control_statement,
                    artifact_kind: kind_flow.clone(),
                    flow_index: Some(flow.index),
                    flow: Some(cells.flow.clone()),
                    source: Some(cells.source.clone()),
                    destination: Some(cells.destination.clone()),
                    ports: cells.ports.clone(),
                    protocols: cells.protocols.clone(),
                    justification: cells.justification.clone(),
                    source_location: cells.location.clone(),
                    warnings: cells.warnings.clone(),
                    ..blank.clone()
                };
                if cells.rules.is_empty() {
                    rows.push(row);
                    continue;
                }
                for rule in &cells.rules {
                    rows.push(Row {
                        artifact_kind: kind_policy_rule.clone(),
                        namespace: Some(rule.namespace.clone()),
                        object: Some(rule.object.clone()),
                        object_file: Some(rule.file.clone()),
                        object_sha256: rule.sha256.clone(),
                        direction: rule.direction.clone(),
                        rule_index: rule.index,
                        yaml_path: rule.yaml_path.clone(),
                        annotation: rule.annotation.clone(),
                        ..row.clone()
                    });
                }
            }
        }
    }
    rows
}
