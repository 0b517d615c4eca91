//! `--diff`: a unified diff of an input against its cleaned text, as `diff -u` and `git diff`
//! write it (`--- a/NAME`, `+++ b/NAME`), coloured on a terminal.

use std::io::{self, Write};
use std::time::Duration;

use similar::{ChangeTag, TextDiff};

/// Lines of context around each change.
const CONTEXT_LINES: usize = 3;
/// A diff of two long, very different texts can take quadratic time: past this, it is
/// approximated (still correct, only less minimal).
const DIFF_TIMEOUT: Duration = Duration::from_secs(2);

const RESET: &str = "\x1b[0m";
const HEADER_COLOUR: &str = "\x1b[1m";
const HUNK_COLOUR: &str = "\x1b[36m";
const REMOVED_COLOUR: &str = "\x1b[31m";
const ADDED_COLOUR: &str = "\x1b[32m";

/// Writes the diff of `old` and `new` under the name `name`; returns whether they differ.
pub(crate) fn write_diff(out: &mut impl Write, name: &str, old: &str, new: &str, colour: bool) -> io::Result<bool> {
    if old == new {
        return Ok(false);
    }
    let diff = TextDiff::configure().timeout(DIFF_TIMEOUT).diff_lines(old, new);
    // The escape codes around a piece of output: none without colour.
    let paint = |code: &'static str| if colour { (code, RESET) } else { ("", "") };
    let (bold, end) = paint(HEADER_COLOUR);
    writeln!(out, "{bold}--- a/{name}{end}")?;
    writeln!(out, "{bold}+++ b/{name}{end}")?;
    for hunk in diff.unified_diff().context_radius(CONTEXT_LINES).iter_hunks() {
        let (cyan, end) = paint(HUNK_COLOUR);
        writeln!(out, "{cyan}{}{end}", hunk.header())?;
        for change in hunk.iter_changes() {
            let (sign, (start, end)) = match change.tag() {
                ChangeTag::Delete => ('-', paint(REMOVED_COLOUR)),
                ChangeTag::Insert => ('+', paint(ADDED_COLOUR)),
                ChangeTag::Equal => (' ', ("", "")),
            };
            let line = change.value();
            writeln!(out, "{start}{sign}{}{end}", line.strip_suffix('\n').unwrap_or(line))?;
            if change.missing_newline() {
                writeln!(out, "\\ No newline at end of file")?;
            }
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unified_diff_with_headers_and_hunks() {
        let mut out = Vec::new();
        let changed = write_diff(&mut out, "page.txt", "Menu\nStory.\nShare\n", "Story.\n", false).unwrap();
        assert!(changed);
        let expected = "--- a/page.txt\n+++ b/page.txt\n@@ -1,3 +1 @@\n-Menu\n Story.\n-Share\n";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        let mut out = Vec::new();
        assert!(!write_diff(&mut out, "page.txt", "Story.\n", "Story.\n", true).unwrap());
        assert!(out.is_empty());
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let mut out = Vec::new();
        write_diff(&mut out, "-", "Story.", "Story.\n", false).unwrap();
        let expected = "--- a/-\n+++ b/-\n@@ -1 +1 @@\n-Story.\n\\ No newline at end of file\n+Story.\n";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
