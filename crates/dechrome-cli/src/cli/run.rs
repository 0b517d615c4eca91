//! What one invocation does.

use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use dechrome::jsonl::{JsonlCleaner, JsonlOptions, decoder};
use dechrome::{Cleaner, ExplainSink, RejectsSink, Sink, Stats, TextSink};

use super::args::{Args, Format};
use super::batch::{self, BAD_RECORDS_SUFFIX};
use super::output::{AtomicFile, Destination, LazyFile, sync_dir};
use super::report::Totals;

pub(crate) enum Outcome {
    Clean,
    /// `--check` found an input that cleaning would change.
    WouldChange,
    /// Directory mode: some files failed (each was reported); the others were cleaned.
    SomeFailed,
}

pub(crate) fn jsonl_options(args: &Args) -> JsonlOptions {
    JsonlOptions {
        text_key: args.text_key.clone(),
        drop_empty: args.drop_empty,
        skip_bad_records: args.skip_bad_records,
    }
}

/// `-j`, or one thread per core.
pub(crate) fn jobs(args: &Args) -> usize {
    args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// True when the error chain holds a write into a closed pipe.
pub(crate) fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<dechrome::Error>().is_some_and(dechrome::Error::is_broken_pipe)
            || cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// `stream_threads` classify the blocks of one stream (batch mode parallelizes over files
/// instead); the rules are compiled on `-j` threads in both modes.
fn build_cleaner(args: &Args, stream_threads: usize) -> Result<Cleaner> {
    let mut builder = Cleaner::builder();
    builder
        .threads(stream_threads)
        .compile_threads(jobs(args))
        .max_line_bytes(args.max_line_bytes)
        .default_rules(!args.no_default_rules)
        .drop_duplicates(!args.keep_duplicates)
        .ascii_quotes(!args.keep_quotes)
        .ascii_punct(args.ascii_punct)
        .nfkc(args.nfkc)
        .header_lines(args.header_lines)
        .footer_lines(args.footer_lines);
    for path in &args.rule_files {
        let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read rules", path.display()))?;
        builder.add_rules_toml(text, path.display().to_string());
    }
    for name in &args.disable {
        builder.disable(name.as_str());
    }
    let cleaner = builder.build()?;
    release_free_memory();
    Ok(cleaner)
}

/// Hands the heap memory freed after compiling the rules (parse trees, literal sets, spread over
/// the allocator's per-thread arenas) back to the system, so that it does not stay resident
/// beside the buffers of the run.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's own arenas to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn list_rules(cleaner: &Cleaner) -> Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(out, "{:<28} {:<12} {:<9} {:<7} {:<19} patterns", "id", "category", "kind", "zone", "action")?;
    for rule in cleaner.rules() {
        writeln!(
            out,
            "{:<28} {:<12} {:<9} {:<7} {:<19} {}",
            rule.id,
            rule.category,
            rule.kind.key(),
            format!("{:?}", rule.zone).to_lowercase(),
            format!("{:?}", rule.action),
            rule.patterns.len()
        )?;
    }
    out.flush()?;
    Ok(())
}

/// An input: a path, or stdin for `-`.
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

pub(crate) fn run(args: &Args) -> Result<Outcome> {
    let started = Instant::now();
    if !args.list_rules && batch::wanted(args) {
        let all_cleaned = batch::run(args, || build_cleaner(args, 1))?;
        return Ok(if all_cleaned { Outcome::Clean } else { Outcome::SomeFailed });
    }
    let cleaner = build_cleaner(args, jobs(args))?;
    if args.list_rules {
        list_rules(&cleaner)?;
        return Ok(Outcome::Clean);
    }
    let inputs: Vec<Input<'_>> = if args.inputs.is_empty() {
        vec![Input::Stdin]
    } else {
        args.inputs.iter().map(|p| if p.as_os_str() == "-" { Input::Stdin } else { Input::Path(p) }).collect()
    };
    let any_jsonl = inputs.iter().any(|input| input.format(args.format) == Format::Jsonl);
    if any_jsonl && (args.check || args.explain || args.rejects.is_some()) {
        bail!("--check, --explain and --rejects work on text input, not JSONL");
    }
    let mut rejects = match &args.rejects {
        Some(path) => Some(Destination::open(Some(path))?),
        None => None,
    };
    let mut totals = Totals::default();
    let mut outcome = Outcome::Clean;
    if args.check {
        for input in &inputs {
            let mut reader = Fingerprint::new(input.open()?);
            let mut text = TextSink::new(Fingerprint::new(io::sink()));
            let mut stats = clean_one(&cleaner, input, &mut reader, &mut text, rejects.as_mut())?;
            stats.output_bytes = text.bytes_written();
            totals.add_text(&stats);
            if reader.value() != text.into_inner().value() {
                eprintln!("{}: would change ({} lines dropped)", input.name(), stats.dropped_lines());
                outcome = Outcome::WouldChange;
            }
        }
    } else {
        let mut bad_records = bad_records_file(args, any_jsonl)?;
        let jsonl = JsonlCleaner::new(cleaner.clone(), jsonl_options(args));
        let mut destination = Destination::open(args.output.as_deref())?;
        for input in &inputs {
            let reader = input.open()?;
            if input.format(args.format) == Format::Jsonl {
                let (compression, reader) = decoder(reader).with_context(|| input.name())?;
                let mut encoder = compression.encoder(&mut destination).context(output_name(args.output.as_deref()))?;
                let stats = jsonl
                    .clean(reader, &mut encoder, bad_records.as_mut().map(|b| b as &mut dyn Write))
                    .with_context(|| input.name())?;
                encoder.finish().context(output_name(args.output.as_deref()))?;
                totals.add_jsonl(&stats);
                continue;
            }
            let stats = if args.explain {
                clean_one(&cleaner, input, reader, &mut ExplainSink::new(&mut destination), rejects.as_mut())?
            } else {
                let mut text = TextSink::new(BufWriter::with_capacity(64 * 1024, &mut destination));
                let mut stats = clean_one(&cleaner, input, reader, &mut text, rejects.as_mut())?;
                stats.output_bytes = text.bytes_written();
                stats
            };
            totals.add_text(&stats);
        }
        let folder = destination.folder().filter(|_| args.fsync).map(Path::to_path_buf);
        destination.commit().context(output_name(args.output.as_deref()))?;
        if let Some(folder) = folder {
            sync_dir(&folder)?;
        }
        if let Some(bad) = bad_records {
            let target = bad.target().to_path_buf();
            let created = bad.commit()?;
            if !created && args.bad_records.is_some() {
                // Asked for by name: an empty file says there were none.
                AtomicFile::create(&target)?.fsync(args.fsync).commit(None, None)?;
            }
            if args.fsync {
                sync_dir(target.parent().unwrap_or(Path::new("")))?;
            }
            if let Some(records) = totals.jsonl.as_ref().filter(|j| j.bad_records > 0) {
                eprintln!("dechrome: {} bad records copied to {}", records.bad_records, target.display());
            }
        }
    }
    if let Some(rejects) = rejects {
        rejects.commit()?;
    }
    if args.stats {
        eprint!("{}", totals.text.report());
        if totals.jsonl.is_some() || totals.files > 1 {
            eprintln!("{}", totals.summary_line(started.elapsed()));
        }
    }
    if let Some(path) = &args.stats_json {
        totals.write_json(path, started.elapsed())?;
    }
    Ok(outcome)
}

/// Where `--skip-bad-records` copies malformed records in stream mode: `--bad-records`, or
/// beside the output file.
fn bad_records_file(args: &Args, any_jsonl: bool) -> Result<Option<LazyFile>> {
    if !args.skip_bad_records || !any_jsonl {
        return Ok(None);
    }
    let path = match (&args.bad_records, &args.output) {
        (Some(path), _) => path.clone(),
        (None, Some(output)) => {
            let mut name = output.as_os_str().to_owned();
            name.push(BAD_RECORDS_SUFFIX);
            PathBuf::from(name)
        }
        (None, None) => bail!("--skip-bad-records with output to stdout needs --bad-records FILE"),
    };
    Ok(Some(LazyFile::new(path).fsync(args.fsync)))
}

fn output_name(output: Option<&Path>) -> String {
    output.map_or_else(|| "stdout".to_string(), |p| p.display().to_string())
}

/// Cleans one input into `sink`, and into the rejects file when there is one.
fn clean_one<R: Read, S: Sink>(
    cleaner: &Cleaner,
    input: &Input<'_>,
    reader: R,
    sink: &mut S,
    rejects: Option<&mut Destination>,
) -> Result<Stats> {
    let result = match rejects {
        Some(rejects) => {
            let mut both = (sink, RejectsSink::new(rejects, input.name()));
            cleaner.clean_to_sink(reader, &mut both)
        }
        None => cleaner.clean_to_sink(reader, sink),
    };
    result.with_context(|| input.name())
}
