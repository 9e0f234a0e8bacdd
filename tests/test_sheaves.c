/*
 * tests/test_sheaves.c — Design B (core/sheaves.c): every transition of the
 * per-CPU sheaves and the barn, the slab level they fall back to, what a
 * nolock caller may not do (refill, allocate a sheaf, spin), the validators
 * of invariant 9 and the census that counts sheaves; and the alloc_flags
 * rule (seed 001) in both designs.
 *
 * The kmalloc-128 bucket is the cache under test: its sheaves are kmalloc-64
 * objects, so the sheaves' own memory stays out of its counts. With 4
 * objects per slab and SHEAF_CAPACITY 4 every step below is deterministic;
 * each expectation says which transition it is.
 */
#include "test.h"

#include "../core/internal.h"
#include "../inject/machine.h"

#include <string.h>

static void setup_rule(enum alloc_flags_rule rule, enum slab_design design)
{
	test_kconfig(2);
	kconfig.design = design;
	kconfig.alloc_flags_rule = rule;
	kconfig.slub_debug = 0;
	boot_world();
}

static void setup(void)
{
	setup_rule(RULE_ALLOC_TRYLOCK, DESIGN_SHEAVES);
}




static struct kmem_cache *k128(void)
{
	return kmalloc_slab(128);
}

static struct slub_percpu_sheaves *pcs(struct kmem_cache *s, int cpu)
{
	return per_cpu_ptr(s->cpu_sheaves, cpu);
}

static struct node_barn *barn(struct kmem_cache *s)
{
	return &s->barn[0];
}

static bool is_bootstrap(const struct slab_sheaf *sheaf)
{
	return sheaf == &world->bootstrap_sheaf;
}

static long nr_slabs(struct kmem_cache *s)
{
	return atomic_long_read(&get_node(s, 0)->nr_slabs);
}

static struct cache_census census(struct kmem_cache *s)
{
	struct cache_census c = { 0 };

	if (!cache_census(s, &c))
		fprintf(stderr, "census: %s\n", validate_error());
	return c;
}

/* Allocate n objects of kmalloc-128 on the current CPU into p[]. */
static bool alloc_n(void **p, int n)
{
	for (int i = 0; i < n; i++) {
		p[i] = kmalloc(128, GFP_KERNEL);
		if (!p[i])
			return false;
	}
	return true;
}

TEST(sheaves_caches_start_with_the_bootstrap_main)
{
	setup();
	CHECK_EQ(k128()->sheaf_capacity, SHEAF_CAPACITY);
	for (int cpu = 0; cpu < kconfig.nr_cpus; cpu++) {
		CHECK(is_bootstrap(pcs(k128(), cpu)->main));
		CHECK(pcs(k128(), cpu)->spare == NULL);
	}
	CHECK_EQ(barn(k128())->nr_full + barn(k128())->nr_empty, 0);
	CHECK_VALID();
	return true;
}

/* A broken barn count is invariant 9, and its report class says so. */
TEST(sheaves_validators_name_invariant_9)
{
	setup();
	barn(k128())->nr_full++;
	CHECK(invalid_because("barn counts"));
	CHECK(!strcmp(invariant_class(validate_invariant()), "invariant-9-sheaves"));
	barn(k128())->nr_full--;
	CHECK_VALID();
	return true;
}

TEST(sheaves_first_alloc_refills_main_on_normal_path)
{
	struct cache_census c;
	void *p;

	setup();
	p = kmalloc(128, GFP_KERNEL);
	CHECK(p);
	/* bootstrap main was empty: a new sheaf, refilled from the slabs, is main */
	CHECK(!is_bootstrap(pcs(k128(), 0)->main));
	CHECK_EQ(pcs(k128(), 0)->main->size, SHEAF_CAPACITY - 1);
	CHECK(pcs(k128(), 0)->spare == NULL);
	c = census(k128());
	CHECK_EQ(c.sheaves, SHEAF_CAPACITY - 1);
	CHECK_EQ(c.allocated, 1);
	/* the sheaf itself is a kmalloc-64 object, allocated without recursion:
	 * exactly one sheaf exists (kmalloc-64 did not get one for itself) */
	CHECK_EQ(census(kmalloc_slab(64)).metadata, 1);
	CHECK(is_bootstrap(pcs(kmalloc_slab(64), 0)->main));
	kfree(p);
	CHECK_VALID();
	return true;
}

TEST(sheaves_alloc_pops_from_main)
{
	long slabs;
	void *p[2];

	setup();
	CHECK(alloc_n(p, 1));
	slabs = nr_slabs(k128());
	p[1] = kmalloc(128, GFP_KERNEL);
	CHECK(p[1]);
	CHECK_EQ(pcs(k128(), 0)->main->size, SHEAF_CAPACITY - 2);
	CHECK_EQ(nr_slabs(k128()), slabs); /* no slab was touched */
	kfree(p[0]);
	kfree(p[1]);
	CHECK_VALID();
	return true;
}

TEST(sheaves_free_pushes_to_main)
{
	void *p[2];

	setup();
	CHECK(alloc_n(p, 2));
	kfree(p[1]);
	CHECK_EQ(pcs(k128(), 0)->main->size, SHEAF_CAPACITY - 1);
	CHECK(pcs(k128(), 0)->main->objects[SHEAF_CAPACITY - 2] == p[1]);
	kfree(p[0]);
	CHECK_EQ(pcs(k128(), 0)->main->size, SHEAF_CAPACITY);
	CHECK_VALID();
	return true;
}

TEST(sheaves_empty_main_refilled_old_main_becomes_spare)
{
	struct slab_sheaf *first;
	void *p[SHEAF_CAPACITY + 1];

	setup();
	CHECK(alloc_n(p, SHEAF_CAPACITY));
	first = pcs(k128(), 0)->main;
	CHECK_EQ(first->size, 0);
	p[SHEAF_CAPACITY] = kmalloc(128, GFP_KERNEL);
	CHECK(pcs(k128(), 0)->main != first);
	CHECK_EQ(pcs(k128(), 0)->main->size, SHEAF_CAPACITY - 1);
	CHECK(pcs(k128(), 0)->spare == first); /* empty, kept as the spare */
	for (int i = 0; i <= SHEAF_CAPACITY; i++)
		kfree(p[i]);
	CHECK_VALID();
	return true;
}

TEST(sheaves_empty_main_swaps_with_nonempty_spare)
{
	struct slab_sheaf *main, *spare;
	void *p[SHEAF_CAPACITY + 1], *q;

	setup();
	CHECK(alloc_n(p, SHEAF_CAPACITY + 1)); /* main has 3, spare is empty */
	/* fill main, then one more free: main full → swapped with the empty spare */
	kfree(p[0]);
	CHECK_EQ(pcs(k128(), 0)->main->size, SHEAF_CAPACITY);
	main = pcs(k128(), 0)->main;
	spare = pcs(k128(), 0)->spare;
	kfree(p[1]);
	CHECK(pcs(k128(), 0)->main == spare && pcs(k128(), 0)->spare == main);
	CHECK_EQ(pcs(k128(), 0)->main->size, 1);
	/* allocate main dry; the next allocation swaps in the full spare */
	q = kmalloc(128, GFP_KERNEL);
	CHECK(q == p[1]);
	CHECK_EQ(pcs(k128(), 0)->main->size, 0);
	q = kmalloc(128, GFP_KERNEL);
	CHECK(pcs(k128(), 0)->main == main);
	CHECK_EQ(pcs(k128(), 0)->main->size, SHEAF_CAPACITY - 1);
	CHECK(pcs(k128(), 0)->spare == spare && spare->size == 0);
	kfree(q);
	kfree(p[1]);
	for (int i = 2; i <= SHEAF_CAPACITY; i++)
		kfree(p[i]);
	CHECK_VALID();
	return true;
}

/* cpu0 frees until main and spare are full and the next main goes to the barn. */
static bool fill_barn_with_one_full(void **p, int n)
{
	CHECK(alloc_n(p, n));
	for (int i = 0; i < n; i++)
		kfree(p[i]);
	return true;
}

TEST(sheaves_full_main_and_spare_go_to_barn)
{
	void *p[3 * SHEAF_CAPACITY];
	struct slab_sheaf *full_main = NULL;
	int i;

	setup();
	CHECK(alloc_n(p, 3 * SHEAF_CAPACITY));
	/* free until main and spare are both full ... */
	for (i = 0; i < 3 * SHEAF_CAPACITY; i++) {
		struct slub_percpu_sheaves *c = pcs(k128(), 0);

		if (c->main->size == SHEAF_CAPACITY && c->spare && c->spare->size == SHEAF_CAPACITY) {
			full_main = c->main;
			break;
		}
		kfree(p[i]);
	}
	CHECK(full_main);
	CHECK_EQ(barn(k128())->nr_full, 0);
	CHECK_EQ(barn(k128())->nr_empty, 0);
	/* ... then the next free: no empty sheaf in the barn, so a new empty
	 * main is allocated and the full main goes to the barn */
	kfree(p[i]);
	CHECK_EQ(barn(k128())->nr_full, 1);
	CHECK(list_entry(barn(k128())->sheaves_full.next, struct slab_sheaf, barn_list) == full_main);
	CHECK(pcs(k128(), 0)->main != full_main);
	CHECK_EQ(pcs(k128(), 0)->main->size, 1);
	CHECK_VALID();
	CHECK_EQ(census(k128()).sheaves, 2 * SHEAF_CAPACITY + 1);
	for (i++; i < 3 * SHEAF_CAPACITY; i++)
		kfree(p[i]);
	CHECK_VALID();
	return true;
}

TEST(sheaves_full_main_swapped_for_empty_from_barn)
{
	void *p[2 * SHEAF_CAPACITY + 1], *q[SHEAF_CAPACITY * 2 + 1];
	struct slab_sheaf *empty, *full_main;
	int next = 0;

	setup();
	/* cpu1: main and spare both empty */
	machine_set_cpu(1);
	CHECK(alloc_n(q, 2 * SHEAF_CAPACITY));
	CHECK_EQ(pcs(k128(), 1)->main->size, 0);
	CHECK(pcs(k128(), 1)->spare && pcs(k128(), 1)->spare->size == 0);
	empty = pcs(k128(), 1)->main;
	/* cpu0: a full sheaf in the barn */
	machine_set_cpu(0);
	CHECK(fill_barn_with_one_full(p, 2 * SHEAF_CAPACITY + 1));
	CHECK_EQ(barn(k128())->nr_full, 1);
	/* cpu1 takes it: its empty main goes to the barn's empty list */
	machine_set_cpu(1);
	CHECK((q[2 * SHEAF_CAPACITY] = kmalloc(128, GFP_KERNEL)));
	CHECK_EQ(barn(k128())->nr_full, 0);
	CHECK_EQ(barn(k128())->nr_empty, 1);
	CHECK(list_entry(barn(k128())->sheaves_empty.next, struct slab_sheaf, barn_list) == empty);
	/* cpu0: main and spare full (free cpu1's objects), then one more free */
	machine_set_cpu(0);
	while (pcs(k128(), 0)->main->size < SHEAF_CAPACITY)
		kfree(q[next++]);
	CHECK_EQ(pcs(k128(), 0)->spare->size, SHEAF_CAPACITY);
	full_main = pcs(k128(), 0)->main;
	kfree(q[next++]);
	CHECK(pcs(k128(), 0)->main == empty);
	CHECK_EQ(empty->size, 1);
	CHECK_EQ(barn(k128())->nr_empty, 0);
	CHECK_EQ(barn(k128())->nr_full, 1);
	CHECK(list_entry(barn(k128())->sheaves_full.next, struct slab_sheaf, barn_list) == full_main);
	CHECK_VALID();
	return true;
}

TEST(sheaves_empty_main_takes_full_sheaf_from_barn)
{
	void *p[2 * SHEAF_CAPACITY + 1], *q;
	struct slab_sheaf *full;

	setup();
	CHECK(alloc_n(p, 2 * SHEAF_CAPACITY + 1));
	for (int i = 0; i <= 2 * SHEAF_CAPACITY; i++)
		kfree(p[i]);
	CHECK_EQ(barn(k128())->nr_full, 1);
	full = list_entry(barn(k128())->sheaves_full.next, struct slab_sheaf, barn_list);
	/* cpu1's bootstrap main is empty, no spare: the barn's full sheaf */
	machine_set_cpu(1);
	q = kmalloc(128, GFP_KERNEL);
	CHECK(q);
	CHECK(pcs(k128(), 1)->main == full);
	CHECK_EQ(full->size, SHEAF_CAPACITY - 1);
	CHECK_EQ(barn(k128())->nr_full, 0);
	CHECK_EQ(barn(k128())->nr_empty, 0); /* the bootstrap sheaf is never kept */
	kfree(q);
	machine_set_cpu(0);
	CHECK_VALID();
	return true;
}

TEST(sheaves_nmi_barn_trylock_fails_goes_to_slab_level)
{
	void *p[2 * SHEAF_CAPACITY + 1], *q;
	unsigned long flags;
	long slabs;

	setup();
	CHECK(alloc_n(p, 2 * SHEAF_CAPACITY + 1));
	for (int i = 0; i <= 2 * SHEAF_CAPACITY; i++)
		kfree(p[i]);
	CHECK_EQ(barn(k128())->nr_full, 1);
	machine_set_cpu(1);
	spin_lock_irqsave(&barn(k128())->lock, flags); /* cpu1's task holds barn->lock */
	CHECK(machine_enter(CTX_NMI));
	slabs = nr_slabs(k128());
	q = kmalloc_nolock(128, 0, NUMA_NO_NODE);
	CHECK(q && virt_to_cache(q) == k128());
	CHECK(is_bootstrap(pcs(k128(), 1)->main)); /* no sheaf swapped in */
	CHECK_EQ(barn(k128())->nr_full, 1);
	CHECK_EQ(nr_slabs(k128()), slabs + 1); /* the slab level: a new slab */
	kfree_nolock(q); /* main is the bootstrap sheaf: no room, no spinning: deferred */
	CHECK(machine_irq_work_pending(1));
	machine_exit();
	spin_unlock_irqrestore(&barn(k128())->lock, flags);
	machine_drain_irq_work();
	machine_set_cpu(0);
	CHECK_VALID();
	return true;
}

TEST(sheaves_nolock_never_refills_nor_allocates_sheaves)
{
	struct cache_census c;
	void *p;

	setup();
	p = kmalloc_nolock(128, 0, NUMA_NO_NODE);
	CHECK(p && virt_to_cache(p) == k128());
	CHECK(is_bootstrap(pcs(k128(), 0)->main));
	c = census(k128());
	CHECK_EQ(c.sheaves, 0);
	CHECK_EQ(c.allocated, 1);
	CHECK_EQ(census(kmalloc_slab(64)).metadata, 0);
	/* free: bootstrap main has no room, a nolock caller allocates none: deferred */
	kfree_nolock(p);
	CHECK_EQ(census(k128()).deferred, 1);
	machine_drain_irq_work();
	CHECK(is_bootstrap(pcs(k128(), 0)->main));
	CHECK_EQ(census(k128()).allocated, 0);
	CHECK_VALID();
	return true;
}

TEST(sheaves_nmi_over_held_pcs_lock_uses_slab_level_and_defers)
{
	unsigned long flags;
	void *p, *q;
	int main_size;

	setup();
	p = kmalloc(128, GFP_KERNEL); /* main: 3 objects */
	main_size = (int)pcs(k128(), 0)->main->size;
	local_irq_save(flags);
	CHECK(env_trylock(&pcs(k128(), 0)->lock.l)); /* the task is inside alloc_from_pcs() */
	CHECK(machine_enter(CTX_NMI));
	q = kmalloc_nolock(128, 0, NUMA_NO_NODE);
	CHECK(q && virt_to_cache(q) == k128()); /* same bucket: the slab level */
	CHECK_EQ(pcs(k128(), 0)->main->size, main_size);
	kfree_nolock(q); /* the lock is taken: deferred */
	machine_exit();
	env_unlock(&pcs(k128(), 0)->lock.l);
	local_irq_restore(flags);
	CHECK_EQ(census(k128()).deferred, 1);
	machine_drain_irq_work();
	kfree(p);
	CHECK_VALID();
	return true;
}

TEST(sheaves_kfree_of_kmalloc_nolock_object_goes_to_main)
{
	void *p, *q;

	setup();
	q = kmalloc(128, GFP_KERNEL); /* a real main */
	p = kmalloc_nolock(128, 0, NUMA_NO_NODE);
	CHECK(p);
	kfree(p); /* allowed in this era */
	CHECK(pcs(k128(), 0)->main->objects[pcs(k128(), 0)->main->size - 1] == p);
	kfree(q);
	CHECK_VALID();
	return true;
}

TEST(sheaves_debug_cache_has_none_slow_free_and_deferred_nolock_free)
{
	struct kmem_cache *c;
	void *p, *q;

	setup();
	c = kmem_cache_create("dbg", 100, 0, SLAB_RED_ZONE);
	CHECK(c);
	CHECK_EQ(c->sheaf_capacity, 0); /* can_free_to_pcs() is false for it */
	p = kmem_cache_alloc(c, GFP_KERNEL);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	CHECK(p && q);
	CHECK(is_bootstrap(pcs(c, 0)->main));
	kmem_cache_free(c, p); /* straight to the slab */
	CHECK_EQ(census(c).free, c->objects - 1);
	kfree_nolock(q); /* no sheaves: always deferred */
	CHECK_EQ(census(c).deferred, 1);
	machine_drain_irq_work();
	CHECK_EQ(census(c).allocated, 0);
	CHECK(is_bootstrap(pcs(c, 0)->main));
	kmem_cache_destroy(c);
	CHECK(!c->live);
	CHECK_VALID();
	return true;
}

TEST(sheaves_tiny_has_none)
{
	void *p;

	setup();
	kconfig.slub_tiny = true;
	boot_world();
	CHECK_EQ(k128()->sheaf_capacity, 0);
	p = kmalloc(128, GFP_KERNEL);
	CHECK(p);
	CHECK(is_bootstrap(pcs(k128(), 0)->main));
	kfree(p);
	CHECK_VALID();
	kconfig.slub_tiny = false;
	return true;
}

TEST(sheaves_flushed_and_freed_at_destroy)
{
	struct kmem_cache *c;
	unsigned long meta_before;
	void *p[2 * SHEAF_CAPACITY + 1];

	setup();
	meta_before = census(kmalloc_slab(64)).metadata;
	c = kmem_cache_create("c", 128, 0, 0);
	CHECK(c && c->sheaf_capacity == SHEAF_CAPACITY);
	for (int i = 0; i <= 2 * SHEAF_CAPACITY; i++)
		CHECK((p[i] = kmem_cache_alloc(c, GFP_KERNEL)));
	for (int i = 0; i <= 2 * SHEAF_CAPACITY; i++)
		kmem_cache_free(c, p[i]);
	CHECK_EQ(barn(c)->nr_full, 1); /* main, spare and one full sheaf in the barn */
	CHECK(census(kmalloc_slab(64)).metadata > meta_before);
	kmem_cache_destroy(c);
	CHECK(!c->live); /* nothing was left: every sheaf was flushed to the slabs */
	CHECK(is_bootstrap(pcs(c, 0)->main) && !pcs(c, 0)->spare);
	CHECK_EQ(barn(c)->nr_full + barn(c)->nr_empty, 0);
	CHECK_EQ(census(kmalloc_slab(64)).metadata, meta_before); /* the sheaves were freed */
	CHECK_EQ(census(kmalloc_slab(64)).allocated, 0);
	CHECK_VALID();
	return true;
}

TEST(sheaves_partial_slab_gives_one_object_by_cmpxchg)
{
	struct kmem_cache_node *n;
	void *p[SHEAF_CAPACITY + 1], *q;

	setup();
	/* slab level directly: a partial slab is left after a remote free */
	CHECK(alloc_n(p, 1));
	n = get_node(k128(), 0);
	machine_set_cpu(1);
	CHECK(machine_enter(CTX_NMI));
	q = kmalloc_nolock(128, 0, NUMA_NO_NODE); /* cpu1 bootstrap main: slab level, new slab */
	CHECK(q);
	CHECK_EQ(n->nr_partial, 1); /* the new slab, 3 objects free, on the partial list */
	machine_exit();
	CHECK(machine_enter(CTX_NMI));
	p[1] = kmalloc_nolock(128, 0, NUMA_NO_NODE); /* from that partial slab */
	CHECK(p[1] && virt_to_slab(p[1]) == virt_to_slab(q));
	CHECK_EQ(virt_to_slab(q)->inuse, 2);
	machine_exit();
	machine_set_cpu(0);
	kfree(q);
	kfree(p[1]);
	kfree(p[0]);
	CHECK_VALID();
	return true;
}

TEST(sheaves_unplaceable_new_slab_goes_back_to_page_allocator)
{
	unsigned long free_pages, flags, failures;
	enum nolock_fail why;
	void *p;

	setup();
	machine_set_cpu(1);
	spin_lock_irqsave(&get_node(k128(), 0)->list_lock, flags); /* cpu1's task holds list_lock */
	CHECK(machine_enter(CTX_NMI));
	free_pages = nr_free_pages();
	failures = slab_trylock_failures();
	p = kmalloc_nolock_why(128, 0, NUMA_NO_NODE, &why);
	/* kmalloc-128's new slab could not be placed: back to the page
	 * allocator, uncounted; the retry in kmalloc-192 placed its own */
	CHECK(p && virt_to_cache(p) == kmalloc_slab(192));
	CHECK_EQ(why, NOLOCK_OK);
	CHECK_EQ(slab_trylock_failures(), failures + 1);
	CHECK_EQ(nr_free_pages(), free_pages - 1);
	CHECK_EQ(atomic_long_read(&get_node(k128(), 0)->nr_slabs), 0);
	kfree_nolock(p);
	machine_exit();
	spin_unlock_irqrestore(&get_node(k128(), 0)->list_lock, flags);
	machine_drain_irq_work();
	machine_set_cpu(0);
	CHECK_VALID();
	return true;
}

TEST(sheaves_validator_main_null)
{
	setup();
	pcs(k128(), 1)->main = NULL;
	CHECK(invalid_because("main sheaf is NULL while unlocked"));
	return true;
}

TEST(sheaves_validator_barn_count)
{
	void *p[2 * SHEAF_CAPACITY + 1];

	setup();
	CHECK(fill_barn_with_one_full(p, 2 * SHEAF_CAPACITY + 1));
	CHECK_VALID();
	barn(k128())->nr_full = 2;
	CHECK(invalid_because("barn counts 2 full"));
	return true;
}

TEST(sheaves_validator_size_over_capacity)
{
	void *p;

	setup();
	p = kmalloc(128, GFP_KERNEL);
	CHECK(p);
	pcs(k128(), 0)->main->size = SHEAF_CAPACITY + 1;
	CHECK(invalid_because("capacity"));
	return true;
}

TEST(sheaves_validator_object_of_another_cache)
{
	void *p, *other;

	setup();
	p = kmalloc(128, GFP_KERNEL);
	other = kmalloc(256, GFP_KERNEL);
	CHECK(p && other);
	pcs(k128(), 0)->main->objects[0] = other;
	CHECK(invalid_because("is not an object of the cache"));
	return true;
}

TEST(sheaves_validator_object_in_sheaf_and_free)
{
	struct slab_sheaf *main;
	void *p[2];

	setup();
	CHECK(alloc_n(p, 2));
	main = pcs(k128(), 0)->main;
	kfree(p[1]); /* to main */
	/* the same object again on top of main: "free twice" across sheaves */
	main->objects[main->size++] = p[1];
	CHECK(invalid_because("in a sheaf"));
	return true;
}

/* ---- the alloc_flags rule (seed 001), both designs ---- */

/* kmalloc(64, 0): an ordinary allocation whose gfp lacks the reclaim bits
 * (early boot's mask), with every trylock failing as if another CPU held it. */
static void *early_boot_kmalloc_under_contention(void)
{
	machine_fail_trylocks(100);
	return kmalloc(64, 0);
}

TEST(alloc_flags_old_rule_ordinary_alloc_without_reclaim_fails_design_a)
{
	setup_rule(RULE_GFP, DESIGN_CPU_SLAB);
	CHECK(early_boot_kmalloc_under_contention() == NULL);
	CHECK_VALID();
	return true;
}

TEST(alloc_flags_new_rule_ordinary_alloc_may_spin_design_a)
{
	void *p;

	setup_rule(RULE_ALLOC_TRYLOCK, DESIGN_CPU_SLAB);
	p = early_boot_kmalloc_under_contention();
	CHECK(p);
	machine_fail_trylocks(0);
	kfree(p);
	CHECK_VALID();
	return true;
}

TEST(alloc_flags_old_rule_ordinary_alloc_without_reclaim_fails_design_b)
{
	setup_rule(RULE_GFP, DESIGN_SHEAVES);
	CHECK(early_boot_kmalloc_under_contention() == NULL);
	/* treated as nolock: no sheaf was refilled or allocated */
	CHECK(is_bootstrap(pcs(kmalloc_slab(64), 0)->main));
	CHECK_VALID();
	return true;
}

TEST(alloc_flags_new_rule_ordinary_alloc_may_spin_design_b)
{
	void *p;

	setup_rule(RULE_ALLOC_TRYLOCK, DESIGN_SHEAVES);
	p = early_boot_kmalloc_under_contention();
	CHECK(p);
	CHECK(!is_bootstrap(pcs(kmalloc_slab(64), 0)->main)); /* refilled: it may spin */
	machine_fail_trylocks(0);
	kfree(p);
	CHECK_VALID();
	return true;
}

TEST(alloc_flags_new_rule_nolock_still_may_not_spin)
{
	unsigned long flags;
	void *p;

	setup_rule(RULE_ALLOC_TRYLOCK, DESIGN_SHEAVES);
	/* even with reclaim bits (a warning), kmalloc_nolock() never spins:
	 * with list_lock held by this CPU's task, an NMI's call does not deadlock */
	spin_lock_irqsave(&get_node(k128(), 0)->list_lock, flags);
	CHECK(machine_enter(CTX_NMI));
	p = kmalloc_nolock(128, GFP_KERNEL, NUMA_NO_NODE);
	CHECK(machine_warnings() == 1);
	if (p)
		kfree_nolock(p);
	machine_exit();
	spin_unlock_irqrestore(&get_node(k128(), 0)->list_lock, flags);
	machine_drain_irq_work();
	CHECK_VALID();
	return true;
}

TEST(alloc_flags_caller_cannot_forge_slab_alloc_flags)
{
	void *p;

	setup_rule(RULE_ALLOC_TRYLOCK, DESIGN_SHEAVES);
	/* __SLAB_ALLOC_TRYLOCK passed by an ordinary caller is cleared: it may spin */
	p = (machine_fail_trylocks(100), kmalloc(64, GFP_KERNEL | __SLAB_ALLOC_TRYLOCK));
	CHECK(p);
	machine_fail_trylocks(0);
	kfree(p);
	CHECK_VALID();
	return true;
}

/* ---- PREEMPT_RT ---- */

static void setup_rt(void)
{
	test_kconfig(2);
	kconfig.design = DESIGN_SHEAVES;
	kconfig.alloc_flags_rule = RULE_ALLOC_TRYLOCK;
	kconfig.slub_debug = 0;
	kconfig.preempt_rt = true;
	boot_world();
}

TEST(sheaves_rt_nolock_refuses_where_not_preemptible)
{
	enum nolock_fail why;
	void *p;

	setup_rt();
	p = kmalloc_nolock_why(128, 0, NUMA_NO_NODE, &why);
	CHECK(p && why == NOLOCK_OK);
	kfree_nolock(p);
	preempt_disable();
	CHECK(kmalloc_nolock_why(128, 0, NUMA_NO_NODE, &why) == NULL);
	CHECK_EQ(why, NOLOCK_CONTEXT);
	preempt_enable();
	CHECK(machine_enter(CTX_HARDIRQ));
	CHECK(kmalloc_nolock_why(128, 0, NUMA_NO_NODE, &why) == NULL);
	CHECK_EQ(why, NOLOCK_CONTEXT);
	machine_exit();
	machine_drain_irq_work();
	CHECK_VALID();
	kconfig.preempt_rt = false;
	return true;
}

TEST(sheaves_rt_bpf_in_task_holding_sheaves_lock_uses_slab_level)
{
	unsigned int main_size;
	void *p, *q;

	setup_rt();
	p = kmalloc(128, GFP_KERNEL); /* a real main with 3 objects */
	main_size = pcs(k128(), 0)->main->size;
	migrate_disable();
	CHECK(env_trylock(&pcs(k128(), 0)->lock.l)); /* the task is inside alloc_from_pcs() */
	CHECK(machine_enter(CTX_KPROBE));             /* RT: a BPF program in the same task */
	q = kmalloc_nolock(128, 0, NUMA_NO_NODE);
	CHECK(q && virt_to_cache(q) == k128());
	CHECK_EQ(pcs(k128(), 0)->main->size, main_size); /* the lock is ours: not retaken */
	kfree_nolock(q);                                  /* deferred, not pushed */
	machine_exit();
	CHECK(!llist_empty(&this_cpu_ptr(world->defer_free_objects)->objects));
	env_unlock(&pcs(k128(), 0)->lock.l);
	migrate_enable();
	machine_drain_irq_work();
	kfree(p);
	CHECK_VALID();
	kconfig.preempt_rt = false;
	return true;
}

TEST(sheaves_rt_kfree_nolock_in_hardirq_defers)
{
	void *p, *q;

	setup_rt();
	q = kmalloc(128, GFP_KERNEL); /* main has room */
	p = kmalloc_nolock(128, 0, NUMA_NO_NODE);
	CHECK(p && q);
	CHECK(machine_enter(CTX_HARDIRQ));
	kfree_nolock(p); /* RT's local_trylock() fails in hardirq: deferred */
	machine_exit();
	CHECK_EQ(census(k128()).deferred, 1);
	machine_drain_irq_work();
	kfree(q);
	CHECK_VALID();
	kconfig.preempt_rt = false;
	return true;
}
