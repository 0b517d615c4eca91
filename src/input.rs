//! Input framing: bytes in, decoded lines and document separators out.
//!
//! - Lines end at `\n`, `\r\n` or a lone `\r`; U+2028 ends a line and U+2029 a paragraph.
//! - Invalid UTF-8 becomes U+FFFD; a UTF-8 byte-order mark at the start of the stream is dropped.
//! - A line holding only a form feed separates documents.
//!
//! Reads go through one fixed buffer; only a line that spans two reads is copied, so memory is
//! bounded by the longest line.

use std::borrow::Cow;
use std::io::{self, Read};

use crate::error::{Error, Result};

const READ_BUFFER_BYTES: usize = 64 * 1024;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const FORM_FEED_LINE: &[u8] = b"\x0C";

/// What the framer hands to the classifier.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame<'a> {
    Line(&'a str),
    DocumentSeparator,
}

/// Splits `reader` into frames and calls `on_frame` for each, in order. Returns the number of
/// bytes read. Errors from `on_frame` stop the reading and are returned as they are.
pub(crate) fn read_frames<R: Read>(
    mut reader: R,
    mut on_frame: impl FnMut(Frame<'_>) -> Result<()>,
) -> Result<u64> {
    let mut buffer = vec![0u8; READ_BUFFER_BYTES];
    let mut partial: Vec<u8> = Vec::new();
    let mut framer = Framer { at_stream_start: true, skip_next_lf: false };
    let mut total = 0u64;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Read(e)),
        };
        total += read as u64;
        let mut data = &buffer[..read];
        if framer.skip_next_lf {
            framer.skip_next_lf = false;
            if data[0] == b'\n' {
                data = &data[1..];
            }
        }
        while let Some(end) = memchr::memchr2(b'\n', b'\r', data) {
            if partial.is_empty() {
                framer.line(&data[..end], &mut on_frame)?;
            } else {
                partial.extend_from_slice(&data[..end]);
                framer.line(&partial, &mut on_frame)?;
                partial.clear();
            }
            let mut next = end + 1;
            if data[end] == b'\r' {
                match data.get(next) {
                    Some(b'\n') => next += 1,
                    Some(_) => {}
                    None => framer.skip_next_lf = true,
                }
            }
            data = &data[next..];
        }
        partial.extend_from_slice(data);
    }
    if !partial.is_empty() {
        framer.line(&partial, &mut on_frame)?;
    }
    Ok(total)
}

struct Framer {
    at_stream_start: bool,
    skip_next_lf: bool,
}

impl Framer {
    fn line(&mut self, mut bytes: &[u8], on_frame: &mut impl FnMut(Frame<'_>) -> Result<()>) -> Result<()> {
        if self.at_stream_start {
            self.at_stream_start = false;
            bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        }
        if bytes == FORM_FEED_LINE {
            return on_frame(Frame::DocumentSeparator);
        }
        let text = String::from_utf8_lossy(bytes);
        emit_unicode_lines(&text, on_frame)
    }
}

/// Splits at U+2028 (line separator) and U+2029 (paragraph separator, which also ends the
/// paragraph with a blank line).
fn emit_unicode_lines(text: &Cow<'_, str>, on_frame: &mut impl FnMut(Frame<'_>) -> Result<()>) -> Result<()> {
    let has_separator = text.as_bytes().contains(&0xE2) && text.contains(['\u{2028}', '\u{2029}']);
    if !has_separator {
        return on_frame(Frame::Line(text));
    }
    let mut rest: &str = text;
    while let Some(at) = rest.find(['\u{2028}', '\u{2029}']) {
        on_frame(Frame::Line(&rest[..at]))?;
        if rest[at..].starts_with('\u{2029}') {
            on_frame(Frame::Line(""))?;
        }
        rest = &rest[at + '\u{2028}'.len_utf8()..];
    }
    on_frame(Frame::Line(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `input` in pieces of `chunk` bytes.
    struct Chunked<'a> {
        data: &'a [u8],
        chunk: usize,
    }

    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn frames(input: &[u8], chunk: usize) -> Vec<String> {
        let mut out = Vec::new();
        read_frames(Chunked { data: input, chunk }, |frame| {
            out.push(match frame {
                Frame::Line(s) => s.to_string(),
                Frame::DocumentSeparator => "<FF>".to_string(),
            });
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn line_endings_bom_and_separators() {
        let input = b"\xEF\xBB\xBFa\r\nb\rc\n\x0C\nd\xFFe\r\r\nf\xE2\x80\xA8g\xE2\x80\xA9h";
        let expected = ["a", "b", "c", "<FF>", "d\u{fffd}e", "", "f", "g", "", "h"];
        for chunk in [1, 2, 3, 7, 64 * 1024] {
            assert_eq!(frames(input, chunk), expected, "chunk size {chunk}");
        }
    }

    #[test]
    fn trailing_newline_makes_no_extra_line() {
        assert_eq!(frames(b"a\n", 1), ["a"]);
        assert_eq!(frames(b"", 1), Vec::<String>::new());
        assert_eq!(frames(b"\n\n", 3), ["", ""]);
        assert_eq!(frames(b"x\xEF\xBB\xBF", 1), ["x\u{feff}"]);
    }
}
