#!/usr/bin/env bash
# bench/exec_rate.sh — executions per second of fuzz targets (libFuzzer,
# ASan+UBSan, one process on one core) with injection on and with injection
# compiled out (no load/store boundaries, no shadow call stack: only atomics
# and locks remain boundaries), measured in one run, round after round, so
# that both builds see the same machine load.
#
# Two figures per round:
#   fuzzing      libFuzzer's own exec/s after SECONDS of fuzzing from the
#                target's seed corpus (-seed=ROUND): what a user sees
#   fixed corpus the same inputs for both builds: a corpus grown for SECONDS
#                by the injection-on build, each input 20 times, run with
#                -runs=0 (libFuzzer's corpus-loading path, which costs it
#                more per input than fuzzing does); per wall-clock second and
#                per CPU second (user + system time of the process), which a
#                machine shared with other jobs disturbs less
#
# Usage: bench/exec_rate.sh [SECONDS] [ROUNDS] [TARGET,...]
#        (default 20 3 nolock; "all" = every target with a seed corpus)
# Environment: NOSAN=1 adds a third build without sanitizers (injection on).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20} rounds=${2:-3} targets=${3:-nolock}
if [ "$targets" = all ]; then
	targets=$(sed -n 's/^set(REENTRY_FUZZ_TARGETS \(.*\))$/\1/p' CMakeLists.txt | tr ' ' ',')
fi
IFS=, read -r -a target_list <<<"$targets"
fuzzers=()
for t in "${target_list[@]}"; do fuzzers+=("${t}_fuzzer"); done
build() { # DIR CMAKE_ARGS...
	local dir=$1
	shift
	cmake -S . -B "$dir" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DREENTRY_ENGINE=libfuzzer "$@" >/dev/null
	cmake --build "$dir" --target "${fuzzers[@]}" >/dev/null
}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${fuzzers[@]}" >/dev/null
build build/fuzz-noinject -DREENTRY_SANITIZE=ON -DREENTRY_INJECTION=OFF
builds=(fuzz fuzz-noinject)
if [ "${NOSAN:-}" = 1 ]; then
	build build/fuzz-nosan -DREENTRY_SANITIZE=OFF
	builds+=(fuzz-nosan)
fi
echo "== $(git rev-parse --short HEAD), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A rate

# libFuzzer's exec/s at the end of a run: "#N DONE ... exec/s: R ...". A
# report with every bug off is a finding, not a rate: say it and stop.
fuzzing_rate() { # BUILD TARGET SEED
	rm -rf "$work/fz" && mkdir -p "$work/fz"
	"build/$1/$2_fuzzer" -seed="$3" -max_total_time="$secs" -artifact_prefix="$work/" \
		"$work/fz" "corpus/$2" >"$work/fz.log" 2>&1 || true
	if ! grep -q 'DONE.*exec/s: [0-9]*' "$work/fz.log"; then
		echo "build/$1/$2_fuzzer -seed=$3 stopped: $(grep -a -m1 -e '^reentry:' -e 'ERROR' "$work/fz.log")" >&2
		exit 1
	fi
	grep -o 'DONE.*exec/s: [0-9]*' "$work/fz.log" | grep -o '[0-9]*$'
}

# Per wall-clock second and per CPU second, on the fixed corpus.
fixed_rate() { # BUILD TARGET N
	local start end cpu
	start=$(date +%s.%N)
	/usr/bin/time -f "%U %S" -o "$work/time" "build/$1/$2_fuzzer" -runs=0 "$work/runs" >/dev/null 2>&1
	cpu=$(tail -1 "$work/time")
	end=$(date +%s.%N)
	awk "BEGIN { split(\"$cpu\", t, \" \"); printf \"%.0f %.0f\", $3 / ($end - $start), $3 / (t[1] + t[2]) }"
}

for t in "${target_list[@]}"; do
	echo "== ${t}_fuzzer, fuzzing for ${secs}s from corpus/$t"
	for r in $(seq 1 "$rounds"); do
		line="round $r:"
		for b in "${builds[@]}"; do
			rate[$b]=$(fuzzing_rate "$b" "$t" "$r")
			line+=" $b ${rate[$b]} exec/s,"
		done
		echo "$line ratio injection on/off $(awk "BEGIN { printf \"%.2f\", ${rate[fuzz]} / ${rate[fuzz-noinject]} }")"
	done

	rm -rf "$work/corpus" "$work/runs" && mkdir -p "$work/corpus" "$work/runs"
	build/fuzz/${t}_fuzzer -seed=1 -max_total_time="$secs" "$work/corpus" "corpus/$t" >/dev/null 2>&1 || true
	n=$(find "$work/corpus" -type f | wc -l)
	# every input 20 times (libFuzzer runs each file once): start-up cost amortized
	for i in $(seq 1 20); do
		for f in "$work"/corpus/*; do cp "$f" "$work/runs/$(basename "$f").$i"; done
	done
	echo "== ${t}_fuzzer, fixed corpus: $n inputs (grown for ${secs}s, seed 1) x 20"
	for r in $(seq 1 "$rounds"); do
		line="round $r:"
		for b in "${builds[@]}"; do
			read -r wall cpu <<<"$(fixed_rate "$b" "$t" $((n * 20)))"
			rate[$b]=$cpu
			line+=" $b $wall exec/s ($cpu per CPU s),"
		done
		echo "$line ratio per CPU s $(awk "BEGIN { printf \"%.2f\", ${rate[fuzz]} / ${rate[fuzz-noinject]} }")"
	done
done
