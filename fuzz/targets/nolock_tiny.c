/*
 * nolock_tiny_fuzzer — Design A with CONFIG_SLUB_TINY: no per-CPU slabs at
 * all, every allocation takes one object under list_lock (trylocked by
 * nolock callers), kfree_nolock() always defers. Interrupts and faults as
 * nolock_fuzzer.
 *
 * Pass/fail: the oracle of nolock_fuzzer (fuzz/oracle.c).
 */
#include "../target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(TARGET_NOLOCK_TINY, data, size);
}
