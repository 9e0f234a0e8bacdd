#!/usr/bin/env bash
# bench/engine.sh — the injection engine's figures: boundaries per operation,
# the boundary hook's cost with no event due, sweep trials per second.
# Builds the test preset (ASan+UBSan, the build sweeps and regressions use)
# and, for comparison, the hook cost without sanitizers when asked:
#   bench/engine.sh            # test preset
#   bench/engine.sh --plain    # also a -O2 build without sanitizers
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset test >/dev/null
cmake --build --preset test --target reentry_bench_engine >/dev/null
echo "== test preset (clang -O2, ASan+UBSan, load/store instrumentation)"
build/test/reentry_bench_engine
if [ "${1:-}" = "--plain" ]; then
	cmake -S . -B build/bench-plain -G Ninja -DCMAKE_C_COMPILER=clang \
		-DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build/bench-plain --target reentry_bench_engine >/dev/null
	echo "== plain build (clang -O3, no sanitizers, load/store instrumentation)"
	build/bench-plain/reentry_bench_engine
fi
