# shellcheck shell=bash
# ci/lib.sh — what the ci/ scripts share; sourced (`. ci/lib.sh` from the
# tree's root), never run. Each script sets $prog (its name, for messages).

# build_or_die LOG COMMAND...
# Runs a configure or build step with its output appended to LOG, so that a
# build that works stays quiet. When it fails, the compiler's error must not
# be lost: the last 30 lines of LOG and LOG's path go to stderr, and the
# script exits 2 (the ci/ scripts' status for a build error).
build_or_die() {
	local log=$1 rc=0
	shift
	mkdir -p "$(dirname "$log")"
	echo "\$ $*" >>"$log"
	"$@" >>"$log" 2>&1 || rc=$?
	[ "$rc" = 0 ] && return 0
	{
		echo "${prog:-ci}: build failed (exit $rc): $*"
		echo "${prog:-ci}: the last 30 lines of $log:"
		tail -n 30 "$log"
		echo "${prog:-ci}: the whole log: $log"
	} >&2
	exit 2
}

# build_preset_or_die PRESET LOG: configure and build a CMake preset, in a
# fresh LOG.
build_preset_or_die() {
	rm -f "$2"
	build_or_die "$2" cmake --preset "$1"
	build_or_die "$2" cmake --build --preset "$1"
}

# The names of the historical-bug registry, one a line, read from its source
# (core/bugs.c) so that no build is needed.
registry_bugs() {
	sed -n 's/^[[:space:]]*\.name = "\([A-Za-z0-9_]*\)",.*/\1/p' core/bugs.c
}

# check_reentry_bugs: every name in $REENTRY_BUGS (comma-separated, as
# the fuzz targets read it) must be in the registry. A misspelt name would
# make every target exit at its first input, which the fuzzing engines save
# as a crash: refuse it before anything is built or run (exit 2, with the
# valid names).
check_reentry_bugs() {
	local known name names=()
	[ -n "${REENTRY_BUGS:-}" ] || return 0
	known=$(registry_bugs)
	[ -n "$known" ] || { echo "${prog:-ci}: no bug names found in core/bugs.c" >&2; exit 2; }
	IFS=, read -ra names <<<"$REENTRY_BUGS"
	for name in "${names[@]}"; do
		[ -z "$name" ] && continue
		if ! grep -qxF -- "$name" <<<"$known"; then
			echo "${prog:-ci}: REENTRY_BUGS: no historical bug named '$name' (the registry's: $(paste -sd, <<<"$known" | sed 's/,/, /g'))" >&2
			exit 2
		fi
	done
}

# reentry_bug_options: $REENTRY_BUGS as reentry's options, "--bug A --bug B".
reentry_bug_options() {
	local name names=() out=""
	IFS=, read -ra names <<<"${REENTRY_BUGS:-}"
	for name in "${names[@]}"; do
		[ -n "$name" ] && out+="${out:+ }--bug $name"
	done
	echo "$out"
}
