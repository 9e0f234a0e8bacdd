/*
 * tests/test_memcg.c — memcg accounting (core/memcontrol.c): charge and
 * uncharge balance, the per-CPU stock (hit, miss, and a trylock that fails
 * under an NMI), the obj_exts vector (installed once, the install race, the
 * failure sentinel, freed with the API matching its allocation), a failed
 * charge (NULL, the object freed), the limit, and the objext_recursion bug.
 * Each test starts a fresh world with memcg on and ends with the validators
 * (which check invariants 10 and 11).
 */
#include "test.h"

#include "../core/bugs.h"
#include "../core/internal.h"
#include "../inject/machine.h"

#include <string.h>

static void setup_world(bool memcg)
{
	test_kconfig(2);
	kconfig.slub_debug = 0;
	kconfig.bugs = 0;
	kconfig.memcg = memcg;
	kconfig.memcg_limit_pages = 16;
	boot_world();
}

static unsigned int full_size(const void *p)
{
	return virt_to_slab(p)->slab_cache->size + (unsigned int)sizeof(void *);
}

/* The obj_exts word of p's object, or ~0ul if its slab has no vector. */
static unsigned long objext_word(const void *p)
{
	struct slab *slab = virt_to_slab(p);
	unsigned long exts = slab->obj_exts;
	struct slabobj_ext *vec = (struct slabobj_ext *)(exts & ~OBJEXTS_FLAGS_MASK);

	if (!vec)
		return ~0ul;
	return (unsigned long)vec[kmem_object_index(p)].objcg;
}

static bool charged(const void *p)
{
	return objext_word(p) == (unsigned long)&world->memcg.objcg;
}

/* Everything freed and drained: every byte uncharged, the counter at zero
 * after the stocks are drained, and only vectors still allocated. */
static void census_vectors(struct kmem_cache *s, const struct cache_census *c, void *arg)
{
	bool *ok = arg;

	if (c->allocated != c->objext_vectors) {
		fprintf(stderr, "%s: %lu allocated, %lu of them vectors\n", kmem_cache_name(s),
			c->allocated, c->objext_vectors);
		*ok = false;
	}
}

static bool balanced_at_end(void)
{
	bool ok = true;

	machine_drain_irq_work();
	CHECK(validate_all_census(census_vectors, &ok));
	CHECK(ok);
	CHECK_EQ(memcg_charged_bytes(), memcg_uncharged_bytes());
	memcg_drain_all_stock();
	CHECK_EQ(memcg_usage_pages(), 0);
	CHECK_VALID();
	return true;
}

TEST(memcg_charge_uncharge_balance)
{
	struct kmem_cache *c0;
	void *a, *b, *c, *d;
	unsigned long expect;

	setup_world(true);
	c0 = kmem_cache_create("acct", 200, 8, SLAB_ACCOUNT);
	CHECK(c0);
	a = kmalloc(64, GFP_KERNEL | __GFP_ACCOUNT);
	b = kmalloc_nolock(512, __GFP_ACCOUNT, NUMA_NO_NODE);
	c = kmem_cache_alloc(c0, GFP_KERNEL);		/* SLAB_ACCOUNT: charged without the flag */
	d = kmalloc(64, GFP_KERNEL);			/* not accounted */
	CHECK(a && b && c && d);
	CHECK(charged(a) && charged(b) && charged(c));
	CHECK(!charged(d));
	expect = full_size(a) + full_size(b) + full_size(c);
	CHECK_EQ(memcg_charged_bytes(), expect);
	CHECK(memcg_usage_pages() >= 1);
	CHECK_VALID();	/* page counter == charged objects + stocks + parked bytes */

	kfree(a);
	kfree_nolock(b);	/* uncharged now; its deferred free must not uncharge again */
	CHECK_EQ(memcg_uncharged_bytes(), full_size(a) + full_size(b));
	machine_drain_irq_work();
	CHECK_EQ(memcg_uncharged_bytes(), full_size(a) + full_size(b));
	kmem_cache_free(c0, c);
	kfree(d);
	CHECK_EQ(memcg_uncharged_bytes(), expect);
	kmem_cache_destroy(c0);
	return balanced_at_end();
}

TEST(memcg_stock_miss_then_hit)
{
	struct obj_stock_pcp *stock;
	void *a, *b;

	setup_world(true);
	stock = per_cpu_ptr(world->obj_stock, 0);
	a = kmalloc(64, GFP_KERNEL | __GFP_ACCOUNT);
	CHECK(a);
	/* a miss: one page charged, its rest put into this CPU's stock */
	CHECK_EQ(memcg_usage_pages(), 1);
	CHECK(stock->cached_objcg == &world->memcg.objcg);
	CHECK_EQ(stock->nr_bytes, PAGE_SIZE - full_size(a));
	b = kmalloc(64, GFP_KERNEL | __GFP_ACCOUNT);
	CHECK(b);
	/* a hit: served from the stock, the counter unchanged */
	CHECK_EQ(memcg_usage_pages(), 1);
	CHECK_EQ(stock->nr_bytes, PAGE_SIZE - full_size(a) - full_size(b));
	CHECK_VALID();
	kfree(a);
	kfree(b);
	/* uncharges go to the stock first */
	CHECK_EQ(stock->nr_bytes, PAGE_SIZE);
	CHECK_EQ(memcg_usage_pages(), 1);
	return balanced_at_end();
}

/*
 * An NMI over the task's locked stock section: the NMI's charge finds the
 * stock taken (trylock), charges the page counter directly and parks the
 * rest of the page in the obj_cgroup; its uncharge parks the bytes too.
 */
TEST(memcg_nolock_charge_when_stock_lock_held)
{
	struct obj_stock_pcp *stock;
	unsigned long flags;
	void *p;

	setup_world(true);
	stock = per_cpu_ptr(world->obj_stock, 0);
	local_irq_save(flags);
	CHECK(env_trylock(&stock->lock.l));	/* the task is inside consume_obj_stock() */
	CHECK(machine_enter(CTX_NMI));
	p = kmalloc_nolock(64, __GFP_ACCOUNT, NUMA_NO_NODE);
	CHECK(p && charged(p));
	CHECK_EQ(memcg_usage_pages(), 1);
	CHECK_EQ(stock->nr_bytes, 0);
	CHECK_EQ(atomic_long_read(&world->memcg.objcg.nr_charged_bytes), PAGE_SIZE - full_size(p));
	kfree_nolock(p);
	CHECK_EQ(atomic_long_read(&world->memcg.objcg.nr_charged_bytes), PAGE_SIZE);
	machine_exit();
	env_unlock(&stock->lock.l);
	local_irq_restore(flags);
	CHECK_VALID();
	return balanced_at_end();
}

/*
 * The install race: the task allocates the first accounted object of a slab
 * and an NMI, at each boundary in turn, allocates another accounted object
 * from the same slab. Where the NMI installs its vector after the task read
 * the word and before its cmpxchg (or after its nested allocation), the task
 * loses: it frees its own vector and uses the NMI's. Every trial must end
 * with both objects charged to one vector and nothing lost.
 */
static int race_at;		/* boundary at which the NMI fires (0: none) */
static int race_count;
static bool race_in_nmi;
static void *race_nmi_obj;

static void race_hook(void *pc)
{
	(void)pc;
	if (race_in_nmi || ++race_count != race_at)
		return;
	race_in_nmi = true;
	if (machine_enter(CTX_NMI)) {
		race_nmi_obj = kmalloc_nolock(64, __GFP_ACCOUNT, NUMA_NO_NODE);
		machine_exit();
	}
	race_in_nmi = false;
}

TEST(memcg_objexts_install_race_loser_frees_its_vector)
{
	int lost = 0, fired = 0;

	for (race_at = 1; race_at < 400; race_at++) {
		void (*saved)(void *) = machine_boundary_hook;
		void *a, *b;
		unsigned long exts;

		setup_world(true);
		a = kmalloc_nolock(64, 0, NUMA_NO_NODE);	/* the slab exists, no vector yet */
		CHECK(a && !virt_to_slab(a)->obj_exts);
		race_count = 0;
		race_nmi_obj = NULL;
		machine_boundary_hook = race_hook;
		b = kmalloc_nolock(64, __GFP_ACCOUNT, NUMA_NO_NODE);
		machine_boundary_hook = saved;
		if (race_count < race_at)
			break;	/* past the last boundary of the allocation */
		fired++;
		CHECK(b && charged(b));
		exts = virt_to_slab(b)->obj_exts;
		CHECK(exts && !(exts & OBJEXTS_ALLOC_FAIL));
		/* (the NMI's object may be unaccounted: its own vector allocation
		 * can fail in NMI, e.g. over the task's zone lock; the validators
		 * check that whatever happened is consistent) */
		lost += (int)memcg_objexts_race_lost();
		CHECK_VALID();
		kfree_nolock(a);
		kfree_nolock(b);
		kfree_nolock(race_nmi_obj);
		if (!balanced_at_end())
			return false;
	}
	printf("%d trials, %d lost the install race\n", fired, lost);
	CHECK(fired > 20);
	CHECK(lost > 0);
	return true;
}

/* The vector cannot be had: the sentinel, the object unaccounted; a later
 * accounted allocation replaces the sentinel with a vector. */
TEST(memcg_objexts_sentinel_on_failed_vector_alloc)
{
	void *a, *b, *c;

	setup_world(true);
	a = kmalloc(64, GFP_KERNEL);		/* makes the kmalloc-64 slab */
	CHECK(a);
	machine_fail_page_allocs(1);		/* the vector's kmalloc-32 needs a new slab */
	b = kmalloc(64, GFP_KERNEL | __GFP_ACCOUNT);
	CHECK(b);
	CHECK_EQ(virt_to_slab(b)->obj_exts, OBJEXTS_ALLOC_FAIL);
	CHECK_EQ(objext_word(b), ~0ul);		/* the sentinel is no vector */
	CHECK_EQ(memcg_charged_bytes(), 0);
	CHECK_EQ(memcg_usage_pages(), 0);
	CHECK_VALID();
	kfree(b);				/* nothing to uncharge */
	CHECK_EQ(memcg_uncharged_bytes(), 0);
	c = kmalloc(64, GFP_KERNEL | __GFP_ACCOUNT);
	CHECK(c && charged(c));
	CHECK(!(virt_to_slab(c)->obj_exts & OBJEXTS_ALLOC_FAIL));
	kfree(a);
	kfree(c);
	return balanced_at_end();
}

/* A vector from kmalloc_nolock() goes back by kfree_nolock(), one from
 * kmalloc() by kfree(), when the slab is freed (here: the cache destroyed). */
TEST(memcg_objexts_vector_freed_with_matching_api)
{
	struct kmem_cache *c0, *c1;
	void *a, *b;

	setup_world(true);
	c0 = kmem_cache_create("acct-spin", 100, 8, SLAB_ACCOUNT);
	c1 = kmem_cache_create("acct-nospin", 100, 8, SLAB_ACCOUNT);
	CHECK(c0 && c1);
	a = kmem_cache_alloc(c0, GFP_KERNEL);	/* may spin: vector by kmalloc() */
	b = kmem_cache_alloc(c1, 0);		/* no reclaim bits: may not spin */
	CHECK(a && b && charged(a) && charged(b));
	CHECK(!(virt_to_slab(a)->obj_exts & OBJEXTS_NOSPIN_ALLOC));
	CHECK(virt_to_slab(b)->obj_exts & OBJEXTS_NOSPIN_ALLOC);
	kmem_cache_free(c0, a);
	kmem_cache_free(c1, b);
	kmem_cache_destroy(c0);
	CHECK_EQ(memcg_objexts_freed_kfree(), 1);
	CHECK_EQ(memcg_objexts_freed_nolock(), 0);
	kmem_cache_destroy(c1);
	CHECK_EQ(memcg_objexts_freed_kfree(), 1);
	CHECK_EQ(memcg_objexts_freed_nolock(), 1);
	return balanced_at_end();
}

/* A failed charge: NULL, the reason says memcg, and the object is free again. */
TEST(memcg_failed_charge_returns_null_and_frees_object)
{
	struct kmem_cache *s;
	struct cache_census c;
	enum nolock_fail why;
	void *p;

	setup_world(true);
	s = kmalloc_slab(512);
	machine_fail_memcg_charges(1);
	p = kmalloc_nolock_why(512, __GFP_ACCOUNT, NUMA_NO_NODE, &why);
	CHECK(!p);
	CHECK_EQ(why, NOLOCK_MEMCG);
	CHECK_EQ(memcg_charge_failures(), 1);
	machine_drain_irq_work();
	CHECK(cache_census(s, &c));
	CHECK_EQ(c.allocated, c.objext_vectors);	/* the object went back */
	machine_fail_memcg_charges(1);
	p = kmalloc(512, GFP_KERNEL | __GFP_ACCOUNT);
	CHECK(!p);
	CHECK_EQ(memcg_charge_failures(), 2);
	CHECK(cache_census(s, &c));
	CHECK_EQ(c.allocated, c.objext_vectors);
	/* __GFP_NOFAIL is charged even when the fault is armed */
	machine_fail_memcg_charges(1);
	p = kmalloc(512, GFP_KERNEL | __GFP_ACCOUNT | __GFP_NOFAIL);
	CHECK(p && charged(p));
	kfree(p);
	return balanced_at_end();
}

/*
 * The limit: 16 pages; each accounted 8 KiB object charges three, and the
 * rest of its last page goes to the stock (which a later object may use,
 * as the kernel's stock does), so five to seven fit.
 */
TEST(memcg_limit_fails_charges_until_uncharged)
{
	void *p[8];
	int n = 0;

	setup_world(true);
	for (int i = 0; i < 8; i++) {
		p[i] = kmalloc(8192, GFP_KERNEL | __GFP_ACCOUNT);
		n += p[i] != NULL;
	}
	printf("%d of 8 charged\n", n);
	CHECK(n >= 5 && n <= 7);
	for (int i = n; i < 8; i++)
		CHECK(!p[i]);
	CHECK(memcg_usage_pages() <= 16);
	CHECK_EQ(memcg_charge_failures(), 8 - n);
	CHECK_VALID();
	kfree(p[0]);
	kfree(p[1]);
	p[n] = kmalloc(8192, GFP_KERNEL | __GFP_ACCOUNT);
	CHECK(p[n] && charged(p[n]));
	for (int i = 2; i <= n; i++)
		kfree(p[i]);
	return balanced_at_end();
}

/* Without memcg, __GFP_ACCOUNT changes nothing: no vectors, no charges. */
TEST(memcg_off_account_flag_is_ignored)
{
	void *p;

	setup_world(false);
	p = kmalloc_nolock(64, __GFP_ACCOUNT, NUMA_NO_NODE);
	CHECK(p);
	CHECK_EQ(virt_to_slab(p)->obj_exts, 0);
	CHECK_EQ(memcg_usage_pages(), 0);
	CHECK_EQ(memcg_charged_bytes(), 0);
	kfree_nolock(p);
	machine_drain_irq_work();
	CHECK_VALID();
	return true;
}

/* __GFP_NO_OBJ_EXT on an accounted allocation: no vector is made for it. */
TEST(memcg_no_obj_ext_flag_makes_no_vector)
{
	void *p;

	setup_world(true);
	p = kmalloc_nolock(64, __GFP_ACCOUNT | __GFP_NO_OBJ_EXT, NUMA_NO_NODE);
	CHECK(p);
	CHECK_EQ(virt_to_slab(p)->obj_exts, 0);
	CHECK_EQ(memcg_charged_bytes(), 0);
	kfree_nolock(p);
	return balanced_at_end();
}

static void alloc_accounted(void *arg)
{
	(void)arg;
	kmalloc(64, GFP_KERNEL | __GFP_ACCOUNT);
}

/* objext_recursion: the nested allocation is accounted itself: depth 2. */
TEST(memcg_objext_recursion_bug_is_reported)
{
	const struct machine_report *r;

	setup_world(true);
	kconfig.bugs = 1ull << BUG_OBJEXT_RECURSION;
	r = machine_try(alloc_accounted, NULL);
	CHECK(report_is(r, "objext-recursion"));
	CHECK(strstr(r->text, "depth 2"));

	setup_world(true);
	r = machine_try(alloc_accounted, NULL);
	CHECK(!r);
	CHECK_VALID();
	return true;
}

/* Invariants 10 and 11 catch corrupted obj_exts words and a broken balance. */
TEST(memcg_validators_catch_bad_obj_exts)
{
	struct slabobj_ext *vec;
	struct slab *slab;
	unsigned long saved;
	void *a, *small;

	setup_world(true);
	a = kmalloc(64, GFP_KERNEL | __GFP_ACCOUNT);
	CHECK(a && charged(a));
	slab = virt_to_slab(a);
	saved = slab->obj_exts;
	vec = (struct slabobj_ext *)(saved & ~OBJEXTS_FLAGS_MASK);
	CHECK_VALID();

	slab->obj_exts = saved | OBJEXTS_ALLOC_FAIL;	/* the sentinel is never a vector's flag */
	CHECK(invalid_because("the failure sentinel with a vector"));
	small = kmalloc(8, GFP_KERNEL);		/* a live object too small for 4 words */
	CHECK(small);
	slab->obj_exts = (unsigned long)small;
	CHECK(invalid_because("not a kmalloc cache of 32 bytes or more"));
	slab->obj_exts = (unsigned long)world->pages;	/* not a slab object */
	CHECK(invalid_because("is not a slab object"));
	slab->obj_exts = saved;
	kfree(small);

	/* a free object of the slab still named as charged */
	vec[kmem_object_index(a) + 1].objcg = &world->memcg.objcg;
	CHECK(invalid_because("is free but still charged"));
	vec[kmem_object_index(a) + 1].objcg = NULL;

	/* the page counter off by one page */
	atomic_long_add(1, &world->memcg.memory.usage);
	CHECK(invalid_because("memcg: page counter"));
	CHECK(!validate_memcg_balance());
	atomic_long_add(-1, &world->memcg.memory.usage);
	CHECK(validate_memcg_balance());

	kfree(a);
	return balanced_at_end();
}
