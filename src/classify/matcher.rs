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
    regexes: Option<RegexSet>,
    regex_rules: Vec<RuleRef>,
    /// Lines longer than this many bytes cannot match any regex rule's length guard.
    regex_scan_bytes: usize,
}

/// A guard in characters allows at most four times as many UTF-8 bytes.
fn guard_bytes(max_chars: Option<usize>) -> usize {
    max_chars.map_or(usize::MAX, |n| n.saturating_mul(4))
}

impl Matcher {
    pub(crate) fn new(rules: &RuleSet) -> Result<Self> {
        let mut infos = Vec::with_capacity(rules.len() + 1);
        let mut literal_patterns = Vec::new();
        let mut regex_sources = Vec::new();
        let mut regex_rules = Vec::new();
        let (mut anchored_scan_bytes, mut full_scan_bytes, mut regex_scan_bytes) = (0, 0, 0);
        for (index, rule) in rules.iter().enumerate() {
            let rule_ref = RuleRef::try_from(index)
                .map_err(|_| Error::Setting(format!("too many rules ({})", rules.len())))?;
            for pattern in &rule.patterns {
                match rule.kind {
                    MatchKind::Regex => {
                        let flags = if rule.case_sensitive { "" } else { "(?i)" };
                        regex_sources.push(format!("{flags}{pattern}"));
                        regex_rules.push(rule_ref);
                        regex_scan_bytes = regex_scan_bytes.max(guard_bytes(rule.max_chars));
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
        let regexes = if regex_sources.is_empty() {
            None
        } else {
            // Each regex compiled on its own when the pack was loaded; a failure here is a size limit.
            let built = RegexSetBuilder::new(&regex_sources)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| Error::Setting(format!("cannot build the regex set: {e}")))?;
            Some(built)
        };
        Ok(Self {
            rules: infos,
            literals,
            literal_patterns,
            anchored_scan_bytes,
            full_scan_bytes,
            regexes,
            regex_rules,
            regex_scan_bytes,
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
        if let Some(regexes) = &self.regexes
            && view.len() <= self.regex_scan_bytes
        {
            for index in regexes.matches(view).iter() {
                consider(self.regex_rules[index]);
            }
        }
        matches
    }
}
