//! Command-line arguments.

use std::path::PathBuf;

use clap::Parser;

/// Remove site chrome (menus, media-player text, ads, share bars, footers) from scraped
/// article text and normalize quotes and whitespace.
///
/// Reads each FILE (or stdin when there is none, or for `-`) as one document; a line holding only
/// a form feed separates documents inside a stream. Writes the cleaned text to stdout or `-o`.
#[derive(Debug, Parser)]
#[command(name = "dechrome", version, max_term_width = 100)]
pub(crate) struct Args {
    /// Input files; none or `-` means stdin.
    #[arg(value_name = "FILE")]
    pub inputs: Vec<PathBuf>,

    /// Write the output here instead of stdout (replaced atomically when complete).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Add the rules of this TOML pack (repeatable).
    #[arg(long = "rules", value_name = "FILE.toml")]
    pub rule_files: Vec<PathBuf>,

    /// Do not load the built-in rule pack.
    #[arg(long)]
    pub no_default_rules: bool,

    /// Disable every rule with this id or category (repeatable).
    #[arg(long, value_name = "CATEGORY_OR_RULE_ID")]
    pub disable: Vec<String>,

    /// Print the rules in effect (id, category, kind, zone, action) and exit.
    #[arg(long)]
    pub list_rules: bool,

    /// Keep lines that repeat an earlier line of the same document.
    #[arg(long)]
    pub keep_duplicates: bool,

    /// Keep curly quotes instead of mapping them to ' and ".
    #[arg(long)]
    pub keep_quotes: bool,

    /// Map dashes to - and -- and the ellipsis to ...
    #[arg(long)]
    pub ascii_punct: bool,

    /// Apply NFKC instead of NFC (changes meaning: x² becomes x2).
    #[arg(long)]
    pub nfkc: bool,

    /// Size of the header zone, in kept non-blank lines.
    #[arg(long, value_name = "N", default_value_t = dechrome::DEFAULT_HEADER_LINES)]
    pub header_lines: usize,

    /// Size of the footer zone, in kept non-blank lines (0 turns footer rules off).
    #[arg(long, value_name = "N", default_value_t = dechrome::DEFAULT_FOOTER_LINES)]
    pub footer_lines: usize,

    /// Print per-category and per-rule counts (lines, bytes) to stderr at the end.
    #[arg(long)]
    pub stats: bool,

    /// Write every dropped line to FILE: source, document, line, rule id, category, text (TSV).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Print the input with each line's decision instead of the cleaned text.
    #[arg(long, conflicts_with = "check")]
    pub explain: bool,

    /// Write nothing; exit 1 if cleaning would change any input, 0 if not.
    #[arg(long, conflicts_with = "output")]
    pub check: bool,
}
