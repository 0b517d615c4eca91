//! Mojibake repair: finds UTF-8 that was decoded with a single-byte code page
//! and, where the evidence is strong enough, decodes it back.
//!
//! How one pass works:
//! 1. A cheap scan looks for a character that is a UTF-8 lead byte in some code
//!    page followed by one that is a continuation byte in the same code page.
//!    Most lines stop here.
//! 2. For each triggered code page, the line is cut into *sequences*: runs of
//!    characters whose bytes form one valid UTF-8 character (CESU-8 surrogate
//!    pairs included). A U+FFFD or `?` may stand for one lost byte, a space for
//!    a lost 0xA0, and a sequence cut off by the end of the line is kept: these
//!    "lossy" sequences decode to U+FFFD.
//! 3. Adjacent sequences form a *run* (normally one mis-decoded word or symbol
//!    cluster). A run is judged by comparing a badness score of the original
//!    and of the decoded text around it, counting measurable oddities: C1
//!    controls, a lowercase letter followed by an uppercase one, a symbol
//!    inside a word, letters of unrelated scripts touching, and the byte pairs
//!    that almost only occur as mojibake (`Ã©`, `â€`, `ðŸ`). A run whose
//!    decoding yields an implausible character (private use, IPA, obsolete
//!    letters, a lone letter of a rare script) is never repaired.
//! 4. Runs that clearly improve are *strong*. Runs that do not get worse are
//!    *weak* and repaired only when the line has a strong run in the same code
//!    page: mojibake rarely comes alone. On a line where some character outside
//!    every sequence shows that part of it was decoded right, a run spelled
//!    with only two characters is weak at most.
//! 5. The code page with the best total is applied. Layered mojibake is undone
//!    by running passes until nothing changes.

use super::charclass::{
    Plausibility, REPLACEMENT, Script, is_c1, is_letter, is_mark, is_symbol, is_word_digit, is_word_internal_punct,
    plausibility, script, scripts_compatible,
};
use super::codepage::{self, ALL, CodePage};

/// The sequence contains a stand-in for a lost byte (or was cut off by the end
/// of the line) and decodes to U+FFFD.
const LOSSY: u8 = 1;
/// One of the lost bytes is represented by an ASCII `?`, which is weaker
/// evidence than U+FFFD since `?` is common in real text.
const QUESTION_MARK: u8 = 2;
/// A space stands for byte 0xA0 (a no-break space that was normalized).
const SPACE_FOR_A0: u8 = 4;

/// Characters of context on each side of a run that the badness score reads.
const CONTEXT: usize = 3;

/// One candidate UTF-8 character, spelled as `chars[start..end]`.
#[derive(Clone, Copy, Debug)]
struct Seq {
    start: usize,
    end: usize,
    decoded: char,
    flags: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// Decodes to something implausible: never repair.
    Bad,
    /// Decoding makes the text look worse.
    Worse,
    /// Not worse; repair only on a line that is known to hold mojibake.
    Weak,
    /// Clearly better: repair.
    Strong,
}

/// A maximal group of adjacent sequences, `seqs[first..last]`.
#[derive(Clone, Copy, Debug)]
struct Run {
    first: usize,
    last: usize,
    verdict: Verdict,
    gain: i32,
    accepted: bool,
}

/// Reusable buffers, so that repairing a line does not allocate once warm.
#[derive(Default, Debug)]
pub(crate) struct Scratch {
    chars: Vec<char>,
    /// Per character: the code pages in which it is a lead byte.
    leads: Vec<u8>,
    seqs: Vec<Seq>,
    runs: Vec<Run>,
    best_seqs: Vec<Seq>,
    best_runs: Vec<Run>,
    buf: Buffers,
}

/// Buffers for judging one run.
#[derive(Default, Debug)]
struct Buffers {
    window: Vec<char>,
    layer: Vec<char>,
    layer_seqs: Vec<Seq>,
}

/// Runs one repair pass over `line`, writing the result to `out` (cleared
/// first) and returning true if anything was repaired.
pub(crate) fn repair_pass(line: &str, s: &mut Scratch, out: &mut String) -> bool {
    let triggered = triggers(line);
    if triggered == 0 {
        return false;
    }
    s.chars.clear();
    s.chars.extend(line.chars());
    s.leads.clear();
    s.leads.extend(s.chars.iter().map(|&c| if c.is_ascii() { 0 } else { codepage::masks(c).0 }));
    // The code page whose repair scores best wins; others get their turn in
    // the next pass if their sequences survive.
    let mut best_score = 0;
    for cp in ALL {
        if triggered & cp.bit() == 0 {
            continue;
        }
        find_sequences(&s.chars, &s.leads, cp, &mut s.seqs);
        if s.seqs.is_empty() {
            continue;
        }
        let score = judge(&s.chars, cp, &s.seqs, &mut s.runs, &mut s.buf);
        if score > best_score {
            best_score = score;
            std::mem::swap(&mut s.seqs, &mut s.best_seqs);
            std::mem::swap(&mut s.runs, &mut s.best_runs);
        }
    }
    if best_score == 0 {
        return false;
    }
    emit(&s.chars, &s.best_seqs, &s.best_runs, out);
    true
}

/// Bitmask of code pages in which some character of `line` starts what could be a UTF-8
/// sequence: a lead byte followed by a continuation (or a stand-in for a lost byte), and, for a
/// lead of three or four bytes, a second continuation (or a stand-in, or the end of the line).
/// Text in a language whose letters are lead bytes in some code page (Russian in Windows-1251)
/// meets the first condition after every word that ends before a quote or a dash, hardly ever
/// the second.
fn triggers(line: &str) -> u8 {
    let bytes = line.as_bytes();
    let mut triggered = 0;
    let mut pos = 0;
    while let Some(rel) = bytes[pos..].iter().position(|&b| b >= 0x80) {
        let mut chars = line[pos + rel..].chars();
        let Some(c) = chars.next() else { break };
        pos += rel + c.len_utf8();
        let kinds = codepage::lead_kinds(c);
        if kinds.lead == 0 {
            continue;
        }
        let candidates = kinds.lead
            & match chars.next() {
                Some('?' | REPLACEMENT) => u8::MAX,
                Some(' ') => kinds.before_lost_space,
                Some(next) if next.is_ascii() => 0,
                Some(next) => codepage::masks(next).1,
                None => 0,
            };
        if candidates == 0 {
            continue;
        }
        let second = match chars.next() {
            None | Some('?' | REPLACEMENT) => u8::MAX,
            Some(after) => codepage::masks(after).1,
        };
        triggered |= candidates & (second | !kinds.long);
    }
    triggered
}

/// Collects the non-overlapping sequences of `cp`, left to right; `leads`
/// holds the lead-byte mask of each character.
fn find_sequences(chars: &[char], leads: &[u8], cp: CodePage, seqs: &mut Vec<Seq>) {
    seqs.clear();
    let mut i = 0;
    while i < chars.len() {
        if leads.get(i).is_some_and(|&m| m & cp.bit() == 0) {
            i += 1;
            continue;
        }
        match match_at(chars, i, cp) {
            Some(seq) => {
                i = seq.end;
                seqs.push(seq);
            }
            None => i += 1,
        }
    }
}

/// Whether `b` may follow `lead` as the second byte of a UTF-8 character
/// (excluding overlong forms and values above U+10FFFF; surrogates after 0xED
/// are checked later, as they may be CESU-8).
fn second_byte_ok(lead: u8, b: u8) -> bool {
    match lead {
        0xE0 => (0xA0..=0xBF).contains(&b),
        0xF0 => (0x90..=0xBF).contains(&b),
        0xF4 => (0x80..=0x8F).contains(&b),
        _ => (0x80..=0xBF).contains(&b),
    }
}

/// The continuation byte `c` stands for in `cp`.
fn cont_byte(cp: CodePage, c: char) -> Option<u8> {
    cp.encode(c).filter(|&b| b <= 0xBF)
}

/// Tries to read one UTF-8 character, spelled in `cp`, starting at `chars[i]`.
fn match_at(chars: &[char], i: usize, cp: CodePage) -> Option<Seq> {
    let lead = cp.encode(chars[i])?;
    let len = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut bytes = [lead, 0, 0, 0];
    let mut flags = 0;
    for (k, slot) in bytes.iter_mut().enumerate().take(len).skip(1) {
        let Some(&c) = chars.get(i + k) else {
            // Cut off by the end of the line after at least one (real) continuation.
            let cut = k >= 2 && flags == 0;
            return cut.then_some(Seq { start: i, end: i + k, decoded: REPLACEMENT, flags: LOSSY });
        };
        let b = if let Some(b) = cont_byte(cp, c) {
            b
        } else if (c == REPLACEMENT || c == '?') && flags & LOSSY == 0 {
            flags |= LOSSY | if c == '?' { QUESTION_MARK } else { 0 };
            continue;
        } else if c == ' ' && flags & SPACE_FOR_A0 == 0 {
            flags |= SPACE_FOR_A0;
            0xA0
        } else {
            return None;
        };
        if k == 1 && !second_byte_ok(lead, b) {
            return None;
        }
        *slot = b;
    }
    let mut seq = Seq { start: i, end: i + len, decoded: REPLACEMENT, flags };
    if flags & LOSSY != 0 {
        return Some(seq);
    }
    let value = match len {
        2 => (u32::from(lead & 0x1F) << 6) | u32::from(bytes[1] & 0x3F),
        3 => (u32::from(lead & 0x0F) << 12) | (u32::from(bytes[1] & 0x3F) << 6) | u32::from(bytes[2] & 0x3F),
        _ => {
            (u32::from(lead & 0x07) << 18)
                | (u32::from(bytes[1] & 0x3F) << 12)
                | (u32::from(bytes[2] & 0x3F) << 6)
                | u32::from(bytes[3] & 0x3F)
        }
    };
    seq.decoded = match value {
        0xD800..=0xDBFF => {
            // CESU-8: a high surrogate must be followed by an encoded low one.
            let low = low_surrogate(chars, i + 3, cp)?;
            seq.end = i + 6;
            char::from_u32(0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00))?
        }
        v => char::from_u32(v)?,
    };
    if len == 2 && lead == 0xC3 && bytes[1] == 0xA0 && flags & SPACE_FOR_A0 != 0 && keeps_space(chars, i + 2) {
        // "Ã " is "à" whose no-break space became a space; the space usually
        // also separated "à" from the next word, so keep it.
        seq.end = i + 1;
    }
    Some(seq)
}

/// Reads a CESU-8 low surrogate (0xED 0xB0–0xBF 0x80–0xBF) spelled in `cp`.
fn low_surrogate(chars: &[char], i: usize, cp: CodePage) -> Option<u32> {
    let s = chars.get(i..i + 3)?;
    let (b0, b1, b2) = (cp.encode(s[0])?, cont_byte(cp, s[1])?, cont_byte(cp, s[2])?);
    (b0 == 0xED && b1 >= 0xB0).then(|| 0xD000 | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F))
}

/// For "Ã " decoded as "à": whether the space after it is a real word
/// separator (kept) rather than only the lost 0xA0 byte (consumed). It is
/// consumed before further whitespace, at the end of the line, and in the
/// Portuguese contractions "às", "àquele", "àquela", "àquilo".
fn keeps_space(chars: &[char], after_space: usize) -> bool {
    let rest = &chars[after_space.min(chars.len())..];
    match rest {
        [] => false,
        [c, ..] if c.is_whitespace() => false,
        ['s'] => false,
        ['s', c, ..] if !is_letter(*c) && *c != '\'' && *c != '\u{2019}' => false,
        ['q', 'u', 'e' | 'i', 'l', ..] => false,
        _ => true,
    }
}

/// Groups `seqs` into runs, judges each, and marks the runs to repair.
/// Returns the score of the repair (0: nothing to do).
fn judge(chars: &[char], cp: CodePage, seqs: &[Seq], runs: &mut Vec<Run>, buf: &mut Buffers) -> i32 {
    runs.clear();
    let mut first = 0;
    while first < seqs.len() {
        let mut last = first + 1;
        while last < seqs.len() && seqs[last].start == seqs[last - 1].end {
            last += 1;
        }
        let (verdict, gain) = assess(chars, cp, &seqs[first..last], buf);
        runs.push(Run { first, last, verdict, gain, accepted: false });
        first = last;
    }
    // For the rarer code pages, one implausible decoding means the line is
    // not in that code page at all (box-drawing art, math, curly quotes).
    if cp.is_rare() && runs.iter().any(|r| r.verdict == Verdict::Bad) {
        return 0;
    }
    if has_stray_character(chars, cp, seqs) {
        // Part of the line was decoded right ("Bremer/Mccoy – DrÃ¥ber"): it may be in another
        // code page altogether, so a run spelled with two characters is no proof on its own.
        for run in runs.iter_mut() {
            let spelled = seqs[run.last - 1].end - seqs[run.first].start;
            if run.verdict == Verdict::Strong && spelled < 3 {
                run.verdict = Verdict::Weak;
            }
        }
    }
    let confirmed = runs.iter().any(|r| r.verdict == Verdict::Strong);
    let mut score = 0;
    for run in runs.iter_mut() {
        run.accepted = run.verdict == Verdict::Strong || (run.verdict == Verdict::Weak && confirmed);
        if run.accepted {
            score += (run.last - run.first) as i32 + run.gain.max(0);
        }
    }
    score
}

/// Judges one run: compares the badness around it before and after decoding.
fn assess(chars: &[char], cp: CodePage, run: &[Seq], buf: &mut Buffers) -> (Verdict, i32) {
    let (Some(head), Some(tail)) = (run.first(), run.last()) else {
        return (Verdict::Bad, 0);
    };
    let (start, end) = (head.start, tail.end);
    let lo = start.saturating_sub(CONTEXT);
    let hi = (end + CONTEXT).min(chars.len());
    let edges = (lo == 0, hi == chars.len());
    let a = start - lo;

    let window = &mut buf.window;
    window.clear();
    window.extend_from_slice(&chars[lo..hi]);
    let before = badness(window, a, end - lo, edges) + evidence(window, a, end - lo);
    window.truncate(a);
    window.extend(run.iter().map(|s| s.decoded));
    let decoded_end = window.len();
    window.extend_from_slice(&chars[end..hi]);
    let mut after = badness(window, a, decoded_end, edges);
    if evidence(window, a, decoded_end) > 0 {
        // Layered mojibake: the decoded text is the next layer, which a later
        // pass undoes, so judge it by what that layer decodes to.
        after = after.min(next_layer_badness(&buf.window, a, decoded_end, edges, &mut buf.layer, &mut buf.layer_seqs));
    }

    let mut rare_script = None;
    for seq in run {
        match plausibility(seq.decoded) {
            Plausibility::Bad => return (Verdict::Bad, 0),
            Plausibility::RareScript => rare_script = Some(script(seq.decoded)),
            Plausibility::Ok => {}
        }
    }
    // A letter of a rare script is believable only as part of a word of it.
    if let Some(rare) = rare_script
        && run.iter().filter(|s| script(s.decoded) == rare).count() < 3
    {
        return (Verdict::Bad, 0);
    }

    let mut gain = before - after;
    if run.len() >= 3 && is_single_script_word(run) {
        // Three or more adjacent valid sequences spelling letters of one
        // non-Latin script: an accidental match is very unlikely.
        gain += 3;
    }
    let only_space = run.len() == 1 && head.flags & SPACE_FOR_A0 != 0;
    // A lone "Ã " is trusted on its own only at the end of a word ("voilÃ "),
    // where "à" is common and a capital after a lowercase letter is not.
    let word_final_a_grave =
        head.decoded == 'à' && start > 0 && chars[start - 1].is_lowercase() && chars[start].is_uppercase();
    let strong_min = if cp.is_rare() { 3 } else { 2 };
    let question_mark = run.iter().any(|s| s.flags & QUESTION_MARK != 0);
    let strong = gain >= strong_min && !question_mark && (!only_space || word_final_a_grave);
    let verdict = if strong {
        Verdict::Strong
    } else if gain > 0 || (gain == 0 && !question_mark) {
        // A `?` is common in real text: it may stand for a lost byte only where
        // the rest of its sequence is itself evidence ("â€?").
        Verdict::Weak
    } else {
        Verdict::Worse
    };
    (verdict, gain)
}

/// Whether a character outside every sequence is one that `cp` would have produced from a
/// lone high byte, which UTF-8 decoded in `cp` never leaves: the line is not all mojibake.
fn has_stray_character(chars: &[char], cp: CodePage, seqs: &[Seq]) -> bool {
    let mut seqs = seqs.iter().peekable();
    for (i, &c) in chars.iter().enumerate() {
        while seqs.next_if(|seq| seq.end <= i).is_some() {}
        let inside = seqs.peek().is_some_and(|seq| seq.start <= i);
        if !inside && is_symbol(c) && cp.encode(c).is_some() {
            return true;
        }
    }
    false
}

fn is_single_script_word(run: &[Seq]) -> bool {
    let mut found = Script::Neutral;
    for seq in run {
        let c = seq.decoded;
        if is_mark(c) {
            continue;
        }
        let s = script(c);
        if !is_letter(c) || s == Script::LatinGreek || (found != Script::Neutral && s != found) {
            return false;
        }
        found = s;
    }
    found != Script::Neutral
}

/// Badness of `w[a..b]` in its context: the oddities that involve at least
/// one character of that range. `edges` tells whether `w` starts at the
/// start of the line and ends at its end.
fn badness(w: &[char], a: usize, b: usize, edges: (bool, bool)) -> i32 {
    let mut score = 0;
    for j in a..b {
        let c = w[j];
        if is_c1(c) {
            score += 3;
        } else if (is_symbol(c)
            && !is_word_internal_punct(c)
            && c != REPLACEMENT
            && letter_before(w, j)
            && word_char_after(w, j))
            || (is_mark(c) && ((j == 0 && edges.0) || (j > 0 && w[j - 1].is_whitespace())))
        {
            // A symbol inside a word, or a combining mark with nothing to combine with.
            score += 2;
        }
    }
    let pairs_end = b.min(w.len().saturating_sub(1));
    for j in a.saturating_sub(1)..pairs_end {
        let (x, y) = (w[j], w[j + 1]);
        if x.is_lowercase() && y.is_uppercase() && !(x.is_ascii() && y.is_ascii()) {
            score += 2;
        }
        if is_letter(x) && is_letter(y) && !scripts_compatible(script(x), script(y)) {
            score += 1;
        }
        if (is_box_drawing(x) && is_letter(y)) || (is_letter(x) && is_box_drawing(y)) {
            score += 1;
        }
    }
    score
}

/// Evidence that only the original side is scored on: the mojibake byte-pair
/// prefixes (see [`bigram`]) touching `w[a..b]`, and unusual symbols glued
/// to the end of a word. Decoded text that still shows them is a further
/// layer of mojibake, not a worse reading.
fn evidence(w: &[char], a: usize, b: usize) -> i32 {
    let pairs_end = b.min(w.len().saturating_sub(1));
    let pairs: i32 = (a.saturating_sub(1)..pairs_end).map(|j| bigram(w[j], w[j + 1])).sum();
    let glued = (a.max(1)..b)
        .filter(|&j| {
            let c = w[j];
            is_symbol(c)
                && is_letter(w[j - 1])
                && !ends_words(c)
                && !is_word_internal_punct(c)
                && c != REPLACEMENT
                && !(letter_before(w, j) && word_char_after(w, j))
        })
        .count();
    pairs + glued as i32
}

/// Badness around `w[a..b]` once the best code page has decoded it again.
fn next_layer_badness(
    w: &[char],
    a: usize,
    b: usize,
    edges: (bool, bool),
    layer: &mut Vec<char>,
    seqs: &mut Vec<Seq>,
) -> i32 {
    let mut best = i32::MAX;
    for cp in ALL {
        find_sequences(&w[a..b], &[], cp, seqs);
        if seqs.is_empty() || seqs.iter().any(|s| plausibility(s.decoded) == Plausibility::Bad) {
            continue;
        }
        layer.clear();
        layer.extend_from_slice(&w[..a]);
        let mut copied = a;
        for seq in seqs.iter() {
            layer.extend_from_slice(&w[copied..a + seq.start]);
            layer.push(seq.decoded);
            copied = a + seq.end;
        }
        layer.extend_from_slice(&w[copied..b]);
        let layer_end = layer.len();
        layer.extend_from_slice(&w[b..]);
        best = best.min(badness(layer, a, layer_end, edges));
    }
    best
}

/// Symbols that commonly end a word (closing quotes, marks, superscripts),
/// so their following a letter is no evidence of anything.
fn ends_words(c: char) -> bool {
    matches!(
        c,
        '\u{2019}'
            | '\u{201D}'
            | '»'
            | '›'
            | '…'
            | '™'
            | '®'
            | '©'
            | '°'
            | '¹'
            | '²'
            | '³'
            | '†'
            | '‡'
            | '′'
            | '″'
            | '\u{2013}'
            | '\u{2014}'
            | '%'
            | '‰'
            | '€'
            | '¢'
            | '£'
            | '¥'
            | '\u{3002}'
            | '\u{3001}'
            | '\u{FF0C}'
    )
}

/// Box-drawing and block characters, which only touch letters in mojibake.
fn is_box_drawing(c: char) -> bool {
    ('\u{2500}'..='\u{259F}').contains(&c)
}

/// Whether a letter precedes `w[j]` in the same word, looking past symbols.
fn letter_before(w: &[char], j: usize) -> bool {
    w[..j].iter().rev().find(|c| !is_symbol(**c)).is_some_and(|&c| is_letter(c))
}

/// Whether a letter or digit follows `w[j]` in the same word, looking past symbols.
fn word_char_after(w: &[char], j: usize) -> bool {
    w[j + 1..].iter().find(|c| !is_symbol(**c)).is_some_and(|&c| is_letter(c) || is_word_digit(c))
}

/// Character pairs that are, in practice, only ever the start of mojibake:
/// the Latin-1 lead bytes 0xC2/0xC3 and the punctuation prefix 0xE2 0x80–0x9F
/// read as Windows-1252 or Latin-1, the emoji prefix 0xF0 0x9F, the prefix of
/// U+FFFD / BOM / full-width forms, and the punctuation prefix in Mac OS
/// Roman, Windows-1251, code page 437 and KOI8-R.
fn bigram(x: char, y: char) -> i32 {
    let w1252 = CodePage::W1252.encode(y).filter(|&b| b <= 0xBF);
    match x {
        // An apostrophe after a capital is usually a real apostrophe ("Ã’s").
        'Ã' | 'Â' if w1252.is_some() => {
            if matches!(y, '\u{2018}' | '\u{2019}') {
                1
            } else {
                2
            }
        }
        'â' if w1252.is_some_and(|b| b <= 0x9F) => {
            if matches!(y, '\u{2019}' | '\u{201D}' | '\u{2026}') {
                1
            } else {
                2
            }
        }
        'ð' if y == 'Ÿ' => 2,
        'ï' if matches!(y, '¿' | '»' | '¼' | '½') => 2,
        '√' if cont_byte(CodePage::MacRoman, y).is_some() => 2,
        '‚' if y == 'Ä' => 2,
        'в' if y == 'Ђ' => 2,
        'Γ' if y == 'Ç' => 2,
        'Б' if y == '─' => 2,
        _ => 0,
    }
}

/// Writes `chars` with the accepted runs decoded.
fn emit(chars: &[char], seqs: &[Seq], runs: &[Run], out: &mut String) {
    out.clear();
    let mut copied = 0;
    for run in runs.iter().filter(|r| r.accepted) {
        for seq in &seqs[run.first..run.last] {
            out.extend(&chars[copied..seq.start]);
            out.push(seq.decoded);
            copied = seq.end;
        }
    }
    out.extend(&chars[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> String {
        let mut scratch = Scratch::default();
        let mut cur = s.to_string();
        let mut out = String::new();
        while repair_pass(&cur, &mut scratch, &mut out) {
            std::mem::swap(&mut cur, &mut out);
        }
        cur
    }

    #[test]
    fn basic_repairs() {
        assert_eq!(fix("cafÃ©"), "café");
        assert_eq!(fix("â€œquotedâ€\u{9d}"), "“quoted”");
        assert_eq!(fix("Iggy Pop (nÃƒÂ© Jim Osterberg)"), "Iggy Pop (né Jim Osterberg)");
        assert_eq!(fix("Hi í\u{a0}½í¸\u{8d}"), "Hi 😍");
        assert_eq!(fix("voilÃ le travail"), "voilà le travail");
    }

    #[test]
    fn lines_decoded_partly_right_need_longer_evidence() {
        // The dash was decoded right, so "Ã¥" may be Mac OS Roman as well as Latin-1.
        assert_eq!(fix("Bremer/Mccoy – DrÃ¥ber"), "Bremer/Mccoy – DrÃ¥ber");
        assert_eq!(fix("The “quote” and cafÃ©"), "The “quote” and cafÃ©");
        assert_eq!(fix("The “quote” and â€œthisâ€\u{9d}"), "The “quote” and “this”");
        assert_eq!(fix("Bremer/Mccoy - DrÃ¥ber"), "Bremer/Mccoy - Dråber");
    }

    #[test]
    fn special_rules() {
        // The no-break space after "Ã" became a space: kept as a word separator
        // except before whitespace and in Portuguese contractions.
        assert_eq!(fix("jusqu'Ã nos jours, rÃ©flexion"), "jusqu'à nos jours, réflexion");
        assert_eq!(fix("atenÃ§Ã£o Ã s crianÃ§as"), "atenção às crianças");
        assert_eq!(fix("semelhante Ã quele, lesÃµes"), "semelhante àquele, lesões");
        assert_eq!(fix("Å veices baÅ†Ä·ieri"), "Šveices baņķieri");
        // Lost bytes: U+FFFD, a `?` next to strong evidence, a cut-off end.
        assert_eq!(fix("SlovenÄ\u{fffd}ina"), "Sloven\u{fffd}ina");
        assert_eq!(fix("â€œbbâ€? ok"), "“bb\u{fffd} ok");
        assert_eq!(fix("cafÃ© â€"), "café \u{fffd}");
        assert_eq!(fix("Está bien, ¿sí?"), "Está bien, ¿sí?");
        assert_eq!(fix("cafÃ"), "cafÃ");
        // Other code pages.
        assert_eq!(fix("РџСЂРёРІРµС‚, РјРёСЂ"), "Привет, мир");
        assert_eq!(fix("п÷я─п╦п╡п╣я┌, п╪п╦я─"), "Привет, мир");
        assert_eq!(fix("Le Vigne di Zam√≤"), "Le Vigne di Zamò");
        assert_eq!(fix("Tiß║┐ng Viß╗çt"), "Tiếng Việt");
        assert_eq!(fix("a Г‚ВЈ5.8bn issue"), "a £5.8bn issue");
    }

    #[test]
    fn leaves_real_text() {
        for s in ["NESTLÉ®", "Ôôô VIDA", "SÓ…", "5×£35", "Brontë…”", "(-1/2)! = √π", "├┤a┼┐a┼┐a", "`¬´"]
        {
            assert_eq!(fix(s), s);
        }
    }
}
