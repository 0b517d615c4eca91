//! The built-in line classifier: a [`ContextScorer`] that judges every line of a document from
//! its own features (counted in the analysis stage, see [`crate::analyze::features`]) and its
//! neighbours', with the gradient-boosted trees of a [`Model`].
//!
//! For a document it fills a table of named features (one column each): the line's own counts
//! and flags, the rules' drops around it, its neighbours' features at ±1..3, means over ±5
//! lines, blank-line blocks, distances to prose, its position, overlap with the first line,
//! repeats and the document's main run of prose. A model's first stage reads some of these
//! columns; each later stage also reads features of the previous stage's probabilities around the
//! line (stacking). Lines whose last probability of being content is below the model's threshold
//! are dropped; a line that rules of the built-in pack drop stays when the model keeps it.

use std::collections::HashMap;
use std::sync::Arc;

use super::scorer::{ContextScorer, Judgement, Neighbourhood, Reach, ScoredLine, ScorerReason};
use crate::analyze::features::{Flags, LineFeatures};
use crate::error::{Error, Result};
use crate::model::{Model, probability};
use crate::rules::CATEGORIES;

/// The reason a line the classifier drops is reported under (when no rule drops it too).
pub const CLASSIFIER_REASON_ID: &str = "line-classifier";
/// The category of [`CLASSIFIER_REASON_ID`].
pub const CLASSIFIER_CATEGORY: &str = "boilerplate";

/// Documents of fewer non-blank lines are left to the rules: a snippet, a single paragraph or a
/// few lines of a record give the classifier no context to read, and pages (what it learns from)
/// have dozens of lines.
pub const MIN_DOCUMENT_LINES: usize = 8;
/// A rule's category has a column of its own when it is one of [`CATEGORIES`]; any other counts
/// in this last column.
const OTHER_CATEGORY: &str = "other";
/// Categories of chrome that comes after an article: how many such drops came before a line.
const TAIL_CATEGORIES: [&str; 5] = ["comments", "related", "share", "footer", "subscribe"];
/// Line features also read at the neighbours ±1..3.
const NEIGHBOUR_FEATURES: [&str; 12] = [
    "words",
    "prose",
    "sentence_end",
    "stop_share",
    "capitalized_share",
    "chrome_words",
    "chars",
    "short",
    "ends_colon",
    "digit_share",
    "separators",
    "rule_drop",
];
const NEIGHBOUR_OFFSETS: [isize; 6] = [-3, -2, -1, 1, 2, 3];
/// Lines on each side for the window means.
const WINDOW: usize = 5;
/// Distances and positions are capped: beyond this, further makes no difference.
const MAX_DISTANCE: f32 = 30.0;
/// Words of a line counted towards prose mass and block words, at most.
const MAX_COUNTED_WORDS: f32 = 60.0;
/// Offsets and windows of the stacking features.
const STACK_OFFSETS: [isize; 10] = [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5];
const STACK_WINDOWS: [usize; 2] = [3, 10];

/// The name of every feature the classifier can compute, in column order: the document features,
/// then the stacking features of the previous stage's probabilities.
fn vocabulary() -> (Vec<String>, usize) {
    let mut names: Vec<String> = [
        "chars",
        "words",
        "letter_share",
        "digit_share",
        "upper_share",
        "capitalized_share",
        "sentence_end",
        "ends_colon",
        "ends_ellipsis",
        "commas",
        "separators",
        "list_marker",
        "url",
        "at",
        "hash",
        "copyright",
        "numeric_date",
        "date_word",
        "year",
        "time",
        "stop_share",
        "stop_words",
        "chrome_words",
        "mean_word_length",
        "inner_sentences",
        "punctuation_share",
        "starts_lower",
        "all_caps",
        "prose",
        "short",
        "starts_quote",
        "cjk",
        "rule_drop",
    ]
    .map(String::from)
    .to_vec();
    names.extend(CATEGORIES.iter().chain([&OTHER_CATEGORY]).map(|category| format!("rule_{category}")));
    names.extend(
        [
            "tail_rules_before",
            "blank_before",
            "blank_after",
            "block_lines",
            "position_in_block",
            "block_words",
            "block_prose",
            "window_prose",
            "window_words",
            "window_short",
            "window_rules",
            "prose_before",
            "prose_after",
            "index",
            "relative_index",
            "document_lines",
            "title_overlap",
            "earlier_repeats",
            "later_repeats",
            "in_main_block",
            "main_block_distance",
            "prose_mass_before",
            "prose_mass_after",
            "document_prose_lines",
        ]
        .map(String::from),
    );
    for offset in NEIGHBOUR_OFFSETS {
        names.extend(NEIGHBOUR_FEATURES.map(|name| format!("{name}@{offset:+}")));
    }
    let document_features = names.len();
    names.extend(["p", "p_block_mean", "p_block_max", "p_previous_block", "p_next_block"].map(String::from));
    names.extend(STACK_OFFSETS.map(|offset| format!("p@{offset:+}")));
    for window in STACK_WINDOWS {
        names.extend(["around", "before", "after"].map(|side| format!("p_{side}_{window}")));
    }
    names.extend(
        ["p_max_before", "p_max_after", "p_in_main_block", "p_main_block_distance", "p_mass_before", "p_mass_after"]
            .map(String::from),
    );
    (names, document_features)
}

/// A stage's inputs: the vocabulary columns it reads, in its order.
#[derive(Debug, Clone)]
struct StageInputs {
    columns: Vec<usize>,
}

/// The classifier: a model and where each of its stages finds its features.
#[derive(Debug)]
pub struct LineClassifier {
    model: Arc<Model>,
    inputs: Vec<StageInputs>,
    /// The columns some stage reads.
    needed: Vec<bool>,
    names: Vec<String>,
    document_features: usize,
}

/// Fills a table's columns one after the other.
struct ColumnWriter<'t> {
    table: &'t mut FeatureTable,
    next: usize,
}

impl ColumnWriter<'_> {
    /// Fills the next column with `value(line)` for each line.
    fn fill(&mut self, mut value: impl FnMut(usize) -> f32) {
        let column = self.next;
        for (line, slot) in self.table.column_mut(column).iter_mut().enumerate() {
            *slot = value(line);
        }
        self.next += 1;
    }
}

/// One document's feature table, column by column.
#[derive(Debug, Default)]
pub(crate) struct FeatureTable {
    lines: usize,
    values: Vec<f32>,
}

impl FeatureTable {
    fn column_mut(&mut self, column: usize) -> &mut [f32] {
        &mut self.values[column * self.lines..(column + 1) * self.lines]
    }

    fn column(&self, column: usize) -> &[f32] {
        &self.values[column * self.lines..(column + 1) * self.lines]
    }

    /// The value of `column` for line `line`.
    pub(crate) fn get(&self, line: usize, column: usize) -> f32 {
        self.values[column * self.lines + line]
    }
}

impl LineClassifier {
    /// The classifier of `model`, checking that every feature its stages read is one this
    /// version computes.
    pub(crate) fn new(model: Arc<Model>, source_name: &str) -> Result<Self> {
        let (names, document_features) = vocabulary();
        let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, name)| (name.as_str(), i)).collect();
        let mut inputs = Vec::with_capacity(model.stages.len());
        for (number, stage) in model.stages.iter().enumerate() {
            let mut columns = Vec::with_capacity(stage.features.len());
            for name in &stage.features {
                let Some(&column) = index.get(name.as_str()) else {
                    return Err(Error::Model {
                        source_name: source_name.to_string(),
                        message: format!("stage {number} reads {name:?}, a feature this version does not compute"),
                    });
                };
                if number == 0 && column >= document_features {
                    return Err(Error::Model {
                        source_name: source_name.to_string(),
                        message: format!("stage 0 reads {name:?}, which needs an earlier stage"),
                    });
                }
                columns.push(column);
            }
            inputs.push(StageInputs { columns });
        }
        let mut needed = vec![false; names.len()];
        for column in inputs.iter().flat_map(|stage| &stage.columns) {
            needed[*column] = true;
        }
        Ok(Self { model, inputs, needed, names, document_features })
    }

    /// The names of the features, in the order of [`Self::table`]'s columns.
    pub(crate) fn feature_names(&self) -> &[String] {
        &self.names
    }

    pub(crate) fn model(&self) -> &Model {
        &self.model
    }

    pub(crate) fn shared_model(&self) -> Arc<Model> {
        self.model.clone()
    }

    /// Every feature of every line of a document, and each stage's probabilities: the last
    /// stage's are in the returned vector.
    pub(crate) fn table(&self, lines: &[ScoredLine<'_>], table: &mut FeatureTable, all_columns: bool) -> Vec<f32> {
        let n = lines.len();
        table.lines = n;
        table.values.clear();
        table.values.resize(self.names.len() * n, 0.0);
        if n == 0 {
            return Vec::new();
        }
        document_features(lines, table, &self.needed, all_columns);
        let mut probabilities = vec![0.0; n];
        let mut masks = Vec::new();
        for (stage, inputs) in self.model.stages.iter().zip(&self.inputs) {
            let columns: Vec<&[f32]> = inputs.columns.iter().map(|&column| table.column(column)).collect();
            stage.forest.score_columns(&columns, &mut probabilities, &mut masks);
            probabilities.iter_mut().for_each(|score| *score = probability(*score));
            // The next stage reads these probabilities; after the last, they fill the table's
            // stacking columns for whoever records it (training the next stage of a model).
            stacking_features(&probabilities, lines, table, self.document_features);
        }
        probabilities
    }
}

impl ContextScorer for LineClassifier {
    fn reasons(&self) -> Vec<ScorerReason> {
        vec![ScorerReason::new(CLASSIFIER_REASON_ID, CLASSIFIER_CATEGORY)]
    }

    fn reach(&self) -> Reach {
        Reach { before: usize::MAX, after: usize::MAX }
    }

    fn judge(&self, lines: &Neighbourhood<'_>) -> Judgement {
        let mut judgements = Vec::new();
        self.judge_all(lines.lines, &mut judgements);
        judgements.get(lines.current).copied().unwrap_or_else(Judgement::keep)
    }

    fn judge_all(&self, lines: &[ScoredLine<'_>], judgements: &mut Vec<Judgement>) {
        judgements.clear();
        // Too little context to judge by: the rules decide.
        if lines.len() < MIN_DOCUMENT_LINES {
            judgements.resize(lines.len(), Judgement::abstain());
            return;
        }
        let probabilities = self.table(lines, &mut FeatureTable::default(), false);
        let threshold = self.threshold(lines, &probabilities);
        let headline = headline(lines, &probabilities, threshold);
        judgements.extend(probabilities.into_iter().enumerate().map(|(line, p)| {
            let keep = p >= threshold || Some(line) == headline;
            let judgement = if keep { Judgement::keep() } else { Judgement::drop(0) };
            judgement.with_score(p)
        }));
    }

    fn overrules_rules(&self) -> bool {
        true
    }
}

impl LineClassifier {
    /// The model's threshold; or, when no line that rules leave to the classifier reaches it,
    /// a fraction of the best such line's probability, so that a page whose article the model
    /// doubts keeps its likeliest lines rather than nothing.
    fn threshold(&self, lines: &[ScoredLine<'_>], probabilities: &[f32]) -> f32 {
        let best = lines
            .iter()
            .zip(probabilities)
            .filter(|(line, _)| !line.dropped_for_sure())
            .map(|(_, &p)| p)
            .fold(0.0f32, f32::max);
        if best >= self.model.threshold { self.model.threshold } else { best * FALLBACK_FRACTION }
    }
}

/// When no line reaches the model's threshold, lines reaching this fraction of the best line's
/// probability are kept.
const FALLBACK_FRACTION: f32 = 0.3;
/// Lines the classifier drops that may stand between a headline and its article.
const MAX_LINES_AFTER_HEADLINE: usize = 3;

/// The article's headline when the document opens with it, which pages rarely mark in a way the
/// classifier can learn: the document's first line that a rule (one that does not need context)
/// does not drop, when it is shaped like a headline and is the last such line before the
/// article's first prose line, with at most three other lines between (not counting lines such
/// rules drop: a video block, a byline). A page whose text opens with its title and menus leaves
/// its headline to the classifier.
fn headline(lines: &[ScoredLine<'_>], probabilities: &[f32], threshold: f32) -> Option<usize> {
    let start =
        lines.iter().zip(probabilities).position(|(line, &p)| p >= threshold && line.facts().features.prose())?;
    let first = lines.iter().position(|line| !line.dropped_for_sure())?;
    let mut passed = 0;
    for at in (0..start).rev() {
        let line = &lines[at];
        if line.dropped_for_sure() {
            continue;
        }
        if headline_shaped(&line.facts().features) {
            return (at == first).then_some(at);
        }
        passed += 1;
        if probabilities[at] >= threshold || passed > MAX_LINES_AFTER_HEADLINE {
            return None;
        }
    }
    None
}

/// Three to 25 words of mostly letters, not ending like a sentence or a label, without the
/// separators, links or dates of menus and bylines.
fn headline_shaped(f: &LineFeatures) -> bool {
    let non_space = f.letters + f.digits + f.commas + f.separators + f.punctuation;
    (3..=25).contains(&f.words)
        && f.letters * 10 >= non_space * 7
        && f.separators == 0
        && !f.flags.has(Flags::SENTENCE_END)
        && !f.flags.has(Flags::ENDS_COLON)
        && !f.flags.has(Flags::ENDS_ELLIPSIS)
        && !f.flags.has(Flags::URL)
        && !f.flags.has(Flags::AT)
        && !f.flags.has(Flags::TIME)
        && !f.flags.has(Flags::NUMERIC_DATE)
}

/// Column indices of the document features, in the order [`vocabulary`] lists them.
mod column {
    pub const CHARS: usize = 0;
    pub const WORDS: usize = 1;
    pub const PROSE: usize = 28;
    pub const SHORT: usize = 29;
    pub const RULE_DROP: usize = 32;
    pub const RULE_CATEGORIES: usize = 33;
    pub const TAIL_RULES_BEFORE: usize = RULE_CATEGORIES + super::CATEGORIES.len() + 1;
    pub const NEIGHBOURS: usize = TAIL_RULES_BEFORE + 24;
}

/// The per-line columns of line `features` (everything up to `rule_drop`).
fn own_features(line: &ScoredLine<'_>) -> [f32; 32] {
    let f: &LineFeatures = &line.facts().features;
    let flag = |flag| f32::from(u8::from(f.flags.has(flag)));
    let share = |part: u16, whole: u16| if whole == 0 { 0.0 } else { f32::from(part) / f32::from(whole) };
    let non_space = f.letters + f.digits + f.commas + f.separators + f.punctuation;
    [
        f32::from(f.chars),
        f32::from(f.words),
        share(f.letters, non_space),
        share(f.digits, non_space),
        share(f.uppercase, f.letters),
        share(f.capitalized, f.runs),
        flag(Flags::SENTENCE_END),
        flag(Flags::ENDS_COLON),
        flag(Flags::ENDS_ELLIPSIS),
        f32::from(f.commas),
        f32::from(f.separators),
        flag(Flags::LIST_MARKER),
        flag(Flags::URL),
        flag(Flags::AT),
        flag(Flags::HASH),
        flag(Flags::COPYRIGHT),
        flag(Flags::NUMERIC_DATE),
        f32::from(u8::from(f.date_words > 0 && f.digits > 0)),
        flag(Flags::YEAR),
        flag(Flags::TIME),
        share(f.stop_words, f.runs),
        f32::from(f.stop_words),
        f32::from(f.chrome_words),
        share(f.run_chars, f.runs),
        f32::from(f.inner_sentences),
        share(f.commas + f.separators + f.punctuation, non_space),
        flag(Flags::STARTS_LOWER),
        f32::from(u8::from(f.letters >= 3 && f.uppercase == f.letters)),
        f32::from(u8::from(f.prose())),
        f32::from(u8::from(f.words <= 3)),
        flag(Flags::STARTS_QUOTE),
        f32::from(u8::from(f.cjk > 0)),
    ]
}

/// Fills the document features of `table`: every column with `all_columns`, else at least the
/// `needed` ones.
fn document_features(lines: &[ScoredLine<'_>], table: &mut FeatureTable, needed: &[bool], all_columns: bool) {
    let n = lines.len();
    for (i, line) in lines.iter().enumerate() {
        for (column, value) in own_features(line).into_iter().enumerate() {
            table.values[column * n + i] = value;
        }
        if let Some(dropped) = line.dropped_by() {
            table.values[column::RULE_DROP * n + i] = 1.0;
            let category = CATEGORIES.iter().position(|&c| c == dropped.category).unwrap_or(CATEGORIES.len());
            table.values[(column::RULE_CATEGORIES + category) * n + i] = 1.0;
        }
    }
    let words: Vec<f32> = table.column(column::WORDS).to_vec();
    let prose: Vec<f32> = table.column(column::PROSE).to_vec();
    let short: Vec<f32> = table.column(column::SHORT).to_vec();
    let rules: Vec<f32> = table.column(column::RULE_DROP).to_vec();
    let counted_words: Vec<f32> = words.iter().map(|&w| w.min(MAX_COUNTED_WORDS)).collect();
    let mut columns = ColumnWriter { table, next: column::TAIL_RULES_BEFORE };

    // Tail-chrome rule drops before each line.
    let tail: Vec<f32> = lines
        .iter()
        .map(|line| {
            let is_tail = line.dropped_by().is_some_and(|d| TAIL_CATEGORIES.contains(&d.category));
            f32::from(u8::from(is_tail))
        })
        .collect();
    let tail_before = exclusive_prefix_sums(&tail);
    columns.fill(|i| tail_before[i].ln_1p());

    // Blank lines and the blocks they delimit.
    let blank_before: Vec<bool> = lines.iter().map(|line| line.blank_before()).collect();
    let block: Vec<usize> = blank_before
        .iter()
        .scan(0usize, |block, &blank| {
            *block += usize::from(blank);
            Some(*block)
        })
        .collect();
    let blocks = block.last().map_or(0, |&last| last + 1);
    let (mut block_lines, mut block_words, mut block_prose) =
        (vec![0f32; blocks], vec![0f32; blocks], vec![0f32; blocks]);
    for i in 0..n {
        block_lines[block[i]] += 1.0;
        block_words[block[i]] += counted_words[i];
        block_prose[block[i]] += prose[i];
    }
    let mut position_in_block = vec![0f32; n];
    for i in 1..n {
        position_in_block[i] = if blank_before[i] { 0.0 } else { position_in_block[i - 1] + 1.0 };
    }
    columns.fill(|i| f32::from(u8::from(blank_before[i])));
    columns.fill(|i| f32::from(u8::from(lines[i].blank_after() || i + 1 == n)));
    columns.fill(|i| block_lines[block[i]].min(MAX_DISTANCE));
    columns.fill(|i| position_in_block[i].min(MAX_DISTANCE));
    columns.fill(|i| block_words[block[i]]);
    columns.fill(|i| block_prose[block[i]] / block_lines[block[i]]);

    // Means over a window of lines around each.
    for values in [&prose, &counted_words, &short, &rules] {
        let sums = exclusive_prefix_sums(values);
        let sum_to = |end: usize| if end == n { sums[n - 1] + values[n - 1] } else { sums[end] };
        columns.fill(|i| {
            let (low, high) = (i.saturating_sub(WINDOW), (i + WINDOW + 1).min(n));
            (sum_to(high) - sums[low]) / (high - low) as f32
        });
    }

    // Distances to the nearest prose line before and after.
    let mut before = vec![MAX_DISTANCE; n];
    let mut last = None;
    for i in 0..n {
        before[i] = last.map_or(MAX_DISTANCE, |last: usize| ((i - last) as f32).min(MAX_DISTANCE));
        if prose[i] > 0.0 {
            last = Some(i);
        }
    }
    let mut after = vec![MAX_DISTANCE; n];
    let mut following = None;
    for i in (0..n).rev() {
        after[i] = following.map_or(MAX_DISTANCE, |next: usize| ((next - i) as f32).min(MAX_DISTANCE));
        if prose[i] > 0.0 {
            following = Some(i);
        }
    }
    columns.fill(|i| before[i]);
    columns.fill(|i| after[i]);

    // Position.
    columns.fill(|i| (i as f32).min(1000.0));
    columns.fill(|i| if n > 1 { i as f32 / (n - 1) as f32 } else { 0.0 });
    columns.fill(|_| n as f32);

    // Overlap with the first line (the page's title, as often as not), and repeats: text work,
    // skipped when no stage reads them.
    if !all_columns && !needed[columns.next..columns.next + 3].contains(&true) {
        columns.next += 3;
    } else {
        text_features(lines, &mut columns);
    }

    // The document's main run of prose.
    // The document's main run of prose.
    let scores: Vec<f32> = (0..n).map(|i| if prose[i] > 0.0 { counted_words[i] / 10.0 } else { -1.0 }).collect();
    let (start, end) = best_run(&scores);
    columns.fill(|i| f32::from(u8::from(i >= start && i <= end)));
    columns.fill(|i| distance_to_run(i, start, end));
    let mass: Vec<f32> = (0..n).map(|i| prose[i] * words[i]).collect();
    let total = mass.iter().sum::<f32>().max(1.0);
    let mass_before = exclusive_prefix_sums(&mass);
    columns.fill(|i| mass_before[i] / total);
    columns.fill(|i| (total - mass_before[i] - mass[i]).max(0.0) / total);
    let prose_lines = prose.iter().sum::<f32>();
    columns.fill(|_| prose_lines);
    debug_assert_eq!(columns.next, column::NEIGHBOURS);

    // Neighbours' features.
    let own: Vec<usize> = NEIGHBOUR_FEATURES.iter().map(|name| neighbour_source(name)).collect();
    for offset in NEIGHBOUR_OFFSETS {
        for &source in &own {
            let values: Vec<f32> = columns.table.column(source).to_vec();
            columns.fill(|i| i.checked_add_signed(offset).and_then(|j| values.get(j)).copied().unwrap_or(-1.0));
        }
    }
}

/// The columns of a line's overlap with the document's first line and of its repeats.
fn text_features(lines: &[ScoredLine<'_>], columns: &mut ColumnWriter<'_>) {
    let n = lines.len();
    let title = word_set(lines[0].text());
    columns.fill(|i| {
        if i == 0 {
            return -1.0;
        }
        let words = word_list(lines[i].text());
        if words.is_empty() {
            0.0
        } else {
            words.iter().filter(|w| title.contains(*w)).count() as f32 / words.len() as f32
        }
    });
    let keys: Vec<String> = lines.iter().map(|line| word_list(line.text()).join(" ")).collect();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut earlier = vec![0u32; n];
    for (i, key) in keys.iter().enumerate() {
        let count = seen.entry(key.as_str()).or_default();
        earlier[i] = *count;
        *count += 1;
    }
    columns.fill(|i| earlier[i].min(2) as f32);
    columns.fill(|i| (seen[keys[i].as_str()] - 1 - earlier[i]).min(2) as f32);
}

/// The column a neighbour feature copies.
fn neighbour_source(name: &str) -> usize {
    match name {
        "words" => column::WORDS,
        "prose" => column::PROSE,
        "sentence_end" => 6,
        "stop_share" => 20,
        "capitalized_share" => 5,
        "chrome_words" => 22,
        "chars" => column::CHARS,
        "short" => column::SHORT,
        "ends_colon" => 7,
        "digit_share" => 3,
        "separators" => 10,
        _ => column::RULE_DROP,
    }
}

/// Fills the stacking columns (from `first` on) from the previous stage's probabilities.
fn stacking_features(p: &[f32], lines: &[ScoredLine<'_>], table: &mut FeatureTable, first: usize) {
    let n = p.len();
    let mut columns = ColumnWriter { table, next: first };
    columns.fill(|i| p[i]);
    // Blocks of lines between blank lines.
    let mut block = vec![0usize; n];
    for i in 1..n {
        block[i] = block[i - 1] + usize::from(lines[i].blank_before());
    }
    let blocks = block[n - 1] + 1;
    let (mut sum, mut count, mut max) = (vec![0f32; blocks], vec![0f32; blocks], vec![0f32; blocks]);
    for i in 0..n {
        sum[block[i]] += p[i];
        count[block[i]] += 1.0;
        max[block[i]] = max[block[i]].max(p[i]);
    }
    let mean = |b: usize| sum[b] / count[b];
    columns.fill(|i| mean(block[i]));
    columns.fill(|i| max[block[i]]);
    columns.fill(|i| if block[i] > 0 { mean(block[i] - 1) } else { -1.0 });
    columns.fill(|i| if block[i] + 1 < blocks { mean(block[i] + 1) } else { -1.0 });
    for offset in STACK_OFFSETS {
        columns.fill(|i| i.checked_add_signed(offset).and_then(|j| p.get(j)).copied().unwrap_or(-1.0));
    }
    let sums = exclusive_prefix_sums(p);
    let sum_to = |end: usize| if end == n { sums[n - 1] + p[n - 1] } else { sums[end] };
    for window in STACK_WINDOWS {
        let mean_of = |low: usize, high: usize| (sum_to(high) - sums[low]) / (high - low) as f32;
        columns.fill(|i| mean_of(i.saturating_sub(window), (i + window + 1).min(n)));
        columns.fill(|i| mean_of(i.saturating_sub(window), i + 1));
        columns.fill(|i| mean_of(i, (i + window + 1).min(n)));
    }
    let mut max_before = vec![0f32; n];
    for i in 1..n {
        max_before[i] = max_before[i - 1].max(p[i - 1]);
    }
    let mut max_after = vec![0f32; n];
    for i in (0..n - 1).rev() {
        max_after[i] = max_after[i + 1].max(p[i + 1]);
    }
    columns.fill(|i| max_before[i]);
    columns.fill(|i| max_after[i]);
    let centred: Vec<f32> = p.iter().map(|&p| p - 0.5).collect();
    let (start, end) = best_run(&centred);
    columns.fill(|i| f32::from(u8::from(i >= start && i <= end)));
    columns.fill(|i| distance_to_run(i, start, end));
    let total = p.iter().sum::<f32>().max(f32::MIN_POSITIVE);
    columns.fill(|i| sums[i] / total);
    columns.fill(|i| (total - sums[i] - p[i]).max(0.0) / total);
}

/// `sums[i]`: the sum of `values[..i]`.
fn exclusive_prefix_sums(values: &[f32]) -> Vec<f32> {
    let mut sum = 0.0;
    values
        .iter()
        .map(|&value| {
            let before = sum;
            sum += value;
            before
        })
        .collect()
}

/// The contiguous run of lines with the largest sum of scores (the first such run), as
/// `(start, end)` inclusive.
fn best_run(scores: &[f32]) -> (usize, usize) {
    let (mut best, mut best_start, mut best_end) = (f32::NEG_INFINITY, 0, 0);
    let (mut current, mut current_start) = (0.0f32, 0);
    for (i, &score) in scores.iter().enumerate() {
        if current <= 0.0 {
            current = score;
            current_start = i;
        } else {
            current += score;
        }
        if current > best {
            (best, best_start, best_end) = (current, current_start, i);
        }
    }
    (best_start, best_end)
}

/// Signed distance from line `i` to the run `start..=end`, capped.
fn distance_to_run(i: usize, start: usize, end: usize) -> f32 {
    let distance = if i < start {
        -((start - i) as f32)
    } else if i > end {
        (i - end) as f32
    } else {
        0.0
    };
    distance.clamp(-MAX_DISTANCE, MAX_DISTANCE)
}

/// The lowercased runs of letters and digits of a line.
fn word_list(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

fn word_set(text: &str) -> std::collections::HashSet<String> {
    word_list(text).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_lists_each_name_once_and_its_columns_line_up() {
        let (names, document_features) = vocabulary();
        let unique: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert_eq!(names[column::CHARS], "chars");
        assert_eq!(names[column::WORDS], "words");
        assert_eq!(names[column::PROSE], "prose");
        assert_eq!(names[column::SHORT], "short");
        assert_eq!(names[column::RULE_DROP], "rule_drop");
        assert_eq!(names[column::RULE_CATEGORIES], "rule_navigation");
        assert_eq!(names[column::TAIL_RULES_BEFORE], "tail_rules_before");
        assert_eq!(names[column::NEIGHBOURS], "words@-3");
        assert_eq!(names[document_features], "p");
        for name in NEIGHBOUR_FEATURES {
            assert_eq!(names[neighbour_source(name)], name);
        }
    }

    #[test]
    fn the_best_run_is_the_largest_sum() {
        assert_eq!(best_run(&[-1.0, 2.0, 3.0, -10.0, 4.0]), (1, 2));
        assert_eq!(best_run(&[-1.0, 2.0, -1.0, 3.0, -10.0]), (1, 3));
        assert_eq!(best_run(&[-2.0, -1.0]), (1, 1));
        assert_eq!(distance_to_run(0, 2, 3), -2.0);
        assert_eq!(distance_to_run(9, 2, 3), 6.0);
    }
}
