#!/usr/bin/env bash
# bench/verify.sh — the wall time of `reentry verify` over the whole corpus
# (every regression; every seed of every target, each handler of the set,
# every interrupt kind), depth 1 with -j 2: issue 14 asks for <= 10 s on
# the 2-core development machine, under the test preset (ASan+UBSan and the
# boundary instrumentation, the build whose verdicts the regressions hold).
# Prints each run's wall time, the load average before it (the machine is
# shared: a busy one is slower), and the last run's table of trials per
# target and per handler; with --depth2, then the same at depth 2 once.
# Usage: bench/verify.sh [--depth2] [RUNS]   (default 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
depth2=0 runs=3
for a in "$@"; do
	case $a in
	--depth2) depth2=1 ;;
	'' | *[!0-9]*) echo "usage: bench/verify.sh [--depth2] [RUNS]" >&2; exit 2 ;;
	*) runs=$a ;;
	esac
done
cmake --preset test >/dev/null
cmake --build --preset test --target reentry >/dev/null
r=$PWD/build/test/reentry
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
load() { cut -d' ' -f1 /proc/loadavg; }

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "command: reentry verify -j 2 (from $work)"
for i in $(seq "$runs"); do
	before=$(load)
	t0=$(now)
	(cd "$work" && "$r" verify -j 2 -o out >"$work/d1.txt") || true
	t1=$(now)
	echo "depth 1, -j 2: $(secs "$t0" "$t1") s  (load average before: $before)"
done
sed -n '/^target/,/^verdict/p' "$work/d1.txt"
if [ "$depth2" = 1 ]; then
	before=$(load)
	t0=$(now)
	(cd "$work" && "$r" verify -j 2 --depth 2 -o out2 >"$work/d2.txt") || true
	t1=$(now)
	echo "depth 2, -j 2: $(secs "$t0" "$t1") s  (load average before: $before)"
	sed -n '/^target/,/^verdict/p' "$work/d2.txt"
fi
