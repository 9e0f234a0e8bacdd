/*
 * core/config.c — the Kconfig in force and the world it builds.
 */
#include "internal.h"

/* Defaults: the 6.18 per-CPU slab design, !RT, SMP with 2 CPUs, tiny slabs,
 * DEBUG_PREEMPT and the bound on a nolock call's work on. */
struct kconfig kconfig = {
	.design = DESIGN_CPU_SLAB,
	.alloc_flags_rule = RULE_GFP,
	.nr_cpus = 2,
	.smp = true,
	.cpu_partial = true,
	.has_cmpxchg128 = true,
	.debug_preempt = true,
	.bounded_work = true,
	.nolock_spin = true,
	.kasan = true,
	.kmemleak = true,
	.api_contract = true,
	.debug_atomic_sleep = true,
	.lockdep_assert = true,
	.lockdep_irq = true,
	.slab_objects = 4,
	.arena_pages = 512,
	.memcg_limit_pages = 16,
};

struct slab_world *world;

static size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) / a * a;
}

void kmem_init(void)
{
	unsigned long n = kconfig.arena_pages;
	size_t meta = align_up(sizeof(struct slab_world), 64);
	size_t memmap = align_up(n * sizeof(struct page), 64);
	size_t slabs = align_up(n * sizeof(struct slab), 64);
	size_t head = align_up(meta + memmap + slabs, PAGE_SIZE);
	char *base = env_arena_map(head + n * PAGE_SIZE);

	/* The pages may still be poisoned by an earlier world, and hold its
	 * bytes: a fresh world is all zero, whatever ran before it (else a
	 * verdict could depend on earlier inputs in the same process). */
	kasan_unpoison(base, head + n * PAGE_SIZE);
	memset(base, 0, head + n * PAGE_SIZE);
	world = (struct slab_world *)base;
	world->memmap = (struct page *)(base + meta);
	world->slabs = (struct slab *)(base + meta + memmap);
	world->pages = base + head;
	world->nr_pages = n;
	INIT_LIST_HEAD(&world->slab_caches);

	page_alloc_init();
	shuffle_init();
	defer_free_init();
	memcg_init();
	create_kmalloc_caches();
}
