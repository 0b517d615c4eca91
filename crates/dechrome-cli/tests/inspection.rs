//! Seeing what cleaning did: `--explain` (colours, file column, trees, JSONL), `--check` and
//! `--rejects` on trees and JSONL, `--diff`.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

use dechrome_testkit::write;

const PAGE: &str = "Accessibility links\n\nMarkets \u{201c}calm\u{201d}  after  vote\n\nAdvertisement\n";
const CLEAN: &str = "Markets \"calm\" after vote\n";
const RECORDS: &str = "{\"id\":1,\"text\":\"Advertisement\\nKept line.\"}\n\n{\"id\":2,\"text\":\"Story.\\n\"}\n";

fn dechrome() -> Command {
    Command::cargo_bin("dechrome").unwrap_or_else(|e| panic!("{e}"))
}

fn stdout_of(command: &mut Command) -> String {
    String::from_utf8(command.assert().success().get_output().stdout.clone()).unwrap()
}

/// A tree with a page, a clean page and a JSONL file; run from `tmp`, paths are relative.
fn make_tree(tmp: &Path) {
    write(&tmp.join("tree/a.txt"), PAGE);
    write(&tmp.join("tree/sub/clean.txt"), CLEAN);
    write(&tmp.join("tree/sub/records.jsonl"), RECORDS);
    // Skipped, as in directory mode.
    write(&tmp.join("tree/image.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
}

#[test]
fn explain_is_coloured_when_asked_and_plain_otherwise() {
    let always = stdout_of(dechrome().args(["--explain", "--color", "always"]).env("NO_COLOR", "1").write_stdin(PAGE));
    let lines: Vec<&str> = always.lines().collect();
    // A dropped line: its decision in its category's colour, its text dimmed.
    assert!(lines[0].contains("\x1b[34mdrop skip-links (navigation)"), "{:?}", lines[0]);
    assert!(lines[0].ends_with("\x1b[2mAccessibility links\x1b[0m"), "{:?}", lines[0]);
    assert!(lines[4].contains("\x1b[31mdrop ad-labels (ads)"), "{:?}", lines[4]);
    // A kept line's text is not dimmed.
    assert!(lines[2].ends_with("\tMarkets \u{201c}calm\u{201d}  after  vote"), "{:?}", lines[2]);
    // Not on a terminal (auto), or with never: no escape codes.
    for args in [&["--explain"][..], &["--explain", "--color", "never"], &["--explain", "--color", "auto"]] {
        let plain = stdout_of(dechrome().args(args).write_stdin(PAGE));
        assert!(!plain.contains('\x1b'), "{args:?}: {plain:?}");
        assert!(plain.starts_with("1:1\tdrop skip-links (navigation)"), "{plain:?}");
    }
    dechrome().args(["--explain", "--color", "sometimes"]).write_stdin(PAGE).assert().code(2);
}

#[test]
fn explain_has_a_file_column_for_several_files_and_reads_trees_and_jsonl() {
    let tmp = TempDir::new().unwrap();
    make_tree(tmp.path());
    let one = stdout_of(dechrome().current_dir(tmp.path()).arg("--explain").arg("tree/a.txt"));
    assert!(one.starts_with("1:1\t"), "{one}");
    let tree = stdout_of(dechrome().current_dir(tmp.path()).arg("--explain").arg("tree"));
    assert!(!tree.contains("image.png"), "{tree}");
    let rows: Vec<Vec<&str>> = tree.lines().map(|l| l.split('\t').map(str::trim_end).collect()).collect();
    let expected: Vec<Vec<&str>> = vec![
        vec!["tree/a.txt", "1:1", "drop skip-links (navigation)", "Accessibility links"],
        vec!["tree/a.txt", "1:2", "blank", ""],
        vec!["tree/a.txt", "1:3", "keep", "Markets \u{201c}calm\u{201d}  after  vote"],
        vec!["tree/a.txt", "1:4", "blank", ""],
        vec!["tree/a.txt", "1:5", "drop ad-labels (ads)", "Advertisement"],
        vec!["tree/sub/clean.txt", "1:1", "keep", "Markets \"calm\" after vote"],
        // JSONL: the record's line number, then the line in its text.
        vec!["tree/sub/records.jsonl", "1:1", "drop ad-labels (ads)", "Advertisement"],
        vec!["tree/sub/records.jsonl", "1:2", "keep", "Kept line."],
        vec!["tree/sub/records.jsonl", "3:1", "keep", "Story."],
    ];
    assert_eq!(rows, expected);
    // Nothing is written beside the tree.
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn check_and_rejects_work_on_trees_and_jsonl() {
    let tmp = TempDir::new().unwrap();
    make_tree(tmp.path());
    dechrome().current_dir(tmp.path()).args(["--check", "tree"]).assert().code(1).stdout("").stderr(
        predicate::str::contains("tree/a.txt: would change (2 lines dropped)")
            .and(predicate::str::contains("tree/sub/records.jsonl: would change (1 lines dropped)"))
            .and(predicate::str::contains("clean.txt").not())
            .and(predicate::str::contains("tree/image.png: skipped: a binary file")),
    );
    dechrome().current_dir(tmp.path()).args(["--check", "tree/sub/clean.txt"]).assert().code(0);
    // A JSONL file whose texts are clean passes, whatever the spacing of its JSON.
    write(&tmp.path().join("clean.jsonl"), "{\"id\": 2, \"text\": \"Story.\\n\"}\n");
    dechrome().current_dir(tmp.path()).args(["--check", "clean.jsonl"]).assert().code(0);

    // Rejects of a tree cleaned into a mirror, in walk order, JSONL rows numbered by record.
    dechrome().current_dir(tmp.path()).args(["tree", "-o", "out", "--rejects", "rejects.tsv"]).assert().success();
    let rejects = fs::read_to_string(tmp.path().join("rejects.tsv")).unwrap();
    assert_eq!(
        rejects,
        "tree/a.txt\t1\t1\tskip-links\tnavigation\tAccessibility links\n\
         tree/a.txt\t1\t5\tad-labels\tads\tAdvertisement\n\
         tree/sub/records.jsonl\t1\t1\tad-labels\tads\tAdvertisement\n"
    );
    assert_eq!(fs::read_to_string(tmp.path().join("out/a.txt")).unwrap(), CLEAN);
    // The same rows from a JSONL stream, beside its cleaned records.
    let cleaned = stdout_of(dechrome().current_dir(tmp.path()).args([
        "--rejects",
        "stream.tsv",
        "--format",
        "jsonl",
        "tree/sub/records.jsonl",
    ]));
    assert_eq!(cleaned, "{\"id\":1,\"text\":\"Kept line.\"}\n{\"id\":2,\"text\":\"Story.\\n\"}\n");
    assert_eq!(
        fs::read_to_string(tmp.path().join("stream.tsv")).unwrap(),
        "tree/sub/records.jsonl\t1\t1\tad-labels\tads\tAdvertisement\n"
    );
}

#[test]
fn diff_shows_each_change_as_a_unified_diff() {
    let tmp = TempDir::new().unwrap();
    make_tree(tmp.path());
    let diff = stdout_of(dechrome().current_dir(tmp.path()).args(["--diff", "tree"]));
    let expected = "--- a/tree/a.txt\n+++ b/tree/a.txt\n@@ -1,5 +1 @@\n-Accessibility links\n-\n\
                    -Markets \u{201c}calm\u{201d}  after  vote\n-\n-Advertisement\n+Markets \"calm\" after vote\n\
                    --- a/tree/sub/records.jsonl:1\n+++ b/tree/sub/records.jsonl:1\n@@ -1,2 +1 @@\n-Advertisement\n \
                    Kept line.\n\\ No newline at end of file\n";
    assert_eq!(diff, expected);
    // Nothing is written, and the files are as they were.
    assert_eq!(fs::read_to_string(tmp.path().join("tree/a.txt")).unwrap(), PAGE);
    // With --check: exit 1 when there is a difference, 0 when there is none.
    dechrome().current_dir(tmp.path()).args(["--diff", "--check", "tree"]).assert().code(1).stdout(expected);
    dechrome().current_dir(tmp.path()).args(["--diff", "--check", "tree/sub/clean.txt"]).assert().code(0).stdout("");
    // The diff applies as a patch: the same bytes as cleaning.
    let patched = tmp.path().join("patched.txt");
    write(&patched, PAGE);
    let one = stdout_of(dechrome().arg("--diff").arg(&patched));
    let applied = std::process::Command::new("patch")
        .arg(&patched)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .and_then(|mut child| {
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), one.as_bytes())?;
            child.wait()
        });
    if let Ok(status) = applied {
        assert!(status.success());
        assert_eq!(fs::read_to_string(&patched).unwrap(), CLEAN);
    }
    // Coloured when asked.
    let coloured = stdout_of(dechrome().args(["--diff", "--color", "always"]).write_stdin(PAGE));
    assert!(coloured.contains("\x1b[31m-Accessibility links\x1b[0m"), "{coloured:?}");
    assert!(coloured.contains("\x1b[32m+Markets \"calm\" after vote\x1b[0m"), "{coloured:?}");
}

/// `--color auto` on a terminal (a pseudo-terminal from util-linux's `script`): coloured,
/// unless NO_COLOR is set.
#[test]
fn explain_on_a_terminal_is_coloured_unless_no_color_is_set() {
    let tmp = TempDir::new().unwrap();
    write(&tmp.path().join("a.txt"), PAGE);
    let binary = assert_cmd::cargo::cargo_bin("dechrome");
    let on_terminal = |no_color: Option<&str>| {
        let mut script = std::process::Command::new("script");
        script.current_dir(tmp.path()).env("TERM", "xterm").env_remove("NO_COLOR");
        if let Some(value) = no_color {
            script.env("NO_COLOR", value);
        }
        let command = format!("{} --explain a.txt", binary.display());
        let output = script.args(["-qec", &command, "/dev/null"]).output().expect("util-linux script");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(on_terminal(None).contains("\x1b[2mAccessibility links"));
    assert!(on_terminal(Some("")).contains("\x1b[2mAccessibility links"), "an empty NO_COLOR counts as unset");
    let plain = on_terminal(Some("1"));
    assert!(plain.contains("Accessibility links") && !plain.contains('\x1b'), "{plain:?}");
}

/// In a tree cleaned on several threads, the rows of `--rejects` still follow the walk order,
/// the same for any `-j`.
#[test]
fn tree_rejects_follow_the_walk_order_for_any_jobs() {
    let tmp = TempDir::new().unwrap();
    for i in 0..40 {
        write(&tmp.path().join(format!("tree/{}/{i:02}.txt", i % 3)), PAGE.repeat(1 + i % 4));
    }
    let rows_with = |jobs: &str| {
        let rejects = tmp.path().join(format!("rejects-{jobs}.tsv"));
        let out = tmp.path().join(format!("out-{jobs}"));
        dechrome()
            .arg(tmp.path().join("tree"))
            .arg("-o")
            .arg(&out)
            .args(["-j", jobs])
            .arg("--rejects")
            .arg(&rejects)
            .assert()
            .success();
        fs::read_to_string(rejects).unwrap()
    };
    let one = rows_with("1");
    assert!(one.lines().count() > 80, "{one}");
    // The same rows as the tree read as streams, one file after another.
    let streamed = tmp.path().join("streamed.tsv");
    dechrome().arg(tmp.path().join("tree")).arg("--check").arg("--rejects").arg(&streamed).assert().code(1);
    assert_eq!(fs::read_to_string(streamed).unwrap(), one);
    let files: Vec<&str> = one.lines().map(|row| row.split('\t').next().unwrap()).collect();
    let mut walk_order = files.clone();
    walk_order.sort();
    assert_eq!(files, walk_order);
    assert_eq!(rows_with("4"), one);
}
