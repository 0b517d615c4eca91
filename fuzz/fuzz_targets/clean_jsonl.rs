//! Arbitrary bytes through `dechrome::jsonl::JsonlCleaner`.
//!
//! Byte 0 picks the cleaner configuration and, with bit 7 set, treats the rest as the text of
//! one record instead of as a JSONL stream. Checked for streams: no panic and no error with
//! `skip_bad_records`; every output line is a JSON object; bad records are copied whole;
//! cleaning the output again changes nothing and finds no bad record. For one record: the
//! cleaned field equals `Cleaner::clean_str` of the text, and the record survives a second pass.
#![no_main]

use dechrome::jsonl::{JsonlCleaner, JsonlOptions, JsonlStats};
use libfuzzer_sys::fuzz_target;

fn run(jsonl: &JsonlCleaner, input: &[u8]) -> (JsonlStats, Vec<u8>, Vec<u8>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let stats = jsonl
        .clean(input, &mut out, Some(&mut bad))
        .unwrap_or_else(|e| panic!("in-memory JSONL cleaning failed with skip_bad_records: {e}"));
    (stats, out, bad)
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    let config = usize::from(selector & 0x7f);
    let cleaner = dechrome_testkit::cleaner(config).clone();
    let options = JsonlOptions { skip_bad_records: true, drop_empty: selector & 0x40 != 0, ..JsonlOptions::default() };
    let jsonl = JsonlCleaner::new(cleaner.clone(), options);

    let stream: Vec<u8> = if selector & 0x80 != 0 {
        let text = String::from_utf8_lossy(data);
        let record = serde_json::json!({ "id": 1, "text": text, "note": "x\ny" });
        let mut line = record.to_string().into_bytes();
        line.push(b'\n');
        let (stats, out, bad) = run(&jsonl, &line);
        assert_eq!((stats.records, stats.bad_records), (1, 0), "a well-formed record was refused");
        assert!(bad.is_empty());
        let expected = cleaner.clean_str(&text).text;
        if out.is_empty() {
            assert!(expected.is_empty() && jsonl.options().drop_empty, "record lost");
            return;
        }
        let value: serde_json::Value = serde_json::from_slice(&out).expect("output record is JSON");
        assert_eq!(value["text"].as_str(), Some(expected.as_str()), "JSONL text differs from clean_str");
        assert_eq!(value["note"].as_str(), Some("x\ny"), "another field changed");
        out
    } else {
        let (stats, out, bad) = run(&jsonl, data);
        let lines = data.split(|&b| b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count() as u64;
        assert_eq!(stats.records + stats.bad_records, lines, "records lost or invented");
        assert_eq!(stats.written + stats.dropped_empty, stats.records);
        assert_eq!(bad.iter().filter(|&&b| b == b'\n').count() as u64, stats.bad_records);
        out
    };

    let text = std::str::from_utf8(&stream).unwrap_or_else(|e| panic!("JSONL output is not UTF-8: {e}"));
    for line in text.lines() {
        // Raw JSON: other fields are copied verbatim and may hold escapes (a lone "\ud800")
        // that a typed parse refuses.
        let raw: Box<serde_json::value::RawValue> =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("output line is not JSON ({e}): {line:?}"));
        assert!(raw.get().starts_with('{'), "output line is not an object: {line:?}");
    }
    let (stats, again, bad) = run(&jsonl, &stream);
    assert_eq!(stats.bad_records, 0, "cleaned output holds a bad record: {:?}", String::from_utf8_lossy(&bad));
    assert_eq!(again, stream, "JSONL cleaning is not idempotent");
});
