//! Command-line front end: argument parsing, input and output plumbing, exit codes.

mod args;
mod batch;
mod output;
mod report;
mod run;
mod walk;

use std::process::ExitCode;

use clap::Parser;

/// Exit status when `--check` finds something to change.
const EXIT_CHANGES: u8 = 1;
/// Exit status for errors.
const EXIT_ERROR: u8 = 2;

pub(crate) fn main() -> ExitCode {
    let args = match args::Args::try_parse_from(args::rewrite_in_place_suffix(std::env::args_os())) {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            // Printing help or a usage error; nothing more can be done if stderr is gone.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run::run(&args) {
        Ok(run::Outcome::Clean) => ExitCode::SUCCESS,
        Ok(run::Outcome::WouldChange) => ExitCode::from(EXIT_CHANGES),
        Ok(run::Outcome::SomeFailed) => ExitCode::from(EXIT_ERROR),
        Err(e) if run::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dechrome: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
