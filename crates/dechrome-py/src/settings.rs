//! What a cleaner is built from, and the per-process cache of built cleaners: a cleaner that
//! is unpickled again and again (one Spark task after another in a worker) is compiled once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use dechrome::Cleaner;

/// Every setting of a cleaner, as the command line has them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Settings {
    /// Rule packs: (source name for messages, TOML text).
    pub rules: Vec<(String, String)>,
    pub default_rules: bool,
    pub disable: Vec<String>,
    pub keep_quotes: bool,
    pub ascii_punct: bool,
    pub nfkc: bool,
    pub keep_duplicates: bool,
    pub keep_mojibake: bool,
    pub keep_entities: bool,
    pub header_lines: usize,
    pub footer_lines: usize,
    pub max_line_bytes: usize,
    pub classifier: bool,
    /// A model: (source name for messages, JSON text).
    pub model: Option<(String, String)>,
}

/// Built cleaners by settings and stream threads.
static CACHE: Mutex<Option<HashMap<(Settings, usize), Cleaner>>> = Mutex::new(None);
/// Cleaners compiled by this process (for tests of the cache).
static BUILDS: AtomicUsize = AtomicUsize::new(0);
/// Cleaners compiled by this process, by settings (for tests of the cache).
static BUILDS_BY_SETTINGS: Mutex<Option<HashMap<Settings, usize>>> = Mutex::new(None);

pub(crate) fn builds() -> usize {
    BUILDS.load(Ordering::Relaxed)
}

impl Settings {
    /// The cleaner of these settings whose streams use `threads` threads, from the cache or
    /// compiled now.
    pub(crate) fn cleaner(&self, threads: usize) -> dechrome::Result<Cleaner> {
        let key = (self.clone(), threads);
        if let Some(cleaner) = CACHE.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_default().get(&key) {
            return Ok(cleaner.clone());
        }
        // Compiled outside the lock: two threads may both compile the first time, and one wins.
        let cleaner = self.build(threads)?;
        BUILDS.fetch_add(1, Ordering::Relaxed);
        *BUILDS_BY_SETTINGS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_default()
            .entry(self.clone())
            .or_default() += 1;
        let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(cache.get_or_insert_default().entry(key).or_insert(cleaner).clone())
    }

    /// How many cleaners of these settings this process compiled.
    pub(crate) fn builds(&self) -> usize {
        BUILDS_BY_SETTINGS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|builds| builds.get(self).copied())
            .unwrap_or(0)
    }

    /// The builder calls of the command's `CleanerPlan::build`, so that errors read the same.
    fn build(&self, threads: usize) -> dechrome::Result<Cleaner> {
        let mut builder = Cleaner::builder();
        builder
            .threads(threads)
            .compile_threads(std::thread::available_parallelism().map_or(1, usize::from))
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
            .classifier(self.classifier);
        if let Some((source, json)) = &self.model {
            builder.model_json(json.as_str(), source.as_str());
        }
        for (source, toml) in &self.rules {
            builder.add_rules_toml(toml.as_str(), source.as_str());
        }
        for name in &self.disable {
            builder.disable(name.as_str());
        }
        builder.build()
    }
}
