#!/bin/sh
# A libFuzzer target starts from nothing: from an empty corpus directory
# (how libFuzzer is most often started) and from a directory holding one
# empty file (how OSS-Fuzz starts a target without a seed corpus), each for
# RUNS runs. libFuzzer exits 1 ("no interesting inputs were found") when the
# inputs it starts from reach no instrumented code.
# Usage: fuzz_empty_corpus.sh FUZZER [RUNS]   (default 2000)
set -eu
fuzzer=$1 runs=${2:-2000}
name=$(basename "$fuzzer")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/empty" "$work/one_empty_file"
: >"$work/one_empty_file/empty"
unset REENTRY_BUGS REENTRY_PRINT_BOUNDARIES
for corpus in empty one_empty_file; do
	# -seed: the same runs every time; artifacts (none expected) stay here
	if ! timeout 300 "$fuzzer" -runs="$runs" -seed=1 -artifact_prefix="$work/" \
		"$work/$corpus" >"$work/log" 2>&1; then
		tail -n 5 "$work/log"
		echo "$name did not start from the corpus '$corpus'" >&2
		exit 1
	fi
	grep -q "^Done $runs runs" "$work/log" || {
		tail -n 5 "$work/log"
		echo "$name: $runs runs were not done from the corpus '$corpus'" >&2
		exit 1
	}
	echo "$name: $runs runs from the corpus '$corpus': $(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/log" | tail -n 1)"
done
