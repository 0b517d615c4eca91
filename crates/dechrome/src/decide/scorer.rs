//! Context scorers: judges of a line that read its neighbours, beside the rules.
//!
//! A [`ContextScorer`] names the reasons it drops lines for, how far around a line it reads
//! ([`Reach`]), and gives a [`Judgement`] for one line at a time given its [`Neighbourhood`]: the
//! non-blank lines of the document that are still in it, each with its text, shape and whether
//! the rules drop it.
//!
//! With a scorer, a document is decided as a whole: the rules, then every scorer, then the
//! duplicate rule, over the lines still kept; lines they drop are taken out and everything is
//! decided again over the lines that are left, until nothing more is dropped. The lines that
//! remain are therefore exactly what the same cleaner keeps of its own output: cleaning stays
//! idempotent whatever a scorer does. A document longer than [`MAX_SEGMENT_LINES`] lines (or
//! [`MAX_SEGMENT_BYTES`] bytes) is decided in parts of that size, so memory stays bounded; such a document is counted in
//! [`Stats::unsettled_documents`](crate::Stats::unsettled_documents), since its cleaned output
//! may be short enough to be decided at once, and differently.

use std::fmt;

use crate::analyze::LineFacts;
use crate::shape::LineShape;
use crate::sink::DroppedBy;

/// Lines of a document decided together at most (text and blank lines). Rounds of deciding cost
/// at most the square of this in the worst case (a cascade taking one line a round).
pub const MAX_SEGMENT_LINES: usize = 4096;
/// Bytes of a document (normalized text and the input as decoded) decided together at most.
pub const MAX_SEGMENT_BYTES: usize = 4 << 20;

/// A reason a scorer drops lines for: its id and category appear in statistics, `--rejects`
/// and `--explain` like a rule's.
///
/// ```
/// use dechrome::ScorerReason;
/// let reason = ScorerReason::new("shouting-run", "navigation");
/// assert_eq!((reason.id.as_str(), reason.category.as_str()), ("shouting-run", "navigation"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScorerReason {
    /// Unique among the reasons of a cleaner (rule ids included).
    pub id: String,
    /// Category, such as `navigation`.
    pub category: String,
}

impl ScorerReason {
    /// A reason with this id and category.
    pub fn new(id: impl Into<String>, category: impl Into<String>) -> Self {
        Self { id: id.into(), category: category.into() }
    }
}

/// How far from the line it judges a scorer reads, in non-blank lines. [`Neighbourhood`] gives
/// no line further away; `usize::MAX` reads the whole document (or part, see the module docs).
///
/// ```
/// use dechrome::Reach;
/// // The line before and the line after; `usize::MAX` on both sides reads the whole document.
/// let neighbours = Reach { before: 1, after: 1 };
/// assert_ne!(neighbours, Reach { before: usize::MAX, after: usize::MAX });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    /// Lines before.
    pub before: usize,
    /// Lines after.
    pub after: usize,
}

/// What a scorer decided about one line.
///
/// ```
/// use dechrome::Judgement;
/// assert!(Judgement::keep().keeps());
/// assert_eq!(Judgement::drop(0).with_score(0.1).dropped_for(), Some(0));
/// assert_eq!(Judgement::drop(0).with_score(0.1).score(), Some(0.1));
/// assert!(!Judgement::abstain().keeps() && Judgement::abstain().dropped_for().is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    drop: Option<usize>,
    /// No opinion: the line's fate is the rules' (for a line a rule drops, a keep would overrule).
    abstained: bool,
    score: Option<f32>,
}

impl Judgement {
    /// The line stays.
    pub fn keep() -> Self {
        Self { drop: None, abstained: false, score: None }
    }

    /// The line goes, for the scorer's reason number `reason` (an index into
    /// [`ContextScorer::reasons`]).
    pub fn drop(reason: usize) -> Self {
        Self { drop: Some(reason), abstained: false, score: None }
    }

    /// No opinion: the line stays unless a rule (or another scorer) drops it.
    pub fn abstain() -> Self {
        Self { drop: None, abstained: true, score: None }
    }

    /// True for [`Judgement::keep`].
    pub fn keeps(&self) -> bool {
        self.drop.is_none() && !self.abstained
    }

    /// The same judgement with the score behind it, shown by explanations.
    pub fn with_score(self, score: f32) -> Self {
        Self { score: Some(score), ..self }
    }

    /// The reason number the line is dropped for, if it is.
    pub fn dropped_for(&self) -> Option<usize> {
        self.drop
    }

    /// The score, if one was given.
    pub fn score(&self) -> Option<f32> {
        self.score
    }
}

/// Judges lines from their neighbours. Implementations must be deterministic: the same
/// neighbourhood always gives the same judgement.
///
/// ```
/// use dechrome::{Cleaner, ContextScorer, Judgement, Neighbourhood, Reach, ScorerReason};
/// use std::sync::Arc;
///
/// /// Drops a line that shouts (all capitals) between two lines that do too.
/// #[derive(Debug)]
/// struct Shouting;
///
/// impl ContextScorer for Shouting {
///     fn reasons(&self) -> Vec<ScorerReason> {
///         vec![ScorerReason::new("shouting-run", "navigation")]
///     }
///     fn reach(&self) -> Reach {
///         Reach { before: 1, after: 1 }
///     }
///     fn judge(&self, lines: &Neighbourhood<'_>) -> Judgement {
///         let shouts = |offset| lines.at(offset).is_some_and(|line| line.text().chars().all(|c| !c.is_lowercase()));
///         if shouts(-1) && shouts(0) && shouts(1) { Judgement::drop(0) } else { Judgement::keep() }
///     }
/// }
///
/// let cleaner = Cleaner::builder().default_rules(false).classifier(false).scorer(Arc::new(Shouting)).build()?;
/// let page = "NEWS\nSPORT\nWEATHER\nThe council met on Monday.\n";
/// assert_eq!(cleaner.clean_str(page).text, "NEWS\nWEATHER\nThe council met on Monday.\n");
/// # Ok::<(), dechrome::Error>(())
/// ```
pub trait ContextScorer: Send + Sync + fmt::Debug {
    /// The reasons this scorer drops lines for; [`Judgement::drop`] names one by its index.
    fn reasons(&self) -> Vec<ScorerReason>;
    /// How far around a line its judgement reads.
    fn reach(&self) -> Reach;
    /// Judges [`Neighbourhood::current`]. A line the rules drop stays dropped whatever the
    /// judgement, unless the scorer [overrules the rules that need context](Self::overrules_rules)
    /// and the rule is one.
    fn judge(&self, lines: &Neighbourhood<'_>) -> Judgement;

    /// Judges every line of a document at once: `judgements[i]` for `lines[i]` (cleared first).
    /// For scorers that share work between the lines of a document; the default calls
    /// [`Self::judge`] for each line.
    fn judge_all(&self, lines: &[ScoredLine<'_>], judgements: &mut Vec<Judgement>) {
        judgements.clear();
        let reach = self.reach();
        judgements.extend((0..lines.len()).map(|current| self.judge(&Neighbourhood { lines, current, reach })));
    }

    /// True when a line that a rule marked `needs_context` drops stays if the scorer keeps it
    /// (default: false). Other rules always win.
    fn overrules_rules(&self) -> bool {
        false
    }
}

/// One non-blank line of a document, as scorers see it.
///
/// ```
/// use dechrome::{ContextScorer, Judgement, Neighbourhood, Reach, ScorerReason};
/// /// Drops a short line that stands between two blank lines and that a rule drops anyway.
/// #[derive(Debug)]
/// struct Isolated;
/// impl ContextScorer for Isolated {
///     fn reasons(&self) -> Vec<ScorerReason> {
///         vec![ScorerReason::new("isolated", "navigation")]
///     }
///     fn reach(&self) -> Reach {
///         Reach { before: 0, after: 0 }
///     }
///     fn judge(&self, lines: &Neighbourhood<'_>) -> Judgement {
///         let line = lines.current();
///         let alone = line.blank_before() && line.blank_after() && line.shape().words < 3;
///         if alone && line.dropped_by().is_some() { Judgement::drop(0) } else { Judgement::keep() }
///     }
/// }
/// let cleaner = dechrome::Cleaner::builder().scorer(std::sync::Arc::new(Isolated)).build()?;
/// assert_eq!(cleaner.clean_str("Stocks rose.\n\nShare\n\nThey fell later.\n").text, "Stocks rose.\n\nThey fell later.\n");
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ScoredLine<'a> {
    pub(crate) text: &'a str,
    pub(crate) facts: &'a LineFacts,
    pub(crate) dropped_by: Option<DroppedBy<'a>>,
    /// The rule that drops the line is one that context cannot overrule.
    pub(crate) dropped_for_sure: bool,
    pub(crate) blank_before: bool,
    pub(crate) blank_after: bool,
}

impl<'a> ScoredLine<'a> {
    /// The normalized text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Its shape.
    pub fn shape(&self) -> &'a LineShape {
        &self.facts.shape
    }

    /// The rule that drops the line (its id and category), if one does.
    pub fn dropped_by(&self) -> Option<DroppedBy<'a>> {
        self.dropped_by
    }

    /// A blank line comes right before it (the start of the document does not count).
    pub fn blank_before(&self) -> bool {
        self.blank_before
    }

    /// A blank line comes right after it (the end of the document does not count).
    pub fn blank_after(&self) -> bool {
        self.blank_after
    }

    pub(crate) fn facts(&self) -> &'a LineFacts {
        self.facts
    }

    pub(crate) fn dropped_for_sure(&self) -> bool {
        self.dropped_for_sure
    }
}

/// The lines a scorer may read while judging one: the document's non-blank lines that are still
/// in it, within the scorer's [`Reach`] of the current one.
///
/// ```
/// use dechrome::{ContextScorer, Judgement, Neighbourhood, Reach, ScorerReason};
/// /// Drops the last line of a document when it is much shorter than the lines before it.
/// #[derive(Debug)]
/// struct ShortTail;
/// impl ContextScorer for ShortTail {
///     fn reasons(&self) -> Vec<ScorerReason> {
///         vec![ScorerReason::new("short-tail", "footer")]
///     }
///     fn reach(&self) -> Reach {
///         Reach { before: 2, after: 0 }
///     }
///     fn judge(&self, lines: &Neighbourhood<'_>) -> Judgement {
///         let last = lines.position() + 1 == lines.document_lines();
///         let longest = lines.before().map(|line| line.text().len()).max().unwrap_or(0);
///         if last && lines.current().text().len() * 4 < longest { Judgement::drop(0) } else { Judgement::keep() }
///     }
/// }
/// let cleaner = dechrome::Cleaner::builder().default_rules(false).classifier(false).scorer(std::sync::Arc::new(ShortTail)).build()?;
/// let page = "The council met on Monday to discuss the harbour.\nIt voted to fund the new pier.\nLog in\n";
/// assert_eq!(cleaner.clean_str(page).text, "The council met on Monday to discuss the harbour.\nIt voted to fund the new pier.\n");
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Neighbourhood<'a> {
    pub(crate) lines: &'a [ScoredLine<'a>],
    pub(crate) current: usize,
    pub(crate) reach: Reach,
}

impl<'a> Neighbourhood<'a> {
    /// The line being judged.
    pub fn current(&self) -> &'a ScoredLine<'a> {
        &self.lines[self.current]
    }

    /// The line `offset` lines away (negative: before), if there is one within reach.
    pub fn at(&self, offset: isize) -> Option<&'a ScoredLine<'a>> {
        let within =
            if offset < 0 { offset.unsigned_abs() <= self.reach.before } else { offset as usize <= self.reach.after };
        let index = self.current.checked_add_signed(offset)?;
        if within { self.lines.get(index) } else { None }
    }

    /// The position of the current line among the document's non-blank lines (0 for the first).
    pub fn position(&self) -> usize {
        self.current
    }

    /// The number of non-blank lines in the document (or part decided together).
    pub fn document_lines(&self) -> usize {
        self.lines.len()
    }

    /// The lines within reach before the current one, nearest first.
    pub fn before(&self) -> impl Iterator<Item = &'a ScoredLine<'a>> + 'a {
        let start = self.current.saturating_sub(self.reach.before);
        self.lines[start..self.current].iter().rev()
    }

    /// The lines within reach after the current one, nearest first.
    pub fn after(&self) -> impl Iterator<Item = &'a ScoredLine<'a>> + 'a {
        let end = self.current.saturating_add(self.reach.after).saturating_add(1).min(self.lines.len());
        self.lines[self.current + 1..end].iter()
    }
}
