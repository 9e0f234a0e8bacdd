/*
 * core/internal.h — the model's structures and internal functions.
 *
 * Naming: a model function has the kernel function's name and a
 * "models: mm/<file> fn()" tag. C reserves leading underscores, so a kernel
 * name's leading "__" becomes the suffix "_inner" (__slab_free →
 * slab_free_inner) and "___" becomes "_slow" (___slab_alloc → slab_alloc_slow).
 *
 * Structures mirror the kernel's (struct page, struct slab, struct
 * kmem_cache, kmem_cache_cpu, kmem_cache_node); their invariants are written
 * as equations in the comments and checked by core/validate.c. Prototypes are
 * grouped under the file that defines them, so this reads as a table of
 * contents.
 *
 * All mutable state of the model lives in one mapping (struct slab_world,
 * then the memmap, then the simulated pages) so that it can be reset, and
 * later snapshotted, as a whole.
 */
#ifndef REENTRY_CORE_INTERNAL_H
#define REENTRY_CORE_INTERNAL_H

#include "slab.h"

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* ---- include/linux/list.h, the part the model needs ---- */
struct list_head { struct list_head *next, *prev; };

static __always_inline void INIT_LIST_HEAD(struct list_head *h) { h->next = h; h->prev = h; }
static __always_inline bool list_empty(const struct list_head *h) { return h->next == h; }
static __always_inline void __list_add(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static __always_inline void list_add(struct list_head *n, struct list_head *h) { __list_add(n, h, h->next); }
static __always_inline void list_add_tail(struct list_head *n, struct list_head *h) { __list_add(n, h->prev, h); }
static __always_inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e->prev = NULL;
}
#define list_entry(ptr, type, member) container_of(ptr, type, member)
/* Safe against removal of pos. Computes an entry only from real nodes (the
 * kernel's form also forms one from the head, which UBSan rightly flags). */
#define list_for_each_entry_safe(pos, head, member)				\
	for (struct list_head *__p = (head)->next, *__n = __p->next;		\
	     __p != (head) && ((pos) = list_entry(__p, __typeof__(*(pos)), member), 1); \
	     __p = __n, __n = __p->next)

/* ------------------------------------------------------------------ */
/* page_alloc.c — the zone and its buddy allocator                     */
/* ------------------------------------------------------------------ */

#define MAX_PAGE_ORDER 3

enum page_flags {
	PG_buddy = 1u << 0,		/* head of a free block in the buddy lists */
	PG_head = 1u << 1,		/* first page of an allocated block */
	PG_tail = 1u << 2,		/* other pages of an allocated block */
	PG_slab = 1u << 3,		/* head page of a slab */
	PG_large_kmalloc = 1u << 4,	/* head page of a kmalloc() > KMALLOC_MAX_CACHE_SIZE */
};

/*
 * One per arena page (the memmap).
 *   PG_buddy: the block [this, this + 2^order) is free and on free_area[order].
 *   PG_head:  an allocated block of 2^order pages starts here; its pages
 *             carry PG_tail and head = index of this page.
 */
struct page {
	unsigned int flags;
	unsigned int order;
	unsigned int head;		/* index of the block's head page */
	struct list_head buddy_list;	/* on zone->free_area[order] while PG_buddy */
	struct llist_node deferred;	/* on zone->trylock_free_pages */
};

/*
 * The only zone. free_pages == Σ over free_area[o] of 2^o · |free_area[o]|,
 * and every page is either in exactly one free block or in exactly one
 * allocated block (or on trylock_free_pages, which holds allocated blocks
 * whose free could not take the lock and waits for the next lock holder).
 */
struct zone {
	spinlock_t lock;
	struct list_head free_area[MAX_PAGE_ORDER + 1];
	unsigned long nr_free[MAX_PAGE_ORDER + 1];
	unsigned long free_pages;
	struct llist_head trylock_free_pages;
	atomic_long_t alloc_failures;	/* page allocations that returned NULL */
};

void page_alloc_init(void);
struct page *alloc_pages(gfp_t gfp, unsigned int order);
/* Never spins: the zone lock is a trylock; NULL on contention or no memory. */
struct page *alloc_pages_nolock(unsigned int order);
void free_pages_inner(struct page *page, unsigned int order);
/* Never spins: a free that cannot take the lock is deferred to the next holder. */
void free_pages_nolock(struct page *page, unsigned int order);
void *page_address(const struct page *page);
struct page *virt_to_page(const void *x);	/* NULL outside the arena */
struct page *compound_head(struct page *page);
unsigned long page_index(const struct page *page);
/* Harness walks: the pages of the block (free or allocated) that starts at
 * page i, robust against a corrupted memmap (never past the arena). */
unsigned long page_block_pages(unsigned long i);

/* ------------------------------------------------------------------ */
/* slub.c — caches, slabs, the per-CPU slab paths                      */
/* ------------------------------------------------------------------ */

/* A (freelist, counter) pair changed together by one 16-byte cmpxchg. */
typedef union {
	struct {
		void *freelist;
		unsigned long counter;
	};
	u128 full;
} freelist_aba_t;

/*
 * Slab metadata, one per slab (indexed like its head page).
 *
 *   objects == |freelist| + inuse            (not frozen, not a CPU slab)
 *   a CPU slab (frozen, c->slab == this):
 *     inuse == objects, freelist holds only remote frees since it was
 *     frozen: objects == |c->freelist| + |freelist| + allocated + deferred
 *   frozen ⇒ on no list; on_node_partial ⇔ on the node's partial list
 *   0 ≤ inuse ≤ objects
 */
struct slab {
	struct kmem_cache *slab_cache;
	unsigned int flags;		/* SL_* */
	union {
		struct list_head slab_list;	/* node partial list */
		struct {			/* CPU partial list */
			struct slab *next;
			int slabs;		/* length of the list from here */
		};
		struct {			/* deferred deactivation */
			struct llist_node llnode;
			void *flush_freelist;
		};
	};
	union {
		struct {
			void *freelist;
			union {
				unsigned long counters;
				struct {
					unsigned int inuse : 16;
					unsigned int objects : 15;
					unsigned int frozen : 1;
				};
			};
		};
		u128 freelist_counters;	/* the pair, for try_cmpxchg128 */
	};
	raw_spinlock_t slab_lock;	/* guards the pair without __CMPXCHG_DOUBLE */
	/*
	 * memcg (core/memcontrol.c): 0, OBJEXTS_ALLOC_FAIL alone (a vector
	 * allocation failed), or the address of a vector of `objects` words
	 * (struct slabobj_ext) with flag bits (OBJEXTS_NOSPIN_ALLOC: it came
	 * from kmalloc_nolock()). Changes only by cmpxchg: 0 to the sentinel,
	 * 0 or the sentinel to a vector; back to 0 when the slab is freed.
	 */
	unsigned long obj_exts;
};

#define SL_node_partial 0x1u	/* on the node partial list (kernel: PG_workingset) */
#define SL_node_full 0x2u	/* on the node full list (model only: the kernel keeps no
				 * mark; the validators use it to tell the lists apart) */

/* The order of enum stat_item is the kernel's (mm/slub.c). */
enum stat_item {
	ALLOC_FASTPATH, ALLOC_SLOWPATH, FREE_FASTPATH, FREE_SLOWPATH,
	FREE_FROZEN, FREE_ADD_PARTIAL, FREE_REMOVE_PARTIAL, ALLOC_FROM_PARTIAL,
	ALLOC_SLAB, ALLOC_REFILL, ALLOC_NODE_MISMATCH, FREE_SLAB,
	CPUSLAB_FLUSH, DEACTIVATE_FULL, DEACTIVATE_EMPTY, DEACTIVATE_TO_HEAD,
	DEACTIVATE_TO_TAIL, DEACTIVATE_REMOTE_FREES, DEACTIVATE_BYPASS,
	CMPXCHG_DOUBLE_CPU_FAIL, CMPXCHG_DOUBLE_FAIL, CPU_PARTIAL_ALLOC,
	CPU_PARTIAL_FREE, CPU_PARTIAL_NODE, CPU_PARTIAL_DRAIN,
	FREE_DEFERRED, ALLOC_NOLOCK_BUSY, DEFERRED_SLAB,
	NR_SLUB_STAT_ITEMS
};

/*
 * The per-CPU part of a cache (one per CPU, indexed by CPU).
 *   tid ≡ cpu (mod TID_STEP), and tid strictly increases whenever freelist
 *   or slab changes;
 *   freelist ≠ NULL ⇒ slab ≠ NULL and every object on it belongs to slab;
 *   partial: a list through slab->next, partial->slabs == its length.
 * lock guards freelist/tid/slab/partial against this CPU's other contexts;
 * the lockless fast path instead relies on the (freelist, tid) cmpxchg.
 */
struct kmem_cache_cpu {
	union {
		struct {
			void *freelist;
			unsigned long tid;
		};
		freelist_aba_t freelist_tid;
	};
	struct slab *slab;
	struct slab *partial;
	local_trylock_t lock;
	unsigned int stat[NR_SLUB_STAT_ITEMS];
};

/*
 * Per node (one node is modelled).
 *   nr_partial == |partial|; every slab on partial is not frozen and has
 *   0 < |freelist| (or is empty and kept under min_partial);
 *   nr_slabs == slabs allocated − slabs freed for this cache, a new slab
 *   deferred because list_lock could not be taken included (it is counted
 *   before it is deferred, and the drain uncounts it like any slab);
 *   total_objects == Σ objects over those slabs.
 *   full: only SLAB_STORE_USER caches put slabs there (add_full()); every slab
 *   on it is not frozen, carries SL_node_full and has an empty freelist.
 */
struct kmem_cache_node {
	spinlock_t list_lock;
	unsigned long nr_partial;
	struct list_head partial;
	atomic_long_t nr_slabs;		/* atomic: changed without list_lock */
	atomic_long_t total_objects;
	struct list_head full;		/* SLAB_STORE_USER caches only (add_full()) */
};

/* ---- Design B (core/sheaves.c): per-CPU sheaves and the barn ---- */

/*
 * A sheaf: an array of free objects of one cache (kernel: struct slab_sheaf).
 * Sheaves live in kmalloc memory (a kmalloc-64 object: the model's capacity is
 * tiny like its slabs), allocated with the no-recursion flag, except the one
 * bootstrap sheaf of the world (capacity 0) that every CPU's main starts as.
 *   0 ≤ size ≤ capacity; objects[0..size) are free objects of cache;
 *   on a barn list ⇔ neither a CPU's main nor its spare.
 */
#define SHEAF_CAPACITY 4
struct slab_sheaf {
	struct list_head barn_list;	/* on barn->sheaves_full or sheaves_empty */
	struct kmem_cache *cache;
	unsigned int capacity;		/* SHEAF_CAPACITY; 0: the bootstrap sheaf */
	unsigned int size;		/* objects held */
	void *objects[SHEAF_CAPACITY];
};

/*
 * Per CPU (kernel: struct slub_percpu_sheaves).
 *   main ≠ NULL whenever lock is not held (the bootstrap sheaf if nothing
 *   else); spare is NULL or a real sheaf. lock is only ever trylocked, by
 *   every path: a context that finds it held falls back to the slab level.
 */
struct slub_percpu_sheaves {
	local_trylock_t lock;
	struct slab_sheaf *main;
	struct slab_sheaf *spare;
};

/*
 * Per node (kernel: struct node_barn), under lock (spinlock_t; trylocked
 * by callers that may not spin).
 *   nr_full == |sheaves_full|, every sheaf on it has 0 < size;
 *   nr_empty == |sheaves_empty|, every sheaf on it has size == 0.
 * A full main is only swapped into the barn while nr_full < MAX_FULL_SHEAVES
 * (else the spare is emptied into the slabs); a sheaf put back after a race
 * (the per-CPU lock taken again failed or the state changed) ignores the
 * limit, as the kernel does. The model does not limit empty sheaves (the
 * kernel frees those beyond MAX_EMPTY_SHEAVES): they are freed at cache
 * destruction.
 */
#define MAX_FULL_SHEAVES 2
struct node_barn {
	spinlock_t lock;
	struct list_head sheaves_full;
	struct list_head sheaves_empty;
	unsigned int nr_full;
	unsigned int nr_empty;
};

#define MAX_RANDOM_SEQ 64	/* larger slabs are not shuffled (tiny slabs are the point) */

struct kmem_cache {
	struct kmem_cache_cpu cpu_slab[NR_CPUS];	/* __percpu */
	slab_flags_t flags;
	unsigned long min_partial;
	unsigned int size;		/* slot size: object_size aligned */
	unsigned int object_size;	/* what the caller asked for */
	unsigned int offset;		/* free pointer offset inside a free object
					 * (≥ inuse: outside the object, SLAB_POISON) */
	unsigned int inuse;		/* debug caches (0 otherwise): object_size rounded
					 * to a word, plus the right red zone: where the
					 * metadata starts (free pointer if outside, then
					 * the tracks) */
	unsigned int cpu_partial_slabs;	/* most slabs on a CPU partial list */
	unsigned int order;		/* pages per slab = 2^order */
	unsigned int objects;		/* objects per slab */
	unsigned int align;
	bool live;
	uint16_t random_seq_len;	/* 0: no shuffling (off, or too many objects) */
	uint16_t random_seq[MAX_RANDOM_SEQ];	/* the cache's object order */
	char name[32];
	struct list_head list;		/* on world->slab_caches */
	struct kmem_cache_node node[1];
	/* Design B only (kconfig.design == DESIGN_SHEAVES); sheaf_capacity 0:
	 * no sheaves (Design A, debug caches, SLUB_TINY) */
	unsigned int sheaf_capacity;
	struct slub_percpu_sheaves cpu_sheaves[NR_CPUS];	/* __percpu */
	struct node_barn barn[1];	/* per node (kernel: n->barn) */
};


/* models: mm/slub.c stat() — raw_cpu_inc(): racy across a migration, on
 * purpose (statistics), and never checked by DEBUG_PREEMPT. */
static __always_inline void stat(struct kmem_cache *s, enum stat_item si)
{
	this_cpu_inc_counter(raw_cpu_ptr(s->cpu_slab)->stat[si]);
}
unsigned long slub_stat(struct kmem_cache *s, enum stat_item si); /* Σ over CPUs */

/* TID_STEP: a power of two ≥ NR_CPUS, so tid also encodes the CPU. */
#define TID_STEP 8ul
static __always_inline unsigned long next_tid(unsigned long tid) { return tid + TID_STEP; }
static __always_inline unsigned long init_tid(int cpu) { return (unsigned long)cpu; }

static __always_inline struct kmem_cache_node *get_node(struct kmem_cache *s, int node)
{
	(void)node;
	return &s->node[0];
}

/* "May this allocation spin on locks?" (include/linux/gfp.h) */
static __always_inline bool gfpflags_allow_spinning(gfp_t gfp)
{
	return gfp & __GFP_RECLAIM;
}

/* "May this allocation sleep?" (include/linux/gfp.h): direct reclaim. */
static __always_inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return gfp & __GFP_DIRECT_RECLAIM;
}

/*
 * models: include/linux/sched/mm.h might_alloc() — an allocation that may
 * reclaim may sleep, whether or not it does this time (its fs_reclaim
 * lockdep map is not modelled).
 */
static __always_inline void might_alloc(gfp_t gfp)
{
	if (gfpflags_allow_blocking(gfp))
		might_sleep();
}

/* Free pointers live inside free (poisoned) objects: hence __no_kasan. */
static __no_kasan void *get_freepointer(struct kmem_cache *s, void *object)
{
	return *(void **)((char *)object + s->offset);
}

static __no_kasan void set_freepointer(struct kmem_cache *s, void *object, void *fp)
{
	*(void **)((char *)object + s->offset) = fp;
}
struct slab *virt_to_slab(const void *x);
void *slab_address(const struct slab *slab);
unsigned long slab_index(const struct slab *slab);
void *slab_alloc_node(struct kmem_cache *s, gfp_t gfp, int node, size_t orig_size);
void *slab_alloc_node_inner(struct kmem_cache *s, gfp_t gfp, int node, size_t orig_size);
void do_slab_free(struct kmem_cache *s, struct slab *slab, void *head, void *tail, int cnt);
void slab_free_inner(struct kmem_cache *s, struct slab *slab, void *head, void *tail, int cnt);
void deactivate_slab(struct kmem_cache *s, struct slab *slab, void *freelist);
/* false: a memcg charge failed and the object was freed again (NULL it) */
bool slab_post_alloc_hook(struct kmem_cache *s, gfp_t gfp, void *object, size_t orig_size);
void slab_free_hook(struct kmem_cache *s, void *object);
void slab_free_object(struct slab *slab, void *object);
struct kmem_cache *kmem_cache_open(const char *name, unsigned int size, unsigned int align,
				slab_flags_t flags);
void discard_slab(struct kmem_cache *s, struct slab *slab);

/* ------------------------------------------------------------------ */
/* debug.c — debug caches: red zones, poisoning, tracks, consistency   */
/* ------------------------------------------------------------------ */

/*
 * Layout of an object slot of a debug cache (s->size bytes):
 *
 *   [0, object_size)        the object
 *   [object_size, inuse)    right red zone (SLAB_RED_ZONE): the word
 *                           alignment padding, or one word if there is none
 *   [inuse, inuse + 8)      the free pointer, if outside the object
 *                           (SLAB_POISON: the poison must stay checkable)
 *   then                    struct track[2] (SLAB_STORE_USER): alloc, free
 *   then                    padding up to s->align
 *
 * Not modelled: the left red zone (red_left_pad; objects start at their slot
 * here, which the harness's object arithmetic relies on), the kmalloc red
 * zone past orig_size, slab padding poison (POISON_INUSE), stack depot
 * handles.
 *
 * ASan: free objects and the metadata stay poisoned (KASAN); the red zone of
 * a SLAB_RED_ZONE cache is NEVER poisoned, so that a harness write past the
 * object lands in it and is found by the model's own checks (a slab error
 * report, as the kernel gives) instead of by ASan.
 */
#define SLUB_RED_INACTIVE	0xbb	/* red zone of a free object */
#define SLUB_RED_ACTIVE		0xcc	/* red zone of an allocated object */
#define POISON_FREE		0x6b	/* a free object's bytes (SLAB_POISON) */
#define POISON_END		0xa5	/* its last byte */

enum track_item { TRACK_ALLOC, TRACK_FREE };

/* SLAB_STORE_USER: who did the last alloc and free. Deterministic: no
 * addresses, no time — a sequence number of the world instead of jiffies. */
struct track {
	unsigned long when;	/* world->track_clock at the event; 0: never */
	int cpu;		/* smp_processor_id() */
	int context;		/* 0 task, 1 softirq, 2 hardirq, 3 NMI */
};

static __always_inline bool freeptr_outside_object(const struct kmem_cache *s)
{
	return s->offset >= s->object_size; /* the kernel compares with inuse: the same here */
}

/* Where the tracks start (the kernel's get_info_end()). */
static __always_inline unsigned int get_info_end(const struct kmem_cache *s)
{
	return freeptr_outside_object(s) ? s->inuse + (unsigned int)sizeof(void *) : s->inuse;
}

void calculate_sizes_debug(struct kmem_cache *s);
void setup_object_debug(struct kmem_cache *s, void *object);
void init_object(struct kmem_cache *s, void *object, uint8_t val);
void set_track(struct kmem_cache *s, void *object, enum track_item alloc);
bool alloc_debug_processing(struct kmem_cache *s, struct slab *slab, void *object,
			    unsigned int orig_size);
bool free_debug_processing(struct kmem_cache *s, struct slab *slab, void *head, void *tail,
			   int *bulk_cnt);
bool check_object(struct kmem_cache *s, struct slab *slab, void *object, uint8_t val);
void free_slab_debug(struct kmem_cache *s, struct slab *slab);
/* The track of object (a copy: the metadata is ASan-poisoned). */
void get_track_copy(struct kmem_cache *s, const void *object, enum track_item alloc,
		    struct track *out);

/* ------------------------------------------------------------------ */
/* nolock.c — kmalloc_nolock, kfree_nolock, deferred frees             */
/* ------------------------------------------------------------------ */

/*
 * Per CPU. Every object on objects is a free-pending object of a live slab
 * linked through its free-pointer slot; every slab on slabs is frozen, on no
 * list, and waits for deactivate_slab(slab, slab->flush_freelist).
 * objects or slabs non-empty ⇒ work is pending (queued on this CPU).
 */
struct defer_free {
	struct llist_head objects;
	struct llist_head slabs;
	struct irq_work work;
};

void defer_free(struct kmem_cache *s, void *head);
void defer_deactivate_slab(struct slab *slab, void *flush_freelist);
void defer_free_init(void);
/* ERR_PTR(-EBUSY): the slow path's internal "this bucket is busy" answer. */
#define SLAB_BUSY ((void *)-16L)

/* ------------------------------------------------------------------ */
/* kmalloc.c — buckets and large kmalloc                               */
/* ------------------------------------------------------------------ */

#define KMALLOC_CACHES 13	/* 8 16 32 64 96 128 192 256 512 1024 2048 4096 8192 */
void create_kmalloc_caches(void);

/* ------------------------------------------------------------------ */
/* config.c — the world                                                */
/* ------------------------------------------------------------------ */

#define MAX_CACHES (KMALLOC_CACHES + 8)	/* the buckets and a few caches of the caller's */

/*
 * memcg (core/memcontrol.c). One memcg, the one every context charges to.
 *
 *   memory.usage · PAGE_SIZE == Σ obj_full_size over charged objects
 *                               + Σ stock nr_bytes (stocks caching objcg)
 *                               + objcg.nr_charged_bytes          (quiescent)
 *   a charged object: its slab's obj_exts vector holds &memcg.objcg at its
 *   index, and it is allocated (not free, not deferred);
 *   charged_bytes − uncharged_bytes == Σ obj_full_size over charged objects.
 */
struct page_counter {
	atomic_long_t usage;		/* pages */
	long max;			/* memory.max, pages */
};

struct obj_cgroup {
	atomic_long_t nr_charged_bytes;	/* pre-charged bytes no stock holds: a
					   refill that could not take the stock lock */
};

struct mem_cgroup {
	struct page_counter memory;
	struct obj_cgroup objcg;
	/* the harness's ledger (not kernel state): plain counters updated
	 * without boundaries */
	unsigned long charge_failures;
	unsigned long charged_bytes, uncharged_bytes;
	unsigned long objexts_race_lost, objexts_freed_nolock, objexts_freed_kfree;
};

/* mm/memcontrol.c obj_stock_pcp: bytes pre-charged to cached_objcg, per CPU. */
struct obj_stock_pcp {
	local_trylock_t lock;
	struct obj_cgroup *cached_objcg;
	unsigned int nr_bytes;
};

/* One word per object of a slab (mm/slab.h struct slabobj_ext). */
struct slabobj_ext {
	struct obj_cgroup *objcg;
};

#define OBJEXTS_ALLOC_FAIL	0x1ul	/* the vector allocation failed: no vector */
#define OBJEXTS_NOSPIN_ALLOC	0x2ul	/* the vector came from kmalloc_nolock() */
#define OBJEXTS_FLAGS_MASK	0x7ul

/* drivers/char/random.c's batched entropy: per CPU, behind a local lock */
struct batched_entropy {
	local_trylock_t lock;
	uint64_t state;
};

struct slab_world {
	struct zone zone;
	struct page *memmap;		/* nr_pages entries */
	struct slab *slabs;		/* nr_pages entries, valid on slab head pages */
	char *pages;			/* nr_pages · PAGE_SIZE bytes of simulated memory */
	unsigned long nr_pages;
	struct kmem_cache caches[MAX_CACHES];
	struct list_head slab_caches;
	struct kmem_cache *kmalloc_caches[KMALLOC_CACHES];
	struct defer_free defer_free_objects[NR_CPUS];
	bool slub_debug_enabled;	/* the static key: a debug cache was created */
	unsigned long track_clock;	/* SLAB_STORE_USER sequence numbers */
	atomic_long_t trylock_failures;	/* slab_trylock_failures() */
	struct batched_entropy entropy[NR_CPUS];	/* core/shuffle.c */
	uint64_t slab_rnd_state[NR_CPUS];
	struct slab_sheaf bootstrap_sheaf;	/* core/sheaves.c: capacity 0, never on a barn */
	unsigned long alloc_contended;	/* model only: page allocations a trylock failed */
	struct mem_cgroup memcg;			/* core/memcontrol.c: the one memcg */
	struct obj_stock_pcp obj_stock[NR_CPUS];
};

/* ---- memcontrol.c — memcg accounting and obj_exts ---- */
void memcg_init(void);
/* Charge a just-allocated object (__GFP_ACCOUNT or a SLAB_ACCOUNT cache);
 * false if the charge failed (the caller frees the object). */
bool memcg_slab_post_alloc_hook(struct kmem_cache *s, gfp_t gfp, void *object);
/* Uncharge an object being freed, if it was charged. */
void memcg_slab_free_hook(struct kmem_cache *s, struct slab *slab, void *object);
/* A failed charge: free the object again, without spinning if the caller
 * may not spin. */
void memcg_alloc_abort_single(struct kmem_cache *s, void *object, gfp_t gfp);
/* The slab is being freed: free its obj_exts vector with the matching API. */
void free_slab_obj_exts(struct slab *slab);

/* ---- shuffle.c — freelist randomization ---- */
void shuffle_init(void);
void init_cache_random_seq(struct kmem_cache *s);
bool shuffle_freelist(struct kmem_cache *s, struct slab *slab, bool allow_spin);

extern struct slab_world *world;

/* IS_ENABLED(CONFIG_SLUB_TINY) */
static __always_inline bool slub_tiny(void)
{
	return KCONFIG(slub_tiny);
}

/* static_branch_unlikely(&slub_debug_enabled) */
static __always_inline bool slub_debug_enabled(void)
{
	return read_fixed(read_fixed(world)->slub_debug_enabled);
}

/* models: mm/slub.c kmem_cache_debug_flags() — s->flags is read only once
 * some debug cache exists. */
static __always_inline bool kmem_cache_debug_flags(const struct kmem_cache *s, slab_flags_t flags)
{
	return slub_debug_enabled() && (s->flags & flags);
}

/* The caches that allocate and free one object at a time under list_lock:
 * every cache with SLUB_TINY, debug caches otherwise. */
static __always_inline bool slab_single_object(const struct kmem_cache *s)
{
	return slub_tiny() || kmem_cache_debug_flags(s, SLAB_DEBUG_FLAGS);
}

/* models: mm/slub.c kmem_cache_debug() */
static __always_inline bool kmem_cache_debug(const struct kmem_cache *s)
{
	return kmem_cache_debug_flags(s, SLAB_DEBUG_FLAGS);
}

/* kconfig.design == DESIGN_SHEAVES (a build-time choice in the kernel: 6.18
 * or 7.0). */
static __always_inline bool design_sheaves(void)
{
	return KCONFIG(design) == DESIGN_SHEAVES;
}

/*
 * "May this allocation spin on locks?" under the alloc_flags rule in force
 * (seed 001). RULE_GFP, the older one: it may unless gfp lacks the reclaim
 * bits — which also catches ordinary allocations made with reclaim masked off
 * (early boot's gfp_allowed_mask, GFP_NOWAIT-like callers without kswapd).
 * RULE_ALLOC_TRYLOCK: it may unless kmalloc_nolock() said SLAB_ALLOC_TRYLOCK.
 */
static __always_inline bool slab_allow_spin(gfp_t gfp)
{
	if (KCONFIG(alloc_flags_rule) == RULE_ALLOC_TRYLOCK)
		return !(gfp & __SLAB_ALLOC_TRYLOCK);
	return gfpflags_allow_spinning(gfp);
}

/* ------------------------------------------------------------------ */
/* sheaves.c — Design B: per-CPU sheaves, the barn                     */
/* ------------------------------------------------------------------ */

void init_percpu_sheaves(struct kmem_cache *s);
void pcs_flush_all_and_free(struct kmem_cache *s);
void *slab_alloc_node_sheaves(struct kmem_cache *s, gfp_t gfp, int node, size_t orig_size);
void slab_free_sheaves(struct kmem_cache *s, struct slab *slab, void *object);
void *kmalloc_nolock_sheaves(size_t size, gfp_t gfp_flags, int node, enum nolock_fail *why);
void kfree_nolock_sheaves(struct kmem_cache *s, struct slab *slab, void *x);

/* slub.c's slab level for Design B (no CPU slabs): one object at a time */
void *get_from_partial_node(struct kmem_cache *s, struct kmem_cache_node *n, gfp_t gfp);
void *alloc_from_new_slab(struct kmem_cache *s, gfp_t gfp, int node);

/* CONFIG_MEMCG (memcg_kmem_online()): a build-time switch, no boundary. */
static __always_inline bool memcg_kmem_online(void)
{
	return KCONFIG(memcg);
}

#endif /* REENTRY_CORE_INTERNAL_H */
