/*
 * inject/slab_api.c — core/env.h's env_slab_api(): each slab API call goes
 * to the books that keep track of it, the API contract's
 * (inject/api_contract.c) and kmemleak's (inject/kmemleak.c).
 */
#include "api_contract.h"
#include "kmemleak.h"

void env_slab_api(enum env_slab_api api, const void *object, const void *cache, unsigned int gfp)
{
	/* kmemleak first: an allocation it must refuse is reported before
	 * the contract's books forget what the old object was */
	kmemleak_note(api, object, gfp);
	api_contract_note(api, object, cache);
}
