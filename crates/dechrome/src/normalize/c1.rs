//! C1 controls (U+0080–U+009F) are almost always Windows-1252 bytes that were decoded as
//! Latin-1 somewhere upstream; map them the way Windows-1252 (and HTML5) would.

use super::Step;

/// Windows-1252 characters for 0x80..=0x9F; `None` for the five undefined bytes, which are removed.
const WINDOWS_1252_C1: [Option<char>; 32] = [
    Some('\u{20ac}'),
    None,
    Some('\u{201a}'),
    Some('\u{0192}'),
    Some('\u{201e}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02c6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017d}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201c}'),
    Some('\u{201d}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02dc}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203a}'),
    Some('\u{0153}'),
    None,
    Some('\u{017e}'),
    Some('\u{0178}'),
];

/// The C1 control range this step maps.
pub(crate) fn is_c1(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9f}')
}

#[derive(Debug)]
pub(crate) struct Windows1252Controls;

impl Step for Windows1252Controls {
    fn applies_to(&self, line: &str) -> bool {
        // In UTF-8, U+0080..=U+009F is 0xC2 followed by 0x80..=0x9F.
        line.as_bytes().windows(2).any(|w| w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]))
    }

    fn apply(&self, line: &str, out: &mut String) {
        for c in line.chars() {
            match c as u32 {
                cp @ 0x80..=0x9F => out.extend(WINDOWS_1252_C1[(cp - 0x80) as usize]),
                _ => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(s: &str) -> String {
        let mut out = String::new();
        Windows1252Controls.apply(s, &mut out);
        out
    }

    #[test]
    fn maps_like_windows_1252() {
        assert!(Windows1252Controls.applies_to("it\u{92}s"));
        assert_eq!(apply("it\u{92}s"), "it\u{2019}s");
        assert_eq!(apply("1\u{96}2 \u{85} \u{80}5 \u{99}"), "1\u{2013}2 \u{2026} \u{20ac}5 \u{2122}");
        assert_eq!(apply("a\u{81}\u{8d}\u{8f}\u{90}\u{9d}b"), "ab");
        assert!(!Windows1252Controls.applies_to("\u{e9}t\u{e9} \u{a0}"));
    }
}
