#!/usr/bin/env bash
# bench/time_to_bug_table.sh — the time-to-bug table: for every registry bug
# (`reentry bugs`), the median time to find it (bench/time_to_bug.sh) by each
# way of testing, RUNS runs each capped at CAP seconds, and how many times
# faster the sweep and libFuzzer are than the signal-storm stress.
# Usage: bench/time_to_bug_table.sh [RUNS] [CAP] [HOW,...]
#        (default 5 60 sweep,libfuzzer,afl,stress,stress-irq; also
#        libfuzzer-empty and afl-empty: the fuzzer from an empty corpus,
#        time_to_bug.sh --empty)
# Every run's line goes to stderr as it comes; the table to stdout at the end.
# BUGS="a b" limits the table to those registry bugs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5} cap=${2:-60} hows=${3:-sweep,libfuzzer,afl,stress,stress-irq}
cmake --preset test >/dev/null
cmake --build --preset test --target reentry >/dev/null
bugs=${BUGS:-$(build/test/reentry bugs | awk '{ print $1 }')}
IFS=, read -r -a how_list <<<"$hows"

declare -A median
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for bug in $bugs; do
	for how in "${how_list[@]}"; do
		echo "== $bug, $how" >&2
		case $how in
		*-empty) bench/time_to_bug.sh --empty "$bug" "$runs" "$cap" "${how%-empty}" >"$out" ;;
		*) bench/time_to_bug.sh "$bug" "$runs" "$cap" "$how" >"$out" ;;
		esac
		cat "$out" >&2
		line=$(tail -1 "$out")
		case $line in
		*"not found"*) median[$bug,$how]=inf ;;
		*"n/a"*) median[$bug,$how]=na ;;
		*) median[$bug,$how]=$(sed 's/.*: \([0-9.]*\) s (cap.*/\1/' <<<"$line") ;;
		esac
	done
done

cell() { case $1 in inf) echo "not found in $cap s" ;; na) echo "n/a" ;; *) echo "$1 s" ;; esac; }
ratio() { # how many times faster $1 is than $2
	if [ "$1" = inf ] || [ "$1" = na ] || [ "$2" = na ]; then echo "-"
	elif [ "$2" = inf ]; then echo "> $(awk "BEGIN { printf \"%.0f\", $cap / $1 }")x"
	else awk "BEGIN { r = $2 / $1; printf (r < 1 ? \"%.2fx\" : \"%.1fx\"), r }"; fi
}
printf '\nmedian of %d runs, cap %d s\n\n| bug |' "$runs" "$cap"
for how in "${how_list[@]}"; do printf ' %s |' "$how"; done
has() { [[ ",$hows," == *",$1,"* ]]; }
has stress && has sweep && printf ' sweep vs stress |'
has stress && has libfuzzer && printf ' libFuzzer vs stress |'
printf '\n|---|'
for how in "${how_list[@]}"; do printf -- '---:|'; done
has stress && has sweep && printf -- '---:|'
has stress && has libfuzzer && printf -- '---:|'
printf '\n'
for bug in $bugs; do
	printf '| %s |' "$bug"
	for how in "${how_list[@]}"; do printf ' %s |' "$(cell "${median[$bug,$how]}")"; done
	has stress && has sweep && printf ' %s |' "$(ratio "${median[$bug,sweep]}" "${median[$bug,stress]}")"
	has stress && has libfuzzer && printf ' %s |' "$(ratio "${median[$bug,libfuzzer]}" "${median[$bug,stress]}")"
	printf '\n'
done
