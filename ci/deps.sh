#!/usr/bin/env bash
# ci/deps.sh — check that the tools reentry builds with are installed, and
# install the missing ones when run as root (Debian/Ubuntu, apt-get).
#
# Quiet and idempotent: when everything is present it prints one summary line
# and does nothing else. Run it with --help for the details.
set -euo pipefail

prog=ci/deps.sh
min_cmake=3.25

usage() {
	cat <<EOF
usage: $prog [--afl] [--coverage] [--chromium] [--help]

Checks the tools the project needs and prints one line naming what is present:
  clang                      the compiler (package clang)
  cmake >= $min_cmake                (package cmake)
  ninja                      the generator the presets use (package ninja-build)
  compiler-rt                clang's ASan, UBSan, TSan and libFuzzer runtimes
                             (package libclang-rt-<clang major>-dev, e.g.
                             libclang-rt-14-dev on Debian bookworm)
  afl-clang-fast             AFL++, only with --afl (package afl++)
  chromium                   headless browser, only with --chromium: the
                             ctest heatmap_renders_in_chromium renders the
                             injection heatmap page in it, and is skipped
                             without it (package chromium)
  llvm-profdata, llvm-cov    of clang's version, only with --coverage
                             (package llvm-<clang major>, e.g. llvm-14)

For anything missing: as root, runs 'apt-get update' once and
'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends PKGS';
otherwise prints the apt-get install line to run on stderr and exits 2.

Options:
  --afl       also require AFL++ (for the afl preset)
  --coverage  also require llvm-profdata and llvm-cov (for ci/coverage.sh)
  --chromium  also require chromium (CI does, so that the heatmap's browser
              test runs there)
  --help    print this help and exit

Exit status: 0 all present, 1 still missing after installing, 2 missing and
not root, or a usage error.
EOF
}

want_afl=0
want_coverage=0
want_chromium=0
for arg in "$@"; do
	case $arg in
	--afl) want_afl=1 ;;
	--coverage) want_coverage=1 ;;
	--chromium) want_chromium=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "$prog: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
	esac
done

missing=()	# packages to install
present=()	# what was found, for the summary line
problems=()	# why each package is needed, for the messages

# version_ge A B: is version A >= version B (dotted numbers)?
version_ge() {
	[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

need() { # need PACKAGE REASON
	missing+=("$1")
	problems+=("$2")
}

scan() {
	missing=()
	present=()
	problems=()

	local clang_major=""
	if command -v clang >/dev/null 2>&1; then
		local v
		v=$(clang -dumpversion 2>/dev/null || echo "?")
		clang_major=${v%%.*}
		present+=("clang $v")
	else
		need clang "clang not found"
	fi

	if command -v cmake >/dev/null 2>&1; then
		local v
		v=$(cmake --version | sed -n '1s/^cmake version \([0-9.]*\).*/\1/p')
		if version_ge "$v" "$min_cmake"; then
			present+=("cmake $v")
		else
			need cmake "cmake $v is older than $min_cmake"
		fi
	else
		need cmake "cmake not found"
	fi

	if command -v ninja >/dev/null 2>&1; then
		present+=("ninja $(ninja --version)")
	else
		need ninja-build "ninja not found"
	fi

	# The runtimes the presets link: ASan+UBSan (test, fuzz, afl), TSan (tsan),
	# libFuzzer (fuzz). Older clang names them libclang_rt.NAME-ARCH.a in
	# the runtime dir; newer clang, libclang_rt.NAME.a in a per-target dir.
	if [ -n "$clang_major" ]; then
		local rtdir arch lib absent=()
		rtdir=$(clang -print-runtime-dir 2>/dev/null || true)
		arch=$(uname -m)
		for lib in asan ubsan_standalone tsan fuzzer; do
			if [ ! -f "$rtdir/libclang_rt.$lib-$arch.a" ] &&
			   [ ! -f "$rtdir/libclang_rt.$lib.a" ]; then
				absent+=("$lib")
			fi
		done
		if [ ${#absent[@]} -eq 0 ]; then
			present+=("compiler-rt")
		else
			need "libclang-rt-$clang_major-dev" \
			     "clang's runtimes (${absent[*]}) not in ${rtdir:-the runtime dir}"
		fi
	else
		# Without clang its major version is unknown: the metapackage follows
		# the distribution's default clang, as the clang package does.
		need libclang-rt-dev "clang's runtimes (clang not installed)"
	fi

	# Only the heatmap_renders_in_chromium ctest uses it (and skips without
	# it): required with --chromium only, named when present.
	if command -v chromium >/dev/null 2>&1; then
		present+=("chromium")
	elif [ "$want_chromium" = 1 ]; then
		need chromium "chromium not found (the heatmap page is checked in it)"
	fi

	if [ "$want_coverage" = 1 ]; then
		if [ -z "$clang_major" ]; then
			need llvm "llvm-profdata, llvm-cov (clang not installed)"
		elif command -v "llvm-profdata-$clang_major" >/dev/null 2>&1 &&
		     command -v "llvm-cov-$clang_major" >/dev/null 2>&1; then
			present+=("llvm-cov-$clang_major")
		else
			need "llvm-$clang_major" "llvm-profdata-$clang_major or llvm-cov-$clang_major not found"
		fi
	fi

	if [ "$want_afl" = 1 ]; then
		if command -v afl-clang-fast >/dev/null 2>&1; then
			present+=("afl++")
		else
			need afl++ "afl-clang-fast not found"
		fi
	fi
}

summary() {
	local line="" item
	for item in "${present[@]}"; do
		line+="${line:+, }$item"
	done
	echo "$prog: present: $line"
}

scan
if [ ${#missing[@]} -eq 0 ]; then
	summary
	exit 0
fi

for p in "${problems[@]}"; do
	echo "$prog: $p" >&2
done

if [ "$(id -u)" != 0 ]; then
	echo "$prog: missing packages; as root, run:" >&2
	echo "apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 2
fi

# Two rounds: once clang is installed its runtimes package can be named.
updated=0
for _ in 1 2; do
	[ ${#missing[@]} -eq 0 ] && break
	echo "$prog: installing ${missing[*]}" >&2
	if [ "$updated" = 0 ]; then
		apt-get update >&2
		updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
	scan
done

if [ ${#missing[@]} -ne 0 ]; then
	for p in "${problems[@]}"; do
		echo "$prog: still missing after apt-get install: $p" >&2
	done
	exit 1
fi
summary
