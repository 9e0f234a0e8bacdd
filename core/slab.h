/*
 * core/slab.h — the public API of the allocator model: what a kernel caller
 * (and the harness) uses. Structures and internal functions: core/internal.h.
 */
#ifndef REENTRY_CORE_SLAB_H
#define REENTRY_CORE_SLAB_H

#include "env.h"

/* ---- gfp flags (include/linux/gfp_types.h) ---- */
typedef unsigned int gfp_t;

#define __GFP_DMA		0x01u
#define __GFP_HIGHMEM		0x02u
#define __GFP_DMA32		0x04u
#define __GFP_MOVABLE		0x08u
#define __GFP_RECLAIMABLE	0x10u
#define __GFP_HIGH		0x20u
#define __GFP_IO		0x40u
#define __GFP_FS		0x80u
#define __GFP_ZERO		0x100u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_NOWARN		0x2000u
#define __GFP_RETRY_MAYFAIL	0x4000u
#define __GFP_NOFAIL		0x8000u
#define __GFP_NORETRY		0x10000u
#define __GFP_NOMEMALLOC	0x80000u
#define __GFP_THISNODE		0x200000u
#define __GFP_ACCOUNT		0x400000u
#define __GFP_NO_OBJ_EXT	0x4000000u /* nested obj_exts allocation: do not recurse */
#define __GFP_BITS_MASK		0x7ffffffu
/*
 * The slab's own alloc_flags (seed 001, "mm/slab: introduce alloc_flags and
 * SLAB_ALLOC_TRYLOCK"). The kernel passes them beside gfp; the model carries
 * them in two bits above __GFP_BITS_MASK of the same word, which the public
 * entry points clear from what a caller passes (so a caller cannot forge them).
 *   __SLAB_ALLOC_TRYLOCK  set by kmalloc_nolock() only: "may not spin" under
 *                         the new rule (kconfig.alloc_flags_rule)
 *   __SLAB_NO_RECURSE     a nested metadata allocation (a sheaf): it must not
 *                         allocate metadata itself (invariant 13: depth ≤ 1)
 */
#define __SLAB_ALLOC_TRYLOCK	0x8000000u
#define __SLAB_NO_RECURSE	0x10000000u
#define __SLAB_ALLOC_FLAGS	(__SLAB_ALLOC_TRYLOCK | __SLAB_NO_RECURSE)

/*
 * Model only, not a kernel flag (outside __GFP_BITS_MASK): marks the nested
 * allocation of an obj_exts vector, so that core/memcontrol.c can measure
 * the recursion depth of metadata allocations (invariant 13). Callers never
 * pass it; the harness strips it from the gfp of a program's operations.
 */
#define __GFP_OBJEXT_NESTED	0x20000000u

#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)

/* The only flags kmalloc_nolock() accepts. */
#define GFP_NOLOCK_ALLOWED	(__GFP_ACCOUNT | __GFP_ZERO | __GFP_NO_OBJ_EXT | __GFP_OBJEXT_NESTED)

/* ---- cache flags (include/linux/slab.h) ---- */
typedef unsigned int slab_flags_t;

#define SLAB_CONSISTENCY_CHECKS	0x00000100u
#define SLAB_RED_ZONE		0x00000400u
#define SLAB_POISON		0x00000800u
#define SLAB_KMALLOC		0x00001000u
#define SLAB_HWCACHE_ALIGN	0x00002000u
#define SLAB_STORE_USER		0x00010000u
#define SLAB_ACCOUNT		0x04000000u
#define SLAB_DEBUG_FLAGS	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)
#define __CMPXCHG_DOUBLE	0x40000000u /* internal: the slab (freelist, counters) pair has a 16-byte cmpxchg */

#define NUMA_NO_NODE		(-1)
#define PAGE_SHIFT		12
#define PAGE_SIZE		(1ul << PAGE_SHIFT)
#define KMALLOC_MIN_SIZE	8
#define KMALLOC_MAX_CACHE_SIZE	(2 * PAGE_SIZE)	/* larger kmalloc() goes to the page allocator */
#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

struct kmem_cache;

/* Set up a fresh world for the kconfig in force: arena, page allocator,
 * kmalloc caches. Everything from an earlier world is forgotten. */
void kmem_init(void);

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags);
void kmem_cache_destroy(struct kmem_cache *s);
/* Wait until every CPU's deferred frees (kfree_nolock()'s irq_work) ran. */
void defer_free_barrier(void);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags);
void kmem_cache_free(struct kmem_cache *s, void *x);

void *kmalloc(size_t size, gfp_t flags);
void kfree(const void *object);
void *kmalloc_nolock(size_t size, gfp_t gfp_flags, int node);
void kfree_nolock(const void *object);

/* Why a kmalloc_nolock() returned NULL. */
enum nolock_fail {
	NOLOCK_OK,
	NOLOCK_BUSY,		/* both buckets busy (lock held by an interrupted context) */
	NOLOCK_NOMEM,		/* no partial slab and the page allocator failed */
	NOLOCK_CONTEXT,		/* context where kmalloc_nolock is unsupported (RT irq) */
	NOLOCK_TOO_LARGE,	/* size > KMALLOC_MAX_CACHE_SIZE */
	NOLOCK_UNSUPPORTED,	/* no 16-byte cmpxchg and not a debug cache */
	NOLOCK_MEMCG,		/* __GFP_ACCOUNT and the memcg charge failed (object freed) */
	NR_NOLOCK_FAIL
};
/* kmalloc_nolock() that also says why it returned NULL (NOLOCK_OK if it did
 * not): what the harness calls. The reason goes to the caller's variable, so
 * no interrupt, preemption or migration in between can change it. */
void *kmalloc_nolock_why(size_t size, gfp_t gfp_flags, int node, enum nolock_fail *why);
const char *nolock_fail_name(enum nolock_fail why);

/* ---- what the harness may ask about the world ---- */
struct kmem_cache *kmalloc_slab(size_t size);	/* the bucket for size, NULL if too large */
struct kmem_cache *kmalloc_cache_nth(int n);	/* the n-th bucket, smallest first; NULL past the last */
struct kmem_cache *virt_to_cache(const void *x); /* NULL if x is not in a slab */
const char *kmem_cache_name(const struct kmem_cache *s);
unsigned int kmem_cache_object_size(const struct kmem_cache *s);
/* Describe where x is: "kmalloc-64 slab 12 #3" (arena-relative, deterministic). */
void describe_object(const void *x, char *buf, size_t size);
bool arena_contains(const void *x);
/* Index of the object x starts, in its slab; -1 if x is not a slab object's start. */
long kmem_object_index(const void *x);

/* ---- validators: see core/validate.c for each precondition ---- */
bool validate_all(void);	/* quiescent: no operation in flight on any context */
/* memcg: page counter = charged objects + stocks + parked bytes (quiescent). */
bool validate_memcg_balance(void);
/* The reason the last validator returned false (one line). */
const char *validate_error(void);
/* The number of the invariant the last failure broke (0: none fits). */
int validate_invariant(void);
/* The model's invariants are numbered 1..NR_INVARIANTS-1 and named
 * (core/validate.c says what each holds). A report of a broken one has the
 * class "invariant-N-NAME", e.g. "invariant-2-slab-lists"; 0 (none fits)
 * or a number out of range gives "invariant". */
#define NR_INVARIANTS 16
const char *invariant_class(int invariant);

/* Object census of a cache, quiescent only (invariant 1). */
struct cache_census {
	unsigned long slabs;		/* live slabs of the cache */
	unsigned long objects;		/* objects in those slabs */
	unsigned long free;		/* on slab and CPU freelists */
	unsigned long deferred;		/* on deferred-free lists */
	unsigned long sheaves;		/* Design B: free objects held in sheaves */
	unsigned long metadata;		/* Design B: objects that are sheaves themselves */
	unsigned long allocated;	/* objects - free - deferred - sheaves - metadata */
	unsigned long objext_vectors;	/* of the allocated: memcg obj_exts vectors */
};
bool cache_census(struct kmem_cache *s, struct cache_census *out);
/* validate_all(), then each(s, census) for every live cache: one walk. */
bool validate_all_census(void (*each)(struct kmem_cache *s, const struct cache_census *c, void *arg),
			 void *arg);

/* The memory whose contents make up the model's state: the world's metadata
 * and every allocated page block (free pages hold nothing but poison). For
 * snapshots; the ranges are page-aligned and do not overlap. */
void kmem_for_each_used_range(void (*cb)(void *start, size_t len, void *arg), void *arg);

/* Page allocations that returned NULL so far (real failures, trylock
 * failures and injected faults): a nolock NULL blamed on ENOMEM must have
 * one behind it. */
unsigned long page_alloc_failures(void);
/* Of those, the ones whose zone lock trylock failed (contention, not a lack of
 * memory): a "real" page allocator failure is page_alloc_failures() minus this. */
unsigned long page_alloc_contended(void);

/* Allocations that returned NULL because a new slab could not be placed: a
 * caller that may not spin, on a debug cache or with SLUB_TINY, whose
 * list_lock trylock failed (the slab went to the deferred list). Like a page
 * allocation failure, one may stand behind a NULL blamed on ENOMEM. */
unsigned long slab_trylock_failures(void);

/* ---- memcg (core/memcontrol.c), with kconfig.memcg ---- */

/* Charges that failed so far (over the limit, or injected): a NULL from an
 * __GFP_ACCOUNT allocation may have one behind it. */
unsigned long memcg_charge_failures(void);
/* Pages charged to the memcg's page counter now. */
long memcg_usage_pages(void);
/* Bytes of accounted objects charged and uncharged so far (a ledger). */
unsigned long memcg_charged_bytes(void);
unsigned long memcg_uncharged_bytes(void);
/* obj_exts installs lost to a concurrent install (the loser freed its
 * vector), and vectors freed with kfree_nolock() / kfree(). */
unsigned long memcg_objexts_race_lost(void);
unsigned long memcg_objexts_freed_nolock(void);
unsigned long memcg_objexts_freed_kfree(void);
/* drain_all_stock(): quiescent only. Give every CPU's stock and the bytes
 * parked in the obj_cgroup back to the page counter (whole pages). */
void memcg_drain_all_stock(void);

/* Free pages in the page allocator (for leak checks). */
unsigned long nr_free_pages(void);
unsigned long nr_arena_pages(void);

#endif /* REENTRY_CORE_SLAB_H */
