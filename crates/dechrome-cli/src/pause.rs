//! Points where a run can be held so that tests can change files at that very moment: between
//! the walk and the opening of a file (`open`), and between cleaning a file in place and renaming
//! the result over it (`commit`). Only when the environment variable `DECHROME_PAUSE_FIFO` names
//! a FIFO: at each point the run writes `POINT PATH` and a newline into it, then waits until
//! something is written back and the writer closes it.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const PAUSE_FIFO: &str = "DECHROME_PAUSE_FIFO";

pub(crate) fn pause(point: &str, path: &Path) {
    static FIFO: OnceLock<Option<PathBuf>> = OnceLock::new();
    let Some(fifo) = FIFO.get_or_init(|| std::env::var_os(PAUSE_FIFO).map(PathBuf::from)) else { return };
    // Whoever holds the run may have gone: the run goes on.
    if fs::write(fifo, format!("{point} {}\n", path.display())).is_ok() {
        let _ = fs::read(fifo);
    }
}
