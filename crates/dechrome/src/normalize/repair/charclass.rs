//! Coarse character classes used to judge how plausible a piece of text is.
//!
//! Only what the mojibake heuristics need: letter case, "symbol" (non-ASCII
//! punctuation and signs), a script group per letter, and whether a character
//! is a believable result of repairing mojibake.

/// Soft hyphen: legitimately occurs inside words.
pub(crate) const SHY: char = '\u{AD}';
/// The replacement character a lossy decoder leaves for a byte it dropped.
pub(crate) const REPLACEMENT: char = '\u{FFFD}';

/// A C1 control character (U+0080–U+009F).
#[inline]
pub(crate) fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9F}').contains(&c)
}

/// A combining mark the heuristics care about (it must follow a base character).
pub(crate) fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2 | 0x05C4..=0x05C5
        | 0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200C..=0x200D | 0x20D0..=0x20FF | 0xFE00..=0xFE0F
        | 0xFE20..=0xFE2F | 0xE0020..=0xE007F | 0xE0100..=0xE01EF)
}

/// A letter for word-context purposes (includes the ordinal indicators and µ).
/// Answers the ranges mojibake consists of without the Unicode table lookup.
#[inline]
pub(crate) fn is_letter(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphabetic(),
        0x80..=0xBF => matches!(c, 'ª' | 'µ' | 'º'),
        0xC0..=0x24F => c != '×' && c != '÷',
        0x0400..=0x0481 | 0x048A..=0x052F | 0x05D0..=0x05EA | 0x0621..=0x063A | 0x0641..=0x064A => true,
        0x3041..=0x3096 | 0x30A1..=0x30FA | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 => true,
        0x2000..=0x206F | 0x20A0..=0x20CF | 0x2122 | 0x2190..=0x23FF | 0x2500..=0x2BFF | 0x3000..=0x303F => false,
        _ => c.is_alphabetic(),
    }
}

/// A digit that can continue a word ("Ì¶6" is a struck-through 6).
#[inline]
pub(crate) fn is_word_digit(c: char) -> bool {
    c.is_ascii_digit() || (c as u32 > 0xFF && c.is_numeric())
}

/// A non-ASCII symbol or punctuation character: the kind of character a
/// continuation byte turns into, and which rarely sits inside a word.
pub(crate) fn is_symbol(c: char) -> bool {
    !c.is_ascii() && !is_letter(c) && !is_mark(c) && !c.is_whitespace() && !is_c1(c) && c != SHY
}

/// Characters that legitimately sit inside words, so they are no evidence of
/// mojibake there: apostrophes and the Catalan middle dot.
pub(crate) fn is_word_internal_punct(c: char) -> bool {
    matches!(c, '\u{2019}' | '\u{02BC}' | '\u{00B7}' | '\u{2027}')
}

/// Broad script families; letters of incompatible families rarely touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Script {
    /// Not a letter, or used with any script.
    Neutral,
    /// Latin, and Greek, which Latin-script science text mixes freely ("IL2Rγ").
    LatinGreek,
    Cyrillic,
    Armenian,
    Hebrew,
    Arabic,
    Indic,
    Thai,
    /// Han, kana, Hangul, bopomofo: mixed freely in East Asian text.
    EastAsian,
    Other,
}

/// The script family of a letter (`Neutral` for non-letters).
pub(crate) fn script(c: char) -> Script {
    if !is_letter(c) {
        return Script::Neutral;
    }
    match c as u32 {
        0x0000..=0x036F | 0x1D00..=0x1DBF | 0x1E00..=0x1FFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0xFB00..=0xFB06 => {
            Script::LatinGreek
        }
        0x0370..=0x03FF => Script::LatinGreek,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0530..=0x058F | 0xFB13..=0xFB17 => Script::Armenian,
        0x0590..=0x05FF | 0xFB1D..=0xFB4F => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
        0x0900..=0x0DFF => Script::Indic,
        0x0E00..=0x0E7F => Script::Thai,
        0x1100..=0x11FF
        | 0x2E80..=0x2FDF
        | 0x3000..=0x9FFF
        | 0xA960..=0xA97F
        | 0xAC00..=0xD7FF
        | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF => Script::EastAsian,
        _ => Script::Other,
    }
}

/// Whether two adjacent letters of these scripts look like normal text.
pub(crate) fn scripts_compatible(a: Script, b: Script) -> bool {
    a == b || a == Script::Neutral || b == Script::Neutral
}

/// How believable a character is as the result of repairing mojibake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plausibility {
    /// Common in real text.
    Ok,
    /// A letter of a less common script: believable only in a run of several.
    RareScript,
    /// Practically never the intended character: private use, obsolete or
    /// phonetic letters, format controls, unassigned-looking blocks.
    Bad,
}

/// Plausibility of `c` as a repaired character.
pub(crate) fn plausibility(c: char) -> Plausibility {
    use Plausibility::{Bad, Ok, RareScript};
    match c as u32 {
        0x0080..=0x00FF => Ok,
        // Latin Extended-A, minus kra, n-apostrophe, L with middle dot, long s.
        0x0138 | 0x013F | 0x0140 | 0x0149 | 0x017F => Bad,
        0x0100..=0x017F => Ok,
        // Latin Extended-B: only the letters real orthographies use (florin,
        // Vietnamese horn letters, Croatian digraphs, pinyin, Romanian comma
        // letters, schwa/open e/open o of African and Turkic languages).
        0x0186 | 0x018F | 0x0190 | 0x0192 | 0x01A0 | 0x01A1 | 0x01AF | 0x01B0 | 0x01C4..=0x01DC | 0x0218..=0x021B => Ok,
        0x0254 | 0x0259 | 0x025B => Ok,
        0x0180..=0x02AF => Bad,
        // Spacing modifiers: only the accents and apostrophes real text uses.
        0x02BB | 0x02BC | 0x02C6 | 0x02C7 | 0x02C9 | 0x02D8..=0x02DD => Ok,
        0x02B0..=0x02FF => Bad,
        // Combining marks: the diacritics real text uses, and the overlays of
        // "struck-through" social-media text.
        0x0300..=0x0304 | 0x0306..=0x030C | 0x030F | 0x0311 | 0x0323..=0x0328 | 0x0331 | 0x0335..=0x0338 => Ok,
        0x0305..=0x036F => Bad,
        0x0384..=0x03CE => Ok,
        0x0370..=0x03FF => Bad,
        0x0400..=0x045F | 0x0490..=0x04FF => Ok,
        0x0460..=0x048F | 0x0500..=0x052F => Bad,
        0x0531..=0x0587 => RareScript,
        0x05B0..=0x05C7 | 0x05D0..=0x05EA | 0x05F0..=0x05F4 => Ok,
        0x0600..=0x06FF => Ok,
        0x0700..=0x08FF => RareScript,
        0x0900..=0x0DFF | 0x0E01..=0x0E5B => Ok,
        0x0E80..=0x109F | 0x10A0..=0x10FF | 0x1200..=0x139F | 0x1780..=0x17FF => RareScript,
        0x1E00..=0x1FFE => Ok,
        0x2000..=0x2027 | 0x202F..=0x205F => Ok,
        0x2070..=0x20C0 | 0x2100..=0x23FF | 0x2460..=0x27FF | 0x2800..=0x2BFF => Ok,
        // CJK minus the Kanbun marks and Extension A, which mojibake of
        // Latin text lands in but real text rarely uses.
        0x3190..=0x319F | 0x3400..=0x4DBF => RareScript,
        0x2E80..=0x2FDF | 0x3000..=0x33FF | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => Ok,
        0xFB00..=0xFB06 | 0xFB50..=0xFDCF | 0xFDF0..=0xFDFF | 0xFE00..=0xFE0F | 0xFE30..=0xFE4F => Ok,
        0xFE70..=0xFEFF | 0xFF01..=0xFFEE | 0xFFFD => Ok,
        0x1D400..=0x1D7FF | 0x1F000..=0x1FAFF | 0x20000..=0x3134F | 0xE0020..=0xE007F => Ok,
        _ => Bad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_symbol('©') && is_symbol('€') && is_symbol('³') && is_symbol('×'));
        assert!(!is_symbol('é') && !is_symbol('ª') && !is_symbol('\u{a0}') && !is_symbol('\u{85}'));
        assert_eq!(script('γ'), Script::LatinGreek);
        assert_eq!(script('ж'), Script::Cyrillic);
        assert_eq!(script('の'), Script::EastAsian);
        assert_eq!(plausibility('ɒ'), Plausibility::Bad);
        assert_eq!(plausibility('é'), Plausibility::Ok);
        assert_eq!(plausibility('Յ'), Plausibility::RareScript);
        assert_eq!(plausibility('\u{E000}'), Plausibility::Bad);
    }
}
