//! Editor support (`editors/`) knows exactly the compiler's keywords and protocols.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use ward::syntax::{KEYWORDS, PROTOCOLS};

const VSCODE: &str = "editors/vscode";
const TEXTMATE: &str = "editors/vscode/syntaxes/ward.tmLanguage.json";
const VIM_SYNTAX: &str = "editors/vim/syntax/ward.vim";
const VIM_FTDETECT: &str = "editors/vim/ftdetect/ward.vim";

/// Lowercase words that an editor grammar may spell besides keywords and
/// protocols: the framework prefix of criterion ids (`soc2:CC6.6`).
const OTHER_WORDS: &[&str] = &["soc2"];

fn path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn json(relative: &str) -> Value {
    serde_json::from_str(&read(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn set(words: &[&str]) -> BTreeSet<String> {
    words.iter().map(|w| (*w).to_string()).collect()
}

/// Fails with what is missing and what is extra when `found` is not `expected`.
fn assert_same(found: &BTreeSet<String>, expected: &BTreeSet<String>, what: &str) {
    let missing: Vec<_> = expected.difference(found).collect();
    let extra: Vec<_> = found.difference(expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: missing {missing:?}, not in the compiler {extra:?}"
    );
}

/// Fails when `found` holds a word that is neither a keyword, a protocol nor
/// one of [`OTHER_WORDS`].
fn assert_known(found: &BTreeSet<String>, what: &str) {
    let known: BTreeSet<String> = KEYWORDS
        .iter()
        .chain(PROTOCOLS)
        .chain(OTHER_WORDS)
        .map(|w| (*w).to_string())
        .collect();
    let unknown: Vec<_> = found.difference(&known).collect();
    assert!(
        unknown.is_empty(),
        "{what} spells {unknown:?}, which the compiler does not know as a keyword or protocol"
    );
}

// ---- TextMate (VS Code) ----------------------------------------------------------

/// The literal lowercase words an Oniguruma regular expression spells: runs
/// of letters and digits outside escapes (`\s`, `\b`), character classes
/// (`[A-Za-z]`) and group syntax (`(?i)`, `(?<!`). Words with a capital
/// letter (`CC`, `PI`: criterion families) are not keywords and are skipped.
fn regex_words(regex: &str) -> BTreeSet<String> {
    let chars: Vec<char> = regex.chars().collect();
    let mut words = BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '[' => {
                // Skip the class, nested classes (`[[:alpha:]]`) and escapes included.
                let mut depth = 0;
                while i < chars.len() {
                    match chars[i] {
                        '\\' => i += 1,
                        '[' => depth += 1,
                        ']' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                i += 2;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == '-')
                {
                    i += 1;
                }
            }
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while chars.get(i).is_some_and(char::is_ascii_alphanumeric) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if !word.chars().any(|c| c.is_ascii_uppercase()) {
                    words.insert(word);
                }
            }
            _ => i += 1,
        }
    }
    words
}

/// Every regular expression of a grammar (`match`, `begin`, `end`, `while`),
/// however deeply nested.
fn regexes(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("match" | "begin" | "end" | "while", Value::String(regex)) => {
                        out.push(regex.clone());
                    }
                    _ => regexes(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| regexes(item, out)),
        _ => {}
    }
}

#[test]
fn regex_words_skip_regex_syntax() {
    let words = regex_words(r"(?i)(?<![A-Za-z0-9_.\-])(?:flow|deny)\s+[[:alpha:]]\b(?:CC|PI)soc2:");
    assert_eq!(words, set(&["deny", "flow", "soc2"]));
}

#[test]
fn textmate_keyword_rules_name_exactly_the_compilers_keywords() {
    let grammar = json(TEXTMATE);
    let rules = grammar["repository"]["keywords"]["patterns"]
        .as_array()
        .expect("repository.keywords.patterns: one rule per keyword scope");
    let mut found = BTreeSet::new();
    for rule in rules {
        let scope = rule["name"].as_str().expect("a keyword rule has a `name`");
        assert!(
            scope.starts_with("keyword."),
            "keyword rule scoped `{scope}`"
        );
        let regex = rule["match"]
            .as_str()
            .expect("a keyword rule has a `match`");
        for word in regex_words(regex) {
            assert!(
                found.insert(word.clone()),
                "`{word}` is in two keyword rules"
            );
        }
    }
    assert_same(
        &found,
        &set(KEYWORDS),
        "repository.keywords of the TextMate grammar",
    );
}

#[test]
fn textmate_protocol_rule_names_exactly_the_compilers_protocols() {
    let grammar = json(TEXTMATE);
    let rule = &grammar["repository"]["protocol"];
    let scope = rule["name"]
        .as_str()
        .expect("the protocol rule has a `name`");
    assert!(
        scope.starts_with("support.constant.protocol."),
        "protocol rule scoped `{scope}`"
    );
    let found = regex_words(
        rule["match"]
            .as_str()
            .expect("the protocol rule has a `match`"),
    );
    assert_same(
        &found,
        &set(PROTOCOLS),
        "repository.protocol of the TextMate grammar",
    );
}

#[test]
fn textmate_grammar_spells_no_other_keyword() {
    let mut all = Vec::new();
    regexes(&json(TEXTMATE), &mut all);
    assert!(all.len() > 20, "the grammar's rules were not found");
    for regex in &all {
        assert_known(
            &regex_words(regex),
            &format!("the TextMate regex {regex:?}"),
        );
    }
}

#[test]
fn vscode_extension_contributes_the_language_grammar_and_server() {
    let manifest = json(&format!("{VSCODE}/package.json"));
    assert_eq!(manifest["name"], "ward-language");
    let languages = manifest["contributes"]["languages"].as_array().unwrap();
    let ward = languages
        .iter()
        .find(|l| l["id"] == "ward")
        .expect("language `ward`");
    let extensions = ward["extensions"].as_array().unwrap();
    assert!(extensions.iter().any(|e| e == ".ward"), "{extensions:?}");
    let configuration = ward["configuration"].as_str().unwrap();
    let configuration = json(&format!("{VSCODE}/{configuration}"));
    assert_eq!(configuration["comments"]["lineComment"], "#");

    let grammars = manifest["contributes"]["grammars"].as_array().unwrap();
    let entry = grammars
        .iter()
        .find(|g| g["language"] == "ward")
        .expect("grammar for `ward`");
    assert_eq!(entry["scopeName"], "source.ward");
    let grammar_path = entry["path"].as_str().unwrap();
    assert_eq!(
        path(&format!("{VSCODE}/{grammar_path}"))
            .canonicalize()
            .unwrap(),
        path(TEXTMATE).canonicalize().unwrap(),
        "package.json points at {grammar_path}, not {TEXTMATE}"
    );
    assert_eq!(json(TEXTMATE)["scopeName"], "source.ward");
    // The one run-time dependency is the protocol client that starts
    // `ward lsp` (editors/vscode/tests/check-extension.js checks how).
    let dependencies: Vec<&String> = manifest["dependencies"]
        .as_object()
        .map(|d| d.keys().collect())
        .unwrap_or_default();
    assert_eq!(dependencies, ["vscode-languageclient"]);
    let main = manifest["main"].as_str().unwrap();
    assert!(path(&format!("{VSCODE}/{main}")).is_file(), "{main}");
}

// ---- Vim --------------------------------------------------------------------------

/// The logical lines of a Vim script: continuation lines (`\ ...`) joined.
fn vim_lines(script: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in script.lines() {
        match (line.trim_start().strip_prefix('\\'), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(line.to_string()),
        }
    }
    lines
}

/// `(group, words)` of every `syn keyword` command.
fn vim_keyword_commands(script: &str) -> Vec<(String, Vec<String>)> {
    const OPTIONS: &[&str] = &[
        "contained",
        "transparent",
        "skipwhite",
        "skipnl",
        "skipempty",
        "display",
        "fold",
        "conceal",
    ];
    vim_lines(script)
        .iter()
        .filter_map(|line| {
            let mut tokens = line.split_whitespace();
            let command = tokens.next()?;
            let kind = tokens.next()?;
            if !matches!(command, "syn" | "synt" | "synta" | "syntax") || kind != "keyword" {
                return None;
            }
            let group = tokens.next()?.to_string();
            let words = tokens
                .take_while(|t| !t.starts_with('"'))
                .filter(|t| !t.contains('=') && !OPTIONS.contains(t))
                .map(str::to_string)
                .collect();
            Some((group, words))
        })
        .collect()
}

/// The words a Vim pattern spells right after `\<`, alternatives included:
/// `\<namespace`, `\<\%(flow\|deny\)`.
fn vim_pattern_words(script: &str) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for (start, _) in script.match_indices(r"\<") {
        let mut rest = &script[start + 2..];
        rest = rest.strip_prefix(r"\%(").unwrap_or(rest);
        loop {
            let end = rest
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len());
            let word = &rest[..end];
            if !word.is_empty() && !word.chars().any(|c| c.is_ascii_uppercase()) {
                words.insert(word.to_string());
            }
            match rest[end..].strip_prefix(r"\|") {
                Some(next) => rest = next,
                None => break,
            }
        }
    }
    words
}

#[test]
fn vim_keywords_are_exactly_the_compilers() {
    let commands = vim_keyword_commands(&read(VIM_SYNTAX));
    assert!(!commands.is_empty(), "no `syn keyword` in {VIM_SYNTAX}");
    let mut keywords = BTreeSet::new();
    let mut protocols = BTreeSet::new();
    for (group, words) in commands {
        let target = if group == "wardProtocol" {
            &mut protocols
        } else {
            &mut keywords
        };
        for word in words {
            assert!(
                target.insert(word.clone()),
                "`{word}` is in two `syn keyword` lines"
            );
        }
    }
    assert_same(&keywords, &set(KEYWORDS), "the keywords of the Vim syntax");
    assert_same(
        &protocols,
        &set(PROTOCOLS),
        "wardProtocol of the Vim syntax",
    );
}

#[test]
fn vim_patterns_spell_no_other_keyword() {
    let words = vim_pattern_words(&read(VIM_SYNTAX));
    assert!(
        words.contains("namespace"),
        "the Vim patterns were not read: {words:?}"
    );
    assert_known(&words, "a `\\<` pattern of the Vim syntax");
}

#[test]
fn vim_detects_ward_files() {
    let ftdetect = read(VIM_FTDETECT);
    assert!(ftdetect.contains("*.ward"), "{ftdetect}");
    assert!(ftdetect.contains("setfiletype ward"), "{ftdetect}");
    assert!(read(VIM_SYNTAX).contains("let b:current_syntax = 'ward'"));
}
