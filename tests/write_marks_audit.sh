#!/usr/bin/env bash
# Every change the model makes to its memory is in the write marks
# (inject/write_marks.h), on which a sweep's restores and state digests
# rely: reentry verify over the whole corpus, and a depth-2 sweep, with
# --audit-writes, which checks the whole arena against the snapshot at
# every restore and digest and aborts on a line changed without a mark.
# Usage: write_marks_audit.sh REENTRY SRC_DIR
set -u
reentry=$(realpath "$1") src=$(realpath "$2") fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && timeout 600 "$reentry" verify -j 2 -o out --source "$src" --audit-writes >verify.txt 2>&1)
status=$?
if [ $status -ne 0 ] || ! grep -q '^verdict  clean' "$tmp/verify.txt"; then
	echo "FAIL: verify --audit-writes exited $status:"
	grep -h 'write audit' "$tmp/verify.txt" "$tmp"/out/*.log 2>/dev/null | sort | uniq -c | head
	tail -5 "$tmp/verify.txt"
	fail=1
else
	echo "ok    verify --audit-writes: $(grep '^pruned' "$tmp/verify.txt" | sed 's/:.*//')"
fi

timeout 600 "$reentry" sweep --depth 2 --kinds nmi,kprobe --audit-writes \
	"$src/corpus/text/nolock/basic.txt" >"$tmp/sweep.txt" 2>&1
status=$?
if [ $status -ne 0 ]; then
	echo "FAIL: sweep --depth 2 --audit-writes exited $status:"
	tail -3 "$tmp/sweep.txt"
	fail=1
else
	echo "ok    sweep --depth 2 --audit-writes: $(grep '^summary' "$tmp/sweep.txt")"
fi
exit $fail
