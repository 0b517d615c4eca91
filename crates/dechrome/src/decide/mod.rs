//! Decisions: the fate of each line given its neighbours, made in input order, then handed to
//! the sink with the counts.
//!
//! - [`window`]: the rules' window: zones, "drop the title before", blocks, the rest of a
//!   document, duplicates, over a bounded window of lines that each leave it as soon as their
//!   fate is certain;
//! - [`scorer`]: the public seam for [`ContextScorer`]s, judges that are not rules;
//! - [`document`]: with scorers, a document decided as a whole, round after round, so that
//!   cleaning stays idempotent;
//! - [`reasons`]: the table of reasons lines are dropped for.

pub(crate) mod classifier;
pub(crate) mod document;
pub(crate) mod reasons;
pub(crate) mod scorer;
mod window;

use std::sync::Arc;

use crate::analyze::{AnalyzedBlock, LineKind};
use crate::error::{Error, Result};
use crate::sink::{LineRecord, Sink};
use crate::stats::{RuleCount, Stats};
use classifier::LineClassifier;
use document::{DocumentStage, SegmentEnd};
use reasons::{ReasonId, Reasons};
pub use scorer::ContextScorer;
pub(crate) use window::WindowSettings;
use window::{Entry, Released, RulesWindow, Verdict};

/// Bound on remembered line hashes per document for duplicate detection.
const MAX_REMEMBERED_DUPLICATES: usize = 1 << 16;

/// Everything deciding needs, compiled once.
#[derive(Debug)]
pub(crate) struct Decisions {
    pub reasons: Reasons,
    pub window: WindowSettings,
    pub scorers: Vec<Arc<dyn ContextScorer>>,
    /// The built-in classifier, which is also among the scorers.
    pub classifier: Option<Arc<LineClassifier>>,
    /// Each line's classifier features are handed to the sink (read in the first round).
    pub record_features: bool,
}

/// Per-reason counters, indexed like the reasons.
#[derive(Debug)]
struct Counters {
    /// (lines, bytes) dropped for each reason.
    dropped: Vec<(u64, u64)>,
    kept_lines: u64,
    input_lines: u64,
    documents: u64,
    unsettled_documents: u64,
}

/// The state of a decider that outlives a run, so that a run per small document does not
/// allocate it afresh.
#[derive(Debug)]
pub(crate) struct DeciderState {
    window: RulesWindow,
    document: Option<DocumentStage>,
    dropped: Vec<(u64, u64)>,
}

impl DeciderState {
    pub(crate) fn new(decisions: &Decisions) -> Self {
        Self {
            window: RulesWindow::new(decisions.window),
            document: (!decisions.scorers.is_empty()).then(|| DocumentStage::new(decisions.window)),
            dropped: vec![(0, 0); decisions.reasons.len()],
        }
    }
}

/// The in-order stage of one stream: decisions, counts and the sink.
pub(crate) struct Decider<'e, S: ?Sized> {
    decisions: &'e Decisions,
    /// The rules' window, when there is no scorer: lines stream through it.
    window: RulesWindow,
    /// With scorers: the lines of the document, decided together.
    document: Option<DocumentStage>,
    counters: Counters,
    document_number: u64,
    line_number: u64,
    /// The reason dropping the oversized line being passed through, if any.
    oversized_drop: Option<ReasonId>,
    sink: &'e mut S,
}

impl<'e, S: Sink + ?Sized> Decider<'e, S> {
    pub(crate) fn new(decisions: &'e Decisions, state: DeciderState, sink: &'e mut S) -> Self {
        let DeciderState { window, document, dropped } = state;
        Self {
            decisions,
            window,
            document,
            counters: Counters { dropped, kept_lines: 0, input_lines: 0, documents: 0, unsettled_documents: 0 },
            document_number: 1,
            line_number: 0,
            oversized_drop: None,
            sink,
        }
    }

    /// Decides the lines of an analyzed block.
    pub(crate) fn consume(&mut self, block: &AnalyzedBlock) -> Result<()> {
        for (line, text, original) in block.lines() {
            match line.kind {
                LineKind::DocumentSeparator => {
                    self.end_document()?;
                    self.sink.end_document(true).map_err(Error::Write)?;
                    self.counters.documents += 1;
                    self.document_number += 1;
                    self.line_number = 0;
                }
                LineKind::Oversized { first, last } => self.oversized(text, line.input_bytes, first, last)?,
                LineKind::Text | LineKind::Blank(_) => {
                    let lines = match line.kind {
                        LineKind::Blank(run) => run,
                        _ => 1,
                    };
                    let mut entry = match &mut self.document {
                        Some(document) => document.fresh_entry(),
                        None => self.window.fresh_entry(),
                    };
                    entry.line_number = self.line_number + 1;
                    self.line_number += lines;
                    entry.input_bytes = line.input_bytes;
                    entry.original.push_str(original);
                    entry.text.push_str(text);
                    entry.facts = line.facts;
                    entry.blank_lines = if line.kind == LineKind::Text { 0 } else { lines };
                    let Self { decisions, window, document, counters, document_number, sink, .. } = self;
                    match document {
                        Some(document) => {
                            if document.push(entry) {
                                document.decide(decisions, SegmentEnd::Cut, |entry| {
                                    emit_entry(decisions, entry, *document_number, &mut **sink, counters)
                                })?;
                            }
                        }
                        None => window.push(entry, &decisions.reasons, &mut |entry| {
                            emit_entry(decisions, &entry, *document_number, &mut **sink, counters).map(|()| Some(entry))
                        })?,
                    }
                }
            }
        }
        Ok(())
    }

    /// Passes an oversized line (or a piece of one) straight to the sink. The lines before it
    /// are decided first, as if the document went on: its size makes it body text.
    fn oversized(&mut self, text: &str, input_bytes: u64, first: bool, last: bool) -> Result<()> {
        if first {
            self.line_number += 1;
            self.counters.input_lines += 1;
            let Self { decisions, window, document, counters, document_number, sink, .. } = self;
            self.oversized_drop = match document {
                Some(document) => {
                    document
                        .decide(decisions, SegmentEnd::Body, |entry| {
                            emit_entry(decisions, entry, *document_number, &mut **sink, counters)
                        })?
                        .0
                }
                None => window.push_oversized(&mut |entry| {
                    emit_entry(decisions, &entry, *document_number, &mut **sink, counters).map(|()| Some(entry))
                })?,
            };
            if self.oversized_drop.is_none() {
                self.counters.kept_lines += 1;
            }
        }
        let dropped_by = self.oversized_drop.map(|reason| {
            let slot = &mut self.counters.dropped[reason as usize];
            slot.0 += u64::from(first);
            slot.1 += input_bytes;
            self.decisions.reasons.dropped_by(reason)
        });
        let record = LineRecord {
            document: self.document_number,
            line_number: self.line_number,
            text,
            original: text,
            dropped_by,
            score: None,
            features: None,
            repaired: false,
            continues: !last,
        };
        self.sink.line(&record).map_err(Error::Write)
    }

    /// Decides the rest of the current document.
    fn end_document(&mut self) -> Result<()> {
        let Self { decisions, window, document, counters, document_number, sink, .. } = self;
        match document {
            Some(document) => {
                let (_, unsettled) = document.decide(decisions, SegmentEnd::Document, |entry| {
                    emit_entry(decisions, entry, *document_number, &mut **sink, counters)
                })?;
                counters.unsettled_documents += u64::from(unsettled);
            }
            None => window.finish(&decisions.reasons, &mut |entry| -> Released<Error> {
                emit_entry(decisions, &entry, *document_number, &mut **sink, counters).map(|()| Some(entry))
            })?,
        }
        Ok(())
    }

    /// Ends the stream: decides the last document, finishes the sink, and returns the counts
    /// (without the output bytes, which only the caller's text sink knows) and the state to
    /// reuse.
    pub(crate) fn finish(mut self, input_bytes: u64) -> Result<(Stats, DeciderState)> {
        self.end_document()?;
        self.sink.end_document(false).map_err(Error::Write)?;
        self.sink.finish().map_err(Error::Write)?;
        let Self { decisions, window, document, mut counters, .. } = self;
        if input_bytes > 0 {
            counters.documents += 1;
        }
        let dropped = counters
            .dropped
            .iter()
            .enumerate()
            .filter(|(_, (lines, _))| *lines > 0)
            .map(|(index, &(lines, bytes))| {
                let reason = decisions.reasons.get(index as ReasonId);
                RuleCount { rule: reason.id.clone(), category: reason.category.clone(), lines, bytes }
            })
            .collect();
        let stats = Stats {
            documents: counters.documents,
            input_lines: counters.input_lines,
            input_bytes,
            kept_lines: counters.kept_lines,
            output_bytes: 0,
            dropped,
            unsettled_documents: counters.unsettled_documents,
        };
        counters.dropped.fill((0, 0));
        Ok((stats, DeciderState { window, document, dropped: counters.dropped }))
    }
}

/// Counts a decided entry and hands it to the sink (a run of blank lines as one record each).
fn emit_entry<S: Sink + ?Sized>(
    decisions: &Decisions,
    entry: &Entry,
    document: u64,
    sink: &mut S,
    counters: &mut Counters,
) -> Result<()> {
    let lines = entry.blank_lines.max(1);
    counters.input_lines += lines;
    let dropped_by = match entry.verdict {
        Verdict::Drop(reason) => {
            let slot = &mut counters.dropped[reason as usize];
            slot.0 += lines;
            slot.1 += entry.input_bytes;
            Some(decisions.reasons.dropped_by(reason))
        }
        Verdict::Keep | Verdict::FooterCandidate(_) => {
            if !entry.is_blank() {
                counters.kept_lines += 1;
            }
            None
        }
    };
    for offset in 0..lines {
        let record = LineRecord {
            document,
            line_number: entry.line_number + offset,
            text: &entry.text,
            original: &entry.original,
            dropped_by,
            score: entry.score,
            features: (!entry.features.is_empty()).then_some(entry.features.as_slice()),
            repaired: entry.facts.repaired,
            continues: false,
        };
        sink.line(&record).map_err(Error::Write)?;
    }
    Ok(())
}
