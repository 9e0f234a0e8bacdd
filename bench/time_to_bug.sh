#!/usr/bin/env bash
# bench/time_to_bug.sh — how long libFuzzer takes to find a historical bug
# from the seed corpus: RUNS runs (seeds 1..RUNS), each capped at CAP
# seconds, on one core; prints each time, the median and the report found.
# Usage: bench/time_to_bug.sh [BUG] [RUNS] [CAP] [TARGET]
#        (default kprobe_fastpath 5 60 nolock; TARGET's seeds are corpus/TARGET)
set -euo pipefail
cd "$(dirname "$0")/.."
bug=${1:-kprobe_fastpath} runs=${2:-5} cap=${3:-60} target=${4:-nolock}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${target}_fuzzer" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=()
for seed in $(seq 1 "$runs"); do
	rm -rf "$work/corpus" "$work/crash" && mkdir -p "$work/corpus" "$work/crash"
	start=$(date +%s.%N)
	set +e
	REENTRY_BUGS=$bug timeout $((cap + 30)) build/fuzz/"${target}_fuzzer" -seed="$seed" \
		-max_total_time="$cap" -artifact_prefix="$work/crash/" "$work/corpus" "corpus/$target" \
		>"$work/log" 2>&1
	set -e
	end=$(date +%s.%N)
	if ls "$work"/crash/crash-* >/dev/null 2>&1; then
		t=$(awk "BEGIN { printf \"%.1f\", $end - $start }")
		printf 'run %d (seed %d): %6.1f s  %s\n' "$seed" "$seed" "$t" "$(sed -n 's/^reentry: //p' "$work/log" | head -1)"
	else
		t=inf
		printf 'run %d (seed %d): not found in %d s\n' "$seed" "$seed" "$cap"
	fi
	times+=("$t")
done
median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
echo "median time to find $bug with libFuzzer from the seed corpus: ${median} s (cap ${cap} s, ${runs} runs)"
