//! Help for syntax errors caused by a misspelt or misplaced keyword:
//! `contrls` for `controls`, `control` (which declares a team control) where
//! a flow cites criteria with `controls`, Kubernetes' `selector` for `pods`,
//! and clauses written in the wrong order.

use super::KEYWORDS;
use crate::source::{LINE_ENDS, line_start};

/// Words Kubernetes uses for what Ward writes `pods`.
const SELECTOR_WORDS: &[&str] = &["selector", "podSelector", "matchLabels", "labels"];

/// A help line when the error at `position` (where `found` stands) is most
/// likely a misspelt or misplaced keyword, `None` otherwise.
pub(super) fn keyword_help(text: &str, position: usize, found: &str) -> Option<String> {
    if cites_with_control(text, position) {
        return Some(
            "a flow or the baseline cites with `controls` (with an `s`); `control` declares a team control"
                .to_string(),
        );
    }
    if let Some(help) = misplaced_help(text, position, found) {
        return Some(help.to_string());
    }
    closest_keyword(found).map(|keyword| format!("did you mean `{keyword}`?"))
}

/// Help for a keyword or a Kubernetes word that is real but stands where
/// its statement does not take it.
fn misplaced_help(text: &str, position: usize, found: &str) -> Option<&'static str> {
    let line = text.get(line_start(text, position)..position).unwrap_or("");
    let mut before = line.split_whitespace();
    let statement = before.next();
    if SELECTOR_WORDS.contains(&found) {
        return Some("a service selects its pods with `pods`, e.g. `pods app=web, tier=api`");
    }
    match (statement, found) {
        (Some("deny"), "controls" | "because") => Some(
            "a `deny` is an invariant and cites nothing: write `deny SOURCE -> DESTINATION[:port]`, with any reason in a comment",
        ),
        (Some("flow"), "controls") if before.any(|word| word == "because") => Some(
            "`controls` comes before `because`: `flow SOURCE -> DESTINATION[:port] controls ID, ... because \"why\"`",
        ),
        (Some("baseline"), _) if line.trim() == "baseline" => {
            Some("the baseline cites criteria with `controls`: `baseline controls CC6.1, CC6.6`")
        }
        (_, "pods") if ports_before_in_block(text, position) => Some(
            "a service lists `pods` before `ports`: `service NAME { pods k=v  ports NAME NUMBER }`",
        ),
        _ => None,
    }
}

/// True when `ports` stands between the last `{` before `position` and
/// `position`: inside one service block, `pods` came after `ports`.
fn ports_before_in_block(text: &str, position: usize) -> bool {
    let head = text.get(..position).unwrap_or("");
    let block = head
        .rfind('{')
        .map_or("", |open| head.get(open..).unwrap_or(""));
    block.split_whitespace().any(|word| word == "ports")
}

/// True when `line` (indentation removed) starts with a word that is a
/// misspelling of one of `statements`: parsing resumes there too, so that
/// `namspace b {` is reported rather than skipped.
pub(super) fn starts_misspelt_statement(line: &str, statements: &[&str]) -> bool {
    let word: String = line.chars().take_while(char::is_ascii_alphabetic).collect();
    closest_keyword(&word).is_some_and(|keyword| statements.contains(&keyword))
}

/// True when the line of `position` is a flow, `deny` or `baseline` that
/// goes on with the word `control`: the start of a control declaration to
/// the parser, a typo for `controls` to the reader.
fn cites_with_control(text: &str, position: usize) -> bool {
    let start = line_start(text, position);
    let line = text.get(start..).unwrap_or("");
    let line = line
        .get(..line.find(LINE_ENDS).unwrap_or(line.len()))
        .unwrap_or("");
    let mut words = line.split_whitespace();
    let citing = matches!(words.next(), Some("flow" | "baseline"));
    citing && words.any(|word| word == "control")
}

/// The keyword `word` is closest to, if it is not one and close enough to be
/// a typo of one.
fn closest_keyword(word: &str) -> Option<&'static str> {
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    if KEYWORDS.contains(&word) {
        return None;
    }
    crate::suggest::closest(word, KEYWORDS.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_keywords_find_their_keyword() {
        assert_eq!(closest_keyword("contrls"), Some("controls"));
        assert_eq!(closest_keyword("namspace"), Some("namespace"));
        assert_eq!(closest_keyword("Flow"), Some("flow"));
        assert_eq!(closest_keyword("becuase"), Some("because"));
        assert_eq!(closest_keyword("flow"), None);
        assert_eq!(closest_keyword("web"), None);
        assert_eq!(closest_keyword("x"), None);
        assert_eq!(closest_keyword("CC6.1"), None);
    }

    #[test]
    fn control_on_a_flow_line_is_read_as_controls() {
        let text = "flow a.web -> b.db control CC6.1 because \"x\"\n";
        let at = text.find("because").unwrap();
        assert!(
            keyword_help(text, at, "because")
                .unwrap()
                .contains("`controls`")
        );
        let declaration = "control NET-01 because\n";
        let at = declaration.find("because").unwrap();
        assert_eq!(keyword_help(declaration, at, "because"), None);
    }
}
