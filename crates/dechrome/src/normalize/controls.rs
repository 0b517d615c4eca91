//! Removes invisible characters that only get in the way: C0 controls other than tab, DEL, the
//! soft hyphen, stray byte-order marks and deprecated format characters. ZWJ, ZWNJ, bidi marks
//! and variation selectors are kept: they carry meaning in Persian, Indic scripts and emoji.

use super::Step;

pub(crate) fn is_removed(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'
        | '\u{ad}' | '\u{feff}' | '\u{206a}'..='\u{206f}' | '\u{fff9}'..='\u{fffb}')
}

#[derive(Debug)]
pub(crate) struct RemoveControls;

impl Step for RemoveControls {
    fn applies_to(&self, line: &str) -> bool {
        let bytes = line.as_bytes();
        if bytes.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return true;
        }
        !line.is_ascii() && line.chars().any(is_removed)
    }

    fn apply(&self, line: &str, out: &mut String) {
        out.extend(line.chars().filter(|&c| !is_removed(c)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_controls_keeps_joiners() {
        let mut out = String::new();
        let input = "a\u{0}b\u{7}\u{1b}c\u{7f}\tso\u{ad}ft\u{feff} \u{200d}\u{200c}\u{fe0f}\u{200e}";
        assert!(RemoveControls.applies_to(input));
        RemoveControls.apply(input, &mut out);
        assert_eq!(out, "abc\tsoft \u{200d}\u{200c}\u{fe0f}\u{200e}");
        assert!(!RemoveControls.applies_to("tab\tand \u{200d} joiner"));
    }
}
