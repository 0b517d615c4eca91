//! Classification: which lines are chrome.
//!
//! Three layers, each in its own file:
//! - [`view`]: the normalized form of a line that rules are compared with;
//! - [`matcher`]: single-line rules: literals in a trie and one automaton, regexes behind
//!   literal prefilters ([`prefilter`], [`prefix_trie`]);
//! - [`context`]: decisions that need neighbours (zones, "drop the title before", blocks,
//!   rest-of-document, duplicates), made over a bounded window of lines described by
//!   [`features`];
//! - [`recent`]: what was found for recent short lines, which chrome repeats.

mod context;
mod features;
mod line_regex;
mod matcher;
mod prefilter;
mod prefix_trie;
mod recent;
mod view;

pub(crate) use context::{ContextSettings, DocumentContext, Entry, Verdict};
pub(crate) use features::LineFeatures;
pub(crate) use matcher::{MatchScratch, Matcher, Matches};
pub(crate) use recent::RecentLines;
pub(crate) use view::{match_view, match_view_of_pattern};
