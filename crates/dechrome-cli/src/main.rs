//! The `dechrome` command, a thin shell over the library: arguments ([`args`]) resolved into a
//! plan ([`plan`]), then a mode: streams ([`stream`]) or a tree of files ([`batch`]), with the
//! output plumbing ([`output`]) and the run's totals ([`report`]).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod args;
mod batch;
mod output;
mod pause;
mod plan;
mod report;
mod stream;
mod walk;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::Parser;
use dechrome::Cleaner;

use plan::{Mode, Plan};
use report::Totals;

/// Exit status when `--check` finds something to change.
const EXIT_CHANGES: u8 = 1;
/// Exit status for errors.
const EXIT_ERROR: u8 = 2;

/// How a run ended, when it did not fail as a whole.
pub(crate) enum Outcome {
    Clean,
    /// `--check` found an input that cleaning would change.
    WouldChange,
    /// Directory mode: some files failed (each was reported); the others were cleaned.
    SomeFailed,
}

fn main() -> ExitCode {
    let args = match args::Args::try_parse_from(args::rewrite_in_place_suffix(std::env::args_os())) {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            // Printing help or a usage error; nothing more can be done if stderr is gone.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match Plan::of(args).and_then(|plan| run(&plan)) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::WouldChange) => ExitCode::from(EXIT_CHANGES),
        Ok(Outcome::SomeFailed) => ExitCode::from(EXIT_ERROR),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dechrome: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(plan: &Plan) -> Result<Outcome> {
    let started = Instant::now();
    let mut totals = Totals::default();
    let outcome = match &plan.mode {
        Mode::ListRules => {
            list_rules(&plan.cleaner.build(1)?)?;
            return Ok(Outcome::Clean);
        }
        Mode::Streams(streams) => {
            let cleaner = plan.cleaner.build(plan.cleaner.jobs)?;
            let outcome = stream::run(streams, plan.stats_json.as_deref(), &cleaner, &mut totals)?;
            if plan.stats {
                eprint!("{}", totals.text.report());
                if totals.jsonl.is_some() || totals.files > 1 {
                    eprintln!("{}", totals.summary_line(started.elapsed()));
                }
            }
            outcome
        }
        Mode::Tree(tree) => {
            let outcome = batch::run(tree, plan.stats_json.as_deref(), &plan.cleaner, &mut totals)?;
            if plan.stats {
                eprint!("{}", totals.text.report());
            }
            eprintln!("dechrome: {}", totals.summary_line(started.elapsed()));
            outcome
        }
    };
    if let Some(path) = &plan.stats_json {
        totals.write_json(path, started.elapsed())?;
    }
    Ok(outcome)
}

/// True when the error chain holds a write into a closed pipe.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<dechrome::Error>().is_some_and(dechrome::Error::is_broken_pipe)
            || cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
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
