//! Byte-order marks: a UTF-8 one is dropped; a UTF-16 one (little- or big-endian) switches to
//! decoding UTF-16 into UTF-8, unpaired surrogates becoming U+FFFD; a UTF-32 one is refused,
//! since UTF-16 decoding would turn such text into a stream of NULs. Without a mark the input is
//! taken as UTF-8.

use std::io::{self, Read};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF32LE_BOM: &[u8] = b"\xFF\xFE\x00\x00";
const UTF32BE_BOM: &[u8] = b"\x00\x00\xFE\xFF";
const RAW_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// The first bytes have not been seen yet.
    Undetected,
    Utf8,
    Utf16 {
        big_endian: bool,
    },
}

/// A reader of UTF-8 over a reader of UTF-8 or UTF-16 text.
pub(crate) struct Decoder<R> {
    inner: R,
    encoding: Encoding,
    /// Bytes read from `inner` and not yet returned (the first bytes, or undecoded UTF-16).
    raw: Vec<u8>,
    /// UTF-8 decoded but not yet returned.
    decoded: Vec<u8>,
    bytes_read: u64,
    inner_done: bool,
}

impl<R: Read> Decoder<R> {
    /// A decoder that reads into `raw` (cleared): a new buffer, or that of a decoder before it.
    pub(crate) fn new(inner: R, mut raw: Vec<u8>) -> Self {
        raw.clear();
        Self { inner, encoding: Encoding::Undetected, raw, decoded: Vec::new(), bytes_read: 0, inner_done: false }
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The buffer of undecoded bytes, for the next [`Decoder::new`].
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.raw
    }

    /// Appends up to `RAW_BYTES` from `inner` to `raw`; false at the end of the input.
    fn read_raw(&mut self) -> io::Result<bool> {
        if self.inner_done {
            return Ok(false);
        }
        let start = self.raw.len();
        self.raw.resize(start + RAW_BYTES, 0);
        let result = loop {
            match self.inner.read(&mut self.raw[start..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let n = result.inspect_err(|_| self.raw.truncate(start))?;
        self.raw.truncate(start + n);
        self.bytes_read += n as u64;
        self.inner_done = n == 0;
        Ok(n > 0)
    }

    fn detect(&mut self) -> io::Result<()> {
        while self.raw.len() < UTF32LE_BOM.len() && self.read_raw()? {}
        let raw = &self.raw;
        if raw.starts_with(UTF32LE_BOM) || raw.starts_with(UTF32BE_BOM) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the input is UTF-32 (byte-order mark); convert it to UTF-8 first",
            ));
        }
        let (encoding, bom) = match raw.as_slice() {
            [0xFF, 0xFE, ..] => (Encoding::Utf16 { big_endian: false }, 2),
            [0xFE, 0xFF, ..] => (Encoding::Utf16 { big_endian: true }, 2),
            _ if raw.starts_with(UTF8_BOM) => (Encoding::Utf8, UTF8_BOM.len()),
            _ => (Encoding::Utf8, 0),
        };
        self.raw.drain(..bom);
        self.encoding = encoding;
        Ok(())
    }

    /// Decodes the UTF-16 code units in `raw` into `decoded`. Until the input ends, a trailing
    /// odd byte or high surrogate waits for the rest of its character; at the end it becomes
    /// U+FFFD.
    fn decode_utf16(&mut self, big_endian: bool, at_end: bool) {
        let unit = |pair: &[u8]| {
            let pair = [pair[0], pair[1]];
            if big_endian { u16::from_be_bytes(pair) } else { u16::from_le_bytes(pair) }
        };
        let mut usable = self.raw.len() & !1;
        if !at_end && usable >= 2 && (0xD800..0xDC00).contains(&unit(&self.raw[usable - 2..usable])) {
            usable -= 2;
        }
        let mut utf8 = [0u8; 4];
        for result in char::decode_utf16(self.raw[..usable].chunks_exact(2).map(unit)) {
            let c = result.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.decoded.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        let mut consumed = usable;
        if at_end && self.raw.len() > usable {
            self.decoded.extend_from_slice(char::REPLACEMENT_CHARACTER.encode_utf8(&mut utf8).as_bytes());
            consumed = self.raw.len();
        }
        self.raw.drain(..consumed);
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.encoding == Encoding::Undetected {
            self.detect()?;
        }
        match self.encoding {
            Encoding::Utf16 { big_endian } => {
                while self.decoded.is_empty() {
                    let more = self.read_raw()?;
                    self.decode_utf16(big_endian, !more);
                    if !more && self.decoded.is_empty() {
                        return Ok(0);
                    }
                }
                let n = out.len().min(self.decoded.len());
                out[..n].copy_from_slice(&self.decoded[..n]);
                self.decoded.drain(..n);
                Ok(n)
            }
            _ => {
                if self.raw.is_empty() {
                    let n = self.inner.read(out)?;
                    self.bytes_read += n as u64;
                    return Ok(n);
                }
                let n = out.len().min(self.raw.len());
                out[..n].copy_from_slice(&self.raw[..n]);
                self.raw.drain(..n);
                Ok(n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> io::Result<String> {
        let mut out = Vec::new();
        Decoder::new(bytes, Vec::new()).read_to_end(&mut out)?;
        Ok(String::from_utf8(out).expect("the decoder produces UTF-8"))
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        bytes
    }

    #[test]
    fn byte_order_marks() {
        let text = "Zürich 😀\r\nnext line";
        assert_eq!(decode(&utf16(text, false)).unwrap(), text);
        assert_eq!(decode(&utf16(text, true)).unwrap(), text);
        assert_eq!(decode(b"\xEF\xBB\xBFplain").unwrap(), "plain");
        assert_eq!(decode(b"no mark \xEF\xBB\xBF").unwrap(), "no mark \u{feff}");
        assert_eq!(decode(b"").unwrap(), "");
        let refused = decode(b"\xFF\xFE\x00\x00a\x00\x00\x00").unwrap_err();
        assert!(refused.to_string().contains("UTF-32"), "{refused}");
    }

    #[test]
    fn broken_utf16_becomes_replacement_characters() {
        // A lone low surrogate, then a high surrogate cut off by the end, then an odd byte.
        assert_eq!(decode(b"\xFF\xFEa\x00\x00\xDCb\x00").unwrap(), "a\u{fffd}b");
        assert_eq!(decode(b"\xFF\xFEa\x00\x3D\xD8").unwrap(), "a\u{fffd}");
        assert_eq!(decode(b"\xFF\xFEa\x00b").unwrap(), "a\u{fffd}");
    }
}
