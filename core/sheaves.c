/*
 * core/sheaves.c — Design B (design=sheaves), the 7.0 SLUB: per-CPU
 * sheaves and the per-node barn in place of per-CPU slabs.
 *
 * Each CPU of a cache has {lock, main, spare}: sheaves (arrays of free
 * objects) used under a local_trylock_t. Allocation pops from main; an empty
 * main is replaced by a non-empty spare, or by a full sheaf from the barn
 * (its lists under barn->lock), or — only for a caller that may spin — by a
 * sheaf refilled from the slabs. Free pushes onto main; a full main is
 * replaced by an empty spare, or an empty sheaf from the barn, or — only for
 * a caller that may spin — a newly allocated one. Whatever the sheaves
 * cannot do falls back to the slab level (core/slub.c): one object from a
 * node partial slab or a new slab on allocation; on free the slab itself
 * (ordinary callers) or the deferred list (kfree_nolock()).
 *
 * Every path only TRIES the per-CPU lock: a context that interrupted the
 * holder (an NMI, a kprobe) finds it taken and falls back. barn->lock and
 * list_lock are trylocked by callers that may not spin, and the page
 * allocator's _nolock path is used for them; they never allocate, refill,
 * flush or free a sheaf.
 *
 * Lock order: the per-CPU lock, then barn->lock. Sheaves are allocated and
 * refilled with the per-CPU lock dropped (the kernel may sleep there), so
 * after taking it again the state is looked at afresh: an interrupt may have
 * changed it, or the task may be on another CPU now.
 *
 * Debug caches and SLUB_TINY have no sheaves (sheaf_capacity 0): they keep
 * the single-object path under list_lock of core/slub.c, and kfree_nolock()
 * always defers for them.
 *
 * Sheaves are kmalloc objects (SHEAF_CAPACITY is tiny, like the slabs: a
 * kmalloc-64 object), allocated with __SLAB_NO_RECURSE: such a nested
 * allocation may use the bucket's sheaves but never allocates or refills a
 * sheaf itself (invariant 13), and a sheaf is freed straight to its slab.
 * Every CPU's main starts as the world's bootstrap sheaf (capacity 0), as in
 * the kernel, so no cache needs an allocation to be created.
 *
 * Not modelled: NUMA (one node: can_free_to_pcs() is about the cache), the
 * RCU sheaf (kfree_rcu), prefilled sheaves (kmem_cache_prefill_sheaf),
 * statistics.
 */
#include "bugs.h"
#include "internal.h"

static __always_inline struct node_barn *get_barn(struct kmem_cache *s)
{
	return &s->barn[0];
}

static __always_inline bool sheaf_is_bootstrap(const struct slab_sheaf *sheaf)
{
	return sheaf == &read_fixed(world)->bootstrap_sheaf;
}

/*
 * The per-CPU lock, tried: irqs go off before this CPU's sheaves are looked
 * up (as local_trylock_irqsave() does; see local_lock_cpu_slab() for what a
 * lookup first would do). NULL, irqs restored, if it is taken. On RT the
 * lock is a per-CPU sleeping lock that leaves irqs alone: the task is pinned
 * with migrate_disable() instead, and a hard interrupt never gets it (RT's
 * local_trylock() fails in NMI and hardirq context).
 */
static __always_inline struct slub_percpu_sheaves *pcs_trylock(struct kmem_cache *s, bool allow_spin,
							       unsigned long *flags)
{
	struct slub_percpu_sheaves *pcs;

	if (KCONFIG(preempt_rt)) {
		if (in_nmi() || in_hardirq())
			return NULL;
		*flags = 0;
		migrate_disable();
		pcs = this_cpu_ptr(s->cpu_sheaves);
		if (!allow_spin && bug_on(BUG_SHEAVES_NMI_NO_TRYLOCK)) {
			env_lock(&pcs->lock.l);
			return pcs;
		}
		if (!env_trylock(&pcs->lock.l)) {
			migrate_enable();
			return NULL;
		}
		return pcs;
	}
	local_irq_save(*flags);
	pcs = this_cpu_ptr(s->cpu_sheaves);
	if (!allow_spin && bug_on(BUG_SHEAVES_NMI_NO_TRYLOCK)) {
		env_lock(&pcs->lock.l);
		return pcs;
	}
	if (!env_trylock(&pcs->lock.l)) {
		local_irq_restore(*flags);
		return NULL;
	}
	return pcs;
}

static __always_inline void pcs_unlock(struct slub_percpu_sheaves *pcs, unsigned long flags)
{
	env_unlock(&pcs->lock.l);
	if (KCONFIG(preempt_rt))
		migrate_enable();
	else
		local_irq_restore(flags);
}

/* ---- sheaves ---- */

/*
 * models: mm/slub.c alloc_empty_sheaf()
 * A nested metadata allocation: __SLAB_NO_RECURSE keeps it from allocating
 * a sheaf in turn; one that would is a broken invariant 13.
 */
static struct slab_sheaf *alloc_empty_sheaf(struct kmem_cache *s, gfp_t gfp)
{
	struct kmem_cache *bucket = kmalloc_slab(sizeof(struct slab_sheaf));
	struct slab_sheaf *sheaf;

	BUG_ON(gfp & __SLAB_NO_RECURSE); /* invariant 13: metadata depth ≤ 1 */
	gfp = (gfp & ~(__GFP_ZERO | __SLAB_ALLOC_TRYLOCK)) | __SLAB_NO_RECURSE;
	sheaf = slab_alloc_node(bucket, gfp, NUMA_NO_NODE, sizeof(*sheaf));
	if (!sheaf)
		return NULL;
	env_slab_api(ENV_KMALLOC, sheaf, NULL, gfp); /* mainline: kzalloc() */
	INIT_LIST_HEAD(&sheaf->barn_list);
	sheaf->cache = s;
	sheaf->capacity = s->sheaf_capacity;
	sheaf->size = 0;
	return sheaf;
}

/* models: mm/slub.c free_empty_sheaf() — straight to its slab, not to a sheaf. */
static void free_empty_sheaf(struct slab_sheaf *sheaf)
{
	struct slab *slab = virt_to_slab(sheaf);
	struct kmem_cache *bucket = slab->slab_cache;

	BUG_ON(sheaf_is_bootstrap(sheaf) || sheaf->size);
	/* mainline: kfree() and its hooks (kmemleak's); the bug: KASAN's only */
	if (!bug_on(BUG_SHEAF_FREE_SKIPS_KFREE))
		env_slab_api(ENV_KFREE, sheaf, NULL, 0);
	slab_free_hook(bucket, sheaf);
	slab_free_inner(bucket, slab, sheaf, sheaf, 1);
}

/*
 * models: mm/slub.c ___slab_alloc() (7.0: no CPU slab)
 * The slab level: an object from a node partial slab, else from a new slab.
 */
static void *slab_alloc_slow_sheaves(struct kmem_cache *s, gfp_t gfp, int node)
{
	void *object = get_from_partial_node(s, get_node(s, node), gfp);

	if (!object)
		object = alloc_from_new_slab(s, gfp, node);
	return object;
}

/*
 * models: mm/slub.c refill_sheaf()
 * Ordinary callers only (they may spin). Fills as far as the slabs give;
 * false if not a single object came.
 */
static bool refill_sheaf(struct kmem_cache *s, struct slab_sheaf *sheaf, gfp_t gfp)
{
	while (sheaf->size < sheaf->capacity) {
		void *object = slab_alloc_slow_sheaves(s, gfp, NUMA_NO_NODE);

		if (!object)
			break;
		sheaf->objects[sheaf->size++] = object;
	}
	return sheaf->size > 0;
}

/* models: mm/slub.c sheaf_flush_unused() — a detached sheaf's objects back to their slabs. */
static void sheaf_flush_unused(struct kmem_cache *s, struct slab_sheaf *sheaf)
{
	while (sheaf->size) {
		void *object = sheaf->objects[--sheaf->size];

		slab_free_inner(s, virt_to_slab(object), object, object, 1);
	}
}

/* ---- the barn ---- */

/*
 * On UP a spin_trylock() always "succeeds", even on a lock the interrupted
 * context holds, and kfree_nolock() may run inside a barn->lock section (a
 * kprobe there): a caller that may not spin leaves the barn alone on UP.
 */
static __always_inline bool barn_lock(struct node_barn *barn, bool allow_spin, unsigned long *flags)
{
	if (allow_spin) {
		spin_lock_irqsave(&barn->lock, *flags);
		return true;
	}
	if (!KCONFIG(smp))
		return false;
	return spin_trylock_irqsave(&barn->lock, *flags);
}

/* models: mm/slub.c barn_get_empty_sheaf() */
static struct slab_sheaf *barn_get_empty_sheaf(struct node_barn *barn, bool allow_spin)
{
	struct slab_sheaf *empty = NULL;
	unsigned long flags;

	if (!READ_ONCE(barn->nr_empty))
		return NULL;
	if (!barn_lock(barn, allow_spin, &flags))
		return NULL;
	if (barn->nr_empty) {
		empty = list_entry(barn->sheaves_empty.next, struct slab_sheaf, barn_list);
		list_del(&empty->barn_list);
		barn->nr_empty--;
	}
	spin_unlock_irqrestore(&barn->lock, flags);
	return empty;
}

/* models: mm/slub.c barn_put_empty_sheaf() — callers that may spin. */
static void barn_put_empty_sheaf(struct node_barn *barn, struct slab_sheaf *sheaf)
{
	unsigned long flags;

	spin_lock_irqsave(&barn->lock, flags);
	list_add(&sheaf->barn_list, &barn->sheaves_empty);
	barn->nr_empty++;
	spin_unlock_irqrestore(&barn->lock, flags);
}

/* models: mm/slub.c barn_put_full_sheaf() — callers that may spin. */
static void barn_put_full_sheaf(struct node_barn *barn, struct slab_sheaf *sheaf)
{
	unsigned long flags;

	spin_lock_irqsave(&barn->lock, flags);
	list_add(&sheaf->barn_list, &barn->sheaves_full);
	barn->nr_full++;
	spin_unlock_irqrestore(&barn->lock, flags);
}

/*
 * models: mm/slub.c barn_replace_empty_sheaf()
 * A full sheaf for the empty one (the bootstrap sheaf is dropped, never
 * kept); NULL if the barn has none or its lock could not be tried.
 */
static struct slab_sheaf *barn_replace_empty_sheaf(struct node_barn *barn, struct slab_sheaf *empty,
						   bool allow_spin)
{
	struct slab_sheaf *full = NULL;
	unsigned long flags;

	if (!READ_ONCE(barn->nr_full))
		return NULL;
	if (!barn_lock(barn, allow_spin, &flags))
		return NULL;
	if (barn->nr_full) {
		full = list_entry(barn->sheaves_full.next, struct slab_sheaf, barn_list);
		list_del(&full->barn_list);
		barn->nr_full--;
		if (!sheaf_is_bootstrap(empty)) {
			list_add(&empty->barn_list, &barn->sheaves_empty);
			barn->nr_empty++;
		}
	}
	spin_unlock_irqrestore(&barn->lock, flags);
	return full;
}

/*
 * models: mm/slub.c barn_replace_full_sheaf()
 * An empty sheaf for the full one; NULL with *barn_full set if the barn
 * already holds MAX_FULL_SHEAVES (the kernel's -E2BIG), NULL otherwise if it
 * has no empty sheaf or its lock could not be tried.
 */
static struct slab_sheaf *barn_replace_full_sheaf(struct node_barn *barn, struct slab_sheaf *full,
						  bool allow_spin, bool *barn_full)
{
	struct slab_sheaf *empty = NULL;
	unsigned long flags;

	*barn_full = false;
	if (READ_ONCE(barn->nr_full) >= MAX_FULL_SHEAVES) {
		*barn_full = true;
		return NULL;
	}
	if (!READ_ONCE(barn->nr_empty))
		return NULL;
	if (!barn_lock(barn, allow_spin, &flags))
		return NULL;
	if (barn->nr_empty) {
		empty = list_entry(barn->sheaves_empty.next, struct slab_sheaf, barn_list);
		list_del(&empty->barn_list);
		barn->nr_empty--;
		list_add(&full->barn_list, &barn->sheaves_full);
		barn->nr_full++;
	}
	spin_unlock_irqrestore(&barn->lock, flags);
	return empty;
}

/* ---- allocation ---- */

/*
 * models: mm/slub.c __pcs_replace_empty_main()
 * Called with this CPU's lock held and main empty. Returns the (locked)
 * sheaves with a non-empty main, or NULL with the lock dropped. In order:
 * swap with a non-empty spare; swap main for a full sheaf of the barn; and
 * only a caller that may spin (and is not itself a nested metadata
 * allocation) then refills an empty sheaf — the spare, one from the barn or
 * a new one — with the lock dropped, and installs it after retaking it.
 */
static struct slub_percpu_sheaves *pcs_replace_empty_main_inner(struct kmem_cache *s,
								 struct slub_percpu_sheaves *pcs,
								 gfp_t gfp, unsigned long *flags)
{
	bool allow_spin = slab_allow_spin(gfp);
	struct node_barn *barn = get_barn(s);
	struct slab_sheaf *empty = NULL, *full, *old;

	lockdep_assert_held(&pcs->lock);
	if (pcs->spare && pcs->spare->size > 0) {
		old = pcs->main;
		pcs->main = pcs->spare;
		pcs->spare = sheaf_is_bootstrap(old) ? NULL : old;
		return pcs;
	}
	full = barn_replace_empty_sheaf(barn, pcs->main, allow_spin);
	if (full) {
		pcs->main = full;
		return pcs;
	}
	/* never allocate or refill sheaves when spinning is not allowed */
	if (!allow_spin || (gfp & __SLAB_NO_RECURSE)) {
		pcs_unlock(pcs, *flags);
		return NULL;
	}
	if (pcs->spare) {
		empty = pcs->spare;
		pcs->spare = NULL;
	} else {
		empty = barn_get_empty_sheaf(barn, true);
	}
	pcs_unlock(pcs, *flags);

	if (!empty) {
		empty = alloc_empty_sheaf(s, gfp);
		if (!empty)
			return NULL;
	}
	if (!refill_sheaf(s, empty, gfp)) {
		barn_put_empty_sheaf(barn, empty);
		return NULL;
	}
	full = empty;

	pcs = pcs_trylock(s, true, flags);
	if (!pcs) {
		/* taken meanwhile (we may be on another CPU now): keep it for later */
		barn_put_full_sheaf(barn, full);
		return NULL;
	}
	if (pcs->main->size == 0) {
		old = pcs->main;
		pcs->main = full;
		if (sheaf_is_bootstrap(old))
			return pcs;
		if (!pcs->spare)
			pcs->spare = old;
		else
			barn_put_empty_sheaf(barn, old);
		return pcs;
	}
	/* main was refilled meanwhile (an interrupt's frees, or another CPU's main) */
	if (!pcs->spare) {
		pcs->spare = full;
	} else if (pcs->spare->size == 0) {
		old = pcs->spare;
		pcs->spare = full;
		barn_put_empty_sheaf(barn, old);
	} else {
		barn_put_full_sheaf(barn, full);
	}
	return pcs;
}

/*
 * models: mm/slub.c alloc_from_pcs()
 * An object from this CPU's main sheaf; NULL if the lock is taken or no
 * non-empty sheaf could be had (the caller goes to the slab level).
 */
static void *alloc_from_pcs(struct kmem_cache *s, gfp_t gfp)
{
	struct slub_percpu_sheaves *pcs;
	unsigned long flags;
	void *object;

	pcs = pcs_trylock(s, slab_allow_spin(gfp), &flags);
	if (!pcs)
		return NULL;
	if (pcs->main->size == 0) {
		pcs = pcs_replace_empty_main_inner(s, pcs, gfp, &flags);
		if (!pcs)
			return NULL;
	}
	object = pcs->main->objects[--pcs->main->size];
	pcs_unlock(pcs, flags);
	return object;
}

/*
 * models: mm/slub.c __slab_alloc_node() (7.0)
 * Sheaves first, then the slab level. Caches without sheaves (debug, TINY)
 * take the single-object path of core/slub.c.
 */
void *slab_alloc_node_sheaves(struct kmem_cache *s, gfp_t gfp, int node, size_t orig_size)
{
	void *object;

	if (!s->sheaf_capacity)
		return slab_alloc_node_inner(s, gfp, node, orig_size);
	object = alloc_from_pcs(s, gfp);
	if (!object)
		object = slab_alloc_slow_sheaves(s, gfp, node);
	return object;
}

/* ---- free ---- */

/*
 * models: mm/slub.c __pcs_replace_full_main()
 * Called with this CPU's lock held and main full (or the bootstrap sheaf).
 * Returns the (locked) sheaves with room in main, or NULL with the lock
 * dropped. In order: an empty sheaf from the barn if there is no spare
 * (main becomes the spare); swap with a spare that has room; swap main for
 * an empty sheaf of the barn. Only a caller that may spin goes on: with the
 * lock dropped it empties the full spare into the slabs when the barn has
 * enough full sheaves, or allocates an empty sheaf, and installs it after
 * retaking the lock.
 */
static struct slub_percpu_sheaves *pcs_replace_full_main_inner(struct kmem_cache *s,
								struct slub_percpu_sheaves *pcs,
								bool allow_spin, unsigned long *flags)
{
	struct node_barn *barn = get_barn(s);
	struct slab_sheaf *empty, *old;
	bool barn_full = false;

	lockdep_assert_held(&pcs->lock);
	if (!pcs->spare) {
		empty = barn_get_empty_sheaf(barn, allow_spin);
		if (empty) {
			if (!sheaf_is_bootstrap(pcs->main))
				pcs->spare = pcs->main;
			pcs->main = empty;
			return pcs;
		}
		goto alloc_empty;
	}
	if (pcs->spare->size < pcs->spare->capacity) {
		old = pcs->main;
		pcs->main = pcs->spare;
		pcs->spare = sheaf_is_bootstrap(old) ? NULL : old;
		return pcs;
	}
	if (sheaf_is_bootstrap(pcs->main))
		goto alloc_empty;
	empty = barn_replace_full_sheaf(barn, pcs->main, allow_spin, &barn_full);
	if (empty) {
		pcs->main = empty;
		return pcs;
	}
	if (barn_full && allow_spin) {
		/* the spare is full too: its objects go back to the slabs */
		old = pcs->spare;
		pcs->spare = NULL;
		pcs_unlock(pcs, *flags);
		sheaf_flush_unused(s, old);
		empty = old;
		goto got_empty;
	}
alloc_empty:
	pcs_unlock(pcs, *flags);
	if (!allow_spin)
		return NULL;
	empty = alloc_empty_sheaf(s, GFP_NOWAIT);
	if (!empty)
		return NULL;
got_empty:
	pcs = pcs_trylock(s, true, flags);
	if (!pcs) {
		barn_put_empty_sheaf(barn, empty);
		return NULL;
	}
	if (pcs->main->size == pcs->main->capacity) {
		old = pcs->main;
		pcs->main = empty;
		if (sheaf_is_bootstrap(old))
			return pcs;
		if (!pcs->spare)
			pcs->spare = old;
		else
			barn_put_full_sheaf(barn, old);
		return pcs;
	}
	/* main has room again (an interrupt's allocations, or another CPU's main) */
	if (!pcs->spare)
		pcs->spare = empty;
	else
		barn_put_empty_sheaf(barn, empty);
	return pcs;
}

/* models: mm/slub.c free_to_pcs() — false: the caller frees another way. */
static bool free_to_pcs(struct kmem_cache *s, void *object, bool allow_spin)
{
	struct slub_percpu_sheaves *pcs;
	unsigned long flags;

	pcs = pcs_trylock(s, allow_spin, &flags);
	if (!pcs)
		return false;
	if (pcs->main->size == pcs->main->capacity) {
		pcs = pcs_replace_full_main_inner(s, pcs, allow_spin, &flags);
		if (!pcs)
			return false;
	}
	pcs->main->objects[pcs->main->size++] = object;
	pcs_unlock(pcs, flags);
	return true;
}

/*
 * models: mm/slub.c can_free_to_pcs()
 * The kernel asks whether the slab is on this CPU's node and not pfmemalloc;
 * with one node and no reserves modelled, what is left is whether the cache
 * has sheaves at all (the kernel tests s->cpu_sheaves beside it).
 */
static __always_inline bool can_free_to_pcs(struct kmem_cache *s, struct slab *slab)
{
	(void)slab;
	return s->sheaf_capacity != 0;
}

/* models: mm/slub.c slab_free() (7.0) — sheaves first, else the slab itself. */
void slab_free_sheaves(struct kmem_cache *s, struct slab *slab, void *object)
{
	slab_free_hook(s, object);
	if (can_free_to_pcs(s, slab) && free_to_pcs(s, object, true))
		return;
	slab_free_inner(s, slab, object, object, 1);
}

/*
 * models: mm/slub.c kfree_nolock() (7.0), after the KASAN hook
 * Sheaves with trylocks only; anything else is deferred (debug caches and
 * TINY always).
 */
void kfree_nolock_sheaves(struct kmem_cache *s, struct slab *slab, void *x)
{
	if (can_free_to_pcs(s, slab) && free_to_pcs(s, x, false))
		return;
	defer_free(s, x);
}

/*
 * models: mm/slub.c kmalloc_nolock_noprof() (7.0)
 * Called by kmalloc_nolock_why() once the context checks the designs share
 * passed; as Design A's for the size and cache checks; then
 * sheaves with trylocks only, else one object at the slab level (list_lock
 * trylock, the _nolock page allocator). Any NULL → once more in the next
 * bucket. A NULL here always follows a failed page allocation or a new slab
 * that could not be placed: NOLOCK_NOMEM.
 */
void *kmalloc_nolock_sheaves(size_t size, gfp_t gfp_flags, int node, enum nolock_fail *why)
{
	gfp_t alloc_gfp = __GFP_NOWARN | __GFP_NOMEMALLOC | __SLAB_ALLOC_TRYLOCK |
			  (gfp_flags & ~__SLAB_ALLOC_FLAGS);
	size_t orig_size = size;
	bool can_retry = true;
	struct kmem_cache *s;
	void *ret;

retry:
	if (size > KMALLOC_MAX_CACHE_SIZE) {
		/* the retry after kmalloc-8192 failed lands here too */
		*why = can_retry ? NOLOCK_TOO_LARGE : NOLOCK_NOMEM;
		return NULL;
	}
	s = kmalloc_slab(size);
	if (!(s->flags & __CMPXCHG_DOUBLE) && !kmem_cache_debug(s)) {
		*why = NOLOCK_UNSUPPORTED;
		return NULL;
	}
	ret = slab_alloc_node_sheaves(s, alloc_gfp, node, size);
	if (ret == SLAB_BUSY) /* the single-object path's answer: failed as well */
		ret = NULL;
	if (!ret && can_retry) {
		size = s->object_size + 1; /* the next bucket */
		can_retry = false;
		env_nolock_work(NOLOCK_WORK_RETRIES);
		goto retry;
	}
	if (!ret)
		*why = NOLOCK_NOMEM;
	else
		set_freepointer(s, ret, NULL); /* maybe_wipe_obj_freeptr() */
	if (!slab_post_alloc_hook(s, alloc_gfp, ret, orig_size)) {
		ret = NULL; /* the memcg charge failed: the object is freed again */
		*why = NOLOCK_MEMCG;
	}
	return ret;
}

/* ---- caches ---- */

/* models: mm/slub.c init_percpu_sheaves() and barn_init() */
void init_percpu_sheaves(struct kmem_cache *s)
{
	struct node_barn *barn = get_barn(s);

	s->sheaf_capacity = slab_single_object(s) ? 0 : SHEAF_CAPACITY;
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct slub_percpu_sheaves *pcs = per_cpu_ptr(s->cpu_sheaves, cpu);

		local_trylock_init(&pcs->lock);
		pcs->main = &world->bootstrap_sheaf;
		pcs->spare = NULL;
	}
	spin_lock_init(&barn->lock);
	INIT_LIST_HEAD(&barn->sheaves_full);
	INIT_LIST_HEAD(&barn->sheaves_empty);
	barn->nr_full = 0;
	barn->nr_empty = 0;
}

static void flush_and_free(struct kmem_cache *s, struct slab_sheaf *sheaf)
{
	if (!sheaf || sheaf_is_bootstrap(sheaf))
		return;
	sheaf_flush_unused(s, sheaf);
	free_empty_sheaf(sheaf);
}

/*
 * models: mm/slub.c pcs_flush_all() and barn_shrink(), at cache destruction
 * Nobody uses the cache any more (kmem_cache_destroy()'s contract): every
 * CPU's sheaves and the barn's give their objects back to the slabs and are
 * freed; every main becomes the bootstrap sheaf again.
 */
void pcs_flush_all_and_free(struct kmem_cache *s)
{
	struct node_barn *barn = get_barn(s);
	struct slab_sheaf *sheaf;
	struct list_head list;
	unsigned long flags;

	if (!s->sheaf_capacity)
		return;
	INIT_LIST_HEAD(&list);
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++) {
		struct slub_percpu_sheaves *pcs = per_cpu_ptr(s->cpu_sheaves, cpu);
		struct slab_sheaf *main = pcs->main, *spare = pcs->spare;

		pcs->main = &world->bootstrap_sheaf;
		pcs->spare = NULL;
		flush_and_free(s, main);
		flush_and_free(s, spare);
	}
	spin_lock_irqsave(&barn->lock, flags);
	list_for_each_entry_safe(sheaf, &barn->sheaves_full, barn_list) {
		list_del(&sheaf->barn_list);
		list_add(&sheaf->barn_list, &list);
	}
	list_for_each_entry_safe(sheaf, &barn->sheaves_empty, barn_list) {
		list_del(&sheaf->barn_list);
		list_add(&sheaf->barn_list, &list);
	}
	barn->nr_full = 0;
	barn->nr_empty = 0;
	spin_unlock_irqrestore(&barn->lock, flags);
	list_for_each_entry_safe(sheaf, &list, barn_list) {
		list_del(&sheaf->barn_list);
		flush_and_free(s, sheaf);
	}
}
