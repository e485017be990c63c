//! The built-in control catalog: the AICPA 2017 Trust Services Criteria for
//! SOC 2 (revised points of focus, 2022).
//!
//! This module owns the list of criteria (ids, series, categories, whether a
//! criterion is commonly cited for network controls, and a one-line
//! description in the project's own words) and the id look-ups built on it:
//! exact lookup, shape checks, point-of-focus mapping and "did you mean"
//! suggestions. It is pure data plus string functions: it must not know about
//! programs, the AST, the model or diagnostics; callers turn its answers into
//! messages.

/// Human-readable name of the catalog.
pub const CATALOG_NAME: &str = "SOC 2 Trust Services Criteria";

/// Edition of the catalog this module encodes.
pub const CATALOG_VERSION: &str = "2017 (revised points of focus 2022)";

/// Prefix of the framework-qualified form of an id (`soc2:CC6.6`).
pub const FRAMEWORK_PREFIX: &str = "soc2";

/// A Trust Services category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Security: the common criteria (CC1-CC9).
    Security,
    /// Availability (A1).
    Availability,
    /// Confidentiality (C1).
    Confidentiality,
    /// Processing Integrity (PI1).
    ProcessingIntegrity,
    /// Privacy (P1-P8).
    Privacy,
}

impl Category {
    /// The category's display name, as the AICPA spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Security => "Security",
            Self::Availability => "Availability",
            Self::Confidentiality => "Confidentiality",
            Self::ProcessingIntegrity => "Processing Integrity",
            Self::Privacy => "Privacy",
        }
    }
}

/// One criterion of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Criterion {
    /// The criterion id, e.g. `CC6.1`.
    pub id: &'static str,
    /// The series the criterion belongs to, e.g. `CC6`.
    pub series: &'static str,
    /// The title of the series, e.g. `Logical and Physical Access Controls`.
    pub series_title: &'static str,
    /// The Trust Services category.
    pub category: Category,
    /// Whether the criterion is commonly cited for network controls (used for
    /// hints and coverage reports, never to reject a valid criterion).
    pub network_relevant: bool,
    /// A one-line description of what the criterion requires.
    pub description: &'static str,
}

const fn c(
    id: &'static str,
    series: &'static str,
    series_title: &'static str,
    category: Category,
    network_relevant: bool,
    description: &'static str,
) -> Criterion {
    Criterion {
        id,
        series,
        series_title,
        category,
        network_relevant,
        description,
    }
}

const CC1: &str = "Control Environment";
const CC2: &str = "Communication and Information";
const CC3: &str = "Risk Assessment";
const CC4: &str = "Monitoring Activities";
const CC5: &str = "Control Activities";
const CC6: &str = "Logical and Physical Access Controls";
const CC7: &str = "System Operations";
const CC8: &str = "Change Management";
const CC9: &str = "Risk Mitigation";
const A1: &str = "Additional Criteria for Availability";
const C1: &str = "Additional Criteria for Confidentiality";
const PI1: &str = "Additional Criteria for Processing Integrity";
const P1: &str = "Privacy: Notice and Communication of Objectives";
const P2: &str = "Privacy: Choice and Consent";
const P3: &str = "Privacy: Collection";
const P4: &str = "Privacy: Use, Retention, and Disposal";
const P5: &str = "Privacy: Access";
const P6: &str = "Privacy: Disclosure and Notification";
const P7: &str = "Privacy: Quality";
const P8: &str = "Privacy: Monitoring and Enforcement";

use Category::{Availability, Confidentiality, Privacy, ProcessingIntegrity, Security};

/// Every criterion of the catalog, in the AICPA's order.
pub static CRITERIA: [Criterion; 61] = [
    c(
        "CC1.1",
        "CC1",
        CC1,
        Security,
        false,
        "Commitment to integrity and ethical values is set and modelled from the top.",
    ),
    c(
        "CC1.2",
        "CC1",
        CC1,
        Security,
        false,
        "A board that is independent of management supervises the design and operation of internal control.",
    ),
    c(
        "CC1.3",
        "CC1",
        CC1,
        Security,
        false,
        "Organizational structure, reporting lines and delegated authority are defined by management with board oversight.",
    ),
    c(
        "CC1.4",
        "CC1",
        CC1,
        Security,
        false,
        "Capable staff are hired, trained and retained in support of the entity's objectives.",
    ),
    c(
        "CC1.5",
        "CC1",
        CC1,
        Security,
        false,
        "Individuals are made answerable for the internal-control duties assigned to them.",
    ),
    c(
        "CC2.1",
        "CC2",
        CC2,
        Security,
        true,
        "Quality information, such as documented data flows, is produced and used to support the functioning of controls.",
    ),
    c(
        "CC2.2",
        "CC2",
        CC2,
        Security,
        false,
        "Internal-control objectives and duties are communicated within the organization.",
    ),
    c(
        "CC2.3",
        "CC2",
        CC2,
        Security,
        false,
        "Matters bearing on internal control are communicated with external parties.",
    ),
    c(
        "CC3.1",
        "CC3",
        CC3,
        Security,
        false,
        "Objectives are stated precisely enough for the risks to them to be found and evaluated.",
    ),
    c(
        "CC3.2",
        "CC3",
        CC3,
        Security,
        false,
        "Risks to objectives are identified across the entity and analyzed to determine how they should be managed.",
    ),
    c(
        "CC3.3",
        "CC3",
        CC3,
        Security,
        false,
        "The assessment of risk takes the possibility of fraud into account.",
    ),
    c(
        "CC3.4",
        "CC3",
        CC3,
        Security,
        false,
        "Significant changes that could affect the system of internal control are found and evaluated.",
    ),
    c(
        "CC4.1",
        "CC4",
        CC4,
        Security,
        false,
        "Continuous or periodic evaluations establish that the components of internal control are present and functioning.",
    ),
    c(
        "CC4.2",
        "CC4",
        CC4,
        Security,
        false,
        "Weaknesses in internal control are evaluated and communicated in time to the parties responsible for correcting them.",
    ),
    c(
        "CC5.1",
        "CC5",
        CC5,
        Security,
        false,
        "Control activities are selected and designed to reduce risk to an acceptable level.",
    ),
    c(
        "CC5.2",
        "CC5",
        CC5,
        Security,
        false,
        "General controls over technology are selected and designed in support of objectives.",
    ),
    c(
        "CC5.3",
        "CC5",
        CC5,
        Security,
        false,
        "Controls are deployed through policies that set expectations and procedures that carry them out.",
    ),
    c(
        "CC6.1",
        "CC6",
        CC6,
        Security,
        true,
        "Logical access measures in software, infrastructure and architecture, such as network segmentation, protect information assets.",
    ),
    c(
        "CC6.2",
        "CC6",
        CC6,
        Security,
        false,
        "Users are registered and approved before credentials are issued, and credentials are withdrawn when access is no longer warranted.",
    ),
    c(
        "CC6.3",
        "CC6",
        CC6,
        Security,
        false,
        "Access is granted, modified and removed according to roles, least privilege and separation of duties.",
    ),
    c(
        "CC6.4",
        "CC6",
        CC6,
        Security,
        false,
        "Physical access to facilities and protected assets is restricted to authorized people.",
    ),
    c(
        "CC6.5",
        "CC6",
        CC6,
        Security,
        false,
        "Physical media are retired only after the data they hold has been rendered unrecoverable.",
    ),
    c(
        "CC6.6",
        "CC6",
        CC6,
        Security,
        true,
        "Boundary protections, such as firewalls and limited entry points, defend against threats originating outside the system.",
    ),
    c(
        "CC6.7",
        "CC6",
        CC6,
        Security,
        true,
        "Information being transmitted, moved or removed is limited to authorized users and processes and protected along the way.",
    ),
    c(
        "CC6.8",
        "CC6",
        CC6,
        Security,
        false,
        "The introduction of unauthorized or malicious software is prevented, or detected and acted upon.",
    ),
    c(
        "CC7.1",
        "CC7",
        CC7,
        Security,
        true,
        "Monitoring identifies configuration drift that introduces weaknesses, as well as newly discovered vulnerabilities.",
    ),
    c(
        "CC7.2",
        "CC7",
        CC7,
        Security,
        true,
        "Components are watched for anomalous behaviour that may indicate attacks, disasters or errors, and anomalies are analyzed.",
    ),
    c(
        "CC7.3",
        "CC7",
        CC7,
        Security,
        false,
        "Security events are assessed to establish whether they are incidents, and appropriate action is taken.",
    ),
    c(
        "CC7.4",
        "CC7",
        CC7,
        Security,
        false,
        "A defined incident-response program is run to analyze, contain, remediate and communicate identified incidents.",
    ),
    c(
        "CC7.5",
        "CC7",
        CC7,
        Security,
        false,
        "Recovery from identified security incidents is planned, developed and executed.",
    ),
    c(
        "CC8.1",
        "CC8",
        CC8,
        Security,
        true,
        "Infrastructure, data and software changes follow a controlled lifecycle: authorized, designed, tested, approved, documented, deployed.",
    ),
    c(
        "CC9.1",
        "CC9",
        CC9,
        Security,
        false,
        "Mitigation activities are identified and developed for the risk of business disruption.",
    ),
    c(
        "CC9.2",
        "CC9",
        CC9,
        Security,
        false,
        "Risk stemming from vendors and business partners is evaluated and managed.",
    ),
    c(
        "A1.1",
        "A1",
        A1,
        Availability,
        false,
        "Processing capacity and use are monitored and evaluated so that demand is met and capacity can be expanded.",
    ),
    c(
        "A1.2",
        "A1",
        A1,
        Availability,
        false,
        "Environmental safeguards, backup processes and recovery infrastructure are put in place, operated and maintained.",
    ),
    c(
        "A1.3",
        "A1",
        A1,
        Availability,
        false,
        "Procedures in the recovery plan are tested to confirm that the system can be restored.",
    ),
    c(
        "C1.1",
        "C1",
        C1,
        Confidentiality,
        false,
        "Information designated confidential is recognized and safeguarded as confidentiality obligations require.",
    ),
    c(
        "C1.2",
        "C1",
        C1,
        Confidentiality,
        false,
        "Confidential information is destroyed in accordance with confidentiality obligations.",
    ),
    c(
        "PI1.1",
        "PI1",
        PI1,
        ProcessingIntegrity,
        false,
        "Information about processing objectives, data definitions and product or service specifications is produced and communicated.",
    ),
    c(
        "PI1.2",
        "PI1",
        PI1,
        ProcessingIntegrity,
        false,
        "Input controls ensure that data entering the system is complete and accurate.",
    ),
    c(
        "PI1.3",
        "PI1",
        PI1,
        ProcessingIntegrity,
        false,
        "Processing controls ensure that data is handled so that results satisfy the objectives.",
    ),
    c(
        "PI1.4",
        "PI1",
        PI1,
        ProcessingIntegrity,
        false,
        "Output controls ensure results are complete, accurate, timely and delivered as specified.",
    ),
    c(
        "PI1.5",
        "PI1",
        PI1,
        ProcessingIntegrity,
        false,
        "Stored inputs, work in progress and outputs are kept complete, accurate and up to date.",
    ),
    c(
        "P1.1",
        "P1",
        P1,
        Privacy,
        false,
        "Data subjects receive timely notice of the entity's privacy practices and of any changes to them.",
    ),
    c(
        "P2.1",
        "P2",
        P2,
        Privacy,
        false,
        "Data subjects are told their choices; explicit consent is obtained where needed and the basis for implied consent is recorded.",
    ),
    c(
        "P3.1",
        "P3",
        P3,
        Privacy,
        false,
        "Collection of personal information is limited to what the privacy objectives permit.",
    ),
    c(
        "P3.2",
        "P3",
        P3,
        Privacy,
        false,
        "When explicit consent is required, its implications are explained and consent is secured prior to collection.",
    ),
    c(
        "P4.1",
        "P4",
        P4,
        Privacy,
        false,
        "Use of personal information is confined to its stated purposes.",
    ),
    c(
        "P4.2",
        "P4",
        P4,
        Privacy,
        false,
        "Retention of personal information is limited to what the privacy objectives permit.",
    ),
    c(
        "P4.3",
        "P4",
        P4,
        Privacy,
        false,
        "Personal information that is no longer kept is destroyed in a secure manner.",
    ),
    c(
        "P5.1",
        "P5",
        P5,
        Privacy,
        false,
        "Authenticated data subjects can review and obtain copies of their personal information, and denials are explained.",
    ),
    c(
        "P5.2",
        "P5",
        P5,
        Privacy,
        false,
        "Requested corrections or amendments to personal information are made and passed on to third parties, and denials are explained.",
    ),
    c(
        "P6.1",
        "P6",
        P6,
        Privacy,
        false,
        "Personal information is disclosed to third parties only after data subjects have explicitly consented.",
    ),
    c(
        "P6.2",
        "P6",
        P6,
        Privacy,
        false,
        "Authorized disclosures of personal information are recorded completely, accurately and promptly.",
    ),
    c(
        "P6.3",
        "P6",
        P6,
        Privacy,
        false,
        "Detected or reported unauthorized disclosures, breaches included, are logged.",
    ),
    c(
        "P6.4",
        "P6",
        P6,
        Privacy,
        false,
        "Third parties with access to personal information commit to privacy obligations, and their compliance is reviewed periodically.",
    ),
    c(
        "P6.5",
        "P6",
        P6,
        Privacy,
        false,
        "Third parties are obliged to report unauthorized disclosures, which are then treated as incidents.",
    ),
    c(
        "P6.6",
        "P6",
        P6,
        Privacy,
        false,
        "Breaches and incidents are reported to affected data subjects, regulators and other concerned parties.",
    ),
    c(
        "P6.7",
        "P6",
        P6,
        Privacy,
        false,
        "Data subjects can request an account of the personal information held about them and of its disclosures.",
    ),
    c(
        "P7.1",
        "P7",
        P7,
        Privacy,
        false,
        "Personal information is kept correct, up to date, complete and relevant to its purposes.",
    ),
    c(
        "P8.1",
        "P8",
        P8,
        Privacy,
        false,
        "A process receives and resolves privacy questions, complaints and disputes, monitors compliance and remedies deficiencies in time.",
    ),
];

/// Removes the framework-qualified prefix (`soc2:`), exactly as spelled.
fn strip_framework(id: &str) -> &str {
    id.strip_prefix(FRAMEWORK_PREFIX)
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(id)
}

/// Removes the framework-qualified prefix in any letter case (`SOC2:`).
fn strip_framework_loose(id: &str) -> &str {
    let prefix_len = FRAMEWORK_PREFIX.len() + 1;
    match (
        id.get(..FRAMEWORK_PREFIX.len()),
        id.get(FRAMEWORK_PREFIX.len()..prefix_len),
    ) {
        (Some(head), Some(":")) if head.eq_ignore_ascii_case(FRAMEWORK_PREFIX) => {
            id.get(prefix_len..).unwrap_or(id)
        }
        _ => id,
    }
}

/// Criterion ids in the catalog's order (ids the catalog lacks last, sorted).
pub fn catalog_order<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut ids: Vec<(usize, &str)> = ids
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|id| {
            let position = CRITERIA.iter().position(|c| c.id == id);
            (position.unwrap_or(CRITERIA.len()), id)
        })
        .collect();
    ids.sort();
    ids.into_iter().map(|(_, id)| id.to_string()).collect()
}

/// Looks a criterion up by its exact, case-sensitive id (`CC6.1`), also
/// accepting the framework-qualified form (`soc2:CC6.1`).
pub fn criterion(id: &str) -> Option<&'static Criterion> {
    let bare = strip_framework(id);
    CRITERIA.iter().find(|criterion| criterion.id == bare)
}

/// Whether `s` is a non-empty run of ASCII digits.
fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a bare id (no framework prefix) has the shape of a criterion:
/// `(CC|A|C|PI|P)<digits>.<digits>`.
fn is_criterion_shape(bare: &str) -> bool {
    let letters_end = bare
        .find(|ch: char| !ch.is_ascii_uppercase())
        .unwrap_or(bare.len());
    let (family, rest) = bare.split_at(letters_end);
    if !matches!(family, "CC" | "A" | "C" | "PI" | "P") {
        return false;
    }
    match rest.split_once('.') {
        Some((series, item)) => is_number(series) && is_number(item),
        None => false,
    }
}

/// Whether `id` is shaped like a Trust Services criterion id,
/// `(CC|A|C|PI|P)<digits>.<digits>` with an optional `soc2:` prefix, whether
/// or not the catalog contains it (`CC6.9` is shaped like one).
pub fn looks_like_criterion(id: &str) -> bool {
    is_criterion_shape(strip_framework(id))
}

/// Maps a point-of-focus id (a criterion id with one more `.<digits>`, such as
/// `CC6.1.5` or `soc2:CC6.1.5`) to its parent criterion, when that exists.
/// Point-of-focus numbers are assigned by tools, not by the AICPA.
pub fn point_of_focus_parent(id: &str) -> Option<&'static Criterion> {
    let bare = strip_framework(id);
    let (parent, point) = bare.rsplit_once('.')?;
    if !is_number(point) || !is_criterion_shape(parent) {
        return None;
    }
    criterion(parent)
}

/// The largest edit distance at which a mistyped id still gets a suggestion.
const MAX_SUGGESTION_DISTANCE: usize = 1;

/// Upper-cases an id and turns common separators into dots, dropping spaces.
fn normalize(id: &str) -> String {
    id.trim()
        .chars()
        .filter(|ch| !ch.is_whitespace())
        .map(|ch| match ch {
            '-' | '_' | ',' => '.',
            other => other.to_ascii_uppercase(),
        })
        .collect()
}

/// The id with everything but letters and digits removed.
fn alphanumeric(id: &str) -> String {
    id.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The first two runs of digits in an id: series number and item number.
fn numbers(id: &str) -> (Option<u32>, Option<u32>) {
    let mut runs = id
        .split(|ch: char| !ch.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .map(|run| run.parse::<u32>().ok());
    (runs.next().flatten(), runs.next().flatten())
}

/// Distance between two optional numbers; unknown numbers are far apart.
fn number_gap(a: Option<u32>, b: Option<u32>) -> u32 {
    match (a, b) {
        (Some(a), Some(b)) => a.abs_diff(b),
        _ => u32::MAX,
    }
}

/// The closest existing criterion for a mistyped id, or `None` when nothing
/// is reasonably close.
///
/// Letter case, the framework prefix and separators are forgiven (`cc6.1`,
/// `CC61`, `SOC2:cc6-1` all give `CC6.1`); a point-of-focus id gives its
/// parent; otherwise the candidates within one edit of the id are ranked by
/// closeness of the series number, then of the item number, then by catalog
/// order (`CC6.9` gives `CC6.8`). The answer is deterministic.
pub fn suggest(id: &str) -> Option<&'static Criterion> {
    let wanted = normalize(strip_framework_loose(id.trim()));
    if wanted.is_empty() {
        return None;
    }
    if let Some(parent) = point_of_focus_parent(&wanted) {
        return Some(parent);
    }
    let wanted_compact = alphanumeric(&wanted);
    let (wanted_series, wanted_item) = numbers(&wanted);
    CRITERIA
        .iter()
        .enumerate()
        .filter_map(|(index, candidate)| {
            let distance = if alphanumeric(candidate.id) == wanted_compact {
                0
            } else {
                strsim::osa_distance(&wanted, candidate.id)
            };
            if distance > MAX_SUGGESTION_DISTANCE {
                return None;
            }
            let (series, item) = numbers(candidate.id);
            let rank = (
                distance,
                number_gap(wanted_series, series),
                number_gap(wanted_item, item),
                index,
            );
            Some((rank, candidate))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids_of(category: Category) -> Vec<&'static str> {
        CRITERIA
            .iter()
            .filter(|criterion| criterion.category == category)
            .map(|criterion| criterion.id)
            .collect()
    }

    #[test]
    fn counts_per_category() {
        assert_eq!(ids_of(Category::Security).len(), 33);
        assert_eq!(ids_of(Category::Availability).len(), 3);
        assert_eq!(ids_of(Category::Confidentiality).len(), 2);
        assert_eq!(ids_of(Category::ProcessingIntegrity).len(), 5);
        assert_eq!(ids_of(Category::Privacy).len(), 18);
        assert_eq!(CRITERIA.len(), 61);
    }

    #[test]
    fn category_names() {
        assert_eq!(Category::Security.name(), "Security");
        assert_eq!(Category::Availability.name(), "Availability");
        assert_eq!(Category::Confidentiality.name(), "Confidentiality");
        assert_eq!(Category::ProcessingIntegrity.name(), "Processing Integrity");
        assert_eq!(Category::Privacy.name(), "Privacy");
    }

    #[test]
    fn ids_are_unique_even_without_dots_or_case() {
        for (i, a) in CRITERIA.iter().enumerate() {
            for b in CRITERIA.iter().skip(i + 1) {
                assert_ne!(a.id, b.id);
                assert_ne!(alphanumeric(a.id), alphanumeric(b.id));
            }
        }
    }

    #[test]
    fn every_criterion_is_well_formed_and_found() {
        for criterion_ in &CRITERIA {
            assert!(looks_like_criterion(criterion_.id), "{}", criterion_.id);
            assert_eq!(criterion(criterion_.id), Some(criterion_));
            let qualified = format!("soc2:{}", criterion_.id);
            assert_eq!(criterion(&qualified), Some(criterion_));
            assert_eq!(suggest(criterion_.id), Some(criterion_));
            assert!(
                criterion_.id.starts_with(criterion_.series)
                    && criterion_
                        .id
                        .get(criterion_.series.len()..)
                        .map(|s| s.starts_with('.'))
                        == Some(true),
                "{} not in series {}",
                criterion_.id,
                criterion_.series
            );
            assert!(!criterion_.series_title.is_empty());
            assert!(!criterion_.description.is_empty());
            assert!(!criterion_.description.contains('\n'));
        }
    }

    #[test]
    fn order_and_bounds_follow_the_tsv() {
        let ids: Vec<&str> = CRITERIA.iter().map(|criterion| criterion.id).collect();
        assert_eq!(ids.first(), Some(&"CC1.1"));
        assert_eq!(ids.get(32), Some(&"CC9.2"));
        assert_eq!(ids.get(33), Some(&"A1.1"));
        assert_eq!(ids.get(36), Some(&"C1.1"));
        assert_eq!(ids.get(38), Some(&"PI1.1"));
        assert_eq!(ids.get(43), Some(&"P1.1"));
        assert_eq!(ids.last(), Some(&"P8.1"));
        assert_eq!(
            criterion("CC6.6").map(|criterion| criterion.series_title),
            Some("Logical and Physical Access Controls")
        );
        assert_eq!(
            criterion("P4.2").map(|criterion| criterion.series_title),
            Some("Privacy: Use, Retention, and Disposal")
        );
    }

    #[test]
    fn network_relevant_set() {
        let relevant: Vec<&str> = CRITERIA
            .iter()
            .filter(|criterion| criterion.network_relevant)
            .map(|criterion| criterion.id)
            .collect();
        assert_eq!(
            relevant,
            [
                "CC2.1", "CC6.1", "CC6.6", "CC6.7", "CC7.1", "CC7.2", "CC8.1"
            ]
        );
    }

    #[test]
    fn lookup_is_exact() {
        assert!(criterion("cc6.1").is_none());
        assert!(criterion("CC6.9").is_none());
        assert!(criterion(" CC6.1").is_none());
        assert!(criterion("SOC2:CC6.1").is_none());
        assert!(criterion("iso:CC6.1").is_none());
        assert!(criterion("soc2:").is_none());
        assert!(criterion("").is_none());
    }

    #[test]
    fn criterion_shape() {
        assert!(looks_like_criterion("CC6.9"));
        assert!(looks_like_criterion("soc2:CC5.8"));
        assert!(looks_like_criterion("PI1.6"));
        assert!(looks_like_criterion("P9.1"));
        assert!(!looks_like_criterion("cc6.1"));
        assert!(!looks_like_criterion("CC6.1.5"));
        assert!(!looks_like_criterion("CC61"));
        assert!(!looks_like_criterion("CC6."));
        assert!(!looks_like_criterion(".1"));
        assert!(!looks_like_criterion("A.8.20"));
        assert!(!looks_like_criterion("SC-7"));
        assert!(!looks_like_criterion("X1.1"));
        assert!(!looks_like_criterion(""));
    }

    #[test]
    fn point_of_focus() {
        let parent = |id: &str| point_of_focus_parent(id).map(|criterion| criterion.id);
        assert_eq!(parent("CC6.1.5"), Some("CC6.1"));
        assert_eq!(parent("soc2:CC6.1.5"), Some("CC6.1"));
        assert_eq!(parent("PI1.3.2"), Some("PI1.3"));
        assert_eq!(parent("A1.1.1"), Some("A1.1"));
        assert_eq!(parent("CC6.9.1"), None);
        assert_eq!(parent("CC6.1"), None);
        assert_eq!(parent("CC6.1.5.2"), None);
        assert_eq!(parent("CC6.1."), None);
        assert_eq!(parent("cc6.1.5"), None);
    }

    #[test]
    fn suggestions() {
        let suggested = |id: &str| suggest(id).map(|criterion| criterion.id);
        assert_eq!(suggested("CC6.9"), Some("CC6.8"));
        assert_eq!(suggested("cc6.1"), Some("CC6.1"));
        assert_eq!(suggested("CC61"), Some("CC6.1"));
        assert_eq!(suggested("SOC2:cc6-1"), Some("CC6.1"));
        assert_eq!(suggested("soc2:CC6.1.5"), Some("CC6.1"));
        assert_eq!(suggested("CC7.6"), Some("CC7.5"));
        assert_eq!(suggested("C6.1"), Some("CC6.1"));
        assert_eq!(suggested("P9.1"), Some("P8.1"));
        assert_eq!(suggested("PI1.6"), Some("PI1.5"));
        assert_eq!(suggested("a1.4"), Some("A1.3"));
        assert_eq!(suggested("A.8.20"), None);
        assert_eq!(suggested("SC-7(5)"), None);
        assert_eq!(suggested("NET-01"), None);
        assert_eq!(suggested("164.312(e)(1)"), None);
        assert_eq!(suggested(""), None);
        assert_eq!(suggested("soc2:"), None);
    }

    #[test]
    fn suggestions_are_deterministic() {
        for id in ["CC6.9", "C6.1", "P9.1", "CC5.8", "CC10.1"] {
            assert_eq!(suggest(id), suggest(id));
        }
    }

    #[test]
    fn descriptions_are_not_the_tsv_summaries() {
        let summaries = [
            (
                "CC6.1",
                "Protect information assets with logical access software, infrastructure and architecture (e.g. segmentation).",
            ),
            (
                "CC6.6",
                "Guard the system boundary against outside threats (e.g. firewalls, restricted channels).",
            ),
            ("P4.3", "Dispose of personal information securely."),
        ];
        for (id, summary) in summaries {
            let found = criterion(id).map(|criterion| criterion.description);
            assert!(found.is_some(), "{id}");
            assert_ne!(found, Some(summary), "{id}");
            for criterion_ in &CRITERIA {
                assert_ne!(criterion_.description, summary);
            }
        }
    }
}
