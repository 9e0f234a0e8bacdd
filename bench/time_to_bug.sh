#!/usr/bin/env bash
# bench/time_to_bug.sh — how long one way of testing takes to find a
# historical bug: RUNS runs (seeds 1..RUNS), each capped at CAP seconds;
# prints each time, the report found, and the median ("not found in CAP"
# counts as infinite).
# Usage: bench/time_to_bug.sh [--empty] [BUG] [RUNS] [CAP] [HOW]
#        (default kprobe_fastpath 5 60 libfuzzer)
# --empty: the fuzzers start from nothing — libFuzzer from an empty corpus,
# AFL++ from one input of one byte (it needs one) — instead of the target's
# seed corpus: how long a bug takes to find when no seed reaches its path.
# HOW:
#   libfuzzer  nolock_fuzzer (fuzz preset, ASan+UBSan, one process) from the
#              seed corpus corpus/nolock, -seed=N
#   afl        AFL++ on the afl preset's nolock_fuzzer from corpus/nolock,
#              -s N, stopping at the first crash (needs ci/deps.sh --afl),
#              with the structure-aware mutator (fuzz/afl_mutator.c)
#   sweep      `reentry sweep` of the bug's sweep regression
#              (corpus/regressions/*.txt with "# bug: BUG" and "# sweep: KINDS
#              handler OPS"), with the bug on: the whole sweep (the first
#              report comes earlier), deterministic, so runs differ by noise
#   stress     the signal-storm stress (`reentry stress`, test preset, ASan,
#              4 CPU threads, hardirq+NMI+kprobe signals) with the sweep
#              regression's "# config:" line, --seed N
#   stress-irq the same with hardirq and NMI signals only (--kinds hardirq,nmi):
#              the storm a user would write without a kprobe-like interrupt
# The fuzz target (libfuzzer, afl) is the one whose configuration the bug's
# regression needs: memcg → memcg, design=sheaves → sheaves (sheaves_rt with
# preempt_rt), preempt_rt → nolock_rt, up → nolock_up, slub_tiny →
# nolock_tiny, slub_debug → debug_caches, else nolock; TARGET=NAME overrides.
# The stress backend runs SMP, !RT, Design A only: for other configurations
# (and a regression it cannot run) the stress ways print "n/a".
set -euo pipefail
cd "$(dirname "$0")/.."
empty=0
if [ "${1:-}" = --empty ]; then
	empty=1
	shift
fi
bug=${1:-kprobe_fastpath} runs=${2:-5} cap=${3:-60} how=${4:-libfuzzer}
if [ "$empty" = 1 ] && [ "$how" != libfuzzer ] && [ "$how" != afl ]; then
	echo "--empty: only the fuzzers (libfuzzer, afl) start from a corpus, not '$how'" >&2
	exit 2
fi

regression=$(grep -l "^# bug: $bug\$" corpus/regressions/*.txt | xargs grep -l '^# sweep:' | head -1 || true)
any_regression=$(grep -l "^# bug: $bug\$" corpus/regressions/*.txt | head -1 || true)
config=""
if [ -n "$regression" ]; then
	config=$(sed -n 's/^# config: *//p' "$regression" | head -1)
fi
needs=$( [ -n "$any_regression" ] && sed -n 's/^# config: *//p' "$any_regression" | head -1 || true)
has() { [[ " $needs " == *" $1"* ]]; }
if [ -n "${TARGET:-}" ]; then target=$TARGET
elif has memcg; then target=memcg
elif has design=sheaves && has preempt_rt; then target=sheaves_rt
elif has design=sheaves; then target=sheaves
elif has preempt_rt; then target=nolock_rt
elif has up; then target=nolock_up
elif has slub_tiny; then target=nolock_tiny
elif has slub_debug; then target=debug_caches
else target=nolock
fi
# DICT=1: libFuzzer also gets the target's dictionary (as ci/fuzz.sh and
# OSS-Fuzz run it); without it, as every figure measured before that option.
dict=""
[ "${DICT:-0}" = 1 ] && [ -f "corpus/${target}.dict" ] && dict="corpus/${target}.dict"
case $how in
stress | stress-irq)
	if has memcg || has design=sheaves || has preempt_rt || has up; then
		echo "median time to find $bug with $how: n/a (the stress backend does not run '$needs')"
		exit 0
	fi ;;
esac

case $how in
libfuzzer)
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz --target "${target}_fuzzer" >/dev/null ;;
afl)
	command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: run ci/deps.sh --afl" >&2; exit 2; }
	cmake --preset afl >/dev/null
	cmake --build --preset afl --target "${target}_fuzzer" reentry_afl_mutator >/dev/null ;;
sweep | stress | stress-irq)
	[ "$how" != sweep ] || [ -n "$regression" ] || { echo "no sweep regression for $bug" >&2; exit 2; } ;;
*)
	echo "unknown HOW '$how' (libfuzzer, afl, sweep, stress, stress-irq)" >&2; exit 2 ;;
esac
# Crashes are named by replaying them on the plain driver (test preset).
cmake --preset test >/dev/null
cmake --build --preset test --target reentry "${target}_fuzzer" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Where the fuzzers start: the target's seeds, or (--empty) nothing.
seeds=("corpus/${target}")
if [ "$empty" = 1 ]; then
	seeds=()
	mkdir -p "$work/one-byte" && printf '\0' >"$work/one-byte/input"
fi

# One run: prints "SECONDS REPORT" or "inf".
run_once() {
	local seed=$1 start end found="" report=""
	rm -rf "$work/out" && mkdir -p "$work/out/corpus" "$work/out/crash"
	start=$(date +%s.%N)
	set +e
	case $how in
	libfuzzer)
		REENTRY_BUGS=$bug timeout $((cap + 30)) "build/fuzz/${target}_fuzzer" -seed="$seed" \
			-max_total_time="$cap" -artifact_prefix="$work/out/crash/" ${dict:+-dict="$dict"} \
			"$work/out/corpus" "${seeds[@]}" >"$work/log" 2>&1
		found=$(ls "$work"/out/crash/crash-* 2>/dev/null | head -1) ;;
	afl)
		REENTRY_BUGS=$bug AFL_BENCH_UNTIL_CRASH=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 \
			AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
			AFL_CUSTOM_MUTATOR_LIBRARY="$PWD/build/afl/libreentry_afl_mutator.so" \
			REENTRY_TARGET="$target" \
			timeout $((cap + 30)) afl-fuzz -s "$seed" -V "$cap" \
			-i "$( [ "$empty" = 1 ] && echo "$work/one-byte" || echo "corpus/${target}")" \
			-o "$work/out/afl" -- "build/afl/${target}_fuzzer" >"$work/log" 2>&1
		found=$(ls "$work"/out/afl/default/crashes/id:* 2>/dev/null | head -1) ;;
	sweep)
		local kinds handler
		kinds=$(sed -n 's/^# sweep: *\([^ ]*\).*/\1/p' "$regression")
		handler=$(sed -n 's/^# sweep: *[^ ]* *handler *//p' "$regression")
		timeout $((cap + 30)) build/test/reentry sweep "$regression" --bug "$bug" \
			--kinds "$kinds" ${handler:+--handler "$handler"} >"$work/log" 2>&1
		[ $? -eq 1 ] && found=yes && report="$(sed -n 's/^first report: //p' "$work/log" | head -1)" ;;
	stress | stress-irq)
		local kinds=hardirq,nmi,kprobe
		[ "$how" = stress ] || kinds=hardirq,nmi
		timeout $((cap + 30)) build/test/reentry stress --cpus 4 --seconds "$cap" \
			--seed "$seed" --kinds "$kinds" --bug "$bug" ${config:+--config "$config"} \
			>"$work/log" 2>&1
		[ $? -eq 1 ] && found=yes && report="$(sed -n 's/^reentry: //p' "$work/log" | head -1)" ;;
	esac
	set -e
	end=$(date +%s.%N)
	if [ -z "$found" ]; then
		echo inf
		return
	fi
	if [ -z "$report" ]; then	# libFuzzer prints the target's report line itself
		report=$(sed -n 's/^reentry: //p' "$work/log" | head -1 || true)
	fi
	if [ -z "$report" ]; then
		report=$(REENTRY_BUGS=$bug "build/test/${target}_fuzzer" "$found" 2>&1 | sed -n 's/^reentry: //p' | head -1 || true)
	fi
	echo "$(awk "BEGIN { printf \"%.2f\", $end - $start }") $report"
}

times=()
misses=0
for seed in $(seq 1 "$runs"); do
	# Once more than half the runs missed, the median is "not found": the
	# remaining runs cannot change it (they are skipped, and say so).
	if [ $((misses * 2)) -gt "$runs" ]; then
		printf 'run %d (seed %d): skipped (the median is already "not found")\n' "$seed" "$seed"
		times+=(inf)
		continue
	fi
	r=$(run_once "$seed")
	t=${r%% *}
	if [ "$t" = inf ]; then
		misses=$((misses + 1))
		printf 'run %d (seed %d): not found in %d s\n' "$seed" "$seed" "$cap"
	else
		printf 'run %d (seed %d): %7.2f s  %s\n' "$seed" "$seed" "$t" "${r#* }"
	fi
	times+=("$t")
done
median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
from=""
[ "$empty" = 1 ] && from=" from an empty corpus"
if [ "$median" = inf ]; then
	echo "median time to find $bug with $how$from: not found in $cap s ($runs runs)"
else
	echo "median time to find $bug with $how$from: ${median} s (cap ${cap} s, ${runs} runs)"
fi
