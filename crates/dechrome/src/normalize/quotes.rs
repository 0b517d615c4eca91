//! Curly quotes to ASCII. Only the quotation marks U+2018–U+201F are mapped: the modifier
//! letters ʼ (U+02BC) and ʻ (U+02BB) are letters, primes ′ ″ are units, and guillemets « » ‹ ›
//! are left alone.

use super::Step;

pub(crate) fn ascii_quote(c: char) -> Option<char> {
    match c {
        '\u{2018}'..='\u{201b}' => Some('\''),
        '\u{201c}'..='\u{201f}' => Some('"'),
        _ => None,
    }
}

#[derive(Debug)]
pub(crate) struct AsciiQuotes;

impl Step for AsciiQuotes {
    fn applies_to(&self, line: &str) -> bool {
        // U+2018..=U+201F is E2 80 98..=9F in UTF-8.
        line.as_bytes().windows(3).any(|w| w[0] == 0xE2 && w[1] == 0x80 && (0x98..=0x9F).contains(&w[2]))
    }

    fn apply(&self, line: &str, out: &mut String) {
        out.extend(line.chars().map(|c| ascii_quote(c).unwrap_or(c)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_quotes_only() {
        let input = "\u{201c}a\u{201d} \u{2018}b\u{2019} \u{201e}c\u{201f} \u{201a}d\u{201b} ʼʻ 5′11″ «e» ‹f›";
        let mut out = String::new();
        AsciiQuotes.apply(input, &mut out);
        assert_eq!(out, "\"a\" 'b' \"c\" 'd' ʼʻ 5′11″ «e» ‹f›");
        assert!(!AsciiQuotes.applies_to("ʼʻ 5′11″ «e» ‹f› \u{2026}"));
    }
}
