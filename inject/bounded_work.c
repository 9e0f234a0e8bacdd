/*
 * inject/bounded_work.c — bounded work per nolock call (core/env.h,
 * env_nolock_begin()): a kmalloc_nolock() or kfree_nolock() that makes more
 * than a few page allocations, or goes round its retry loops more than a few
 * times, is reported as "unbounded-work" at the count that passes the bound —
 * long before the pages run out and the runaway ends in a NULL that looks
 * like an honest lack of memory, or the engine's million-boundary livelock
 * bound catches it.
 *
 * Each context counts its own call (machine_nolock_call()): an interrupt
 * that lands inside a call and makes its own calls does not add to the
 * interrupted call's counts, though what it changed may make that call
 * retry. A nested call in the same context (the obj_exts vector that
 * kmalloc_nolock() allocates for a new slab) is its caller's work.
 */
#include "callstack.h"
#include "engine.h"
#include "machine.h"

/*
 * The bounds, from the model's paths with a margin. Largest counts of one
 * call measured over the whole test suite with every regression, and
 * `reentry sweep` (depth 1; depth 2 over a few files only) and
 * `reentry random --trials 300 --depth 2` over corpus/text/: 2 page
 * allocations, 2 retries.
 *  - pages: the call's own slab, the slab of the busy bucket's retry, and
 *    metadata for each (an obj_exts vector's slab): 4.
 *  - retries: each follows a change another context made between a read
 *    and the update that checks it, so each interrupt or preemption that
 *    entered while the call ran (on any CPU) may cost one more; without any,
 *    the bucket retry and a few more: 8 plus one per entry.
 */
enum { PAGES_BOUND = 4, RETRIES_BOUND = 8 };

static const char *const what[NR_NOLOCK_WORK] = {
	[NOLOCK_WORK_PAGES] = "page allocations",
	[NOLOCK_WORK_RETRIES] = "retries",
};

static unsigned long bound_of(const struct machine_nolock_call *call, enum nolock_work w)
{
	if (w == NOLOCK_WORK_PAGES)
		return PAGES_BOUND;
	return RETRIES_BOUND + (machine_entries() - call->entries);
}

void env_nolock_begin(const char *api, size_t size, bool may_spin)
{
	struct machine_nolock_call *call = machine_nolock_call();

	if (call->nest++)
		return;
	*call = (struct machine_nolock_call){
		.api = api, .size = size, .may_spin = may_spin, .nest = 1,
		.entries = machine_entries(),
	};
}

void env_nolock_end(void)
{
	struct machine_nolock_call *call = machine_nolock_call();

	if (call->nest > 0)
		call->nest--;
}

void env_nolock_work(enum nolock_work w)
{
	struct machine_nolock_call *call = machine_nolock_call();
	unsigned long bound;
	char where[128];

	if (!call->nest || (unsigned int)w >= NR_NOLOCK_WORK)
		return;
	call->work[w]++;
	bound = bound_of(call, w);
	if (!kconfig.bounded_work || call->work[w] <= bound)
		return;
	/* the model function that did it: the page allocator, or the loop's */
	engine_function_name(callstack_innermost(), where, sizeof(where));
	if (call->size)
		machine_report("unbounded-work",
			       "%s(%zu) made %u %s (bound %lu), the last in %s",
			       call->api, call->size, call->work[w], what[w], bound, where);
	else
		machine_report("unbounded-work", "%s() made %u %s (bound %lu), the last in %s",
			       call->api, call->work[w], what[w], bound, where);
}
