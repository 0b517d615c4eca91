#!/usr/bin/env python3
"""Score dechrome's boilerplate removal on the aeb-dev pages (Python 3.11, stdlib only).

Usage (from the repository root):

    cargo build --release
    python3 scripts/eval_quality.py                       # overall P/R/F1 + no-cleaning baseline
    python3 scripts/eval_quality.py --worst 10            # pages with most gold shingles dropped
    python3 scripts/eval_quality.py --lost                # gold lines dechrome dropped, per page
    python3 scripts/eval_quality.py --rule-stats          # per rule: lines dropped, gold lines hit
    python3 scripts/eval_quality.py --rules rules/default.toml   # load the pack at run time
                                                          # (no rebuild needed while tuning)

Options:
    --bin PATH        dechrome binary (default target/release/dechrome)
    --data DIR        data directory (default ../shared/data/aeb-dev, relative to the repo root)
    --rules FILE      run with `--no-default-rules --rules FILE` instead of the built-in pack
    --disable X       pass `--disable X` to dechrome (repeatable)
    --flag FLAG       pass FLAG to dechrome (repeatable), e.g. --flag=--no-classifier or
                      --flag=--model=FILE.json
    --page ID         only pages whose id starts with ID (repeatable)
    --worst N         list the N pages with the most gold shingles lost to dechrome
    --lost            print, per page, the dropped lines that are present in the gold text
    --rule-stats      per rule: dropped lines, of which present in gold, gold shingles lost
    --kept            print, per page, the kept lines that are not in the gold text (chrome left)
    -j N              parallel jobs (default: CPU count)

Scoring follows the data README (and the article-extraction-benchmark's evaluate.py): word
tokens (\\w+, Unicode), overlapping 4-token shingles as multisets, per-page TP/FP/FN normalised
to sum to 1, precision and recall averaged over pages, F1 of the averages.

"Lost" means: gold shingles present in the input but absent from dechrome's output, i.e. false
negatives caused by cleaning. A dropped line counts as "in gold" when its token sequence occurs
contiguously in the gold text's tokens.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

TOKEN_RE = re.compile(r"\w+", re.UNICODE)
REPO_ROOT = Path(__file__).resolve().parent.parent
csv.field_size_limit(sys.maxsize)


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text or "")


def shingles(text: str, n: int = 4) -> Counter:
    toks = tokens(text)
    out: Counter = Counter()
    for i in range(0, max(1, len(toks) - n + 1)):
        sh = tuple(toks[i : i + n])
        if sh:
            out[sh] += 1
    return out


def match(gold: Counter, pred: Counter) -> tuple[float, float, float]:
    tp = fp = fn = 0.0
    for key in gold.keys() | pred.keys():
        g, p = gold.get(key, 0), pred.get(key, 0)
        tp += min(g, p)
        fp += max(0, p - g)
        fn += max(0, g - p)
    s = tp + fp + fn
    if s > 0:
        tp, fp, fn = tp / s, fp / s, fn / s
    return tp, fp, fn


def precision_score(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall_score(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def metrics(tfns: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    p = statistics.mean([precision_score(*t) for t in tfns if t[0] + t[1] > 0] or [0.0])
    r = statistics.mean([recall_score(*t) for t in tfns if t[0] + t[2] > 0] or [0.0])
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


@dataclass
class Page:
    pid: str
    input_text: str
    gold_text: str
    output_text: str = ""
    rejects: list[dict] = field(default_factory=list)
    base: tuple = ()
    cleaned: tuple = ()
    lost: int = 0  # gold shingles in input but not in output
    gold_total: int = 0


def run_dechrome(args, page: Page, path: Path) -> None:
    with tempfile.NamedTemporaryFile("r", suffix=".tsv", delete=False) as tmp:
        rej_path = tmp.name
    cmd = [args.bin, "--rejects", rej_path]
    if args.rules:
        cmd += ["--no-default-rules", "--rules", args.rules]
    for d in args.disable:
        cmd += ["--disable", d]
    cmd += args.flag
    cmd.append(str(path))
    try:
        proc = subprocess.run(cmd, capture_output=True)
        if proc.returncode != 0:
            sys.exit(f"dechrome failed on {path}: {proc.stderr.decode(errors='replace')}")
        page.output_text = proc.stdout.decode("utf-8", errors="replace")
        with open(rej_path, encoding="utf-8", errors="replace", newline="") as f:
            for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) < 6 or row[0] == "source":
                    continue
                page.rejects.append(
                    {"line": row[2], "rule": row[3], "category": row[4], "text": "\t".join(row[5:])}
                )
    finally:
        os.unlink(rej_path)


def in_gold(line: str, gold_joined: str, min_tokens: int = 3) -> bool:
    """True when the line's tokens (at least `min_tokens` of them) occur contiguously in gold."""
    toks = tokens(line)
    if len(toks) < min_tokens:
        return False
    return f" {' '.join(toks)} " in gold_joined


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(REPO_ROOT / "target/release/dechrome"))
    ap.add_argument("--data", default=str(REPO_ROOT / "../shared/data/aeb-dev"))
    ap.add_argument("--rules", help="rule pack loaded at run time instead of the built-in one")
    ap.add_argument("--disable", action="append", default=[])
    ap.add_argument("--flag", action="append", default=[])
    ap.add_argument("--page", action="append", default=[])
    ap.add_argument("--worst", type=int, default=0)
    ap.add_argument("--lost", action="store_true")
    ap.add_argument("--kept", action="store_true")
    ap.add_argument("--rule-stats", action="store_true")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 4)
    args = ap.parse_args()

    data = Path(args.data)
    golds = sorted(data.glob("*.gold.txt"))
    if not golds:
        sys.exit(f"no *.gold.txt in {data}")
    pages: list[tuple[Page, Path]] = []
    for g in golds:
        pid = g.name[: -len(".gold.txt")]
        if args.page and not any(pid.startswith(p) for p in args.page):
            continue
        src = data / f"{pid}.txt"
        pages.append(
            (Page(pid, src.read_text(encoding="utf-8"), g.read_text(encoding="utf-8")), src)
        )

    with ThreadPoolExecutor(max_workers=args.j) as pool:
        list(pool.map(lambda pp: run_dechrome(args, *pp), pages))

    for page, _ in pages:
        gold = shingles(page.gold_text)
        inp = shingles(page.input_text)
        out = shingles(page.output_text)
        page.base = match(gold, inp)
        page.cleaned = match(gold, out)
        page.gold_total = sum(gold.values())
        # gold shingles the input has but the output lost
        page.lost = sum(
            max(0, min(c, inp.get(k, 0)) - min(c, out.get(k, 0))) for k, c in gold.items()
        )

    plist = [p for p, _ in pages]
    bp, br, bf = metrics([p.base for p in plist])
    cp, cr, cf = metrics([p.cleaned for p in plist])
    print(f"pages: {len(plist)}")
    print(f"baseline (no cleaning)  precision={bp:.4f}  recall={br:.4f}  F1={bf:.4f}")
    print(f"dechrome                precision={cp:.4f}  recall={cr:.4f}  F1={cf:.4f}")
    print(
        f"delta                   precision={cp - bp:+.4f}  recall={cr - br:+.4f}  F1={cf - bf:+.4f}"
    )
    lost_total = sum(p.lost for p in plist)
    gold_total = sum(p.gold_total for p in plist)
    print(f"gold shingles lost to cleaning: {lost_total} of {gold_total}")

    if args.worst:
        print(f"\nworst {args.worst} pages by gold shingles lost to cleaning:")
        ranked = sorted(plist, key=lambda p: (p.lost, p.lost / max(1, p.gold_total)), reverse=True)
        for p in ranked[: args.worst]:
            if p.lost == 0:
                break
            rules = Counter(
                r["rule"] for r in p.rejects if in_gold(r["text"], " " + " ".join(tokens(p.gold_text)) + " ")
            )
            print(
                f"  {p.pid}  lost={p.lost:5d} ({p.lost / max(1, p.gold_total):6.1%} of gold)"
                f"  recall {recall_score(*p.base):.3f} -> {recall_score(*p.cleaned):.3f}"
                f"  rules: {', '.join(f'{k}×{v}' for k, v in rules.most_common(5))}"
            )

    if args.lost:
        print("\ngold lines dropped by dechrome:")
        for p in plist:
            gj = " " + " ".join(tokens(p.gold_text)) + " "
            hits = [r for r in p.rejects if in_gold(r["text"], gj)]
            if not hits:
                continue
            print(f"== {p.pid}")
            for r in hits:
                print(f"  {r['line']:>5} {r['rule']:<28} {r['text'][:160]}")

    if args.rule_stats:
        dropped: Counter = Counter()
        gold_hits: Counter = Counter()
        for p in plist:
            gj = " " + " ".join(tokens(p.gold_text)) + " "
            for r in p.rejects:
                dropped[r["rule"]] += 1
                if in_gold(r["text"], gj):
                    gold_hits[r["rule"]] += 1
        print(f"\n{'rule':<32} {'dropped':>8} {'in gold':>8}")
        for rule, n in dropped.most_common():
            print(f"{rule:<32} {n:>8} {gold_hits[rule]:>8}")

    if args.kept:
        print("\nkept lines not in gold (chrome left):")
        for p in plist:
            gj = " " + " ".join(tokens(p.gold_text)) + " "
            left = [ln for ln in p.output_text.splitlines() if ln.strip() and not in_gold(ln, gj)]
            if left:
                print(f"== {p.pid}")
                for ln in left:
                    print(f"  {ln[:160]}")


if __name__ == "__main__":
    main()
