//! Literal prefilters for regex rules: strings one of which every match of a regex contains.
//!
//! A regex rule runs only on lines where one of its required literals occurs, so most lines
//! never reach a regex engine. For a regex anchored with `^` whose matches start with known
//! literals, those must be at the start of the line. Other anchored regexes run on every line
//! their guards allow, unless they start with an open run that reads on through the words
//! (`^.{8,}`): an anchored search gives up within the first word or two of most lines, which
//! is cheaper than finding the common words inside the regex (` is a `, ` news `) all along
//! the line. Otherwise the best set of literals that every match must contain somewhere is
//! used (`^.{8,200} (\||-) \p{Lu}.*` needs ` | ` or ` - `). Regexes without such literals run
//! on every line their guards allow.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Required literals shorter than this occur in too many lines to be worth a prefilter.
const MIN_ANYWHERE_BYTES: usize = 2;
/// More literals than this (case variants multiply them) and the regex runs unfiltered.
const MAX_LITERALS: usize = 256;

/// Where a regex's required literals must occur.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RegexPrefilter {
    /// At the start of the line.
    AtStart(Vec<Vec<u8>>),
    /// Anywhere in the line.
    Anywhere(Vec<Vec<u8>>),
    /// No literal worth an automaton, and a match may start with nearly any byte, but one of
    /// these few bytes, rare in prose (punctuation, digits, UTF-8 bytes), occurs in every match:
    /// `[|•·]` or `/` between links.
    AnyByte(Vec<u8>),
    /// No useful literal: the regex runs on every line its guards allow.
    Unfiltered,
}

impl RegexPrefilter {
    /// The prefilter of a regex parsed as `hir`; `folded` is the same regex parsed with case
    /// insensitivity when the rule asks for it.
    ///
    /// Literals are matched ASCII case-insensitively, so they are taken from the case-sensitive
    /// parse (`(?i)` would multiply them by every case variant) unless they hold non-ASCII
    /// cased letters (or a character cut short), whose other cases only the folded parse lists.
    /// ASCII letters have two non-ASCII case variants: the Kelvin sign, which NFC turns into
    /// `K`, and the long s, which the match view turns into `s`.
    pub(crate) fn of(hir: &Hir, folded: Option<&Hir>) -> Self {
        match (Self::from_literals(hir), folded) {
            (RegexPrefilter::AtStart(literals) | RegexPrefilter::Anywhere(literals), Some(folded))
                if literals.iter().any(|l| has_non_ascii_case(l)) =>
            {
                Self::from_literals(folded)
            }
            // First bytes are taken from the regex as it runs, with every case variant. A regex
            // whose first bytes rule out most lines is cheaper in a group.
            (RegexPrefilter::Unfiltered, _) => {
                let starts_anywhere = ByteSet::first_of(folded.unwrap_or(hir)).len() > FEW_FIRST_BYTES;
                starts_anywhere.then(|| rare_bytes(hir, folded)).flatten().map_or(Self::Unfiltered, Self::AnyByte)
            }
            (prefilter, _) => prefilter,
        }
    }

    fn from_literals(hir: &Hir) -> Self {
        if hir.properties().look_set_prefix().contains(Look::Start) {
            if let Some(literals) = prefixes(hir) {
                return RegexPrefilter::AtStart(literals);
            }
            if !starts_with_open_run(hir) {
                return RegexPrefilter::Unfiltered;
            }
        }
        match required(hir) {
            Some(literals) if literals.iter().all(|l| l.len() >= MIN_ANYWHERE_BYTES) => {
                RegexPrefilter::Anywhere(literals)
            }
            _ => RegexPrefilter::Unfiltered,
        }
    }
}

/// A regex whose matches may start with more bytes than this skips too few lines by its first
/// byte.
const FEW_FIRST_BYTES: u32 = 128;
/// Most distinct bytes an [`RegexPrefilter::AnyByte`] filter looks for (one memchr pass).
const MAX_RARE_BYTES: usize = 3;
/// Bytes at most this frequent in prose (in percent, see [`byte_frequency`]) are rare enough.
const RARE_BYTE_FREQUENCY: f32 = 0.5;

/// The rarest byte of each literal that every match of `hir` contains, when they are few and
/// all rare in prose; `folded` as in [`RegexPrefilter::of`].
///
/// The literals are taken from the case-sensitive parse, with the other case of an ASCII letter
/// added, for the same reason as there, and because extracting them from a long case-folded
/// regex (every letter a class) takes milliseconds.
fn rare_bytes(hir: &Hir, folded: Option<&Hir>) -> Option<Vec<u8>> {
    let mut literals = required(hir)?;
    if let Some(folded) = folded
        && literals.iter().any(|l| has_non_ascii_case(l))
    {
        literals = required(folded)?;
    }
    let mut bytes = Vec::new();
    for literal in &literals {
        let rarest = literal.iter().copied().min_by(|a, b| byte_frequency(*a).total_cmp(&byte_frequency(*b)))?;
        bytes.push(rarest);
        if folded.is_some() && rarest.is_ascii_alphabetic() {
            bytes.push(rarest ^ 0x20);
        }
    }
    bytes.sort_unstable();
    bytes.dedup();
    let rare = bytes.iter().all(|&b| byte_frequency(b) <= RARE_BYTE_FREQUENCY);
    (rare && !bytes.is_empty() && bytes.len() <= MAX_RARE_BYTES).then_some(bytes)
}

/// How often a byte occurs in lowercased English prose, roughly, in percent: letters by their
/// usual frequencies, the space most of all, punctuation, digits and UTF-8 bytes seldom.
pub(crate) fn byte_frequency(byte: u8) -> f32 {
    const LETTERS: [f32; 26] = [
        8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4, 6.7, 7.5, 1.9, 0.1, 6.0, 6.3, 9.1, 2.8, 1.0,
        2.4, 0.15, 2.0, 0.07,
    ];
    match byte.to_ascii_lowercase() {
        lower @ b'a'..=b'z' => LETTERS[usize::from(lower - b'a')],
        b' ' => 18.0,
        b'.' | b',' => 1.0,
        b'-' | b'\'' | b'"' | b'0'..=b'9' => 0.5,
        0x80.. => 0.3,
        _ => 0.2,
    }
}

/// A set of bytes: those a line may start (or end) with for an anchored regex to match it.
/// A cheap test before running a group of regexes on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ByteSet([u64; 4]);

/// Which end of a match [`edge_bytes`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    First,
    Last,
}

impl ByteSet {
    const NONE: Self = Self([0; 4]);
    pub(crate) const ALL: Self = Self([u64::MAX; 4]);

    /// For a regex anchored with `^`, the first bytes of its matches; every byte for any other
    /// regex. `hir` must be the regex as it runs (case folded).
    pub(crate) fn first_of(hir: &Hir) -> Self {
        Self::edge_of(hir, hir.properties().look_set_prefix().contains(Look::Start), Edge::First)
    }

    /// For a regex anchored with `$`, the last bytes of its matches; every byte for any other
    /// regex. `hir` must be the regex as it runs (case folded).
    pub(crate) fn last_of(hir: &Hir) -> Self {
        Self::edge_of(hir, hir.properties().look_set_suffix().contains(Look::End), Edge::Last)
    }

    fn edge_of(hir: &Hir, anchored: bool, edge: Edge) -> Self {
        match edge_bytes(hir, edge) {
            (set, false) if anchored => set,
            // Not anchored, or it can match the empty string at that end: then any line.
            _ => Self::ALL,
        }
    }

    fn len(&self) -> u32 {
        self.0.iter().map(|word| word.count_ones()).sum()
    }

    pub(crate) fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte / 64)] & (1 << (byte % 64)) != 0
    }

    pub(crate) fn add(&mut self, other: &Self) {
        for (word, other) in self.0.iter_mut().zip(other.0) {
            *word |= other;
        }
    }

    fn add_range(&mut self, first: u8, last: u8) {
        for byte in first..=last {
            self.0[usize::from(byte / 64)] |= 1 << (byte % 64);
        }
    }
}

/// The first (or last) bytes of the non-empty matches of `hir`, and whether it can match the
/// empty string.
fn edge_bytes(hir: &Hir, edge: Edge) -> (ByteSet, bool) {
    let mut set = ByteSet::NONE;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => return (set, true),
        HirKind::Literal(literal) => match if edge == Edge::First { literal.0.first() } else { literal.0.last() } {
            Some(&byte) => set.add_range(byte, byte),
            None => return (set, true),
        },
        HirKind::Class(Class::Unicode(class)) => {
            for range in class.ranges() {
                match edge {
                    // UTF-8 keeps code point order, so the lead bytes of a range's ends bound
                    // its lead bytes.
                    Edge::First => set.add_range(utf8_lead(range.start()), utf8_lead(range.end())),
                    // A character outside ASCII ends with a continuation byte.
                    Edge::Last => {
                        if range.start().is_ascii() {
                            set.add_range(range.start() as u8, range.end().min('\x7f') as u8);
                        }
                        if !range.end().is_ascii() {
                            set.add_range(0x80, 0xbf);
                        }
                    }
                }
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            for range in class.ranges() {
                set.add_range(range.start(), range.end());
            }
        }
        HirKind::Capture(capture) => return edge_bytes(&capture.sub, edge),
        HirKind::Repetition(repetition) => {
            let (sub, empty) = edge_bytes(&repetition.sub, edge);
            return (sub, empty || repetition.min == 0);
        }
        HirKind::Alternation(branches) => {
            let mut any_empty = false;
            for branch in branches {
                let (branch_set, empty) = edge_bytes(branch, edge);
                set.add(&branch_set);
                any_empty |= empty;
            }
            return (set, any_empty);
        }
        HirKind::Concat(parts) => {
            let mut from_the_edge = parts.iter();
            let mut next = || if edge == Edge::First { from_the_edge.next() } else { from_the_edge.next_back() };
            while let Some(part) = next() {
                let (part_set, empty) = edge_bytes(part, edge);
                set.add(&part_set);
                if !empty {
                    return (set, false);
                }
            }
            return (set, true);
        }
    }
    (set, false)
}

fn utf8_lead(c: char) -> u8 {
    let mut buffer = [0; 4];
    c.encode_utf8(&mut buffer).as_bytes()[0]
}

/// The finite set of non-empty literals every match of `hir` starts with, ASCII-lowercased
/// (they are compared ASCII case-insensitively) and deduplicated. An empty literal means a
/// match can start with anything: no set then.
fn prefixes(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix).limit_total(MAX_LITERALS * 4);
    let sequence = extractor.extract(hir);
    let mut lowered: Vec<Vec<u8>> = sequence.literals()?.iter().map(|l| l.as_bytes().to_ascii_lowercase()).collect();
    lowered.sort_unstable();
    lowered.dedup();
    let useful = !lowered.is_empty() && lowered.len() <= MAX_LITERALS && lowered.iter().all(|l| !l.is_empty());
    useful.then_some(lowered)
}

/// A set of literals one of which every match of `hir` contains, the best found: for a
/// sequence, the prefixes of each of its tails; for alternatives, the union of theirs.
fn required(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Capture(capture) => required(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min > 0 => required(&repetition.sub),
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            for branch in branches {
                union.extend(required(branch)?);
            }
            union.sort_unstable();
            union.dedup();
            (union.len() <= MAX_LITERALS).then_some(union)
        }
        HirKind::Concat(parts) => (0..parts.len())
            .filter_map(|from| prefixes(&Hir::concat(parts[from..].to_vec())))
            .chain(parts.iter().filter_map(required))
            .max_by_key(|literals| (literals.iter().map(Vec::len).min(), std::cmp::Reverse(literals.len()))),
        _ => prefixes(hir),
    }
}

/// Most repeats of a part that may hold a space after which an anchored search is still
/// "within the first words" of a line.
const SHORT_RUN_REPEATS: u32 = 40;

/// Whether a match of `hir` can start with more than [`SHORT_RUN_REPEATS`] repeats of something
/// that may hold a space (`.*`, `.{8,}`, `( [a-z]+)*`): an anchored search then reads on
/// through the line instead of failing within its first words. A class without the space
/// (`[^ ]+`) stops at the end of the first word.
fn starts_with_open_run(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Capture(capture) => starts_with_open_run(&capture.sub),
        HirKind::Repetition(repetition) => {
            let long = repetition.max.is_none_or(|max| max > SHORT_RUN_REPEATS);
            (long && matches_space(&repetition.sub)) || starts_with_open_run(&repetition.sub)
        }
        HirKind::Alternation(branches) => branches.iter().any(starts_with_open_run),
        // The parts that can match the empty string do not stop the search from reaching the
        // first part that cannot.
        HirKind::Concat(parts) => {
            for part in parts {
                if starts_with_open_run(part) {
                    return true;
                }
                if part.properties().minimum_len() != Some(0) {
                    return false;
                }
            }
            false
        }
        _ => false,
    }
}

/// Whether some match of `hir` contains a space.
fn matches_space(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => class.ranges().iter().any(|r| r.start() <= ' ' && ' ' <= r.end()),
        HirKind::Class(Class::Bytes(class)) => class.ranges().iter().any(|r| r.start() <= b' ' && b' ' <= r.end()),
        HirKind::Literal(literal) => literal.0.contains(&b' '),
        HirKind::Capture(capture) => matches_space(&capture.sub),
        HirKind::Repetition(repetition) => repetition.max != Some(0) && matches_space(&repetition.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().any(matches_space),
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

fn has_non_ascii_case(literal: &[u8]) -> bool {
    String::from_utf8_lossy(literal)
        .chars()
        .any(|c| !c.is_ascii() && (c == char::REPLACEMENT_CHARACTER || c.is_lowercase() || c.is_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefilter(pattern: &str) -> RegexPrefilter {
        let parse =
            |folded| regex_syntax::ParserBuilder::new().case_insensitive(folded).build().parse(pattern).unwrap();
        RegexPrefilter::of(&parse(false), Some(&parse(true)))
    }

    fn literals(strings: &[&str]) -> Vec<Vec<u8>> {
        strings.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn anchored_alternatives_become_start_literals() {
        let expected = literals(&[
            "read more ",
            "read more: ",
            "read also ",
            "read also: ",
            "see more ",
            "see more: ",
            "see also ",
            "see also: ",
        ]);
        match prefilter("^(Read|see) (more|also):? .+$") {
            RegexPrefilter::AtStart(mut found) => {
                found.sort();
                let mut expected = expected;
                expected.sort();
                assert_eq!(found, expected);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn uncased_symbols_need_no_variants() {
        assert!(
            matches!(prefilter(r"^(copyright\s*)?(©|\(c\))\s*\D{0,30}$"), RegexPrefilter::AtStart(l) if l.len() == 3)
        );
    }

    #[test]
    fn non_ascii_literals_keep_their_case_variants() {
        match prefilter("^été") {
            RegexPrefilter::AtStart(found) => {
                let found: Vec<String> = found.iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect();
                assert!(
                    found.len() == 4 && found.contains(&"ÉtÉ".to_string()) && found.contains(&"été".to_string()),
                    "{found:?}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unanchored_and_shapeless_regexes() {
        assert!(matches!(prefilter("all rights reserved"), RegexPrefilter::Anywhere(_)));
        assert_eq!(prefilter(r"^\p{Lu}\w+ \d+$"), RegexPrefilter::Unfiltered);
        assert_eq!(prefilter("^.{1,40}$"), RegexPrefilter::Unfiltered);
        // A branch without the anchor makes the literals unanchored; too short ones are useless.
        assert_eq!(prefilter("^ab|c"), RegexPrefilter::Unfiltered);
        assert_eq!(prefilter("^ab|cd"), RegexPrefilter::Anywhere(literals(&["ab", "cd"])));
    }

    #[test]
    fn literals_inside_the_pattern() {
        assert_eq!(prefilter(r"^.{8,200}\S (\||-) \p{Lu}.*$"), RegexPrefilter::Anywhere(literals(&[" - ", " | "])));
        assert_eq!(
            prefilter(r"\d+ (comments|replies)$"),
            RegexPrefilter::Anywhere(literals(&[" comments", " replies"]))
        );
        // One branch without a required literal leaves the whole regex unfiltered.
        assert_eq!(prefilter(r"\d+ comments$|\w+$"), RegexPrefilter::Unfiltered);
    }

    #[test]
    fn anchored_regexes_run_unless_they_start_with_an_open_run() {
        // An anchored search fails within the first words: no need to find ` is a ` first.
        assert_eq!(prefilter(r"^[A-Z][a-z]+( [A-Z][a-z]+){1,3} (is|was) a .*$"), RegexPrefilter::Unfiltered);
        assert_eq!(prefilter(r"^([^ ]+ )?reporters cover .*$"), RegexPrefilter::Unfiltered);
        assert_eq!(prefilter(r"^\d+ (comments|replies)$"), RegexPrefilter::Unfiltered);
        // ... but one that may start with nearly anything and needs a rare byte waits for it.
        assert_eq!(prefilter(r"^[^|]{1,40}( \| [^|]{1,40}){2,}$"), RegexPrefilter::AnyByte(vec![b'|']));
        assert_eq!(prefilter(r"^[^/]{1,30}( / [^/]{1,30}){2,}$"), RegexPrefilter::AnyByte(vec![b'/']));
        assert_eq!(prefilter("^[^|•]{1,40}( ?[|•] ?[^|•]{1,40}){2,}$"), RegexPrefilter::AnyByte(vec![b'|', 0xe2]));
        // A rare letter is looked for in both cases (the rule is case-insensitive); a literal
        // with non-ASCII cased letters is taken in every case, whose rarest byte here is shared.
        assert_eq!(prefilter(r"^[^|]{1,40} jazz [^|]{1,40}$"), RegexPrefilter::AnyByte(vec![b'Z', b'z']));
        assert_eq!(prefilter(r"^[^|]{1,40} ñu [^|]{1,40}$"), RegexPrefilter::AnyByte(vec![0xc3]));
        // Common bytes (letters, the space) are no filter.
        assert_eq!(prefilter(r"^[^x]{1,40} and [^x]{1,40}$"), RegexPrefilter::Unfiltered);
        // A run through the words, at the start or after optional parts, keeps the literals.
        assert_eq!(prefilter(r"^.{8,} - [A-Z].*$"), RegexPrefilter::Anywhere(literals(&[" - "])));
        assert_eq!(prefilter(r"^(a )?[a-z ]{0,80} - [A-Z]"), RegexPrefilter::Anywhere(literals(&[" - "])));
        assert!(matches!(prefilter(r"^copyright$|^.*all rights reserved"), RegexPrefilter::Anywhere(_)));
    }

    /// Checks that a line whose first (or last) byte is outside the set `set_of` gives a regex
    /// never matches: on lines starting (or ending) with every character of a sample, each
    /// joined to each of `affixes`, for rules shaped like the rule pack's.
    fn assert_edge_bytes_keep_matches(patterns: &[&str], affixes: &[&str], set_of: fn(&Hir) -> ByteSet, edge: Edge) {
        let sample: Vec<char> =
            (0u32..0x3000).chain([0x1e9e, 0x212a, 0x2039, 0x2190, 0xff10]).filter_map(char::from_u32).collect();
        for pattern in patterns {
            let set = set_of(&regex_syntax::parse(pattern).unwrap());
            assert_ne!(set, ByteSet::ALL, "{pattern}");
            let regex = regex::Regex::new(pattern).unwrap();
            let mut matched = 0;
            for &c in &sample {
                for affix in affixes {
                    let line = if edge == Edge::First { format!("{c}{affix}") } else { format!("{affix}{c}") };
                    if regex.is_match(&line) {
                        matched += 1;
                        let byte =
                            if edge == Edge::First { line.as_bytes()[0] } else { line.as_bytes()[line.len() - 1] };
                        assert!(set.contains(byte), "{pattern} matches {line:?}");
                    }
                }
            }
            assert!(matched > 0, "no sample line matches {pattern}");
        }
    }

    #[test]
    fn first_bytes_never_exclude_a_match() {
        let patterns = [
            r"(?i)^\d+_[a-z]+_\S",
            r"(?i)^(video|watch)?:? *\(?[0-9]{1,2}:[0-9]{2}$",
            r"^[A-Z\xC0-\xD6\x{100}-\x{24F}][a-z]+( [A-Z][a-z]+){1,3} is",
            r"(?i)^(this (web)?site|we)( uses?)? cookies",
            r"(?i)^([«‹←<] *)?(previous|next)",
            r"^[#№]?\d{1,3}$",
            r"(?i)^(\(?(photo|image)s?( by)? *[:|] *.)",
        ];
        let rests = ["", "0:00", "1_ab_c", "hoto: x", "ext Smith is", "e use cookies", "revious", "12"];
        assert_edge_bytes_keep_matches(&patterns, &rests, ByteSet::first_of, Edge::First);
        assert!(ByteSet::first_of(&regex_syntax::parse(r"(?i)^(we|our) use").unwrap()).contains(b'W'));
        assert!(!ByteSet::first_of(&regex_syntax::parse(r"(?i)^(we|our) use").unwrap()).contains(b'x'));
        assert_eq!(ByteSet::first_of(&regex_syntax::parse(r"cookies").unwrap()), ByteSet::ALL);
        assert_eq!(ByteSet::first_of(&regex_syntax::parse(r"^(x)?").unwrap()), ByteSet::ALL);
    }

    #[test]
    fn last_bytes_never_exclude_a_match() {
        let patterns = [
            r"^[^«]{1,40} (›|»|▼|▶)( *‹)?$|(?i)^(back to|return to) (the )?menu$",
            r"^[#№]?\d{1,3}$",
            r"(?i)^(video:? *)?\(?[0-9]{1,2}:[0-9]{2}\)?( min(ute)?s?)?$",
            r"(?i)^[0-9.,]+[km]? ?(fans|followers)( (like|follow))?$",
            r"(?i)(facebook|twitter) *[|,/•·]?$",
            r"\p{Lu}\p{Ll}+ \(\d{1,5}\)$",
            r"(?i)continues below( the ad)?\.?$",
        ];
        let befores = [
            "Home ",
            "back to the men",
            "12",
            "video: 1:2",
            "1,200 follower",
            "Share: twitter ",
            "Sports (1",
            "continues below the ad",
        ];
        assert_edge_bytes_keep_matches(&patterns, &befores, ByteSet::last_of, Edge::Last);
        assert!(ByteSet::last_of(&regex_syntax::parse(r"(?i)menu$").unwrap()).contains(b'U'));
        assert!(!ByteSet::last_of(&regex_syntax::parse(r"(?i)menu$").unwrap()).contains(b'x'));
        assert_eq!(ByteSet::last_of(&regex_syntax::parse(r"^menu").unwrap()), ByteSet::ALL);
        assert_eq!(ByteSet::last_of(&regex_syntax::parse(r"menu( x)?|x*$").unwrap()), ByteSet::ALL);
    }
}
