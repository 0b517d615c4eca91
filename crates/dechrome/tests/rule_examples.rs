//! Every rule of the built-in packs documents itself: a description, lines it drops
//! (`examples`) and prose with its words that it leaves alone (`counterexamples`). Each example
//! must be dropped by that very rule, and each counterexample kept, in a document where the rule's
//! zone applies; counterexamples are also kept by the default cleaner.

use std::io;

use dechrome::rules::Zone;
use dechrome::{Cleaner, LineRecord, Rule, RuleSet, Sink};

/// Records, per line of a document, the reason that dropped it.
#[derive(Default)]
struct Reasons(Vec<Option<String>>);

impl Sink for Reasons {
    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        self.0.push(record.dropped_by.map(|by| by.reason.to_string()));
        Ok(())
    }
    fn end_document(&mut self, _separator: bool) -> io::Result<()> {
        Ok(())
    }
}

/// Prose that no rule drops, to put a line in the footer zone (past the header's 20 lines).
fn filler(lines: usize) -> Vec<String> {
    (1..=lines)
        .map(|n| format!("Paragraph {n} of the report describes the council's plans for the harbour in some detail."))
        .collect()
}

/// The document `line` is tested in for `rule`, and the line's index in it.
fn document_for(rule: &Rule, line: &str) -> (String, usize) {
    let (lines, at) = match rule.zone {
        Zone::Footer => {
            let mut lines = filler(22);
            lines.push(line.to_string());
            (lines, 22)
        }
        Zone::Header => {
            let mut lines = vec![line.to_string()];
            lines.extend(filler(3));
            (lines, 0)
        }
        Zone::Any => (vec![line.to_string()], 0),
    };
    (lines.join("\n") + "\n", at)
}

fn reason_for(cleaner: &Cleaner, rule: &Rule, line: &str) -> Option<String> {
    let (document, at) = document_for(rule, line);
    let mut reasons = Reasons::default();
    cleaner.clean_to_sink(document.as_bytes(), &mut reasons).unwrap_or_else(|e| panic!("{}: {e}", rule.id));
    reasons.0.get(at).cloned().flatten()
}

#[test]
fn every_builtin_rule_drops_its_examples_and_keeps_its_counterexamples() {
    let rules_only = Cleaner::builder().classifier(false).build().expect("rules-only cleaner");
    let default = Cleaner::builder().build().expect("default cleaner");
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in RuleSet::builtin().expect("built-in packs").iter() {
        if rule.description.as_deref().is_none_or(str::is_empty) {
            failures.push(format!("{}: no description", rule.id));
        }
        if rule.examples.is_empty() || rule.counterexamples.is_empty() {
            failures.push(format!("{}: needs at least one example and one counterexample", rule.id));
        }
        for example in &rule.examples {
            let got = reason_for(&rules_only, rule, example);
            if got.as_deref() != Some(rule.id.as_str()) {
                failures.push(format!("{}: example {example:?} dropped by {got:?}", rule.id));
            }
            checked += 1;
        }
        for counterexample in &rule.counterexamples {
            for cleaner in [&rules_only, &default] {
                if let Some(got) = reason_for(cleaner, rule, counterexample) {
                    failures.push(format!("{}: counterexample {counterexample:?} dropped by {got}", rule.id));
                }
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{} of {checked} checks failed:\n{}", failures.len(), failures.join("\n"));
    assert!(checked > 400, "only {checked} examples");
}
