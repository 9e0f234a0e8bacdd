/*
 * inject/slab_api.c — core/env.h's env_slab_api(): each slab API call goes
 * to the books that keep track of it, the API contract's
 * (inject/api_contract.c) and kmemleak's (inject/kmemleak.c), with the model
 * function that made it — NULL when the harness did: those books keep the
 * allocator's own objects only.
 */
#include "api_contract.h"
#include "callstack.h"
#include "kmemleak.h"

#include "../core/slab.h"

static bool api_function(const void *fn)
{
	return fn == (const void *)kmalloc || fn == (const void *)kmalloc_nolock_why ||
	       fn == (const void *)kmem_cache_alloc || fn == (const void *)kfree ||
	       fn == (const void *)kfree_nolock || fn == (const void *)kmem_cache_free;
}

/*
 * The model function that called the API: the frame below the API function
 * on the shadow call stack (or the innermost frame, when the model books a
 * call it makes the way mainline calls the API: a sheaf's kzalloc()) —
 * NULL when no model function of the running context called it, i.e. the
 * harness did (a program's operation, a handler's; a test).
 */
static const void *api_caller(void)
{
	int d = callstack_depth() - 1, entered;

	machine_frame(machine_depth(), &entered);
	if (d >= entered && api_function(callstack_frame(d)))
		d--;
	/* kmalloc_nolock() is kmalloc_nolock_why() for callers without a why */
	if (d >= entered && callstack_frame(d) == (const void *)kmalloc_nolock)
		d--;
	return d >= entered ? callstack_frame(d) : NULL;
}

void env_slab_api(enum env_slab_api api, const void *object, const void *cache, unsigned int gfp)
{
	const void *caller = api_caller();

	/* kmemleak first: an allocation it must refuse is reported before
	 * the contract's books forget what the old object was */
	kmemleak_note(api, object, gfp, caller);
	api_contract_note(api, object, cache, caller);
}
