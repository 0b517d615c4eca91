//! Text repair, the first step of normalization: mojibake (UTF-8 decoded with a single-byte code
//! page, possibly several times, possibly only partly) and HTML character references, undone
//! while the line is as it was decoded, before C1 controls are mapped, quotes straightened or
//! whitespace collapsed, since those steps destroy the evidence detection relies on.
//!
//! - [`entities`]: named (the HTML5 set), decimal and hexadecimal references, double-escaped ones
//!   (`&amp;quot;`) decoded until none is left;
//! - [`mojibake`]: each run of characters whose bytes in some code page (Windows-1252 with
//!   Latin-1, 1250, 1251, ISO-8859-2, 1257, Mac OS Roman, 437, KOI8-R; [`codepage`]) form valid
//!   UTF-8 is replaced by that decoding when the result is a believable character and the text
//!   around it becomes measurably less odd ([`charclass`]); no word lists. Layered mojibake is
//!   undone pass by pass.

mod charclass;
mod codepage;
mod codepage_data;
mod entities;
mod entity_data;
mod mojibake;

/// Which repairs [`repair_line`] performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RepairOptions {
    /// Undo UTF-8 mis-decoded as Windows-1252/Latin-1, Windows-1250/1251/1257,
    /// ISO-8859-2, Mac OS Roman, code page 437 or KOI8-R.
    pub(crate) mojibake: bool,
    /// Decode HTML character references (`&amp;`, `&#8220;`, `&#x201C;`).
    pub(crate) entities: bool,
}

impl Default for RepairOptions {
    /// Both repairs on.
    fn default() -> Self {
        RepairOptions { mojibake: true, entities: true }
    }
}

/// Upper bound on the passes of one step. Each pass that changes a line makes
/// it shorter, and real mojibake is at most three layers deep (plus a pass per
/// extra code page mixed into the line), so the bound only matters for
/// adversarial input, which is then left unrepaired.
const MAX_PASSES: usize = 10;

/// Repairs lines, reusing its buffers so that steady-state repair does not
/// allocate. One per thread (the normalizer's scratch space holds it).
#[derive(Default, Debug)]
pub(crate) struct Repairer {
    current: String,
    next: String,
    base: String,
    scratch: mojibake::Scratch,
}

impl Repairer {
    /// Repairs `line`. Returns true and writes the repaired line into `out`
    /// (replacing its contents) when anything changed; leaves `out` untouched
    /// and returns false otherwise.
    ///
    /// HTML references are decoded first (a double-escaped `&amp;quot;`
    /// becomes `"`), then mojibake is repaired until no pass changes the line,
    /// so repairing the output again changes nothing.
    pub(crate) fn repair_line(&mut self, line: &str, options: RepairOptions, out: &mut String) -> bool {
        if !needs_work(line.as_bytes(), options) {
            return false;
        }
        let Repairer { current, next, base, scratch } = self;
        let entities_changed = options.entities && run_to_fixpoint(line, current, next, entities::decode);
        let mut changed = entities_changed;
        if options.mojibake {
            if entities_changed {
                std::mem::swap(base, current);
            }
            let src = if entities_changed { base.as_str() } else { line };
            if run_to_fixpoint(src, current, next, |src, dst| mojibake::repair_pass(src, scratch, dst)) {
                changed = true;
            } else if entities_changed {
                std::mem::swap(base, current);
            }
        }
        if changed {
            out.clear();
            out.push_str(current);
        }
        changed
    }
}

/// Applies `pass` until it reports no change, leaving the result in `current`.
/// Returns false, with `current` unspecified, if nothing changed or if the pass
/// budget ran out first: such a line is left as it was, which keeps repair
/// idempotent and its cost linear.
fn run_to_fixpoint(
    line: &str,
    current: &mut String,
    next: &mut String,
    mut pass: impl FnMut(&str, &mut String) -> bool,
) -> bool {
    for round in 0..=MAX_PASSES {
        let src = if round == 0 { line } else { current.as_str() };
        if !pass(src, next) {
            return round > 0;
        }
        std::mem::swap(current, next);
    }
    false
}

/// The pre-check: only lines with a non-ASCII character (for mojibake) or an
/// `&` (for entities) can need repair.
pub(crate) fn needs_work(bytes: &[u8], options: RepairOptions) -> bool {
    match (options.mojibake, options.entities) {
        (true, true) => any_byte(bytes, |b| b >= 0x80 || b == b'&'),
        (true, false) => any_byte(bytes, |b| b >= 0x80),
        (false, true) => any_byte(bytes, |b| b == b'&'),
        (false, false) => false,
    }
}

/// Scans in fixed-size blocks without early exit inside a block, so the
/// compiler can vectorize the test.
#[inline(always)]
fn any_byte(bytes: &[u8], hit: impl Fn(u8) -> bool) -> bool {
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        if block.iter().fold(false, |acc, &b| acc | hit(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| hit(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precheck() {
        let both = RepairOptions::default();
        assert!(!needs_work(b"plain text that is long enough to fill a block or two, really", both));
        assert!(needs_work(b"plain text that is long enough to fill a block or two, &amp;", both));
        assert!(needs_work("caf\u{e9}".as_bytes(), both));
        assert!(!needs_work(b"a & b", RepairOptions { mojibake: true, entities: false }));
        assert!(!needs_work("caf\u{e9}".as_bytes(), RepairOptions { mojibake: false, entities: true }));
        assert!(!needs_work(b"\0\0\0", RepairOptions { mojibake: false, entities: false }));
    }

    #[test]
    fn out_untouched_when_unchanged() {
        let mut out = String::from("keep");
        assert!(!Repairer::default().repair_line("caf\u{e9} \u{201c}ok\u{201d}", RepairOptions::default(), &mut out));
        assert_eq!(out, "keep");
    }
}
