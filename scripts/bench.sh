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

hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$WORK/hyperfine.json" \
    -n dechrome "$BIN < $CORPUS | cat > /dev/null" \
    -n rg "rg -v -x -F -f $PHRASES < $CORPUS | cat > /dev/null" \
    -n cat "cat < $CORPUS | cat > /dev/null"

python3 - "$WORK/hyperfine.json" "$BYTES" <<'PY'
import json, sys
runs = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
mb = int(sys.argv[2]) / 1e6
print(f"\n{'command':<10} {'median s':>9} {'MB/s':>8} {'vs rg':>7} {'vs cat':>7}")
for name, t in runs.items():
    print(f"{name:<10} {t:>9.3f} {mb / t:>8.1f} {t / runs['rg']:>7.2f} {t / runs['cat']:>7.2f}")
PY

echo
/usr/bin/time -v "$BIN" < "$CORPUS" 2> "$WORK/time.txt" > /dev/null
grep -E "Maximum resident set size" "$WORK/time.txt" | sed 's/^\s*/dechrome peak RSS: /'
