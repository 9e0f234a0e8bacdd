#!/usr/bin/env bash
# ci/coverage.sh — source coverage of core/ by a corpus, as an llvm-cov HTML report.
#
# Usage: ci/coverage.sh [-o DIR] [--target NAME] [INPUT_DIR...]
#        ci/coverage.sh --help
#   -o DIR         where the report goes (default out/coverage; DIR/index.html)
#   --target NAME  the fuzz target that replays INPUT_DIRs (default nolock)
#   INPUT_DIR...   binary inputs to replay (e.g. a corpus grown by ci/fuzz.sh);
#                  default: every seed corpus/<target>/ through its own target,
#                  and every regression corpus/regressions/*.txt (reentry check)
# Builds build/coverage: the test preset's flags (clang, ASan+UBSan, boundary
# instrumentation) plus -fprofile-instr-generate -fcoverage-mapping, with
# atomic profile counters so that they add no boundary of their own (the
# ordinals still differ slightly from the test preset's: a regression may not
# reach its verdict there, which the script counts and prints). Then replays,
# merges the profiles (llvm-profdata) and writes the report of core/
# (llvm-cov show), printing llvm-cov's summary table for core/.
# Needs llvm-profdata and llvm-cov of clang's version (package llvm-<major>,
# installed by ci/deps.sh --coverage).
# The build's output goes to out/coverage-build.log (its end is printed if it
# fails). REENTRY_BUGS, which the targets read, must name bugs of the
# registry (core/bugs.c).
# Exit 0 report written, 2 usage or build error.
set -euo pipefail
cd "$(dirname "$0")/.."
prog=ci/coverage.sh
. ci/lib.sh

usage_error() {
	echo "$prog: $* (see --help)" >&2
	exit 2
}

report=out/coverage target=nolock dirs=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help)
		# the comment block at the top of this file
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0
		;;
	-o | --target)
		[ $# -ge 2 ] || usage_error "$1 needs a value"
		if [ "$1" = -o ]; then report=$2; else target=$2; fi
		shift 2
		;;
	-*) usage_error "unknown option '$1'" ;;
	*)
		[ -d "$1" ] || usage_error "no directory '$1'"
		dirs+=("$1")
		shift
		;;
	esac
done
[ -f "fuzz/targets/$target.c" ] || usage_error "no fuzz target '$target'"
check_reentry_bugs

ci/deps.sh --coverage >/dev/null
major=$(clang -dumpversion | cut -d. -f1)
profdata=$(command -v "llvm-profdata-$major" || command -v llvm-profdata) || usage_error "no llvm-profdata"
llvm_cov=$(command -v "llvm-cov-$major" || command -v llvm-cov) || usage_error "no llvm-cov"

build=build/coverage
build_log=out/coverage-build.log
rm -f "$build_log"
build_or_die "$build_log" cmake -S . -B $build -G Ninja -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DREENTRY_SANITIZE=ON \
	"-DCMAKE_C_FLAGS=-fprofile-instr-generate -fcoverage-mapping -mllvm -instrprof-atomic-counter-update-all=1"
build_or_die "$build_log" cmake --build $build

profiles=$build/profiles
rm -rf "$profiles"
mkdir -p "$profiles"
export LLVM_PROFILE_FILE=$profiles/%p.profraw
objects=()
runs=0
if [ ${#dirs[@]} -gt 0 ]; then
	for d in "${dirs[@]}"; do
		n=$(find "$d" -type f | wc -l)
		"$build/${target}_fuzzer" "$d" >/dev/null 2>&1 || echo "$prog: a report while replaying $d (still counted)"
		echo "replayed $n inputs of $d through ${target}_fuzzer"
		runs=$((runs + n))
	done
	objects+=("$build/${target}_fuzzer")
else
	for t in $(sed -n 's/^set(REENTRY_FUZZ_TARGETS \(.*\))$/\1/p' CMakeLists.txt); do
		[ -d "corpus/$t" ] || continue
		n=$(find "corpus/$t" -type f | wc -l)
		"$build/${t}_fuzzer" "corpus/$t" >/dev/null 2>&1 || echo "$prog: a report while replaying corpus/$t"
		echo "replayed $n seeds of corpus/$t"
		objects+=("$build/${t}_fuzzer")
		runs=$((runs + n))
	done
	set -- corpus/regressions/*.txt
	missed=$("$build/reentry" check "$@" 2>/dev/null | grep -c '^FAIL' || true)
	echo "replayed $# regressions (reentry check; $missed of them miss their verdict in this build's ordinals)"
	objects+=("$build/reentry")
	runs=$((runs + $#))
fi

"$profdata" merge -sparse "$profiles"/*.profraw -o "$build/coverage.profdata"
obj_args=("${objects[0]}")
for o in "${objects[@]:1}"; do obj_args+=(-object "$o"); done
sources=(core/*.c core/*.h)
rm -rf "$report"
"$llvm_cov" show -format=html -show-line-counts-or-regions -output-dir="$report" \
	-instr-profile="$build/coverage.profdata" "${obj_args[@]}" "${sources[@]}" >/dev/null
"$llvm_cov" report -instr-profile="$build/coverage.profdata" "${obj_args[@]}" "${sources[@]}"
echo "$prog: coverage of core/ by $runs inputs: $report/index.html"
