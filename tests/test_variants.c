/*
 * tests/test_variants.c — the single-object path shared by debug caches and
 * CONFIG_SLUB_TINY (core/slub.c, core/debug.c): one object at a time under
 * list_lock, no per-CPU slabs, the full list, red zones, poison, user tracks,
 * consistency checks reported as slab errors, the nolock (may-not-spin)
 * allocation on a debug cache, new slabs that could not be placed (deferred
 * and accounted), and TINY's behaviour for every cache. Each test sets its
 * configuration, starts a fresh world and ends with the validators.
 */
#include "test.h"

#include "../core/internal.h"
#include "../inject/machine.h"

#include <stdlib.h>
#include <string.h>

static void setup_world(int cpus, bool tiny)
{
	test_kconfig(cpus);
	kconfig.slub_tiny = tiny;
	boot_world();
}

/* A report of class cls whose text contains each of up to three strings. */
static bool report_says(const struct machine_report *r, const char *cls, const char *a,
			const char *b, const char *c)
{
	const char *want[] = { a, b, c };

	if (!report_is(r, cls))
		return false;
	for (int i = 0; i < 3; i++) {
		if (want[i] && !strstr(r->text, want[i])) {
			fprintf(stderr, "report lacks \"%s\"\n", want[i]);
			return false;
		}
	}
	return true;
}

static struct kmem_cache_node *node(struct kmem_cache *s)
{
	return get_node(s, 0);
}

static struct kmem_cache_cpu *cpu_slab(struct kmem_cache *s, int cpu)
{
	return per_cpu_ptr(s->cpu_slab, cpu);
}

static unsigned long list_len(struct list_head *h)
{
	unsigned long n = 0;

	for (struct list_head *p = h->next; p != h && n < 100000; p = p->next)
		n++;
	return n;
}

static long nr_slabs(struct kmem_cache *s)
{
	return atomic_long_read(&node(s)->nr_slabs);
}

static unsigned long allocated(struct kmem_cache *s)
{
	struct cache_census c;

	if (!cache_census(s, &c))
		return ~0ul;
	return c.allocated;
}

/* No CPU slab, CPU freelist or CPU partial list on any CPU. */
static bool no_cpu_state(struct kmem_cache *s)
{
	for (int cpu = 0; cpu < kconfig.nr_cpus; cpu++) {
		struct kmem_cache_cpu *c = cpu_slab(s, cpu);

		if (c->slab || c->freelist || c->partial) {
			fprintf(stderr, "%s: cpu%d has per-CPU slab state\n", kmem_cache_name(s), cpu);
			return false;
		}
	}
	return true;
}

/* A write the model cannot see coming: from an uninstrumented agent (a device,
 * a module without KASAN), so ASan does not stop it on a free object. */
__attribute__((no_sanitize("address"))) static void wild_write(void *p, const void *src, size_t n)
{
	volatile unsigned char *d = p;
	const unsigned char *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

__attribute__((no_sanitize("address"))) static unsigned char raw_byte(const void *p)
{
	return *(const volatile unsigned char *)p;
}

static struct { struct kmem_cache *s; void *p; void *got; } arg;

static void do_free(void *unused)
{
	(void)unused;
	kmem_cache_free(arg.s, arg.p);
}

static void do_alloc(void *unused)
{
	(void)unused;
	arg.got = kmem_cache_alloc(arg.s, GFP_KERNEL);
}

#define ALL_DEBUG (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

/* ---- debug caches: layout and the single-object path ------------- */

TEST(debug_cache_layout_and_flags)
{
	struct kmem_cache *s, *rz, *cc, *plain;

	setup_world(2, false);
	s = kmem_cache_create("dbg-all", 64, 8, ALL_DEBUG);
	CHECK(s);
	CHECK(s->inuse == 72);			/* one word of red zone */
	CHECK(s->offset == 72);			/* free pointer outside: poison */
	CHECK(freeptr_outside_object(s));
	CHECK(s->size == 72 + 8 + 2 * sizeof(struct track));
	CHECK(!(s->flags & __CMPXCHG_DOUBLE));	/* consistency checks, store user */
	rz = kmem_cache_create("dbg-rz-60", 60, 8, SLAB_RED_ZONE);
	CHECK(rz->inuse == 64 && rz->offset < rz->inuse); /* the padding is the red zone */
	CHECK(rz->flags & __CMPXCHG_DOUBLE);
	cc = kmem_cache_create("dbg-cc", 64, 8, SLAB_CONSISTENCY_CHECKS);
	CHECK(cc->size == 64 && cc->offset == 32);
	plain = kmem_cache_create("plain", 64, 8, 0);
	CHECK(plain->size == 64 && plain->offset == 32 && (plain->flags & __CMPXCHG_DOUBLE));
	CHECK(world->slub_debug_enabled);
	CHECK(kmem_cache_debug_flags(s, SLAB_POISON) && !kmem_cache_debug_flags(plain, SLAB_POISON));
	CHECK_VALID();
	return true;
}

TEST(debug_alloc_takes_one_object_no_cpu_slab)
{
	struct kmem_cache *s;
	unsigned char *p, *q;
	struct slab *slab;

	setup_world(2, false);
	s = kmem_cache_create("dbg-1", 64, 8, SLAB_RED_ZONE | SLAB_POISON);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(p);
	slab = virt_to_slab(p);
	CHECK(no_cpu_state(s));
	CHECK_EQ(slab->inuse, 1);
	CHECK(!slab->frozen && (slab->flags & SL_node_partial));
	CHECK_EQ(node(s)->nr_partial, 1);
	CHECK_EQ(nr_slabs(s), 1);
	CHECK_EQ(slub_stat(s, ALLOC_SLAB), 1);
	CHECK_EQ(slub_stat(s, ALLOC_FASTPATH), 0);
	/* the allocated object carries the poison pattern and an active red zone */
	CHECK_EQ(p[0], POISON_FREE);
	CHECK_EQ(p[62], POISON_FREE);
	CHECK_EQ(p[63], POISON_END);
	for (unsigned int i = 64; i < s->inuse; i++)
		CHECK_EQ(p[i], SLUB_RED_ACTIVE); /* unpoisoned for ASan: a plain read */
	CHECK_VALID();
	q = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(q == p + s->size); /* the next object of the same partial slab */
	CHECK_EQ(slab->inuse, 2);
	CHECK_EQ(slub_stat(s, ALLOC_SLAB), 1);
	memset(p, 1, 64);
	kmem_cache_free(s, p);
	CHECK_EQ(slab->inuse, 1);
	CHECK(no_cpu_state(s));
	CHECK_EQ(raw_byte(p), POISON_FREE); /* free: poisoned again */
	CHECK_EQ(p[64], SLUB_RED_INACTIVE);
	kmem_cache_free(s, q);
	CHECK_EQ(allocated(s), 0);
	CHECK_EQ(slub_stat(s, FREE_FASTPATH), 0);
	CHECK_VALID();
	return true;
}

TEST(debug_full_list_moves_with_store_user)
{
	struct kmem_cache *s;
	struct slab *first;
	void *p[8];

	setup_world(2, false);
	s = kmem_cache_create("dbg-su", 64, 8, SLAB_STORE_USER | SLAB_RED_ZONE);
	for (int i = 0; i < 4; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	first = virt_to_slab(p[0]);
	CHECK_EQ(first->inuse, 4);
	CHECK_EQ(list_len(&node(s)->full), 1); /* the last object moved it to the full list */
	CHECK((first->flags & SL_node_full) && !(first->flags & SL_node_partial));
	CHECK_EQ(node(s)->nr_partial, 0);
	CHECK_VALID();
	p[4] = kmem_cache_alloc(s, GFP_KERNEL); /* a second slab */
	CHECK(virt_to_slab(p[4]) != first);
	CHECK_EQ(node(s)->nr_partial, 1);
	CHECK_VALID();

	machine_set_cpu(1);
	kmem_cache_free(s, p[0]); /* full → partial */
	CHECK_EQ(list_len(&node(s)->full), 0);
	CHECK_EQ(node(s)->nr_partial, 2);
	CHECK_EQ(slub_stat(s, FREE_ADD_PARTIAL), 1);
	CHECK(!(first->flags & SL_node_full) && (first->flags & SL_node_partial));
	CHECK_VALID();
	for (int i = 1; i < 4; i++)
		kmem_cache_free(s, p[i]);
	/* empty, but fewer than min_partial partial slabs: kept */
	CHECK_EQ(first->inuse, 0);
	CHECK_EQ(node(s)->nr_partial, 2);
	CHECK_EQ(nr_slabs(s), 2);
	CHECK_VALID();
	s->min_partial = 1;
	machine_set_cpu(0);
	kmem_cache_free(s, p[4]); /* empty and enough partial slabs: discarded */
	CHECK_EQ(slub_stat(s, FREE_SLAB), 1);
	CHECK_EQ(slub_stat(s, FREE_REMOVE_PARTIAL), 1);
	CHECK_EQ(nr_slabs(s), 1);
	CHECK_EQ(node(s)->nr_partial, 1);
	CHECK_VALID();
	return true;
}

TEST(debug_full_slab_without_store_user_on_no_list)
{
	struct kmem_cache *s;
	struct slab *slab;
	void *p[4];

	setup_world(1, false);
	s = kmem_cache_create("dbg-rz", 40, 8, SLAB_RED_ZONE);
	for (int i = 0; i < 4; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	slab = virt_to_slab(p[0]);
	CHECK_EQ(slab->inuse, 4);
	CHECK(!(slab->flags & (SL_node_full | SL_node_partial)) && !slab->frozen);
	CHECK(list_empty(&node(s)->full)); /* only SLAB_STORE_USER keeps a full list */
	CHECK_EQ(node(s)->nr_partial, 0);
	CHECK_VALID();
	kmem_cache_free(s, p[2]);
	CHECK(slab->flags & SL_node_partial);
	CHECK_VALID();
	p[2] = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK_EQ(slab->inuse, 4);
	CHECK_EQ(node(s)->nr_partial, 0);
	CHECK_VALID();
	for (int i = 0; i < 4; i++)
		kmem_cache_free(s, p[i]);
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

TEST(debug_empty_slabs_discarded_once_min_partial_reached)
{
	struct kmem_cache *s;
	unsigned long pages;
	void *p[16];

	setup_world(1, false);
	s = kmem_cache_create("dbg-mp", 64, 8, SLAB_CONSISTENCY_CHECKS | SLAB_POISON);
	s->min_partial = 2;
	pages = nr_free_pages();
	for (int i = 0; i < 16; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK_EQ(nr_slabs(s), 4);
	CHECK_EQ(node(s)->nr_partial, 0);
	CHECK_VALID();
	for (int i = 0; i < 16; i++) {
		kmem_cache_free(s, p[i]);
		CHECK_VALID();
	}
	/* the first empty slab is kept (1 < min_partial), each later one goes */
	CHECK_EQ(slub_stat(s, FREE_SLAB), 3);
	CHECK_EQ(nr_slabs(s), 1);
	CHECK_EQ(node(s)->nr_partial, 1);
	CHECK_EQ(pages - nr_free_pages(), 1u << s->order);
	kmem_cache_destroy(s); /* checks every object of the last slab as free */
	CHECK_EQ(machine_warnings(), 0);
	CHECK_EQ(nr_free_pages(), pages);
	CHECK_VALID();
	return true;
}

/* ---- corruption found and reported -------------------------------- */

TEST(debug_red_zone_overwrite_reported_at_free)
{
	const struct machine_report *r;
	struct kmem_cache *s;
	unsigned char *p;

	setup_world(2, false);
	s = kmem_cache_create("rz-64", 64, 8, SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(kmem_cache_alloc(s, GFP_KERNEL));
	CHECK_VALID();
	memset(p, 0x11, 64);
	p[64] = 0x41; /* one byte past the object: the harness overflows */
	CHECK(invalid_because("Right Redzone of allocated object #0"));
	arg.s = s;
	arg.p = p;
	r = machine_try(do_free, NULL);
	CHECK(report_says(r, "slab-error", "BUG rz-64: Right Redzone overwritten",
			  "0x41 instead of 0xcc at offset 64", "object #0 of slab"));
	setup_world(2, false);
	CHECK_VALID();
	return true;
}

#ifdef REENTRY_ASAN
TEST_ASAN(debug_red_zone_is_left_to_the_model_not_asan)
{
	struct kmem_cache *s;
	char *p;

	setup_world(1, false);
	s = kmem_cache_create("rz-asan", 48, 8, ALL_DEBUG);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(!__asan_address_is_poisoned(p + 47));
	CHECK(!__asan_address_is_poisoned(p + 48));	/* red zone: the model checks it */
	CHECK(!__asan_address_is_poisoned(p + s->inuse - 1));
	CHECK(__asan_address_is_poisoned(p + s->inuse));	/* free pointer, tracks: KASAN */
	CHECK(!__asan_address_is_poisoned(p + s->size + 48)); /* the next, free, object's red zone */
	CHECK(__asan_address_is_poisoned(p + s->size));	/* ... whose body is poisoned */
	kmem_cache_free(s, p);
	CHECK(__asan_address_is_poisoned(p));
	CHECK(!__asan_address_is_poisoned(p + 48));
	CHECK_VALID();
	return true;
}
#endif

TEST(debug_poison_overwrite_reported_at_next_alloc)
{
	const struct machine_report *r;
	struct kmem_cache *s;
	unsigned char *p, zero = 0;

	setup_world(1, false);
	s = kmem_cache_create("poison-48", 48, 8, SLAB_CONSISTENCY_CHECKS | SLAB_POISON);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_free(s, p);
	CHECK_EQ(raw_byte(p), POISON_FREE);
	CHECK_EQ(raw_byte(p + 47), POISON_END);
	CHECK_VALID();
	wild_write(p + 5, &zero, 1); /* a use after free */
	CHECK(invalid_because("Poison of free object #0"));
	arg.s = s;
	r = machine_try(do_alloc, NULL); /* takes p again: checked first */
	CHECK(report_says(r, "slab-error", "BUG poison-48: Poison overwritten",
			  "0x00 instead of 0x6b at offset 5", "object #0 of slab"));
	setup_world(1, false);
	CHECK_VALID();
	return true;
}

TEST(debug_double_free_is_a_slab_error_not_a_crash)
{
	const struct machine_report *r;
	struct kmem_cache *s;
	void *p;

	setup_world(2, false);
	s = kmem_cache_create("df-64", 64, 8, SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_free(s, p);
	CHECK_VALID();
	arg.s = s;
	arg.p = p;
	r = machine_try(do_free, NULL);
	CHECK(report_says(r, "slab-error", "BUG df-64: Object already free", "object #0 of slab", NULL));
	setup_world(2, false);
	CHECK_VALID();
	return true;
}

TEST(debug_corrupt_free_pointer_reported)
{
	const struct machine_report *r;
	struct kmem_cache *s;
	char *p[3], *bad;

	setup_world(1, false);
	s = kmem_cache_create("fp-64", 64, 8, SLAB_CONSISTENCY_CHECKS);
	CHECK_EQ(s->offset, 32); /* inside the object: no poison to move it out */
	for (int i = 0; i < 3; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p[1]);
	CHECK_VALID();
	bad = p[1] + 3;
	wild_write(p[1] + s->offset, &bad, sizeof(bad));
	CHECK(invalid_because("pointer off its objects"));
	arg.s = s;
	r = machine_try(do_alloc, NULL);
	CHECK(report_says(r, "slab-error", "BUG fp-64: Freepointer corrupt", "object #1 of slab", NULL));
	setup_world(1, false);
	CHECK_VALID();
	return true;
}

/* ---- store user ------------------------------------------------------ */

TEST(debug_store_user_records_alloc_and_free)
{
	struct kmem_cache *s;
	struct track t;
	void *p, *q;

	setup_world(2, false);
	s = kmem_cache_create("su-32", 32, 8, SLAB_STORE_USER);
	machine_set_cpu(1);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	get_track_copy(s, p, TRACK_ALLOC, &t);
	CHECK(t.when > 0);
	CHECK_EQ(t.cpu, 1);
	CHECK_EQ(t.context, 0);
	get_track_copy(s, p, TRACK_FREE, &t);
	CHECK_EQ(t.when, 0); /* never freed */
	machine_set_cpu(0);
	CHECK(machine_enter(CTX_HARDIRQ));
	q = kmem_cache_alloc(s, GFP_ATOMIC);
	machine_exit();
	get_track_copy(s, q, TRACK_ALLOC, &t);
	CHECK_EQ(t.cpu, 0);
	CHECK_EQ(t.context, 2);
	kmem_cache_free(s, p);
	get_track_copy(s, p, TRACK_FREE, &t);
	CHECK_EQ(t.cpu, 0);
	CHECK_EQ(t.when, 3); /* deterministic: the third event of the world */
	CHECK_VALID();
	kmem_cache_free(s, q);
	CHECK_VALID();
	return true;
}

/* ---- without the 16-byte cmpxchg ------------------------------------ */

TEST(debug_cache_without_cmpxchg128_works)
{
	struct kmem_cache *s;
	unsigned long flags;
	void *p[12];

	kconfig.has_cmpxchg128 = false;
	setup_world(2, false);
	kconfig.has_cmpxchg128 = false;
	boot_world();
	s = kmem_cache_create("dbg-nocx", 96, 8, SLAB_RED_ZONE | SLAB_POISON);
	CHECK(!(s->flags & __CMPXCHG_DOUBLE));
	for (int i = 0; i < 12; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	machine_set_cpu(1);
	for (int i = 0; i < 12; i += 2)
		kmem_cache_free(s, p[i]); /* remote frees: under list_lock */
	CHECK_VALID();
	/* a may-not-spin allocation in task context: list_lock is free */
	p[0] = kmem_cache_alloc(s, 0);
	CHECK(p[0]);
	/* cpu0's task holds list_lock: a new slab cannot be placed, it is
	 * deferred and its drain unfreezes it through the slab lock */
	machine_set_cpu(0);
	spin_lock_irqsave(&node(s)->list_lock, flags);
	machine_set_cpu(1);
	CHECK(kmem_cache_alloc(s, 0) == NULL);
	CHECK_EQ(slub_stat(s, DEFERRED_SLAB), 1);
	machine_set_cpu(0);
	spin_unlock_irqrestore(&node(s)->list_lock, flags);
	CHECK_VALID();
	machine_drain_irq_work();
	CHECK_VALID();
	kmem_cache_free(s, p[0]);
	for (int i = 1; i < 12; i += 2)
		kmem_cache_free(s, p[i]);
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

/* ---- the nolock (may-not-spin) path on a debug cache ------------------ */

static struct { struct kmem_cache *s; void *got; bool spinning; } nmi;

static void nmi_allocates_over_held_list_lock(void *unused)
{
	unsigned long flags;

	(void)unused;
	spin_lock_irqsave(&node(nmi.s)->list_lock, flags);
	machine_enter(CTX_NMI);
	/* what kmalloc_nolock() does on a bucket: gfp without reclaim bits */
	nmi.got = slab_alloc_node(nmi.s, nmi.spinning ? GFP_ATOMIC : 0, NUMA_NO_NODE,
				  nmi.s->object_size);
	machine_exit();
	spin_unlock_irqrestore(&node(nmi.s)->list_lock, flags);
}

TEST(debug_nolock_alloc_in_nmi_over_held_list_lock_fails_without_spinning)
{
	struct kmem_cache *s;
	unsigned long pages;
	void *p;

	setup_world(1, false);
	s = kmem_cache_create("dbg-nmi", 64, 8, ALL_DEBUG);
	nmi.s = s;
	/* no partial slab: the NMI makes a new slab, cannot place it */
	pages = nr_free_pages();
	CHECK(machine_try(nmi_allocates_over_held_list_lock, NULL) == NULL);
	CHECK(nmi.got == NULL);
	CHECK_EQ(slub_stat(s, DEFERRED_SLAB), 1);
	CHECK(machine_irq_work_pending(0));
	CHECK_EQ(nr_slabs(s), 1); /* counted before it was deferred */
	CHECK_VALID();
	machine_drain_irq_work();
	CHECK_EQ(nr_slabs(s), 1); /* deactivated onto the partial list: min_partial keeps it */
	CHECK_EQ(node(s)->nr_partial, 1);
	CHECK_EQ(pages - nr_free_pages(), 1u << s->order);
	CHECK_VALID();

	/* a partial slab exists now: the NMI's list_lock trylock fails first */
	p = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(p);
	CHECK(machine_try(nmi_allocates_over_held_list_lock, NULL) == NULL);
	CHECK(nmi.got == NULL);
	CHECK_EQ(slub_stat(s, DEFERRED_SLAB), 2);
	CHECK_VALID();
	machine_drain_irq_work();
	CHECK_EQ(nr_slabs(s), 2);
	CHECK_VALID();

	/* the same with a spinning allocation is the deadlock the trylocks avoid */
	nmi.spinning = true;
	CHECK(report_is(machine_try(nmi_allocates_over_held_list_lock, NULL), "deadlock"));
	nmi.spinning = false;
	setup_world(1, false);
	CHECK_VALID();
	return true;
}

TEST(debug_new_slab_deferred_under_failed_trylock_is_accounted)
{
	struct kmem_cache *s;
	unsigned long flags, pages;
	struct slab *deferred;
	void *p;

	setup_world(2, false);
	s = kmem_cache_create("dbg-defer", 128, 8, SLAB_RED_ZONE | SLAB_POISON | SLAB_CONSISTENCY_CHECKS);
	pages = nr_free_pages();
	/* another CPU holds list_lock (a failed trylock, not a deadlock) */
	machine_set_cpu(1);
	spin_lock_irqsave(&node(s)->list_lock, flags);
	machine_set_cpu(0);
	CHECK(kmem_cache_alloc(s, 0) == NULL);
	CHECK_EQ(slub_stat(s, ALLOC_SLAB), 1);
	CHECK_EQ(slub_stat(s, DEFERRED_SLAB), 1);
	CHECK_EQ(slab_trylock_failures(), 1); /* what stands behind the NULL */
	CHECK_EQ(page_alloc_failures(), 0);
	deferred = container_of(world->defer_free_objects[0].slabs.first, struct slab, llnode);
	CHECK(deferred->frozen && deferred->inuse == 0 && deferred->slab_cache == s);
	CHECK_EQ(nr_slabs(s), 1);
	CHECK_EQ(atomic_long_read(&node(s)->total_objects), s->objects);
	machine_set_cpu(1);
	spin_unlock_irqrestore(&node(s)->list_lock, flags);
	machine_set_cpu(0);
	CHECK_VALID(); /* before the drain: the deferred slab is counted and intact */
	machine_drain_irq_work();
	CHECK_VALID();
	CHECK(!deferred->frozen && (deferred->flags & SL_node_partial));
	CHECK_EQ(nr_slabs(s), 1);
	p = kmem_cache_alloc(s, GFP_KERNEL); /* from the placed slab: no new one */
	CHECK(virt_to_slab(p) == deferred);
	CHECK_EQ(slub_stat(s, ALLOC_SLAB), 1);
	kmem_cache_free(s, p);
	CHECK_VALID();

	/* once the node has enough partial slabs the drain discards it */
	s->min_partial = 1;
	machine_set_cpu(1);
	spin_lock_irqsave(&node(s)->list_lock, flags);
	machine_set_cpu(0);
	CHECK(kmem_cache_alloc(s, 0) == NULL);
	CHECK_EQ(nr_slabs(s), 2);
	machine_set_cpu(1);
	spin_unlock_irqrestore(&node(s)->list_lock, flags);
	machine_set_cpu(0);
	CHECK_VALID();
	machine_drain_irq_work();
	CHECK_EQ(nr_slabs(s), 1);
	CHECK_EQ(slub_stat(s, DEACTIVATE_EMPTY), 1);
	CHECK_EQ(pages - nr_free_pages(), 1u << s->order);
	CHECK_VALID();
	kmem_cache_destroy(s);
	CHECK_EQ(nr_free_pages(), pages);
	CHECK_VALID();
	return true;
}

TEST(debug_kfree_nolock_defers_and_drain_frees_with_checks)
{
	struct kmem_cache *s;
	struct cache_census c;
	void *p, *q;

	setup_world(2, false);
	s = kmem_cache_create("dbg-kfn", 64, 8, ALL_DEBUG);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	kfree_nolock(p); /* never the CPU slab: deferred */
	CHECK_EQ(slub_stat(s, FREE_DEFERRED), 1);
	CHECK(machine_irq_work_pending(0));
	CHECK(cache_census(s, &c));
	CHECK_EQ(c.deferred, 1);
	CHECK_EQ(c.allocated, 1);
	CHECK_VALID(); /* a deferred object still has its active red zone */
	machine_drain_irq_work();
	CHECK(cache_census(s, &c));
	CHECK_EQ(c.deferred, 0);
	CHECK_EQ(c.allocated, 1);
	CHECK_VALID();
	kmem_cache_free(s, q);
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

/* ---- random operations on debug caches --------------------------- */

static bool fill_check(void *p, unsigned int size, unsigned char v)
{
	unsigned char *b = p;

	for (unsigned int k = 0; k < size; k++)
		if (b[k] != v)
			return false;
	return true;
}

TEST(debug_random_ops_validate)
{
	enum { SLOTS = 40, STEPS = 700, CACHES = 4 };
	static const struct { const char *name; unsigned int size, align; slab_flags_t flags; } spec[CACHES] = {
		{ "dbg-a", 40, 8, ALL_DEBUG },
		{ "dbg-b", 64, 16, SLAB_RED_ZONE | SLAB_POISON },
		{ "dbg-c", 24, 8, SLAB_STORE_USER },
		{ "dbg-d", 100, 8, SLAB_CONSISTENCY_CHECKS },
	};
	struct { void *p; int cache; } live[SLOTS] = { 0 };
	struct kmem_cache *caches[CACHES];
	uint64_t st = test_seed();
	unsigned long pages;

	for (int cfg = 0; cfg < 2; cfg++) {
		setup_world(cfg ? 4 : 2, false);
		kconfig.has_cmpxchg128 = cfg == 0;
		boot_world();
		pages = nr_free_pages();
		for (int k = 0; k < CACHES; k++)
			caches[k] = kmem_cache_create(spec[k].name, spec[k].size, spec[k].align, spec[k].flags);
		for (int step = 0; step < STEPS; step++) {
			uint64_t r = test_rand(&st);
			int i = (int)(r % SLOTS), cpu = (int)((r >> 8) % (uint64_t)kconfig.nr_cpus);

			machine_set_cpu(cpu);
			if (!live[i].p) {
				int k = (int)((r >> 16) % CACHES);
				struct kmem_cache *s = caches[k];

				if ((r >> 24) % 4 == 0) {
					/* may not spin; sometimes another CPU holds list_lock */
					int other = (cpu + 1) % kconfig.nr_cpus;
					bool held = (r >> 28) & 1;
					unsigned long flags = 0;

					if (held) {
						machine_set_cpu(other);
						spin_lock_irqsave(&node(s)->list_lock, flags);
						machine_set_cpu(cpu);
					}
					live[i].p = kmem_cache_alloc(s, 0);
					if (held) {
						machine_set_cpu(other);
						spin_unlock_irqrestore(&node(s)->list_lock, flags);
						machine_set_cpu(cpu);
					} else {
						CHECK(live[i].p);
					}
				} else {
					live[i].p = kmem_cache_alloc(s, GFP_KERNEL);
					CHECK(live[i].p);
				}
				live[i].cache = k;
				if (live[i].p)
					memset(live[i].p, i + 1, spec[k].size);
			} else {
				struct kmem_cache *s = caches[live[i].cache];

				CHECK(fill_check(live[i].p, spec[live[i].cache].size, (unsigned char)(i + 1)));
				if ((r >> 24) % 5 == 0)
					kfree_nolock(live[i].p);
				else
					kmem_cache_free(s, live[i].p);
				live[i].p = NULL;
			}
			if ((r >> 32) % 6 == 0)
				machine_drain_irq_work();
			if (!valid()) {
				fprintf(stderr, "step %d (cfg %d)\n", step, cfg);
				return false;
			}
			for (int k = 0; k < CACHES; k++)
				CHECK(no_cpu_state(caches[k]));
		}
		for (int i = 0; i < SLOTS; i++) {
			if (live[i].p)
				kmem_cache_free(caches[live[i].cache], live[i].p);
			live[i].p = NULL;
		}
		machine_set_cpu(0);
		machine_drain_irq_work();
		CHECK_VALID();
		for (int k = 0; k < CACHES; k++) {
			CHECK_EQ(allocated(caches[k]), 0);
			kmem_cache_destroy(caches[k]);
		}
		CHECK_EQ(machine_warnings(), 0);
		CHECK_EQ(nr_free_pages(), pages);
		CHECK_VALID();
	}
	return true;
}

/* ---- the validators on broken debug and TINY state ----------------- */

TEST(debug_validators_catch_list_and_pattern_corruption)
{
	struct kmem_cache *s;
	struct slab *slab;
	unsigned char *p[4], save;

	setup_world(1, false);
	s = kmem_cache_create("dbg-val", 64, 8, SLAB_STORE_USER | SLAB_RED_ZONE);
	for (int i = 0; i < 4; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	slab = virt_to_slab(p[0]);
	CHECK_VALID();

	slab->flags &= ~SL_node_full; /* on the list but unmarked */
	CHECK(invalid_because("unmarked"));
	slab->flags |= SL_node_full;
	CHECK_VALID();

	list_del(&slab->slab_list); /* a full slab of a SLAB_STORE_USER cache on no list */
	slab->flags &= ~SL_node_full;
	CHECK(invalid_because("not on the full list"));
	list_add(&slab->slab_list, &node(s)->full);
	slab->flags |= SL_node_full;
	CHECK_VALID();

	kmem_cache_free(s, p[3]);
	save = raw_byte(p[3] + 64);
	p[3][64] = SLUB_RED_ACTIVE; /* a free object with an active red zone */
	CHECK(invalid_because("Right Redzone of free object #3"));
	p[3][64] = save;
	CHECK_VALID();

	cpu_slab(s, 0)->partial = slab; /* debug caches have no CPU partial list */
	CHECK(invalid_because("never uses per-CPU slabs"));
	cpu_slab(s, 0)->partial = NULL;
	CHECK_VALID();
	return true;
}

/* ---- SLUB_TINY --------------------------------------------------- */

TEST(tiny_no_cpu_slab_ever)
{
	void *p[24];

	setup_world(2, true);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 24; i++) {
			machine_set_cpu(i % 2);
			p[i] = i % 3 ? kmalloc(8u << (i % 6), GFP_KERNEL)
				     : kmalloc_nolock(8u << (i % 6), 0, NUMA_NO_NODE);
			CHECK(p[i]);
		}
		for (int k = 0; k < KMALLOC_CACHES; k++)
			CHECK(no_cpu_state(kmalloc_cache_nth(k)));
		CHECK_VALID();
		for (int i = 0; i < 24; i++) {
			machine_set_cpu((i + round) % 2);
			if (i % 3)
				kfree(p[i]);
			else
				kfree_nolock(p[i]);
		}
		machine_drain_irq_work();
		for (int k = 0; k < KMALLOC_CACHES; k++) {
			struct kmem_cache *s = kmalloc_cache_nth(k);

			CHECK(no_cpu_state(s));
			CHECK_EQ(slub_stat(s, ALLOC_FASTPATH), 0);
			CHECK_EQ(slub_stat(s, ALLOC_SLOWPATH), 0);
			CHECK_EQ(slub_stat(s, FREE_FASTPATH), 0);
			CHECK_EQ(allocated(s), 0);
		}
		CHECK_VALID();
	}
	return true;
}

TEST(tiny_kfree_nolock_always_defers)
{
	struct kmem_cache *s;
	void *p;

	setup_world(2, true);
	s = kmalloc_slab(64);
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	CHECK(p);
	kfree_nolock(p); /* same CPU, task context, nothing held: still deferred */
	CHECK_EQ(slub_stat(s, FREE_DEFERRED), 1);
	CHECK(machine_irq_work_pending(0));
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	CHECK(machine_run_irq_work());
	CHECK(!machine_irq_work_pending(0));
	CHECK_EQ(slub_stat(s, FREE_SLOWPATH), 1);
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

TEST(tiny_allocation_order_and_reuse)
{
	struct kmem_cache *s;
	char *p[8], *q;

	setup_world(1, true);
	s = kmem_cache_create("tiny-64", 64, 8, 0);
	for (int i = 0; i < 5; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (int i = 1; i < 4; i++)
		CHECK(p[i] == p[i - 1] + s->size); /* address order within a slab */
	CHECK(virt_to_slab(p[4]) != virt_to_slab(p[0]));
	CHECK_EQ(node(s)->nr_partial, 1); /* the second slab; the first, full, on no list */
	CHECK_VALID();
	kmem_cache_free(s, p[1]); /* the first slab goes to the tail of the partial list */
	CHECK_EQ(node(s)->nr_partial, 2);
	for (int i = 5; i < 8; i++) {
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
		CHECK(p[i] == p[4] + (i - 4) * s->size); /* the head slab first */
	}
	q = kmem_cache_alloc(s, GFP_KERNEL); /* then the freed object */
	CHECK(q == p[1]);
	CHECK_EQ(node(s)->nr_partial, 0);
	CHECK_VALID();
	kmem_cache_free(s, q);
	for (int i = 0; i < 8; i++)
		if (i != 1)
			kmem_cache_free(s, p[i]);
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

TEST(tiny_remote_frees_move_slabs_between_lists)
{
	struct kmem_cache *s;
	struct slab *slab;
	void *p[4];

	setup_world(2, true);
	s = kmalloc_slab(128);
	for (int i = 0; i < 4; i++)
		p[i] = kmalloc(128, GFP_KERNEL);
	slab = virt_to_slab(p[0]);
	CHECK_EQ(slab->inuse, 4);
	CHECK(!(slab->flags & SL_node_partial));
	machine_set_cpu(1);
	kfree(p[0]); /* from another CPU: straight to the slab, under list_lock */
	CHECK(slab->flags & SL_node_partial);
	CHECK_EQ(slub_stat(s, FREE_ADD_PARTIAL), 1);
	CHECK_VALID();
	machine_set_cpu(0);
	p[0] = kmalloc(128, GFP_KERNEL); /* cpu0 gets it back from the node */
	CHECK(virt_to_slab(p[0]) == slab);
	CHECK(!(slab->flags & SL_node_partial));
	CHECK_VALID();
	machine_set_cpu(1);
	for (int i = 0; i < 4; i++)
		kfree(p[i]);
	CHECK_EQ(slab->inuse, 0);
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

static void tiny_nmi_nolock_over_list_lock(void *unused)
{
	struct kmem_cache *s = kmalloc_slab(64);
	unsigned long flags;

	(void)unused;
	spin_lock_irqsave(&node(s)->list_lock, flags);
	machine_enter(CTX_NMI);
	nmi.got = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	machine_exit();
	spin_unlock_irqrestore(&node(s)->list_lock, flags);
}

TEST(tiny_deferred_new_slab_is_discarded_by_the_drain)
{
	struct kmem_cache *s;
	unsigned long pages;

	setup_world(1, true);
	s = kmalloc_slab(64);
	pages = nr_free_pages();
	CHECK(machine_try(tiny_nmi_nolock_over_list_lock, NULL) == NULL);
	CHECK(nmi.got == NULL); /* TINY: no busy retry in the next bucket */
	CHECK_EQ(slab_trylock_failures(), 1);
	CHECK_EQ(slub_stat(s, DEFERRED_SLAB), 1);
	CHECK_EQ(nr_slabs(s), 1);
	CHECK_EQ(pages - nr_free_pages(), 1u << s->order);
	CHECK_VALID();
	machine_drain_irq_work();
	CHECK_EQ(nr_slabs(s), 0); /* discarded, not deactivated */
	CHECK_EQ(node(s)->nr_partial, 0);
	CHECK_EQ(nr_free_pages(), pages);
	CHECK_VALID();
	return true;
}

TEST(tiny_nmi_kmalloc_nolock_does_not_look_at_the_cpu_lock)
{
	struct kmem_cache *s;
	unsigned long flags;
	void *p;

	setup_world(1, true);
	s = kmalloc_slab(64);
	local_lock_irqsave(&cpu_slab(s, 0)->lock, flags);
	CHECK(machine_enter(CTX_NMI));
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	CHECK(p && virt_to_cache(p) == s); /* not busy: served by kmalloc-64 itself */
	kfree_nolock(p);
	machine_exit();
	local_unlock_irqrestore(&cpu_slab(s, 0)->lock, flags);
	machine_drain_irq_work();
	CHECK_EQ(allocated(s), 0);
	CHECK_VALID();
	return true;
}

TEST(tiny_debug_cache_checks_still_run)
{
	const struct machine_report *r;
	struct kmem_cache *s;
	struct track t;
	unsigned char *p;

	setup_world(1, true);
	s = kmem_cache_create("tiny-dbg", 32, 8, ALL_DEBUG);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	get_track_copy(s, p, TRACK_ALLOC, &t);
	CHECK_EQ(t.when, 0); /* as in the kernel: TINY's alloc path sets no alloc track */
	kmem_cache_free(s, p);
	get_track_copy(s, p, TRACK_FREE, &t);
	CHECK(t.when > 0);
	CHECK_VALID();
	p = kmem_cache_alloc(s, GFP_KERNEL);
	p[32] = 0; /* overflow into the red zone */
	CHECK(invalid_because("Right Redzone"));
	arg.s = s;
	arg.p = p;
	r = machine_try(do_free, NULL);
	CHECK(report_says(r, "slab-error", "BUG tiny-dbg: Right Redzone overwritten", "object #0", NULL));
	setup_world(1, true);
	CHECK_VALID();
	return true;
}

TEST(tiny_validators_catch_per_cpu_state)
{
	struct kmem_cache *s;
	void *p;

	setup_world(1, true);
	s = kmalloc_slab(32);
	p = kmalloc(32, GFP_KERNEL);
	CHECK_VALID();
	cpu_slab(s, 0)->slab = virt_to_slab(p);
	CHECK(invalid_because("TINY cache never uses per-CPU slabs"));
	cpu_slab(s, 0)->slab = NULL;
	CHECK_VALID();
	kfree(p);
	CHECK_VALID();
	return true;
}

static bool tiny_random_run(uint64_t seed, int cpus)
{
	enum { SLOTS = 48, STEPS = 600 };
	struct { void *p; bool nolock; unsigned int size; } live[SLOTS] = { 0 };
	static const unsigned int sizes[] = { 8, 24, 64, 96, 150, 256, 1000, 5000 };
	uint64_t st = seed;

	setup_world(cpus, true);
	for (int step = 0; step < STEPS; step++) {
		uint64_t r = test_rand(&st);
		int i = (int)(r % SLOTS);

		machine_set_cpu((int)((r >> 8) % (uint64_t)cpus));
		if (!live[i].p) {
			unsigned int size = sizes[(r >> 16) % 8];
			bool nolock = (r >> 24) & 1;

			if (nolock && (r >> 40) % 4 == 0) {
				/* an NMI allocating while this CPU holds the bucket's list_lock */
				unsigned long flags;

				spin_lock_irqsave(&node(kmalloc_slab(size))->list_lock, flags);
				CHECK(machine_enter(CTX_NMI));
				live[i].p = kmalloc_nolock(size, 0, NUMA_NO_NODE);
				machine_exit();
				spin_unlock_irqrestore(&node(kmalloc_slab(size))->list_lock, flags);
			} else {
				live[i].p = nolock ? kmalloc_nolock(size, 0, NUMA_NO_NODE)
						   : kmalloc(size, GFP_KERNEL);
				CHECK(live[i].p);
			}
			live[i].nolock = nolock;
			live[i].size = size;
			if (live[i].p)
				memset(live[i].p, i + 1, size);
		} else {
			CHECK(fill_check(live[i].p, live[i].size, (unsigned char)(i + 1)));
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
	machine_set_cpu(0);
	machine_drain_irq_work();
	CHECK(valid());
	for (int k = 0; k < KMALLOC_CACHES; k++) {
		CHECK(no_cpu_state(kmalloc_cache_nth(k)));
		CHECK_EQ(allocated(kmalloc_cache_nth(k)), 0);
	}
	return true;
}

TEST(tiny_random_ops_validate)
{
	uint64_t seed = test_seed();
	static const int cpus[] = { 1, 2, 4 };

	for (int c = 0; c < 3; c++) {
		if (!tiny_random_run(seed + (uint64_t)c, cpus[c])) {
			fprintf(stderr, "failed: cpus=%d seed=%llu\n", cpus[c], (unsigned long long)seed);
			return false;
		}
	}
	return true;
}
