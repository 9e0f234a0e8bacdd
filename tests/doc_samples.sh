#!/usr/bin/env bash
# tests/doc_samples.sh — every sample output in README.md and docs/*.md is
# what the commands print today.
#
# A sample is a fenced block right after a line "<!-- sample -->":
#
#   <!-- sample -->
#   ```console
#   $ reentry check corpus/regressions/kprobe-fastpath.txt
#   ok   corpus/regressions/kprobe-fastpath.txt: expect double-alloc, ...
#   [exit 0]
#   ```
#
# Each line starting with "$ " is a command; the lines after it, up to the
# next command or the end of the block, are its output. A command runs in
# bash from the source directory, with the directory of the reentry given
# first on PATH (so the fuzz targets built beside it are found too), LC_ALL=C,
# stdout and stderr together, at most 60 s. Its output must be the sample's
# byte for byte (blank lines at the very end aside). A last output line
# "[exit N]" also checks the exit status; show it only for a command without
# a pipe (a pipeline's status is its last command's).
#
# A fenced block without the marker that shows a "$ " command followed by
# output is an error: every sample output is checked; so is a "$ " line in
# an indented code block. Paths in commands are relative to the source
# directory, so outputs do not depend on the machine.
#
# Usage: tests/doc_samples.sh [--update] REENTRY SRC_DIR
#   --update   rewrite each sample's output (and its [exit N] line, if it
#              has one) in place from what the command prints now
# Exit 0: every sample matches (or was rewritten); 1: a sample differs or a
# block is malformed; 2: usage.
set -u

usage() {
	sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'
}

update=0
args=()
for a in "$@"; do
	case $a in
	--update) update=1 ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "doc_samples.sh: unknown option '$a' (see --help)" >&2; exit 2 ;;
	*) args+=("$a") ;;
	esac
done
if [ ${#args[@]} -ne 2 ]; then
	echo "usage: tests/doc_samples.sh [--update] REENTRY SRC_DIR" >&2
	exit 2
fi
reentry=${args[0]} src=${args[1]}
if [ ! -x "$reentry" ]; then
	echo "doc_samples.sh: $reentry: not an executable" >&2
	exit 2
fi
bindir=$(cd "$(dirname "$reentry")" && pwd)
cd "$src" || exit 2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
samples=0 failed=0 malformed=0
fence='^[[:space:]]*```'
marker='^[[:space:]]*<!-- sample -->[[:space:]]*$'
indented_command=$'^(    |\t)[[:space:]]*\\$ '

# run CMD: sets $out (the output, trailing newlines dropped) and $status.
run() {
	out=$(PATH="$bindir:$PATH" LC_ALL=C timeout 60 bash -c "$1" 2>&1 </dev/null)
	status=$?
	if [ "$status" = 124 ]; then
		out+=$'\n'"doc_samples.sh: timed out after 60 s"
	fi
}

# trim_blank NAME: drop the trailing empty elements of array NAME.
trim_blank() {
	local -n a=$1
	while [ ${#a[@]} -gt 0 ] && [ -z "${a[-1]}" ]; do
		unset 'a[-1]'
	done
}

# check_command FILE LINE CMD EXPECTED_LINES...: compare one command's output;
# with --update, print the block lines that replace it to fd 3.
check_command() {
	local file=$1 line=$2 cmd=$3
	shift 3
	local -a want=("$@") got=()
	local want_exit="" got_text want_text

	trim_blank want
	if [ ${#want[@]} -gt 0 ] && [[ ${want[-1]} =~ ^\[exit\ ([0-9]+)\]$ ]]; then
		want_exit=${BASH_REMATCH[1]}
		unset 'want[-1]'
		trim_blank want
	fi
	run "$cmd"
	[ -n "$out" ] && mapfile -t got <<<"$out"
	samples=$((samples + 1))
	got_text=$(printf '%s\n' "${got[@]}")
	want_text=$(printf '%s\n' "${want[@]}")
	if [ "$update" = 1 ]; then
		for l in "${got[@]}"; do
			if [[ $l =~ ^\$\  || $l =~ $fence || $l =~ ^\[exit\ [0-9]+\]$ ]]; then
				echo "FAIL $file:$line: '$cmd' prints a line a sample cannot hold: $l"
				malformed=1
			fi
		done
		{
			printf '$ %s\n' "$cmd"
			[ ${#got[@]} -gt 0 ] && printf '%s\n' "${got[@]}"
			[ -n "$want_exit" ] && printf '[exit %s]\n' "$status"
		} >&3
		if [ "$got_text" != "$want_text" ] || { [ -n "$want_exit" ] && [ "$want_exit" != "$status" ]; }; then
			echo "updated $file:$line: \$ $cmd"
		fi
		return
	fi
	if [ "$got_text" != "$want_text" ]; then
		echo "FAIL $file:$line: \$ $cmd"
		echo "     the sample (-) and what it prints now (+):"
		diff <(printf '%s\n' "${want[@]}") <(printf '%s\n' "${got[@]}") | sed 's/^/     /'
		failed=$((failed + 1))
	elif [ -n "$want_exit" ] && [ "$want_exit" != "$status" ]; then
		echo "FAIL $file:$line: \$ $cmd"
		echo "     the sample says exit $want_exit, it exits $status"
		failed=$((failed + 1))
	else
		echo "ok   $file:$line: \$ $cmd"
	fi
}

# indent_lines PREFIX: copy stdin to stdout, PREFIX before each non-empty line.
indent_lines() {
	local l
	while IFS= read -r l; do
		if [ -n "$l" ]; then printf '%s%s\n' "$1" "$l"; else echo; fi
	done
}

# check_block FILE LINE BLOCK_LINES...: the commands of one sample block.
check_block() {
	local file=$1 line=$2
	shift 2
	local -a block=("$@") expect=()
	local cmd="" at=0 i

	if [ ${#block[@]} -eq 0 ] || [[ ! ${block[0]} =~ ^\$\  ]]; then
		echo "FAIL $file:$line: a sample block must start with a '\$ ' command line"
		malformed=1
		return
	fi
	for i in "${!block[@]}"; do
		if [[ ${block[i]} =~ ^\$\  ]]; then
			[ -n "$cmd" ] && check_command "$file" "$at" "$cmd" "${expect[@]}"
			cmd=${block[i]#\$ } at=$((line + 1 + i)) expect=()
		else
			expect+=("${block[i]}")
		fi
	done
	check_command "$file" "$at" "$cmd" "${expect[@]}"
}

check_file() {
	local file=$1 i=0 n marked start indent j
	local -a lines block raw

	mapfile -t lines <"$file"
	n=${#lines[@]}
	if [ "$update" = 1 ]; then
		exec 3>"$tmp/new"
	else
		exec 3>/dev/null
	fi
	while [ $i -lt $n ]; do
		marked=0
		if [[ ${lines[i]} =~ $marker ]]; then
			printf '%s\n' "${lines[i]}" >&3
			i=$((i + 1))
			if [ $i -ge $n ] || [[ ! ${lines[i]} =~ $fence ]]; then
				echo "FAIL $file:$i: '<!-- sample -->' must be followed by a fenced block"
				malformed=1
				continue
			fi
			marked=1
		fi
		if [[ ${lines[i]} =~ $fence ]]; then
			start=$i
			# a block in a list item is indented: its lines lose the
			# fence's indentation here, and get it back when rewritten
			indent=${lines[i]%%\`*}
			printf '%s\n' "${lines[i]}" >&3
			block=() raw=()
			i=$((i + 1))
			while [ $i -lt $n ] && [[ ! ${lines[i]} =~ $fence ]]; do
				block+=("${lines[i]#"$indent"}")
				raw+=("${lines[i]}")
				i=$((i + 1))
			done
			if [ "$marked" = 1 ]; then
				check_block "$file" $((start + 1)) "${block[@]}" 3>"$tmp/block"
				indent_lines "$indent" <"$tmp/block" >&3
			else
				for j in "${!block[@]}"; do
					if [[ ${block[j]} =~ ^\$\  ]] && [ $((j + 1)) -lt ${#block[@]} ] &&
					   [ -n "${block[j + 1]}" ] && [[ ! ${block[j + 1]} =~ ^\$\  ]]; then
						echo "FAIL $file:$((start + 2 + j)): a command with output not marked '<!-- sample -->' (every sample output is checked)"
						malformed=1
						break
					fi
				done
				[ ${#raw[@]} -gt 0 ] && printf '%s\n' "${raw[@]}" >&3
			fi
			[ $i -lt $n ] && printf '%s\n' "${lines[i]}" >&3
			i=$((i + 1))
			continue
		fi
		if [[ ${lines[i]} =~ $indented_command ]]; then
			echo "FAIL $file:$((i + 1)): a command in an indented code block is never checked: use a fenced block (with '<!-- sample -->' if it shows output)"
			malformed=1
		fi
		printf '%s\n' "${lines[i]}" >&3
		i=$((i + 1))
	done
	exec 3>&-
	if [ "$update" = 1 ] && [ "$malformed" = 0 ] && ! cmp -s "$file" "$tmp/new"; then
		cat "$tmp/new" >"$file"
	fi
}

for f in README.md docs/*.md; do
	[ -f "$f" ] && check_file "$f"
done

if [ "$samples" = 0 ]; then
	echo "FAIL no samples found in README.md and docs/*.md"
	exit 1
fi
if [ "$malformed" != 0 ] || [ "$failed" != 0 ]; then
	echo "$failed of $samples samples differ$([ "$malformed" != 0 ] && echo ", and a block is malformed");" \
	     "if the new output is right: tests/doc_samples.sh --update $reentry $src"
	exit 1
fi
if [ "$update" = 1 ]; then
	echo "$samples samples, rewritten from what the commands print now"
else
	echo "$samples samples match what the commands print"
fi
exit 0
