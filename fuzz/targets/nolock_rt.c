/*
 * nolock_rt_fuzzer — Design A on PREEMPT_RT, SMP, 1-4 CPUs: local locks and
 * spinlock_t are sleeping locks owned by tasks, there is no lockless fast
 * path, kmalloc_nolock() refuses wherever the task is not preemptible, the
 * kprobe kind is a BPF program that runs preemptible with migration off,
 * and deferred frees drain in the per-CPU irq_work thread. Preemptions are
 * real task switches: a task that blocks on a sleeping lock held by the task
 * it preempted stops until the holder unlocks.
 *
 * Pass: the oracle of nolock_fuzzer (fuzz/oracle.c), where a NULL from
 * kmalloc_nolock() is explained as "context" exactly where the task is not
 * preemptible; lockdep-lite reports nothing (no sleeping lock in atomic
 * context, no deadlock between tasks, no task left blocked after its
 * operation). Spinning calls (kmalloc, kfree, ...) where the task is not
 * preemptible are the caller's bug on RT and are skipped. Fail: any report.
 */
#include "../target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(TARGET_NOLOCK_RT, data, size);
}
