//! End-to-end tests of the `dechrome` command.

use std::fs;
use std::io::{Read, Write};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use predicates::prelude::*;

const PAGE: &str = "Accessibility links\n\nHeadline of the story\n\nVideo title\nplease wait\n\nFirst paragraph of the story.\n\nAdvertisement\n\nSecond \u{201c}quoted\u{201d}  paragraph.\n";
const CLEAN: &str = "Headline of the story\n\nFirst paragraph of the story.\n\nSecond \"quoted\" paragraph.\n";

fn dechrome() -> Command {
    Command::cargo_bin("dechrome").unwrap()
}

#[test]
fn stdin_to_stdout() {
    dechrome().write_stdin(PAGE).assert().success().stdout(CLEAN);
}

#[test]
fn file_argument_and_dash_for_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.txt");
    fs::write(&path, PAGE).unwrap();
    dechrome().arg(&path).assert().success().stdout(CLEAN);
    dechrome().arg("-").write_stdin(PAGE).assert().success().stdout(CLEAN);
}

#[test]
fn output_file_is_written_whole_with_no_temporary_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.txt");
    fs::write(&out, "old content").unwrap();
    dechrome().arg("-o").arg(&out).write_stdin(PAGE).assert().success().stdout("");
    assert_eq!(fs::read_to_string(&out).unwrap(), CLEAN);
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["out.txt"]);
}

#[test]
fn missing_input_is_an_error_naming_the_file() {
    dechrome()
        .arg("no/such/file.txt")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("no/such/file.txt").and(predicate::str::contains("cannot open")));
}

#[test]
fn stats_report_categories_and_rules() {
    dechrome().arg("--stats").write_stdin(PAGE).assert().success().stdout(CLEAN).stderr(
        predicate::str::contains("dropped 4")
            .and(predicate::str::is_match(r"media\s+2\s+").unwrap())
            .and(predicate::str::is_match(r"media-please-wait\s+2\s+").unwrap())
            .and(predicate::str::is_match(r"ads\s+1\s+13").unwrap()),
    );
}

#[test]
fn rejects_file_lists_every_dropped_line() {
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("rejects.tsv");
    dechrome().arg("--rejects").arg(&rejects).write_stdin(PAGE).assert().success().stdout(CLEAN);
    let text = fs::read_to_string(&rejects).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        rows,
        [
            vec!["-", "1", "1", "skip-links", "navigation", "Accessibility links"],
            vec!["-", "1", "5", "media-please-wait", "media", "Video title"],
            vec!["-", "1", "6", "media-please-wait", "media", "please wait"],
            vec!["-", "1", "10", "ad-labels", "ads", "Advertisement"],
        ]
    );
}

#[test]
fn explain_shows_each_line_and_its_decision() {
    let out = dechrome().arg("--explain").write_stdin(PAGE).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), PAGE.lines().count());
    assert!(text.lines().next().unwrap().contains("drop skip-links (navigation)"));
    assert!(text.lines().nth(2).unwrap().contains("keep"));
    assert!(text.lines().nth(1).unwrap().contains("blank"));
}

#[test]
fn check_exit_codes() {
    dechrome()
        .arg("--check")
        .write_stdin(PAGE)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("would change"));
    dechrome().arg("--check").write_stdin(CLEAN).assert().code(0).stdout("");
    // A missing final newline is a change too.
    dechrome().arg("--check").write_stdin(CLEAN.trim_end()).assert().code(1);
}

#[test]
fn user_rules_add_and_disable_removes() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("extra.toml");
    fs::write(&rules, "[[rule]]\nid = \"my-promo\"\ncategory = \"promo\"\nprefix = \"Get the app\"\n").unwrap();
    let input = "Get the app now for free\nAdvertisement\nBody text stays.\n";
    dechrome().arg("--rules").arg(&rules).write_stdin(input).assert().success().stdout("Body text stays.\n");
    dechrome()
        .args(["--disable", "ads"])
        .arg("--rules")
        .arg(&rules)
        .write_stdin(input)
        .assert()
        .success()
        .stdout("Advertisement\nBody text stays.\n");
    dechrome()
        .args(["--no-default-rules", "--rules"])
        .arg(&rules)
        .write_stdin(input)
        .assert()
        .success()
        .stdout("Advertisement\nBody text stays.\n");
}

#[test]
fn invalid_rules_are_reported_with_file_rule_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("bad.toml");
    let assert_rejected = |id: &str, regex: &str, problem: &str| {
        fs::write(&rules, format!("[[rule]]\nid = \"{id}\"\ncategory = \"ads\"\nregex = '{regex}'\n")).unwrap();
        dechrome().arg("--rules").arg(&rules).write_stdin("text\n").assert().code(2).stdout("").stderr(
            predicate::str::contains("bad.toml")
                .and(predicate::str::contains(format!("rule \"{id}\"")))
                .and(predicate::str::contains(problem)),
        );
    };
    assert_rejected("broken", "([a-z", "invalid regex");
    // Well-formed syntax naming an unknown Unicode class: found when the rules are compiled,
    // and reported the same way.
    assert_rejected("no-class", r"\p{NoSuchClass}", "invalid regex");
    // Too large to compile: refused before compiling, by an estimate of its size.
    assert_rejected("huge", r"\w{1000}{1000}", "too large");
    // Within the estimate, but too large for the automata of a group of regexes.
    assert_rejected("large", r"^\w{600}$", "cannot compile regex");
    dechrome()
        .args(["--disable", "no-such-rule"])
        .write_stdin("text\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rule"));
}

#[test]
fn list_rules_prints_the_pack() {
    dechrome()
        .arg("--list-rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("media-please-wait").and(predicate::str::contains("skip-links")));
    dechrome()
        .args(["--list-rules", "--disable", "media"])
        .assert()
        .success()
        .stdout(predicate::str::contains("media-please-wait").not());
    // Each rule with its settings, description and every pattern.
    dechrome().arg("--list-rules").assert().success().stdout(
        predicate::str::contains("skip-links  category=navigation  zone=any  action=drop-line  exact")
            .and(predicate::str::contains("    Accessibility skip links at the top of a page"))
            .and(predicate::str::contains("    exact \"Skip to the main content\"")),
    );
}

#[test]
fn listed_rules_as_toml_load_back_as_the_same_rules() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.toml");
    let listed =
        dechrome().args(["--list-rules=toml", "--disable", "ads"]).assert().success().get_output().stdout.clone();
    fs::write(&pack, &listed).unwrap();
    let table =
        |args: &[&str]| dechrome().args(args).arg("--list-rules").assert().success().get_output().stdout.clone();
    let reloaded = table(&["--no-default-rules", "--rules", pack.to_str().unwrap()]);
    assert_eq!(reloaded, table(&["--disable", "ads"]));
    let page = fixture_input("seed-000");
    let clean =
        |args: &[&str]| dechrome().args(args).write_stdin(page.clone()).assert().success().get_output().stdout.clone();
    assert_eq!(clean(&["--no-default-rules", "--rules", pack.to_str().unwrap()]), clean(&["--disable", "ads"]));
}

#[test]
fn keep_rules_win_over_drop_rules_the_classifier_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("keep.toml");
    fs::write(
        &rules,
        "[[rule]]\nid = \"keep-ad-label\"\ncategory = \"ads\"\naction = \"keep\"\nexact = \"Advertisement\"\n",
    )
    .unwrap();
    dechrome()
        .arg("--rules")
        .arg(&rules)
        .write_stdin("Accessibility links\nAdvertisement\nMarkets rose after the vote.\nAdvertisement\n")
        .assert()
        .success()
        .stdout("Advertisement\nMarkets rose after the vote.\nAdvertisement\n");
    // On a whole page the classifier judges every line; a kept line stays whatever it says.
    let page = fixture_input("seed-000");
    let without =
        dechrome().arg("--no-default-rules").write_stdin(page.clone()).assert().success().get_output().stdout.clone();
    let dropped = String::from_utf8_lossy(&page)
        .lines()
        .find(|line| line.len() > 3 && !String::from_utf8_lossy(&without).lines().any(|kept| kept == *line))
        .map(str::to_string)
        .expect("the classifier drops some line of the page");
    fs::write(
        &rules,
        format!("[[rule]]\nid = \"keep-it\"\ncategory = \"ads\"\naction = \"keep\"\nexact = {dropped:?}\n"),
    )
    .unwrap();
    let with = dechrome()
        .arg("--no-default-rules")
        .arg("--rules")
        .arg(&rules)
        .write_stdin(page)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&with).lines().any(|kept| kept == dropped), "{dropped:?} not kept");
}

#[test]
fn an_unknown_category_is_an_error_listing_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("mine.toml");
    fs::write(&rules, "[[rule]]\nid = \"x\"\ncategory = \"promos\"\nexact = \"Buy now\"\n").unwrap();
    dechrome().arg("--rules").arg(&rules).write_stdin("text\n").assert().code(2).stderr(
        predicate::str::contains("mine.toml: rule \"x\": unknown category \"promos\"; known: ads, byline")
            .and(predicate::str::contains("categories = [\"promos\"]")),
    );
}

fn fixture_input(name: &str) -> Vec<u8> {
    let path = dechrome_testkit::fixtures_dir().join(name).join("input.txt");
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn option_switches() {
    let input = "A repeated line of more than twenty chars\n\u{201c}Quoted\u{201d}\u{2014}done\u{2026}\nA repeated line of more than twenty chars\n";
    dechrome()
        .write_stdin(input)
        .assert()
        .success()
        .stdout("A repeated line of more than twenty chars\n\"Quoted\"\u{2014}done\u{2026}\n");
    dechrome()
        .args(["--keep-duplicates", "--keep-quotes", "--ascii-punct"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout("A repeated line of more than twenty chars\n\u{201c}Quoted\u{201d}--done...\nA repeated line of more than twenty chars\n");
    dechrome().arg("--nfkc").write_stdin("x\u{b2}\n").assert().success().stdout("x2\n");
}

#[test]
fn closed_pipe_ends_quietly() {
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("dechrome"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let paragraph = "A paragraph of article text that keeps going for a while.\n\n".repeat(1000);
        for _ in 0..200 {
            if stdin.write_all(paragraph.as_bytes()).is_err() {
                break;
            }
        }
    });
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
}

/// `dechrome big.jsonl | head -c 100`: the reader goes away, and the command ends quietly.
#[test]
fn closed_pipe_ends_quietly_in_jsonl_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let record = format!("{{\"id\":1,\"text\":{:?}}}\n", "A paragraph of article text that keeps going.\n".repeat(20));
    fs::write(&path, record.repeat(20_000)).unwrap();
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("dechrome"))
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
}

/// `dechrome page.txt >&-`: the cleaned text would go nowhere, so that is an error, not a quiet
/// success; `>/dev/null` is asked for and fine.
#[test]
fn closed_stdout_is_an_error() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.txt");
    fs::write(&path, PAGE).unwrap();
    let mut command = StdCommand::new(assert_cmd::cargo::cargo_bin("dechrome"));
    // SAFETY: close is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            libc::close(1);
            Ok(())
        })
    };
    let output = command.arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("stdout is closed"), "{output:?}");
    let null = fs::File::options().write(true).open("/dev/null").unwrap();
    let status = StdCommand::new(assert_cmd::cargo::cargo_bin("dechrome")).arg(&path).stdout(null).status().unwrap();
    assert!(status.success());
}

#[test]
fn full_disk_is_an_error() {
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not on this system
    };
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("dechrome"))
        .stdin(Stdio::piped())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(PAGE.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Said once: the library's message holds the system's, which is not repeated as a cause.
    assert_eq!(stderr.matches("No space left").count(), 1, "{stderr}");
}

/// Outputs that are not regular files are written in place, never replaced by a rename: a
/// FIFO stays a FIFO, a link keeps pointing at its file (which gets the output), and `-` is
/// stdout rather than a file named `-`.
#[test]
fn rejects_to_fifo_link_or_stdout() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let rows = |text: &str| text.lines().filter(|l| l.split('\t').count() == 6).count();

    let (real, link) = (dir.path().join("real.tsv"), dir.path().join("link.tsv"));
    fs::write(&real, "old\n").unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    dechrome().arg("--rejects").arg(&link).write_stdin(PAGE).assert().success().stdout(CLEAN);
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(rows(&fs::read_to_string(&real).unwrap()), 4);

    let fifo = dir.path().join("rejects.fifo");
    let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    dechrome().arg("--rejects").arg(&fifo).write_stdin(PAGE).assert().success().stdout(CLEAN);
    assert_eq!(rows(&reader.join().unwrap()), 4);
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());

    let out = dir.path().join("out.txt");
    let output =
        dechrome().current_dir(dir.path()).args(["--rejects", "-", "-o"]).arg(&out).write_stdin(PAGE).output().unwrap();
    assert!(output.status.success());
    assert_eq!(rows(&String::from_utf8(output.stdout).unwrap()), 4);
    assert_eq!(fs::read_to_string(&out).unwrap(), CLEAN);
    assert!(!dir.path().join("-").exists());
}

#[test]
fn features_are_written_for_every_non_blank_line() {
    let dir = tempfile::tempdir().unwrap();
    let features = dir.path().join("features.tsv");
    let page = "Home\n\nMarkets rose on Monday as investors cheered the news from the central bank.\nShare\n";
    dechrome().arg("--features").arg(&features).write_stdin(page).assert().success();
    let tsv = fs::read_to_string(&features).unwrap();
    let rows: Vec<Vec<&str>> = tsv.lines().map(|line| line.split('\t').collect()).collect();
    let header = &rows[0];
    assert_eq!(&header[..3], ["source", "document", "line"]);
    assert_eq!(header.last(), Some(&"text"));
    assert!(header.contains(&"words") && header.contains(&"rule_drop") && header.contains(&"p"), "{header:?}");
    let lines: Vec<(&str, &str)> = rows[1..].iter().map(|row| (row[2], row[row.len() - 1])).collect();
    assert_eq!(
        lines,
        [
            ("1", "Home"),
            ("3", "Markets rose on Monday as investors cheered the news from the central bank."),
            ("4", "Share")
        ]
    );
    assert!(rows.iter().all(|row| row.len() == header.len()));
    let words = header.iter().position(|&name| name == "words").unwrap();
    assert_eq!(rows[2][words], "13");
    dechrome()
        .args(["--features", "x.tsv", "--no-classifier"])
        .write_stdin(page)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--no-classifier"));
}

#[test]
fn a_model_file_that_is_not_a_model_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    for (content, problem) in [
        ("{", "EOF"),
        (
            r#"{"format": "other", "name": "x", "threshold": 0.5, "words": {"stop": [], "chrome": [], "date": []}, "stages": []}"#,
            "format",
        ),
        (
            r#"{"format": "dechrome-line-model/1", "name": "x", "threshold": 0.5, "words": {"stop": [], "chrome": [], "date": []}, "stages": [{"features": ["no-such-feature"], "bias": 0, "trees": []}]}"#,
            "no-such-feature",
        ),
    ] {
        fs::write(&model, content).unwrap();
        dechrome()
            .arg("--model")
            .arg(&model)
            .write_stdin("text\n")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("model.json").and(predicate::str::contains(problem)));
    }
}

#[test]
fn version_names_the_rules_and_the_model() {
    dechrome().arg("--version").assert().success().stdout(
        predicate::str::starts_with(concat!("dechrome ", env!("CARGO_PKG_VERSION"), "\n"))
            .and(
                predicate::str::is_match(
                    r"\nrules: [0-9]{3} built in \(.*default\.toml.*i18n\.toml.*\), fingerprint [0-9a-f]{16}\n",
                )
                .unwrap(),
            )
            .and(
                predicate::str::is_match(r"\nmodel: dechrome-lines \(built in\), fingerprint [0-9a-f]{16}\n").unwrap(),
            ),
    );
}

#[test]
fn completions_and_man_page_come_from_the_options() {
    for (shell, marker) in [("bash", "complete -F"), ("zsh", "#compdef dechrome"), ("fish", "complete -c dechrome")] {
        dechrome()
            .args(["--completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains(marker).and(predicate::str::contains("keep-mojibake")));
    }
    dechrome().args(["--completions", "tcsh"]).assert().code(2);
    dechrome().arg("--man").assert().success().stdout(
        predicate::str::starts_with(".ie")
            .and(predicate::str::contains(".TH dechrome 1"))
            .and(predicate::str::contains("keep\\-mojibake")),
    );
}
