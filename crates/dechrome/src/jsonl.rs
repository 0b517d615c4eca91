//! JSON Lines: clean one string field of every record and keep everything else.
//!
//! Each line holds one JSON object. The field named by [`JsonlOptions::text_key`] (default
//! `text`) is one document: it is cleaned with [`Cleaner::clean_str`], exactly as the same text
//! would be cleaned on its own. Only the value of that field changes: every other byte of the
//! record (the other fields, the keys as they were escaped, the spacing) is written back as it
//! was read. Records are streamed one line at a time, and a record longer than
//! [`JsonlOptions::max_record_bytes`] is a bad record that is never held whole, so memory is
//! bounded whatever the input. A UTF-8 byte order mark before the first record is left out.
//!
//! Compressed input is recognized by its magic bytes ([`Compression::detect`]); [`decoder`]
//! and [`Compression::encoder`] wrap readers and writers so the output can be compressed like
//! the input.
//!
//! ```
//! use dechrome::Cleaner;
//! use dechrome::jsonl::{JsonlCleaner, JsonlOptions};
//! let cleaner = Cleaner::builder().build()?;
//! let jsonl = JsonlCleaner::new(cleaner, JsonlOptions::default());
//! let input = "{\"id\":7,\"text\":\"Advertisement\\nStocks rose.\",\"tags\":[\"a\", \"b\"]}\n";
//! let mut out = Vec::new();
//! let stats = jsonl.clean(input.as_bytes(), &mut out, None)?;
//! assert_eq!(out, b"{\"id\":7,\"text\":\"Stocks rose.\",\"tags\":[\"a\", \"b\"]}\n");
//! assert_eq!(stats.records, 1);
//! assert_eq!(stats.text.dropped_lines(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::cleaner::Cleaner;
use crate::error::{Error, Result};
use crate::parallel::map_in_parallel;
use crate::stats::Stats;

/// The field cleaned when no other is named.
pub const DEFAULT_TEXT_KEY: &str = "text";

/// The longest record read whole by default (64 MiB); see [`JsonlOptions::max_record_bytes`].
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

const GZIP_MAGIC: &[u8] = &[0x1F, 0x8B];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xB5, 0x2F, 0xFD];

/// How a stream is compressed.
///
/// ```
/// use dechrome::jsonl::Compression;
/// assert_eq!(Compression::detect(&[0x1F, 0x8B, 8, 0]), Compression::Gzip);
/// assert_eq!(Compression::detect(b"{\"text\": \"\"}"), Compression::None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Not compressed.
    #[default]
    None,
    /// gzip (one or more members).
    Gzip,
    /// Zstandard (one or more frames).
    Zstd,
}

impl Compression {
    /// Recognizes gzip and zstd by the first bytes of a stream.
    ///
    /// ```
    /// use dechrome::jsonl::Compression;
    /// assert_eq!(Compression::detect(&[0x1f, 0x8b, 8]), Compression::Gzip);
    /// assert_eq!(Compression::detect(b"{\"text\":\"\"}"), Compression::None);
    /// ```
    pub fn detect(prefix: &[u8]) -> Self {
        if prefix.starts_with(GZIP_MAGIC) {
            Compression::Gzip
        } else if prefix.starts_with(ZSTD_MAGIC) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// Wraps `writer` in a compressor of this kind; call [`Encoder::finish`] at the end.
    pub fn encoder<W: Write>(self, writer: W) -> io::Result<Encoder<W>> {
        Ok(match self {
            Compression::None => Encoder::Plain(writer),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(writer, flate2::Compression::default())),
            Compression::Zstd => Encoder::Zstd(zstd::Encoder::new(writer, 0)?),
        })
    }
}

/// Reads the first bytes of `reader` and returns its compression and a reader of the
/// decompressed bytes.
pub fn decoder<'a, R: Read + 'a>(reader: R) -> io::Result<(Compression, Box<dyn BufRead + 'a>)> {
    let mut buffered = BufReader::with_capacity(64 * 1024, reader);
    let compression = loop {
        match buffered.fill_buf() {
            Ok(prefix) => break Compression::detect(prefix),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    };
    let decoded: Box<dyn BufRead + 'a> = match compression {
        Compression::None => Box::new(buffered),
        Compression::Gzip => {
            Box::new(BufReader::with_capacity(64 * 1024, flate2::bufread::MultiGzDecoder::new(buffered)))
        }
        Compression::Zstd => Box::new(BufReader::with_capacity(64 * 1024, zstd::Decoder::with_buffer(buffered)?)),
    };
    Ok((compression, decoded))
}

/// A writer that compresses (or not) what it is given. [`Encoder::finish`] writes the trailer.
///
/// ```
/// use std::io::Write;
/// use dechrome::jsonl::Compression;
/// let mut encoder = Compression::Gzip.encoder(Vec::new())?;
/// encoder.write_all(b"{\"text\":\"Stocks rose.\\n\"}\n")?;
/// let gzip = encoder.finish()?;
/// assert_eq!(Compression::detect(&gzip), Compression::Gzip);
/// # Ok::<(), std::io::Error>(())
/// ```
pub enum Encoder<W: Write> {
    /// Passes bytes through.
    Plain(W),
    /// gzip.
    Gzip(flate2::write::GzEncoder<W>),
    /// Zstandard.
    Zstd(zstd::Encoder<'static, W>),
}

impl<W: Write> fmt::Debug for Encoder<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Encoder::Plain(_) => Compression::None,
            Encoder::Gzip(_) => Compression::Gzip,
            Encoder::Zstd(_) => Compression::Zstd,
        };
        f.debug_tuple("Encoder").field(&kind).finish()
    }
}

impl<W: Write> Encoder<W> {
    /// Completes the compressed stream and returns the inner writer.
    pub fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Plain(w) => Ok(w),
            Encoder::Gzip(e) => e.finish(),
            Encoder::Zstd(e) => e.finish(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Plain(w) => w.write(buf),
            Encoder::Gzip(e) => e.write(buf),
            Encoder::Zstd(e) => e.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Plain(w) => w.flush(),
            Encoder::Gzip(e) => e.flush(),
            Encoder::Zstd(e) => e.flush(),
        }
    }
}

/// Settings for [`JsonlCleaner`].
///
/// ```
/// use dechrome::jsonl::JsonlOptions;
/// let options = JsonlOptions { text_key: "content".into(), drop_empty: true, ..JsonlOptions::default() };
/// assert!(!options.skip_bad_records);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonlOptions {
    /// The string field that holds the document (default `text`).
    pub text_key: String,
    /// Leave out records whose cleaned text is empty (default `false`).
    pub drop_empty: bool,
    /// Count malformed records, hand them to the bad-records writer and go on, instead of
    /// stopping at the first one (default `false`).
    pub skip_bad_records: bool,
    /// A record longer than this many bytes (its line end left out) is a bad record: it is
    /// never held in memory whole, only streamed to the bad-records writer (default
    /// [`DEFAULT_MAX_RECORD_BYTES`]).
    pub max_record_bytes: usize,
}

impl Default for JsonlOptions {
    fn default() -> Self {
        Self {
            text_key: DEFAULT_TEXT_KEY.to_string(),
            drop_empty: false,
            skip_bad_records: false,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// Counts for one JSONL stream.
///
/// ```
/// use dechrome::Cleaner;
/// use dechrome::jsonl::{JsonlCleaner, JsonlOptions};
/// let jsonl = JsonlCleaner::new(Cleaner::builder().build()?, JsonlOptions { drop_empty: true, ..JsonlOptions::default() });
/// let input = "{\"text\":\"Advertisement\"}\n{\"text\":\"Stocks rose.\"}\n";
/// let stats = jsonl.clean(input.as_bytes(), Vec::new(), None)?;
/// assert_eq!((stats.records, stats.written, stats.dropped_empty), (2, 1, 1));
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonlStats {
    /// Records read and cleaned (malformed ones not included).
    pub records: u64,
    /// Records written.
    pub written: u64,
    /// Malformed records skipped.
    pub bad_records: u64,
    /// Among the malformed records, those without the text field (a wrong
    /// [`JsonlOptions::text_key`] when it is all of them).
    pub missing_text_key: u64,
    /// Records left out because their cleaned text was empty.
    pub dropped_empty: u64,
    /// Bytes read (after decompression), line endings included.
    pub input_bytes: u64,
    /// Bytes written (before compression).
    pub output_bytes: u64,
    /// What cleaning the text fields did, summed over the records.
    pub text: Stats,
}

impl JsonlStats {
    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &JsonlStats) {
        self.records += other.records;
        self.written += other.written;
        self.bad_records += other.bad_records;
        self.missing_text_key += other.missing_text_key;
        self.dropped_empty += other.dropped_empty;
        self.input_bytes += other.input_bytes;
        self.output_bytes += other.output_bytes;
        self.text.merge(&other.text);
    }
}

/// What [`JsonlCleaner::clean_observed`] hands each record to: its line number in the stream
/// and its text field as it was read.
pub type RecordObserver<'a> = dyn FnMut(u64, &str) -> io::Result<()> + 'a;

/// Input bytes per thread in a batch of records cleaned together. Threads start, and the
/// reading and writing between batches runs alone, once per batch: larger batches pay that less
/// often (256 KiB -> 1 MiB: 0.73 -> 0.70 s on 100 MB with 2 threads), for a few MiB of memory.
const BATCH_BYTES: usize = 1024 * 1024;

/// The most input bytes in one batch, whatever the number of threads: a batch is held with its
/// cleaned records and each thread's working memory, so its size, not the thread count, sets
/// the memory a stream takes. Threads beyond `BATCH_BUDGET / BATCH_BYTES` would have no work.
const BATCH_BUDGET: usize = 16 * BATCH_BYTES;

/// How [`read_record_line`] ended.
enum LineRead {
    /// The input ended before any byte.
    End,
    /// A whole line of this many bytes (its line end included, when there is one).
    Whole(usize),
    /// This many bytes of a line too long to hold: the rest is still to be read.
    Cut(usize),
}

/// Appends the next line of `reader` to `buf`, or as much of it as fits in `limit` bytes and
/// a line end.
fn read_record_line<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>, limit: usize) -> io::Result<LineRead> {
    let room = limit.saturating_add(2);
    let mut read = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if read == 0 { LineRead::End } else { LineRead::Whole(read) });
        }
        let (line, ended) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        let take = line.len().min(room - read);
        let whole = ended && take == line.len();
        buf.extend_from_slice(&line[..take]);
        reader.consume(take);
        read += take;
        if whole {
            return Ok(LineRead::Whole(read));
        }
        if read == room {
            return Ok(LineRead::Cut(read));
        }
    }
}

/// Reads the rest of a line (its line end included) from `reader`, copying what comes before the
/// line end to `copy`; returns the bytes read.
fn stream_rest_of_line<R: BufRead, W: Write + ?Sized>(reader: &mut R, mut copy: Option<&mut W>) -> Result<u64> {
    let mut read = 0u64;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Read(e)),
        };
        if available.is_empty() {
            return Ok(read);
        }
        let (content, used) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..at], at + 1),
            None => (available, available.len()),
        };
        if let Some(copy) = copy.as_mut() {
            copy.write_all(content).map_err(Error::Write)?;
        }
        let ended = used > content.len();
        reader.consume(used);
        read += used as u64;
        if ended {
            return Ok(read);
        }
    }
}

/// Cleans the text field of each record of a JSONL stream with a [`Cleaner`].
///
/// ```
/// use dechrome::Cleaner;
/// use dechrome::jsonl::{JsonlCleaner, JsonlOptions};
/// let jsonl = JsonlCleaner::new(Cleaner::builder().build()?, JsonlOptions::default());
/// let mut out = Vec::new();
/// jsonl.clean("{\"id\":7,\"text\":\"Share\\nStocks rose.\"}\n".as_bytes(), &mut out, None)?;
/// assert!(String::from_utf8_lossy(&out).starts_with("{\"id\":7,\"text\":\"Stocks rose."));
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct JsonlCleaner {
    cleaner: Cleaner,
    options: JsonlOptions,
}

/// One parsed record: its fields in order, values as raw JSON text.
struct Record<'a> {
    fields: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'de> Deserialize<'de> for Record<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RecordVisitor;
        impl<'de> Visitor<'de> for RecordVisitor {
            type Value = Record<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record<'de>, A::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(Borrowed(key)) = map.next_key()? {
                    let value: &'de RawValue = map.next_value()?;
                    fields.push((key, value));
                }
                Ok(Record { fields })
            }
        }
        deserializer.deserialize_map(RecordVisitor)
    }
}

/// A JSON string that borrows from the input when it has no escapes (serde's `Cow` borrows only
/// when told to).
#[derive(serde::Deserialize)]
struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);

fn parse_string(raw: &RawValue) -> serde_json::Result<Cow<'_, str>> {
    serde_json::from_str::<Borrowed<'_>>(raw.get()).map(|b| b.0)
}

/// True when the JSON text `raw` holds a `\u` escape of half a surrogate pair without the other
/// half: such a string has no UTF-8 form.
fn has_lone_surrogate(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let (mut at, mut leading) = (0, false);
    while at < bytes.len() {
        let unit = (bytes[at] == b'\\' && bytes.get(at + 1) == Some(&b'u'))
            .then(|| raw.get(at + 2..at + 6).and_then(|hex| u16::from_str_radix(hex, 16).ok()))
            .flatten();
        match unit {
            Some(0xD800..=0xDBFF) if !leading => leading = true,
            Some(0xDC00..=0xDFFF) if leading => leading = false,
            Some(0xD800..=0xDFFF) => return true,
            _ if leading => return true,
            _ => {}
        }
        at += match (unit, bytes[at]) {
            (Some(_), _) => 6,
            (None, b'\\') => 2,
            _ => 1,
        };
    }
    leading
}

impl JsonlCleaner {
    /// Wraps `cleaner` with these options.
    pub fn new(cleaner: Cleaner, options: JsonlOptions) -> Self {
        Self { cleaner, options }
    }

    /// The options in effect.
    pub fn options(&self) -> &JsonlOptions {
        &self.options
    }

    /// Streams the JSONL records of `reader` (already decompressed) to `writer`.
    ///
    /// A malformed record stops the stream with [`Error::BadRecord`], unless
    /// [`JsonlOptions::skip_bad_records`] is set: then it is counted and its line (with a final
    /// `\n`) is written to `bad_records`, when given. Blank lines are not records and are left out.
    /// A text field is cleaned as [`Cleaner::clean_field`] cleans it: it ends with a newline only
    /// when it did.
    pub fn clean<R: BufRead, W: Write>(
        &self,
        reader: R,
        writer: W,
        bad_records: Option<&mut dyn Write>,
    ) -> Result<JsonlStats> {
        self.clean_observed(reader, writer, bad_records, None)
    }

    /// [`JsonlCleaner::clean`], also handing `observer` the line number and the text field (as
    /// it was read) of every record cleaned, in input order: to explain or report on each record
    /// with a [`Sink`](crate::Sink) of its own.
    ///
    /// ```
    /// use dechrome::Cleaner;
    /// use dechrome::jsonl::{JsonlCleaner, JsonlOptions};
    /// let jsonl = JsonlCleaner::new(Cleaner::builder().build()?, JsonlOptions::default());
    /// let mut texts = Vec::new();
    /// let mut observer = |line: u64, text: &str| {
    ///     texts.push((line, text.to_string()));
    ///     Ok(())
    /// };
    /// jsonl.clean_observed(&b"{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n"[..], std::io::sink(), None, Some(&mut observer))?;
    /// assert_eq!(texts, [(1, "a".to_string()), (3, "b".to_string())]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clean_observed<R: BufRead, W: Write>(
        &self,
        mut reader: R,
        writer: W,
        mut bad_records: Option<&mut dyn Write>,
        mut observer: Option<&mut RecordObserver<'_>>,
    ) -> Result<JsonlStats> {
        let mut writer = io::BufWriter::with_capacity(64 * 1024, writer);
        let mut stats = JsonlStats::default();
        let batch_bytes = BATCH_BYTES.saturating_mul(self.cleaner.threads()).min(BATCH_BUDGET);
        let threads = self.cleaner.threads().min(batch_bytes / BATCH_BYTES);
        let limit = self.options.max_record_bytes;
        if reader.fill_buf().map_err(Error::Read)?.starts_with(UTF8_BOM) {
            reader.consume(UTF8_BOM.len());
            stats.input_bytes += UTF8_BOM.len() as u64;
        }
        let mut batch = Vec::new();
        // Each record of the batch: its line number and where it is in `batch`.
        let mut records: Vec<(u64, std::ops::Range<usize>)> = Vec::new();
        let mut line_number = 0u64;
        let mut at_end = false;
        while !at_end {
            batch.clear();
            records.clear();
            // A record too long to clean ends the batch: it is handled after the records before it.
            let mut too_long = None;
            // Records are documents of their own: a batch of them is cleaned on all threads.
            while batch.len() < batch_bytes {
                let start = batch.len();
                let (read, whole) = match read_record_line(&mut reader, &mut batch, limit).map_err(Error::Read)? {
                    LineRead::End => {
                        at_end = true;
                        break;
                    }
                    LineRead::Whole(read) => (read, true),
                    LineRead::Cut(read) => (read, false),
                };
                line_number += 1;
                stats.input_bytes += read as u64;
                let content = trim_line_end(&batch[start..]);
                if !whole || content.len() > limit {
                    too_long = Some((line_number, start, whole));
                    break;
                }
                if content.iter().all(u8::is_ascii_whitespace) {
                    batch.truncate(start);
                } else {
                    records.push((line_number, start..start + content.len()));
                }
            }
            let cleaned = map_in_parallel(&records, threads, |(_, range)| {
                let content = &batch[range.clone()];
                // Cleaning seldom makes a record longer.
                let (mut out, mut text_stats) = (Vec::with_capacity(content.len() + 1), Stats::default());
                let result = self.clean_record(content, &mut out, &mut text_stats);
                (result, out, text_stats)
            });
            for ((line, range), (result, record_out, text_stats)) in records.iter().zip(cleaned) {
                match result {
                    Ok(written) => {
                        if let Some(observe) = observer.as_mut()
                            && let Some(text) = self.text_field(&batch[range.clone()])
                        {
                            observe(*line, &text).map_err(Error::Write)?;
                        }
                        stats.text.merge(&text_stats);
                        stats.records += 1;
                        if written {
                            writer.write_all(&record_out).map_err(Error::Write)?;
                            stats.output_bytes += record_out.len() as u64;
                            stats.written += 1;
                        } else {
                            stats.dropped_empty += 1;
                        }
                    }
                    Err(bad) if self.options.skip_bad_records => {
                        stats.bad_records += 1;
                        stats.missing_text_key += u64::from(bad.missing_text_key);
                        if let Some(bad) = bad_records.as_mut() {
                            bad.write_all(&batch[range.clone()]).map_err(Error::Write)?;
                            bad.write_all(b"\n").map_err(Error::Write)?;
                        }
                    }
                    Err(bad) => return Err(Error::BadRecord { line: *line, message: bad.message }),
                }
            }
            if let Some((line, start, whole)) = too_long {
                if !self.options.skip_bad_records {
                    let message = format!("record longer than {limit} bytes (the record size limit)");
                    return Err(Error::BadRecord { line, message });
                }
                stats.bad_records += 1;
                let held = if whole { trim_line_end(&batch[start..]) } else { &batch[start..] };
                if let Some(bad) = bad_records.as_mut() {
                    bad.write_all(held).map_err(Error::Write)?;
                }
                if !whole {
                    stats.input_bytes += stream_rest_of_line(&mut reader, bad_records.as_deref_mut())?;
                }
                if let Some(bad) = bad_records.as_mut() {
                    bad.write_all(b"\n").map_err(Error::Write)?;
                }
            }
        }
        writer.flush().map_err(Error::Write)?;
        Ok(stats)
    }

    /// The text field of a record that was cleaned (so is well formed).
    fn text_field<'a>(&self, content: &'a [u8]) -> Option<Cow<'a, str>> {
        let record: Record<'a> = serde_json::from_slice(content).ok()?;
        let (_, value) = record.fields.into_iter().find(|(k, _)| k == &self.options.text_key)?;
        parse_string(value).ok()
    }

    /// Parses one record and writes it, cleaned, to `out` with a final newline: the record's
    /// bytes with the value of each text field replaced. Returns false when the record is to be
    /// left out (`drop_empty`), and what is wrong when it is malformed.
    fn clean_record(&self, content: &[u8], out: &mut Vec<u8>, text_stats: &mut Stats) -> Result<bool, Malformed> {
        let record: Record<'_> = serde_json::from_slice(content).map_err(|e| {
            Malformed::new(match e.classify() {
                serde_json::error::Category::Data => format!("not a JSON object ({e})"),
                _ => format!("invalid JSON: {e}"),
            })
        })?;
        let key = self.options.text_key.as_str();
        if !record.fields.iter().any(|(k, _)| k == key) {
            const SHOWN_KEYS: usize = 8;
            let keys: Vec<String> = record.fields.iter().take(SHOWN_KEYS).map(|(k, _)| format!("{k:?}")).collect();
            let more = if record.fields.len() > SHOWN_KEYS { ", …" } else { "" };
            return Err(Malformed {
                message: format!("no {key:?} field (the record has {}{more})", keys.join(", ")),
                missing_text_key: true,
            });
        }
        let mut empty = true;
        let mut copied = 0;
        for (_, value) in record.fields.iter().filter(|(k, _)| k == key) {
            let text = parse_string(value).map_err(|_| {
                Malformed::new(if has_lone_surrogate(value.get()) {
                    format!("field {key:?} holds a lone surrogate escape (\\uD800 to \\uDFFF without its pair), which is not text")
                } else {
                    format!("field {key:?} is not a string")
                })
            })?;
            // The raw value is a slice of `content` (it is borrowed from it).
            let raw = value.get().as_bytes();
            let at = (raw.as_ptr() as usize).wrapping_sub(content.as_ptr() as usize);
            if content.get(at..).and_then(|rest| rest.get(..raw.len())) != Some(raw) {
                return Err(Malformed::new(format!("field {key:?}: its value could not be located in the record")));
            }
            out.extend_from_slice(&content[copied..at]);
            out.push(b'"');
            let mut stats = self.cleaner.clean_str_into(&text, JsonStringWriter(&mut *out));
            // A field is often one paragraph without a line end: it stays without one, as
            // with `Cleaner::clean_field`.
            if stats.output_bytes > 0 && !text.ends_with('\n') {
                out.truncate(out.len() - ESCAPED_NEWLINE.len());
                stats.output_bytes -= 1;
            }
            out.push(b'"');
            copied = at + raw.len();
            empty &= stats.output_bytes == 0;
            text_stats.merge(&stats);
        }
        out.extend_from_slice(&content[copied..]);
        out.push(b'\n');
        Ok(!(empty && self.options.drop_empty))
    }
}

/// What is wrong with a record.
struct Malformed {
    message: String,
    missing_text_key: bool,
}

impl Malformed {
    fn new(message: String) -> Self {
        Self { message, missing_text_key: false }
    }
}

/// The end of a cleaned text, written into a JSON string.
const ESCAPED_NEWLINE: &[u8] = b"\\n";

/// Writes what it is given into a `Vec` as the contents of a JSON string.
struct JsonStringWriter<'a>(&'a mut Vec<u8>);

impl Write for JsonStringWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        escape_json_string(bytes, self.0);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// For each byte, what follows the backslash that escapes it in a JSON string (`u`: `\u00XX`),
/// or 0 when it stands as it is. These are serde_json's escapes: the quote, the backslash and
/// control characters, with the short forms where JSON has them.
const JSON_ESCAPES: [u8; 256] = {
    let mut escapes = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        escapes[byte] = b'u';
        byte += 1;
    }
    escapes[b'"' as usize] = b'"';
    escapes[b'\\' as usize] = b'\\';
    escapes[b'\n' as usize] = b'n';
    escapes[b'\r' as usize] = b'r';
    escapes[b'\t' as usize] = b't';
    escapes[0x08] = b'b';
    escapes[0x0C] = b'f';
    escapes
};

/// Appends `bytes` (UTF-8, or a piece of it) to `out` escaped for a JSON string. Escaping byte by
/// byte, any piece of the text can be written on its own.
fn escape_json_string(bytes: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let escape = JSON_ESCAPES[usize::from(byte)];
        if escape == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..at]);
        start = at + 1;
        out.extend_from_slice(&[b'\\', escape]);
        if escape == b'u' {
            out.extend_from_slice(&[b'0', b'0', HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xF)]]);
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonl(options: JsonlOptions) -> JsonlCleaner {
        let cleaner = Cleaner::builder().build().unwrap_or_else(|e| panic!("{e}"));
        JsonlCleaner::new(cleaner, options)
    }

    fn run(cleaner: &JsonlCleaner, input: &str) -> (Result<JsonlStats>, String, String) {
        let mut out = Vec::new();
        let mut bad = Vec::new();
        let result = cleaner.clean(input.as_bytes(), &mut out, Some(&mut bad));
        (result, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&bad).into_owned())
    }

    #[test]
    fn keeps_every_byte_but_the_text_value() {
        let c = jsonl(JsonlOptions::default());
        let input =
            "{\"z\":1.50, \"text\":\"Advertisement\\nIt\\u2019s  done.\", \"a\":{\"k\": [1,2]},\"\\u00e9\":null}\r\n";
        let (result, out, _) = run(&c, input);
        let stats = result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, "{\"z\":1.50, \"text\":\"It's done.\", \"a\":{\"k\": [1,2]},\"\\u00e9\":null}\n");
        assert_eq!(stats.records, 1);
        assert_eq!(stats.text.dropped_lines(), 1);
    }

    #[test]
    fn escapes_as_serde_json_does() {
        let mut text: String = (0u8..0x80).map(char::from).collect();
        text.push_str("\u{7f}\u{a0}é\u{2028}\u{feff}😀");
        let mut escaped = vec![b'"'];
        escape_json_string(text.as_bytes(), &mut escaped);
        escaped.push(b'"');
        assert_eq!(String::from_utf8_lossy(&escaped), serde_json::to_string(&text).unwrap_or_default());
    }

    #[test]
    fn same_text_as_clean_str() {
        let c = jsonl(JsonlOptions::default());
        let text = "Accessibility links\n\nNATO Says \u{201c}No\u{201d}\nplease wait\n\nThe alliance met.";
        let record = serde_json::json!({ "text": text }).to_string();
        let (result, out, _) = run(&c, &record);
        assert!(result.is_ok());
        let value: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        let expected = Cleaner::builder().build().map(|b| b.clean_str(text).text).unwrap_or_default();
        // The field had no final line end, so it gets none.
        assert_eq!(value["text"], serde_json::Value::String(expected.trim_end_matches('\n').to_string()));
    }

    #[test]
    fn malformed_record_names_its_line() {
        let c = jsonl(JsonlOptions::default());
        let (result, _, _) = run(&c, "{\"text\":\"a\"}\n\n{\"text\":\n");
        assert!(matches!(result, Err(Error::BadRecord { line: 3, .. })), "{result:?}");
        let (result, _, _) = run(&c, "[1,2]\n");
        assert!(matches!(result, Err(Error::BadRecord { line: 1, .. })));
        let (result, _, _) = run(&c, "{\"text\":3}\n");
        assert!(matches!(result, Err(Error::BadRecord { ref message, .. }) if message.contains("not a string")));
        let (result, _, _) = run(&c, "{\"body\":\"x\"}\n");
        assert!(matches!(result, Err(Error::BadRecord { ref message, .. }) if message.contains("no \"text\"")));
    }

    #[test]
    fn a_final_line_end_is_kept_only_where_there_was_one() {
        let c = jsonl(JsonlOptions::default());
        let input = "{\"text\":\"Advertisement\\nOne.\"}\n{\"text\":\"Two.\\n\"}\n{\"text\":\"Three.\\r\\n\"}\n";
        let (result, out, _) = run(&c, input);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(out, "{\"text\":\"One.\"}\n{\"text\":\"Two.\\n\"}\n{\"text\":\"Three.\\n\"}\n");
        for text in ["Advertisement\nOne.", "Two.\n", "Three.\r", "Four.\u{2028}"] {
            let record = serde_json::json!({ "text": text }).to_string();
            let (_, out, _) = run(&c, &record);
            let value: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
            assert_eq!(value["text"].as_str(), Some(c.cleaner.clean_field(text).text.as_str()), "{text:?}");
        }
    }

    #[test]
    fn escaped_text_keys_and_spacing_are_kept() {
        let c = jsonl(JsonlOptions::default());
        let (result, out, _) = run(&c, "{ \"te\\u0078t\" : \"Advertisement\\nKept.\" ,\"n\":1 }\n");
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(out, "{ \"te\\u0078t\" : \"Kept.\" ,\"n\":1 }\n");
    }

    #[test]
    fn a_byte_order_mark_before_the_first_record_is_left_out() {
        let c = jsonl(JsonlOptions::default());
        let (result, out, _) = run(&c, "\u{feff}{\"text\":\"Kept.\"}\n{\"text\":\"Too.\"}\n");
        assert_eq!(result.map(|stats| (stats.records, stats.input_bytes)).ok(), Some((2, 36)));
        assert_eq!(out, "{\"text\":\"Kept.\"}\n{\"text\":\"Too.\"}\n");
    }

    #[test]
    fn a_lone_surrogate_is_named() {
        let c = jsonl(JsonlOptions::default());
        assert!(!has_lone_surrogate("\"\\ud83d\\ude00 \\\\ud800\""), "a pair, and an escaped backslash");
        for record in
            ["{\"text\":\"a\\ud800\"}\n", "{\"text\":\"\\udc00 b\"}\n", "{\"text\":\"\\ud800\\ud800\\udc00\"}\n"]
        {
            let (result, _, _) = run(&c, record);
            assert!(
                matches!(result, Err(Error::BadRecord { ref message, .. }) if message.contains("lone surrogate")),
                "{record}: {result:?}"
            );
        }
    }

    #[test]
    fn a_missing_text_field_is_named_with_the_fields_there_are() {
        let c = jsonl(JsonlOptions { skip_bad_records: true, ..JsonlOptions::default() });
        let (result, _, _) = run(&c, "{\"id\":1,\"body\":\"x\"}\n{\"text\":2}\n");
        let stats = result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((stats.bad_records, stats.missing_text_key), (2, 1));
        let c = jsonl(JsonlOptions::default());
        let (result, _, _) = run(&c, "{\"id\":1,\"body\":\"x\"}\n");
        let message = result.map(|_| String::new()).unwrap_or_else(|e| e.to_string());
        assert!(message.contains("no \"text\" field (the record has \"id\", \"body\")"), "{message}");
    }

    #[test]
    fn records_over_the_size_limit_are_bad_records_streamed_through() {
        let long = format!("{{\"text\":\"{}\"}}", "x".repeat(100));
        let input = format!("{{\"text\":\"One.\"}}\n{long}\n{{\"text\":\"Two.\"}}\n{long}\r\n");
        let options = JsonlOptions { max_record_bytes: 50, ..JsonlOptions::default() };
        let (result, out, _) = run(&jsonl(options.clone()), &input);
        assert!(matches!(result, Err(Error::BadRecord { line: 2, ref message }) if message.contains("longer than 50")));
        assert_eq!(out, "{\"text\":\"One.\"}\n");
        let (result, out, bad) = run(&jsonl(JsonlOptions { skip_bad_records: true, ..options }), &input);
        let stats = result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((stats.records, stats.bad_records, stats.input_bytes), (2, 2, input.len() as u64));
        assert_eq!(out, "{\"text\":\"One.\"}\n{\"text\":\"Two.\"}\n");
        assert_eq!(bad, format!("{long}\n{long}\r\n"));
        // Exactly at the limit: a record.
        let options = JsonlOptions { max_record_bytes: long.len(), ..JsonlOptions::default() };
        assert!(run(&jsonl(options), &input).0.is_ok());
    }

    #[test]
    fn skip_bad_records_copies_them() {
        let c = jsonl(JsonlOptions { skip_bad_records: true, ..JsonlOptions::default() });
        let (result, out, bad) = run(&c, "{\"text\":\"One.\"}\nnot json\r\n{\"text\":\"Two.\"}");
        let stats = result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, "{\"text\":\"One.\"}\n{\"text\":\"Two.\"}\n");
        assert_eq!(bad, "not json\n");
        assert_eq!((stats.records, stats.bad_records), (2, 1));
    }

    #[test]
    fn drop_empty() {
        let c = jsonl(JsonlOptions { drop_empty: true, text_key: "body".into(), ..JsonlOptions::default() });
        let (result, out, _) = run(&c, "{\"body\":\"Advertisement\"}\n{\"body\":\"Kept.\"}\n");
        let stats = result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, "{\"body\":\"Kept.\"}\n");
        assert_eq!((stats.records, stats.written, stats.dropped_empty), (2, 1, 1));
    }

    #[test]
    fn compression_round_trip() {
        for compression in [Compression::None, Compression::Gzip, Compression::Zstd] {
            let mut encoder = compression.encoder(Vec::new()).unwrap_or_else(|e| panic!("{e}"));
            encoder.write_all(b"{\"text\":\"x\"}\n").unwrap_or_else(|e| panic!("{e}"));
            let bytes = encoder.finish().unwrap_or_else(|e| panic!("{e}"));
            let (detected, mut reader) = decoder(&bytes[..]).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(detected, compression);
            let mut text = String::new();
            reader.read_to_string(&mut text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(text, "{\"text\":\"x\"}\n");
        }
    }

    /// Records are cleaned in batches on several threads; what comes out, and where a bad
    /// record stops the stream, does not depend on that.
    #[test]
    fn threads_change_nothing() {
        let page =
            "Accessibility links\\n\\nThe alliance met on Monday. \\u201cFine,\\u201d he said.\\nShare this article";
        let mut input = String::new();
        for i in 0..4000 {
            match i {
                1234 => input.push_str("{\"id\": 1234, \"text\": 5}\n"),
                2345 => input.push('\n'),
                _ => input.push_str(&format!("{{\"id\": {i}, \"text\": \"{page} {}\"}}\n", "x".repeat(i % 300))),
            }
        }
        for skip_bad_records in [false, true] {
            let options = JsonlOptions { skip_bad_records, ..Default::default() };
            let results: Vec<_> = [1, 3]
                .into_iter()
                .map(|threads| {
                    let cleaner = Cleaner::builder().threads(threads).build().unwrap_or_else(|e| panic!("{e}"));
                    let (result, out, bad) = run(&JsonlCleaner::new(cleaner, options.clone()), &input);
                    (result.map(|stats| (stats.records, stats.bad_records)).map_err(|e| e.to_string()), out, bad)
                })
                .collect();
            assert_eq!(results[0], results[1]);
            match &results[0].0 {
                Ok(counts) => assert_eq!(*counts, (3998, 1)),
                Err(message) => assert!(message.contains("line 1235"), "{message}"),
            }
            assert!(
                results[0].1.lines().all(|line| line.contains("The alliance met on Monday. \\\"Fine,\\\" he said."))
            );
        }
    }
}
