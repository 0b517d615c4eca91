//! Quality on real pages: the default cleaner on every aeb-dev page (whole pages as plain text
//! with human-marked articles, beside the repository), scored as `scripts/eval_quality.py`
//! scores (4-token shingle F1). The floors sit a little under what the built-in model reaches
//! on these pages, so that quality cannot silently regress; the cross-validated figures are
//! `scripts/train_classifier.py`'s. Reported as ignored when the pages are not there.

use dechrome::Cleaner;
use dechrome_testkit::{shared_data, shingle_match, shingle_scores};

/// Pages with their gold articles.
fn pages() -> Vec<(String, String, String)> {
    let dir = shared_data("aeb-dev").expect("../shared/data/aeb-dev");
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the data folder can be read") {
        let path = entry.expect("a folder entry").path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(id) = name.strip_suffix(".gold.txt") else { continue };
        let read =
            |path: std::path::PathBuf| String::from_utf8_lossy(&std::fs::read(path).expect("readable")).into_owned();
        pages.push((id.to_string(), read(dir.join(format!("{id}.txt"))), read(path)));
    }
    pages.sort();
    assert!(pages.len() >= 90, "only {} pages", pages.len());
    pages
}

fn scores(cleaner: &Cleaner, pages: &[(String, String, String)]) -> (f64, f64, f64) {
    let matches: Vec<_> =
        pages.iter().map(|(_, page, gold)| shingle_match(gold, &cleaner.clean_str(page).text)).collect();
    shingle_scores(&matches)
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data beside the repository")]
fn the_default_cleaner_keeps_articles_and_drops_the_rest() {
    let pages = pages();
    let cleaner = Cleaner::builder().threads(2).build().expect("the default cleaner builds");
    let (precision, recall, f1) = scores(&cleaner, &pages);
    eprintln!("default: precision {precision:.4} recall {recall:.4} F1 {f1:.4}");
    assert!(f1 >= F1_FLOOR, "F1 {f1:.4} below {F1_FLOOR}");
    assert!(recall >= RECALL_FLOOR, "recall {recall:.4} below {RECALL_FLOOR}");
}

#[test]
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data beside the repository")]
fn rules_alone_score_what_they_did() {
    let pages = pages();
    let cleaner = Cleaner::builder().classifier(false).threads(2).build().expect("the rules build");
    let (precision, recall, f1) = scores(&cleaner, &pages);
    eprintln!("rules only: precision {precision:.4} recall {recall:.4} F1 {f1:.4}");
    assert!(f1 >= 0.74 && recall >= 0.985, "rules only: F1 {f1:.4}, recall {recall:.4}");
}

/// What the built-in model reaches on these pages, less a margin for harmless changes.
const F1_FLOOR: f64 = 0.94;
const RECALL_FLOOR: f64 = 0.955;
