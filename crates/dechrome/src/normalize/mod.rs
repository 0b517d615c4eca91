//! Normalization of kept lines: one file per step, applied in a fixed order.
//!
//! Every step is a pure function of one line, cheap to skip when it has nothing to do (a line
//! with no byte ≥ 0x80 never pays for NFC or quote handling), and idempotent, so cleaning the
//! output again changes nothing.
//!
//! [`view`] derives from a normalized line the form that rules are compared with, and
//! [`markup`] the same form without a list marker or markdown links.

mod c1;
mod controls;
mod markup;
mod printable;
mod punct;
mod quotes;
mod repair;
mod single_pass;
mod unicode_form;
mod view;
mod whitespace;

pub(crate) use markup::without_markup;
use printable::printable_run;
use repair::{RepairOptions, Repairer};
pub(crate) use view::{match_view, match_view_of_pattern};
pub(crate) use whitespace::is_horizontal_space;

/// Repairs after the other steps at most: each one that changes the line makes it shorter.
const MAX_REPAIR_ROUNDS: usize = 3;

/// One normalization step.
pub(crate) trait Step: Send + Sync + std::fmt::Debug {
    /// Cheap test; `false` promises that [`Step::apply`] would return `line` unchanged.
    fn applies_to(&self, line: &str) -> bool;
    /// Appends the transformed `line` to `out` (which the caller has cleared).
    fn apply(&self, line: &str, out: &mut String);
}

/// Which optional steps run. The defaults are what [`Cleaner::builder`](crate::Cleaner::builder) uses.
///
/// ```
/// use dechrome::NormalizeOptions;
/// let defaults = NormalizeOptions::default();
/// assert!(defaults.ascii_quotes && !defaults.ascii_punct && !defaults.nfkc);
/// assert!(defaults.repair_mojibake && defaults.decode_entities);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// Map curly single and double quotes to `'` and `"` (default on).
    pub ascii_quotes: bool,
    /// Map dashes and the ellipsis to ASCII (default off).
    pub ascii_punct: bool,
    /// Use NFKC instead of NFC (default off; NFKC changes meaning: `x²` → `x2`).
    pub nfkc: bool,
    /// Undo mojibake, UTF-8 decoded as a single-byte code page (`cafÃ©` → `café`), before any
    /// other step (default on).
    pub repair_mojibake: bool,
    /// Decode HTML character references (`AT&amp;T` → `AT&T`, `&#8220;` → `“`, `&nbsp;` → a
    /// no-break space), before any other step (default on).
    pub decode_entities: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        Self { ascii_quotes: true, ascii_punct: false, nfkc: false, repair_mojibake: true, decode_entities: true }
    }
}

/// The ordered list of steps for one set of options.
#[derive(Debug)]
pub(crate) struct Normalizer {
    repair: RepairOptions,
    steps: Vec<Box<dyn Step>>,
    single_pass: single_pass::SinglePass,
}

/// Reusable buffers, so normalizing a line allocates nothing once warmed up.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    repairer: Repairer,
    repaired: String,
    steps: (String, String),
}

enum Current {
    Input,
    A,
    B,
}

impl Normalizer {
    pub(crate) fn new(options: NormalizeOptions) -> Self {
        // Order matters: C1 bytes become real characters before control removal; controls go
        // before NFC so that removing one cannot leave a non-composed pair; quotes and dashes
        // are mapped after NFC(K); whitespace is last because every earlier step may expose it.
        let mut steps: Vec<Box<dyn Step>> = vec![Box::new(c1::Windows1252Controls), Box::new(controls::RemoveControls)];
        steps.push(Box::new(unicode_form::UnicodeForm::new(options.nfkc)));
        if options.ascii_quotes {
            steps.push(Box::new(quotes::AsciiQuotes));
        }
        if options.ascii_punct {
            steps.push(Box::new(punct::AsciiPunct));
        }
        steps.push(Box::new(whitespace::Whitespace));
        let repair = RepairOptions { mojibake: options.repair_mojibake, entities: options.decode_entities };
        Self { repair, steps, single_pass: single_pass::SinglePass::new(options) }
    }

    /// Writes the normalized form of `line` into `out` (cleared first); true when repair (the
    /// first step) changed the line. Callers check [`clean_ascii_spaces`] and
    /// [`Normalizer::may_repair`] first: a line that passes both is its own normalized form.
    pub(crate) fn normalize_into(&self, line: &str, scratch: &mut Scratch, out: &mut String) -> bool {
        let Scratch { repairer, repaired, steps } = scratch;
        let mut was_repaired = repairer.repair_line(line, self.repair, repaired);
        let input = if was_repaired { repaired.as_str() } else { line };
        self.normalize_steps(input, steps, out);
        if out.as_str() == input {
            return was_repaired;
        }
        // The other steps may take away what held repair back (a curly quote beside a sequence,
        // a control character): what repair now finds, a second run would find too.
        for _ in 0..MAX_REPAIR_ROUNDS {
            if !repairer.repair_line(out, self.repair, repaired) {
                break;
            }
            was_repaired = true;
            self.normalize_steps(repaired, steps, out);
        }
        was_repaired
    }

    /// Every step but repair.
    fn normalize_steps(&self, line: &str, steps: &mut (String, String), out: &mut String) {
        if !self.single_pass.normalize_into(line, out) {
            self.run_steps(line, steps, out);
        }
    }

    /// True when repair may change `line`, which [`clean_ascii_spaces`] found clean: printable
    /// ASCII can only hold HTML references.
    pub(crate) fn may_repair(&self, clean_ascii: &[u8]) -> bool {
        self.repair.entities && memchr::memchr(b'&', clean_ascii).is_some()
    }

    /// The steps one by one, each on the previous one's output.
    fn run_steps(&self, line: &str, (a, b): &mut (String, String), out: &mut String) {
        let mut current = Current::Input;
        for step in &self.steps {
            match current {
                Current::Input if step.applies_to(line) => {
                    a.clear();
                    step.apply(line, a);
                    current = Current::A;
                }
                Current::A if step.applies_to(a) => {
                    b.clear();
                    step.apply(a, b);
                    current = Current::B;
                }
                Current::B if step.applies_to(b) => {
                    a.clear();
                    step.apply(b, a);
                    current = Current::A;
                }
                _ => {}
            }
        }
        out.clear();
        out.push_str(match current {
            Current::Input => line,
            Current::A => a,
            Current::B => b,
        });
    }
}

/// For ASCII text that no step changes, the number of spaces in it; `None` for anything else.
/// Such text has no control character (tab included, to keep this test simple), no leading or
/// trailing space and no two spaces in a row. Most lines of English text are such.
pub(crate) fn clean_ascii_spaces(bytes: &[u8]) -> Option<usize> {
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return None;
    }
    let run = printable_run(bytes);
    (run.len == bytes.len() && !run.double_space).then_some(run.spaces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(options: NormalizeOptions, s: &str) -> String {
        let mut out = String::new();
        Normalizer::new(options).normalize_into(s, &mut Scratch::default(), &mut out);
        out
    }

    #[test]
    fn default_pipeline_runs_every_step_in_order() {
        let d = NormalizeOptions::default();
        // U+0092 is cp1252's right single quote, which the quote step then straightens.
        assert_eq!(norm(d, "  It\u{92}s  \u{201c}fine\u{201d}\u{ad}  "), "It's \"fine\"");
        // Removing the NUL lets NFC compose e + combining acute.
        assert_eq!(norm(d, "caf e\u{0}\u{301}"), "caf \u{e9}");
        assert_eq!(norm(d, "plain ascii line"), "plain ascii line");
    }

    #[test]
    fn clean_ascii_fast_path_agrees_with_the_steps() {
        // Lines past one 32-byte block test the block scan and its tail, and a double space
        // across the boundary between two blocks.
        let long = "a sentence long enough to fill more than two scan blocks of bytes.";
        let long_lines = [
            long.to_string(),
            format!("{long}\u{7}"),
            format!("{}  {}", &long[..31], &long[31..]),
            format!("{}\u{e9}{}", &long[..40], &long[40..]),
            format!("{long} \u{7f}"),
        ];
        let short = ["plain words.", " lead", "trail ", "two  spaces", "tab\there", "bell\u{7}", "", "x", "del\u{7f}"];
        for line in short.into_iter().chain(long_lines.iter().map(String::as_str)) {
            let slow = {
                let mut out = line.to_string();
                let normalizer = Normalizer::new(NormalizeOptions::default());
                for step in &normalizer.steps {
                    if step.applies_to(&out) {
                        let mut next = String::new();
                        step.apply(&out, &mut next);
                        out = next;
                    }
                }
                out
            };
            assert_eq!(norm(NormalizeOptions::default(), line), slow, "{line:?}");
            // Tabs are left to the steps; every other unchanged ASCII line takes the fast path.
            let fast_path_expected = line.is_ascii() && slow == line && !line.contains('\t');
            assert_eq!(clean_ascii_spaces(line.as_bytes()).is_some(), fast_path_expected, "{line:?}");
            if let Some(spaces) = clean_ascii_spaces(line.as_bytes()) {
                assert_eq!(slow, line);
                assert_eq!(spaces, line.matches(' ').count(), "{line:?}");
            }
        }
    }

    #[test]
    fn options_switch_steps() {
        let keep = NormalizeOptions { ascii_quotes: false, ..Default::default() };
        assert_eq!(norm(keep, "\u{201c}x\u{201d}"), "\u{201c}x\u{201d}");
        let punct = NormalizeOptions { ascii_punct: true, ..Default::default() };
        assert_eq!(norm(punct, "a \u{2014} b\u{2026}"), "a -- b...");
        let nfkc = NormalizeOptions { nfkc: true, ..Default::default() };
        assert_eq!(norm(nfkc, "x\u{b2} \u{fb01}"), "x2 fi");
        assert_eq!(norm(NormalizeOptions::default(), "x\u{b2} \u{fb01}"), "x\u{b2} \u{fb01}");
    }
}
