//! Deciding a document as a whole when context scorers take part (see [`super::scorer`]): the
//! lines of a document (or of a part of one, to bound memory) are gathered, then the rules, the
//! scorers and the duplicate rule run over the lines still in it until none drops anything more.

use std::collections::HashSet;

use super::classifier::{FeatureTable, LineClassifier};
use super::reasons::{ReasonId, Reasons};
use super::scorer::{Judgement, MAX_SEGMENT_BYTES, MAX_SEGMENT_LINES, ScoredLine};
use super::window::{Carried, Entry, RulesWindow, Verdict, WindowSettings};
use super::{Decisions, MAX_REMEMBERED_DUPLICATES};

/// Rounds of deciding a document (or part) at most. Each round drops at least one line or is the
/// last, and most documents need two (the second drops nothing); every page of the development
/// set needs at most nine. A cascade, where each round's drops make the next line an edge that
/// goes too (as in long runs of repeated junk), would take a round per line: it stops here, and
/// the document is counted as unsettled (cleaning its output again may drop more).
pub const MAX_ROUNDS: usize = 16;

/// How the lines being decided end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SegmentEnd {
    /// At the end of the document: footer rules apply.
    Document,
    /// Body text follows (an oversized line): footer candidates are kept.
    Body,
    /// More of a document too long to decide at once follows: footer candidates are dropped on
    /// their own, as when the rules' window overflows.
    Cut,
}

/// The lines of the document being gathered, and what is known of the document before them.
#[derive(Debug)]
pub(crate) struct DocumentStage {
    /// Boxed like the rules' window's entries: the decider fills a line's entry the same way
    /// for either.
    #[allow(clippy::vec_box)]
    entries: Vec<Box<Entry>>,
    bytes: usize,
    /// What the rules carry into these lines from the lines of the document before them.
    carried: Carried,
    /// Duplicate keys of the lines kept before these ones in the same document.
    seen: HashSet<u64>,
    /// Runs the rules over stand-ins for the lines (their facts, no text).
    rules: RulesWindow,
    /// Entries written out, to be reused.
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Entry>>,
    /// Indices of the entries still in the document, in order.
    live: Vec<usize>,
    /// Each entry's verdict in the current round.
    round: Vec<Verdict>,
    /// Duplicate keys met in the current round.
    round_seen: HashSet<u64>,
    /// Some part of the document ended its rounds still dropping lines, or the document is
    /// being decided in parts.
    unsettled: bool,
    /// The non-blank lines among `live`, and each scorer's judgements of them.
    texts: Vec<usize>,
    judgements: Vec<Vec<Judgement>>,
}

impl DocumentStage {
    pub(crate) fn new(settings: WindowSettings) -> Self {
        Self {
            entries: Vec::new(),
            bytes: 0,
            carried: Carried::START,
            seen: HashSet::new(),
            rules: RulesWindow::new(settings),
            spare: Vec::new(),
            live: Vec::new(),
            round: Vec::new(),
            round_seen: HashSet::new(),
            unsettled: false,
            texts: Vec::new(),
            judgements: Vec::new(),
        }
    }

    /// A cleared entry to fill in and [`Self::push`].
    pub(crate) fn fresh_entry(&mut self) -> Box<Entry> {
        let mut entry = self.spare.pop().unwrap_or_default();
        entry.clear();
        entry
    }

    /// Adds a line; true when the lines gathered should be decided now to bound memory.
    pub(crate) fn push(&mut self, entry: Box<Entry>) -> bool {
        self.bytes += entry.text.len() + entry.original.len();
        self.entries.push(entry);
        self.entries.len() >= MAX_SEGMENT_LINES || self.bytes >= MAX_SEGMENT_BYTES
    }

    /// Decides the lines gathered and hands each, in order, to `emit`. Returns the reason that
    /// drops the body text that follows, when a block or the rest of the document is being
    /// dropped ([`SegmentEnd::Body`]), and, at the end of a document, whether some part of it
    /// ended its rounds unsettled.
    pub(crate) fn decide<E>(
        &mut self,
        decisions: &Decisions,
        end: SegmentEnd,
        mut emit: impl FnMut(&Entry) -> Result<(), E>,
    ) -> Result<(Option<ReasonId>, bool), E> {
        let carry = self.decide_rounds(decisions, end);
        // The parts of a document decided apart may shrink enough to be decided at once when
        // the output is cleaned again, which may then decide them differently.
        self.unsettled |= end == SegmentEnd::Cut;
        let mut result = Ok(());
        for entry in self.entries.drain(..) {
            if result.is_ok() {
                result = emit(&entry);
            }
            self.spare.push(entry);
        }
        self.bytes = 0;
        let unsettled = end == SegmentEnd::Document && std::mem::take(&mut self.unsettled);
        if end == SegmentEnd::Document {
            self.carried = Carried::START;
            self.seen.clear();
        }
        result.map(|()| (carry, unsettled))
    }

    /// Sets every entry's verdict: rounds of rules, scorers and duplicates over the lines still
    /// in, until a round drops nothing.
    fn decide_rounds(&mut self, decisions: &Decisions, end: SegmentEnd) -> Option<ReasonId> {
        self.live.clear();
        self.live.extend(0..self.entries.len());
        for entry in &mut self.entries {
            entry.verdict = Verdict::Keep;
            entry.score = None;
        }
        let mut rounds = 0;
        loop {
            rounds += 1;
            let (carry, carried) = self.rules_round(&decisions.reasons, end);
            if rounds == 1
                && decisions.record_features
                && let Some(classifier) = &decisions.classifier
            {
                self.record_features(decisions, classifier);
            }
            self.scorers_round(decisions);
            self.duplicates_round(&decisions.reasons);
            let before = self.live.len();
            let (entries, round) = (&mut self.entries, &self.round);
            self.live.retain(|&index| match round[index] {
                Verdict::Drop(reason) => {
                    entries[index].verdict = Verdict::Drop(reason);
                    false
                }
                Verdict::Keep | Verdict::FooterCandidate(_) => true,
            });
            let settled = self.live.len() == before;
            if settled || rounds == MAX_ROUNDS {
                self.unsettled |= !settled;
                self.remember_kept();
                self.carried = carried;
                return carry;
            }
        }
    }

    /// The rules over the lines still in: each line's verdict in `round`, the reason dropping
    /// what follows, and what the rules carry past the end. A rule that would drop the rest of
    /// the document (or a block) with more prose in it than the document keeps drops only its
    /// own line: a "©" line near the top of a short page does not take the article with it.
    fn rules_round(&mut self, reasons: &Reasons, end: SegmentEnd) -> (Option<ReasonId>, Carried) {
        loop {
            let result = self.rules_pass(reasons, end);
            match self.unjustified_carry(reasons) {
                Some(trigger) => self.entries[trigger].demoted = true,
                None => return result,
            }
        }
    }

    /// The first line whose rule drops following lines holding more prose (words of lines that
    /// read like sentences) than all the lines kept; `None` when there is none.
    fn unjustified_carry(&self, reasons: &Reasons) -> Option<usize> {
        let prose_words = |index: usize| {
            let shape = &self.entries[index].facts.shape;
            if shape.sentence { shape.words } else { 0 }
        };
        let kept: usize = self
            .live
            .iter()
            .filter(|&&index| !matches!(self.round[index], Verdict::Drop(_)))
            .map(|&index| prose_words(index))
            .sum();
        for (at, &index) in self.live.iter().enumerate() {
            let Verdict::Drop(reason) = self.round[index] else { continue };
            if self.entries[index].demoted || !reasons.get(reason).action.drops_following() {
                continue;
            }
            let carried: usize = self.live[at + 1..]
                .iter()
                .filter(|&&later| !self.entries[later].is_blank())
                .take_while(|&&later| self.round[later] == Verdict::Drop(reason))
                .map(|&later| prose_words(later))
                .sum();
            if carried > kept {
                return Some(index);
            }
        }
        None
    }

    /// One pass of the rules over the lines still in (see [`Self::rules_round`]).
    fn rules_pass(&mut self, reasons: &Reasons, end: SegmentEnd) -> (Option<ReasonId>, Carried) {
        self.round.clear();
        self.round.resize(self.entries.len(), Verdict::Keep);
        self.rules.resume(self.carried);
        let Self { entries, live, rules, round, .. } = self;
        let mut record = |stand_in: Box<Entry>| -> Result<Option<Box<Entry>>, ()> {
            round[stand_in.line_number as usize] = stand_in.verdict;
            Ok(Some(stand_in))
        };
        // A run of blank lines reads as one, as in the output; so does a run whose lines were
        // dropped in between.
        let mut after_blank = true;
        for &index in live.iter() {
            let entry = &entries[index];
            if entry.is_blank() && after_blank {
                continue;
            }
            after_blank = entry.is_blank();
            let mut stand_in = rules.fresh_entry();
            stand_in.line_number = index as u64;
            stand_in.blank_lines = u64::from(entry.is_blank());
            stand_in.demoted = entry.demoted;
            // Duplicates are decided after the scorers, so that the copy a scorer keeps stays.
            stand_in.facts = entry.facts;
            stand_in.facts.duplicate_key = None;
            // Recording a verdict cannot fail.
            let _ = rules.push(stand_in, reasons, &mut record);
        }
        let carry = match end {
            SegmentEnd::Document => rules.finish(reasons, &mut record).map(|()| None),
            SegmentEnd::Body => rules.release_as_body(&mut record),
            SegmentEnd::Cut => rules.release_at_cut(&mut record),
        };
        (carry.unwrap_or(None), rules.carried())
    }

    /// The lines still in, as scorers see them (`texts` says which entries they are).
    fn scored_lines<'s>(
        entries: &'s [Box<Entry>],
        live: &[usize],
        round: &[Verdict],
        reasons: &'s Reasons,
        texts: &mut Vec<usize>,
    ) -> Vec<ScoredLine<'s>> {
        texts.clear();
        let mut lines: Vec<ScoredLine<'_>> = Vec::with_capacity(live.len());
        for (at, &index) in live.iter().enumerate() {
            let entry = &entries[index];
            if entry.is_blank() {
                continue;
            }
            let blank_before = at > 0 && entries[live[at - 1]].is_blank() && !lines.is_empty();
            let blank_after = live.get(at + 1).is_some_and(|&next| entries[next].is_blank())
                && live[at + 1..].iter().any(|&next| !entries[next].is_blank());
            let (dropped_by, dropped_for_sure) = match round[index] {
                Verdict::Drop(reason) => (Some(reasons.dropped_by(reason)), !reasons.get(reason).advisory),
                _ => (None, false),
            };
            lines.push(ScoredLine {
                text: &entry.text,
                facts: &entry.facts,
                dropped_by,
                dropped_for_sure,
                blank_before,
                blank_after,
            });
            texts.push(index);
        }
        lines
    }

    /// Stores each line's classifier features in its entry, for the sink.
    fn record_features(&mut self, decisions: &Decisions, classifier: &LineClassifier) {
        let lines = Self::scored_lines(&self.entries, &self.live, &self.round, &decisions.reasons, &mut self.texts);
        let mut table = FeatureTable::default();
        classifier.table(&lines, &mut table, true);
        drop(lines);
        let columns = classifier.feature_names().len();
        for (line, &index) in self.texts.iter().enumerate() {
            let features = &mut self.entries[index].features;
            features.clear();
            features.extend((0..columns).map(|column| table.get(line, column)));
        }
    }

    /// Every scorer over the lines still in. The first to drop a line the rules keep decides; a
    /// line that a rule needing context drops stays when every scorer that overrules such rules
    /// keeps it.
    fn scorers_round(&mut self, decisions: &Decisions) {
        if decisions.scorers.is_empty() {
            return;
        }
        let lines = Self::scored_lines(&self.entries, &self.live, &self.round, &decisions.reasons, &mut self.texts);
        self.judgements.resize_with(decisions.scorers.len(), Vec::new);
        for (scorer, judged) in decisions.scorers.iter().zip(self.judgements.iter_mut()) {
            scorer.judge_all(&lines, judged);
            judged.resize(lines.len(), Judgement::keep());
        }
        drop(lines);
        let Self { entries, round, texts, judgements, .. } = self;
        for (line, &index) in texts.iter().enumerate() {
            let mut score = None;
            let mut dropped = None;
            let (mut overruler_keeps, mut overruler_drops) = (false, false);
            for (number, (scorer, judged)) in decisions.scorers.iter().zip(judgements.iter()).enumerate() {
                let judgement = judged[line];
                score = judgement.score().or(score);
                let reason = judgement.dropped_for().and_then(|nth| decisions.reasons.of_scorer(number, nth));
                dropped = dropped.or(reason);
                if scorer.overrules_rules() {
                    overruler_keeps |= judgement.keeps();
                    overruler_drops |= reason.is_some();
                }
            }
            entries[index].score = score;
            if entries[index].facts.kept_by_rule {
                continue;
            }
            round[index] = match round[index] {
                // An advisory drop means some scorer overrules the rules that need context.
                Verdict::Drop(rule) if decisions.reasons.get(rule).advisory && overruler_keeps && !overruler_drops => {
                    Verdict::Keep
                }
                Verdict::Drop(rule) => Verdict::Drop(rule),
                Verdict::Keep | Verdict::FooterCandidate(_) => dropped.map_or(Verdict::Keep, Verdict::Drop),
            };
        }
    }

    /// The duplicate rule over the lines kept so far this round: a line that repeats one kept
    /// before it in the document goes. (Lines have keys only when duplicates are dropped.)
    fn duplicates_round(&mut self, reasons: &Reasons) {
        self.round_seen.clear();
        for &index in &self.live {
            let Some(key) = self.entries[index].facts.duplicate_key else { continue };
            if matches!(self.round[index], Verdict::Drop(_)) {
                continue;
            }
            if self.seen.contains(&key) || !self.round_seen.insert(key) {
                self.round[index] = Verdict::Drop(reasons.duplicate());
            }
        }
    }

    /// Remembers the duplicate keys of the lines kept, for the rest of the document.
    fn remember_kept(&mut self) {
        for &index in &self.live {
            if self.seen.len() >= MAX_REMEMBERED_DUPLICATES {
                break;
            }
            if let Some(key) = self.entries[index].facts.duplicate_key {
                self.seen.insert(key);
            }
        }
    }
}
