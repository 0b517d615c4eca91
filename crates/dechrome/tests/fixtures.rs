//! Runs every `fixtures/<case>/input.txt` through the default cleaner and compares with
//! `expected.txt` (see the `NOTE.md` beside each case for why the expectation is what it is).
//! Each case is also run through the streaming API at several read sizes, and the expected
//! output must be a fixed point (cleaning it again changes nothing).

use std::fs;

use dechrome_testkit::{Pieces, clean, fixtures_dir};

#[test]
fn every_fixture_matches_its_expected_output() {
    let cleaner = dechrome::Cleaner::builder().build().unwrap();
    let mut cases = 0;
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = fs::read_dir(fixtures_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    for dir in dirs {
        let (input, expected) = (dir.join("input.txt"), dir.join("expected.txt"));
        if !expected.exists() {
            continue;
        }
        cases += 1;
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let input = fs::read(&input).unwrap();
        let expected = fs::read(&expected).unwrap();
        let whole = cleaner.clean_str(&String::from_utf8_lossy(&input)).text.into_bytes();
        if whole != expected {
            failures.push(format!(
                "{name}: clean_str differs\n--- expected\n{}\n--- got\n{}",
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&whole)
            ));
            continue;
        }
        for chunk in [1, 7, 65_536] {
            if clean(&cleaner, Pieces::new(&input, &[chunk])) != expected {
                failures.push(format!("{name}: clean_reader with {chunk}-byte reads differs"));
            }
        }
        if clean(&cleaner, Pieces::new(&expected, &[65_536])) != expected {
            failures.push(format!("{name}: cleaning the expected output again changes it"));
        }
    }
    assert!(cases >= 17, "only {cases} fixtures found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
