#!/usr/bin/env bash
# bench/exec_cost.sh — the harness's CPU time per fuzz input without an
# engine (bench/bench_exec.c: nolock_fuzzer's LLVMFuzzerTestOneInput over a
# fixed corpus held in memory), in the test preset (ASan+UBSan, injection
# on) and in a build without sanitizers; with REV, the same at that commit
# (a git worktree) alternated with this checkout, ROUNDS times each, on the
# same inputs. The corpus: grown for SECONDS by the fuzz preset's
# nolock_fuzzer from corpus/nolock, -seed=1.
# Usage: bench/exec_cost.sh [REV] [ROUNDS] [SECONDS]   (default: none 6 20)
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-} rounds=${2:-6} secs=${3:-20}
here=$PWD
work=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

build() { # SOURCE_DIR BUILD_DIR SANITIZE
	cmake -S "$1" -B "$2" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DREENTRY_SANITIZE="$3" >/dev/null
	cmake --build "$2" --target reentry_bench_exec >/dev/null
}
declare -A line
trees=("$here")
if [ -n "$rev" ]; then
	git worktree add --detach "$work/old" "$rev" >/dev/null 2>&1
	# an older tree may predate the bench: give it this one
	cp bench/bench_exec.c "$work/old/bench/"
	grep -q reentry_bench_exec "$work/old/CMakeLists.txt" || cat >>"$work/old/CMakeLists.txt" <<'EOF'
add_executable(reentry_bench_exec EXCLUDE_FROM_ALL bench/bench_exec.c fuzz/targets/nolock.c)
target_link_libraries(reentry_bench_exec PRIVATE reentry_fuzz)
EOF
	trees+=("$work/old")
fi
for t in "${trees[@]}"; do
	build "$t" "$t/build/bench-exec-asan" ON
	build "$t" "$t/build/bench-exec-nosan" OFF
done

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target nolock_fuzzer >/dev/null
mkdir -p "$work/corpus"
build/fuzz/nolock_fuzzer -seed=1 -max_total_time="$secs" "$work/corpus" corpus/nolock >/dev/null 2>&1 || true
echo "== $(git rev-parse --short HEAD)${rev:+ against $rev}: $(find "$work/corpus" -type f | wc -l) inputs," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg); µs per execution, CPU time, each run 3 rounds"
for b in asan nosan; do
	for t in "${trees[@]}"; do
		name=HEAD
		[ "$t" = "$here" ] || name=$rev
		line[$name]=""
	done
	for r in $(seq 1 "$rounds"); do
		for t in "${trees[@]}"; do
			name=HEAD
			[ "$t" = "$here" ] || name=$rev
			us=$("$t/build/bench-exec-$b/reentry_bench_exec" "$work/corpus" 3 | sed -n 's/.*: \([0-9.]*\) us per.*/\1/p')
			line[$name]+=" $us"
		done
	done
	for name in HEAD ${rev:+"$rev"}; do
		median=$(tr ' ' '\n' <<<"${line[$name]}" | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
		echo "$b $name:${line[$name]}  (median $median)"
	done
done
