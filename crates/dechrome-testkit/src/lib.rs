//! Test support shared by dechrome's tests and fuzz targets: the cleaner configurations under
//! test, readers that hand out data in uneven pieces, the properties every cleaning must have,
//! and where the fixtures and the data sets beside the repository are.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dechrome::Cleaner;

/// A small extra rule pack whose triggers are short, so that the fuzzer reaches every action
/// (drop-with-previous, drop-block, drop-rest) and both zones without guessing long phrases.
const SHORT_TRIGGERS: &str = r#"
[[rule]]
id = "fz-with-previous"
category = "media"
exact = ["wait", "W"]
action = "drop-with-previous"

[[rule]]
id = "fz-block"
category = "byline"
prefix = "bio:"
action = "drop-block"

[[rule]]
id = "fz-rest"
category = "related"
exact = ["more", "M"]
zone = "footer"
action = "drop-rest"

[[rule]]
id = "fz-header"
category = "navigation"
regex = '^h\d$'
zone = "header"

[[rule]]
id = "fz-footer"
category = "footer"
contains = "(c)"
zone = "footer"
"#;

/// Number of cleaner configurations; [`cleaner`] takes an index modulo this.
pub const CONFIGS: usize = 7;

fn build(index: usize) -> Cleaner {
    let mut b = Cleaner::builder();
    match index {
        0 => {}
        1 => {
            b.ascii_quotes(false).ascii_punct(true);
        }
        2 => {
            b.nfkc(true).ascii_punct(true);
        }
        3 => {
            b.default_rules(false).drop_duplicates(false);
        }
        4 => {
            b.header_lines(1).footer_lines(1);
        }
        5 => {
            b.header_lines(0).footer_lines(0).drop_duplicates(false).decode_entities(false).repair_mojibake(false);
        }
        _ => {
            b.add_rules_toml(SHORT_TRIGGERS, "fuzz.toml").header_lines(3).footer_lines(3);
        }
    }
    b.build().unwrap_or_else(|e| panic!("configuration {index} does not build: {e}"))
}

/// The cleaner for configuration `index % CONFIGS`, compiled once (0 is the default one).
pub fn cleaner(index: usize) -> &'static Cleaner {
    static CLEANERS: OnceLock<Vec<Cleaner>> = OnceLock::new();
    &CLEANERS.get_or_init(|| (0..CONFIGS).map(build).collect())[index % CONFIGS]
}

/// Whether configuration `index` may turn other characters into ASCII `/` or `<` (NFKC does:
/// U+FF0F → `/`).
pub fn may_create_ascii(index: usize) -> bool {
    index % CONFIGS == 2
}

/// Whether configuration `index` decodes HTML character references: each `&` of the input
/// may then become one `/` or `<` (`&lt;`, `&#47;`).
pub fn decodes_entities(index: usize) -> bool {
    index % CONFIGS != 5
}

/// Reads `data` in pieces whose sizes cycle through `sizes` (a zero size is read as 1).
pub struct Pieces<'a> {
    data: &'a [u8],
    sizes: &'a [usize],
    next: usize,
}

impl<'a> Pieces<'a> {
    /// A reader over `data`; with no sizes it reads one byte at a time.
    pub fn new(data: &'a [u8], sizes: &'a [usize]) -> Self {
        Self { data, sizes, next: 0 }
    }
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = if self.sizes.is_empty() { 1 } else { self.sizes[self.next % self.sizes.len()].max(1) };
        self.next += 1;
        let n = size.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Reads `data` ending each read at the next of `cuts` (byte offsets), so a test can put a read
/// boundary exactly between `\r` and `\n` or inside a multi-byte character.
pub struct CutReader<'a> {
    data: &'a [u8],
    position: usize,
    cuts: Vec<usize>,
}

impl<'a> CutReader<'a> {
    /// A reader over `data` that stops at each of `cuts` (in any order; out-of-range ones are ignored).
    pub fn new(data: &'a [u8], mut cuts: Vec<usize>) -> Self {
        cuts.retain(|&c| c > 0 && c < data.len());
        cuts.sort_unstable();
        cuts.dedup();
        Self { data, position: 0, cuts }
    }
}

impl Read for CutReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let end = self.cuts.iter().copied().find(|&c| c > self.position).unwrap_or(self.data.len());
        let n = (end - self.position).min(buf.len());
        buf[..n].copy_from_slice(&self.data[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

/// Cleans whatever `reader` yields into a byte vector.
pub fn try_clean(cleaner: &Cleaner, reader: impl Read) -> dechrome::Result<Vec<u8>> {
    try_clean_with_stats(cleaner, reader).map(|(out, _)| out)
}

/// Like [`try_clean`], with the run's statistics.
pub fn try_clean_with_stats(cleaner: &Cleaner, reader: impl Read) -> dechrome::Result<(Vec<u8>, dechrome::Stats)> {
    let mut out = Vec::new();
    let stats = cleaner.clean_reader(reader, &mut out)?;
    assert_eq!(stats.output_bytes, out.len() as u64, "stats.output_bytes disagrees with the output");
    Ok((out, stats))
}

/// Like [`try_clean`], for input that cannot fail.
pub fn clean(cleaner: &Cleaner, reader: impl Read) -> Vec<u8> {
    try_clean(cleaner, reader).unwrap_or_else(|e| panic!("in-memory cleaning failed: {e}"))
}

/// A stream that opens with a UTF-16 or UTF-32 byte-order mark is not read as UTF-8 (it may be
/// decoded from UTF-16, or refused), so the checks tied to UTF-8 decoding skip it.
pub fn opens_with_foreign_bom(input: &[u8]) -> bool {
    input.starts_with(b"\xFF\xFE") || input.starts_with(b"\xFE\xFF") || input.starts_with(b"\0\0\xFE\xFF")
}

/// Tab and the Unicode space separators (category Zs).
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// The shape every cleaned output has, whatever the input: valid UTF-8; lines end in `\n` only;
/// no C0 control but tab (and a form feed alone on its line, the document separator), no DEL,
/// no C1 control, no byte-order mark or soft hyphen, no U+2028/U+2029; lines are trimmed and
/// hold no run of two spaces; no blank line at the start or end of a document, never two blank
/// lines in a row; the output is empty or ends with exactly one newline. Returns the output as
/// text.
pub fn check_shape(out: &[u8]) -> &str {
    let text = std::str::from_utf8(out).unwrap_or_else(|e| panic!("output is not UTF-8: {e}"));
    if text.is_empty() {
        return text;
    }
    assert!(text.ends_with('\n'), "output does not end with a newline: {text:?}");
    let mut document: Vec<&str> = Vec::new();
    let check_document = |document: &mut Vec<&str>| {
        if let (Some(first), Some(last)) = (document.first(), document.last()) {
            assert!(!first.is_empty(), "document starts with a blank line: {text:?}");
            assert!(!last.is_empty(), "document ends with a blank line: {text:?}");
        }
        let blank_pair = document.windows(2).any(|w| w[0].is_empty() && w[1].is_empty());
        assert!(!blank_pair, "two blank lines in a row: {text:?}");
        document.clear();
    };
    for line in text[..text.len() - 1].split('\n') {
        if line == "\u{c}" {
            check_document(&mut document);
            continue;
        }
        for c in line.chars() {
            let bad = matches!(c,
                '\u{0}'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
                | '\u{ad}' | '\u{feff}' | '\u{2028}' | '\u{2029}');
            assert!(!bad, "output line holds {c:?}: {line:?}");
        }
        assert_eq!(line.trim_matches(is_space), line, "output line is not trimmed");
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            let double = is_space(c) && chars.peek().is_some_and(|&d| is_space(d));
            assert!(!double, "output line holds a run of spaces: {line:?}");
        }
        document.push(line);
    }
    check_document(&mut document);
    text
}

fn count_byte(needle: u8, bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == needle).count()
}

/// Counts ASCII `/` and `<` in `bytes`.
pub fn slashes_and_angles(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'/' || b == b'<').count()
}

/// Every property of cleaning `data` with configuration `config`: shape, idempotence (unless the
/// statistics count a document whose rounds did not settle, see `dechrome::MAX_ROUNDS`), the
/// same output when `streamed` (the same data, read in uneven pieces) is cleaned, invalid UTF-8
/// cleaned as its U+FFFD replacement, and no ASCII `/` or `<` conjured from other bytes.
pub fn check_all(config: usize, data: &[u8], streamed: impl Read) {
    let cleaner = cleaner(config);
    let foreign = opens_with_foreign_bom(data);
    let (whole, stats) = match try_clean_with_stats(cleaner, data) {
        Ok(cleaned) => cleaned,
        Err(_) if foreign => return,
        Err(e) => panic!("cleaning failed: {e}"),
    };
    let text = check_shape(&whole);

    if stats.unsettled_documents == 0 {
        let again = cleaner.clean_str(text).text;
        assert_eq!(again, text, "cleaning is not idempotent (configuration {config})");
    }

    assert_eq!(clean(cleaner, streamed), whole, "read boundaries change the output (configuration {config})");

    if foreign {
        return;
    }
    // Decoding happens line by line; line ends are ASCII, which always ends a bad sequence, so
    // cleaning the lossily decoded text must give the same result.
    let lossy = String::from_utf8_lossy(data);
    assert_eq!(cleaner.clean_str(&lossy).text, text, "lossy decoding first changes the output");

    if !may_create_ascii(config) {
        let references = if decodes_entities(config) { count_byte(b'&', data) } else { 0 };
        assert!(
            slashes_and_angles(&whole) <= slashes_and_angles(data) + references,
            "output holds a '/' or '<' that the input did not: {text:?}"
        );
    }
}

/// [`check_all`] with read sizes taken from `sizes`, and one byte at a time (the fuzz targets'
/// form).
pub fn check_bytes(config: usize, data: &[u8], sizes: &[u8]) {
    let sizes: Vec<usize> = sizes.iter().map(|&size| usize::from(size)).collect();
    check_all(config, data, Pieces::new(data, &sizes));
    if !sizes.is_empty() {
        check_all(config, data, Pieces::new(data, &[]));
    }
}

/// What stdin mode and batch mode make of `input` with the default settings: both stream it
/// through `Cleaner::clean_reader`. Much faster than starting the command for every file.
pub fn clean_default(input: &[u8]) -> Vec<u8> {
    clean(cleaner(0), input)
}

/// Writes `bytes` to `path`, making its folders first; panics on failure (a test's setup).
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// The repository's root folder.
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The repository's fixtures folder.
pub fn fixtures_dir() -> PathBuf {
    repository_root().join("fixtures")
}

/// A data set of `../shared/data` beside the repository (`aeb-dev`, `ftfy-cases`), if it is
/// there. Tests that need one are marked ignored when it is not (see the crates' build scripts).
pub fn shared_data(name: &str) -> Option<PathBuf> {
    let dir = repository_root().join("../shared/data").join(name);
    dir.is_dir().then_some(dir)
}

/// How much of a human-marked article an output keeps and how much else it holds, as the
/// article-extraction benchmark measures it (and `scripts/eval_quality.py`): word tokens (runs of
/// letters, digits and `_`), overlapping 4-token shingles counted as multisets, true and false
/// positives and false negatives normalised to sum to 1 on each page.
pub fn shingle_match(gold: &str, output: &str) -> (f64, f64, f64) {
    fn shingles(text: &str) -> std::collections::HashMap<Vec<String>, usize> {
        let tokens: Vec<String> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        let mut counts = std::collections::HashMap::new();
        // A text of fewer than four tokens is one (short) shingle, as in the benchmark.
        let last = tokens.len().saturating_sub(4);
        for start in 0..=last {
            let shingle = tokens[start..(start + 4).min(tokens.len())].to_vec();
            if !shingle.is_empty() {
                *counts.entry(shingle).or_insert(0) += 1;
            }
        }
        counts
    }
    let (gold, output) = (shingles(gold), shingles(output));
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for key in gold.keys().chain(output.keys().filter(|k| !gold.contains_key(*k))) {
        let (g, o) = (gold.get(key).copied().unwrap_or(0) as f64, output.get(key).copied().unwrap_or(0) as f64);
        tp += g.min(o);
        fp += (o - g).max(0.0);
        fn_ += (g - o).max(0.0);
    }
    let sum = tp + fp + fn_;
    if sum > 0.0 { (tp / sum, fp / sum, fn_ / sum) } else { (0.0, 0.0, 0.0) }
}

/// Precision, recall and F1 over pages from their [`shingle_match`] results: precision and
/// recall are averaged over the pages that have them, F1 is that of the averages.
pub fn shingle_scores(matches: &[(f64, f64, f64)]) -> (f64, f64, f64) {
    let precision: Vec<f64> = matches
        .iter()
        .filter(|(tp, fp, _)| tp + fp > 0.0)
        .map(|&(tp, fp, fn_)| if fp == 0.0 && fn_ == 0.0 { 1.0 } else { tp / (tp + fp) })
        .collect();
    let recall: Vec<f64> = matches
        .iter()
        .filter(|(tp, _, fn_)| tp + fn_ > 0.0)
        .map(|&(tp, fp, fn_)| if fp == 0.0 && fn_ == 0.0 { 1.0 } else { tp / (tp + fn_) })
        .collect();
    let mean = |values: &[f64]| if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / values.len() as f64 };
    let (p, r) = (mean(&precision), mean(&recall));
    (p, r, if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
}
