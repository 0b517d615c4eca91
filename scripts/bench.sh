#!/usr/bin/env bash
# Whole-process throughput: dechrome vs `rg -v -x -F -f PHRASES` vs `cat`, stdin to a pipe,
# measured side by side in one run with hyperfine, plus peak RSS from /usr/bin/time -v.
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

hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$WORK/hyperfine.json" \
    -n dechrome "$BIN < $CORPUS | cat > /dev/null" \
    -n dechrome-cyrillic "$BIN < $CYRILLIC | cat > /dev/null" \
    -n rg "rg -v -x -F -f $PHRASES < $CORPUS | cat > /dev/null" \
    -n cat "cat < $CORPUS | cat > /dev/null"

python3 - "$WORK/hyperfine.json" "$BYTES" "$CYRILLIC_BYTES" <<'PY'
import json, sys
runs = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
mb = {name: int(sys.argv[3 if name == "dechrome-cyrillic" else 2]) / 1e6 for name in runs}
print(f"\n{'command':<18} {'median s':>9} {'MB/s':>8} {'vs rg':>7} {'vs cat':>7}")
for name, t in runs.items():
    print(f"{name:<18} {t:>9.3f} {mb[name] / t:>8.1f} {t / runs['rg']:>7.2f} {t / runs['cat']:>7.2f}")
latin = mb["dechrome"] / runs["dechrome"]
print(f"\nnon-Latin speed / Latin speed: {mb['dechrome-cyrillic'] / runs['dechrome-cyrillic'] / latin:.2f}")
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
# Ten copies of the corpus through a pipe: memory must not grow with the input.
for _ in $(seq 10); do cat "$CORPUS"; done | peak_rss "$((BYTES * 10 / 1000000)) MB stream" "$BIN"
