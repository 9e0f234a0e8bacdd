#!/bin/sh
# A crash of every fuzz target replays as found: the target's own report
# ("reentry: CLASS in WHERE") and `reentry replay CRASH --bug NAME` give the
# same verdict, with nothing else said on the command line. The crash files
# are the targets' seeds (or a regression, tagged), with the header bits the
# target fixes flipped, as a fuzzer's mutations leave them: only the tag in
# byte 0 tells replay what the target ran. Then the same bytes untagged:
# the target must skip them, never run them as its own.
# Usage: crash_replays_as_found.sh REENTRY FUZZER_DIR SOURCE_DIR
set -u
reentry=$1 fuzzers=$2 src=$3 status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# target  bug  program (a tagged seed, or a text program tagged here)
cases="
nolock        kprobe_fastpath        corpus/regressions/kprobe-fastpath.txt
nolock_up     up_trylock_reenters    corpus/nolock_up/kprobe_over_zone_lock.bin
nolock_tiny   list_lock_spin         corpus/nolock_tiny/nmi_slow_path.bin
nolock_rt     rt_free_nolock_sleeps  corpus/nolock_rt/atomic_contexts.bin
debug_caches  list_lock_spin         corpus/debug_caches/nmi_slow_path.bin
sheaves       sheaves_nmi_no_trylock corpus/sheaves/nmi_frees_task_object.bin
sheaves_rt    sheaves_nmi_no_trylock corpus/sheaves_rt/atomic_contexts.bin
sheaves_debug list_lock_spin         corpus/sheaves_debug/nmi_slow_path.bin
memcg         objext_recursion       corpus/memcg/basic.bin
"

# byte_at FILE N / set_byte FILE N VALUE (decimal)
byte_at() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
set_byte() { printf "$(printf '\\%03o' "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }

echo "$cases" | while read -r target bug program; do
	[ -n "$target" ] || continue
	crash=$tmp/$target.crash
	case $program in
	*.txt)	# a regression, tagged for the target (its headers but config dropped)
		{ echo "# target: $target"; grep -v '^# \(bug\|expect\|sweep\|target\):' "$src/$program"; } >"$tmp/$target.txt"
		"$reentry" encode "$tmp/$target.txt" -o "$crash" || { echo "FAIL $target: encode"; exit 1; } ;;
	*)	cp "$src/$program" "$crash" ;;
	esac
	# flip what the target fixes: PREEMPT_RT, cmpxchg128 (nolock draws it
	# from the input), design, alloc_flags rule
	mask=0xe2
	[ "$target" = nolock ] && mask=0xc2
	set_byte "$crash" 2 $(( $(byte_at "$crash" 2) ^ mask ))

	REENTRY_TRACE=1 REENTRY_BUGS=$bug timeout 120 "$fuzzers/${target}_fuzzer" "$crash" \
		>/dev/null 2>"$tmp/err"
	found=$(sed -n 's/^reentry: \(.* in .*\)$/\1/p' "$tmp/err" | head -n 1)
	# REENTRY_TRACE=1: the program (with its target) and the trace, as replay prints them
	if ! grep -q "^# target: $target\$" "$tmp/err" || ! grep -q "^verdict  " "$tmp/err"; then
		echo "FAIL $target: REENTRY_TRACE=1 printed no program or trace"
		exit 1
	fi
	replayed=$(timeout 120 "$reentry" replay "$crash" --bug "$bug" | sed -n '/^[a-z0-9 -]* in /p' | head -n 1)
	if [ -z "$found" ]; then
		echo "FAIL $target: ${target}_fuzzer found nothing in $program with REENTRY_BUGS=$bug"
		exit 1
	elif [ "$found" != "$replayed" ]; then
		echo "FAIL $target: the fuzzer saw '$found', reentry replay says '${replayed:-clean}'"
		exit 1
	fi
	echo "ok   $target: $found (REENTRY_BUGS=$bug; reentry replay CRASH --bug $bug)"

	set_byte "$crash" 0 1	# untagged: what every input was before tags
	if REENTRY_BUGS=$bug timeout 120 "$fuzzers/${target}_fuzzer" "$crash" >"$tmp/out" 2>&1 ||
	   ! grep -q "^skipped " "$tmp/out"; then
		echo "FAIL $target: an untagged input was not skipped"; cat "$tmp/out"
		exit 1
	fi
done || status=1
exit $status
