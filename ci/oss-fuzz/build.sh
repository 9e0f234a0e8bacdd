#!/usr/bin/env bash
# ci/oss-fuzz/build.sh — the OSS-Fuzz / ClusterFuzzLite build contract.
#
# Usage: CC=... CFLAGS=... LIB_FUZZING_ENGINE=... OUT=DIR [SANITIZER=...] ci/oss-fuzz/build.sh
#        ci/oss-fuzz/build.sh --help
# Builds every fuzz target (REENTRY_FUZZ_TARGETS in CMakeLists.txt) with $CC,
# $CFLAGS and $LIB_FUZZING_ENGINE and puts into $OUT, for each target T:
#   T_fuzzer  T_fuzzer_seed_corpus.zip (corpus/T/)  T_fuzzer.dict  T_fuzzer.options
# (.dict and .options when corpus/T.dict, corpus/T.options exist). The build
# directory is $WORK/reentry-build ($WORK: OSS-Fuzz's scratch dir, else a
# temporary one). Engines: libFuzzer ($CC clang, $CFLAGS with
# -fsanitize=fuzzer-no-link) and AFL++ ($CC afl-clang-fast or
# FUZZING_ENGINE=afl, $LIB_FUZZING_ENGINE its libAFLDriver.a). Under AFL++
# core/ is compiled by plain clang ($REENTRY_PLAIN_CC, default clang):
# afl-cc strips -fsanitize-coverage=, and core/ needs trace-loads/trace-stores
# for its boundaries (docs/ci.md); afl-clang-fast
# links. $SANITIZER (address, undefined, coverage) only selects $CFLAGS,
# which OSS-Fuzz sets. Exit 0 built, 2 usage or build error.
set -euo pipefail
prog=ci/oss-fuzz/build.sh
# The source tree: beside this script, or (OSS-Fuzz copies build.sh to $SRC/)
# the working directory the Dockerfile sets, or $SRC/reentry.
src=$(cd "$(dirname "$0")/../.." && pwd)
for dir in "$src" "$PWD" "${SRC:-/src}/reentry"; do
	if grep -qs '^project(reentry' "$dir/CMakeLists.txt"; then
		src=$(cd "$dir" && pwd)
		break
	fi
done

case "${1:-}" in
-h | --help)
	# the comment block at the top of this file
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
	exit 0
	;;
"") ;;
*)
	echo "$prog: unknown argument '$1' (see --help)" >&2
	exit 2
	;;
esac
die() {
	echo "$prog: $*" >&2
	exit 2
}

[ -n "${OUT:-}" ] || die "\$OUT must name the output directory"
CC=${CC:-clang}
CFLAGS=${CFLAGS:-}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}

case ${SANITIZER:-} in
memory) die "SANITIZER=memory is not supported (address, undefined, coverage)" ;;
esac
engine=${FUZZING_ENGINE:-}
if [ -z "$engine" ]; then
	case $(basename "${CC%% *}") in
	afl-*) engine=afl ;;
	*) engine=libfuzzer ;;
	esac
fi
cmake_args=(-DCMAKE_BUILD_TYPE= "-DCMAKE_C_FLAGS=$CFLAGS" "-DREENTRY_LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE")
case $engine in
libfuzzer)
	cmake_args+=(-DREENTRY_ENGINE=libfuzzer "-DCMAKE_C_COMPILER=$CC")
	;;
afl)
	afl_cc=$(command -v "${CC%% *}") || die "$CC not found"
	plain_cc=$(command -v "${REENTRY_PLAIN_CC:-clang}") || die "no plain clang (set REENTRY_PLAIN_CC)"
	cmake_args+=(-DREENTRY_ENGINE=afl "-DCMAKE_C_COMPILER=$plain_cc" "-DAFL_CLANG_FAST=$afl_cc")
	;;
*) die "fuzzing engine '$engine' is not supported (libfuzzer, afl)" ;;
esac

targets=$(sed -n 's/^set(REENTRY_FUZZ_TARGETS \(.*\))$/\1/p' "$src/CMakeLists.txt")
[ -n "$targets" ] || die "no REENTRY_FUZZ_TARGETS line in CMakeLists.txt"

if [ -z "${WORK:-}" ]; then
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
fi
build=$WORK/reentry-build
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
# A cached build of another configuration would keep its compiler and flags.
rm -rf "$build"
echo "$prog: $engine build (SANITIZER=${SANITIZER:-unset}) in $build"
cmake -S "$src" -B "$build" "${generator[@]}" "${cmake_args[@]}" >"$build.log" 2>&1 ||
	{ cat "$build.log" >&2; die "cmake configure failed"; }
bins=()
for t in $targets; do bins+=("${t}_fuzzer"); done
cmake --build "$build" --target "${bins[@]}" >>"$build.log" 2>&1 ||
	{ tail -n 40 "$build.log" >&2; die "build failed (log: $build.log)"; }

mkdir -p "$OUT"
for t in $targets; do
	cp "$build/${t}_fuzzer" "$OUT/"
	if [ -d "$src/corpus/$t" ]; then
		# flat zip of the seeds (cmake's libarchive: no zip(1) needed)
		rm -f "$OUT/${t}_fuzzer_seed_corpus.zip"
		(cd "$src/corpus/$t" && cmake -E tar cf "$OUT/${t}_fuzzer_seed_corpus.zip" --format=zip -- *)
	fi
	[ -f "$src/corpus/$t.dict" ] && cp "$src/corpus/$t.dict" "$OUT/${t}_fuzzer.dict"
	[ -f "$src/corpus/$t.options" ] && cp "$src/corpus/$t.options" "$OUT/${t}_fuzzer.options"
	echo "$prog: $OUT/${t}_fuzzer"
done
