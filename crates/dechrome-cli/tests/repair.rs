//! Text repair (mojibake, HTML references) through the public API, with the rules and the
//! classifier off so that only normalization acts: the public ftfy test cases (beside the
//! repository), sentences in many languages turned into mojibake and back, no change to clean
//! text, and idempotence.

use std::sync::OnceLock;

use dechrome::Cleaner;
use dechrome_testkit::{fixtures_dir, repository_root, shared_data};
use proptest::prelude::*;

/// Normalization only, with repair on or off.
fn normalizer(repair: bool) -> &'static Cleaner {
    static CLEANERS: OnceLock<[Cleaner; 2]> = OnceLock::new();
    let cleaners = CLEANERS.get_or_init(|| {
        [false, true].map(|repair| {
            Cleaner::builder()
                .default_rules(false)
                .classifier(false)
                .drop_duplicates(false)
                .repair_mojibake(repair)
                .decode_entities(repair)
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    &cleaners[usize::from(repair)]
}

fn normalize(text: &str, repair: bool) -> String {
    normalizer(repair).clean_str(text).text
}

/// Whether `line` holds something shaped like an HTML character reference.
fn has_reference(line: &str) -> bool {
    line.match_indices('&').any(|(at, _)| {
        let rest = &line[at + 1..];
        let name = rest.trim_start_matches('#').bytes().take_while(u8::is_ascii_alphanumeric).count();
        name > 0
    })
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data beside the repository")]
fn ftfy_cases_are_repaired_and_negatives_left_alone() {
    let dir = shared_data("ftfy-cases").expect("../shared/data/ftfy-cases");
    let (mut repairable, mut repaired, mut negatives, mut negatives_changed) = (0, 0, 0, 0);
    let (mut known_failures, mut known_failures_right) = (0, 0);
    let mut report = Vec::new();
    for file in ["in-the-wild.json", "synthetic.json", "language-names.json", "negative.json", "known-failures.json"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for case in &cases {
            let field = |key: &str| case[key].as_str().map(str::to_string);
            let (Some(original), Some(fixed)) = (field("original"), field("fixed")) else { panic!("{file}: {case}") };
            // ftfy's fix_encoding (`fixed-encoding`) decodes no HTML references; where decoding
            // them alone changes the text, `fixed` (from fix_text) is what repair should give.
            let references =
                normalizer(true).clean_str(&original).text != normalize(&original, false) && has_reference(&original);
            let want = if references { fixed } else { field("fixed-encoding").unwrap_or(fixed) };
            let got = normalize(&original, true);
            let right = got == normalize(&want, false);
            if case["expect"] == "fail" {
                known_failures += 1;
                known_failures_right += usize::from(right);
                report.push(format!(
                    "known failure ({}): {original:?} -> {got:?}",
                    if right { "right" } else { "wrong" }
                ));
                continue;
            }
            repairable += 1;
            repaired += usize::from(right);
            if !right {
                report.push(format!("not repaired ({file}): {original:?} -> {got:?}, want {want:?}"));
            }
            if file == "negative.json" {
                negatives += 1;
                let changed = got != normalize(&original, false);
                if changed {
                    negatives_changed += 1;
                    report.push(format!("negative changed: {original:?} -> {got:?}"));
                }
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    eprintln!(
        "repaired {repaired} of {repairable}; negatives changed {negatives_changed} of {negatives}; \
         known failures right {known_failures_right} of {known_failures}"
    );
    assert!(repairable >= 150 && negatives >= 30 && known_failures >= 10, "case files incomplete");
    assert!(repaired >= 145, "only {repaired} of {repairable} cases repaired");
    assert_eq!(negatives_changed, 0, "negatives changed");
}

/// Sentences in 19 languages turned into mojibake through each code page repair knows come back
/// exactly, and the sentences themselves are left as they are.
#[test]
fn mojibake_round_trips() {
    let data = std::fs::read_to_string(repository_root().join("crates/dechrome/tests/data/roundtrip.tsv"))
        .unwrap_or_else(|e| panic!("roundtrip.tsv: {e}"));
    let mut failures = Vec::new();
    for row in data.lines() {
        let [code_page, mojibake, original] = row.split('\t').collect::<Vec<_>>()[..] else { panic!("{row:?}") };
        assert_eq!(normalize(original, true), normalize(original, false), "{original:?} changed");
        if normalize(mojibake, true) != normalize(original, false) {
            failures.push(format!("{code_page}: {mojibake:?} -> {:?}", normalize(mojibake, true)));
        }
    }
    assert!(data.lines().count() > 80);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Text without mojibake comes out of repair as it went in: every line of every development
/// page and gold article, the seed pages and the fixtures. Only lines holding an HTML reference
/// may change, and only by decoding it.
#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data beside the repository")]
fn clean_text_is_not_repaired() {
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in [shared_data("aeb-dev").expect("aeb-dev"), repository_root().join("../shared/seeds")] {
        files.extend(std::fs::read_dir(dir).expect("readable").map(|entry| entry.expect("entry").path()));
    }
    files.extend(
        std::fs::read_dir(fixtures_dir()).expect("fixtures").map(|e| e.expect("entry").path().join("input.txt")),
    );
    let mojibake_only = Cleaner::builder()
        .default_rules(false)
        .classifier(false)
        .drop_duplicates(false)
        .decode_entities(false)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let (mut lines, mut with_references) = (0, 0);
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "txt")) {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap_or_default()).into_owned();
        for line in text.lines() {
            lines += 1;
            let plain = normalize(line, false);
            assert_eq!(mojibake_only.clean_str(line).text, plain, "{file:?}: {line:?}");
            if normalize(line, true) != plain {
                assert!(has_reference(line), "{file:?}: {line:?} changed");
                with_references += 1;
            }
        }
    }
    eprintln!("{lines} lines, {with_references} changed by decoding an HTML reference");
    assert!(lines > 20_000);
}

#[test]
fn references_are_decoded() {
    for (text, want) in [
        ("AT&amp;T", "AT&T"),
        ("&#8220;$5&#8221;", "\"$5\""),
        ("&amp;quot;quoted&amp;quot;", "\"quoted\""),
        ("a&nbsp;&nbsp;b", "a b"),
        ("Q&A and R&D, &foo; stay", "Q&A and R&D, &foo; stay"),
        ("caf\u{c3}\u{a9} &amp; cr\u{c3}\u{a8}me", "café & crème"),
    ] {
        assert_eq!(normalize(text, true), format!("{want}\n"), "{text:?}");
    }
}

fn latin1_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::char::range('a', 'z'),
            2 => Just(' '),
            3 => prop::char::range('\u{a0}', '\u{ff}'),
            2 => prop::sample::select(vec!['\u{20ac}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2013}', '\u{152}', '\u{17e}']),
            1 => prop::sample::select(vec!['&', ';', '#', '\u{81}', '\u{8d}', '\u{9d}']),
            1 => any::<char>(),
        ],
        0..60,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    /// Text that looks like mojibake, repaired: valid output, and repairing it again changes nothing.
    #[test]
    fn repair_is_idempotent(text in latin1_text()) {
        let once = normalize(&text, true);
        prop_assert_eq!(normalize(&once, true), once);
    }
}
