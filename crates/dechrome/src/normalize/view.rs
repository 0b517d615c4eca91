//! The match view of a line: what rules are compared with. Normalized text with every kind of
//! space as a plain space, runs collapsed, and curly quotes straight, so that `Read:\u{a0} Biggest`
//! and `Read: Biggest` match the same rules whatever the output options are. The long s (`ſ`)
//! reads as `s`: case-insensitive regexes treat them alike, and so must their literal prefilters.

use super::is_horizontal_space;

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
    let mut changes = view_changes(normalized.as_bytes()).peekable();
    if changes.peek().is_none() {
        return normalized;
    }
    // Unchanged stretches are copied whole, changed characters mapped one by one.
    buffer.clear();
    let mut copied = 0;
    for at in changes {
        let Some(c) = normalized[at..].chars().next() else { break };
        buffer.push_str(&normalized[copied..at]);
        buffer.push(if is_horizontal_space(c) { ' ' } else { view_char(c) });
        copied = at + c.len_utf8();
    }
    buffer.push_str(&normalized[copied..]);
    buffer
}

/// Where the view of `line` differs from it, in order: at each horizontal space other than ' '
/// and each character [`view_char`] maps. Found by their first bytes (a tab, or a UTF-8 lead
/// byte that most lines lack), in two searches of three bytes each.
fn view_changes(line: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let changes_at = move |at: usize| {
        matches!(
            line[at..],
            [b'\t', ..]
                | [0xc2, 0xa0, ..] // U+00A0
                | [0xc5, 0xbf, ..] // U+017F
                | [0xe1, 0x9a, 0x80, ..] // U+1680
                | [0xe2, 0x80, 0x80..=0x8a | 0x98..=0x9f | 0xaf, ..] // U+2000..200A, U+2018..201F, U+202F
                | [0xe2, 0x81, 0x9f, ..] // U+205F
                | [0xe3, 0x80, 0x80, ..] // U+3000
        )
    };
    let mut low = memchr::memchr3_iter(b'\t', 0xc2, 0xc5, line).peekable();
    let mut high = memchr::memchr3_iter(0xe1, 0xe2, 0xe3, line).peekable();
    // The two searches' positions merged in order.
    std::iter::from_fn(move || match (low.peek(), high.peek()) {
        (Some(a), Some(b)) if a < b => low.next(),
        (_, Some(_)) => high.next(),
        (Some(_), None) => low.next(),
        (None, None) => None,
    })
    .filter(move |&at| changes_at(at))
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
    use proptest::prelude::*;

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
    fn view_changes_at_exactly_the_mapped_characters() {
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            let mapped = (c != ' ' && is_horizontal_space(c)) || view_char(c) != c;
            assert_eq!(
                view_changes(format!("a{c}b").as_bytes()).collect::<Vec<_>>(),
                if mapped { vec![1] } else { vec![] },
                "{c:?}"
            );
        }
    }

    proptest! {
        /// Copying unchanged stretches whole gives the view that mapping every character gives.
        #[test]
        fn stretches_give_the_char_by_char_view(chars in prop::collection::vec(prop_oneof![
            3 => prop::char::range('a', 'c'),
            2 => prop::sample::select(vec!['\t', '\u{a0}', '\u{17f}', '\u{1680}', '\u{2003}', '\u{2019}', '\u{201c}', '\u{205f}', '\u{3000}']),
            2 => prop::sample::select(vec!['\u{e9}', '\u{2014}', '\u{2026}', '\u{e1}', '\u{1e9e}', '\u{3042}', '\u{c5}']),
            1 => any::<char>(),
        ], 0..40)) {
            let line: String = chars.into_iter().collect();
            let expected: String = line.chars().map(|c| if is_horizontal_space(c) { ' ' } else { view_char(c) }).collect();
            prop_assert_eq!(view_of(&line), expected);
        }
    }
}
