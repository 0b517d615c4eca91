#!/usr/bin/env python3
"""Check that dechrome drops exactly the expected lines in the seed pages and keeps the
prose-safety fixture intact (Python 3.11, stdlib only).

Usage (from the repository root):
    python3 scripts/check_seeds.py [--bin target/release/dechrome] [--rules rules/default.toml]
        [--seeds ../shared/seeds]

--rules loads the pack at run time (`--no-default-rules --rules FILE`), so a pack can be
checked before rebuilding. Exit status 1 on any difference.
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# seed prefix -> (line numbers that must drop, line numbers that may drop)
EXPECTED = {
    "000": ({1, 3, 7, 8, 10, 12, 26, 27, 29, 31, 43, 44, 46, 48, 60, 62, 64}, set()),
    "001": ({1, 3, 7, 8, 21, 46, 49}, {45}),
    "002": ({1, 47}, set()),
    "003": ({5}, set()),
    "004": ({12, 23, 33, 35, 37}, set()),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target/release/dechrome"))
    ap.add_argument("--rules")
    ap.add_argument("--seeds", default=str(ROOT / "../shared/seeds"))
    args = ap.parse_args()
    base = [args.bin] + (["--no-default-rules", "--rules", args.rules] if args.rules else [])
    ok = True
    for seed in sorted(Path(args.seeds).glob("*.txt")):
        key = seed.name[:3]
        if key not in EXPECTED:
            print(f"?? no expectation for {seed.name}")
            continue
        must, may = EXPECTED[key]
        out = subprocess.run(base + ["--explain", str(seed)], capture_output=True, text=True, check=True).stdout
        dropped = {}
        for line in out.splitlines():
            m = re.match(r"\d+:(\d+)\tdrop (\S+)", line)
            if m:
                dropped[int(m.group(1))] = line
        missing = must - dropped.keys()
        extra = dropped.keys() - must - may
        for n in sorted(missing):
            ok = False
            print(f"{seed.name}: line {n} should drop but is kept")
        for n in sorted(extra):
            ok = False
            print(f"{seed.name}: unexpected drop: {dropped[n]}")
    fixture = ROOT / "fixtures/prose-safety"
    if (fixture / "input.txt").exists():
        out = subprocess.run(base + [str(fixture / "input.txt")], capture_output=True, text=True, check=True).stdout
        expected = (fixture / "expected.txt").read_text(encoding="utf-8")
        if out != expected:
            ok = False
            print("prose-safety: output differs from expected.txt")
            exp_lines = set(expected.splitlines())
            for line in expected.splitlines():
                if line and line not in out.splitlines():
                    print(f"  dropped/changed: {line}")
            for line in out.splitlines():
                if line not in exp_lines:
                    print(f"  unexpected: {line}")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
