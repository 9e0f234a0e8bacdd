/*
 * sheaves_rt_fuzzer — Design B (per-CPU sheaves and the barn) on
 * PREEMPT_RT under the new alloc_flags rule, SMP, 1-4 CPUs: the sheaves lock
 * is a per-CPU sleeping lock (tried only, with migration off, never in a
 * hard interrupt), barn->lock, list_lock and the zone lock are sleeping
 * spinlock_t, kmalloc_nolock() refuses wherever the task is not
 * preemptible, kfree_nolock() defers whatever the sheaves cannot take, the
 * kprobe kind is a BPF program that runs preemptible with migration off, and
 * deferred frees drain in the per-CPU irq_work thread. Preemptions are real
 * task switches (a task blocking on a sleeping lock lets its holder run).
 *
 * Pass: the oracle of sheaves_fuzzer, with a NULL from kmalloc_nolock()
 * explained as "context" exactly where the task is not preemptible;
 * lockdep-lite reports nothing (no sleeping lock in atomic context, no
 * deadlock between tasks, no task left blocked). Spinning calls where the
 * task is not preemptible are the caller's bug on RT and are skipped —
 * ordinary allocations without reclaim bits included, since under the new
 * rule they may spin too (seed 001's scenario (b) keeps one in on purpose:
 * corpus/regressions/seed001-rt-raw-spin-new-rule.txt). Fail: any report.
 */
#include "../target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(TARGET_SHEAVES_RT, data, size);
}
