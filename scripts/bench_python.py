#!/usr/bin/env python3
"""Speed of dechrome from Python against the command and the Python cleaners people run today.

The same JSON Lines records (default: 100 MB made by ../shared/tools/make_corpus.py) are cleaned
by: the `dechrome` command (JSONL mode); `Cleaner.clean_jsonl`; `Cleaner.clean_batch` on the
texts; `Cleaner.clean_arrow` on a pyarrow array of them; the datatrove step; and datatrove's
FTFYFormatter and C4 line filter (C4QualityFilter without its sentence count, which needs
NLTK data). Prints MB/s (of JSONL input, wall time) and CPU seconds for each.

Loading the records into Python (for clean_batch, clean_arrow and the datatrove steps) is timed
apart: it is the same for every method that needs it.

    python scripts/bench_python.py --mb 100 --threads 2
    python scripts/bench_python.py --input corpus.jsonl --skip ftfy
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(run: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = run()
    return time.perf_counter() - wall, cpu_seconds() - cpu, result


def find_command() -> str:
    for profile in ("release", "ci"):
        candidate = REPO / "target" / profile / "dechrome"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("dechrome")
    if not found:
        sys.exit("build the command first: cargo build --release")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, help="a JSONL file (default: made with make_corpus.py)")
    parser.add_argument("--mb", type=int, default=100, help="size of the corpus to make")
    parser.add_argument("--threads", type=int, default=2, help="threads of the command and the batch calls")
    parser.add_argument("--command", default=None, help="the dechrome command (default: target/release/dechrome)")
    parser.add_argument("--skip", action="append", default=[], help="leave out a method (cli, jsonl, batch, arrow, datatrove, ftfy, c4)")
    args = parser.parse_args()

    import dechrome

    workdir = Path(tempfile.mkdtemp(prefix="dechrome-bench-"))
    try:
        source = args.input
        if source is None:
            make = REPO.parent / "shared" / "tools" / "make_corpus.py"
            source = workdir / "corpus.jsonl"
            subprocess.run([sys.executable, str(make), "jsonl", "--mb", str(args.mb), "-o", str(source), "--no-compress"], check=True)
        size_mb = source.stat().st_size / 1e6
        command = args.command or find_command()
        rows: list[tuple[str, int, float, float]] = []

        def record(name: str, threads: int, run: Callable[[], object]) -> object:
            wall, cpu, result = measure(run)
            rows.append((name, threads, wall, cpu))
            print(f"  {name}: {wall:.2f} s", file=sys.stderr, flush=True)
            return result

        cleaner = dechrome.Cleaner()  # compiled here, outside the timings
        if "cli" not in args.skip:
            out = workdir / "cli.jsonl"
            for threads in sorted({1, args.threads}):
                record("dechrome command", threads, lambda: subprocess.run(
                    [command, "-j", str(threads), "--format", "jsonl", str(source), "-o", str(out)], check=True))
        if "jsonl" not in args.skip:
            for threads in sorted({1, args.threads}):
                record("Cleaner.clean_jsonl", threads, lambda: cleaner.clean_jsonl(source, workdir / "py.jsonl", threads=threads))

        wall, cpu, texts = measure(lambda: [json.loads(line)["text"] for line in source.open(encoding="utf-8")])
        print(f"loading the records with json.loads: {wall:.2f} s wall, {cpu:.2f} s CPU", file=sys.stderr)
        if "batch" not in args.skip:
            for threads in sorted({1, args.threads}):
                record("Cleaner.clean_batch", threads, lambda: cleaner.clean_batch(texts, threads=threads))
        if "arrow" not in args.skip:
            import pyarrow

            array = pyarrow.array(texts, type=pyarrow.large_string())
            for threads in sorted({1, args.threads}):
                record("Cleaner.clean_arrow", threads, lambda: cleaner.clean_arrow(array, threads=threads))

        def documents():
            from datatrove.data import Document

            return [Document(text=text, id=str(i)) for i, text in enumerate(texts)]

        def run_step(name: str, step) -> None:
            # Steps change their documents: each gets its own, made outside the timing.
            docs = documents()
            record(name, 1, lambda: sum(1 for _ in step.run(iter(docs))))

        if "datatrove" not in args.skip:
            from dechrome.datatrove import DechromeFormatter

            run_step("datatrove DechromeFormatter", DechromeFormatter(cleaner))
        if "c4" not in args.skip:
            from datatrove.pipeline.filters import C4QualityFilter

            run_step("datatrove C4QualityFilter (lines)", C4QualityFilter(min_num_sentences=-1))
        if "ftfy" not in args.skip:
            from datatrove.pipeline.formatters import FTFYFormatter

            run_step("datatrove FTFYFormatter", FTFYFormatter())

        print(f"\n{size_mb:.0f} MB of JSONL ({len(texts)} records), {os.cpu_count()} cores\n")
        print(f"| {'method':<34} | threads | wall s | CPU s | MB/s (wall) | MB per CPU s |")
        print(f"| {'-' * 34} | ------: | -----: | ----: | ----------: | -----------: |")
        for name, threads, wall, cpu in rows:
            print(f"| {name:<34} | {threads:>7} | {wall:>6.2f} | {cpu:>5.2f} | {size_mb / wall:>11.1f} | {size_mb / cpu:>12.1f} |")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
