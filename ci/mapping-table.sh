#!/usr/bin/env bash
# ci/mapping-table.sh — print the kernel → model mapping table of
# docs/model.md (kernel function → model function → file) from the "models:"
# tags in core/*.c: for each tag, the function defined next. `--check`
# compares it with docs/model.md instead (exit 1 and a diff if they differ;
# ctest runs this); `--write` replaces the table in docs/model.md.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/model.md

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
	have=$(sed -n '/^| kernel function | model function/,/^$/p' "$doc" | sed '/^$/d')
	if [ "$want" != "$have" ]; then
		echo "$doc's mapping table is out of date; regenerate it with ci/mapping-table.sh --write:"
		diff <(echo "$have") <(echo "$want") || true
		exit 1
	fi
	echo "$doc's mapping table matches the models: tags ($(echo "$want" | wc -l) lines)"
	;;
--write)
	# Replace the table in docs/model.md in place.
	table >"$doc.table"
	awk 'FNR == NR { t = t $0 "\n"; next }
	     /^\| kernel function \| model function/ { printf "%s", t; skip = 1; next }
	     skip && /^\|/ { next }
	     { skip = 0; print }' "$doc.table" "$doc" >"$doc.new"
	mv "$doc.new" "$doc"
	rm -f "$doc.table"
	;;
--help | -h)
	sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
	;;
"")
	table
	;;
*)
	echo "usage: ci/mapping-table.sh [--check | --write]" >&2
	exit 2
	;;
esac
