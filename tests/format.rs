//! The formatter (`ward fmt`): canonical layout, idempotence, meaning and comments kept.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests read files and fail loudly"
)]

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use ward::format::format_source;
use ward::source::{FileId, Sources, Span};
use ward::syntax::ast::{Ast, Endpoint, Ident, Item, Part, PortRef, PortSpec, SelectorKind, Str};

// ---- helpers -----------------------------------------------------------------

/// Examples not yet in canonical form: the test checks they still differ, so
/// an entry must go once its file is reformatted (`ward fmt`).
const NOT_YET_FORMATTED: &[&str] = &[];

fn format(text: &str) -> String {
    format_source(FileId(0), text)
        .unwrap_or_else(|errors| panic!("does not format: {errors:?}\n---\n{text}"))
}

/// The AST of one file, when it parses.
fn parse(text: &str) -> Option<Ast> {
    let mut sources = Sources::new();
    sources.add("test.ward", text);
    let (ast, errors) = ward::syntax::parse(&sources);
    errors.is_empty().then_some(ast)
}

/// The AST with every span zeroed and protocols lowercased (protocols are
/// read in any case): what formatting must keep.
fn meaning(text: &str) -> Ast {
    let mut ast = parse(text).unwrap_or_else(|| panic!("does not parse:\n{text}"));
    let zero = Span::new(FileId(0), 0, 0);
    let ident = |i: &mut Ident| i.span = zero;
    let string = |s: &mut Str| s.span = zero;
    let spec = |s: &mut PortSpec| {
        s.span = zero;
        ident(&mut s.first);
        s.last.iter_mut().for_each(ident);
        if let Some(p) = &mut s.protocol {
            p.text = p.text.to_ascii_lowercase();
            p.span = zero;
        }
    };
    let endpoint = |e: &mut Endpoint| {
        e.span = zero;
        for part in std::iter::once(&mut e.first).chain(e.second.as_mut()) {
            match part {
                Part::Name(i) => ident(i),
                Part::Wildcard(s) => *s = zero,
            }
        }
    };
    let port_ref = |p: &mut PortRef| match p {
        PortRef::Any(s) => *s = zero,
        PortRef::Spec(s) => spec(s),
        PortRef::Named(i) => ident(i),
    };
    for item in &mut ast.items {
        match item {
            Item::System(s) => {
                s.span = zero;
                string(&mut s.name);
            }
            Item::Baseline(b) => {
                b.span = zero;
                b.controls.iter_mut().for_each(ident);
            }
            Item::Namespace(n) => {
                n.span = zero;
                ident(&mut n.name);
                n.unmanaged = n.unmanaged.map(|_| zero);
                for service in &mut n.services {
                    service.span = zero;
                    ident(&mut service.name);
                    if let Some(pods) = &mut service.pods {
                        pods.span = zero;
                        for term in &mut pods.terms {
                            term.span = zero;
                            match &mut term.kind {
                                SelectorKind::Equals { key, value } => {
                                    ident(key);
                                    ident(value);
                                }
                                SelectorKind::In { key, values }
                                | SelectorKind::NotIn { key, values } => {
                                    ident(key);
                                    values.iter_mut().for_each(ident);
                                }
                                SelectorKind::Exists { key } | SelectorKind::Absent { key } => {
                                    ident(key);
                                }
                            }
                        }
                    }
                    for port in &mut service.ports {
                        port.span = zero;
                        ident(&mut port.name);
                        spec(&mut port.spec);
                    }
                }
            }
            Item::External(e) => {
                e.span = zero;
                ident(&mut e.name);
                e.cidrs.iter_mut().chain(&mut e.except).for_each(ident);
            }
            Item::Control(c) => {
                c.span = zero;
                ident(&mut c.id);
                string(&mut c.title);
                c.maps.iter_mut().flatten().for_each(ident);
            }
            Item::Flow(f) => {
                f.span = zero;
                endpoint(&mut f.src);
                endpoint(&mut f.dst);
                f.port.iter_mut().for_each(port_ref);
                f.controls.iter_mut().flatten().for_each(ident);
                f.because.iter_mut().for_each(string);
            }
            Item::Deny(d) => {
                d.span = zero;
                endpoint(&mut d.src);
                endpoint(&mut d.dst);
                d.port.iter_mut().for_each(port_ref);
            }
        }
    }
    ast
}

/// The texts of every comment, sorted, trailing whitespace removed. Written
/// independently of the formatter's own scanner.
fn comment_texts(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_string = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    // `\` escapes one character, or a whole `\r\n`.
                    let escaped = chars.next();
                    if escaped == Some('\r') && chars.clone().next() == Some('\n') {
                        chars.next();
                    }
                }
                '"' | '\n' | '\r' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            let rest: String = std::iter::once('#')
                .chain(chars.by_ref().take_while(|c| *c != '\n' && *c != '\r'))
                .collect();
            found.push(rest.trim_end().to_string());
        }
    }
    found.sort();
    found
}

/// Every property formatting keeps, checked on one parsing text.
fn assert_formats_well(text: &str) {
    let once = format(text);
    let twice = format(&once);
    assert_eq!(twice, once, "not idempotent; input:\n{text}");
    assert_eq!(
        meaning(&once),
        meaning(text),
        "meaning changed:\n{text}\n---\n{once}"
    );
    assert_eq!(
        comment_texts(&once),
        comment_texts(text),
        "comments changed:\n{text}\n---\n{once}"
    );
    assert!(!once.starts_with('\n'), "leading blank line:\n{once}");
    assert!(!once.contains("\n\n\n"), "two blank lines:\n{once}");
    assert!(
        once.is_empty() || (once.ends_with('\n') && !once.ends_with("\n\n")),
        "not one final newline:\n{once:?}"
    );
    for line in once.split('\n') {
        assert!(
            !line.ends_with([' ', '\t']),
            "trailing whitespace: {line:?}"
        );
    }
}

/// Every `.ward` file under `dir`, recursively, sorted.
fn ward_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "ward") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn name(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A line diff, enough to see what formatting changes.
fn diff(before: &str, after: &str) -> String {
    let before: Vec<&str> = before.lines().collect();
    let after: Vec<&str> = after.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut j = 0;
    while i < before.len() || j < after.len() {
        match (before.get(i), after.get(j)) {
            (Some(b), Some(a)) if b == a => {
                i += 1;
                j += 1;
            }
            _ => {
                // The next line common to both resynchronizes.
                let resync = (i..before.len()).find_map(|bi| {
                    after[j..]
                        .iter()
                        .position(|a| *a == before[bi])
                        .map(|aj| (bi, j + aj))
                });
                let (bi, aj) = resync.unwrap_or((before.len(), after.len()));
                for line in &before[i..bi] {
                    out.push_str(&format!("-{line}\n"));
                }
                for line in &after[j..aj] {
                    out.push_str(&format!("+{line}\n"));
                }
                (i, j) = (bi, aj);
            }
        }
    }
    out
}

// ---- the examples and the UI tests -------------------------------------------

#[test]
fn examples_keep_their_meaning_and_comments() {
    let files = ward_files(Path::new("examples"));
    assert!(!files.is_empty());
    for file in files {
        assert_formats_well(&read(&file));
    }
}

#[test]
fn examples_are_formatted() {
    let mut unformatted = Vec::new();
    for file in ward_files(Path::new("examples")) {
        let text = read(&file);
        let formatted = format(&text);
        let listed = NOT_YET_FORMATTED.contains(&name(&file).as_str());
        if listed && formatted == text {
            unformatted.push(format!(
                "{} is formatted now: remove it from NOT_YET_FORMATTED",
                name(&file)
            ));
        } else if !listed && formatted != text {
            unformatted.push(format!(
                "{} is not formatted (run `ward fmt`):\n{}",
                name(&file),
                diff(&text, &formatted)
            ));
        }
    }
    assert!(unformatted.is_empty(), "{}", unformatted.join("\n"));
}

#[test]
fn ui_programs_that_parse_keep_their_meaning_and_comments() {
    let mut parsed = 0;
    for file in ward_files(Path::new("tests/ui")) {
        // `utf8.ward` is not UTF-8 on purpose: the CLI reports it before
        // formatting.
        let Ok(text) = String::from_utf8(std::fs::read(&file).unwrap()) else {
            continue;
        };
        if parse(&text).is_some() {
            assert_formats_well(&text);
            parsed += 1;
        } else {
            assert!(
                format_source(FileId(0), &text).is_err(),
                "{} formatted despite syntax errors",
                name(&file)
            );
        }
    }
    assert!(parsed > 0);
}

#[test]
fn syntax_errors_are_returned_with_the_callers_file() {
    for text in [
        "flow a ->\n",
        "namespace a { service b { pods } }",
        "system \"unterminated\n",
        "deny a -> b:\n",
        "external x = \n",
        "garbage",
    ] {
        let errors = format_source(FileId(3), text).expect_err(text);
        assert!(!errors.is_empty());
        assert!(errors.iter().all(|e| e.primary.span.file == FileId(3)));
    }
}

// ---- layout cases: tests/format/NAME.in.ward -> NAME.out.ward ------------------

#[test]
fn layout_cases() {
    let mut cases = 0;
    for input in ward_files(Path::new("tests/format")) {
        let Some(stem) = name(&input).strip_suffix(".in.ward").map(str::to_string) else {
            continue;
        };
        let expected_path = PathBuf::from(format!("{stem}.out.ward"));
        let expected = read(&expected_path);
        let text = read(&input);
        let formatted = format(&text);
        assert_eq!(
            formatted,
            expected,
            "{} formats differently from {}:\n{}",
            name(&input),
            name(&expected_path),
            diff(&expected, &formatted)
        );
        assert_formats_well(&text);
        assert_eq!(format(&expected), expected, "{} is not a fixed point", stem);
        cases += 1;
    }
    assert!(cases > 0);
}

// ---- generated programs ----------------------------------------------------------

/// What may stand between two tokens.
#[derive(Debug, Clone, Copy)]
enum Gap {
    /// Nothing is needed (punctuation on one side).
    Tight,
    /// At least a space, a line break or a comment.
    Space,
}

/// Trivia that separates tokens: whitespace, blank lines, comments of every
/// kind (trailing, on their own line, with quotes and `#` inside).
const SEPARATORS: &[&str] = &[
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\n  \n\n   ",
    " # trailing\n",
    "#tight\n",
    "\n# own line\n",
    "\n\n  # after a blank \"q\" #x {}\n\n",
    "  # one\n  # two\n",
    "\n\n\n# a\n\n\n# b\n",
    "  #\n",
    " # ends in spaces   \r\n",
    " # ends in a lone carriage return\r",
    "\r\r",
    "\n\t# after a tab\n\t",
];

/// A statement as tokens, each with the gap before it.
type Tokens = Vec<(Gap, String)>;

fn tok(tokens: &mut Tokens, gap: Gap, text: impl Into<String>) {
    tokens.push((gap, text.into()));
}

fn name_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["web", "api", "kube-system", "a", "db_1", "x-"])
            .prop_map(String::from),
        "[a-z][a-z0-9_-]{0,6}".prop_filter("not a keyword", |n| !ward::syntax::KEYWORDS
            .contains(&n.as_str())),
    ]
}

fn id_list() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::sample::select(vec![
            "CC6.1",
            "CC6.6",
            "NET-01",
            "soc2:CC6.7",
            "A1.2",
            "X(1)",
            "p1",
        ])
        .prop_map(String::from),
        1..4,
    )
}

fn push_list(tokens: &mut Tokens, gap: Gap, items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        if i == 0 {
            tok(tokens, gap, item.clone());
        } else {
            tok(tokens, Gap::Tight, ",");
            tok(tokens, Gap::Tight, item.clone());
        }
    }
}

fn string_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "Z", " ", "#", "\\\"", "\\\\", "\\n", "\\t", "\t", "é", "\\q", "\\\n", "\\#", "}",
            "\\\r", "\\\r\n", "->",
        ]),
        0..8,
    )
    .prop_map(|parts| format!("\"{}\"", parts.concat()))
}

fn endpoint_strategy() -> impl Strategy<Value = Tokens> {
    let part = prop_oneof![name_strategy(), Just("*".to_string())];
    (part.clone(), prop::option::of(part)).prop_map(|(first, second)| {
        let mut tokens = Vec::new();
        tok(&mut tokens, Gap::Space, first);
        if let Some(second) = second {
            tok(&mut tokens, Gap::Tight, ".");
            tok(&mut tokens, Gap::Tight, second);
        }
        tokens
    })
}

fn port_spec_strategy() -> impl Strategy<Value = String> {
    (
        1u16..65535,
        prop::option::of(1u16..65535),
        prop::option::of(prop::sample::select(vec![
            "tcp", "udp", "sctp", "TCP", "Udp",
        ])),
    )
        .prop_map(|(first, last, protocol)| {
            let mut spec = first.to_string();
            if let Some(last) = last {
                spec.push_str(&format!("-{last}"));
            }
            if let Some(protocol) = protocol {
                spec.push_str(&format!("/{protocol}"));
            }
            spec
        })
}

fn port_ref_strategy() -> impl Strategy<Value = Option<Tokens>> {
    prop::option::of(prop_oneof![
        Just("*".to_string()),
        port_spec_strategy(),
        name_strategy()
    ])
    .prop_map(|port| {
        port.map(|port| {
            let mut tokens = Vec::new();
            tok(&mut tokens, Gap::Tight, ":");
            tok(&mut tokens, Gap::Tight, port);
            tokens
        })
    })
}

fn selector_strategy() -> impl Strategy<Value = Tokens> {
    let key = prop::sample::select(vec![
        "app",
        "tier",
        "app.kubernetes.io/name",
        "k8s-app",
        "hash",
    ]);
    let value = "[a-z0-9][a-z0-9._-]{0,5}";
    (key, 0..5usize, prop::collection::vec(value, 1..3)).prop_map(|(key, form, values)| {
        let mut tokens = Vec::new();
        match form {
            0 | 1 => {
                tok(&mut tokens, Gap::Space, if form == 0 { "has" } else { "!" });
                tok(
                    &mut tokens,
                    if form == 0 { Gap::Space } else { Gap::Tight },
                    key,
                );
            }
            2 => {
                tok(&mut tokens, Gap::Space, key);
                tok(&mut tokens, Gap::Tight, "=");
                tok(&mut tokens, Gap::Tight, values[0].clone());
            }
            _ => {
                tok(&mut tokens, Gap::Space, key);
                tok(
                    &mut tokens,
                    Gap::Space,
                    if form == 3 { "in" } else { "notin" },
                );
                tok(&mut tokens, Gap::Tight, "(");
                push_list(&mut tokens, Gap::Tight, &values);
                tok(&mut tokens, Gap::Tight, ")");
            }
        }
        tokens
    })
}

fn service_strategy() -> impl Strategy<Value = Tokens> {
    (
        name_strategy(),
        prop::option::of(prop::collection::vec(selector_strategy(), 1..4)),
        prop::collection::vec((name_strategy(), port_spec_strategy()), 0..3),
    )
        .prop_map(|(name, pods, ports)| {
            let mut tokens = Vec::new();
            tok(&mut tokens, Gap::Space, "service");
            tok(&mut tokens, Gap::Space, name);
            tok(&mut tokens, Gap::Tight, "{");
            if let Some(terms) = pods {
                tok(&mut tokens, Gap::Tight, "pods");
                for (i, term) in terms.into_iter().enumerate() {
                    if i > 0 {
                        tok(&mut tokens, Gap::Tight, ",");
                    }
                    tokens.extend(term);
                }
            }
            for (i, (port, spec)) in ports.into_iter().enumerate() {
                if i == 0 {
                    tok(&mut tokens, Gap::Space, "ports");
                } else {
                    tok(&mut tokens, Gap::Tight, ",");
                }
                tok(&mut tokens, Gap::Space, port);
                tok(&mut tokens, Gap::Space, spec);
            }
            tok(&mut tokens, Gap::Tight, "}");
            tokens
        })
}

fn statement_strategy() -> impl Strategy<Value = Tokens> {
    let cidr = prop::sample::select(vec![
        "0.0.0.0/0",
        "10.0.0.0/8",
        "2001:db8::/32",
        "192.168.1.1",
        "fe80::1/",
    ])
    .prop_map(String::from);
    prop_oneof![
        string_strategy().prop_map(|s| vec![(Gap::Space, "system".into()), (Gap::Tight, s)]),
        id_list().prop_map(|ids| {
            let mut tokens = vec![
                (Gap::Space, "baseline".into()),
                (Gap::Space, "controls".into()),
            ];
            push_list(&mut tokens, Gap::Space, &ids);
            tokens
        }),
        (
            name_strategy(),
            any::<bool>(),
            prop::collection::vec(service_strategy(), 0..4)
        )
            .prop_map(|(name, unmanaged, services)| {
                let mut tokens = vec![(Gap::Space, "namespace".into()), (Gap::Space, name)];
                if unmanaged {
                    tok(&mut tokens, Gap::Space, "unmanaged");
                }
                tok(&mut tokens, Gap::Tight, "{");
                tokens.extend(services.into_iter().flatten());
                tok(&mut tokens, Gap::Tight, "}");
                tokens
            }),
        (
            name_strategy(),
            prop::collection::vec(cidr.clone(), 1..3),
            prop::collection::vec(cidr, 0..3)
        )
            .prop_map(|(name, cidrs, except)| {
                let mut tokens = vec![(Gap::Space, "external".into()), (Gap::Space, name)];
                tok(&mut tokens, Gap::Tight, "=");
                push_list(&mut tokens, Gap::Tight, &cidrs);
                if !except.is_empty() {
                    tok(&mut tokens, Gap::Space, "except");
                    push_list(&mut tokens, Gap::Space, &except);
                }
                tokens
            }),
        (id_list(), string_strategy(), prop::option::of(id_list())).prop_map(
            |(ids, title, maps)| {
                let mut tokens = vec![(Gap::Space, "control".into()), (Gap::Space, ids[0].clone())];
                tok(&mut tokens, Gap::Space, title);
                if let Some(maps) = maps {
                    tok(&mut tokens, Gap::Space, "maps");
                    push_list(&mut tokens, Gap::Space, &maps);
                }
                tokens
            }
        ),
        (
            any::<bool>(),
            endpoint_strategy(),
            endpoint_strategy(),
            port_ref_strategy(),
            prop::option::of(id_list()),
            prop::option::of(string_strategy())
        )
            .prop_map(|(flow, src, dst, port, controls, because)| {
                let mut tokens = vec![(Gap::Space, if flow { "flow" } else { "deny" }.to_string())];
                tokens.extend(src);
                tok(&mut tokens, Gap::Space, "->");
                tokens.extend(
                    dst.into_iter()
                        .enumerate()
                        .map(|(i, t)| if i == 0 { (Gap::Tight, t.1) } else { t }),
                );
                tokens.extend(port.into_iter().flatten());
                if flow {
                    if let Some(controls) = controls {
                        tok(&mut tokens, Gap::Space, "controls");
                        push_list(&mut tokens, Gap::Space, &controls);
                    }
                    if let Some(because) = because {
                        tok(&mut tokens, Gap::Space, "because");
                        tok(&mut tokens, Gap::Tight, because);
                    }
                }
                tokens
            }),
    ]
}

/// Renders statements with the separators picked in turn from `picks`.
fn render(statements: &[Tokens], picks: &[usize], lead: bool) -> String {
    let mut text = String::new();
    let mut pick = picks.iter().cycle();
    let mut separator = |tight: bool| {
        let i = *pick.next().unwrap_or(&0);
        if tight && i % 3 == 0 {
            ""
        } else {
            SEPARATORS[i % SEPARATORS.len()]
        }
    };
    if lead {
        text.push_str(separator(false));
    }
    for (s, statement) in statements.iter().enumerate() {
        for (t, (gap, token)) in statement.iter().enumerate() {
            let first = s == 0 && t == 0;
            if !first {
                text.push_str(separator(matches!(gap, Gap::Tight) && t > 0));
            }
            text.push_str(token);
        }
    }
    text.push_str(separator(true));
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_programs_format_well(
        statements in prop::collection::vec(statement_strategy(), 0..8),
        picks in prop::collection::vec(0usize..1000, 1..40),
        lead in any::<bool>(),
    ) {
        let text = render(&statements, &picks, lead);
        prop_assert!(parse(&text).is_some(), "the generator made a program that does not parse:\n{}", text);
        assert_formats_well(&text);
    }

    #[test]
    fn mutated_examples_format_well_or_fail_cleanly(
        example in 0usize..100,
        edits in prop::collection::vec((0usize..10_000, 0usize..12, 0usize..4), 1..4),
    ) {
        let files = ward_files(Path::new("examples"));
        let mut text = read(&files[example % files.len()]);
        for (at, what, len) in edits {
            let chars: Vec<char> = text.chars().collect();
            let at = at % (chars.len() + 1);
            let insert = ["#", "\n", "\n\n", " ", "\"", "\\", "{", "}", ",", "# c\n", "\t", ""][what];
            let end = (at + len).min(chars.len());
            let mut edited: String = chars[..at].iter().collect();
            edited.push_str(insert);
            edited.extend(&chars[end..]);
            text = edited;
        }
        if parse(&text).is_some() {
            assert_formats_well(&text);
        } else {
            prop_assert!(format_source(FileId(0), &text).is_err());
        }
    }
}
