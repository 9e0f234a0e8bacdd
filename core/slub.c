/*
 * core/slub.c — caches, slabs and the per-CPU slab paths of the 6.18 SLUB
 * (Design A, design=cpu_slab): the (freelist, tid) lockless fast path,
 * the slow path under the per-CPU lock, CPU and node partial lists, remote
 * frees by cmpxchg on the slab's (freelist, counters) pair.
 *
 * Lock scopes follow the kernel exactly: the per-CPU lock is held only around
 * the short sections that read or change the CPU slab state; partial and new
 * slabs are fetched between those sections, without it. Inside a locked
 * section the (freelist, tid) pair is read and written with plain accesses —
 * which is exactly what a same-CPU lockless update from a re-entering context
 * would corrupt.
 *
 * Debug caches and CONFIG_SLUB_TINY share the kernel's single-object path:
 * no CPU slabs, one object at a time from a node partial or new slab under
 * list_lock (alloc_single_from_partial(), alloc_single_from_new_slab()),
 * frees straight to the slab under list_lock (free_to_partial_list()). Their
 * checks (red zones, poison, tracks, consistency) are in core/debug.c.
 *
 * Not modelled: NUMA (one node, node_match() always true), pfmemalloc,
 * kfence, failslab; kmemleak is the environment's bookkeeping (env_slab_api()).
 */
#include "bugs.h"
#include "internal.h"

static __always_inline bool use_lockless_fast_path(void)
{
	return !KCONFIG(preempt_rt);
}

/*
 * models: mm/slub.c slub_get_cpu_ptr() / slub_put_cpu_ptr() — pin the task
 * to this CPU: preemption off on !RT, migration off on RT (where the slow
 * path must stay preemptible: it takes sleeping locks). The RT test is a
 * build-time option in the kernel, so it is no boundary here either.
 */
static __always_inline void slub_pin_cpu(void)
{
	if (KCONFIG(preempt_rt))
		migrate_disable();
	else
		preempt_disable();
}

static __always_inline void slub_unpin_cpu(void)
{
	if (KCONFIG(preempt_rt))
		migrate_enable();
	else
		preempt_enable();
}

/* ---- objects and slabs ---- */

struct slab *virt_to_slab(const void *x)
{
	struct page *page = virt_to_page(x);

	if (!page)
		return NULL;
	page = compound_head(page);
	if (!(page->flags & PG_slab))
		return NULL;
	return &world->slabs[page_index(page)];
}

unsigned long slab_index(const struct slab *slab)
{
	return (unsigned long)(slab - world->slabs);
}

void *slab_address(const struct slab *slab)
{
	return world->pages + slab_index(slab) * PAGE_SIZE;
}

static struct page *slab_page(const struct slab *slab)
{
	return &world->memmap[slab_index(slab)];
}

__harness_query struct kmem_cache *virt_to_cache(const void *x)
{
	struct slab *slab = virt_to_slab(x);

	return slab ? slab->slab_cache : NULL;
}

__harness_query const char *kmem_cache_name(const struct kmem_cache *s)
{
	return s->name;
}

__harness_query unsigned int kmem_cache_object_size(const struct kmem_cache *s)
{
	return s->object_size;
}

__harness_query unsigned long slab_trylock_failures(void)
{
	return (unsigned long)atomic_long_read(&world->trylock_failures);
}

__harness_query unsigned long slub_stat(struct kmem_cache *s, enum stat_item si)
{
	unsigned long sum = 0;

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		sum += s->cpu_slab[cpu].stat[si];
	return sum;
}

__harness_query void describe_object(const void *x, char *buf, size_t size)
{
	struct slab *slab = virt_to_slab(x);
	struct kmem_cache *s;
	unsigned long off;

	if (!slab) {
		snprintf(buf, size, "%s", arena_contains(x) ? "non-slab page" : "outside the arena");
		return;
	}
	s = slab->slab_cache;
	off = (unsigned long)((const char *)x - (const char *)slab_address(slab));
	if (off % s->size)
		snprintf(buf, size, "%s slab %lu #%lu+%lu", s->name, slab_index(slab),
			 off / s->size, off % s->size);
	else
		snprintf(buf, size, "%s slab %lu #%lu", s->name, slab_index(slab), off / s->size);
}

__harness_query long kmem_object_index(const void *x)
{
	struct slab *slab = virt_to_slab(x);
	unsigned long off;

	if (!slab)
		return -1;
	off = (unsigned long)((const char *)x - (const char *)slab_address(slab));
	if (off % slab->slab_cache->size || off / slab->slab_cache->size >= slab->slab_cache->objects)
		return -1;
	return (long)(off / slab->slab_cache->size);
}

/* ---- slab pages ---- */

static __always_inline void inc_slabs_node(struct kmem_cache *s, unsigned int objects)
{
	struct kmem_cache_node *n = get_node(s, 0);

	atomic_long_add(1, &n->nr_slabs);
	atomic_long_add(objects, &n->total_objects);
}

static __always_inline void dec_slabs_node(struct kmem_cache *s, unsigned int objects)
{
	struct kmem_cache_node *n = get_node(s, 0);

	atomic_long_add(-1, &n->nr_slabs);
	atomic_long_add(-(long)objects, &n->total_objects);
}

/*
 * models: mm/slub.c allocate_slab()
 * A new slab comes from the _nolock page allocator when the caller may not
 * spin. Its objects are linked in address order (shuffling: variants issue)
 * and the whole slab is poisoned, as KASAN does for a new slab.
 */
static struct slab *allocate_slab(struct kmem_cache *s, gfp_t gfp)
{
	bool allow_spin = slab_allow_spin(gfp);
	struct page *page;
	struct slab *slab;
	char *start, *p;

	page = allow_spin ? alloc_pages(gfp, s->order) : alloc_pages_nolock(s->order);
	if (!page)
		return NULL;
	/* The buddy allocator reads flags of pages it does not own: plain_store. */
	plain_store(page->flags, page->flags | PG_slab);
	slab = &world->slabs[page_index(page)];
	memset(slab, 0, sizeof(*slab));
	bit_spin_lock_init(&slab->slab_lock); /* slab_lock(): a bit spinlock */
	slab->slab_cache = s;
	slab->objects = s->objects;
	slab->inuse = 0;
	slab->frozen = 0;

	start = page_address(page);
	kasan_poison(start, PAGE_SIZE << s->order);
	if (kmem_cache_debug_flags(s, SLAB_DEBUG_FLAGS)) {
		/* setup_object(): red zones, poison and tracks of every object */
		for (p = start; p < start + s->objects * s->size; p += s->size)
			setup_object_debug(s, p);
	}
	/* CONFIG_SLAB_FREELIST_RANDOM is a build option: no boundary to test it */
	if (!KCONFIG(shuffle) || !shuffle_freelist(s, slab, allow_spin)) {
		for (p = start; p < start + (s->objects - 1) * s->size; p += s->size)
			set_freepointer(s, p, p + s->size);
		set_freepointer(s, p, NULL);
		slab->freelist = start;
	}
	return slab;
}

/* models: mm/slub.c new_slab() */
static struct slab *new_slab(struct kmem_cache *s, gfp_t gfp, int node)
{
	(void)node;
	return allocate_slab(s, gfp);
}

/* models: mm/slub.c __free_slab() */
static void free_slab_inner(struct kmem_cache *s, struct slab *slab)
{
	struct page *page = slab_page(slab);

	if (memcg_kmem_online())
		free_slab_obj_exts(slab); /* unaccount_slab() */
	plain_store(page->flags, page->flags & ~PG_slab);
	slab->slab_cache = NULL;
	free_pages_inner(page, s->order);
}

/*
 * models: mm/slub.c free_slab()
 * With SLAB_CONSISTENCY_CHECKS every object of the slab is checked as free
 * before the pages go back.
 */
static void free_slab(struct kmem_cache *s, struct slab *slab)
{
	if (kmem_cache_debug_flags(s, SLAB_CONSISTENCY_CHECKS))
		free_slab_debug(s, slab);
	free_slab_inner(s, slab);
}

/* models: mm/slub.c discard_slab() */
void discard_slab(struct kmem_cache *s, struct slab *slab)
{
	dec_slabs_node(s, slab->objects);
	free_slab(s, slab);
}

/* ---- node partial list (caller holds list_lock) ---- */

/* models: mm/slub.c add_partial() */
static __always_inline void add_partial(struct kmem_cache_node *n, struct slab *slab, enum stat_item tail)
{
	lockdep_assert_held(&n->list_lock);
	plain_store(n->nr_partial, n->nr_partial + 1);	/* read locklessly: get_partial_node() */
	if (tail == DEACTIVATE_TO_TAIL)
		list_add_tail(&slab->slab_list, &n->partial);
	else
		list_add(&slab->slab_list, &n->partial);
	slab->flags |= SL_node_partial;
}

/* models: mm/slub.c remove_partial() */
static __always_inline void remove_partial(struct kmem_cache_node *n, struct slab *slab)
{
	lockdep_assert_held(&n->list_lock);
	list_del(&slab->slab_list);
	slab->flags &= ~SL_node_partial;
	plain_store(n->nr_partial, n->nr_partial - 1);
}

/*
 * models: mm/slub.c add_full()
 * Only caches that track users keep their full slabs on a list (the kernel
 * walks it to list the users); others leave full slabs on no list.
 */
static void add_full(struct kmem_cache *s, struct kmem_cache_node *n, struct slab *slab)
{
	if (!(s->flags & SLAB_STORE_USER))
		return;
	lockdep_assert_held(&n->list_lock);
	list_add(&slab->slab_list, &n->full);
	slab->flags |= SL_node_full;
}

/* models: mm/slub.c remove_full() */
static void remove_full(struct kmem_cache *s, struct kmem_cache_node *n, struct slab *slab)
{
	if (!(s->flags & SLAB_STORE_USER))
		return;
	lockdep_assert_held(&n->list_lock);
	list_del(&slab->slab_list);
	slab->flags &= ~SL_node_full;
}

/* ---- the (freelist, counters) pair of a slab ---- */

/*
 * models: mm/slub.c __update_freelist_fast() and __update_freelist_slow()
 * Without a 16-byte cmpxchg the pair is guarded by a bit spinlock, which an
 * NMI on this CPU could find held — the reason kmalloc_nolock() refuses such
 * caches unless they are debug caches — and which an interrupt that frees to
 * the same slab would spin on if irqs were on: callers disable them.
 */
static __always_inline bool update_freelist_inner(struct kmem_cache *s, struct slab *slab,
				  void *freelist_old, unsigned long counters_old,
				  void *freelist_new, unsigned long counters_new)
{
	bool ok = false;

	if (s->flags & __CMPXCHG_DOUBLE) {
		freelist_aba_t old = { .freelist = freelist_old, .counter = counters_old };
		freelist_aba_t new = { .freelist = freelist_new, .counter = counters_new };

		ok = try_cmpxchg128(&slab->freelist_counters, &old.full, new.full);
	} else {
		raw_spin_lock(&slab->slab_lock);
		/* Read locklessly elsewhere (the cmpxchg callers' plain_load). */
		if (plain_load(slab->freelist) == freelist_old &&
		    plain_load(slab->counters) == counters_old) {
			plain_store(slab->freelist, freelist_new);
			plain_store(slab->counters, counters_new);
			ok = true;
		}
		raw_spin_unlock(&slab->slab_lock);
	}
	if (!ok) {
		stat(s, CMPXCHG_DOUBLE_FAIL);
		env_nolock_work(NOLOCK_WORK_RETRIES); /* every caller loops */
	}
	return ok;
}

/*
 * models: mm/slub.c __slab_update_freelist() — the caller has irqs disabled,
 * which lockdep asserts where the lockless fast path exists (!RT), with or
 * without the 16-byte cmpxchg that makes it harmless.
 */
static __always_inline bool slab_update_freelist_inner(struct kmem_cache *s, struct slab *slab,
				       void *freelist_old, unsigned long counters_old,
				       void *freelist_new, unsigned long counters_new)
{
	if (!KCONFIG(preempt_rt)) /* USE_LOCKLESS_FAST_PATH() */
		lockdep_assert_irqs_disabled();
	return update_freelist_inner(s, slab, freelist_old, counters_old, freelist_new,
				     counters_new);
}

/* models: mm/slub.c slab_update_freelist() — irqs may be on. */
static __always_inline bool slab_update_freelist(struct kmem_cache *s, struct slab *slab,
				 void *freelist_old, unsigned long counters_old,
				 void *freelist_new, unsigned long counters_new)
{
	unsigned long flags;
	bool ok;

	if (s->flags & __CMPXCHG_DOUBLE)
		return update_freelist_inner(s, slab, freelist_old, counters_old,
					     freelist_new, counters_new);
	local_irq_save(flags);
	ok = update_freelist_inner(s, slab, freelist_old, counters_old,
				   freelist_new, counters_new);
	local_irq_restore(flags);
	return ok;
}

/* Counters of a slab with other fields replaced (struct slab new; new.counters = ...). */
static __always_inline unsigned long counters_with(unsigned long counters, unsigned int inuse, unsigned int frozen)
{
	struct slab tmp;

	tmp.counters = counters;
	tmp.inuse = inuse & 0xffff;
	tmp.frozen = frozen & 1;
	return tmp.counters;
}

static __always_inline unsigned int counters_inuse(unsigned long counters)
{
	struct slab tmp;

	tmp.counters = counters;
	return tmp.inuse;
}

static __always_inline unsigned int counters_frozen(unsigned long counters)
{
	struct slab tmp;

	tmp.counters = counters;
	return tmp.frozen;
}

/*
 * models: mm/slub.c get_freelist()
 * Take the whole slab freelist for the CPU slab (remote frees since it was
 * frozen); unfreeze it if there was none. Caller holds the per-CPU lock.
 */
static __always_inline void *get_freelist(struct kmem_cache *s, struct slab *slab)
{
	unsigned long counters;
	void *freelist;

	lockdep_assert_held(&this_cpu_ptr(s->cpu_slab)->lock);
	do {
		/* Racy with remote frees: the cmpxchg re-checks the pair. */
		freelist = plain_load(slab->freelist);
		counters = plain_load(slab->counters);
	} while (!slab_update_freelist_inner(s, slab, freelist, counters, NULL,
					     counters_with(counters, slab->objects, freelist != NULL)));
	return freelist;
}

/* models: mm/slub.c freeze_slab() — take a partial slab's freelist and freeze it. */
static __always_inline void *freeze_slab(struct kmem_cache *s, struct slab *slab)
{
	unsigned long counters;
	void *freelist;

	do {
		freelist = plain_load(slab->freelist);
		counters = plain_load(slab->counters);
		VM_BUG_ON(counters_frozen(counters));
		if (bug_on(BUG_FREEZE_SLAB_IRQS_ON)) {
			/* the irqs-off variant, with irqs on */
			if (slab_update_freelist_inner(s, slab, freelist, counters, NULL,
						       counters_with(counters, slab->objects, 1)))
				break;
			continue;
		}
	} while (!slab_update_freelist(s, slab, freelist, counters, NULL,
				       counters_with(counters, slab->objects, 1)));
	return freelist;
}

/* ---- the per-CPU lock ---- */

/*
 * models: mm/slub.c local_lock_cpu_slab()
 * Irqs go off before this CPU's lock is looked up, as local_lock_irqsave()
 * does: looked up first, a preemption in between could migrate the task and
 * make it take another CPU's lock (the harness found exactly that in an
 * earlier version of this function: corpus/regressions/local-lock-lookup-before-irqsave.txt).
 * With LOCKDEP on !RT the kernel takes the lock as an asserted trylock, so
 * that lockdep does not see an NMI's nested acquisition as recursion.
 * On RT local_lock_irqsave() leaves irqs on: it disables migration before
 * the lookup, and the lock is a per-CPU sleeping lock owned by the task (the
 * environment's sleeping-lock semantics; it disables migration once more).
 */
static __always_inline void local_lock_cpu_slab(struct kmem_cache *s, unsigned long *flags)
{
	if (KCONFIG(preempt_rt)) {
		*flags = 0;
		/* RT's local_lock_irqsave(): migration off, then this CPU's lock */
		migrate_disable();
		env_lock(&this_cpu_ptr(s->cpu_slab)->lock.l);
		return;
	}
	local_irq_save(*flags);
	if (KCONFIG(lockdep) && !KCONFIG(preempt_rt)) {
		bool locked = env_trylock(&this_cpu_ptr(s->cpu_slab)->lock.l);

		lockdep_assert(locked);
	} else {
		env_lock(&this_cpu_ptr(s->cpu_slab)->lock.l);
	}
}

static __always_inline void local_unlock_cpu_slab(struct kmem_cache *s, unsigned long flags)
{
	env_unlock(&this_cpu_ptr(s->cpu_slab)->lock.l);
	if (KCONFIG(preempt_rt))
		migrate_enable();
	else
		local_irq_restore(flags);
}

/* ---- CPU partial list ---- */

/*
 * models: mm/slub.c __put_partials()
 * Move a detached CPU partial list to the node list, discarding empty slabs
 * beyond min_partial.
 */
static void put_partials_inner(struct kmem_cache *s, struct slab *partial_slab)
{
	struct kmem_cache_node *n = get_node(s, 0);
	struct slab *slab, *slab_to_discard = NULL;
	unsigned long flags = 0;

	if (!partial_slab)
		return;
	if (bug_on(BUG_PUT_PARTIALS_IRQS_ON))
		spin_lock(&n->list_lock); /* irqs as the caller has them */
	else
		spin_lock_irqsave(&n->list_lock, flags);
	while (partial_slab) {
		slab = partial_slab;
		partial_slab = slab->next;
		/* Racy, as the kernel's: remote frees change inuse without list_lock. */
		if (!counters_inuse(plain_load(slab->counters)) && n->nr_partial >= s->min_partial) {
			slab->next = slab_to_discard;
			slab_to_discard = slab;
		} else {
			add_partial(n, slab, DEACTIVATE_TO_TAIL);
			stat(s, FREE_ADD_PARTIAL);
		}
	}
	if (bug_on(BUG_PUT_PARTIALS_IRQS_ON))
		spin_unlock(&n->list_lock);
	else
		spin_unlock_irqrestore(&n->list_lock, flags);

	while (slab_to_discard) {
		slab = slab_to_discard;
		slab_to_discard = slab->next;
		stat(s, DEACTIVATE_EMPTY);
		discard_slab(s, slab);
		stat(s, FREE_SLAB);
	}
}

/*
 * models: mm/slub.c put_cpu_partial()
 * Put a slab that just got its first free object on this CPU's partial list;
 * with drain, a full list is first moved to the node (outside the lock).
 */
static void put_cpu_partial(struct kmem_cache *s, struct slab *slab, bool drain)
{
	struct slab *oldslab, *slab_to_put = NULL;
	unsigned long flags;
	int slabs = 0;

	local_lock_cpu_slab(s, &flags);
	/* this_cpu_read()/this_cpu_write() in the kernel: unchecked ops */
	oldslab = raw_cpu_ptr(s->cpu_slab)->partial;
	if (oldslab) {
		if (drain && oldslab->slabs >= (int)s->cpu_partial_slabs) {
			slab_to_put = oldslab;
			oldslab = NULL;
		} else {
			slabs = oldslab->slabs;
		}
	}
	slabs++;
	slab->slabs = slabs;
	slab->next = oldslab;
	raw_cpu_ptr(s->cpu_slab)->partial = slab;
	local_unlock_cpu_slab(s, flags);

	if (slab_to_put) {
		put_partials_inner(s, slab_to_put);
		stat(s, CPU_PARTIAL_DRAIN);
	}
}

/* CONFIG_SLUB_CPU_PARTIAL depends on !CONFIG_SLUB_TINY. */
static __always_inline bool kmem_cache_has_cpu_partial(struct kmem_cache *s)
{
	/* Design B has no CPU partial lists (nor CPU slabs) */
	return KCONFIG(cpu_partial) && !slub_tiny() && !design_sheaves() && !kmem_cache_debug(s);
}

/* ---- node partial list ---- */

/*
 * models: mm/slub.c alloc_single_from_partial()
 * Debug caches and TINY, under list_lock: take one object from a node partial
 * slab, which stays on the list — or goes to the full list with its last
 * object. A failed consistency check leaves the slab off every list, all its
 * objects marked used (alloc_debug_processing()): NULL, try the next slab.
 */
static void *alloc_single_from_partial(struct kmem_cache *s, struct kmem_cache_node *n,
				       struct slab *slab, unsigned int orig_size)
{
	void *object;

	lockdep_assert_held(&n->list_lock);
	object = slab->freelist;
	slab->freelist = get_freepointer(s, object);
	slab->inuse++;

	if (!alloc_debug_processing(s, slab, object, orig_size)) {
		remove_partial(n, slab);
		return NULL;
	}
	if (slab->inuse == slab->objects) {
		remove_partial(n, slab);
		add_full(s, n, slab);
	}
	return object;
}

/*
 * models: mm/slub.c alloc_single_from_new_slab()
 * Debug caches and TINY: take one object from a slab just made, then place
 * the slab on the node's partial (or full) list and count it.
 *
 * A caller that may not spin only trylocks list_lock. If that fails the slab
 * cannot be placed now: it is frozen and handed to the deferred slab list,
 * whose drain deactivates it (TINY: discards it) — and the drain treats it
 * like any slab it takes, uncounting it when it is discarded. So it is
 * counted here first, exactly as a placed slab would be. (The kmalloc_nolock
 * series deferred it uncounted: the drain then decremented counts that were
 * never incremented, or listed a slab nr_slabs did not know — an accounting
 * imbalance upstream fixed later in 2025 the other way round, by freeing such
 * a slab in the drain without uncounting it. Either way nr_slabs stays equal
 * to the slabs that exist, which is what the validators check.)
 */
static void *alloc_single_from_new_slab(struct kmem_cache *s, struct slab *slab,
					unsigned int orig_size, gfp_t gfp)
{
	bool allow_spin = slab_allow_spin(gfp);
	struct kmem_cache_node *n = get_node(s, 0);
	unsigned long flags = 0;
	void *object;

	if (!allow_spin && !spin_trylock_irqsave(&n->list_lock, flags)) {
		/* Unlucky: nowhere to put the new slab now. */
		slab->frozen = 1;
		inc_slabs_node(s, slab->objects);
		defer_deactivate_slab(slab, NULL);
		atomic_long_add(1, &world->trylock_failures); /* model only: for the oracle */
		return NULL;
	}

	object = slab->freelist;
	slab->freelist = get_freepointer(s, object);
	slab->inuse = 1;

	if (!alloc_debug_processing(s, slab, object, orig_size)) {
		/* Not expected on a fresh slab, but memory corruption could do
		 * it: the slab is leaked, all its objects marked used. */
		if (!allow_spin)
			spin_unlock_irqrestore(&n->list_lock, flags);
		return NULL;
	}

	if (allow_spin)
		spin_lock_irqsave(&n->list_lock, flags);
	if (slab->inuse == slab->objects)
		add_full(s, n, slab);
	else
		add_partial(n, slab, DEACTIVATE_TO_HEAD);
	inc_slabs_node(s, slab->objects);
	spin_unlock_irqrestore(&n->list_lock, flags);
	return object;
}

/*
 * models: mm/slub.c get_partial_node()
 * Take a partial slab for the CPU, and a few more for its partial list.
 * A caller that may not spin only trylocks list_lock and fails if it can't.
 * Debug caches and TINY take one object instead (*object), from the first
 * partial slab that gives one, and leave the slab on the node's lists.
 */
static struct slab *get_partial_node(struct kmem_cache *s, struct kmem_cache_node *n, gfp_t gfp,
				     unsigned int orig_size, void **object)
{
	struct slab *slab, *partial = NULL;
	unsigned int partial_slabs = 0;
	unsigned long flags;

	/* Racy check: a wrong answer only costs a new slab or a failed lock. */
	if (!READ_ONCE(n->nr_partial))
		return NULL;
	if (slab_allow_spin(gfp) || bug_on(BUG_LIST_LOCK_SPIN))
		spin_lock_irqsave(&n->list_lock, flags);
	else if (!spin_trylock_irqsave(&n->list_lock, flags))
		return NULL;

	list_for_each_entry_safe(slab, &n->partial, slab_list) {
		if (slab_single_object(s)) {
			void *x = alloc_single_from_partial(s, n, slab, orig_size);

			if (x) {
				partial = slab;
				*object = x;
				break;
			}
			continue;
		}

		remove_partial(n, slab);
		if (!partial) {
			partial = slab;
			stat(s, ALLOC_FROM_PARTIAL);
			if (!kmem_cache_has_cpu_partial(s) || s->cpu_partial_slabs == 0)
				break;
		} else {
			put_cpu_partial(s, slab, false);
			stat(s, CPU_PARTIAL_NODE);
			if (++partial_slabs > s->cpu_partial_slabs / 2)
				break;
		}
	}
	spin_unlock_irqrestore(&n->list_lock, flags);
	return partial;
}

/* models: mm/slub.c get_partial() — one node: no get_any_partial(). */
static struct slab *get_partial(struct kmem_cache *s, int node, gfp_t gfp,
				unsigned int orig_size, void **object)
{
	(void)node;
	return get_partial_node(s, get_node(s, 0), gfp, orig_size, object);
}

/*
 * models: mm/slub.c deactivate_slab()
 * Give a former CPU slab back: splice the CPU freelist onto the slab's,
 * unfreeze it, then put it on the node list or discard it if empty.
 */
void deactivate_slab(struct kmem_cache *s, struct slab *slab, void *freelist)
{
	struct kmem_cache_node *n = get_node(s, 0);
	enum stat_item tail = DEACTIVATE_TO_HEAD;
	void *freelist_tail = NULL, *iter;
	void *old_freelist, *new_freelist;
	unsigned long old_counters, new_counters;
	unsigned long flags;
	int free_delta = 0;

	if (READ_ONCE(slab->freelist)) {
		stat(s, DEACTIVATE_REMOTE_FREES);
		tail = DEACTIVATE_TO_TAIL;
	}

	/* Stage one: count the CPU freelist and find its tail. */
	for (iter = freelist; iter; iter = get_freepointer(s, iter)) {
		freelist_tail = iter;
		free_delta++;
		BUG_ON(free_delta > (int)slab->objects); /* a cycle: corrupted freelist */
	}

	/* Stage two: unfreeze while splicing the CPU freelist in front. */
	do {
		old_freelist = READ_ONCE(slab->freelist);
		old_counters = READ_ONCE(slab->counters);
		VM_BUG_ON(!counters_frozen(old_counters));
		if (freelist_tail) {
			new_counters = counters_with(old_counters,
						     counters_inuse(old_counters) - free_delta, 0);
			set_freepointer(s, freelist_tail, old_freelist);
			new_freelist = freelist;
		} else {
			new_counters = counters_with(old_counters, counters_inuse(old_counters), 0);
			new_freelist = old_freelist;
		}
	} while (!slab_update_freelist(s, slab, old_freelist, old_counters,
				       new_freelist, new_counters));

	/* Stage three: list placement from the new state. */
	/* Racy without list_lock, as the kernel's: at worst one slab too many kept or freed. */
	if (!counters_inuse(new_counters) && plain_load(n->nr_partial) >= s->min_partial) {
		stat(s, DEACTIVATE_EMPTY);
		discard_slab(s, slab);
		stat(s, FREE_SLAB);
	} else if (new_freelist) {
		spin_lock_irqsave(&n->list_lock, flags);
		add_partial(n, slab, tail);
		spin_unlock_irqrestore(&n->list_lock, flags);
		stat(s, tail);
	} else {
		stat(s, DEACTIVATE_FULL);
	}
}

/* ---- allocation ---- */

/*
 * models: mm/slub.c ___slab_alloc()
 * The slow path. Runs with preemption disabled; takes the per-CPU lock only
 * around each section that reads or changes the CPU slab state. A caller
 * that may not spin only trylocks list_lock and the zone lock, and defers
 * the deactivation of a CPU slab it displaces.
 */
static void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, int node,
			     struct kmem_cache_cpu *c, size_t orig_size)
{
	bool allow_spin = slab_allow_spin(gfp), pinned;
	unsigned long flags;
	struct slab *slab;
	void *freelist;
	void *object; /* only the single-object path writes it (and its address
		       * is taken: freelist's must not be, or every access to
		       * freelist would become a memory access, a boundary) */

	stat(s, ALLOC_SLOWPATH);

reread_slab:
	slab = READ_ONCE(c->slab);
	if (!slab)
		goto new_slab;

	/* must check c->slab again: an interrupt may have changed it */
	local_lock_cpu_slab(s, &flags);
	if (slab != c->slab) {
		local_unlock_cpu_slab(s, flags);
		env_nolock_work(NOLOCK_WORK_RETRIES);
		goto reread_slab;
	}
	freelist = c->freelist;
	if (freelist)
		goto load_freelist;

	freelist = get_freelist(s, slab);
	if (!freelist) {
		c->slab = NULL;
		c->tid = next_tid(c->tid);
		local_unlock_cpu_slab(s, flags);
		stat(s, DEACTIVATE_BYPASS);
		goto new_slab;
	}
	stat(s, ALLOC_REFILL);

load_freelist:
	lockdep_assert_held(&this_cpu_ptr(s->cpu_slab)->lock);
	/* frozen shares its word with inuse, which remote frees rewrite (under
	 * slab_lock without __CMPXCHG_DOUBLE): a racy read of the whole word. */
	VM_BUG_ON(!counters_frozen(plain_load(c->slab->counters)));
	c->freelist = get_freepointer(s, freelist);
	c->tid = next_tid(c->tid);
	local_unlock_cpu_slab(s, flags);
	return freelist;

new_slab:
	while (kmem_cache_has_cpu_partial(s) && READ_ONCE(c->partial)) {
		local_lock_cpu_slab(s, &flags);
		if (c->slab) {
			local_unlock_cpu_slab(s, flags);
			env_nolock_work(NOLOCK_WORK_RETRIES);
			goto reread_slab;
		}
		if (!c->partial) {
			/* an interrupt emptied the partial list */
			local_unlock_cpu_slab(s, flags);
			break;
		}
		slab = c->partial;
		c->partial = slab->next;
		/* node and pfmemalloc always match: one node, no reserves */
		c->slab = slab;
		freelist = get_freelist(s, slab);
		VM_BUG_ON(!freelist);
		stat(s, CPU_PARTIAL_ALLOC);
		goto load_freelist;
	}

new_objects:
	slab = get_partial(s, node, gfp, (unsigned int)orig_size, &object);
	if (slab) {
		if (kmem_cache_debug_flags(s, SLAB_DEBUG_FLAGS)) {
			/* get_partial_node() took one object: no CPU slab */
			if (s->flags & SLAB_STORE_USER)
				set_track(s, object, TRACK_ALLOC);
			return object;
		}
		freelist = freeze_slab(s, slab);
		goto retry_load_slab;
	}

	/* the page allocator may sleep: unpinned (bug new_slab_pinned) */
	pinned = bug_on(BUG_NEW_SLAB_PINNED);
	if (!pinned)
		slub_unpin_cpu();
	slab = new_slab(s, gfp, node);
	if (!pinned)
		slub_pin_cpu();
	c = this_cpu_ptr(s->cpu_slab);
	if (!slab)
		return NULL;
	stat(s, ALLOC_SLAB);

	if (kmem_cache_debug_flags(s, SLAB_DEBUG_FLAGS)) {
		freelist = alloc_single_from_new_slab(s, slab, (unsigned int)orig_size, gfp);
		if (!freelist) {
			/* Trying again could loop for ever: a nolock caller fails. */
			if (!allow_spin && !bug_on(BUG_NOLOCK_NEW_SLAB_LOOP))
				return NULL;
			env_nolock_work(NOLOCK_WORK_RETRIES);
			goto new_objects;
		}
		if (s->flags & SLAB_STORE_USER)
			set_track(s, freelist, TRACK_ALLOC);
		return freelist;
	}

	/* No other reference to the slab yet: plain stores are fine. */
	freelist = slab->freelist;
	slab->freelist = NULL;
	slab->inuse = slab->objects;
	slab->frozen = 1;
	inc_slabs_node(s, slab->objects);

retry_load_slab:
	local_lock_cpu_slab(s, &flags);
	if (c->slab) {
		void *flush_freelist = c->freelist;
		struct slab *flush_slab = c->slab;

		c->slab = NULL;
		c->freelist = NULL;
		c->tid = next_tid(c->tid);
		local_unlock_cpu_slab(s, flags);

		if (!allow_spin && !bug_on(BUG_NOLOCK_FLUSH_SPINS))
			defer_deactivate_slab(flush_slab, flush_freelist); /* may not take locks */
		else
			deactivate_slab(s, flush_slab, flush_freelist);
		stat(s, CPUSLAB_FLUSH);
		env_nolock_work(NOLOCK_WORK_RETRIES);
		goto retry_load_slab;
	}
	c->slab = slab;
	goto load_freelist;
}

/*
 * The slow path changes (freelist, tid) with plain accesses under the per-CPU
 * lock; a kprobe handler inside it that reached the lockless fast path would
 * corrupt the pair, and kmalloc_nolock() checks the lock only in NMI. So
 * kprobes stay out of the slow path.
 */
NOKPROBE_SYMBOL_UNLESS_BUG(slab_alloc_slow, BUG_KPROBE_FASTPATH);

/*
 * models: mm/slub.c __slab_alloc()
 * Pins the CPU for the slow path. A caller that may not spin gets
 * SLAB_BUSY if this CPU's lock is held — by the context it interrupted.
 */
static void *slab_alloc_inner(struct kmem_cache *s, gfp_t gfp, int node, size_t orig_size)
{
	struct kmem_cache_cpu *c;
	void *p;

	slub_pin_cpu();
	c = this_cpu_ptr(s->cpu_slab);
	if (!slab_allow_spin(gfp) && local_lock_is_locked(&c->lock) &&
	    !bug_on(BUG_SLOW_PATH_NO_BUSY_CHECK)) {
		stat(s, ALLOC_NOLOCK_BUSY);
		p = SLAB_BUSY;
	} else {
		p = slab_alloc_slow(s, gfp, node, c, orig_size);
	}
	slub_unpin_cpu();
	return p;
}

/*
 * models: mm/slub.c __update_cpu_freelist_fast() — this_cpu_try_cmpxchg128(),
 * a this_cpu_*() operation: preempt-safe by itself, so DEBUG_PREEMPT does
 * not check it, and the fast path runs it preemptible on purpose (the tid
 * catches a move to another CPU): raw_cpu_ptr().
 */
static __always_inline bool update_cpu_freelist_fast_inner(struct kmem_cache *s, void *freelist_old,
					   void *freelist_new, unsigned long tid)
{
	freelist_aba_t old = { .freelist = freelist_old, .counter = tid };
	freelist_aba_t new = { .freelist = freelist_new,
			       .counter = bug_on(BUG_FASTPATH_SAME_TID) ? tid : next_tid(tid) };

	return try_cmpxchg128(&raw_cpu_ptr(s->cpu_slab)->freelist_tid.full, &old.full, new.full);
}

/*
 * models: mm/slub.c __slab_alloc_node() — the CONFIG_SLUB_TINY one
 * No per-CPU slabs, no fast path, no pinned CPU: one object from a node
 * partial slab (list_lock, a trylock for a caller that may not spin), or
 * from a new slab. Never SLAB_BUSY: a trylock that fails is NULL. (As in the
 * kernel, this path records no SLAB_STORE_USER alloc track.)
 */
static void *slab_alloc_node_inner_tiny(struct kmem_cache *s, gfp_t gfp, int node, size_t orig_size)
{
	struct slab *slab;
	void *object;

	slab = get_partial(s, node, gfp, (unsigned int)orig_size, &object);
	if (slab)
		return object;
	slab = new_slab(s, gfp, node);
	if (!slab)
		return NULL;
	return alloc_single_from_new_slab(s, slab, (unsigned int)orig_size, gfp);
}

/*
 * models: mm/slub.c __slab_alloc_node()
 * The lockless fast path: take the first object of the CPU freelist with a
 * cmpxchg on (freelist, tid); the tid catches any change in between,
 * including a move to another CPU. Returns SLAB_BUSY only to nolock callers.
 * CONFIG_SLUB_TINY builds the other definition (above) instead.
 */
void *slab_alloc_node_inner(struct kmem_cache *s, gfp_t gfp, int node, size_t orig_size)
{
	struct kmem_cache_cpu *c;
	struct slab *slab;
	unsigned long tid;
	void *object;

	if (slub_tiny())
		return slab_alloc_node_inner_tiny(s, gfp, node, orig_size);
redo:
	c = raw_cpu_ptr(s->cpu_slab);
	tid = READ_ONCE(c->tid);
	barrier();
	object = c->freelist;
	slab = c->slab;

	if (!use_lockless_fast_path() || !object || !slab) {
		object = slab_alloc_inner(s, gfp, node, orig_size);
	} else {
		void *next_object = get_freepointer(s, object);

		if (!update_cpu_freelist_fast_inner(s, object, next_object, tid)) {
			stat(s, CMPXCHG_DOUBLE_CPU_FAIL);
			env_nolock_work(NOLOCK_WORK_RETRIES);
			goto redo;
		}
		stat(s, ALLOC_FASTPATH);
	}
	return object;
}

/*
 * models: mm/slub.c slab_post_alloc_hook()
 * KASAN unpoisons what the caller asked for; __GFP_ZERO zeroes the object;
 * with memcg, an accounted object is charged (core/memcontrol.c), and if
 * that fails the object is freed again and false returned.
 */
bool slab_post_alloc_hook(struct kmem_cache *s, gfp_t gfp, void *object, size_t orig_size)
{
	if (!object)
		return true;
#ifdef REENTRY_ASAN
	/*
	 * A free object is poisoned (slab_free_hook(), allocate_slab()): one
	 * that is not is being handed out while still live, or after a free
	 * that skipped the free hook. The environment reports it unless the
	 * oracle will (a program's object handed out twice: double-alloc).
	 * Debug caches are left to alloc_debug_processing(), as for frees.
	 */
	if (KCONFIG(kasan) && !kmem_cache_debug_flags(s, SLAB_CONSISTENCY_CHECKS) &&
	    !__asan_address_is_poisoned(object))
		env_kasan_double_unpoison(object);
#endif
	kasan_unpoison(object, s->object_size);
	if (gfp & __GFP_ZERO)
		memset(object, 0, s->object_size);
	if (orig_size < s->object_size)
		kasan_poison((char *)object + orig_size, s->object_size - orig_size);
	if (memcg_kmem_online() && !memcg_slab_post_alloc_hook(s, gfp, object)) {
		memcg_alloc_abort_single(s, object, gfp);
		return false;
	}
	return true;
}

/* models: mm/slub.c slab_pre_alloc_hook() — might_alloc(); no failslab */
static __always_inline void slab_pre_alloc_hook(struct kmem_cache *s, gfp_t gfp)
{
	(void)s;
	might_alloc(gfp);
}

/* models: mm/slub.c slab_alloc_node() */
void *slab_alloc_node(struct kmem_cache *s, gfp_t gfp, int node, size_t orig_size)
{
	void *object;

	slab_pre_alloc_hook(s, gfp);
	if (design_sheaves())
		object = slab_alloc_node_sheaves(s, gfp, node, orig_size);
	else
		object = slab_alloc_node_inner(s, gfp, node, orig_size);
	/* Only kmalloc_nolock() retries a busy bucket; anyone else fails. */
	if (object == SLAB_BUSY)
		object = NULL;
	if (!slab_post_alloc_hook(s, gfp, object, orig_size))
		object = NULL; /* the memcg charge failed */
	return object;
}

/* ---- free ---- */

/*
 * models: mm/slub.c slab_free_hook() — kasan_slab_free()'s checks
 * KASAN: an invalid or double free is a "kasan" report; the object is
 * poisoned. The invalid free is reported even with kconfig.kasan off: the
 * model could not go on from it (it would link a free pointer mid-object).
 */
void slab_free_hook(struct kmem_cache *s, void *object)
{
	struct slab *slab = virt_to_slab(object);
	unsigned long off = (unsigned long)((char *)object - (char *)slab_address(slab));
	char what[96];

	/* s->objects, not slab->objects (equal: allocate_slab() copies it): the
	 * slab's word also holds inuse, which list_lock holders on other CPUs
	 * write (TINY, debug caches) — a race in C's terms, none here. */
	if (off % s->size || off / s->size >= s->objects) {
		describe_object(object, what, sizeof(what));
		env_report("kasan", "BUG: KASAN: invalid-free of %s (not the start of an object)", what);
	}
#ifdef REENTRY_ASAN
	/*
	 * With SLAB_CONSISTENCY_CHECKS the model's own check finds a double
	 * free (free_debug_processing(): "Object already free") and reports it
	 * as the kernel's slab error; a kernel with KASAN too would report it
	 * here first, but then the debug check would never be exercised.
	 */
	if (KCONFIG(kasan) && !kmem_cache_debug_flags(s, SLAB_CONSISTENCY_CHECKS) &&
	    __asan_address_is_poisoned(object)) {
		describe_object(object, what, sizeof(what));
		env_report("kasan", "BUG: KASAN: double-free of %s", what);
	}
#endif
	kasan_poison(object, s->size);
	/* The red zone stays unpoisoned: the model checks it (see core/debug.c). */
	if (kmem_cache_debug_flags(s, SLAB_RED_ZONE))
		kasan_unpoison((char *)object + s->object_size, s->inuse - s->object_size);
}

/*
 * models: mm/slub.c free_to_partial_list()
 * Debug caches and TINY: free straight to the slab under list_lock (a
 * spinning lock: callers that may not spin deferred before getting here),
 * after the debug checks; move the slab between the full and partial lists;
 * discard it once empty if the node has min_partial partial slabs.
 */
static void free_to_partial_list(struct kmem_cache *s, struct slab *slab, void *head, void *tail,
				 int bulk_cnt)
{
	struct kmem_cache_node *n = get_node(s, 0);
	struct slab *slab_free = NULL;
	int cnt = bulk_cnt;
	unsigned long flags;

	spin_lock_irqsave(&n->list_lock, flags);
	if (free_debug_processing(s, slab, head, tail, &cnt)) {
		void *prior = slab->freelist;

		slab->inuse -= cnt;
		set_freepointer(s, tail, prior);
		slab->freelist = head;

		/* empty and enough partial slabs: goes, from whichever list */
		if (!slab->inuse && n->nr_partial >= s->min_partial)
			slab_free = slab;

		if (!prior) {
			/* was full: on the full list (SLAB_STORE_USER) or none */
			remove_full(s, n, slab);
			if (!slab_free) {
				add_partial(n, slab, DEACTIVATE_TO_TAIL);
				stat(s, FREE_ADD_PARTIAL);
			}
		} else if (slab_free) {
			remove_partial(n, slab);
			stat(s, FREE_REMOVE_PARTIAL);
		}
	}
	/* counted down under list_lock, as the kernel does for its validation */
	if (slab_free)
		dec_slabs_node(s, slab_free->objects);
	spin_unlock_irqrestore(&n->list_lock, flags);

	if (slab_free) {
		stat(s, FREE_SLAB);
		free_slab(s, slab_free);
	}
}

/*
 * models: mm/slub.c __slab_free()
 * Free to a slab that is not this CPU's slab: cmpxchg the object onto the
 * slab freelist; take list_lock (spinning) when the slab must change lists.
 */
void slab_free_inner(struct kmem_cache *s, struct slab *slab, void *head, void *tail, int cnt)
{
	struct kmem_cache_node *n = NULL;
	unsigned long counters, new_counters;
	unsigned long flags = 0;
	bool on_node_partial = false;
	unsigned int was_frozen;
	void *prior;

	stat(s, FREE_SLOWPATH);
	if (slab_single_object(s)) {
		free_to_partial_list(s, slab, head, tail, cnt);
		return;
	}
	do {
		if (n) {
			spin_unlock_irqrestore(&n->list_lock, flags);
			n = NULL;
		}
		/* Racy with other CPUs: the cmpxchg re-checks the pair. */
		prior = plain_load(slab->freelist);
		counters = plain_load(slab->counters);
		set_freepointer(s, tail, prior);
		was_frozen = counters_frozen(counters);
		new_counters = counters_with(counters, counters_inuse(counters) - cnt, was_frozen);
		if ((!counters_inuse(new_counters) || !prior) && !was_frozen) {
			/* Needs to be taken off a list */
			if (!kmem_cache_has_cpu_partial(s) || prior) {
				n = get_node(s, 0);
				/* Speculative: dropped below if the cmpxchg fails. */
				spin_lock_irqsave(&n->list_lock, flags);
				on_node_partial = slab->flags & SL_node_partial;
			}
		}
	} while (!slab_update_freelist(s, slab, prior, counters, head, new_counters));

	if (!n) {
		if (was_frozen) {
			stat(s, FREE_FROZEN);
		} else if (kmem_cache_has_cpu_partial(s) && !prior) {
			/* was full: goes to this CPU's partial list */
			put_cpu_partial(s, slab, true);
			stat(s, CPU_PARTIAL_FREE);
		}
		return;
	}

	/* partially empty but not on the node list (a CPU partial slab) */
	if (prior && !on_node_partial) {
		spin_unlock_irqrestore(&n->list_lock, flags);
		return;
	}
	if (!counters_inuse(new_counters) && n->nr_partial >= s->min_partial)
		goto slab_empty;
	if (!kmem_cache_has_cpu_partial(s) && !prior) {
		add_partial(n, slab, DEACTIVATE_TO_TAIL);
		stat(s, FREE_ADD_PARTIAL);
	}
	spin_unlock_irqrestore(&n->list_lock, flags);
	return;

slab_empty:
	if (prior) {
		remove_partial(n, slab);
		stat(s, FREE_REMOVE_PARTIAL);
	}
	spin_unlock_irqrestore(&n->list_lock, flags);
	stat(s, FREE_SLAB);
	discard_slab(s, slab);
}

/*
 * models: mm/slub.c do_slab_free()
 * cnt == 0 means kfree_nolock(): such a caller may not spin, so anything
 * but a push onto this CPU's own slab is deferred; in NMI (or on RT) the
 * push is deferred too when this CPU's lock is held by the interrupted
 * context, whose plain accesses to the pair the push would corrupt. (On RT
 * kfree_nolock() defers before it gets here where the task may not sleep.)
 */
void do_slab_free(struct kmem_cache *s, struct slab *slab, void *head, void *tail, int cnt)
{
	bool allow_spin = cnt != 0;
	struct kmem_cache_cpu *c;
	unsigned long tid;
	void *freelist;

	/* CONFIG_SLUB_TINY's do_slab_free(): no CPU slab to free to */
	if (slub_tiny()) {
		slab_free_inner(s, slab, head, tail, cnt);
		return;
	}
redo:
	c = raw_cpu_ptr(s->cpu_slab);
	tid = READ_ONCE(c->tid);
	barrier();

	if (slab != c->slab) {
		if (!allow_spin)
			defer_free(s, head);
		else
			slab_free_inner(s, slab, head, tail, cnt);
		return;
	}

	if (!allow_spin) {
		if ((in_nmi() || !use_lockless_fast_path()) && local_lock_is_locked(&c->lock) &&
		    !bug_on(BUG_NMI_FREE_NO_DEFER)) {
			defer_free(s, head);
			return;
		}
		cnt = 1; /* kfree_nolock() frees one object */
	}

	if (use_lockless_fast_path()) {
		freelist = READ_ONCE(c->freelist);
		set_freepointer(s, tail, freelist);
		if (!update_cpu_freelist_fast_inner(s, freelist, head, tid)) {
			stat(s, CMPXCHG_DOUBLE_CPU_FAIL);
			env_nolock_work(NOLOCK_WORK_RETRIES);
			goto redo;
		}
	} else {
		unsigned long flags;

		local_lock_cpu_slab(s, &flags);
		c = this_cpu_ptr(s->cpu_slab);
		if (slab != c->slab) {
			local_unlock_cpu_slab(s, flags);
			env_nolock_work(NOLOCK_WORK_RETRIES);
			goto redo;
		}
		tid = c->tid;
		freelist = c->freelist;
		set_freepointer(s, tail, freelist);
		c->freelist = head;
		c->tid = next_tid(tid);
		local_unlock_cpu_slab(s, flags);
	}
	stat(s, FREE_FASTPATH);
}

/* models: mm/slub.c slab_free() */
static void slab_free(struct kmem_cache *s, struct slab *slab, void *object)
{
	if (memcg_kmem_online())
		memcg_slab_free_hook(s, slab, object);
	if (design_sheaves()) {
		slab_free_sheaves(s, slab, object);
		return;
	}
	slab_free_hook(s, object);
	do_slab_free(s, slab, object, object, 1);
}

/* ---- the cache API ---- */

/* models: mm/slub.c calculate_sizes() and calculate_order() */
static void calculate_sizes(struct kmem_cache *s)
{
	unsigned int want = KCONFIG(slab_objects) ? KCONFIG(slab_objects) : 1;
	unsigned int size;

	if (kmem_cache_debug_flags(s, SLAB_DEBUG_FLAGS)) {
		calculate_sizes_debug(s); /* red zone, outside free pointer, tracks */
		size = s->size;
	} else {
		size = (s->object_size + s->align - 1) / s->align * s->align;
		s->size = size;
		/* The free pointer sits mid-object, away from the common overflow spot. */
		s->offset = (s->object_size / 2) & ~(unsigned int)(sizeof(void *) - 1);
		/* s->inuse stays 0: only debug code reads it */
	}
	s->order = 0;
	while ((PAGE_SIZE << s->order) < (unsigned long)size * want && s->order < MAX_PAGE_ORDER)
		s->order++;
	s->objects = (unsigned int)((PAGE_SIZE << s->order) / size);
	if (s->objects > want)
		s->objects = want;
}

/* models: mm/slub.c kmem_cache_open() */
struct kmem_cache *kmem_cache_open(const char *name, unsigned int size, unsigned int align,
				slab_flags_t flags)
{
	struct kmem_cache *s = NULL;
	unsigned int log2 = 0;

	/* kmem_cache_flags(): the slub_debug= boot option applies to every cache */
	flags |= KCONFIG(slub_debug);
	/* static_branch_enable(&slub_debug_enabled): from now on the paths
	 * shared with debug caches look at s->flags */
	if (flags & SLAB_DEBUG_FLAGS)
		world->slub_debug_enabled = true;
	for (int i = 0; i < MAX_CACHES; i++) {
		if (!world->caches[i].live) {
			s = &world->caches[i];
			break;
		}
	}
	if (!s || !size || size > KMALLOC_MAX_CACHE_SIZE) {
		WARN_ON_ONCE(!s);
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->flags = flags & ~__CMPXCHG_DOUBLE;
	s->object_size = size < sizeof(void *) ? sizeof(void *) : size;
	s->align = align < sizeof(void *) ? sizeof(void *) : align;
	calculate_sizes(s);
	if (s->objects == 0)
		return NULL;
	init_cache_random_seq(s);
	/* Caches that track users or check consistency update the pair under
	 * the slab lock (the kernel's SLAB_NO_CMPXCHG). */
	if (KCONFIG(has_cmpxchg128) && !(flags & (SLAB_CONSISTENCY_CHECKS | SLAB_STORE_USER)))
		s->flags |= __CMPXCHG_DOUBLE;
	while ((1u << (log2 + 1)) <= s->size)
		log2++;
	s->min_partial = log2 / 2 < 5 ? 5 : (log2 / 2 > 10 ? 10 : log2 / 2);
	/* Tiny like the slabs, so that CPU partial draining happens early. */
	s->cpu_partial_slabs = kmem_cache_has_cpu_partial(s) ? 2 : 0;
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct kmem_cache_cpu *c = per_cpu_ptr(s->cpu_slab, cpu);

		c->tid = init_tid(cpu);
		local_trylock_init(&c->lock);
	}
	spin_lock_init(&s->node[0].list_lock);
	INIT_LIST_HEAD(&s->node[0].partial);
	INIT_LIST_HEAD(&s->node[0].full);
	if (design_sheaves())
		init_percpu_sheaves(s);
	s->live = true;
	list_add_tail(&s->list, &world->slab_caches);
	return s;
}

/* models: mm/slab_common.c kmem_cache_create() */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags)
{
	might_sleep(); /* slab_mutex */
	return kmem_cache_open(name, size, align, flags);
}

/* models: mm/slub.c __flush_cpu_slab() — the CPU is quiescent (or ours). */
static void flush_cpu_slab_inner(struct kmem_cache *s, int cpu)
{
	struct kmem_cache_cpu *c = per_cpu_ptr(s->cpu_slab, cpu);
	struct slab *slab = c->slab, *partial = c->partial;
	void *freelist = c->freelist;

	c->slab = NULL;
	c->freelist = NULL;
	c->partial = NULL;
	c->tid = next_tid(c->tid);
	if (slab) {
		deactivate_slab(s, slab, freelist);
		stat(s, CPUSLAB_FLUSH);
	}
	put_partials_inner(s, partial);
}

/*
 * models: mm/slub.c kmem_cache_destroy() / __kmem_cache_shutdown()
 * Waits for every CPU's deferred frees, flushes every CPU, frees the empty
 * slabs. Objects still allocated: a warning, and the cache stays (leaked),
 * as the kernel does.
 */
void kmem_cache_destroy(struct kmem_cache *s)
{
	struct kmem_cache_node *n;
	struct slab *slab;
	unsigned long flags;

	if (!s)
		return;
	might_sleep(); /* slab_mutex, cpus_read_lock() */
	defer_free_barrier();
	if (design_sheaves())
		pcs_flush_all_and_free(s);
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++)
		flush_cpu_slab_inner(s, cpu);

	n = get_node(s, 0);
	spin_lock_irqsave(&n->list_lock, flags);
	list_for_each_entry_safe(slab, &n->partial, slab_list) {
		if (!slab->inuse) {
			remove_partial(n, slab);
			dec_slabs_node(s, slab->objects);
			free_slab(s, slab);
		}
	}
	spin_unlock_irqrestore(&n->list_lock, flags);
	if (WARN_ONCE(atomic_long_read(&n->nr_slabs), "kmem_cache_destroy: objects remaining in cache"))
		return;
	list_del(&s->list);
	s->live = false;
}

/* models: mm/slub.c kmem_cache_alloc_noprof() */
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags)
{
	void *p;

	flags &= ~__SLAB_ALLOC_FLAGS; /* the slab's own alloc_flags are not the caller's */
	p = slab_alloc_node(s, flags, NUMA_NO_NODE, s->object_size);
	if (p)
		env_slab_api(ENV_KMEM_CACHE_ALLOC, p, s, flags);
	return p;
}

/* models: mm/slub.c kmem_cache_free() — a mismatched cache warns, as with hardening. */
void kmem_cache_free(struct kmem_cache *s, void *x)
{
	struct slab *slab = virt_to_slab(x);

	if (WARN_ONCE(!slab, "kmem_cache_free: not a slab object"))
		return;
	env_slab_api(ENV_KMEM_CACHE_FREE, x, s, 0);
	WARN_ONCE(slab->slab_cache != s, "kmem_cache_free: object from another cache");
	slab_free(slab->slab_cache, slab, x);
}

/* For kfree() in core/kmalloc.c. */
void slab_free_object(struct slab *slab, void *x)
{
	slab_free(slab->slab_cache, slab, x);
}

/* ---- Design B's slab level: no CPU slabs (core/sheaves.c falls back here) ---- */

/*
 * models: mm/slub.c get_from_partial_node() (7.0, no CPU slabs)
 * One object from the first node partial slab, taken by compare-and-exchange
 * of the slab's (freelist, counters): remote frees change that pair without
 * list_lock, list_lock only keeps the slab on the list meanwhile. A slab
 * whose last free object goes leaves the list. A caller that may not spin
 * only trylocks list_lock and gets NULL if it cannot.
 */
void *get_from_partial_node(struct kmem_cache *s, struct kmem_cache_node *n, gfp_t gfp)
{
	unsigned long counters, flags;
	void *object = NULL, *next;
	struct slab *slab;

	/* Racy check: a wrong answer only costs a new slab or a failed lock. */
	if (!READ_ONCE(n->nr_partial))
		return NULL;
	if (slab_allow_spin(gfp))
		spin_lock_irqsave(&n->list_lock, flags);
	else if (!spin_trylock_irqsave(&n->list_lock, flags))
		return NULL;

	if (!list_empty(&n->partial)) {
		slab = list_entry(n->partial.next, struct slab, slab_list);
		do {
			object = slab->freelist;
			counters = slab->counters;
			/* on the list under list_lock ⇒ at least one free object */
			BUG_ON(!object);
			next = get_freepointer(s, object);
		} while (!slab_update_freelist(s, slab, object, counters, next,
					       counters_with(counters, counters_inuse(counters) + 1, 0)));
		if (!next)
			remove_partial(n, slab);
		stat(s, ALLOC_FROM_PARTIAL);
	}
	spin_unlock_irqrestore(&n->list_lock, flags);
	return object;
}

/*
 * models: mm/slub.c alloc_from_new_slab() (7.0, no CPU slabs)
 * A new slab (from the _nolock page allocator for a caller that may not
 * spin): take its first object, then put the slab on the node partial list
 * and count it. A caller that may not spin only trylocks list_lock; failing
 * that nobody can place the slab now, so it goes straight back to the page
 * allocator — with free_pages_nolock(), a trylock too — and no count changes.
 */
void *alloc_from_new_slab(struct kmem_cache *s, gfp_t gfp, int node)
{
	struct kmem_cache_node *n = get_node(s, 0);
	bool allow_spin = slab_allow_spin(gfp);
	unsigned long flags;
	struct slab *slab;
	void *object;

	slab = new_slab(s, gfp, node);
	if (!slab)
		return NULL;
	stat(s, ALLOC_SLAB);
	/* No other reference to the slab yet: plain stores are fine. */
	object = slab->freelist;
	slab->freelist = get_freepointer(s, object);
	slab->inuse = 1;

	if (allow_spin) {
		spin_lock_irqsave(&n->list_lock, flags);
	} else if (!spin_trylock_irqsave(&n->list_lock, flags)) {
		struct page *page = slab_page(slab);

		page->flags &= ~PG_slab;
		slab->slab_cache = NULL;
		free_pages_nolock(page, s->order);
		atomic_long_add(1, &world->trylock_failures); /* model only: for the oracle */
		return NULL;
	}
	if (slab->inuse < slab->objects)
		add_partial(n, slab, DEACTIVATE_TO_HEAD);
	inc_slabs_node(s, slab->objects);
	spin_unlock_irqrestore(&n->list_lock, flags);
	return object;
}
