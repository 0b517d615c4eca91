//! Run totals: the summary line on stderr and the `--stats-json` file.

use std::fmt::Display;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use dechrome::Stats;
use dechrome::jsonl::JsonlStats;
use serde::Serialize;

use super::html_report::PageSet;
use super::output::Destination;

/// `--quiet`: set once, before anything runs.
static QUIET: AtomicBool = AtomicBool::new(false);

pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub(crate) fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Prints a warning or a summary on stderr, unless `--quiet`. Errors are printed with
/// `eprintln!` whatever the setting.
pub(crate) fn notice(message: impl Display) {
    if !is_quiet() {
        eprintln!("dechrome: {message}");
    }
}

/// Totals over every input of a run.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    /// Files cleaned (stdin counts as one).
    pub files: u64,
    /// Files skipped because they look binary.
    pub binary: u64,
    /// Symbolic links not followed.
    pub symlinks: u64,
    /// Entries that are not regular files.
    pub special: u64,
    /// Backups of an earlier in-place run (`-iSUFFIX`), not cleaned again.
    pub backups: u64,
    /// Files (or walk entries) that failed.
    pub failed: u64,
    /// Bytes read (JSONL: after decompression).
    pub bytes_in: u64,
    /// Bytes written (JSONL: before compression).
    pub bytes_out: u64,
    /// Line counts, text and JSONL documents together.
    pub text: Stats,
    /// JSONL record counts, when there was JSONL input.
    pub jsonl: Option<JsonlStats>,
    /// `--report`: the pages of the run.
    pub pages: Option<PageSet>,
}

impl Totals {
    pub(crate) fn add_text(&mut self, stats: &Stats) {
        self.files += 1;
        self.bytes_in += stats.input_bytes;
        self.bytes_out += stats.output_bytes;
        self.text.merge(stats);
    }

    pub(crate) fn add_jsonl(&mut self, stats: &JsonlStats) {
        self.files += 1;
        self.bytes_in += stats.input_bytes;
        self.bytes_out += stats.output_bytes;
        self.text.merge(&stats.text);
        let mut records = stats.clone();
        records.text = Stats::default();
        self.jsonl.get_or_insert_with(JsonlStats::default).merge(&records);
    }

    /// One line: files, bytes in and out, speed, lines dropped per category.
    pub(crate) fn summary_line(&self, elapsed: Duration) -> String {
        let mut line = format!("{} cleaned", plural(self.files, "file"));
        let skipped = self.binary + self.symlinks + self.special + self.backups;
        if skipped > 0 {
            let mut kinds = Vec::new();
            for (count, kind) in [
                (self.binary, "binary"),
                (self.symlinks, "symlink"),
                (self.special, "not a regular file"),
                (self.backups, "backup"),
            ] {
                if count > 0 {
                    kinds.push(format!("{kind} {count}"));
                }
            }
            line.push_str(&format!(", {skipped} skipped ({})", kinds.join(", ")));
        }
        if self.failed > 0 {
            line.push_str(&format!(", {} failed", self.failed));
        }
        line.push_str(&format!(
            "; {} in, {} out, {:.2} s, {}/s",
            human_size(self.bytes_in),
            human_size(self.bytes_out),
            elapsed.as_secs_f64(),
            human_size(bytes_per_s(self.bytes_in, elapsed))
        ));
        if let Some(jsonl) = &self.jsonl {
            line.push_str(&format!(
                "; records {} (bad {}, dropped empty {})",
                jsonl.records, jsonl.bad_records, jsonl.dropped_empty
            ));
        }
        let categories = self.text.by_category();
        if categories.is_empty() {
            line.push_str("; no lines dropped");
        } else {
            let parts: Vec<String> = categories.iter().map(|(c, lines, _)| format!("{c} {lines}")).collect();
            line.push_str(&format!("; lines dropped: {}", parts.join(", ")));
        }
        line
    }

    /// A warning when no JSONL record had the text field: `--text-key` names the wrong field.
    pub(crate) fn missing_text_key_warning(&self, text_key: &str) -> Option<String> {
        let jsonl = self.jsonl.as_ref().filter(|j| j.records == 0 && j.missing_text_key > 0)?;
        Some(format!(
            "warning: no record has a {text_key:?} field: {} set aside as bad; choose the field with --text-key",
            plural(jsonl.missing_text_key, "record")
        ))
    }

    /// The totals as JSON.
    pub(crate) fn to_json(&self, elapsed: Duration) -> Result<String> {
        #[derive(Serialize)]
        struct Skipped {
            binary: u64,
            symlink: u64,
            not_regular: u64,
            backup: u64,
        }
        #[derive(Serialize)]
        struct Drop<'a> {
            category: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            rule: Option<&'a str>,
            lines: u64,
            bytes: u64,
        }
        #[derive(Serialize)]
        struct Records {
            records: u64,
            written: u64,
            bad: u64,
            dropped_empty: u64,
        }
        #[derive(Serialize)]
        struct Report<'a> {
            files: u64,
            skipped: Skipped,
            failed: u64,
            bytes_in: u64,
            bytes_out: u64,
            seconds: f64,
            mb_per_s: f64,
            documents: u64,
            lines_in: u64,
            lines_kept: u64,
            lines_dropped: u64,
            dropped_by_category: Vec<Drop<'a>>,
            dropped_by_rule: Vec<Drop<'a>>,
            jsonl: Option<Records>,
        }
        let categories = self.text.by_category();
        let report = Report {
            files: self.files,
            skipped: Skipped {
                binary: self.binary,
                symlink: self.symlinks,
                not_regular: self.special,
                backup: self.backups,
            },
            failed: self.failed,
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            seconds: elapsed.as_secs_f64(),
            mb_per_s: mb_per_s(self.bytes_in, elapsed),
            documents: self.text.documents,
            lines_in: self.text.input_lines,
            lines_kept: self.text.kept_lines,
            lines_dropped: self.text.dropped_lines(),
            dropped_by_category: categories
                .iter()
                .map(|(category, lines, bytes)| Drop { category, rule: None, lines: *lines, bytes: *bytes })
                .collect(),
            dropped_by_rule: self
                .text
                .dropped
                .iter()
                .map(|r| Drop { category: &r.category, rule: Some(&r.rule), lines: r.lines, bytes: r.bytes })
                .collect(),
            jsonl: self.jsonl.as_ref().map(|j| Records {
                records: j.records,
                written: j.written,
                bad: j.bad_records,
                dropped_empty: j.dropped_empty,
            }),
        };
        Ok(serde_json::to_string_pretty(&report)?)
    }

    /// Writes [`Totals::to_json`] to `path`, atomically.
    pub(crate) fn write_json(&self, path: &Path, elapsed: Duration) -> Result<()> {
        let json = self.to_json(elapsed)?;
        let mut out = Destination::open(Some(path))?;
        writeln!(out, "{json}").with_context(|| path.display().to_string())?;
        out.commit()
    }
}

fn plural(count: u64, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

/// A byte count in the largest decimal unit that leaves at least 1: `512 B`, `21 KB`, `3.4 MB`
/// (one decimal below 10 of a unit).
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.5 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value < 9.95 { format!("{value:.1} {}", UNITS[unit]) } else { format!("{value:.0} {}", UNITS[unit]) }
}

fn bytes_per_s(bytes: u64, elapsed: Duration) -> u64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 { (bytes as f64 / seconds) as u64 } else { 0 }
}

fn mb_per_s(bytes: u64, elapsed: Duration) -> f64 {
    bytes_per_s(bytes, elapsed) as f64 / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_written_in_the_unit_that_fits() {
        let cases = [
            (0, "0 B"),
            (999, "999 B"),
            (1000, "1.0 KB"),
            (21_400, "21 KB"),
            (999_600, "1.0 MB"),
            (3_456_000, "3.5 MB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(human_size(bytes), text, "{bytes}");
        }
    }
}
