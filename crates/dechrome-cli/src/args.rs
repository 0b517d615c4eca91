//! Command-line arguments.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Remove site chrome (menus, media-player text, ads, share bars, footers) from scraped
/// article text and normalize quotes and whitespace: on stdin, files or directory trees.
///
/// Modes:
///   dechrome [-o OUT]              stdin (also a PATH of `-`) to stdout, or to the file OUT
///   dechrome FILE... [-o OUT]      each FILE is one document; the cleaned documents in turn to
///                                  stdout, or to the file OUT
///   dechrome DIR... -o OUTDIR      every file under each DIR to the same relative path under
///                                  OUTDIR (a FILE among them to OUTDIR/NAME)
///   dechrome DIR|FILE... -i        in place; `-iSUFFIX` keeps each original as FILE+SUFFIX
///
/// In a stream, a line holding only a form feed separates documents.
///
/// Directory mode (a DIR input, `-i`, or an existing directory as OUTDIR): files are cleaned in
/// parallel, each written to a temporary file beside its target and renamed over it when
/// complete; binary files (a NUL byte in the first 8 KiB) are skipped; with `-iSUFFIX`, files
/// whose names end in SUFFIX are backups and are skipped; a file that fails is reported and the
/// others go on (exit status 2 at the end).
///
/// JSONL mode (`--format jsonl`, automatic for .jsonl, .jsonl.gz, .jsonl.zst, .json.gz): each
/// line is a JSON object whose `--text-key` field is cleaned as one document; other fields are
/// kept as they are. gzip or zstd input (recognized by its first bytes) gives output compressed
/// the same way.
#[derive(Debug, Parser)]
#[command(name = "dechrome", version, max_term_width = 100, verbatim_doc_comment)]
pub(crate) struct Args {
    /// Input files or directories; none or `-` means stdin.
    #[arg(value_name = "PATH")]
    pub inputs: Vec<PathBuf>,

    /// Write the output here instead of stdout (replaced atomically when complete). With
    /// directory inputs, or when it is an existing directory: the output directory.
    #[arg(short, long, value_name = "FILE_OR_DIR")]
    pub output: Option<PathBuf>,

    /// Clean the files in place; with a SUFFIX (`-i.bak`, `--in-place=.bak`) keep each original
    /// as FILE+SUFFIX (everything after `-i` is the suffix, as with sed) and skip files whose
    /// names end in SUFFIX.
    #[arg(
        short = 'i',
        long = "in-place",
        value_name = "SUFFIX",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "",
        conflicts_with = "output"
    )]
    pub in_place: Option<String>,

    /// Directory mode: clean only files matching this glob (repeatable). A pattern with no `/`
    /// is matched against the file name, one with `/` against the path under the input directory.
    #[arg(long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Directory mode: leave out files and directories matching this glob (repeatable).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,

    /// Directory mode: follow symbolic links (they are skipped and counted otherwise).
    #[arg(short = 'L', long)]
    pub follow: bool,

    /// Threads (default: one per core). Directory mode cleans this many files at once; a
    /// single stream is cut into blocks that this many threads normalize and match.
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub jobs: Option<usize>,

    /// Flush every output file to disk before renaming it into place, and each folder written
    /// to after its renames, so that a crash or power loss leaves each file as it was or fully
    /// cleaned. Slower; off by default (stream mode always flushes `-o FILE`; this adds its folder).
    #[arg(long)]
    pub fsync: bool,

    /// Lines longer than this many bytes are passed through as they are, without
    /// normalization or rule matching, and never held in memory whole.
    #[arg(long, value_name = "BYTES", default_value_t = dechrome::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,

    /// Input format; `auto` reads .jsonl, .jsonl.gz, .jsonl.zst, .json.gz and .json.zst files as
    /// JSONL and everything else (stdin included) as text.
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    pub format: Format,

    /// JSONL: the string field that holds the document.
    #[arg(long, value_name = "KEY", default_value = dechrome::jsonl::DEFAULT_TEXT_KEY)]
    pub text_key: String,

    /// JSONL: leave out records whose cleaned text is empty.
    #[arg(long)]
    pub drop_empty: bool,

    /// JSONL: skip malformed records (counted) instead of stopping, and copy them to the
    /// bad-records file (`--bad-records`, or OUTPUT.bad-records beside each output file).
    #[arg(long)]
    pub skip_bad_records: bool,

    /// JSONL: a record longer than this many bytes is a bad record (an error, or with
    /// `--skip-bad-records` counted and copied to the bad records), never held in memory whole.
    #[arg(long, value_name = "BYTES", default_value_t = dechrome::jsonl::DEFAULT_MAX_RECORD_BYTES)]
    pub max_record_bytes: usize,

    /// JSONL: where `--skip-bad-records` copies malformed records (stream mode).
    #[arg(long, value_name = "FILE", requires = "skip_bad_records")]
    pub bad_records: Option<PathBuf>,

    /// Write the run's totals as JSON to FILE: files, bytes, MB/s, lines dropped per category.
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,

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

    /// Leave mojibake (UTF-8 read in the wrong code page: `cafÃ©`, `â€œ`) as it is.
    #[arg(long)]
    pub keep_mojibake: bool,

    /// Leave HTML character references (`&amp;`, `&#8220;`, `&nbsp;`) as they are.
    #[arg(long)]
    pub keep_entities: bool,

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

    /// Use this classifier model (JSON, as scripts/train_classifier.py writes it) instead of the
    /// built-in one.
    #[arg(long, value_name = "FILE.json", conflicts_with = "no_classifier")]
    pub model: Option<PathBuf>,

    /// Rules only: no line classifier.
    #[arg(long)]
    pub no_classifier: bool,

    /// Write the classifier's features of every non-blank line to FILE (TSV with a header: source,
    /// document, line, then one column per feature), for training a model on your own pages.
    #[arg(long, value_name = "FILE", conflicts_with = "no_classifier")]
    pub features: Option<PathBuf>,

    /// Print the input with each line's decision instead of the cleaned text.
    #[arg(long, conflicts_with = "check")]
    pub explain: bool,

    /// Write nothing; exit 1 if cleaning would change any input, 0 if not.
    #[arg(long, conflicts_with_all = ["output", "in_place"])]
    pub check: bool,
}

/// Rewrites sed-style `-iSUFFIX` (as in `-i.bak`) into `--in-place=SUFFIX`, which clap reads
/// unambiguously; `-i` alone stays a flag, so `-i DIR` does not take DIR as the suffix.
pub(crate) fn rewrite_in_place_suffix(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut options_ended = false;
    args.into_iter()
        .enumerate()
        .map(|(index, arg)| {
            if index == 0 || options_ended {
                return arg;
            }
            if arg == "--" {
                options_ended = true;
                return arg;
            }
            match arg.to_str().and_then(|a| a.strip_prefix("-i")) {
                Some(suffix) if !suffix.is_empty() && !suffix.starts_with('=') => {
                    OsString::from(format!("--in-place={suffix}"))
                }
                _ => arg,
            }
        })
        .collect()
}

/// How inputs are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// By file name: JSONL for .jsonl, .jsonl.gz, .jsonl.zst, .json.gz, .json.zst; text otherwise.
    Auto,
    /// Plain text: the whole input is one document (form-feed lines separate documents).
    Text,
    /// JSON Lines: one object per line, its text field is one document.
    Jsonl,
}

impl Format {
    /// The format of the file at `path` (stdin is `-`).
    pub(crate) fn of(self, path: &std::path::Path) -> Format {
        match self {
            Format::Auto => {
                let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
                let jsonl = [".jsonl", ".jsonl.gz", ".jsonl.zst", ".json.gz", ".json.zst"];
                if jsonl.iter().any(|ext| name.ends_with(ext)) { Format::Jsonl } else { Format::Text }
            }
            explicit => explicit,
        }
    }
}
