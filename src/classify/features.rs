//! Per-line features shared by the rules' guards and the context rules that look at neighbours.
//!
//! This is the seam for classifiers that judge a line by its shape and its neighbours: every
//! non-blank line in the look-back window carries its [`LineFeatures`].

/// Shape of one normalized, non-blank line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LineFeatures {
    /// Length in characters.
    pub chars: usize,
    /// Number of space-separated words.
    pub words: usize,
    /// Reads like a sentence: at least [`SENTENCE_MIN_WORDS`] words and ends with `.`, `!` or `?`
    /// (closing quotes or brackets may follow).
    pub sentence: bool,
    /// Short enough and shaped like a title or caption (no closing `.`, `,`, `;` or `:`).
    pub title_like: bool,
}

const SENTENCE_MIN_WORDS: usize = 6;
/// The spaces normalization leaves between words.
const WORD_SEPARATORS: [char; 6] = [' ', '\t', '\u{a0}', '\u{202f}', '\u{2007}', '\u{3000}'];
const TITLE_MAX_CHARS: usize = 150;
const TITLE_MAX_WORDS: usize = 20;

impl LineFeatures {
    pub(crate) fn of(text: &str) -> Self {
        let (chars, words) = if text.is_ascii() {
            // Normalized ASCII text has single spaces or tabs between words and none at the ends.
            let bytes = text.as_bytes();
            let separators = bytes.iter().filter(|&&b| b == b' ' || b == b'\t').count();
            (bytes.len(), if bytes.is_empty() { 0 } else { separators + 1 })
        } else {
            let words = text.split(WORD_SEPARATORS).filter(|w| !w.is_empty()).count();
            (text.chars().count(), words)
        };
        let last = text
            .trim_end_matches(['"', '\'', ')', ']', '»', '\u{2019}', '\u{201d}'])
            .chars()
            .next_back();
        let sentence = words >= SENTENCE_MIN_WORDS && matches!(last, Some('.' | '!' | '?' | '\u{2026}'));
        let title_like =
            chars <= TITLE_MAX_CHARS && words <= TITLE_MAX_WORDS && !matches!(last, Some('.' | ',' | ';' | ':'));
        Self { chars, words, sentence, title_like }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let s = LineFeatures::of("Please wait until all the ballots are counted, the chairman said.");
        assert!(s.sentence && !s.title_like);
        let t = LineFeatures::of("Putin Observes Zapad 2017 Military Exercises");
        assert!(!t.sentence && t.title_like);
        assert_eq!(t.words, 6);
        let q = LineFeatures::of("He said it would all end “very soon,” and then left.”");
        assert!(q.sentence);
        assert_eq!(LineFeatures::of("Share").chars, 5);
        assert_eq!(LineFeatures::of("Ünïcödé").chars, 7);
        // The ASCII path counts like the general one.
        assert_eq!(LineFeatures::of("a b\tc").words, LineFeatures::of("a b\tc \u{e9}").words - 1);
        assert_eq!(LineFeatures::of("").words, 0);
    }
}
