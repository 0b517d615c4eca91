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
/// JSONL mode (`--format jsonl`, automatic for .jsonl, .ndjson and compressed .json, also with
/// .gz or .zst, and for .json whose first line is an object): each line is a JSON object whose
/// `--text-key` field is cleaned as one document; other fields are kept as they are. gzip or
/// zstd input (recognized by its first bytes) gives output compressed the same way, or as the
/// name of `-o FILE` says (.gz, .zst).
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

    /// Threads (default, or 0: one per core). Directory mode cleans this many files at once; a
    /// single stream is cut into blocks that this many threads normalize and match.
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,

    /// Print no summary, progress or warnings on stderr (errors are still printed).
    #[arg(short, long)]
    pub quiet: bool,

    /// Flush every output file to disk before renaming it into place, and each folder written
    /// to after its renames, so that a crash or power loss leaves each file as it was or fully
    /// cleaned. Slower; off by default (stream mode always flushes `-o FILE`; this adds its folder).
    #[arg(long)]
    pub fsync: bool,

    /// Lines longer than this many bytes are passed through as they are, without
    /// normalization or rule matching, and never held in memory whole.
    #[arg(long, value_name = "BYTES", default_value_t = dechrome::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,

    /// Input format; `auto` reads .jsonl, .ndjson, .json.gz and .json.zst files as JSONL (the
    /// first two also with .gz or .zst), .json files too when their first line is a JSON object,
    /// and everything else (stdin included) as text.
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

    /// Print the rules in effect and exit: each with its id, category, zone, action,
    /// description and patterns, or (`--list-rules=toml`) as a rule pack to edit and load with
    /// `--no-default-rules --rules FILE`.
    #[arg(long, value_enum, value_name = "STYLE", num_args = 0..=1, require_equals = true, default_missing_value = "table")]
    pub list_rules: Option<RuleListing>,

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

    /// Print the input with each line's decision instead of the cleaned text (a file column
    /// first when there are several files; JSONL: the record's line number in place of the
    /// document number). Writes no cleaned files.
    #[arg(long, conflicts_with_all = ["check", "in_place"])]
    pub explain: bool,

    /// Write nothing; exit 1 if cleaning would change any input, 0 if not.
    #[arg(long, conflicts_with_all = ["output", "in_place"])]
    pub check: bool,

    /// Print a unified diff of each input against its cleaned text instead of writing it (JSONL:
    /// of each record's text); with --check, exit 1 when there is a difference.
    #[arg(long, conflicts_with_all = ["explain", "in_place"])]
    pub diff: bool,

    /// Write one HTML page about the run to FILE.html: drops per category and per rule, the
    /// pages that lost most, and the lines of the first pages with the dropped ones struck
    /// through.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,

    /// When to colour --explain and --diff: `auto` on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell) and exit.
    #[arg(long, value_name = "SHELL")]
    pub completions: Option<clap_complete::Shell>,

    /// Print the manual page (roff, for `man -l -`) and exit.
    #[arg(long)]
    pub man: bool,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Never,
    /// On a terminal, unless the NO_COLOR environment variable is set (and not empty) or TERM is
    /// `dumb`.
    Auto,
    Always,
}

impl ColorChoice {
    /// Whether to colour output going to stdout (`to_stdout`) or a file.
    pub(crate) fn colours(self, to_stdout: bool) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Never => false,
            ColorChoice::Always => true,
            ColorChoice::Auto => {
                to_stdout
                    && std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        }
    }
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
    /// By file name: JSONL for .jsonl, .ndjson (also with .gz or .zst), .json.gz and .json.zst,
    /// and for .json when the first line is a JSON object; text otherwise.
    Auto,
    /// Plain text: the whole input is one document (form-feed lines separate documents).
    Text,
    /// JSON Lines: one object per line, its text field is one document.
    Jsonl,
}

/// How `--list-rules` prints the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RuleListing {
    /// For reading: a heading line per rule, then its description and patterns.
    Table,
    /// A rule pack in TOML, in priority order.
    Toml,
}

impl Format {
    /// The format of the file at `path` (stdin is `-`), as far as its name tells: `Auto` for a
    /// `.json` name, whose content decides (see [`Format::of_content`]).
    pub(crate) fn of(self, path: &std::path::Path) -> Format {
        match self {
            Format::Auto => {
                let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
                let uncompressed = name.strip_suffix(".gz").or_else(|| name.strip_suffix(".zst"));
                let compressed = uncompressed.is_some();
                let name = uncompressed.unwrap_or(&name);
                if name.ends_with(".jsonl") || name.ends_with(".ndjson") || (compressed && name.ends_with(".json")) {
                    Format::Jsonl
                } else if name.ends_with(".json") {
                    // A plain .json file is as often one JSON document as JSON lines.
                    Format::Auto
                } else {
                    Format::Text
                }
            }
            explicit => explicit,
        }
    }

    /// JSONL when `head`, the first bytes of a (decompressed) file, starts with a line holding a
    /// JSON object; text otherwise (a JSON document spread over lines, an array).
    pub(crate) fn of_content(head: &[u8]) -> Format {
        let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
        let head = &head[start..];
        let is_object_line = match head.iter().position(|&b| b == b'\n') {
            Some(end) => {
                head.starts_with(b"{") && serde_json::from_slice::<serde::de::IgnoredAny>(&head[..end]).is_ok()
            }
            // A first line longer than what was read: its opening is all there is to go by.
            None => {
                let inner = head.strip_prefix(b"{").unwrap_or_default();
                inner.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|&b| b == b'"' || b == b'}')
            }
        };
        if is_object_line { Format::Jsonl } else { Format::Text }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_files_are_jsonl_when_their_first_line_is_an_object() {
        assert_eq!(Format::of_content(b"\n {\"text\": \"a\"}\n{\"text\": \"b\"}\n"), Format::Jsonl);
        assert_eq!(Format::of_content(b"{\"text\": \"a very long first line"), Format::Jsonl);
        assert_eq!(Format::of_content(b"{\n  \"text\": \"a\"\n}\n"), Format::Text);
        assert_eq!(Format::of_content(b"[{\"text\": \"a\"}]\n"), Format::Text);
        assert_eq!(Format::of_content(b"Some words.\n"), Format::Text);
        assert_eq!(Format::of_content(b""), Format::Text);
        let auto = |name: &str| Format::Auto.of(std::path::Path::new(name));
        assert_eq!(auto("a.ndjson.gz"), Format::Jsonl);
        assert_eq!(auto("a.JSONL"), Format::Jsonl);
        assert_eq!(auto("a.json.zst"), Format::Jsonl);
        assert_eq!(auto("a.json"), Format::Auto);
        assert_eq!(auto("a.txt.gz"), Format::Text);
    }
}
