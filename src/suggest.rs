//! "Did you mean" suggestions for mistyped names.

/// The candidate closest to `name` by edit distance, when it is close enough
/// to be a plausible typo (at most a third of the name's length, at least 1).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| {
            let distance = strsim::levenshtein(&name.to_lowercase(), &candidate.to_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// A help line suggesting the closest candidate, or listing what exists.
pub fn help<'a>(
    what: &str,
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> String {
    match closest(name, candidates.clone()) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None => {
            let known: Vec<String> = candidates
                .into_iter()
                .take(8)
                .map(|c| format!("`{c}`"))
                .collect();
            if known.is_empty() {
                format!("no {what} is declared")
            } else {
                format!("known {what}s: {}", known.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_close_name_and_nothing_for_a_far_one() {
        let names = ["payments", "shop", "monitoring"];
        assert_eq!(closest("paymnts", names), Some("payments"));
        assert_eq!(closest("Shop", names), Some("shop"));
        assert_eq!(closest("kube-system", names), None);
        assert_eq!(
            help("namespace", "xyz", names),
            "known namespaces: `payments`, `shop`, `monitoring`"
        );
    }
}
