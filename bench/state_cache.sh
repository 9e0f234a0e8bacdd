#!/usr/bin/env bash
# bench/state_cache.sh — what the sweeps' state cache (fuzz/state_cache.h)
# and the write marks its restores and digests use (inject/write_marks.h)
# buy, each figure with the cache and without it (--no-state-cache) in turn
# in one run (the machine is shared and noisy: compare within a run):
#   1. bench/engine.sh's program16, depth 1 (trials covered per second,
#      pruned ones included, and the pruned share), the median of 5;
#   2. reentry sweep --depth 2 of corpus/text/nolock/basic.txt;
#   3. reentry verify -j 2 over the whole corpus at depth 1.
# With REV, figures 1 and 2 also for that commit (a git worktree, built
# the same way), alternated with this checkout's: before and after a change.
# Under the test preset (ASan+UBSan, boundary instrumentation).
# Usage: bench/state_cache.sh [REV]
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
-*) echo "usage: bench/state_cache.sh [REV]" >&2; exit 2 ;;
esac
rev=${1:-}
here=$PWD
work=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cmake --preset test >/dev/null
cmake --build --preset test --target reentry reentry_bench_engine >/dev/null
trees=("$here")
if [ -n "$rev" ]; then
	git worktree add --detach "$work/old" "$rev" >/dev/null 2>&1
	(cd "$work/old" && cmake --preset test >/dev/null &&
		cmake --build --preset test --target reentry reentry_bench_engine >/dev/null)
	trees+=("$work/old")
fi
name() { if [ "$1" = "$here" ]; then git rev-parse --short HEAD; else echo "$rev"; fi; }
now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "== 1. program16, depth 1 (bench/bench_engine.c), median of 5"
for t in "${trees[@]}"; do
	for r in 1 2 3 4 5; do
		"$t/build/test/reentry_bench_engine" | grep '^sweep of' >>"$work/p16-$(name "$t")"
	done
done
for t in "${trees[@]}"; do
	for what in "state cache" "no state cache"; do
		rate=$(grep ", $what:" "$work/p16-$(name "$t")" | sed 's/.*: \([0-9]*\) trials\/s/\1/' | median)
		printf '%-8s %-15s %6d trials/s  %s\n' "$(name "$t")" "$what" "$rate" \
			"$(grep -m1 ", $what:" "$work/p16-$(name "$t")" | sed 's/.*boundaries, //; s/, [0-9]* reports.*//')"
	done
done

echo "== 2. reentry sweep --depth 2 corpus/text/nolock/basic.txt"
for t in "${trees[@]}"; do
	for flag in "" --no-state-cache; do
		t0=$(now)
		"$t/build/test/reentry" sweep --depth 2 $flag corpus/text/nolock/basic.txt >"$work/sweep.txt"
		t1=$(now)
		printf '%-8s %-18s %6.2f s  %s; %s\n' "$(name "$t")" "${flag:-state cache}" \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
			"$(grep '^summary' "$work/sweep.txt" | sed 's/^summary  //')" \
			"$(grep '^pruned' "$work/sweep.txt" | sed 's/^pruned   //; s/:.*//' || echo 'none pruned')"
	done
done

echo "== 3. reentry verify -j 2, the whole corpus, depth 1"
for flag in "" --no-state-cache; do
	t0=$(now)
	(cd "$work" && "$here/build/test/reentry" verify -j 2 -o out --source "$here" $flag >verify.txt) || true
	t1=$(now)
	printf '%-18s %6.2f s  %s\n' "${flag:-state cache}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		"$(grep -E '^(pruned|verdict)' "$work/verify.txt" | sed 's/:.*//' | paste -sd';')"
done
