"""The package gives the command's output, option by option, on the real pages and seeds."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

import dechrome
from conftest import REPO, cli_clean_jsonl, real_pages, run_cli

MODEL = REPO / "crates" / "dechrome" / "data" / "model" / "lines.json"
EXTRA_RULES = """
[[rule]]
id = "promo"
category = "promo"
exact = "Get the app"

[[rule]]
id = "related-lead"
category = "related"
regex = "(?i)^(related|more from|read more)\\\\b"
"""

# (command-line options, the same as Cleaner keyword arguments)
OPTIONS: list[tuple[list[str], dict[str, Any]]] = [
    ([], {}),
    (["--keep-quotes"], {"keep_quotes": True}),
    (["--ascii-punct"], {"ascii_punct": True}),
    (["--nfkc"], {"nfkc": True}),
    (["--keep-duplicates"], {"keep_duplicates": True}),
    (["--keep-mojibake"], {"keep_mojibake": True}),
    (["--keep-entities"], {"keep_entities": True}),
    (["--header-lines", "3"], {"header_lines": 3}),
    (["--footer-lines", "0"], {"footer_lines": 0}),
    (["--max-line-bytes", "120"], {"max_line_bytes": 120}),
    (["--no-classifier"], {"classifier": False}),
    (["--no-default-rules"], {"default_rules": False}),
    (["--disable", "ads", "--disable", "share"], {"disable": ["ads", "share"]}),
    (["--rules", "RULES"], {"rules": "RULES"}),
    (["--no-default-rules", "--rules", "RULES", "--no-classifier"], {"default_rules": False, "rules": "RULES", "classifier": False}),
    (["--model", str(MODEL)], {"model": "MODEL"}),
    (["-j", "1", "--keep-quotes", "--ascii-punct", "--nfkc"], {"threads": 1, "keep_quotes": True, "ascii_punct": True, "nfkc": True}),
]


def build(tmp_path: Path, cli: list[str], options: dict[str, Any]) -> tuple[list[str], dechrome.Cleaner]:
    rules = tmp_path / "extra.toml"
    rules.write_text(EXTRA_RULES)
    cli = [str(rules) if arg == "RULES" else arg for arg in cli]
    options = dict(options)
    rule_files = [rules] if options.pop("rules", None) else []
    model_file = MODEL if options.pop("model", None) else None
    return cli, dechrome.Cleaner.from_rule_files(rule_files, model_file=model_file, **options)


@pytest.mark.parametrize(("cli", "options"), OPTIONS, ids=lambda o: " ".join(o) if isinstance(o, list) else None)
def test_same_output_as_the_command(
    pages: list[str], dechrome_bin: Path, tmp_path: Path, cli: list[str], options: dict[str, Any]
) -> None:
    cli, cleaner = build(tmp_path, cli, options)
    expected = cli_clean_jsonl(dechrome_bin, pages, tmp_path, *cli)
    got = cleaner.clean_batch(pages, threads=2)
    differ = [i for i, (a, b) in enumerate(zip(got, expected)) if a != b]
    assert len(got) == len(expected) and not differ, f"{len(differ)} pages differ, first: {differ[:3]}"


def test_options_change_the_output(pages: list[str]) -> None:
    """Each option set above changes something on these pages, so the parity checks it."""
    default = dechrome.Cleaner().clean_batch(pages)
    for cli, options in OPTIONS[1:]:
        if "rules" in options or "model" in options or "threads" in options:
            continue
        assert dechrome.Cleaner(**options).clean_batch(pages) != default, cli


def test_files_cleaned_as_by_the_command(dechrome_bin: Path) -> None:
    paths = real_pages()[::9]
    if not paths:
        pytest.skip("no real pages")
    cleaner = dechrome.Cleaner()
    for path in paths:
        done = run_cli(dechrome_bin, path)
        assert done.returncode == 0, done.stderr.decode()
        assert cleaner.clean(path.read_bytes()) == done.stdout.decode("utf-8"), path.name


@pytest.mark.parametrize(("source", "target"), [("in.jsonl", "out.jsonl"), ("in.jsonl.gz", "out.jsonl.gz"), ("in.jsonl.gz", "out.jsonl"), ("in.jsonl", "out.jsonl.gz")])
def test_clean_jsonl_writes_the_commands_bytes(
    pages: list[str], dechrome_bin: Path, tmp_path: Path, source: str, target: str
) -> None:
    lines = "".join(json.dumps({"id": i, "text": t, "meta": {"n": [i, None]}}) + "\n" for i, t in enumerate(pages))
    raw = lines.encode()
    src = tmp_path / source
    src.write_bytes(gzip.compress(raw) if source.endswith(".gz") else raw)
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    ours, theirs = tmp_path / "ours" / target, tmp_path / "theirs" / target
    stats = dechrome.Cleaner(keep_quotes=True).clean_jsonl(src, ours, threads=2)
    done = run_cli(dechrome_bin, "--keep-quotes", src, "-o", theirs)
    assert done.returncode == 0, done.stderr.decode()
    compressed = ours.read_bytes()[:2] == b"\x1f\x8b"
    assert compressed == target.endswith(".gz") == (theirs.read_bytes()[:2] == b"\x1f\x8b")
    read = gzip.decompress if compressed else (lambda b: b)
    assert read(ours.read_bytes()) == read(theirs.read_bytes())
    assert stats["records"] == stats["written"] == len(pages)
    assert stats["input_bytes"] == len(raw)
    assert stats["text"]["dropped_lines"] > 0


def test_clean_jsonl_other_key_and_drop_empty(dechrome_bin: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"body": "Advertisement"}\n{"body": "Stocks rose on Monday."}\n')
    ours, theirs = tmp_path / "ours.jsonl", tmp_path / "theirs.jsonl"
    stats = dechrome.Cleaner().clean_jsonl(src, ours, text_key="body", drop_empty=True)
    done = run_cli(dechrome_bin, "--text-key", "body", "--drop-empty", src, "-o", theirs)
    assert done.returncode == 0, done.stderr.decode()
    assert ours.read_bytes() == theirs.read_bytes() == b'{"body": "Stocks rose on Monday."}\n'
    assert stats["dropped_empty"] == 1


def explain_line(line: dict[str, Any]) -> str:
    """A line of `--explain` made from one of `explain`'s records (the text column aside)."""
    decision = {"drop": f"drop {line['reason']} ({line['category']})", "blank": "blank", "keep": "keep"}[line["decision"]]
    if line["score"] is not None:
        decision += f" {line['score']:.2f}"
    if line["repaired"]:
        decision += " repaired"
    return f"{line['document']}:{line['line']}\t{decision:<40}"


def test_explain_gives_the_commands_decisions(dechrome_bin: Path) -> None:
    paths = real_pages()[::7]
    if not paths:
        pytest.skip("no real pages")
    cleaner = dechrome.Cleaner()
    drops = 0
    for path in paths:
        done = run_cli(dechrome_bin, "--explain", path)
        assert done.returncode == 0, done.stderr.decode()
        theirs = [line.rsplit("\t", 1)[0] for line in done.stdout.decode().splitlines()]
        ours = cleaner.explain(path.read_bytes())
        assert [explain_line(line) for line in ours] == theirs, path.name
        drops += sum(line["decision"] == "drop" for line in ours)
    assert drops > 100
