//! What was found for recently seen short lines, so a repeated line is classified once.
//!
//! Chrome is short and repetitive: the same menu entries, share rows and "Advertisement" lines
//! come back on every page of a site. A line's classification (its normalized text, features
//! and rule matches) depends on nothing but its bytes, so a short line seen again takes it from
//! a small table instead of going through normalization and matching.

use super::features::LineFeatures;
use super::matcher::Matches;

/// Longer lines are not remembered: they are mostly prose, which seldom repeats.
const MAX_LINE_BYTES: usize = 128;
/// Lines remembered, at most: a slot per hash value, the newest line in it.
const SLOTS: usize = 512;

/// The classification of a line, as remembered.
#[derive(Debug, Default)]
pub(crate) struct KnownLine {
    /// The raw line; empty for a slot not used yet.
    raw: Vec<u8>,
    /// Its normalized text, unless that is the raw line itself.
    normalized: Option<String>,
    pub features: LineFeatures,
    pub matches: Matches,
    pub duplicate_key: Option<u64>,
}

impl KnownLine {
    /// The normalized text of `raw`, the line this was found for.
    pub(crate) fn text<'a>(&'a self, raw: &'a str) -> &'a str {
        self.normalized.as_deref().unwrap_or(raw)
    }
}

/// A direct-mapped table of recent short lines and their classifications (one per thread).
#[derive(Debug, Default)]
pub(crate) struct RecentLines {
    slots: Vec<KnownLine>,
}

impl RecentLines {
    /// The slot `raw` belongs in, when it is short enough to remember.
    pub(crate) fn slot_of(raw: &str) -> Option<usize> {
        (!raw.is_empty() && raw.len() <= MAX_LINE_BYTES)
            .then(|| xxhash_rust::xxh3::xxh3_64(raw.as_bytes()) as usize % SLOTS)
    }

    /// What was found for `raw` (in `slot`), if it is the line last remembered there.
    pub(crate) fn get(&self, slot: usize, raw: &str) -> Option<&KnownLine> {
        self.slots.get(slot).filter(|known| known.raw == raw.as_bytes())
    }

    /// Remembers the classification of `raw` in `slot`, in place of the line there.
    pub(crate) fn remember(
        &mut self,
        slot: usize,
        raw: &str,
        normalized: &str,
        features: LineFeatures,
        matches: Matches,
        duplicate_key: Option<u64>,
    ) {
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, KnownLine::default);
        }
        let Some(known) = self.slots.get_mut(slot) else { return };
        known.raw.clear();
        known.raw.extend_from_slice(raw.as_bytes());
        if normalized == raw {
            known.normalized = None;
        } else {
            let text = known.normalized.get_or_insert_with(String::new);
            text.clear();
            text.push_str(normalized);
        }
        known.features = features;
        known.matches = matches;
        known.duplicate_key = duplicate_key;
    }
}
