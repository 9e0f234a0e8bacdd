#!/usr/bin/env bash
# ci/fuzz.sh — build the fuzz targets and fuzz each in turn.
#
# Usage: ci/fuzz.sh [OPTIONS] [SECONDS]   (default 60 s, shared among the targets)
#   --engine libfuzzer|afl   libFuzzer (fuzz preset, default) or AFL++ (afl preset,
#                            needs ci/deps.sh --afl)
#   --target NAME[,NAME]     only these targets (repeatable; default: fuzz/targets/*.c)
#   --jobs N                 N workers per target: libFuzzer -fork=N; AFL++ one -M main
#                            and N-1 -S secondaries sharing one output directory (they sync)
#   --corpus DIR             keep each target's growing corpus in DIR/<target>/ between
#                            runs (default: $REENTRY_FUZZ_OUT/<target>/); new runs start
#                            from it and from the seeds in corpus/<target>/
#   -h, --help               this help
# Environment: REENTRY_BUGS=name[,name] switches historical bugs back on (see
# build/fuzz/reentry bugs; a name not in the registry, core/bugs.c, is a usage
# error); REENTRY_FUZZ_OUT (default out/fuzz) holds logs (the build's:
# build-<preset>.log), the default corpora and summary.md.
#
# At the end: a table (target, execs, exec/s, corpus, reports). Each new report
# is replayed to get its class and dedup key ("reentry: CLASS in WHERE"),
# minimized (reentry minimize) and saved as a text regression under
# corpus/crashes/<target>/<dedup key>.txt; a Markdown summary (target, class,
# dedup key, minimized reproducer, replay command) is written to
# $REENTRY_FUZZ_OUT/summary.md and appended to $GITHUB_STEP_SUMMARY when set.
# Exit 0: no report. Exit 1: a report. Exit 2: usage or build error (a failed
# build prints the end of its log, and the log's path).
set -euo pipefail
cd "$(dirname "$0")/.."
prog=ci/fuzz.sh
. ci/lib.sh

usage_error() {
	echo "$prog: $* (see --help)" >&2
	exit 2
}

all_targets=()
for src in fuzz/targets/*.c; do
	all_targets+=("$(basename "$src" .c)")
done

engine=libfuzzer budget=60 jobs=1 corpus_root="" targets=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help)
		# the comment block at the top of this file
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0
		;;
	--engine | --target | --jobs | --corpus)
		[ $# -ge 2 ] || usage_error "$1 needs a value"
		case $1 in
		--engine) engine=$2 ;;
		--target)
			IFS=, read -ra names <<<"$2"
			targets+=("${names[@]}")
			;;
		--jobs) jobs=$2 ;;
		--corpus) corpus_root=$2 ;;
		esac
		shift 2
		;;
	-*) usage_error "unknown option '$1'" ;;
	*[!0-9]* | "") usage_error "SECONDS must be a number, not '$1'" ;;
	*)
		budget=$1
		shift
		;;
	esac
done
case $engine in
libfuzzer | afl) ;;
*) usage_error "--engine must be libfuzzer or afl, not '$engine'" ;;
esac
case $jobs in
"" | *[!0-9]* | 0) usage_error "--jobs must be a number >= 1, not '$jobs'" ;;
esac
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
	[ -f "fuzz/targets/$t.c" ] || usage_error "no fuzz target '$t' (targets: ${all_targets[*]})"
done
check_reentry_bugs

if [ "$engine" = afl ]; then
	ci/deps.sh --afl
	preset=afl
else
	ci/deps.sh
	preset=fuzz
fi
out=${REENTRY_FUZZ_OUT:-out/fuzz}
mkdir -p "$out"
build_preset_or_die $preset "$out/build-$preset.log"

per=$((budget / ${#targets[@]}))
[ "$per" -ge 1 ] || per=1
reentry=build/$preset/reentry
summary=$out/summary.md
status=0
rows=() md_rows=() sync_lines=()
details=()   # Markdown, one section per new report
declare -A seen=()

# The [libfuzzer] options of corpus/<target>.options (OSS-Fuzz's format) as
# libFuzzer flags.
libfuzzer_options() {
	local line
	[ -f "corpus/$1.options" ] || return 0
	while IFS= read -r line; do
		case "$line" in
		*=*) echo "-$(echo "${line%%=*}" | tr -d ' ')=$(echo "${line#*=}" | tr -d ' ')" ;;
		esac
	done <"corpus/$1.options"
}

# Fuzz target $1 with libFuzzer for $per seconds; crashes in $2/crashes.
run_libfuzzer() {
	local t=$1 dir=$2 corpus=$3
	local seeds=() opts=()
	[ -d "corpus/$t" ] && seeds=("corpus/$t")
	[ -f "corpus/$t.dict" ] && opts+=(-dict="corpus/$t.dict")
	mapfile -t -O ${#opts[@]} opts < <(libfuzzer_options "$t")
	[ "$jobs" -gt 1 ] && opts+=(-fork="$jobs")
	set +e
	"build/fuzz/${t}_fuzzer" "${opts[@]}" -max_total_time="$per" -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/" "$corpus" "${seeds[@]}" >"$dir/log" 2>&1
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)
	# -fork prints no final stats: its last progress line has the execs of
	# all jobs, and their time (its exec/s is a job's, not the total's)
	if [ -z "$execs" ]; then
		local last secs
		last=$(grep -E '^#[0-9]+:' "$dir/log" | tail -n 1)
		execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<<"$last")
		secs=$(sed -n 's/.* time: \([0-9]*\)s.*/\1/p' <<<"$last")
		[ -n "$execs" ] && [ "${secs:-0}" -gt 0 ] && rate=$((execs / secs))
	fi
	[ -n "$rate" ] || rate=$(sed -n 's/.*exec\/s:\{0,1\} \([0-9]*\).*/\1/p' "$dir/log" | tail -n 1)
	size=$(find "$corpus" -type f | wc -l)
	crashes=()
	for c in "$dir"/crashes/*; do
		[ -e "$c" ] && crashes+=("$c")
	done
	synced=""
}

# A value from an AFL++ fuzzer_stats file.
afl_stat() {
	sed -n "s/^$2 *: *//p" "$1" 2>/dev/null | head -n 1
}

# Fuzz target $1 with AFL++: one main and jobs-1 secondaries in the sync
# directory $3, each for $per seconds.
run_afl() {
	local t=$1 dir=$2 sync=$3
	local opts=(-m none -V "$per") names=(main) pids=() i n
	[ -f "corpus/$t.dict" ] && opts+=(-x "corpus/$t.dict")
	for ((i = 1; i < jobs; i++)); do names+=("sec$i"); done
	mkdir -p "$sync"
	# afl-fuzz skips a seed that crashes (and stops if all do): replay the
	# seeds first so that such a report is not lost
	local seed_crashes=()
	for i in corpus/"$t"/*; do
		"build/afl/${t}_fuzzer" "$i" >/dev/null 2>&1 || seed_crashes+=("$i")
	done
	touch "$dir/started"
	for n in "${names[@]}"; do
		local role=-S
		[ "$n" = main ] && role=-M
		# the structure-aware mutator beside AFL++'s own (fuzz/afl_mutator.c)
		AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_AUTORESUME=1 \
			AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
			AFL_CUSTOM_MUTATOR_LIBRARY="$PWD/build/afl/libreentry_afl_mutator.so" REENTRY_TARGET="$t" \
			afl-fuzz "${opts[@]}" -i "corpus/$t" -o "$sync" "$role" "$n" \
			-- "build/afl/${t}_fuzzer" >"$dir/afl-$n.log" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || echo "  afl-fuzz ${names[$i]} exited with $? (log: $dir/afl-${names[$i]}.log)"
	done
	execs=0 rate=0 synced=""
	for n in "${names[@]}"; do
		local s=$sync/$n/fuzzer_stats e r m peers
		e=$(afl_stat "$s" execs_done) r=$(afl_stat "$s" execs_per_sec) m=$(afl_stat "$s" corpus_imported)
		r=${r:-0}
		execs=$((execs + ${e:-0}))
		rate=$((rate + ${r%%.*}))
		# each instance records in .synced/PEER how far it has read PEER's queue
		peers=$(find "$sync/$n/.synced" -type f ! -name '*.last' -printf '%f ' 2>/dev/null | sed 's/ $//')
		[ "$jobs" -gt 1 ] && synced+="${synced:+; }$n imported ${m:-0} inputs from ${peers:-no peer}"
	done
	size=$(afl_stat "$sync/main/fuzzer_stats" corpus_count)
	crashes=("${seed_crashes[@]}")
	while IFS= read -r c; do
		crashes+=("$c")
	done < <(find "$sync" -path '*/crashes/id:*' -newer "$dir/started" -type f | sort)
}

# Replay crash $2 of target $1 with the engine's own binary: the report
# (stderr) goes to $3. Prints the dedup key.
dedup_key() {
	local t=$1 crash=$2 log=$3 key
	# (bounded: a timeout-* input may run long; the engine reports livelocks)
	timeout 300 "build/$preset/${t}_fuzzer" "$crash" >"$log" 2>&1 || true
	key=$(sed -n 's/^reentry: \(.* in .*\)$/\1/p' "$log" | head -n 1)
	# a sanitizer's own report (no oracle verdict): its SUMMARY line
	[ -n "$key" ] || key=$(sed -n 's/^SUMMARY: \([A-Za-z]*Sanitizer\): \([^ ]*\) \([^ ]*\) in \([^ ]*\).*/\2 in \4 \3/p' "$log" | head -n 1)
	[ -n "$key" ] || key=$(sed -n 's/^SUMMARY: //p' "$log" | head -n 1)
	[ -n "$key" ] || key="crash $(basename "$crash")"
	# source paths relative to the tree, one space between words
	key=${key//$PWD\//}
	echo "$key" | tr -s ' '
}

# The program of a report in text form: between "target ..." and the blank
# line before the trace.
report_program() {
	sed -n '/^target   /,/^$/p' "$1" | sed '1d;$d'
}

handle_crash() {
	local t=$1 dir=$2 crash=$3
	local log key name saved text found bugs_env="" bug_opts how check
	mkdir -p "$dir/reports"
	log=$dir/reports/replay.log
	key=$(dedup_key "$t" "$crash" "$log")
	name=$(echo "$key" | sed 's/ in / /; s/[^A-Za-z0-9_.-]\{1,\}/-/g; s/^-//; s/-$//')
	reports=$((reports + 1))
	status=1
	if [ -n "${seen[$t/$name]:-}" ]; then
		echo "  same report again: $key ($crash)"
		return
	fi
	seen[$t/$name]=1
	mv "$log" "$dir/reports/$name.log"
	log=$dir/reports/$name.log
	# the input as the fuzzer ran it, kept where the next run will not clear it
	found=$dir/reports/$name.input
	cp "$crash" "$found"
	mkdir -p "corpus/crashes/$t"
	saved=corpus/crashes/$t/$name.txt
	text=$dir/reports/$name.txt
	report_program "$log" >"$text"
	rm -f "$saved"
	if [ -s "$text" ] && "$reentry" minimize "$text" -o "$saved" >/dev/null 2>&1; [ -s "$saved" ]; then
		how="minimized"
	elif [ -s "$text" ]; then
		cp "$text" "$saved"
		how="not minimized (reentry minimize found it clean: the report depends on more than the program)"
	else
		saved=${saved%.txt}.bin
		cp "$crash" "$saved"
		"$reentry" decode "$crash" >"$text" 2>/dev/null || true
		how="binary input: the replay printed no program (a sanitizer's own report, or it did not reproduce); the text below is 'reentry decode' (the program as $t ran it, by its tag)"
	fi
	# A report that does not need the historical bugs switched on: drop the
	# "# bug:" lines, or the regression would demand clean with them off.
	if [ "${saved%.txt}" != "$saved" ] && grep -q '^# bug:' "$saved" &&
	   ! "$reentry" check "$saved" >/dev/null 2>&1; then
		grep -v '^# bug:' "$saved" >"$dir/reports/$name.nobug.txt"
		if "$reentry" check "$dir/reports/$name.nobug.txt" >/dev/null 2>&1; then
			mv "$dir/reports/$name.nobug.txt" "$saved"
			how+="; reproduces with REENTRY_BUGS off, so without its # bug: line"
		fi
	fi
	check=""
	[ "${saved%.txt}" != "$saved" ] && check=$("$reentry" check "$saved" 2>&1 | head -n 1)
	[ -n "${REENTRY_BUGS:-}" ] && bugs_env="REENTRY_BUGS=$REENTRY_BUGS "
	# The input's bytes name its target: with the bugs it ran with, reentry
	# replays it as the fuzzer ran it.
	bug_opts=$(reentry_bug_options)
	echo "  new report: $key"
	echo "    input:     $crash (kept as $found)"
	echo "    saved:     $saved ($how)"
	[ -z "$check" ] || echo "    check:     $check"
	echo "    replay:    $reentry replay $found${bug_opts:+ $bug_opts}"
	[ "${saved%.txt}" = "$saved" ] || echo "    regression: $reentry replay $saved"
	local cls=${key%% in *}
	details+=("$(
		echo "### \`$key\` — ${t}_fuzzer"
		echo
		echo "- target: \`${t}_fuzzer\`"
		echo "- class: \`$cls\`"
		echo "- dedup key: \`$key\`"
		echo "- input: \`$crash\`"
		echo "- reproducer: \`$saved\` ($how)"
		[ -z "$check" ] || echo "- as a regression: \`$check\`"
		echo
		echo '```'
		if [ "${saved%.txt}" != "$saved" ]; then cat "$saved"; else cat "$text"; fi
		echo '```'
		echo
		echo "Replay:"
		echo
		echo '```'
		echo "$reentry replay $found${bug_opts:+ $bug_opts}"
		[ "${saved%.txt}" = "$saved" ] || echo "$reentry replay $saved"
		echo "${bugs_env}build/$preset/${t}_fuzzer $found"
		echo '```'
	)")
}

for t in "${targets[@]}"; do
	dir=$out/$t
	corpus=${corpus_root:+$corpus_root/$t}
	mkdir -p "$dir/crashes"
	rm -f "$dir"/crashes/*
	echo "fuzz  $t: ${per}s, $engine, $jobs job(s)${REENTRY_BUGS:+, REENTRY_BUGS=$REENTRY_BUGS}"
	reports=0
	if [ "$engine" = afl ]; then
		run_afl "$t" "$dir" "${corpus:-$dir/afl}"
	else
		corpus=${corpus:-$dir/corpus}
		mkdir -p "$corpus"
		run_libfuzzer "$t" "$dir" "$corpus"
	fi
	if [ -n "$synced" ]; then
		echo "  sync: $synced"
		sync_lines+=("- $t: $synced")
	fi
	for c in "${crashes[@]}"; do
		handle_crash "$t" "$dir" "$c"
	done
	rows+=("$(printf '%-12s %12s %10s %8s %8s' "$t" "${execs:-?}" "${rate:-?}" "${size:-?}" "$reports")")
	md_rows+=("| $t | ${execs:-?} | ${rate:-?} | ${size:-?} | $reports |")
done

echo
printf '%-12s %12s %10s %8s %8s\n' target execs exec/s corpus reports
for row in "${rows[@]}"; do echo "$row"; done

{
	if [ $status = 0 ]; then
		echo "## reentry fuzzing: no reports"
	else
		echo "## reentry fuzzing: reports found"
	fi
	echo
	echo "$engine, ${per} s per target, $jobs job(s)${REENTRY_BUGS:+, REENTRY_BUGS=$REENTRY_BUGS}"
	echo
	echo "| target | execs | exec/s | corpus | reports |"
	echo "|---|---|---|---|---|"
	for row in "${md_rows[@]}"; do echo "$row"; done
	if [ ${#sync_lines[@]} -gt 0 ]; then
		echo
		echo "AFL++ instances syncing through one output directory:"
		echo
		for line in "${sync_lines[@]}"; do echo "$line"; done
	fi
	for d in "${details[@]}"; do
		echo
		echo "$d"
	done
} >"$summary"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
	cat "$summary" >>"$GITHUB_STEP_SUMMARY"
fi
echo "summary: $summary"
exit $status
