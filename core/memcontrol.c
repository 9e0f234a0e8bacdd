/*
 * core/memcontrol.c — memcg accounting of slab objects (__GFP_ACCOUNT and
 * SLAB_ACCOUNT caches) and the per-slab obj_exts vectors that record which
 * obj_cgroup each object is charged to. Active with kconfig.memcg only; every
 * hook in core/slub.c and core/nolock.c tests memcg_kmem_online() first, which
 * costs no boundary, so the paths without memcg keep their boundaries.
 *
 * What is modelled, and the choices made where the kernel leaves room:
 * - One memcg with a page counter (memory.max = kconfig.memcg_limit_pages)
 *   and one obj_cgroup. Every context charges to it: in task context that is
 *   the task's memcg; in interrupt context the kernel charges the active
 *   memcg (set_active_memcg(), which BPF sets around its allocations), and
 *   the model assumes one is always set, so that charges from NMIs and
 *   kprobes are exercised.
 * - A per-CPU byte stock (obj_stock_pcp) behind a local_trylock_t. As in the
 *   6.18 kernel (whose stocks became NMI-safe for kmalloc_nolock), every
 *   path only trylocks it — a context that interrupted the stock's holder on
 *   the same CPU finds it taken. Then a charge goes straight to the page
 *   counter (an atomic), and an uncharge parks its bytes in
 *   objcg->nr_charged_bytes (an atomic) instead of the stock.
 * - The page counter is charged with an atomic add that is undone when it
 *   went over memory.max. There is no reclaim (slab memory is not
 *   reclaimable here), so a charge over the limit fails whether or not the
 *   caller may spin; __GFP_NOFAIL forces it. `fail memcg` faults fail a
 *   charge as if over the limit.
 * - Order in memcg_slab_post_alloc_hook() (6.18): the obj_exts vector first
 *   (if it cannot be had, the object stays, unaccounted), then the charge;
 *   a failed charge makes the caller free the object and return NULL.
 * - The vector of a slab is allocated on demand, by the first accounted
 *   allocation from the slab, with kmalloc_nolock() when the caller may not
 *   spin and kmalloc() otherwise; the nested call carries __GFP_NO_OBJ_EXT
 *   and no __GFP_ACCOUNT, so it never needs a vector itself (depth ≤ 1,
 *   invariant 13; a depth of 2 is reported as "objext-recursion"). It is
 *   installed by cmpxchg from the value read (0, or the failure sentinel),
 *   read again if the cmpxchg fails; a loser frees its vector and uses the
 *   winner's. A failed vector allocation stores the sentinel
 *   OBJEXTS_ALLOC_FAIL (cmpxchg from 0), never read as a vector.
 *   The vector is freed with the slab, by kfree_nolock() if it came from
 *   kmalloc_nolock() (OBJEXTS_NOSPIN_ALLOC), else by kfree().
 * - A failed charge frees the object the way the caller may: the normal free
 *   when it may spin, a deferred free when it may not — an NMI must not
 *   reach list_lock (the upstream fix of memcg_alloc_abort_single()).
 * - kfree_nolock() uncharges at once; the deferred free that follows does
 *   not pass the memcg hook again (it frees through slab_free_inner()), so
 *   each object is uncharged exactly once.
 */
#include "bugs.h"
#include "internal.h"

/* Flags a nested vector allocation must not inherit (mm/memcontrol.c OBJCGS_CLEAR_MASK). */
#define OBJCGS_CLEAR_MASK (__GFP_DMA | __GFP_RECLAIMABLE | __GFP_ACCOUNT | __GFP_OBJEXT_NESTED)

/* The harness's ledger: no boundaries (it is not the system under test),
 * and so no instrumentation: it marks its line itself. */
#define ledger_add(field, v) do {					\
	__typeof__(&(field)) __f = &(field);	/* one address: no reload */	\
	__atomic_fetch_add(__f, (v), __ATOMIC_RELAXED);			\
	mark_written(__f);						\
} while (0)

void memcg_init(void)
{
	world->memcg.memory.max = KCONFIG(memcg_limit_pages);
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		local_trylock_init(&world->obj_stock[cpu].lock);
}

/* ---- the page counter ---- */

/* models: mm/page_counter.c page_counter_try_charge() */
static bool page_counter_try_charge(struct page_counter *counter, long nr_pages, bool force)
{
	long usage = atomic_long_add_return(nr_pages, &counter->usage);

	if (usage > counter->max && !force) {
		atomic_long_add(-nr_pages, &counter->usage);
		return false;
	}
	return true;
}

/* models: mm/page_counter.c page_counter_uncharge() */
static void page_counter_uncharge(struct page_counter *counter, long nr_pages)
{
	atomic_long_add(-nr_pages, &counter->usage);
}

/*
 * models: mm/memcontrol.c try_charge_memcg()
 * No reclaim to try: over the limit is a failure, unless __GFP_NOFAIL.
 */
static int try_charge_memcg(struct mem_cgroup *memcg, gfp_t gfp, long nr_pages)
{
	bool nofail = gfp & __GFP_NOFAIL;

	if (!nofail && should_fail_memcg_charge()) {
		ledger_add(memcg->charge_failures, 1);
		return -12; /* -ENOMEM */
	}
	if (!page_counter_try_charge(&memcg->memory, nr_pages, nofail)) {
		ledger_add(memcg->charge_failures, 1);
		return -12;
	}
	return 0;
}

/* ---- the per-CPU object stock ---- */

/*
 * local_trylock_irqsave(&obj_stock.lock): irqs go off before this CPU's
 * stock is looked up (see local_lock_cpu_slab() in core/slub.c for why).
 * NULL if an interrupted context of this CPU holds it.
 */
static __always_inline struct obj_stock_pcp *obj_stock_trylock(unsigned long *flags)
{
	local_irq_save(*flags);
	if (!env_trylock(&this_cpu_ptr(world->obj_stock)->lock.l)) {
		local_irq_restore(*flags);
		return NULL;
	}
	return this_cpu_ptr(world->obj_stock);
}

static __always_inline void obj_stock_unlock(struct obj_stock_pcp *stock, unsigned long flags)
{
	env_unlock(&stock->lock.l);
	local_irq_restore(flags);
}

/* models: mm/memcontrol.c obj_cgroup_uncharge_pages() */
static void obj_cgroup_uncharge_pages(struct obj_cgroup *objcg, long nr_pages)
{
	(void)objcg; /* one memcg */
	page_counter_uncharge(&world->memcg.memory, nr_pages);
}

/* models: mm/memcontrol.c obj_cgroup_charge_pages() */
static int obj_cgroup_charge_pages(struct obj_cgroup *objcg, gfp_t gfp, long nr_pages)
{
	(void)objcg;
	return try_charge_memcg(&world->memcg, gfp, nr_pages);
}

/*
 * models: mm/memcontrol.c drain_obj_stock()
 * Whole pages go back to the counter, the rest is parked in the objcg.
 * Caller holds the stock (or the machine is quiescent).
 */
static void drain_obj_stock(struct obj_stock_pcp *stock)
{
	struct obj_cgroup *old = stock->cached_objcg;
	unsigned int nr_bytes = stock->nr_bytes;

	if (!old)
		return;
	if (nr_bytes >> PAGE_SHIFT)
		obj_cgroup_uncharge_pages(old, nr_bytes >> PAGE_SHIFT);
	if (nr_bytes & (PAGE_SIZE - 1))
		atomic_long_add(nr_bytes & (PAGE_SIZE - 1), &old->nr_charged_bytes);
	stock->nr_bytes = 0;
	stock->cached_objcg = NULL;
}

/* models: mm/memcontrol.c consume_obj_stock() */
static bool consume_obj_stock(struct obj_cgroup *objcg, unsigned int nr_bytes)
{
	struct obj_stock_pcp *stock;
	unsigned long flags;
	bool ret = false;

	stock = obj_stock_trylock(&flags);
	if (!stock)
		return false;
	if (stock->cached_objcg == objcg && stock->nr_bytes >= nr_bytes) {
		stock->nr_bytes -= nr_bytes;
		ret = true;
	}
	obj_stock_unlock(stock, flags);
	return ret;
}

/*
 * models: mm/memcontrol.c refill_obj_stock()
 * Put pre-charged bytes into this CPU's stock; with allow_uncharge, whole
 * pages beyond one page go back to the counter. Stock taken: the bytes are
 * parked in the objcg (an atomic), to be drained later.
 */
static void refill_obj_stock(struct obj_cgroup *objcg, unsigned int nr_bytes, bool allow_uncharge)
{
	struct obj_stock_pcp *stock;
	unsigned int nr_pages = 0;
	unsigned long flags;

	stock = obj_stock_trylock(&flags);
	if (!stock) {
		atomic_long_add(nr_bytes, &objcg->nr_charged_bytes);
		return;
	}
	if (stock->cached_objcg != objcg) {
		drain_obj_stock(stock);
		stock->cached_objcg = objcg;
		stock->nr_bytes = (unsigned int)xchg(&objcg->nr_charged_bytes.counter, 0L);
	}
	stock->nr_bytes += nr_bytes;
	if (allow_uncharge && stock->nr_bytes > PAGE_SIZE) {
		nr_pages = stock->nr_bytes >> PAGE_SHIFT;
		stock->nr_bytes &= PAGE_SIZE - 1;
	}
	obj_stock_unlock(stock, flags);
	if (nr_pages)
		obj_cgroup_uncharge_pages(objcg, nr_pages);
}

/*
 * models: mm/memcontrol.c obj_cgroup_charge_account()
 * From the stock if it holds enough; else whole pages from the counter and
 * the rest of the last page into the stock.
 */
static int obj_cgroup_charge_account(struct obj_cgroup *objcg, gfp_t gfp, unsigned int size)
{
	unsigned int nr_pages, nr_bytes;
	int ret;

	if (consume_obj_stock(objcg, size))
		return 0;
	nr_pages = size >> PAGE_SHIFT;
	nr_bytes = size & (PAGE_SIZE - 1);
	if (nr_bytes)
		nr_pages++;
	ret = obj_cgroup_charge_pages(objcg, gfp, nr_pages);
	if (!ret && nr_bytes)
		refill_obj_stock(objcg, PAGE_SIZE - nr_bytes, false);
	return ret;
}

/* models: mm/memcontrol.c obj_cgroup_uncharge() */
static void obj_cgroup_uncharge(struct obj_cgroup *objcg, unsigned int size)
{
	refill_obj_stock(objcg, size, true);
}

/* ---- obj_exts vectors ---- */

/* models: mm/slab.h obj_full_size() — the object and its obj_exts word */
static __always_inline unsigned int obj_full_size(struct kmem_cache *s)
{
	return s->size + (unsigned int)sizeof(struct obj_cgroup *);
}

/* models: mm/slab.h slab_obj_exts() — the sentinel reads as no vector */
static __always_inline struct slabobj_ext *slab_obj_exts(struct slab *slab)
{
	return (struct slabobj_ext *)(READ_ONCE(slab->obj_exts) & ~OBJEXTS_FLAGS_MASK);
}

/* The object's index in its slab, or -1 if it starts none (an invalid free
 * that slab_free_hook() reports). */
static __always_inline long obj_to_index(struct kmem_cache *s, struct slab *slab, void *object)
{
	unsigned long off = (unsigned long)((char *)object - (char *)slab_address(slab));
	unsigned int size = s->size;

	if (off % size || off / size >= slab->objects)
		return -1;
	return (long)(off / size);
}

/* models: mm/memcontrol.c current_obj_cgroup() — see the header comment */
static __always_inline struct obj_cgroup *current_obj_cgroup(void)
{
	return &world->memcg.objcg;
}

/* models: mm/slub.c mark_failed_objexts_alloc() — false if the word was not 0 */
static bool mark_failed_objexts_alloc(struct slab *slab)
{
	return cmpxchg(&slab->obj_exts, 0ul, OBJEXTS_ALLOC_FAIL) == 0ul;
}

/*
 * models: mm/slub.c alloc_slab_obj_exts()
 * 0 when the slab has a vector afterwards (ours or a winner's), else -ENOMEM
 * with the sentinel stored. A context whose own vector allocation failed may
 * store the sentinel between our read and our cmpxchg: then we read again
 * and replace the sentinel (upstream: "slab: Avoid race on slab->obj_exts in
 * alloc_slab_obj_exts"; before it, the installer gave up, leaving the caller
 * without a vector: registry bug objexts_sentinel_race).
 */
static int alloc_slab_obj_exts(struct slab *slab, struct kmem_cache *s, gfp_t gfp)
{
	bool allow_spin = gfpflags_allow_spinning(gfp);
	size_t sz = (size_t)slab->objects * sizeof(struct slabobj_ext);
	unsigned long old_exts, new_exts;
	struct slabobj_ext *vec;
	gfp_t nested;

	(void)s;
	/* invariant 13: this allocation is itself a vector's: depth would be 2 */
	if (gfp & __GFP_OBJEXT_NESTED)
		env_report("objext-recursion",
			   "the obj_exts vector allocation for slab %lu (%s) needs an obj_exts "
			   "vector itself: nested metadata allocation depth 2",
			   slab_index(slab), s->name);

	if (bug_on(BUG_OBJEXT_RECURSION))
		nested = gfp | __GFP_ZERO | __GFP_OBJEXT_NESTED;
	else
		nested = (gfp & ~OBJCGS_CLEAR_MASK) | __GFP_NO_OBJ_EXT | __GFP_ZERO |
			 __GFP_OBJEXT_NESTED;
	if (!allow_spin)
		vec = kmalloc_nolock(sz, nested & GFP_NOLOCK_ALLOWED, NUMA_NO_NODE);
	else
		vec = kmalloc(sz, nested);
	if (!vec) {
		/* marking fails if a racing context installed its vector: use it */
		if (!mark_failed_objexts_alloc(slab) && slab_obj_exts(slab))
			return 0;
		return -12;
	}
	new_exts = (unsigned long)vec | (allow_spin ? 0 : OBJEXTS_NOSPIN_ALLOC);
retry:
	old_exts = READ_ONCE(slab->obj_exts);
	if (old_exts & ~OBJEXTS_FLAGS_MASK) {
		/* someone installed a vector since: use theirs */
		ledger_add(world->memcg.objexts_race_lost, 1);
		if (!allow_spin)
			kfree_nolock(vec);
		else
			kfree(vec);
	} else if (cmpxchg(&slab->obj_exts, old_exts, new_exts) != old_exts) {
		/* changed under us (a vector, or the sentinel): look again */
		if (!bug_on(BUG_OBJEXTS_SENTINEL_RACE))
			goto retry;
		ledger_add(world->memcg.objexts_race_lost, 1);
		if (!allow_spin)
			kfree_nolock(vec);
		else
			kfree(vec);
	}
	return 0;
}

/*
 * models: mm/memcontrol.c __memcg_slab_post_alloc_hook()
 * false: the charge failed, and the caller must free the object.
 */
bool memcg_slab_post_alloc_hook(struct kmem_cache *s, gfp_t gfp, void *object)
{
	struct obj_cgroup *objcg;
	struct slabobj_ext *vec;
	struct slab *slab;
	long off;

	if (!(gfp & __GFP_ACCOUNT) && !(s->flags & SLAB_ACCOUNT))
		return true;
	objcg = current_obj_cgroup();
	slab = virt_to_slab(object);
	if (!slab_obj_exts(slab)) {
		/* the nested allocation of a vector never allocates one */
		if (gfp & __GFP_NO_OBJ_EXT)
			return true;
		if (alloc_slab_obj_exts(slab, s, gfp))
			return true; /* no vector: the object stays, unaccounted */
	}
	if (obj_cgroup_charge_account(objcg, gfp, obj_full_size(s)))
		return false;
	vec = slab_obj_exts(slab);
	if (!vec) /* the kernel dereferences it: an oops */
		env_report("null-deref", "%s: slab %lu has no obj_exts vector (word %s) after "
			   "alloc_slab_obj_exts() succeeded: NULL pointer dereference in "
			   "memcg_slab_post_alloc_hook()", s->name, slab_index(slab),
			   READ_ONCE(slab->obj_exts) == OBJEXTS_ALLOC_FAIL ? "the failure sentinel" : "0");
	off = obj_to_index(s, slab, object);
	vec[off].objcg = objcg;
	ledger_add(world->memcg.charged_bytes, obj_full_size(s));
	return true;
}

/* models: mm/memcontrol.c __memcg_slab_free_hook() — uncharge once, clear the word */
void memcg_slab_free_hook(struct kmem_cache *s, struct slab *slab, void *object)
{
	struct slabobj_ext *vec = slab_obj_exts(slab);
	struct obj_cgroup *objcg;
	long off;

	if (!vec)
		return;
	off = obj_to_index(s, slab, object);
	if (off < 0)
		return;
	objcg = vec[off].objcg;
	if (!objcg)
		return;
	vec[off].objcg = NULL;
	obj_cgroup_uncharge(objcg, obj_full_size(s));
	ledger_add(world->memcg.uncharged_bytes, obj_full_size(s));
}

/*
 * models: mm/slub.c memcg_alloc_abort_single()
 * The 6.18 code freed with the spinning free whoever the caller was, which
 * can deadlock under kmalloc_nolock() (registry bug memcg_abort_spins); the
 * fix ("mm/slab: fix a deadlock in memcg_alloc_abort_single()") defers the
 * free when the caller may not spin. The model has the fix. The free hook
 * comes first: slab_post_alloc_hook() unpoisoned the object before the
 * charge (registry bug memcg_abort_skips_free_hook leaves it out).
 */
void memcg_alloc_abort_single(struct kmem_cache *s, void *object, gfp_t gfp)
{
	struct slab *slab = virt_to_slab(object);

	if (!bug_on(BUG_MEMCG_ABORT_SKIPS_FREE_HOOK))
		slab_free_hook(s, object);
	if (slab_allow_spin(gfp) || bug_on(BUG_MEMCG_ABORT_SPINS))
		do_slab_free(s, slab, object, object, 1);
	else
		defer_free(s, object);
}

/* models: mm/slub.c free_slab_obj_exts() */
void free_slab_obj_exts(struct slab *slab)
{
	unsigned long exts = READ_ONCE(slab->obj_exts);
	void *vec = (void *)(exts & ~OBJEXTS_FLAGS_MASK);

	slab->obj_exts = 0;
	if (!vec)
		return;
	if ((exts & OBJEXTS_NOSPIN_ALLOC) || bug_on(BUG_OBJEXTS_FREE_NOLOCK)) {
		ledger_add(world->memcg.objexts_freed_nolock, 1);
		kfree_nolock(vec);
	} else {
		ledger_add(world->memcg.objexts_freed_kfree, 1);
		kfree(vec);
	}
}

/*
 * models: mm/memcontrol.c drain_all_stock()
 * With the flush of nr_charged_bytes an obj_cgroup's release does. Quiescent only.
 */
void memcg_drain_all_stock(void)
{
	struct obj_cgroup *objcg = &world->memcg.objcg;
	long parked;

	if (!KCONFIG(memcg))
		return;
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++)
		drain_obj_stock(per_cpu_ptr(world->obj_stock, cpu));
	parked = atomic_long_read(&objcg->nr_charged_bytes);
	if (parked >> PAGE_SHIFT) {
		obj_cgroup_uncharge_pages(objcg, parked >> PAGE_SHIFT);
		atomic_long_add(-(parked & ~(long)(PAGE_SIZE - 1)), &objcg->nr_charged_bytes);
	}
}

/* ---- what the harness may ask ---- */

__harness_query unsigned long memcg_charge_failures(void)
{
	return world->memcg.charge_failures;
}

__harness_query long memcg_usage_pages(void)
{
	return atomic_long_read(&world->memcg.memory.usage);
}

__harness_query unsigned long memcg_charged_bytes(void)
{
	return world->memcg.charged_bytes;
}

__harness_query unsigned long memcg_uncharged_bytes(void)
{
	return world->memcg.uncharged_bytes;
}

__harness_query unsigned long memcg_objexts_race_lost(void)
{
	return world->memcg.objexts_race_lost;
}

__harness_query unsigned long memcg_objexts_freed_nolock(void)
{
	return world->memcg.objexts_freed_nolock;
}

__harness_query unsigned long memcg_objexts_freed_kfree(void)
{
	return world->memcg.objexts_freed_kfree;
}
