#!/usr/bin/env bash
# The OSS-Fuzz build contract (ci/oss-fuzz/build.sh) for one engine and
# sanitizer, with OSS-Fuzz's own flags and a temporary $OUT:
#   - every target of REENTRY_FUZZ_TARGETS is in $OUT, with its seed corpus
#     zip (exactly corpus/T/), .dict and .options (copies of corpus/T.*);
#   - every built fuzzer runs its seeds clean;
#   - core/'s boundaries fire: summed over corpus/nolock/, the built
#     nolock_fuzzer crosses at least half as many boundaries as the plain
#     test-preset driver (REENTRY_PRINT_BOUNDARIES=1). Without core/'s
#     load/store callbacks only the atomic wrappers' remain (measured: 29
#     instead of ~360 on basic.bin), far below half.
# Usage: oss_fuzz_build.sh libfuzzer-address|libfuzzer-undefined|afl SRC_DIR REFERENCE_NOLOCK_FUZZER
# Exit 0 pass, 1 fail, 77 skipped (afl: AFL++ not installed; ci/deps.sh --afl).
set -euo pipefail
mode=$1 src=$2 ref=$3

common="-O1 -fno-omit-frame-pointer -gline-tables-only"
asan="-fsanitize=address -fsanitize-address-use-after-scope"
ubsan_checks=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
ubsan="-fsanitize=$ubsan_checks,unsigned-integer-overflow -fno-sanitize-recover=$ubsan_checks"
case $mode in
libfuzzer-address)
	export CC=clang CFLAGS="$common $asan -fsanitize=fuzzer-no-link"
	export LIB_FUZZING_ENGINE=-fsanitize=fuzzer SANITIZER=address FUZZING_ENGINE=libfuzzer
	;;
libfuzzer-undefined)
	export CC=clang CFLAGS="$common $ubsan -fsanitize=fuzzer-no-link"
	export LIB_FUZZING_ENGINE=-fsanitize=fuzzer SANITIZER=undefined FUZZING_ENGINE=libfuzzer
	;;
afl)
	if ! command -v afl-clang-fast >/dev/null 2>&1; then
		echo "SKIP: afl-clang-fast not installed (ci/deps.sh --afl installs AFL++)"
		exit 77
	fi
	# Debian's afl++ ships the driver beside its runtime
	driver=$(dirname "$(readlink -f "$(command -v afl-clang-fast)")")/../lib/afl/libAFLDriver.a
	[ -f "$driver" ] || driver=/usr/lib/afl/libAFLDriver.a
	export CC=afl-clang-fast CFLAGS="$common $asan"
	export LIB_FUZZING_ENGINE=$driver SANITIZER=address FUZZING_ENGINE=afl
	;;
*)
	echo "usage: $0 libfuzzer-address|libfuzzer-undefined|afl SRC_DIR REFERENCE_NOLOCK_FUZZER" >&2
	exit 2
	;;
esac
# As OSS-Fuzz runs them: unsigned wrap-around is intended (hashes, PRNGs).
export UBSAN_OPTIONS=halt_on_error=1:silence_unsigned_overflow=1
unset REENTRY_BUGS

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OUT=$tmp/out WORK=$tmp/work
mkdir -p "$OUT" "$WORK"

"$src/ci/oss-fuzz/build.sh"

fail=0
bad() {
	echo "FAIL: $*"
	fail=1
}

# One input through a built fuzzer (libFuzzer and libAFLDriver both run a
# file given as their argument once); its stderr into $tmp/run.log.
run_one() {
	"$1" "$2" >"$tmp/run.log" 2>&1
}

targets=$(sed -n 's/^set(REENTRY_FUZZ_TARGETS \(.*\))$/\1/p' "$src/CMakeLists.txt")
[ -n "$targets" ] || bad "no REENTRY_FUZZ_TARGETS in CMakeLists.txt"
for t in $targets; do
	bin=$OUT/${t}_fuzzer
	[ -x "$bin" ] || { bad "$bin missing"; continue; }
	if [ -d "$src/corpus/$t" ]; then
		zip=$OUT/${t}_fuzzer_seed_corpus.zip
		if [ -f "$zip" ]; then
			(cd "$tmp" && cmake -E tar tf "$zip" | sort >zip.list)
			(cd "$src/corpus/$t" && ls | sort >"$tmp/seed.list")
			cmp -s "$tmp/zip.list" "$tmp/seed.list" || bad "$zip does not hold exactly corpus/$t/"
		else
			bad "$zip missing"
		fi
		n=0
		for seed in "$src/corpus/$t"/*; do
			run_one "$bin" "$seed" || { bad "${t}_fuzzer on $seed:"; cat "$tmp/run.log"; }
			n=$((n + 1))
		done
		echo "$t: $n seeds run clean"
	fi
	for ext in dict options; do
		if [ -f "$src/corpus/$t.$ext" ]; then
			cmp -s "$src/corpus/$t.$ext" "$OUT/${t}_fuzzer.$ext" || bad "$OUT/${t}_fuzzer.$ext is not corpus/$t.$ext"
		fi
	done
done

# "reentry: N boundaries in M operations": the last one printed per input.
boundaries() {
	local total=0 n seed
	for seed in "$src"/corpus/nolock/*; do
		REENTRY_PRINT_BOUNDARIES=1 "$1" "$seed" >"$tmp/run.log" 2>&1 || true
		n=$(sed -n 's/^reentry: \([0-9]*\) boundaries in .*/\1/p' "$tmp/run.log" | tail -n 1)
		total=$((total + ${n:-0}))
	done
	echo "$total"
}
got=$(boundaries "$OUT/nolock_fuzzer")
want=$(boundaries "$ref")
echo "boundaries over corpus/nolock: $got in the $mode build, $want in the plain test build"
[ "$want" -gt 0 ] || bad "the reference driver $ref crossed no boundary"
[ $((got * 2)) -ge "$want" ] || bad "core/'s boundaries do not fire in the $mode build ($got < $want / 2)"

[ $fail = 0 ] && echo "ok: $mode build of ci/oss-fuzz/build.sh"
exit $fail
