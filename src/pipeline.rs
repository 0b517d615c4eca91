//! Wires the stages together for one stream: framing → normalization → classification → sink.

use std::io::Read;

use crate::classify::{
    ContextSettings, DocumentContext, Entry, LineFeatures, MatchScratch, Matcher, Matches, Verdict, match_view,
};
use crate::error::{Error, Result};
use crate::input::{Frame, read_frames};
use crate::normalize::{Normalizer, Scratch};
use crate::sink::{DroppedBy, LineRecord, Sink};
use crate::stats::{RuleCount, Stats};

/// Everything compiled once and shared by all streams.
#[derive(Debug)]
pub(crate) struct Engine {
    pub matcher: Matcher,
    pub normalizer: Normalizer,
    pub context: ContextSettings,
}

/// Per-rule counters, indexed like the matcher's rules.
struct Counters {
    dropped: Vec<(u64, u64)>,
    kept_lines: u64,
    input_lines: u64,
    documents: u64,
}

impl Engine {
    /// Cleans one stream into `sink`.
    pub(crate) fn run<R: Read, S: Sink + ?Sized>(&self, reader: R, sink: &mut S) -> Result<Stats> {
        let keep_originals = sink.wants_originals();
        let mut context = DocumentContext::new(self.context);
        let mut scratch = Scratch::default();
        let mut view_buffer = String::new();
        let mut match_scratch = MatchScratch::default();
        let mut counters = Counters {
            dropped: vec![(0, 0); self.matcher.rule_count()],
            kept_lines: 0,
            input_lines: 0,
            documents: 0,
        };
        let mut document = 1u64;
        let mut line_number = 0u64;

        let input_bytes = read_frames(reader, |frame| {
            let mut emit = |entry: &Entry| self.emit(entry, document, sink, &mut counters);
            match frame {
                Frame::DocumentSeparator => {
                    context.finish(&self.matcher, &mut emit)?;
                    sink.end_document(true).map_err(Error::Write)?;
                    counters.documents += 1;
                    document += 1;
                    line_number = 0;
                }
                Frame::Line(raw) => {
                    line_number += 1;
                    let mut entry = context.fresh_entry();
                    entry.line_number = line_number;
                    entry.input_bytes = raw.len() as u64;
                    if keep_originals {
                        entry.original.push_str(raw);
                    }
                    let mut matches = Matches::default();
                    if context.dropping_rest().is_some() {
                        // The line is dropped whatever it says: skip normalizing it.
                        entry.blank_lines = u64::from(raw.trim().is_empty());
                    } else {
                        self.normalizer.normalize_into(raw, &mut scratch, &mut entry.text);
                        if entry.text.is_empty() {
                            entry.blank_lines = 1;
                        } else {
                            entry.features = LineFeatures::of(&entry.text);
                            let view = match_view(&entry.text, &mut view_buffer);
                            matches = self.matcher.find(view, &entry.features, &mut match_scratch);
                        }
                    }
                    context.push(entry, matches, &self.matcher, &mut emit)?;
                }
            }
            Ok(())
        })?;
        {
            let mut emit = |entry: &Entry| self.emit(entry, document, sink, &mut counters);
            context.finish(&self.matcher, &mut emit)?;
        }
        sink.end_document(false).map_err(Error::Write)?;
        sink.finish().map_err(Error::Write)?;
        if input_bytes > 0 {
            counters.documents += 1;
        }
        Ok(self.stats(counters, input_bytes))
    }

    fn emit<S: Sink + ?Sized>(&self, entry: &Entry, document: u64, sink: &mut S, counters: &mut Counters) -> Result<()> {
        let lines = entry.blank_lines.max(1);
        counters.input_lines += lines;
        let dropped_by = match entry.verdict {
            Verdict::Drop(rule) => {
                let slot = &mut counters.dropped[rule as usize];
                slot.0 += lines;
                slot.1 += entry.input_bytes;
                let info = self.matcher.rule(rule);
                Some(DroppedBy { rule: &info.id, category: &info.category })
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
            };
            sink.line(&record).map_err(Error::Write)?;
        }
        Ok(())
    }

    fn stats(&self, counters: Counters, input_bytes: u64) -> Stats {
        let dropped = counters
            .dropped
            .iter()
            .enumerate()
            .filter(|(_, (lines, _))| *lines > 0)
            .map(|(index, &(lines, bytes))| {
                let info = self.matcher.rule(index as u32);
                RuleCount { rule: info.id.clone(), category: info.category.clone(), lines, bytes }
            })
            .collect();
        Stats {
            documents: counters.documents,
            input_lines: counters.input_lines,
            input_bytes,
            kept_lines: counters.kept_lines,
            output_bytes: 0,
            dropped,
        }
    }
}
