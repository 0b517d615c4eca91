"""Shared test inputs: the repository's fixtures, the real pages and seeds beside the repository
(`../shared`, skipped when absent), and the `dechrome` command to compare with."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "fixtures"
SHARED = Path(os.environ.get("DECHROME_SHARED", REPO.parent / "shared"))
PAGES = SHARED / "data" / "aeb-dev"
SEEDS = SHARED / "seeds"
MAKE_CORPUS = SHARED / "tools" / "make_corpus.py"
FTFY_CASES = SHARED / "data" / "ftfy-cases"


def fixture_cases() -> list[Path]:
    return sorted(d for d in FIXTURES.iterdir() if (d / "expected.txt").exists())


def real_pages() -> list[Path]:
    """The aeb-dev pages (their gold files too: more text to compare on) and the seeds."""
    return sorted(PAGES.glob("*.txt")) + sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def pages() -> list[str]:
    """The real pages and seeds, then ftfy's test cases (mojibake, HTML references) as
    documents of a line each, since the pages have little of either."""
    paths = real_pages()
    if not paths:
        pytest.skip(f"no real pages under {SHARED}")
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in paths]
    for cases in sorted(FTFY_CASES.glob("*.json")):
        texts += [case["original"] for case in json.loads(cases.read_text(encoding="utf-8")) if "original" in case]
    return texts


@pytest.fixture(scope="session")
def documents() -> list[str]:
    """The fixtures' inputs, and the real pages when they are there."""
    texts = [(case / "input.txt").read_bytes().decode("utf-8", errors="replace") for case in fixture_cases()]
    return texts + [p.read_bytes().decode("utf-8", errors="replace") for p in real_pages()]


@pytest.fixture(scope="session")
def dechrome_bin() -> Path:
    """The command built by `cargo test --profile ci` or `cargo build` (DECHROME_BIN names another)."""
    named = os.environ.get("DECHROME_BIN")
    candidates = [Path(named)] if named else [REPO / "target" / p / "dechrome" for p in ("ci", "release", "debug")]
    found = [c for c in candidates if c.is_file()]
    if not found:
        on_path = shutil.which("dechrome")
        if on_path is None:
            pytest.fail(f"the dechrome command is needed to compare with; build it (cargo build) or set DECHROME_BIN")
        return Path(on_path)
    # The newest build is the one of this tree.
    return max(found, key=lambda c: c.stat().st_mtime)


def run_cli(dechrome_bin: Path, *args: str | os.PathLike[str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(dechrome_bin), *map(str, args)], input=stdin, capture_output=True, check=False)


def cli_clean_jsonl(dechrome_bin: Path, texts: list[str], tmp_path: Path, *cli_args: str) -> list[str]:
    """The command's output for each text, through its JSONL mode (one process for all)."""
    src, dst = tmp_path / "cli-in.jsonl", tmp_path / "cli-out.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"id": i, "text": text}) + "\n")
    done = run_cli(dechrome_bin, *cli_args, "--format", "jsonl", src, "-o", dst)
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line)["text"] for line in dst.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 23 MB of JSON Lines pages (5,000+ records) made by the shared corpus tool."""
    if not MAKE_CORPUS.exists():
        pytest.skip(f"no corpus tool at {MAKE_CORPUS}")
    out = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    import sys

    subprocess.run([sys.executable, str(MAKE_CORPUS), "jsonl", "--mb", "23", "-o", str(out), "--no-compress"], check=True, capture_output=True)
    return out
