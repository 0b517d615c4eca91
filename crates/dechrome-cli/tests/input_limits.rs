//! Huge and unusual inputs through the binary: memory stays bounded by the block size and the
//! line-length limit, not by the input; UTF-16 is decoded and UTF-32 refused.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_dechrome");
/// Peak RSS allowed for any input: the compiled rules take about 16 MiB, the blocks in flight
/// a few more; buffering a 1 GiB line would take over 1 GiB.
const MAX_RSS_KIB: i64 = 48 * 1024;

/// Runs the binary with `args`, feeding `chunk` `repeat` times and then `tail` on stdin from
/// another thread. Returns exit code, stdout length, the stdout head and peak RSS in KiB.
// The child is reaped by `wait4`, which also reports its peak RSS.
#[allow(clippy::zombie_processes)]
fn run_streaming(args: &[&str], chunk: &[u8], repeat: usize, tail: &[u8]) -> (i32, u64, Vec<u8>, i64) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dechrome");
    let mut stdin = child.stdin.take().expect("stdin");
    let (chunk, tail) = (chunk.to_vec(), tail.to_vec());
    let writer = std::thread::spawn(move || {
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
    writer.join().expect("writer thread").expect("write stdin");
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    // SAFETY: waits for our own child, which std has not reaped; `usage` is a valid out-pointer.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    (libc::WEXITSTATUS(status), total, head, usage.ru_maxrss)
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
