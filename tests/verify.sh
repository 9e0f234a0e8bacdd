#!/usr/bin/env bash
# `reentry verify`, the command after a patch. Usage: verify.sh REENTRY SRC_DIR MODE
#   clean     the whole corpus on today's model: exit 0, "verdict  clean"
#   catches   --bug slow_path_no_busy_check (issue 14's patch: __slab_alloc()
#             without its local_lock_is_locked() test): exit 1, a deadlock
#             found by a seed's sweep (not only by the regression), whose
#             reproducer replays as that deadlock, and clean without the bug
#   aba       --bug fastpath_same_tid (the fast path's cmpxchg without its tid
#             bump: the mutation bench's survivor until the aba handler) on
#             a seed: the aba handler's sweep reports it, no other does
#   killed    --bug nmi_no_busy_check on memcg/objexts_race: one report's
#             minimization dies of a sanitizer error; verify still exits 1
#             with the trial saved as found (it once exited 2, a lost report)
#   jobs      -j 1 and -j 2 print the same bytes and save the same reproducers
#   usage     a bad argument, a missing corpus or fuzzer: one line, exit 2
set -u
reentry=$(realpath "$1") src=$(realpath "$2") mode=$3 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL: $*"; fail=1; }

# run WANT WHAT ARGS...: reentry verify ARGS within 240 s, from $tmp; its exit status must be WANT
run() {
	local want=$1 what=$2 got
	shift 2
	(cd "$tmp" && timeout 240 "$reentry" verify "$@" >"$tmp/out" 2>"$tmp/err")
	got=$?
	if [ "$got" != "$want" ]; then
		bad "$what: exit $got, expected $want"
		head -20 "$tmp/out" "$tmp/err"
		return 1
	fi
	echo "ok    $what (exit $got)"
}

case $mode in
clean)
	run 0 "verify on today's model" -j 2 -o "$tmp/reports" || exit 1
	grep -q '^verdict  clean: no report$' "$tmp/out" || bad "no clean verdict"
	grep -Eq '^regressions +[0-9]+ checked, 0 failed$' "$tmp/out" || bad "regressions not all checked"
	# every target of the corpus was swept
	for t in "$src"/corpus/text/*/; do
		t=$(basename "$t")
		[ "$t" = decode ] && continue	# no target line: its own configuration
		grep -Eq "^$t +[1-9]" "$tmp/out" || bad "target $t not swept"
	done
	cat "$tmp/out"
	;;
catches)
	run 1 "verify --bug slow_path_no_busy_check" -j 2 --bug slow_path_no_busy_check \
		-o reports || exit 1
	cat "$tmp/out"
	grep -Eq '^nolock_rt +[0-9]+ +[0-9]+ +[0-9]+ +[1-9][0-9]* +deadlock' "$tmp/out" ||
		bad "no deadlock in the nolock_rt seeds' sweeps"
	# the first deadlock a seed's sweep found, its reproducer and replay command
	block=$(awk '/^\[[0-9]+\] deadlock in /{p=1} p&&/^$/{exit} p' "$tmp/out")
	echo "$block" | grep -q 'found       corpus/text/' || bad "the deadlock was not found by a seed's sweep"
	file=$(echo "$block" | sed -n 's/^    replay      reentry replay //p')
	[ -n "$file" ] && [ -f "$tmp/$file" ] || { bad "no reproducer file ($file)"; exit 1; }
	grep -q '^# bug: slow_path_no_busy_check$' "$tmp/$file" || bad "the reproducer lacks its # bug: line"
	(cd "$tmp" && timeout 60 "$reentry" replay "$file" >"$tmp/replay")
	[ $? = 1 ] && grep -q '^deadlock in ' "$tmp/replay" || bad "$file does not replay as a deadlock"
	(cd "$tmp" && timeout 60 "$reentry" replay --bug none "$file" >"$tmp/replay")
	[ $? = 0 ] || bad "$file reports with the bug off"
	;;
aba)
	run 1 "verify --bug fastpath_same_tid" -j 2 --bug fastpath_same_tid -o reports \
		"$src/corpus/text/nolock/basic.txt" || exit 1
	cat "$tmp/out"
	grep -Eq '^aba +nmi,hardirq +1 +[0-9]+ +[1-9][0-9]* +invariant-1-object-place' "$tmp/out" ||
		bad "the aba handler's sweep did not report the stale next"
	for h in same-bucket other-bucket free-local free-remote; do
		grep -Eq "^$h .* 0  -\$" "$tmp/out" || bad "handler $h reported too (the test no longer isolates aba)"
	done
	;;
killed)
	run 1 "verify --bug nmi_no_busy_check" -j 2 --bug nmi_no_busy_check -o reports \
		"$src/corpus/text/memcg/objexts_race.txt" || exit 1
	cat "$tmp/out"
	line=$(grep 'minimizing it killed a worker: not replayed$' "$tmp/out") ||
		bad "no report whose minimization killed its worker (the test no longer reaches that path)"
	file=$(printf '%s\n' "$line" | sed -n 's/^    reproducer  \([^ ]*\) .*/\1/p')
	[ -n "$file" ] && grep -q '^# expect: ' "$tmp/$file" || bad "its trial was not saved ($file)"
	;;
jobs)
	# a part of the corpus with reports, so that minimizing and naming are compared too
	for j in 1 2; do
		rm -rf "$tmp/reports"
		run 1 "verify -j $j" -j $j --bug slow_path_no_busy_check -o reports \
			"$src/corpus/text/nolock_rt" "$src/corpus/text/nolock" \
			"$src/corpus/regressions/slow-path-no-busy-check.txt" || exit 1
		mv "$tmp/out" "$tmp/out$j"
		(cd "$tmp/reports" && cat ./*) >"$tmp/files$j"
	done
	cmp "$tmp/out1" "$tmp/out2" || { bad "-j 1 and -j 2 print different output"; diff "$tmp/out1" "$tmp/out2" | head; }
	cmp "$tmp/files1" "$tmp/files2" || bad "-j 1 and -j 2 save different reproducers"
	grep -q '^\[1\] ' "$tmp/out1" || bad "no report to compare"
	;;
usage)
	# usage1 WHAT ARGS...: exit 2 and one line on stderr, before any work (10 s)
	usage1() {
		local what=$1 got
		shift
		(cd "$tmp" && timeout 10 "$reentry" verify "$@" >"$tmp/out" 2>"$tmp/err")
		got=$?
		if [ "$got" != 2 ] || [ "$(wc -l <"$tmp/err")" != 1 ]; then
			bad "$what: exit $got, $(wc -l <"$tmp/err") lines on stderr (expected 2, one)"
			cat "$tmp/err"
		else
			echo "ok    $what: $(cat "$tmp/err")"
		fi
	}
	usage1 "--depth 3" --depth 3
	usage1 "-j 0" -j 0
	usage1 "-j abc" -j abc
	usage1 "--fuzz 0" --fuzz 0
	usage1 "an unknown option" --sweep
	usage1 "an unknown bug" --bug no_such_bug
	usage1 "a missing file" "$tmp/no-such-file.txt"
	usage1 "a missing corpus" --source "$tmp/nowhere"
	usage1 "missing fuzzers" --fuzz 1 --fuzzers "$tmp/nowhere" "$src/corpus/text/nolock/basic.txt"
	printf 'cpu0 task: a = kmalloc(64)\n' >"$tmp/broken.txt"
	usage1 "a program that does not parse" "$tmp/broken.txt"
	mkdir "$tmp/empty"
	usage1 "a directory without programs" "$tmp/empty"
	;;
*)
	echo "verify.sh: unknown mode '$mode'" >&2
	exit 2
	;;
esac
exit $fail
