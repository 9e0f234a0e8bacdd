/*
 * sheaves_fuzzer — Design B (the 7.0 per-CPU sheaves and the barn, the world
 * of seed 001) under the new alloc_flags rule (SLAB_ALLOC_TRYLOCK, set by
 * kmalloc_nolock() only), !RT, SMP: programs of kmalloc/kfree,
 * kmalloc_nolock/kfree_nolock (and kfree() of kmalloc_nolock() objects,
 * allowed in this era) and cache operations on 1-4 CPUs, with interrupts
 * (NMI, hardirq, softirq, kprobe, irq_work, preempt and migrate) and faults
 * (trylock, page allocation) at boundaries — inside the sheaves' locked
 * sections, barn->lock and list_lock included.
 *
 * Pass: the oracle of nolock_fuzzer (fuzz/oracle.c: no object handed out
 * twice or overlapping a live one, right cache or the next bucket, __GFP_ZERO
 * honoured, live objects untouched, every NULL explained — an ordinary
 * allocation's only by a real page allocator failure), lockdep-lite reports
 * nothing, and at the end, everything freed and deferred work drained, every
 * validator passes (the sheaves' too: main never NULL, sizes within capacity,
 * barn counts, sheaf objects of their cache) and no object is lost (objects
 * held in sheaves and the sheaves themselves are accounted). Fail: any
 * report, ASan, UBSan.
 */
#include "../target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(TARGET_SHEAVES, data, size);
}
