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

static const struct target debug_caches = {
	.name = "debug_caches",
	.config = { .design = DESIGN_CPU_SLAB, .cpus = 2,
		    .slub_debug = SLUB_DEBUG_F | SLUB_DEBUG_Z | SLUB_DEBUG_P | SLUB_DEBUG_U },
	.input_cpus = true,
	.input_lockdep = true,
	.input_slab_objects = true,
	.input_shuffle = true,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(&debug_caches, data, size);
}
