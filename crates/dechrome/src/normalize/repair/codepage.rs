//! Single-byte code pages that UTF-8 text is commonly mis-decoded with, and a
//! compile-time reverse index (character → byte) used to re-encode suspects.

use super::codepage_data;

/// A legacy single-byte encoding that UTF-8 bytes may have been decoded with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CodePage {
    /// Windows-1252 united with Latin-1: the C1 controls U+0080–U+009F also map
    /// back to their byte, because both decoders are common and often mixed on
    /// one line (`â€œ` next to `â\u{80}\u{9c}`); they agree on 0xA0–0xFF.
    W1252,
    /// Windows-1250 (Central European); undefined bytes appear as C1 controls.
    W1250,
    /// Windows-1251 (Cyrillic); undefined 0x98 appears as U+0098.
    W1251,
    /// ISO-8859-2 (Central European); 0x80–0x9F are the C1 controls.
    Iso8859_2,
    /// Windows-1257 (Baltic); undefined bytes appear as C1 controls.
    W1257,
    /// Mac OS Roman.
    MacRoman,
    /// IBM code page 437 (DOS).
    Cp437,
    /// KOI8-R (Russian).
    Koi8R,
}

/// All code pages, in tie-breaking priority order (most common mix-up first).
pub(crate) const ALL: [CodePage; 8] = [
    CodePage::W1252,
    CodePage::W1250,
    CodePage::W1251,
    CodePage::Iso8859_2,
    CodePage::W1257,
    CodePage::MacRoman,
    CodePage::Cp437,
    CodePage::Koi8R,
];

const TABLES: [&[char; 128]; 8] = [
    &codepage_data::W1252,
    &codepage_data::W1250,
    &codepage_data::W1251,
    &codepage_data::ISO8859_2,
    &codepage_data::W1257,
    &codepage_data::MAC_ROMAN,
    &codepage_data::CP437,
    &codepage_data::KOI8_R,
];

impl CodePage {
    /// Bit of this code page in the masks returned by [`masks`].
    pub(crate) const fn bit(self) -> u8 {
        1 << self as u8
    }

    /// Code pages whose mojibake is rarer and whose characters overlap with
    /// ordinary punctuation and symbols; they need stronger evidence.
    pub(crate) const fn is_rare(self) -> bool {
        matches!(self, CodePage::MacRoman | CodePage::Cp437 | CodePage::Koi8R)
    }

    /// The byte (0x80–0xFF) this code page decodes to `c`, if any.
    #[inline]
    pub(crate) fn encode(self, c: char) -> Option<u8> {
        let b = REVERSE[slot(c)?][self as usize];
        (b != 0).then_some(b)
    }
}

// The reverse index covers the only ranges the tables use: U+0080–U+04FF,
// U+2000–U+25FF and three Mac OS Roman extras.
const LOW_END: u32 = 0x500;
const MID_START: u32 = 0x2000;
const MID_END: u32 = 0x2600;
const EXTRAS: [u32; 3] = [0xF8FF, 0xFB01, 0xFB02];
const SLOTS: usize = (LOW_END - 0x80 + MID_END - MID_START) as usize + EXTRAS.len();
const MASK_LEAD: usize = 8;
const MASK_CONT: usize = 9;
const MASK_LONG_LEAD: usize = 10;
const MASK_SPACE_LEAD: usize = 11;
const COLUMNS: usize = 12;

#[inline]
const fn slot_of(u: u32) -> Option<usize> {
    if u >= 0x80 && u < LOW_END {
        Some((u - 0x80) as usize)
    } else if u >= MID_START && u < MID_END {
        Some((LOW_END - 0x80 + u - MID_START) as usize)
    } else if u == EXTRAS[0] {
        Some(SLOTS - 3)
    } else if u == EXTRAS[1] {
        Some(SLOTS - 2)
    } else if u == EXTRAS[2] {
        Some(SLOTS - 1)
    } else {
        None
    }
}

#[inline]
fn slot(c: char) -> Option<usize> {
    slot_of(c as u32)
}

/// Per slot: the byte in each code page (0 = not encodable), then bitmasks of the code pages
/// where that byte is a UTF-8 lead byte (0xC2–0xF4), a continuation byte (0x80–0xBF), the lead
/// of three or four bytes (0xE0–0xF4), and 0xC2 or 0xC3 (whose second byte may be a no-break
/// space that became a space).
static REVERSE: [[u8; COLUMNS]; SLOTS] = build_reverse();

const fn build_reverse() -> [[u8; COLUMNS]; SLOTS] {
    let mut rev = [[0u8; COLUMNS]; SLOTS];
    let mut cp = 0;
    while cp < TABLES.len() {
        let mut i = 0;
        while i < 128 {
            let byte = 0x80 + i as u8;
            if let Some(s) = slot_of(TABLES[cp][i] as u32) {
                rev[s][cp] = byte;
                set_masks(&mut rev[s], cp, byte);
            }
            i += 1;
        }
        cp += 1;
    }
    // Latin-1 reading of the C1 range, united with Windows-1252 (see `W1252`).
    let mut u = 0x80u32;
    while u < 0xA0 {
        if let Some(s) = slot_of(u) {
            rev[s][0] = u as u8;
            set_masks(&mut rev[s], 0, u as u8);
        }
        u += 1;
    }
    rev
}

const fn set_masks(entry: &mut [u8; COLUMNS], cp: usize, byte: u8) {
    if byte >= 0xC2 && byte <= 0xF4 {
        entry[MASK_LEAD] |= 1 << cp;
        if byte >= 0xE0 {
            entry[MASK_LONG_LEAD] |= 1 << cp;
        } else if byte <= 0xC3 {
            entry[MASK_SPACE_LEAD] |= 1 << cp;
        }
    } else if byte <= 0xBF {
        entry[MASK_CONT] |= 1 << cp;
    }
}

/// What `c` can stand for, as bitmasks of code pages (see [`masks`]).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LeadKinds {
    /// A UTF-8 lead byte.
    pub(crate) lead: u8,
    /// The lead of three or four bytes.
    pub(crate) long: u8,
    /// 0xC2 or 0xC3.
    pub(crate) before_lost_space: u8,
}

/// The kinds of lead byte `c` stands for.
#[inline]
pub(crate) fn lead_kinds(c: char) -> LeadKinds {
    match slot(c) {
        Some(s) => LeadKinds {
            lead: REVERSE[s][MASK_LEAD],
            long: REVERSE[s][MASK_LONG_LEAD],
            before_lost_space: REVERSE[s][MASK_SPACE_LEAD],
        },
        None => LeadKinds::default(),
    }
}

/// `(lead, cont)`: bitmasks of the code pages in which `c` stands for a UTF-8
/// lead byte, respectively a continuation byte.
#[inline]
pub(crate) fn masks(c: char) -> (u8, u8) {
    match slot(c) {
        Some(s) => (REVERSE[s][MASK_LEAD], REVERSE[s][MASK_CONT]),
        None => (0, 0),
    }
}

/// The character that byte `b` (0x80–0xFF) decodes to in `cp`.
#[cfg(test)]
pub(crate) fn decode(cp: CodePage, b: u8) -> char {
    TABLES[cp as usize][usize::from(b & 0x7F)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_byte() {
        for cp in ALL {
            for b in 0x80..=0xFFu8 {
                assert_eq!(cp.encode(decode(cp, b)), Some(b), "{cp:?} {b:#x}");
            }
        }
    }

    #[test]
    fn latin1_union() {
        assert_eq!(CodePage::W1252.encode('\u{80}'), Some(0x80));
        assert_eq!(CodePage::W1252.encode('€'), Some(0x80));
        assert_eq!(CodePage::W1250.encode('\u{99}'), None);
        assert_eq!(CodePage::Iso8859_2.encode('\u{99}'), Some(0x99));
        assert_eq!(masks('Ã'), (CodePage::W1252.bit() | CodePage::MacRoman.bit(), 0));
        assert_eq!(masks('a'), (0, 0));
    }
}
