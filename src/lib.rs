//! # dechrome
//!
//! Removes site chrome (accessibility links, menus, media-player text, ads, related-story links,
//! captions, share bars, cookie banners, author boxes, footers) from scraped article text and
//! normalizes what is left, so tokenizers, search indexes and data pipelines get clean prose.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`input`](crate::input) frames bytes into lines and documents (CRLF, BOM, invalid UTF-8,
//!    form-feed separators);
//! 2. normalization (one file per step) repairs and tidies each line;
//! 3. classification matches rules from a [`RuleSet`] and applies context rules over a bounded
//!    window (zones, blocks, duplicates);
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

mod classify;
mod cleaner;
mod error;
mod input;
pub mod jsonl;
mod normalize;
mod parallel;
mod pipeline;
pub mod rules;
pub mod sink;
mod stats;

pub use cleaner::{
    Cleaned, Cleaner, CleanerBuilder, DEFAULT_FOOTER_LINES, DEFAULT_HEADER_LINES, DEFAULT_MAX_LINE_BYTES,
    DEFAULT_MIN_DUPLICATE_CHARS,
};
pub use error::{Error, Result};
pub use normalize::NormalizeOptions;
pub use rules::{Rule, RuleSet};
pub use sink::{ExplainSink, RejectsSink, Sink, TextSink};
pub use stats::{RuleCount, Stats};
