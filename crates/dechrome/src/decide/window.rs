//! The rules' window: per-document state that decides what single-line matching cannot.
//!
//! Lines wait in a short window before they are released to the sinks, because a later line can
//! still change their fate: "please wait" drops the title line before it, and a `footer` rule only
//! applies to a line that turns out to be among the last kept lines of its document. A line leaves
//! the window as soon as its fate is certain, so memory is bounded by the window, not the document.
//!
//! Zones count *kept* non-blank lines, which makes cleaning idempotent: a line kept by the first
//! run sees the same number of kept lines before and after it in the second run.

use std::collections::{HashSet, VecDeque};

use super::MAX_REMEMBERED_DUPLICATES;
use super::reasons::{ReasonId, Reasons};
use crate::analyze::LineFacts;
use crate::identity_hash::IdentityHash;
use crate::rules::Action;

/// Settings of the rules' window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WindowSettings {
    pub header_lines: usize,
    pub footer_lines: usize,
}

/// Hard bound on the window, in entries: past it the oldest line is released, a footer
/// candidate among them dropped (alone: its action is not applied). Only pathological input
/// (thousands of consecutive footer candidates, or of lines after one that may drop them) gets
/// there. Dropping rather than keeping keeps cleaning idempotent: a kept candidate would meet
/// the same fate again in a second run, only further down.
const WINDOW_CAP: usize = 4096;

/// What a consumer of released entries returns: the entry back when it is done with it, to be
/// reused for a later line.
pub(crate) type Released<E> = Result<Option<Box<Entry>>, E>;

/// The fate of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Verdict {
    #[default]
    Keep,
    Drop(ReasonId),
    /// Matched a footer rule; dropped only if the line ends up in the footer zone.
    FooterCandidate(ReasonId),
}

/// One line (or a run of blank lines) waiting in the window.
#[derive(Debug, Default)]
pub(crate) struct Entry {
    /// 1-based line number of the (first) line within its document.
    pub line_number: u64,
    /// Normalized text; empty for blank lines.
    pub text: String,
    /// The input line as decoded, when the sinks asked for it.
    pub original: String,
    /// Bytes of the input line (for statistics).
    pub input_bytes: u64,
    /// Number of consecutive blank lines this entry stands for (0 for a text line).
    pub blank_lines: u64,
    pub verdict: Verdict,
    /// What analysis found (shape, rule matches, duplicate key); default for blank lines.
    pub facts: LineFacts,
    /// A context scorer's score for the line, when one judged it (for explanations).
    pub score: Option<f32>,
    /// The classifier's features of the line, when they are recorded.
    pub features: Vec<f32>,
    /// A rule that would drop the lines after this one drops only this line (see
    /// [`action_of`]).
    pub demoted: bool,
    /// The duplicate key is in the document's memory because of this line.
    remembered: bool,
    /// Counted in the header zone's kept lines.
    counted: bool,
}

impl Entry {
    pub(crate) fn is_blank(&self) -> bool {
        self.blank_lines > 0
    }

    /// Empties the entry for another line, keeping its buffers.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.original.clear();
        self.blank_lines = 0;
        self.verdict = Verdict::Keep;
        self.facts = LineFacts::default();
        self.score = None;
        self.features.clear();
        self.demoted = false;
        self.remembered = false;
        self.counted = false;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carry {
    None,
    /// Dropping up to the next blank line.
    Block(ReasonId),
    /// Dropping the rest of the document.
    Rest(ReasonId),
}

/// What a drop of `entry` for `reason` does: its action, or only the line itself when the entry
/// is demoted (a rule that would drop more prose after it than the document keeps).
fn action_of(entry: &Entry, reasons: &Reasons, reason: ReasonId) -> Action {
    let action = reasons.get(reason).action;
    if entry.demoted && action.drops_following() { Action::DropLine } else { action }
}

/// Takes a dropped line's duplicate key out of the document's memory, so a later copy of the
/// line is not dropped as a repeat of a line that is not in the output.
fn forget(seen: &mut HashSet<u64, IdentityHash>, entry: &mut Entry) {
    if std::mem::take(&mut entry.remembered)
        && let Some(key) = entry.facts.duplicate_key
    {
        seen.remove(&key);
    }
}

/// Text entries in the window by verdict, kept current as entries come, go and change verdict,
/// so that the common window (no footer candidate in it) is released without a walk over it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct VerdictCounts {
    keeps: usize,
    candidates: usize,
}

impl VerdictCounts {
    fn slot(&mut self, entry: &Entry) -> Option<&mut usize> {
        match entry.verdict {
            _ if entry.is_blank() => None,
            Verdict::Keep => Some(&mut self.keeps),
            Verdict::FooterCandidate(_) => Some(&mut self.candidates),
            Verdict::Drop(_) => None,
        }
    }

    fn add(&mut self, entry: &Entry) {
        if let Some(count) = self.slot(entry) {
            *count += 1;
        }
    }

    fn remove(&mut self, entry: &Entry) {
        if let Some(count) = self.slot(entry) {
            *count -= 1;
        }
    }

    /// Changes the verdict of `entry`, which is in the window.
    fn set(&mut self, entry: &mut Entry, verdict: Verdict) {
        self.remove(entry);
        entry.verdict = verdict;
        self.add(entry);
    }
}

/// What a window carries from one part of a document to the next (see
/// [`RulesWindow::carried`]): its zone count and the drops in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Carried {
    kept_lines: usize,
    carry: Carry,
    footer_shadow: Carry,
}

impl Carried {
    /// The state at the start of a document.
    pub(crate) const START: Carried = Carried { kept_lines: 0, carry: Carry::None, footer_shadow: Carry::None };
}

/// Per-document state of the rules.
#[derive(Debug)]
pub(crate) struct RulesWindow {
    settings: WindowSettings,
    /// Boxed, so that a line's entry is handed from the decider to the window, the sink and
    /// back to `spare` without copying it each time.
    window: VecDeque<Box<Entry>>,
    /// Non-blank entries in the window.
    window_text_lines: usize,
    counts: VerdictCounts,
    /// Non-blank lines kept for certain so far: the header zone is `< header_lines`. Lines a
    /// footer rule may still drop (footer candidates, the block or rest after one, the title
    /// before one) are not counted, so a second run, where they may be gone, counts the same.
    kept_lines: usize,
    carry: Carry,
    /// What a footer candidate may still drop after it: the lines up to the next blank line
    /// (`Block`) or to the end (`Rest`) are not counted as kept.
    footer_shadow: Carry,
    seen: HashSet<u64, IdentityHash>,
    /// Released entries, reused so the steady state allocates nothing; boxed like the window's
    /// entries, which move between the two.
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Entry>>,
    /// (certain keeps after, settled) per window index, rebuilt by `release`.
    scan: Vec<(usize, bool)>,
}

impl RulesWindow {
    pub(crate) fn new(settings: WindowSettings) -> Self {
        Self {
            settings,
            window: VecDeque::new(),
            window_text_lines: 0,
            counts: VerdictCounts::default(),
            kept_lines: 0,
            carry: Carry::None,
            footer_shadow: Carry::None,
            seen: HashSet::default(),
            spare: Vec::new(),
            scan: Vec::new(),
        }
    }

    /// A cleared entry to fill in and pass to [`RulesWindow::push`].
    pub(crate) fn fresh_entry(&mut self) -> Box<Entry> {
        let mut entry = self.spare.pop().unwrap_or_default();
        entry.clear();
        entry
    }

    /// The zone count and drops in progress, once every line before has been released (after
    /// [`Self::push_oversized`] or [`Self::finish`]).
    pub(crate) fn carried(&self) -> Carried {
        Carried { kept_lines: self.kept_lines, carry: self.carry, footer_shadow: self.footer_shadow }
    }

    /// Goes on from `carried`, as if the lines before it had been pushed here (the window is
    /// empty, as after [`Self::push_oversized`] or [`Self::finish`]).
    pub(crate) fn resume(&mut self, carried: Carried) {
        Carried { kept_lines: self.kept_lines, carry: self.carry, footer_shadow: self.footer_shadow } = carried;
    }

    /// True while the header zone is open.
    pub(crate) fn in_header(&self) -> bool {
        self.kept_lines < self.settings.header_lines
    }

    /// Decides `entry` (its `text` normalized, `facts` set for text lines), then releases
    /// whatever has become certain through `emit`.
    pub(crate) fn push<E>(
        &mut self,
        mut entry: Box<Entry>,
        reasons: &Reasons,
        emit: &mut impl FnMut(Box<Entry>) -> Released<E>,
    ) -> Result<(), E> {
        if let Carry::Rest(rule) = self.carry {
            entry.verdict = Verdict::Drop(rule);
        } else if entry.is_blank() {
            if matches!(self.carry, Carry::Block(_)) {
                self.carry = Carry::None;
            }
            if matches!(self.footer_shadow, Carry::Block(_)) {
                self.footer_shadow = Carry::None;
            }
            if let Some(last) = self.window.back_mut()
                && last.is_blank()
            {
                last.blank_lines += entry.blank_lines;
                self.spare.push(entry);
                return self.release(reasons, emit);
            }
        } else if let Carry::Block(rule) = self.carry {
            entry.verdict = Verdict::Drop(rule);
        } else {
            entry.verdict = self.decide(&mut entry, reasons);
        }
        if !entry.is_blank() {
            self.window_text_lines += 1;
        }
        self.counts.add(&entry);
        self.window.push_back(entry);
        self.release(reasons, emit)
    }

    fn decide(&mut self, entry: &mut Entry, reasons: &Reasons) -> Verdict {
        let matches = entry.facts.matches;
        if let Some(rule) = matches.now(self.in_header()) {
            let rule = reasons.rule(rule);
            match action_of(entry, reasons, rule) {
                // A keep rule's line has no drop rule's matches (see analysis).
                Action::DropLine | Action::Keep => {}
                Action::DropWithPrevious => self.drop_previous_title(self.window.len(), rule),
                Action::DropBlock => self.carry = Carry::Block(rule),
                Action::DropRest => self.carry = Carry::Rest(rule),
            }
            return Verdict::Drop(rule);
        }
        if let Some(key) = entry.facts.duplicate_key {
            if self.seen.contains(&key) {
                return Verdict::Drop(reasons.duplicate());
            }
            if self.seen.len() < MAX_REMEMBERED_DUPLICATES {
                self.seen.insert(key);
                entry.remembered = true;
            }
        }
        match matches.footer.map(|rule| reasons.rule(rule)) {
            Some(rule) if self.settings.footer_lines > 0 => {
                match action_of(entry, reasons, rule) {
                    Action::DropLine | Action::Keep => {}
                    Action::DropWithPrevious => {
                        if let Some(title) = self.previous_title(self.window.len()) {
                            self.uncount(title);
                        }
                    }
                    Action::DropBlock => self.footer_shadow = Carry::Block(rule),
                    Action::DropRest => self.footer_shadow = Carry::Rest(rule),
                }
                Verdict::FooterCandidate(rule)
            }
            _ => {
                if self.footer_shadow == Carry::None {
                    self.kept_lines += 1;
                    entry.counted = true;
                }
                Verdict::Keep
            }
        }
    }

    fn uncount(&mut self, index: usize) {
        let entry = &mut self.window[index];
        if entry.counted {
            entry.counted = false;
            self.kept_lines -= 1;
        }
    }

    /// The window index of the nearest text line before index `before` (at most one blank line
    /// between) when it is still kept and shaped like a title.
    fn previous_title(&self, before: usize) -> Option<usize> {
        let mut blank_allowance = 1;
        for index in (0..before).rev() {
            let entry = &self.window[index];
            if entry.is_blank() {
                if entry.blank_lines > blank_allowance {
                    return None;
                }
                blank_allowance -= entry.blank_lines;
                continue;
            }
            let kept = matches!(entry.verdict, Verdict::Keep | Verdict::FooterCandidate(_));
            return (kept && entry.facts.shape.title_like && !entry.facts.kept_by_rule).then_some(index);
        }
        None
    }

    /// Drops the title line before window index `before`, if there is one.
    fn drop_previous_title(&mut self, before: usize, rule: ReasonId) {
        let Some(index) = self.previous_title(before) else { return };
        self.uncount(index);
        let entry = &mut self.window[index];
        self.counts.set(entry, Verdict::Drop(rule));
        forget(&mut self.seen, entry);
    }

    /// Releases the leading entries whose fate is certain.
    fn release<E>(&mut self, reasons: &Reasons, emit: &mut impl FnMut(Box<Entry>) -> Released<E>) -> Result<(), E> {
        self.release_settled_front(emit)?;
        if self.window.front().is_some() && self.window_text_lines > self.settings.footer_lines {
            let releasable = if self.counts.candidates == 0 {
                let releasable = self.releasable_without_candidates();
                #[cfg(test)]
                {
                    let mut counted = VerdictCounts::default();
                    self.window.iter().for_each(|entry| counted.add(entry));
                    assert_eq!(counted, self.counts, "window {:?}", self.window);
                    assert_eq!(releasable, self.releasable_after_rescan(reasons), "window {:?}", self.window);
                }
                releasable
            } else {
                self.releasable_after_rescan(reasons)
            };
            for _ in 0..releasable {
                self.pop_front(emit)?;
            }
        }
        while self.window.len() > WINDOW_CAP {
            self.pop_front_overflowing(emit)?;
        }
        Ok(())
    }

    /// Releases the oldest entry because the window is full: a footer candidate among them is
    /// dropped (alone: its action is not applied). Dropping rather than keeping keeps cleaning
    /// idempotent: a kept candidate would meet the same fate again in a second run, only further
    /// down.
    fn pop_front_overflowing<E>(&mut self, emit: &mut impl FnMut(Box<Entry>) -> Released<E>) -> Result<(), E> {
        if let Some(front) = self.window.front_mut()
            && let Verdict::FooterCandidate(rule) = front.verdict
        {
            self.counts.set(front, Verdict::Drop(rule));
            forget(&mut self.seen, front);
        }
        self.pop_front(emit)
    }

    /// Releases every line because a document too long to hold is cut here: as when the window
    /// overflows, footer candidates are dropped on their own. Returns the rule that drops what
    /// follows, when a block or the rest of the document is being dropped.
    pub(crate) fn release_at_cut<E>(
        &mut self,
        emit: &mut impl FnMut(Box<Entry>) -> Released<E>,
    ) -> Result<Option<ReasonId>, E> {
        while !self.window.is_empty() {
            self.pop_front_overflowing(emit)?;
        }
        Ok(match self.carry {
            Carry::Block(rule) | Carry::Rest(rule) => Some(rule),
            Carry::None => None,
        })
    }

    fn release_settled_front<E>(&mut self, emit: &mut impl FnMut(Box<Entry>) -> Released<E>) -> Result<(), E> {
        while let Some(front) = self.window.front() {
            if !(front.is_blank() || matches!(front.verdict, Verdict::Drop(_))) {
                break;
            }
            self.pop_front(emit)?;
        }
        Ok(())
    }

    /// How many leading entries can be released: dropped and blank ones, and kept lines with at
    /// least `footer_lines` certain keeps after them. Walks the whole window.
    fn releasable_after_rescan(&mut self, reasons: &Reasons) -> usize {
        self.rescan(reasons);
        self.scan
            .iter()
            .zip(self.window.iter())
            .take_while(|((certain_after, settled), entry)| match entry.verdict {
                Verdict::Drop(_) => true,
                _ if entry.is_blank() => true,
                Verdict::Keep => *settled && *certain_after >= self.settings.footer_lines,
                Verdict::FooterCandidate(_) => false,
            })
            .count()
    }

    /// [`Self::releasable_after_rescan`] for a window without footer candidates, from the
    /// counts, looking only at the entries it releases. Every kept line is then settled but the
    /// last text line (the next line may still be a rule that drops the title before it), and
    /// the certain keeps after a kept line are the keeps after it but that last one.
    fn releasable_without_candidates(&self) -> usize {
        let last_text = self.window.iter().rposition(|entry| !entry.is_blank());
        let last_is_keep = last_text.is_some_and(|index| self.window[index].verdict == Verdict::Keep);
        let mut certain_after = self.counts.keeps - usize::from(last_is_keep);
        let mut releasable = 0;
        for (index, entry) in self.window.iter().enumerate() {
            if entry.verdict == Verdict::Keep && !entry.is_blank() {
                if Some(index) == last_text || certain_after <= self.settings.footer_lines {
                    break;
                }
                certain_after -= 1;
            }
            releasable += 1;
        }
        releasable
    }

    /// Walks the window from the back, counting lines that will certainly be kept after each
    /// entry. A footer candidate with enough of them is outside the footer zone for good and
    /// becomes a keep; one without them that would drop following lines makes everything after it
    /// uncertain.
    fn rescan(&mut self, reasons: &Reasons) {
        let footer_lines = self.settings.footer_lines;
        self.scan.clear();
        self.scan.resize(self.window.len(), (0, false));
        let mut certain = 0;
        // None: no text line after this one yet; Some(true): the next one may still drop it.
        let mut next_may_drop_previous: Option<bool> = None;
        for (entry, scan) in self.window.iter_mut().rev().zip(self.scan.iter_mut().rev()) {
            let settled = next_may_drop_previous == Some(false);
            *scan = (certain, settled);
            if entry.is_blank() {
                continue;
            }
            match entry.verdict {
                Verdict::Keep => certain += usize::from(settled),
                Verdict::FooterCandidate(rule) => {
                    if certain >= footer_lines {
                        self.counts.set(entry, Verdict::Keep);
                        certain += usize::from(settled);
                    } else if action_of(entry, reasons, rule).drops_following() {
                        certain = 0;
                    }
                }
                Verdict::Drop(_) => {}
            }
            next_may_drop_previous = Some(matches!(
                entry.verdict,
                Verdict::FooterCandidate(rule) if reasons.get(rule).action == Action::DropWithPrevious
            ));
        }
    }

    fn pop_front<E>(&mut self, emit: &mut impl FnMut(Box<Entry>) -> Released<E>) -> Result<(), E> {
        if let Some(entry) = self.window.pop_front() {
            if !entry.is_blank() {
                self.window_text_lines -= 1;
            }
            self.counts.remove(&entry);
            // `emit` gives the entry back when it is done with it, to be reused.
            if let Some(entry) = emit(entry)? {
                self.spare.push(entry);
            }
        }
        Ok(())
    }

    /// Decides everything before an oversized line, which is passed through without matching.
    /// Returns the rule that drops it when a block or the rest of the document is being
    /// dropped. Otherwise the line is kept and, being body text, ends any footer zone before
    /// it: waiting footer candidates are kept.
    pub(crate) fn push_oversized<E>(
        &mut self,
        emit: &mut impl FnMut(Box<Entry>) -> Released<E>,
    ) -> Result<Option<ReasonId>, E> {
        let dropped_by = self.release_as_body(emit)?;
        if dropped_by.is_none() {
            self.kept_lines += 1;
        }
        Ok(dropped_by)
    }

    /// Releases every line as if body text followed: footer candidates are kept. Returns the
    /// rule that drops what follows, when a block or the rest of the document is being dropped.
    pub(crate) fn release_as_body<E>(
        &mut self,
        emit: &mut impl FnMut(Box<Entry>) -> Released<E>,
    ) -> Result<Option<ReasonId>, E> {
        let dropped_by = match self.carry {
            Carry::Block(rule) | Carry::Rest(rule) => Some(rule),
            Carry::None => None,
        };
        for entry in &mut self.window {
            if let Verdict::FooterCandidate(_) = entry.verdict {
                self.counts.set(entry, Verdict::Keep);
            }
        }
        while !self.window.is_empty() {
            self.pop_front(emit)?;
        }
        Ok(dropped_by)
    }

    /// Ends the document: applies footer rules to the lines in the footer zone, releases
    /// everything and resets the state for the next document.
    pub(crate) fn finish<E>(
        &mut self,
        reasons: &Reasons,
        emit: &mut impl FnMut(Box<Entry>) -> Released<E>,
    ) -> Result<(), E> {
        let footer_lines = self.settings.footer_lines;
        let mut kept_after = 0;
        for index in (0..self.window.len()).rev() {
            if self.window[index].is_blank() {
                continue;
            }
            match self.window[index].verdict {
                Verdict::Keep => kept_after += 1,
                Verdict::Drop(_) => {}
                Verdict::FooterCandidate(_) if kept_after >= footer_lines => {
                    self.counts.set(&mut self.window[index], Verdict::Keep);
                    kept_after += 1;
                }
                Verdict::FooterCandidate(rule) => {
                    self.counts.set(&mut self.window[index], Verdict::Drop(rule));
                    match action_of(&self.window[index], reasons, rule) {
                        Action::DropLine | Action::Keep => {}
                        Action::DropWithPrevious => self.drop_previous_title(index, rule),
                        Action::DropBlock => {
                            for later in self.window.range_mut(index + 1..).take_while(|e| !e.is_blank()) {
                                if later.verdict == Verdict::Keep {
                                    kept_after -= 1;
                                }
                                self.counts.set(later, Verdict::Drop(rule));
                            }
                        }
                        Action::DropRest => {
                            for later in self.window.range_mut(index + 1..).filter(|e| !e.is_blank()) {
                                self.counts.set(later, Verdict::Drop(rule));
                            }
                            kept_after = 0;
                        }
                    }
                }
            }
        }
        while !self.window.is_empty() {
            self.pop_front(emit)?;
        }
        self.resume(Carried::START);
        self.seen.clear();
        Ok(())
    }
}
