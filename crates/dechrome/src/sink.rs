//! Output sinks: where line decisions go.
//!
//! The pipeline calls [`Sink::line`] once per input line, in input order, and
//! [`Sink::end_document`] after each document. [`TextSink`] writes the cleaned text;
//! [`RejectsSink`] and [`ExplainSink`] report decisions; a pair `(A, B)` feeds both.

use std::io::{self, Write};

/// Why a line was dropped.
///
/// ```
/// use dechrome::{Cleaner, LineRecord, Sink};
/// /// Collects the reason of every dropped line.
/// struct Reasons(Vec<String>);
/// impl Sink for Reasons {
///     fn line(&mut self, record: &LineRecord<'_>) -> std::io::Result<()> {
///         if let Some(by) = record.dropped_by {
///             self.0.push(format!("{} ({})", by.reason, by.category));
///         }
///         Ok(())
///     }
///     fn end_document(&mut self, _separator: bool) -> std::io::Result<()> {
///         Ok(())
///     }
/// }
/// let mut reasons = Reasons(Vec::new());
/// Cleaner::builder().build()?.clean_to_sink("Advertisement\nStocks rose.\n".as_bytes(), &mut reasons)?;
/// assert_eq!(reasons.0, ["ad-labels (ads)"]);
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DroppedBy<'a> {
    /// The reason's id: a rule id, `duplicate-line` for repeats, or a context scorer's reason.
    pub reason: &'a str,
    /// Its category.
    pub category: &'a str,
}

/// One input line and what happened to it.
///
/// ```
/// use dechrome::{Cleaner, LineRecord, Sink};
/// /// Counts the lines kept and dropped.
/// #[derive(Default)]
/// struct Tally { kept: usize, dropped: usize }
/// impl Sink for Tally {
///     fn line(&mut self, record: &LineRecord<'_>) -> std::io::Result<()> {
///         if record.dropped_by.is_some() { self.dropped += 1 } else if !record.text.is_empty() { self.kept += 1 }
///         Ok(())
///     }
///     fn end_document(&mut self, _separator: bool) -> std::io::Result<()> {
///         Ok(())
///     }
/// }
/// let mut tally = Tally::default();
/// Cleaner::builder().build()?.clean_to_sink("Share\nStocks rose.\nThey fell later.\n".as_bytes(), &mut tally)?;
/// assert_eq!((tally.kept, tally.dropped), (2, 1));
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LineRecord<'a> {
    /// 1-based document number within the stream.
    pub document: u64,
    /// 1-based line number within the document.
    pub line_number: u64,
    /// The normalized text (empty for blank lines). A line longer than the length limit comes
    /// as it was read, in several records: see `continues`.
    pub text: &'a str,
    /// The input line as decoded; empty unless the sink asked for originals.
    pub original: &'a str,
    /// `None` when the line is kept.
    pub dropped_by: Option<DroppedBy<'a>>,
    /// The score a context scorer gave the line, when one judged it.
    pub score: Option<f32>,
    /// The classifier's features of the line (see [`FeaturesSink`]), when they are recorded.
    pub features: Option<&'a [f32]>,
    /// Repair (mojibake, HTML references) changed the line before the other steps.
    pub repaired: bool,
    /// More of this same line follows in the next record (a line over the length limit is
    /// passed on in pieces, never buffered whole).
    pub continues: bool,
}

/// Receives line decisions in input order.
///
/// ```
/// use dechrome::{Cleaner, RejectsSink, TextSink};
/// // Two sinks at once: the cleaned text, and a table of what was dropped.
/// let mut both = (TextSink::new(Vec::new()), RejectsSink::new(Vec::new(), "page.txt"));
/// Cleaner::builder().build()?.clean_to_sink("Advertisement\nStocks rose.\n".as_bytes(), &mut both)?;
/// let (text, rejects) = both;
/// assert_eq!(text.into_inner(), b"Stocks rose.\n");
/// assert!(String::from_utf8_lossy(&rejects.into_inner()).contains("ad-labels"));
/// # Ok::<(), dechrome::Error>(())
/// ```
pub trait Sink {
    /// True when the sink reads [`LineRecord::original`]; keeping originals costs a copy per line.
    fn wants_originals(&self) -> bool {
        false
    }
    /// One input line.
    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()>;
    /// The end of a document; `separator` is true when a form-feed line followed it.
    fn end_document(&mut self, separator: bool) -> io::Result<()>;
    /// The end of the stream.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<A: Sink, B: Sink> Sink for (A, B) {
    fn wants_originals(&self) -> bool {
        self.0.wants_originals() || self.1.wants_originals()
    }
    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        self.0.line(record)?;
        self.1.line(record)
    }
    fn end_document(&mut self, separator: bool) -> io::Result<()> {
        self.0.end_document(separator)?;
        self.1.end_document(separator)
    }
    fn finish(&mut self) -> io::Result<()> {
        self.0.finish()?;
        self.1.finish()
    }
}

/// A sink that may not be there: `None` takes every record and does nothing.
impl<S: Sink> Sink for Option<S> {
    fn wants_originals(&self) -> bool {
        self.as_ref().is_some_and(Sink::wants_originals)
    }
    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        self.as_mut().map_or(Ok(()), |sink| sink.line(record))
    }
    fn end_document(&mut self, separator: bool) -> io::Result<()> {
        self.as_mut().map_or(Ok(()), |sink| sink.end_document(separator))
    }
    fn finish(&mut self) -> io::Result<()> {
        self.as_mut().map_or(Ok(()), Sink::finish)
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn wants_originals(&self) -> bool {
        (**self).wants_originals()
    }
    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        (**self).line(record)
    }
    fn end_document(&mut self, separator: bool) -> io::Result<()> {
        (**self).end_document(separator)
    }
    fn finish(&mut self) -> io::Result<()> {
        (**self).finish()
    }
}

/// Writes kept lines: runs of blank lines become one, none at the start or end of a document,
/// every line ends with `\n`, and a document separator is written as a form-feed line.
///
/// ```
/// use dechrome::{Cleaner, TextSink};
/// let mut sink = TextSink::new(Vec::new());
/// Cleaner::builder().build()?.clean_to_sink("Share\n\n\nStocks rose.\n".as_bytes(), &mut sink)?;
/// assert_eq!(sink.bytes_written(), 13);
/// assert_eq!(sink.into_inner(), b"Stocks rose.\n");
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug)]
pub struct TextSink<W: Write> {
    writer: W,
    wrote_text: bool,
    pending_blank: bool,
    /// The last record written continues on the next one.
    mid_line: bool,
    bytes_written: u64,
}

impl<W: Write> TextSink<W> {
    /// Wraps `writer`; it is written in small pieces, so give it a buffered writer.
    pub fn new(writer: W) -> Self {
        Self { writer, wrote_text: false, pending_blank: false, mid_line: false, bytes_written: 0 }
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written
    }

    /// Returns the writer.
    pub fn into_inner(self) -> W {
        self.writer
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.bytes_written += bytes.len() as u64;
        self.writer.write_all(bytes)
    }
}

impl<W: Write> Sink for TextSink<W> {
    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        if record.dropped_by.is_some() {
            return Ok(());
        }
        if record.text.is_empty() && !self.mid_line && !record.continues {
            self.pending_blank = self.wrote_text;
            return Ok(());
        }
        if self.pending_blank && !self.mid_line {
            self.write(b"\n")?;
            self.pending_blank = false;
        }
        self.write(record.text.as_bytes())?;
        self.mid_line = record.continues;
        if !record.continues {
            self.write(b"\n")?;
        }
        self.wrote_text = true;
        Ok(())
    }

    fn end_document(&mut self, separator: bool) -> io::Result<()> {
        self.wrote_text = false;
        self.pending_blank = false;
        if separator {
            self.write(b"\x0C\n")?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Replaces tabs and control characters so a reported line stays on one TSV row.
fn escape_field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(|c| c.is_control()) {
        text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().into()
    } else {
        text.into()
    }
}

/// Writes every dropped line as a tab-separated row:
/// `source  document  line  rule  category  original-text`.
///
/// ```
/// use dechrome::{Cleaner, RejectsSink};
/// let mut sink = RejectsSink::new(Vec::new(), "page.txt");
/// Cleaner::builder().build()?.clean_to_sink("Advertisement\nStocks rose.\n".as_bytes(), &mut sink)?;
/// let rows = String::from_utf8(sink.into_inner()).expect("UTF-8");
/// assert_eq!(rows, "page.txt\t1\t1\tad-labels\tads\tAdvertisement\n");
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug)]
pub struct RejectsSink<W: Write> {
    writer: W,
    source: String,
}

impl<W: Write> RejectsSink<W> {
    /// `source` names the input (a path, or `-` for stdin) in the first column.
    pub fn new(writer: W, source: impl Into<String>) -> Self {
        Self { writer, source: source.into() }
    }

    /// Returns the writer.
    pub fn into_inner(self) -> W {
        self.writer
    }
}

impl<W: Write> Sink for RejectsSink<W> {
    fn wants_originals(&self) -> bool {
        true
    }

    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        let Some(dropped) = record.dropped_by else {
            return Ok(());
        };
        writeln!(
            self.writer,
            "{}\t{}\t{}\t{}\t{}\t{}",
            self.source,
            record.document,
            record.line_number,
            dropped.reason,
            dropped.category,
            escape_field(record.original)
        )
    }

    fn end_document(&mut self, _separator: bool) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Writes the input with each line's decision: `document:line  decision  original-text`.
///
/// ```
/// use dechrome::{Cleaner, ExplainSink};
/// let mut sink = ExplainSink::new(Vec::new());
/// Cleaner::builder().build()?.clean_to_sink("Advertisement\nStocks rose.\n".as_bytes(), &mut sink)?;
/// let rows = String::from_utf8(sink.into_inner()).expect("UTF-8");
/// assert!(rows.lines().nth(1).is_some_and(|row| row.starts_with("1:2\tkeep")));
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug)]
pub struct ExplainSink<W: Write> {
    writer: W,
}

impl<W: Write> ExplainSink<W> {
    /// Wraps `writer`.
    ///
    /// ```
    /// use dechrome::{Cleaner, ExplainSink};
    /// let cleaner = Cleaner::builder().build()?;
    /// let mut sink = ExplainSink::new(Vec::new());
    /// cleaner.clean_to_sink("Advertisement\nStocks rose.\n".as_bytes(), &mut sink)?;
    /// let explained = String::from_utf8(sink.into_inner()).expect("UTF-8");
    /// assert!(explained.lines().next().is_some_and(|row| row.contains("drop ad-labels")));
    /// # Ok::<(), dechrome::Error>(())
    /// ```
    pub fn new(writer: W) -> Self {
        Self { writer }
    }

    /// Returns the writer.
    pub fn into_inner(self) -> W {
        self.writer
    }
}

impl<W: Write> Sink for ExplainSink<W> {
    fn wants_originals(&self) -> bool {
        true
    }

    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        let mut decision = match record.dropped_by {
            Some(d) => format!("drop {} ({})", d.reason, d.category),
            None if record.text.is_empty() => "blank".to_string(),
            None => "keep".to_string(),
        };
        if let Some(score) = record.score {
            decision.push_str(&format!(" {score:.2}"));
        }
        if record.repaired {
            decision.push_str(" repaired");
        }
        writeln!(
            self.writer,
            "{}:{}\t{:<40}\t{}",
            record.document,
            record.line_number,
            decision,
            escape_field(record.original)
        )
    }

    fn end_document(&mut self, separator: bool) -> io::Result<()> {
        if separator {
            writeln!(self.writer, "---- document separator ----")?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Writes the classifier's features of every non-blank line as a tab-separated row:
/// `source  document  line  feature…  text`, after a header row that names the columns (the
/// text is the normalized line, with tabs and control characters as spaces). Its rows,
/// with labels, are what `scripts/train_classifier.py` trains a model on. The cleaner must be
/// built with [`CleanerBuilder::record_features`](crate::CleanerBuilder::record_features).
///
/// ```
/// use dechrome::{Cleaner, FeaturesSink};
/// let cleaner = Cleaner::builder().record_features(true).build()?;
/// let mut sink = FeaturesSink::new(Vec::new(), "page.txt", cleaner.feature_names());
/// cleaner.clean_to_sink("Stocks rose.\n".as_bytes(), &mut sink)?;
/// let table = String::from_utf8(sink.into_inner()).expect("UTF-8");
/// assert_eq!(table.lines().count(), 2, "a header and one line");
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug)]
pub struct FeaturesSink<W: Write> {
    writer: W,
    source: String,
    header: Option<Vec<String>>,
}

impl<W: Write> FeaturesSink<W> {
    /// `source` names the input in the first column; `header`, the features' names
    /// ([`Cleaner::feature_names`](crate::Cleaner::feature_names)), is written before the first
    /// row (give it to the first of several sinks writing into one file).
    pub fn new(writer: W, source: impl Into<String>, header: Option<&[String]>) -> Self {
        Self { writer, source: source.into(), header: header.map(<[String]>::to_vec) }
    }

    /// Returns the writer.
    pub fn into_inner(self) -> W {
        self.writer
    }
}

impl<W: Write> Sink for FeaturesSink<W> {
    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        let Some(features) = record.features else { return Ok(()) };
        if let Some(names) = self.header.take() {
            writeln!(self.writer, "source\tdocument\tline\t{}\ttext", names.join("\t"))?;
        }
        write!(self.writer, "{}\t{}\t{}", self.source, record.document, record.line_number)?;
        for value in features {
            write!(self.writer, "\t{value}")?;
        }
        writeln!(self.writer, "\t{}", escape_field(record.text))
    }

    fn end_document(&mut self, _separator: bool) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}
