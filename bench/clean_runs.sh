#!/usr/bin/env bash
# bench/clean_runs.sh — every fuzz target (or the ones named) fuzzed from a
# copy of its seed corpus, with its dictionary and every registry bug off,
# for SECONDS each, JOBS targets at a time; prints one line per target
# (runs, and the first report line if any) and exits 1 if any reported.
# Usage: bench/clean_runs.sh [SECONDS] [JOBS] [TARGET...]   (default 300 2, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-300} jobs=${2:-2}
shift $(($# < 2 ? $# : 2))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	read -r -a targets <<<"$(sed -n 's/^set(REENTRY_FUZZ_TARGETS \(.*\))$/\1/p' CMakeLists.txt)"
fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
built=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- core inject fuzz || echo "+changes")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

one() { # one TARGET: fuzz it, write its line to $work/TARGET.line
	local t=$1 dict=""
	mkdir -p "$work/$t/corpus" "$work/$t/crash"
	cp corpus/"$t"/* "$work/$t/corpus/"
	[ -f "corpus/$t.dict" ] && dict="-dict=corpus/$t.dict"
	env -u REENTRY_BUGS timeout $((secs + 120)) "build/fuzz/${t}_fuzzer" -max_total_time="$secs" \
		$dict -artifact_prefix="$work/$t/crash/" "$work/$t/corpus" >"$work/$t/log" 2>&1 || true
	local runs report
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/$t/log")
	report=$(grep -m1 '^reentry:' "$work/$t/log" || true)
	if ls "$work/$t/crash"/crash-* >/dev/null 2>&1 || [ -z "$runs" ]; then
		echo "$t: REPORTED after ${runs:-?} runs: ${report:-see the log}" >"$work/$t.line"
	else
		echo "$t: $runs runs in $secs s, no report" >"$work/$t.line"
	fi
}

running=0
for t in "${targets[@]}"; do
	one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
status=0
echo "built from $built, ${secs} s per target, $jobs at a time"
for t in "${targets[@]}"; do
	cat "$work/$t.line"
	grep -q REPORTED "$work/$t.line" && status=1
done
exit $status
