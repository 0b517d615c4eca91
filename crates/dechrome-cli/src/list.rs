//! `--list-rules`: the rules in effect, for reading or as a pack to edit.

use std::io::{self, BufWriter, Write};

use anyhow::Result;
use dechrome::Cleaner;
use dechrome::rules::{CATEGORIES, Rule};

use crate::args::RuleListing;

pub(crate) fn print_rules(cleaner: &Cleaner, listing: RuleListing) -> Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    match listing {
        RuleListing::Table => write_table(&mut out, cleaner.rules())?,
        RuleListing::Toml => write_pack(&mut out, cleaner.rules())?,
    }
    out.flush()?;
    Ok(())
}

/// A heading line per rule (id, category, zone, action, kind and guards), then its description
/// and its patterns, one per line.
fn write_table<'a>(out: &mut impl Write, rules: impl IntoIterator<Item = &'a Rule>) -> io::Result<()> {
    for rule in rules {
        let mut guards = String::new();
        if let Some(max) = rule.max_chars {
            guards.push_str(&format!("  max_chars={max}"));
        }
        if rule.skip_sentences {
            guards.push_str("  skip_sentences");
        }
        if rule.case_sensitive {
            guards.push_str("  case_sensitive");
        }
        if rule.needs_context {
            guards.push_str("  needs_context");
        }
        writeln!(
            out,
            "{}  category={}  zone={}  action={}  {}{guards}",
            rule.id,
            rule.category,
            rule.zone.key(),
            rule.action.key(),
            rule.kind.key()
        )?;
        if let Some(description) = &rule.description {
            writeln!(out, "    {description}")?;
        }
        for pattern in &rule.patterns {
            writeln!(out, "    {} {pattern:?}", rule.kind.key())?;
        }
    }
    Ok(())
}

/// The rules as one pack, in priority order, with every setting written out.
fn write_pack<'a>(out: &mut impl Write, rules: impl IntoIterator<Item = &'a Rule>) -> io::Result<()> {
    let rules: Vec<&Rule> = rules.into_iter().collect();
    writeln!(out, "# The rules dechrome had in effect, in priority order; load with --no-default-rules --rules FILE.")?;
    let mut own: Vec<&str> = rules.iter().map(|r| r.category.as_str()).filter(|c| !CATEGORIES.contains(c)).collect();
    own.sort_unstable();
    own.dedup();
    if !own.is_empty() {
        writeln!(out, "categories = {}", string_list(&own))?;
    }
    let mut source = None;
    for rule in rules {
        if source != Some(&rule.source) {
            writeln!(out, "\n# from {}", rule.source)?;
            source = Some(&rule.source);
        }
        writeln!(out, "\n[[rule]]\nid = {}\ncategory = {}", quoted(&rule.id), quoted(&rule.category))?;
        if let Some(description) = &rule.description {
            writeln!(out, "description = {}", quoted(description))?;
        }
        writeln!(out, "{} = {}", rule.kind.key(), string_list(&rule.patterns))?;
        writeln!(out, "zone = {}\naction = {}", quoted(rule.zone.key()), quoted(rule.action.key()))?;
        writeln!(out, "case_sensitive = {}\nskip_sentences = {}", rule.case_sensitive, rule.skip_sentences)?;
        if let Some(max) = rule.max_chars {
            writeln!(out, "max_chars = {max}")?;
        }
        writeln!(out, "needs_context = {}", rule.needs_context)?;
        if !rule.examples.is_empty() {
            writeln!(out, "examples = {}", string_list(&rule.examples))?;
        }
        if !rule.counterexamples.is_empty() {
            writeln!(out, "counterexamples = {}", string_list(&rule.counterexamples))?;
        }
    }
    Ok(())
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn string_list(items: &[impl AsRef<str>]) -> String {
    let items: Vec<String> = items.iter().map(|item| quoted(item.as_ref())).collect();
    format!("[{}]", items.join(", "))
}
