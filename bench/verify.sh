#!/usr/bin/env bash
# bench/verify.sh — the wall time of `reentry verify` over the whole corpus
# (every regression; every seed of every target, each handler of the set,
# every interrupt kind), depth 1 with -j 2: issue 14 asks for <= 10 s on
# the 2-core development machine, under the test preset (ASan+UBSan and the
# boundary instrumentation, the build whose verdicts the regressions hold).
# Prints each run's wall time, its CPU time (user+sys of verify and its
# workers: the wall time of two free cores is about half of it), the load
# average before it (the machine is shared: a busy one is slower), and the
# last run's table of trials per target and per handler; with --depth2,
# then the same at depth 2 once.
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
load() { cut -d' ' -f1 /proc/loadavg; }
# timed NAME ARGS...: reentry verify ARGS from $work, output in $work/NAME.txt
timed() {
	local name=$1 before t
	shift
	before=$(load)
	t=$( { TIMEFORMAT='%R %U %S'; time (cd "$work" && "$r" verify "$@" >"$work/$name.txt" || true); } 2>&1)
	set -- $t
	awk -v w="$1" -v u="$2" -v s="$3" -v l="$before" -v n="$name" \
		'BEGIN { printf "%s, -j 2: %.1f s wall, %.1f s cpu (load average before: %s)\n", n, w, u + s, l }'
}

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "command: reentry verify -j 2 (from $work)"
for i in $(seq "$runs"); do
	timed "depth 1" -j 2 -o out
done
sed -n '/^target/,/^verdict/p' "$work/depth 1.txt"
if [ "$depth2" = 1 ]; then
	timed "depth 2" -j 2 --depth 2 -o out2
	sed -n '/^target/,/^verdict/p' "$work/depth 2.txt"
fi
