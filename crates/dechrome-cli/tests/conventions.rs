//! Behaving like the command's neighbours: several files in one stream, JSONL found by content
//! and compressed like the output's name, `-j 0`, `--quiet`, sizes in the summary.

use std::fs;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

use dechrome_testkit::{clean_default, write};

const PAGE_A: &str = "Accessibility links\n\nMarkets \u{201c}calm\u{201d}  after  vote\nplease wait\n\nThe index rose 2 percent on Monday as traders returned.\n\nAdvertisement\n";
const PAGE_B: &str = "Share\n\nShare prices fell 3 percent on Monday.\n";

fn dechrome() -> Command {
    Command::cargo_bin("dechrome").unwrap_or_else(|e| panic!("{e}"))
}

fn stderr_of(command: &mut Command) -> String {
    String::from_utf8(command.assert().get_output().stderr.clone()).unwrap()
}

#[test]
fn several_files_are_separated_by_form_feed_lines() {
    let tmp = TempDir::new().unwrap();
    let names = ["a.txt", "empty.txt", "b.txt"];
    write(&tmp.path().join("a.txt"), PAGE_A);
    write(&tmp.path().join("empty.txt"), "Advertisement\n");
    write(&tmp.path().join("b.txt"), PAGE_B);
    let out = dechrome().current_dir(tmp.path()).args(names).assert().success().get_output().stdout.clone();
    let documents: Vec<&[u8]> = out.split(|&b| b == b'\x0C').collect();
    assert_eq!(documents.len(), 3, "{}", String::from_utf8_lossy(&out));
    assert_eq!(documents[0], clean_default(PAGE_A.as_bytes()));
    assert_eq!(documents[1], b"\n");
    assert_eq!(documents[2], [b"\n".as_slice(), &clean_default(PAGE_B.as_bytes())].concat());
    // Split back and cleaned again, each document is unchanged: the output is a fixed point.
    let again = dechrome().write_stdin(out.clone()).assert().success().get_output().stdout.clone();
    assert_eq!(again, out);
}

#[test]
fn jobs_zero_means_every_core() {
    let tmp = TempDir::new().unwrap();
    write(&tmp.path().join("in/a.txt"), PAGE_A);
    dechrome().arg("-j").arg("0").write_stdin(PAGE_A).assert().success().stdout(clean_default(PAGE_A.as_bytes()));
    let out = tmp.path().join("out");
    dechrome().arg("-j0").arg(tmp.path().join("in")).arg("-o").arg(&out).assert().success();
    assert_eq!(fs::read(out.join("a.txt")).unwrap(), clean_default(PAGE_A.as_bytes()));
}

#[test]
fn the_summary_gives_small_sizes_in_kilobytes() {
    let tmp = TempDir::new().unwrap();
    for i in 0..40 {
        write(&tmp.path().join(format!("in/{i}.txt")), PAGE_A);
    }
    let bytes_in = PAGE_A.len() * 40;
    let stderr = stderr_of(dechrome().arg(tmp.path().join("in")).arg("-o").arg(tmp.path().join("out")));
    let expected = format!("; {:.1} KB in, ", bytes_in as f64 / 1000.0);
    assert!(stderr.contains("40 files cleaned") && stderr.contains(&expected), "{expected} in {stderr}");
    assert!(!stderr.contains("0.0 MB"), "{stderr}");
}

#[test]
fn quiet_prints_no_summary_or_warning_but_still_errors() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("a.txt"), PAGE_A);
    write(&input.join("a.txt.bak"), PAGE_B);
    // Without --quiet: the summary and the skipped backup; with it, nothing.
    let loud = stderr_of(dechrome().arg(&input).arg("-i.bak").arg(input.join("a.txt.bak")));
    assert!(loud.contains("files cleaned") || loud.contains("file cleaned"), "{loud}");
    assert!(loud.contains("backup suffix"), "{loud}");
    dechrome().arg(&input).arg("-i.bak").arg(input.join("a.txt.bak")).arg("--quiet").assert().success().stderr("");
    dechrome().arg("--check").arg("-q").write_stdin(PAGE_A).assert().code(1).stderr("");
    // An error is still reported.
    dechrome()
        .arg(&input)
        .arg(tmp.path().join("missing"))
        .arg("-o")
        .arg(tmp.path().join("out"))
        .arg("-q")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing").and(predicate::str::contains("files cleaned").not()));
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out).unwrap();
    out
}

#[test]
fn json_and_ndjson_files_of_json_lines_are_read_as_jsonl() {
    let tmp = TempDir::new().unwrap();
    let lines = "{\"id\":1,\"text\":\"Advertisement\\nKept line.\"}\n{\"id\":2,\"text\":\"Two.\\n\"}\n";
    let cleaned = "{\"id\":1,\"text\":\"Kept line.\"}\n{\"id\":2,\"text\":\"Two.\\n\"}\n";
    let input = tmp.path().join("in");
    for name in ["records.json", "records.ndjson"] {
        write(&input.join(name), lines);
        dechrome().arg(input.join(name)).assert().success().stdout(cleaned);
    }
    // A JSON document over several lines is not JSON lines: it is cleaned as text.
    let pretty = "{\n  \"text\": \"Advertisement\"\n}\n";
    write(&input.join("pretty.json"), pretty);
    let pretty_cleaned = clean_default(pretty.as_bytes());
    assert!(pretty_cleaned.starts_with(b"{\n\"text\""));
    dechrome().arg(input.join("pretty.json")).assert().success().stdout(pretty_cleaned.clone());
    // In a tree, too.
    let out = tmp.path().join("out");
    dechrome().arg(&input).arg("-o").arg(&out).arg("--glob").arg("*.json").assert().success();
    assert_eq!(fs::read_to_string(out.join("records.json")).unwrap(), cleaned);
    assert_eq!(fs::read(out.join("pretty.json")).unwrap(), pretty_cleaned);
}

#[test]
fn the_output_is_compressed_as_its_name_says() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("x.jsonl");
    write(&input, "{\"text\":\"Advertisement\\nKept line.\"}\n");
    let cleaned = b"{\"text\":\"Kept line.\"}\n";
    let gz = tmp.path().join("y.jsonl.gz");
    dechrome().arg(&input).arg("-o").arg(&gz).assert().success();
    assert_eq!(gunzip(&fs::read(&gz).unwrap()), cleaned);
    let zst = tmp.path().join("y.jsonl.zst");
    dechrome().arg(&gz).arg("-o").arg(&zst).assert().success();
    assert_eq!(zstd::decode_all(&fs::read(&zst).unwrap()[..]).unwrap(), cleaned);
    let plain = tmp.path().join("y.jsonl");
    dechrome().arg(&zst).arg("-o").arg(&plain).assert().success();
    assert_eq!(fs::read(&plain).unwrap(), cleaned);
    // To stdout, compressed as the input was.
    let out = dechrome().arg(&gz).assert().success().get_output().stdout.clone();
    assert_eq!(gunzip(&out), cleaned);
}

#[test]
fn a_text_key_no_record_has_is_named_clearly() {
    let records = "{\"id\":1,\"body\":\"Kept.\"}\n{\"id\":2,\"body\":\"Also kept.\"}\n";
    let tmp = TempDir::new().unwrap();
    let bad = tmp.path().join("bad.jsonl");
    dechrome()
        .args(["--format", "jsonl", "--skip-bad-records", "--bad-records"])
        .arg(&bad)
        .write_stdin(records)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("warning: no record has a \"text\" field: 2 records set aside"));
    assert_eq!(fs::read_to_string(&bad).unwrap(), records);
    // Without --skip-bad-records the first record stops the run, naming the fields it has.
    dechrome()
        .args(["--format", "jsonl"])
        .write_stdin(records)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 1: no \"text\" field (the record has \"id\", \"body\")"));
    dechrome().args(["--format", "jsonl", "--text-key", "body"]).write_stdin(records).assert().success().stderr("");
}
