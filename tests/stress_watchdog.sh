#!/usr/bin/env bash
# A stress run that stops making progress ends with a message and exit
# status 3 instead of hanging: CPU 1 hangs (--test-wedge-cpu), so the first
# quiescent check waits for it forever; the watchdog must end the run after
# --stuck-seconds, naming the check, the CPU that parked and the one that
# did not.
# Usage: stress_watchdog.sh REENTRY
set -u
reentry=$1
err=$(mktemp)
trap 'rm -f "$err"' EXIT

timeout -s KILL 60 "$reentry" stress --cpus 2 --seconds 600 --seed 1 \
	--test-wedge-cpu 1 --stuck-seconds 2 >/dev/null 2>"$err"
rc=$?
if [ "$rc" != 3 ]; then
	echo "FAIL: exit $rc, expected 3 (stuck)"; cat "$err"; exit 1
fi
if ! grep -q '^reentry: stress: stuck: the main thread made no progress for [0-9]* s, in a quiescent check, waiting for every CPU to park; cpu0 parked; cpu1 [a-z].*; seed 1 ' "$err"; then
	echo "FAIL: not the expected message:"; cat "$err"; exit 1
fi
echo "ok    $(cat "$err")"
