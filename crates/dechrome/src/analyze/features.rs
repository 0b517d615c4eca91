//! What the line classifier reads of a line on its own, counted in one pass over its characters
//! on the analysis threads. Counts are taken on the line without list markers or markdown links
//! (see [`crate::normalize::without_markup`]), so the same line reads the same whatever
//! converter produced it; features of a line's neighbours are the decision stage's.

use crate::model::lexicon::{Lexicon, WordKinds, lowercase_into};

/// Tokens longer than this many bytes are not looked up in the word lists.
const MAX_LOOKUP_BYTES: usize = 32;
/// A line of at least this many words that ends like a sentence reads as prose.
pub(crate) const PROSE_MIN_WORDS: u16 = 10;

/// Counts and flags of one non-blank line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LineFeatures {
    pub chars: u16,
    /// Runs of letters and digits, with every CJK character a word of its own.
    pub words: u16,
    pub letters: u16,
    pub digits: u16,
    pub uppercase: u16,
    /// Runs of letters and digits that start with a capital (not counting CJK).
    pub capitalized: u16,
    /// Runs of letters and digits that are not CJK.
    pub runs: u16,
    /// Characters in those runs.
    pub run_chars: u16,
    pub commas: u16,
    /// `|`, `»`, `›`, `•`, `·`, `/`.
    pub separators: u16,
    /// Other punctuation and symbols.
    pub punctuation: u16,
    pub stop_words: u16,
    pub chrome_words: u16,
    pub date_words: u16,
    /// Sentence ends inside the line (`. X`, `。`).
    pub inner_sentences: u16,
    pub cjk: u16,
    pub flags: Flags,
}

/// Yes-or-no facts of a line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Flags(u32);

impl Flags {
    pub const SENTENCE_END: Flags = Flags(1);
    pub const ENDS_COLON: Flags = Flags(1 << 1);
    pub const ENDS_ELLIPSIS: Flags = Flags(1 << 2);
    pub const LIST_MARKER: Flags = Flags(1 << 3);
    pub const URL: Flags = Flags(1 << 4);
    pub const AT: Flags = Flags(1 << 5);
    pub const HASH: Flags = Flags(1 << 6);
    pub const COPYRIGHT: Flags = Flags(1 << 7);
    pub const NUMERIC_DATE: Flags = Flags(1 << 8);
    pub const YEAR: Flags = Flags(1 << 9);
    pub const TIME: Flags = Flags(1 << 10);
    pub const STARTS_LOWER: Flags = Flags(1 << 11);
    pub const STARTS_QUOTE: Flags = Flags(1 << 12);

    pub(crate) fn has(self, flag: Flags) -> bool {
        self.0 & flag.0 != 0
    }

    fn set(&mut self, flag: Flags, yes: bool) {
        if yes {
            self.0 |= flag.0;
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

fn saturating(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

impl LineFeatures {
    /// The features of `text`, a line's match view without markup; `marker`: the line had a
    /// list marker or markdown links.
    pub(crate) fn of(text: &str, marker: bool, lexicon: &Lexicon) -> Self {
        let mut features = LineFeatures::default();
        let mut counts = Counts::default();
        let mut lowered = String::new();
        let mut token_start = None;
        let mut token_cjk = 0;
        let mut previous = ' ';
        let mut before_previous = ' ';
        let mut chars = 0;
        for (at, c) in text.char_indices() {
            chars += 1;
            if c.is_alphanumeric() {
                if token_start.is_none() {
                    token_start = Some(at);
                    token_cjk = 0;
                }
                if is_cjk(c) {
                    token_cjk += 1;
                }
                if c.is_alphabetic() {
                    counts.letters += 1;
                    counts.uppercase += usize::from(c.is_uppercase());
                } else {
                    counts.digits += 1;
                }
            } else {
                if let Some(start) = token_start.take() {
                    counts.token(&text[start..at], token_cjk, lexicon, &mut lowered);
                }
                match c {
                    ' ' => {}
                    ',' | '、' | '，' => counts.commas += 1,
                    '|' | '»' | '›' | '•' | '·' | '/' => counts.separators += 1,
                    _ => counts.punctuation += 1,
                }
                if c == '。' || c == '！' || c == '？' {
                    counts.inner_sentences += 1;
                }
            }
            // ". X": a sentence ends inside the line.
            if matches!(before_previous, '.' | '!' | '?') && previous == ' ' && (c.is_uppercase() || c == '"') {
                counts.inner_sentences += 1;
            }
            if c == ':' && previous.is_ascii_digit() {
                counts.time_colon_at = Some(at);
            }
            if counts.time_colon_at.is_some_and(|colon| at == colon + 2)
                && c.is_ascii_digit()
                && previous.is_ascii_digit()
            {
                counts.time = true;
            }
            before_previous = previous;
            previous = c;
        }
        if let Some(start) = token_start {
            counts.token(&text[start..], token_cjk, lexicon, &mut lowered);
        }
        let bytes = text.as_bytes();
        let trimmed = text.trim_end_matches(['"', '\'', ')', ']', '»', '›', '”', '’']);
        let ellipsis = trimmed.ends_with('…') || trimmed.ends_with("...");
        let last = trimmed.chars().next_back();
        // A sentence end inside the line does not count the line's own end.
        if matches!(last, Some('。' | '！' | '？')) {
            counts.inner_sentences = counts.inner_sentences.saturating_sub(1);
        }
        let flags = &mut features.flags;
        flags.set(Flags::SENTENCE_END, !ellipsis && matches!(last, Some('.' | '!' | '?' | '。' | '！' | '？')));
        flags.set(Flags::ENDS_COLON, matches!(last, Some(':' | '：')));
        flags.set(Flags::ENDS_ELLIPSIS, ellipsis);
        flags.set(Flags::LIST_MARKER, marker);
        flags.set(
            Flags::URL,
            memchr::memmem::find(bytes, b"://").is_some() || memchr::memmem::find(bytes, b"www.").is_some(),
        );
        flags.set(Flags::AT, memchr::memchr(b'@', bytes).is_some());
        flags.set(Flags::HASH, memchr::memchr(b'#', bytes).is_some());
        flags.set(Flags::COPYRIGHT, text.contains('©') || memchr::memmem::find(bytes, b"(c)").is_some());
        flags.set(Flags::NUMERIC_DATE, has_numeric_date(bytes));
        flags.set(Flags::YEAR, counts.year);
        flags.set(Flags::TIME, counts.time);
        let first = text.chars().next();
        flags.set(Flags::STARTS_LOWER, first.is_some_and(char::is_lowercase));
        flags.set(Flags::STARTS_QUOTE, matches!(first, Some('"' | '\'' | '“' | '‘' | '«' | '„')));
        features.chars = saturating(chars);
        features.words = saturating(counts.words);
        features.letters = saturating(counts.letters);
        features.digits = saturating(counts.digits);
        features.uppercase = saturating(counts.uppercase);
        features.capitalized = saturating(counts.capitalized);
        features.runs = saturating(counts.runs);
        features.run_chars = saturating(counts.run_chars);
        features.commas = saturating(counts.commas);
        features.separators = saturating(counts.separators);
        features.punctuation = saturating(counts.punctuation);
        features.stop_words = saturating(counts.stop_words);
        features.chrome_words = saturating(counts.chrome_words);
        features.date_words = saturating(counts.date_words);
        features.inner_sentences = saturating(counts.inner_sentences);
        features.cjk = saturating(counts.cjk);
        features
    }

    /// Reads as prose: enough words, and a sentence end (or one inside), a colon or an ellipsis
    /// at the end.
    pub(crate) fn prose(&self) -> bool {
        let flags = self.flags;
        self.words >= PROSE_MIN_WORDS
            && (flags.has(Flags::SENTENCE_END)
                || flags.has(Flags::ENDS_COLON)
                || flags.has(Flags::ENDS_ELLIPSIS)
                || self.inner_sentences > 0)
    }
}

#[derive(Default)]
struct Counts {
    words: usize,
    letters: usize,
    digits: usize,
    uppercase: usize,
    capitalized: usize,
    runs: usize,
    run_chars: usize,
    commas: usize,
    separators: usize,
    punctuation: usize,
    stop_words: usize,
    chrome_words: usize,
    date_words: usize,
    inner_sentences: usize,
    cjk: usize,
    year: bool,
    time: bool,
    time_colon_at: Option<usize>,
}

impl Counts {
    fn token(&mut self, token: &str, cjk: usize, lexicon: &Lexicon, lowered: &mut String) {
        self.cjk += cjk;
        self.words += cjk;
        let other = token.chars().count() - cjk;
        if other == 0 {
            return;
        }
        self.words += 1;
        self.runs += 1;
        self.run_chars += other;
        self.capitalized += usize::from(token.chars().next().is_some_and(char::is_uppercase));
        let bytes = token.as_bytes();
        if bytes.len() == 4
            && (bytes.starts_with(b"19") || bytes.starts_with(b"20"))
            && bytes.iter().all(u8::is_ascii_digit)
        {
            self.year = true;
        }
        if token.len() <= MAX_LOOKUP_BYTES {
            let kinds = lexicon.kinds(lowercase_into(token, lowered));
            self.stop_words += usize::from(kinds.has(WordKinds::STOP));
            self.chrome_words += usize::from(kinds.has(WordKinds::CHROME));
            self.date_words += usize::from(kinds.has(WordKinds::DATE));
        }
    }
}

/// `d{1,4}[./-]d{1,2}[./-]d{2,4}` with the same separator twice: `2024-03-11`, `11.03.2024`.
fn has_numeric_date(bytes: &[u8]) -> bool {
    let digits = |from: usize| bytes[from.min(bytes.len())..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() || (at > 0 && bytes[at - 1].is_ascii_digit()) {
            at += 1;
            continue;
        }
        let first = digits(at);
        let separator_at = at + first;
        if (1..=4).contains(&first)
            && let Some(&separator @ (b'.' | b'/' | b'-')) = bytes.get(separator_at)
        {
            let second = digits(separator_at + 1);
            let second_end = separator_at + 1 + second;
            if (1..=2).contains(&second) && bytes.get(second_end) == Some(&separator) {
                let third = digits(second_end + 1);
                if (2..=4).contains(&third) {
                    return true;
                }
            }
        }
        at += first.max(1);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        let mut lexicon = Lexicon::default();
        lexicon.add(WordKinds::STOP, ["the", "of", "and", "der"]);
        lexicon.add(WordKinds::CHROME, ["share", "comments"]);
        lexicon.add(WordKinds::DATE, ["march", "montag", "märz"]);
        lexicon
    }

    #[test]
    fn counts_of_a_sentence() {
        let f = LineFeatures::of("The minister said the plan, of course, was \"final.\"", false, &lexicon());
        assert_eq!((f.words, f.runs, f.capitalized, f.stop_words, f.commas), (9, 9, 1, 3, 2));
        assert!(f.flags.has(Flags::SENTENCE_END) && !f.flags.has(Flags::ENDS_COLON));
        assert!(!f.prose(), "nine words are not enough");
        let long = LineFeatures::of(
            "Officials said on Monday that the new plan would start in the spring.",
            false,
            &lexicon(),
        );
        assert!(long.prose());
    }

    #[test]
    fn chrome_shapes() {
        let lexicon = lexicon();
        let share = LineFeatures::of("Share | Comments (12)", true, &lexicon);
        assert_eq!((share.words, share.chrome_words, share.separators, share.digits), (3, 2, 1, 2));
        assert!(share.flags.has(Flags::LIST_MARKER) && !share.prose());
        let date = LineFeatures::of("Montag, 11. März 2024, 09:30 Uhr", false, &lexicon);
        assert_eq!(date.date_words, 2);
        assert!(date.flags.has(Flags::YEAR) && date.flags.has(Flags::TIME));
        assert!(LineFeatures::of("Updated 2024-03-11", false, &lexicon).flags.has(Flags::NUMERIC_DATE));
        assert!(LineFeatures::of("11.03.24 by staff", false, &lexicon).flags.has(Flags::NUMERIC_DATE));
        assert!(!LineFeatures::of("version 1.2 of 3", false, &lexicon).flags.has(Flags::NUMERIC_DATE));
        let url = LineFeatures::of("Follow us at https://example.org © 2024", false, &lexicon);
        assert!(url.flags.has(Flags::URL) && url.flags.has(Flags::COPYRIGHT));
    }

    #[test]
    fn cjk_characters_are_words() {
        let f = LineFeatures::of("東京で会議が開かれた。", false, &lexicon());
        assert_eq!((f.words, f.cjk, f.runs), (10, 10, 0));
        assert!(f.flags.has(Flags::SENTENCE_END));
        assert_eq!(f.inner_sentences, 0);
        let two = LineFeatures::of("会議が開かれた。明日も続く。", false, &lexicon());
        assert_eq!(two.inner_sentences, 1);
    }
}
