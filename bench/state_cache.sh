#!/usr/bin/env bash
# bench/state_cache.sh — what the sweeps' state cache (fuzz/state_cache.h)
# buys, each figure with the cache and without it (--no-state-cache) in turn
# in one run (the machine is shared and noisy: compare within a run):
#   1. bench/engine.sh's program16, depth 1 (trials covered per second,
#      pruned ones included, and the pruned share);
#   2. reentry sweep --depth 2 of corpus/text/nolock/basic.txt;
#   3. reentry verify -j 2 over the whole corpus at depth 1.
# Under the test preset (ASan+UBSan, boundary instrumentation).
# Usage: bench/state_cache.sh
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
'') ;;
*) echo "usage: bench/state_cache.sh" >&2; exit 2 ;;
esac
cmake --preset test >/dev/null
cmake --build --preset test --target reentry reentry_bench_engine >/dev/null
r=$PWD/build/test/reentry
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

echo "== 1. program16, depth 1 (bench/bench_engine.c)"
build/test/reentry_bench_engine | grep '^sweep of'

echo "== 2. reentry sweep --depth 2 corpus/text/nolock/basic.txt"
for flag in "" --no-state-cache; do
	t0=$(now)
	"$r" sweep --depth 2 $flag corpus/text/nolock/basic.txt >"$work/sweep.txt"
	t1=$(now)
	printf '%-18s %6.2f s  %s; %s\n' "${flag:-state cache}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		"$(grep '^summary' "$work/sweep.txt" | sed 's/^summary  //')" \
		"$(grep '^pruned' "$work/sweep.txt" | sed 's/^pruned   //; s/:.*//' || echo 'none pruned')"
done

echo "== 3. reentry verify -j 2, the whole corpus, depth 1"
for flag in "" --no-state-cache; do
	t0=$(now)
	(cd "$work" && "$r" verify -j 2 -o out $flag >verify.txt) || true
	t1=$(now)
	printf '%-18s %6.2f s  %s\n' "${flag:-state cache}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		"$(grep -E '^(pruned|verdict)' "$work/verify.txt" | sed 's/:.*//' | paste -sd';')"
done
