//! Arbitrary bytes through `Cleaner::clean_reader`.
//!
//! Input layout: byte 0 picks the cleaner configuration, byte 1 (n) says how many of the
//! following bytes are read sizes (n % 8), and the rest is the text. Checked: no panic, valid
//! and well-shaped UTF-8 output, idempotence, the same output for any read sizes, invalid
//! UTF-8 cleaned like its U+FFFD replacement, no `/` or `<` conjured from other bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&config, rest)) = input.split_first() else {
        return;
    };
    let (sizes, data) = match rest.split_first() {
        Some((&n, rest)) => rest.split_at(usize::from(n % 8).min(rest.len())),
        None => (&[][..], rest),
    };
    dechrome_testkit::check_bytes(usize::from(config), data, sizes);
});
