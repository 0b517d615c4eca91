//! A hasher for keys that are already hashes (line and word hashes): it passes them through.

use std::hash::{BuildHasherDefault, Hasher};

/// Builds [`IdentityHasher`]s, for `HashMap` and `HashSet` keyed by hashes.
pub(crate) type IdentityHash = BuildHasherDefault<IdentityHasher>;

/// The keys are already hashes.
#[derive(Debug, Default)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
