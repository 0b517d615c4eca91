//! The `dechrome` command, a thin shell over the library: arguments ([`args`]) resolved into a
//! plan ([`plan`]), then a mode: streams ([`stream`]) or a tree of files ([`batch`]), with the
//! output plumbing ([`output`]) and the run's totals ([`report`]).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod args;
mod batch;
mod diff;
mod explain;
mod html_report;
mod list;
mod output;
mod pause;
mod plan;
mod report;
mod stream;
mod version;
mod walk;

use std::io;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches};

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
    let parsed = args::Args::command()
        .long_version(version::long_version())
        .try_get_matches_from(args::rewrite_in_place_suffix(std::env::args_os()))
        .and_then(|matches| args::Args::from_arg_matches(&matches));
    let args = match parsed {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            // Printing help or a usage error; nothing more can be done if stderr is gone.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    report::set_quiet(args.quiet);
    if let Some(shell) = args.completions {
        clap_complete::generate(shell, &mut args::Args::command(), "dechrome", &mut io::stdout());
        return ExitCode::SUCCESS;
    }
    if args.man {
        return match clap_mangen::Man::new(args::Args::command()).render(&mut io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("dechrome: writing the manual page: {e}");
                ExitCode::from(EXIT_ERROR)
            }
        };
    }
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
        Mode::ListRules(listing) => {
            list::print_rules(&plan.cleaner.build(1)?, *listing)?;
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
            report::notice(totals.summary_line(started.elapsed()));
            outcome
        }
    };
    let text_key = match &plan.mode {
        Mode::Streams(streams) => &streams.jsonl.text_key,
        Mode::Tree(tree) => &tree.jsonl.text_key,
        Mode::ListRules(_) => return Ok(outcome),
    };
    if let Some(warning) = totals.missing_text_key_warning(text_key) {
        report::notice(warning);
    }
    if let Some(path) = &plan.stats_json {
        totals.write_json(path, started.elapsed())?;
    }
    if let Some(path) = &plan.report {
        html_report::write_report(path, &totals, started.elapsed())?;
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
