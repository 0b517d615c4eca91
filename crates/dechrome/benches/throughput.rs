//! Throughput of the whole pipeline and of its parts, in bytes per second.
//!
//! Inputs are built from the seed fixtures (real scraped pages, chrome included), repeated to a
//! few megabytes with form-feed separators, in three flavours: the pages as they are (ASCII-heavy
//! news text), the same pages transliterated to Cyrillic (non-Latin), and the pages with curly
//! quotes and no-break spaces everywhere (work for the normalizer). When the development pages
//! are beside the repository (`../shared/data/aeb-dev`), they are a fourth input: real pages,
//! whose lines are mostly short (menus, link lists), the classifier's hardest case.
//!
//! Run with `cargo bench`; see `scripts/bench.sh` for the whole-process comparison with `rg` and `cat`.

use std::fs;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dechrome::Cleaner;

const TARGET_BYTES: usize = 4 * 1024 * 1024;

fn seed_pages() -> String {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut pages = Vec::new();
    for entry in fs::read_dir(&fixtures).expect("fixtures directory") {
        let dir = entry.expect("fixture entry").path();
        if dir.file_name().is_some_and(|n| n.to_string_lossy().starts_with("seed-")) {
            pages.push(fs::read_to_string(dir.join("input.txt")).expect("seed input"));
        }
    }
    pages.sort();
    repeat_pages(&pages)
}

/// The development pages repeated to the target size, or `None` when they are not there.
fn real_pages() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/aeb-dev");
    let mut pages: Vec<String> = fs::read_dir(&dir)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "txt") && !path.to_string_lossy().ends_with(".gold.txt"))
        .filter_map(|path| fs::read_to_string(path).ok())
        .collect();
    if pages.is_empty() {
        return None;
    }
    pages.sort();
    Some(repeat_pages(&pages))
}

fn repeat_pages(pages: &[String]) -> String {
    let mut out = String::with_capacity(TARGET_BYTES + 8192);
    while out.len() < TARGET_BYTES {
        for page in pages {
            out.push_str(page);
            out.push_str("\n\u{c}\n");
        }
    }
    out
}

fn cyrillic(text: &str) -> String {
    const LOWER: [char; 26] = [
        'а', 'б', 'ц', 'д', 'е', 'ф', 'г', 'х', 'и', 'й', 'к', 'л', 'м', 'н', 'о', 'п', 'я', 'р', 'с', 'т', 'у', 'в',
        'ш', 'ж', 'ы', 'з',
    ];
    text.chars()
        .map(|c| match c {
            'a'..='z' => LOWER[(c as u8 - b'a') as usize],
            'A'..='Z' => LOWER[(c as u8 - b'A') as usize].to_uppercase().next().unwrap_or(c),
            c => c,
        })
        .collect()
}

fn typographic(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut open = true;
    for (i, c) in text.chars().enumerate() {
        match c {
            '"' => {
                out.push(if open { '\u{201c}' } else { '\u{201d}' });
                open = !open;
            }
            '\'' => out.push('\u{2019}'),
            ' ' if i % 7 == 0 => out.push_str("\u{a0} "),
            ' ' if i % 11 == 0 => out.push('\u{a0}'),
            c => out.push(c),
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let ascii = seed_pages();
    let mut inputs =
        vec![("news-ascii", ascii.clone()), ("news-cyrillic", cyrillic(&ascii)), ("quotes-nbsp", typographic(&ascii))];
    match real_pages() {
        Some(pages) => inputs.push(("real-pages", pages)),
        None => eprintln!("real-pages skipped: ../shared/data/aeb-dev is not beside the repository"),
    }
    let pipelines = [
        ("whole-pipeline", Cleaner::builder().build().expect("default cleaner")),
        ("normalize-only", Cleaner::builder().default_rules(false).drop_duplicates(false).build().expect("normalizer")),
        ("classify-minimal-normalize", Cleaner::builder().ascii_quotes(false).build().expect("classifier")),
        ("rules-only", Cleaner::builder().classifier(false).build().expect("rules without the classifier")),
    ];
    let mut group = c.benchmark_group("clean");
    group.sample_size(20);
    for (input_name, input) in &inputs {
        group.throughput(Throughput::Bytes(input.len() as u64));
        for (pipeline_name, cleaner) in &pipelines {
            group.bench_with_input(BenchmarkId::new(*pipeline_name, input_name), input, |b, input| {
                b.iter(|| {
                    let mut sink = std::io::sink();
                    cleaner.clean_reader(input.as_bytes(), &mut sink).expect("in-memory cleaning")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
