//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::io::{self, Read};

/// A reader that hands out at most `chunk` bytes per call, to test streaming at odd boundaries.
pub struct Chunked<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl<'a> Chunked<'a> {
    pub fn new(data: &'a [u8], chunk: usize) -> Self {
        Self { data, chunk }
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.chunk.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Cleans `input` through `clean_reader`, reading `chunk` bytes at a time.
pub fn clean_chunked(cleaner: &dechrome::Cleaner, input: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = Vec::new();
    cleaner.clean_reader(Chunked::new(input, chunk), &mut out).expect("in-memory streams cannot fail");
    out
}

/// What stdin mode and batch mode make of `input` with the default settings: both stream it
/// through `Cleaner::clean_reader`. Much faster than starting the command for every file.
pub fn clean_default(input: &[u8]) -> Vec<u8> {
    static CLEANER: std::sync::OnceLock<dechrome::Cleaner> = std::sync::OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| dechrome::Cleaner::builder().build().expect("the built-in rules compile"));
    let mut out = Vec::new();
    cleaner.clean_reader(input, &mut out).expect("in-memory streams cannot fail");
    out
}

/// The repository's fixtures directory.
pub fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}
