//! The line classifier's model: a data file (JSON) with the word lists its features use and one
//! or more stages of gradient-boosted trees, each stage naming the features it reads. The
//! built-in model is embedded at build time (`data/model/lines.json` in the crate); a user can
//! pass another, trained by `scripts/train_classifier.py`, without recompiling.

mod forest;
pub(crate) mod lexicon;

use serde::Deserialize;

use crate::error::{Error, Result};
use forest::{Forest, TreeSpec};
use lexicon::{Lexicon, WordKinds};

/// The built-in model, embedded at compile time.
pub const DEFAULT_MODEL: &str = include_str!("../../data/model/lines.json");
/// Name used in error messages for the built-in model.
pub const DEFAULT_MODEL_NAME: &str = "<built-in data/model/lines.json>";

/// The `format` a model file declares.
const FORMAT: &str = "dechrome-line-model/1";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: String,
    name: String,
    #[serde(default)]
    description: String,
    threshold: f32,
    words: WordLists,
    stages: Vec<StageSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WordLists {
    stop: Vec<String>,
    chrome: Vec<String>,
    date: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StageSpec {
    features: Vec<String>,
    bias: f32,
    trees: Vec<TreeSpec>,
}

/// A stage: trees over the features it names, in that order.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    pub features: Vec<String>,
    pub forest: Forest,
}

/// A parsed, checked model.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub name: String,
    pub description: String,
    /// A line whose probability of being content is below this is dropped.
    pub threshold: f32,
    pub lexicon: Lexicon,
    pub stages: Vec<Stage>,
}

impl Model {
    /// Parses and checks a model file; `source_name` appears in error messages.
    pub(crate) fn from_json(text: &str, source_name: &str) -> Result<Self> {
        let fail = |message: String| Error::Model { source_name: source_name.to_string(), message };
        let file: ModelFile = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
        if file.format != FORMAT {
            return Err(fail(format!("format {:?} is not {FORMAT:?}", file.format)));
        }
        if !(0.0..=1.0).contains(&file.threshold) {
            return Err(fail(format!("threshold {} is not between 0 and 1", file.threshold)));
        }
        if file.stages.is_empty() {
            return Err(fail("a model needs at least one stage".into()));
        }
        let mut lexicon = Lexicon::default();
        lexicon.add(WordKinds::STOP, file.words.stop.iter().map(String::as_str));
        lexicon.add(WordKinds::CHROME, file.words.chrome.iter().map(String::as_str));
        lexicon.add(WordKinds::DATE, file.words.date.iter().map(String::as_str));
        let mut stages = Vec::with_capacity(file.stages.len());
        for (number, stage) in file.stages.into_iter().enumerate() {
            let forest = Forest::new(&stage.trees, stage.bias, stage.features.len())
                .map_err(|e| fail(format!("stage {number}: {e}")))?;
            stages.push(Stage { features: stage.features, forest });
        }
        Ok(Self { name: file.name, description: file.description, threshold: file.threshold, lexicon, stages })
    }

    /// The built-in model.
    pub(crate) fn builtin() -> Result<Self> {
        Self::from_json(DEFAULT_MODEL, DEFAULT_MODEL_NAME)
    }
}

/// The probability that a raw score (log-odds) stands for content.
pub(crate) fn probability(score: f32) -> f32 {
    1.0 / (1.0 + (-score).exp())
}
