//! The match view of a line: what rules are compared with. Normalized text with every kind of
//! space as a plain space, runs collapsed, and curly quotes straight, so that `Read:\u{a0} Biggest`
//! and `Read: Biggest` match the same rules whatever the output options are. The long s (`ſ`)
//! reads as `s`: case-insensitive regexes treat them alike, and so must their literal prefilters.

use crate::normalize::is_horizontal_space;

fn view_char(c: char) -> char {
    match c {
        '\u{2018}'..='\u{201b}' => '\'',
        '\u{201c}'..='\u{201f}' => '"',
        '\u{17f}' => 's',
        c => c,
    }
}

/// Builds the view of a line that is already trimmed and whitespace-collapsed.
pub(crate) fn match_view<'a>(normalized: &'a str, buffer: &'a mut String) -> &'a str {
    if !view_differs(normalized.as_bytes()) {
        return normalized;
    }
    buffer.clear();
    buffer.extend(normalized.chars().map(|c| if is_horizontal_space(c) { ' ' } else { view_char(c) }));
    buffer
}

/// True when the view of `line` differs from it: it has a horizontal space other than ' ' or a
/// character [`view_char`] maps. Found by their UTF-8 lead bytes, which most lines lack.
fn view_differs(line: &[u8]) -> bool {
    let changes_at = |at: usize| {
        matches!(
            line[at..],
            [0xc2, 0xa0, ..] // U+00A0
                | [0xc5, 0xbf, ..] // U+017F
                | [0xe1, 0x9a, 0x80, ..] // U+1680
                | [0xe2, 0x80, 0x80..=0x8a | 0x98..=0x9f | 0xaf, ..] // U+2000..200A, U+2018..201F, U+202F
                | [0xe2, 0x81, 0x9f, ..] // U+205F
                | [0xe3, 0x80, 0x80, ..] // U+3000
        )
    };
    memchr::memchr(b'\t', line).is_some()
        || memchr::memchr3_iter(0xc2, 0xc5, 0xe1, line).chain(memchr::memchr2_iter(0xe2, 0xe3, line)).any(changes_at)
}

/// Builds the view of a rule pattern: trimmed, spaces collapsed, quotes straight.
pub(crate) fn match_view_of_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for word in pattern.split(is_horizontal_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(view_char));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view_of(normalized: &str) -> String {
        match_view(normalized, &mut String::new()).to_string()
    }

    #[test]
    fn views() {
        assert_eq!(view_of("Read:\u{a0}Biggest"), "Read: Biggest");
        assert_eq!(view_of("\u{201c}Hi\u{201d}\tthere"), "\"Hi\" there");
        assert_eq!(view_of("\u{17f}kip"), "skip");
        let mut buffer = String::new();
        assert!(std::ptr::eq(match_view("plain", &mut buffer), "plain"));
        assert_eq!(match_view_of_pattern("  Read:\u{a0}  more \u{2019} "), "Read: more '");
    }

    /// The lead-byte test finds exactly the characters the view changes.
    #[test]
    fn view_differs_for_exactly_the_mapped_characters() {
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            let mapped = (c != ' ' && is_horizontal_space(c)) || view_char(c) != c;
            assert_eq!(view_differs(format!("a{c}b").as_bytes()), mapped, "{c:?}");
        }
    }
}
