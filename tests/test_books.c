/*
 * tests/test_books.c — the environment's own books on the slab API's calls
 * (issue 16), the allocator's included.
 *
 * The API contract on the allocator's own allocations ("api-contract"): a
 * free with an API the object's allocation does not allow — kfree_nolock()
 * of an object not from kmalloc_nolock(), kfree() of a kmalloc_nolock()
 * object before 7.0 (Design A), kmem_cache_free() with another cache — made
 * by the allocator itself is reported; a program's (the harness's) calls are
 * the oracle's affair. The tests free as the allocator would, through the
 * hook core/'s API functions call.
 *
 * kmemleak's bookkeeping ("kmemleak"): objects registered at allocation
 * (a caller that may spin) and forgotten by kfree() but not kfree_nolock();
 * freed memory it still tracks is a leak at the scan, or a refused insert.
 *
 * KASAN's allocation side ("kasan", inject/kasan.c): an object about to be
 * handed out that KASAN does not have poisoned is reported, naming the
 * allocator's own allocation when it was one; a program's object is the
 * oracle's double-alloc.
 */
#include "test.h"

#include "../core/bugs.h"
#include "../core/internal.h"
#include "../inject/callstack.h"
#include "../inject/kasan.h"
#include "../inject/kmemleak.h"
#include "../inject/machine.h"

#include <string.h>

static void books_setup(enum slab_design design, bool memcg)
{
	callstack_set_depth(0); /* a report may have left model frames on it */
	test_kconfig(2);
	kconfig.design = design;
	kconfig.alloc_flags_rule = design == DESIGN_SHEAVES ? RULE_ALLOC_TRYLOCK : RULE_GFP;
	kconfig.memcg = memcg;
	kconfig.bugs = 0;
	boot_world();
}

struct api_free {
	void *object;
	enum env_slab_api api;
	struct kmem_cache *cache;
};

void __cyg_profile_func_enter(void *fn, void *caller);
void __cyg_profile_func_exit(void *fn, void *caller);

/*
 * The allocator frees object with api: the hook core/'s API function calls,
 * with two model frames on the shadow call stack as the API function and
 * the model function that called it would leave (tests are not
 * instrumented), so that the free is the allocator's own, not the harness's.
 */
static void allocator_frees(void *arg)
{
	const struct api_free *f = arg;

	__cyg_profile_func_enter((void *)allocator_frees, NULL);	/* "the caller" */
	__cyg_profile_func_enter((void *)env_slab_api, NULL);		/* "the API" */
	env_slab_api(f->api, f->object, f->cache, 0);
	__cyg_profile_func_exit((void *)env_slab_api, NULL);
	__cyg_profile_func_exit((void *)allocator_frees, NULL);
}

/* Allocations as the allocator makes them (a model function's frame below
 * the API function): only those are in the books. */
static void *allocator_kmalloc(size_t size, gfp_t gfp)
{
	void *p;

	__cyg_profile_func_enter((void *)allocator_kmalloc, NULL);
	p = kmalloc(size, gfp);
	__cyg_profile_func_exit((void *)allocator_kmalloc, NULL);
	return p;
}

static void *allocator_kmalloc_nolock(size_t size)
{
	void *p;

	__cyg_profile_func_enter((void *)allocator_kmalloc_nolock, NULL);
	p = kmalloc_nolock(size, 0, NUMA_NO_NODE);
	__cyg_profile_func_exit((void *)allocator_kmalloc_nolock, NULL);
	return p;
}

static void *allocator_cache_alloc(struct kmem_cache *s)
{
	void *p;

	__cyg_profile_func_enter((void *)allocator_cache_alloc, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	__cyg_profile_func_exit((void *)allocator_cache_alloc, NULL);
	return p;
}

static void harness_frees(void *arg)
{
	const struct api_free *f = arg;

	env_slab_api(f->api, f->object, f->cache, 0);
}

static const struct machine_report *frees(void *object, enum env_slab_api api,
					  struct kmem_cache *cache)
{
	struct api_free f = { object, api, cache };
	const struct machine_report *r = machine_try(allocator_frees, &f);

	callstack_set_depth(0); /* a report left the two frames */
	return r;
}

TEST(api_contract_reports_the_allocators_wrong_free)
{
	struct kmem_cache *c0, *c1;
	const struct machine_report *r;
	void *p;

	books_setup(DESIGN_CPU_SLAB, false);
	p = allocator_kmalloc(64, GFP_KERNEL);
	r = frees(p, ENV_KFREE_NOLOCK, NULL);
	CHECK(report_is(r, "api-contract"));
	CHECK(strstr(r->text, "the allocator broke the slab API's contract: kfree_nolock() of an "
			      "object not from kmalloc_nolock(): kmalloc-64 slab "));
	CHECK(strstr(r->text, ", allocated by kmalloc() in allocator_kmalloc, freed in ") ||
	      strstr(r->text, ", allocated by kmalloc() in ?, freed in "));

	books_setup(DESIGN_CPU_SLAB, false);
	p = allocator_kmalloc_nolock(64);
	r = frees(p, ENV_KFREE, NULL);
	CHECK(report_is(r, "api-contract"));
	CHECK(strstr(r->text, "kfree() of a kmalloc_nolock() object (allowed only after 6.18)"));
	/* Design B, after 6.18: kfree() may free it */
	books_setup(DESIGN_SHEAVES, false);
	p = allocator_kmalloc_nolock(64);
	CHECK(!frees(p, ENV_KFREE, NULL));

	books_setup(DESIGN_CPU_SLAB, false);
	c0 = kmem_cache_create("c0", 64, 8, 0);
	c1 = kmem_cache_create("c1", 64, 8, 0);
	p = allocator_cache_alloc(c0);
	r = frees(p, ENV_KMEM_CACHE_FREE, c1);
	CHECK(report_is(r, "api-contract"));
	CHECK(strstr(r->text, "kmem_cache_free() of an object from another cache"));
	CHECK(strstr(r->text, "allocated by kmem_cache_alloc()"));

	/* what the contract allows, and what is not in the books: nothing */
	books_setup(DESIGN_CPU_SLAB, false);
	c0 = kmem_cache_create("c0", 64, 8, 0);
	p = allocator_cache_alloc(c0);
	CHECK(!frees(p, ENV_KMEM_CACHE_FREE, c0));
	p = allocator_cache_alloc(c0);
	CHECK(!frees(p, ENV_KFREE, NULL));	/* kfree() of any slab object */
	p = allocator_kmalloc_nolock(64);
	CHECK(!frees(p, ENV_KFREE_NOLOCK, NULL));
	CHECK(!frees(p, ENV_KFREE, NULL));	/* its booking went with the free */
	p = allocator_kmalloc(64, GFP_KERNEL);
	kfree(p);				/* booked, and unbooked by the real free */
	CHECK(!frees(p, ENV_KFREE_NOLOCK, NULL));
	p = kmalloc(64, GFP_KERNEL);		/* the harness's: not booked */
	CHECK(!frees(p, ENV_KFREE_NOLOCK, NULL));

	/* the harness's own free (a program's, a test's) is the oracle's affair */
	books_setup(DESIGN_CPU_SLAB, false);
	p = allocator_kmalloc(64, GFP_KERNEL);
	{
		struct api_free f = { p, ENV_KFREE_NOLOCK, NULL };

		CHECK(!machine_try(harness_frees, &f));
	}

	/* the check switched off */
	books_setup(DESIGN_CPU_SLAB, false);
	kconfig.api_contract = false;
	p = allocator_kmalloc(64, GFP_KERNEL);
	CHECK(!frees(p, ENV_KFREE_NOLOCK, NULL));
	kconfig.api_contract = true;
	return true;
}

/* The registry bug objexts_free_nolock: a slab's obj_exts vector that
 * kmalloc() allocated goes back by kfree_nolock() when the slab is freed. */
static void destroy_accounted_cache(void *arg)
{
	struct kmem_cache *c0 = kmem_cache_create("acct", 100, 8, SLAB_ACCOUNT);
	void *a = kmem_cache_alloc(c0, GFP_KERNEL);	/* may spin: its vector by kmalloc() */

	(void)arg;
	kmem_cache_free(c0, a);
	kmem_cache_destroy(c0);
}

TEST(api_contract_catches_objexts_free_nolock)
{
	const struct machine_report *r;

	for (int bug = 0; bug < 2; bug++) {
		books_setup(DESIGN_CPU_SLAB, true);
		kconfig.bugs = bug ? 1ull << BUG_OBJEXTS_FREE_NOLOCK : 0;
		r = machine_try(destroy_accounted_cache, NULL);
		if (!bug) {
			CHECK(!r);
			CHECK_EQ(memcg_objexts_freed_kfree(), 1);
			CHECK_VALID();
			continue;
		}
		CHECK(report_is(r, "api-contract"));
		CHECK(strstr(r->text, "kfree_nolock() of an object not from kmalloc_nolock()"));
		CHECK(strstr(r->text, "allocated by kmalloc() in alloc_slab_obj_exts") ||
		      strstr(r->text, "allocated by kmalloc() in ?"));
		CHECK(strstr(r->text, "free_slab_obj_exts") || strstr(r->text, "? <- ?"));
	}
	kconfig.bugs = 0;
	kconfig.memcg = false;
	return true;
}

/*
 * kmemleak's books ("kmemleak"): an object allocated by a caller that may
 * spin is registered, kfree() forgets it, kfree_nolock() does not; memory it
 * still tracks but that was freed is a leak at the next scan, and a
 * registered allocation on it is refused.
 */
static void *leak_obj;

static void scan(void *arg)
{
	(void)arg;
	kmemleak_scan();
}

static void kmalloc_again(void *arg)
{
	(void)arg;
	leak_obj = kmalloc(64, GFP_KERNEL);
}

/* kfree_nolock() as the allocator would call it (a model function's frame
 * below it), with the API contract's check off: kmemleak is what is left. */
static void allocator_kfree_nolock(void *p)
{
	__cyg_profile_func_enter((void *)allocator_kfree_nolock, NULL);
	kfree_nolock(p);
	__cyg_profile_func_exit((void *)allocator_kfree_nolock, NULL);
}

TEST(kmemleak_reports_memory_freed_behind_its_back)
{
	const struct machine_report *r;
	void *p;

	books_setup(DESIGN_CPU_SLAB, false);
	kconfig.api_contract = false;
	p = allocator_kmalloc(64, GFP_KERNEL);	/* registered */
	allocator_kfree_nolock(p);		/* kmemleak is not told */
	r = machine_try(scan, NULL);
	CHECK(report_is(r, "kmemleak"));
	CHECK(strstr(r->text, "kmemleak: 1 new suspected memory leak: unreferenced object kmalloc-64 slab "));
	CHECK(strstr(r->text, "(allocated by kmalloc() in allocator_kmalloc, freed by kfree_nolock() in "
			      "allocator_kfree_nolock") || strstr(r->text, "(allocated by kmalloc() in ?"));
	CHECK(strstr(r->text, ", which does not tell kmemleak)"));
	/* the same memory allocated again, registered: refused */
	r = machine_try(kmalloc_again, NULL);
	callstack_set_depth(0); /* the report left kmalloc()'s frame */
	CHECK(report_is(r, "kmemleak"));
	CHECK(strstr(r->text, "kmemleak: Cannot insert kmalloc-64 slab "));
	CHECK(strstr(r->text, " into the object search tree (overlaps existing): kmalloc() at "));
	CHECK(strstr(r->text, "; the existing object: kmalloc-64 slab "));

	/* what kmemleak is told of, or never registers: nothing */
	books_setup(DESIGN_CPU_SLAB, false);
	kconfig.api_contract = false;
	p = allocator_kmalloc(64, GFP_KERNEL);
	kfree(p);
	p = allocator_kmalloc_nolock(64);	/* allocated without kmemleak */
	allocator_kfree_nolock(p);
	p = allocator_kmalloc(64, 0);	/* the gfp rule: may not spin, not registered */
	allocator_kfree_nolock(p);
	p = allocator_kmalloc(64, GFP_KERNEL);
	kfree_nolock(p);		/* the harness's own call: forgotten */
	p = kmalloc(64, GFP_KERNEL);	/* live at the scan: its owner refers to it */
	CHECK(!machine_try(scan, NULL));
	CHECK(!machine_try(kmalloc_again, NULL));
	kfree(p);
	kfree(leak_obj);

	/* the check switched off */
	books_setup(DESIGN_CPU_SLAB, false);
	kconfig.api_contract = false;
	kconfig.kmemleak = false;
	p = allocator_kmalloc(64, GFP_KERNEL);
	allocator_kfree_nolock(p);
	CHECK(!machine_try(scan, NULL));
	CHECK(!machine_try(kmalloc_again, NULL));
	kconfig.kmemleak = true;
	kconfig.api_contract = true;
	return true;
}

/* The registry bug sheaf_free_skips_kfree: Design B gives an empty sheaf
 * back to its slab without kfree(), and kmemleak keeps tracking it. */
static void sheaf_alloc_and_destroy(void *arg)
{
	struct kmem_cache *c0 = kmem_cache_create("c0", 64, 8, 0);
	void *a = kmem_cache_alloc(c0, GFP_KERNEL);	/* the first sheaf is allocated */

	(void)arg;
	kmem_cache_free(c0, a);
	kmem_cache_destroy(c0);				/* and freed */
	machine_drain_irq_work();
	kmemleak_scan();
}

TEST(kmemleak_catches_sheaf_free_skips_kfree)
{
	const struct machine_report *r;

	for (int bug = 0; bug < 2; bug++) {
		books_setup(DESIGN_SHEAVES, false);
		kconfig.bugs = bug ? 1ull << BUG_SHEAF_FREE_SKIPS_KFREE : 0;
		r = machine_try(sheaf_alloc_and_destroy, NULL);
		if (!bug) {
			CHECK(!r);
			CHECK_VALID();
			continue;
		}
		CHECK(report_is(r, "kmemleak"));
		CHECK(strstr(r->text, "unreferenced object kmalloc-64 slab "));
		CHECK(strstr(r->text, "(allocated by kmalloc() in alloc_empty_sheaf, freed without kfree() "
				      "or kmem_cache_free())") || strstr(r->text, "in ?"));
	}
	kconfig.bugs = 0;
	return true;
}

/* ---- KASAN's allocation side ---- */

static void *again;

static void allocate_again(void *arg)
{
	(void)arg;
	again = kmalloc(64, GFP_KERNEL);
}

/* Back on its slab's freelist as a free would put it, but without the free
 * hook: KASAN still has it live. */
static void back_without_free_hook(void *p)
{
	do_slab_free(virt_to_cache(p), virt_to_slab(p), p, p, 1);
}

static bool program_holds_it(void *ctx, const void *object)
{
	return object == ctx;
}

static const struct machine_report *handed_out_again(void)
{
	const struct machine_report *r = machine_try(allocate_again, NULL);

	callstack_set_depth(0); /* a report left kmalloc()'s frames */
	return r;
}

TEST_ASAN(kasan_reports_an_object_handed_out_while_live)
{
	const struct machine_report *r;
	void *p;

	/* the allocator's own object, never freed */
	books_setup(DESIGN_CPU_SLAB, false);
	p = allocator_kmalloc(64, GFP_KERNEL);
	back_without_free_hook(p);
	r = handed_out_again();
	CHECK(report_is(r, "kasan"));
	CHECK(strstr(r->text, "BUG: KASAN: double-unpoison of kmalloc-64 slab "));
	CHECK(strstr(r->text, "(the allocator's own object, allocated by kmalloc() in allocator_kmalloc "
			      "and not freed)") ||
	      strstr(r->text, "(the allocator's own object, allocated by kmalloc() in ? and not freed)"));

	/* anyone's, returned without the free hook */
	books_setup(DESIGN_CPU_SLAB, false);
	p = kmalloc(64, GFP_KERNEL);
	back_without_free_hook(p);
	r = handed_out_again();
	CHECK(report_is(r, "kasan"));
	CHECK(strstr(r->text, "freed without slab_free_hook()"));

	/* the program holds it: the oracle's double-alloc says so, not KASAN */
	books_setup(DESIGN_CPU_SLAB, false);
	p = kmalloc(64, GFP_KERNEL);
	back_without_free_hook(p);
	kasan_set_program(program_holds_it, p);
	r = handed_out_again();
	kasan_set_program(NULL, NULL);
	CHECK(!r);
	CHECK(again == p);

	/* a real free poisons it: nothing */
	books_setup(DESIGN_CPU_SLAB, false);
	p = allocator_kmalloc(64, GFP_KERNEL);
	kfree(p);
	CHECK(!handed_out_again());
	CHECK(again == p);

	/* the check switched off */
	books_setup(DESIGN_CPU_SLAB, false);
	kconfig.kasan = false;
	p = allocator_kmalloc_nolock(64);	/* not kmemleak's: it would refuse the insert */
	back_without_free_hook(p);
	r = handed_out_again();
	kconfig.kasan = true;
	CHECK(!r);
	return true;
}
