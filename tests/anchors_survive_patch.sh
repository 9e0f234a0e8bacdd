#!/bin/sh
# Function anchors survive a patch elsewhere: a copy of the tree whose
# slab_alloc_slow() makes one more memory access at its top (which moves
# every later ordinal of every operation that takes the slow path) is built,
# and every regression must keep its verdict under `reentry check` — which
# also fails any whose events no longer all fire ("stale anchor").
# Usage: anchors_survive_patch.sh SRC_DIR REENTRY  (REENTRY: the unpatched
# build's; the patched one is built in a temporary directory)
set -u
src=$1
unpatched=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
. "$(dirname "$0")/patched_tree.sh"

copy_tree "$src" "$tmp/src"
# the patch: a store to a global at the top of slab_alloc_slow() (one boundary)
awk '/^static void \*slab_alloc_slow\(/ { in_fn = 1 }
     in_fn && /^{$/ { print; print "\t{ static int patched; patched++; }"; in_fn = 0; next }
     { print }' "$src/core/slub.c" >"$tmp/src/core/slub.c"
grep -q 'patched++' "$tmp/src/core/slub.c" || fail "could not patch slab_alloc_slow() in core/slub.c"

build_reentry "$tmp/src" "$tmp/build"
reentry=$tmp/build/reentry

# the patch does move ordinals: the same seed's slow-path boundary count grows
seed=$src/corpus/text/nolock/nmi_slow_path.txt
timeout 60 "$unpatched" sweep "$seed" --kinds nmi >"$tmp/before" 2>&1
timeout 60 "$reentry" sweep "$seed" --kinds nmi >"$tmp/after" 2>&1
b=$(sed -n 's/^summary .*operations, \([0-9]*\) boundar.*/\1/p' "$tmp/before")
a=$(sed -n 's/^summary .*operations, \([0-9]*\) boundar.*/\1/p' "$tmp/after")
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -gt "$b" ] ||
	fail "the patch added no boundary to $seed's operations ($b before, $a after)"

timeout 600 "$reentry" check "$src/corpus/regressions" >"$tmp/check" 2>&1 ||
	{ grep -v "^ok" "$tmp/check"; fail "a regression changed its verdict or lost an event"; }
echo "ok: $(grep -c '^ok' "$tmp/check") regressions keep their verdicts after the patch ($b -> $a boundaries in $seed)"
