//! Runs of printable ASCII, the bulk of most text, measured in one pass, 16 bytes at a time
//! where the processor allows: where the run ends, how many spaces it holds and whether two of
//! them touch.

/// What [`printable_run`] found at the start of some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrintableRun {
    /// Length of the leading run of bytes in `0x20..=0x7e`.
    pub len: usize,
    /// ASCII spaces in the run.
    pub spaces: usize,
    /// Two ASCII spaces in a row somewhere in the run.
    pub double_space: bool,
}

/// Measures the run of printable ASCII at the start of `bytes`.
pub(crate) fn printable_run(bytes: &[u8]) -> PrintableRun {
    let mut run = PrintableRun { len: 0, spaces: 0, double_space: false };
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    // SAFETY: the build targets processors with SSE2, the one feature the function needs.
    if !unsafe { run.extend_by_vectors(bytes) } {
        return run;
    }
    run.extend_bytewise(bytes);
    run
}

impl PrintableRun {
    /// Extends the run one byte at a time to its end.
    fn extend_bytewise(&mut self, bytes: &[u8]) {
        while let Some(&byte) = bytes.get(self.len).filter(|&&b| b.wrapping_sub(0x20) <= 0x5e) {
            if byte == b' ' {
                self.spaces += 1;
                self.double_space |= self.len > 0 && bytes[self.len - 1] == b' ';
            }
            self.len += 1;
        }
    }

    /// Extends the run 16 bytes at a time (SSE2, which every x86-64 processor has) while 16
    /// bytes are left; false when the run ended among them.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[target_feature(enable = "sse2")]
    fn extend_by_vectors(&mut self, bytes: &[u8]) -> bool {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
        };

        let mut space_before = false;
        while let Some((low, high)) = bytes.get(self.len..self.len + 16).and_then(|chunk| {
            let (low, high) = chunk.split_first_chunk::<8>()?;
            Some((i64::from_le_bytes(*low), i64::from_le_bytes(*high.first_chunk::<8>()?)))
        }) {
            let vector = _mm_set_epi64x(high, low);
            // Bytes >= 0x80 are negative as i8, so "below 0x20" takes them too.
            let outside =
                _mm_or_si128(_mm_cmplt_epi8(vector, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(vector, _mm_set1_epi8(0x7f)));
            let outside = _mm_movemask_epi8(outside) as u32;
            let in_run = if outside == 0 { 0xffff } else { (1 << outside.trailing_zeros()) - 1 };
            let spaces = _mm_movemask_epi8(_mm_cmpeq_epi8(vector, _mm_set1_epi8(0x20))) as u32 & in_run;
            self.spaces += spaces.count_ones() as usize;
            self.double_space |= spaces & (spaces >> 1) != 0 || (space_before && spaces & 1 != 0);
            if outside != 0 {
                self.len += outside.trailing_zeros() as usize;
                return false;
            }
            space_before = spaces & 0x8000 != 0;
            self.len += 16;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The chunked scan finds what a plain reading of the definition finds, at every length
        /// and position of the byte that ends the run (the strategy favours spaces).
        #[test]
        fn agrees_with_the_definition(
            bytes in prop::collection::vec(prop_oneof![3 => Just(b' '), 3 => b'a'..=b'c', 1 => any::<u8>()], 0..200)
        ) {
            let len = bytes.iter().position(|&b| !(0x20..=0x7e).contains(&b)).unwrap_or(bytes.len());
            let run = &bytes[..len];
            let expected = PrintableRun {
                len,
                spaces: run.iter().filter(|&&b| b == b' ').count(),
                double_space: run.windows(2).any(|pair| pair == b"  "),
            };
            prop_assert_eq!(printable_run(&bytes), expected);
        }
    }

    #[test]
    fn pairs_across_chunk_edges_count() {
        for at in 0..70 {
            let mut bytes = vec![b'x'; 70];
            bytes[at] = b' ';
            assert!(!printable_run(&bytes).double_space);
            if at + 1 < bytes.len() {
                bytes[at + 1] = b' ';
                assert!(printable_run(&bytes).double_space, "spaces at {at} and {}", at + 1);
            }
        }
    }
}
