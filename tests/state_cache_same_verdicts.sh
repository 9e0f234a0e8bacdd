#!/usr/bin/env bash
# The state cache changes no verdict (fuzz/state_cache.h). Usage:
#   state_cache_same_verdicts.sh REENTRY SRC_DIR depth1|depth2
#   depth1  reentry verify over the whole corpus, with the cache and with
#           --no-state-cache: the same output byte for byte but for the one
#           "pruned" line — on today's model, and with registry bugs on
#           (one per design and oracle family), so that there are reports
#           to lose; the cache must also have pruned trials
#   depth2  reentry sweep --depth 2 of seeds of several targets, the same
#           way (the whole corpus at depth 2 takes longer than a test may:
#           over 15 minutes even with the cache, bench/README.md)
set -u
reentry=$(realpath "$1") src=$(realpath "$2") mode=$3 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL: $*"; fail=1; }

# same WHAT CMD...: CMD with the cache and with --no-state-cache print the
# same but for the pruned line, and the cached run pruned something
same() {
	local what=$1 pruned
	shift
	(cd "$tmp" && rm -rf out && timeout 300 "$@" >on.txt 2>&1; echo "exit $?" >>on.txt)
	(cd "$tmp" && rm -rf out && timeout 300 "$@" --no-state-cache >off.txt 2>&1; echo "exit $?" >>off.txt)
	# a sanitizer's report of a run that dies names addresses and a pid
	sed -i -E 's/0x[0-9a-f]+/0x?/g; s/==[0-9]+==/==?==/g' "$tmp/on.txt" "$tmp/off.txt"
	pruned=$(grep -E '^pruned +[0-9]+ of' "$tmp/on.txt" | awk '{ s += $2 } END { print s + 0 }')
	if grep -q '^pruned ' "$tmp/off.txt"; then
		bad "$what: --no-state-cache still prunes"
	elif ! diff <(grep -v '^pruned ' "$tmp/on.txt") "$tmp/off.txt" >"$tmp/diff"; then
		bad "$what: the verdicts differ with the cache (<) and without (>):"
		head -40 "$tmp/diff"
	elif [ "$pruned" -eq 0 ]; then
		bad "$what: the cache pruned nothing"
	else
		echo "ok    $what: the same output ($(tail -n 1 "$tmp/on.txt"), $pruned trials pruned)"
	fi
}

case $mode in
depth1)
	same "verify, today's model" "$reentry" verify -j 2 -o out
	for bug in kprobe_fastpath nmi_free_no_defer sheaves_nmi_no_trylock memcg_abort_skips_free_hook \
		   put_partials_irqs_on; do
		same "verify --bug $bug" "$reentry" verify -j 2 -o out --bug "$bug"
	done
	;;
depth2)
	for seed in nolock/basic nolock_up/basic nolock_rt/preempt_blocks; do
		same "sweep --depth 2 $seed" "$reentry" sweep --depth 2 "$src/corpus/text/$seed.txt"
	done
	# Design B's seeds are long at depth 2: NMIs only
	same "sweep --depth 2 --kinds nmi sheaves/basic" \
		"$reentry" sweep --depth 2 --kinds nmi "$src/corpus/text/sheaves/basic.txt"
	same "sweep --depth 2 --kinds nmi sheaves-nmi-no-trylock (bug on)" \
		"$reentry" sweep --depth 2 --kinds nmi "$src/corpus/regressions/sheaves-nmi-no-trylock.txt"
	same "sweep --depth 2 nmi-free-no-defer (bug on)" "$reentry" sweep --depth 2 --kinds nmi \
		--handler 'kfree_nolock(d)' "$src/corpus/regressions/nmi-free-no-defer.txt"
	;;
*)
	echo "usage: $0 REENTRY SRC_DIR depth1|depth2" >&2
	exit 2
	;;
esac
exit $fail
