//! Directory mode under faults: a run killed halfway, temporary files left behind, files and
//! folders that cannot be read or written, folders that vanish, symbolic link loops, backups of
//! an earlier run; and the help text.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;
use tempfile::TempDir;

use dechrome_testkit::{clean_default, write};

const PAGE_A: &str = "Accessibility links\n\nBreaking News\n\nMarkets \u{201c}calm\u{201d}  after  vote\nplease wait\n\nThe index rose 2 percent on Monday as traders returned.\n\nAdvertisement\n";
const PAGE_B: &str = "Advertisement\r\nIt\u{2019}s  done, the minister said on Tuesday evening.\r\n";

/// The user and group `nobody`, whom file permissions apply to.
const NOBODY: u32 = 65534;

fn dechrome() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dechrome"))
}

/// A scratch folder, and its real path (error messages name real paths).
fn scratch() -> (TempDir, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let root = fs::canonicalize(tmp.path()).unwrap();
    (tmp, root)
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// True for the names dechrome gives its temporary files: `.dechrome-`, 10 letters or digits,
/// `.tmp` (as the README documents).
fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(".dechrome-")
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(|random| random.len() == 10 && random.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Every entry under `root` that is not a directory (links not followed), by relative path.
fn list_tree(root: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                found.insert(entry.path().strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    found
}

fn temp_files_in(root: &Path) -> Vec<PathBuf> {
    list_tree(root)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| is_temp_name(&n.to_string_lossy())))
        .map(|p| root.join(p))
        .collect()
}

fn paths(names: &[&str]) -> BTreeSet<PathBuf> {
    names.iter().map(PathBuf::from).collect()
}

fn make_stale(path: &Path) {
    let a_day_ago = SystemTime::now() - Duration::from_secs(24 * 60 * 60);
    File::options().write(true).open(path).unwrap().set_modified(a_day_ago).unwrap();
}

/// A finished run: exit code and stderr.
struct Run {
    code: Option<i32>,
    stderr: String,
}

impl Run {
    fn of(command: &mut Command) -> Run {
        let output = command.output().unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        Run::from_output(output)
    }

    fn from_output(output: Output) -> Run {
        Run { code: output.status.code(), stderr: String::from_utf8_lossy(&output.stderr).into_owned() }
    }

    /// Checks the exit code, and that stderr holds each of `parts`.
    fn expect(&self, code: i32, parts: &[&str]) {
        assert_eq!(self.code, Some(code), "exit code; stderr:\n{}", self.stderr);
        for part in parts {
            assert!(self.stderr.contains(part), "stderr lacks {part:?}:\n{}", self.stderr);
        }
    }

    /// Checks that some single line of stderr holds all of `parts` (a path and its problem).
    fn expect_line(&self, parts: &[&str]) {
        assert!(
            self.stderr.lines().any(|line| parts.iter().all(|part| line.contains(part))),
            "no stderr line holds all of {parts:?}:\n{}",
            self.stderr
        );
    }
}

/// Runs dechrome as a user that file permissions apply to. Root reads and writes whatever the
/// permissions say, so as root the command runs as `nobody`, and the test tree is handed over
/// to that user first.
struct Unprivileged {
    switch_to: Option<u32>,
}

impl Unprivileged {
    /// Call once the tree under `root` is built, before taking permissions away.
    fn owning(root: &Path) -> Self {
        // A new file belongs to the effective user (std has no geteuid).
        let probe = root.join(".owner-probe");
        fs::write(&probe, b"").unwrap();
        let is_root = fs::metadata(&probe).unwrap().uid() == 0;
        fs::remove_file(&probe).unwrap();
        if !is_root {
            return Self { switch_to: None };
        }
        for step in Path::new(env!("CARGO_BIN_EXE_dechrome")).ancestors().filter(|p| !p.as_os_str().is_empty()) {
            let mode = fs::metadata(step).unwrap().permissions().mode();
            assert!(mode & 0o001 != 0, "{} is closed to other users: dechrome cannot run as nobody", step.display());
        }
        hand_over(root, NOBODY);
        Self { switch_to: Some(NOBODY) }
    }

    fn dechrome(&self) -> Command {
        let mut command = dechrome();
        // As root, std also drops the supplementary groups.
        if let Some(id) = self.switch_to {
            command.uid(id).gid(id);
        }
        command
    }
}

fn hand_over(path: &Path, id: u32) {
    std::os::unix::fs::lchown(path, Some(id), Some(id)).unwrap();
    if fs::symlink_metadata(path).unwrap().is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            hand_over(&entry.unwrap().path(), id);
        }
    }
}

// ----------------------------------------------------------------------- killed halfway ---

/// Writes `files` distinct pages in `folders` folders, one in twenty of them over 100 KiB
/// (large enough to be written out in several pieces); returns them by relative path.
fn make_pages(root: &Path, files: usize, folders: usize) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut pages = BTreeMap::new();
    for i in 0..files {
        let mut page =
            format!("Accessibility links\n\nBreaking News\n\nStory {i}: markets \u{201c}calm\u{201d}\nplease wait\n\n");
        let paragraphs = if i % 20 == 0 { 1200 } else { 25 };
        for j in 0..paragraphs {
            page.push_str(&format!(
                "Paragraph {j} of story {i}: the index rose {j} percent  as traders returned.\n\nAdvertisement\n\n"
            ));
        }
        let relative = PathBuf::from(format!("f{:02}/page-{i:05}.txt", i % folders));
        write(&root.join(&relative), &page);
        pages.insert(relative, page.into_bytes());
    }
    pages
}

/// What tells that a file was written or replaced; None when it is not there.
fn stamp(path: &Path) -> Option<(u64, u64, SystemTime)> {
    let meta = fs::metadata(path).ok()?;
    Some((meta.ino(), meta.len(), meta.modified().ok()?))
}

#[test]
fn a_killed_in_place_run_leaves_each_file_original_or_cleaned() {
    const FOLDERS: usize = 40;
    for attempt in 1..=4 {
        let (_tmp, root) = scratch();
        let tree = root.join("tree");
        let originals = make_pages(&tree, 600 * attempt, FOLDERS);
        let expected: BTreeMap<&PathBuf, Vec<u8>> =
            originals.par_iter().map(|(path, bytes)| (path, clean_default(bytes))).collect();
        let files: Vec<PathBuf> = originals.keys().map(|path| tree.join(path)).collect();
        let untouched: Vec<_> = files.iter().map(|file| stamp(file)).collect();

        let mut child = dechrome().arg(&tree).arg("-i").stderr(Stdio::null()).spawn().unwrap();
        // Kill once about half of the files have been written.
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(60) {
            let written = files.iter().zip(&untouched).filter(|(file, before)| stamp(file) != **before).count();
            if written >= files.len() / 2 {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // It may have finished already; its status says.
        let _ = child.kill();
        let status = child.wait().unwrap();

        let mut cleaned = 0;
        for (path, original) in &originals {
            let now = fs::read(tree.join(path)).unwrap();
            if now != *original {
                assert!(now == expected[path], "{} is neither the original nor its cleaned version", path.display());
                cleaned += 1;
            }
        }
        let temp_files = temp_files_in(&tree);
        let mut listed = list_tree(&tree);
        listed.retain(|p| !temp_files.contains(&tree.join(p)));
        assert_eq!(listed, originals.keys().cloned().collect(), "only the files and temporary files");
        if status.signal() != Some(9) || cleaned == 0 || cleaned == originals.len() {
            // Finished, or killed before or after all the work: nothing was cut halfway.
            continue;
        }

        // A later run cleans the rest (and leaves the cleaned files as they are); it removes the
        // temporary files once they are stale.
        for temp in &temp_files {
            make_stale(temp);
        }
        let run = Run::of(dechrome().arg(&tree).arg("-i"));
        run.expect(0, &[]);
        if !temp_files.is_empty() {
            run.expect(0, &[&format!("removed {} stale temporary file", temp_files.len())]);
        }
        assert_eq!(list_tree(&tree), originals.keys().cloned().collect(), "no temporary files left");
        for (path, want) in &expected {
            assert!(fs::read(tree.join(path)).unwrap() == *want, "{} after the second run", path.display());
        }
        return;
    }
    panic!("no run was killed halfway: each finished, or had written nothing or everything, before the kill");
}

// ---------------------------------------------------------------------- temporary files ---

#[test]
fn normal_runs_leave_no_temporary_files() {
    let (_tmp, root) = scratch();
    let input = root.join("in");
    write(&input.join("a.txt"), PAGE_A);
    write(&input.join("sub/b.txt"), PAGE_B);
    write(&input.join("sub/docs.jsonl"), "{\"text\":\"Advertisement\\nKept.\"}\n");
    // Fails after its output was started: the temporary file must go too.
    write(&input.join("sub/broken.jsonl"), "{\"text\":\"fine\"}\n{\"text\": oops}\n");
    let files = paths(&["a.txt", "sub/b.txt", "sub/docs.jsonl", "sub/broken.jsonl"]);

    let output = root.join("out");
    Run::of(dechrome().arg(&input).arg("-o").arg(&output)).expect(2, &["broken.jsonl: line 2"]);
    assert_eq!(list_tree(&output), paths(&["a.txt", "sub/b.txt", "sub/docs.jsonl"]));
    assert_eq!(list_tree(&input), files);

    Run::of(dechrome().arg(&input).arg("-i.bak")).expect(2, &["broken.jsonl: line 2"]);
    let mut with_backups = files.clone();
    with_backups.extend(paths(&["a.txt.bak", "sub/b.txt.bak", "sub/docs.jsonl.bak"]));
    assert_eq!(list_tree(&input), with_backups);

    fs::remove_file(input.join("sub/broken.jsonl")).unwrap();
    Run::of(dechrome().arg(&input).arg("-i")).expect(0, &[]);
    with_backups.remove(Path::new("sub/broken.jsonl"));
    assert_eq!(list_tree(&input), with_backups);

    // One file to one output file.
    Run::of(dechrome().arg(input.join("a.txt")).arg("-o").arg(root.join("single.txt"))).expect(0, &[]);
    let top: BTreeSet<_> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(top, ["in", "out", "single.txt"].iter().map(Into::into).collect());
}

#[test]
fn leftover_temporary_files_are_not_inputs_and_stale_ones_are_removed() {
    let (_tmp, root) = scratch();
    let input = root.join("in");
    write(&input.join("a.txt"), PAGE_A);
    write(&input.join("sub/b.txt"), PAGE_B);
    // Only the exact pattern is a temporary file; this one is the user's.
    write(&input.join(".dechrome-notes.txt"), PAGE_A);
    let stale_in = input.join(".dechrome-Ab3dE6gH9j.tmp");
    let fresh_in = input.join("sub/.dechrome-0123456789.tmp");
    write(&stale_in, "Advertisement\nhalf a cleaned pa");
    write(&fresh_in, "Advertisement\nbeing written by a run still going on");
    make_stale(&stale_in);
    let output = root.join("out");
    let stale_out = output.join("sub/.dechrome-ZZZZZZZZZZ.tmp");
    let fresh_out = output.join(".dechrome-aaaaaaaaaa.tmp");
    write(&stale_out, "Advertisement\n");
    write(&fresh_out, "Advertisement\n");
    make_stale(&stale_out);
    // A link named like a temporary file is not removed, whatever its age.
    std::os::unix::fs::symlink("a.txt", input.join(".dechrome-LinkLinkLi.tmp")).unwrap();

    // Mirror: temporary files in the input tree are neither cleaned nor mirrored, nor removed
    // (the input tree is only read); the stale one in the output folders is removed.
    Run::of(dechrome().arg(&input).arg("-o").arg(&output))
        .expect(0, &["3 files cleaned", "removed 1 stale temporary file left by an interrupted run"]);
    assert_eq!(list_tree(&output), paths(&["a.txt", "sub/b.txt", ".dechrome-notes.txt", ".dechrome-aaaaaaaaaa.tmp"]));
    assert_eq!(fs::read(output.join(".dechrome-notes.txt")).unwrap(), clean_default(PAGE_A.as_bytes()));
    assert_eq!(fs::read(&fresh_out).unwrap(), b"Advertisement\n");
    assert!(stale_in.exists());

    // In place: the stale one in the walked folders is removed, the fresh one left as it was.
    Run::of(dechrome().arg(&input).arg("-i"))
        .expect(0, &["3 files cleaned", "removed 1 stale temporary file left by an interrupted run"]);
    assert_eq!(
        list_tree(&input),
        paths(&[
            "a.txt",
            "sub/b.txt",
            ".dechrome-notes.txt",
            "sub/.dechrome-0123456789.tmp",
            ".dechrome-LinkLinkLi.tmp"
        ])
    );
    assert_eq!(fs::read(&fresh_in).unwrap(), b"Advertisement\nbeing written by a run still going on");
    assert_eq!(fs::read(input.join("a.txt")).unwrap(), clean_default(PAGE_A.as_bytes()));
}

// ------------------------------------------------------------------ unreadable, unwritable ---

#[test]
fn unreadable_files_and_folders_are_reported_and_the_others_cleaned() {
    let (_tmp, root) = scratch();
    let input = root.join("in");
    write(&input.join("a.txt"), PAGE_A);
    write(&input.join("secret.txt"), PAGE_B);
    write(&input.join("locked/c.txt"), PAGE_A);
    write(&input.join("z/d.txt"), PAGE_B);
    let user = Unprivileged::owning(&root);
    set_mode(&input.join("secret.txt"), 0o000);
    set_mode(&input.join("locked"), 0o000);
    let secret = input.join("secret.txt").display().to_string();
    let locked = input.join("locked").display().to_string();

    let output = root.join("out");
    let run = Run::of(user.dechrome().arg(&input).arg("-o").arg(&output));
    run.expect(2, &["2 files cleaned", "2 failed"]);
    run.expect_line(&[&secret, "Permission denied"]);
    run.expect_line(&[&locked, "Permission denied"]);
    assert_eq!(list_tree(&output), paths(&["a.txt", "z/d.txt"]));
    assert_eq!(fs::read(output.join("z/d.txt")).unwrap(), clean_default(PAGE_B.as_bytes()));

    let run = Run::of(user.dechrome().arg(&input).arg("-i"));
    run.expect(2, &["2 files cleaned", "2 failed"]);
    run.expect_line(&[&secret, "Permission denied"]);
    set_mode(&input.join("secret.txt"), 0o644);
    set_mode(&input.join("locked"), 0o755);
    assert_eq!(fs::read(input.join("a.txt")).unwrap(), clean_default(PAGE_A.as_bytes()));
    assert_eq!(fs::read(input.join("z/d.txt")).unwrap(), clean_default(PAGE_B.as_bytes()));
    assert_eq!(fs::read(input.join("secret.txt")).unwrap(), PAGE_B.as_bytes());
    assert_eq!(fs::read(input.join("locked/c.txt")).unwrap(), PAGE_A.as_bytes());
}

#[test]
fn output_folders_without_write_access_are_reported_and_the_others_written() {
    let (_tmp, root) = scratch();
    let input = root.join("in");
    let output = root.join("out");
    write(&input.join("a.txt"), PAGE_A);
    write(&input.join("ro/b.txt"), PAGE_B);
    write(&input.join("locked/deep/c.txt"), PAGE_A);
    write(&input.join("z/d.txt"), PAGE_B);
    fs::create_dir_all(output.join("ro")).unwrap();
    fs::create_dir_all(output.join("locked")).unwrap();
    let user = Unprivileged::owning(&root);
    set_mode(&output.join("ro"), 0o555);
    set_mode(&output.join("locked"), 0o000);

    let run = Run::of(user.dechrome().arg(&input).arg("-o").arg(&output));
    run.expect(2, &["2 files cleaned", "2 failed"]);
    run.expect_line(&[&output.join("ro/b.txt").display().to_string(), "Permission denied"]);
    run.expect_line(&[&output.join("locked/deep/c.txt").display().to_string(), "Permission denied"]);
    set_mode(&output.join("locked"), 0o755);
    assert_eq!(list_tree(&output), paths(&["a.txt", "z/d.txt"]));
    assert_eq!(fs::read(output.join("a.txt")).unwrap(), clean_default(PAGE_A.as_bytes()));

    // In place, in a folder that cannot be written: the file stays as it was.
    set_mode(&input.join("ro"), 0o555);
    let run = Run::of(user.dechrome().arg(&input).arg("-i"));
    run.expect(2, &["3 files cleaned", "1 failed"]);
    run.expect_line(&[&input.join("ro/b.txt").display().to_string(), "Permission denied"]);
    assert_eq!(fs::read(input.join("ro/b.txt")).unwrap(), PAGE_B.as_bytes());
    assert_eq!(fs::read(input.join("z/d.txt")).unwrap(), clean_default(PAGE_B.as_bytes()));
    set_mode(&input.join("ro"), 0o755);
}

// ------------------------------------------------------------------------ vanishing folders ---

#[test]
fn folders_removed_during_the_run_are_reported_and_the_others_cleaned() {
    const FOLDERS: usize = 1500;
    let want = clean_default(PAGE_A.as_bytes());
    let mut reported_by_the_walk = false;
    for _attempt in 0..6 {
        let (_tmp, root) = scratch();
        let input = root.join("in");
        let output = root.join("out");
        let names: Vec<String> = (0..FOLDERS).map(|i| format!("d{i:04}")).collect();
        for name in &names {
            write(&input.join(name).join("page.txt"), PAGE_A);
        }
        // Every other folder of the upper half is removed, last first, while the run goes on:
        // some before the walk lists them, some between the listing and the walk reaching them,
        // some before their file is opened, some after. The folders in between must still be
        // cleaned.
        let finished = AtomicBool::new(false);
        let (output_of_run, removed) = std::thread::scope(|scope| {
            let child = dechrome().arg(&input).arg("-o").arg(&output).stderr(Stdio::piped()).spawn().unwrap();
            let remover = scope.spawn(|| {
                let mut removed = BTreeSet::new();
                for name in names[FOLDERS / 2..].iter().rev().step_by(2) {
                    if finished.load(Ordering::Relaxed) {
                        break;
                    }
                    fs::remove_dir_all(input.join(name)).unwrap();
                    removed.insert(name.clone());
                }
                removed
            });
            let output_of_run = child.wait_with_output().unwrap();
            finished.store(true, Ordering::Relaxed);
            (output_of_run, remover.join().unwrap())
        });
        let run = Run::from_output(output_of_run);

        let errors: Vec<&str> = run.stderr.lines().filter(|l| !l.contains(" cleaned")).collect();
        for line in &errors {
            let folder = line.split("/in/").nth(1).and_then(|rest| rest.split(['/', ':']).next()).unwrap_or_default();
            assert!(removed.contains(folder), "an error about a folder still there: {line}\n{}", run.stderr);
        }
        run.expect(if errors.is_empty() { 0 } else { 2 }, &[]);
        if !errors.is_empty() {
            run.expect(2, &[&format!("{} failed", errors.len())]);
        }
        for name in &names {
            match fs::read(output.join(name).join("page.txt")) {
                Ok(bytes) => assert!(bytes == want, "{name}: a partial output"),
                Err(_) => assert!(removed.contains(name), "{name} was there and is not cleaned:\n{}", run.stderr),
            }
        }
        // A walk error names the folder; an error when opening names the file.
        reported_by_the_walk |= errors.iter().any(|line| !line.contains("page.txt"));
        if reported_by_the_walk && errors.iter().any(|line| line.contains("page.txt: cannot open")) {
            return;
        }
    }
    panic!("no attempt saw a folder vanish both during the walk and after it (walk: {reported_by_the_walk})");
}

// ---------------------------------------------------------------------- symbolic link loops ---

#[test]
fn symbolic_link_loops_are_reported_when_followed_and_skipped_otherwise() {
    let (_tmp, root) = scratch();
    let input = root.join("in");
    write(&input.join("a.txt"), PAGE_A);
    write(&input.join("sub/b.txt"), PAGE_B);
    std::os::unix::fs::symlink("..", input.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("self.txt", input.join("self.txt")).unwrap();
    std::os::unix::fs::symlink("pong.txt", input.join("ping.txt")).unwrap();
    std::os::unix::fs::symlink("ping.txt", input.join("pong.txt")).unwrap();
    let at = |name: &str| input.join(name).display().to_string();

    // Not followed: links are skipped and counted, which is not an error.
    let output = root.join("plain");
    Run::of(dechrome().arg(&input).arg("-o").arg(&output)).expect(0, &["2 files cleaned, 4 skipped (symlink 4)"]);
    assert_eq!(list_tree(&output), paths(&["a.txt", "sub/b.txt"]));

    // Followed: each loop is an error naming the link.
    let output = root.join("followed");
    let run = Run::of(dechrome().arg(&input).arg("-o").arg(&output).arg("-L"));
    run.expect(2, &["2 files cleaned", "4 failed"]);
    run.expect_line(&[&at("sub/up"), "loop"]);
    for name in ["self.txt", "ping.txt", "pong.txt"] {
        run.expect_line(&[&at(name), "Too many levels of symbolic links"]);
    }
    assert_eq!(list_tree(&output), paths(&["a.txt", "sub/b.txt"]));
    assert_eq!(fs::read(output.join("sub/b.txt")).unwrap(), clean_default(PAGE_B.as_bytes()));

    // A loop named on the command line is read through, so it is an error even without -L.
    let run = Run::of(dechrome().arg(input.join("self.txt")).arg(input.join("a.txt")).arg("-i"));
    run.expect(2, &["1 file cleaned", "1 failed"]);
    run.expect_line(&[&at("self.txt"), "Too many levels of symbolic links"]);
    assert_eq!(fs::read(input.join("a.txt")).unwrap(), clean_default(PAGE_A.as_bytes()));

    // In place, followed: the same errors, the files cleaned, the links left alone.
    let run = Run::of(dechrome().arg(&input).arg("-i").arg("-L"));
    run.expect(2, &["2 files cleaned", "4 failed"]);
    run.expect_line(&[&at("sub/up"), "loop"]);
    assert_eq!(fs::read(input.join("sub/b.txt")).unwrap(), clean_default(PAGE_B.as_bytes()));
    assert_eq!(fs::read_link(input.join("ping.txt")).unwrap(), Path::new("pong.txt"));
}

// -------------------------------------------------------------------------------- backups ---

#[test]
fn in_place_with_a_suffix_skips_the_backups_of_an_earlier_run() {
    let (_tmp, root) = scratch();
    let tree = root.join("tree");
    write(&tree.join("a.txt"), PAGE_A);
    write(&tree.join("sub/b.txt"), PAGE_B);
    // A backup whose file is gone: still a backup, never cleaned.
    write(&tree.join("orphan.txt.bak"), PAGE_A);

    Run::of(dechrome().arg(&tree).arg("-i.bak")).expect(0, &["2 files cleaned"]);
    let after_first = paths(&["a.txt", "a.txt.bak", "sub/b.txt", "sub/b.txt.bak", "orphan.txt.bak"]);
    assert_eq!(list_tree(&tree), after_first);
    assert_eq!(fs::read(tree.join("a.txt.bak")).unwrap(), PAGE_A.as_bytes());

    // A second run (after a kill, or at the same time) keeps the first originals.
    let mut edited = clean_default(PAGE_A.as_bytes());
    edited.extend_from_slice(b"\nAdvertisement\nA paragraph added since.\n");
    fs::write(tree.join("a.txt"), &edited).unwrap();
    let run = Run::of(dechrome().arg(&tree).arg("-i.bak"));
    run.expect(0, &["2 files cleaned"]);
    run.expect_line(&[&tree.join("a.txt.bak").display().to_string(), "backup of an earlier run is not replaced"]);
    assert_eq!(list_tree(&tree), after_first, "no backups of backups");
    assert_eq!(fs::read(tree.join("a.txt")).unwrap(), clean_default(&edited));
    assert_eq!(fs::read(tree.join("a.txt.bak")).unwrap(), PAGE_A.as_bytes(), "the first original is kept");
    assert_eq!(fs::read(tree.join("sub/b.txt.bak")).unwrap(), PAGE_B.as_bytes());
    assert_eq!(fs::read(tree.join("orphan.txt.bak")).unwrap(), PAGE_A.as_bytes());

    // Named on the command line: skipped, and said so.
    Run::of(dechrome().arg(tree.join("orphan.txt.bak")).arg("--in-place=.bak"))
        .expect(0, &["orphan.txt.bak: skipped: its name ends in the backup suffix"]);
    assert_eq!(fs::read(tree.join("orphan.txt.bak")).unwrap(), PAGE_A.as_bytes());
    // Without a suffix there are no backups: every file is an input.
    Run::of(dechrome().arg(&tree).arg("-i")).expect(0, &["5 files cleaned"]);
    assert_eq!(fs::read(tree.join("orphan.txt.bak")).unwrap(), clean_default(PAGE_A.as_bytes()));
}

#[test]
fn in_place_runs_do_not_clean_their_own_bad_records() {
    let (_tmp, root) = scratch();
    let tree = root.join("tree");
    write(&tree.join("pages.jsonl"), "{\"text\":\"Kept prose.\"}\nAdvertisement\n");
    Run::of(dechrome().arg(&tree).arg("-i").arg("--skip-bad-records")).expect(0, &["1 file cleaned"]);
    let bad_records = tree.join("pages.jsonl.bad-records");
    assert_eq!(fs::read(&bad_records).unwrap(), b"Advertisement\n");
    // Read as text, the bad record would be dropped as an advertisement.
    Run::of(dechrome().arg(&tree).arg("-i")).expect(0, &["1 file cleaned, 1 skipped (backup 1)"]);
    assert_eq!(fs::read(&bad_records).unwrap(), b"Advertisement\n");
}

// ------------------------------------------------------------------- changes during a run ---

/// A run held at the points where `DECHROME_PAUSE_FIFO` stops it, so that the test can change
/// files at that moment.
struct Paused {
    fifo: PathBuf,
    child: std::process::Child,
}

impl Paused {
    fn start(command: &mut Command, scratch: &Path) -> Self {
        let fifo = scratch.join("pause.fifo");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let child = command.env("DECHROME_PAUSE_FIFO", &fifo).stderr(Stdio::piped()).spawn().unwrap();
        Self { fifo, child }
    }

    /// Waits for the run to stop, and returns where: the point and the path.
    fn reached(&mut self) -> String {
        let (sender, receiver) = std::sync::mpsc::channel();
        let fifo = self.fifo.clone();
        std::thread::spawn(move || sender.send(fs::read_to_string(fifo).unwrap()));
        match receiver.recv_timeout(Duration::from_secs(60)) {
            Ok(point) => point.trim_end().to_string(),
            Err(_) => {
                let _ = self.child.kill();
                panic!("the run did not stop at a pause point");
            }
        }
    }

    fn resume(&self) {
        fs::write(&self.fifo, "go").unwrap();
    }

    /// Lets the run go on to its end, through any further points.
    fn finish(self) -> Run {
        let fifo = self.fifo.clone();
        // Left waiting for a run that has ended; it goes with the test process.
        std::thread::spawn(move || while fs::read(&fifo).is_ok() && fs::write(&fifo, "go").is_ok() {});
        Run::from_output(self.child.wait_with_output().unwrap())
    }
}

#[test]
fn a_folder_swapped_for_a_link_after_the_walk_is_not_written_through() {
    let (_tmp, root) = scratch();
    let tree = root.join("tree");
    let outside = root.join("outside");
    write(&tree.join("sub/page.txt"), PAGE_A);
    write(&outside.join("page.txt"), PAGE_A);
    let mut run = Paused::start(dechrome().arg(&tree).arg("-i").arg("-j1"), &root);
    assert_eq!(run.reached(), format!("open {}", tree.join("sub/page.txt").display()));
    fs::rename(tree.join("sub"), tree.join("moved")).unwrap();
    std::os::unix::fs::symlink(&outside, tree.join("sub")).unwrap();
    run.resume();
    let run = run.finish();
    run.expect(2, &["1 failed"]);
    run.expect_line(&[&tree.join("sub/page.txt").display().to_string(), "folder was replaced"]);
    assert_eq!(fs::read(outside.join("page.txt")).unwrap(), PAGE_A.as_bytes());
    assert_eq!(list_tree(&outside), paths(&["page.txt"]));
}

#[test]
fn a_file_swapped_for_a_link_after_the_walk_is_not_read() {
    const SECRET: &str = "The root password is hunter2, the minister said on Tuesday evening.\n";
    for mode in ["-i", "-o"] {
        let (_tmp, root) = scratch();
        let tree = root.join("tree");
        let secret = root.join("secret.txt");
        write(&tree.join("page.txt"), PAGE_A);
        write(&secret, SECRET);
        set_mode(&secret, 0o600);
        let mut command = dechrome();
        command.arg(&tree).arg("-j1");
        if mode == "-o" {
            command.arg("-o").arg(root.join("out"));
        } else {
            command.arg("-i");
        }
        let mut run = Paused::start(&mut command, &root);
        run.reached();
        fs::remove_file(tree.join("page.txt")).unwrap();
        std::os::unix::fs::symlink(&secret, tree.join("page.txt")).unwrap();
        run.resume();
        let run = run.finish();
        run.expect(2, &["1 failed"]);
        run.expect_line(&[&tree.join("page.txt").display().to_string(), "symbolic link"]);
        assert!(fs::symlink_metadata(tree.join("page.txt")).unwrap().is_symlink(), "{mode}");
        for written in list_tree(&root) {
            let path = root.join(&written);
            if path != secret && fs::symlink_metadata(&path).unwrap().is_file() {
                let bytes = fs::read(&path).unwrap();
                assert!(!String::from_utf8_lossy(&bytes).contains("hunter2"), "{mode}: {written:?} holds the secret");
            }
        }
    }
}

#[test]
fn a_line_appended_while_a_file_is_cleaned_in_place_is_not_lost() {
    let (_tmp, root) = scratch();
    let tree = root.join("tree");
    let page = tree.join("page.txt");
    write(&page, PAGE_A);
    let mut run = Paused::start(dechrome().arg(&tree).arg("-i.bak").arg("-j1"), &root);
    assert_eq!(run.reached(), format!("open {}", page.display()));
    run.resume();
    assert_eq!(run.reached(), format!("commit {}", page.display()));
    File::options().append(true).open(&page).unwrap().write_all(b"A line written meanwhile.\n").unwrap();
    run.resume();
    let run = run.finish();
    run.expect(2, &["1 failed"]);
    run.expect_line(&[&page.display().to_string(), "changed while it was being cleaned"]);
    assert_eq!(fs::read_to_string(&page).unwrap(), format!("{PAGE_A}A line written meanwhile.\n"));
    assert_eq!(list_tree(&tree), paths(&["page.txt"]), "no backup, no temporary file");
}

// ------------------------------------------------------------------------------- metadata ---

#[test]
fn in_place_keeps_owner_group_and_extended_attributes() {
    let (_tmp, root) = scratch();
    let page = root.join("tree/page.txt");
    write(&page, PAGE_A);
    set_mode(&page, 0o640);
    let is_root = fs::metadata(&page).unwrap().uid() == 0;
    if is_root {
        std::os::unix::fs::chown(&page, Some(NOBODY), Some(NOBODY)).unwrap();
    }
    let has_xattrs = rustix::fs::setxattr(&page, "user.origin", b"crawl 7", rustix::fs::XattrFlags::empty()).is_ok();
    Run::of(dechrome().arg(root.join("tree")).arg("-i")).expect(0, &["1 file cleaned"]);
    assert_eq!(fs::read(&page).unwrap(), clean_default(PAGE_A.as_bytes()));
    let meta = fs::metadata(&page).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o640);
    if is_root {
        assert_eq!((meta.uid(), meta.gid()), (NOBODY, NOBODY));
    }
    if has_xattrs {
        let mut value = [0u8; 64];
        let len = rustix::fs::getxattr(&page, "user.origin", &mut value[..]).unwrap();
        assert_eq!(&value[..len], b"crawl 7");
    }
}

#[test]
fn set_id_bits_are_cleared_when_the_owner_cannot_be_kept() {
    let (_tmp, root) = scratch();
    let page = root.join("tree/page.txt");
    write(&page, PAGE_A);
    let user = Unprivileged::owning(&root);
    if user.switch_to.is_none() {
        // Not root: the file is ours, so its owner is kept; nothing to check.
        return;
    }
    // The file belongs to root, set-user-ID, and may be written by anyone.
    std::os::unix::fs::chown(&page, Some(0), Some(0)).unwrap();
    set_mode(&page, 0o6777);
    Run::of(user.dechrome().arg(root.join("tree")).arg("-i")).expect(0, &["1 file cleaned"]);
    let meta = fs::metadata(&page).unwrap();
    assert_eq!(fs::read(&page).unwrap(), clean_default(PAGE_A.as_bytes()));
    assert_eq!((meta.uid(), meta.mode() & 0o7777), (NOBODY, 0o777));
}

#[test]
fn files_that_cleaning_does_not_change_are_not_rewritten() {
    let (_tmp, root) = scratch();
    let page = root.join("tree/page.txt");
    write(&page, clean_default(PAGE_A.as_bytes()));
    make_stale(&page);
    let before = stamp(&page);
    Run::of(dechrome().arg(root.join("tree")).arg("-i.bak")).expect(0, &["1 file cleaned"]);
    assert_eq!(stamp(&page), before);
    assert_eq!(list_tree(&root.join("tree")), paths(&["page.txt"]), "nothing to back up");
}

#[test]
fn new_output_files_get_the_mode_the_umask_gives() {
    let (_tmp, root) = scratch();
    write(&root.join("page.txt"), PAGE_A);
    for (umask, mode) in [(0o022, 0o644), (0o077, 0o600)] {
        let output = root.join(format!("out-{umask:o}.txt"));
        let mut command = dechrome();
        // SAFETY: umask is async-signal-safe.
        unsafe {
            command.pre_exec(move || {
                libc::umask(umask);
                Ok(())
            })
        };
        Run::of(command.arg(root.join("page.txt")).arg("-o").arg(&output)).expect(0, &[]);
        assert_eq!(fs::metadata(&output).unwrap().mode() & 0o777, mode, "umask {umask:o}");
    }
}

// ---------------------------------------------------------------------------- output paths ---

#[test]
fn outputs_that_are_not_regular_files_are_written_into_and_links_followed() {
    let (_tmp, root) = scratch();
    let input = root.join("pages.jsonl");
    write(&input, "{\"text\":\"Kept prose.\"}\nnot json\n");
    let jsonl = |bad_records: &Path| {
        let mut command = dechrome();
        command.arg(&input).arg("-o").arg(root.join("out.jsonl")).arg("--skip-bad-records").arg("--bad-records");
        command.arg(bad_records);
        command
    };

    // A FIFO stays a FIFO, and its reader gets the records.
    let fifo = root.join("bad.fifo");
    let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    Run::of(&mut jsonl(&fifo)).expect(0, &[]);
    // Checked first: a FIFO renamed over would leave its reader waiting for ever.
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(reader.join().unwrap(), b"not json\n");

    // A link to a regular file stays a link; the file it leads to is replaced.
    let (link, file) = (root.join("bad-link"), root.join("bad.txt"));
    write(&file, "older records\n");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    Run::of(&mut jsonl(&link)).expect(0, &[]);
    assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(fs::read(&file).unwrap(), b"not json\n");

    // `/dev/stdout` on a file opened to append to: what the file held stays.
    let log = root.join("log.txt");
    write(&log, "older output\n");
    let stdout = File::options().append(true).open(&log).unwrap();
    Run::of(dechrome().arg("-o").arg("/dev/stdout").stdin(File::open(root.join("bad.txt")).unwrap()).stdout(stdout))
        .expect(0, &[]);
    assert_eq!(fs::read_to_string(&log).unwrap(), "older output\nnot json\n");
}

#[test]
fn outputs_that_name_an_input_or_each_other_are_refused_before_anything_is_written() {
    let (_tmp, root) = scratch();
    let page = root.join("a.txt");
    let records = root.join("pages.jsonl");
    write(&page, PAGE_A);
    write(&records, "{\"text\":\"Kept prose.\"}\nnot json\n");
    let other_name = root.join("same-as-a.txt");
    fs::hard_link(&page, &other_name).unwrap();
    let before = |path: &Path| fs::read(path).unwrap();
    let (page_bytes, records_bytes) = (before(&page), before(&records));
    let out = root.join("o.jsonl");
    let cases: Vec<(Vec<&std::ffi::OsStr>, &str)> = vec![
        (vec![page.as_ref(), "--rejects".as_ref(), other_name.as_ref()], "is the input"),
        (vec![page.as_ref(), "--stats-json".as_ref(), page.as_ref()], "is the input"),
        (vec![page.as_ref(), "-o".as_ref(), page.as_ref()], "is the input"),
        (
            vec![
                records.as_ref(),
                "--skip-bad-records".as_ref(),
                "--bad-records".as_ref(),
                out.as_ref(),
                "-o".as_ref(),
                out.as_ref(),
            ],
            "are the same file",
        ),
        (vec![root.as_ref(), "-i".as_ref(), "--stats-json".as_ref(), page.as_ref()], "is the input"),
    ];
    for (args, problem) in cases {
        let run = Run::of(dechrome().args(&args));
        run.expect(2, &[problem, "nothing was written"]);
        assert_eq!(before(&page), page_bytes, "{args:?}");
        assert_eq!(before(&records), records_bytes, "{args:?}");
        assert!(!out.exists(), "{args:?}");
        assert!(temp_files_in(&root).is_empty(), "{args:?}");
    }
    // Through stdin too.
    let run = Run::of(dechrome().arg("--rejects").arg(&page).stdin(File::open(&page).unwrap()));
    run.expect(2, &["is the input stdin"]);
    assert_eq!(before(&page), page_bytes);
}

// ----------------------------------------------------------------------------------- help ---

#[test]
fn help_describes_stdin_file_and_directory_modes() {
    let help = dechrome().arg("--help").output().unwrap();
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).unwrap();
    let intro = &help[..help.find("Usage:").unwrap()];
    let modes: Vec<&str> = intro.lines().filter(|l| l.trim_start().starts_with("dechrome ")).collect();
    assert!(modes.len() >= 4, "{intro}");
    for (mode, words) in [
        ("stdin", ["stdin", "stdout"]),
        ("files", ["FILE...", "-o OUT"]),
        ("mirror", ["DIR...", "-o OUTDIR"]),
        ("in place", ["-i", "SUFFIX"]),
    ] {
        assert!(modes.iter().any(|l| words.iter().all(|w| l.contains(w))), "{mode} mode:\n{intro}");
    }
    let short = dechrome().arg("-h").output().unwrap();
    let short = String::from_utf8(short.stdout).unwrap();
    assert!(short.contains("stdin, files or directory trees"), "{short}");
}
