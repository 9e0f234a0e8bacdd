/*
 * tests/test_slub.c — the Design A model (6.18 per-CPU slabs): kmalloc
 * buckets, fast and slow paths, CPU and node partial lists, remote frees,
 * kmalloc_nolock()/kfree_nolock() from nested contexts driven by hand through
 * the machine API, deferred frees and their drain, cache destruction, KASAN
 * poisoning, bad arguments, and the validators (including that they fail on
 * corrupted state). Every test ends with the validators on a quiescent world.
 */
#include "test.h"

#include "../core/bugs.h"
#include "../core/internal.h"
#include "../inject/machine.h"

#include <stdlib.h>
#include <string.h>

static enum nolock_fail why;	/* what kmalloc_nolock_why() said */

static void setup_cpus(int cpus)
{
	kconfig.nr_cpus = cpus;
	kconfig.smp = true; /* UP is a variant of its own */
	boot_world();
}

static void setup(void)
{
	setup_cpus(2);
}



static struct kmem_cache *bucket(size_t size)
{
	return kmalloc_slab(size);
}

static struct kmem_cache_cpu *cpu_slab(struct kmem_cache *s, int cpu)
{
	return per_cpu_ptr(s->cpu_slab, cpu);
}

static bool in_cache(const void *p, const char *name)
{
	struct kmem_cache *s = virt_to_cache(p);

	if (!s || strcmp(kmem_cache_name(s), name) != 0) {
		fprintf(stderr, "object is in %s, expected %s\n", s ? kmem_cache_name(s) : "no cache", name);
		return false;
	}
	return true;
}

static unsigned long allocated(struct kmem_cache *s)
{
	struct cache_census c;

	if (!cache_census(s, &c))
		return ~0ul;
	return c.allocated;
}

/* ---- buckets and the plain API ---------------------------------- */

TEST(slub_kmalloc_buckets)
{
	static const struct { size_t size; const char *name; } want[] = {
		{ 1, "kmalloc-8" }, { 8, "kmalloc-8" }, { 9, "kmalloc-16" }, { 33, "kmalloc-64" },
		{ 65, "kmalloc-96" }, { 96, "kmalloc-96" }, { 97, "kmalloc-128" },
		{ 129, "kmalloc-192" }, { 193, "kmalloc-256" }, { 4097, "kmalloc-8192" },
		{ 8192, "kmalloc-8192" },
	};

	setup();
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(strcmp(kmem_cache_name(bucket(want[i].size)), want[i].name) == 0);
	CHECK(bucket(8193) == NULL);
	CHECK_VALID();
	return true;
}

TEST(slub_first_alloc_slow_then_fast)
{
	struct kmem_cache *s;
	void *a, *b;

	setup();
	s = bucket(64);
	a = kmalloc(64, GFP_KERNEL);
	CHECK(a && in_cache(a, "kmalloc-64"));
	CHECK_EQ(slub_stat(s, ALLOC_SLOWPATH), 1);
	CHECK_EQ(slub_stat(s, ALLOC_SLAB), 1);
	b = kmalloc(64, GFP_KERNEL);
	CHECK(b && b != a);
	CHECK_EQ(slub_stat(s, ALLOC_FASTPATH), 1);
	CHECK_EQ(allocated(s), 2);
	kfree(a);
	kfree(b);
	CHECK_EQ(slub_stat(s, FREE_FASTPATH), 2);
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

TEST(slub_tid_steps_and_encodes_cpu)
{
	struct kmem_cache *s;
	unsigned long tid;
	void *p[3];

	setup();
	s = bucket(32);
	p[0] = kmalloc(32, GFP_KERNEL);
	tid = cpu_slab(s, 0)->tid;
	CHECK_EQ(tid % TID_STEP, 0);
	p[1] = kmalloc(32, GFP_KERNEL);
	CHECK_EQ(cpu_slab(s, 0)->tid, tid + TID_STEP);
	kfree(p[1]);
	CHECK_EQ(cpu_slab(s, 0)->tid, tid + 2 * TID_STEP);
	machine_set_cpu(1);
	p[2] = kmalloc(32, GFP_KERNEL);
	CHECK_EQ(cpu_slab(s, 1)->tid % TID_STEP, 1);
	kfree(p[2]);
	machine_set_cpu(0);
	kfree(p[0]);
	CHECK_VALID();
	return true;
}

TEST(slub_many_objects_distinct_and_aligned)
{
	enum { N = 60 };
	void *p[N];

	setup();
	for (int i = 0; i < N; i++) {
		p[i] = kmalloc(64, GFP_KERNEL);
		CHECK(p[i]);
		CHECK_EQ((uintptr_t)p[i] % 8, 0);
		memset(p[i], i, 64);
		for (int j = 0; j < i; j++)
			CHECK((char *)p[j] + 64 <= (char *)p[i] || (char *)p[i] + 64 <= (char *)p[j]);
	}
	CHECK_VALID();
	CHECK_EQ(allocated(bucket(64)), N);
	for (int i = 0; i < N; i++) {
		for (int k = 0; k < 64; k++)
			CHECK_EQ(((unsigned char *)p[i])[k], (unsigned char)i);
		kfree(p[i]);
	}
	CHECK_EQ(allocated(bucket(64)), 0);
	CHECK_VALID();
	return true;
}

TEST(slub_gfp_zero_zeroes)
{
	unsigned char *p;

	setup();
	p = kmalloc(128, GFP_KERNEL);
	memset(p, 0xa5, 128);
	kfree(p);
	p = kmalloc(128, GFP_KERNEL | __GFP_ZERO);
	CHECK(p);
	for (int i = 0; i < 128; i++)
		CHECK_EQ(p[i], 0);
	kfree(p);
	p = kmalloc_nolock(100, __GFP_ZERO, NUMA_NO_NODE);
	CHECK(p);
	for (int i = 0; i < 100; i++)
		CHECK_EQ(p[i], 0);
	kfree_nolock(p);
	CHECK_VALID();
	return true;
}

TEST(slub_zero_size_and_null)
{
	setup();
	CHECK(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	CHECK(kmalloc_nolock(0, 0, NUMA_NO_NODE) == ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	kfree_nolock(ZERO_SIZE_PTR);
	kfree_nolock(NULL);
	CHECK_EQ(machine_warnings(), 0);
	CHECK_VALID();
	return true;
}

TEST(slub_large_kmalloc_uses_pages)
{
	unsigned long before;
	char *p;

	setup();
	before = nr_free_pages();
	p = kmalloc(3 * PAGE_SIZE, GFP_KERNEL | __GFP_ZERO);
	CHECK(p && !virt_to_slab(p));
	CHECK_EQ(before - nr_free_pages(), 4); /* order 2 */
	CHECK_EQ(p[3 * PAGE_SIZE - 1], 0);
	CHECK_VALID();
	kfree(p);
	CHECK_EQ(nr_free_pages(), before);
	CHECK(kmalloc(64 * PAGE_SIZE, GFP_KERNEL) == NULL); /* beyond MAX_PAGE_ORDER */
	CHECK_VALID();
	return true;
}

TEST(slub_custom_cache_alignment_and_destroy)
{
	struct kmem_cache *s;
	unsigned long before;
	void *p[10];

	setup();
	before = nr_free_pages();
	s = kmem_cache_create("test-24", 24, 32, 0);
	CHECK(s);
	for (int i = 0; i < 10; i++) {
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
		CHECK(p[i] && (uintptr_t)p[i] % 32 == 0);
	}
	CHECK_VALID();
	for (int i = 0; i < 10; i++)
		kmem_cache_free(s, p[i]);
	kmem_cache_destroy(s);
	CHECK_EQ(machine_warnings(), 0);
	CHECK_EQ(nr_free_pages(), before);
	CHECK_VALID();
	return true;
}

TEST(slub_destroy_with_live_objects_warns_and_keeps_cache)
{
	struct kmem_cache *s;
	void *p;

	setup();
	s = kmem_cache_create("leaky", 40, 8, 0);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_destroy(s);
	CHECK_EQ(machine_warnings(), 1);
	CHECK(s->live);
	CHECK_VALID();
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
	CHECK(!s->live);
	CHECK_VALID();
	return true;
}

TEST(slub_kmem_cache_free_wrong_cache_warns)
{
	struct kmem_cache *a, *b;
	void *p;

	setup();
	a = kmem_cache_create("a", 64, 8, 0);
	b = kmem_cache_create("b", 64, 8, 0);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	kmem_cache_free(b, p); /* warns, frees to the right cache */
	CHECK_EQ(machine_warnings(), 1);
	CHECK_EQ(allocated(a), 0);
	CHECK_VALID();
	return true;
}

/* ---- remote frees, partial lists ----------------------------------- */

TEST(slub_remote_free_to_cpu_slab_is_frozen_free)
{
	struct kmem_cache *s;
	void *p;

	setup();
	s = bucket(64);
	p = kmalloc(64, GFP_KERNEL); /* cpu0's CPU slab */
	machine_set_cpu(1);
	kfree(p);
	CHECK_EQ(slub_stat(s, FREE_SLOWPATH), 1);
	CHECK_EQ(slub_stat(s, FREE_FROZEN), 1);
	CHECK(cpu_slab(s, 0)->slab->freelist == p); /* a remote free lands on the slab freelist */
	CHECK_VALID();
	machine_set_cpu(0);
	/* cpu0 takes the remote frees back when its CPU freelist runs dry */
	for (unsigned int i = 0; i < s->objects; i++)
		CHECK(kmalloc(64, GFP_KERNEL));
	CHECK_EQ(slub_stat(s, ALLOC_REFILL), 1);
	CHECK_VALID();
	return true;
}

TEST(slub_full_slab_free_goes_to_cpu_partial)
{
	struct kmem_cache *s;
	void *p[8];
	struct slab *full;

	setup();
	s = bucket(64);
	for (unsigned int i = 0; i < s->objects + 1; i++)
		p[i] = kmalloc(64, GFP_KERNEL); /* first slab full, second is the CPU slab */
	full = virt_to_slab(p[0]);
	CHECK(full != cpu_slab(s, 0)->slab && !full->frozen && full->inuse == full->objects);
	CHECK_VALID();
	machine_set_cpu(1);
	kfree(p[0]);
	CHECK_EQ(slub_stat(s, CPU_PARTIAL_FREE), 1);
	CHECK(cpu_slab(s, 1)->partial == full);
	CHECK_VALID();
	for (unsigned int i = 1; i < s->objects; i++)
		kfree(p[i]);
	CHECK_VALID();
	machine_set_cpu(0);
	kfree(p[s->objects]);
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

TEST(slub_cpu_partial_drains_to_node_when_full)
{
	struct kmem_cache *s;
	void *p[64];
	unsigned int n;

	setup();
	s = bucket(128);
	n = s->objects * 5;
	for (unsigned int i = 0; i < n; i++)
		p[i] = kmalloc(128, GFP_KERNEL);
	machine_set_cpu(1);
	/* one object from each full slab: each becomes a CPU partial slab on cpu1 */
	for (unsigned int i = 0; i < 4 * s->objects; i += s->objects)
		kfree(p[i]);
	CHECK(slub_stat(s, CPU_PARTIAL_DRAIN) >= 1);
	CHECK(get_node(s, 0)->nr_partial >= 1);
	CHECK_VALID();
	for (unsigned int i = 0; i < n; i++)
		if (i % s->objects || i >= 4 * s->objects)
			kfree(p[i]);
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

TEST(slub_node_partial_reused_and_empty_slabs_discarded)
{
	struct kmem_cache *s;
	unsigned long before;
	void *p[80];

	setup_cpus(1);
	kconfig.cpu_partial = false;
	kmem_init();
	before = nr_free_pages();
	s = kmem_cache_create("np", 256, 8, 0);
	s->min_partial = 1;
	for (int i = 0; i < 80; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK_VALID();
	for (int i = 0; i < 80; i += 2)
		kmem_cache_free(s, p[i]);
	CHECK(get_node(s, 0)->nr_partial > 0);
	CHECK_VALID();
	for (int i = 0; i < 80; i += 2)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(slub_stat(s, ALLOC_FROM_PARTIAL) > 0);
	CHECK_VALID();
	for (int i = 0; i < 80; i++)
		kmem_cache_free(s, p[i]);
	CHECK(slub_stat(s, FREE_SLAB) > 0);
	CHECK(get_node(s, 0)->nr_partial <= s->min_partial);
	CHECK_VALID();
	kmem_cache_destroy(s);
	CHECK_EQ(nr_free_pages(), before);
	CHECK_VALID();
	return true;
}

/* ---- kmalloc_nolock / kfree_nolock ------------------------------- */

TEST(slub_nolock_task_context_roundtrip)
{
	void *p;

	setup();
	p = kmalloc_nolock_why(64, 0, NUMA_NO_NODE, &why);
	CHECK(p && in_cache(p, "kmalloc-64"));
	CHECK_EQ(why, NOLOCK_OK);
	kfree_nolock(p);
	CHECK_EQ(slub_stat(bucket(64), FREE_FASTPATH), 1);
	CHECK(!machine_irq_work_pending(0));
	CHECK_VALID();
	return true;
}

TEST(slub_nolock_bad_gfp_warns)
{
	void *p;

	setup();
	p = kmalloc_nolock(64, __GFP_HIGH | __GFP_NOFAIL, NUMA_NO_NODE);
	CHECK_EQ(machine_warnings(), 1);
	CHECK(strstr(machine_last_warning(), "gfp_flags"));
	kfree_nolock(p);
	CHECK_VALID();
	return true;
}

TEST(slub_nolock_too_large_returns_null)
{
	setup();
	CHECK(kmalloc_nolock_why(KMALLOC_MAX_CACHE_SIZE + 1, 0, NUMA_NO_NODE, &why) == NULL);
	CHECK_EQ(why, NOLOCK_TOO_LARGE);
	CHECK(kmalloc_nolock(KMALLOC_MAX_CACHE_SIZE, 0, NUMA_NO_NODE) != NULL);
	CHECK_VALID();
	return true;
}

TEST(slub_nolock_in_nmi_over_locked_bucket_retries_next)
{
	struct kmem_cache *s;
	unsigned long flags;
	void *warm, *p;

	setup();
	s = bucket(64);
	warm = kmalloc(64, GFP_KERNEL); /* give cpu0 a CPU slab in kmalloc-64 */
	local_lock_irqsave(&cpu_slab(s, 0)->lock, flags); /* the task is inside the slow path */
	CHECK(machine_enter(CTX_NMI));
	CHECK(local_lock_is_locked(&cpu_slab(s, 0)->lock));
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	CHECK(p && in_cache(p, "kmalloc-96"));
	kfree_nolock(p);
	machine_exit();
	local_unlock_irqrestore(&cpu_slab(s, 0)->lock, flags);
	kfree(warm);
	CHECK_VALID();
	return true;
}

TEST(slub_nolock_in_nmi_both_buckets_busy_is_null)
{
	unsigned long f64, f96;
	void *p;

	setup();
	local_lock_irqsave(&cpu_slab(bucket(64), 0)->lock, f64);
	local_lock_irqsave(&cpu_slab(bucket(96), 0)->lock, f96);
	CHECK(machine_enter(CTX_NMI));
	p = kmalloc_nolock_why(64, 0, NUMA_NO_NODE, &why);
	CHECK(p == NULL);
	CHECK_EQ(why, NOLOCK_BUSY);
	/* another size is served from its own bucket */
	p = kmalloc_nolock(200, 0, NUMA_NO_NODE);
	CHECK(p && in_cache(p, "kmalloc-256"));
	kfree_nolock(p);
	machine_exit();
	local_unlock_irqrestore(&cpu_slab(bucket(96), 0)->lock, f96);
	local_unlock_irqrestore(&cpu_slab(bucket(64), 0)->lock, f64);
	machine_drain_irq_work();
	CHECK_VALID();
	return true;
}

TEST(slub_nolock_in_nmi_other_cpu_lock_is_not_busy)
{
	unsigned long flags;
	void *p;

	setup();
	/* cpu1's task holds its own kmalloc-64 lock; cpu0's NMI is unaffected */
	machine_set_cpu(1);
	local_lock_irqsave(&cpu_slab(bucket(64), 1)->lock, flags);
	machine_set_cpu(0);
	CHECK(machine_enter(CTX_NMI));
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	CHECK(p && in_cache(p, "kmalloc-64"));
	kfree_nolock(p);
	machine_exit();
	machine_set_cpu(1);
	local_unlock_irqrestore(&cpu_slab(bucket(64), 1)->lock, flags);
	machine_set_cpu(0);
	machine_drain_irq_work();
	CHECK_VALID();
	return true;
}

TEST(slub_kfree_nolock_in_nmi_over_held_lock_defers)
{
	struct kmem_cache *s;
	struct cache_census c;
	unsigned long flags;
	void *p, *q;

	setup();
	s = bucket(64);
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	q = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	CHECK(virt_to_slab(p) == cpu_slab(s, 0)->slab);
	local_lock_irqsave(&cpu_slab(s, 0)->lock, flags);
	CHECK(machine_enter(CTX_NMI));
	kfree_nolock(p);
	CHECK_EQ(slub_stat(s, FREE_DEFERRED), 1);
	CHECK(machine_irq_work_pending(0));
	machine_exit();
	local_unlock_irqrestore(&cpu_slab(s, 0)->lock, flags);
	CHECK_VALID();
	CHECK(cache_census(s, &c));
	CHECK_EQ(c.deferred, 1);
	CHECK_EQ(c.allocated, 1);
	CHECK(machine_run_irq_work());
	CHECK(!machine_irq_work_pending(0));
	CHECK(cache_census(s, &c));
	CHECK_EQ(c.deferred, 0);
	CHECK_EQ(c.allocated, 1);
	kfree_nolock(q);
	CHECK_VALID();
	return true;
}

TEST(slub_kfree_nolock_not_cpu_slab_defers)
{
	struct kmem_cache *s;
	void *p;

	setup();
	s = bucket(64);
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	machine_set_cpu(1);
	kfree_nolock(p); /* cpu0's slab: cpu1 may not take list locks, so it defers */
	CHECK_EQ(slub_stat(s, FREE_DEFERRED), 1);
	CHECK(machine_irq_work_pending(1));
	CHECK_VALID();
	machine_drain_irq_work();
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

TEST(slub_kfree_nolock_non_slab_pointer_warns_and_leaks)
{
	int local;
	char *big;

	setup();
	kfree_nolock(&local);
	CHECK_EQ(machine_warnings(), 1);
	big = kmalloc(2 * KMALLOC_MAX_CACHE_SIZE, GFP_KERNEL);
	kfree_nolock(big);
	CHECK_EQ(machine_warnings(), 2);
	CHECK(strstr(machine_last_warning(), "large_kmalloc"));
	kfree(big);
	kfree(&local); /* kfree of a foreign pointer warns too */
	CHECK_EQ(machine_warnings(), 3);
	CHECK_VALID();
	return true;
}

TEST(slub_nolock_list_lock_trylock_failure_takes_new_slab)
{
	struct kmem_cache *s;
	void *p[16], *q;
	unsigned long slabs;

	setup_cpus(1);
	kconfig.cpu_partial = false;
	kmem_init();
	s = bucket(64);
	for (unsigned int i = 0; i < 3 * s->objects; i++)
		p[i] = kmalloc(64, GFP_KERNEL);
	kfree(p[0]); /* a node partial slab exists now */
	for (unsigned int i = 2 * s->objects; i < 3 * s->objects; i++)
		kfree(p[i]); /* CPU slab: all free again */
	/* use up the CPU slab, so the next nolock allocation needs a slab */
	for (unsigned int i = 2 * s->objects; i < 3 * s->objects; i++)
		p[i] = kmalloc(64, GFP_KERNEL);
	CHECK_EQ(get_node(s, 0)->nr_partial, 1);
	slabs = slub_stat(s, ALLOC_SLAB);
	machine_fail_trylocks(1); /* list_lock "held by another CPU" */
	q = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	CHECK(q);
	CHECK_EQ(slub_stat(s, ALLOC_SLAB), slabs + 1);
	CHECK_EQ(get_node(s, 0)->nr_partial, 1); /* untouched */
	machine_drain_irq_work();
	CHECK_VALID();
	return true;
}

TEST(slub_nolock_page_alloc_failure_is_nomem)
{
	setup();
	machine_fail_page_allocs(1);
	CHECK(kmalloc_nolock_why(64, 0, NUMA_NO_NODE, &why) == NULL);
	CHECK_EQ(why, NOLOCK_NOMEM);
	CHECK(kmalloc_nolock(64, 0, NUMA_NO_NODE) != NULL);
	CHECK_VALID();
	return true;
}

TEST(slub_nolock_in_nmi_over_zone_lock_fails_without_spinning)
{
	unsigned long flags;

	setup();
	spin_lock_irqsave(&world->zone.lock, flags);
	CHECK(machine_enter(CTX_NMI));
	CHECK(kmalloc_nolock_why(64, 0, NUMA_NO_NODE, &why) == NULL);
	CHECK_EQ(why, NOLOCK_NOMEM);
	machine_exit();
	spin_unlock_irqrestore(&world->zone.lock, flags);
	CHECK_VALID();
	return true;
}

TEST(slub_free_pages_nolock_defers_under_held_zone_lock)
{
	unsigned long flags, before;
	struct page *page;

	setup();
	before = nr_free_pages();
	page = alloc_pages(GFP_KERNEL, 1);
	spin_lock_irqsave(&world->zone.lock, flags);
	CHECK(machine_enter(CTX_NMI));
	free_pages_nolock(page, 1);
	machine_exit();
	spin_unlock_irqrestore(&world->zone.lock, flags);
	CHECK_EQ(nr_free_pages(), before - 2); /* waiting for the next lock holder */
	free_pages_inner(alloc_pages(GFP_KERNEL, 0), 0);
	CHECK_EQ(nr_free_pages(), before);
	CHECK_VALID();
	return true;
}

/* ---- nested contexts that must be reported, not hang -------------- */

static void nmi_kmalloc_on_held_zone_lock(void *arg)
{
	unsigned long flags;

	(void)arg;
	spin_lock_irqsave(&world->zone.lock, flags);
	machine_enter(CTX_NMI);
	kmalloc(64, GFP_ATOMIC); /* a spinning allocation where only nolock is legal */
}

TEST(slub_nmi_spinning_on_held_zone_lock_is_deadlock)
{
	setup();
	CHECK(report_is(machine_try(nmi_kmalloc_on_held_zone_lock, NULL), "deadlock"));
	return true;
}

static void nmi_kfree_needs_held_list_lock(void *arg)
{
	void **p = arg;
	struct kmem_cache *s = virt_to_cache(p[0]);
	unsigned long flags;

	spin_lock_irqsave(&get_node(s, 0)->list_lock, flags);
	machine_enter(CTX_NMI);
	kfree(p[0]); /* last object of a node partial slab: takes list_lock */
}

TEST(slub_nmi_spinning_on_held_list_lock_is_deadlock)
{
	struct kmem_cache *s;
	void *p[8];

	setup_cpus(1);
	kconfig.cpu_partial = false;
	kmem_init();
	s = kmem_cache_create("dl", 64, 8, 0);
	for (unsigned int i = 0; i < s->objects + 1; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (unsigned int i = 1; i < s->objects; i++)
		kmem_cache_free(s, p[i]); /* slab of p[0] goes to the node partial list */
	CHECK_EQ(get_node(s, 0)->nr_partial, 1);
	CHECK(report_is(machine_try(nmi_kfree_needs_held_list_lock, p), "deadlock"));
	return true;
}

static void nmi_kmalloc_in_slow_path(void *arg)
{
	struct kmem_cache *s = arg;
	unsigned long flags;

	local_lock_irqsave(&cpu_slab(s, 0)->lock, flags);
	machine_enter(CTX_NMI);
	kmalloc(s->object_size, GFP_ATOMIC); /* not kmalloc_nolock */
}

TEST(slub_nmi_kmalloc_over_held_cpu_lock_is_reported)
{
	setup();
	/* !LOCKDEP: the recursive local_lock is a deadlock */
	kmalloc(64, GFP_KERNEL); /* warm up: the NMI's kmalloc reaches the slow path */
	boot_world();
	CHECK(report_is(machine_try(nmi_kmalloc_in_slow_path, bucket(64)), "deadlock"));
	/* LOCKDEP: the asserted trylock fails */
	kconfig.lockdep = true;
	boot_world();
	CHECK(report_is(machine_try(nmi_kmalloc_in_slow_path, bucket(64)), "lockdep-assert"));
	kconfig.lockdep = false;
	return true;
}

static void kmalloc_gfp_kernel_irqs_off(void *arg)
{
	unsigned long flags;

	(void)arg;
	local_irq_save(flags);
	kmalloc(64, GFP_KERNEL);
}

TEST(slub_gfp_kernel_in_atomic_is_sleep_in_atomic)
{
	setup();
	CHECK(report_is(machine_try(kmalloc_gfp_kernel_irqs_off, NULL), "might-sleep"));
	return true;
}

/*
 * The scenario the design is about, driven through the boundary hook: while
 * the task's kmalloc() is inside a locked section of the slow path, an NMI
 * runs kmalloc_nolock() and kfree_nolock() on the same bucket. The bucket is
 * busy, so the allocation is served by the next bucket and the free is
 * deferred; afterwards nothing is lost and nothing is handed out twice.
 */
static struct {
	struct kmem_cache *s;
	void *victim;
	void *got;
	bool fired;
} nmi;

static void nmi_when_cpu_lock_held(void *pc)
{
	struct env_lock *l = &cpu_slab(nmi.s, 0)->lock.l;

	(void)pc;
	if (nmi.fired || l->owner_cpu != 0 || machine_depth() != 0)
		return;
	nmi.fired = true;
	machine_enter(CTX_NMI);
	nmi.got = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	kfree_nolock(nmi.victim);
	machine_exit();
}

TEST(slub_nmi_inside_slow_path_locked_section)
{
	void *p[8], *fresh;
	struct cache_census c;

	setup();
	nmi.s = bucket(64);
	for (unsigned int i = 0; i < nmi.s->objects; i++)
		p[i] = kmalloc(64, GFP_KERNEL); /* the CPU freelist is now empty */
	nmi.victim = p[0];
	machine_boundary_hook = nmi_when_cpu_lock_held;
	fresh = kmalloc(64, GFP_KERNEL); /* slow path: new slab, per-CPU lock */
	machine_boundary_hook = NULL;
	CHECK(nmi.fired);
	CHECK(fresh && in_cache(fresh, "kmalloc-64"));
	CHECK(nmi.got && in_cache(nmi.got, "kmalloc-96"));
	CHECK_EQ(slub_stat(nmi.s, FREE_DEFERRED), 1);
	CHECK_VALID();
	machine_drain_irq_work();
	CHECK(cache_census(nmi.s, &c));
	CHECK_EQ(c.allocated, nmi.s->objects); /* p[1..] and fresh */
	CHECK_VALID();
	return true;
}

/* ---- KASAN ------------------------------------------------------- */

#ifdef REENTRY_ASAN
TEST_ASAN(slub_kasan_poisons_free_objects_and_tails)
{
	char *p;

	setup();
	p = kmalloc(100, GFP_KERNEL); /* kmalloc-128 */
	CHECK(!__asan_address_is_poisoned(p + 99));
	CHECK(__asan_address_is_poisoned(p + 100 + 7));
	kfree(p);
	CHECK(__asan_address_is_poisoned(p));
	CHECK_VALID();
	return true;
}
#endif

static void double_free(void *arg)
{
	(void)arg;
	void *p = kmalloc(64, GFP_KERNEL);

	kfree(p);
	kfree(p);
}

static void interior_free(void *arg)
{
	(void)arg;
	char *p = kmalloc(64, GFP_KERNEL);

	kfree(p + 8);
}

TEST(slub_invalid_frees_are_kasan_reports)
{
	const struct machine_report *r;

	setup();
	r = machine_try(interior_free, NULL);
	CHECK(report_is(r, "kasan") && strstr(r->text, "BUG: KASAN: invalid-free of kmalloc-64 slab"));
	/* the model cannot go on from an invalid free: reported with KASAN off too */
	setup();
	kconfig.kasan = false;
	r = machine_try(interior_free, NULL);
	kconfig.kasan = true;
	CHECK(report_is(r, "kasan"));
#ifdef REENTRY_ASAN
	setup();
	r = machine_try(double_free, NULL);
	CHECK(report_is(r, "kasan") && strstr(r->text, "BUG: KASAN: double-free of kmalloc-64 slab"));
	/* KASAN off: nothing reports at the free; the object is on its freelist
	 * twice, which the validators see */
	setup();
	kconfig.kasan = false;
	r = machine_try(double_free, NULL);
	kconfig.kasan = true;
	CHECK(!r || !report_is(r, "kasan"));
#else
	(void)double_free;
#endif
	return true;
}

/* ---- configurations ---------------------------------------------- */

TEST(slub_no_cmpxchg128_nolock_unsupported_kmalloc_works)
{
	void *p;

	kconfig.has_cmpxchg128 = false;
	setup();
	CHECK(!(bucket(64)->flags & __CMPXCHG_DOUBLE));
	CHECK(kmalloc_nolock_why(64, 0, NUMA_NO_NODE, &why) == NULL);
	CHECK_EQ(why, NOLOCK_UNSUPPORTED);
	p = kmalloc(64, GFP_KERNEL);
	machine_set_cpu(1);
	kfree(p); /* remote free through the slab-lock path */
	machine_set_cpu(0);
	CHECK_VALID();
	kconfig.has_cmpxchg128 = true;
	return true;
}

/* ---- the validators fail on broken state ------------------------- */

TEST(slub_validators_catch_corruption)
{
	struct kmem_cache *s;
	struct slab *slab;
	void *p, *q;

	setup();
	s = bucket(64);
	p = kmalloc(64, GFP_KERNEL);
	q = kmalloc(64, GFP_KERNEL);
	CHECK_VALID();

	cpu_slab(s, 0)->tid += 1;
	CHECK(!validate_all());
	CHECK(strstr(validate_error(), "tid"));
	cpu_slab(s, 0)->tid -= 1;
	CHECK_VALID();

	slab = virt_to_slab(p);
	slab->inuse--;
	CHECK(!validate_all());
	slab->inuse++;
	CHECK_VALID();

	get_node(s, 0)->nr_partial++;
	CHECK(!validate_all());
	get_node(s, 0)->nr_partial--;

	/* a freelist cycle: bounded walk, no hang */
	kfree(q);
	kfree(p); /* CPU freelist: p -> q -> ... */
	set_freepointer(s, q, p);
	CHECK(!validate_all());
	CHECK(strstr(validate_error(), "twice"));
	return true;
}

/* ---- invariants: numbered and named ------------------------------ */

/* The NAME of "invariant-N-NAME". */
static const char *invariant_name(int n)
{
	const char *dash = strchr(invariant_class(n) + strlen("invariant-"), '-');

	return dash ? dash + 1 : "";
}

TEST(slub_invariant_classes_are_numbered_and_named)
{
	char prefix[24];

	CHECK(!strcmp(invariant_class(0), "invariant"));
	CHECK(!strcmp(invariant_class(-1), "invariant"));
	CHECK(!strcmp(invariant_class(NR_INVARIANTS), "invariant"));
	CHECK(!strcmp(invariant_class(2), "invariant-2-slab-lists"));
	for (int n = 1; n < NR_INVARIANTS; n++) {
		const char *cls = invariant_class(n), *name = invariant_name(n);

		snprintf(prefix, sizeof(prefix), "invariant-%d-", n);
		CHECK(!strncmp(cls, prefix, strlen(prefix)));
		CHECK(*name && strspn(name, "abcdefghijklmnopqrstuvwxyz-") == strlen(name));
		/* a report's class and a "# expect:" line hold 31 characters */
		CHECK(strlen(cls) < sizeof(((struct machine_report *)0)->cls));
		for (int m = 1; m < n; m++)
			CHECK(strcmp(name, invariant_name(m)) != 0);
	}
	/* the registry's expected classes are the table's */
	for (int b = 0; b < NR_SLAB_BUGS; b++) {
		const char *expect = slab_bugs[b].expect;

		if (!strncmp(expect, "invariant", strlen("invariant")))
			CHECK(!strcmp(expect, invariant_class(atoi(expect + strlen("invariant-")))));
	}
	return true;
}

TEST(slub_validators_name_the_invariant_they_break)
{
	struct kmem_cache *s;
	struct slab *slab;
	void *p;

	setup();
	s = bucket(64);
	p = kmalloc(64, GFP_KERNEL);
	CHECK_VALID();

	cpu_slab(s, 0)->tid += 1;
	CHECK(!validate_all());
	CHECK(!strcmp(invariant_class(validate_invariant()), "invariant-3-cpu-tid"));
	cpu_slab(s, 0)->tid -= 1;
	CHECK_VALID();

	slab = virt_to_slab(p);
	slab->inuse--;
	CHECK(!validate_all());
	CHECK(!strcmp(invariant_class(validate_invariant()), "invariant-2-slab-lists"));
	slab->inuse++;
	CHECK_VALID();
	return true;
}

/* ---- randomized, over every combination of a few booleans -------- */

static bool random_run(uint64_t seed, int cpus, bool cpu_partial, bool lockdep)
{
	enum { SLOTS = 48, STEPS = 600 };
	struct { void *p; bool nolock; unsigned int size; } live[SLOTS] = { 0 };
	uint64_t st = seed;

	kconfig.cpu_partial = cpu_partial;
	kconfig.lockdep = lockdep;
	setup_cpus(cpus);
	for (int step = 0; step < STEPS; step++) {
		uint64_t r = test_rand(&st);
		int i = (int)(r % SLOTS);

		machine_set_cpu((int)((r >> 8) % (uint64_t)cpus));
		if (!live[i].p) {
			static const unsigned int sizes[] = { 8, 24, 64, 96, 150, 256, 1000, 5000 };
			unsigned int size = sizes[(r >> 16) % 8];
			bool nolock = (r >> 24) & 1;

			live[i].p = nolock ? kmalloc_nolock(size, 0, NUMA_NO_NODE)
					   : kmalloc(size, GFP_KERNEL);
			CHECK(live[i].p);
			live[i].nolock = nolock;
			live[i].size = size;
			memset(live[i].p, i + 1, size);
		} else {
			for (unsigned int k = 0; k < live[i].size; k++)
				CHECK_EQ(((unsigned char *)live[i].p)[k], (unsigned char)(i + 1));
			if (live[i].nolock)
				kfree_nolock(live[i].p);
			else
				kfree(live[i].p);
			live[i].p = NULL;
		}
		if ((r >> 32) % 8 == 0)
			machine_drain_irq_work();
		CHECK(valid());
	}
	for (int i = 0; i < SLOTS; i++)
		if (live[i].p)
			kfree(live[i].p);
	machine_drain_irq_work();
	CHECK(valid());
	for (int k = 0; k < KMALLOC_CACHES; k++)
		CHECK_EQ(allocated(world->kmalloc_caches[k]), 0);
	return true;
}

TEST(slub_random_ops_all_configs_validate)
{
	uint64_t seed = test_seed();
	static const int cpus[] = { 1, 2, 4 };

	for (int c = 0; c < 3; c++)
		for (int partial = 0; partial < 2; partial++)
			for (int lockdep = 0; lockdep < 2; lockdep++) {
				if (!random_run(seed + (uint64_t)c, cpus[c], partial, lockdep)) {
					fprintf(stderr, "failed: cpus=%d cpu_partial=%d lockdep=%d seed=%llu\n",
						cpus[c], partial, lockdep, (unsigned long long)seed);
					return false;
				}
			}
	return true;
}

/*
 * A hand-rolled sweep: an NMI doing kmalloc_nolock()+kfree_nolock() at each
 * boundary of a kmalloc/kfree program, one boundary per run. It found the
 * model's first bug: node slab counts kept with plain ++ lost the NMI's
 * increment (the kernel's inc_slabs_node() is atomic).
 */
static struct { long target, count; bool fired; } sweep;

static void nmi_at_target(void *pc)
{
	void *p;

	(void)pc;
	if (sweep.fired || sweep.count++ != sweep.target)
		return;
	sweep.fired = true;
	if (!machine_enter(CTX_NMI))
		return;
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	kfree_nolock(p);
	machine_exit();
}

static void kmalloc_kfree_program(void *arg)
{
	void *x[6];

	(void)arg;
	for (int i = 0; i < 6; i++)
		x[i] = kmalloc(64, GFP_KERNEL);
	for (int i = 0; i < 6; i++)
		kfree(x[i]);
	machine_boundary_hook = NULL;
	machine_drain_irq_work();
	if (!validate_all())
		machine_report("invariant", "%s", validate_error());
}

TEST(slub_nmi_at_every_boundary_of_kmalloc_kfree_is_clean)
{
	const struct machine_report *r;

	for (sweep.target = 0;; sweep.target++) {
		setup();
		sweep.count = 0;
		sweep.fired = false;
		machine_boundary_hook = nmi_at_target;
		r = machine_try(kmalloc_kfree_program, NULL);
		machine_boundary_hook = NULL;
		if (r) {
			fprintf(stderr, "NMI at boundary %ld: %s: %s\n", sweep.target, r->cls, r->text);
			return false;
		}
		if (!sweep.fired)
			break;
	}
	printf("%ld boundaries swept\n", sweep.target);
	CHECK(sweep.target > 40); /* even without load/store instrumentation: atomics and locks */
	return true;
}

/* ---- UP: spinlocks are no-ops ------------------------------------ */

TEST(slub_up_kmalloc_nolock_bails_in_nmi_and_where_irqs_are_off)
{
	unsigned long flags;
	void *p;

	kconfig.nr_cpus = 1;
	kconfig.smp = false;
	boot_world();
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE); /* task context: served */
	CHECK(p);
	/* the task is inside list_lock; on UP an NMI's trylock would "succeed" */
	spin_lock_irqsave(&get_node(bucket(64), 0)->list_lock, flags);
	CHECK(machine_enter(CTX_NMI));
	CHECK(kmalloc_nolock_why(64, 0, NUMA_NO_NODE, &why) == NULL);
	CHECK_EQ(why, NOLOCK_CONTEXT);
	kfree_nolock(p); /* frees still work: deferred or pushed, never a list lock */
	machine_exit();
	/* so would a kprobe's: irqs are off, the model's fix refuses */
	CHECK(machine_enter(CTX_KPROBE));
	CHECK(kmalloc_nolock_why(64, 0, NUMA_NO_NODE, &why) == NULL);
	CHECK_EQ(why, NOLOCK_CONTEXT);
	machine_exit();
	spin_unlock_irqrestore(&get_node(bucket(64), 0)->list_lock, flags);
	/* a kprobe where irqs are on is served */
	CHECK(machine_enter(CTX_KPROBE));
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	CHECK(p);
	kfree_nolock(p);
	machine_exit();
	/* a hardirq runs with irqs off: refused too (sound, if broad) ... */
	CHECK(machine_enter(CTX_HARDIRQ));
	CHECK(kmalloc_nolock_why(64, 0, NUMA_NO_NODE, &why) == NULL);
	CHECK_EQ(why, NOLOCK_CONTEXT);
	/* ... and served with the 6.18 rule (NMI only) switched back on */
	kconfig.bugs = 1ull << BUG_UP_TRYLOCK_REENTERS;
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	kconfig.bugs = 0;
	CHECK(p);
	kfree_nolock(p);
	machine_exit();
	machine_drain_irq_work();
	CHECK_VALID();
	return true;
}

/* ---- freelist randomization ----------------------------------------- */

TEST(slub_shuffle_randomizes_new_slabs_without_the_entropy_lock_in_nmi)
{
	struct kmem_cache *s;
	unsigned long flags;
	bool in_order = true;
	void *p[16], *q;

	kconfig.shuffle = true;
	kconfig.slab_objects = 16;
	setup();
	s = bucket(64);
	CHECK_EQ(s->random_seq_len, 16);
	for (int i = 0; i < 16; i++) {
		p[i] = kmalloc(64, GFP_KERNEL);
		in_order = in_order && kmem_object_index(p[i]) == i;
	}
	CHECK(!in_order); /* a fixed permutation from a random start */
	CHECK_VALID();
	/* the task holds the entropy lock; an NMI needs a new slab: it must not take it */
	/* (the harness picks the CPU: no DEBUG_PREEMPT check on its lookup) */
	local_lock_irqsave(&per_cpu_ptr(world->entropy, machine_cpu())->lock, flags);
	CHECK(machine_enter(CTX_NMI));
	q = kmalloc_nolock(512, 0, NUMA_NO_NODE);
	CHECK(q);
	kfree_nolock(q);
	machine_exit();
	local_unlock_irqrestore(&per_cpu_ptr(world->entropy, machine_cpu())->lock, flags);
	for (int i = 0; i < 16; i++)
		kfree(p[i]);
	machine_drain_irq_work();
	CHECK_VALID();
	kconfig.shuffle = false;
	kconfig.slab_objects = 4;
	return true;
}

/* ---- destruction while other CPUs have deferred work ---------------- */

TEST(slub_destroy_from_any_cpu_waits_for_every_cpus_deferred_frees)
{
	struct kmem_cache *s;
	unsigned long before;
	void *p[8];

	kconfig.nr_cpus = 4;
	setup_cpus(4);
	before = nr_free_pages();
	s = kmem_cache_create("d", 48, 8, 0);
	for (int i = 0; i < 8; i++) {
		machine_set_cpu(i % 4);
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	}
	/* every object freed from a CPU that does not own its slab, in an NMI:
	 * deferred on CPUs 1, 2 and 3, their irq_work left pending */
	for (int i = 0; i < 8; i++) {
		machine_set_cpu(1 + i % 3);
		CHECK(machine_enter(CTX_NMI));
		kfree_nolock(p[i]);
		machine_exit();
	}
	CHECK(machine_irq_work_pending(1) && machine_irq_work_pending(2) &&
	      machine_irq_work_pending(3));
	CHECK_VALID();
	machine_set_cpu(0);
	kmem_cache_destroy(s); /* from CPU 0, which has none of the work */
	CHECK_EQ(machine_warnings(), 0);
	CHECK(!s->live);
	CHECK(!machine_irq_work_pending(1) && !machine_irq_work_pending(2) &&
	      !machine_irq_work_pending(3));
	CHECK_EQ(nr_free_pages(), before);
	CHECK_VALID();
	return true;
}
