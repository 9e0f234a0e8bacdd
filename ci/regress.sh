#!/usr/bin/env bash
# ci/regress.sh — the corpus checks ctest runs, for CI systems without ctest.
#
# Usage: ci/regress.sh [--help]
# Builds the test preset if needed (build/test), then:
#   - replays every seed corpus corpus/<target>/ through the plain driver
#     build/test/<target>_fuzzer (each input must run clean);
#   - checks that corpus/<target>/*.bin are the encodings of
#     corpus/text/<target>/*.txt (tests/corpus_in_sync.sh);
#   - runs `reentry check` on every regression corpus/regressions/*.txt (the
#     verdict must be its "# expect:" class, clean with its "# bug:" off).
# Regressions are replayed in the test preset because their @N boundary
# ordinals are that build's.
# The build's output goes to out/regress/build-test.log (its end is printed
# if it fails). REENTRY_BUGS, which the targets read, must name bugs of the
# registry (core/bugs.c).
# Exit 0 all pass, 1 a check failed, 2 usage or build error.
set -euo pipefail
cd "$(dirname "$0")/.."
prog=ci/regress.sh
. ci/lib.sh

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

check_reentry_bugs
ci/deps.sh >/dev/null
build_preset_or_die test out/regress/build-test.log

targets=$(sed -n 's/^set(REENTRY_FUZZ_TARGETS \(.*\))$/\1/p' CMakeLists.txt)
[ -n "$targets" ] || { echo "$prog: no REENTRY_FUZZ_TARGETS in CMakeLists.txt" >&2; exit 2; }
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in $targets; do
	[ -d "corpus/$t" ] || continue
	n=$(find "corpus/$t" -type f | wc -l)
	if "build/test/${t}_fuzzer" "corpus/$t" >"$log" 2>&1; then
		echo "ok    corpus/$t: $n inputs run clean"
	else
		echo "FAIL  corpus/$t ($n inputs):"
		cat "$log"
		failed=$((failed + 1))
	fi
done

if tests/corpus_in_sync.sh build/test/reentry corpus >"$log" 2>&1; then
	echo "ok    $(cat "$log")"
else
	echo "FAIL  seed corpora out of sync with corpus/text/:"
	cat "$log"
	failed=$((failed + 1))
fi

set -- corpus/regressions/*.txt
if build/test/reentry check "$@" >"$log" 2>&1; then
	echo "ok    corpus/regressions: $# regressions keep their verdict"
else
	echo "FAIL  corpus/regressions:"
	grep -v '^ok ' "$log" || true
	failed=$((failed + 1))
fi

if [ $failed -ne 0 ]; then
	echo "$prog: $failed check(s) failed"
	exit 1
fi
echo "$prog: all checks pass"
