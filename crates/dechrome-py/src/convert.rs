//! Texts in, and cleaning results out as Python values.

use std::io;

use dechrome::jsonl::JsonlStats;
use dechrome::sink::{LineRecord, Sink};
use dechrome::{Cleaner, Stats};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A document as Python passed it: a str, cleaned as the command cleans a JSONL text field (a
/// final line end only where the input had one), or bytes, cleaned as the command cleans a file
/// (BOM, UTF-16, invalid UTF-8; every kept line ends with a newline).
pub(crate) enum Text<'a> {
    Str(&'a str),
    Bytes(&'a [u8]),
}

impl Text<'_> {
    /// The cleaned text and what cleaning did.
    pub(crate) fn clean(&self, cleaner: &Cleaner) -> dechrome::Result<(String, Stats)> {
        match self {
            Text::Str(text) => {
                let cleaned = cleaner.clean_field(text);
                Ok((cleaned.text, cleaned.stats))
            }
            Text::Bytes(bytes) => {
                let mut out = Vec::with_capacity(bytes.len());
                let stats = cleaner.clean_reader(*bytes, &mut out)?;
                Ok((
                    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                    stats,
                ))
            }
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Text::Str(text) => text.as_bytes(),
            Text::Bytes(bytes) => bytes,
        }
    }
}

pub(crate) fn stats_dict<'py>(py: Python<'py>, stats: &Stats) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("documents", stats.documents)?;
    dict.set_item("input_lines", stats.input_lines)?;
    dict.set_item("input_bytes", stats.input_bytes)?;
    dict.set_item("kept_lines", stats.kept_lines)?;
    dict.set_item("dropped_lines", stats.dropped_lines())?;
    dict.set_item("output_bytes", stats.output_bytes)?;
    dict.set_item("unsettled_documents", stats.unsettled_documents)?;
    let categories = PyDict::new(py);
    for (category, lines, bytes) in stats.by_category() {
        let counts = PyDict::new(py);
        counts.set_item("lines", lines)?;
        counts.set_item("bytes", bytes)?;
        categories.set_item(category, counts)?;
    }
    dict.set_item("categories", categories)?;
    let rules = PyDict::new(py);
    for count in &stats.dropped {
        let counts = PyDict::new(py);
        counts.set_item("category", &count.category)?;
        counts.set_item("lines", count.lines)?;
        counts.set_item("bytes", count.bytes)?;
        rules.set_item(&count.rule, counts)?;
    }
    dict.set_item("rules", rules)?;
    Ok(dict)
}

pub(crate) fn jsonl_stats_dict<'py>(py: Python<'py>, stats: &JsonlStats) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("records", stats.records)?;
    dict.set_item("written", stats.written)?;
    dict.set_item("bad_records", stats.bad_records)?;
    dict.set_item("dropped_empty", stats.dropped_empty)?;
    dict.set_item("input_bytes", stats.input_bytes)?;
    dict.set_item("output_bytes", stats.output_bytes)?;
    dict.set_item("text", stats_dict(py, &stats.text)?)?;
    Ok(dict)
}

/// One line's decision, owned.
pub(crate) struct ExplainedLine {
    document: u64,
    line: u64,
    original: String,
    text: String,
    dropped_by: Option<(String, String)>,
    score: Option<f32>,
    repaired: bool,
}

/// Every line's decision, in input order.
#[derive(Default)]
pub(crate) struct Explanation {
    lines: Vec<ExplainedLine>,
}

impl Explanation {
    pub(crate) fn of(cleaner: &Cleaner, text: &Text<'_>) -> dechrome::Result<Vec<ExplainedLine>> {
        let mut explanation = Explanation::default();
        cleaner.clean_to_sink(text.bytes(), &mut explanation)?;
        Ok(explanation.lines)
    }
}

impl Sink for Explanation {
    fn wants_originals(&self) -> bool {
        true
    }

    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        // A line over the length limit comes in pieces: they are one line here.
        if let Some(last) = self.lines.last_mut()
            && last.document == record.document
            && last.line == record.line_number
        {
            last.original.push_str(record.original);
            last.text.push_str(record.text);
            return Ok(());
        }
        self.lines.push(ExplainedLine {
            document: record.document,
            line: record.line_number,
            original: record.original.to_string(),
            text: record.text.to_string(),
            dropped_by: record.dropped_by.map(|d| (d.reason.to_string(), d.category.to_string())),
            score: record.score,
            repaired: record.repaired,
        });
        Ok(())
    }

    fn end_document(&mut self, _separator: bool) -> io::Result<()> {
        Ok(())
    }
}

impl ExplainedLine {
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("document", self.document)?;
        dict.set_item("line", self.line)?;
        let decision = match &self.dropped_by {
            Some(_) => "drop",
            None if self.text.is_empty() => "blank",
            None => "keep",
        };
        dict.set_item("decision", decision)?;
        dict.set_item("reason", self.dropped_by.as_ref().map(|d| d.0.as_str()))?;
        dict.set_item("category", self.dropped_by.as_ref().map(|d| d.1.as_str()))?;
        dict.set_item("score", self.score)?;
        dict.set_item("repaired", self.repaired)?;
        dict.set_item("text", &self.original)?;
        dict.set_item("normalized", &self.text)?;
        Ok(dict)
    }
}
