//! Analysis: the facts of each line on its own — normalized text, shape, rule matches and
//! duplicate key — computed block by block, on any thread, in any order.
//!
//! A line's facts depend only on its bytes, so blocks of a stream are analyzed in parallel and
//! repeated short lines are looked up in a table of recent ones ([`recent`]) instead of being
//! analyzed again. Decisions that need other lines come later, in input order
//! ([`crate::decide`]).

pub(crate) mod features;
mod recent;

use std::sync::Arc;

use crate::input::{Block, Frame, decode_piece, for_each_frame};
use crate::model::Model;
use crate::normalize::{Normalizer, Scratch, clean_ascii_spaces, match_view, without_markup};
use crate::rules::{MatchScratch, Matcher, Matches};
use crate::shape::LineShape;
use features::LineFeatures;
use recent::RecentLines;

/// Everything analysis needs, compiled once and shared by all threads.
#[derive(Debug)]
pub(crate) struct Analysis {
    pub matcher: Matcher,
    pub normalizer: Normalizer,
    /// Lines longer than this many bytes are passed through without normalization or matching.
    pub max_line_bytes: usize,
    pub duplicates: DuplicateKeys,
    /// The classifier's model, whose word lists the line features read; `None` without a
    /// classifier (the features are then not counted).
    pub model: Option<Arc<Model>>,
}

/// Which lines are remembered for duplicate detection, and by what key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DuplicateKeys {
    pub enabled: bool,
    /// Lines shorter than this many characters never count as duplicates.
    pub min_chars: usize,
}

impl DuplicateKeys {
    /// The key a line is remembered by; `None` for lines too short to count as duplicates (or
    /// when duplicates are kept). Hashed here, on the analysis threads, so that the in-order
    /// stage only looks it up.
    fn key(&self, text: &str, shape: &LineShape) -> Option<u64> {
        (self.enabled && shape.chars >= self.min_chars).then(|| xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
    }
}

/// What analysis finds out about a non-blank line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LineFacts {
    pub shape: LineShape,
    pub matches: Matches,
    pub duplicate_key: Option<u64>,
    /// What the classifier reads of the line (default without a classifier).
    pub features: LineFeatures,
    /// Repair (mojibake, HTML references) changed the line.
    pub repaired: bool,
    /// A keep rule matched: neither rules, scorers nor the duplicate rule drop the line.
    pub kept_by_rule: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    Text,
    /// A run of this many blank lines (one entry, so a flood of empty lines costs no memory).
    Blank(u64),
    DocumentSeparator,
    /// A line over the length limit, or a piece of one: passed through as it is.
    Oversized {
        first: bool,
        last: bool,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct AnalyzedLine {
    pub kind: LineKind,
    /// End of the line's text in [`AnalyzedBlock::text`] (it starts where the previous ends).
    text_end: usize,
    /// End of the original line in [`AnalyzedBlock::originals`].
    original_end: usize,
    pub input_bytes: u64,
    pub facts: LineFacts,
}

/// A block of input and, once analyzed, its lines.
#[derive(Debug, Default)]
pub(crate) struct AnalyzedBlock {
    pub input: Vec<u8>,
    pub kind: Option<Block>,
    /// Normalized lines back to back (oversized lines as decoded).
    text: String,
    /// Decoded input lines back to back, when the sinks want them.
    originals: String,
    lines: Vec<AnalyzedLine>,
}

impl AnalyzedBlock {
    /// Each analyzed line with its normalized text and its original (empty unless asked for).
    pub(crate) fn lines(&self) -> impl Iterator<Item = (&AnalyzedLine, &str, &str)> {
        let (mut text_start, mut original_start) = (0, 0);
        self.lines.iter().map(move |line| {
            let text = &self.text[text_start..line.text_end];
            let original = &self.originals[original_start..line.original_end];
            (text_start, original_start) = (line.text_end, line.original_end);
            (line, text, original)
        })
    }
}

/// Per-thread buffers of the analysis stage.
#[derive(Debug, Default)]
pub(crate) struct LineAnalyzer {
    scratch: Scratch,
    normalized: String,
    view: String,
    unmarked: String,
    matches: MatchScratch,
    recent: RecentLines,
}

impl LineAnalyzer {
    /// Analyzes the lines of `block.input` into the block; `keep_originals`: the sinks want the
    /// decoded input lines too.
    pub(crate) fn analyze(&mut self, analysis: &Analysis, block: &mut AnalyzedBlock, keep_originals: bool) {
        block.text.clear();
        block.originals.clear();
        block.lines.clear();
        let AnalyzedBlock { input, kind, text, originals, lines } = block;
        let mut push = |kind, line_text: &str, original: &str, input_bytes: usize, facts| {
            // A blank line joins the run before it, which (like the decision stage's runs)
            // keeps the first line's original text.
            if kind == LineKind::Blank(1)
                && let Some(AnalyzedLine { kind: LineKind::Blank(run), input_bytes: run_bytes, .. }) = lines.last_mut()
            {
                *run += 1;
                *run_bytes += input_bytes as u64;
                return;
            }
            text.push_str(line_text);
            if keep_originals {
                originals.push_str(original);
            }
            lines.push(AnalyzedLine {
                kind,
                text_end: text.len(),
                original_end: originals.len(),
                input_bytes: input_bytes as u64,
                facts,
            });
        };
        match *kind {
            Some(Block::LongLinePiece { first, last }) => {
                let piece = decode_piece(input);
                push(LineKind::Oversized { first, last }, &piece, &piece, input.len(), LineFacts::default());
            }
            Some(Block::Lines) | None => for_each_frame(input, |frame| match frame {
                Frame::DocumentSeparator => push(LineKind::DocumentSeparator, "", "", 1, LineFacts::default()),
                Frame::Line { text: raw, input_bytes } if raw.len() > analysis.max_line_bytes => {
                    let kind = LineKind::Oversized { first: true, last: true };
                    push(kind, raw, raw, input_bytes, LineFacts::default());
                }
                Frame::Line { text: raw, input_bytes } => {
                    let slot = RecentLines::slot_of(raw);
                    if let Some(known) = slot.and_then(|slot| self.recent.get(slot, raw)) {
                        push(LineKind::Text, known.text(raw), raw, input_bytes, known.facts);
                        return;
                    }
                    let clean_ascii =
                        clean_ascii_spaces(raw.as_bytes()).filter(|_| !analysis.normalizer.may_repair(raw.as_bytes()));
                    let mut repaired = false;
                    let (line, shape, view) = match clean_ascii {
                        // Normalization leaves such a line as it is, and it is its own view.
                        Some(spaces) => (raw, LineShape::of_clean_ascii(raw, spaces), raw),
                        None => {
                            repaired = analysis.normalizer.normalize_into(raw, &mut self.scratch, &mut self.normalized);
                            let line = self.normalized.as_str();
                            (line, LineShape::of(line), match_view(line, &mut self.view))
                        }
                    };
                    if line.is_empty() {
                        push(LineKind::Blank(1), "", raw, input_bytes, LineFacts::default());
                        return;
                    }
                    let mut matches = analysis.matcher.find(view, &shape, &mut self.matches);
                    let unmarked = without_markup(view, &mut self.unmarked);
                    if let Some(unmarked) = unmarked {
                        matches.merge(analysis.matcher.find(unmarked, &LineShape::of(unmarked), &mut self.matches));
                    }
                    let features = match &analysis.model {
                        Some(model) => LineFeatures::of(unmarked.unwrap_or(view), unmarked.is_some(), &model.lexicon),
                        None => LineFeatures::default(),
                    };
                    // A line a keep rule protects meets no drop rule and is no one's duplicate.
                    let kept_by_rule = analysis.matcher.keeps(&matches);
                    let (matches, duplicate_key) = if kept_by_rule {
                        (Matches::default(), None)
                    } else {
                        (matches, analysis.duplicates.key(line, &shape))
                    };
                    let facts = LineFacts { shape, matches, duplicate_key, features, repaired, kept_by_rule };
                    push(LineKind::Text, line, raw, input_bytes, facts);
                    if let Some(slot) = slot {
                        self.recent.remember(slot, raw, line, facts);
                    }
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cleaner;

    /// A line analyzed again from the table of recent lines gets what analyzing it afresh gets:
    /// lines that need normalization or match rules, repeated among enough other lines that they
    /// are pushed out of the table and come back.
    #[test]
    fn recent_lines_give_what_analyzing_afresh_gives() {
        let cleaner = Cleaner::builder().build().unwrap_or_else(|e| panic!("{e}"));
        let analysis = &cleaner.engine.analysis;
        let mut lines: Vec<String> = [
            "Advertisement",
            "please wait",
            "It\u{2019}s  \u{201c}done\u{201d}",
            "Share\u{a0}this",
            "0:00 0:01:03 0:00",
        ]
        .map(String::from)
        .to_vec();
        lines.extend((0..5000).map(|i| format!("Item \u{201c}{i}\u{201d}  of the list")));
        let input: String = lines.iter().cycle().take(15000).map(|line| format!("{line}\n")).collect();
        let analyze = |analyzer: &mut LineAnalyzer, text: &str| {
            let mut block =
                AnalyzedBlock { input: text.as_bytes().to_vec(), kind: Some(Block::Lines), ..Default::default() };
            analyzer.analyze(analysis, &mut block, true);
            block
        };
        let warm = analyze(&mut LineAnalyzer::default(), &input);
        let mut compared = 0;
        for ((line, text, _), input_line) in warm.lines().zip(input.lines()) {
            let fresh = analyze(&mut LineAnalyzer::default(), &format!("{input_line}\n"));
            let Some((expected, expected_text, _)) = fresh.lines().next() else { panic!("{input_line:?}: no line") };
            assert_eq!((line.kind, text), (expected.kind, expected_text), "{input_line:?}");
            assert_eq!(line.facts, expected.facts, "{input_line:?}");
            compared += 1;
        }
        assert_eq!(compared, 15000);
        assert!(warm.lines().any(|(line, _, _)| line.facts.matches != Matches::default()), "some lines match rules");
    }
}
