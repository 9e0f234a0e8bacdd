/* core/bugs.c — the entries of the historical-bug registry (core/bugs.h). */
#include "bugs.h"

const struct slab_bug_info slab_bugs[NR_SLAB_BUGS] = {
	[BUG_KPROBE_FASTPATH] = {
		.name = "kprobe_fastpath",
		.summary = "a kprobe inside the slow path's locked section reaches the lockless "
			   "fast path, because kmalloc_nolock() only checks the per-CPU lock in NMI; "
			   "the fix keeps kprobes out of the slow path (NOKPROBE_SYMBOL(___slab_alloc))",
		.reference = "seed 000: the 6.18 series \"slab: Re-entrant kmalloc_nolock()\" and its review",
		.expect = "double-alloc",
	},
};

int bug_lookup(const char *name)
{
	for (int i = 0; i < NR_SLAB_BUGS; i++)
		if (strcmp(slab_bugs[i].name, name) == 0)
			return i;
	return -1;
}
