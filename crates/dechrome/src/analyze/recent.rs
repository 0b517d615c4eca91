//! What was found for recently seen short lines, so a repeated line is analyzed once.
//!
//! Chrome is short and repetitive: the same menu entries, share rows and "Advertisement" lines
//! come back on every page of a site. A line's facts (its normalized text, shape
//! and rule matches) depend on nothing but its bytes, so a short line seen again takes it from
//! a small table instead of going through normalization and matching.

use super::LineFacts;

/// Longer lines are not remembered: they are mostly prose, which seldom repeats.
const MAX_LINE_BYTES: usize = 128;
/// Lines remembered, at most: a slot per hash value, the newest line in it.
const SLOTS: usize = 2048;

/// The facts of a line, as remembered.
#[derive(Debug, Default)]
pub(crate) struct KnownLine {
    /// The raw line, then its normalized text unless that is the raw line itself (one
    /// allocation per slot); empty for a slot not used yet.
    texts: String,
    raw_len: usize,
    pub facts: LineFacts,
}

impl KnownLine {
    fn raw(&self) -> &str {
        &self.texts[..self.raw_len]
    }

    /// The normalized text of `raw`, the line this was found for.
    pub(crate) fn text<'a>(&'a self, raw: &'a str) -> &'a str {
        match &self.texts[self.raw_len..] {
            "" => raw,
            normalized => normalized,
        }
    }
}

/// A direct-mapped table of recent short lines and their facts (one per thread).
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
        self.slots.get(slot).filter(|known| known.raw() == raw)
    }

    /// Remembers the facts of `raw` in `slot`, in place of the line there.
    pub(crate) fn remember(&mut self, slot: usize, raw: &str, normalized: &str, facts: LineFacts) {
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, KnownLine::default);
        }
        let Some(known) = self.slots.get_mut(slot) else { return };
        known.texts.clear();
        known.texts.push_str(raw);
        known.raw_len = raw.len();
        // An empty normalized text never reaches the table: such a line is blank.
        if normalized != raw {
            known.texts.push_str(normalized);
        }
        known.facts = facts;
    }
}
