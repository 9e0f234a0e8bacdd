/*
 * nolock_fuzzer — Design A (the 6.18 per-CPU slabs), !RT, SMP: programs of
 * kmalloc/kfree, kmalloc_nolock/kfree_nolock and cache operations on 1-4
 * CPUs, on an arch with the 16-byte cmpxchg or without it (then
 * kmalloc_nolock() is unsupported and slabs update their freelists under
 * the bit spinlock, irqs off), with interrupts (NMI, hardirq, softirq, kprobe, irq_work, preempt
 * and migrate) and faults (trylock, page allocation) at boundaries.
 *
 * Pass: every operation's result satisfies the oracle (fuzz/oracle.c: no
 * object handed out twice or overlapping a live one, right cache, __GFP_ZERO
 * honoured, live objects untouched, every NULL explained), lockdep-lite
 * reports nothing (no deadlock, no lock held on return, no sleep in atomic),
 * and at the end, with everything freed and deferred work drained, every
 * validator passes and no object is lost. Fail: any report, ASan, UBSan.
 */
#include "../target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(TARGET_NOLOCK, data, size);
}
