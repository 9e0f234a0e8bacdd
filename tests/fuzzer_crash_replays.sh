#!/bin/sh
# The libFuzzer build (fuzz preset): each target, fuzzing with a registry bug
# on, writes a crash file; `reentry replay CRASH --bug NAME` (the same build)
# gives the verdict the fuzzer printed. The corpus is the target's seeds
# without those that already crash with the bug, so the crash is one that
# libFuzzer's mutations made (and tagged).
# Usage: fuzzer_crash_replays.sh REENTRY FUZZER_DIR SOURCE_DIR TARGET BUG SECONDS
set -u
reentry=$1 fuzzers=$2 src=$3 target=$4 bug=$5 seconds=$6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/corpus" "$tmp/crashes"
for seed in "$src/corpus/$target"/*.bin; do
	REENTRY_BUGS=$bug timeout 60 "$fuzzers/${target}_fuzzer" "$seed" >/dev/null 2>&1 &&
		cp "$seed" "$tmp/corpus/"
done
REENTRY_BUGS=$bug timeout $((seconds + 60)) "$fuzzers/${target}_fuzzer" -seed=1 \
	-max_total_time="$seconds" -artifact_prefix="$tmp/crashes/" "$tmp/corpus" >"$tmp/log" 2>&1
crash=$(ls "$tmp/crashes"/crash-* 2>/dev/null | head -n 1)
if [ -z "$crash" ]; then
	echo "FAIL $target: no crash with REENTRY_BUGS=$bug in ${seconds} s"; tail -n 5 "$tmp/log"
	exit 1
fi
found=$(sed -n 's/^reentry: \(.* in .*\)$/\1/p' "$tmp/log" | head -n 1)
replayed=$(timeout 120 "$reentry" replay "$crash" --bug "$bug" | sed -n '/^[a-z0-9 -]* in /p' | head -n 1)
if [ -z "$found" ] || [ "$found" != "$replayed" ]; then
	echo "FAIL $target: the fuzzer saw '$found', reentry replay says '${replayed:-clean}'"
	exit 1
fi
echo "ok   $target: $found (REENTRY_BUGS=$bug; reentry replay $(basename "$crash") --bug $bug)"
