#!/usr/bin/env bash
# reentry stress refuses, with one line on stderr and exit 2, a --config it
# does not run (naming the item and what the real-thread backend does run),
# and --help lists the exit statuses, the stuck one included.
# Usage: stress_usage.sh REENTRY
set -u
reentry=$1 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

refuses() { # refuses CONFIG ITEM
	timeout 30 "$reentry" stress --seconds 1 --config "$1" >"$tmp/out" 2>"$tmp/err"
	local rc=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" != 2 ] || [ "$lines" != 1 ]; then
		echo "FAIL: --config '$1': exit $rc, $lines line(s) on stderr, expected 2 and one"
		cat "$tmp/err"; fail=1
	elif ! grep -q "^reentry stress: --config: $2 is not run by the real-thread backend, which runs design=cpu_slab on SMP, !PREEMPT_RT kernels without memcg .*takes rule=, slab_objects=, slub_debug=, slub_tiny, lockdep, no_cpu_partial, no_cmpxchg128 and shuffle; --cpus sets the CPUs$" "$tmp/err"; then
		echo "FAIL: --config '$1': not the expected message:"; cat "$tmp/err"; fail=1
	else
		echo "ok    --config '$1' refused"
	fi
}

refuses "design=sheaves" "design=sheaves"
refuses "design=sheaves preempt_rt" "design=sheaves"
refuses "up" "up"
refuses "preempt_rt lockdep" "preempt_rt"
refuses "memcg" "memcg"

timeout 30 "$reentry" stress --help >"$tmp/out" 2>&1
if [ $? != 0 ] || ! grep -q '^exit status: 0 clean, 1 a report, 2 usage, 3 stuck$' "$tmp/out" ||
   ! grep -q -- '--stuck-seconds S' "$tmp/out"; then
	echo "FAIL: stress --help:"; cat "$tmp/out"; fail=1
else
	echo "ok    stress --help"
fi
exit $fail
