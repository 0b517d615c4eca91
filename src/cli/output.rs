//! Output destinations: stdout, or a file replaced atomically when the output is complete.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tempfile::NamedTempFile;

/// Where the cleaned text goes.
pub(crate) enum Destination {
    Stdout(io::StdoutLock<'static>),
    /// A temporary file beside `target`, renamed over it by [`Destination::commit`].
    File { temp: BufWriter<NamedTempFile>, target: PathBuf },
}

impl Destination {
    pub(crate) fn open(output: Option<&Path>) -> Result<Self> {
        let Some(target) = output else {
            return Ok(Destination::Stdout(io::stdout().lock()));
        };
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let temp = NamedTempFile::with_prefix_in(".dechrome-", parent)
            .with_context(|| format!("{}: cannot create a temporary file in {}", target.display(), parent.display()))?;
        Ok(Destination::File { temp: BufWriter::new(temp), target: target.to_path_buf() })
    }

    /// Flushes and, for a file, renames the complete output over the target, keeping the
    /// target's permissions when it already exists.
    pub(crate) fn commit(self) -> Result<()> {
        match self {
            Destination::Stdout(mut out) => out.flush().context("stdout"),
            Destination::File { temp, target } => {
                let temp = temp.into_inner().map_err(|e| e.into_error()).with_context(|| target.display().to_string())?;
                temp.as_file().sync_all().with_context(|| target.display().to_string())?;
                if let Ok(meta) = fs::metadata(&target) {
                    fs::set_permissions(temp.path(), meta.permissions())
                        .with_context(|| format!("{}: cannot copy permissions", target.display()))?;
                }
                temp.persist(&target).map_err(|e| e.error).with_context(|| format!("{}: cannot replace", target.display()))?;
                Ok(())
            }
        }
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::Stdout(out) => out.write(buf),
            Destination::File { temp, .. } => temp.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::Stdout(out) => out.flush(),
            Destination::File { temp, .. } => temp.flush(),
        }
    }
}
