/*
 * inject/kasan.c — KASAN's allocation side: core/env.h's
 * env_kasan_double_unpoison() (kconfig.kasan, ASan builds).
 *
 * KASAN poisons an object when it is freed (slab_free_hook()) and unpoisons
 * it when it is handed out (slab_post_alloc_hook()). The free side's check is
 * the model's own (a double free: slab_free_hook()). Here is the other: an
 * object about to be unpoisoned that is not poisoned was never freed since
 * it was last handed out, or was freed by a path that skipped the free
 * hook. Either way KASAN has lost track of it: it will not see the first
 * holder's use after the second allocation, nor a use after the next free
 * that skips the hook again.
 *
 * Generic KASAN does not check this: it unpoisons silently, and the harm
 * shows later, if at all (tag-based KASAN would retag the object and report
 * the first holder's next access). The model reports it where it happens,
 * with the call chain; no_kasan switches it off with the double free.
 *
 * A program's object handed out twice is the oracle's to report: its
 * double-alloc names both allocations (fuzz/oracle.c). This check catches
 * what the oracle cannot see: the allocator's own objects (obj_exts
 * vectors, sheaves) handed out while in use, and objects returned to a slab
 * without the free hook — whose second allocation looks fresh to the oracle.
 */
#include "kasan.h"
#include "api_contract.h"
#include "chain.h"
#include "engine.h"
#include "machine.h"

#include "../core/slab.h"

#include <stdio.h>

static bool (*program_holds)(void *ctx, const void *object);
static void *program;

void kasan_set_program(bool (*holds)(void *ctx, const void *object), void *ctx)
{
	program_holds = holds;
	program = ctx;
}

void env_kasan_double_unpoison(const void *object)
{
	const struct book_entry *own = api_contract_lookup(object);
	char what[96], why[200], here[300];

	if (!own && program_holds && program_holds(program, object))
		return;	/* the oracle's double-alloc */
	describe_object(object, what, sizeof(what));
	if (own) {
		char by[96];

		engine_function_name(own->alloc_in, by, sizeof(by));
		snprintf(why, sizeof(why), "the allocator's own object, allocated by %s in %s and not freed",
			 api_contract_api_name(own->api), by);
	} else {
		snprintf(why, sizeof(why), "not poisoned since it was last handed out: never freed, or "
			 "freed without slab_free_hook()");
	}
	chain_here(here, sizeof(here));
	machine_report("kasan", "BUG: KASAN: double-unpoison of %s: handed out while KASAN has it "
		       "live (%s), at %s", what, why, here);
}
