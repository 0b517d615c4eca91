//! What one invocation does.

use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use dechrome::{Cleaner, ExplainSink, RejectsSink, Sink, Stats, TextSink};

use super::args::Args;
use super::output::Destination;

pub(crate) enum Outcome {
    Clean,
    /// `--check` found an input that cleaning would change.
    WouldChange,
}

/// True when the error chain holds a write into a closed pipe.
pub(crate) fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<dechrome::Error>().is_some_and(dechrome::Error::is_broken_pipe)
            || cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn build_cleaner(args: &Args) -> Result<Cleaner> {
    let mut builder = Cleaner::builder();
    builder
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
    Ok(builder.build()?)
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
    let cleaner = build_cleaner(args)?;
    if args.list_rules {
        list_rules(&cleaner)?;
        return Ok(Outcome::Clean);
    }
    let inputs: Vec<Input<'_>> = if args.inputs.is_empty() {
        vec![Input::Stdin]
    } else {
        args.inputs.iter().map(|p| if p.as_os_str() == "-" { Input::Stdin } else { Input::Path(p) }).collect()
    };
    let mut rejects = match &args.rejects {
        Some(path) => Some(Destination::open(Some(path))?),
        None => None,
    };
    let mut totals = Stats::default();
    let mut outcome = Outcome::Clean;
    if args.check {
        for input in &inputs {
            let mut reader = Fingerprint::new(input.open()?);
            let mut text = TextSink::new(Fingerprint::new(io::sink()));
            let stats = clean_one(&cleaner, input, &mut reader, &mut text, rejects.as_mut())?;
            totals.merge(&stats);
            if reader.value() != text.into_inner().value() {
                eprintln!("{}: would change ({} lines dropped)", input.name(), stats.dropped_lines());
                outcome = Outcome::WouldChange;
            }
        }
    } else {
        let mut destination = Destination::open(args.output.as_deref())?;
        for input in &inputs {
            let reader = input.open()?;
            let stats = if args.explain {
                clean_one(&cleaner, input, reader, &mut ExplainSink::new(&mut destination), rejects.as_mut())?
            } else {
                let mut text = TextSink::new(BufWriter::with_capacity(64 * 1024, &mut destination));
                let mut stats = clean_one(&cleaner, input, reader, &mut text, rejects.as_mut())?;
                stats.output_bytes = text.bytes_written();
                stats
            };
            totals.merge(&stats);
        }
        destination.commit().context(output_name(args.output.as_deref()))?;
    }
    if let Some(rejects) = rejects {
        rejects.commit()?;
    }
    if args.stats {
        eprint!("{}", totals.report());
    }
    Ok(outcome)
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

