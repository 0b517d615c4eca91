//! `--report FILE.html`: one self-contained page about a run, for a person to scan: totals per
//! category and per rule, the pages that lost most, and the lines of the first pages with the
//! dropped ones struck through and coloured by category. Its size is bounded whatever the run:
//! past the limits below, pages and lines are counted but not shown, and the page says so.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use dechrome::{LineRecord, Sink};

use super::explain::{CATEGORY_SLOTS, category_slot};
use super::output::Destination;
use super::report::{Totals, human_size};

/// Pages whose lines are shown.
pub(crate) const MAX_PAGES_SHOWN: usize = 100;
/// Lines shown of one page.
const MAX_LINES_PER_PAGE: usize = 1_000;
/// Lines shown over all pages.
const MAX_LINES_SHOWN: usize = 20_000;
/// Characters shown of one line.
const MAX_LINE_CHARS: usize = 400;
/// Pages listed among those that lost most.
const MAX_LOSERS: usize = 50;

/// One input line as shown.
#[derive(Debug)]
struct ShownLine {
    text: String,
    /// The rule (or reason) and category that dropped it.
    dropped_by: Option<(String, String)>,
}

/// What a page lost.
#[derive(Debug, Clone)]
struct Loss {
    name: String,
    lines_in: u64,
    lines_dropped: u64,
    bytes_in: u64,
    bytes_dropped: u64,
    /// Its place among the pages shown, when it is shown.
    shown_at: Option<usize>,
}

/// A page (a document: a file, a form-feed part of one, a JSONL record) with the lines kept for
/// showing.
#[derive(Debug)]
struct Page {
    loss: Loss,
    lines: Vec<ShownLine>,
    /// Lines not shown, past the limits.
    lines_left_out: u64,
}

/// The pages of a run, bounded: the first pages with their lines, and the pages that lost most.
#[derive(Debug, Default)]
pub(crate) struct PageSet {
    shown: Vec<Page>,
    lines_shown: usize,
    /// Most lines dropped first.
    losers: Vec<Loss>,
    /// Every page seen.
    pages: u64,
}

impl PageSet {
    /// Whether one more page, of `lines` lines, can be shown.
    fn has_room(&self, lines: usize) -> bool {
        self.shown.len() < MAX_PAGES_SHOWN && self.lines_shown + lines <= MAX_LINES_SHOWN
    }

    fn add(&mut self, mut page: Page) {
        self.pages += 1;
        // A page has lines to show only when there was room for them.
        if !page.lines.is_empty() && self.shown.len() < MAX_PAGES_SHOWN {
            page.loss.shown_at = Some(self.shown.len());
            self.lines_shown += page.lines.len();
        } else {
            page.loss.shown_at = None;
        }
        self.add_loser(&page.loss);
        if page.loss.shown_at.is_some() {
            self.shown.push(page);
        }
    }

    fn add_loser(&mut self, loss: &Loss) {
        if loss.lines_dropped == 0 {
            return;
        }
        let full = self.losers.len() >= MAX_LOSERS;
        if full && self.losers.last().is_some_and(|last| last.lines_dropped >= loss.lines_dropped) {
            return;
        }
        // After those that lost as much: the earlier page first.
        let at = self.losers.partition_point(|other| other.lines_dropped >= loss.lines_dropped);
        self.losers.insert(at, loss.clone());
        self.losers.truncate(MAX_LOSERS);
    }

    /// Adds the pages of `later`, which come after these in the run.
    pub(crate) fn merge(&mut self, later: PageSet) {
        let first_shown = self.shown.len();
        // The room left only shrinks, so the pages kept are the first ones of `later`.
        for mut page in later.shown {
            if !self.has_room(page.lines.len()) {
                break;
            }
            page.loss.shown_at = Some(self.shown.len());
            self.lines_shown += page.lines.len();
            self.shown.push(page);
        }
        let kept = self.shown.len() - first_shown;
        for loss in later.losers {
            let shown_at = loss.shown_at.filter(|&at| at < kept).map(|at| first_shown + at);
            self.add_loser(&Loss { shown_at, ..loss });
        }
        self.pages += later.pages;
    }
}

/// Collects the pages of the inputs as the cleaner decides their lines.
pub(crate) struct PageCollector {
    pages: PageSet,
    source: String,
    /// JSONL: the record the lines come from.
    record: Option<u64>,
    /// False once the pages of this collector can no longer be shown (in directory mode, for
    /// files after the first [`MAX_PAGES_SHOWN`]).
    show_lines: bool,
    current: Option<Page>,
    /// The last line came in pieces, and more of it follows.
    mid_line: bool,
}

impl PageCollector {
    pub(crate) fn new(show_lines: bool) -> Self {
        Self {
            pages: PageSet::default(),
            source: String::new(),
            record: None,
            show_lines,
            current: None,
            mid_line: false,
        }
    }

    /// The lines that follow come from `source` (a path, `-` for stdin), and from its JSONL
    /// record at line `record`.
    pub(crate) fn start(&mut self, source: &str, record: Option<u64>) -> &mut Self {
        source.clone_into(&mut self.source);
        self.record = record;
        self
    }

    pub(crate) fn into_pages(self) -> PageSet {
        self.pages
    }

    fn page_name(&self, document: u64) -> String {
        let source = if self.source == "-" { "stdin" } else { &self.source };
        match (self.record, document) {
            (Some(record), _) => format!("{source}:{record}"),
            (None, 1) => source.to_string(),
            (None, document) => format!("{source} (document {document})"),
        }
    }
}

impl Sink for PageCollector {
    fn wants_originals(&self) -> bool {
        true
    }

    fn line(&mut self, record: &LineRecord<'_>) -> io::Result<()> {
        let name = self.current.is_none().then(|| self.page_name(record.document));
        let page = self.current.get_or_insert_with(|| Page {
            loss: Loss {
                name: name.unwrap_or_default(),
                lines_in: 0,
                lines_dropped: 0,
                bytes_in: 0,
                bytes_dropped: 0,
                shown_at: None,
            },
            lines: Vec::new(),
            lines_left_out: 0,
        });
        let bytes = record.original.len() as u64;
        page.loss.bytes_in += bytes;
        if record.dropped_by.is_some() {
            page.loss.bytes_dropped += bytes;
        }
        // A line longer than the length limit comes in pieces: counted once, shown from its
        // first piece.
        let first_piece = !std::mem::replace(&mut self.mid_line, record.continues);
        if !first_piece {
            return Ok(());
        }
        page.loss.lines_in += 1;
        if record.dropped_by.is_some() {
            page.loss.lines_dropped += 1;
        }
        if self.show_lines && page.lines.len() < MAX_LINES_PER_PAGE && self.pages.has_room(page.lines.len() + 1) {
            let mut text: String = record.original.chars().take(MAX_LINE_CHARS).collect();
            if text.len() < record.original.len() {
                text.push('…');
            }
            let dropped_by = record.dropped_by.map(|d| (d.reason.to_string(), d.category.to_string()));
            page.lines.push(ShownLine { text, dropped_by });
        } else {
            page.lines_left_out += 1;
        }
        Ok(())
    }

    fn end_document(&mut self, _separator: bool) -> io::Result<()> {
        if let Some(page) = self.current.take() {
            self.pages.add(page);
        }
        Ok(())
    }
}

/// Writes the report of a run to `path`, atomically.
pub(crate) fn write_report(path: &Path, totals: &Totals, elapsed: Duration) -> Result<()> {
    let html = render(totals, elapsed);
    let mut out = Destination::open(Some(path))?;
    out.write_all(html.as_bytes()).with_context(|| path.display().to_string())?;
    out.commit()
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters (other than tab) would make the page invalid.
            c if c.is_control() && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 { "0%".to_string() } else { format!("{:.0}%", part as f64 * 100.0 / whole as f64) }
}

const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; background: #fff; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5em 0; } td, th { padding: .15em .8em; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #f6f6f6; }
.swatch { display: inline-block; width: .9em; height: .9em; margin-right: .4em; vertical-align: -.1em; border-radius: 2px; background: hsl(var(--hue) 65% 45%); }
.bar { display: inline-block; height: .7em; background: hsl(var(--hue, 210) 65% 55%); }
.note { color: #555; font-style: italic; }
section.page { margin: 1.5em 0; border: 1px solid #ddd; border-radius: 4px; padding: .2em 1em .6em; }
section.page h3 { font-size: 1em; margin: .5em 0; word-break: break-all; }
ol.lines { font: 13px/1.4 ui-monospace, monospace; padding-left: 4em; margin: 0; }
ol.lines li { white-space: pre-wrap; word-break: break-word; }
ol.lines li.blank { height: 1.4em; }
ol.lines li.drop { color: hsl(var(--hue) 60% 32%); background: hsl(var(--hue) 80% 95%); }
ol.lines li.drop del { text-decoration-color: hsl(var(--hue) 60% 40%); }
ol.lines li.drop .why { float: right; font-size: 11px; margin-left: 1em; opacity: .85; }
";

fn category_class(category: &str) -> String {
    format!("c{}", category_slot(category))
}

/// The page as HTML.
fn render(totals: &Totals, elapsed: Duration) -> String {
    let stats = &totals.text;
    let empty = PageSet::default();
    let pages = totals.pages.as_ref().unwrap_or(&empty);
    let mut html = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>dechrome report</title>\n<style>{STYLE}"
    );
    for slot in 0..CATEGORY_SLOTS {
        let _ = writeln!(html, ".c{slot} {{ --hue: {}; }}", slot * 360 / CATEGORY_SLOTS);
    }
    let _ = write!(html, "</style>\n</head>\n<body>\n<h1>dechrome report</h1>\n");
    let _ = writeln!(
        html,
        "<p>{} files, {} pages; {} lines in, {} kept, <strong>{} dropped</strong>; {} in, {} out; {:.2} s.</p>",
        totals.files,
        pages.pages,
        stats.input_lines,
        stats.kept_lines,
        stats.dropped_lines(),
        human_size(totals.bytes_in),
        human_size(totals.bytes_out),
        elapsed.as_secs_f64(),
    );
    if let Some(jsonl) = &totals.jsonl {
        let _ = writeln!(
            html,
            "<p>JSONL records: {} read, {} written, {} bad, {} left out as empty.</p>",
            jsonl.records, jsonl.written, jsonl.bad_records, jsonl.dropped_empty
        );
    }

    let categories = stats.by_category();
    let most = categories.iter().map(|(_, lines, _)| *lines).max().unwrap_or(0).max(1);
    html.push_str("<h2>Dropped per category</h2>\n");
    if categories.is_empty() {
        html.push_str("<p class=\"note\">No lines were dropped.</p>\n");
    } else {
        html.push_str(
            "<table>\n<tr><th>category</th><th class=\"n\">lines</th><th class=\"n\">bytes</th><th></th></tr>\n",
        );
        for (category, lines, bytes) in &categories {
            let _ = writeln!(
                html,
                "<tr class=\"{}\"><td><span class=\"swatch\"></span>{}</td><td class=\"n\">{lines}</td>\
                 <td class=\"n\">{bytes}</td><td><span class=\"bar\" style=\"width: {}px\"></span></td></tr>",
                category_class(category),
                escape(category),
                lines * 240 / most,
            );
        }
        html.push_str("</table>\n");
    }

    html.push_str("<h2>Dropped per rule</h2>\n");
    if !stats.dropped.is_empty() {
        html.push_str(
            "<table>\n<tr><th>rule</th><th>category</th><th class=\"n\">lines</th><th class=\"n\">bytes</th></tr>\n",
        );
        let mut rules: Vec<_> = stats.dropped.iter().collect();
        rules.sort_by(|a, b| b.lines.cmp(&a.lines).then_with(|| a.rule.cmp(&b.rule)));
        for rule in rules {
            let _ = writeln!(
                html,
                "<tr class=\"{}\"><td>{}</td><td><span class=\"swatch\"></span>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                category_class(&rule.category),
                escape(&rule.rule),
                escape(&rule.category),
                rule.lines,
                rule.bytes
            );
        }
        html.push_str("</table>\n");
    }

    html.push_str("<h2>Pages that lost most</h2>\n");
    if pages.losers.is_empty() {
        html.push_str("<p class=\"note\">No page lost a line.</p>\n");
    } else {
        html.push_str(
            "<table>\n<tr><th>page</th><th class=\"n\">lines in</th><th class=\"n\">dropped</th>\
             <th class=\"n\">bytes dropped</th></tr>\n",
        );
        for loss in &pages.losers {
            let name = match loss.shown_at {
                Some(at) => format!("<a href=\"#page-{at}\">{}</a>", escape(&loss.name)),
                None => escape(&loss.name),
            };
            let _ = writeln!(
                html,
                "<tr><td>{name}</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td class=\"n\">{} ({})</td></tr>",
                loss.lines_in,
                loss.lines_dropped,
                percent(loss.lines_dropped, loss.lines_in),
                loss.bytes_dropped,
                percent(loss.bytes_dropped, loss.bytes_in),
            );
        }
        html.push_str("</table>\n");
        if pages.losers.len() == MAX_LOSERS {
            let _ = writeln!(html, "<p class=\"note\">The {MAX_LOSERS} pages that lost most lines.</p>");
        }
    }

    html.push_str("<h2>Pages</h2>\n");
    let lines_left_out: u64 = pages.shown.iter().map(|page| page.lines_left_out).sum();
    if pages.shown.len() as u64 != pages.pages || lines_left_out > 0 {
        let _ = writeln!(
            html,
            "<p class=\"note\">Showing {} of {} pages (at most {MAX_PAGES_SHOWN} pages, {MAX_LINES_PER_PAGE} lines a \
             page, {MAX_LINES_SHOWN} lines in all); {lines_left_out} lines of the pages shown are left out.</p>",
            pages.shown.len(),
            pages.pages,
        );
    }
    html.push_str("<p>Dropped lines are struck through, coloured by category, with the rule that dropped them.</p>\n");
    for (index, page) in pages.shown.iter().enumerate() {
        let loss = &page.loss;
        let _ = writeln!(
            html,
            "<section class=\"page\" id=\"page-{index}\">\n<h3>{}</h3>\n<p>{} of {} lines dropped</p>\n<ol class=\"lines\">",
            escape(&loss.name),
            loss.lines_dropped,
            loss.lines_in
        );
        for line in &page.lines {
            match &line.dropped_by {
                Some((rule, category)) => {
                    let _ = writeln!(
                        html,
                        "<li class=\"drop {}\"><span class=\"why\">{} ({})</span><del>{}</del></li>",
                        category_class(category),
                        escape(rule),
                        escape(category),
                        escape(&line.text)
                    );
                }
                None if line.text.trim().is_empty() => html.push_str("<li class=\"blank\"></li>\n"),
                None => {
                    let _ = writeln!(html, "<li>{}</li>", escape(&line.text));
                }
            }
        }
        html.push_str("</ol>\n");
        if page.lines_left_out > 0 {
            let _ = writeln!(html, "<p class=\"note\">{} more lines not shown.</p>", page.lines_left_out);
        }
        html.push_str("</section>\n");
    }
    html.push_str("</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(name: &str, dropped: u64, lines: usize) -> Page {
        Page {
            loss: Loss {
                name: name.to_string(),
                lines_in: 10,
                lines_dropped: dropped,
                bytes_in: 100,
                bytes_dropped: dropped * 10,
                shown_at: None,
            },
            lines: (0..lines).map(|i| ShownLine { text: format!("line {i}"), dropped_by: None }).collect(),
            lines_left_out: 0,
        }
    }

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("<b a=\"1\" c='2'>&</b>\u{0}"),
            "&lt;b a=&quot;1&quot; c=&#39;2&#39;&gt;&amp;&lt;/b&gt;\u{FFFD}"
        );
    }

    #[test]
    fn pages_shown_and_losers_stay_bounded_and_ordered_across_merges() {
        let mut first = PageSet::default();
        let mut second = PageSet::default();
        for i in 0..MAX_PAGES_SHOWN {
            first.add(page(&format!("a{i}"), (i % 7) as u64, 3));
            second.add(page(&format!("b{i}"), 9, 3));
        }
        first.merge(second);
        assert_eq!(first.pages, 2 * MAX_PAGES_SHOWN as u64);
        assert_eq!(first.shown.len(), MAX_PAGES_SHOWN);
        assert!(first.shown.iter().all(|p| p.loss.name.starts_with('a')));
        assert_eq!(first.losers.len(), MAX_LOSERS);
        // Every loser lost 9 lines and is a page of the second set, none of which is shown.
        assert!(first.losers.iter().all(|l| l.lines_dropped == 9 && l.shown_at.is_none()), "{:?}", first.losers.len());
        assert_eq!(first.losers[0].name, "b0");
    }

    #[test]
    fn lines_shown_are_bounded_per_page_and_in_all() {
        let mut collector = PageCollector::new(true);
        for document in 1..=30 {
            collector.start("big.txt", None);
            for line_number in 1..=1_200 {
                let record = LineRecord {
                    document,
                    line_number,
                    text: "A line.",
                    original: "A line.",
                    dropped_by: None,
                    score: None,
                    features: None,
                    repaired: false,
                    continues: false,
                };
                collector.line(&record).unwrap();
            }
            collector.end_document(true).unwrap();
        }
        let pages = collector.into_pages();
        assert_eq!(pages.pages, 30);
        assert_eq!(pages.shown.len(), MAX_LINES_SHOWN / MAX_LINES_PER_PAGE);
        assert!(pages.shown.iter().all(|p| p.lines.len() == MAX_LINES_PER_PAGE && p.lines_left_out == 200));
        assert_eq!(pages.lines_shown, MAX_LINES_SHOWN);
        assert_eq!(pages.shown[1].loss.name, "big.txt (document 2)");
    }

    #[test]
    fn losers_link_to_the_pages_shown() {
        let mut first = PageSet::default();
        first.add(page("a", 1, 2));
        let mut second = PageSet::default();
        second.add(page("b", 5, 2));
        first.merge(second);
        let names: Vec<(&str, Option<usize>)> = first.losers.iter().map(|l| (l.name.as_str(), l.shown_at)).collect();
        assert_eq!(names, [("b", Some(1)), ("a", Some(0))]);
    }
}
