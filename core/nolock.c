/*
 * core/nolock.c — kmalloc_nolock(), kfree_nolock() and the deferred frees
 * they fall back to: the allocation API that may be called from any context,
 * including one that interrupted the allocator itself.
 */
#include "bugs.h"
#include "internal.h"

__harness_query const char *nolock_fail_name(enum nolock_fail why)
{
	static const char *const names[] = {
		[NOLOCK_OK] = "ok",
		[NOLOCK_BUSY] = "busy",
		[NOLOCK_NOMEM] = "nomem",
		[NOLOCK_CONTEXT] = "context",
		[NOLOCK_TOO_LARGE] = "too-large",
		[NOLOCK_UNSUPPORTED] = "unsupported",
		[NOLOCK_MEMCG] = "memcg",
	};

	return (unsigned int)why < sizeof(names) / sizeof(names[0]) ? names[why] : "?";
}

/*
 * models: mm/slub.c kmalloc_nolock_noprof()
 * 1. gfp may hold only ACCOUNT and ZERO; size 0 → ZERO_SIZE_PTR; RT where
 *    not preemptible → NULL; too large → NULL.
 * 2. A non-debug cache without the 16-byte cmpxchg → NULL.
 * 3. In NMI with this CPU's lock held by the interrupted context the bucket
 *    is busy; otherwise fast path, or slow path with trylocks only.
 * 4. Busy → once more in the next bucket; busy again → NULL.
 * The free pointer is wiped and the object zeroed or not before return.
 * why, if not NULL, says why NULL was returned (a model addition: the
 * kernel's caller only sees NULL).
 */
void *kmalloc_nolock_why(size_t size, gfp_t gfp_flags, int node, enum nolock_fail *why)
{
	/* SLAB_ALLOC_TRYLOCK: "may not spin" under the new alloc_flags rule */
	gfp_t alloc_gfp = __GFP_NOWARN | __GFP_NOMEMALLOC | __SLAB_ALLOC_TRYLOCK |
			  (gfp_flags & ~__SLAB_ALLOC_FLAGS);
	size_t orig_size = size;
	bool can_retry = true;
	enum nolock_fail unused;
	struct kmem_cache *s;
	void *ret;

	/* its work is bounded; it may only try locks, unless its caller broke the
	 * contract with a gfp that allows spinning (warned below) */
	env_nolock_guard("kmalloc_nolock", size, slab_allow_spin(alloc_gfp));
	if (!why)
		why = &unused;
	*why = NOLOCK_OK;
	WARN_ON_ONCE(gfp_flags & ~GFP_NOLOCK_ALLOWED);
	if (!size)
		return ZERO_SIZE_PTR;
	/* RT: NMI and hardirq may not take the sleeping locks, and since the
	 * 6.18 fix neither may any context that is not preemptible. */
	if (KCONFIG(preempt_rt) && !preemptible()) {
		*why = NOLOCK_CONTEXT;
		return NULL;
	}
	/* UP: spinlocks are no-ops, so a trylock "succeeds" on a lock the
	 * interrupted context holds; an NMI cannot tell, so it must not try.
	 * Nor can a kprobe or tracepoint inside a spin_lock_irqsave() section:
	 * the model's fix refuses wherever irqs are off (bug up_trylock_reenters). */
	if (!KCONFIG(smp) && (in_nmi() || (irqs_disabled() && !bug_on(BUG_UP_TRYLOCK_REENTERS)))) {
		*why = NOLOCK_CONTEXT;
		return NULL;
	}
	/* the context rules above are the same in both designs */
	if (design_sheaves())
		return kmalloc_nolock_sheaves(size, gfp_flags, node, why);
retry:
	if (size > KMALLOC_MAX_CACHE_SIZE) {
		/* the retry after kmalloc-8192 was busy lands here too */
		*why = can_retry ? NOLOCK_TOO_LARGE : NOLOCK_BUSY;
		return NULL;
	}
	s = kmalloc_slab(size);
	if (!(s->flags & __CMPXCHG_DOUBLE) && !kmem_cache_debug(s)) {
		*why = NOLOCK_UNSUPPORTED;
		return NULL;
	}

	/*
	 * The slow path changes (freelist, tid) with plain accesses under the
	 * per-CPU lock, trusting that this CPU does not run the lockless fast
	 * path on the same pair meanwhile. Only an NMI can break that trust
	 * (a kprobe cannot: the slow path is off limits to kprobes), so only
	 * in NMI is the lock checked here.
	 */
	ret = SLAB_BUSY;
	if (KCONFIG(slub_tiny) || !in_nmi() || bug_on(BUG_NMI_NO_BUSY_CHECK) ||
	    !local_lock_is_locked(&this_cpu_ptr(s->cpu_slab)->lock))
		ret = slab_alloc_node_inner(s, alloc_gfp, node, size);

	if (ret == SLAB_BUSY) {
		if (can_retry) {
			size = s->object_size + 1; /* the next bucket */
			can_retry = false;
			if (bug_on(BUG_ZERO_SKIPPED))
				alloc_gfp &= ~__GFP_ZERO;
			env_nolock_work(NOLOCK_WORK_RETRIES);
			goto retry;
		}
		ret = NULL;
		*why = NOLOCK_BUSY;
	} else if (!ret) {
		*why = NOLOCK_NOMEM;
	} else {
		set_freepointer(s, ret, NULL); /* maybe_wipe_obj_freeptr() */
	}
	/* KASAN unpoisons what the caller asked for, whichever bucket served it. */
	if (!slab_post_alloc_hook(s, alloc_gfp, ret, orig_size)) {
		ret = NULL; /* the memcg charge failed: the object is freed again */
		*why = NOLOCK_MEMCG;
	}
	if (ret)
		env_slab_api(ENV_KMALLOC_NOLOCK, ret, NULL, alloc_gfp);
	return ret;
}

void *kmalloc_nolock(size_t size, gfp_t gfp_flags, int node)
{
	return kmalloc_nolock_why(size, gfp_flags, node, NULL);
}

/*
 * models: mm/slub.c kfree_nolock()
 * Frees an object from kmalloc_nolock() from any context. A pointer that is
 * not a slab object only warns (leaked by design: large kmalloc is not
 * supported). Anything that would need a lock is deferred — on RT also
 * anything that would need the local lock where the task may not sleep.
 */
void kfree_nolock(const void *object)
{
	void *x = (void *)object;
	struct kmem_cache *s;
	struct slab *slab;

	env_nolock_guard("kfree_nolock", 0, false); /* bounded work, only trylocks */
	if (ZERO_OR_NULL_PTR(object))
		return;
	env_slab_api(ENV_KFREE_NOLOCK, object, NULL, 0);
	slab = virt_to_slab(object);
	if (!slab) {
		WARN_ONCE(1, "large_kmalloc is not supported by kfree_nolock()");
		return;
	}
	s = slab->slab_cache;
	if (memcg_kmem_online())
		memcg_slab_free_hook(s, slab, x); /* uncharged now, never again when drained */
	slab_free_hook(s, x); /* KASAN, without quarantine */
	if (design_sheaves()) {
		kfree_nolock_sheaves(s, slab, x);
		return;
	}
	if (KCONFIG(slub_tiny))
		defer_free(s, x);
	else if (KCONFIG(preempt_rt) && !preemptible() &&
		 !bug_on(BUG_RT_FREE_NOLOCK_SLEEPS))
		/* RT: do_slab_free() would take this CPU's local lock, a
		 * sleeping lock, where the task may not sleep: defer (the
		 * model's fix; see the bug's entry in core/bugs.c) */
		defer_free(s, x);
	else
		do_slab_free(s, slab, x, x, 0);
}

/*
 * models: mm/slub.c free_deferred_objects()
 * The irq_work: runs where irqs are enabled and normal locking is legal,
 * frees each deferred object the normal way and deactivates each deferred
 * slab.
 */
static void free_deferred_objects(struct irq_work *work)
{
	struct defer_free *df = container_of(work, struct defer_free, work);
	struct llist_node *pos, *next;

	if (llist_empty(&df->objects) && llist_empty(&df->slabs))
		return;

	for (pos = llist_del_all(&df->objects); pos; pos = next) {
		struct slab *slab = virt_to_slab(pos);
		struct kmem_cache *s = slab->slab_cache;
		void *x = (char *)pos - s->offset;

		next = llist_next(pos);
		/* the link was the free pointer: clear it before the real free */
		set_freepointer(s, x, NULL);
		if (bug_on(BUG_DEFERRED_FREE_HOOKS_TWICE))
			slab_free_hook(s, x); /* kfree_nolock() ran the hooks already */
		slab_free_inner(s, slab, x, x, 1);
	}

	for (pos = llist_del_all(&df->slabs); pos; pos = next) {
		struct slab *slab = container_of(pos, struct slab, llnode);

		next = llist_next(pos);
		if (slub_tiny()) /* CONFIG_SLUB_TINY: a new slab nobody could place */
			discard_slab(slab->slab_cache, slab);
		else
			deactivate_slab(slab->slab_cache, slab, slab->flush_freelist);
	}
}

/*
 * models: mm/slub.c defer_free() — link through the free-pointer slot.
 * kfree_nolock() may run preemptible (in task context): preemption goes off
 * before this CPU's list is looked up (bug defer_free_preemptible).
 */
void defer_free(struct kmem_cache *s, void *head)
{
	bool pin = !bug_on(BUG_DEFER_FREE_PREEMPTIBLE);
	struct defer_free *df;

	if (pin)
		preempt_disable();
	df = this_cpu_ptr(world->defer_free_objects);
	stat(s, FREE_DEFERRED);
	if (llist_add((struct llist_node *)((char *)head + s->offset), &df->objects))
		irq_work_queue(&df->work);
	if (pin)
		preempt_enable();
}

/* models: mm/slub.c defer_deactivate_slab() */
void defer_deactivate_slab(struct slab *slab, void *flush_freelist)
{
	struct defer_free *df;

	slab->flush_freelist = flush_freelist;
	preempt_disable();
	df = this_cpu_ptr(world->defer_free_objects);
	stat(slab->slab_cache, DEFERRED_SLAB);
	if (llist_add(&slab->llnode, &df->slabs))
		irq_work_queue(&df->work);
	preempt_enable();
}

/* models: mm/slub.c defer_free_barrier() — wait for every CPU's deferred work. */
void defer_free_barrier(void)
{
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++)
		irq_work_sync(&per_cpu_ptr(world->defer_free_objects, cpu)->work);
}

void defer_free_init(void)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		world->defer_free_objects[cpu].work = IRQ_WORK_INIT(free_deferred_objects);
}
