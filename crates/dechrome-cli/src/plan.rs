//! The arguments resolved once into what to do: how to build the cleaner, and a mode (list the
//! rules, clean streams, clean a tree), each with only the settings it uses. Combinations that
//! make no sense are refused here, before anything is read or written.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use dechrome::Cleaner;
use dechrome::jsonl::JsonlOptions;

use super::args::{Args, Format, RuleListing};
use super::walk::{Filters, files_under};

/// Appended to an output file's name for the records `--skip-bad-records` set aside.
pub(crate) const BAD_RECORDS_SUFFIX: &str = ".bad-records";

pub(crate) struct Plan {
    pub cleaner: CleanerPlan,
    pub mode: Mode,
    /// `--stats`: counts on stderr at the end.
    pub stats: bool,
    /// `--stats-json FILE`.
    pub stats_json: Option<PathBuf>,
    /// `--report FILE.html`.
    pub report: Option<PathBuf>,
}

pub(crate) enum Mode {
    ListRules(RuleListing),
    Streams(StreamsPlan),
    Tree(TreePlan),
}

/// How the cleaner is built.
pub(crate) struct CleanerPlan {
    /// Threads: files cleaned at once in a tree, blocks of one stream otherwise.
    pub jobs: usize,
    rule_files: Vec<PathBuf>,
    default_rules: bool,
    disable: Vec<String>,
    keep_duplicates: bool,
    keep_quotes: bool,
    keep_mojibake: bool,
    keep_entities: bool,
    ascii_punct: bool,
    nfkc: bool,
    header_lines: usize,
    footer_lines: usize,
    max_line_bytes: usize,
    classifier: bool,
    model: Option<PathBuf>,
    record_features: bool,
}

/// Streams (stdin, or FILE arguments in turn) to one output.
pub(crate) struct StreamsPlan {
    /// `None` for stdin.
    pub inputs: Vec<Option<PathBuf>>,
    pub output: Option<PathBuf>,
    pub format: Format,
    pub jsonl: JsonlOptions,
    /// Where `--skip-bad-records` copies malformed records.
    pub bad_records: Option<BadRecords>,
    pub rejects: Option<PathBuf>,
    pub features: Option<PathBuf>,
    pub explain: bool,
    pub check: bool,
    pub diff: bool,
    /// Colours in `--explain` and `--diff`.
    pub colour: bool,
    /// Several inputs: `--explain` shows a file column.
    pub name_column: bool,
    /// Files found in directories are among the inputs: binary ones are skipped, as in
    /// directory mode.
    pub skip_binary: bool,
    /// `--report`: the pages are collected.
    pub report: bool,
    pub fsync: bool,
}

/// Where malformed JSONL records go in stream mode.
pub(crate) struct BadRecords {
    pub path: PathBuf,
    /// Named with `--bad-records`: written (empty) even when there are none.
    pub named: bool,
}

/// Every file of the inputs cleaned into its own output.
pub(crate) struct TreePlan {
    pub inputs: Vec<PathBuf>,
    pub target: Target,
    pub globs: Vec<String>,
    pub excludes: Vec<String>,
    pub follow: bool,
    pub format: Format,
    pub jsonl: JsonlOptions,
    pub rejects: Option<PathBuf>,
    /// `--report`: the pages are collected.
    pub report: bool,
    pub fsync: bool,
}

/// Where the cleaned files of a tree go.
pub(crate) enum Target {
    /// Under this directory, at each file's path relative to its input directory.
    Mirror(PathBuf),
    /// Over the input file, the original kept as FILE+SUFFIX when the suffix is not empty.
    InPlace { backup_suffix: Option<String> },
}

impl Target {
    pub(crate) fn backup_suffix(&self) -> Option<&str> {
        match self {
            Target::InPlace { backup_suffix } => backup_suffix.as_deref(),
            Target::Mirror(_) => None,
        }
    }
}

impl Plan {
    pub(crate) fn of(args: Args) -> Result<Self> {
        let jobs = match args.jobs {
            Some(0) | None => std::thread::available_parallelism().map_or(1, usize::from),
            Some(jobs) => jobs,
        };
        let jsonl = JsonlOptions {
            text_key: args.text_key.clone(),
            drop_empty: args.drop_empty,
            skip_bad_records: args.skip_bad_records,
            max_record_bytes: args.max_record_bytes,
        };
        let mode = if let Some(listing) = args.list_rules {
            Mode::ListRules(listing)
        } else if !inspects(&args) && is_tree(&args) {
            Mode::Tree(tree_plan(&args, jsonl)?)
        } else {
            Mode::Streams(streams_plan(&args, jsonl)?)
        };
        Ok(Self {
            cleaner: CleanerPlan {
                jobs,
                rule_files: args.rule_files,
                default_rules: !args.no_default_rules,
                disable: args.disable,
                keep_duplicates: args.keep_duplicates,
                keep_quotes: args.keep_quotes,
                keep_mojibake: args.keep_mojibake,
                keep_entities: args.keep_entities,
                ascii_punct: args.ascii_punct,
                nfkc: args.nfkc,
                header_lines: args.header_lines,
                footer_lines: args.footer_lines,
                max_line_bytes: args.max_line_bytes,
                classifier: !args.no_classifier,
                model: args.model,
                record_features: args.features.is_some(),
            },
            mode,
            stats: args.stats,
            stats_json: args.stats_json,
            report: args.report,
        })
    }
}

/// `--explain`, `--check` and `--diff` write no cleaned files: directory inputs are read as the
/// streams of their files.
fn inspects(args: &Args) -> bool {
    args.explain || args.check || args.diff
}

/// A tree is asked for by `-i`, a directory input, or `-o` naming a directory.
fn is_tree(args: &Args) -> bool {
    args.in_place.is_some()
        || args.inputs.iter().any(|p| p.is_dir())
        || args.output.as_deref().is_some_and(|o| o.is_dir() || o.as_os_str().to_string_lossy().ends_with('/'))
}

fn tree_plan(args: &Args, jsonl: JsonlOptions) -> Result<TreePlan> {
    if args.bad_records.is_some() {
        bail!(
            "in directory mode, bad records go beside each output file (NAME{BAD_RECORDS_SUFFIX}); leave out --bad-records"
        );
    }
    if args.inputs.is_empty() || args.inputs.iter().any(|p| p.as_os_str() == "-") {
        bail!("directory mode (-i, or directory inputs) needs paths, not stdin");
    }
    let target = match (&args.in_place, &args.output) {
        (Some(suffix), _) => Target::InPlace { backup_suffix: Some(suffix.clone()).filter(|s| !s.is_empty()) },
        (None, Some(dir)) => {
            if dir.exists() && !dir.is_dir() {
                bail!("{}: not a directory; with directory inputs, -o names the output directory", dir.display());
            }
            Target::Mirror(dir.clone())
        }
        (None, None) => bail!("directory inputs need -o OUTDIR (a mirror tree) or -i (in place)"),
    };
    Ok(TreePlan {
        inputs: args.inputs.clone(),
        target,
        globs: args.globs.clone(),
        excludes: args.excludes.clone(),
        follow: args.follow,
        format: args.format,
        jsonl,
        rejects: args.rejects.clone(),
        report: args.report.is_some(),
        fsync: args.fsync,
    })
}

fn streams_plan(args: &Args, jsonl: JsonlOptions) -> Result<StreamsPlan> {
    let (inputs, skip_binary): (Vec<Option<PathBuf>>, bool) = if args.inputs.is_empty() {
        (vec![None], false)
    } else {
        let filters = Filters::new(&args.globs, &args.excludes, None, false)?;
        let mut inputs = Vec::new();
        let mut walked = false;
        for path in &args.inputs {
            if path.as_os_str() == "-" {
                inputs.push(None);
            } else if path.is_dir() {
                inputs.extend(files_under(path, args.follow, &filters)?.into_iter().map(Some));
                walked = true;
            } else {
                inputs.push(Some(path.clone()));
            }
        }
        (inputs, walked)
    };
    let format_of = |input: &Option<PathBuf>| match input {
        Some(path) => args.format.of(path),
        None => args.format.of(std::path::Path::new("-")),
    };
    let any_jsonl = inputs.iter().any(|input| format_of(input) != Format::Text);
    if any_jsonl && args.features.is_some() {
        bail!("--features works on text input, not JSONL");
    }
    // --explain, --check and --diff write no records, so none are set aside.
    let sets_aside = args.skip_bad_records && any_jsonl && !inspects(args);
    let bad_records = match (sets_aside, &args.bad_records, &args.output) {
        (false, _, _) => None,
        (true, Some(path), _) => Some(BadRecords { path: path.clone(), named: true }),
        (true, None, Some(output)) => {
            let mut name = output.as_os_str().to_owned();
            name.push(BAD_RECORDS_SUFFIX);
            Some(BadRecords { path: PathBuf::from(name), named: false })
        }
        (true, None, None) => bail!("--skip-bad-records with output to stdout needs --bad-records FILE"),
    };
    let name_column = inputs.len() > 1;
    Ok(StreamsPlan {
        inputs,
        output: args.output.clone(),
        format: args.format,
        jsonl,
        bad_records,
        rejects: args.rejects.clone(),
        features: args.features.clone(),
        explain: args.explain,
        check: args.check,
        diff: args.diff,
        colour: args.color.colours(args.output.as_deref().is_none_or(|o| o.as_os_str() == "-")),
        name_column,
        skip_binary,
        report: args.report.is_some(),
        fsync: args.fsync,
    })
}

impl CleanerPlan {
    /// Builds the cleaner: `stream_threads` analyze the blocks of one stream (a tree is
    /// parallel over files instead); the rules are compiled on all the jobs' threads.
    pub(crate) fn build(&self, stream_threads: usize) -> Result<Cleaner> {
        let mut builder = Cleaner::builder();
        builder
            .threads(stream_threads)
            .compile_threads(self.jobs)
            .max_line_bytes(self.max_line_bytes)
            .default_rules(self.default_rules)
            .drop_duplicates(!self.keep_duplicates)
            .ascii_quotes(!self.keep_quotes)
            .repair_mojibake(!self.keep_mojibake)
            .decode_entities(!self.keep_entities)
            .ascii_punct(self.ascii_punct)
            .nfkc(self.nfkc)
            .header_lines(self.header_lines)
            .footer_lines(self.footer_lines)
            .classifier(self.classifier)
            .record_features(self.record_features);
        if let Some(path) = &self.model {
            let json =
                std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the model", path.display()))?;
            builder.model_json(json, path.display().to_string());
        }
        for path in &self.rule_files {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("{}: cannot read rules", path.display()))?;
            builder.add_rules_toml(text, path.display().to_string());
        }
        for name in &self.disable {
            builder.disable(name.as_str());
        }
        let cleaner = builder.build()?;
        release_free_memory();
        Ok(cleaner)
    }
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
