//! `--report FILE.html`: what the page holds, that it escapes everything and stays bounded, and
//! that it renders in headless Chromium without console errors and not blank.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;

use dechrome_testkit::write;

const PAGE: &str = "Accessibility links\n\nMarkets \u{201c}calm\u{201d}  after vote on Monday.\n\nAdvertisement\n";
const HOSTILE: &str = "Home\n\n<script>alert(\"x\")</script> & 'quotes' are prose the reader keeps.\n<img src=x onerror=alert(1)>\n\nAdvertisement\n";

fn dechrome() -> Command {
    Command::cargo_bin("dechrome").unwrap_or_else(|e| panic!("{e}"))
}

/// A report of a small tree: two pages, one of them hostile markup.
fn tree_report(tmp: &Path) -> String {
    write(&tmp.join("in/a.txt"), PAGE);
    write(&tmp.join("in/sub/hostile.txt"), HOSTILE);
    let report = tmp.join("report.html");
    dechrome().arg(tmp.join("in")).arg("-o").arg(tmp.join("out")).arg("--report").arg(&report).assert().success();
    fs::read_to_string(&report).unwrap()
}

#[test]
fn the_report_has_totals_losers_and_every_line_escaped() {
    let tmp = TempDir::new().unwrap();
    let html = tree_report(tmp.path());
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    // Totals per category and per rule.
    for needle in [
        "<strong>4 dropped</strong>",
        "<span class=\"swatch\"></span>ads</td><td class=\"n\">2</td>",
        "<span class=\"swatch\"></span>navigation</td><td class=\"n\">2</td>",
        "<td>skip-links</td>",
        "<td>menu-controls</td>",
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    // The pages that lost most, linked to their lines.
    let losers = &html[html.find("Pages that lost most").unwrap()..html.find("<h2>Pages</h2>").unwrap()];
    assert!(losers.contains("<a href=\"#page-0\">"), "{losers}");
    // Dropped lines struck through, coloured by category, with their rule.
    assert!(html.contains(
        "<li class=\"drop c0\"><span class=\"why\">skip-links (navigation)</span><del>Accessibility links</del></li>"
    ));
    assert!(html.contains("<li>Markets \u{201c}calm\u{201d}  after vote on Monday.</li>"));
    // Every piece of input is escaped: no markup of the pages gets through.
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script") && !lower.contains("<img"), "markup got through");
    // Self-contained: nothing is loaded from elsewhere.
    for reference in ["http:", "https:", "src=\"", "url(", "@import"] {
        assert!(!lower.contains(reference), "{reference}");
    }
}

#[test]
fn the_report_of_a_large_run_stays_bounded_and_says_so() {
    let tmp = TempDir::new().unwrap();
    // A JSONL shard on stdin: 300 records of 60 lines each.
    let text = format!("Advertisement\n{}", "A line of the story that the reader keeps.\n".repeat(59));
    let record = serde_json::json!({ "text": text }).to_string();
    let shard = format!("{record}\n").repeat(300);
    let report = tmp.path().join("report.html");
    dechrome().args(["--format", "jsonl", "--report"]).arg(&report).write_stdin(shard).assert().success();
    let html = fs::read_to_string(&report).unwrap();
    assert!(html.contains("Showing 100 of 300 pages"), "{}", &html[..html.len().min(3000)]);
    assert_eq!(html.matches("<section class=\"page\"").count(), 100);
    assert_eq!(html.matches("<tr><td>").count(), 50, "the 50 pages that lost most");
    assert!(html.contains("<a href=\"#page-0\">stdin:1</a>"));
    assert!(html.contains("<td class=\"n\">300</td>"), "ads dropped once a record");
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
}

/// Chromium from Debian's package, with the options for a machine without a display or a
/// session bus.
fn chromium(args: &[&str], profile: &Path, page: &Path) -> (String, String) {
    let mut child = StdCommand::new("chromium")
        .args(["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-dev-shm-usage"])
        .args(["--enable-logging=stderr", "--v=0", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("chromium cannot be started ({e}); install it: apt-get install chromium"));
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish rendering {} in 120 s", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The messages the page wrote to the console (errors included), from Chromium's log.
fn console_messages(log: &str) -> Vec<&str> {
    log.lines().filter(|line| line.contains(":CONSOLE")).collect()
}

/// The standard deviation of the screenshot's grey levels (0 for a blank page).
fn pixel_spread(png_path: &Path) -> f64 {
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(png_path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    assert!(channels >= 3 && info.bit_depth == png::BitDepth::Eight, "{info:?}");
    let greys: Vec<f64> = buffer[..info.buffer_size()]
        .chunks(channels)
        .map(|p| (f64::from(p[0]) + f64::from(p[1]) + f64::from(p[2])) / 3.0)
        .collect();
    let mean = greys.iter().sum::<f64>() / greys.len() as f64;
    (greys.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / greys.len() as f64).sqrt()
}

fn screenshot(profile: &Path, page: &Path, shot: &Path) -> f64 {
    chromium(&[&format!("--screenshot={}", shot.display()), "--window-size=1000,1400"], profile, page);
    assert!(shot.is_file(), "no screenshot of {}", page.display());
    pixel_spread(shot)
}

#[test]
#[cfg_attr(not(chromium), ignore = "needs chromium (apt-get install chromium); CI installs it")]
fn the_report_renders_in_chromium_without_console_errors_and_not_blank() {
    let tmp = TempDir::new().unwrap();
    tree_report(tmp.path());
    let report: PathBuf = tmp.path().join("report.html");
    let profile = tmp.path().join("profile");

    let (dom, log) = chromium(&["--dump-dom"], &profile, &report);
    assert!(dom.contains("dechrome report") && dom.contains("Accessibility links"), "{dom}");
    assert_eq!(console_messages(&log), Vec::<&str>::new(), "console messages while loading the report");
    let spread = screenshot(&profile, &report, &tmp.path().join("report.png"));

    // The checks can fail: a page with a script error is caught, and a blank page has no spread.
    let broken = tmp.path().join("broken.html");
    write(&broken, "<!DOCTYPE html><html><body><script>missingFunction();</script></body></html>");
    let (_, log) = chromium(&["--dump-dom"], &profile, &broken);
    assert!(!console_messages(&log).is_empty(), "a script error is not seen in:\n{log}");
    let blank_spread = screenshot(&profile, &broken, &tmp.path().join("blank.png"));
    assert!(blank_spread < 1.0, "a blank page has a spread of {blank_spread}");
    assert!(spread > 10.0, "the report's screenshot looks blank (spread {spread})");
}
