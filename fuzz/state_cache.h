/*
 * fuzz/state_cache.h — the sweeps' state cache: the states between two
 * operations that trials reached and whose future is known to be clean.
 *
 * A trial injects its events into one operation and then runs the rest of
 * the program and the end checks from the state that operation left. That
 * future depends on nothing but the state (the world, the machine, the
 * oracle's books) and the rest of the program, which is the same for every
 * trial of the operation. So a trial that leaves the state the
 * uninjected reference run left, or one an earlier trial left and ran
 * clean from, is clean: its future was run already. Such a trial is
 * "pruned": counted, with its injected operation run and checked, and its
 * future not run again. Only clean futures are reused: a state that led to
 * a report is run again every time, so that every report is a run's own,
 * with its own text and reproducer.
 */
#ifndef REENTRY_FUZZ_STATE_CACHE_H
#define REENTRY_FUZZ_STATE_CACHE_H

#include "exec.h"

#include "../inject/digest.h"
#include "../inject/snapshot.h"

#include <stdbool.h>

struct state_cache;

struct state_cache *state_cache_new(void);
void state_cache_free(struct state_cache *c);

/*
 * The state after operation op, as its difference from the point before it:
 * the world and machine against the snapshot taken there, the oracle's
 * books against its saved state.
 */
struct digest state_after(const struct exec *x, int op, const struct snapshot *before,
			  const struct exec_state *oracle_before);

bool state_cache_has(const struct state_cache *c, const struct digest *d);
void state_cache_add(struct state_cache *c, const struct digest *d);

static inline bool digest_equal(const struct digest *a, const struct digest *b)
{
	return a->a == b->a && a->b == b->b;
}

#endif /* REENTRY_FUZZ_STATE_CACHE_H */
