//! Compiled rules. A line is compared with all of them in about one pass:
//! - `exact` and `prefix` patterns, and the literals anchored regexes start with, share one
//!   [`PrefixTrie`] walked from the first byte;
//! - `contains` patterns and the literals found inside regexes share Aho-Corasick automata, one
//!   per length tier and sentence shape of the line, each with only the literals whose rules'
//!   guards let them fire on such a line: long prose lines scan few literals or none;
//! - a regex with such literals runs only on lines where one of them was found; the few regexes
//!   without any are grouped into `RegexSet`s by their guards.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind as AcMatchKind, packed};
use std::sync::atomic::{AtomicU64, Ordering};

use memchr::memmem::Finder;
use regex_automata::PatternSet;

use regex_syntax::hir::Hir;

use super::line_regex::{LineRegex, LineRegexCache, MAX_ESTIMATED_SIZE, estimated_size};
use super::prefilter::{ByteSet, RegexPrefilter, byte_frequency};
use super::prefix_trie::{PatternId, PrefixTrie, PrefixTrieBuilder};
use super::{Action, MatchKind, Rule, RuleSet, Zone};
use crate::error::{Error, Result};
use crate::parallel::{join_beside, map_in_parallel};
use crate::shape::LineShape;

/// Index of a rule in its [`RuleSet`] (and in the matcher).
pub(crate) type RuleRef = u32;

/// What matching needs to know about a rule: where it fires and its guards.
#[derive(Debug, Clone)]
struct RuleInfo {
    zone: Zone,
    max_chars: Option<usize>,
    skip_sentences: bool,
}

impl RuleInfo {
    fn of(rule: &Rule) -> Self {
        Self { zone: rule.zone, max_chars: rule.max_chars, skip_sentences: rule.skip_sentences }
    }

    /// The rule's guards allow it to fire on a line of this shape.
    fn allows(&self, shape: &LineShape) -> bool {
        !(self.max_chars.is_some_and(|max| shape.chars > max) || (self.skip_sentences && shape.sentence))
    }
}

/// Unicode classes in many case-insensitive rules need more room than regex's 10 MiB default.
const REGEX_SIZE_LIMIT: usize = 256 * 1024 * 1024;

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

    /// Adds the rules found in `other` (the same line seen another way).
    pub(crate) fn merge(&mut self, other: Matches) {
        for (slot, found) in
            [(&mut self.any, other.any), (&mut self.header, other.header), (&mut self.footer, other.footer)]
        {
            if let Some(rule) = found
                && slot.is_none_or(|current| rule < current)
            {
                *slot = Some(rule);
            }
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
    /// The ASCII-lowercased line the literal automata scan.
    lowered: Vec<u8>,
    regex_caches: Option<RegexCaches>,
}

impl RegexCaches {
    /// The caches in `slot` if they were made for `matcher`, or new ones.
    fn for_matcher<'s>(slot: &'s mut Option<RegexCaches>, matcher: &Matcher) -> &'s mut RegexCaches {
        if slot.as_ref().is_some_and(|caches| caches.matcher != matcher.id) {
            *slot = None;
        }
        slot.get_or_insert_with(|| RegexCaches {
            matcher: matcher.id,
            filtered: matcher.filtered_regexes.iter().map(|_| None).collect(),
            groups: matcher.regex_groups.iter().map(|_| None).collect(),
            found: PatternSet::new(matcher.regex_groups.iter().map(|g| g.set.pattern_len()).max().unwrap_or(0)),
        })
    }
}

/// One thread's caches for a matcher's regexes, each made when first needed.
#[derive(Debug)]
struct RegexCaches {
    /// The [`Matcher::id`] they were made for.
    matcher: u64,
    filtered: Vec<Option<LineRegexCache>>,
    groups: Vec<Option<LineRegexCache>>,
    /// Patterns of a group that matched.
    found: PatternSet,
}

/// Gives each matcher its own [`Matcher::id`].
static NEXT_MATCHER_ID: AtomicU64 = AtomicU64::new(0);

/// A filtered regex that runs on the lines containing one of a few rare bytes.
#[derive(Debug)]
struct ByteFilter {
    /// One to three bytes (one memchr pass).
    bytes: Vec<u8>,
    /// Index in [`Matcher::filtered_regexes`].
    regex: u32,
}

impl ByteFilter {
    fn found_in(&self, line: &[u8]) -> bool {
        match *self.bytes.as_slice() {
            [a] => memchr::memchr(a, line).is_some(),
            [a, b] => memchr::memchr2(a, b, line).is_some(),
            [a, b, c] => memchr::memchr3(a, b, c, line).is_some(),
            // More bytes are never asked for; checking each keeps the answer right anyway.
            ref bytes => bytes.iter().any(|&byte| memchr::memchr(byte, line).is_some()),
        }
    }
}

#[derive(Debug)]
struct FilteredRegex {
    rule: RuleRef,
    regex: LineRegex,
}

/// Unfiltered regex rules that share a length tier, a sentence guard and whether they may start
/// with any byte, compiled into one set.
#[derive(Debug)]
struct RegexGroup {
    set: LineRegex,
    rules: Vec<RuleRef>,
    /// Lines starting with another byte cannot match: most lines skip a group of anchored
    /// regexes without running it.
    first_bytes: ByteSet,
    /// The same for the last byte, when every regex of the group is anchored with `$`.
    last_bytes: ByteSet,
    /// No rule in the group fires on a line longer than this many characters.
    max_chars: usize,
    /// Every rule in the group skips sentence-shaped lines.
    skips_sentences: bool,
}

/// Length tiers for grouping regex rules: most chrome is short, most prose is long.
const REGEX_TIERS: [usize; 4] = [40, 120, 300, usize::MAX];

/// Upper bounds, in characters, of the line length tiers that each have their own literal
/// automata (lines longer than the last one form a last tier). Most rules of the default pack
/// fire only on lines up to 120 characters, few on lines up to 250 or 400, none on longer.
const LITERAL_TIERS: [usize; 3] = [120, 250, 400];

fn regex_tier(max_chars: Option<usize>) -> usize {
    let max = max_chars.unwrap_or(usize::MAX);
    REGEX_TIERS.iter().position(|&tier| max <= tier).unwrap_or(REGEX_TIERS.len() - 1)
}

fn rule_error(rule: &Rule, message: String) -> Error {
    Error::Rules { source_name: rule.source.clone(), rule_id: Some(rule.id.clone()), message }
}

/// An error of the rules as a whole (too many of them for the automata): names every pack.
fn pack_error(rules: &RuleSet, message: String) -> Error {
    let mut sources: Vec<&str> = rules.iter().map(|rule| rule.source.as_str()).collect();
    sources.dedup();
    Error::Rules { source_name: sources.join(", "), rule_id: None, message }
}

#[derive(Debug)]
pub(crate) struct Matcher {
    /// Tells apart the matchers a [`MatchScratch`] may be used with.
    id: u64,
    rules: Vec<RuleInfo>,
    /// The rules before this index are keep rules (a [`RuleSet`] puts them first).
    keep_rules: RuleRef,
    start_trie: PrefixTrie,
    start_targets: Vec<LiteralTarget>,
    /// By line length, ascending; the last tier has no upper bound.
    literal_tiers: Vec<LiteralTier>,
    anywhere_targets: Vec<LiteralTarget>,
    filtered_regexes: Vec<FilteredRegex>,
    byte_filtered: Vec<ByteFilter>,
    regex_groups: Vec<RegexGroup>,
}

/// Collects the pieces of a [`Matcher`] while the rules are read.
#[derive(Default)]
struct MatcherParts {
    start_trie: PrefixTrieBuilder,
    start_targets: Vec<LiteralTarget>,
    anywhere_literals: Vec<AnywhereLiteral>,
    anywhere_targets: Vec<LiteralTarget>,
    filtered_regexes: Vec<FilteredRegex>,
    byte_filtered: Vec<ByteFilter>,
    unfiltered: Vec<UnfilteredBucket>,
}

/// A literal that may occur anywhere in a line, with the guards of its rule.
struct AnywhereLiteral {
    /// ASCII-lowercased: automata scan the ASCII-lowercased line.
    lowered: Vec<u8>,
    max_chars: Option<usize>,
    skips_sentences: bool,
}

/// The literal automata for lines of one length tier.
#[derive(Debug)]
struct LiteralTier {
    /// Longest line of the tier, in characters.
    max_chars: usize,
    /// For lines that read like sentences: without the literals of rules that skip those.
    sentence: Option<LiteralScanner>,
    other: Option<LiteralScanner>,
}

impl LiteralTier {
    fn scanner(&self, sentence: bool) -> Option<&LiteralScanner> {
        if sentence { self.sentence.as_ref() } else { self.other.as_ref() }
    }
}

/// An automaton over some of the "anywhere" literals.
#[derive(Debug)]
struct LiteralScanner {
    automaton: AhoCorasick,
    /// For a few literals, where the first of them may start: the automaton (which finds
    /// overlapping matches, and so has no SIMD prefilter) runs only from there, and on most
    /// lines not at all.
    rare_pieces: Option<RarePieces>,
    /// For each pattern of the automaton, its index in [`Matcher::anywhere_targets`].
    targets: Vec<u32>,
}

/// SIMD searches for a rare piece of each of a few literals (see [`rare_piece`]).
#[derive(Debug)]
struct RarePieces {
    /// The pieces of three bytes or more: Teddy keys on as many leading bytes as its shortest
    /// piece has (up to three), and two-byte keys match far more often in prose.
    long: Option<packed::Searcher>,
    /// The few shorter pieces, each searched on its own.
    short: Vec<Finder<'static>>,
    /// The furthest a literal's rare piece starts from the literal's own start.
    reach: usize,
}

/// More short pieces than this and they join the long ones in one search.
const MAX_SHORT_PIECES: usize = 2;

impl RarePieces {
    /// `None` when there are too many pieces for a SIMD search.
    fn new(pieces: &[(usize, &[u8])]) -> Option<Self> {
        let reach = pieces.iter().map(|&(offset, _)| offset).max().unwrap_or(0);
        let (short, long): (Vec<&[u8]>, Vec<&[u8]>) = pieces.iter().map(|&(_, piece)| piece).partition(|p| p.len() < 3);
        let searcher = |pieces: &[&[u8]]| {
            packed::Config::new().match_kind(packed::MatchKind::LeftmostFirst).builder().extend(pieces).build()
        };
        if short.len() > MAX_SHORT_PIECES {
            let all: Vec<&[u8]> = pieces.iter().map(|&(_, piece)| piece).collect();
            return Some(Self { long: Some(searcher(&all)?), short: Vec::new(), reach });
        }
        let long = if long.is_empty() { None } else { Some(searcher(&long)?) };
        Some(Self { long, short: short.iter().map(|piece| Finder::new(piece).into_owned()).collect(), reach })
    }

    /// Where in `line` the first literal may start; `None` if none occurs.
    fn earliest_start(&self, line: &[u8]) -> Option<usize> {
        let long = self.long.as_ref().and_then(|searcher| searcher.find(line)).map(|m| m.start());
        let short = self.short.iter().filter_map(|finder| finder.find(line));
        long.into_iter().chain(short).min().map(|at| at.saturating_sub(self.reach))
    }
}

/// The most literal bytes scanned by a DFA (about 100 times the built-in packs').
const MAX_DFA_PATTERN_BYTES: usize = 256 * 1024;

impl LiteralScanner {
    /// The scanner over the literals that `keep` selects; `None` if it selects none.
    fn of(literals: &[AnywhereLiteral], keep: impl Fn(&AnywhereLiteral) -> bool) -> Result<Option<Self>, String> {
        let (mut patterns, mut targets) = (Vec::new(), Vec::new());
        for (index, literal) in (0u32..).zip(literals).filter(|(_, literal)| keep(literal)) {
            patterns.push(literal.lowered.as_slice());
            targets.push(index);
        }
        if patterns.is_empty() {
            return Ok(None);
        }
        // Case-sensitive literals over the lowercased line, rather than an ASCII case-insensitive
        // automaton: the SIMD search knows no case. Without it (too many literals, as for short
        // lines), a DFA is the fastest scan.
        let pieces: Vec<(usize, &[u8])> = patterns.iter().map(|literal| rare_piece(literal)).collect();
        let rare_pieces = RarePieces::new(&pieces);
        // A DFA takes a table row per pattern byte, and time to fill it that grows faster than the
        // patterns for repetitive ones: past a size, the compact automaton is built instead.
        let pattern_bytes: usize = patterns.iter().map(|literal| literal.len()).sum();
        let kind =
            if pattern_bytes <= MAX_DFA_PATTERN_BYTES { AhoCorasickKind::DFA } else { AhoCorasickKind::ContiguousNFA };
        let automaton = AhoCorasickBuilder::new()
            .match_kind(AcMatchKind::Standard)
            .kind(Some(kind))
            .build(&patterns)
            .map_err(|e| format!("cannot build the literal automaton: {e}"))?;
        Ok(Some(Self { automaton, rare_pieces, targets }))
    }
}

/// The piece of `literal` (ASCII-lowercased) a SIMD search looks for, and where it starts in
/// the literal: up to four bytes from its rarest byte pair, so the search, which keys on a
/// piece's first bytes, stops at few places in prose.
fn rare_piece(literal: &[u8]) -> (usize, &[u8]) {
    let pair_frequency = |at: usize| byte_frequency(literal[at]) * byte_frequency(literal[at + 1]);
    let start = (0..literal.len().saturating_sub(1))
        .min_by(|&a, &b| pair_frequency(a).total_cmp(&pair_frequency(b)))
        .unwrap_or(0);
    (start, &literal[start..literal.len().min(start + 4)])
}

/// Unfiltered regexes sharing a length tier, a sentence guard and whether they may start with
/// any byte: one future `RegexGroup`.
struct UnfilteredBucket {
    tier: usize,
    first_bytes: ByteSet,
    last_bytes: ByteSet,
    /// The longest guard of its rules, in characters (`usize::MAX`: some rule has none).
    max_chars: usize,
    skips_sentences: bool,
    /// The regexes as they run (case folded for case-insensitive rules), as written, and
    /// their rules.
    hirs: Vec<Hir>,
    patterns: Vec<String>,
    rules: Vec<RuleRef>,
}

impl UnfilteredBucket {
    /// The group's regex set. When it cannot be built (a user regex too large, say), the rule
    /// to blame is found by building each of its regexes alone.
    fn compile(&self, rules: &RuleSet) -> Result<LineRegex> {
        LineRegex::new(&self.hirs, REGEX_SIZE_LIMIT).map_err(|set_error| {
            let blamed =
                self.hirs.iter().zip(&self.patterns).zip(&self.rules).find_map(|((hir, pattern), &rule_ref)| {
                    let rule = rules.get(rule_ref as usize)?;
                    let error = LineRegex::new(std::slice::from_ref(hir), REGEX_SIZE_LIMIT).err()?;
                    Some(rule_error(rule, format!("cannot compile regex {pattern:?}: {error}")))
                });
            blamed.unwrap_or_else(|| {
                let ids: Vec<&str> =
                    self.rules.iter().filter_map(|&rule| rules.get(rule as usize)).map(|r| r.id.as_str()).collect();
                pack_error(
                    rules,
                    format!("cannot compile the regexes of rules {} together: {set_error}", ids.join(", ")),
                )
            })
        })
    }
}

impl MatcherParts {
    fn add_start(&mut self, literal: &[u8], target: LiteralTarget, rule: &Rule) -> Result<()> {
        let id = PatternId::try_from(self.start_targets.len())
            .map_err(|_| rule_error(rule, format!("too many patterns ({})", self.start_targets.len())))?;
        self.start_trie.insert(literal, id);
        self.start_targets.push(target);
        Ok(())
    }

    fn add_anywhere(&mut self, literal: &[u8], target: LiteralTarget, rule: &Rule) -> Result<()> {
        if u32::try_from(self.anywhere_targets.len()).is_err() {
            return Err(rule_error(rule, format!("too many patterns ({})", self.anywhere_targets.len())));
        }
        self.anywhere_literals.push(AnywhereLiteral {
            lowered: literal.to_ascii_lowercase(),
            max_chars: rule.max_chars,
            skips_sentences: rule.skip_sentences,
        });
        self.anywhere_targets.push(target);
        Ok(())
    }

    /// The literal automata of each length tier: a tier's automata hold the literals whose
    /// rules may fire on some line of the tier.
    fn literal_tiers(&self) -> Result<Vec<LiteralTier>, String> {
        let bounds = LITERAL_TIERS.iter().copied().chain([usize::MAX]);
        let mut shortest = 0;
        let mut tiers = Vec::with_capacity(LITERAL_TIERS.len() + 1);
        for max_chars in bounds {
            let fits = |literal: &AnywhereLiteral| literal.max_chars.is_none_or(|max| max >= shortest);
            tiers.push(LiteralTier {
                max_chars,
                sentence: LiteralScanner::of(&self.anywhere_literals, |l| fits(l) && !l.skips_sentences)?,
                other: LiteralScanner::of(&self.anywhere_literals, fits)?,
            });
            shortest = max_chars.saturating_add(1);
        }
        Ok(tiers)
    }

    fn add_regex(&mut self, rule: &Rule, rule_ref: RuleRef, pattern: &str, compiled: CompiledRegex) -> Result<()> {
        let CompiledRegex { hir, prefilter, first_bytes, last_bytes, regex } = compiled;
        let Some(regex) = regex else {
            let (tier, skips_sentences) = (regex_tier(rule.max_chars), rule.skip_sentences);
            let max_chars = rule.max_chars.unwrap_or(usize::MAX);
            // Regexes that may start with any byte go apart, so they do not make the others run
            // on every line.
            let any_start = first_bytes == ByteSet::ALL;
            let bucket = self.unfiltered.iter_mut().find(|b| {
                b.tier == tier && b.skips_sentences == skips_sentences && (b.first_bytes == ByteSet::ALL) == any_start
            });
            match bucket {
                Some(bucket) => {
                    bucket.max_chars = bucket.max_chars.max(max_chars);
                    bucket.first_bytes.add(&first_bytes);
                    bucket.last_bytes.add(&last_bytes);
                    bucket.hirs.push(hir);
                    bucket.patterns.push(pattern.to_string());
                    bucket.rules.push(rule_ref);
                }
                None => self.unfiltered.push(UnfilteredBucket {
                    tier,
                    first_bytes,
                    last_bytes,
                    max_chars,
                    skips_sentences,
                    hirs: vec![hir],
                    patterns: vec![pattern.to_string()],
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
                    self.add_start(&literal, LiteralTarget::Regex(index), rule)?;
                }
            }
            RegexPrefilter::Anywhere(literals) => {
                for literal in literals {
                    self.add_anywhere(&literal, LiteralTarget::Regex(index), rule)?;
                }
            }
            RegexPrefilter::AnyByte(bytes) => self.byte_filtered.push(ByteFilter { bytes, regex: index }),
            RegexPrefilter::Unfiltered => {}
        }
        Ok(())
    }
}

/// A regex rule pattern, analysed and (unless it has no literal prefilter and so joins a
/// group) compiled.
struct CompiledRegex {
    /// The regex as it runs: case folded for a case-insensitive rule.
    hir: Hir,
    prefilter: RegexPrefilter,
    first_bytes: ByteSet,
    last_bytes: ByteSet,
    regex: Option<LineRegex>,
}

fn compile_regex(rule: &Rule, pattern: &str) -> Result<CompiledRegex> {
    let parse = |folded: bool| {
        regex_syntax::ParserBuilder::new()
            .case_insensitive(folded)
            .build()
            .parse(pattern)
            .map_err(|e| rule_error(rule, format!("invalid regex {pattern:?}: {e}")))
    };
    let folded = if rule.case_sensitive { None } else { Some(parse(true)?) };
    let unfolded = parse(false)?;
    let size = estimated_size(folded.as_ref().unwrap_or(&unfolded));
    if size > MAX_ESTIMATED_SIZE {
        let message = format!(
            "regex {pattern:?} is too large: about {size} automaton states (at most {MAX_ESTIMATED_SIZE}); bound its repetitions or make it case-sensitive"
        );
        return Err(rule_error(rule, message));
    }
    let prefilter = RegexPrefilter::of(&unfolded, folded.as_ref());
    let hir = folded.unwrap_or(unfolded);
    let first_bytes = ByteSet::first_of(&hir);
    let last_bytes = ByteSet::last_of(&hir);
    let regex = if prefilter == RegexPrefilter::Unfiltered {
        None
    } else {
        let regex = LineRegex::new(std::slice::from_ref(&hir), REGEX_SIZE_LIMIT)
            .map_err(|e| rule_error(rule, format!("cannot compile regex {pattern:?}: {e}")))?;
        Some(regex)
    };
    Ok(CompiledRegex { hir, prefilter, first_bytes, last_bytes, regex })
}

impl Matcher {
    pub(crate) fn new(rules: &RuleSet, threads: usize) -> Result<Self> {
        if RuleRef::try_from(rules.len()).is_err() {
            return Err(pack_error(rules, format!("too many rules ({})", rules.len())));
        }
        let regex_patterns: Vec<(&Rule, &str)> = rules
            .iter()
            .filter(|rule| rule.kind == MatchKind::Regex)
            .flat_map(|rule| rule.patterns.iter().map(move |pattern| (rule, pattern.as_str())))
            .collect();
        // Compiling regexes is most of the start-up time, and each is independent of the others.
        let compiled_regexes =
            map_in_parallel(&regex_patterns, threads, |&(rule, pattern)| compile_regex(rule, pattern));
        let mut compiled_regexes = compiled_regexes.into_iter();
        let mut parts = MatcherParts::default();
        for (rule_ref, rule) in (0..).zip(rules.iter()) {
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
                        let compiled = compiled_regexes
                            .next()
                            .ok_or_else(|| rule_error(rule, format!("regex {pattern:?} was not compiled")))??;
                        parts.add_regex(rule, rule_ref, pattern, compiled)?;
                    }
                    MatchKind::Contains => parts.add_anywhere(pattern.as_bytes(), literal(), rule)?,
                    MatchKind::Exact | MatchKind::Prefix => parts.add_start(pattern.as_bytes(), literal(), rule)?,
                }
            }
        }
        // The literal automata and the regex groups do not depend on each other.
        let (literal_tiers, group_sets) = join_beside(
            threads > 1,
            || parts.literal_tiers().map_err(|e| pack_error(rules, e)),
            || map_in_parallel(&parts.unfiltered, threads, |bucket| bucket.compile(rules)),
        );
        let literal_tiers = literal_tiers?;
        let mut regex_groups = Vec::with_capacity(parts.unfiltered.len());
        for (bucket, set) in parts.unfiltered.into_iter().zip(group_sets) {
            let UnfilteredBucket { max_chars, skips_sentences, first_bytes, last_bytes, rules, .. } = bucket;
            regex_groups.push(RegexGroup { set: set?, rules, first_bytes, last_bytes, max_chars, skips_sentences });
        }
        Ok(Self {
            id: NEXT_MATCHER_ID.fetch_add(1, Ordering::Relaxed),
            rules: rules.iter().map(RuleInfo::of).collect(),
            keep_rules: rules.iter().take_while(|rule| rule.action == Action::Keep).count() as RuleRef,
            start_trie: parts.start_trie.build(),
            start_targets: parts.start_targets,
            literal_tiers,
            anywhere_targets: parts.anywhere_targets,
            filtered_regexes: parts.filtered_regexes,
            byte_filtered: parts.byte_filtered,
            regex_groups,
        })
    }

    /// Whether `matches` hold a keep rule: keep rules fire anywhere and come before every
    /// drop rule, so one would be the rule found for every zone.
    pub(crate) fn keeps(&self, matches: &Matches) -> bool {
        matches.any.is_some_and(|rule| rule < self.keep_rules)
    }

    /// Finds the rules that fire on `view` (the line's match view), whatever the zone.
    pub(crate) fn find(&self, view: &str, shape: &LineShape, scratch: &mut MatchScratch) -> Matches {
        let mut matches = Matches::default();
        let bytes = view.as_bytes();
        let MatchScratch { regex_candidates: candidates, lowered, regex_caches } = scratch;
        candidates.clear();
        let mut on_literal = |target: &LiteralTarget, start: usize, end: usize| match *target {
            LiteralTarget::Rule { rule, kind, case_sensitive, ref text } => {
                let placed = match kind {
                    MatchKind::Exact => start == 0 && end == bytes.len(),
                    MatchKind::Prefix => start == 0,
                    MatchKind::Contains | MatchKind::Regex => true,
                };
                let info = &self.rules[rule as usize];
                if placed && (!case_sensitive || &bytes[start..end] == text.as_bytes()) && info.allows(shape) {
                    matches.add(rule, info.zone);
                }
            }
            LiteralTarget::Regex(index) => candidates.push(index),
        };
        self.start_trie.for_each_prefix_of(bytes, |id, len| on_literal(&self.start_targets[id as usize], 0, len));
        let tier = self.literal_tiers.iter().find(|tier| shape.chars <= tier.max_chars);
        if let Some(scanner) = tier.and_then(|tier| tier.scanner(shape.sentence)) {
            lowered.clear();
            lowered.extend(bytes.iter().map(u8::to_ascii_lowercase));
            // No literal starts before the leftmost match of any.
            let first = match &scanner.rare_pieces {
                Some(pieces) => pieces.earliest_start(lowered),
                None => Some(0),
            };
            if let Some(first) = first {
                for m in scanner.automaton.find_overlapping_iter(Input::new(lowered.as_slice()).range(first..)) {
                    let target = scanner.targets[m.pattern().as_usize()];
                    on_literal(&self.anywhere_targets[target as usize], m.start(), m.end());
                }
            }
        }
        for filter in &self.byte_filtered {
            let rule = &self.rules[self.filtered_regexes[filter.regex as usize].rule as usize];
            if rule.allows(shape) && filter.found_in(bytes) {
                candidates.push(filter.regex);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let caches = RegexCaches::for_matcher(regex_caches, self);
        for &index in candidates.iter() {
            let filtered = &self.filtered_regexes[index as usize];
            let info = &self.rules[filtered.rule as usize];
            if info.allows(shape) {
                let cache = caches.filtered[index as usize].get_or_insert_with(|| filtered.regex.cache());
                if filtered.regex.is_match(cache, view) {
                    matches.add(filtered.rule, info.zone);
                }
            }
        }
        for (group, cache) in self.regex_groups.iter().zip(&mut caches.groups) {
            let ends_fit = bytes.first().is_some_and(|&byte| group.first_bytes.contains(byte))
                && bytes.last().is_some_and(|&byte| group.last_bytes.contains(byte));
            if shape.chars > group.max_chars || (group.skips_sentences && shape.sentence) || !ends_fit {
                continue;
            }
            let cache = cache.get_or_insert_with(|| group.set.cache());
            // Few lines match: finding that out is cheaper than listing which patterns match.
            if !group.set.is_match(cache, view) {
                continue;
            }
            group.set.which_match(cache, view, &mut caches.found);
            for pattern in caches.found.iter() {
                let rule = group.rules[pattern.as_usize()];
                let info = &self.rules[rule as usize];
                if info.allows(shape) {
                    matches.add(rule, info.zone);
                }
            }
        }
        matches
    }
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;
    use crate::normalize::{NormalizeOptions, Normalizer, Scratch, match_view};

    /// A rule's pattern as the regex crate's syntax: case-insensitive unless the rule says not.
    fn regex_source(rule: &Rule, pattern: &str) -> String {
        if rule.case_sensitive { pattern.to_string() } else { format!("(?i){pattern}") }
    }

    /// Every rule checked on its own, without trie, automaton or prefilters.
    fn reference_find(rules: &RuleSet, regexes: &[Vec<Regex>], view: &str, shape: &LineShape) -> Matches {
        let mut matches = Matches::default();
        let lower = view.to_ascii_lowercase();
        for (index, rule) in rules.iter().enumerate() {
            let hit = rule.patterns.iter().zip(0..).any(|(pattern, nth)| {
                let same_case = |found: bool| found && (!rule.case_sensitive || view.contains(pattern.as_str()));
                let pattern_lower = pattern.to_ascii_lowercase();
                match rule.kind {
                    MatchKind::Exact => same_case(lower == pattern_lower) && (!rule.case_sensitive || view == pattern),
                    MatchKind::Prefix => {
                        same_case(lower.starts_with(&pattern_lower))
                            && (!rule.case_sensitive || view.starts_with(pattern.as_str()))
                    }
                    MatchKind::Contains => same_case(lower.contains(&pattern_lower)),
                    MatchKind::Regex => regexes[index][nth].is_match(view),
                }
            });
            if hit && RuleInfo::of(rule).allows(shape) {
                matches.add(index as RuleRef, rule.zone);
            }
        }
        matches
    }

    /// The built-in rules, their matcher, and each regex rule's patterns compiled on their own.
    fn builtin_with_reference_regexes() -> (RuleSet, Matcher, Vec<Vec<Regex>>) {
        let rules = RuleSet::builtin().unwrap();
        let matcher = Matcher::new(&rules, 2).unwrap();
        let regexes = rules
            .iter()
            .map(|rule| match rule.kind {
                MatchKind::Regex => rule.patterns.iter().map(|p| Regex::new(&regex_source(rule, p)).unwrap()).collect(),
                _ => Vec::new(),
            })
            .collect();
        (rules, matcher, regexes)
    }

    /// The trie, the automaton and the regex prefilters only skip work: on every line of the
    /// fixtures (and of the development pages, when they are beside the repository) the
    /// matcher finds exactly the rules that checking each rule on its own finds.
    #[test]
    fn prefilters_never_change_what_matches() {
        let (rules, matcher, regexes) = builtin_with_reference_regexes();
        let normalizer = Normalizer::new(NormalizeOptions::default());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
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
                let shape = LineShape::of(&normalized);
                let view = match_view(&normalized, &mut view_buffer);
                let expected = reference_find(&rules, &regexes, view, &shape);
                assert_eq!(matcher.find(view, &shape, &mut match_scratch), expected, "{file:?}: {view:?}");
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} lines checked");
    }

    /// The size estimate that guards compiling stays far above every built-in regex, and
    /// catches a nested repetition before any compiling.
    #[test]
    fn size_estimates_leave_room_for_the_built_in_pack() {
        let rules = RuleSet::builtin().unwrap();
        let largest = rules
            .iter()
            .filter(|rule| rule.kind == MatchKind::Regex)
            .flat_map(|rule| rule.patterns.iter())
            .map(|pattern| {
                estimated_size(
                    &regex_syntax::ParserBuilder::new().case_insensitive(true).build().parse(pattern).unwrap(),
                )
            })
            .max()
            .unwrap();
        eprintln!("largest built-in regex: about {largest} states");
        assert!(largest * 10 < MAX_ESTIMATED_SIZE, "{largest}");
        let mut user = RuleSet::new();
        user.add_toml("[[rule]]\nid = \"huge\"\ncategory = \"ads\"\nregex = '\\w{1000}{1000}'\n", "user.toml").unwrap();
        let started = std::time::Instant::now();
        let error = Matcher::new(&user, 1).unwrap_err().to_string();
        assert!(error.starts_with("user.toml: rule \"huge\": regex") && error.contains("too large"), "{error}");
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    }

    /// Lines with chrome literals at each length tier bound and rule guard, one character
    /// shorter and longer, as sentences and not: the automaton chosen by the line's shape
    /// holds every literal that may fire on it.
    #[test]
    fn rare_pieces_avoid_common_pairs() {
        assert_eq!(rare_piece(b"copyright"), (2, &b"pyri"[..]));
        assert_eq!(rare_piece(b"we may earn a commission"), (16, &b"mmis"[..]));
        assert_eq!(rare_piece(b"(c)"), (0, &b"(c)"[..]));
        assert_eq!(rare_piece(b" | the "), (0, &b" | t"[..]));
        assert_eq!(rare_piece("\u{a9}".as_bytes()), (0, "\u{a9}".as_bytes()));
        assert_eq!(rare_piece(b"x"), (0, &b"x"[..]));
        // Every piece lies inside its literal, where the search for the automaton's start needs
        // it, and avoids the space and the commonest letters.
        for literal in [&b"all rights reserved"[..], b"affiliate links", b"independently selected"] {
            let (at, piece) = rare_piece(literal);
            assert_eq!(&literal[at..at + piece.len()], piece);
            assert!(!piece[..2].iter().any(|b| b" etaoin".contains(b)), "{:?}", String::from_utf8_lossy(piece));
        }
    }

    /// The search never starts the automaton after a literal, whichever of its pieces (long
    /// ones in one search, short ones alone) comes first, and skips lines with none.
    #[test]
    fn rare_pieces_start_at_or_before_every_literal() {
        let literals: [&[u8]; 4] = [b"we may earn a commission", "\u{a9}".as_bytes(), b"(c)", b"all rights reserved"];
        let pieces: Vec<(usize, &[u8])> = literals.iter().map(|literal| rare_piece(literal)).collect();
        let search = RarePieces::new(&pieces).unwrap();
        assert_eq!(search.short.len(), 1);
        for line in
            ["text \u{a9} 2024 all rights reserved", "so we may earn a commission (c)", "x(c)", "all rights reserved"]
        {
            let first = literals.iter().filter_map(|l| memchr::memmem::find(line.as_bytes(), l)).min().unwrap();
            let start = search.earliest_start(line.as_bytes()).unwrap();
            assert!(start <= first, "{line:?}: {start} > {first}");
        }
        assert_eq!(search.earliest_start(b"a line of prose with commas, (parentheses) and a copy"), None);
    }

    #[test]
    fn literal_tiers_keep_every_literal_a_line_may_need() {
        let (rules, matcher, regexes) = builtin_with_reference_regexes();
        let mut seeds: Vec<String> = rules
            .iter()
            .filter(|rule| rule.kind == MatchKind::Contains)
            .flat_map(|rule| rule.patterns.iter().cloned())
            .collect();
        seeds.extend(["Sports - The Daily Paper", "(AP Photo/Jane Doe)", "All rights reserved"].map(String::from));
        let mut lengths: Vec<usize> = rules.iter().filter_map(|rule| rule.max_chars).chain(LITERAL_TIERS).collect();
        lengths.extend(lengths.clone().iter().flat_map(|&n| [n - 1, n + 1]));
        let mut match_scratch = MatchScratch::default();
        let mut fired = 0;
        for seed in &seeds {
            for &chars in &lengths {
                for end in ["", "."] {
                    // Words before the seed, to the wanted length.
                    let mut line = "Word ".repeat(chars / 5 + 1);
                    line.truncate(chars.saturating_sub(seed.chars().count() + end.len() + 1));
                    let line = format!("{}{}{seed}{end}", line.trim_end(), if line.is_empty() { "" } else { " " });
                    let shape = LineShape::of(&line);
                    let expected = reference_find(&rules, &regexes, &line, &shape);
                    assert_eq!(matcher.find(&line, &shape, &mut match_scratch), expected, "{line:?}");
                    fired += usize::from(expected != Matches::default());
                }
            }
        }
        assert!(fired > 100, "only {fired} lines with a match");
    }
}
