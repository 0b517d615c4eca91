//! Finding the files under the input directories: every regular file, hidden ones included,
//! filtered by `--glob` and `--exclude`, symbolic links followed only with `--follow`. Backups
//! (with `-iSUFFIX`), the bad-records files of an in-place run and dechrome's own temporary files
//! are never inputs.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use walkdir::WalkDir;

use super::output::{FileId, is_temp_name};
use super::plan::BAD_RECORDS_SUFFIX;

/// Include and exclude patterns. A pattern without `/` is matched against the file name, one
/// with `/` against the path relative to the input directory.
pub(crate) struct Filters {
    include_names: GlobSet,
    include_paths: GlobSet,
    has_includes: bool,
    exclude_names: GlobSet,
    exclude_paths: GlobSet,
    /// In place with a backup suffix: files whose names end in it are backups, not inputs.
    backup_suffix: Option<String>,
    /// In place: the bad-records files an earlier run wrote beside its outputs are not inputs.
    in_place: bool,
}

fn compile(patterns: &[String], option: &str) -> Result<(GlobSet, GlobSet)> {
    let mut names = GlobSetBuilder::new();
    let mut paths = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .with_context(|| format!("{option} {pattern:?}: invalid pattern"))?;
        if pattern.contains('/') {
            paths.add(glob);
        } else {
            names.add(glob);
        }
    }
    Ok((names.build()?, paths.build()?))
}

impl Filters {
    pub(crate) fn new(
        globs: &[String],
        excludes: &[String],
        backup_suffix: Option<&str>,
        in_place: bool,
    ) -> Result<Self> {
        let (include_names, include_paths) = compile(globs, "--glob")?;
        let (exclude_names, exclude_paths) = compile(excludes, "--exclude")?;
        Ok(Self {
            include_names,
            include_paths,
            has_includes: !globs.is_empty(),
            exclude_names,
            exclude_paths,
            backup_suffix: backup_suffix.map(str::to_owned),
            in_place,
        })
    }

    /// True when `path` names what an earlier in-place run kept: a backup made with the same
    /// suffix, or a bad-records file.
    pub(crate) fn is_backup(&self, path: &Path) -> bool {
        let Some(name) = path.file_name().map(|name| name.as_encoded_bytes()) else { return false };
        self.backup_suffix.as_ref().is_some_and(|suffix| name.ends_with(suffix.as_bytes()))
            || (self.in_place && name.ends_with(BAD_RECORDS_SUFFIX.as_bytes()))
    }

    fn matches(names: &GlobSet, paths: &GlobSet, relative: &Path) -> bool {
        relative.file_name().is_some_and(|name| names.is_match(name)) || paths.is_match(relative)
    }

    fn excluded(&self, relative: &Path) -> bool {
        Self::matches(&self.exclude_names, &self.exclude_paths, relative)
    }

    fn included(&self, relative: &Path) -> bool {
        !self.has_includes || Self::matches(&self.include_names, &self.include_paths, relative)
    }
}

/// A file to clean.
pub(crate) struct Found {
    pub path: PathBuf,
    /// Its path relative to the input directory.
    pub relative: PathBuf,
    /// True when `path` itself is a symbolic link (followed).
    pub is_link: bool,
    /// The file found (for a link, the file it leads to): what is opened later must be it.
    pub id: FileId,
    /// The folder the walk found it in.
    pub folder_id: FileId,
}

/// What a walk found, skipped and could not read.
#[derive(Default)]
pub(crate) struct Walked {
    pub files: Vec<Found>,
    /// Symbolic links not followed (no `--follow`).
    pub symlinks: u64,
    /// Entries that are neither files nor directories (FIFOs, sockets, devices).
    pub special: u64,
    /// Backups and bad-records files of an earlier in-place run (names ending in the `-i` suffix
    /// or in `.bad-records`) that `--glob` and `--exclude` would otherwise have taken.
    pub backups: u64,
    /// Entries that could not be read (a dangling link with `--follow`, a link loop, no access,
    /// a folder removed while the walk was under way).
    pub errors: Vec<anyhow::Error>,
    /// Entries named like dechrome's temporary files: left behind by a run that was killed, or
    /// being written by one still running.
    pub temp_files: Vec<PathBuf>,
}

/// Walks `root` in file-name order and adds what it finds to `walked`.
pub(crate) fn walk(root: &Path, follow: bool, filters: &Filters, walked: &mut Walked) {
    let relative_of =
        |path: &Path| path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf());
    let entries = WalkDir::new(root)
        .follow_links(follow)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !filters.excluded(&relative_of(entry.path())));
    // The folders walked, to check later that a file is opened in the folder it was found in.
    let mut folders: HashMap<PathBuf, FileId> = HashMap::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                let message = match e.loop_ancestor() {
                    Some(ancestor) => format!("symbolic link loop back to {}", ancestor.display()),
                    None => match e.io_error() {
                        Some(io) => io.to_string(),
                        None => e.to_string(),
                    },
                };
                walked.errors.push(anyhow::anyhow!("{path}: {message}"));
                continue;
            }
        };
        let file_type = entry.file_type();
        if file_type.is_dir() {
            match fs::metadata(entry.path()) {
                Ok(meta) => {
                    folders.insert(entry.into_path(), FileId::of(&meta));
                }
                Err(e) => walked.errors.push(anyhow::anyhow!("{}: {e}", entry.path().display())),
            }
            continue;
        }
        if is_temp_name(entry.file_name()) {
            walked.temp_files.push(entry.into_path());
            continue;
        }
        if file_type.is_symlink() {
            walked.symlinks += 1;
            continue;
        }
        if !file_type.is_file() {
            walked.special += 1;
            continue;
        }
        let relative = relative_of(entry.path());
        if !filters.included(&relative) {
            continue;
        }
        if filters.is_backup(&relative) {
            walked.backups += 1;
            continue;
        }
        let ids = entry.metadata().map(|meta| FileId::of(&meta)).map_err(|e| e.to_string()).and_then(|id| {
            let folder = entry.path().parent().and_then(|parent| folders.get(parent));
            folder.map(|folder| (id, *folder)).ok_or_else(|| "its folder was not walked".to_string())
        });
        match ids {
            Ok((id, folder_id)) => {
                let is_link = entry.path_is_symlink();
                walked.files.push(Found { path: entry.into_path(), relative, is_link, id, folder_id });
            }
            Err(e) => walked.errors.push(anyhow::anyhow!("{}: {e}", entry.path().display())),
        }
    }
}

/// The files under `root` in walk order, for reading them as streams. Entries that cannot be
/// read are an error.
pub(crate) fn files_under(root: &Path, follow: bool, filters: &Filters) -> Result<Vec<PathBuf>> {
    let mut walked = Walked::default();
    walk(root, follow, filters, &mut walked);
    let count = walked.errors.len();
    let mut errors = walked.errors.into_iter();
    match (errors.next(), count) {
        (None, _) => Ok(walked.files.into_iter().map(|found| found.path).collect()),
        (Some(only), 1) => Err(only),
        (Some(first), _) => {
            for error in std::iter::once(first).chain(errors) {
                eprintln!("dechrome: {error:#}");
            }
            bail!("{}: {count} entries cannot be read", root.display())
        }
    }
}
