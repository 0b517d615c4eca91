//! Compiled rules: every literal pattern in one Aho-Corasick automaton, every regex in one
//! `RegexSet`, so a line is scanned once whatever the number of rules.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};
use regex::{RegexSet, RegexSetBuilder};

use super::features::LineFeatures;
use crate::error::{Error, Result};
use crate::rules::{Action, MatchKind, RuleSet, Zone};

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

/// Unicode classes in many case-insensitive rules need more room than regex's 10 MiB default.
const REGEX_SIZE_LIMIT: usize = 256 * 1024 * 1024;

/// Id and category reported for lines dropped as repeats of an earlier line.
pub(crate) const DUPLICATE_RULE_ID: &str = "duplicate-line";
pub(crate) const DUPLICATE_CATEGORY: &str = "duplicate";

#[derive(Debug)]
struct LiteralPattern {
    rule: RuleRef,
    kind: MatchKind,
    /// Kept for the byte-exact check of case-sensitive rules.
    text: Box<str>,
    case_sensitive: bool,
}

/// The best rules that matched a line, by zone handling.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Matches {
    /// Lowest-index rule that applies right away (zone `any`, or `header` inside the header).
    pub now: Option<RuleRef>,
    /// Lowest-index `footer` rule; it applies only if the line ends up in the footer zone.
    pub footer: Option<RuleRef>,
}

#[derive(Debug)]
pub(crate) struct Matcher {
    rules: Vec<RuleInfo>,
    literals: Option<AhoCorasick>,
    literal_patterns: Vec<LiteralPattern>,
    /// Longest exact/prefix pattern: on long lines only this many leading bytes are scanned.
    anchored_scan_bytes: usize,
    /// Lines up to this many bytes are scanned whole (for `contains` rules).
    full_scan_bytes: usize,
    /// Regex rules grouped by their guards, so a line only runs the sets that can fire on it.
    regex_groups: Vec<RegexGroup>,
}

/// Regex rules that share a length tier and a sentence guard, compiled into one set.
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

impl Matcher {
    pub(crate) fn new(rules: &RuleSet) -> Result<Self> {
        let mut infos = Vec::with_capacity(rules.len() + 1);
        let mut literal_patterns = Vec::new();
        // (tier, skips sentences) -> (sources, rules)
        let mut regex_buckets: Vec<((usize, bool), Vec<String>, Vec<RuleRef>)> = Vec::new();
        let (mut anchored_scan_bytes, mut full_scan_bytes) = (0, 0);
        for (index, rule) in rules.iter().enumerate() {
            let rule_ref = RuleRef::try_from(index)
                .map_err(|_| Error::Setting(format!("too many rules ({})", rules.len())))?;
            for pattern in &rule.patterns {
                match rule.kind {
                    MatchKind::Regex => {
                        let flags = if rule.case_sensitive { "" } else { "(?i)" };
                        let key = (regex_tier(rule.max_chars), rule.skip_sentences);
                        let bucket = match regex_buckets.iter().position(|(k, _, _)| *k == key) {
                            Some(i) => &mut regex_buckets[i],
                            None => {
                                regex_buckets.push((key, Vec::new(), Vec::new()));
                                let last = regex_buckets.len() - 1;
                                &mut regex_buckets[last]
                            }
                        };
                        bucket.1.push(format!("{flags}{pattern}"));
                        bucket.2.push(rule_ref);
                    }
                    kind => {
                        if kind == MatchKind::Contains {
                            full_scan_bytes = full_scan_bytes.max(guard_bytes(rule.max_chars));
                        } else {
                            anchored_scan_bytes = anchored_scan_bytes.max(pattern.len());
                        }
                        literal_patterns.push(LiteralPattern {
                            rule: rule_ref,
                            kind,
                            text: pattern.as_str().into(),
                            case_sensitive: rule.case_sensitive,
                        });
                    }
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
        let literals = if literal_patterns.is_empty() {
            None
        } else {
            let built = AhoCorasickBuilder::new()
                .match_kind(AcMatchKind::Standard)
                .ascii_case_insensitive(true)
                .build(literal_patterns.iter().map(|p| p.text.as_bytes()))
                .map_err(|e| Error::Setting(format!("cannot build the literal matcher: {e}")))?;
            Some(built)
        };
        let mut regex_groups = Vec::with_capacity(regex_buckets.len());
        for ((tier, skips_sentences), sources, rules) in regex_buckets {
            // Each regex compiled on its own when the pack was loaded; a failure here is a size limit.
            let set = RegexSetBuilder::new(&sources)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| Error::Setting(format!("cannot build the regex set: {e}")))?;
            regex_groups.push(RegexGroup { set, rules, max_chars: REGEX_TIERS[tier], skips_sentences });
        }
        Ok(Self {
            rules: infos,
            literals,
            literal_patterns,
            anchored_scan_bytes,
            full_scan_bytes,
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

    /// Finds the rules that fire on `view` (the line's match view).
    pub(crate) fn find(&self, view: &str, features: &LineFeatures, in_header: bool) -> Matches {
        let mut matches = Matches::default();
        let mut consider = |rule: RuleRef| {
            let info = &self.rules[rule as usize];
            if info.max_chars.is_some_and(|max| features.chars > max) || (info.skip_sentences && features.sentence) {
                return;
            }
            let slot = match info.zone {
                Zone::Any => &mut matches.now,
                Zone::Header if in_header => &mut matches.now,
                Zone::Header => return,
                Zone::Footer => &mut matches.footer,
            };
            if slot.is_none_or(|current| rule < current) {
                *slot = Some(rule);
            }
        };
        if let Some(literals) = &self.literals {
            let bytes = view.as_bytes();
            let scanned = if bytes.len() <= self.full_scan_bytes {
                bytes
            } else {
                &bytes[..bytes.len().min(self.anchored_scan_bytes)]
            };
            for m in literals.find_overlapping_iter(scanned) {
                let pattern = &self.literal_patterns[m.pattern().as_usize()];
                let placed = match pattern.kind {
                    MatchKind::Exact => m.start() == 0 && m.end() == bytes.len(),
                    MatchKind::Prefix => m.start() == 0,
                    MatchKind::Contains | MatchKind::Regex => true,
                };
                if placed && (!pattern.case_sensitive || &bytes[m.start()..m.end()] == pattern.text.as_bytes()) {
                    consider(pattern.rule);
                }
            }
        }
        for group in &self.regex_groups {
            if features.chars > group.max_chars || (group.skips_sentences && features.sentence) {
                continue;
            }
            for index in group.set.matches(view).iter() {
                consider(group.rules[index]);
            }
        }
        matches
    }
}
