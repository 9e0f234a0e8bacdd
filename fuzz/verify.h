/*
 * fuzz/verify.h — `reentry verify`: the one command after a patch to core/
 * (fuzz/verify.c), and the handlers it sweeps seeds with (verify_handlers.c).
 *
 * It checks every regression (as `reentry check` does), sweeps every seed
 * with every interrupt kind and each handler of a small set derived from the
 * seed, optionally fuzzes each target for a while, and prints each distinct
 * report once (class and place) with a minimized reproducer. The work runs
 * in worker processes; the output does not depend on how many.
 *
 * The handler set (docs/verify.md says which path of the model each one
 * reaches, and why together they are enough). The handlers that name a size
 * or an object are derived per operation of the seed: an interrupt of
 * operation i runs the handler made for operation i.
 */
#ifndef REENTRY_FUZZ_VERIFY_H
#define REENTRY_FUZZ_VERIFY_H

#include "sweep.h"

enum verify_handler {
	VH_SAME_BUCKET,		/* x = kmalloc_nolock(the operation's size, G) */
	VH_OTHER_BUCKET,	/* x = kmalloc_nolock(a bucket the seed never uses, G) */
	VH_FREE_LOCAL,		/* kfree_nolock(v): v from kmalloc_nolock on this CPU */
	VH_FREE_REMOTE,		/* kfree_nolock(w): w from kmalloc_nolock on another CPU */
	VH_ABA,			/* x = kmalloc_nolock(S, G); y = ...; kfree_nolock(x), over an
				   allocation: the CPU freelist's head comes back, its
				   next changed (what the tid is bumped for) */
	VH_OWN,			/* the seed's own '# sweep:' handler */
	NR_VERIFY_HANDLERS
};

/*
 * The interrupt kinds a handler is swept with: every kind, but other-bucket
 * only NMI, kprobe and preempt, and aba only NMI and hardirq (its window,
 * the lockless fast path, runs with irqs on: any interrupt lands there, and
 * the others would only repeat it). What it re-enters (the page allocator, the
 * shuffle's entropy, a new slab's obj_exts) is held under irqs-off locks,
 * so a hardirq, softirq or irq_work never lands where it is held, and on
 * PREEMPT_RT (where those locks leave irqs on) a nolock call in a hard
 * interrupt returns NULL at once. Those trials were a third of its sweeps.
 */
unsigned int verify_handler_kinds(enum verify_handler h);

/* "same-bucket", ... as the output and the docs name them. */
const char *verify_handler_name(enum verify_handler h);

/*
 * The handler h gives each operation of p, in out[0..p->nops): G is
 * __GFP_ZERO, with __GFP_ACCOUNT where the configuration has memcg; x is a
 * slot the program never uses. An operation with nothing to free (the free
 * handlers) gets an empty handler: sweep_run() skips it. False if h gives
 * p nothing at all (VH_OWN: no '# sweep:' line).
 */
bool verify_handlers(const struct program *p, enum verify_handler h, struct sweep_handler *out);

/* The object size of kmalloc bucket n (8, 16, ... 8192), 0 past the last:
 * the buckets of core/kmalloc.c, which a unit test compares with. */
unsigned int verify_bucket_size(int n);

#endif /* REENTRY_FUZZ_VERIFY_H */
