//! Property tests: idempotence, no panics on arbitrary bytes, kept lines come from input lines,
//! and streaming equals whole-string cleaning whatever the read size.

use std::collections::HashSet;

use dechrome::Cleaner;
use dechrome_testkit::{Pieces, clean};
use proptest::prelude::*;

fn cleaner() -> &'static Cleaner {
    use std::sync::OnceLock;
    static CLEANER: OnceLock<Cleaner> = OnceLock::new();
    CLEANER.get_or_init(|| Cleaner::builder().build().unwrap())
}

/// Lines mixing chrome, prose, odd whitespace and characters the normalizer touches.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Accessibility links".to_string()),
        Just("please wait".to_string()),
        Just("Advertisement".to_string()),
        Just("Related Articles".to_string()),
        Just("About the author".to_string()),
        Just("Jane Doe is a staff writer for the Daily Example.".to_string()),
        Just("0:00 0:01:03 0:00".to_string()),
        Just("Read:\u{a0} Something happened today".to_string()),
        Just("A headline that is long enough to repeat".to_string()),
        Just("\u{c}".to_string()),
        Just(String::new()),
        "[a-zA-Z ,.\u{a0}\u{2019}\u{201c}\u{201d}\t]{0,60}",
        "[ -~\u{80}-\u{9f}\u{ad}\u{200d}\u{301}é\u{2028}]{0,40}",
        any::<String>(),
    ]
}

fn document() -> impl Strategy<Value = String> {
    (prop::collection::vec(line(), 0..40), prop_oneof![Just("\n"), Just("\r\n"), Just("\r")])
        .prop_map(|(lines, ending)| lines.join(ending))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn cleaning_is_idempotent(doc in document()) {
        let once = cleaner().clean_str(&doc).text;
        let twice = cleaner().clean_str(&once).text;
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_give_utf8(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let out = clean(cleaner(), Pieces::new(&bytes, &[64 * 1024]));
        prop_assert!(std::str::from_utf8(&out).is_ok());
    }

    #[test]
    fn streaming_equals_whole_string(doc in document(), chunk in prop_oneof![Just(1usize), Just(7), Just(65_536), 1usize..100]) {
        let whole = cleaner().clean_str(&doc).text.into_bytes();
        prop_assert_eq!(clean(cleaner(), Pieces::new(doc.as_bytes(), &[chunk])), whole);
    }

    #[test]
    fn every_kept_line_comes_from_an_input_line(doc in document()) {
        // A cleaner without rules or duplicate removal only normalizes; each input line cleaned
        // on its own gives the set of lines the full cleaner may write.
        let normalize_only = Cleaner::builder().default_rules(false).drop_duplicates(false).build().unwrap();
        let allowed: HashSet<String> = doc
            .split(['\n', '\r', '\u{2028}', '\u{2029}'])
            .map(|line| normalize_only.clean_str(line).text.trim_end_matches('\n').to_string())
            .collect();
        for out_line in cleaner().clean_str(&doc).text.lines().filter(|l| !l.is_empty() && *l != "\u{c}") {
            prop_assert!(allowed.contains(out_line), "{:?} is not from the input", out_line);
        }
    }
}
