//! Context scorers plugged in through the public API: a scorer that reads the line after the
//! one it judges (lookahead) and the rules' drops around it, its reasons in the statistics and
//! the explanation, idempotence, independence from threads and read sizes, and documents longer
//! than what is decided at once.

use std::sync::Arc;

use dechrome::{Cleaner, ContextScorer, ExplainSink, Judgement, MAX_SEGMENT_LINES, Neighbourhood, Reach, ScorerReason};
use dechrome_testkit::{Pieces, check_shape, clean};

/// Drops a line shorter than `max_chars` characters that sits between two lines the rules drop.
#[derive(Debug)]
struct ShortBetweenDropped {
    max_chars: usize,
}

impl ContextScorer for ShortBetweenDropped {
    fn reasons(&self) -> Vec<ScorerReason> {
        vec![ScorerReason::new("short-between-dropped", "navigation")]
    }

    fn reach(&self) -> Reach {
        Reach { before: 1, after: 1 }
    }

    fn judge(&self, lines: &Neighbourhood<'_>) -> Judgement {
        // The scorer never sees further than it asked to.
        assert!(lines.at(-2).is_none() && lines.at(2).is_none());
        assert_eq!(
            lines.before().count() + lines.after().count(),
            [lines.at(-1), lines.at(1)].iter().flatten().count()
        );
        let dropped = |offset| lines.at(offset).is_some_and(|line| line.dropped_by().is_some());
        let score = lines.current().shape().chars as f32;
        if lines.current().shape().chars < self.max_chars && dropped(-1) && dropped(1) {
            Judgement::drop(0).with_score(score)
        } else {
            Judgement::keep().with_score(score)
        }
    }
}

const DROP_RULE: &str = "[[rule]]\nid = \"drop-marker\"\ncategory = \"ads\"\nexact = \"DROP\"\n";

fn cleaner(threads: usize) -> Cleaner {
    Cleaner::builder()
        .default_rules(false)
        .classifier(false)
        .add_rules_toml(DROP_RULE, "test.toml")
        .scorer(Arc::new(ShortBetweenDropped { max_chars: 12 }))
        .threads(threads)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_scorer_reads_the_lines_after_the_one_it_judges() {
    let page = "DROP\na\nDROP\nbe\n\nsee\nDROP\nA long line that is kept whatever is around it.\nDROP\nd\nDROP\nlast\n";
    let cleaned = cleaner(1).clean_str(page);
    // "a" and "d" sit between dropped lines; "be" and "see" each have a kept neighbour; "last"
    // has no line after it.
    assert_eq!(cleaned.text, "be\n\nsee\nA long line that is kept whatever is around it.\nlast\n");
    let reasons: Vec<(&str, &str, u64)> =
        cleaned.stats.dropped.iter().map(|r| (r.rule.as_str(), r.category.as_str(), r.lines)).collect();
    assert_eq!(reasons, [("drop-marker", "ads", 5), ("short-between-dropped", "navigation", 2)]);
}

#[test]
fn the_explanation_names_the_scorer_and_its_score() {
    let mut out = Vec::new();
    cleaner(1).clean_to_sink("DROP\nab\nDROP\n".as_bytes(), &mut ExplainSink::new(&mut out)).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("drop short-between-dropped (navigation) 2.00\tab"), "{out}");
}

/// What a scorer drops is taken out before the rest is decided again, so the output is what the
/// cleaner keeps of its own output. Here dropping "b" puts "a" right before the long line only
/// in the next round: without rounds, a second run would drop "a".
#[test]
fn drops_that_lead_to_more_drops_are_made_in_one_run() {
    /// Drops a one-character line right before a line of 20 characters or more.
    #[derive(Debug)]
    struct BeforeLong;
    impl ContextScorer for BeforeLong {
        fn reasons(&self) -> Vec<ScorerReason> {
            vec![ScorerReason::new("before-long", "navigation")]
        }
        fn reach(&self) -> Reach {
            Reach { before: 0, after: 1 }
        }
        fn judge(&self, lines: &Neighbourhood<'_>) -> Judgement {
            let next_long = lines.at(1).is_some_and(|line| line.shape().chars >= 20);
            if lines.current().shape().chars == 1 && next_long { Judgement::drop(0) } else { Judgement::keep() }
        }
    }
    let cleaner =
        Cleaner::builder().default_rules(false).classifier(false).scorer(Arc::new(BeforeLong)).build().unwrap();
    let once = cleaner.clean_str("Title\na\nb\nThe end of the story.\n");
    assert_eq!(once.text, "Title\nThe end of the story.\n");
    assert_eq!(once.stats.dropped_lines(), 2);
    assert_eq!(cleaner.clean_str(&once.text).text, once.text);
}

#[test]
fn output_does_not_depend_on_threads_or_read_sizes() {
    let pool = ["DROP", "a", "bb", "", "A sentence that stays because it is long enough.", "\u{c}", "DROP", "c"];
    let mut state = 0x2545_f491u32;
    let mut text = String::new();
    while text.len() < 2 << 20 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        text.push_str(pool[state as usize % pool.len()]);
        text.push('\n');
    }
    let one = cleaner(1).clean_str(&text);
    check_shape(one.text.as_bytes());
    assert!(one.stats.dropped.iter().any(|r| r.rule == "short-between-dropped"));
    assert_eq!(cleaner(1).clean_str(&one.text).text, one.text, "not idempotent");
    for threads in [2, 3] {
        assert!(cleaner(threads).clean_str(&text) == one, "{threads} threads");
    }
    assert_eq!(clean(&cleaner(2), Pieces::new(text.as_bytes(), &[1, 7, 4093])), one.text.as_bytes());
}

/// A document longer than what is decided at once is decided in parts: every line still gets a
/// decision, the scorer works within each part (a part's last line has no line after it), and a
/// drop in progress goes on into the next part.
#[test]
fn long_documents_are_decided_in_parts() {
    let pairs = MAX_SEGMENT_LINES;
    let mut text: String = (0..pairs).map(|i| format!("DROP\n{}\n", i % 10)).collect();
    text.push_str("The last line of a very long document.\n");
    let cleaned = cleaner(2).clean_str(&text);
    let lines: Vec<&str> = cleaned.text.lines().collect();
    assert_eq!(lines.last(), Some(&"The last line of a very long document."));
    assert!(lines.len() <= 4, "one short line kept at most per part: {lines:?}");
    assert_eq!(cleaned.stats.input_lines, 2 * pairs as u64 + 1);
    assert_eq!(cleaned.stats.dropped_lines(), cleaned.stats.input_lines - lines.len() as u64);
}
