#!/usr/bin/env bash
# bench/exec_rate.sh — executions per second of fuzz targets (libFuzzer,
# ASan+UBSan, one core) with injection on and with injection compiled out
# (no load/store boundaries, no shadow call stack: only atomics and locks
# remain boundaries), on the same fixed corpus, in one run.
# Usage: bench/exec_rate.sh [SECONDS_TO_GROW_THE_CORPUS] [ROUNDS] [TARGET,...]
#        (default 30 3 nolock; "all" = every target with a seed corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
grow=${1:-30} rounds=${2:-3} targets=${3:-nolock}
if [ "$targets" = all ]; then
	targets=$(sed -n 's/^set(REENTRY_FUZZ_TARGETS \(.*\))$/\1/p' CMakeLists.txt | tr ' ' ',')
fi
IFS=, read -r -a target_list <<<"$targets"
fuzzers=()
for t in "${target_list[@]}"; do fuzzers+=("${t}_fuzzer"); done
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${fuzzers[@]}" >/dev/null
cmake -S . -B build/fuzz-noinject -G Ninja -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DREENTRY_SANITIZE=ON -DREENTRY_ENGINE=libfuzzer \
	-DREENTRY_INJECTION=OFF >/dev/null
cmake --build build/fuzz-noinject --target "${fuzzers[@]}" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in "${target_list[@]}"; do
	fz=${t}_fuzzer
	rm -rf "$work/corpus" "$work/runs" && mkdir -p "$work/corpus" "$work/runs"
	build/fuzz/$fz -seed=1 -max_total_time="$grow" "$work/corpus" "corpus/$t" \
		>"$work/grow.log" 2>&1 || true
	n=$(find "$work/corpus" -type f | wc -l)
	echo "== $fz: fixed corpus of $n inputs (grown for ${grow}s from corpus/$t, seed 1)"
	# every input 20 times (libFuzzer runs each file once): start-up cost amortized
	for i in $(seq 1 20); do
		for f in "$work"/corpus/*; do cp "$f" "$work/runs/$(basename "$f").$i"; done
	done
	n=$((n * 20))
	echo "while growing it, libFuzzer reported: $(grep -o 'exec/s: [0-9]*' "$work/grow.log" | tail -1)"
	# Two rates: per wall-clock second, and per CPU second (user + system
	# time of the process), which a machine shared with other jobs
	# disturbs much less.
	rate() {
		local start end cpu
		start=$(date +%s.%N)
		/usr/bin/time -f "%U %S" -o "$work/time" "$1" -runs=0 "$work/runs" >/dev/null 2>&1
		cpu=$(tail -1 "$work/time")
		end=$(date +%s.%N)
		awk "BEGIN { split(\"$cpu\", t, \" \"); printf \"%.0f %.0f\", $n / ($end - $start), $n / (t[1] + t[2]) }"
	}
	for r in $(seq 1 "$rounds"); do
		read -r on on_cpu <<<"$(rate build/fuzz/$fz)"
		read -r off off_cpu <<<"$(rate build/fuzz-noinject/$fz)"
		echo "$fz round $r: injection on $on exec/s ($on_cpu per CPU s), compiled out $off exec/s ($off_cpu per CPU s), ratio $(awk "BEGIN { printf \"%.2f\", $on / $off }") ($(awk "BEGIN { printf \"%.2f\", $on_cpu / $off_cpu }") per CPU s)"
	done
done
