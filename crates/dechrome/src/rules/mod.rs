//! Rule packs: chrome patterns as data.
//!
//! A pack is a TOML file with one `[[rule]]` table per rule (see `rules/default.toml`, which is
//! compiled in). Each rule has an `id`, a `category`, exactly one matcher (`exact`, `prefix`,
//! `contains` or `regex`, each a string or a list of strings), and optional `zone`, `action`,
//! `case_sensitive`, `max_chars`, `skip_sentences` and `needs_context` settings.

mod line_regex;
mod matcher;
mod prefilter;
mod prefix_trie;

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::normalize::match_view_of_pattern;
pub(crate) use matcher::{MatchScratch, Matcher, Matches, RuleRef};

/// The built-in rule packs, embedded at compile time, with the names errors give them: the
/// English pack (`data/rules/default.toml` in the crate), then its chrome families in other
/// languages (`data/rules/i18n.toml`: German, French, Spanish, Portuguese, Italian, Dutch,
/// Polish, Russian, Indonesian).
pub const BUILTIN_PACKS: [(&str, &str); 2] = [
    ("<built-in rules/default.toml>", include_str!("../../data/rules/default.toml")),
    ("<built-in rules/i18n.toml>", include_str!("../../data/rules/i18n.toml")),
];

/// How a rule's patterns are compared with a line's match view.
///
/// ```
/// use dechrome::RuleSet;
/// use dechrome::rules::MatchKind;
/// let rules = RuleSet::builtin()?;
/// let skip_links = rules.iter().find(|rule| rule.id == "skip-links").expect("a built-in rule");
/// assert_eq!(skip_links.kind, MatchKind::Exact);
/// assert_eq!(skip_links.kind.key(), "exact");
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// The whole line equals the pattern.
    Exact,
    /// The line starts with the pattern.
    Prefix,
    /// The line contains the pattern.
    Contains,
    /// The regular expression matches somewhere in the line (anchor it with `^…$` as needed).
    Regex,
}

impl MatchKind {
    /// The TOML key that selects this kind.
    pub fn key(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Prefix => "prefix",
            MatchKind::Contains => "contains",
            MatchKind::Regex => "regex",
        }
    }
}

/// Where in a document a rule may fire.
///
/// ```
/// use dechrome::RuleSet;
/// use dechrome::rules::Zone;
/// let mut rules = RuleSet::new();
/// rules.add_toml("[[rule]]\nid = \"login\"\ncategory = \"navigation\"\nexact = \"Log in\"\nzone = \"header\"\n", "my.toml")?;
/// assert_eq!(rules.get(0).map(|rule| rule.zone), Some(Zone::Header));
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Zone {
    /// Anywhere.
    #[default]
    Any,
    /// Only among the first kept lines of a document (see `CleanerBuilder::header_lines`).
    Header,
    /// Only among the last kept lines of a document (see `CleanerBuilder::footer_lines`).
    Footer,
}

/// What happens when a rule fires.
///
/// ```
/// use dechrome::Cleaner;
/// // A keep rule: lines like this are never dropped, whatever else would drop them.
/// let cleaner = Cleaner::builder()
///     .add_rules_toml("[[rule]]\nid = \"keep-ad-word\"\ncategory = \"ads\"\naction = \"keep\"\nexact = \"Advertisement\"\n", "my.toml")
///     .build()?;
/// assert_eq!(cleaner.clean_str("Advertisement\nStocks rose.\n").text, "Advertisement\nStocks rose.\n");
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Drop the matching line.
    #[default]
    DropLine,
    /// Drop the line and the short title line directly before it (a blank line may sit between),
    /// as in video blocks where a caption line precedes "please wait".
    DropWithPrevious,
    /// Drop the line and the following lines up to the next blank line (bio boxes).
    DropBlock,
    /// Drop the line and the rest of the document (footer sections).
    DropRest,
    /// Never drop the line: no other rule, the classifier or the duplicate rule drops it (it may
    /// still go with a block or the rest of a document that another line's rule drops). Keep
    /// rules come before every drop rule, whatever their place in the packs.
    Keep,
}

impl Action {
    /// True for actions that drop lines after the matching one.
    pub fn drops_following(self) -> bool {
        matches!(self, Action::DropBlock | Action::DropRest)
    }

    /// The TOML value that selects this action.
    pub fn key(self) -> &'static str {
        match self {
            Action::DropLine => "drop-line",
            Action::DropWithPrevious => "drop-with-previous",
            Action::DropBlock => "drop-block",
            Action::DropRest => "drop-rest",
            Action::Keep => "keep",
        }
    }
}

impl Zone {
    /// The TOML value that selects this zone.
    pub fn key(self) -> &'static str {
        match self {
            Zone::Any => "any",
            Zone::Header => "header",
            Zone::Footer => "footer",
        }
    }
}

/// The categories rules may have without a pack declaring them: those of the built-in packs, in
/// the order the classifier's features and the explain colours give them.
pub const CATEGORIES: [&str; 13] = [
    "navigation",
    "media",
    "ads",
    "related",
    "caption",
    "byline",
    "share",
    "cookie",
    "subscribe",
    "comments",
    "tags",
    "promo",
    "footer",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    /// Categories of this pack's own, beside [`CATEGORIES`].
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    category: String,
    #[serde(default)]
    description: Option<String>,
    exact: Option<OneOrMany>,
    prefix: Option<OneOrMany>,
    contains: Option<OneOrMany>,
    regex: Option<OneOrMany>,
    #[serde(default)]
    zone: Zone,
    #[serde(default)]
    action: Action,
    #[serde(default)]
    case_sensitive: bool,
    max_chars: Option<usize>,
    skip_sentences: Option<bool>,
    #[serde(default)]
    needs_context: bool,
    examples: Option<OneOrMany>,
    counterexamples: Option<OneOrMany>,
}

/// One validated rule.
///
/// ```
/// use dechrome::RuleSet;
/// use dechrome::rules::Action;
/// let rules = RuleSet::builtin()?;
/// let copyright = rules.iter().find(|rule| rule.id == "copyright").expect("a built-in rule");
/// assert_eq!((copyright.category.as_str(), copyright.action), ("footer", Action::DropRest));
/// assert!(!copyright.examples.is_empty() && copyright.description.is_some());
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Unique id, used in stats, rejects and `--disable`.
    pub id: String,
    /// Category, such as `navigation` or `ads`; `--disable` accepts it too.
    pub category: String,
    /// Human-readable purpose.
    pub description: Option<String>,
    /// How the patterns match.
    pub kind: MatchKind,
    /// The patterns (literals or regular expressions).
    pub patterns: Vec<String>,
    /// Where the rule may fire.
    pub zone: Zone,
    /// What happens when it fires.
    pub action: Action,
    /// Literal comparison is ASCII case-insensitive unless this is set; regexes get `(?i)`.
    pub case_sensitive: bool,
    /// The rule only fires on lines of at most this many characters.
    pub max_chars: Option<usize>,
    /// The rule does not fire on lines that read like a sentence.
    pub skip_sentences: bool,
    /// The rule's words alone do not settle it: with the line classifier on, a line it drops is
    /// kept when the classifier reads it as content (a subhead "Health", a headline with " — ").
    pub needs_context: bool,
    /// Lines the rule drops (documentation, checked by the built-in packs' tests).
    pub examples: Vec<String>,
    /// Prose lines with the rule's words that it leaves alone.
    pub counterexamples: Vec<String>,
    /// The pack the rule came from.
    pub source: String,
}

/// The longest literal pattern (`exact`, `prefix`, `contains`), in characters. Chrome lines are
/// short; the automaton that finds the literals grows with the square of a long, repetitive one
/// (20,000 characters of `a` took a minute to compile).
pub const MAX_LITERAL_CHARS: usize = 1000;

/// The longest regular expression, in bytes of its source. The size of what it compiles to is
/// bounded apart, when the rules are compiled.
pub const MAX_REGEX_BYTES: usize = 4000;

/// Default line-length guard for kinds that match part of a line.
const DEFAULT_MAX_CHARS_PREFIX: usize = 200;
const DEFAULT_MAX_CHARS_CONTAINS: usize = 120;
const DEFAULT_MAX_CHARS_REGEX: usize = 300;

/// An ordered collection of rules from one or more packs. Earlier rules win when several match.
///
/// ```
/// use dechrome::RuleSet;
/// let mut rules = RuleSet::builtin()?;
/// rules.add_toml(r#"
/// [[rule]]
/// id = "my-site-promo"
/// category = "promo"
/// exact = "Get our app"
/// "#, "my.toml")?;
/// assert!(rules.iter().any(|r| r.id == "my-site-promo"));
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The embedded packs (see [`BUILTIN_PACKS`]).
    pub fn builtin() -> Result<Self> {
        let mut set = Self::new();
        for (name, pack) in BUILTIN_PACKS {
            set.add_toml(pack, name)?;
        }
        Ok(set)
    }

    /// Parses a pack and appends its rules. `source_name` is used in error messages.
    pub fn add_toml(&mut self, text: &str, source_name: &str) -> Result<()> {
        let pack: PackFile = toml::from_str(text).map_err(|e| Error::Rules {
            source_name: source_name.to_string(),
            rule_id: None,
            message: e.to_string().trim_end().to_string(),
        })?;
        // Ids seen so far and the pack of each, so that checking a pack of n rules takes n
        // lookups, not a scan of every earlier rule for each.
        let known: HashMap<&str, &str> = self.rules.iter().map(|r| (r.id.as_str(), r.source.as_str())).collect();
        let mut added: Vec<Rule> = Vec::with_capacity(pack.rule.len());
        let mut added_ids: HashSet<String> = HashSet::with_capacity(pack.rule.len());
        for category in &pack.categories {
            check_category_name(category).map_err(|message| Error::Rules {
                source_name: source_name.to_string(),
                rule_id: None,
                message,
            })?;
        }
        for spec in pack.rule {
            let declared = pack.categories.contains(&spec.category);
            if !declared && !CATEGORIES.contains(&spec.category.as_str()) {
                let mut known = CATEGORIES;
                known.sort_unstable();
                return Err(Error::Rules {
                    source_name: source_name.to_string(),
                    rule_id: Some(spec.id),
                    message: format!(
                        "unknown category {:?}; known: {}; a pack declares a new one with `categories = [{:?}]` before its rules",
                        spec.category,
                        known.join(", "),
                        spec.category
                    ),
                });
            }
            let rule = validate(spec, source_name)?;
            let earlier =
                known.get(rule.id.as_str()).copied().or_else(|| added_ids.contains(&rule.id).then_some(source_name));
            if let Some(earlier) = earlier {
                return Err(Error::Rules {
                    source_name: source_name.to_string(),
                    rule_id: Some(rule.id.clone()),
                    message: format!(
                        "duplicate id (already defined in {earlier}); pick another id, or disable the other rule"
                    ),
                });
            }
            added_ids.insert(rule.id.clone());
            added.push(rule);
        }
        // Keep rules go after the keep rules already there and before every drop rule: the
        // matcher reports the first rule that matches, and a keep rule must win.
        let (keep, drop): (Vec<Rule>, Vec<Rule>) = added.into_iter().partition(|r| r.action == Action::Keep);
        let first_drop = self.rules.iter().take_while(|r| r.action == Action::Keep).count();
        self.rules.splice(first_drop..first_drop, keep);
        self.rules.extend(drop);
        Ok(())
    }

    /// Removes every rule whose id or category is `name`. Returns how many were removed.
    pub fn disable(&mut self, name: &str) -> usize {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != name && r.category != name);
        before - self.rules.len()
    }

    /// The rule at `index` in priority order.
    pub fn get(&self, index: usize) -> Option<&Rule> {
        self.rules.get(index)
    }

    /// The rules in priority order.
    pub fn iter(&self) -> std::slice::Iter<'_, Rule> {
        self.rules.iter()
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl<'a> IntoIterator for &'a RuleSet {
    type Item = &'a Rule;
    type IntoIter = std::slice::Iter<'a, Rule>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

fn check_category_name(category: &str) -> std::result::Result<(), String> {
    if category.is_empty() || !category.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
        return Err(format!("category {category:?} must be non-empty lowercase ASCII letters and '-'"));
    }
    Ok(())
}

fn validate(spec: RuleSpec, source_name: &str) -> Result<Rule> {
    let fail = |message: String| Error::Rules {
        source_name: source_name.to_string(),
        rule_id: Some(spec.id.clone()),
        message,
    };
    if spec.id.is_empty() || !spec.id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(fail("an id must be non-empty and use only ASCII letters, digits, '-', '_' and '.'".into()));
    }
    check_category_name(&spec.category).map_err(fail)?;
    if spec.action == Action::Keep && spec.zone != Zone::Any {
        return Err(fail("a keep rule applies anywhere: leave out `zone`".into()));
    }
    let matchers = [
        (MatchKind::Exact, spec.exact),
        (MatchKind::Prefix, spec.prefix),
        (MatchKind::Contains, spec.contains),
        (MatchKind::Regex, spec.regex),
    ];
    let mut chosen = None;
    for (kind, value) in matchers {
        if let Some(value) = value {
            if chosen.is_some() {
                return Err(fail("give exactly one of exact, prefix, contains, regex".into()));
            }
            chosen = Some((kind, value.into_vec()));
        }
    }
    let Some((kind, patterns)) = chosen else {
        return Err(fail("missing matcher: give one of exact, prefix, contains, regex".into()));
    };
    if patterns.is_empty() {
        return Err(fail(format!("`{}` has no patterns", kind.key())));
    }
    let mut normalized = Vec::with_capacity(patterns.len());
    for pattern in patterns {
        if kind == MatchKind::Regex && pattern.len() > MAX_REGEX_BYTES {
            return Err(fail(format!(
                "regex of {} bytes is longer than the limit of {MAX_REGEX_BYTES} bytes",
                pattern.len()
            )));
        }
        if kind != MatchKind::Regex && pattern.chars().count() > MAX_LITERAL_CHARS {
            return Err(fail(format!(
                "`{}` pattern of {} characters is longer than the limit of {MAX_LITERAL_CHARS} characters",
                kind.key(),
                pattern.chars().count()
            )));
        }
        if kind == MatchKind::Regex {
            // Syntax errors are caught here, cheaply; errors only translating the syntax tree
            // finds (an unknown Unicode class) come from compiling the rules, with the same
            // source and rule id.
            if let Err(e) = regex_syntax::ast::parse::Parser::new().parse(&pattern) {
                return Err(fail(format!("invalid regex {pattern:?}: {e}")));
            }
            normalized.push(pattern);
        } else {
            let view = match_view_of_pattern(&pattern);
            if view.is_empty() {
                return Err(fail(format!("empty `{}` pattern", kind.key())));
            }
            normalized.push(view);
        }
    }
    let max_chars = match (spec.max_chars, kind) {
        (Some(0), _) => return Err(fail("max_chars must be at least 1".into())),
        (Some(n), _) => Some(n),
        (None, MatchKind::Exact) => None,
        (None, MatchKind::Prefix) => Some(DEFAULT_MAX_CHARS_PREFIX),
        (None, MatchKind::Contains) => Some(DEFAULT_MAX_CHARS_CONTAINS),
        (None, MatchKind::Regex) => Some(DEFAULT_MAX_CHARS_REGEX),
    };
    let list = |value: Option<OneOrMany>| value.map(OneOrMany::into_vec).unwrap_or_default();
    Ok(Rule {
        examples: list(spec.examples),
        counterexamples: list(spec.counterexamples),
        skip_sentences: spec.skip_sentences.unwrap_or(kind == MatchKind::Contains),
        needs_context: spec.needs_context,
        id: spec.id,
        category: spec.category,
        description: spec.description,
        kind,
        patterns: normalized,
        zone: spec.zone,
        action: spec.action,
        case_sensitive: spec.case_sensitive,
        max_chars,
        source: source_name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(toml: &str) -> String {
        RuleSet::new().add_toml(toml, "user.toml").unwrap_err().to_string()
    }

    #[test]
    fn builtin_pack_parses() {
        let set = RuleSet::builtin().unwrap();
        assert!(set.len() > 50, "built-in pack has {} rules", set.len());
    }

    #[test]
    fn errors_name_file_rule_and_problem() {
        let e = err_of("[[rule]]\nid = \"bad-re\"\ncategory = \"ads\"\nregex = \"(unclosed\"\n");
        assert!(e.starts_with("user.toml: rule \"bad-re\": invalid regex"), "{e}");
        let e = err_of("[[rule]]\nid = \"x\"\ncategory = \"ads\"\nexact = \"A\"\nzone = \"middle\"\n");
        assert!(e.starts_with("user.toml:") && e.contains("zone"), "{e}");
        let e = err_of("[[rule]]\nid = \"x\"\ncategory = \"ads\"\nexact = \"A\"\ncolour = 1\n");
        assert!(e.contains("unknown field") && e.contains("colour"), "{e}");
        let e = err_of("[[rule]]\nid = \"x\"\ncategory = \"ads\"\n");
        assert!(e.contains("rule \"x\": missing matcher"), "{e}");
        let e = err_of("[[rule]]\nid = \"x\"\ncategory = \"ads\"\nexact = \"A\"\nprefix = \"B\"\n");
        assert!(e.contains("exactly one"), "{e}");
        let e = err_of("[[rule]]\nid = \"x\"\ncategory = \"ads\"\nexact = \"  \"\n");
        assert!(e.contains("empty `exact` pattern"), "{e}");
    }

    #[test]
    fn patterns_over_the_size_limits_are_refused_naming_the_limit() {
        let rule =
            |kind: &str, pattern: &str| format!("[[rule]]\nid = \"long\"\ncategory = \"ads\"\n{kind} = {pattern:?}\n");
        for kind in ["exact", "prefix", "contains"] {
            let at_limit = "a".repeat(MAX_LITERAL_CHARS);
            assert!(RuleSet::new().add_toml(&rule(kind, &at_limit), "user.toml").is_ok(), "{kind}");
            let e = err_of(&rule(kind, &"é".repeat(MAX_LITERAL_CHARS + 1)));
            assert!(e.starts_with("user.toml: rule \"long\": "), "{e}");
            assert!(e.contains("1001 characters is longer than the limit of 1000"), "{e}");
        }
        let e = err_of(&rule("regex", &"a".repeat(MAX_REGEX_BYTES + 1)));
        assert!(e.starts_with("user.toml: rule \"long\": regex of 4001 bytes") && e.contains("limit of 4000"), "{e}");
    }

    #[test]
    fn duplicate_ids_are_rejected_within_and_across_packs() {
        let e = err_of(
            "[[rule]]\nid = \"x\"\ncategory = \"ads\"\nexact = \"A\"\n[[rule]]\nid = \"x\"\ncategory = \"ads\"\nexact = \"B\"\n",
        );
        assert!(e.contains("rule \"x\": duplicate id"), "{e}");
        let mut set = RuleSet::builtin().unwrap();
        let first = set.iter().next().unwrap().id.clone();
        let toml = format!("[[rule]]\nid = \"{first}\"\ncategory = \"ads\"\nexact = \"B\"\n");
        let e = set.add_toml(&toml, "user.toml").unwrap_err().to_string();
        assert!(e.contains("duplicate id") && e.contains("built-in"), "{e}");
    }

    #[test]
    fn disable_by_id_and_category() {
        let mut set = RuleSet::builtin().unwrap();
        let n = set.len();
        let ads = set.iter().filter(|r| r.category == "ads").count();
        assert!(ads > 0);
        assert_eq!(set.disable("ads"), ads);
        assert_eq!(set.len(), n - ads);
        assert_eq!(set.disable("no-such-thing"), 0);
    }

    #[test]
    fn unknown_categories_are_errors_unless_declared() {
        let e = err_of("[[rule]]\nid = \"x\"\ncategory = \"promos\"\nexact = \"A\"\n");
        assert!(e.contains("unknown category \"promos\"") && e.contains("known: ads,"), "{e}");
        assert!(e.contains("categories = [\"promos\"]"), "{e}");
        let mut set = RuleSet::new();
        set.add_toml(
            "categories = [\"promos\"]\n[[rule]]\nid = \"x\"\ncategory = \"promos\"\nexact = \"A\"\n",
            "p.toml",
        )
        .unwrap();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn keep_rules_come_first_and_apply_anywhere() {
        let mut set = RuleSet::builtin().unwrap();
        set.add_toml(
            "[[rule]]\nid = \"mine\"\ncategory = \"ads\"\naction = \"keep\"\nexact = \"Advertisement\"\n",
            "k.toml",
        )
        .unwrap();
        assert_eq!(set.get(0).map(|r| r.id.as_str()), Some("mine"));
        let e =
            err_of("[[rule]]\nid = \"k\"\ncategory = \"ads\"\naction = \"keep\"\nzone = \"footer\"\nexact = \"A\"\n");
        assert!(e.contains("a keep rule applies anywhere"), "{e}");
    }
}
