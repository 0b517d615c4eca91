//! Typed errors returned by the library: one type for building a cleaner and for cleaning
//! streams and records.

use std::io;

/// Everything that can go wrong while building a [`Cleaner`](crate::Cleaner) or cleaning.
///
/// ```
/// let error = dechrome::Cleaner::builder()
///     .add_rules_toml("[[rule]]\nid = \"x\"\ncategory = \"ads\"\nregex = \"(unclosed\"\n", "my.toml")
///     .build()
///     .unwrap_err();
/// assert!(error.to_string().starts_with("my.toml: rule \"x\": invalid regex"));
/// assert!(!error.is_broken_pipe());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A rule pack could not be parsed, one of its rules is invalid, or the rules cannot be
    /// compiled.
    #[error("{source_name}: {}{message}", rule_prefix(.rule_id))]
    Rules {
        /// Where the pack came from (a file path, or `<built-in …>`); several, comma-separated,
        /// when the problem is in the rules as a whole.
        source_name: String,
        /// The id of the offending rule, when the problem is in one rule.
        rule_id: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The classifier's model file could not be read or is not a valid model.
    #[error("{source_name}: {message}")]
    Model {
        /// Where the model came from (a file path, or `<built-in …>`).
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// `disable` named neither a category nor a rule id of the loaded packs.
    #[error("nothing to disable: {0:?} is neither a rule id nor a category of the loaded rules")]
    UnknownDisable(String),
    /// A builder setting is out of range.
    #[error("invalid setting: {0}")]
    Setting(String),
    /// A JSONL record is not a JSON object with a string field of the text key (and bad
    /// records are not being skipped).
    #[error("line {line}: {message}")]
    BadRecord {
        /// 1-based line number in the (decompressed) stream.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Reading the input failed.
    #[error("read error: {0}")]
    Read(io::Error),
    /// Writing the output failed.
    #[error("write error: {0}")]
    Write(io::Error),
}

fn rule_prefix(rule_id: &Option<String>) -> String {
    match rule_id {
        Some(id) => format!("rule {id:?}: "),
        None => String::new(),
    }
}

impl Error {
    /// True when the error is a write into a closed pipe (the reader went away, as with `| head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
