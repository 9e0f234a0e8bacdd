#!/usr/bin/env bash
# bench/heatmap.sh — how long `reentry heatmap` takes on a corpus (test
# preset: ASan+UBSan and the boundary instrumentation, which the heatmap
# needs for its symbolizer), swept (the default) and replayed, beside
# `reentry sweep` of each input in turn (one process per input): what
# watching every boundary and writing the page add to the sweeps.
# Usage: bench/heatmap.sh [CORPUS_DIR]   (default corpus/nolock)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-corpus/nolock}
cmake --preset test >/dev/null
cmake --build --preset test --target reentry >/dev/null
r=build/test/reentry
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

t0=$(now)
for f in "$corpus"/*; do
	[ -f "$f" ] && { "$r" sweep "$f" >/dev/null || true; }
done
t1=$(now)
"$r" heatmap "$corpus" -o "$work/swept" >"$work/swept.txt" || true
t2=$(now)
"$r" heatmap "$corpus" -o "$work/replayed" --replay >"$work/replayed.txt" || true
t3=$(now)
echo "corpus:                 $corpus ($(find "$corpus" -maxdepth 1 -type f | wc -l) inputs)"
echo "reentry sweep of each:  $(secs "$t0" "$t1") s"
echo "reentry heatmap:        $(secs "$t1" "$t2") s  ($(head -1 "$work/swept.txt" | sed 's/^heatmap *//'))"
echo "reentry heatmap --replay: $(secs "$t2" "$t3") s"
echo "page:                   $(wc -c <"$work/swept/index.html") bytes"
