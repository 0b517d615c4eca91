//! Input framing: bytes in, blocks of whole lines out, and the lines of a block.
//!
//! - Encoding: UTF-8, with a leading byte-order mark dropped and invalid bytes turned into
//!   U+FFFD; a stream that starts with a UTF-16 byte-order mark is decoded from UTF-16 (see
//!   [`decode`]).
//! - [`BlockReader`] cuts the stream into blocks of about [`BLOCK_BYTES`] that end at a line end,
//!   so blocks can be classified independently, on several threads, and memory is bounded by
//!   the block size and the longest line buffered.
//! - A line longer than the `max_line_bytes` limit is never buffered whole: it comes out in
//!   pieces ([`Block::LongLinePiece`]) that are passed through without rule matching.
//! - [`for_each_frame`] splits a block into lines: they end at `\n`, `\r\n` or a lone `\r`;
//!   U+2028 ends a line and U+2029 a paragraph; a line holding only a form feed separates
//!   documents.

mod decode;

use std::borrow::Cow;
use std::io::{self, Read};
use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::error::{Error, Result};
use decode::Decoder;

/// Target size of a block of lines: large enough to amortize handing blocks between threads,
/// small enough that the blocks in flight take little memory.
pub(crate) const BLOCK_BYTES: usize = 64 * 1024;
const READ_BYTES: usize = 64 * 1024;
/// Most `\n`-terminated lines in a block (prose has a few hundred per block).
const MAX_BLOCK_LINES: usize = 2048;
/// The first read of a stream asks for this much; each read that fills its buffer doubles the
/// next, up to [`READ_BYTES`]. Small documents (a file of a directory tree, a JSONL record) then
/// cost a few KiB of buffer instead of 64 KiB zeroed for every read.
const FIRST_READ_BYTES: usize = 8 * 1024;
const FORM_FEED_LINE: &[u8] = b"\x0C";

/// What [`BlockReader::next_block`] produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Block {
    /// Whole lines, each with its line end (the last one may lack it at the end of the input).
    Lines,
    /// A piece of a line longer than the limit, without its line end.
    LongLinePiece { first: bool, last: bool },
}

/// Reads a stream block by block.
pub(crate) struct BlockReader<R> {
    source: Decoder<R>,
    /// Bytes read but not handed out yet.
    pending: Vec<u8>,
    /// Leading bytes of `pending` known to hold no line end.
    searched: usize,
    max_line_bytes: usize,
    in_long_line: bool,
    eof: bool,
    /// Bytes the next read asks for.
    read_bytes: usize,
}

/// The buffers of a finished [`BlockReader`], for the next stream: a stream per small document
/// would otherwise allocate and zero them again each time.
#[derive(Debug, Default)]
pub(crate) struct ReadBuffers {
    pending: Vec<u8>,
    raw: Vec<u8>,
}

impl<R: Read> BlockReader<R> {
    /// A reader whose buffers start as `buffers` (cleared): the default ones, or those of a
    /// reader before it.
    pub(crate) fn new(reader: R, max_line_bytes: usize, buffers: ReadBuffers) -> Self {
        let ReadBuffers { mut pending, raw } = buffers;
        pending.clear();
        Self {
            source: Decoder::new(reader, raw),
            pending,
            searched: 0,
            max_line_bytes: max_line_bytes.max(1),
            in_long_line: false,
            eof: false,
            read_bytes: FIRST_READ_BYTES,
        }
    }

    /// True once the reader has reported the end of the input: what is left is in memory.
    pub(crate) fn input_ended(&self) -> bool {
        self.eof
    }

    /// Bytes read from the underlying reader so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.source.bytes_read()
    }

    /// The buffers, to start the next reader with.
    pub(crate) fn into_buffers(self) -> ReadBuffers {
        ReadBuffers { pending: self.pending, raw: self.source.into_buffer() }
    }

    /// Fills `out` (cleared first) with the next block; `None` at the end of the input.
    pub(crate) fn next_block(&mut self, out: &mut Vec<u8>) -> Result<Option<Block>> {
        out.clear();
        loop {
            if self.in_long_line {
                if let Some(block) = self.long_line_piece(out) {
                    return Ok(Some(block));
                }
            } else if self.eof || self.pending.len() >= BLOCK_BYTES {
                if self.eof && self.pending.is_empty() {
                    return Ok(None);
                }
                if let Some(cut) = self.last_line_end() {
                    let cut = self.capped_at_lines(cut);
                    self.take(cut, 0, out);
                    return Ok(Some(Block::Lines));
                }
                if self.eof {
                    self.take(self.pending.len(), 0, out);
                    return Ok(Some(Block::Lines));
                }
                // A trailing `\r` may be the first half of `\r\n`: one more read tells.
                if self.pending.len() >= self.max_line_bytes && self.pending.last() != Some(&b'\r') {
                    self.in_long_line = true;
                    let cut = utf8_boundary(&self.pending);
                    self.take(cut, 0, out);
                    return Ok(Some(Block::LongLinePiece { first: true, last: false }));
                }
            }
            self.fill()?;
        }
    }

    /// The next piece of a long line, or `None` when more input is needed to tell.
    fn long_line_piece(&mut self, out: &mut Vec<u8>) -> Option<Block> {
        let ended = |reader: &mut Self| {
            reader.in_long_line = false;
            Some(Block::LongLinePiece { first: false, last: true })
        };
        if let Some(end) = memchr::memchr2(b'\n', b'\r', &self.pending) {
            let terminator = match (self.pending[end], self.pending.get(end + 1)) {
                (b'\r', Some(b'\n')) => 2,
                (b'\r', None) if !self.eof => {
                    // Hand out what precedes the `\r`; the line ends with the next piece.
                    self.take(end, 0, out);
                    return (!out.is_empty()).then_some(Block::LongLinePiece { first: false, last: false });
                }
                _ => 1,
            };
            self.take(end, terminator, out);
            return ended(self);
        }
        if self.eof {
            self.take(self.pending.len(), 0, out);
            return ended(self);
        }
        if self.pending.len() < BLOCK_BYTES {
            return None;
        }
        let cut = utf8_boundary(&self.pending);
        self.take(cut, 0, out);
        Some(Block::LongLinePiece { first: false, last: false })
    }

    /// Moves `len` bytes of `pending` to `out` and drops `skip` more.
    fn take(&mut self, len: usize, skip: usize, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.pending[..len]);
        self.pending.drain(..len + skip);
        self.searched = 0;
    }

    /// `cut`, or the end of the [`MAX_BLOCK_LINES`]th line before it: each line of a block
    /// costs a record once classified, so a block of very short lines would otherwise weigh
    /// many times its bytes.
    fn capped_at_lines(&self, cut: usize) -> usize {
        let region = &self.pending[..cut];
        // Counting is a vector pass; finding the line end visits every line, so only a block of
        // too many lines pays for it.
        if memchr::memchr_iter(b'\n', region).count() < MAX_BLOCK_LINES {
            return cut;
        }
        memchr::memchr_iter(b'\n', region).nth(MAX_BLOCK_LINES - 1).map_or(cut, |at| at + 1)
    }

    /// Where the last complete line in `pending` ends.
    fn last_line_end(&mut self) -> Option<usize> {
        let from = self.searched;
        let region = &self.pending[from..];
        if let Some(at) = memchr::memrchr(b'\n', region) {
            return Some(from + at + 1);
        }
        // Without `\n`, a `\r` ends a line once the byte after it is known.
        let decided = if self.eof { region.len() } else { region.len().saturating_sub(1) };
        if let Some(at) = memchr::memrchr(b'\r', &region[..decided]) {
            return Some(from + at + 1);
        }
        self.searched = self.pending.len().saturating_sub(1);
        None
    }

    fn fill(&mut self) -> Result<()> {
        let start = self.pending.len();
        self.pending.resize(start + self.read_bytes, 0);
        loop {
            match self.source.read(&mut self.pending[start..]) {
                Ok(n) => {
                    self.pending.truncate(start + n);
                    self.eof = n == 0;
                    if n == self.read_bytes {
                        self.read_bytes = (self.read_bytes * 2).min(READ_BYTES);
                    }
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.pending.truncate(start);
                    return Err(Error::Read(e));
                }
            }
        }
    }
}

/// The longest prefix of `bytes` that does not end inside a UTF-8 sequence.
fn utf8_boundary(bytes: &[u8]) -> usize {
    let len = bytes.len();
    for back in 1..=len.min(4) {
        let byte = bytes[len - back];
        if byte & 0xC0 == 0x80 {
            continue;
        }
        let needed = match byte {
            0xF0..=0xF7 => 4,
            0xE0..=0xEF => 3,
            0xC0..=0xDF => 2,
            _ => 1,
        };
        return if needed > back { len - back } else { len };
    }
    len
}

/// One line of a block.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame<'a> {
    /// A line, decoded; `input_bytes` is its length in the block (without the line end).
    Line {
        text: &'a str,
        input_bytes: usize,
    },
    DocumentSeparator,
}

/// Splits a [`Block::Lines`] block into frames and calls `on_frame` for each, in order.
pub(crate) fn for_each_frame(block: &[u8], mut on_frame: impl FnMut(Frame<'_>)) {
    // Checking the block at once is much faster than line by line, and it is nearly always
    // valid; its lines, cut at ASCII bytes, then are too.
    let valid = simdutf8::basic::from_utf8(block).ok();
    let separators = has_line_separators(block);
    let mut start = 0;
    while start < block.len() {
        let rest = &block[start..];
        let (len, next) = match memchr::memchr2(b'\n', b'\r', rest) {
            Some(end) if rest[end] == b'\r' && rest.get(end + 1) == Some(&b'\n') => (end, end + 2),
            Some(end) => (end, end + 1),
            None => (rest.len(), rest.len()),
        };
        let bytes = &rest[..len];
        let text = match valid {
            Some(valid) => Cow::Borrowed(&valid[start..start + len]),
            None => String::from_utf8_lossy(bytes),
        };
        frame_line(bytes, &text, separators, &mut on_frame);
        start += next;
    }
}

/// True when `bytes` hold U+2028 or U+2029 (E2 80 A8, E2 80 A9; decoding invalid input never
/// makes either). One pass over a block spares its lines the check.
fn has_line_separators(bytes: &[u8]) -> bool {
    LINE_SEPARATORS.iter().any(|separator| separator.find(bytes).is_some())
}

/// Searchers for U+2028 and U+2029, built once. Their rare last bytes let the search skip
/// through text full of other E2 80 sequences (curly quotes, dashes).
static LINE_SEPARATORS: LazyLock<[Finder<'static>; 2]> =
    LazyLock::new(|| ["\u{2028}", "\u{2029}"].map(|separator| Finder::new(separator.as_bytes())));

/// Calls `on_frame` for the frames of one line; `separators`: its block may hold U+2028 or U+2029.
fn frame_line(bytes: &[u8], text: &str, separators: bool, on_frame: &mut impl FnMut(Frame<'_>)) {
    if bytes == FORM_FEED_LINE {
        return on_frame(Frame::DocumentSeparator);
    }
    if !(separators && has_line_separators(bytes)) {
        return on_frame(Frame::Line { text, input_bytes: bytes.len() });
    }
    // U+2028 separates lines, U+2029 paragraphs (which also end with a blank line). The input
    // bytes are counted on the first piece.
    let mut input_bytes = bytes.len();
    let mut rest = text;
    while let Some(at) = rest.find(['\u{2028}', '\u{2029}']) {
        on_frame(Frame::Line { text: &rest[..at], input_bytes: std::mem::take(&mut input_bytes) });
        if rest[at..].starts_with('\u{2029}') {
            on_frame(Frame::Line { text: "", input_bytes: 0 });
        }
        rest = &rest[at + '\u{2028}'.len_utf8()..];
    }
    on_frame(Frame::Line { text: rest, input_bytes })
}

/// Decodes a long-line piece (cut at a character boundary when possible).
pub(crate) fn decode_piece(piece: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(piece)
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

    /// Every line of `input`, long-line pieces joined and marked `<LONG>`.
    fn frames(input: &[u8], chunk: usize, max_line_bytes: usize) -> Vec<String> {
        let mut reader = BlockReader::new(Chunked { data: input, chunk }, max_line_bytes, ReadBuffers::default());
        let (mut block, mut out, mut long) = (Vec::new(), Vec::new(), String::new());
        while let Some(kind) = reader.next_block(&mut block).unwrap() {
            match kind {
                Block::Lines => for_each_frame(&block, |frame| {
                    out.push(match frame {
                        Frame::Line { text, .. } => text.to_string(),
                        Frame::DocumentSeparator => "<FF>".to_string(),
                    })
                }),
                Block::LongLinePiece { first, last } => {
                    assert_eq!(first, long.is_empty());
                    long.push_str(&decode_piece(&block));
                    if last {
                        out.push(format!("<LONG>{}", std::mem::take(&mut long)));
                    }
                }
            }
        }
        assert_eq!(reader.bytes_read(), input.len() as u64);
        out
    }

    #[test]
    fn line_endings_bom_and_separators() {
        let input = b"\xEF\xBB\xBFa\r\nb\rc\n\x0C\nd\xFFe\r\r\nf\xE2\x80\xA8g\xE2\x80\xA9h";
        let expected = ["a", "b", "c", "<FF>", "d\u{fffd}e", "", "f", "g", "", "h"];
        for chunk in [1, 2, 3, 7, 64 * 1024] {
            assert_eq!(frames(input, chunk, 1 << 20), expected, "chunk size {chunk}");
        }
    }

    #[test]
    fn trailing_newline_makes_no_extra_line() {
        assert_eq!(frames(b"a\n", 1, 100), ["a"]);
        assert_eq!(frames(b"", 1, 100), Vec::<String>::new());
        assert_eq!(frames(b"\n\n", 3, 100), ["", ""]);
        assert_eq!(frames(b"x\xEF\xBB\xBF", 1, 100), ["x\u{feff}"]);
    }

    #[test]
    fn blocks_end_at_line_ends_and_long_lines_come_in_pieces() {
        let mut input = Vec::new();
        for i in 0..40_000 {
            input.extend_from_slice(format!("line {i}\r\n").as_bytes());
        }
        let long = "é".repeat(BLOCK_BYTES);
        input.extend_from_slice(long.as_bytes());
        input.extend_from_slice(b"\r\nafter\rend");
        for chunk in [997, 64 * 1024] {
            let out = frames(&input, chunk, 1000);
            assert_eq!(out.len(), 40_003);
            assert_eq!(out[39_999], "line 39999");
            assert_eq!(out[40_000], format!("<LONG>{long}"));
            assert_eq!(out[40_001..], ["after", "end"]);
        }
        // Under the limit, the same line is an ordinary line.
        let out = frames(&input, 64 * 1024, 1 << 20);
        assert_eq!(out[40_000], long);
    }

    #[test]
    fn utf8_boundaries() {
        assert_eq!(utf8_boundary(b"ab"), 2);
        assert_eq!(utf8_boundary("aé".as_bytes()), 3);
        assert_eq!(utf8_boundary(&"aé".as_bytes()[..2]), 1);
        assert_eq!(utf8_boundary(&"a😀".as_bytes()[..4]), 1);
        assert_eq!(utf8_boundary(b"\x80\x80\x80\x80\x80"), 5);
    }
}
