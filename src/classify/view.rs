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
    let needs_work = if normalized.is_ascii() {
        normalized.as_bytes().contains(&b'\t')
    } else {
        normalized.chars().any(|c| (c != ' ' && is_horizontal_space(c)) || view_char(c) != c)
    };
    if !needs_work {
        return normalized;
    }
    buffer.clear();
    buffer.extend(normalized.chars().map(|c| if is_horizontal_space(c) { ' ' } else { view_char(c) }));
    buffer
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
}
