//! The reasons a line can be dropped for, in one table: the rules (in pack order, so a rule's
//! index is its reason's), then the duplicate-line rule, then each context scorer's reasons.
//! Decisions, statistics and sinks name a reason by its index in this table.

use super::ContextScorer;
use crate::error::{Error, Result};
use crate::rules::{Action, RuleRef, RuleSet};
use crate::sink::DroppedBy;

/// Index of a reason in [`Reasons`].
pub(crate) type ReasonId = u32;

/// Id and category reported for lines dropped as repeats of an earlier line.
pub const DUPLICATE_REASON_ID: &str = "duplicate-line";
/// Category of [`DUPLICATE_REASON_ID`].
pub const DUPLICATE_CATEGORY: &str = "duplicate";

/// Why a line is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reason {
    pub id: String,
    pub category: String,
    /// What else a drop for this reason drops: only rules drop more than their own line.
    pub action: Action,
    /// A rule that needs context while a scorer judges that context: a drop it may undo.
    pub advisory: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Reasons {
    table: Vec<Reason>,
    duplicate: ReasonId,
    /// Where each scorer's reasons start in the table.
    scorer_starts: Vec<ReasonId>,
}

impl Reasons {
    pub(crate) fn new(rules: &RuleSet, scorers: &[std::sync::Arc<dyn ContextScorer>]) -> Result<Self> {
        let reason = |id: &str, category: &str, action| Reason {
            id: id.into(),
            category: category.into(),
            action,
            advisory: false,
        };
        let overruled = scorers.iter().any(|scorer| scorer.overrules_rules());
        let mut table: Vec<Reason> = rules
            .iter()
            .map(|rule| Reason {
                advisory: overruled && rule.needs_context,
                ..reason(&rule.id, &rule.category, rule.action)
            })
            .collect();
        let duplicate = table.len();
        table.push(reason(DUPLICATE_REASON_ID, DUPLICATE_CATEGORY, Action::DropLine));
        let mut scorer_starts = Vec::with_capacity(scorers.len());
        for scorer in scorers {
            scorer_starts.push(table.len());
            let reasons = scorer.reasons();
            if reasons.is_empty() {
                return Err(Error::Setting(format!("context scorer {scorer:?} names no reason to drop a line for")));
            }
            table.extend(reasons.iter().map(|r| reason(&r.id, &r.category, Action::DropLine)));
        }
        let id = |index: usize| {
            ReasonId::try_from(index).map_err(|_| Error::Setting(format!("too many reasons to drop lines ({index})")))
        };
        id(table.len())?;
        Ok(Self {
            duplicate: id(duplicate)?,
            scorer_starts: scorer_starts.into_iter().map(id).collect::<Result<_>>()?,
            table,
        })
    }

    pub(crate) fn get(&self, id: ReasonId) -> &Reason {
        &self.table[id as usize]
    }

    /// The reason as sinks and scorers see it.
    pub(crate) fn dropped_by(&self, id: ReasonId) -> DroppedBy<'_> {
        let reason = self.get(id);
        DroppedBy { reason: &reason.id, category: &reason.category }
    }

    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    pub(crate) fn rule(&self, rule: RuleRef) -> ReasonId {
        rule
    }

    pub(crate) fn duplicate(&self) -> ReasonId {
        self.duplicate
    }

    /// The reason that scorer number `scorer` gives as its `nth`; `None` if it has no such reason.
    pub(crate) fn of_scorer(&self, scorer: usize, nth: usize) -> Option<ReasonId> {
        let start = *self.scorer_starts.get(scorer)?;
        let end = self.scorer_starts.get(scorer + 1).copied().unwrap_or(self.table.len() as ReasonId);
        let id = start.checked_add(ReasonId::try_from(nth).ok()?)?;
        (id < end).then_some(id)
    }
}
