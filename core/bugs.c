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

/* The NOKPROBE_SYMBOL entries, collected by the linker in one section. */
extern const struct kprobe_blacklist_entry __start_reentry_nokprobe[];
extern const struct kprobe_blacklist_entry __stop_reentry_nokprobe[];

/* models: kernel/kprobes.c within_kprobe_blacklist() */
bool within_kprobe_blacklist(const void *fn)
{
	for (const struct kprobe_blacklist_entry *e = __start_reentry_nokprobe;
	     e < __stop_reentry_nokprobe; e++)
		if (e->fn == fn && !(e->unless_bug >= 0 && bug_on(e->unless_bug)))
			return true;
	return false;
}
