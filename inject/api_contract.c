/*
 * inject/api_contract.c — the API contract on the allocator's own
 * allocations (kconfig.api_contract), from core/env.h's env_slab_api().
 *
 * The oracle holds a program to the slab API's contract (fuzz/oracle.c
 * contract(): kfree_nolock() only of a kmalloc_nolock() object, kfree() of
 * one only after 6.18, kmem_cache_free() with the object's own cache), but
 * the allocator allocates for itself too — a slab's obj_exts vector by
 * kmalloc_nolock() or kmalloc() as its caller may spin or not, Design B's
 * sheaves by kzalloc() — and must free each with the API that design
 * requires. Every allocation the allocator makes itself through the API
 * (called by a model function, not by the harness: inject/slab_api.c) is
 * booked with the API that made it and the model function that asked;
 * every free it makes itself is checked against the booking, and one that
 * breaks the contract is an "api-contract" report. A program's own calls
 * are not booked: the oracle holds them to the contract (the executor skips
 * a call that breaks it, or reports api-misuse with strict_api), and tests
 * call the API as they please. Only the allocator's few objects in the
 * books: a free looks them up in a handful.
 *
 * The books are reset with the machine and snapshotted with it.
 */
#include "api_contract.h"
#include "chain.h"
#include "engine.h"

#include "../core/slab.h"

#include <stdio.h>
#include <string.h>

static struct object_book books;

static const char *const api_name[] = {
	[ENV_KMALLOC] = "kmalloc()", [ENV_KMALLOC_NOLOCK] = "kmalloc_nolock()",
	[ENV_KMEM_CACHE_ALLOC] = "kmem_cache_alloc()", [ENV_KFREE] = "kfree()",
	[ENV_KFREE_NOLOCK] = "kfree_nolock()", [ENV_KMEM_CACHE_FREE] = "kmem_cache_free()",
};

const struct book_entry *api_contract_lookup(const void *object)
{
	int i = book_find(&books, object);

	return i < 0 ? NULL : &books.e[i];
}

const char *api_contract_api_name(enum env_slab_api api)
{
	return api_name[api];
}

void api_contract_reset(void)
{
	books.n = 0;
}

size_t api_contract_state_size(void)
{
	return BOOK_STATE_SIZE;
}

size_t api_contract_save(void *buf)
{
	return book_save(&books, buf);
}

void api_contract_restore(const void *buf)
{
	book_restore(&books, buf);
}

/* Which frees the contract allows for an object each API made; NULL: this one. */
static const char *breach(const struct book_entry *b, enum env_slab_api api, const void *cache)
{
	switch (api) {
	case ENV_KFREE_NOLOCK:
		return b->api == ENV_KMALLOC_NOLOCK ? NULL
			: "kfree_nolock() of an object not from kmalloc_nolock()";
	case ENV_KFREE:
		if (b->api == ENV_KMALLOC_NOLOCK && kconfig.design == DESIGN_CPU_SLAB)
			return "kfree() of a kmalloc_nolock() object (allowed only after 6.18)";
		return NULL;
	default: /* ENV_KMEM_CACHE_FREE */
		return b->api == ENV_KMEM_CACHE_ALLOC && b->cache == cache ? NULL
			: "kmem_cache_free() of an object from another cache";
	}
}

_Noreturn static void report(const struct book_entry *b, const char *why)
{
	char what[96], by[96], here[300];

	describe_object(b->object, what, sizeof(what));
	engine_function_name(b->alloc_in, by, sizeof(by));
	chain_here(here, sizeof(here));
	machine_report("api-contract",
		       "the allocator broke the slab API's contract: %s: %s, allocated by %s in %s, "
		       "freed in %s", why, what, api_name[b->api], by, here);
}

void api_contract_note(enum env_slab_api api, const void *object, const void *cache,
		       const void *caller)
{
	int i = book_find(&books, object);
	struct book_entry *b;

	if (api <= ENV_KMEM_CACHE_ALLOC) {
		/* a booking left by a free the books did not see is stale */
		if (i >= 0)
			book_forget(&books, i);
		if (caller && (b = book_add(&books, object))) {
			b->cache = cache;
			b->alloc_in = caller;
			b->api = (uint8_t)api;
		}
		return;
	}
	if (i < 0)
		return;	/* not the allocator's own, or past the books' size */
	/* the allocator's own frees: a program's are the oracle's affair */
	if (kconfig.api_contract && caller) {
		const char *why = breach(&books.e[i], api, cache);

		if (why)
			report(&books.e[i], why);
	}
	book_forget(&books, i);
}
