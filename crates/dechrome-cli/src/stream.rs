//! Stream mode: stdin, or each FILE argument in turn (text or JSONL), to stdout or one output
//! file, with `--check`, `--explain` and `--rejects` for text.

use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use dechrome::jsonl::{Compression, JsonlCleaner, decoder};
use dechrome::{Cleaner, FeaturesSink, RejectsSink, Sink, Stats, TextSink};

use super::Outcome;
use super::args::Format;
use super::batch::BINARY_CHECK_BYTES;
use super::diff::write_diff;
use super::explain::{ExplainLines, NumberedByRecord};
use super::html_report::PageCollector;
use super::output::{Destination, LazyFile, LazyTarget, refuse_clashes, sync_dir};
use super::plan::StreamsPlan;
use super::report::{Totals, is_quiet, notice};

/// The line that separates documents in a text stream.
const DOCUMENT_SEPARATOR: &[u8] = b"\x0C\n";

/// An input: a path, or stdin.
enum Input<'a> {
    Stdin,
    Path(&'a Path),
}

impl Input<'_> {
    fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::Path(p) => p.display().to_string(),
        }
    }

    fn format(&self, format: Format) -> Format {
        match self {
            Input::Stdin => format.of(Path::new("-")),
            Input::Path(p) => format.of(p),
        }
    }

    fn open(&self) -> Result<Box<dyn Read>> {
        Ok(match self {
            Input::Stdin => Box::new(io::stdin().lock()),
            Input::Path(p) => Box::new(File::open(p).with_context(|| format!("{}: cannot open", p.display()))?),
        })
    }
}

/// An input opened in the format it turned out to have.
pub(crate) enum Opened<'a> {
    Text(Box<dyn Read + 'a>),
    /// Decompressed, and how it was compressed.
    Jsonl(Compression, Box<dyn BufRead + 'a>),
}

/// Opens `reader` as `format` says; when the name left it to the content (`Auto`), the first
/// decompressed bytes decide.
pub(crate) fn open_as<'a, R: Read + 'a>(format: Format, reader: R) -> io::Result<Opened<'a>> {
    if format == Format::Text {
        return Ok(Opened::Text(Box::new(reader)));
    }
    let (compression, mut decoded) = decoder(reader)?;
    if format == Format::Jsonl || Format::of_content(decoded.fill_buf()?) == Format::Jsonl {
        Ok(Opened::Jsonl(compression, decoded))
    } else {
        Ok(Opened::Text(Box::new(decoded)))
    }
}

/// The reader of a text file, or `None` when its first block holds a NUL byte: it is binary.
fn unless_binary<'a>(mut reader: Box<dyn Read + 'a>) -> io::Result<Option<Box<dyn Read + 'a>>> {
    let mut head = Vec::with_capacity(BINARY_CHECK_BYTES as usize);
    (&mut reader).take(BINARY_CHECK_BYTES).read_to_end(&mut head)?;
    if head.contains(&0) {
        return Ok(None);
    }
    Ok(Some(Box::new(io::Cursor::new(head).chain(reader))))
}

/// The compression a file's name asks for: `.gz`, `.zst`, or none.
fn compression_of_name(path: &Path) -> Compression {
    match path.extension().and_then(|e| e.to_str()) {
        Some("gz") => Compression::Gzip,
        Some("zst") => Compression::Zstd,
        _ => Compression::None,
    }
}

/// Hashes what passes through, so `--check` can compare input and output without keeping either.
struct Fingerprint<T> {
    inner: T,
    hasher: DefaultHasher,
    bytes: u64,
}

impl<T> Fingerprint<T> {
    fn new(inner: T) -> Self {
        Self { inner, hasher: DefaultHasher::new(), bytes: 0 }
    }

    fn value(&self) -> (u64, u64) {
        (self.bytes, self.hasher.finish())
    }
}

impl<T: Read> Read for Fingerprint<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.write(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

impl<T: Write> Write for Fingerprint<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.write(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Cleans the streams of `plan` with `cleaner`, adding up what was done in `totals`. Refuses
/// outputs (`stats_json` among them, written later) that would replace an input or each other.
pub(crate) fn run(
    plan: &StreamsPlan,
    stats_json: Option<&Path>,
    cleaner: &Cleaner,
    totals: &mut Totals,
) -> Result<Outcome> {
    let outputs = [
        ("-o", plan.output.as_deref().filter(|_| !plan.check)),
        ("--rejects", plan.rejects.as_deref()),
        ("--features", plan.features.as_deref()),
        ("--bad-records", plan.bad_records.as_ref().map(|bad| bad.path.as_path())),
        ("--stats-json", stats_json),
    ];
    let outputs: Vec<(&str, &Path)> = outputs
        .into_iter()
        .filter_map(|(option, path)| Some((option, path?)))
        .filter(|(_, path)| path.as_os_str() != "-")
        .collect();
    let input_paths: Vec<Option<&Path>> = plan.inputs.iter().map(Option::as_deref).collect();
    refuse_clashes(&input_paths, &outputs)?;
    let inputs: Vec<Input<'_>> =
        plan.inputs.iter().map(|input| input.as_deref().map_or(Input::Stdin, Input::Path)).collect();
    let mut streams = Streams {
        plan,
        cleaner,
        jsonl: JsonlCleaner::new(cleaner.clone(), plan.jsonl.clone()),
        destination: Destination::open(plan.output.as_deref())?,
        sides: SideOutputs {
            rejects: plan.rejects.as_deref().map(|path| Destination::open(Some(path))).transpose()?,
            features: plan.features.as_deref().map(|path| Destination::open(Some(path))).transpose()?,
            header_written: false,
            report: plan.report.then(|| PageCollector::new(true)),
        },
        bad_records: plan.bad_records.as_ref().map(|bad| LazyFile::new(LazyTarget::Named(bad.path.clone()))),
        // A named output file is compressed as its name says; stdout as the input is.
        output_compression: plan.output.as_deref().filter(|path| path.as_os_str() != "-").map(compression_of_name),
        wrote_text_document: false,
    };
    let mut outcome = Outcome::Clean;
    for input in &inputs {
        let changed = match open_as(input.format(plan.format), input.open()?).with_context(|| input.name())? {
            Opened::Text(reader) if plan.skip_binary => match unless_binary(reader).with_context(|| input.name())? {
                Some(reader) => streams.text(input, reader, totals)?,
                None => {
                    notice(format_args!("{}: skipped: a binary file", input.name()));
                    totals.binary += 1;
                    None
                }
            },
            Opened::Text(reader) => streams.text(input, reader, totals)?,
            Opened::Jsonl(compression, reader) => streams.jsonl(input, compression, reader, totals)?,
        };
        if let Some(dropped_lines) = changed
            && plan.check
        {
            if !plan.diff && !is_quiet() {
                eprintln!("{}: would change ({dropped_lines} lines dropped)", input.name());
            }
            outcome = Outcome::WouldChange;
        }
    }
    streams.finish(totals)?;
    Ok(outcome)
}

/// The state of a run over streams: the outputs every input writes to.
struct Streams<'a> {
    plan: &'a StreamsPlan,
    cleaner: &'a Cleaner,
    jsonl: JsonlCleaner,
    /// The cleaned text, or what `--explain` and `--diff` print.
    destination: Destination,
    sides: SideOutputs,
    bad_records: Option<LazyFile>,
    output_compression: Option<Compression>,
    /// Each FILE is one document: in the text output, a form-feed line between two of them
    /// keeps them apart, as in the input convention.
    wrote_text_document: bool,
}

impl Streams<'_> {
    fn output_name(&self) -> String {
        self.plan.output.as_deref().map_or_else(|| "stdout".to_string(), |p| p.display().to_string())
    }

    /// Cleans one text input as the plan says. Returns, with `--check` or `--diff`, the lines
    /// dropped when cleaning changes the input.
    fn text(&mut self, input: &Input<'_>, mut reader: Box<dyn Read + '_>, totals: &mut Totals) -> Result<Option<u64>> {
        let plan = self.plan;
        let (stats, changed) = if plan.diff {
            let mut original = Vec::new();
            reader.read_to_end(&mut original).with_context(|| input.name())?;
            let mut text = TextSink::new(Vec::new());
            let mut stats = clean_one(self.cleaner, input, &original[..], &mut text, &mut self.sides)?;
            let cleaned = text.into_inner();
            stats.output_bytes = cleaned.len() as u64;
            let (old, new) = (String::from_utf8_lossy(&original), String::from_utf8_lossy(&cleaned));
            let changed = write_diff(&mut self.destination, &input.name(), &old, &new, plan.colour)
                .with_context(|| self.output_name())?;
            (stats, changed)
        } else if plan.check {
            let mut reader = Fingerprint::new(reader);
            let mut text = TextSink::new(Fingerprint::new(io::sink()));
            let mut stats = clean_one(self.cleaner, input, &mut reader, &mut text, &mut self.sides)?;
            stats.output_bytes = text.bytes_written();
            (stats, reader.value() != text.into_inner().value())
        } else if plan.explain {
            let source = plan.name_column.then(|| input.name());
            let mut explain = ExplainLines::new(&mut self.destination, source, plan.colour);
            (clean_one(self.cleaner, input, reader, &mut explain, &mut self.sides)?, false)
        } else {
            if self.wrote_text_document {
                self.destination.write_all(DOCUMENT_SEPARATOR).with_context(|| self.output_name())?;
            }
            self.wrote_text_document = true;
            let mut text = TextSink::new(BufWriter::with_capacity(64 * 1024, &mut self.destination));
            let mut stats = clean_one(self.cleaner, input, reader, &mut text, &mut self.sides)?;
            stats.output_bytes = text.bytes_written();
            (stats, false)
        };
        totals.add_text(&stats);
        Ok(changed.then(|| stats.dropped_lines()))
    }

    /// Cleans one JSONL input as the plan says; `--explain`, `--diff` and `--rejects` see each
    /// record's text, numbered by the record's line. Returns, with `--check` or `--diff`, the
    /// lines dropped when cleaning changes a record's text or leaves out records.
    fn jsonl(
        &mut self,
        input: &Input<'_>,
        compression: Compression,
        reader: Box<dyn BufRead + '_>,
        totals: &mut Totals,
    ) -> Result<Option<u64>> {
        let plan = self.plan;
        let output_name = self.output_name();
        let name = input.name();
        let inspecting = plan.check || plan.explain || plan.diff;
        // What is printed about each record goes where the cleaned records would.
        let (mut view, output) =
            if inspecting { (Some(&mut self.destination), None) } else { (None, Some(&mut self.destination)) };
        let mut rejects = self.sides.rejects.as_mut();
        let mut report = self.sides.report.as_mut();
        let (jsonl, cleaner) = (&self.jsonl, self.cleaner);
        let mut changed = false;
        let mut observer = |record: u64, text: &str| -> io::Result<()> {
            if plan.check || plan.diff {
                let cleaned = cleaner.clean_field(text);
                changed |= match view.as_deref_mut().filter(|_| plan.diff) {
                    Some(out) => write_diff(out, &format!("{name}:{record}"), text, &cleaned.text, plan.colour)?,
                    None => cleaned.text != text,
                };
            }
            let explain = view.as_deref_mut().filter(|_| plan.explain).map(|out| NumberedByRecord {
                sink: ExplainLines::new(out, plan.name_column.then(|| name.clone()), plan.colour),
                record,
            });
            let rejects =
                rejects.as_deref_mut().map(|out| NumberedByRecord { sink: RejectsSink::new(out, &name), record });
            let report = report.as_deref_mut().map(|pages| pages.start(&name, Some(record)));
            if explain.is_some() || rejects.is_some() || report.is_some() {
                cleaner.clean_to_sink(text.as_bytes(), &mut (explain, (rejects, report))).map_err(into_io_error)?;
            }
            Ok(())
        };
        let observe = inspecting || plan.rejects.is_some() || plan.report;
        let target: Box<dyn Write + '_> = match output {
            Some(destination) => Box::new(destination),
            None => Box::new(io::sink()),
        };
        let compression = if inspecting { Compression::None } else { self.output_compression.unwrap_or(compression) };
        let mut encoder = compression.encoder(target).with_context(|| output_name.clone())?;
        let bad_records = self.bad_records.as_mut().map(|b| b as &mut dyn Write);
        let stats = jsonl
            .clean_observed(reader, &mut encoder, bad_records, observe.then_some(&mut observer as _))
            .with_context(|| input.name())?;
        encoder.finish().with_context(|| output_name.clone())?;
        totals.add_jsonl(&stats);
        changed |= stats.dropped_empty > 0 || stats.bad_records > 0;
        Ok(changed.then(|| stats.text.dropped_lines()))
    }

    /// Puts the outputs in place.
    fn finish(mut self, totals: &mut Totals) -> Result<()> {
        totals.pages = self.sides.report.take().map(PageCollector::into_pages);
        let plan = self.plan;
        let output_name = self.output_name();
        let folder = self.destination.folder().filter(|_| plan.fsync);
        self.destination.commit().with_context(|| output_name)?;
        if let Some(folder) = folder {
            folder.sync()?;
        }
        if let (Some(bad), Some(asked)) = (self.bad_records, &plan.bad_records) {
            let target = bad.target();
            let created = bad.commit()?;
            if !created && asked.named {
                // Asked for by name: an empty file says there were none.
                Destination::open(Some(&target))?.commit()?;
            }
            if plan.fsync {
                sync_dir(target.parent().unwrap_or(Path::new("")))?;
            }
            if let Some(records) = totals.jsonl.as_ref().filter(|j| j.bad_records > 0) {
                notice(format_args!("{} bad records copied to {}", records.bad_records, target.display()));
            }
        }
        for side in [self.sides.rejects, self.sides.features].into_iter().flatten() {
            side.commit()?;
        }
        Ok(())
    }
}

/// An error of the library as an I/O error, keeping the kind of a read or write error (a
/// closed pipe stays one).
pub(crate) fn into_io_error(error: dechrome::Error) -> io::Error {
    match error {
        dechrome::Error::Read(e) | dechrome::Error::Write(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

/// The files beside the text output: dropped lines (`--rejects`), features (`--features`) and
/// the pages of the report (`--report`).
struct SideOutputs {
    rejects: Option<Destination>,
    features: Option<Destination>,
    report: Option<PageCollector>,
    /// The features' header is written once, before the first input's rows.
    header_written: bool,
}

/// Cleans one input into `sink`, and into the side outputs there are.
fn clean_one<R: Read, S: Sink>(
    cleaner: &Cleaner,
    input: &Input<'_>,
    reader: R,
    sink: &mut S,
    sides: &mut SideOutputs,
) -> Result<Stats> {
    let header = (!sides.header_written).then(|| cleaner.feature_names()).flatten();
    let rejects = sides.rejects.as_mut().map(|rejects| RejectsSink::new(rejects, input.name()));
    let features = sides.features.as_mut().map(|features| FeaturesSink::new(features, input.name(), header));
    sides.header_written |= features.is_some();
    if let Some(report) = sides.report.as_mut() {
        report.start(&input.name(), None);
    }
    let mut all = (sink, (rejects, (features, sides.report.as_mut())));
    cleaner.clean_to_sink(reader, &mut all).with_context(|| input.name())
}
