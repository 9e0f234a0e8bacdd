#!/usr/bin/env bash
# Every ci/ script answers --help (exit 0, a usage line) and rejects a bad
# argument with one line on stderr and exit 2, before building anything: a
# REENTRY_BUGS name that is not in the registry too. ci/lib.sh's registry
# parse gives the names `reentry bugs` lists; its build_or_die prints the end
# of a failed build's log and exits 2; ci/deps.sh needs chromium only with
# --chromium (checked in a fake PATH: nothing is installed).
# Usage: ci_scripts_usage.sh SRC_DIR [REENTRY]
set -u
src=$1 reentry=${2:-} fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # expect STATUS DESCRIPTION COMMAND...
	local want=$1 what=$2 got lines
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$got" != "$want" ]; then
		echo "FAIL: $what: exit $got, expected $want"; cat "$tmp/err"; fail=1
	elif [ "$want" = 0 ] && ! grep -qi 'usage' "$tmp/out"; then
		echo "FAIL: $what: no usage line in --help"; fail=1
	elif [ "$want" = 2 ] && [ "$lines" != 1 ]; then
		echo "FAIL: $what: $lines lines on stderr, expected one"; cat "$tmp/err"; fail=1
	else
		echo "ok    $what"
	fi
}

for s in fuzz.sh regress.sh merge.sh coverage.sh oss-fuzz/build.sh deps.sh; do
	expect 0 "ci/$s --help" "$src/ci/$s" --help
done
expect 2 "ci/fuzz.sh --engine nope" "$src/ci/fuzz.sh" --engine nope
expect 2 "ci/fuzz.sh --target nope" "$src/ci/fuzz.sh" --target nope
expect 2 "ci/fuzz.sh --jobs 0" "$src/ci/fuzz.sh" --jobs 0
expect 2 "ci/fuzz.sh 10s" "$src/ci/fuzz.sh" 10s
expect 2 "ci/fuzz.sh --corpus (no value)" "$src/ci/fuzz.sh" --corpus
expect 2 "ci/regress.sh --nope" "$src/ci/regress.sh" --nope
expect 2 "ci/merge.sh --engine nope" "$src/ci/merge.sh" --engine nope
expect 2 "ci/merge.sh --target nope" "$src/ci/merge.sh" --target nope
expect 2 "ci/merge.sh --corpus /nonexistent" "$src/ci/merge.sh" --corpus /nonexistent
expect 2 "ci/coverage.sh --target nope" "$src/ci/coverage.sh" --target nope
expect 2 "ci/coverage.sh /nonexistent" "$src/ci/coverage.sh" /nonexistent
expect 2 "ci/oss-fuzz/build.sh without OUT" env -u OUT "$src/ci/oss-fuzz/build.sh"
expect 2 "ci/oss-fuzz/build.sh SANITIZER=memory" env OUT="$tmp/out-dir" SANITIZER=memory "$src/ci/oss-fuzz/build.sh"
expect 2 "ci/oss-fuzz/build.sh FUZZING_ENGINE=honggfuzz" env OUT="$tmp/out-dir" FUZZING_ENGINE=honggfuzz "$src/ci/oss-fuzz/build.sh"

# A misspelt bug name: refused before any build or run, with the valid names.
for s in "fuzz.sh --target nolock 4" regress.sh merge.sh "coverage.sh --target nolock"; do
	for bugs in bogus list_lock_spin,bogus; do
		# (bounded: without the check the script would build and fuzz)
		expect 2 "REENTRY_BUGS=$bugs ci/$s" env REENTRY_BUGS=$bugs timeout 60 $src/ci/$s
		if ! grep -q "REENTRY_BUGS: no historical bug named 'bogus' (the registry's: kprobe_fastpath, .*list_lock_spin, " "$tmp/err"; then
			echo "FAIL: REENTRY_BUGS=$bugs ci/$s: the message does not name 'bogus' and the registry"
			cat "$tmp/err"; fail=1
		fi
	done
done
if [ -n "$reentry" ]; then
	(cd "$src" && . ci/lib.sh && registry_bugs) | sort >"$tmp/parsed"
	"$reentry" bugs | awk '{ print $1 }' | sort >"$tmp/listed"
	if [ -s "$tmp/parsed" ] && cmp -s "$tmp/parsed" "$tmp/listed"; then
		echo "ok    ci/lib.sh reads the registry's $(wc -l <"$tmp/parsed") names from core/bugs.c"
	else
		echo "FAIL: ci/lib.sh's names of core/bugs.c differ from reentry bugs:"
		diff "$tmp/parsed" "$tmp/listed"; fail=1
	fi
fi

# The bugs ci/fuzz.sh names in the replay command it prints for a crash.
got=$(. "$src/ci/lib.sh" && REENTRY_BUGS=list_lock_spin,,zero_skipped reentry_bug_options)
if [ "$got" != "--bug list_lock_spin --bug zero_skipped" ]; then
	echo "FAIL: reentry_bug_options: '$got'"; fail=1
else
	echo "ok    REENTRY_BUGS as replay options: $got"
fi

# build_or_die on a failing "build": the end of the log and its path on
# stderr, exit 2; the beginning of a long log is left out.
(
	prog=test
	. "$src/ci/lib.sh"
	build_or_die "$tmp/logs/build.log" sh -c 'for i in $(seq 50); do echo "line $i"; done
		echo "core/slub.c:1:1: error: expected identifier" >&2; exit 3'
) >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" != 2 ] || [ -s "$tmp/out" ] ||
   ! grep -q '^test: build failed (exit 3): sh -c' "$tmp/err" ||
   ! grep -q '^core/slub.c:1:1: error: expected identifier$' "$tmp/err" ||
   ! grep -q '^line 22$' "$tmp/err" || grep -q '^line 21$' "$tmp/err" ||
   ! grep -q "^test: the whole log: $tmp/logs/build.log$" "$tmp/err"; then
	echo "FAIL: build_or_die: exit $got, expected 2 with the log's last 30 lines and path:"
	cat "$tmp/out" "$tmp/err"; fail=1
else
	echo "ok    build_or_die prints the end of a failed build's log"
fi
(
	. "$src/ci/lib.sh"
	build_or_die "$tmp/logs/ok.log" echo built
	echo "went on"
) >"$tmp/out" 2>&1
if [ "$(cat "$tmp/out")" != "went on" ] || ! grep -q '^built$' "$tmp/logs/ok.log"; then
	echo "FAIL: build_or_die of a working build is not quiet:"; cat "$tmp/out"; fail=1
else
	echo "ok    build_or_die is quiet when the build works"
fi

# ci/deps.sh in a fake PATH: the tools it checks are stubs, the user is not
# root; chromium is required only with --chromium.
fake=$tmp/fake
mkdir -p "$fake/bin" "$fake/rt"
for lib in asan ubsan_standalone tsan fuzzer; do : >"$fake/rt/libclang_rt.$lib.a"; done
for tool in bash env sed sort head uname cat; do ln -s "$(command -v $tool)" "$fake/bin/$tool"; done
stub() { printf '#!/bin/sh\n%s\n' "$2" >"$fake/bin/$1"; chmod +x "$fake/bin/$1"; }
stub clang "case \$1 in -dumpversion) echo 14.0.6 ;; -print-runtime-dir) echo $fake/rt ;; esac"
stub cmake 'echo "cmake version 3.25.1"'
stub ninja 'echo 1.11.1'
stub id 'echo 1000'
PATH="$fake/bin" "$src/ci/deps.sh" >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" != 0 ] || ! grep -q '^ci/deps.sh: present: clang 14.0.6, cmake 3.25.1, ninja 1.11.1, compiler-rt$' "$tmp/out"; then
	echo "FAIL: ci/deps.sh without chromium: exit $got, expected 0 and the summary"
	cat "$tmp/out" "$tmp/err"; fail=1
else
	echo "ok    ci/deps.sh does not need chromium"
fi
PATH="$fake/bin" "$src/ci/deps.sh" --chromium >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" != 2 ] || ! grep -q '^apt-get install -y --no-install-recommends chromium$' "$tmp/err"; then
	echo "FAIL: ci/deps.sh --chromium without chromium, not root: exit $got, expected 2 and the apt-get line"
	cat "$tmp/out" "$tmp/err"; fail=1
else
	echo "ok    ci/deps.sh --chromium asks for chromium"
fi
stub chromium 'exit 0'
PATH="$fake/bin" "$src/ci/deps.sh" --chromium >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" != 0 ] || ! grep -q 'compiler-rt, chromium$' "$tmp/out"; then
	echo "FAIL: ci/deps.sh --chromium with chromium: exit $got, expected 0 naming it"
	cat "$tmp/out" "$tmp/err"; fail=1
else
	echo "ok    ci/deps.sh --chromium finds chromium"
fi
exit $fail
