#!/usr/bin/env bash
# bench/fastpath.sh — the release build's fast path against glibc in the same
# run: kmalloc_nolock(64)+kfree_nolock and kmalloc(64)+kfree pairs per
# second on one CPU slab, and glibc malloc(64)+free (bench/bench_fastpath.c).
# The release preset: clang -O3, no sanitizers, injection compiled out; the
# environment is the simulated machine (its env calls are real function calls).
# --lto adds the same build with link-time optimization (build/release-lto):
# the model's small cross-file helpers (virt_to_page, smp_processor_id, ...)
# get inlined, as the kernel's are.
# Usage: bench/fastpath.sh [--lto]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release --target reentry_bench_fastpath >/dev/null
echo "== release preset (clang -O3, no sanitizers, injection compiled out)"
build/release/reentry_bench_fastpath
if [ "${1:-}" = "--lto" ]; then
	cmake -S . -B build/release-lto -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Release \
		-DREENTRY_INJECTION=OFF -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON >/dev/null
	cmake --build build/release-lto --target reentry_bench_fastpath >/dev/null
	echo "== the same with link-time optimization"
	build/release-lto/reentry_bench_fastpath
fi
