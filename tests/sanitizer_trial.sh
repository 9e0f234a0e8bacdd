#!/bin/sh
# A sanitizer error never loses its trial: a copy of the tree whose
# kmalloc_nolock() makes a misaligned load in NMI context (UBSan's
# "load of misaligned address") is built, and a sweep of a seed with NMIs
# must print UBSan's report with its stack, then the trial: the operation,
# the injected event, and the program with that event in it — which,
# replayed, gives the same error.
# Usage: sanitizer_trial.sh SRC_DIR   (builds in a temporary directory)
set -u
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
. "$(dirname "$0")/patched_tree.sh"

copy_tree "$src" "$tmp/src"
# the bug, only in NMI: a 4-byte load from an odd address (not volatile:
# UBSan checks no volatile access's alignment; the asm hides the address)
sed -i 's|^\t\*why = NOLOCK_OK;$|&\n\tif (in_nmi()) { static char b[16]; const char *p = b; __asm__("" : "+r"(p)); *why = (enum nolock_fail)(*(const int *)(p + 1) \& 0); }|' \
	"$tmp/src/core/nolock.c"
grep -q 'p + 1' "$tmp/src/core/nolock.c" || fail "could not plant the misaligned load in core/nolock.c"

build_reentry "$tmp/src" "$tmp/build"
reentry=$tmp/build/reentry

timeout 300 "$reentry" sweep "$src/corpus/text/nolock/basic.txt" --kinds nmi >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -ne 0 ] || fail "the sweep ended clean (exit 0) with a misaligned load in every NMI"
grep -q "load of misaligned address" "$tmp/err" || fail "no UBSan report"
grep -q "^ *#0 0x.* in kmalloc_nolock_why .*core/nolock.c" "$tmp/err" ||
	{ cat "$tmp/err"; fail "UBSan's report has no stack down to kmalloc_nolock_why()"; }
grep -q "^reentry: the sanitizer report above happened in op [0-9]* (.*); the trial injected op [0-9]* @[0-9]* nmi\.$" "$tmp/err" ||
	{ cat "$tmp/err"; fail "the trial (operation, injected event) is not said"; }
sed -n '/^reentry: the program, with the trial/,$p' "$tmp/err" | sed 1d >"$tmp/trial.txt"
grep -q "@[0-9]* nmi { p = kmalloc_nolock(64, 0) }" "$tmp/trial.txt" ||
	{ cat "$tmp/err"; fail "the printed program lacks the trial's NMI and its handler"; }
timeout 60 "$reentry" replay "$tmp/trial.txt" >/dev/null 2>"$tmp/again"
grep -q "load of misaligned address" "$tmp/again" ||
	{ cat "$tmp/trial.txt"; fail "the printed program, replayed, does not give the error again"; }
echo "ok: UBSan's report with its stack, the trial, and a program that replays it"
