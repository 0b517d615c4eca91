//! The list markers and markdown links that HTML-to-text converters write around a line:
//! `* Facebook`, `- Twitter`, `• Share`, `1. Home`, `[Home](/)`. Rules are also matched on the
//! line without them, so the same chrome is found whatever converter produced the text; the
//! output keeps the line as it was.

/// Characters that mark a list item when one to three of them and a space start a line.
const BULLETS: [char; 11] = ['*', '-', '+', '•', '·', '▪', '►', '‣', '◦', '–', '—'];

/// `view` without a leading list marker and with markdown links as their text; `None` when it
/// has neither.
pub(crate) fn without_markup<'a>(view: &'a str, buffer: &'a mut String) -> Option<&'a str> {
    let rest = without_list_marker(view);
    if memchr::memmem::find(rest.as_bytes(), b"](").is_none() {
        return (rest.len() < view.len()).then_some(rest);
    }
    buffer.clear();
    let unlinked = unlink(rest, buffer);
    match (unlinked, rest.len() < view.len()) {
        (true, _) => Some(buffer.as_str()),
        (false, true) => Some(rest),
        (false, false) => None,
    }
}

/// `line` without one to three bullets and a space, or a number of one to three digits, `.` or
/// `)` and a space, at its start (nothing may be left after the marker but the rest of the line).
fn without_list_marker(line: &str) -> &str {
    let bullets = line.chars().take(4).take_while(|c| BULLETS.contains(c)).count();
    let after = if bullets > 0 {
        line.char_indices().nth(bullets).map_or(line.len(), |(at, _)| at)
    } else {
        let digits = line.bytes().take(4).take_while(u8::is_ascii_digit).count();
        match line.as_bytes().get(digits) {
            Some(b'.' | b')') if (1..=3).contains(&digits) => digits + 1,
            _ => return line,
        }
    };
    match line[after..].strip_prefix(' ') {
        Some(rest) if bullets <= 3 && !rest.is_empty() => rest,
        _ => line,
    }
}

/// Writes `text` with each `[label](target)` or `![label](target)` as its label into `out`;
/// false when there was none.
fn unlink(text: &str, out: &mut String) -> bool {
    let mut rest = text;
    let mut found = false;
    while let Some(open) = rest.find('[') {
        let Some((label, after)) = link_at(&rest[open..]) else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        let before = &rest[..open];
        out.push_str(before.strip_suffix('!').unwrap_or(before));
        out.push_str(label);
        rest = after;
        found = true;
    }
    out.push_str(rest);
    found
}

/// At a `[`: the label of the link `[label](target)` that starts there and what follows it.
fn link_at(text: &str) -> Option<(&str, &str)> {
    let close = text.find("](")?;
    let label = &text[1..close];
    if label.contains('[') {
        return None;
    }
    let target_end = text[close + 2..].find(')')?;
    Some((label, &text[close + 2 + target_end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripped(line: &str) -> Option<String> {
        without_markup(line, &mut String::new()).map(str::to_string)
    }

    #[test]
    fn markers_and_links_give_way_to_the_text() {
        assert_eq!(stripped("* Facebook").as_deref(), Some("Facebook"));
        assert_eq!(stripped("- Twitter").as_deref(), Some("Twitter"));
        assert_eq!(stripped("• Share").as_deref(), Some("Share"));
        assert_eq!(stripped("1. Home").as_deref(), Some("Home"));
        assert_eq!(stripped("12) Home").as_deref(), Some("Home"));
        assert_eq!(stripped("[Home](/)").as_deref(), Some("Home"));
        assert_eq!(stripped("* [Home](https://example.org/)").as_deref(), Some("Home"));
        assert_eq!(stripped("![Photo: AP](x.jpg) Read more").as_deref(), Some("Photo: AP Read more"));
        assert_eq!(stripped("See [the report](a) and [the data](b).").as_deref(), Some("See the report and the data."));
    }

    #[test]
    fn other_lines_are_left_alone() {
        for line in
            ["Facebook", "-", "- ", "1.5 million people", "2024. The year", "*emphasis*", "a [b] c", "[x](", "----"]
        {
            assert_eq!(stripped(line), None, "{line:?}");
        }
        assert_eq!(stripped("1234. Not a list"), None);
    }
}
