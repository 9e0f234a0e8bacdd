/*
 * tests/test_verify.c — the handlers `reentry verify` derives for a seed
 * (fuzz/verify_handlers.c). tests/verify.sh runs the command itself.
 */
#include "test.h"

#include "../core/slab.h"
#include "../fuzz/verify.h"

#include <string.h>

static struct sweep_handler h[MAX_OPS];


/* Is handler i the one operation `want` (as the text form prints it), or empty for ""? */
static bool is(int i, const char *want)
{
	char text[128] = "";

	if (h[i].nops > 1)
		return false;
	if (h[i].nops)
		op_print(&h[i].ops[0], text, sizeof(text));
	if (strcmp(text, want) != 0) {
		fprintf(stderr, "op %d's handler: '%s', expected '%s'\n", i, text, want);
		return false;
	}
	return true;
}

TEST(verify_buckets_are_the_models)
{
	int n;

	test_kconfig(2);
	boot_world();
	for (n = 0; kmalloc_cache_nth(n); n++)
		CHECK_EQ(verify_bucket_size(n), kmem_cache_object_size(kmalloc_cache_nth(n)));
	CHECK_EQ(verify_bucket_size(n), 0);
	return true;
}

static const char seed[] =
	"cpu0 task: a = kmalloc_nolock(64, 0)\n"
	"cpu1 task: b = kmalloc_nolock(64, 0)\n"
	"cpu0 task: c = kmalloc(128, GFP_KERNEL)\n"
	"cpu0 task: kfree_nolock(a)\n"
	"cpu0 task: d = kmalloc_nolock(256, 0)  @5 nmi { x = kmalloc_nolock(32, 0) }\n"
	"cpu0 task: irq_work()\n";

TEST(verify_allocating_handlers)
{
	static struct program p;

	CHECK(test_parse(seed, &p));
	/* the operation's own size (a free: its object's; none: 64), in a slot
	 * the program never names (x is the handler's: z) */
	CHECK(verify_handlers(&p, VH_SAME_BUCKET, h));
	CHECK(is(0, "z = kmalloc_nolock(64, __GFP_ZERO)"));
	CHECK(is(2, "z = kmalloc_nolock(128, __GFP_ZERO)"));
	CHECK(is(3, "z = kmalloc_nolock(64, __GFP_ZERO)"));
	CHECK(is(4, "z = kmalloc_nolock(256, __GFP_ZERO)"));
	CHECK(is(5, "z = kmalloc_nolock(64, __GFP_ZERO)"));
	/* 32, 64, 128 and 256 are the seed's: 512 is the first other bucket */
	CHECK(verify_handlers(&p, VH_OTHER_BUCKET, h));
	for (int i = 0; i < p.nops; i++)
		CHECK(is(i, "z = kmalloc_nolock(512, __GFP_ZERO)"));
	/* with memcg, accounted */
	p.config.memcg = true;
	CHECK(verify_handlers(&p, VH_SAME_BUCKET, h));
	CHECK(is(0, "z = kmalloc_nolock(64, __GFP_ZERO|__GFP_ACCOUNT)"));
	return true;
}

TEST(verify_freeing_handlers)
{
	static struct program p;

	CHECK(test_parse(seed, &p));
	/* local: a kmalloc_nolock() object of the operation's CPU, not the one
	 * it frees; else a kmalloc() one, freed with kfree() */
	CHECK(verify_handlers(&p, VH_FREE_LOCAL, h));
	CHECK(is(0, ""));
	CHECK(is(1, ""));			/* a is cpu0's */
	CHECK(is(2, "kfree_nolock(a)"));	/* a before c: kmalloc_nolock()'s first */
	CHECK(is(3, "kfree(c)"));		/* it frees a itself: c, kmalloc()'s */
	CHECK(is(4, "kfree(c)"));
	/* remote: another CPU's */
	CHECK(verify_handlers(&p, VH_FREE_REMOTE, h));
	CHECK(is(0, ""));
	CHECK(is(1, "kfree_nolock(a)"));
	CHECK(is(2, "kfree_nolock(b)"));
	CHECK(is(5, "kfree_nolock(b)"));
	/* nothing to free anywhere: no sweep at all */
	CHECK(test_parse("cpu0 task: a = kmalloc(64, GFP_KERNEL)\ncpu0 task: kfree(a)\n", &p));
	CHECK(!verify_handlers(&p, VH_FREE_LOCAL, h));
	return true;
}

TEST(verify_free_prefers_the_operations_bucket)
{
	static struct program p;

	/* b is newer, but a is in the bucket op 2 works in */
	CHECK(test_parse("cpu0 task: a = kmalloc_nolock(64, 0)\n"
		    "cpu0 task: b = kmalloc_nolock(512, 0)\n"
		    "cpu0 task: c = kmalloc(64, GFP_KERNEL)\n"
		    "cpu0 task: d = kmalloc(1024, GFP_KERNEL)\n", &p));
	CHECK(verify_handlers(&p, VH_FREE_LOCAL, h));
	CHECK(is(2, "kfree_nolock(a)"));
	CHECK(is(3, "kfree_nolock(b)"));	/* none of 1024: the newest */
	return true;
}

TEST(verify_own_handler)
{
	static struct program p;

	CHECK(test_parse(seed, &p));
	CHECK(!verify_handlers(&p, VH_OWN, h));
	CHECK(test_parse("# sweep: nmi handler kfree_nolock(b)\n"
		    "cpu0 task: b = kmalloc_nolock(64, 0)\ncpu0 task: c = kmalloc(64, GFP_KERNEL)\n", &p));
	CHECK(verify_handlers(&p, VH_OWN, h));
	CHECK(is(0, "kfree_nolock(b)"));
	CHECK(is(1, "kfree_nolock(b)"));
	return true;
}
