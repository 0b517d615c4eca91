//! # dechrome
//!
//! Removes site chrome (accessibility links, menus, media-player text, ads, related-story links,
//! captions, share bars, cookie banners, author boxes, footers) from scraped article text and
//! normalizes what is left, so tokenizers, search indexes and data pipelines get clean prose.
//!
//! The pipeline, one module per stage:
//!
//! 1. `input` frames bytes into blocks of lines and documents (CRLF, BOM, UTF-16, invalid
//!    UTF-8, form-feed separators, lines over the length limit);
//! 2. `analyze` turns each line, on its own and on any thread, into facts: its normalized text
//!    (`normalize`, one file per step), its shape, the rules it matches (`rules`, compiled from
//!    a [`RuleSet`]) and its duplicate key;
//! 3. `decide` makes, in input order and over a bounded window, the decisions that need
//!    neighbours: zones, multi-line actions, duplicates, and any [`ContextScorer`];
//! 4. a [`Sink`] receives every decision: [`TextSink`] writes the clean text.
//!
//! ```
//! use dechrome::Cleaner;
//! let cleaner = Cleaner::builder().build()?;
//! let page = "Breaking News\n\nMarkets \u{201c}calm\u{201d}  after  vote\n\nAdvertisement\n";
//! let cleaned = cleaner.clean_str(page);
//! assert_eq!(cleaned.text, "Markets \"calm\" after vote\n");
//! assert_eq!(cleaned.stats.dropped_lines(), 2);
//! # Ok::<(), dechrome::Error>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod analyze;
mod cleaner;
mod decide;
mod engine;
mod error;
mod identity_hash;
mod input;
#[cfg(feature = "jsonl")]
pub mod jsonl;
mod model;
mod normalize;
mod parallel;
pub mod rules;
mod shape;
pub mod sink;
mod stats;

pub use cleaner::{
    Cleaned, Cleaner, CleanerBuilder, DEFAULT_FOOTER_LINES, DEFAULT_HEADER_LINES, DEFAULT_MAX_LINE_BYTES,
    DEFAULT_MIN_DUPLICATE_CHARS,
};
pub use decide::classifier::{CLASSIFIER_CATEGORY, CLASSIFIER_REASON_ID, MIN_DOCUMENT_LINES};
pub use decide::document::MAX_ROUNDS;
pub use decide::reasons::{DUPLICATE_CATEGORY, DUPLICATE_REASON_ID};
pub use decide::scorer::{
    ContextScorer, Judgement, MAX_SEGMENT_BYTES, MAX_SEGMENT_LINES, Neighbourhood, Reach, ScoredLine, ScorerReason,
};
pub use error::{Error, Result};
pub use model::{DEFAULT_MODEL, DEFAULT_MODEL_NAME};
pub use normalize::NormalizeOptions;
pub use rules::{MAX_LITERAL_CHARS, MAX_REGEX_BYTES, Rule, RuleSet};
pub use shape::LineShape;
pub use sink::{DroppedBy, ExplainSink, FeaturesSink, LineRecord, RejectsSink, Sink, TextSink};
pub use stats::{RuleCount, Stats};
