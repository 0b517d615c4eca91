//! Compiled rules. A line is compared with all of them in about one pass:
//! - `exact` and `prefix` patterns, and the literals anchored regexes start with, share one
//!   [`PrefixTrie`] walked from the first byte;
//! - `contains` patterns and the literals of unanchored regexes share one Aho-Corasick automaton;
//! - a regex with such literals runs only on lines where one of them was found; the few regexes
//!   without any are grouped into `RegexSet`s by their guards.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind as AcMatchKind};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::features::LineFeatures;
use super::prefilter::RegexPrefilter;
use super::prefix_trie::{PatternId, PrefixTrie};
use crate::error::{Error, Result};
use crate::parallel::map_in_parallel;
use crate::rules::{Action, MatchKind, Rule, RuleSet, Zone};

/// Index of a rule in [`Matcher::rules`]; the last index is the duplicate-line pseudo-rule.
pub(crate) type RuleRef = u32;

/// What the classifier needs to know about a rule at run time.
#[derive(Debug, Clone)]
pub(crate) struct RuleInfo {
    pub id: String,
    pub category: String,
    pub zone: Zone,
    pub action: Action,
    max_chars: Option<usize>,
    skip_sentences: bool,
}

impl RuleInfo {
    /// The rule's guards allow it to fire on a line of this shape.
    fn allows(&self, features: &LineFeatures) -> bool {
        !(self.max_chars.is_some_and(|max| features.chars > max) || (self.skip_sentences && features.sentence))
    }
}

/// Unicode classes in many case-insensitive rules need more room than regex's 10 MiB default.
const REGEX_SIZE_LIMIT: usize = 256 * 1024 * 1024;

/// Id and category reported for lines dropped as repeats of an earlier line.
pub(crate) const DUPLICATE_RULE_ID: &str = "duplicate-line";
pub(crate) const DUPLICATE_CATEGORY: &str = "duplicate";

/// What a literal found in a line stands for.
#[derive(Debug)]
enum LiteralTarget {
    /// A literal rule's own pattern: `kind` says where it must be found.
    Rule { rule: RuleRef, kind: MatchKind, case_sensitive: bool, text: Box<str> },
    /// A required literal of the filtered regex at this index: the regex must now run.
    Regex(u32),
}

/// The best (lowest-index) rule that matched a line, per zone.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Matches {
    pub any: Option<RuleRef>,
    /// Applies only while the header zone is open.
    pub header: Option<RuleRef>,
    /// Applies only if the line ends up in the footer zone.
    pub footer: Option<RuleRef>,
}

impl Matches {
    fn add(&mut self, rule: RuleRef, zone: Zone) {
        let slot = match zone {
            Zone::Any => &mut self.any,
            Zone::Header => &mut self.header,
            Zone::Footer => &mut self.footer,
        };
        if slot.is_none_or(|current| rule < current) {
            *slot = Some(rule);
        }
    }

    /// The rule that applies right away.
    pub(crate) fn now(&self, in_header: bool) -> Option<RuleRef> {
        match (self.any, self.header.filter(|_| in_header)) {
            (Some(a), Some(h)) => Some(a.min(h)),
            (a, h) => a.or(h),
        }
    }
}

/// Reusable per-thread buffer for [`Matcher::find`].
#[derive(Debug, Default)]
pub(crate) struct MatchScratch {
    regex_candidates: Vec<u32>,
}

#[derive(Debug)]
struct FilteredRegex {
    rule: RuleRef,
    regex: Regex,
}

/// Unfiltered regex rules that share a length tier and a sentence guard, compiled into one set.
#[derive(Debug)]
struct RegexGroup {
    set: RegexSet,
    rules: Vec<RuleRef>,
    /// No rule in the group fires on a line longer than this many characters.
    max_chars: usize,
    /// Every rule in the group skips sentence-shaped lines.
    skips_sentences: bool,
}

/// Length tiers for grouping regex rules: most chrome is short, most prose is long.
const REGEX_TIERS: [usize; 4] = [40, 120, 300, usize::MAX];

fn regex_tier(max_chars: Option<usize>) -> usize {
    let max = max_chars.unwrap_or(usize::MAX);
    REGEX_TIERS.iter().position(|&tier| max <= tier).unwrap_or(REGEX_TIERS.len() - 1)
}

/// A guard in characters allows at most four times as many UTF-8 bytes.
fn guard_bytes(max_chars: Option<usize>) -> usize {
    max_chars.map_or(usize::MAX, |n| n.saturating_mul(4))
}

fn regex_source(rule: &Rule, pattern: &str) -> String {
    if rule.case_sensitive { pattern.to_string() } else { format!("(?i){pattern}") }
}

fn rule_error(rule: &Rule, message: String) -> Error {
    Error::Rules { source_name: rule.source.clone(), rule_id: Some(rule.id.clone()), message }
}

#[derive(Debug)]
pub(crate) struct Matcher {
    rules: Vec<RuleInfo>,
    start_trie: PrefixTrie,
    start_targets: Vec<LiteralTarget>,
    anywhere: Option<AhoCorasick>,
    anywhere_targets: Vec<LiteralTarget>,
    /// Lines longer than this many bytes cannot satisfy any `contains` or unanchored-regex guard.
    anywhere_scan_bytes: usize,
    filtered_regexes: Vec<FilteredRegex>,
    regex_groups: Vec<RegexGroup>,
}

/// Collects the pieces of a [`Matcher`] while the rules are read.
#[derive(Default)]
struct MatcherParts {
    start_trie: PrefixTrie,
    start_targets: Vec<LiteralTarget>,
    anywhere_literals: Vec<Vec<u8>>,
    anywhere_targets: Vec<LiteralTarget>,
    anywhere_scan_bytes: usize,
    filtered_regexes: Vec<FilteredRegex>,
    unfiltered: Vec<UnfilteredBucket>,
}

/// Unfiltered regexes sharing a length tier and a sentence guard: one future `RegexGroup`.
struct UnfilteredBucket {
    tier: usize,
    /// The longest guard of its rules, in characters (`usize::MAX`: some rule has none).
    max_chars: usize,
    skips_sentences: bool,
    sources: Vec<String>,
    rules: Vec<RuleRef>,
}

impl MatcherParts {
    fn add_start(&mut self, literal: &[u8], target: LiteralTarget) -> Result<()> {
        let id = PatternId::try_from(self.start_targets.len())
            .map_err(|_| Error::Setting(format!("too many patterns ({})", self.start_targets.len())))?;
        self.start_trie.insert(literal, id);
        self.start_targets.push(target);
        Ok(())
    }

    fn add_anywhere(&mut self, literal: Vec<u8>, target: LiteralTarget, guard: Option<usize>) {
        self.anywhere_scan_bytes = self.anywhere_scan_bytes.max(guard_bytes(guard));
        self.anywhere_literals.push(literal);
        self.anywhere_targets.push(target);
    }

    fn add_regex(&mut self, rule: &Rule, rule_ref: RuleRef, compiled: CompiledRegex) -> Result<()> {
        let CompiledRegex { source, prefilter, regex } = compiled;
        let Some(regex) = regex else {
            let (tier, skips_sentences) = (regex_tier(rule.max_chars), rule.skip_sentences);
            let max_chars = rule.max_chars.unwrap_or(usize::MAX);
            match self.unfiltered.iter_mut().find(|b| b.tier == tier && b.skips_sentences == skips_sentences) {
                Some(bucket) => {
                    bucket.max_chars = bucket.max_chars.max(max_chars);
                    bucket.sources.push(source);
                    bucket.rules.push(rule_ref);
                }
                None => self.unfiltered.push(UnfilteredBucket {
                    tier,
                    max_chars,
                    skips_sentences,
                    sources: vec![source],
                    rules: vec![rule_ref],
                }),
            }
            return Ok(());
        };
        let index = u32::try_from(self.filtered_regexes.len())
            .map_err(|_| rule_error(rule, "too many regex patterns".into()))?;
        self.filtered_regexes.push(FilteredRegex { rule: rule_ref, regex });
        match prefilter {
            RegexPrefilter::AtStart(literals) => {
                for literal in literals {
                    self.add_start(&literal, LiteralTarget::Regex(index))?;
                }
            }
            RegexPrefilter::Anywhere(literals) => {
                for literal in literals {
                    self.add_anywhere(literal, LiteralTarget::Regex(index), rule.max_chars);
                }
            }
            RegexPrefilter::Unfiltered => {}
        }
        Ok(())
    }
}

/// A regex rule pattern, analysed and (unless it has no literal prefilter and so joins a
/// group) compiled.
struct CompiledRegex {
    source: String,
    prefilter: RegexPrefilter,
    regex: Option<Regex>,
}

fn compile_regex(rule: &Rule, pattern: &str) -> Result<CompiledRegex> {
    let source = regex_source(rule, pattern);
    let parse = |folded: bool| {
        regex_syntax::ParserBuilder::new()
            .case_insensitive(folded)
            .build()
            .parse(pattern)
            .map_err(|e| rule_error(rule, format!("invalid regex {pattern:?}: {e}")))
    };
    let folded = if rule.case_sensitive { None } else { Some(parse(true)?) };
    let prefilter = RegexPrefilter::of(&parse(false)?, folded.as_ref());
    let regex = if prefilter == RegexPrefilter::Unfiltered {
        None
    } else {
        let regex = RegexBuilder::new(&source)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| rule_error(rule, format!("cannot compile regex {pattern:?}: {e}")))?;
        Some(regex)
    };
    Ok(CompiledRegex { source, prefilter, regex })
}

impl Matcher {
    pub(crate) fn new(rules: &RuleSet, threads: usize) -> Result<Self> {
        let regex_patterns: Vec<(&Rule, &str)> = rules
            .iter()
            .filter(|rule| rule.kind == MatchKind::Regex)
            .flat_map(|rule| rule.patterns.iter().map(move |pattern| (rule, pattern.as_str())))
            .collect();
        // Compiling regexes is most of the start-up time, and each is independent of the others.
        let mut compiled_regexes =
            map_in_parallel(&regex_patterns, threads, |&(rule, pattern)| compile_regex(rule, pattern)).into_iter();
        let mut infos = Vec::with_capacity(rules.len() + 1);
        let mut parts = MatcherParts::default();
        for (index, rule) in rules.iter().enumerate() {
            let rule_ref = RuleRef::try_from(index)
                .map_err(|_| Error::Setting(format!("too many rules ({})", rules.len())))?;
            for pattern in &rule.patterns {
                let literal = || LiteralTarget::Rule {
                    rule: rule_ref,
                    kind: rule.kind,
                    case_sensitive: rule.case_sensitive,
                    text: pattern.as_str().into(),
                };
                match rule.kind {
                    MatchKind::Regex => {
                        // One result per regex pattern, in this order, by construction.
                        let compiled = compiled_regexes.next().expect("a compiled regex per pattern")?;
                        parts.add_regex(rule, rule_ref, compiled)?;
                    }
                    MatchKind::Contains => {
                        parts.add_anywhere(pattern.as_bytes().to_vec(), literal(), rule.max_chars);
                    }
                    MatchKind::Exact | MatchKind::Prefix => parts.add_start(pattern.as_bytes(), literal())?,
                }
            }
            infos.push(RuleInfo {
                id: rule.id.clone(),
                category: rule.category.clone(),
                zone: rule.zone,
                action: rule.action,
                max_chars: rule.max_chars,
                skip_sentences: rule.skip_sentences,
            });
        }
        infos.push(RuleInfo {
            id: DUPLICATE_RULE_ID.into(),
            category: DUPLICATE_CATEGORY.into(),
            zone: Zone::Any,
            action: Action::DropLine,
            max_chars: None,
            skip_sentences: false,
        });
        if RuleRef::try_from(infos.len()).is_err() {
            return Err(Error::Setting(format!("too many rules ({})", rules.len())));
        }
        let anywhere = if parts.anywhere_literals.is_empty() {
            None
        } else {
            let built = AhoCorasickBuilder::new()
                .match_kind(AcMatchKind::Standard)
                .ascii_case_insensitive(true)
                // Scanned over most short lines: a DFA (a few hundred KiB) is the fastest scan.
                .kind(Some(AhoCorasickKind::DFA))
                .build(&parts.anywhere_literals)
                .map_err(|e| Error::Setting(format!("cannot build the literal matcher: {e}")))?;
            Some(built)
        };
        let mut regex_groups = Vec::with_capacity(parts.unfiltered.len());
        for UnfilteredBucket { max_chars, skips_sentences, sources, rules, .. } in parts.unfiltered {
            let set = RegexSetBuilder::new(&sources)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| Error::Setting(format!("cannot build the regex set: {e}")))?;
            regex_groups.push(RegexGroup { set, rules, max_chars, skips_sentences });
        }
        Ok(Self {
            rules: infos,
            start_trie: parts.start_trie,
            start_targets: parts.start_targets,
            anywhere,
            anywhere_targets: parts.anywhere_targets,
            anywhere_scan_bytes: parts.anywhere_scan_bytes,
            filtered_regexes: parts.filtered_regexes,
            regex_groups,
        })
    }

    pub(crate) fn rule(&self, rule: RuleRef) -> &RuleInfo {
        &self.rules[rule as usize]
    }

    pub(crate) fn duplicate_rule(&self) -> RuleRef {
        // `new` pushes the pseudo-rule last and checked that every index fits.
        (self.rules.len() - 1) as RuleRef
    }

    pub(crate) fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Finds the rules that fire on `view` (the line's match view), whatever the zone.
    pub(crate) fn find(&self, view: &str, features: &LineFeatures, scratch: &mut MatchScratch) -> Matches {
        let mut matches = Matches::default();
        let bytes = view.as_bytes();
        let candidates = &mut scratch.regex_candidates;
        candidates.clear();
        let mut on_literal = |target: &LiteralTarget, start: usize, end: usize| match *target {
            LiteralTarget::Rule { rule, kind, case_sensitive, ref text } => {
                let placed = match kind {
                    MatchKind::Exact => start == 0 && end == bytes.len(),
                    MatchKind::Prefix => start == 0,
                    MatchKind::Contains | MatchKind::Regex => true,
                };
                let info = &self.rules[rule as usize];
                if placed && (!case_sensitive || &bytes[start..end] == text.as_bytes()) && info.allows(features) {
                    matches.add(rule, info.zone);
                }
            }
            LiteralTarget::Regex(index) => candidates.push(index),
        };
        self.start_trie.for_each_prefix_of(bytes, |id, len| on_literal(&self.start_targets[id as usize], 0, len));
        if let Some(anywhere) = &self.anywhere
            && bytes.len() <= self.anywhere_scan_bytes
        {
            for m in anywhere.find_overlapping_iter(bytes) {
                on_literal(&self.anywhere_targets[m.pattern().as_usize()], m.start(), m.end());
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        for &index in candidates.iter() {
            let filtered = &self.filtered_regexes[index as usize];
            let info = &self.rules[filtered.rule as usize];
            if info.allows(features) && filtered.regex.is_match(view) {
                matches.add(filtered.rule, info.zone);
            }
        }
        for group in &self.regex_groups {
            if features.chars > group.max_chars || (group.skips_sentences && features.sentence) {
                continue;
            }
            for index in group.set.matches(view).iter() {
                let rule = group.rules[index];
                let info = &self.rules[rule as usize];
                if info.allows(features) {
                    matches.add(rule, info.zone);
                }
            }
        }
        matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::match_view;
    use crate::normalize::{NormalizeOptions, Normalizer, Scratch};

    /// Every rule checked on its own, without trie, automaton or prefilters.
    fn reference_find(rules: &RuleSet, regexes: &[Vec<Regex>], view: &str, features: &LineFeatures) -> Matches {
        let mut matches = Matches::default();
        let lower = view.to_ascii_lowercase();
        for (index, rule) in rules.iter().enumerate() {
            let hit = rule.patterns.iter().zip(0..).any(|(pattern, nth)| {
                let same_case = |found: bool| found && (!rule.case_sensitive || view.contains(pattern.as_str()));
                let pattern_lower = pattern.to_ascii_lowercase();
                match rule.kind {
                    MatchKind::Exact => same_case(lower == pattern_lower) && (!rule.case_sensitive || view == pattern),
                    MatchKind::Prefix => {
                        same_case(lower.starts_with(&pattern_lower)) && (!rule.case_sensitive || view.starts_with(pattern.as_str()))
                    }
                    MatchKind::Contains => same_case(lower.contains(&pattern_lower)),
                    MatchKind::Regex => regexes[index][nth].is_match(view),
                }
            });
            let info = RuleInfo {
                id: String::new(),
                category: String::new(),
                zone: rule.zone,
                action: rule.action,
                max_chars: rule.max_chars,
                skip_sentences: rule.skip_sentences,
            };
            if hit && info.allows(features) {
                matches.add(index as RuleRef, rule.zone);
            }
        }
        matches
    }

    /// The trie, the automaton and the regex prefilters only skip work: on every line of the
    /// fixtures (and of the development pages, when they are beside the repository) the
    /// matcher finds exactly the rules that checking each rule on its own finds.
    #[test]
    fn prefilters_never_change_what_matches() {
        let rules = RuleSet::builtin().unwrap();
        let matcher = Matcher::new(&rules, 2).unwrap();
        let regexes: Vec<Vec<Regex>> = rules
            .iter()
            .map(|rule| match rule.kind {
                MatchKind::Regex => rule.patterns.iter().map(|p| Regex::new(&regex_source(rule, p)).unwrap()).collect(),
                _ => Vec::new(),
            })
            .collect();
        let normalizer = Normalizer::new(NormalizeOptions::default());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = std::fs::read_dir(root.join("fixtures"))
            .unwrap()
            .map(|entry| entry.unwrap().path().join("input.txt"))
            .collect();
        if let Ok(pages) = std::fs::read_dir(root.join("../shared/data/aeb-dev")) {
            files.extend(pages.map(|entry| entry.unwrap().path()));
        }
        let (mut scratch, mut normalized, mut view_buffer) = (Scratch::default(), String::new(), String::new());
        let mut match_scratch = MatchScratch::default();
        let mut checked = 0;
        for file in files {
            let Ok(bytes) = std::fs::read(&file) else { continue };
            for line in String::from_utf8_lossy(&bytes).lines() {
                normalizer.normalize_into(line, &mut scratch, &mut normalized);
                if normalized.is_empty() {
                    continue;
                }
                let features = LineFeatures::of(&normalized);
                let view = match_view(&normalized, &mut view_buffer);
                let expected = reference_find(&rules, &regexes, view, &features);
                assert_eq!(matcher.find(view, &features, &mut match_scratch), expected, "{file:?}: {view:?}");
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} lines checked");
    }
}
