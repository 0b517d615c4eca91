//! Wires the stages together for one stream:
//! blocks of lines ([`crate::input`]) → per-line normalization and rule matching
//! ([`Classifier`], on worker threads when asked) → context decisions in input order
//! ([`DocumentContext`]) → sink.
//!
//! Per-line work needs nothing from other lines, so blocks are classified in parallel; the
//! context stage, which does, runs on the calling thread over the results in input order. The
//! output is the same bytes whatever the number of threads.

use std::io::Read;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::sync::mpsc::{TryRecvError, sync_channel};

use crate::classify::{
    ContextSettings, DocumentContext, Entry, LineFeatures, MatchScratch, Matcher, Matches, RecentLines, Verdict,
    match_view,
};
use crate::error::{Error, Result};
use crate::input::{Block, BlockReader, Frame, ReadBuffers, decode_piece, for_each_frame};
use crate::normalize::{Normalizer, Scratch, clean_ascii_spaces};
use crate::sink::{DroppedBy, LineRecord, Sink};
use crate::stats::{RuleCount, Stats};

/// Blocks in flight per classifying thread: enough to keep them busy, few enough to keep
/// memory flat.
const BLOCKS_PER_THREAD: usize = 2;

/// Everything compiled once and shared by all streams.
#[derive(Debug)]
pub(crate) struct Engine {
    pub matcher: Matcher,
    pub normalizer: Normalizer,
    pub context: ContextSettings,
    /// Lines longer than this many bytes are passed through without normalization or matching.
    pub max_line_bytes: usize,
    /// Threads classifying blocks of one stream (1: everything on the calling thread).
    pub threads: usize,
    /// Classifiers between runs: their regex caches take a while to warm up and memory in
    /// proportion to the rules, which a run per small document (a file of a tree, a JSONL
    /// record) would otherwise pay each time.
    pub idle_classifiers: Pool<Classifier>,
    /// The state of finished runs, for the same reason: a run per small document would
    /// otherwise allocate its block, window entries and counters afresh each time.
    pub idle_runs: Pool<RunState>,
}

/// Values kept between runs, taken and given back by any thread.
#[derive(Debug)]
pub(crate) struct Pool<T>(Mutex<Vec<T>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Self(Mutex::new(Vec::new()))
    }
}

impl<T> Pool<T> {
    fn take(&self) -> Option<T> {
        self.values().pop()
    }

    fn give_back(&self, value: T) {
        self.values().push(value);
    }

    fn values(&self) -> MutexGuard<'_, Vec<T>> {
        // A poisoned lock only means another thread panicked while pushing or popping.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Text,
    /// A run of this many blank lines (one entry, so a flood of empty lines costs no memory).
    Blank(u64),
    DocumentSeparator,
    /// A line over the length limit, or a piece of one: passed through as it is.
    Oversized { first: bool, last: bool },
}

#[derive(Debug, Clone, Copy)]
struct ClassifiedLine {
    kind: LineKind,
    /// End of the line's text in [`ClassifiedBlock::text`] (it starts where the previous ends).
    text_end: usize,
    /// End of the original line in [`ClassifiedBlock::originals`].
    original_end: usize,
    input_bytes: u64,
    features: LineFeatures,
    matches: Matches,
    duplicate_key: Option<u64>,
}

/// A block of input and, once classified, its lines.
#[derive(Debug, Default)]
struct ClassifiedBlock {
    input: Vec<u8>,
    kind: Option<Block>,
    /// Normalized lines back to back (oversized lines as decoded).
    text: String,
    /// Decoded input lines back to back, when the sinks want them.
    originals: String,
    lines: Vec<ClassifiedLine>,
}

/// Per-thread buffers of the classification stage.
#[derive(Debug, Default)]
pub(crate) struct Classifier {
    scratch: Scratch,
    normalized: String,
    view: String,
    matches: MatchScratch,
    recent: RecentLines,
}

/// A classifier taken from [`Engine::idle_classifiers`] and given back when dropped.
struct PooledClassifier<'e> {
    engine: &'e Engine,
    classifier: Classifier,
}

impl Drop for PooledClassifier<'_> {
    fn drop(&mut self) {
        self.engine.idle_classifiers.give_back(std::mem::take(&mut self.classifier));
    }
}

impl Engine {
    fn take_classifier(&self) -> PooledClassifier<'_> {
        PooledClassifier { engine: self, classifier: self.idle_classifiers.take().unwrap_or_default() }
    }

    fn take_run_state(&self) -> RunState {
        self.idle_runs.take().unwrap_or_else(|| RunState {
            read_buffers: ReadBuffers::default(),
            block: ClassifiedBlock::default(),
            context: DocumentContext::new(self.context),
            dropped: vec![(0, 0); self.matcher.rule_count()],
        })
    }

    /// Keeps the state of a run that ended well: its context was reset by the end of the last
    /// document, its counters are zeroed here. A failed run's state is dropped instead, since it
    /// may have stopped halfway through a document.
    fn give_back_run_state(&self, mut state: RunState) {
        state.dropped.fill((0, 0));
        self.idle_runs.give_back(state);
    }
}

/// The buffers of one run that outlive it in [`Engine::idle_runs`].
#[derive(Debug)]
pub(crate) struct RunState {
    read_buffers: ReadBuffers,
    block: ClassifiedBlock,
    context: DocumentContext,
    /// See [`Counters::dropped`].
    dropped: Vec<(u64, u64)>,
}

impl Classifier {
    fn classify(&mut self, engine: &Engine, block: &mut ClassifiedBlock, keep_originals: bool) {
        block.text.clear();
        block.originals.clear();
        block.lines.clear();
        let ClassifiedBlock { input, kind, text, originals, lines } = block;
        let mut push = |kind, line_text: &str, original: &str, input_bytes: usize, features, matches, duplicate_key| {
            // A blank line joins the run before it, which (like the context stage's runs) keeps
            // the first line's original text.
            if kind == LineKind::Blank(1)
                && let Some(ClassifiedLine { kind: LineKind::Blank(run), input_bytes: run_bytes, .. }) = lines.last_mut()
            {
                *run += 1;
                *run_bytes += input_bytes as u64;
                return;
            }
            text.push_str(line_text);
            if keep_originals {
                originals.push_str(original);
            }
            lines.push(ClassifiedLine {
                kind,
                text_end: text.len(),
                original_end: originals.len(),
                input_bytes: input_bytes as u64,
                features,
                matches,
                duplicate_key,
            });
        };
        match *kind {
            Some(Block::LongLinePiece { first, last }) => {
                let piece = decode_piece(input);
                let kind = LineKind::Oversized { first, last };
                push(kind, &piece, &piece, input.len(), LineFeatures::default(), Matches::default(), None);
            }
            Some(Block::Lines) | None => for_each_frame(input, |frame| match frame {
                Frame::DocumentSeparator => {
                    push(LineKind::DocumentSeparator, "", "", 1, LineFeatures::default(), Matches::default(), None);
                }
                Frame::Line { text: raw, input_bytes } if raw.len() > engine.max_line_bytes => {
                    let kind = LineKind::Oversized { first: true, last: true };
                    push(kind, raw, raw, input_bytes, LineFeatures::default(), Matches::default(), None);
                }
                Frame::Line { text: raw, input_bytes } => {
                    let slot = RecentLines::slot_of(raw);
                    if let Some(known) = slot.and_then(|slot| self.recent.get(slot, raw)) {
                        let (features, matches, duplicate_key) = (known.features, known.matches, known.duplicate_key);
                        push(LineKind::Text, known.text(raw), raw, input_bytes, features, matches, duplicate_key);
                        return;
                    }
                    let (line, features, view) = match clean_ascii_spaces(raw.as_bytes()) {
                        // Normalization leaves such a line as it is, and it is its own view.
                        Some(spaces) => (raw, LineFeatures::of_clean_ascii(raw, spaces), raw),
                        None => {
                            engine.normalizer.normalize_into(raw, &mut self.scratch, &mut self.normalized);
                            let line = self.normalized.as_str();
                            (line, LineFeatures::of(line), match_view(line, &mut self.view))
                        }
                    };
                    if line.is_empty() {
                        push(LineKind::Blank(1), "", raw, input_bytes, LineFeatures::default(), Matches::default(), None);
                        return;
                    }
                    let matches = engine.matcher.find(view, &features, &mut self.matches);
                    let duplicate_key = engine.context.duplicate_key(line, &features);
                    push(LineKind::Text, line, raw, input_bytes, features, matches, duplicate_key);
                    if let Some(slot) = slot {
                        self.recent.remember(slot, raw, line, features, matches, duplicate_key);
                    }
                }
            }),
        }
    }
}

/// Per-rule counters, indexed like the matcher's rules.
struct Counters {
    /// (lines, bytes) dropped by each rule.
    dropped: Vec<(u64, u64)>,
    kept_lines: u64,
    input_lines: u64,
    documents: u64,
}

/// The in-order stage: context decisions and the sink.
struct Decider<'e, S: ?Sized> {
    engine: &'e Engine,
    context: DocumentContext,
    counters: Counters,
    document: u64,
    line_number: u64,
    /// The rule dropping the oversized line being passed through, if any.
    oversized_drop: Option<u32>,
    sink: &'e mut S,
}

impl<S: Sink + ?Sized> Decider<'_, S> {
    fn consume(&mut self, block: &ClassifiedBlock) -> Result<()> {
        let (mut text_start, mut original_start) = (0, 0);
        for line in &block.lines {
            let text = &block.text[text_start..line.text_end];
            let original = &block.originals[original_start..line.original_end];
            (text_start, original_start) = (line.text_end, line.original_end);
            match line.kind {
                LineKind::DocumentSeparator => {
                    self.end_document()?;
                    self.sink.end_document(true).map_err(Error::Write)?;
                    self.counters.documents += 1;
                    self.document += 1;
                    self.line_number = 0;
                }
                LineKind::Oversized { first, last } => self.oversized(text, line.input_bytes, first, last)?,
                LineKind::Text | LineKind::Blank(_) => {
                    let lines = match line.kind {
                        LineKind::Blank(run) => run,
                        _ => 1,
                    };
                    let mut entry = self.context.fresh_entry();
                    entry.line_number = self.line_number + 1;
                    self.line_number += lines;
                    entry.input_bytes = line.input_bytes;
                    entry.original.push_str(original);
                    entry.text.push_str(text);
                    entry.features = line.features;
                    entry.duplicate_key = line.duplicate_key;
                    entry.blank_lines = if line.kind == LineKind::Text { 0 } else { lines };
                    let (context, engine, mut emit) = self.context_and_emit();
                    context.push(entry, line.matches, &engine.matcher, &mut emit)?;
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
            self.oversized_drop = {
                let (context, _, mut emit) = self.context_and_emit();
                context.push_oversized(&mut emit)?
            };
            if self.oversized_drop.is_none() {
                self.counters.kept_lines += 1;
            }
        }
        let dropped_by = self.oversized_drop.map(|rule| {
            let slot = &mut self.counters.dropped[rule as usize];
            slot.0 += u64::from(first);
            slot.1 += input_bytes;
            let info = self.engine.matcher.rule(rule);
            DroppedBy { rule: &info.id, category: &info.category }
        });
        let record = LineRecord {
            document: self.document,
            line_number: self.line_number,
            text,
            original: text,
            dropped_by,
            continues: !last,
        };
        self.sink.line(&record).map_err(Error::Write)
    }

    fn end_document(&mut self) -> Result<()> {
        let (context, engine, mut emit) = self.context_and_emit();
        context.finish(&engine.matcher, &mut emit)
    }

    /// The context, the engine, and the callback through which the context releases entries
    /// to the sink and the counters.
    fn context_and_emit(&mut self) -> (&mut DocumentContext, &Engine, impl FnMut(&Entry) -> Result<()>) {
        let Self { engine, context, counters, document, sink, .. } = self;
        let (engine, document) = (*engine, *document);
        (context, engine, move |entry: &Entry| emit_entry(engine, entry, document, &mut **sink, counters))
    }
}

fn emit_entry<S: Sink + ?Sized>(
    engine: &Engine,
    entry: &Entry,
    document: u64,
    sink: &mut S,
    counters: &mut Counters,
) -> Result<()> {
    let lines = entry.blank_lines.max(1);
    counters.input_lines += lines;
    let dropped_by = match entry.verdict {
        Verdict::Drop(rule) => {
            let slot = &mut counters.dropped[rule as usize];
            slot.0 += lines;
            slot.1 += entry.input_bytes;
            let info = engine.matcher.rule(rule);
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
            continues: false,
        };
        sink.line(&record).map_err(Error::Write)?;
    }
    Ok(())
}

impl Engine {
    /// Cleans one stream into `sink`.
    pub(crate) fn run<R: Read, S: Sink + ?Sized>(&self, reader: R, sink: &mut S) -> Result<Stats> {
        let keep_originals = sink.wants_originals();
        let RunState { read_buffers, mut block, context, dropped } = self.take_run_state();
        let mut blocks = BlockReader::new(reader, self.max_line_bytes, read_buffers);
        let mut decider = Decider {
            engine: self,
            context,
            counters: Counters {
                dropped,
                kept_lines: 0,
                input_lines: 0,
                documents: 0,
            },
            document: 1,
            line_number: 0,
            oversized_drop: None,
            sink,
        };
        block.kind = blocks.next_block(&mut block.input)?;
        // An input that ended within its first block is not worth a thread.
        if self.threads > 1 && block.kind.is_some() && !blocks.input_ended() {
            // The blocks of a stream this large come and go through the workers; the state keeps
            // an empty one.
            self.run_parallel(&mut blocks, std::mem::take(&mut block), &mut decider, keep_originals)?;
        } else {
            let mut classifier = self.take_classifier();
            while block.kind.is_some() {
                classifier.classifier.classify(self, &mut block, keep_originals);
                decider.consume(&block)?;
                block.kind = blocks.next_block(&mut block.input)?;
            }
        }
        decider.end_document()?;
        let Decider { context, mut counters, sink, .. } = decider;
        sink.end_document(false).map_err(Error::Write)?;
        sink.finish().map_err(Error::Write)?;
        let input_bytes = blocks.bytes_read();
        if input_bytes > 0 {
            counters.documents += 1;
        }
        let stats = self.stats(&counters, input_bytes);
        let read_buffers = blocks.into_buffers();
        self.give_back_run_state(RunState { read_buffers, block, context, dropped: counters.dropped });
        Ok(stats)
    }

    /// Classifies blocks on `self.threads` threads, this one and `self.threads - 1` workers,
    /// each taking the next block when it is free, and decides their lines on this thread in
    /// input order. Blocks are not tied to a thread, so a worker that the scheduler sets aside
    /// holds up only its own block, not every other block assigned to it; and this thread
    /// classifies a waiting block itself rather than wait for one to come back, so no more
    /// threads want a core than were asked for.
    fn run_parallel<R: Read, S: Sink + ?Sized>(
        &self,
        blocks: &mut BlockReader<R>,
        first: ClassifiedBlock,
        decider: &mut Decider<'_, S>,
        keep_originals: bool,
    ) -> Result<()> {
        let in_flight_limit = self.threads * BLOCKS_PER_THREAD;
        let (to_workers, work) = sync_channel::<(usize, ClassifiedBlock)>(in_flight_limit);
        let work = Mutex::new(work);
        let (done_tx, from_workers) = sync_channel::<(usize, ClassifiedBlock)>(in_flight_limit);
        std::thread::scope(|scope| {
            for _ in 1..self.threads {
                let (work, done_tx) = (&work, done_tx.clone());
                scope.spawn(move || {
                    let mut classifier = self.take_classifier();
                    // The lock is only poisoned if another worker panicked; the scope re-raises that.
                    while let Ok(Ok((sequence, mut block))) = work.lock().map(|work| work.recv()) {
                        classifier.classifier.classify(self, &mut block, keep_originals);
                        if done_tx.send((sequence, block)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            let mut classifier = self.take_classifier();
            // Moved into this closure so that returning from it, early or not, closes the queue
            // and lets the workers finish: otherwise the scope would wait for them forever.
            let to_workers = to_workers;
            // Classified blocks that came back before their turn, at their sequence number
            // modulo the limit: at most that many are in flight, so they never collide.
            let mut early: Vec<Option<ClassifiedBlock>> = (0..in_flight_limit).map(|_| None).collect();
            let mut spare: Vec<ClassifiedBlock> = Vec::new();
            let (mut sent, mut done) = (0usize, 0usize);
            let mut next = Some(first);
            loop {
                while sent - done < in_flight_limit
                    && let Some(block) = next.take()
                {
                    // Workers only stop early if one panicked; the scope then re-raises that.
                    if to_workers.send((sent, block)).is_err() {
                        return Ok(());
                    }
                    sent += 1;
                    let mut block = spare.pop().unwrap_or_default();
                    block.kind = blocks.next_block(&mut block.input)?;
                    next = block.kind.is_some().then_some(block);
                }
                if done == sent {
                    return Ok(());
                }
                let block = loop {
                    if let Some(block) = early[done % in_flight_limit].take() {
                        break block;
                    }
                    let (sequence, block) = match from_workers.try_recv() {
                        Ok(returned) => returned,
                        // A worker waiting for work holds the queue's lock, and then nothing is
                        // queued: only a block being classified can come back.
                        Err(TryRecvError::Empty) => match work.try_lock().ok().and_then(|work| work.try_recv().ok()) {
                            Some((sequence, mut block)) => {
                                classifier.classifier.classify(self, &mut block, keep_originals);
                                (sequence, block)
                            }
                            None => match from_workers.recv() {
                                Ok(returned) => returned,
                                Err(_) => return Ok(()),
                            },
                        },
                        Err(TryRecvError::Disconnected) => return Ok(()),
                    };
                    early[sequence % in_flight_limit] = Some(block);
                };
                done += 1;
                decider.consume(&block)?;
                spare.push(block);
            }
        })
    }

    fn stats(&self, counters: &Counters, input_bytes: u64) -> Stats {
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

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;
    use crate::Cleaner;
    use crate::sink::{LineRecord, Sink};

    /// Fails on its second line, in the middle of a document.
    struct FailingSink {
        lines: usize,
    }

    impl Sink for FailingSink {
        fn line(&mut self, _: &LineRecord<'_>) -> io::Result<()> {
            self.lines += 1;
            if self.lines > 1 { Err(io::Error::other("disk full")) } else { Ok(()) }
        }
        fn end_document(&mut self, _: bool) -> io::Result<()> {
            Ok(())
        }
    }

    /// A fixed pseudo-random sequence (xorshift): `next(n)` is below `n`.
    fn pseudo_random(seed: u32) -> impl FnMut(usize) -> usize {
        let mut state = seed;
        move |n| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as usize % n
        }
    }

    /// A line classified again from the table of recent lines gets what classifying it afresh
    /// gets: lines that need normalization or match rules, repeated among enough other lines
    /// that they are pushed out of the table and come back.
    #[test]
    fn recent_lines_give_what_classifying_afresh_gives() {
        let cleaner = Cleaner::builder().build().unwrap_or_else(|e| panic!("{e}"));
        let engine = &cleaner.engine;
        let mut lines: Vec<String> = ["Advertisement", "please wait", "It\u{2019}s  \u{201c}done\u{201d}", "Share\u{a0}this", "0:00 0:01:03 0:00"]
            .map(String::from)
            .to_vec();
        lines.extend((0..5000).map(|i| format!("Item \u{201c}{i}\u{201d}  of the list")));
        let input: String = lines.iter().cycle().take(15000).map(|line| format!("{line}\n")).collect();
        let classify = |classifier: &mut Classifier, text: &str| {
            let mut block = ClassifiedBlock { input: text.as_bytes().to_vec(), kind: Some(Block::Lines), ..Default::default() };
            classifier.classify(engine, &mut block, true);
            block
        };
        let warm = classify(&mut Classifier::default(), &input);
        let mut text_start = 0;
        let mut compared = 0;
        for (line, input_line) in warm.lines.iter().zip(input.lines()) {
            let text = &warm.text[text_start..line.text_end];
            text_start = line.text_end;
            let fresh = classify(&mut Classifier::default(), &format!("{input_line}\n"));
            let expected = &fresh.lines[0];
            assert_eq!((line.kind, text), (expected.kind, fresh.text.as_str()), "{input_line:?}");
            assert_eq!((line.features, line.matches, line.duplicate_key), (expected.features, expected.matches, expected.duplicate_key), "{input_line:?}");
            compared += 1;
        }
        assert_eq!(compared, 15000);
        assert!(warm.lines.iter().any(|line| line.matches != Matches::default()), "some lines match rules");
    }

    /// The window is released from its counts when it holds no footer candidate; under test,
    /// every such release is checked against a walk over the whole window (in
    /// `DocumentContext::release`). Documents mixing prose with footer rules of every action,
    /// title-dropping lines, blank runs and rule-dropped lines go through it under several
    /// footer zones.
    #[test]
    fn window_counts_release_what_a_walk_over_the_window_releases() {
        let pool = [
            "The alliance met on Monday in Brussels to discuss the new plan for the region.",
            "Ministers agreed that further talks would follow in the spring of next year.",
            "Short title line",
            "please wait",
            "Advertisement",
            "",
            "",
            "Related Stories",
            "About the author",
            "Jane Doe is a senior correspondent for the Europe desk of this site.",
            "\u{a9} 2024 Example Media. All rights reserved.",
        ];
        let mut next = pseudo_random(0x2545_f491);
        let mut footer_drops = 0;
        for footer_lines in [0, 1, 3, 20] {
            let cleaner = Cleaner::builder().footer_lines(footer_lines).build().unwrap_or_else(|e| panic!("{e}"));
            for _ in 0..200 {
                let lines = 1 + next(60);
                let document: String = (0..lines).map(|_| format!("{}\n", pool[next(pool.len())])).collect();
                let cleaned = cleaner.clean_str(&document).text;
                assert!(!cleaned.contains("Advertisement") && !cleaned.contains("please wait"), "{document:?} gave {cleaned:?}");
                footer_drops += usize::from(document.contains("Related Stories") && !cleaned.contains("Related Stories"));
            }
        }
        assert!(footer_drops > 0, "footer rules applied somewhere");
    }

    /// A stream of many blocks gives the same bytes and counts whatever the number of threads:
    /// blocks are classified on any thread (the calling one included, when it would otherwise
    /// wait) and decided in input order.
    #[test]
    fn every_thread_count_gives_the_same_output() {
        let pool = [
            "The alliance met on Monday in Brussels to discuss the new plan for the region.",
            "It\u{2019}s the \u{201c}third\u{201d} meeting\u{a0}this year \u{2014} and the last.",
            "Advertisement",
            "please wait",
            "Short title line",
            "Related Stories",
            "",
            "\u{c}",
        ];
        let mut next = pseudo_random(0x9e37_79b9);
        let mut text = String::new();
        while text.len() < 3 << 20 {
            text.push_str(pool[next(pool.len())]);
            text.push('\n');
        }
        let clean = |threads: usize| {
            let cleaner = Cleaner::builder().threads(threads).build().unwrap_or_else(|e| panic!("{e}"));
            let cleaned = cleaner.clean_str(&text);
            (cleaned.text, format!("{:?}", cleaned.stats))
        };
        let one = clean(1);
        assert!(one.0.len() > 100_000 && one.0.len() < text.len(), "some lines kept, some dropped: {}", one.0.len());
        for threads in 2..=4 {
            assert!(clean(threads) == one, "{threads} threads");
        }
    }

    /// The state of a run that stopped halfway is not reused: the next run starts clean.
    #[test]
    fn a_failed_run_leaves_nothing_behind() {
        let line = "The alliance met on Monday in Brussels.\n";
        let page = format!("Share this article\n{line}{line}Read more\nComments\n");
        let page = page.as_str();
        let cleaner = Cleaner::builder().build().unwrap_or_else(|e| panic!("{e}"));
        let expected = cleaner.clean_str(page);
        assert!(cleaner.clean_to_sink(page.as_bytes(), &mut FailingSink { lines: 0 }).is_err());
        assert_eq!(cleaner.clean_str(page), expected);
        assert_eq!(cleaner.clean_str(page), expected);
    }
}
