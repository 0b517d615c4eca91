#!/usr/bin/env bash
# Directory-mode and JSONL throughput: -j 2 vs -j 1, against `cp -r`, and JSONL vs plain text.
# Usage: scripts/bench_batch.sh [WORKDIR]   (default /tmp/dechrome-bench; needs hyperfine)
# Set TREE_FILES / MB to change the corpus sizes, RUNS the runs per directory-mode command.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/dechrome-bench}
TREE_FILES=${TREE_FILES:-5000}
MB=${MB:-100}
MAKE=../shared/tools/make_corpus.py
BIN=$PWD/target/release/dechrome

cargo build --release --quiet
mkdir -p "$WORK"
[ -d "$WORK/tree" ] || python3 "$MAKE" tree --files "$TREE_FILES" -o "$WORK/tree" >/dev/null
[ -f "$WORK/c.jsonl" ] || python3 "$MAKE" jsonl --mb "$MB" -o "$WORK/c.jsonl" >/dev/null
# The same documents as plain text: each record's text, documents separated by form-feed lines.
[ -f "$WORK/c.plain.txt" ] || python3 - "$WORK/c.jsonl" "$WORK/c.plain.txt" <<'PY'
import json, sys
with open(sys.argv[1], "rb") as f, open(sys.argv[2], "w", encoding="utf-8", newline="") as out:
    for i, line in enumerate(f):
        text = json.loads(line)["text"]
        out.write(("\f\n" if i else "") + (text if text.endswith("\n") else text + "\n"))
PY

echo "== directory mode, $TREE_FILES files, on the disk of $WORK"
hyperfine -N -w 2 -r "${RUNS:-10}" --prepare "rm -rf $WORK/out" \
    "$BIN $WORK/tree -o $WORK/out -j 1" \
    "$BIN $WORK/tree -o $WORK/out -j 2" \
    "cp -r $WORK/tree $WORK/out"

# The same on tmpfs, where file creation costs little and cleaning dominates.
if [ -d /dev/shm ]; then
    SHM=$(mktemp -d /dev/shm/dechrome-bench.XXXXXX)
    trap 'rm -rf "$SHM"' EXIT
    cp -r "$WORK/tree" "$SHM/tree"
    echo "== directory mode on tmpfs"
    hyperfine -N -w 2 -r "${RUNS:-10}" --prepare "rm -rf $SHM/out" \
        "$BIN $SHM/tree -o $SHM/out -j 1" \
        "$BIN $SHM/tree -o $SHM/out -j 2" \
        "cp -r $SHM/tree $SHM/out"
fi

echo "== JSONL vs plain text, the same documents (compare times, or MB/s = size / time)"
ls -l "$WORK/c.plain.txt" "$WORK/c.jsonl" "$WORK/c.jsonl.gz" "$WORK/c.jsonl.zst"
hyperfine -N -w 1 -r 5 \
    "$BIN $WORK/c.plain.txt -o $WORK/plain.out" \
    "$BIN $WORK/c.jsonl -o $WORK/c.out.jsonl" \
    "$BIN $WORK/c.jsonl.gz -o $WORK/c.out.jsonl.gz" \
    "$BIN $WORK/c.jsonl.zst -o $WORK/c.out.jsonl.zst"
