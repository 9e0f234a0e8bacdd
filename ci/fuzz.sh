#!/usr/bin/env bash
# ci/fuzz.sh — build the libFuzzer targets and fuzz each in turn.
#
# Usage: ci/fuzz.sh [SECONDS]        (default 60, shared among the targets)
#        ci/fuzz.sh --help
# Environment: REENTRY_BUGS=name[,name] switches historical bugs back on
# (see build/fuzz/reentry bugs); REENTRY_FUZZ_OUT (default out/fuzz) holds
# each target's growing corpus and logs.
#
# For each target: a line of progress, then a summary table (target, execs,
# exec/s, corpus, new reports). A new crash is minimized (reentry minimize),
# saved as a text regression under corpus/crashes/<target>/ named by its
# dedup key (class, model function, line), and its replay command printed;
# the script then exits 1. Exit 0: no report. Exit 2: usage or build error.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
-h | --help)
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
"") budget=60 ;;
*[!0-9]*)
	echo "ci/fuzz.sh: SECONDS must be a number (see --help)" >&2
	exit 2
	;;
*) budget=$1 ;;
esac

ci/deps.sh
cmake --preset fuzz >/dev/null || exit 2
cmake --build --preset fuzz >/dev/null || exit 2

targets=()
for src in fuzz/targets/*.c; do
	targets+=("$(basename "$src" .c)")
done
per=$((budget / ${#targets[@]}))
[ "$per" -ge 1 ] || per=1
out=${REENTRY_FUZZ_OUT:-out/fuzz}
reentry=build/fuzz/reentry
status=0
rows=()

for t in "${targets[@]}"; do
	dir=$out/$t
	mkdir -p "$dir/corpus" "$dir/crashes"
	rm -f "$dir"/crashes/*
	seeds=() opts=()
	[ -d "corpus/$t" ] && seeds=("corpus/$t")
	[ -f "corpus/$t.dict" ] && opts+=(-dict="corpus/$t.dict")
	# the [libfuzzer] options of corpus/<target>.options (OSS-Fuzz's format)
	if [ -f "corpus/$t.options" ]; then
		while IFS= read -r line; do
			case "$line" in
			*=*) opts+=("-$(echo "${line%%=*}" | tr -d ' ')=$(echo "${line#*=}" | tr -d ' ')") ;;
			esac
		done <"corpus/$t.options"
	fi
	echo "fuzz  $t: ${per}s${REENTRY_BUGS:+, REENTRY_BUGS=$REENTRY_BUGS}"
	set +e
	"build/fuzz/${t}_fuzzer" "${opts[@]}" -max_total_time="$per" -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/" "$dir/corpus" "${seeds[@]}" >"$dir/log" 2>&1
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
	size=$(find "$dir/corpus" -type f | wc -l)
	reports=0
	for crash in "$dir"/crashes/*; do
		[ -e "$crash" ] || continue
		reports=$((reports + 1))
		status=1
		key=$(sed -n 's/^reentry: //p' "$dir/log" | head -1)
		[ -n "$key" ] || key="crash $(basename "$crash")"
		name=$(echo "$key" | sed 's/ in / /; s/[^A-Za-z0-9_.-]\{1,\}/-/g; s/^-//; s/-$//')
		mkdir -p "corpus/crashes/$t"
		saved="corpus/crashes/$t/$name.txt"
		bugs=()
		if [ -n "${REENTRY_BUGS:-}" ]; then
			IFS=, read -ra names <<<"$REENTRY_BUGS"
			for b in "${names[@]}"; do bugs+=(--bug "$b"); done
		fi
		if ! "$reentry" minimize "$crash" "${bugs[@]}" -o "$saved" 2>/dev/null; then
			:
		fi
		[ -s "$saved" ] || cp "$crash" "${saved%.txt}.bin"
		echo "  new report: $key"
		echo "    input:     $crash"
		echo "    minimized: $saved"
		echo "    replay:    $reentry replay $saved"
	done
	rows+=("$(printf '%-12s %12s %10s %8s %8s' "$t" "${execs:-?}" "${rate:-?}" "$size" "$reports")")
done

echo
printf '%-12s %12s %10s %8s %8s\n' target execs exec/s corpus reports
for row in "${rows[@]}"; do echo "$row"; done
exit $status
