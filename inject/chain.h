/*
 * inject/chain.h — a model call chain, kept for a report that comes later.
 *
 * The kernel's debug checks print stacks saved long before the report
 * (lockdep's "{HARDIRQ-ON-W} state was registered at:"). The model's stack
 * is the shadow call stack (inject/callstack.c): a chain copies its
 * innermost functions, marks where an interrupt or a preempting task was
 * entered on top of what it interrupted, and names the model call site it
 * was captured at. Symbols are resolved only when a chain is printed.
 */
#ifndef REENTRY_INJECT_CHAIN_H
#define REENTRY_INJECT_CHAIN_H

#include "machine.h"

#include <stddef.h>
#include <stdint.h>

#define CHAIN_MAX 8	/* entries kept, innermost first (functions and context marks) */

struct chain {
	const void *pc;			/* the model call site (a return address), or NULL */
	const void *fn[CHAIN_MAX];	/* model functions; NULL: a context was entered here */
	int8_t ctx[CHAIN_MAX];		/* for a NULL fn: the enum ctx_kind entered */
	uint8_t n;
	int8_t cpu;			/* where it was captured */
	int8_t kind;			/* the context kind that ran */
	int8_t truncated;		/* older frames were left out */
};

/* The running context's chain, at model call site pc. */
void chain_capture(struct chain *c, const void *pc);

/* "put_partials_inner core/slub.c:465 <- put_cpu_partial <- {hardirq} <-
 * kfree" (innermost first; "{hardirq}": what ran above was a hardirq
 * entered here), then " (cpu0 task)". */
void chain_format(const struct chain *c, char *buf, size_t size);

/* Where the running context is, for a report: its chain formatted, or
 * "the program" when no model function runs (a harness call). */
void chain_here(char *buf, size_t size);

#endif /* REENTRY_INJECT_CHAIN_H */
