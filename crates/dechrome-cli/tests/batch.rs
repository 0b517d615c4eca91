//! Directory mode and JSONL mode, through the command line.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

use dechrome_testkit::{clean_default, write};

const PAGE_A: &str = "Accessibility links\n\nBreaking News\n\nMarkets \u{201c}calm\u{201d}  after  vote\nplease wait\n\nThe index rose 2 percent on Monday as traders returned.\n\nAdvertisement\n";
const PAGE_B: &str = "Advertisement\r\nIt\u{2019}s  done, the minister said on Tuesday evening.\r\n";
const PAGE_C: &str = "Share\n\nShare prices fell 3 percent on Monday.\n";

fn dechrome() -> Command {
    Command::cargo_bin("dechrome").unwrap_or_else(|e| panic!("{e}"))
}

/// What stdin mode makes of `input`, running the command.
fn clean_stdin(input: &[u8]) -> Vec<u8> {
    dechrome().write_stdin(input.to_vec()).assert().success().get_output().stdout.clone()
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = dechrome_testkit::repository_root().join("../shared/seeds");
    let mut seeds: Vec<(String, Vec<u8>)> = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
            .collect(),
        Err(_) => Vec::new(),
    };
    seeds.sort();
    seeds
}

/// A small tree: nested folders, a hidden folder and file, seeds when they are there.
fn make_tree(root: &Path) {
    write(&root.join("a.txt"), PAGE_A);
    write(&root.join("sub/b.txt"), PAGE_B);
    write(&root.join("sub/deeper/c.md"), PAGE_C);
    write(&root.join(".hidden/d.txt"), PAGE_A);
    write(&root.join(".e.txt"), PAGE_C);
    // Longer than the first read of a file (8 KiB), so the rest is read after it.
    write(&root.join("long/f.txt"), [PAGE_A, PAGE_B, PAGE_C].concat().repeat(120));
    for (i, (name, bytes)) in seeds().into_iter().enumerate() {
        write(&root.join(format!("seeds/{}/{name}", i % 2)), bytes);
    }
}

/// Every file under `root` by relative path.
fn read_tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(entry.path());
            } else {
                let bytes = if kind.is_file() { fs::read(entry.path()).unwrap() } else { b"<link>".to_vec() };
                files.insert(entry.path().strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn mirror_writes_every_file_at_its_relative_path_as_stdin_mode_would() {
    let tmp = TempDir::new().unwrap();
    let (input, output) = (tmp.path().join("in"), tmp.path().join("out"));
    make_tree(&input);
    dechrome()
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .assert()
        .success()
        .stderr(predicate::str::contains("files cleaned").and(predicate::str::contains("lines dropped: ")));
    let inputs = read_tree(&input);
    let outputs = read_tree(&output);
    assert_eq!(inputs.keys().collect::<Vec<_>>(), outputs.keys().collect::<Vec<_>>(), "hidden files included");
    assert!(outputs.contains_key(Path::new(".hidden/d.txt")));
    for (path, original) in &inputs {
        assert_eq!(outputs[path], clean_default(original), "{}", path.display());
    }
    assert!(inputs[Path::new("long/f.txt")].len() > 3 * 8192);
    for name in ["a.txt", "sub/b.txt", ".e.txt", "long/f.txt"] {
        assert_eq!(outputs[Path::new(name)], clean_stdin(&inputs[Path::new(name)]), "{name} as on stdin");
    }
    let a = String::from_utf8(outputs[Path::new("a.txt")].clone()).unwrap();
    assert!(
        a.contains("The index rose 2 percent") && !a.contains("Advertisement") && !a.contains("please wait"),
        "{a}"
    );
    // No temporary files left behind.
    assert!(!outputs.keys().any(|p| p.to_string_lossy().contains(".dechrome-")));
}

#[test]
fn in_place_with_and_without_backup() {
    let tmp = TempDir::new().unwrap();
    let tree = tmp.path().join("tree");
    make_tree(&tree);
    let before = read_tree(&tree);
    dechrome().arg(&tree).arg("-i.bak").assert().success();
    let after = read_tree(&tree);
    for (path, original) in &before {
        assert_eq!(after[path], clean_default(original), "{}", path.display());
        let mut backup = path.as_os_str().to_owned();
        backup.push(".bak");
        assert_eq!(&after[Path::new(&backup)], original, "backup of {}", path.display());
    }
    assert_eq!(after.len(), before.len() * 2);

    // --in-place=SUFFIX on one file; plain -i keeps no backup (and takes the next path as input).
    write(&tmp.path().join("one.txt"), PAGE_B);
    dechrome().arg("--in-place=.orig").arg(tmp.path().join("one.txt")).assert().success();
    assert_eq!(fs::read(tmp.path().join("one.txt.orig")).unwrap(), PAGE_B.as_bytes());
    write(&tmp.path().join("two.txt"), PAGE_C);
    dechrome().arg("-i").arg(tmp.path().join("two.txt")).assert().success();
    assert_eq!(fs::read_to_string(tmp.path().join("two.txt")).unwrap(), "Share prices fell 3 percent on Monday.\n");
    let names: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
}

#[test]
fn skipped_backups_are_counted_in_the_summary_and_stats_json() {
    let tmp = TempDir::new().unwrap();
    let tree = tmp.path().join("tree");
    make_tree(&tree);
    let files = read_tree(&tree).len();
    let stats = tmp.path().join("stats.json");
    let clean_in_place = || dechrome().arg(&tree).arg("-i.bak").arg("--stats-json").arg(&stats).assert().success();
    let read_stats = || -> serde_json::Value { serde_json::from_slice(&fs::read(&stats).unwrap()).unwrap() };
    // The first run finds no backups and makes one per file.
    clean_in_place().stderr(predicate::str::contains("backup").not());
    let json = read_stats();
    assert_eq!(json["skipped"]["backup"], 0);
    assert_eq!(json["files"], files);

    // The second run skips those backups, counts them, and cleans only the files.
    let summary = format!("{files} files cleaned, {files} skipped (backup {files})");
    clean_in_place().stderr(predicate::str::contains(summary));
    let json = read_stats();
    assert_eq!(json["skipped"]["backup"], files);
    assert_eq!(json["files"], files);
    assert_eq!(read_tree(&tree).len(), files * 2);

    // A backup named on the command line is skipped and counted too; --glob filters first.
    let named = tree.join("a.txt.bak");
    dechrome().arg(&named).arg(tree.join("a.txt")).arg("-i.bak").assert().success().stderr(
        predicate::str::contains("a.txt.bak: skipped")
            .and(predicate::str::contains("1 file cleaned, 1 skipped (backup 1)")),
    );
    dechrome()
        .arg(&tree)
        .arg("-i.bak")
        .arg("--glob")
        .arg("*.txt")
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped").not());
}

/// The `fsync` and `fdatasync` calls of `dechrome ARGS`, traced with strace; `None` when
/// strace cannot run here.
fn traced_syncs(args: &[&std::ffi::OsStr]) -> Option<usize> {
    let tmp = TempDir::new().unwrap();
    let log = tmp.path().join("strace.log");
    let status = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=fsync,fdatasync", "-o"])
        .arg(&log)
        .arg(assert_cmd::cargo::cargo_bin("dechrome"))
        .args(args)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    assert!(status.success(), "dechrome under strace: {status}");
    let log = fs::read_to_string(&log).ok()?;
    Some(log.lines().filter(|line| line.contains("fsync(") || line.contains("fdatasync(")).count())
}

#[test]
fn fsync_flushes_every_output_and_folder_and_changes_nothing_else() {
    let tmp = TempDir::new().unwrap();
    let tree = tmp.path().join("tree");
    make_tree(&tree);
    let before = read_tree(&tree);
    let (plain, synced) = (tmp.path().join("plain"), tmp.path().join("synced"));
    dechrome().arg(&tree).arg("-o").arg(&plain).assert().success();
    dechrome().arg(&tree).arg("-o").arg(&synced).arg("--fsync").assert().success();
    assert_eq!(read_tree(&plain), read_tree(&synced));
    let copy = tmp.path().join("copy");
    dechrome().arg(&tree).arg("-o").arg(&copy).assert().success();
    dechrome().arg(&copy).arg("-i.bak").arg("--fsync").assert().success();
    // Cleaned files are not changed by cleaning again: not rewritten, so not backed up.
    assert_eq!(read_tree(&copy).len(), before.len());
    let single = tmp.path().join("single.txt");
    dechrome().arg(tree.join("a.txt")).arg("-o").arg(&single).arg("--fsync").assert().success();
    assert_eq!(fs::read(&single).unwrap(), clean_default(PAGE_A.as_bytes()));

    // Each file and each folder written is flushed: at least one call per file and per folder
    // of the mirror (more for the folders above it); none without the flag.
    let folders = before.keys().filter_map(|p| p.parent()).collect::<std::collections::BTreeSet<_>>().len();
    let out = tmp.path().join("traced");
    match traced_syncs(&[tree.as_os_str(), "-o".as_ref(), out.as_os_str(), "--fsync".as_ref()]) {
        Some(calls) => {
            assert!(calls >= before.len() + folders, "{calls} calls for {} files in {folders} folders", before.len());
            let again = tmp.path().join("untraced");
            assert_eq!(traced_syncs(&[tree.as_os_str(), "-o".as_ref(), again.as_os_str()]), Some(0));
        }
        None if std::env::var_os("CI").is_some() => panic!("strace is needed to check --fsync"),
        None => eprintln!("strace cannot run here: --fsync checked for its output only"),
    }
}

#[test]
fn permissions_are_kept() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("private.txt"), PAGE_A);
    write(&input.join("script.txt"), PAGE_B);
    fs::set_permissions(input.join("private.txt"), fs::Permissions::from_mode(0o600)).unwrap();
    fs::set_permissions(input.join("script.txt"), fs::Permissions::from_mode(0o751)).unwrap();
    dechrome().arg(&input).arg("-o").arg(tmp.path().join("out")).assert().success();
    assert_eq!(mode(&tmp.path().join("out/private.txt")), 0o600);
    assert_eq!(mode(&tmp.path().join("out/script.txt")), 0o751);
    dechrome().arg(&input).arg("-i").assert().success();
    assert_eq!(mode(&input.join("private.txt")), 0o600);
    assert_eq!(mode(&input.join("script.txt")), 0o751);
}

#[test]
fn refuses_an_output_directory_inside_the_input_tree() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    make_tree(&input);
    let before = read_tree(&input);
    for output in [input.join("cleaned"), input.clone(), input.join("sub")] {
        dechrome()
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is inside the input directory"));
    }
    assert_eq!(read_tree(&input), before, "nothing written");
}

#[test]
fn refuses_to_write_over_an_input_file() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("t");
    write(&dir.join("b/x.txt"), PAGE_A);
    write(&dir.join("b/b/x.txt"), PAGE_B);
    // t/b/b/x.txt would be written to t/b/x.txt, itself an input.
    dechrome()
        .arg(dir.join("b"))
        .arg("-o")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the input file"));
    // A file input mirrored into its own folder.
    dechrome()
        .arg(dir.join("b/x.txt"))
        .arg("-o")
        .arg(dir.join("b/"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the input file"));
    assert_eq!(fs::read(dir.join("b/x.txt")).unwrap(), PAGE_A.as_bytes());
    assert_eq!(fs::read(dir.join("b/b/x.txt")).unwrap(), PAGE_B.as_bytes());
}

#[test]
fn directory_inputs_need_an_output_directory_or_in_place() {
    let tmp = TempDir::new().unwrap();
    make_tree(&tmp.path().join("in"));
    dechrome().arg(tmp.path().join("in")).assert().code(2).stderr(predicate::str::contains("-o OUTDIR"));
    write(&tmp.path().join("file"), "x");
    dechrome()
        .arg(tmp.path().join("in"))
        .arg("-o")
        .arg(tmp.path().join("file"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a directory"));
}

#[test]
fn binary_files_are_skipped_and_counted() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("page.txt"), PAGE_A);
    let mut binary = b"\x89PNG\r\n\x1a\n".to_vec();
    binary.extend_from_slice(&[0; 64]);
    binary.extend_from_slice(b"Advertisement\n");
    write(&input.join("image.png"), &binary);
    let stats = tmp.path().join("stats.json");
    dechrome()
        .arg(&input)
        .arg("-o")
        .arg(tmp.path().join("out"))
        .arg("--stats-json")
        .arg(&stats)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 file cleaned, 1 skipped (binary 1)"));
    assert!(tmp.path().join("out/page.txt").exists());
    assert!(!tmp.path().join("out/image.png").exists());
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&stats).unwrap()).unwrap();
    assert_eq!(json["files"], 1);
    assert_eq!(json["skipped"]["binary"], 1);
    // In place, the binary file is left untouched.
    dechrome().arg(&input).arg("-i").assert().success();
    assert_eq!(fs::read(input.join("image.png")).unwrap(), binary);
}

#[test]
fn output_is_the_same_for_any_number_of_jobs() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    make_tree(&input);
    for i in 0..40 {
        let page = [PAGE_A, PAGE_B, PAGE_C][i % 3];
        write(&input.join(format!("many/{}/{i}.txt", i % 7)), format!("{page}\nParagraph number {i} of the story.\n"));
        write(&input.join(format!("many/{i}.jsonl")), format!("{{\"id\":{i},\"text\":{:?}}}\n", page).repeat(3));
    }
    let mut trees = Vec::new();
    for jobs in ["1", "2", "8"] {
        let output = tmp.path().join(format!("out{jobs}"));
        let stats = tmp.path().join(format!("stats{jobs}.json"));
        dechrome()
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .arg("-j")
            .arg(jobs)
            .arg("--stats-json")
            .arg(&stats)
            .assert()
            .success();
        let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&stats).unwrap()).unwrap();
        json["seconds"] = 0.into();
        json["mb_per_s"] = 0.into();
        trees.push((read_tree(&output), json));
    }
    assert!(trees[0].0.len() > 80);
    assert_eq!(trees[0], trees[1]);
    assert_eq!(trees[0], trees[2]);
}

#[test]
fn a_failing_file_is_reported_and_the_others_are_cleaned() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("good.txt"), PAGE_A);
    write(&input.join("z/also-good.jsonl"), "{\"text\":\"Advertisement\\nKept line.\"}\n");
    write(&input.join("m/broken.jsonl"), "{\"text\":\"fine\"}\n{\"text\": oops}\n");
    std::os::unix::fs::symlink(input.join("no-such-target"), input.join("dangling.txt")).unwrap();
    let output = tmp.path().join("out");
    dechrome().arg(&input).arg("-o").arg(&output).arg("--follow").assert().code(2).stderr(
        predicate::str::contains("m/broken.jsonl: line 2: invalid JSON")
            .and(predicate::str::contains("dangling.txt: "))
            .and(predicate::str::contains("2 files cleaned"))
            .and(predicate::str::contains("2 failed")),
    );
    assert_eq!(
        fs::read_to_string(output.join("good.txt")).unwrap(),
        String::from_utf8(clean_default(PAGE_A.as_bytes())).unwrap()
    );
    assert_eq!(fs::read_to_string(output.join("z/also-good.jsonl")).unwrap(), "{\"text\":\"Kept line.\"}\n");
    assert!(!output.join("m/broken.jsonl").exists(), "no partial output for a failed file");
    assert!(!output.join("dangling.txt").exists());
}

fn mkfifo(path: &Path) {
    let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
}

/// A FIFO with no writer would block a plain open for ever: the run must finish (the timeout
/// makes a hang fail), skip it with a count, and clean the other files.
#[test]
fn fifos_in_the_tree_are_skipped_without_blocking() {
    let tmp = TempDir::new().unwrap();
    let tree = tmp.path().join("tree");
    write(&tree.join("a.txt"), PAGE_A);
    write(&tree.join("sub/b.txt"), PAGE_B);
    mkfifo(&tree.join("sub/pipe.txt"));
    let out = tmp.path().join("out");
    for follow in [false, true] {
        let mut command = dechrome();
        command.arg(&tree).arg("-o").arg(&out).timeout(std::time::Duration::from_secs(60));
        if follow {
            command.arg("-L");
        }
        command
            .assert()
            .success()
            .stderr(predicate::str::contains("2 files cleaned, 1 skipped (not a regular file 1)"));
        assert_eq!(fs::read(out.join("a.txt")).unwrap(), clean_default(PAGE_A.as_bytes()));
        assert_eq!(fs::read(out.join("sub/b.txt")).unwrap(), clean_default(PAGE_B.as_bytes()));
        assert!(!out.join("sub/pipe.txt").exists());
    }
    dechrome()
        .arg(&tree)
        .arg("-i")
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .stderr(predicate::str::contains("2 files cleaned, 1 skipped (not a regular file 1)"));
    assert_eq!(fs::read(tree.join("a.txt")).unwrap(), clean_default(PAGE_A.as_bytes()));
}

#[test]
fn symlinks_are_counted_unless_followed() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("real.txt"), PAGE_C);
    write(&tmp.path().join("elsewhere/outside.txt"), PAGE_B);
    std::os::unix::fs::symlink(tmp.path().join("elsewhere"), input.join("linked-dir")).unwrap();
    std::os::unix::fs::symlink("real.txt", input.join("alias.txt")).unwrap();
    dechrome()
        .arg(&input)
        .arg("-o")
        .arg(tmp.path().join("out1"))
        .assert()
        .success()
        .stderr(predicate::str::contains("1 file cleaned, 2 skipped (symlink 2)"));
    assert_eq!(read_tree(&tmp.path().join("out1")).len(), 1);
    dechrome().arg(&input).arg("-o").arg(tmp.path().join("out2")).arg("-L").assert().success();
    let out2 = read_tree(&tmp.path().join("out2"));
    assert_eq!(out2.len(), 3);
    assert_eq!(out2[Path::new("linked-dir/outside.txt")], clean_default(PAGE_B.as_bytes()));
}

#[test]
fn glob_and_exclude_choose_files() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    make_tree(&input);
    write(&input.join("skip/me.txt"), PAGE_B);
    let output = tmp.path().join("out");
    dechrome()
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .args(["--glob", "*.txt", "--exclude", "skip", "--exclude", "sub/*.txt"])
        .assert()
        .success();
    let names: Vec<String> = read_tree(&output).keys().map(|p| p.to_string_lossy().into_owned()).collect();
    assert!(names.contains(&"a.txt".to_string()) && names.contains(&".hidden/d.txt".to_string()), "{names:?}");
    assert!(!names.iter().any(|n| n.ends_with(".md") || n.starts_with("skip") || n == "sub/b.txt"), "{names:?}");
}

#[test]
fn files_with_an_output_file_are_still_concatenated() {
    let tmp = TempDir::new().unwrap();
    write(&tmp.path().join("a.txt"), PAGE_A);
    write(&tmp.path().join("c.txt"), PAGE_C);
    let out = tmp.path().join("all.txt");
    dechrome().arg(tmp.path().join("a.txt")).arg(tmp.path().join("c.txt")).arg("-o").arg(&out).assert().success();
    let mut expected = clean_default(PAGE_A.as_bytes());
    expected.extend(b"\x0C\n");
    expected.extend(clean_default(PAGE_C.as_bytes()));
    assert_eq!(fs::read(&out).unwrap(), expected);
}

// ---------------------------------------------------------------------------------- JSONL ---

fn records() -> Vec<serde_json::Value> {
    let mut records = vec![
        serde_json::json!({"id": 1, "url": "https://example.org/a", "text": PAGE_A, "meta": {"lang": "en", "score": 0.5}}),
        serde_json::json!({"text": "Ünïcödé \u{1F600} \u{201c}quoted\u{201d} text stays, with CJK 漢字.", "id": 2, "tags": ["x", "ÿ"]}),
        serde_json::json!({"id": 3, "text": PAGE_B, "nested": [1, [2, {"t": null}]]}),
    ];
    for (name, bytes) in seeds() {
        records.push(serde_json::json!({"id": name, "text": String::from_utf8_lossy(&bytes), "n": 1}));
    }
    records
}

fn to_jsonl(records: &[serde_json::Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

/// Checks that every output record is its input record with the text cleaned as stdin mode
/// would, every other field equal and in the same order.
fn assert_round_trip(input: &[serde_json::Value], output: &[u8]) {
    let output = String::from_utf8(output.to_vec()).unwrap();
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), input.len());
    for (record, line) in input.iter().zip(lines) {
        let cleaned: serde_json::Value = serde_json::from_str(line).unwrap();
        let (want, got) = (record.as_object().unwrap(), cleaned.as_object().unwrap());
        let mut in_keys: Vec<&String> = want.keys().collect();
        let mut out_keys: Vec<&String> = got.keys().collect();
        in_keys.sort();
        out_keys.sort();
        assert_eq!(in_keys, out_keys);
        for (key, value) in want {
            if key == "text" {
                let text = value.as_str().unwrap();
                let mut cleaned = String::from_utf8(clean_default(text.as_bytes())).unwrap();
                // A field without a final line end gets none.
                if !text.ends_with('\n') {
                    cleaned.truncate(cleaned.trim_end_matches('\n').len());
                }
                assert_eq!(got[key], serde_json::Value::String(cleaned));
            } else {
                assert_eq!(&got[key], value, "{key}");
            }
        }
        // Field order: as in the input line.
        let input_line = record.to_string();
        let order = |line: &str, keys: &[&String]| {
            let mut positions: Vec<(usize, String)> =
                keys.iter().map(|k| (line.find(&format!("\"{k}\":")).unwrap(), k.to_string())).collect();
            positions.sort();
            positions.into_iter().map(|(_, k)| k).collect::<Vec<_>>()
        };
        assert_eq!(order(line, &in_keys), order(&input_line, &in_keys));
    }
}

#[test]
fn jsonl_round_trip_on_stdin_and_files() {
    let records = records();
    let input = to_jsonl(&records);
    // Explicit format on stdin.
    let out = dechrome()
        .args(["--format", "jsonl"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_round_trip(&records, &out);
    // Other fields byte for byte: the raw text of "meta" and "nested" is unchanged.
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.contains("\"meta\":{\"lang\":\"en\",\"score\":0.5}"));
    // Automatic for .jsonl files, in stream and directory mode.
    let tmp = TempDir::new().unwrap();
    write(&tmp.path().join("in/docs.jsonl"), &input);
    dechrome().arg(tmp.path().join("in/docs.jsonl")).assert().success().stdout(out.clone());
    dechrome().arg(tmp.path().join("in")).arg("-o").arg(tmp.path().join("out")).assert().success();
    assert_eq!(fs::read(tmp.path().join("out/docs.jsonl")).unwrap(), out);
    // A .txt file holding JSON is text unless asked.
    write(&tmp.path().join("docs.txt"), &input);
    let as_text = dechrome().arg(tmp.path().join("docs.txt")).assert().success().get_output().stdout.clone();
    assert_ne!(as_text, out);
}

#[test]
fn jsonl_text_key_picks_the_field() {
    let input = "{\"text\":\"Advertisement\",\"body\":\"Advertisement\\nBody stays.\"}\n";
    dechrome()
        .args(["--format", "jsonl", "--text-key", "body"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"text\":\"Advertisement\",\"body\":\"Body stays.\"}\n");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn gzip_and_zstd_round_trips() {
    let records = records();
    let plain = to_jsonl(&records);
    let expected = dechrome()
        .args(["--format", "jsonl"])
        .write_stdin(plain.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("a.jsonl.gz"), gzip(plain.as_bytes()));
    write(&input.join("b.json.gz"), gzip(plain.as_bytes()));
    write(&input.join("c.jsonl.zst"), zstd::encode_all(plain.as_bytes(), 3).unwrap());
    // Two gzip members, as `cat a.gz b.gz` makes.
    let mut two = gzip(&plain.as_bytes()[..plain.find('\n').unwrap() + 1]);
    two.extend(gzip(&plain.as_bytes()[plain.find('\n').unwrap() + 1..]));
    write(&input.join("d.jsonl.gz"), two);
    let output = tmp.path().join("out");
    dechrome().arg(&input).arg("-o").arg(&output).assert().success();
    for name in ["a.jsonl.gz", "b.json.gz", "d.jsonl.gz"] {
        let bytes = fs::read(output.join(name)).unwrap();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "{name} is gzip");
        assert_eq!(gunzip(&bytes), expected, "{name}");
    }
    let bytes = fs::read(output.join("c.jsonl.zst")).unwrap();
    assert_eq!(&bytes[..4], &[0x28, 0xb5, 0x2f, 0xfd]);
    assert_eq!(zstd::decode_all(&bytes[..]).unwrap(), expected);
    // On stdin: compressed in, compressed out.
    let out = dechrome()
        .args(["--format", "jsonl"])
        .write_stdin(gzip(plain.as_bytes()))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(gunzip(&out), expected);
    // In place keeps the compression too.
    dechrome().arg(input.join("c.jsonl.zst")).arg("-i").assert().success();
    assert_eq!(zstd::decode_all(&fs::read(input.join("c.jsonl.zst")).unwrap()[..]).unwrap(), expected);
}

#[test]
fn malformed_records_stop_or_are_set_aside() {
    let good1 = "{\"id\":1,\"text\":\"Advertisement\\nFirst body line.\"}";
    let good2 = "{\"id\":2,\"text\":\"Second body line.\"}";
    let input = format!("{good1}\n{{\"id\":\"broken\",\"text\":\n[1,2]\n{{\"id\":4}}\n{good2}\n");
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("mixed.jsonl");
    write(&file, &input);
    // Without --skip-bad-records: an error naming file and line, exit 2, no output file.
    let out = tmp.path().join("clean.jsonl");
    dechrome()
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}: line 2: invalid JSON", file.display())));
    assert!(!out.exists());
    // With it: the good ones are cleaned, the bad ones copied, and counted.
    let bad = tmp.path().join("bad.jsonl");
    let stats = tmp.path().join("stats.json");
    dechrome()
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .arg("--skip-bad-records")
        .arg("--bad-records")
        .arg(&bad)
        .arg("--stats-json")
        .arg(&stats)
        .assert()
        .success()
        .stderr(predicate::str::contains("3 bad records"));
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        "{\"id\":1,\"text\":\"First body line.\"}\n{\"id\":2,\"text\":\"Second body line.\"}\n"
    );
    assert_eq!(fs::read_to_string(&bad).unwrap(), "{\"id\":\"broken\",\"text\":\n[1,2]\n{\"id\":4}\n");
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&stats).unwrap()).unwrap();
    assert_eq!(json["jsonl"]["bad"], 3);
    assert_eq!(json["jsonl"]["records"], 2);
    // Default place for the rejects: beside the output; in directory mode beside each output.
    dechrome().arg(&file).arg("-o").arg(&out).arg("--skip-bad-records").assert().success();
    assert_eq!(
        fs::read_to_string(tmp.path().join("clean.jsonl.bad-records")).unwrap(),
        fs::read_to_string(&bad).unwrap()
    );
    dechrome().arg(&file).arg("-o").arg(tmp.path().join("dir/")).arg("--skip-bad-records").assert().success();
    assert!(tmp.path().join("dir/mixed.jsonl.bad-records").exists());
    // To stdout, the rejects need a file name.
    dechrome().arg(&file).arg("--skip-bad-records").assert().code(2).stderr(predicate::str::contains("--bad-records"));
}

#[test]
fn drop_empty_removes_records_with_nothing_left() {
    let input = "{\"id\":1,\"text\":\"Advertisement\\nplease wait\"}\n{\"id\":2,\"text\":\"Body stays.\"}\n{\"id\":3,\"text\":\"\"}\n";
    dechrome()
        .args(["--format", "jsonl"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"id\":1,\"text\":\"\"}\n{\"id\":2,\"text\":\"Body stays.\"}\n{\"id\":3,\"text\":\"\"}\n");
    let tmp = TempDir::new().unwrap();
    let stats = tmp.path().join("s.json");
    dechrome()
        .args(["--format", "jsonl", "--drop-empty", "--stats-json"])
        .arg(&stats)
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"id\":2,\"text\":\"Body stays.\"}\n");
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&stats).unwrap()).unwrap();
    assert_eq!(json["jsonl"]["dropped_empty"], 2);
    assert_eq!(json["jsonl"]["written"], 1);
}

#[test]
fn stats_json_counts_categories() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("a.txt"), PAGE_A);
    write(&input.join("c.txt"), PAGE_C);
    let stats = tmp.path().join("stats.json");
    dechrome().arg(&input).arg("-o").arg(tmp.path().join("out")).arg("--stats-json").arg(&stats).assert().success();
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&stats).unwrap()).unwrap();
    assert_eq!(json["files"], 2);
    assert_eq!(json["bytes_in"], (PAGE_A.len() + PAGE_C.len()) as u64);
    let categories: Vec<&str> =
        json["dropped_by_category"].as_array().unwrap().iter().map(|c| c["category"].as_str().unwrap()).collect();
    assert!(categories.contains(&"ads") && categories.contains(&"share"), "{categories:?}");
    assert_eq!(
        json["lines_dropped"].as_u64().unwrap(),
        json["dropped_by_rule"].as_array().unwrap().iter().map(|r| r["lines"].as_u64().unwrap()).sum::<u64>()
    );
}
