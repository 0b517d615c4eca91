//! Runs the stages for one stream: blocks of lines ([`crate::input`]) → analysis of each line
//! ([`crate::analyze`], on worker threads when asked) → decisions in input order
//! ([`crate::decide`]) → sink.
//!
//! Analysis needs nothing from other lines, so blocks are analyzed in parallel; decisions, which
//! do, are made on the calling thread over the results in input order. The output is the same
//! bytes whatever the number of threads.

use std::io::Read;
use std::sync::mpsc::{TryRecvError, sync_channel};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::analyze::{Analysis, AnalyzedBlock, LineAnalyzer};
use crate::decide::{Decider, DeciderState, Decisions};
use crate::error::Result;
use crate::input::{BlockReader, ReadBuffers};
use crate::sink::Sink;
use crate::stats::Stats;

/// Blocks in flight per analyzing thread: enough to keep them busy, few enough to keep memory
/// flat.
const BLOCKS_PER_THREAD: usize = 2;

/// The most blocks in flight, whatever the number of threads: an analyzed block weighs up to
/// about four times its text (a record per line), and each thread holds an analyzer besides, so
/// the thread count alone would let memory grow without end (`-j1000`). 64 blocks of 64 KiB
/// take at most about 16 MiB, and keep 32 threads busy.
const MAX_BLOCKS_IN_FLIGHT: usize = 64;

/// Everything compiled once and shared by all streams.
#[derive(Debug)]
pub(crate) struct Engine {
    pub analysis: Analysis,
    pub decisions: Decisions,
    /// Threads analyzing blocks of one stream (1: everything on the calling thread).
    pub threads: usize,
    /// Analyzers between runs: their regex caches take a while to warm up and memory in
    /// proportion to the rules, which a run per small document (a file of a tree, a JSONL
    /// record) would otherwise pay each time.
    pub idle_analyzers: Pool<LineAnalyzer>,
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

/// An analyzer taken from [`Engine::idle_analyzers`] and given back when dropped.
struct PooledAnalyzer<'e> {
    engine: &'e Engine,
    analyzer: LineAnalyzer,
}

impl Drop for PooledAnalyzer<'_> {
    fn drop(&mut self) {
        self.engine.idle_analyzers.give_back(std::mem::take(&mut self.analyzer));
    }
}

impl PooledAnalyzer<'_> {
    fn analyze(&mut self, block: &mut AnalyzedBlock, keep_originals: bool) {
        self.analyzer.analyze(&self.engine.analysis, block, keep_originals);
    }
}

impl Engine {
    fn take_analyzer(&self) -> PooledAnalyzer<'_> {
        PooledAnalyzer { engine: self, analyzer: self.idle_analyzers.take().unwrap_or_default() }
    }

    fn take_run_state(&self) -> RunState {
        self.idle_runs.take().unwrap_or_else(|| RunState {
            read_buffers: ReadBuffers::default(),
            block: AnalyzedBlock::default(),
            decider: DeciderState::new(&self.decisions),
        })
    }
}

/// The buffers of one run that outlive it in [`Engine::idle_runs`]. Only a run that ended well
/// gives them back: a failed one may have stopped halfway through a document.
#[derive(Debug)]
pub(crate) struct RunState {
    read_buffers: ReadBuffers,
    block: AnalyzedBlock,
    decider: DeciderState,
}

impl Engine {
    /// Cleans one stream into `sink`.
    pub(crate) fn run<R: Read, S: Sink + ?Sized>(&self, reader: R, sink: &mut S) -> Result<Stats> {
        let keep_originals = sink.wants_originals();
        let RunState { read_buffers, mut block, decider } = self.take_run_state();
        let mut blocks = BlockReader::new(reader, self.analysis.max_line_bytes, read_buffers);
        let mut decider = Decider::new(&self.decisions, decider, sink);
        block.kind = blocks.next_block(&mut block.input)?;
        // An input that ended within its first block is not worth a thread.
        if self.threads > 1 && block.kind.is_some() && !blocks.input_ended() {
            // The blocks of a stream this large come and go through the workers; the state keeps
            // an empty one.
            self.run_parallel(&mut blocks, std::mem::take(&mut block), &mut decider, keep_originals)?;
        } else {
            let mut analyzer = self.take_analyzer();
            while block.kind.is_some() {
                analyzer.analyze(&mut block, keep_originals);
                decider.consume(&block)?;
                block.kind = blocks.next_block(&mut block.input)?;
            }
        }
        let (stats, decider) = decider.finish(blocks.bytes_read())?;
        self.idle_runs.give_back(RunState { read_buffers: blocks.into_buffers(), block, decider });
        Ok(stats)
    }

    /// Analyzes blocks on `self.threads` threads (at most half of [`MAX_BLOCKS_IN_FLIGHT`]), this
    /// one and the others as workers, each taking the next block when it is free, and decides
    /// their lines on this thread in input order. Blocks are not tied to a thread, so a worker that the scheduler sets aside
    /// holds up only its own block, not every other block assigned to it; and this thread
    /// analyzes a waiting block itself rather than wait for one to come back, so no more
    /// threads want a core than were asked for.
    fn run_parallel<R: Read, S: Sink + ?Sized>(
        &self,
        blocks: &mut BlockReader<R>,
        first: AnalyzedBlock,
        decider: &mut Decider<'_, S>,
        keep_originals: bool,
    ) -> Result<()> {
        let in_flight_limit = self.threads.saturating_mul(BLOCKS_PER_THREAD).min(MAX_BLOCKS_IN_FLIGHT);
        let threads = in_flight_limit / BLOCKS_PER_THREAD;
        let (to_workers, work) = sync_channel::<(usize, AnalyzedBlock)>(in_flight_limit);
        let work = Mutex::new(work);
        let (done_tx, from_workers) = sync_channel::<(usize, AnalyzedBlock)>(in_flight_limit);
        std::thread::scope(|scope| {
            for _ in 1..threads {
                let (work, done_tx) = (&work, done_tx.clone());
                scope.spawn(move || {
                    let mut analyzer = self.take_analyzer();
                    // The lock is only poisoned if another worker panicked; the scope re-raises that.
                    while let Ok(Ok((sequence, mut block))) = work.lock().map(|work| work.recv()) {
                        analyzer.analyze(&mut block, keep_originals);
                        if done_tx.send((sequence, block)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            let mut analyzer = self.take_analyzer();
            // Moved into this closure so that returning from it, early or not, closes the queue
            // and lets the workers finish: otherwise the scope would wait for them forever.
            let to_workers = to_workers;
            // Analyzed blocks that came back before their turn, at their sequence number
            // modulo the limit: at most that many are in flight, so they never collide.
            let mut early: Vec<Option<AnalyzedBlock>> = (0..in_flight_limit).map(|_| None).collect();
            let mut spare: Vec<AnalyzedBlock> = Vec::new();
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
                        // queued: only a block being analyzed can come back.
                        Err(TryRecvError::Empty) => match work.try_lock().ok().and_then(|work| work.try_recv().ok()) {
                            Some((sequence, mut block)) => {
                                analyzer.analyze(&mut block, keep_originals);
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
}

#[cfg(test)]
mod tests {
    use std::io;

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
            let cleaner = Cleaner::builder()
                .classifier(false)
                .footer_lines(footer_lines)
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            for _ in 0..200 {
                let lines = 1 + next(60);
                let document: String = (0..lines).map(|_| format!("{}\n", pool[next(pool.len())])).collect();
                let cleaned = cleaner.clean_str(&document).text;
                assert!(
                    !cleaned.contains("Advertisement") && !cleaned.contains("please wait"),
                    "{document:?} gave {cleaned:?}"
                );
                footer_drops +=
                    usize::from(document.contains("Related Stories") && !cleaned.contains("Related Stories"));
            }
        }
        assert!(footer_drops > 0, "footer rules applied somewhere");
    }

    /// A stream of many blocks gives the same bytes and counts whatever the number of threads:
    /// blocks are analyzed on any thread (the calling one included, when it would otherwise
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
