#!/usr/bin/env bash
# A report on the real-thread backend ends the process, however the
# interrupt signals fall: RUNS storms that find list_lock_spin at once, at a
# signal rate high enough that more signals arrive while the report is
# written (before the fix, 7 runs in 100 hung: an NMI-kind handler on the
# reporting thread reported again and waited forever for the report it had
# interrupted). Each run must exit 1 with one report, within LIMIT seconds.
# Usage: stress_report_race.sh REENTRY-STRESS [RUNS] [LIMIT]
set -u
bin=$1 runs=${2:-40} limit=${3:-20}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for seed in $(seq 1 "$runs"); do
	timeout -s KILL "$limit" "$bin" --cpus 4 --seconds 10 --seed "$seed" \
		--bug list_lock_spin --signal-rate 1000000 --kinds nmi,kprobe >"$log" 2>&1
	rc=$?
	reports=$(grep -c '^BUG: reentry-stress:' "$log")
	if [ "$rc" = 137 ]; then
		echo "FAIL: seed $seed: still running after $limit s (killed):"; cat "$log"; exit 1
	elif [ "$rc" != 1 ] || [ "$reports" != 1 ] || ! grep -q '^reentry: deadlock in stress$' "$log"; then
		echo "FAIL: seed $seed: exit $rc, $reports report(s), expected exit 1 and one deadlock report:"
		cat "$log"; exit 1
	fi
done
echo "ok    $runs storms each ended with one report"
