/*
 * sheaves_debug_fuzzer — Design B booted with slub_debug=FZPU, new
 * alloc_flags rule: every cache, the kmalloc buckets included, is a debug
 * cache, and debug caches have no sheaves: one object at a time under
 * list_lock (a trylock for kmalloc_nolock()), and kfree_nolock() always
 * defers. Interrupts and faults as sheaves_fuzzer.
 *
 * Pass: the oracle of sheaves_fuzzer, no cache with sheaves, and no slab
 * error (a red zone or poison byte changed, a double free the checks see).
 * Fail: any report.
 */
#include "../target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(TARGET_SHEAVES_DEBUG, data, size);
}
