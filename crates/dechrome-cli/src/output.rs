//! Output destinations: stdout, or a file replaced atomically when the output is complete.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use tempfile::NamedTempFile;

/// Temporary files are named `.dechrome-` + random letters and digits + `.tmp`, so that a
/// later run can tell the ones a killed run left behind from the user's own files.
const TEMP_PREFIX: &str = ".dechrome-";
const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RANDOM_CHARS: usize = 10;

/// A temporary file not modified for this long belongs to a run that ended without cleaning
/// up; a running one writes to its file as it goes, and one that is stopped only loses the
/// files it had under way (the rename fails and is reported).
const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// Creates a temporary file in the folder of `target` (which must exist).
fn temp_file_beside(target: &Path) -> Result<NamedTempFile> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM_CHARS)
        .tempfile_in(parent)
        .with_context(|| format!("{}: cannot create a temporary file in {}", target.display(), parent.display()))
}

/// True when `name` is the name of one of dechrome's temporary files.
pub(crate) fn is_temp_name(name: &OsStr) -> bool {
    name.to_str()
        .and_then(|name| name.strip_prefix(TEMP_PREFIX))
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|random| random.len() == TEMP_RANDOM_CHARS && random.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes `path`, a file named like a temporary file, when it is a regular file (not a link)
/// that was not modified for [`STALE_AFTER`]. Returns whether it was removed.
pub(crate) fn remove_if_stale(path: &Path) -> io::Result<bool> {
    let meta = fs::symlink_metadata(path)?;
    // A modification time in the future (clock skew) counts as fresh.
    let age = SystemTime::now().duration_since(meta.modified()?).unwrap_or_default();
    if !meta.file_type().is_file() || age < STALE_AFTER {
        return Ok(false);
    }
    fs::remove_file(path)?;
    Ok(true)
}

/// Where the cleaned text goes.
pub(crate) enum Destination {
    Stdout(io::StdoutLock<'static>),
    /// Something that is not a regular file (`/dev/stdout`, a FIFO, a terminal), written
    /// directly: it cannot be replaced by a rename, and has no half-written state to avoid.
    Device {
        writer: BufWriter<fs::File>,
        target: PathBuf,
    },
    /// A temporary file beside `target`, renamed over it by [`Destination::commit`].
    File {
        temp: BufWriter<NamedTempFile>,
        target: PathBuf,
    },
}

impl Destination {
    /// `None` or `-` is stdout. A link to a regular file is followed, so the rename replaces
    /// the file it points to, not the link.
    pub(crate) fn open(output: Option<&Path>) -> Result<Self> {
        let Some(target) = output.filter(|path| path.as_os_str() != "-") else {
            return Ok(Destination::Stdout(io::stdout().lock()));
        };
        let existing = fs::metadata(target).ok();
        if existing.as_ref().is_some_and(|meta| !meta.file_type().is_file()) {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(target)
                .with_context(|| format!("{}: cannot open for writing", target.display()))?;
            return Ok(Destination::Device { writer: BufWriter::new(file), target: target.to_path_buf() });
        }
        let target = match existing {
            Some(_) => fs::canonicalize(target).with_context(|| target.display().to_string())?,
            None => target.to_path_buf(),
        };
        Ok(Destination::File { temp: BufWriter::new(temp_file_beside(&target)?), target })
    }

    /// The folder a file output is renamed into.
    pub(crate) fn folder(&self) -> Option<&Path> {
        match self {
            Destination::File { target, .. } => target.parent(),
            _ => None,
        }
    }

    /// Flushes and, for a file, renames the complete output over the target, keeping the
    /// target's permissions when it already exists.
    pub(crate) fn commit(self) -> Result<()> {
        match self {
            Destination::Stdout(mut out) => out.flush().context("stdout"),
            Destination::Device { mut writer, target } => writer.flush().with_context(|| target.display().to_string()),
            Destination::File { temp, target } => {
                let temp =
                    temp.into_inner().map_err(|e| e.into_error()).with_context(|| target.display().to_string())?;
                temp.as_file().sync_all().with_context(|| target.display().to_string())?;
                if let Ok(meta) = fs::metadata(&target) {
                    temp.as_file()
                        .set_permissions(meta.permissions())
                        .with_context(|| format!("{}: cannot copy permissions", target.display()))?;
                }
                temp.persist(&target)
                    .map_err(|e| e.error)
                    .with_context(|| format!("{}: cannot replace", target.display()))?;
                Ok(())
            }
        }
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::Stdout(out) => out.write(buf),
            Destination::Device { writer, .. } => writer.write(buf),
            Destination::File { temp, .. } => temp.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::Stdout(out) => out.flush(),
            Destination::Device { writer, .. } => writer.flush(),
            Destination::File { temp, .. } => temp.flush(),
        }
    }
}

/// A file written beside its target under a temporary name and renamed over it when complete,
/// so the target is never seen half written. Dropped without [`AtomicFile::commit`], the
/// temporary file is removed and the target left as it was.
pub(crate) struct AtomicFile {
    temp: NamedTempFile,
    target: PathBuf,
    fsync: bool,
}

impl AtomicFile {
    /// Creates the temporary file in the target's folder (which must exist).
    pub(crate) fn create(target: &Path) -> Result<Self> {
        Ok(Self { temp: temp_file_beside(target)?, target: target.to_path_buf(), fsync: false })
    }

    /// With `yes`, [`AtomicFile::commit`] flushes the file to disk before renaming it. The
    /// rename itself is durable once the folder is synced too (see [`sync_dir`]).
    pub(crate) fn fsync(mut self, yes: bool) -> Self {
        self.fsync = yes;
        self
    }

    /// Gives the file `permissions`, links the current target to `backup` when asked, and
    /// renames the file over the target.
    pub(crate) fn commit(self, permissions: Option<fs::Permissions>, backup: Option<&Path>) -> Result<()> {
        let target = &self.target;
        if let Some(permissions) = permissions {
            // Through the open file: no second path lookup.
            self.temp
                .as_file()
                .set_permissions(permissions)
                .with_context(|| format!("{}: cannot set permissions", target.display()))?;
        }
        if self.fsync {
            self.temp.as_file().sync_all().with_context(|| format!("{}: cannot flush to disk", target.display()))?;
        }
        if let Some(backup) = backup {
            make_backup(target, backup)?;
        }
        self.temp
            .persist(target)
            .map_err(|e| e.error)
            .with_context(|| format!("{}: cannot replace", target.display()))?;
        Ok(())
    }
}

/// Flushes the entries of `folder` (names created, renamed or linked in it) to disk.
pub(crate) fn sync_dir(folder: &Path) -> Result<()> {
    let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
    fs::File::open(folder)
        .and_then(|dir| dir.sync_all())
        .with_context(|| format!("{}: cannot flush the folder to disk", folder.display()))
}

/// Makes `backup` a copy of `original` (a hard link when the file system allows), replacing
/// an older backup.
fn make_backup(original: &Path, backup: &Path) -> Result<()> {
    match fs::remove_file(backup) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("{}: cannot replace the old backup", backup.display())),
    }
    if fs::hard_link(original, backup).is_err() {
        fs::copy(original, backup).with_context(|| format!("{}: cannot write the backup", backup.display()))?;
    }
    Ok(())
}

/// A file created (atomically, like [`AtomicFile`]) only if something is written to it.
pub(crate) struct LazyFile {
    target: PathBuf,
    file: Option<BufWriter<AtomicFile>>,
    fsync: bool,
}

impl LazyFile {
    pub(crate) fn new(target: PathBuf) -> Self {
        Self { target, file: None, fsync: false }
    }

    /// See [`AtomicFile::fsync`].
    pub(crate) fn fsync(mut self, yes: bool) -> Self {
        self.fsync = yes;
        self
    }

    pub(crate) fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the file into place if it was created; returns whether it was.
    pub(crate) fn commit(self) -> Result<bool> {
        match self.file {
            None => Ok(false),
            Some(file) => {
                let file =
                    file.into_inner().map_err(|e| e.into_error()).with_context(|| self.target.display().to_string())?;
                file.commit(None, None)?;
                Ok(true)
            }
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

impl Write for LazyFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() {
            let file = AtomicFile::create(&self.target).map_err(|e| io::Error::other(format!("{e:#}")))?;
            self.file = Some(BufWriter::new(file.fsync(self.fsync)));
        }
        match &mut self.file {
            Some(file) => file.write(buf),
            None => Ok(0),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_files_have_the_names_that_are_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let file = AtomicFile::create(&dir.path().join("page.txt")).unwrap();
        let name = file.temp.path().file_name().unwrap();
        assert!(is_temp_name(name), "{name:?}");
        for other in [".dechrome-notes.txt", ".dechrome-abc.tmp", ".dechrome-abcdefghi!.tmp", "dechrome-abcdefghij.tmp"]
        {
            assert!(!is_temp_name(OsStr::new(other)), "{other}");
        }
    }
}
