//! Stream mode: stdin, or each FILE argument in turn (text or JSONL), to stdout or one output
//! file, with `--check`, `--explain` and `--rejects` for text.

use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use dechrome::jsonl::{JsonlCleaner, decoder};
use dechrome::{Cleaner, ExplainSink, FeaturesSink, RejectsSink, Sink, Stats, TextSink};

use super::Outcome;
use super::args::Format;
use super::output::{Destination, LazyFile, LazyTarget, refuse_clashes, sync_dir};
use super::plan::StreamsPlan;
use super::report::Totals;

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
    let mut sides = SideOutputs {
        rejects: plan.rejects.as_deref().map(|path| Destination::open(Some(path))).transpose()?,
        features: plan.features.as_deref().map(|path| Destination::open(Some(path))).transpose()?,
        header_written: false,
    };
    let mut outcome = Outcome::Clean;
    if plan.check {
        for input in &inputs {
            let mut reader = Fingerprint::new(input.open()?);
            let mut text = TextSink::new(Fingerprint::new(io::sink()));
            let mut stats = clean_one(cleaner, input, &mut reader, &mut text, &mut sides)?;
            stats.output_bytes = text.bytes_written();
            totals.add_text(&stats);
            if reader.value() != text.into_inner().value() {
                eprintln!("{}: would change ({} lines dropped)", input.name(), stats.dropped_lines());
                outcome = Outcome::WouldChange;
            }
        }
    } else {
        let mut bad_records = plan.bad_records.as_ref().map(|bad| LazyFile::new(LazyTarget::Named(bad.path.clone())));
        let jsonl = JsonlCleaner::new(cleaner.clone(), plan.jsonl.clone());
        let mut destination = Destination::open(plan.output.as_deref())?;
        let output_name = || plan.output.as_deref().map_or_else(|| "stdout".to_string(), |p| p.display().to_string());
        for input in &inputs {
            let reader = input.open()?;
            if input.format(plan.format) == Format::Jsonl {
                let (compression, reader) = decoder(reader).with_context(|| input.name())?;
                let mut encoder = compression.encoder(&mut destination).with_context(output_name)?;
                let stats = jsonl
                    .clean(reader, &mut encoder, bad_records.as_mut().map(|b| b as &mut dyn Write))
                    .with_context(|| input.name())?;
                encoder.finish().with_context(output_name)?;
                totals.add_jsonl(&stats);
                continue;
            }
            let stats = if plan.explain {
                clean_one(cleaner, input, reader, &mut ExplainSink::new(&mut destination), &mut sides)?
            } else {
                let mut text = TextSink::new(BufWriter::with_capacity(64 * 1024, &mut destination));
                let mut stats = clean_one(cleaner, input, reader, &mut text, &mut sides)?;
                stats.output_bytes = text.bytes_written();
                stats
            };
            totals.add_text(&stats);
        }
        let folder = destination.folder().filter(|_| plan.fsync);
        destination.commit().with_context(output_name)?;
        if let Some(folder) = folder {
            folder.sync()?;
        }
        if let (Some(bad), Some(asked)) = (bad_records, &plan.bad_records) {
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
                eprintln!("dechrome: {} bad records copied to {}", records.bad_records, target.display());
            }
        }
    }
    for side in [sides.rejects, sides.features].into_iter().flatten() {
        side.commit()?;
    }
    Ok(outcome)
}

/// The files beside the text output: dropped lines (`--rejects`) and features (`--features`).
struct SideOutputs {
    rejects: Option<Destination>,
    features: Option<Destination>,
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
    let mut all = (sink, (rejects, features));
    cleaner.clean_to_sink(reader, &mut all).with_context(|| input.name())
}
