/*
 * core/validate.c — validators: bool walkers of every structure, checking
 * the equations written in core/internal.h's struct comments.
 *
 * Precondition of every validator: quiescent — no operation in flight on any
 * context of any CPU (deferred work may be pending). Mid-operation states
 * legitimately break these equations. Validators only read, never follow a
 * pointer before checking it lies on an object of the expected slab, and
 * bound every walk, so a corrupted structure gives false, never a crash.
 */
#include "internal.h"

#include <stdarg.h>

/* Every function here is a harness query (see __harness_query in env.h). */
#pragma clang attribute push(__harness_query, apply_to = function)

/*
 * The model's invariants, numbered and named: a report of a broken one has
 * the class invariant-N-NAME (invariant_class()). The comment above each
 * says what holds; the equations in full are in core/internal.h's struct
 * comments. The validators check them at rest; the ones that only make
 * sense while an operation runs are checked as it runs (by the machine and
 * the oracle), some under a class of their own, named below. A name keeps
 * the class within 31 characters (report buffers; a unit test checks).
 */
#define INVARIANT(n, name) [n] = "invariant-" #n "-" name
static const char *const invariant_classes[NR_INVARIANTS] = {
	/* Every object is in exactly one place: allocated, free on a slab or
	 * CPU freelist, in a sheaf, deferred, or a sheaf itself. Per cache:
	 * allocated + free + deferred + in sheaves + sheaves = objects of its
	 * live slabs. No object is handed out twice (double-alloc) or lost
	 * (lost-object). */
	INVARIANT(1, "object-place"),
	/* A slab's counts and lists agree: 0 ≤ inuse ≤ objects, inuse + free
	 * = objects; a frozen slab is on no list; each list's count is its
	 * length; a node counts the slabs made minus the slabs freed; the
	 * zone's free lists hold what its counts say. */
	INVARIANT(2, "slab-lists"),
	/* Per-CPU slabs: a CPU's tid ≡ cpu (mod TID_STEP) and grows with every
	 * change of its freelist or slab, so a lockless (freelist, tid)
	 * cmpxchg succeeds only on the pair it read. */
	INVARIANT(3, "cpu-tid"),
	/* No lockless update of a CPU freelist while the context this one
	 * interrupted holds that CPU's lock. */
	INVARIANT(4, "locked-freelist"),
	/* A path that may not spin only tries its locks: a failed try fails,
	 * retries once elsewhere or defers, never loops (deadlock, livelock). */
	INVARIANT(5, "nolock-no-spin"),
	/* A trylock never succeeds on a lock that the context it interrupted,
	 * on the same CPU, holds (on UP a spinlock is no lock at all). */
	INVARIANT(6, "trylock-holder"),
	/* PREEMPT_RT: no sleeping lock while not preemptible, no allocation
	 * work in hardirq or NMI context (sleep-in-atomic). */
	INVARIANT(7, "rt-atomic"),
	/* Deferred frees are linked through the free pointer, drained only
	 * where taking locks is legal, each freed once, with the irq_work
	 * that drains them pending. */
	INVARIANT(8, "deferred-frees"),
	/* Sheaves: every CPU's main is a sheaf while unlocked; 0 ≤ size ≤
	 * capacity; the barn's counts are its lists' lengths; a sheaf holds
	 * free objects of its own cache. */
	INVARIANT(9, "sheaves"),
	/* A slab's obj_exts word is 0, the failure mark or one vector (a live
	 * kmalloc object no other slab shares), installed by cmpxchg from 0 or
	 * the mark; its words name the memcg for allocated objects only. */
	INVARIANT(10, "obj-exts"),
	/* memcg: page counter · PAGE_SIZE = charged objects + stocks + parked
	 * bytes, and bytes charged - bytes uncharged = charged objects. */
	INVARIANT(11, "memcg-balance"),
	/* The gfp contract: a __GFP_ZERO object is all zero (not-zeroed). */
	INVARIANT(12, "gfp-contract"),
	/* A metadata allocation (obj_exts vector, sheaf) never needs metadata
	 * itself: depth ≤ 1 (objext-recursion). */
	INVARIANT(13, "metadata-depth"),
	/* "May not spin" is true on every kmalloc_nolock() path and, under the
	 * new alloc_flags rule, false on every ordinary allocation. */
	INVARIANT(14, "may-not-spin"),
	/* Larger than the largest kmalloc cache: kmalloc_nolock() returns NULL,
	 * kfree_nolock() of such an object only warns. */
	INVARIANT(15, "large-objects"),
};

const char *invariant_class(int invariant)
{
	if (invariant <= 0 || invariant >= NR_INVARIANTS)
		return "invariant";
	return invariant_classes[invariant];
}

static char error[256];
static int error_invariant;	/* the number of what broke, 0 if none fits */

const char *validate_error(void)
{
	return error;
}

int validate_invariant(void)
{
	return error_invariant;
}

static bool vfail(int invariant, const char *fmt, va_list ap)
{
	error_invariant = invariant;
	vsnprintf(error, sizeof(error), fmt, ap);
	return false;
}

/* A broken invariant, by its number in invariant_classes[]. */
static bool fail_inv(int invariant, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail_inv(int invariant, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vfail(invariant, fmt, ap);
	va_end(ap);
	return r;
}

/* A broken rule with no number of its own (debug checks, locks at rest). */
static bool fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool fail(const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vfail(0, fmt, ap);
	va_end(ap);
	return r;
}

/* "s" unless n is 1: "1 object", "2 objects". */
static const char *plural(long n)
{
	return n == 1 ? "" : "s";
}

/* The index of object p in slab, or -1 if p is not the start of one of its objects. */
static long object_index(struct kmem_cache *s, struct slab *slab, const void *p)
{
	const char *base = slab_address(slab);
	unsigned long off;

	if ((const char *)p < base)
		return -1;
	off = (unsigned long)((const char *)p - base);
	if (off % s->size || off / s->size >= slab->objects)
		return -1;
	return (long)(off / s->size);
}

/* Per-slab marks of objects found free, deferred, in a sheaf, or being a
 * sheaf (one byte per object). */
enum { SEEN_FREE = 1, SEEN_DEFERRED = 2, SEEN_SHEAF = 3, SEEN_METADATA = 4 };
static unsigned char seen[PAGE_SIZE << MAX_PAGE_ORDER];

/* Walk a freelist of slab, marking each object; the count, or -1 (error set). */
static long walk_freelist(struct kmem_cache *s, struct slab *slab, void *head, const char *what)
{
	long n = 0;

	for (void *p = head; p; p = get_freepointer(s, p)) {
		long i = object_index(s, slab, p);

		if (i < 0)
			return fail_inv(1, "%s: %s of slab %lu holds a pointer off its objects",
					s->name, what, slab_index(slab)), -1;
		if (seen[i])
			return fail_inv(1, "%s: slab %lu object #%ld is free twice (%s)",
					s->name, slab_index(slab), i, what), -1;
		seen[i] = SEEN_FREE;
		n++;
	}
	return n;
}

/* Mark the deferred objects of slab on every CPU's deferred list; the count or -1. */
static long walk_deferred(struct kmem_cache *s, struct slab *slab)
{
	long n = 0;

	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++) {
		struct defer_free *df = per_cpu_ptr(world->defer_free_objects, cpu);
		unsigned long steps = 0;

		for (struct llist_node *pos = df->objects.first; pos; pos = llist_next(pos)) {
			struct slab *owner = virt_to_slab(pos);
			long i;

			if (++steps > world->nr_pages * PAGE_SIZE / KMALLOC_MIN_SIZE)
				return fail_inv(8, "cpu%d deferred list does not end", cpu), -1;
			if (!owner || !owner->slab_cache)
				return fail_inv(8, "cpu%d deferred list holds a non-slab pointer", cpu), -1;
			if (owner != slab)
				continue;
			i = object_index(s, slab, (char *)pos - s->offset);
			if (i < 0)
				return fail_inv(8, "%s: deferred entry off the objects of slab %lu",
						s->name, slab_index(slab)), -1;
			if (seen[i])
				return fail_inv(8, "%s: slab %lu object #%ld deferred and free at once",
						s->name, slab_index(slab), i), -1;
			seen[i] = SEEN_DEFERRED;
			n++;
		}
	}
	return n;
}

/* ---- Design B: sheaves (invariant 9) ---- */

/* Is p the start of a live kmalloc object that can hold a sheaf? */
static bool valid_sheaf_pointer(const struct slab_sheaf *sheaf)
{
	struct slab *slab;

	if (sheaf == &world->bootstrap_sheaf)
		return true;
	slab = virt_to_slab(sheaf);
	return slab && slab->slab_cache && slab->slab_cache->live &&
	       object_index(slab->slab_cache, slab, sheaf) >= 0 &&
	       slab->slab_cache->object_size >= sizeof(*sheaf);
}

/* Calls fn on every sheaf of cache s: each CPU's main and spare, then the
 * barn's full and empty lists. Stops at the first false. */
static bool for_each_sheaf(struct kmem_cache *s,
			   bool (*fn)(struct kmem_cache *s, struct slab_sheaf *sheaf, const char *where,
				      void *arg),
			   void *arg)
{
	static const char *const main_name[NR_CPUS] = {
		"cpu0 main", "cpu1 main", "cpu2 main", "cpu3 main",
		"cpu4 main", "cpu5 main", "cpu6 main", "cpu7 main",
	};
	static const char *const spare_name[NR_CPUS] = {
		"cpu0 spare", "cpu1 spare", "cpu2 spare", "cpu3 spare",
		"cpu4 spare", "cpu5 spare", "cpu6 spare", "cpu7 spare",
	};
	struct node_barn *barn = &s->barn[0];
	struct slab_sheaf *sheaf;
	unsigned long len = 0;

	if (!s->sheaf_capacity)
		return true;
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++) {
		struct slub_percpu_sheaves *pcs = per_cpu_ptr(s->cpu_sheaves, cpu);

		if (pcs->main && !fn(s, pcs->main, main_name[cpu], arg))
			return false;
		if (pcs->spare && !fn(s, pcs->spare, spare_name[cpu], arg))
			return false;
	}
	list_for_each_entry_safe(sheaf, &barn->sheaves_full, barn_list) {
		if (++len > world->nr_pages || !valid_sheaf_pointer(sheaf))
			return fail_inv(9, "%s: barn full list is corrupted", s->name);
		if (!fn(s, sheaf, "barn full", arg))
			return false;
	}
	len = 0;
	list_for_each_entry_safe(sheaf, &barn->sheaves_empty, barn_list) {
		if (++len > world->nr_pages || !valid_sheaf_pointer(sheaf))
			return fail_inv(9, "%s: barn empty list is corrupted", s->name);
		if (!fn(s, sheaf, "barn empty", arg))
			return false;
	}
	return true;
}

/* One sheaf of s: a real sheaf of this cache, size within its capacity. */
static bool check_sheaf(struct kmem_cache *s, struct slab_sheaf *sheaf, const char *where, void *arg)
{
	(void)arg;
	if (!valid_sheaf_pointer(sheaf))
		return fail_inv(9, "%s: %s sheaf is not a sheaf object", s->name, where);
	if (sheaf == &world->bootstrap_sheaf) {
		if (strncmp(where, "cpu", 3) || strstr(where, "spare"))
			return fail_inv(9, "%s: the bootstrap sheaf is the %s", s->name, where);
		if (sheaf->size)
			return fail_inv(9, "%s: the bootstrap sheaf holds %u object%s", s->name,
					sheaf->size, plural(sheaf->size));
		return true;
	}
	if (sheaf->cache != s || sheaf->capacity != s->sheaf_capacity)
		return fail_inv(9, "%s: %s sheaf belongs to %s or has capacity %u", s->name, where,
				sheaf->cache && sheaf->cache->live ? sheaf->cache->name : "no cache",
				sheaf->capacity);
	if (sheaf->size > sheaf->capacity)
		return fail_inv(9, "%s: %s sheaf holds %u object%s, capacity %u", s->name, where,
				sheaf->size, plural(sheaf->size), sheaf->capacity);
	if (!strcmp(where, "barn full") && !sheaf->size)
		return fail_inv(9, "%s: an empty sheaf on the barn full list", s->name);
	if (!strcmp(where, "barn empty") && sheaf->size)
		return fail_inv(9, "%s: a sheaf of %u object%s on the barn empty list", s->name,
				sheaf->size, plural(sheaf->size));
	for (unsigned int i = 0; i < sheaf->size; i++) {
		struct slab *slab = virt_to_slab(sheaf->objects[i]);

		if (!slab || slab->slab_cache != s || object_index(s, slab, sheaf->objects[i]) < 0)
			return fail_inv(9, "%s: %s sheaf object %u is not an object of the cache",
					s->name, where, i);
	}
	return true;
}

/* The per-CPU sheaves and the barn of s (invariant 9). */
static bool validate_sheaves(struct kmem_cache *s)
{
	struct node_barn *barn = &s->barn[0];
	unsigned long full = 0, empty = 0;
	struct slab_sheaf *sheaf;

	if (!s->sheaf_capacity)
		return true;
	if (!design_sheaves() || KCONFIG(slub_tiny) || kmem_cache_debug(s))
		return fail_inv(9, "%s: has sheaves but %s", s->name,
				design_sheaves() ? "is a single-object cache" : "Design A has none");
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++) {
		struct slub_percpu_sheaves *pcs = per_cpu_ptr(s->cpu_sheaves, cpu);

		if (pcs->lock.l.owner_cpu >= 0)
			return fail("%s: cpu%d sheaves lock is held while quiescent", s->name, cpu);
		if (!pcs->main)
			return fail_inv(9, "%s: cpu%d main sheaf is NULL while unlocked", s->name, cpu);
	}
	list_for_each_entry_safe(sheaf, &barn->sheaves_full, barn_list)
		if (++full > world->nr_pages)
			return fail_inv(9, "%s: barn full list does not end", s->name);
	list_for_each_entry_safe(sheaf, &barn->sheaves_empty, barn_list)
		if (++empty > world->nr_pages)
			return fail_inv(9, "%s: barn empty list does not end", s->name);
	if (full != barn->nr_full || empty != barn->nr_empty)
		return fail_inv(9, "%s: barn counts %u full %u empty, lists hold %lu and %lu", s->name,
				barn->nr_full, barn->nr_empty, full, empty);
	if (barn->lock.l.owner_cpu >= 0)
		return fail("%s: barn lock held while quiescent", s->name);
	return for_each_sheaf(s, check_sheaf, NULL);
}

struct sheaf_walk {
	struct slab *slab;	/* the slab whose objects are being marked */
	long found;
};

/* Mark the objects of walk->slab that sheaf holds. */
static bool mark_sheaf_objects(struct kmem_cache *s, struct slab_sheaf *sheaf, const char *where,
			       void *arg)
{
	struct sheaf_walk *w = arg;

	for (unsigned int i = 0; i < sheaf->size && i < SHEAF_CAPACITY; i++) {
		long k;

		if (virt_to_slab(sheaf->objects[i]) != w->slab)
			continue;
		k = object_index(s, w->slab, sheaf->objects[i]);
		if (k < 0)
			return fail_inv(9, "%s: %s sheaf holds a pointer off the objects of slab %lu",
					s->name, where, slab_index(w->slab));
		if (seen[k])
			return fail_inv(1, "%s: slab %lu object #%ld is in a sheaf (%s) and %s", s->name,
					slab_index(w->slab), k, where,
					seen[k] == SEEN_SHEAF ? "in another sheaf" : "free or deferred");
		seen[k] = SEEN_SHEAF;
		w->found++;
	}
	return true;
}

/* Mark the objects of walk->slab that are a sheaf (of any cache). */
static bool mark_sheaf_memory(struct kmem_cache *s, struct slab_sheaf *sheaf, const char *where,
			      void *arg)
{
	struct sheaf_walk *w = arg;
	long k;

	if (sheaf == &world->bootstrap_sheaf || virt_to_slab(sheaf) != w->slab)
		return true;
	k = object_index(w->slab->slab_cache, w->slab, sheaf);
	if (k < 0 || seen[k])
		return fail_inv(1, "%s: the %s sheaf of %s is %s", w->slab->slab_cache->name, where, s->name,
				k < 0 ? "not an object start" : "free, deferred or another sheaf too");
	seen[k] = SEEN_METADATA;
	w->found++;
	return true;
}

/* Objects of slab held in sheaves of its cache; -1 on error. */
static long walk_sheaves(struct kmem_cache *s, struct slab *slab)
{
	struct sheaf_walk w = { .slab = slab };

	if (!for_each_sheaf(s, mark_sheaf_objects, &w))
		return -1;
	return w.found;
}

/* Objects of slab that are sheaves of any cache; -1 on error. */
static long walk_sheaf_memory(struct slab *slab)
{
	struct sheaf_walk w = { .slab = slab };

	/* sheaves come from one bucket only (alloc_empty_sheaf()) */
	if (slab->slab_cache != kmalloc_slab(sizeof(struct slab_sheaf)))
		return 0;

	for (int i = 0; i < MAX_CACHES; i++)
		if (world->caches[i].live && !for_each_sheaf(&world->caches[i], mark_sheaf_memory, &w))
			return -1;
	return w.found;
}

static bool on_deferred_slabs(struct slab *slab)
{
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++) {
		struct llist_node *pos = per_cpu_ptr(world->defer_free_objects, cpu)->slabs.first;

		for (unsigned long steps = 0; pos && steps < world->nr_pages; pos = llist_next(pos), steps++)
			if (pos == &slab->llnode)
				return true;
	}
	return false;
}

static int cpu_of_slab(struct kmem_cache *s, struct slab *slab)
{
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++)
		if (per_cpu_ptr(s->cpu_slab, cpu)->slab == slab)
			return cpu;
	return -1;
}

static bool on_cpu_partial(struct kmem_cache *s, struct slab *slab)
{
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++) {
		struct slab *p = per_cpu_ptr(s->cpu_slab, cpu)->partial;

		for (unsigned long steps = 0; p && steps < world->nr_pages; p = p->next, steps++)
			if (p == slab)
				return true;
	}
	return false;
}

/* ---- memcg: obj_exts (invariant 10) and the charge balance (invariant 11) ---- */

static unsigned long memcg_accounted;	/* Σ obj_full_size of charged objects found */

/*
 * The obj_exts word of slab, whose objects seen[] marks (free / deferred):
 * 0, the failure sentinel alone, or a vector with flag bits whose words are
 * 0 or the memcg's obj_cgroup, the latter only for allocated objects. The
 * vector itself is checked by validate_objext_vectors() (it needs seen[]
 * for another slab).
 */
static bool validate_slab_obj_exts(struct kmem_cache *s, struct slab *slab)
{
	unsigned long exts = slab->obj_exts;
	struct slabobj_ext *vec = (struct slabobj_ext *)(exts & ~OBJEXTS_FLAGS_MASK);
	struct slab *vslab;
	long idx;

	if (!exts || exts == OBJEXTS_ALLOC_FAIL)
		return true;
	if (!KCONFIG(memcg))
		return fail_inv(10, "%s: slab %lu has an obj_exts word without memcg", s->name, slab_index(slab));
	if (exts & OBJEXTS_ALLOC_FAIL)
		return fail_inv(10, "%s: slab %lu obj_exts: the failure sentinel with a vector",
				s->name, slab_index(slab));
	vslab = arena_contains(vec) ? virt_to_slab(vec) : NULL;
	idx = vslab ? object_index(vslab->slab_cache, vslab, vec) : -1;
	if (idx < 0)
		return fail_inv(10, "%s: slab %lu obj_exts vector (arena offset %#lx) is not a slab object",
				s->name, slab_index(slab),
				arena_contains(vec) ? (unsigned long)((char *)vec - world->pages) : 0ul);
	if (!(vslab->slab_cache->flags & SLAB_KMALLOC) ||
	    vslab->slab_cache->object_size < slab->objects * sizeof(struct slabobj_ext))
		return fail_inv(10, "%s: slab %lu obj_exts vector is in %s, not a kmalloc cache of %zu bytes or more",
				s->name, slab_index(slab), vslab->slab_cache->name,
				slab->objects * sizeof(struct slabobj_ext));
#ifdef REENTRY_ASAN
	if (__asan_region_is_poisoned(vec, slab->objects * sizeof(struct slabobj_ext)))
		return fail_inv(10, "%s: slab %lu obj_exts vector (%s slab %lu #%ld) is free memory",
				s->name, slab_index(slab), vslab->slab_cache->name, slab_index(vslab), idx);
#endif
	for (unsigned int i = 0; i < slab->objects; i++) {
		struct obj_cgroup *objcg = vec[i].objcg;

		if (!objcg)
			continue;
		if (objcg != &world->memcg.objcg)
			return fail_inv(10, "%s: slab %lu object #%u: obj_exts word is not the memcg's obj_cgroup",
					s->name, slab_index(slab), i);
		if (seen[i])
			return fail_inv(10, "%s: slab %lu object #%u is %s but still charged to the memcg",
					s->name, slab_index(slab), i, seen[i] == SEEN_FREE ? "free" : "deferred");
		memcg_accounted += s->size + sizeof(struct obj_cgroup *);
	}
	return true;
}

/* Debug caches and every cache with SLUB_TINY: no CPU slabs, one object at a time. */
static bool single_object(const struct kmem_cache *s)
{
	return KCONFIG(slub_tiny) || kmem_cache_debug(s);
}

/* Index of the first byte of [p, p + n) that is not val, or -1 (reads poisoned memory). */
__attribute__((no_sanitize("address")))
static long mismatch(const unsigned char *p, unsigned char val, unsigned int n, unsigned char *found)
{
	for (unsigned int i = 0; i < n; i++) {
		if (p[i] != val) {
			*found = p[i];
			return (long)i;
		}
	}
	return -1;
}

/*
 * The patterns of a debug cache's objects (core/debug.c), from the marks
 * validate_slab() left in seen[]: a free object has an inactive red zone and
 * intact poison; an allocated or deferred one (a kfree_nolock() not drained
 * yet is still allocated to the debug checks) an active red zone.
 */
static bool validate_debug_patterns(struct kmem_cache *s, struct slab *slab)
{
	unsigned char *base = slab_address(slab);

	for (unsigned int i = 0; i < slab->objects; i++) {
		unsigned char *p = base + (unsigned long)i * s->size;
		bool is_free = seen[i] == SEEN_FREE;
		unsigned char want = is_free ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE, found = 0;
		long at;

		if (s->flags & SLAB_RED_ZONE) {
			at = mismatch(p + s->object_size, want, s->inuse - s->object_size, &found);
			if (at >= 0)
				return fail("%s: Right Redzone of %s object #%u of slab %lu overwritten: 0x%02x instead of 0x%02x at offset %ld",
					    s->name, is_free ? "free" : "allocated", i, slab_index(slab),
					    found, want, (long)s->object_size + at);
		}
		if ((s->flags & SLAB_POISON) && is_free) {
			at = mismatch(p, POISON_FREE, s->object_size - 1, &found);
			if (at < 0 && mismatch(p + s->object_size - 1, POISON_END, 1, &found) >= 0)
				at = s->object_size - 1;
			if (at >= 0)
				return fail("%s: Poison of free object #%u of slab %lu overwritten: 0x%02x at offset %ld",
					    s->name, i, slab_index(slab), found, at);
		}
	}
	return true;
}

/*
 * Where a slab of a single-object cache may be: a new slab nobody could place
 * (frozen, deferred, untouched), on the node partial list (some free), on the
 * full list (none free, SLAB_STORE_USER) or on no list (none free).
 */
static bool validate_single_object_slab(struct kmem_cache *s, struct slab *slab, long free,
					bool deferred_slab)
{
	bool full = slab->flags & SL_node_full;

	if (slab->frozen) {
		if (!deferred_slab || slab->inuse || slab->flush_freelist)
			return fail_inv(2, "%s: frozen slab %lu of a %s cache is not an untouched deferred new slab (inuse %u)",
					s->name, slab_index(slab), KCONFIG(slub_tiny) ? "TINY" : "debug",
					slab->inuse);
		return true;
	}
	if (free && !(slab->flags & SL_node_partial))
		return fail_inv(2, "%s: slab %lu has %ld free object%s but is not on the node partial list",
				s->name, slab_index(slab), free, plural(free));
	if (!free && (s->flags & SLAB_STORE_USER) && !full)
		return fail_inv(2, "%s: full slab %lu is not on the full list (SLAB_STORE_USER)",
				s->name, slab_index(slab));
	return true;
}

/* One slab of s: counters, freelists, and its place (invariants 1, 2). */
static bool validate_slab(struct kmem_cache *s, struct slab *slab, struct cache_census *census)
{
	int cpu = cpu_of_slab(s, slab);
	long free, cpu_free = 0, deferred, flushed = 0, in_sheaves = 0, metadata = 0;
	bool deferred_slab = on_deferred_slabs(slab);

	if (slab->objects != s->objects || slab->inuse > slab->objects)
		return fail_inv(2, "%s: slab %lu has objects %u inuse %u (the cache's slabs have %u)",
				s->name, slab_index(slab), slab->objects, slab->inuse, s->objects);
	memset(seen, 0, slab->objects);
	free = walk_freelist(s, slab, slab->freelist, "slab freelist");
	if (free < 0)
		return false;
	/* remote frees decrement inuse whether or not the slab is frozen */
	if (slab->inuse + free != slab->objects)
		return fail_inv(2, "%s: slab %lu: inuse %u + free %ld != objects %u",
				s->name, slab_index(slab), slab->inuse, free, slab->objects);
	if (cpu >= 0) {
		cpu_free = walk_freelist(s, slab, per_cpu_ptr(s->cpu_slab, cpu)->freelist,
					 "cpu freelist");
		if (cpu_free < 0)
			return false;
	}
	if (deferred_slab) {
		flushed = walk_freelist(s, slab, slab->flush_freelist, "deferred flush freelist");
		if (flushed < 0)
			return false;
	}
	deferred = walk_deferred(s, slab);
	if (deferred < 0)
		return false;
	if (design_sheaves()) {
		in_sheaves = walk_sheaves(s, slab);
		metadata = walk_sheaf_memory(slab);
		if (in_sheaves < 0 || metadata < 0)
			return false;
	}

	/* where the slab is */
	if (slab->frozen) {
		if (slab->flags & SL_node_partial)
			return fail_inv(2, "%s: frozen slab %lu is on the node partial list",
					s->name, slab_index(slab));
		if ((cpu >= 0) + deferred_slab != 1)
			return fail_inv(2, "%s: frozen slab %lu is %s", s->name, slab_index(slab),
					cpu >= 0 ? "a CPU slab and deferred" : "neither a CPU slab nor deferred");
	} else {
		bool cpu_partial = on_cpu_partial(s, slab);
		bool node_partial = slab->flags & SL_node_partial;

		if (cpu >= 0 || deferred_slab)
			return fail_inv(2, "%s: slab %lu is not frozen but is %s", s->name, slab_index(slab),
					cpu >= 0 ? "a CPU slab" : "deferred for deactivation");
		if (cpu_partial && node_partial)
			return fail_inv(2, "%s: slab %lu is on a CPU and the node partial list",
					s->name, slab_index(slab));
		if (free && !cpu_partial && !node_partial)
			return fail_inv(2, "%s: slab %lu has %ld free object%s but is on no list",
					s->name, slab_index(slab), free, plural(free));
		if (!free && node_partial)
			return fail_inv(2, "%s: slab %lu is on the node partial list without a free object",
					s->name, slab_index(slab));
	}
	if (slab->flags & SL_node_full) {
		if (slab->frozen || free || (slab->flags & SL_node_partial))
			return fail_inv(2, "%s: slab %lu on the full list is %s", s->name, slab_index(slab),
					slab->frozen ? "frozen" : free ? "not full" : "on the partial list too");
	}
	if (single_object(s)) {
		if (!validate_single_object_slab(s, slab, free, deferred_slab))
			return false;
	}
	if ((s->flags & (SLAB_RED_ZONE | SLAB_POISON)) && !validate_debug_patterns(s, slab))
		return false;
	if (!validate_slab_obj_exts(s, slab))
		return false;

	if (census) {
		census->slabs++;
		census->objects += slab->objects;
		census->free += (unsigned long)(free + cpu_free);
		census->deferred += (unsigned long)(deferred + flushed);
		census->sheaves += (unsigned long)in_sheaves;
		census->metadata += (unsigned long)metadata;
	}
	return true;
}

/* The per-CPU and node lists of s (the slabs themselves: validate_world). */
static bool validate_cache_lists(struct kmem_cache *s)
{
	struct kmem_cache_node *n = get_node(s, 0);
	unsigned long partial = 0;
	struct slab *slab;


	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++) {
		struct kmem_cache_cpu *c = per_cpu_ptr(s->cpu_slab, cpu);
		unsigned long len = 0;

		if (single_object(s) && (c->slab || c->freelist || c->partial))
			return fail_inv(2, "%s: cpu%d has a CPU %s, but a %s cache never uses per-CPU slabs",
					s->name, cpu, c->slab ? "slab" : c->freelist ? "freelist" : "partial list",
					KCONFIG(slub_tiny) ? "TINY" : "debug");
		if (c->tid % TID_STEP != (unsigned long)cpu)
			return fail_inv(3, "%s: cpu%d tid %lu is not ≡ %d (mod %lu)",
					s->name, cpu, c->tid, cpu, TID_STEP);
		if (c->freelist && !c->slab)
			return fail_inv(2, "%s: cpu%d has a freelist but no slab", s->name, cpu);
		if (c->slab && c->slab->slab_cache != s)
			return fail_inv(2, "%s: cpu%d slab belongs to another cache", s->name, cpu);
		if (c->lock.l.owner_cpu >= 0)
			return fail("%s: cpu%d lock is held while quiescent", s->name, cpu);
		for (struct slab *p = c->partial; p; p = p->next) {
			if (++len > world->nr_pages)
				return fail_inv(2, "%s: cpu%d partial list does not end", s->name, cpu);
			if (p->slab_cache != s || p->frozen)
				return fail_inv(2, "%s: cpu%d partial slab %lu is %s", s->name, cpu,
						slab_index(p), p->frozen ? "frozen" : "of another cache");
		}
		if (c->partial && (unsigned long)c->partial->slabs != len)
			return fail_inv(2, "%s: cpu%d partial list says %d slab%s, holds %lu",
					s->name, cpu, c->partial->slabs, plural(c->partial->slabs), len);
	}

	{
		unsigned long full = 0;

		list_for_each_entry_safe(slab, &n->full, slab_list) {
			if (++full > world->nr_pages)
				return fail_inv(2, "%s: node full list does not end", s->name);
			if (slab->slab_cache != s || !(slab->flags & SL_node_full))
				return fail_inv(2, "%s: node full slab %lu is unmarked or foreign",
						s->name, slab_index(slab));
		}
		if (full && !(s->flags & SLAB_STORE_USER))
			return fail_inv(2, "%s: %lu slab%s on the full list without SLAB_STORE_USER", s->name,
					full, plural(full));
	}

	list_for_each_entry_safe(slab, &n->partial, slab_list) {
		if (++partial > world->nr_pages)
			return fail_inv(2, "%s: node partial list does not end", s->name);
		if (slab->slab_cache != s || slab->frozen || !(slab->flags & SL_node_partial))
			return fail_inv(2, "%s: node partial slab %lu is frozen, unmarked or foreign",
					s->name, slab_index(slab));
	}
	if (partial != n->nr_partial)
		return fail_inv(2, "%s: nr_partial %lu but the list holds %lu", s->name, n->nr_partial, partial);
	if (n->list_lock.l.owner_cpu >= 0)
		return fail("%s: list_lock held while quiescent", s->name);

	return true;
}

/*
 * Every obj_exts vector is an allocated object (not free, not deferred) and
 * belongs to one slab only; each is counted into its cache's census.
 */
static bool validate_objext_vectors(struct cache_census census[MAX_CACHES],
				    const unsigned long *owners, unsigned long n)
{
	for (unsigned long k = 0; k < n; k++) {
		struct slab *slab = &world->slabs[owners[k]];
		void *vec = (void *)(slab->obj_exts & ~OBJEXTS_FLAGS_MASK);
		struct slab *vslab = virt_to_slab(vec);
		struct kmem_cache *vs = vslab->slab_cache;
		long idx = object_index(vs, vslab, vec);
		int cpu = cpu_of_slab(vs, vslab);

		for (unsigned long j = 0; j < k; j++)
			if ((world->slabs[owners[j]].obj_exts & ~OBJEXTS_FLAGS_MASK) == (unsigned long)vec)
				return fail_inv(10, "slabs %lu and %lu share one obj_exts vector", owners[j], owners[k]);
		memset(seen, 0, vslab->objects);
		if (walk_freelist(vs, vslab, vslab->freelist, "slab freelist") < 0 ||
		    (cpu >= 0 && walk_freelist(vs, vslab, per_cpu_ptr(vs->cpu_slab, cpu)->freelist,
					       "cpu freelist") < 0) ||
		    (on_deferred_slabs(vslab) &&
		     walk_freelist(vs, vslab, vslab->flush_freelist, "deferred flush freelist") < 0) ||
		    walk_deferred(vs, vslab) < 0)
			return false;
		if (seen[idx])
			return fail_inv(10, "slab %lu's obj_exts vector %s slab %lu #%ld is %s", owners[k], vs->name,
					slab_index(vslab), idx, seen[idx] == SEEN_FREE ? "free" : "deferred");
		census[vs - world->caches].objext_vectors++;
	}
	return true;
}

/*
 * Invariant 11 at a quiescent point: the page counter holds exactly the
 * charged objects, the stocks and the parked bytes; the ledger agrees.
 */
static bool validate_memcg(void)
{
	struct mem_cgroup *memcg = &world->memcg;
	long usage = atomic_long_read(&memcg->memory.usage);
	unsigned long held = memcg_accounted;
	long parked = atomic_long_read(&memcg->objcg.nr_charged_bytes);

	if (!KCONFIG(memcg))
		return true;
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++) {
		struct obj_stock_pcp *stock = per_cpu_ptr(world->obj_stock, cpu);

		if (stock->lock.l.owner_cpu >= 0)
			return fail("memcg: cpu%d obj_stock lock held while quiescent", cpu);
		if (stock->cached_objcg && stock->cached_objcg != &memcg->objcg)
			return fail_inv(11, "memcg: cpu%d stock caches an unknown obj_cgroup", cpu);
		if (!stock->cached_objcg && stock->nr_bytes)
			return fail_inv(11, "memcg: cpu%d stock holds %u byte%s for no obj_cgroup", cpu,
					stock->nr_bytes, plural(stock->nr_bytes));
		held += stock->nr_bytes;
	}
	if (parked < 0)
		return fail_inv(11, "memcg: obj_cgroup nr_charged_bytes %ld < 0", parked);
	held += (unsigned long)parked;
	if (usage < 0 || (unsigned long)usage * PAGE_SIZE != held)
		return fail_inv(11, "memcg: page counter %ld pages (%ld bytes) but charged objects %lu + stocks "
				"and parked bytes %lu = %lu bytes", usage, usage * (long)PAGE_SIZE,
				memcg_accounted, held - memcg_accounted, held);
	if (memcg->charged_bytes - memcg->uncharged_bytes != memcg_accounted)
		return fail_inv(11, "memcg: %lu bytes charged - %lu uncharged != %lu bytes of charged objects",
				memcg->charged_bytes, memcg->uncharged_bytes, memcg_accounted);
	return true;
}

/*
 * Everything, in one pass over the memmap (block by block: most of the
 * arena is a few large free blocks): each cache's lists, each slab (counted
 * into its cache's census), then each cache's node counts and the obj_exts
 * vectors of the slabs that have one.
 */
static bool validate_world(struct cache_census census[MAX_CACHES])
{
	static unsigned long owners[PAGE_SIZE];	/* slab indices with a vector, ≤ nr_pages */
	unsigned long nowners = 0;

	memset(census, 0, MAX_CACHES * sizeof(census[0]));
	memcg_accounted = 0;
	for (int i = 0; i < MAX_CACHES; i++)
		if (world->caches[i].live && (!validate_cache_lists(&world->caches[i]) ||
					      !validate_sheaves(&world->caches[i])))
			return false;
	for (unsigned long i = 0; i < world->nr_pages; i += page_block_pages(i)) {
		struct page *page = &world->memmap[i];
		struct slab *slab = &world->slabs[i];
		struct kmem_cache *s = slab->slab_cache;

		if ((page->flags & (PG_head | PG_slab)) != (PG_head | PG_slab))
			continue;
		if (!s || s < world->caches || s >= world->caches + MAX_CACHES || !s->live)
			return fail_inv(1, "slab %lu belongs to no live cache", i);
		if (!validate_slab(s, slab, &census[s - world->caches]))
			return false;
		if ((slab->obj_exts & ~OBJEXTS_FLAGS_MASK) && nowners < PAGE_SIZE)
			owners[nowners++] = i;
	}
	for (int i = 0; i < MAX_CACHES; i++) {
		struct kmem_cache *s = &world->caches[i];
		struct kmem_cache_node *n = get_node(s, 0);
		struct cache_census *c = &census[i];

		if (!s->live)
			continue;
		if ((long)c->slabs != atomic_long_read(&n->nr_slabs) ||
		    (long)c->objects != atomic_long_read(&n->total_objects))
			return fail_inv(2, "%s: the node counts %ld slab%s of %ld object%s, the memmap holds %lu slab%s of %lu object%s (deferred slabs are counted too)",
					s->name, atomic_long_read(&n->nr_slabs), plural(atomic_long_read(&n->nr_slabs)),
					atomic_long_read(&n->total_objects), plural(atomic_long_read(&n->total_objects)),
					c->slabs, plural((long)c->slabs), c->objects, plural((long)c->objects));
		c->allocated = c->objects - c->free - c->deferred - c->sheaves - c->metadata;
	}
	return validate_objext_vectors(census, owners, nowners) && validate_memcg();
}

bool cache_census(struct kmem_cache *s, struct cache_census *out)
{
	struct cache_census census[MAX_CACHES];

	if (!validate_world(census))
		return false;
	*out = census[s - world->caches];
	return true;
}

/* The zone: free block accounting and a partition of the pages into blocks. */
static bool validate_zone(void)
{
	struct zone *zone = &world->zone;
	unsigned long free = 0;

	for (int o = 0; o <= MAX_PAGE_ORDER; o++) {
		unsigned long len = 0;
		struct page *page;

		list_for_each_entry_safe(page, &zone->free_area[o], buddy_list) {
			if (++len > world->nr_pages)
				return fail_inv(2, "zone: free_area[%d] does not end", o);
			if (!(page->flags & PG_buddy) || page->order != (unsigned int)o)
				return fail_inv(2, "zone: page %lu on free_area[%d] is not a free block of that order",
						page_index(page), o);
		}
		if (len != zone->nr_free[o])
			return fail_inv(2, "zone: nr_free[%d] %lu but the list holds %lu", o, zone->nr_free[o], len);
		free += len << o;
	}
	if (free != zone->free_pages)
		return fail_inv(2, "zone: free_pages %lu but the lists hold %lu", zone->free_pages, free);

	for (unsigned long i = 0; i < world->nr_pages;) {
		struct page *page = &world->memmap[i];

		if (!(page->flags & (PG_buddy | PG_head)) || page->order > MAX_PAGE_ORDER ||
		    i + (1ul << page->order) > world->nr_pages)
			return fail_inv(2, "zone: page %lu starts no block", i);
		for (unsigned long t = 1; t < (1ul << page->order); t++) {
			struct page *tail = &world->memmap[i + t];

			if ((page->flags & PG_head) && (!(tail->flags & PG_tail) || tail->head != i))
				return fail_inv(2, "zone: page %lu is not a tail of block %lu", i + t, i);
			if ((page->flags & PG_buddy) && tail->flags)
				return fail_inv(2, "zone: page %lu inside free block %lu has flags", i + t, i);
		}
		i += 1ul << page->order;
	}
	if (zone->lock.l.owner_cpu >= 0)
		return fail("zone: lock held while quiescent");
	return true;
}

bool validate_all_census(void (*each)(struct kmem_cache *s, const struct cache_census *c, void *arg),
			 void *arg)
{
	struct cache_census census[MAX_CACHES];

	if (!validate_zone() || !validate_world(census))
		return false;
	for (int cpu = 0; cpu < KCONFIG(nr_cpus); cpu++) {
		struct defer_free *df = per_cpu_ptr(world->defer_free_objects, cpu);
		unsigned long steps = 0;

		for (struct llist_node *pos = df->slabs.first; pos; pos = llist_next(pos)) {
			struct slab *slab = container_of(pos, struct slab, llnode);
			long i = slab - world->slabs;

			if (++steps > world->nr_pages || i < 0 || (unsigned long)i >= world->nr_pages ||
			    !slab->slab_cache || !slab->frozen)
				return fail_inv(8, "cpu%d deferred slab list holds a bad slab", cpu);
		}
		if ((df->objects.first || df->slabs.first) && !df->work.pending)
			return fail_inv(8, "cpu%d has deferred frees but no irq_work pending", cpu);
	}
	error[0] = '\0';
	for (int i = 0; each && i < MAX_CACHES; i++)
		if (world->caches[i].live)
			each(&world->caches[i], &census[i], arg);
	return true;
}

/*
 * Invariant 11 alone, cheap enough to run after every operation: the
 * charged objects are the memcg words set in the slabs' vectors (their
 * pointers are trusted here: validate_all() checks them).
 */
bool validate_memcg_balance(void)
{
	memcg_accounted = 0;
	for (unsigned long i = 0; KCONFIG(memcg) && i < world->nr_pages; i += page_block_pages(i)) {
		struct page *page = &world->memmap[i];
		struct slab *slab = &world->slabs[i];
		struct slabobj_ext *vec = (struct slabobj_ext *)(slab->obj_exts & ~OBJEXTS_FLAGS_MASK);

		if ((page->flags & (PG_head | PG_slab)) != (PG_head | PG_slab) || !vec)
			continue;
		for (unsigned int k = 0; k < slab->objects; k++)
			if (vec[k].objcg)
				memcg_accounted += slab->slab_cache->size + sizeof(struct obj_cgroup *);
	}
	return validate_memcg();
}

bool validate_all(void)
{
	return validate_all_census(NULL, NULL);
}

#pragma clang attribute pop
