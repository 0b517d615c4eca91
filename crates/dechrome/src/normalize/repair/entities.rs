//! HTML character reference decoding (named, decimal, hexadecimal).
//!
//! Rules, following the HTML5 tokenizer for text content except where noted:
//! - `&name;` for every HTML5 name; the ~100 legacy names (`&amp`, `&copy`,
//!   `&nbsp`, …) also without `;`, but — stricter than HTML text content and
//!   like HTML attribute values — only when the next character is not
//!   alphanumeric or `=`, so URLs (`?a=1&copy=2`, `&notes`) and prose survive.
//! - `&#123;` / `&#x7B;` with or without `;`; 0, surrogates and values above
//!   U+10FFFF give U+FFFD; 0x80–0x9F give the Windows-1252 character.
//! - A reference that decodes to `&` starts a new reference on the spot, so
//!   double escaping unwinds in one pass: `&amp;quot;` → `"`, `&amp;amp;` → `&`,
//!   while `AT&amp;T` → `AT&T` and `Q&A`, `R&D`, `&foo` stay as they are.

use super::codepage_data::W1252;
use super::entity_data::ENTITIES;

/// The longest entity name, `;` included.
const MAX_NAME: usize = 32;

/// Decodes the character references of `src` into `dst` (cleared first).
/// Returns false, with `dst` unspecified, when `src` has none.
pub(crate) fn decode(src: &str, dst: &mut String) -> bool {
    let bytes = src.as_bytes();
    let mut copied = 0; // bytes of `src` already accounted for in `dst`
    let mut changed = false;
    let mut pos = 0;
    while let Some(rel) = bytes[pos..].iter().position(|&b| b == b'&') {
        let amp = pos + rel;
        let Some((mut text, mut end)) = parse_reference(bytes, amp + 1) else {
            pos = amp + 1;
            continue;
        };
        // `&amp;quot;`: the decoded `&` opens the next reference.
        while matches!(text, Decoded::Str("&") | Decoded::Char('&')) {
            match parse_reference(bytes, end) {
                Some((t, e)) => (text, end) = (t, e),
                None => break,
            }
        }
        if !changed {
            dst.clear();
            changed = true;
        }
        dst.push_str(&src[copied..amp]);
        match text {
            Decoded::Str(s) => dst.push_str(s),
            Decoded::Char(c) => dst.push(c),
        }
        copied = end;
        pos = end;
    }
    if changed {
        dst.push_str(&src[copied..]);
    }
    changed
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decoded {
    Str(&'static str),
    Char(char),
}

/// Parses the reference whose `&` precedes `start`; returns the decoded text
/// and the index just past the reference.
fn parse_reference(bytes: &[u8], start: usize) -> Option<(Decoded, usize)> {
    match bytes.get(start)? {
        b'#' => parse_numeric(bytes, start + 1),
        b if b.is_ascii_alphanumeric() => parse_named(bytes, start),
        _ => None,
    }
}

fn parse_named(bytes: &[u8], start: usize) -> Option<(Decoded, usize)> {
    let run = bytes[start..].iter().take(MAX_NAME).take_while(|b| b.is_ascii_alphanumeric()).count();
    let end = start + run;
    if bytes.get(end) == Some(&b';') {
        if let Some(value) = lookup(&bytes[start..=end]) {
            return Some((Decoded::Str(value), end + 1));
        }
        return None;
    }
    // Legacy names without `;`: the whole alphanumeric run must be the name.
    if bytes.get(end).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'=') {
        return None;
    }
    lookup(&bytes[start..end]).map(|value| (Decoded::Str(value), end))
}

fn lookup(name: &[u8]) -> Option<&'static str> {
    ENTITIES.binary_search_by(|(n, _)| n.as_bytes().cmp(name)).ok().map(|i| ENTITIES[i].1)
}

fn parse_numeric(bytes: &[u8], start: usize) -> Option<(Decoded, usize)> {
    let (radix, digits_start) = match bytes.get(start) {
        Some(b'x' | b'X') => (16, start + 1),
        _ => (10, start),
    };
    let mut value: u32 = 0;
    let mut end = digits_start;
    while let Some(d) = bytes.get(end).and_then(|&b| char::from(b).to_digit(radix)) {
        // Saturate: anything past U+10FFFF is out of range anyway.
        value = value.saturating_mul(radix).saturating_add(d).min(0x11_0000);
        end += 1;
    }
    if end == digits_start {
        return None;
    }
    if bytes.get(end) == Some(&b';') {
        end += 1;
    }
    Some((Decoded::Char(numeric_char(value)), end))
}

/// The character a numeric reference stands for, per the HTML5 rules.
fn numeric_char(value: u32) -> char {
    match value {
        0x80..=0x9F => W1252[(value - 0x80) as usize],
        0 => '\u{FFFD}',
        v => char::from_u32(v).unwrap_or('\u{FFFD}'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> String {
        let mut out = String::new();
        if decode(s, &mut out) { out } else { s.to_string() }
    }

    #[test]
    fn named_and_numeric() {
        assert_eq!(dec("&lt;b&gt; &quot;x&quot; &nbsp;"), "<b> \"x\" \u{a0}");
        assert_eq!(dec("&#8220;hi&#x201D; &#X201c;"), "\u{201c}hi\u{201d} \u{201c}");
        assert_eq!(dec("&#0; &#xD800; &#x110000; &#99999999999;"), "\u{fffd} \u{fffd} \u{fffd} \u{fffd}");
        assert_eq!(dec("&#150; &#x92; &#x81;"), "\u{2013} \u{2019} \u{81}");
        assert_eq!(dec("&NotEqualTilde; &frac14;"), "\u{2242}\u{338} \u{bc}");
        assert_eq!(dec("&#39s"), "'s");
    }

    #[test]
    fn double_escaping() {
        assert_eq!(dec("&amp;quot;x&amp;quot;"), "\"x\"");
        assert_eq!(dec("&amp;amp;"), "&");
        assert_eq!(dec("&amp;amp;amp;lt;"), "<");
        assert_eq!(dec("AT&amp;T"), "AT&T");
        assert_eq!(dec("&amp;#8220;"), "\u{201c}");
    }

    #[test]
    fn literal_ampersands_stay() {
        for s in ["Q&A", "R&D", "&foo", "&foo;", "a & b", "&", "&#", "&#x;", "x=1&copy=2", "&notes", "&amp", "S&P"] {
            let want = if s == "&amp" { "&" } else { s };
            assert_eq!(dec(s), want, "{s}");
        }
        assert_eq!(dec("&copy 2020 &reg."), "\u{a9} 2020 \u{ae}.");
    }
}
