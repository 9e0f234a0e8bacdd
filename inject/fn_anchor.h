/*
 * inject/fn_anchor.h — where a boundary is, said so that it survives patches:
 * "the K-th boundary in model function fn" instead of "the N-th boundary of
 * the operation". A patch that adds or removes a memory access moves every
 * later ordinal of the operation, but only the positions inside the function
 * it touched.
 *
 * The function of a boundary is the one its source line is in: the innermost
 * core/ .c function at the boundary's pc, inlined or not (as the trace names
 * it: a boundary in an env.h helper belongs to the model function that used
 * it), so that a patch to a function leaves the functions inlined into it
 * alone. Counted per top-level operation, over every boundary the engine
 * counts (handlers' too, as ordinals are).
 */
#ifndef REENTRY_INJECT_FN_ANCHOR_H
#define REENTRY_INJECT_FN_ANCHOR_H

#include <stdbool.h>
#include <stdint.h>

struct fn_position {
	const char *fn;		/* interned name (fn_anchor_intern), NULL if unknown */
	uint32_t k;		/* fn's boundaries in the operation so far, this one included */
};

/* A new operation: every count restarts. */
void fn_anchor_reset(void);
/* The boundary at pc was just counted: advance its function's count and
 * say where it is. */
void fn_anchor_step(const void *pc, struct fn_position *pos);
/* The one copy of a function's name that positions carry: compare names by
 * pointer. NULL if the table is full. */
const char *fn_anchor_intern(const char *name);
/* fn's boundaries so far in the current (or last) operation. */
uint32_t fn_anchor_seen(const char *fn);
/* Does this build know the model's function names (the sanitizers'
 * symbolizer)? Without it no function anchor can be reached. */
bool fn_anchor_names_known(void);

#endif /* REENTRY_INJECT_FN_ANCHOR_H */
