//! Horizontal whitespace: trim each line, collapse runs to one space. A lone no-break space
//! (NBSP, U+202F, figure space) or ideographic space between two characters is kept, because it
//! binds `27 languages` and `1 234` together; a lone tab is kept as a column separator.

use super::Step;

/// Characters treated as horizontal space (not ZWSP U+200B, which is a word-break hint).
pub(crate) fn is_horizontal_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// Space characters that survive on their own between two non-space characters.
pub(crate) fn is_kept_lone_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{3000}')
}

#[derive(Debug)]
pub(crate) struct Whitespace;

impl Step for Whitespace {
    fn applies_to(&self, line: &str) -> bool {
        let bytes = line.as_bytes();
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
            return false;
        };
        if line.is_ascii() {
            let space = |b: u8| b == b' ' || b == b'\t';
            return space(first) || space(last) || bytes.windows(2).any(|w| space(w[0]) && space(w[1]));
        }
        let mut previous_space = true; // a leading space needs trimming
        for c in line.chars() {
            let space = is_horizontal_space(c);
            if space && (previous_space || !is_kept_lone_space(c)) {
                return true;
            }
            previous_space = space;
        }
        previous_space
    }

    fn apply(&self, line: &str, out: &mut String) {
        let trimmed = line.trim_matches(is_horizontal_space);
        let mut run: Option<(char, usize)> = None;
        for c in trimmed.chars() {
            if is_horizontal_space(c) {
                run = Some(match run {
                    None => (c, 1),
                    Some((first, n)) => (first, n + 1),
                });
                continue;
            }
            if let Some((first, n)) = run.take() {
                out.push(if n == 1 && is_kept_lone_space(first) { first } else { ' ' });
            }
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(s: &str) -> String {
        let mut out = String::new();
        if Whitespace.applies_to(s) {
            Whitespace.apply(s, &mut out);
        } else {
            out.push_str(s);
        }
        out
    }

    #[test]
    fn trims_and_collapses() {
        assert_eq!(ws("  a  b \t c\t"), "a b c");
        assert_eq!(ws("Read:\u{a0} Biggest"), "Read: Biggest");
        assert_eq!(ws("\u{a0}\u{2003}x\u{2003}y\u{3000}"), "x y");
    }

    #[test]
    fn keeps_lone_binding_spaces() {
        assert_eq!(ws("27\u{a0}languages 1\u{202f}234 1\u{2007}000"), "27\u{a0}languages 1\u{202f}234 1\u{2007}000");
        assert_eq!(ws("name\tage"), "name\tage");
        assert_eq!(ws("\u{6f22}\u{3000}\u{5b57}"), "\u{6f22}\u{3000}\u{5b57}");
        assert!(!Whitespace.applies_to("27\u{a0}languages"));
        assert!(!Whitespace.applies_to("plain words"));
        assert!(Whitespace.applies_to("a\u{2003}b"));
    }
}
