#!/usr/bin/env bash
# bench/jobs.sh — what a second core buys (issue 18, item 6), each figure
# with one job and then with two, in one run:
#   1. reentry verify over the whole corpus, depth 1, -j 1 and -j 2 (test
#      preset): wall time, and whether the outputs are the same bytes;
#   2. ci/fuzz.sh --target T --jobs 1 and --jobs 2 for SECONDS each, fresh
#      corpora (libFuzzer -fork=2): executions per second of all jobs.
# Usage: bench/jobs.sh [TARGET] [SECONDS]   (default nolock_tiny 60)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-nolock_tiny} secs=${2:-60}
case $secs in '' | *[!0-9]*) echo "usage: bench/jobs.sh [TARGET] [SECONDS]" >&2; exit 2 ;; esac
cmake --preset test >/dev/null
cmake --build --preset test --target reentry >/dev/null
r=$PWD/build/test/reentry
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

echo "== 1. reentry verify -j 1 / -j 2, the whole corpus, depth 1"
for j in 1 2; do
	t0=$(now)
	(cd "$work" && "$r" verify -j "$j" -o "out$j" >"verify$j.txt") || true
	echo "-j $j: $(since "$t0") s wall"
done
# the reproducers' directory differs by name only
if diff <(sed 's/out1/outN/g' "$work/verify1.txt") <(sed 's/out2/outN/g' "$work/verify2.txt") >/dev/null; then
	echo "the same output"
else
	echo "the outputs differ"
fi

echo "== 2. ci/fuzz.sh --target $target --jobs 1 / 2, $secs s each, fresh corpora"
for j in 1 2; do
	REENTRY_FUZZ_OUT="$work/fuzz$j" ci/fuzz.sh --target "$target" --jobs "$j" "$secs" >"$work/fuzz$j.log" 2>&1 || true
	echo "--jobs $j: $(awk -v t="$target" '$1 == t { print $2 " executions, " $3 " exec/s" }' "$work/fuzz$j.log")"
done
