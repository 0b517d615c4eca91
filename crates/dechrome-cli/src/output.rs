//! Output destinations: stdout, a file replaced atomically when the output is complete, or
//! something that is not a regular file (a device, a FIFO, a terminal, a path through
//! `/proc/self/fd`), written into.
//!
//! Files are created, linked and renamed relative to a handle on their folder ([`Folder`]), so a
//! folder swapped for a link after it was opened cannot redirect the write elsewhere.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use rustix::fs::{AtFlags, Mode, OFlags};

/// Temporary files are named `.dechrome-` + random letters and digits + `.tmp`, so that a
/// later run can tell the ones a killed run left behind from the user's own files.
const TEMP_PREFIX: &str = ".dechrome-";
const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RANDOM_CHARS: usize = 10;

/// A temporary file not modified for this long belongs to a run that ended without cleaning
/// up; a running one writes to its file as it goes, and one that is stopped only loses the
/// files it had under way (the rename fails and is reported).
const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// Mode asked for when creating a file that replaces nothing: the umask takes its part, as for
/// any new file.
pub(crate) const NEW_FILE_MODE: u32 = 0o666;
/// Mode of a temporary file while it is written, before it takes its target's mode.
pub(crate) const PRIVATE_MODE: u32 = 0o600;
/// Set-user-ID and set-group-ID bits.
const SETID_BITS: u32 = 0o6000;
/// The longest list of extended attribute names, and the largest value, Linux allows.
const XATTR_MAX: usize = 64 * 1024;
/// Symbolic links followed at most when finding where an output path leads (as the kernel).
const MAX_LINKS: usize = 40;

/// What a file is, whatever its names: device and inode numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    pub(crate) fn of(meta: &fs::Metadata) -> Self {
        Self { dev: meta.dev(), ino: meta.ino() }
    }

    fn of_stat(stat: &rustix::fs::Stat) -> Self {
        // The field types vary between targets; both fit in 64 bits everywhere.
        #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
        Self { dev: stat.st_dev as u64, ino: stat.st_ino as u64 }
    }
}

/// An open folder, and its path for messages.
pub(crate) struct Folder {
    fd: OwnedFd,
    path: PathBuf,
}

impl Folder {
    /// Opens the folder at `path` (`""` is the current folder).
    pub(crate) fn open(path: &Path) -> io::Result<Self> {
        let path = if path.as_os_str().is_empty() { Path::new(".") } else { path };
        let fd = rustix::fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        Ok(Self { fd, path: path.to_path_buf() })
    }

    /// Opens the folder of the file at `path`.
    pub(crate) fn of_file(path: &Path) -> io::Result<Self> {
        Self::open(path.parent().unwrap_or(Path::new("")))
    }

    pub(crate) fn id(&self) -> io::Result<FileId> {
        Ok(FileId::of_stat(&rustix::fs::fstat(&self.fd)?))
    }

    /// The path of the entry `name` of this folder, for messages.
    pub(crate) fn path_of(&self, name: &OsStr) -> PathBuf {
        self.path.join(name)
    }

    /// Opens the entry `name` for reading without following a link (`follow` false) and
    /// without blocking on a FIFO (on a regular file the flag changes nothing).
    pub(crate) fn open_entry(&self, name: &OsStr, follow: bool) -> io::Result<File> {
        let mut flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
        if !follow {
            flags |= OFlags::NOFOLLOW;
        }
        Ok(File::from(rustix::fs::openat(&self.fd, name, flags, Mode::empty())?))
    }

    /// What the entry `name` is now (a link is not followed).
    pub(crate) fn entry_id(&self, name: &OsStr) -> io::Result<FileId> {
        Ok(FileId::of_stat(&rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)?))
    }

    /// Flushes the entries of the folder (names created, renamed or linked in it) to disk.
    pub(crate) fn sync(&self) -> Result<()> {
        rustix::fs::fsync(&self.fd)
            .map_err(io::Error::from)
            .with_context(|| format!("{}: cannot flush the folder to disk", self.path.display()))
    }
}

/// Flushes the entries of `folder` to disk.
pub(crate) fn sync_dir(folder: &Path) -> Result<()> {
    Folder::open(folder)
        .with_context(|| format!("{}: cannot open the folder", folder.display()))
        .and_then(|folder| folder.sync())
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

/// Fails when stdout is closed (`>&-`): what is written there would be lost without a word. The
/// standard library opens `/dev/null` read-write on a standard stream that is closed when the
/// program starts; a shell redirects stdout to `/dev/null` write-only.
pub(crate) fn check_stdout_open() -> Result<()> {
    let stdout = io::stdout();
    let Ok(stat) = rustix::fs::fstat(&stdout) else { bail!("stdout is closed; name an output file with -o") };
    let read_write = rustix::fs::fcntl_getfl(&stdout).is_ok_and(|flags| flags & OFlags::ACCMODE == OFlags::RDWR);
    let is_null = rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::CharacterDevice
        && rustix::fs::stat("/dev/null").is_ok_and(|null| null.st_rdev == stat.st_rdev);
    if read_write && is_null {
        bail!("stdout is closed; name an output file with -o");
    }
    Ok(())
}

/// True when writing to `path` must go into what is there rather than replace it: anything
/// that is not a regular file, and any path that leads through procfs (`/dev/stdout`,
/// `/proc/self/fd/N`), whose names stand for open files that a rename would not reach.
fn is_written_into(path: &Path) -> bool {
    if fs::metadata(path).is_ok_and(|meta| !meta.is_file()) {
        return true;
    }
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if rustix::fs::statfs(&parent).is_ok_and(|fs| fs.f_type == rustix::fs::PROC_SUPER_MAGIC) {
            return true;
        }
        match fs::read_link(&path) {
            Ok(link) => path = parent.join(link),
            Err(_) => return false,
        }
    }
    false
}

/// Where an output path writes: an existing regular file, or a new file at a real path. `None`
/// for things written into that are not files (devices, FIFOs), which outputs may share.
#[derive(PartialEq, Eq)]
enum Place {
    File(FileId),
    New(PathBuf),
}

fn place_of(path: &Path) -> Option<Place> {
    match fs::metadata(path) {
        Ok(meta) => meta.is_file().then(|| Place::File(FileId::of(&meta))),
        Err(_) => {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            // A folder that cannot be resolved cannot be written to either; that is reported then.
            let real = fs::canonicalize(parent).ok()?;
            Some(Place::New(real.join(path.file_name()?)))
        }
    }
}

/// Refuses, before anything is written, outputs that would replace an input or each other:
/// `outputs` are (option, path), `inputs` the files read (`None` for stdin). Files are compared
/// by device and inode, whatever names lead to them.
pub(crate) fn refuse_clashes(inputs: &[Option<&Path>], outputs: &[(&str, &Path)]) -> Result<()> {
    let mut input_ids = Vec::with_capacity(inputs.len());
    for input in inputs {
        let id = match input {
            Some(path) => fs::metadata(path).ok().filter(fs::Metadata::is_file).map(|meta| FileId::of(&meta)),
            None => rustix::fs::fstat(io::stdin())
                .ok()
                .filter(|stat| rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::RegularFile)
                .map(|stat| FileId::of_stat(&stat)),
        };
        if let Some(id) = id {
            input_ids.push((id, input.map_or_else(|| "stdin".into(), |p| p.display().to_string())));
        }
    }
    let mut seen: Vec<(Place, &str, &Path)> = Vec::new();
    for &(option, path) in outputs {
        let Some(place) = place_of(path) else { continue };
        if let Place::File(id) = place
            && let Some((_, input)) = input_ids.iter().find(|(input_id, _)| *input_id == id)
        {
            bail!("{option} {} is the input {input}; nothing was written", path.display());
        }
        if let Some((_, other_option, other)) = seen.iter().find(|(other, _, _)| *other == place) {
            bail!(
                "{option} {} and {other_option} {} are the same file; nothing was written",
                path.display(),
                other.display()
            );
        }
        seen.push((place, option, path));
    }
    Ok(())
}

/// Where the cleaned text (or a side output) goes.
pub(crate) enum Destination {
    Stdout(io::StdoutLock<'static>),
    /// Something that is not a regular file, written into: it cannot be replaced by a rename,
    /// and has no half-written state to avoid.
    Device {
        writer: BufWriter<File>,
        target: PathBuf,
    },
    /// A temporary file renamed over the target by [`Destination::commit`], with the mode the
    /// target had.
    File {
        temp: BufWriter<AtomicFile>,
        mode: Option<u32>,
    },
}

impl Destination {
    /// `None` or `-` is stdout. A regular file, or a new path, is replaced atomically; a link to
    /// a regular file is followed, so the rename replaces the file it points to, not the link.
    /// Anything else is written into (see [`is_written_into`]).
    pub(crate) fn open(output: Option<&Path>) -> Result<Self> {
        let Some(target) = output.filter(|path| path.as_os_str() != "-") else {
            check_stdout_open()?;
            return Ok(Destination::Stdout(io::stdout().lock()));
        };
        if is_written_into(target) {
            let existing_file = fs::metadata(target).is_ok_and(|meta| meta.is_file());
            // An open file behind `/proc/self/fd` (`>>`) keeps what it holds.
            let file = fs::OpenOptions::new()
                .write(true)
                .append(existing_file)
                .open(target)
                .with_context(|| format!("{}: cannot open for writing", target.display()))?;
            return Ok(Destination::Device { writer: BufWriter::new(file), target: target.to_path_buf() });
        }
        let (target, mode, create_mode) = match fs::metadata(target) {
            Ok(meta) => (
                fs::canonicalize(target).with_context(|| target.display().to_string())?,
                Some(meta.mode()),
                PRIVATE_MODE,
            ),
            Err(_) => (target.to_path_buf(), None, NEW_FILE_MODE),
        };
        let temp = AtomicFile::create(&target, create_mode)?.fsync(true);
        Ok(Destination::File { temp: BufWriter::new(temp), mode })
    }

    /// The folder a file output is renamed into.
    pub(crate) fn folder(&self) -> Option<Arc<Folder>> {
        match self {
            Destination::File { temp, .. } => Some(Arc::clone(temp.get_ref().folder())),
            _ => None,
        }
    }

    /// Flushes and, for a file, renames the complete output over the target.
    pub(crate) fn commit(self) -> Result<()> {
        match self {
            Destination::Stdout(mut out) => out.flush().context("stdout"),
            Destination::Device { mut writer, target } => writer.flush().with_context(|| target.display().to_string()),
            Destination::File { temp, mode } => {
                let temp = temp.into_inner().map_err(|e| e.into_error()).context("cannot write")?;
                if let Some(mode) = mode {
                    temp.set_mode(mode)?;
                }
                temp.commit(None)
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

/// A file written in its target's folder under a temporary name and renamed over the target
/// when complete, so the target is never seen half written. Dropped without
/// [`AtomicFile::commit`], the temporary file is removed and the target left as it was.
pub(crate) struct AtomicFile {
    folder: Arc<Folder>,
    temp_name: OsString,
    file: File,
    name: OsString,
    fsync: bool,
    committed: bool,
}

impl AtomicFile {
    /// Creates the temporary file in the folder of `target` (which must exist), with `mode`
    /// (less the umask).
    pub(crate) fn create(target: &Path, mode: u32) -> Result<Self> {
        let folder =
            Folder::of_file(target).with_context(|| format!("{}: cannot open its folder", target.display()))?;
        let name = target.file_name().with_context(|| format!("{}: not a file name", target.display()))?;
        Self::create_in(Arc::new(folder), name, mode)
    }

    /// Creates the temporary file for the entry `name` of `folder`.
    pub(crate) fn create_in(folder: Arc<Folder>, name: &OsStr, mode: u32) -> Result<Self> {
        let flags = OFlags::RDWR | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mut attempts = 0;
        loop {
            let random: String = std::iter::repeat_with(fastrand::alphanumeric).take(TEMP_RANDOM_CHARS).collect();
            let temp_name = OsString::from(format!("{TEMP_PREFIX}{random}{TEMP_SUFFIX}"));
            match rustix::fs::openat(&folder.fd, &temp_name, flags, Mode::from_raw_mode(mode)) {
                Ok(fd) => {
                    let file = File::from(fd);
                    return Ok(Self { folder, temp_name, file, name: name.to_owned(), fsync: false, committed: false });
                }
                Err(rustix::io::Errno::EXIST) if attempts < 100 => attempts += 1,
                Err(e) => {
                    return Err(io::Error::from(e)).with_context(|| {
                        format!(
                            "{}: cannot create a temporary file in {}",
                            folder.path_of(name).display(),
                            folder.path.display()
                        )
                    });
                }
            }
        }
    }

    /// With `yes`, [`AtomicFile::commit`] flushes the file to disk before renaming it. The
    /// rename itself is durable once the folder is synced too (see [`Folder::sync`]).
    pub(crate) fn fsync(mut self, yes: bool) -> Self {
        self.fsync = yes;
        self
    }

    /// The folder the file is renamed in.
    pub(crate) fn folder(&self) -> &Arc<Folder> {
        &self.folder
    }

    /// The name of the target in its folder.
    pub(crate) fn name(&self) -> &OsStr {
        &self.name
    }

    /// The path of the target, for messages.
    pub(crate) fn target(&self) -> PathBuf {
        self.folder.path_of(&self.name)
    }

    pub(crate) fn set_mode(&self, mode: u32) -> Result<()> {
        rustix::fs::fchmod(&self.file, Mode::from_raw_mode(mode & 0o7777))
            .map_err(io::Error::from)
            .with_context(|| format!("{}: cannot set permissions", self.target().display()))
    }

    /// Gives the file the owner, group, mode and extended attributes of `original` (described
    /// by `meta`). When the owner cannot be kept (not root), the set-user-ID and set-group-ID
    /// bits are cleared: they would otherwise grant the new owner's rights.
    pub(crate) fn keep_metadata_of(&self, original: &File, meta: &fs::Metadata) -> Result<()> {
        let target = self.target();
        let mut mode = meta.mode();
        let owner = rustix::fs::Uid::from_raw(meta.uid());
        let group = rustix::fs::Gid::from_raw(meta.gid());
        if rustix::fs::fchown(&self.file, Some(owner), Some(group)).is_err() {
            mode &= !SETID_BITS;
        }
        // After the owner: changing it clears the set-ID bits.
        self.set_mode(mode)?;
        let mut names = vec![0u8; XATTR_MAX];
        let listed = match rustix::fs::flistxattr(original, &mut names[..]) {
            Ok(len) => len,
            // The file system has no extended attributes: there are none to keep.
            Err(rustix::io::Errno::NOTSUP) => 0,
            Err(e) => {
                return Err(io::Error::from(e))
                    .with_context(|| format!("{}: cannot list its extended attributes", target.display()));
            }
        };
        let mut value = vec![0u8; XATTR_MAX];
        for name in names[..listed].split(|&b| b == 0).filter(|name| !name.is_empty()) {
            let name = OsStr::from_bytes(name);
            let copied = rustix::fs::fgetxattr(original, name, &mut value[..]).and_then(|len| {
                rustix::fs::fsetxattr(&self.file, name, &value[..len], rustix::fs::XattrFlags::empty())
            });
            copied.map_err(io::Error::from).with_context(|| {
                format!("{}: cannot keep the extended attribute {}", target.display(), name.to_string_lossy())
            })?;
        }
        Ok(())
    }

    /// True when the file holds exactly the bytes of `other`.
    pub(crate) fn same_bytes_as(&self, other: &File) -> io::Result<bool> {
        if self.file.metadata()?.len() != other.metadata()?.len() {
            return Ok(false);
        }
        let (mut ours, mut theirs) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
        let mut offset = 0u64;
        loop {
            let n = read_full_at(&self.file, &mut ours, offset)?;
            let m = read_full_at(other, &mut theirs, offset)?;
            if ours[..n] != theirs[..m] {
                return Ok(false);
            }
            if n == 0 {
                return Ok(true);
            }
            offset += n as u64;
        }
    }

    /// Makes the entry `backup` of the folder a copy of the current target, when asked and
    /// when there is no backup yet, then renames the file over the target.
    pub(crate) fn commit(mut self, backup: Option<&OsStr>) -> Result<()> {
        let target = self.target();
        if self.fsync {
            self.file.sync_all().with_context(|| format!("{}: cannot flush to disk", target.display()))?;
        }
        if let Some(backup) = backup {
            self.make_backup(backup)?;
        }
        rustix::fs::renameat(&self.folder.fd, &self.temp_name, &self.folder.fd, &self.name)
            .map_err(io::Error::from)
            .with_context(|| format!("{}: cannot replace", target.display()))?;
        self.committed = true;
        Ok(())
    }

    /// Links the current target to `backup` (copies it where links are not allowed). An
    /// existing backup is never replaced: it holds the first original, which a second run (after
    /// a kill, or at the same time) would otherwise overwrite with text already cleaned.
    fn make_backup(&self, backup: &OsStr) -> Result<()> {
        let backup_path = self.folder.path_of(backup);
        let fd = &self.folder.fd;
        match rustix::fs::linkat(fd, &self.name, fd, backup, AtFlags::empty()) {
            Ok(()) => Ok(()),
            Err(rustix::io::Errno::EXIST) => {
                eprintln!(
                    "dechrome: {}: kept as it was: the backup of an earlier run is not replaced",
                    backup_path.display()
                );
                Ok(())
            }
            Err(rustix::io::Errno::PERM | rustix::io::Errno::OPNOTSUPP | rustix::io::Errno::MLINK) => {
                self.copy_backup(backup).with_context(|| format!("{}: cannot write the backup", backup_path.display()))
            }
            Err(e) => {
                Err(io::Error::from(e)).with_context(|| format!("{}: cannot write the backup", backup_path.display()))
            }
        }
    }

    fn copy_backup(&self, backup: &OsStr) -> io::Result<()> {
        let fd = &self.folder.fd;
        let mut original = File::from(rustix::fs::openat(
            fd,
            &self.name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?);
        let mode = original.metadata()?.mode() & 0o777;
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mut copy = match rustix::fs::openat(fd, backup, flags, Mode::from_raw_mode(mode)) {
            Ok(copy) => File::from(copy),
            Err(rustix::io::Errno::EXIST) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        io::copy(&mut original, &mut copy)?;
        copy.sync_all()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            // Nothing more can be done if it fails: a later run removes it once stale.
            let _ = rustix::fs::unlinkat(&self.folder.fd, &self.temp_name, AtFlags::empty());
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Reads into `buf` from `offset` until it is full or the file ends; returns the bytes read.
fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Where a [`LazyFile`] is made when something is written to it.
pub(crate) enum LazyTarget {
    /// An output path named by the user, opened by [`Destination::open`].
    Named(PathBuf),
    /// An entry of a folder, renamed in (whatever is there is replaced, never followed), with
    /// this mode.
    InFolder { folder: Arc<Folder>, name: OsString, mode: u32, fsync: bool },
}

/// A file created only if something is written to it.
pub(crate) struct LazyFile {
    target: LazyTarget,
    file: Option<BufWriter<Destination>>,
}

impl LazyFile {
    pub(crate) fn new(target: LazyTarget) -> Self {
        Self { target, file: None }
    }

    pub(crate) fn target(&self) -> PathBuf {
        match &self.target {
            LazyTarget::Named(path) => path.clone(),
            LazyTarget::InFolder { folder, name, .. } => folder.path_of(name),
        }
    }

    fn open(&self) -> Result<Destination> {
        Ok(match &self.target {
            LazyTarget::Named(path) => Destination::open(Some(path))?,
            LazyTarget::InFolder { folder, name, mode, fsync } => {
                let temp = AtomicFile::create_in(Arc::clone(folder), name, PRIVATE_MODE)?.fsync(*fsync);
                Destination::File { temp: BufWriter::new(temp), mode: Some(*mode) }
            }
        })
    }

    /// Completes the file if it was created; returns whether it was.
    pub(crate) fn commit(self) -> Result<bool> {
        let target = self.target();
        match self.file {
            None => Ok(false),
            Some(file) => {
                file.into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| target.display().to_string())?
                    .commit()?;
                Ok(true)
            }
        }
    }
}

impl Write for LazyFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() {
            let file = self.open().map_err(|e| io::Error::other(format!("{e:#}")))?;
            self.file = Some(BufWriter::new(file));
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
        let file = AtomicFile::create(&dir.path().join("page.txt"), PRIVATE_MODE).unwrap();
        assert!(is_temp_name(&file.temp_name), "{:?}", file.temp_name);
        for other in [".dechrome-notes.txt", ".dechrome-abc.tmp", ".dechrome-abcdefghi!.tmp", "dechrome-abcdefghij.tmp"]
        {
            assert!(!is_temp_name(OsStr::new(other)), "{other}");
        }
    }

    #[test]
    fn a_file_is_compared_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let original = dir.path().join("page.txt");
        fs::write(&original, b"same bytes").unwrap();
        let mut file = AtomicFile::create(&original, PRIVATE_MODE).unwrap();
        file.write_all(b"same bytes").unwrap();
        assert!(file.same_bytes_as(&File::open(&original).unwrap()).unwrap());
        file.write_all(b"!").unwrap();
        assert!(!file.same_bytes_as(&File::open(&original).unwrap()).unwrap());
        drop(file);
        assert_eq!(fs::read(&original).unwrap(), b"same bytes");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "the temporary file is removed");
    }
}
