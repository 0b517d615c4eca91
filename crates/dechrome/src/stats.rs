//! Counts of what was read, kept and dropped, per rule and per category.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Lines and bytes dropped by one rule.
///
/// ```
/// let cleaner = dechrome::Cleaner::builder().build()?;
/// let stats = cleaner.clean_str("Advertisement\nStocks rose.\n").stats;
/// let count = &stats.dropped[0];
/// assert_eq!((count.rule.as_str(), count.category.as_str(), count.lines), ("ad-labels", "ads", 1));
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleCount {
    /// Rule id.
    pub rule: String,
    /// Rule category.
    pub category: String,
    /// Lines dropped.
    pub lines: u64,
    /// Bytes of the dropped input lines (without line endings).
    pub bytes: u64,
}

/// Totals for a run.
///
/// ```
/// let cleaner = dechrome::Cleaner::builder().build()?;
/// let stats = cleaner.clean_str("Advertisement\nStocks rose.\n").stats;
/// assert_eq!((stats.input_lines, stats.kept_lines, stats.dropped_lines()), (2, 1, 1));
/// assert!(stats.report().contains("ads"));
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// Documents read (form-feed separated documents count one each).
    pub documents: u64,
    /// Input lines.
    pub input_lines: u64,
    /// Input bytes, line endings included.
    pub input_bytes: u64,
    /// Non-blank lines written.
    pub kept_lines: u64,
    /// Bytes written by the text output (0 when no text output was produced).
    pub output_bytes: u64,
    /// Per-rule drops, in rule order; rules that dropped nothing are left out.
    pub dropped: Vec<RuleCount>,
    /// Documents whose decisions may not be final, so that cleaning their output again may drop
    /// more: those still dropping lines after the most rounds a document gets (see
    /// [`MAX_ROUNDS`](crate::MAX_ROUNDS)), and those too long to be decided at once (see
    /// [`MAX_SEGMENT_LINES`](crate::MAX_SEGMENT_LINES)), which are decided in parts. Every other document is cleaned
    /// idempotently.
    pub unsettled_documents: u64,
}

impl Stats {
    /// Total lines dropped.
    pub fn dropped_lines(&self) -> u64 {
        self.dropped.iter().map(|r| r.lines).sum()
    }

    /// Drops summed per category, sorted by category name: `(category, lines, bytes)`.
    pub fn by_category(&self) -> Vec<(String, u64, u64)> {
        let mut categories: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for r in &self.dropped {
            let entry = categories.entry(&r.category).or_default();
            entry.0 += r.lines;
            entry.1 += r.bytes;
        }
        categories.into_iter().map(|(c, (l, b))| (c.to_string(), l, b)).collect()
    }

    /// Adds `other` into `self` (for totals over many files).
    pub fn merge(&mut self, other: &Stats) {
        self.documents += other.documents;
        self.input_lines += other.input_lines;
        self.input_bytes += other.input_bytes;
        self.kept_lines += other.kept_lines;
        self.output_bytes += other.output_bytes;
        self.unsettled_documents += other.unsettled_documents;
        for r in &other.dropped {
            match self.dropped.iter_mut().find(|mine| mine.rule == r.rule) {
                Some(mine) => {
                    mine.lines += r.lines;
                    mine.bytes += r.bytes;
                }
                None => self.dropped.push(r.clone()),
            }
        }
    }

    /// A human-readable report: totals, then drops per category and per rule.
    pub fn report(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "documents {}  lines in {}  kept {}  dropped {}  bytes in {}  bytes out {}",
            self.documents,
            self.input_lines,
            self.kept_lines,
            self.dropped_lines(),
            self.input_bytes,
            self.output_bytes
        );
        if self.unsettled_documents > 0 {
            let _ = writeln!(
                out,
                "unsettled documents {} (decided in parts, or still dropping lines after {} rounds: cleaning the output again may drop more)",
                self.unsettled_documents,
                crate::MAX_ROUNDS
            );
        }
        let _ = writeln!(out, "{:<28} {:>10} {:>12}", "category", "lines", "bytes");
        for (category, lines, bytes) in self.by_category() {
            let _ = writeln!(out, "{category:<28} {lines:>10} {bytes:>12}");
        }
        let _ = writeln!(out, "{:<28} {:>10} {:>12}  category", "rule", "lines", "bytes");
        for r in &self.dropped {
            let _ = writeln!(out, "{:<28} {:>10} {:>12}  {}", r.rule, r.lines, r.bytes, r.category);
        }
        out
    }
}
