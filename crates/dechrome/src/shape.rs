//! The shape of a line: what the rules' guards (`max_chars`, `skip_sentences`), the
//! "title before" action and the duplicate rule read of it, computed once per line in the
//! analysis stage.

/// Shape of one normalized, non-blank line.
///
/// ```
/// let shape = dechrome::LineShape::of("Share prices fell 3 percent on Monday.");
/// assert_eq!((shape.chars, shape.words, shape.sentence, shape.title_like), (38, 7, true, false));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LineShape {
    /// Length in characters.
    pub chars: usize,
    /// Number of space-separated words.
    pub words: usize,
    /// Reads like a sentence: at least six words and ends with `.`, `!` or `?`
    /// (closing quotes or brackets may follow).
    pub sentence: bool,
    /// Short enough and shaped like a title or caption (no closing `.`, `,`, `;` or `:`).
    pub title_like: bool,
}

const SENTENCE_MIN_WORDS: usize = 6;
const TITLE_MAX_CHARS: usize = 150;
const TITLE_MAX_WORDS: usize = 20;

impl LineShape {
    /// Features of a normalized line. Normalization leaves single separators between words and
    /// none at the ends, so words are separators plus one.
    pub fn of(text: &str) -> Self {
        let bytes = text.as_bytes();
        let ascii_separators = count_bytes(bytes, |b| (b == b' ') | (b == b'\t'));
        if text.is_ascii() {
            return Self::from_counts(text, bytes.len(), ascii_separators);
        }
        // Every character has exactly one byte that is not a continuation byte (0b10xx_xxxx).
        let chars = count_bytes(bytes, |b| (b as i8) >= -0x40);
        // The spaces normalization leaves between words beyond ASCII space and tab: U+00A0,
        // U+202F, U+2007 and U+3000, found by their lead bytes, which most lines lack.
        let wide_separators = memchr::memchr3_iter(0xc2, 0xe2, 0xe3, bytes)
            .filter(|&at| {
                matches!(bytes[at..], [0xc2, 0xa0, ..] | [0xe2, 0x80, 0xaf | 0x87, ..] | [0xe3, 0x80, 0x80, ..])
            })
            .count();
        Self::from_counts(text, chars, ascii_separators + wide_separators)
    }

    /// Features of a line that normalization left as it was, all ASCII, with `spaces` spaces
    /// (see [`crate::normalize::clean_ascii_spaces`]).
    pub(crate) fn of_clean_ascii(text: &str, spaces: usize) -> Self {
        Self::from_counts(text, text.len(), spaces)
    }

    fn from_counts(text: &str, chars: usize, separators: usize) -> Self {
        let words = if text.is_empty() { 0 } else { separators + 1 };
        let last = text.trim_end_matches(['"', '\'', ')', ']', '»', '\u{2019}', '\u{201d}']).chars().next_back();
        let sentence = words >= SENTENCE_MIN_WORDS && matches!(last, Some('.' | '!' | '?' | '\u{2026}'));
        let title_like =
            chars <= TITLE_MAX_CHARS && words <= TITLE_MAX_WORDS && !matches!(last, Some('.' | ',' | ';' | ':'));
        Self { chars, words, sentence, title_like }
    }
}

/// The bytes of `bytes` that `which` picks, counted in byte-wide lanes that the compiler can
/// vectorize (a chunk's count fits a byte).
fn count_bytes(bytes: &[u8], which: impl Fn(u8) -> bool) -> usize {
    bytes.chunks(255).map(|chunk| usize::from(chunk.iter().fold(0u8, |n, &b| n + u8::from(which(b))))).sum()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::normalize::{NormalizeOptions, Normalizer, Scratch, clean_ascii_spaces};

    #[test]
    fn shapes() {
        let s = LineShape::of("Please wait until all the ballots are counted, the chairman said.");
        assert!(s.sentence && !s.title_like);
        let t = LineShape::of("Putin Observes Zapad 2017 Military Exercises");
        assert!(!t.sentence && t.title_like);
        assert_eq!(t.words, 6);
        let q = LineShape::of("He said it would all end “very soon,” and then left.”");
        assert!(q.sentence);
        assert_eq!(LineShape::of("Share").chars, 5);
        assert_eq!(LineShape::of("Ünïcödé").chars, 7);
        // The ASCII path counts like the general one.
        assert_eq!(LineShape::of("a b\tc").words, LineShape::of("a b\tc \u{e9}").words - 1);
        assert_eq!(LineShape::of("").words, 0);
        assert_eq!(LineShape::of("27\u{a0}languages \u{3000}x").words, 4);
    }

    fn any_space_or_letter() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::char::range('a', 'c'),
            3 => prop::sample::select(vec![' ', '\t', '\u{a0}', '\u{2003}', '\u{2007}', '\u{202f}', '\u{3000}', '\u{1680}']),
            1 => prop::sample::select(vec!['.', '\u{e0}', '\u{2014}', '\u{201d}', '\u{7}']),
            1 => any::<char>(),
        ]
    }

    proptest! {
        /// Counting separators gives the words that splitting finds, on any normalized line,
        /// and the clean-ASCII shortcut gives the same features as the general path.
        #[test]
        fn counts_agree_with_splitting(chars in prop::collection::vec(any_space_or_letter(), 0..40)) {
            let raw: String = chars.into_iter().collect();
            let mut line = String::new();
            Normalizer::new(NormalizeOptions::default()).normalize_into(&raw, &mut Scratch::default(), &mut line);
            let features = LineShape::of(&line);
            let separators = [' ', '\t', '\u{a0}', '\u{202f}', '\u{2007}', '\u{3000}'];
            prop_assert_eq!(features.words, line.split(separators).filter(|w| !w.is_empty()).count(), "{:?}", line);
            prop_assert_eq!(features.chars, line.chars().count());
            if let Some(spaces) = clean_ascii_spaces(line.as_bytes()) {
                prop_assert_eq!(LineShape::of_clean_ascii(&line, spaces), features);
            }
        }
    }
}
