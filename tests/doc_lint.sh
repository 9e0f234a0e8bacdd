#!/usr/bin/env bash
# tests/doc_lint.sh — the documentation agrees with the code it describes.
#
#   - README.md's report-class table (between <!-- report-classes --> and
#     <!-- /report-classes -->) lists every class the code can report, and
#     no class the code cannot report. The classes are the string literals
#     given as the class to machine_report(), env_report(), oracle_fail(),
#     stress_report(), fuzz/stress.c's fail() and inject/threaded.c's
#     report(), a `cls[] = "..."` initializer, and invariant-N for every
#     fail_inv(N, ...) of core/validate.c and invariant_class(N) anywhere,
#     named as core/validate.c's INVARIANT(N, "name") table names them
#     (invariant-2-slab-lists). A row's class is its first backquoted word.
#   - docs/model.md's invariants table has exactly core/validate.c's
#     numbers and names.
#   - README.md has at most 250 lines: it is the newcomer's page; the rest
#     belongs in docs/.
#   - Every relative link in README.md and docs/*.md points at a file that
#     exists, and an anchor (#...) at a heading of that file.
#   - No document points outside the project: a path that climbs above the
#     source directory, or a .md file the project does not have (outside
#     out/, where ci/ writes its reports), is something users do not have.
#
# Usage: tests/doc_lint.sh SRC_DIR
# Exit 0 consistent, 1 not, 2 usage.
set -u
if [ $# -ne 1 ] || [ ! -f "$1/README.md" ]; then
	echo "usage: tests/doc_lint.sh SRC_DIR" >&2
	exit 2
fi
cd "$1" || exit 2
export LC_ALL=C
fail=0
bad() {
	echo "FAIL $*"
	fail=1
}

# ---- report classes ----
code_classes=$(perl -e '
	my (%cls, %name);
	for my $f (@ARGV) {
		local $/;
		open(my $fh, "<", $f) or die "$f: $!";
		my $s = <$fh>;
		close $fh;
		$s =~ s{/\*.*?\*/}{}gs;
		my @fns = qw(machine_report env_report stress_report);
		push @fns, "report" if $f =~ m{inject/threaded\.c$};
		push @fns, "fail" if $f =~ m{fuzz/stress\.c$};
		my $fns = join "|", @fns;
		while ($s =~ /\b(?:$fns)\s*\(\s*([^,;]*?),/gs) { $cls{$_} = 1 for $1 =~ /"([^"]*)"/g }
		while ($s =~ /\boracle_fail\s*\(\s*[^,]+,\s*([^,;]*?),/gs) { $cls{$_} = 1 for $1 =~ /"([^"]*)"/g }
		while ($s =~ /\bcls\s*\[\s*\w*\s*\]\s*=\s*"([^"]*)"/g) { $cls{$1} = 1 }
		if ($f =~ m{core/validate\.c$}) {
			while ($s =~ /\bINVARIANT\s*\(\s*(\d+)\s*,\s*"([^"]+)"/g) { $name{$1} = $2 }
			while ($s =~ /\bfail_inv\s*\(\s*(\d+)/g) { $cls{"invariant-$1"} = 1 }
			# fail() is an invariant without a number: the bare class
			$cls{"invariant"} = 1 if $s =~ /\breturn\s+fail\s*\(/;
		}
		while ($s =~ /\binvariant_class\s*\(\s*(\d+)\s*\)/g) { $cls{"invariant-$1"} = 1 }
	}
	# a numbered invariant is reported with its name (core/validate.c)
	for my $c (keys %cls) {
		next unless $c =~ /^invariant-(\d+)$/;
		delete $cls{$c};
		$cls{exists $name{$1} ? "$c-$name{$1}" : "$c-UNNAMED"} = 1;
	}
	print "$_\n" for sort grep { /^[a-z][a-z0-9 -]*$/ } keys %cls;
' core/*.c inject/*.c fuzz/*.c fuzz/targets/*.c)
if [ "$(echo "$code_classes" | wc -l)" -lt 10 ]; then
	bad "found only $(echo "$code_classes" | wc -l) report classes in the code: the extraction is broken"
fi
table=$(sed -n '/^<!-- report-classes -->$/,/^<!-- \/report-classes -->$/p' README.md)
if [ -z "$table" ]; then
	bad "README.md: no report-class table between <!-- report-classes --> and <!-- /report-classes -->"
fi
# the class of each row: its first backquoted text, and that text's first word
doc_full=$(echo "$table" | sed -n 's/^| `\([^`]*\)` |.*/\1/p')
doc_first=$(echo "$doc_full" | sed 's/ .*//')
while IFS= read -r c; do
	[ -n "$c" ] || continue
	if ! grep -qxF -- "$c" <<<"$doc_full" && ! grep -qxF -- "$c" <<<"$doc_first"; then
		bad "README.md: the report class '$c' (reported by the code) is not in the report-class table"
	fi
done <<<"$code_classes"
while IFS= read -r c; do
	[ -n "$c" ] || continue
	if ! grep -qxF -- "$c" <<<"$code_classes"; then
		bad "README.md: the report-class table lists '$c', which no code reports"
	fi
done <<<"$doc_first"
echo "report classes: $(echo "$code_classes" | wc -l) in the code, $(echo "$doc_first" | grep -c .) rows in README.md"

# ---- the invariants' names: docs/model.md's table is core/validate.c's ----
code_names=$(sed -n 's/.*\bINVARIANT(\([0-9]*\), *"\([^"]*\)").*/\1 \2/p' core/validate.c)
doc_names=$(sed -n 's/^| \([0-9][0-9]*\) | `\([^`]*\)` |.*/\1 \2/p' docs/model.md)
[ -n "$code_names" ] || bad "core/validate.c: no INVARIANT(N, \"name\") found: the extraction is broken"
if [ "$code_names" != "$doc_names" ]; then
	bad "docs/model.md: the invariants table's numbers and names are not core/validate.c's:"
	diff <(echo "$code_names") <(echo "$doc_names") | sed 's/^/     /'
fi

# ---- README.md length ----
lines=$(wc -l <README.md)
[ "$lines" -le 250 ] || bad "README.md has $lines lines (at most 250: move the rest to docs/)"

# ---- links ----
# A heading's anchor is made as GitHub makes it: lower case, ASCII
# punctuation and non-ASCII characters dropped, spaces to hyphens.
declare -A anchors	# file → its headings' anchors (outside code blocks), one a line
read_anchors() { # read_anchors FILE
	[ -n "${anchors[$1]+set}" ] && return
	anchors[$1]=$(awk '/^[[:space:]]*```/ { code = !code; next } !code' "$1" |
		sed -n 's/^#\{1,6\} \(.*\)/\1/p' | tr 'A-Z' 'a-z' |
		sed 's/[^a-z0-9 _-]//g; s/ /-/g')
}
for doc in README.md docs/*.md; do
	dir=$(dirname "$doc")
	# inline links [text](target), outside code spans and blocks
	targets=$(awk '/^[[:space:]]*```/ { code = !code; next } !code' "$doc" |
		  sed 's/`[^`]*`//g' | grep -o '\](\([^)]*\))' | sed 's/^](//; s/)$//; s/ .*//')
	for t in $targets; do
		case $t in
		http://* | https://* | mailto:*) continue ;;
		esac
		file=${t%%#*} anchor=""
		[ "$file" != "$t" ] && anchor=${t#*#}
		if [ -z "$file" ]; then
			path=$doc
		else
			path=$dir/$file
		fi
		if [ ! -e "$path" ]; then
			bad "$doc: link to $t: $path does not exist"
			continue
		fi
		[ -n "$anchor" ] && [ -f "$path" ] || continue
		read_anchors "$path"
		if ! grep -qxF -- "$anchor" <<<"${anchors[$path]}"; then
			bad "$doc: link to $t: no heading with that anchor in $path"
		fi
	done
done

# ---- nothing outside the project ----
root=$(pwd -P)
for doc in README.md docs/*.md; do
	dir=$(dirname "$doc")
	for t in $(grep -oE '(\.\./)*[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*(/[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*)*' "$doc" | grep -E '^\.\./|\.md$' | sort -u); do
		case $(realpath -m "$dir/$t") in
		"$root" | "$root"/*) ;;
		*) bad "$doc: '$t' is outside the project, which is all users have"; continue ;;
		esac
		case $t in
		../*) [ -e "$dir/$t" ] || bad "$doc: '$t' is not in the project" ;;
		*.md) [ -e "$dir/$t" ] || [ -e "$t" ] || [ "${t#out/}" != "$t" ] ||
			bad "$doc: names '$t', a document the project does not have" ;;
		esac
	done
done

if [ "$fail" = 0 ]; then
	echo "the docs are consistent with the code"
fi
exit $fail
