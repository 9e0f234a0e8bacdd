/*
 * nolock_tiny_fuzzer — Design A with CONFIG_SLUB_TINY: no per-CPU slabs at
 * all, every allocation takes one object under list_lock (trylocked by
 * nolock callers), kfree_nolock() always defers. Interrupts and faults as
 * nolock_fuzzer.
 *
 * Pass/fail: the oracle of nolock_fuzzer (fuzz/oracle.c).
 */
#include "../target.h"

static const struct target nolock_tiny = {
	.name = "nolock_tiny",
	.config = { .design = DESIGN_CPU_SLAB, .cpus = 2, .slub_tiny = true },
	.input_cpus = true,
	.input_lockdep = true,
	.input_slab_objects = true,
	.input_shuffle = true,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(&nolock_tiny, data, size);
}
