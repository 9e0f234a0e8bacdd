#!/bin/sh
# A regression whose function anchor no longer lands fails `reentry check`
# with "stale anchor" and what the operation now has in that function: here
# corpus/regressions/kprobe-fastpath.txt with its kprobe moved past the end
# of slab_alloc_slow()'s boundaries.
# Usage: stale_anchor.sh REENTRY SRC_DIR
set -u
reentry=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

reg=$src/corpus/regressions/kprobe-fastpath.txt
grep -q '@slab_alloc_slow+6 kprobe' "$reg" || fail "$reg no longer has @slab_alloc_slow+6"
timeout 60 "$reentry" check "$reg" >/dev/null 2>&1 || fail "$reg does not pass as it is"
sed 's/@slab_alloc_slow+6 kprobe/@slab_alloc_slow+600 kprobe/' "$reg" >"$tmp/stale.txt"
timeout 60 "$reentry" check "$tmp/stale.txt" >"$tmp/out" 2>&1
status=$?
[ $status -eq 1 ] || { cat "$tmp/out"; fail "exit $status, not 1"; }
grep -q "op 4 @slab_alloc_slow+600 kprobe did not fire (stale anchor: the operation has [0-9]* boundaries in slab_alloc_slow)" "$tmp/out" ||
	{ cat "$tmp/out"; fail "no 'stale anchor' saying what the function has"; }
echo "ok: $(grep -o 'stale anchor: [^)]*' "$tmp/out")"
