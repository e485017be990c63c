//! The traceability matrix: from a SOC 2 criterion to the flows that cite it,
//! the NetworkPolicy rules that implement them and the source lines behind
//! them, and back.
//!
//! This module owns the [`Matrix`] (plain data, built by [`build`] from the
//! checked [`Model`], the [`Plan`] the YAML is emitted from, the YAML
//! documents themselves, the sources and the warnings) and its four
//! renderings: [`markdown`], [`csv`], [`json`] and [`html`]. Everything is a
//! pure function: the caller (the CLI) reads files, asks Git for the commit
//! and passes a timestamp only if it wants one; the same input always gives
//! the same bytes. It must not know how the policies are serialized (it only
//! digests the documents it is given), how files are laid out on disk beyond
//! what [`crate::output::object_file`] says, or how diagnostics are rendered.
//!
//! Because the matrix cites the plan's rule positions (`plan::Rule::flow`,
//! [`Plan::rules_of_flow`]) and the YAML is emitted from the same plan, a
//! cited rule position is the rule at that index in the emitted object.
//!
//! [`Model`]: crate::model::Model
//! [`Plan`]: crate::plan::Plan
//! [`Plan::rules_of_flow`]: crate::plan::Plan::rules_of_flow

mod build;
mod csv;
mod digest;
mod html;
mod json;
mod markdown;
mod spill;
mod text;

pub use build::build;
pub use csv::{COLUMNS, csv, write_csv};
pub use digest::{sha256, sources_digest};
pub use html::{criterion_anchor, html, write_html};
pub use json::{json, write_json};
pub use markdown::{markdown, write_markdown};
pub use text::DEFAULT_DENY;

use serde::Serialize;

/// The version of the matrix's JSON shape (`docs/matrix.schema.json`);
/// raised when a field changes meaning or goes away.
pub const FORMAT_VERSION: u32 = 1;

/// What the caller knows about where the sources come from. The matrix never
/// runs Git or reads the clock: the CLI does and passes the answers here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The commit of the Git work tree the sources are in, if they are in one.
    pub commit: Option<String>,
    /// True when the work tree has uncommitted changes (meaningful only with
    /// a commit).
    pub dirty: bool,
    /// When the matrix was generated, as the caller wants it printed
    /// (omitted when `None`, so that output stays byte-identical).
    pub generated_at: Option<String>,
}

/// The traceability matrix of one program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// What the matrix is about and where it comes from.
    pub header: Header,
    /// Every criterion something cites, in catalog order.
    pub criteria: Vec<CriterionEntry>,
    /// Every flow of the program, in source order (`flows[i].index == i`).
    pub flows: Vec<FlowEntry>,
    /// Every generated object, in plan (and YAML) order: the reverse index.
    pub objects: Vec<ObjectEntry>,
    /// What the program leaves uncovered or covers only weakly.
    pub coverage: Coverage,
    /// Counts.
    pub totals: Totals,
    /// One row per (criterion, control, artifact, object rule): the CSV, and
    /// the flat form for GRC tools.
    pub rows: Vec<Row>,
}

/// The matrix's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// The system's name, from `system "..."`.
    pub system: Option<String>,
    /// The catalog's name.
    pub catalog: String,
    /// The catalog's edition.
    pub catalog_version: String,
    /// The version of Ward that built the matrix.
    pub ward_version: String,
    /// `sha256:HEX` over every source file's name and text (see
    /// [`sources_digest`]).
    pub sources_digest: String,
    /// Every source file, in the order read.
    pub sources: Vec<SourceEntry>,
    /// The Git commit, when the caller gave one.
    pub git: Option<Git>,
    /// The caller's timestamp, if any.
    pub generated_at: Option<String>,
}

/// One source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceEntry {
    /// Its name, as given.
    pub name: String,
    /// `sha256:HEX` of its text.
    pub sha256: String,
    /// Its length in bytes.
    pub bytes: usize,
}

/// Where in Git the sources come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Git {
    /// The commit.
    pub commit: String,
    /// True when the work tree had uncommitted changes.
    pub dirty: bool,
}

/// One criterion of the catalog that the program cites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionEntry {
    /// Its id: `CC6.1`.
    pub id: String,
    /// Its series: `CC6`.
    pub series: String,
    /// The series' title.
    pub series_title: String,
    /// The Trust Services category.
    pub category: String,
    /// Whether it is commonly cited for network controls.
    pub network_relevant: bool,
    /// What it requires.
    pub description: String,
    /// The team's own controls that map to it, in source order.
    pub controls: Vec<ControlEntry>,
    /// The default-deny policies, when the baseline cites it.
    pub baseline: Option<BaselineEntry>,
    /// The flows that cite it, in source order.
    pub flows: Vec<FlowCitation>,
}

/// A team's own control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlEntry {
    /// Its id: `NET-01`.
    pub id: String,
    /// Its statement.
    pub statement: String,
    /// `file:line` of its declaration.
    pub location: String,
}

/// How something cites a criterion: directly, through controls, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Via {
    /// True when the criterion itself is cited.
    pub direct: bool,
    /// The team's controls cited that map to the criterion, in citation order.
    pub controls: Vec<String>,
}

/// The baseline's citation of a criterion and the policies that implement it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaselineEntry {
    /// How the baseline cites the criterion.
    pub via: Via,
    /// `file:line` of the first citation.
    pub location: String,
    /// The default-deny policy of every managed namespace.
    pub objects: Vec<ObjectRef>,
}

/// A flow citing a criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowCitation {
    /// The flow's index in [`Matrix::flows`].
    pub flow: usize,
    /// How the flow cites the criterion.
    pub via: Via,
}

/// A generated object, by namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectRef {
    /// The namespace.
    pub namespace: String,
    /// The NetworkPolicy's name.
    pub name: String,
}

/// One flow of the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowEntry {
    /// Its position among the program's flows.
    pub index: usize,
    /// `SRC -> DST[:port]` in canonical form.
    pub text: String,
    /// Who opens the connection: `shop.web`, `payments.*`, `*.*`, `internet`.
    pub source: String,
    /// Who accepts it.
    pub destination: String,
    /// True when the flow allows every port of every protocol (`:*`).
    pub every_port: bool,
    /// The destination ports (empty when `every_port`); with `port_name`,
    /// where the services declare that name.
    pub ports: Vec<PortEntry>,
    /// A port given by name that each destination pod resolves (the YAML
    /// holds the name, decision 0007); absent for numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_name: Option<String>,
    /// The justification (`because`).
    pub justification: Option<String>,
    /// `file:line` of the statement.
    pub location: String,
    /// The ids the flow cites, as written.
    pub citations: Vec<String>,
    /// The criteria it serves, directly or through controls, in catalog order.
    pub criteria: Vec<String>,
    /// Warnings reported inside the statement.
    pub warnings: Vec<WarningEntry>,
    /// The rules that implement it, in plan order.
    pub rules: Vec<RuleEntry>,
}

/// A port or a range of ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortEntry {
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    /// The first port.
    pub first: u16,
    /// The last port (equal to `first` for one port).
    pub last: u16,
}

/// A warning about a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningEntry {
    /// Its code: `W0001`.
    pub code: String,
    /// The code's title.
    pub title: String,
    /// The message.
    pub message: String,
    /// `file:line` of its primary place.
    pub location: String,
}

/// A rule position in a generated object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleEntry {
    /// The policy's namespace.
    pub namespace: String,
    /// The policy's name.
    pub policy: String,
    /// `ingress` or `egress`.
    pub direction: String,
    /// The 0-based index in `spec.ingress` or `spec.egress`.
    pub index: usize,
    /// Where the rule is in the object: `spec.ingress[2]`.
    pub yaml_path: String,
    /// The annotation that cites the flow on the object: `ward.dev/ingress-2`.
    pub annotation: String,
}

/// One generated object, with the criteria it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectEntry {
    /// The namespace.
    pub namespace: String,
    /// The NetworkPolicy's name.
    pub name: String,
    /// `default-deny`, `namespace` (every pod of the namespace) or `service`.
    pub kind: String,
    /// Its path in the output directory of `ward build -o`.
    pub file: String,
    /// `sha256:HEX` of its YAML document; `None` when no document was given.
    pub sha256: Option<String>,
    /// The criteria it serves, in catalog order.
    pub criteria: Vec<String>,
    /// Its rules, egress then ingress (the YAML's order), each with the flow
    /// and criteria behind it.
    pub rules: Vec<ObjectRule>,
}

/// One rule of an object, traced back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectRule {
    /// `ingress` or `egress`.
    pub direction: String,
    /// The 0-based index in that direction.
    pub index: usize,
    /// The flow it implements.
    pub flow: usize,
    /// The criteria of that flow, in catalog order.
    pub criteria: Vec<String>,
}

/// Gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Network-relevant criteria that nothing cites, in catalog order.
    pub uncited_network_relevant: Vec<CriterionSummary>,
    /// Criteria cited only by flows that draw warnings, in catalog order.
    pub warnings_only: Vec<WarningsOnly>,
}

/// A criterion, briefly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionSummary {
    /// Its id.
    pub id: String,
    /// Its series.
    pub series: String,
    /// What it requires.
    pub description: String,
}

/// A criterion whose every citation is a flow with warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningsOnly {
    /// The criterion's id.
    pub criterion: String,
    /// The flows that cite it.
    pub flows: Vec<usize>,
}

/// Counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Criteria in the catalog.
    pub catalog_criteria: usize,
    /// Criteria something cites.
    pub cited_criteria: usize,
    /// Network-relevant criteria in the catalog.
    pub network_relevant_criteria: usize,
    /// Network-relevant criteria something cites.
    pub cited_network_relevant_criteria: usize,
    /// The team's own controls.
    pub controls: usize,
    /// Flows.
    pub flows: usize,
    /// Flows that draw warnings.
    pub flows_with_warnings: usize,
    /// Generated objects.
    pub objects: usize,
    /// Default-deny objects among them.
    pub default_deny_objects: usize,
    /// Rules in the generated objects.
    pub rules: usize,
    /// Rows of [`Matrix::rows`].
    pub rows: usize,
}

/// One row: a criterion, the control through which it is cited, an artifact
/// (a namespace's default deny, or one rule implementing a flow) and the
/// evidence slots the team fills in. Field order is the CSV's column order.
///
/// The cells are [`Text`]: most repeat from row to row (a criterion's
/// description, a flow's ports), and a large program has tens of thousands
/// of rows, so the rows share them instead of copying each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The criterion's id.
    pub criterion_id: Text,
    /// The criterion's series.
    pub criterion_series: Text,
    /// What the criterion requires.
    pub criterion_description: Text,
    /// The team's control through which the criterion is cited; `None` when
    /// it is cited directly.
    pub control_id: Option<Text>,
    /// The control's statement.
    pub control_statement: Option<Text>,
    /// `default-deny`, `policy-rule`, or `flow` (a flow no rule implements).
    pub artifact_kind: Text,
    /// The flow's index (`None` for a default deny).
    pub flow_index: Option<usize>,
    /// The flow in canonical form.
    pub flow: Option<Text>,
    /// The flow's source.
    pub source: Option<Text>,
    /// The flow's destination.
    pub destination: Option<Text>,
    /// The ports: `8443/tcp, 9090/tcp` or `every port`.
    pub ports: Text,
    /// The protocols: `TCP, UDP` or `any`.
    pub protocols: Text,
    /// The flow's `because`, or the default deny's purpose.
    pub justification: Option<Text>,
    /// `file:line` of the flow or the baseline.
    pub source_location: Text,
    /// Codes of the warnings the flow draws, comma-separated.
    pub warnings: Option<Text>,
    /// The object's namespace.
    pub namespace: Option<Text>,
    /// The object's name.
    pub object: Option<Text>,
    /// The object's file in the build output.
    pub object_file: Option<Text>,
    /// `sha256:HEX` of the object's YAML.
    pub object_sha256: Option<Text>,
    /// `ingress` or `egress`.
    pub direction: Option<Text>,
    /// The rule's 0-based index in that direction.
    pub rule_index: Option<usize>,
    /// `spec.ingress[2]`.
    pub yaml_path: Option<Text>,
    /// `ward.dev/ingress-2`.
    pub annotation: Option<Text>,
    /// Evidence slot, filled by the team: who owns the artifact.
    pub owner: Option<Text>,
    /// Evidence slot, filled by the team: a reference to a test result.
    pub test_result: Option<Text>,
    /// Evidence slot, filled by the team: a reference to a review.
    pub review: Option<Text>,
    /// Evidence slot, filled by the team: a reference to an approved exception.
    pub exception: Option<Text>,
}

/// An immutable, shared string: a cell of the matrix's rows. Cloning it
/// copies a pointer, not the text. It reads as a `str` (`Deref`), compares
/// with strings, and serializes as a string, exactly as `String` does.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text(std::sync::Arc<str>);

impl Text {
    /// The text as a `str`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Text(text.into())
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text(text.into())
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.0.as_ref().to_string()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        &*self.0 == other.as_str()
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}
