//! Directory mode: every file cleaned into its own output file (a mirror tree, or in place),
//! files in parallel, one file's failure reported without stopping the others.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, BufRead, BufWriter, IsTerminal, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use dechrome::jsonl::{JsonlCleaner, JsonlStats};
use dechrome::{Cleaner, RejectsSink, Stats, TextSink};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::Outcome;
use super::args::Format;
use super::explain::NumberedByRecord;
use super::html_report::{MAX_PAGES_SHOWN, PageCollector, PageSet};
use super::output::{
    AtomicFile, Destination, FileId, Folder, LazyFile, LazyTarget, PRIVATE_MODE, is_temp_name, remove_if_stale,
    sync_dir,
};
use super::pause::pause;
use super::plan::{BAD_RECORDS_SUFFIX, CleanerPlan, Target, TreePlan};
use super::report::{Totals, is_quiet, notice};
use super::stream::{Opened, into_io_error, open_as};
use super::walk::{Filters, Found, Walked, walk};

/// A file whose first block holds a NUL byte is binary.
pub(crate) const BINARY_CHECK_BYTES: u64 = 8 * 1024;

/// The most files cleaned at once, whatever `-j` asks: each holds its blocks, its output buffer
/// and an analyzer, so memory would otherwise grow with the thread count.
const MAX_FILES_AT_ONCE: usize = 64;

/// The permission bits a mirrored file takes from its input; set-ID bits are not carried over
/// to a copy.
const PERMISSION_BITS: u32 = 0o1777;

/// One file to clean.
struct Job {
    input: PathBuf,
    output: PathBuf,
    format: Format,
    /// The file the walk found (see [`Found`]).
    id: FileId,
    folder_id: FileId,
    is_link: bool,
}

impl Job {
    fn new(found: &Found, output: PathBuf, format: Format) -> Self {
        Self {
            input: found.path.clone(),
            output,
            format: format.of(&found.path),
            id: found.id,
            folder_id: found.folder_id,
            is_link: found.is_link,
        }
    }
}

/// What became of one file.
enum Done {
    Text(Stats, Inspection),
    Jsonl(JsonlStats, Inspection),
    Binary,
}

/// What a file gives besides its output file.
struct Inspection {
    /// Its `--rejects` rows, until they are spooled.
    rejects: Option<RejectsSink<Vec<u8>>>,
    /// Where its rows are in the spool.
    spooled: Option<Range<u64>>,
    /// Its pages, for `--report`.
    report: Option<PageCollector>,
}

/// `--rejects` in a tree: each file's rows are appended to a scratch file as the file is done,
/// in any order, then copied out in walk order, so that memory holds where the rows of each
/// file are, not the rows.
struct RejectsSpool {
    scratch: Mutex<File>,
}

impl RejectsSpool {
    /// A scratch file in the folder of `target`, the rejects file (a large run's rows may not
    /// fit in the temporary folder).
    fn beside(target: &Path) -> Result<Self> {
        let folder = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let scratch = tempfile::tempfile_in(folder)
            .with_context(|| format!("{}: cannot create a scratch file for the rejects", folder.display()))?;
        Ok(Self { scratch: Mutex::new(scratch) })
    }

    fn scratch(&self) -> Result<std::sync::MutexGuard<'_, File>> {
        self.scratch.lock().map_err(|_| anyhow::anyhow!("the rejects were left half written by a failed thread"))
    }

    /// Moves the rows `inspection` holds to the spool.
    fn take_rows(&self, inspection: &mut Inspection) -> Result<()> {
        let Some(rows) = inspection.rejects.take().map(RejectsSink::into_inner) else { return Ok(()) };
        let mut scratch = self.scratch()?;
        let start = scratch.seek(SeekFrom::End(0)).context("cannot write the rejects")?;
        scratch.write_all(&rows).context("cannot write the rejects")?;
        inspection.spooled = Some(start..start + rows.len() as u64);
        Ok(())
    }

    fn copy(&self, rows: Range<u64>, out: &mut impl Write) -> Result<()> {
        let mut scratch = self.scratch()?;
        scratch.seek(SeekFrom::Start(rows.start)).context("cannot read the rejects back")?;
        io::copy(&mut (&mut *scratch).take(rows.end - rows.start), out).context("cannot write the rejects")?;
        Ok(())
    }
}

impl Done {
    fn inspection_mut(&mut self) -> Option<&mut Inspection> {
        match self {
            Done::Text(_, inspection) | Done::Jsonl(_, inspection) => Some(inspection),
            Done::Binary => None,
        }
    }
}

struct Settings<'a> {
    cleaner: &'a Cleaner,
    jsonl: JsonlCleaner,
    target: &'a Target,
    skip_bad_records: bool,
    /// `--fsync`: each output file flushed to disk before its rename.
    fsync: bool,
    /// `--rejects`: each file's dropped lines are collected.
    rejects: bool,
    /// `--report`: each file's pages are collected.
    report: bool,
}

/// Cleans every file of the tree, adding up what was done in `totals`. The cleaner is built on
/// its own thread while the inputs are walked. Files that fail are reported one by one. A
/// `stats_json` path that names an input or an output is refused before anything is written.
pub(crate) fn run(
    plan: &TreePlan,
    stats_json: Option<&Path>,
    cleaner_plan: &CleanerPlan,
    totals: &mut Totals,
) -> Result<Outcome> {
    let (cleaner, jobs) = std::thread::scope(|scope| {
        let builder = scope.spawn(|| cleaner_plan.build(1));
        let jobs = find_jobs(plan, totals);
        let cleaner = builder.join().map_err(|_| anyhow::anyhow!("building the cleaner failed"))?;
        Ok::<_, anyhow::Error>((cleaner?, jobs?))
    })?;
    if let Some(path) = stats_json {
        refuse_stats_json_clash(path, &jobs)?;
    }
    let cleaner = &cleaner;
    let settings = Settings {
        cleaner,
        jsonl: JsonlCleaner::new(cleaner.clone(), plan.jsonl.clone()),
        target: &plan.target,
        skip_bad_records: plan.jsonl.skip_bad_records,
        fsync: plan.fsync,
        rejects: plan.rejects.is_some(),
        report: plan.report,
    };
    // Opened before the work, so that a path that cannot be written stops the run early.
    let mut rejects = plan.rejects.as_deref().map(|path| Destination::open(Some(path))).transpose()?;
    let spool = plan.rejects.as_deref().map(RejectsSpool::beside).transpose()?;

    let progress = progress_bar(jobs.len() as u64);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cleaner_plan.jobs.min(MAX_FILES_AT_ONCE))
        .build()
        .context("cannot start the worker threads")?;
    let results: Vec<Result<Done>> = pool.install(|| {
        jobs.par_iter()
            .enumerate()
            .map(|(index, job)| {
                // Only the first files can be among the pages a report shows.
                let shown_in_report = index < MAX_PAGES_SHOWN;
                let result = clean_file(job, shown_in_report, &settings)
                    .and_then(|mut done| {
                        if let (Some(spool), Some(inspection)) = (&spool, done.inspection_mut()) {
                            spool.take_rows(inspection)?;
                        }
                        Ok(done)
                    })
                    .with_context(|| job.input.display().to_string());
                if let Err(e) = &result {
                    progress.suspend(|| eprintln!("dechrome: {e:#}"));
                }
                progress.inc(1);
                result
            })
            .collect()
    });
    progress.finish_and_clear();

    if plan.fsync {
        let folders = written_folders(&jobs, &results, settings.target);
        let synced: Vec<Result<()>> = pool.install(|| folders.par_iter().map(|folder| sync_dir(folder)).collect());
        for error in synced.into_iter().filter_map(Result::err) {
            eprintln!("dechrome: {error:#}");
            totals.failed += 1;
        }
    }
    totals.pages = plan.report.then(PageSet::default);
    for result in results {
        let inspection = match result {
            Ok(Done::Text(stats, inspection)) => {
                totals.add_text(&stats);
                inspection
            }
            Ok(Done::Jsonl(stats, inspection)) => {
                totals.add_jsonl(&stats);
                inspection
            }
            Ok(Done::Binary) => {
                totals.binary += 1;
                continue;
            }
            Err(_) => {
                totals.failed += 1;
                continue;
            }
        };
        if let (Some(rejects), Some(spool), Some(rows)) = (rejects.as_mut(), &spool, inspection.spooled) {
            spool.copy(rows, rejects)?;
        }
        if let (Some(pages), Some(report)) = (totals.pages.as_mut(), inspection.report) {
            pages.merge(report.into_pages());
        }
    }
    if let Some(rejects) = rejects {
        rejects.commit()?;
    }
    Ok(if totals.failed == 0 { Outcome::Clean } else { Outcome::SomeFailed })
}

/// Refuses a `--stats-json` path that is one of the inputs (by device and inode) or outputs (by
/// real path).
fn refuse_stats_json_clash(path: &Path, jobs: &[Job]) -> Result<()> {
    let id = fs::metadata(path).ok().filter(fs::Metadata::is_file).map(|meta| FileId::of(&meta));
    if let Some(job) = jobs.iter().find(|job| Some(job.id) == id) {
        bail!("--stats-json {} is the input {}; nothing was written", path.display(), job.input.display());
    }
    let mut real_paths = RealPaths::default();
    let Ok(real) = real_paths.in_dir(path) else { return Ok(()) };
    if let Some(job) = jobs.iter().find(|job| real_paths.in_dir(&job.output).is_ok_and(|output| output == real)) {
        bail!("--stats-json {} is the output of {}; nothing was written", path.display(), job.input.display());
    }
    Ok(())
}

/// The folders whose entries a run changed: those of the files written, and with a mirror,
/// every folder between them and the output directory, and the folder holding it (folders made
/// by the run are entries of their parents).
fn written_folders(jobs: &[Job], results: &[Result<Done>], target: &Target) -> BTreeSet<PathBuf> {
    let mut folders = BTreeSet::new();
    let written = jobs.iter().zip(results).filter(|(_, result)| matches!(result, Ok(Done::Text(..) | Done::Jsonl(..))));
    for (job, _) in written {
        let Some(folder) = job.output.parent() else { continue };
        folders.insert(folder.to_path_buf());
        if let Target::Mirror(root) = target
            && folder.starts_with(root)
        {
            folders.extend(folder.ancestors().take_while(|a| a.starts_with(root)).map(Path::to_path_buf));
            folders.insert(root.parent().map_or_else(PathBuf::new, Path::to_path_buf));
        }
    }
    folders
}

fn progress_bar(files: u64) -> ProgressBar {
    if is_quiet() || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(files), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files  {elapsed}  eta {eta}") {
        bar.set_style(style);
    }
    bar
}

/// Finds the files, decides where each goes, and refuses plans that would overwrite an input.
/// Paths that cannot be read or resolved are reported and counted as failures; the other files
/// go on. Stale temporary files in the folders written to are removed.
fn find_jobs(plan: &TreePlan, totals: &mut Totals) -> Result<Vec<Job>> {
    let in_place = matches!(plan.target, Target::InPlace { .. });
    let filters = Filters::new(&plan.globs, &plan.excludes, plan.target.backup_suffix(), in_place)?;
    let output_dir = match &plan.target {
        Target::Mirror(dir) => Some(resolve(dir).with_context(|| dir.display().to_string())?),
        Target::InPlace { .. } => None,
    };
    let mut walked = find_inputs(plan, &filters, output_dir.as_deref())?;

    // Resolving can fail for a file that went away since the walk, or behind a folder that
    // cannot be searched.
    let mut real_paths = RealPaths::default();
    let mut resolved = Vec::with_capacity(walked.files.len());
    for found in std::mem::take(&mut walked.files) {
        match real_paths.of_file(&found) {
            Ok(real) => resolved.push((found, real)),
            Err(e) => walked.errors.push(path_error(&found.path, "cannot resolve the path", e)),
        }
    }
    let (jobs, temp_files) = match &output_dir {
        None => {
            // In place: write to the file itself (through links), each file once.
            let mut seen = HashSet::new();
            let jobs = resolved
                .into_iter()
                .filter(|(_, real)| seen.insert(real.clone()))
                .map(|(found, real)| Job::new(&found, real, plan.format))
                .collect();
            // The folders written to are the ones walked.
            (jobs, std::mem::take(&mut walked.temp_files))
        }
        Some(out) => {
            let jobs = mirror_jobs(plan.format, out, &resolved, &mut real_paths, &mut walked.errors)?;
            let temp_files = temp_files_in(jobs.iter().filter_map(|job| job.output.parent()));
            (jobs, temp_files)
        }
    };
    for error in &walked.errors {
        eprintln!("dechrome: {error:#}");
    }
    totals.failed += walked.errors.len() as u64;
    totals.symlinks += walked.symlinks;
    totals.special += walked.special;
    totals.backups += walked.backups;
    remove_stale(&temp_files);
    Ok(jobs)
}

/// Places each file at its relative path under `out`, refusing plans that would overwrite an
/// input or write two inputs to one output. An output path that cannot be resolved is added to
/// `errors`.
fn mirror_jobs(
    format: Format,
    out: &Path,
    resolved: &[(Found, PathBuf)],
    real_paths: &mut RealPaths,
    errors: &mut Vec<anyhow::Error>,
) -> Result<Vec<Job>> {
    let inputs: HashMap<&Path, &Path> =
        resolved.iter().map(|(found, real)| (real.as_path(), found.path.as_path())).collect();
    let mut outputs: HashMap<PathBuf, &Path> = HashMap::new();
    let mut jobs = Vec::with_capacity(resolved.len());
    for (found, _) in resolved {
        let output = out.join(&found.relative);
        // The file is renamed into its folder: a link at the output path is replaced, not
        // followed, so only the folder's real path counts.
        let real_output = match real_paths.in_dir(&output) {
            Ok(real) => real,
            Err(e) => {
                let error = path_error(&output, "cannot resolve the output path", e);
                errors.push(error.context(found.path.display().to_string()));
                continue;
            }
        };
        if let Some(input) = inputs.get(real_output.as_path()) {
            bail!(
                "the output path {} is the input file {}; choose another output directory",
                output.display(),
                input.display()
            );
        }
        if let Some(other) = outputs.insert(real_output, &found.path) {
            bail!(
                "{} and {} would both be written to {}; clean them in separate runs",
                other.display(),
                found.path.display(),
                output.display()
            );
        }
        jobs.push(Job::new(found, output, format));
    }
    Ok(jobs)
}

/// Walks the input directories and takes the input files, reporting in `Walked::errors` the
/// paths that cannot be read. Refuses an output directory inside an input directory.
fn find_inputs(plan: &TreePlan, filters: &Filters, output_dir: Option<&Path>) -> Result<Walked> {
    let mut walked = Walked::default();
    for input in &plan.inputs {
        let meta = match fs::metadata(input) {
            Ok(meta) => meta,
            Err(e) => {
                walked.errors.push(path_error(input, "cannot read", e));
                continue;
            }
        };
        if meta.is_dir() {
            let root = match fs::canonicalize(input) {
                Ok(root) => root,
                Err(e) => {
                    walked.errors.push(path_error(input, "cannot resolve the path", e));
                    continue;
                }
            };
            if let Some(out) = output_dir
                && out.starts_with(&root)
            {
                bail!(
                    "the output directory {} is inside the input directory {}; choose an output outside the input tree",
                    out.display(),
                    input.display()
                );
            }
            walk(input, plan.follow, filters, &mut walked);
        } else if meta.is_file() {
            if filters.is_backup(input) {
                notice(format_args!("{}: skipped: its name ends in the backup suffix", input.display()));
                walked.backups += 1;
                continue;
            }
            let relative = input.file_name().map(PathBuf::from).unwrap_or_else(|| input.clone());
            let is_link = fs::symlink_metadata(input).is_ok_and(|m| m.file_type().is_symlink());
            let folder = input.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            match fs::metadata(folder) {
                Ok(folder) => walked.files.push(Found {
                    path: input.clone(),
                    relative,
                    is_link,
                    id: FileId::of(&meta),
                    folder_id: FileId::of(&folder),
                }),
                Err(e) => walked.errors.push(path_error(folder, "cannot read", e)),
            }
        } else {
            walked.special += 1;
            walked.errors.push(anyhow::anyhow!("{}: not a regular file or directory", input.display()));
        }
    }
    Ok(walked)
}

fn path_error(path: &Path, what: &str, error: io::Error) -> anyhow::Error {
    anyhow::Error::new(error).context(format!("{}: {what}", path.display()))
}

/// The files named like temporary files in `folders`. A folder that cannot be listed is passed
/// over: writing into it fails too, and that is reported.
fn temp_files_in<'a>(folders: impl Iterator<Item = &'a Path>) -> Vec<PathBuf> {
    let folders: BTreeSet<&Path> = folders.collect();
    let mut found = Vec::new();
    for folder in folders {
        let Ok(entries) = fs::read_dir(folder) else { continue };
        found.extend(entries.filter_map(Result::ok).filter(|e| is_temp_name(&e.file_name())).map(|e| e.path()));
    }
    found
}

/// Removes the stale ones among `temp_files` (see [`remove_if_stale`]), and says how many.
fn remove_stale(temp_files: &[PathBuf]) {
    let mut removed = 0;
    for path in temp_files {
        match remove_if_stale(path) {
            Ok(true) => removed += 1,
            Ok(false) => {}
            // Already gone: nothing to tidy.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => notice(format_args!("{}: cannot remove this stale temporary file: {e}", path.display())),
        }
    }
    if removed > 0 {
        let files = if removed == 1 { "file" } else { "files" };
        notice(format_args!("removed {removed} stale temporary {files} left by an interrupted run"));
    }
}

/// Real (absolute, links resolved) paths, with each folder resolved once.
#[derive(Default)]
struct RealPaths {
    dirs: HashMap<PathBuf, PathBuf>,
}

impl RealPaths {
    /// `path` with its folder's real path: where a new file named `path` lands.
    fn in_dir(&mut self, path: &Path) -> io::Result<PathBuf> {
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else { return resolve(path) };
        let real_parent = match self.dirs.get(parent) {
            Some(real) => real.clone(),
            None => {
                let real = resolve(if parent.as_os_str().is_empty() { Path::new(".") } else { parent })?;
                self.dirs.insert(parent.to_path_buf(), real.clone());
                real
            }
        };
        Ok(real_parent.join(name))
    }

    /// The real path of a file that exists.
    fn of_file(&mut self, found: &Found) -> io::Result<PathBuf> {
        if found.is_link { fs::canonicalize(&found.path) } else { self.in_dir(&found.path) }
    }
}

/// The absolute path `path` refers to, with links resolved in the part that exists.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir()?.join(path) };
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        match fs::canonicalize(existing) {
            Ok(mut real) => {
                for component in rest.iter().rev() {
                    match component {
                        Component::ParentDir => {
                            real.pop();
                        }
                        Component::CurDir => {}
                        other => real.push(other),
                    }
                }
                return Ok(real);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let Some(parent) = existing.parent() else { return Err(e) };
                if let Some(last) = existing.components().next_back() {
                    rest.push(last);
                }
                existing = parent;
            }
            Err(e) => return Err(e),
        }
    }
}

fn with_suffix(name: &OsStr, suffix: &str) -> OsString {
    let mut name = name.to_owned();
    name.push(suffix);
    name
}

/// An input opened for cleaning, and the folder its output is renamed in when in place.
struct OpenedInput {
    file: File,
    meta: fs::Metadata,
    folder: Arc<Folder>,
    name: OsString,
}

/// Opens the file of `job` that the walk found, relative to its folder: a link met where the
/// walk saw a file (without `--follow`), a folder swapped for a link, or anything else put in
/// place of the file since the walk, is refused. In place, the folder opened is the one the
/// output is renamed in.
fn open_input(job: &Job, in_place: bool) -> Result<OpenedInput> {
    let path = if in_place { &job.output } else { &job.input };
    pause("open", path);
    let name = path.file_name().context("not a file name")?.to_owned();
    let folder = Folder::of_file(path).context("cannot open its folder")?;
    // In place through a link (`--follow`), the output is renamed in the folder of the file the
    // link leads to, which the walk did not see: the file's identity is checked alone.
    if !job.is_link && folder.id().context("cannot read its folder")? != job.folder_id {
        bail!("its folder was replaced since the directory was read; left alone");
    }
    let file = match folder.open_entry(&name, job.is_link && !in_place) {
        Ok(file) => file,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            bail!("replaced by a symbolic link since the directory was read; left alone")
        }
        Err(e) => return Err(e).context("cannot open"),
    };
    let meta = file.metadata().context("cannot read metadata")?;
    if !meta.is_file() {
        bail!("not a regular file (it was replaced since the directory was read)");
    }
    if FileId::of(&meta) != job.id {
        bail!("replaced by another file since the directory was read; left alone");
    }
    Ok(OpenedInput { file, meta, folder: Arc::new(folder), name })
}

/// Cleans one file into its output; nothing is written for a binary file or on error.
fn clean_file(job: &Job, shown_in_report: bool, context: &Settings<'_>) -> Result<Done> {
    let in_place = matches!(context.target, Target::InPlace { .. });
    let input = open_input(job, in_place)?;
    // The output, created once the input is known not to be binary. A mirror's folder is usually
    // there (made for an earlier file): it is created only when creating the file says it is
    // missing, which saves two system calls per file.
    let create_output = || -> Result<AtomicFile> {
        let file = if in_place {
            AtomicFile::create_in(Arc::clone(&input.folder), &input.name, PRIVATE_MODE)
        } else {
            match AtomicFile::create(&job.output, PRIVATE_MODE) {
                Err(e) if is_not_found(&e) => {
                    if let Some(parent) = job.output.parent() {
                        fs::create_dir_all(parent)
                            .with_context(|| format!("{}: cannot create the folder", parent.display()))?;
                    }
                    AtomicFile::create(&job.output, PRIVATE_MODE)
                }
                created => created,
            }
        };
        Ok(file?.fsync(context.fsync))
    };
    let source = job.input.display().to_string();
    let mut inspection = Inspection {
        rejects: context.rejects.then(|| RejectsSink::new(Vec::new(), source.clone())),
        spooled: None,
        report: context.report.then(|| PageCollector::new(shown_in_report)),
    };
    match open_as(job.format, &input.file).context("cannot read")? {
        Opened::Jsonl(compression, mut reader) => {
            if memchr_nul(reader.fill_buf().context("cannot read")?) {
                return Ok(Done::Binary);
            }
            let mut output = create_output()?;
            let mut bad = context.skip_bad_records.then(|| {
                LazyFile::new(LazyTarget::InFolder {
                    folder: Arc::clone(output.folder()),
                    name: with_suffix(output.name(), BAD_RECORDS_SUFFIX),
                    mode: input.meta.mode() & PERMISSION_BITS,
                    fsync: context.fsync,
                })
            });
            let mut encoder = compression.encoder(&mut output).context("cannot start compressing")?;
            let observe = context.rejects || context.report;
            let Inspection { rejects, report, .. } = &mut inspection;
            let mut observer = |record: u64, text: &str| {
                let rejects = rejects.as_mut().map(|sink| NumberedByRecord { sink, record });
                let report = report.as_mut().map(|pages| pages.start(&source, Some(record)));
                context.cleaner.clean_to_sink(text.as_bytes(), &mut (rejects, report)).map(drop).map_err(into_io_error)
            };
            let stats = context.jsonl.clean_observed(
                reader,
                &mut encoder,
                bad.as_mut().map(|b| b as &mut dyn Write),
                observe.then_some(&mut observer as _),
            )?;
            encoder.finish().with_context(|| format!("{}: cannot write", job.output.display()))?;
            commit(job, context, &input, output)?;
            if let Some(bad) = bad {
                let target = bad.target();
                if bad.commit()? {
                    notice(format_args!(
                        "{}: {} bad records copied to {}",
                        job.input.display(),
                        stats.bad_records,
                        target.display()
                    ));
                }
            }
            Ok(Done::Jsonl(stats, inspection))
        }
        Opened::Text(mut file) => {
            let mut head = Vec::with_capacity(BINARY_CHECK_BYTES as usize);
            (&mut file).take(BINARY_CHECK_BYTES).read_to_end(&mut head).context("cannot read")?;
            if memchr_nul(&head) {
                return Ok(Done::Binary);
            }
            let mut output = create_output()?;
            // A head shorter than asked for is the whole file: reading on would only meet the end
            // of the file again.
            let rest = if head.len() < BINARY_CHECK_BYTES as usize { 0 } else { u64::MAX };
            let mut text = TextSink::new(BufWriter::with_capacity(64 * 1024, &mut output));
            let reader = io::Cursor::new(head).chain(file.take(rest));
            if let Some(report) = inspection.report.as_mut() {
                report.start(&source, None);
            }
            let mut sinks = (&mut text, (inspection.rejects.as_mut(), inspection.report.as_mut()));
            let mut stats = context.cleaner.clean_to_sink(reader, &mut sinks)?;
            stats.output_bytes = text.bytes_written();
            drop(text);
            commit(job, context, &input, output)?;
            Ok(Done::Text(stats, inspection))
        }
    }
}

/// Renames the complete output over its target. In place, only when the input is still what
/// was read (a line appended meanwhile would be lost) and the cleaning changed something (an
/// unchanged file is not rewritten: its time stamps, owner and links stay), with the input's
/// owner, group, mode and extended attributes, after linking the backup.
fn commit(job: &Job, context: &Settings<'_>, input: &OpenedInput, output: AtomicFile) -> Result<()> {
    let Target::InPlace { backup_suffix } = context.target else {
        output.set_mode(input.meta.mode() & PERMISSION_BITS)?;
        return output.commit(None);
    };
    pause("commit", &job.output);
    let now = input.file.metadata().context("cannot read metadata")?;
    let current = input.folder.entry_id(&input.name).context("cannot read metadata")?;
    if now.len() != input.meta.len() || now.modified().ok() != input.meta.modified().ok() || current != job.id {
        bail!("changed while it was being cleaned; left as it was (clean it again)");
    }
    if output.same_bytes_as(&input.file).context("cannot compare with the cleaned text")? {
        return Ok(());
    }
    output.keep_metadata_of(&input.file, &input.meta)?;
    let backup = backup_suffix.as_deref().map(|suffix| with_suffix(&input.name, suffix));
    output.commit(backup.as_deref())
}

fn is_not_found(error: &anyhow::Error) -> bool {
    error.root_cause().downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::NotFound)
}

fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use dechrome::jsonl::JsonlOptions;

    use super::*;

    /// A file swapped for a FIFO after the walk: `clean_file` reports it instead of waiting for
    /// a writer that never comes, and writes nothing.
    #[test]
    fn a_fifo_in_place_of_a_walked_file_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("page.txt");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        for format in [Format::Text, Format::Jsonl] {
            let (sender, receiver) = mpsc::channel();
            let (input, output) = (fifo.clone(), out.join("page.txt"));
            // On its own thread, so that a hang fails the test instead of stopping it.
            std::thread::spawn(move || {
                let cleaner = Cleaner::builder().build().unwrap();
                let options = JsonlOptions {
                    text_key: dechrome::jsonl::DEFAULT_TEXT_KEY.to_string(),
                    drop_empty: false,
                    skip_bad_records: false,
                    max_record_bytes: dechrome::jsonl::DEFAULT_MAX_RECORD_BYTES,
                };
                let settings = Settings {
                    cleaner: &cleaner,
                    jsonl: JsonlCleaner::new(cleaner.clone(), options),
                    target: &Target::Mirror(PathBuf::from("unused")),
                    skip_bad_records: false,
                    fsync: false,
                    rejects: false,
                    report: false,
                };
                let folder = FileId::of(&fs::metadata(input.parent().unwrap()).unwrap());
                let job = Job { input, output, format, id: folder, folder_id: folder, is_link: false };
                let result = clean_file(&job, false, &settings).map(|_| ()).map_err(|e| format!("{e:#}"));
                let _ = sender.send(result);
            });
            let result = receiver.recv_timeout(Duration::from_secs(30)).expect("opening a FIFO blocked");
            let error = result.expect_err("a FIFO is not cleaned");
            assert!(error.contains("not a regular file"), "{format:?}: {error}");
            assert_eq!(fs::read_dir(&out).unwrap().count(), 0, "{format:?}: nothing is written");
        }
    }
}
