/*
 * nolock_up_fuzzer — Design A on a uniprocessor kernel (!SMP): one CPU,
 * spinlocks are no-ops, so a trylock "succeeds" on a lock the interrupted
 * context holds. kmalloc_nolock() must bail out in NMI rather than trust
 * such a trylock; everything else as nolock_fuzzer.
 *
 * Pass/fail: the oracle of nolock_fuzzer (fuzz/oracle.c); a NULL from
 * kmalloc_nolock() in NMI is explained as "context" only on UP.
 */
#include "../target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(TARGET_NOLOCK_UP, data, size);
}
