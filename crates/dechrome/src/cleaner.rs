//! The public entry point: [`Cleaner`] and its builder.

use std::io::{BufWriter, Read, Write};
use std::sync::Arc;

use crate::analyze::{Analysis, DuplicateKeys};
use crate::decide::classifier::LineClassifier;
use crate::decide::reasons::Reasons;
use crate::decide::{ContextScorer, Decisions, WindowSettings};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::model::{DEFAULT_MODEL_NAME, Model};
use crate::normalize::{NormalizeOptions, Normalizer};
use crate::parallel::join_beside;
use crate::rules::{Matcher, RuleSet};
use crate::sink::{Sink, TextSink};
use crate::stats::Stats;

/// Default size of the header zone, in kept non-blank lines.
pub const DEFAULT_HEADER_LINES: usize = 20;
/// Default size of the footer zone, in kept non-blank lines.
pub const DEFAULT_FOOTER_LINES: usize = 20;
/// Lines shorter than this many characters are never dropped as duplicates.
pub const DEFAULT_MIN_DUPLICATE_CHARS: usize = 20;
/// Default line-length limit in bytes: longer lines are passed through without normalization
/// or rule matching, in pieces, so memory stays bounded whatever the input.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1024 * 1024;

/// Configures and builds a [`Cleaner`].
///
/// ```
/// use dechrome::Cleaner;
/// let cleaner = Cleaner::builder()
///     .add_rules_toml("[[rule]]\nid = \"promo\"\ncategory = \"promo\"\nexact = \"Get the app\"\n", "my.toml")
///     .disable("ads")
///     .ascii_quotes(false)
///     .build()?;
/// let cleaned = cleaner.clean_str("Get the app\nStocks rose on Monday.\n");
/// assert_eq!(cleaned.text, "Stocks rose on Monday.\n");
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CleanerBuilder {
    default_rules: bool,
    extra_rules: Vec<(String, String)>,
    rule_set: Option<RuleSet>,
    disabled: Vec<String>,
    normalize: NormalizeOptions,
    drop_duplicates: bool,
    header_lines: usize,
    footer_lines: usize,
    max_line_bytes: usize,
    threads: usize,
    compile_threads: Option<usize>,
    scorers: Vec<Arc<dyn ContextScorer>>,
    classifier: bool,
    /// A model file's text and name, instead of the built-in model.
    model: Option<(String, String)>,
    record_features: bool,
}

impl Default for CleanerBuilder {
    fn default() -> Self {
        Self {
            default_rules: true,
            extra_rules: Vec::new(),
            rule_set: None,
            disabled: Vec::new(),
            normalize: NormalizeOptions::default(),
            drop_duplicates: true,
            header_lines: DEFAULT_HEADER_LINES,
            footer_lines: DEFAULT_FOOTER_LINES,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            threads: 1,
            compile_threads: None,
            scorers: Vec::new(),
            classifier: true,
            model: None,
            record_features: false,
        }
    }
}

impl CleanerBuilder {
    /// Whether the built-in rule pack is loaded (default `true`).
    pub fn default_rules(&mut self, yes: bool) -> &mut Self {
        self.default_rules = yes;
        self
    }

    /// Adds a rule pack in TOML; `source_name` (a path, say) appears in error messages.
    /// Parsed by [`CleanerBuilder::build`].
    pub fn add_rules_toml(&mut self, toml: impl Into<String>, source_name: impl Into<String>) -> &mut Self {
        self.extra_rules.push((toml.into(), source_name.into()));
        self
    }

    /// Uses `rules` instead of the built-in pack (packs added with `add_rules_toml` still follow).
    pub fn rules(&mut self, rules: RuleSet) -> &mut Self {
        self.rule_set = Some(rules);
        self
    }

    /// Removes the rules with this id or category. `build` fails if nothing matches the name.
    pub fn disable(&mut self, id_or_category: impl Into<String>) -> &mut Self {
        self.disabled.push(id_or_category.into());
        self
    }

    /// Map curly quotes to ASCII `'` and `"` (default `true`).
    pub fn ascii_quotes(&mut self, yes: bool) -> &mut Self {
        self.normalize.ascii_quotes = yes;
        self
    }

    /// Map dashes to `-`/`--` and the ellipsis to `...` (default `false`).
    pub fn ascii_punct(&mut self, yes: bool) -> &mut Self {
        self.normalize.ascii_punct = yes;
        self
    }

    /// Undo mojibake (UTF-8 decoded as a single-byte code page: `cafÃ©` → `café`) before every
    /// other step (default `true`).
    pub fn repair_mojibake(&mut self, yes: bool) -> &mut Self {
        self.normalize.repair_mojibake = yes;
        self
    }

    /// Decode HTML character references (`AT&amp;T`, `&#8220;`, `&nbsp;`) before every other step
    /// (default `true`).
    pub fn decode_entities(&mut self, yes: bool) -> &mut Self {
        self.normalize.decode_entities = yes;
        self
    }

    /// Use NFKC instead of NFC (default `false`).
    pub fn nfkc(&mut self, yes: bool) -> &mut Self {
        self.normalize.nfkc = yes;
        self
    }

    /// Drop lines of 20+ characters that repeat an earlier line of the same document (default `true`).
    pub fn drop_duplicates(&mut self, yes: bool) -> &mut Self {
        self.drop_duplicates = yes;
        self
    }

    /// Size of the header zone in kept non-blank lines (default 20).
    pub fn header_lines(&mut self, lines: usize) -> &mut Self {
        self.header_lines = lines;
        self
    }

    /// Size of the footer zone in kept non-blank lines (default 20; 0 turns footer rules off).
    pub fn footer_lines(&mut self, lines: usize) -> &mut Self {
        self.footer_lines = lines;
        self
    }

    /// Lines longer than this many bytes are passed through as they are, without normalization
    /// or rule matching, and never buffered whole (default [`DEFAULT_MAX_LINE_BYTES`]).
    pub fn max_line_bytes(&mut self, bytes: usize) -> &mut Self {
        self.max_line_bytes = bytes;
        self
    }

    /// Threads that normalize and match the lines of one stream (default 1). With more, blocks
    /// of a large stream are classified in parallel; the output is the same bytes.
    pub fn threads(&mut self, threads: usize) -> &mut Self {
        self.threads = threads;
        self
    }

    /// Threads that compile the rules' regular expressions in [`CleanerBuilder::build`]
    /// (default: as many as [`CleanerBuilder::threads`]). Compiling is most of the time `build`
    /// takes. A program that runs one cleaner per document on many threads at once keeps
    /// `threads(1)` and sets this to its own thread count. The cleaner is the same for any count.
    pub fn compile_threads(&mut self, threads: usize) -> &mut Self {
        self.compile_threads = Some(threads);
        self
    }

    /// Adds a judge of lines that reads their neighbours (see [`ContextScorer`]). Scorers run
    /// after the rules, in the order added; the first to drop a line decides.
    pub fn scorer(&mut self, scorer: Arc<dyn ContextScorer>) -> &mut Self {
        self.scorers.push(scorer);
        self
    }

    /// Whether the line classifier judges every line from its shape and its neighbours' (default
    /// `true`); without it, the rules alone decide.
    pub fn classifier(&mut self, yes: bool) -> &mut Self {
        self.classifier = yes;
        self
    }

    /// The classifier's model file (JSON, as `scripts/train_classifier.py` writes it) instead of
    /// the built-in one; `source_name` appears in error messages. Parsed by
    /// [`CleanerBuilder::build`].
    pub fn model_json(&mut self, json: impl Into<String>, source_name: impl Into<String>) -> &mut Self {
        self.model = Some((json.into(), source_name.into()));
        self
    }

    /// Hands each line's classifier features to the sinks ([`LineRecord::features`], written by
    /// [`FeaturesSink`]) for training a model; costs a second feature table per document.
    ///
    /// [`LineRecord::features`]: crate::LineRecord::features
    /// [`FeaturesSink`]: crate::FeaturesSink
    pub fn record_features(&mut self, yes: bool) -> &mut Self {
        self.record_features = yes;
        self
    }

    /// The rule set these settings produce, before compiling it.
    pub fn rule_set(&self) -> Result<RuleSet> {
        let mut rules = match (&self.rule_set, self.default_rules) {
            (Some(rules), _) => rules.clone(),
            (None, true) => RuleSet::builtin()?,
            (None, false) => RuleSet::new(),
        };
        for (toml, source_name) in &self.extra_rules {
            rules.add_toml(toml, source_name)?;
        }
        for name in &self.disabled {
            if rules.disable(name) == 0 {
                return Err(Error::UnknownDisable(name.clone()));
            }
        }
        Ok(rules)
    }

    /// Parses and compiles everything.
    pub fn build(&self) -> Result<Cleaner> {
        if self.max_line_bytes == 0 {
            return Err(Error::Setting("max_line_bytes must be at least 1".into()));
        }
        if self.threads == 0 {
            return Err(Error::Setting("threads must be at least 1".into()));
        }
        let compile_threads = self.compile_threads.unwrap_or(self.threads);
        if compile_threads == 0 {
            return Err(Error::Setting("compile_threads must be at least 1".into()));
        }
        let rules = self.rule_set()?;
        let classifier = match (self.classifier, &self.model) {
            (false, _) => None,
            (true, Some((json, source))) => {
                Some(Arc::new(LineClassifier::new(Arc::new(Model::from_json(json, source)?), source)?))
            }
            (true, None) => Some(Arc::new(LineClassifier::new(Arc::new(Model::builtin()?), DEFAULT_MODEL_NAME)?)),
        };
        let mut scorers = self.scorers.clone();
        if let Some(classifier) = &classifier {
            scorers.push(classifier.clone());
        }
        // The normalizer's tables are built beside the matcher when there are threads to spare.
        let (normalizer, matcher) = join_beside(
            compile_threads > 1,
            || Normalizer::new(self.normalize),
            || Matcher::new(&rules, compile_threads),
        );
        let analysis = Analysis {
            matcher: matcher?,
            normalizer,
            max_line_bytes: self.max_line_bytes,
            duplicates: DuplicateKeys { enabled: self.drop_duplicates, min_chars: DEFAULT_MIN_DUPLICATE_CHARS },
            model: classifier.as_ref().map(|classifier| classifier.shared_model()),
        };
        let decisions = Decisions {
            reasons: Reasons::new(&rules, &scorers)?,
            window: WindowSettings { header_lines: self.header_lines, footer_lines: self.footer_lines },
            scorers,
            classifier,
            record_features: self.record_features,
        };
        let engine = Engine {
            analysis,
            decisions,
            threads: self.threads,
            idle_analyzers: Default::default(),
            idle_runs: Default::default(),
        };
        Ok(Cleaner { engine: Arc::new(engine), rules: Arc::new(rules) })
    }
}

/// A compiled cleaner. Cheap to clone and safe to share between threads.
///
/// ```
/// let cleaner = dechrome::Cleaner::builder().build()?;
/// let page = "Accessibility links\n\nNATO Says \u{201c}No\u{201d}\nplease wait\n\nThe alliance met on Monday.";
/// assert_eq!(cleaner.clean_str(page).text, "The alliance met on Monday.\n");
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Cleaner {
    pub(crate) engine: Arc<Engine>,
    rules: Arc<RuleSet>,
}

/// The result of [`Cleaner::clean_str`].
///
/// ```
/// let cleaned = dechrome::Cleaner::builder().build()?.clean_str("Share\nStocks rose.\n");
/// assert_eq!(cleaned.text, "Stocks rose.\n");
/// assert_eq!(cleaned.stats.dropped_lines(), 1);
/// # Ok::<(), dechrome::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    /// The cleaned text.
    pub text: String,
    /// What was dropped.
    pub stats: Stats,
}

impl Cleaner {
    /// Threads this cleaner works with (see [`CleanerBuilder::threads`]).
    pub fn threads(&self) -> usize {
        self.engine.threads
    }

    /// A builder with the defaults.
    pub fn builder() -> CleanerBuilder {
        CleanerBuilder::default()
    }

    /// The rules in effect, in priority order.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The names of the classifier's features, as [`FeaturesSink`](crate::FeaturesSink) writes
    /// them; `None` without the classifier.
    pub fn feature_names(&self) -> Option<&[String]> {
        self.engine.decisions.classifier.as_ref().map(|classifier| classifier.feature_names())
    }

    /// The classifier's model name; `None` without the classifier.
    pub fn model_name(&self) -> Option<&str> {
        self.engine.decisions.classifier.as_ref().map(|classifier| classifier.model().name.as_str())
    }

    /// What the classifier's model file says of itself (how it was trained); `None` without the
    /// classifier.
    pub fn model_description(&self) -> Option<&str> {
        self.engine.decisions.classifier.as_ref().map(|classifier| classifier.model().description.as_str())
    }

    /// Cleans a string.
    ///
    /// ```
    /// let cleaner = dechrome::Cleaner::builder().build()?;
    /// let out = cleaner.clean_str("Share\n\nShare prices fell 3 percent on Monday.\n");
    /// assert_eq!(out.text, "Share prices fell 3 percent on Monday.\n");
    /// assert_eq!(out.stats.by_category()[0].0, "share");
    /// # Ok::<(), dechrome::Error>(())
    /// ```
    pub fn clean_str(&self, text: &str) -> Cleaned {
        let mut bytes = Vec::with_capacity(text.len());
        let stats = self.clean_str_into(text, &mut bytes);
        // Every line written is a &str and every separator ASCII.
        let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Cleaned { text, stats }
    }

    /// Cleans one field of a record (a title, a JSON value): as [`Cleaner::clean_str`], but the
    /// text ends with a newline only when `text` did.
    ///
    /// ```
    /// let cleaner = dechrome::Cleaner::builder().build()?;
    /// assert_eq!(cleaner.clean_field("Markets \u{201c}calm\u{201d}").text, "Markets \"calm\"");
    /// assert_eq!(cleaner.clean_field("Markets calm\n").text, "Markets calm\n");
    /// # Ok::<(), dechrome::Error>(())
    /// ```
    pub fn clean_field(&self, text: &str) -> Cleaned {
        let mut cleaned = self.clean_str(text);
        if !text.ends_with('\n') && cleaned.text.ends_with('\n') {
            cleaned.text.pop();
            cleaned.stats.output_bytes -= 1;
        }
        cleaned
    }

    /// [`Cleaner::clean_str`] into a writer that cannot fail (a `Vec`, say), which may already
    /// hold something: no new buffer for the text.
    pub(crate) fn clean_str_into<W: Write>(&self, text: &str, writer: W) -> Stats {
        let mut sink = TextSink::new(writer);
        // Reading a string cannot fail, and the writer does not.
        let mut stats = match self.engine.run(text.as_bytes(), &mut sink) {
            Ok(stats) => stats,
            Err(e) => unreachable!("in-memory cleaning failed: {e}"),
        };
        stats.output_bytes = sink.bytes_written();
        stats
    }

    /// Streams `reader` to `writer`, cleaned. Memory stays bounded by the longest line times a
    /// small window, whatever the size of the input.
    ///
    /// ```
    /// let cleaner = dechrome::Cleaner::builder().build()?;
    /// let mut out = Vec::new();
    /// cleaner.clean_reader(&b"Advertisement\r\nIt\xe2\x80\x99s  done.\r\n"[..], &mut out)?;
    /// assert_eq!(out, b"It's done.\n");
    /// # Ok::<(), dechrome::Error>(())
    /// ```
    pub fn clean_reader<R: Read, W: Write>(&self, reader: R, writer: W) -> Result<Stats> {
        let mut sink = TextSink::new(BufWriter::with_capacity(64 * 1024, writer));
        let mut stats = self.engine.run(reader, &mut sink)?;
        stats.output_bytes = sink.bytes_written();
        Ok(stats)
    }

    /// Streams `reader` into any [`Sink`] (text plus rejects, an explanation, …).
    pub fn clean_to_sink<R: Read, S: Sink + ?Sized>(&self, reader: R, sink: &mut S) -> Result<Stats> {
        self.engine.run(reader, sink)
    }
}
