#!/usr/bin/env bash
# ci/mapping-table.sh — print README.md's mapping table (kernel function →
# model function → file) from the "models:" tags in core/*.c: for each tag,
# the function defined next. `--check` compares it with README.md instead
# (exit 1 and a diff if they differ; ctest runs this); `--write` replaces
# the table in README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

table() {
	echo "| kernel function | model function | model file | kernel file |"
	echo "|---|---|---|---|"
	awk '
		/models:/ {
			tag = $0
			sub(/.*models: */, "", tag)
			sub(/ *\*\/ *$/, "", tag)
			pending = tag
			next
		}
		pending != "" && /^[a-zA-Z_][a-zA-Z0-9_ \t\*]*\(/ && !/^(static )?(typedef|struct [a-z_]+ \{)/ {
			line = $0
			sub(/\(.*/, "", line)
			n = split(line, w, /[ \t\*]+/)
			kfile = pending; sub(/ .*/, "", kfile)
			kfn = pending; sub(/^[^ ]* /, "", kfn); sub(/ — .*/, "", kfn)
			gsub(/\(\)/, "()`", kfn); gsub(/ and /, " and `", kfn); gsub(/ \/ /, ", `", kfn)
			printf "| `%s | `%s()` | %s | %s |\n", kfn, w[n], FILENAME, kfile
			pending = ""
		}' core/*.c
}

case "${1:-}" in
--check)
	want=$(table)
	have=$(sed -n '/^| kernel function | model function/,/^$/p' README.md | sed '/^$/d')
	if [ "$want" != "$have" ]; then
		echo "README.md's mapping table is out of date; regenerate it with ci/mapping-table.sh --write:"
		diff <(echo "$have") <(echo "$want") || true
		exit 1
	fi
	echo "README.md's mapping table matches the models: tags ($(echo "$want" | wc -l) lines)"
	;;
--write)
	# Replace the table in README.md in place.
	table >README.md.table
	awk 'FNR == NR { t = t $0 "\n"; next }
	     /^\| kernel function \| model function/ { printf "%s", t; skip = 1; next }
	     skip && /^\|/ { next }
	     { skip = 0; print }' README.md.table README.md >README.md.new
	mv README.md.new README.md
	rm -f README.md.table
	;;
--help | -h)
	sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
	;;
"")
	table
	;;
*)
	echo "usage: ci/mapping-table.sh [--check | --write]" >&2
	exit 2
	;;
esac
