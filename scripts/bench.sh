#!/usr/bin/env bash
# Whole-process throughput: dechrome vs `rg -v -x -F -f PHRASES` vs `cat`, stdin to a pipe,
# measured side by side in one run with hyperfine on two corpora (synthetic pages from the seeds,
# and the real development pages repeated), with CPU time, start-up, and peak RSS.
#
# Usage: scripts/bench.sh [MB]        (default 100; needs ../shared/tools/make_corpus.py)
# Installs hyperfine, ripgrep and time from Debian's packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-100}
WORK=${BENCH_DIR:-/tmp/dechrome-bench}
mkdir -p "$WORK"

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v rg >/dev/null || need+=(ripgrep)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${need[@]}"
fi

cargo build --release --quiet
BIN=$PWD/target/release/dechrome
CORPUS=$WORK/big-$MB.txt
[ -f "$CORPUS" ] || python3 ../shared/tools/make_corpus.py big --mb "$MB" -o "$CORPUS" >/dev/null
[ -f "$WORK/chrome_phrases.txt" ] || python3 ../shared/tools/make_corpus.py rules --out-dir "$WORK" >/dev/null
PHRASES=$WORK/chrome_phrases.txt
BYTES=$(stat -c %s "$CORPUS")
# The same corpus with Latin letters transliterated to Cyrillic: non-Latin text, two bytes per
# letter (MB/s counts bytes, so the speeds compare).
CYRILLIC=$WORK/big-$MB-cyrillic.txt
[ -f "$CYRILLIC" ] || python3 - "$CORPUS" "$CYRILLIC" <<'PY'
import sys
latin = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
cyrillic = "абцдефгхийклмнопярстувшхызАБЦДЕФГХИЙКЛМНОПЯРСТУВШХЫЗ"
table = str.maketrans(latin, cyrillic)
with open(sys.argv[1], encoding="utf-8", errors="surrogateescape", newline="") as src, \
        open(sys.argv[2], "w", encoding="utf-8", errors="surrogateescape", newline="") as dst:
    for line in src:
        dst.write(line.translate(table))
PY
CYRILLIC_BYTES=$(stat -c %s "$CYRILLIC")

# Real pages: the development pages (whole-page text, mostly short lines) repeated to the same
# size, a form-feed line between documents.
REAL=$WORK/aeb-$MB.txt
[ -f "$REAL" ] || python3 - "$MB" "$REAL" <<'PY'
import pathlib, sys
pages = sorted(p for p in pathlib.Path("../shared/data/aeb-dev").glob("*.txt") if not p.name.endswith(".gold.txt"))
if not pages:
    sys.exit("../shared/data/aeb-dev holds no pages")
one = b"".join(p.read_bytes().rstrip(b"\n") + b"\n\f\n" for p in pages)
with open(sys.argv[2], "wb") as out:
    out.write(one * (int(sys.argv[1]) * 1_000_000 // len(one) + 1))
PY
REAL_BYTES=$(stat -c %s "$REAL")

hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$WORK/hyperfine.json" \
    -n dechrome "$BIN < $CORPUS | cat > /dev/null" \
    -n dechrome-j1 "$BIN -j1 < $CORPUS | cat > /dev/null" \
    -n dechrome-cyrillic "$BIN < $CYRILLIC | cat > /dev/null" \
    -n rg "rg -v -x -F -f $PHRASES < $CORPUS | cat > /dev/null" \
    -n cat "cat < $CORPUS | cat > /dev/null" \
    -n real:dechrome "$BIN < $REAL | cat > /dev/null" \
    -n real:dechrome-j1 "$BIN -j1 < $REAL | cat > /dev/null" \
    -n real:dechrome-rules-only "$BIN --no-classifier < $REAL | cat > /dev/null" \
    -n real:rg "rg -v -x -F -f $PHRASES < $REAL | cat > /dev/null" \
    -n real:cat "cat < $REAL | cat > /dev/null" \
    -n start-up "$BIN < /dev/null"

python3 - "$WORK/hyperfine.json" "$BYTES" "$CYRILLIC_BYTES" "$REAL_BYTES" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
sizes = {"": int(sys.argv[2]), "cyrillic": int(sys.argv[3]), "real": int(sys.argv[4])}
print(f"\n{'command':<26} {'median s':>9} {'CPU s':>7} {'MB/s':>8} {'vs rg':>7} {'CPU vs rg':>10} {'vs cat':>7}")
for name, r in results.items():
    if name == "start-up":
        continue
    corpus = "real" if name.startswith("real:") else "cyrillic" if name.endswith("cyrillic") else ""
    rg = results["real:rg" if corpus == "real" else "rg"]
    cat = results["real:cat" if corpus == "real" else "cat"]
    # CPU of the whole shell pipeline (the command and the `cat` draining it): means of the runs.
    cpu = lambda r: r["user"] + r["system"]
    t = r["median"]
    print(f"{name:<26} {t:>9.3f} {cpu(r):>7.2f} {sizes[corpus] / 1e6 / t:>8.1f} {t / rg['median']:>7.2f} "
          f"{cpu(r) / cpu(rg):>10.2f} {t / cat['median']:>7.2f}")
print(f"\nstart-up (empty input): {results['start-up']['median'] * 1000:.1f} ms")
latin = sizes[""] / results["dechrome"]["median"]
print(f"non-Latin speed / Latin speed: {sizes['cyrillic'] / results['dechrome-cyrillic']['median'] / latin:.2f}")
PY

echo
peak_rss() { # LABEL COMMAND...: runs COMMAND on stdin, prints its peak RSS in KiB
    local label=$1
    shift
    /usr/bin/time -f "%M" -o "$WORK/time.txt" "$@" > /dev/null
    echo "$label peak RSS: $(cat "$WORK/time.txt") KiB (target 16384)"
}
peak_rss "$(basename "$CORPUS")" "$BIN" < "$CORPUS"
peak_rss "$(basename "$CYRILLIC")" "$BIN" < "$CYRILLIC"
peak_rss "$(basename "$CORPUS") -j1" "$BIN" -j1 < "$CORPUS"
peak_rss "$(basename "$REAL")" "$BIN" < "$REAL"
# Ten copies of the corpus through a pipe: memory must not grow with the input.
for _ in $(seq 10); do cat "$CORPUS"; done | peak_rss "$((BYTES * 10 / 1000000)) MB stream" "$BIN"
