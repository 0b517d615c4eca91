//! Huge and unusual inputs through the binary: memory stays bounded by the block size and the
//! line-length limit, not by the input; UTF-16 is decoded and UTF-32 refused.

use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_dechrome");
/// Peak RSS allowed for any input: the compiled rules take about 16 MiB, the blocks in flight
/// a few more; buffering a 1 GiB line would take over 1 GiB.
const MAX_RSS_KIB: i64 = 48 * 1024;

/// Runs the binary with `args`, feeding `chunk` `repeat` times and then `tail` on stdin from
/// another thread. Returns exit code, stdout length, the stdout head and peak RSS in KiB.
fn run_streaming(args: &[&str], chunk: &[u8], repeat: usize, tail: &[u8]) -> (i32, u64, Vec<u8>, i64) {
    run_streaming_after(args, b"", chunk, repeat, tail)
}

/// [`run_streaming`], with `head` fed first.
fn run_streaming_after(
    args: &[&str],
    head: &[u8],
    chunk: &[u8],
    repeat: usize,
    tail: &[u8],
) -> (i32, u64, Vec<u8>, i64) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dechrome");
    let mut stdin = child.stdin.take().expect("stdin");
    let (head, chunk, tail) = (head.to_vec(), chunk.to_vec(), tail.to_vec());
    let writer = std::thread::spawn(move || {
        stdin.write_all(&head)?;
        for _ in 0..repeat {
            stdin.write_all(&chunk)?;
        }
        stdin.write_all(&tail)
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let (mut total, mut head, mut buffer) = (0u64, Vec::new(), vec![0u8; 1 << 16]);
    loop {
        let n = stdout.read(&mut buffer).expect("read stdout");
        if n == 0 {
            break;
        }
        if head.len() < 64 {
            head.extend_from_slice(&buffer[..n.min(64 - head.len())]);
        }
        total += n as u64;
    }
    let written = writer.join().expect("writer thread");
    let (code, rss_kib) = wait_for_peak_rss(child);
    // A run that refuses its input stops reading it.
    if code == 0 {
        written.expect("write stdin");
    }
    (code, total, head, rss_kib)
}

/// Waits for `child` (whose stdout has been read to the end); returns its exit code and peak RSS
/// in KiB.
// The child is reaped by `wait4`, which also reports its peak RSS.
#[allow(clippy::zombie_processes)]
fn wait_for_peak_rss(child: std::process::Child) -> (i32, i64) {
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    // SAFETY: waits for our own child, which std has not reaped; `usage` is a valid out-pointer.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

/// Runs the binary with `args` (stdin closed) to the end; returns exit code, stderr and peak RSS
/// in KiB.
fn run_for_peak_rss(args: &[&std::ffi::OsStr]) -> (i32, String, i64) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dechrome");
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("read stderr");
    let (code, rss_kib) = wait_for_peak_rss(child);
    (code, stderr, rss_kib)
}

/// A zstd frame that expands to `prefix`, then `count` copies of `byte`, then `suffix`, built
/// by hand from run-length blocks so that the test never holds the expanded bytes (a child's
/// peak RSS counts what its parent held when it was started).
fn zstd_run(prefix: &[u8], byte: u8, count: usize, suffix: &[u8]) -> Vec<u8> {
    const MAX_BLOCK: usize = 128 * 1024;
    // Magic number; a frame header with only a window descriptor (128 KiB windows).
    let mut frame = vec![0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x38];
    let mut block = |kind: u32, size: usize, last: bool, body: &[u8]| {
        let header = u32::from(last) | kind << 1 | (size as u32) << 3;
        frame.extend_from_slice(&header.to_le_bytes()[..3]);
        frame.extend_from_slice(body);
    };
    block(0, prefix.len(), false, prefix);
    let mut left = count;
    while left > 0 {
        let size = left.min(MAX_BLOCK);
        block(1, size, false, &[byte]);
        left -= size;
    }
    block(0, suffix.len(), true, suffix);
    frame
}

/// A 33 KB zstd file that expands to one record of 1 GiB: refused at the size limit (64 MiB by
/// default) without being held whole. Without the limit it took 2.25 GB.
#[test]
fn a_compressed_record_bomb_is_refused_at_the_record_size_limit() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let bomb = dir.path().join("bomb.jsonl.zst");
    std::fs::write(&bomb, zstd_run(b"{\"text\":\"", b'a', 1 << 30, b"\"}\n")).expect("write");
    assert!(std::fs::metadata(&bomb).expect("bomb").len() < 40_000);
    let (code, stderr, rss_kib) = run_for_peak_rss(&[bomb.as_os_str()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("line 1: record longer than 67108864 bytes"), "{stderr}");
    assert!(rss_kib < 64 * 1024 + MAX_RSS_KIB, "peak RSS {rss_kib} KiB");
}

/// `--format jsonl /dev/zero`: one endless line, refused at the limit.
#[test]
fn an_endless_jsonl_line_is_refused_in_bounded_memory() {
    let args = ["--format", "jsonl", "--max-record-bytes", "1000000", "/dev/zero"].map(std::ffi::OsStr::new);
    let (code, stderr, rss_kib) = run_for_peak_rss(&args);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("/dev/zero: line 1: record longer than 1000000 bytes"), "{stderr}");
    assert!(rss_kib < MAX_RSS_KIB, "peak RSS {rss_kib} KiB");
}

/// With `--skip-bad-records`, a record over the limit is counted and copied to the bad records
/// piece by piece, and the records around it are cleaned.
#[test]
fn a_record_over_the_limit_is_streamed_to_the_bad_records() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let bad = dir.path().join("bad.jsonl");
    let bad_arg = bad.to_str().expect("UTF-8 path");
    let args = ["--format", "jsonl", "--max-record-bytes", "1000000", "--skip-bad-records", "--bad-records", bad_arg];
    let (head, piece) = (b"{\"text\":\"Before.\"}\n{\"text\":\"", vec![b'a'; 1 << 20]);
    let (code, out_bytes, out_head, rss_kib) =
        run_streaming_after(&args, head, &piece, 32, b"\"}\n{\"text\":\"After.\"}\n");
    assert_eq!(code, 0);
    assert_eq!(out_head, b"{\"text\":\"Before.\"}\n{\"text\":\"After.\"}\n");
    assert_eq!(out_bytes, out_head.len() as u64);
    // Read in pieces: what this process holds would count in the peak RSS of the next runs.
    let copied = std::fs::File::open(&bad).expect("bad records");
    let size = "{\"text\":\"".len() as u64 + (32 << 20) + "\"}\n".len() as u64;
    assert_eq!(copied.metadata().expect("bad records").len(), size);
    let (mut first, mut last) = ([0u8; 12], [0u8; 6]);
    copied.read_exact_at(&mut first, 0).expect("read");
    copied.read_exact_at(&mut last, size - 6).expect("read");
    assert_eq!((&first, &last), (b"{\"text\":\"aaa", b"aaa\"}\n"));
    assert!(rss_kib < MAX_RSS_KIB, "peak RSS {rss_kib} KiB");
}

/// `-j1000` on a large stream, JSONL and text: the blocks and batches in flight are capped by
/// size, not by the thread count (without the caps these inputs took about 190 MiB and 500 MiB,
/// growing with the input up to gigabytes).
#[test]
fn a_thousand_threads_do_not_multiply_memory() {
    let page = r"Accessibility links\n\nThe index rose 2 percent on Monday as traders returned.\n\nAdvertisement\n";
    let story = "Words of the story. ".repeat(80);
    let records: String = (0..100).map(|i| format!("{{\"id\":{i},\"text\":\"{page}{story}\"}}\n")).collect();
    let (code, out_bytes, _, rss_kib) = run_streaming(&["-j1000", "--format", "jsonl"], records.as_bytes(), 400, b"");
    assert_eq!(code, 0);
    assert!(out_bytes > 0);
    assert!(rss_kib < 2 * MAX_RSS_KIB, "JSONL: peak RSS {rss_kib} KiB");
    let text =
        "The index rose 2 percent on Monday as traders returned to the floor.\n\nAdvertisement\n\n".repeat(5_000);
    let (code, out_bytes, _, rss_kib) = run_streaming(&["-j1000"], text.as_bytes(), 128, b"");
    assert_eq!(code, 0);
    assert!(out_bytes > 0);
    assert!(rss_kib < 2 * MAX_RSS_KIB, "text: peak RSS {rss_kib} KiB");
}

#[test]
fn one_gibibyte_line_streams_through_in_bounded_memory() {
    let piece = vec![b'a'; 1 << 20];
    let (code, out_bytes, head, rss_kib) = run_streaming(&[], &piece, 1024, b"\nAfter the long line.\n");
    assert_eq!(code, 0);
    // The line is passed through as it is, then the next line is cleaned as usual.
    assert_eq!(out_bytes, (1u64 << 30) + 1 + "After the long line.\n".len() as u64);
    assert!(head.iter().all(|&b| b == b'a'));
    assert!(rss_kib < MAX_RSS_KIB, "peak RSS {rss_kib} KiB");
}

#[test]
fn ten_million_empty_lines() {
    let (code, out_bytes, _, rss_kib) = run_streaming(&[], &vec![b'\n'; 1_000_000], 10, b"Text at the end.\n");
    assert_eq!(code, 0);
    // Blank lines before the first text line are not written.
    assert_eq!(out_bytes, "Text at the end.\n".len() as u64);
    assert!(rss_kib < MAX_RSS_KIB, "peak RSS {rss_kib} KiB");
}

/// Each line of a block costs a record of about a hundred bytes once classified, so a block of
/// one-character lines would weigh fifty times its bytes: blocks end after 2,048 lines. Without
/// that cap this input peaks at about 31 MiB.
#[test]
fn ten_million_one_character_lines() {
    let lines: Vec<u8> = (0..1_000_000).flat_map(|i| [b'a' + (i % 26) as u8, b'\n']).collect();
    let (code, out_bytes, _, rss_kib) = run_streaming(&[], &lines, 10, b"Text at the end.\n");
    assert_eq!(code, 0);
    assert!(out_bytes > 0);
    assert!(rss_kib < 24 * 1024, "peak RSS {rss_kib} KiB");
}

#[test]
fn lines_over_the_limit_are_not_matched_or_normalized() {
    let input = "Advertisement\nStocks  rose\nAdvertisement\n";
    let out = Command::new(BIN).args(["--max-line-bytes", "12"]).write_stdin_output(input);
    // "Advertisement" (13 bytes) is over the limit: kept as it is; the short line is cleaned.
    assert_eq!(out, "Advertisement\nStocks rose\nAdvertisement\n");
    let out = Command::new(BIN).write_stdin_output(input);
    assert_eq!(out, "Stocks rose\n");
}

#[test]
fn utf16_is_decoded_and_utf32_refused() {
    for big_endian in [false, true] {
        let text = "Accessibility links\r\nZürich “rose” 😀 on Monday.\r\n";
        let mut input = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for unit in text.encode_utf16() {
            input.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        let out = Command::new(BIN).write_stdin_output(input);
        assert_eq!(out, "Zürich \"rose\" 😀 on Monday.\n", "big endian: {big_endian}");
    }
    let output = Command::new(BIN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().expect("stdin").write_all(b"\xFF\xFE\x00\x00a\x00\x00\x00")?;
            child.wait_with_output()
        })
        .expect("run dechrome");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("UTF-32"), "{output:?}");
    assert!(output.stdout.is_empty());
}

trait WriteStdinOutput {
    /// Runs the command with `input` on stdin; returns stdout after checking it exited with 0.
    fn write_stdin_output(&mut self, input: impl AsRef<[u8]>) -> String;
}

impl WriteStdinOutput for Command {
    fn write_stdin_output(&mut self, input: impl AsRef<[u8]>) -> String {
        let mut child = self.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("start dechrome");
        child.stdin.take().expect("stdin").write_all(input.as_ref()).expect("write stdin");
        let output = child.wait_with_output().expect("wait");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }
}
