//! Classification: which lines are chrome.
//!
//! Three layers, each in its own file:
//! - [`view`]: the normalized form of a line that rules are compared with;
//! - [`matcher`]: single-line rules, all literals in one automaton and all regexes in one set;
//! - [`context`]: decisions that need neighbours (zones, "drop the title before", blocks,
//!   rest-of-document, duplicates), made over a bounded window of lines described by
//!   [`features`].

mod context;
mod features;
mod matcher;
mod view;

pub(crate) use context::{ContextSettings, DocumentContext, Entry, Verdict};
pub(crate) use features::LineFeatures;
pub(crate) use matcher::{Matcher, Matches};
pub(crate) use view::{match_view, match_view_of_pattern};
