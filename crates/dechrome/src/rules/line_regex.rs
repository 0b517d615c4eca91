//! Regexes compiled for the two questions the matcher asks of a line: does it match, and which
//! patterns of a set do. Only forward automata are built (a lazy DFA, and a PikeVM for the lines
//! where the lazy DFA gives up), so a regex costs one NFA instead of the forward and reverse
//! ones a general-purpose regex keeps to find where matches start; and each thread brings its
//! own [`LineRegexCache`]s instead of taking them from a shared pool on every call.

use regex_automata::hybrid;
use regex_automata::nfa::thompson::pikevm::{self, PikeVM};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{Input, MatchKind, PatternSet};
use regex_syntax::hir::{Class, Hir, HirKind};

/// A regex whose [`estimated_size`] is larger is refused before it is compiled: compiling takes
/// time and memory in proportion to the size, and a user regex such as `\w{1000}{1000}` would
/// take seconds and hundreds of MiB only to fail. The largest regex of the built-in pack is
/// estimated at a small fraction of this.
pub(crate) const MAX_ESTIMATED_SIZE: u64 = 2_000_000;

/// A quick upper estimate of the size of the automaton a regex compiles to (about one unit a
/// state): counted repetitions copy their operand, and a Unicode class costs a few states per
/// range for its UTF-8 sequences.
pub(crate) fn estimated_size(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 1,
        HirKind::Literal(literal) => literal.0.len() as u64,
        HirKind::Class(Class::Unicode(class)) => 4 * class.ranges().len() as u64,
        HirKind::Class(Class::Bytes(class)) => class.ranges().len() as u64,
        HirKind::Repetition(repetition) => {
            let copies = repetition.max.unwrap_or(repetition.min.saturating_add(1)).max(1);
            estimated_size(&repetition.sub).saturating_mul(u64::from(copies))
        }
        HirKind::Capture(capture) => estimated_size(&capture.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().map(estimated_size).fold(1, u64::saturating_add)
        }
    }
}

#[derive(Debug)]
pub(crate) struct LineRegex {
    dfa: hybrid::dfa::DFA,
    pikevm: PikeVM,
}

/// The mutable state of one thread's searches with one [`LineRegex`].
#[derive(Debug)]
pub(crate) struct LineRegexCache {
    dfa: hybrid::dfa::Cache,
    /// Made the first time the lazy DFA gives up: it takes memory in proportion to the NFA
    /// (dozens of bytes a state), and on most inputs it is never needed.
    pikevm: Option<pikevm::Cache>,
}

impl LineRegex {
    /// Compiles `patterns` (parsed regexes) into one automaton; `size_limit` bounds its NFA in
    /// bytes.
    pub(crate) fn new(patterns: &[Hir], size_limit: usize) -> Result<Self, String> {
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().nfa_size_limit(Some(size_limit)).which_captures(WhichCaptures::Implicit))
            .build_many_from_hir(patterns)
            .map_err(|e| e.to_string())?;
        let dfa = hybrid::dfa::Builder::new()
            .configure(
                hybrid::dfa::Config::new()
                    // Every pattern that matches, for sets.
                    .match_kind(MatchKind::All)
                    // A Unicode \b makes the search give up on non-ASCII text (the PikeVM then
                    // answers) instead of refusing to build.
                    .unicode_word_boundary(true)
                    // A cache cleared again and again with little progress is slower than the
                    // PikeVM: give up then.
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10)),
            )
            .build_from_nfa(nfa.clone())
            .map_err(|e| e.to_string())?;
        let pikevm = PikeVM::builder()
            .configure(PikeVM::config().match_kind(MatchKind::All))
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        Ok(Self { dfa, pikevm })
    }

    pub(crate) fn cache(&self) -> LineRegexCache {
        LineRegexCache { dfa: self.dfa.create_cache(), pikevm: None }
    }

    pub(crate) fn pattern_len(&self) -> usize {
        self.pikevm.pattern_len()
    }

    /// Whether any pattern matches `line`.
    pub(crate) fn is_match(&self, cache: &mut LineRegexCache, line: &str) -> bool {
        let input = Input::new(line).earliest(true);
        match self.dfa.try_search_fwd(&mut cache.dfa, &input) {
            Ok(found) => found.is_some(),
            Err(_) => self.pikevm.is_match(self.pikevm_cache(cache), input),
        }
    }

    /// Puts every pattern that matches `line` into `found` (cleared first).
    pub(crate) fn which_match(&self, cache: &mut LineRegexCache, line: &str, found: &mut PatternSet) {
        found.clear();
        let input = Input::new(line);
        if self.dfa.try_which_overlapping_matches(&mut cache.dfa, &input, found).is_err() {
            found.clear();
            self.pikevm.which_overlapping_matches(self.pikevm_cache(cache), &input, found);
        }
    }

    fn pikevm_cache<'c>(&self, cache: &'c mut LineRegexCache) -> &'c mut pikevm::Cache {
        cache.pikevm.get_or_insert_with(|| self.pikevm.create_cache())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_like_the_regex_crate() {
        let patterns = [r"(?i)^read (more|also):", r"\p{Ll}{2}\p{Lu}", r"(?-u:\b)cookies$", r"^\d+$", r"\bwort\b"];
        let hirs: Vec<Hir> = patterns.iter().map(|p| regex_syntax::parse(p).unwrap()).collect();
        let set = LineRegex::new(&hirs, 1 << 24).unwrap();
        let mut cache = set.cache();
        let mut found = PatternSet::new(set.pattern_len());
        let reference = regex::RegexSet::new(patterns).unwrap();
        let lines =
            ["READ MORE: x", "storiesEurope", "we use cookies", "123", "12a", "", "ein wort hier", "ü wort", "éwort"];
        for line in lines {
            set.which_match(&mut cache, line, &mut found);
            let expected: Vec<usize> = reference.matches(line).iter().collect();
            assert_eq!(found.iter().map(|p| p.as_usize()).collect::<Vec<_>>(), expected, "{line:?}");
            assert_eq!(set.is_match(&mut cache, line), !expected.is_empty(), "{line:?}");
        }
        assert!(LineRegex::new(&hirs, 100).is_err(), "an NFA over the size limit is an error");
    }
}
