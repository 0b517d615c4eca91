//! `--explain` as the command prints it: the library's explanation of each line, with the file
//! in a first column when there are several, the JSONL record in place of the document, and
//! colours on a terminal (dropped lines dimmed, their decision coloured by category).

use std::io::{self, Write};

use dechrome::rules::CATEGORIES;
use dechrome::{ExplainSink, LineRecord, Sink};

use crate::version::{FNV_OFFSET, fnv1a};

/// The number of colour slots: one for each category of the built-in packs and for the
/// library's own reasons (duplicates, the classifier); other categories share them by hash.
/// [`category_slot`] is below it.
pub(crate) const CATEGORY_SLOTS: usize = CATEGORIES.len() + 2;

/// A stable colour slot for `category`, the same in every output (terminal and HTML report).
pub(crate) fn category_slot(category: &str) -> usize {
    let own = [dechrome::DUPLICATE_CATEGORY, dechrome::CLASSIFIER_CATEGORY];
    CATEGORIES.iter().chain(&own).position(|known| *known == category).unwrap_or_else(|| {
        let hash = fnv1a(FNV_OFFSET, category.as_bytes());
        (hash % CATEGORY_SLOTS as u64) as usize
    })
}

/// ANSI foreground colours, one per slot.
const SLOT_COLOURS: [&str; CATEGORY_SLOTS] =
    ["34", "35", "31", "36", "33", "32", "94", "93", "95", "96", "92", "91", "90;1", "33;1", "31;1"];
const RESET: &str = "\x1b[0m";
const DIM: &str = "\x1b[2m";
const FILE_COLOUR: &str = "\x1b[35m";
const LOCATION_COLOUR: &str = "\x1b[32m";

/// Writes each line's explanation to `writer`.
pub(crate) struct ExplainLines<W: Write> {
    writer: W,
    /// The file column, when several files are explained.
    source: Option<String>,
    colour: bool,
    /// One line as the library formats it: `document:line \t decision \t text`.
    line: Vec<u8>,
}

impl<W: Write> ExplainLines<W> {
    pub(crate) fn new(writer: W, source: Option<String>, colour: bool) -> Self {
        Self { writer, source, colour, line: Vec::new() }
    }

    /// Writes the library's line (in `self.line`) with the file column and colours.
    fn write_line(&mut self, dropped_category: Option<&str>, blank: bool) -> io::Result<()> {
        let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
        match &self.source {
            Some(source) if self.colour => write!(self.writer, "{FILE_COLOUR}{source}{RESET}\t")?,
            Some(source) => write!(self.writer, "{source}\t")?,
            None => {}
        }
        if !self.colour {
            self.writer.write_all(line)?;
            return self.writer.write_all(b"\n");
        }
        let mut fields = line.splitn(3, |&b| b == b'\t');
        let (location, decision, text) =
            (fields.next().unwrap_or_default(), fields.next().unwrap_or_default(), fields.next().unwrap_or_default());
        write!(self.writer, "{LOCATION_COLOUR}")?;
        self.writer.write_all(location)?;
        write!(self.writer, "{RESET}\t")?;
        match dropped_category {
            Some(category) => write!(self.writer, "\x1b[{}m", SLOT_COLOURS[category_slot(category)])?,
            None if blank => write!(self.writer, "{DIM}")?,
            None => {}
        }
        self.writer.write_all(decision)?;
        if dropped_category.is_some() || blank {
            write!(self.writer, "{RESET}")?;
        }
        self.writer.write_all(b"\t")?;
        if dropped_category.is_some() {
            write!(self.writer, "{DIM}")?;
            self.writer.write_all(text)?;
            write!(self.writer, "{RESET}")?;
        } else {
            self.writer.write_all(text)?;
        }
        self.writer.write_all(b"\n")
    }
}

impl<W: Write> Sink for ExplainLines<W> {
    fn wants_originals(&self) -> bool {
        true
    }

    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        self.line.clear();
        ExplainSink::new(&mut self.line).line(record)?;
        self.write_line(record.dropped_by.map(|d| d.category), record.text.is_empty())
    }

    fn end_document(&mut self, separator: bool) -> io::Result<()> {
        self.line.clear();
        ExplainSink::new(&mut self.line).end_document(separator)?;
        if self.line.is_empty() {
            return Ok(());
        }
        if self.colour {
            write!(self.writer, "{DIM}")?;
            self.writer.write_all(&self.line)?;
            write!(self.writer, "{RESET}")
        } else {
            self.writer.write_all(&self.line)
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// A sink that numbers documents by their JSONL record (the record's line in its file): in
/// `--explain` and `--rejects`, JSONL lines are shown as `RECORD:LINE`.
pub(crate) struct NumberedByRecord<S> {
    pub sink: S,
    pub record: u64,
}

impl<S: Sink> Sink for NumberedByRecord<S> {
    fn wants_originals(&self) -> bool {
        self.sink.wants_originals()
    }

    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        self.sink.line(&LineRecord { document: self.record, ..*record })
    }

    fn end_document(&mut self, separator: bool) -> io::Result<()> {
        self.sink.end_document(separator)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.sink.finish()
    }
}
