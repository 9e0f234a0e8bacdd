/*
 * inject/kmemleak.c — CONFIG_DEBUG_KMEMLEAK's bookkeeping (kconfig.kmemleak).
 *
 * kmemleak registers each object slab_post_alloc_hook() hands to a caller
 * that may spin (kmemleak_alloc_recursive() takes kmemleak's own locks, so a
 * kmalloc_nolock() object is allocated without it), and forgets it in
 * slab_free_hook() (kmemleak_free_recursive()), which kfree_nolock() does not
 * call. An object it tracks whose memory is freed another way stays in its
 * books:
 *  - a tracked allocation that lands on that memory is refused, "kmemleak:
 *    Cannot insert 0x... into the object search tree (overlaps existing)",
 *    and kmemleak switches itself off;
 *  - if nothing tracked reuses it, the next scan finds the freed memory
 *    referenced by nothing and reports a leak that is none: "kmemleak:
 *    unreferenced object". The scan runs at the end of a run, everything
 *    freed and drained (kmemleak_scan(), from the oracle); the memory is free
 *    when KASAN (ASan) has it poisoned, so the scan needs an ASan build.
 * Both are "kmemleak" reports, naming where the object was allocated and,
 * when the slab API freed it, where and how. Only the allocator's own
 * objects (allocated by a model function: inject/slab_api.c) are kept: a
 * program frees its objects with kfree() (the oracle sees to it), which
 * forgets them at once, and a kfree_nolock() the harness makes (a test's)
 * forgets the object too, the API contract being the oracle's affair there;
 * a registered allocation is still checked against the allocator's.
 *
 * The books are reset with the machine and saved in its snapshots.
 */
#include "kmemleak.h"
#include "object_book.h"
#include "api_contract.h"
#include "chain.h"
#include "engine.h"

#include "../core/slab.h"

#include <stdio.h>
#include <string.h>

static struct object_book books;

void kmemleak_reset(void)
{
	books.n = 0;
}

size_t kmemleak_state_size(void)
{
	return BOOK_STATE_SIZE;
}

size_t kmemleak_save(void *buf)
{
	return book_save(&books, buf);
}

void kmemleak_restore(const void *buf)
{
	book_restore(&books, buf);
}

/*
 * Does slab_post_alloc_hook() call kmemleak for this allocation? Only for a
 * caller that may spin: by the gfp under the gfp rule, by the slab's own
 * SLAB_ALLOC_TRYLOCK (kmalloc_nolock()'s) under the new alloc_flags rule.
 */
static bool registers(enum env_slab_api api, unsigned int gfp)
{
	if (api != ENV_KMALLOC && api != ENV_KMEM_CACHE_ALLOC)
		return false;
	if (kconfig.alloc_flags_rule == RULE_ALLOC_TRYLOCK)
		return !(gfp & __SLAB_ALLOC_TRYLOCK);
	return gfp & __GFP_RECLAIM;
}

static const char *const alloc_name[] = {
	[ENV_KMALLOC] = "kmalloc()", [ENV_KMALLOC_NOLOCK] = "kmalloc_nolock()",
	[ENV_KMEM_CACHE_ALLOC] = "kmem_cache_alloc()",
};

/* "kmalloc-64 slab 249 #1 (allocated by kmalloc() in alloc_empty_sheaf, freed
 * by kfree_nolock() in free_slab_obj_exts, which does not tell kmemleak)" */
static void describe(const struct book_entry *t, char *buf, size_t size)
{
	char what[96], in[96], freed[160] = "";

	describe_object(t->object, what, sizeof(what));
	engine_function_name(t->alloc_in, in, sizeof(in));
	if (t->freed) {
		char by[96];

		engine_function_name(t->freed_in, by, sizeof(by));
		snprintf(freed, sizeof(freed), ", freed by kfree_nolock() in %s, which does not tell kmemleak",
			 by);
	} else {
		snprintf(freed, sizeof(freed), ", freed without kfree() or kmem_cache_free()");
	}
	snprintf(buf, size, "%s (allocated by %s in %s%s)", what, alloc_name[t->api], in, freed);
}

void kmemleak_note(enum env_slab_api api, const void *object, unsigned int gfp, const void *caller)
{
	int i = book_find(&books, object);
	struct book_entry *b;

	switch (api) {
	case ENV_KFREE:
	case ENV_KMEM_CACHE_FREE:	/* kmemleak_free_recursive() */
		if (i >= 0)
			book_forget(&books, i);
		return;
	case ENV_KFREE_NOLOCK:		/* kmemleak is not told */
		if (i < 0 || books.e[i].freed)
			return;
		books.e[i].freed_in = caller;
		/* the harness's own call (a test's: programs never make it, the
		 * oracle skips it) is the oracle's affair, as for the contract */
		if (!caller)
			book_forget(&books, i);
		else
			books.e[i].freed = 1;
		return;
	default:
		break;
	}
	if (!registers(api, gfp))
		return;
	if (i >= 0 && kconfig.kmemleak) {
		char what[96], old[320], here[300];
		struct chain now;

		describe_object(object, what, sizeof(what));
		describe(&books.e[i], old, sizeof(old));
		chain_capture(&now, NULL);
		chain_format(&now, here, sizeof(here));
		machine_report("kmemleak",
			       "kmemleak: Cannot insert %s into the object search tree (overlaps "
			       "existing): %s at %s; the existing object: %s",
			       what, alloc_name[api], here, old);
	}
	if (i >= 0)
		book_forget(&books, i);
	/* only the allocator's own objects: a program frees its own with
	 * kfree() (the oracle sees to it), which forgets them at once */
	if (caller && (b = book_add(&books, object))) {
		b->alloc_in = caller;
		b->api = (uint8_t)api;
	}
}

void kmemleak_scan(void)
{
#ifdef REENTRY_ASAN
	if (!kconfig.kmemleak)
		return;
	for (int i = 0; i < books.n; i++) {
		char old[320];

		if (!__asan_address_is_poisoned(books.e[i].object))
			continue;	/* live: referenced by its owner */
		describe(&books.e[i], old, sizeof(old));
		machine_report("kmemleak", "kmemleak: 1 new suspected memory leak: unreferenced object %s",
			       old);
	}
#endif
}
