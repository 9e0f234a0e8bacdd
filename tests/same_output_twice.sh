#!/bin/sh
# Run a command twice; pass if both runs print the same bytes (and say so).
# Usage: same_output_twice.sh COMMAND [ARGS...]
set -u
a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
"$@" >"$a" 2>&1
"$@" >"$b" 2>&1
if cmp -s "$a" "$b"; then
	echo "same output twice ($(wc -c <"$a") bytes): $*"
	exit 0
fi
echo "outputs differ: $*"
diff "$a" "$b" | head -20
exit 1
