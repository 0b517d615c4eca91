//! Opt-in: dashes and the ellipsis to ASCII (`--ascii-punct`). Em dashes become `--` so the
//! distinction from a hyphen survives.

use super::Step;

pub(crate) fn ascii_punct(c: char) -> Option<&'static str> {
    match c {
        '\u{2010}'..='\u{2013}' | '\u{2212}' => Some("-"),
        '\u{2014}' | '\u{2015}' => Some("--"),
        '\u{2026}' => Some("..."),
        _ => None,
    }
}

#[derive(Debug)]
pub(crate) struct AsciiPunct;

impl Step for AsciiPunct {
    fn applies_to(&self, line: &str) -> bool {
        !line.is_ascii() && line.chars().any(|c| ascii_punct(c).is_some())
    }

    fn apply(&self, line: &str, out: &mut String) {
        for c in line.chars() {
            match ascii_punct(c) {
                Some(s) => out.push_str(s),
                None => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_dashes_and_ellipsis() {
        let mut out = String::new();
        AsciiPunct.apply("1\u{2013}2 \u{2014} \u{2212}3 wait\u{2026} \u{2011}", &mut out);
        assert_eq!(out, "1-2 -- -3 wait... -");
    }
}
