//! Label selectors: a `LabelSelector` validated as the API server does
//! (known operators, values present exactly when the operator needs them) and
//! matched against a label set.
//!
//! Owns only selector semantics: `matchLabels` AND every `matchExpressions`
//! requirement; an empty selector matches everything.

use super::error::{Invalid, invalid};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::{BTreeMap, BTreeSet};

/// One `matchExpressions` requirement.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Requirement {
    In(String, BTreeSet<String>),
    NotIn(String, BTreeSet<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Self::In(key, values) => labels.get(key).is_some_and(|value| values.contains(value)),
            Self::NotIn(key, values) => labels.get(key).is_none_or(|value| !values.contains(value)),
            Self::Exists(key) => labels.contains_key(key),
            Self::DoesNotExist(key) => !labels.contains_key(key),
        }
    }
}

/// A validated label selector.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub(crate) struct Selector {
    labels: Vec<(String, String)>,
    requirements: Vec<Requirement>,
}

impl Selector {
    /// Validates `selector`; `path` names it in the error (`spec.podSelector`).
    pub(crate) fn compile(selector: &LabelSelector, path: &str) -> Result<Self, Invalid> {
        let labels = selector
            .match_labels
            .iter()
            .flatten()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        let mut requirements = Vec::new();
        for (index, expression) in selector.match_expressions.iter().flatten().enumerate() {
            let at = format!("{path}.matchExpressions[{index}]");
            let key = expression.key.clone();
            if key.is_empty() {
                return invalid(format!("`{at}` has an empty key"));
            }
            let values: BTreeSet<String> = expression.values.iter().flatten().cloned().collect();
            let requirement = match expression.operator.as_str() {
                "In" | "NotIn" if values.is_empty() => {
                    return invalid(format!(
                        "`{at}` uses `{}` without values",
                        expression.operator
                    ));
                }
                "Exists" | "DoesNotExist" if !values.is_empty() => {
                    return invalid(format!(
                        "`{at}` uses `{}` with values (it takes none)",
                        expression.operator
                    ));
                }
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                other => {
                    return invalid(format!(
                        "`{at}` has unknown operator `{other}` (expected `In`, `NotIn`, `Exists` or `DoesNotExist`)"
                    ));
                }
            };
            requirements.push(requirement);
        }
        Ok(Self {
            labels,
            requirements,
        })
    }

    /// Whether a set with these labels is selected.
    pub(crate) fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels
            .iter()
            .all(|(key, value)| labels.get(key) == Some(value))
            && self
                .requirements
                .iter()
                .all(|requirement| requirement.matches(labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn requirement(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.to_owned(),
            operator: operator.to_owned(),
            values: if values.is_empty() {
                None
            } else {
                Some(values.iter().map(|v| (*v).to_owned()).collect())
            },
        }
    }

    #[test]
    fn empty_selector_matches_everything() -> Result<(), Invalid> {
        let selector = Selector::compile(&LabelSelector::default(), "s")?;
        assert!(selector.matches(&labels(&[])));
        assert!(selector.matches(&labels(&[("a", "b")])));
        Ok(())
    }

    #[test]
    fn labels_and_expressions_are_anded() -> Result<(), Invalid> {
        let selector = Selector::compile(
            &LabelSelector {
                match_labels: Some(labels(&[("app", "web")])),
                match_expressions: Some(vec![
                    requirement("tier", "In", &["a", "b"]),
                    requirement("env", "NotIn", &["prod"]),
                    requirement("team", "Exists", &[]),
                    requirement("legacy", "DoesNotExist", &[]),
                ]),
            },
            "s",
        )?;
        let good = [("app", "web"), ("tier", "a"), ("team", "x")];
        assert!(selector.matches(&labels(&good)));
        assert!(selector.matches(&labels(&[
            ("app", "web"),
            ("tier", "b"),
            ("team", "x"),
            ("env", "dev")
        ])));
        assert!(!selector.matches(&labels(&[
            ("app", "web"),
            ("tier", "a"),
            ("team", "x"),
            ("env", "prod")
        ])));
        assert!(!selector.matches(&labels(&[("app", "web"), ("tier", "c"), ("team", "x")])));
        assert!(!selector.matches(&labels(&[("app", "web"), ("tier", "a")])));
        assert!(!selector.matches(&labels(&[("app", "db"), ("tier", "a"), ("team", "x")])));
        assert!(!selector.matches(&labels(&[
            ("app", "web"),
            ("tier", "a"),
            ("team", "x"),
            ("legacy", "")
        ])));
        Ok(())
    }

    #[test]
    fn invalid_requirements_are_rejected() {
        let bad = [
            requirement("a", "Equals", &["x"]),
            requirement("a", "In", &[]),
            requirement("a", "Exists", &["x"]),
            requirement("", "Exists", &[]),
        ];
        for requirement in bad {
            let selector = LabelSelector {
                match_labels: None,
                match_expressions: Some(vec![requirement]),
            };
            assert!(Selector::compile(&selector, "s").is_err());
        }
    }
}
