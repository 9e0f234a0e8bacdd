/*
 * debug_caches_fuzzer — Design A booted with slub_debug=FZPU: every cache,
 * the kmalloc buckets included, is a debug cache (consistency checks, red
 * zones, poisoning, user tracking). No per-CPU slabs: one object at a time
 * under list_lock, which a nolock caller only trylocks — the debug-cache
 * fallback path of kmalloc_nolock(). Interrupts and faults as nolock_fuzzer.
 *
 * Pass: the oracle of nolock_fuzzer, and no slab error (a red zone or poison
 * byte changed, a double free the checks see). Fail: any report.
 */
#include "../target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(TARGET_DEBUG_CACHES, data, size);
}
