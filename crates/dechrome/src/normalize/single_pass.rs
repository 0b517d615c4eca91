//! All steps in one pass, for the lines where that gives the same result as running them in
//! turn: every character is one that no step touches and that cannot compose with its
//! neighbours, or one of the few the steps map one at a time (quotes, dashes when asked,
//! horizontal spaces, removed controls). Anything else (C1 bytes, combining marks, characters
//! NFC would change) sends the line through the steps one by one.
//!
//! Such characters are NFC-stable starters (quick check `Yes`, combining class 0): nothing
//! composes with them, so mapping, removing or collapsing their neighbours cannot make the
//! form step change anything either.

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, is_nfc_quick, is_nfkc_quick};

use super::NormalizeOptions;
use super::c1::is_c1;
use super::controls::is_removed;
use super::printable::printable_run;
use super::punct::ascii_punct;
use super::quotes::ascii_quote;
use super::whitespace::{is_horizontal_space, is_kept_lone_space};

const BMP: usize = 0x1_0000;

/// One bit per Basic Multilingual Plane code point.
#[derive(Debug)]
struct BmpSet(Box<[u64]>);

impl BmpSet {
    fn of(contains: impl Fn(char) -> bool) -> Self {
        let mut words = vec![0u64; BMP / 64].into_boxed_slice();
        for c in (0..BMP as u32).filter_map(char::from_u32) {
            if contains(c) {
                words[c as usize / 64] |= 1 << (c as u32 % 64);
            }
        }
        Self(words)
    }

    /// `None` outside the BMP.
    fn get(&self, c: char) -> Option<bool> {
        let word = self.0.get(c as usize / 64)?;
        Some(word & (1 << (c as u32 % 64)) != 0)
    }
}

/// What the steps together do with one character.
enum Effect {
    Keep,
    Remove,
    Map(char),
    MapStr(&'static str),
    HorizontalSpace,
    /// Needs the steps one by one.
    Unsupported,
}

#[derive(Debug)]
pub(crate) struct SinglePass {
    options: NormalizeOptions,
    /// Characters every step leaves alone and nothing composes with: copied as they are.
    untouched: BmpSet,
    /// NFC-stable (or NFKC-stable) starters.
    stable: BmpSet,
}

impl SinglePass {
    pub(crate) fn new(options: NormalizeOptions) -> Self {
        let stable = |c| is_stable_starter(options, c);
        let untouched = BmpSet::of(|c| {
            !is_c1(c) && !is_removed(c) && stable(c) && matches!(effect_of_stable(options, c), Effect::Keep)
        });
        Self { options, untouched, stable: BmpSet::of(stable) }
    }

    fn effect(&self, c: char) -> Effect {
        if self.untouched.get(c) == Some(true) {
            return Effect::Keep;
        }
        // C1 controls are mapped and removed characters dropped before the form step.
        if is_c1(c) {
            return Effect::Unsupported;
        }
        if is_removed(c) {
            return Effect::Remove;
        }
        // Outside the BMP (no table) no step maps anything: only the form matters.
        let stable = self.stable.get(c).unwrap_or_else(|| is_stable_starter(self.options, c));
        if stable { effect_of_stable(self.options, c) } else { Effect::Unsupported }
    }

    /// Writes the normalized `line` to `out` (cleared first) and returns `true`, or returns
    /// `false` when the line needs the steps one by one (`out` then holds a partial result).
    pub(crate) fn normalize_into(&self, line: &str, out: &mut String) -> bool {
        out.clear();
        // A run of horizontal spaces waiting for the next visible character: its first
        // character and length. Leading and trailing runs are never written.
        let mut space_run: Option<(char, usize)> = None;
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            // Printable ASCII is by far the most common: copy it a run at a time.
            let run = printable_run(rest.as_bytes());
            if run.len > 0 {
                push_printable_run(&rest[..run.len], run.double_space, &mut space_run, out);
                rest = &rest[run.len..];
                continue;
            }
            rest = &rest[c.len_utf8()..];
            match self.effect(c) {
                Effect::Keep => {
                    flush_space_run(&mut space_run, out);
                    out.push(c);
                }
                Effect::Map(mapped) => {
                    flush_space_run(&mut space_run, out);
                    out.push(mapped);
                }
                Effect::MapStr(mapped) => {
                    flush_space_run(&mut space_run, out);
                    out.push_str(mapped);
                }
                Effect::HorizontalSpace => {
                    space_run = Some(space_run.map_or((c, 1), |(first, n)| (first, n + 1)));
                }
                Effect::Remove => {}
                Effect::Unsupported => return false,
            }
        }
        true
    }
}

/// A character the form step leaves alone and that nothing composes with: quick check `Yes`
/// and combining class 0.
fn is_stable_starter(options: NormalizeOptions, c: char) -> bool {
    let once = std::iter::once(c);
    let quick = if options.nfkc { is_nfkc_quick(once) } else { is_nfc_quick(once) };
    quick == IsNormalized::Yes && canonical_combining_class(c) == 0
}

/// The effect of a character the form step leaves alone (so also for the steps after it).
fn effect_of_stable(options: NormalizeOptions, c: char) -> Effect {
    if let Some(quote) = ascii_quote(c).filter(|_| options.ascii_quotes) {
        return Effect::Map(quote);
    }
    if let Some(punct) = ascii_punct(c).filter(|_| options.ascii_punct) {
        return Effect::MapStr(punct);
    }
    if is_horizontal_space(c) { Effect::HorizontalSpace } else { Effect::Keep }
}

/// Writes a run of printable ASCII: its leading spaces join the pending run, spaces inside it
/// collapse to one (`double_space`: it has two in a row somewhere), and its trailing spaces
/// become the pending run.
fn push_printable_run(run: &str, double_space: bool, space_run: &mut Option<(char, usize)>, out: &mut String) {
    let words = run.trim_matches(' ');
    if words.is_empty() {
        *space_run = Some(space_run.map_or((' ', run.len()), |(first, n)| (first, n + run.len())));
        return;
    }
    let leading = run.len() - run.trim_start_matches(' ').len();
    if leading > 0 {
        *space_run = Some(space_run.map_or((' ', leading), |(first, n)| (first, n + leading)));
    }
    flush_space_run(space_run, out);
    if double_space {
        push_collapsing_spaces(words, out);
    } else {
        out.push_str(words);
    }
    let trailing = run.len() - run.trim_end_matches(' ').len();
    if trailing > 0 {
        *space_run = Some((' ', trailing));
    }
}

/// Writes `words` (ASCII, no space at either end) with each run of spaces as one, copying the
/// stretches between runs whole.
fn push_collapsing_spaces(words: &str, out: &mut String) {
    let bytes = words.as_bytes();
    let (mut start, mut at) = (0, 0);
    while at + 1 < bytes.len() {
        if bytes[at] == b' ' && bytes[at + 1] == b' ' {
            out.push_str(&words[start..=at]);
            // Stops before the end: `words` does not end with a space.
            at += 1;
            while bytes[at] == b' ' {
                at += 1;
            }
            start = at;
        } else {
            at += 1;
        }
    }
    out.push_str(&words[start..]);
}

/// Writes a pending run of spaces before a visible character, the way the whitespace step
/// collapses it; a run before anything was written is leading space and is dropped.
fn flush_space_run(space_run: &mut Option<(char, usize)>, out: &mut String) {
    if let Some((first, n)) = space_run.take()
        && !out.is_empty()
    {
        out.push(if n == 1 && is_kept_lone_space(first) { first } else { ' ' });
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use std::sync::OnceLock;

    use super::*;
    use crate::normalize::Normalizer;

    fn all_options() -> Vec<NormalizeOptions> {
        let mut all = Vec::new();
        for bits in 0..8u8 {
            all.push(NormalizeOptions {
                ascii_quotes: bits & 1 != 0,
                ascii_punct: bits & 2 != 0,
                nfkc: bits & 4 != 0,
                ..NormalizeOptions::default()
            });
        }
        all
    }

    /// Both normalizers for each option set, built once: building takes milliseconds.
    fn normalizers() -> &'static [(SinglePass, Normalizer)] {
        static ALL: OnceLock<Vec<(SinglePass, Normalizer)>> = OnceLock::new();
        ALL.get_or_init(|| all_options().into_iter().map(|o| (SinglePass::new(o), Normalizer::new(o))).collect())
    }

    /// Where the single pass answers, it answers what the steps one by one do.
    fn check(pass: &SinglePass, steps: &Normalizer, line: &str) -> Result<(), String> {
        let mut fused = String::new();
        if pass.normalize_into(line, &mut fused) {
            let mut expected = String::new();
            steps.run_steps(line, &mut Default::default(), &mut expected);
            if fused != expected {
                return Err(format!("{line:?}: single pass {fused:?}, steps {expected:?}"));
            }
        }
        Ok(())
    }

    /// Every BMP character alone and between letters and spaces, under every option set.
    #[test]
    fn agrees_with_the_steps_on_every_bmp_character() {
        for (pass, steps) in normalizers() {
            for c in (0x80..BMP as u32).filter_map(char::from_u32) {
                for line in [format!("{c}"), format!("a{c}b"), format!(" {c} x"), format!("e{c}\u{301}")] {
                    check(pass, steps, &line).unwrap();
                }
            }
        }
    }

    #[test]
    fn handles_the_common_cases_itself() {
        let pass = SinglePass::new(NormalizeOptions::default());
        let mut out = String::new();
        let cases = [
            ("  \u{201c}Quoted\u{201d}\u{a0}\u{a0}text\u{2003} ", "\"Quoted\" text"),
            (
                "27\u{a0}languages,\tcaf\u{e9} \u{ad}\u{444}\u{43e}\u{43d} \u{1f600}",
                "27\u{a0}languages,\tcaf\u{e9} \u{444}\u{43e}\u{43d} \u{1f600}",
            ),
            ("a\u{7}  b", "a b"),
        ];
        for (line, expected) in cases {
            assert!(pass.normalize_into(line, &mut out), "{line:?}");
            assert_eq!(out, expected);
        }
        for line in ["e\u{301}", "it\u{92}s", "x\u{2000}y", "\u{1100}\u{1161}"] {
            assert!(!pass.normalize_into(line, &mut out), "{line:?}");
        }
    }

    fn interesting_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::char::range('a', 'e'),
            3 => prop::sample::select(vec![' ', '\t', '\u{a0}', '\u{2003}', '\u{2007}', '\u{202f}', '\u{3000}', '\u{2000}']),
            2 => prop::sample::select(vec!['\u{2018}', '\u{201d}', '\u{2014}', '\u{2011}', '\u{2026}', '\u{2212}']),
            2 => prop::sample::select(vec!['\u{0}', '\u{7}', '\u{7f}', '\u{ad}', '\u{feff}', '\u{85}', '\u{92}']),
            2 => prop::sample::select(vec!['\u{301}', '\u{308}', '\u{1100}', '\u{1161}', '\u{11a8}', '\u{ac00}', '\u{212b}', '\u{fb01}', '\u{b2}']),
            2 => any::<char>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn agrees_with_the_steps_on_mixed_lines(chars in prop::collection::vec(interesting_char(), 0..24), bits in 0..8u8) {
            let (pass, steps) = &normalizers()[bits as usize];
            let line: String = chars.into_iter().collect();
            if let Err(message) = check(pass, steps, &line) {
                prop_assert!(false, "{}", message);
            }
        }
    }
}
