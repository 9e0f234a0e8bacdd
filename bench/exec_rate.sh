#!/usr/bin/env bash
# bench/exec_rate.sh — executions per second of nolock_fuzzer (libFuzzer,
# ASan+UBSan, one core) with injection on and with injection compiled out
# (no load/store boundaries, no shadow call stack: only atomics and locks
# remain boundaries), on the same fixed corpus, in one run.
# Usage: bench/exec_rate.sh [SECONDS_TO_GROW_THE_CORPUS] [ROUNDS]   (default 30 3)
set -euo pipefail
cd "$(dirname "$0")/.."
grow=${1:-30} rounds=${2:-3}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target nolock_fuzzer >/dev/null
cmake -S . -B build/fuzz-noinject -G Ninja -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DREENTRY_SANITIZE=ON -DREENTRY_ENGINE=libfuzzer \
	-DREENTRY_INJECTION=OFF >/dev/null
cmake --build build/fuzz-noinject --target nolock_fuzzer >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
build/fuzz/nolock_fuzzer -seed=1 -max_total_time="$grow" "$work/corpus" corpus/nolock \
	>"$work/grow.log" 2>&1 || true
n=$(find "$work/corpus" -type f | wc -l)
echo "fixed corpus: $n inputs (grown for ${grow}s from corpus/nolock, seed 1)"
# every input 20 times (libFuzzer runs each file once): start-up cost amortized
mkdir -p "$work/runs"
for i in $(seq 1 20); do
	for f in "$work"/corpus/*; do cp "$f" "$work/runs/$(basename "$f").$i"; done
done
n=$((n * 20))
echo "while growing it, libFuzzer reported: $(grep -o 'exec/s: [0-9]*' "$work/grow.log" | tail -1)"
rate() {
	local start end
	start=$(date +%s.%N)
	"$1" -runs=0 "$work/runs" >/dev/null 2>&1
	end=$(date +%s.%N)
	awk "BEGIN { printf \"%.0f\", $n / ($end - $start) }"
}
for r in $(seq 1 "$rounds"); do
	on=$(rate build/fuzz/nolock_fuzzer)
	off=$(rate build/fuzz-noinject/nolock_fuzzer)
	echo "round $r: injection on $on exec/s, compiled out $off exec/s, ratio $(awk "BEGIN { printf \"%.2f\", $on / $off }")"
done
