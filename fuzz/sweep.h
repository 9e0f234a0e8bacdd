/*
 * fuzz/sweep.h — exhaustive injection: every allowed interrupt kind at every
 * boundary of every operation of a program, one at a time (depth 1), or two
 * at a time (depth 2: the second later in the same operation, which includes
 * inside the first one's handler). Each trial restores a snapshot taken
 * before its operation instead of replaying the prefix.
 */
#ifndef REENTRY_FUZZ_SWEEP_H
#define REENTRY_FUZZ_SWEEP_H

#include "exec.h"

#include <stdio.h>

#define SWEEP_MAX_CLASSES 16

/* The handler of one operation's interrupts (sweep_options.op_handlers). */
struct sweep_handler {
	int nops;
	struct op ops[MAX_HANDLER_OPS];
};

struct sweep_options {
	unsigned int kinds;		/* bit k: inject enum event_kind k */
	int depth;			/* 1 or 2 */
	const struct op *handler;	/* the injected interrupts' handler program */
	int nhandler;
	bool progress;			/* a progress bar on stderr */
	/* Run every trial's future, even from a state whose future is known
	 * clean (fuzz/state_cache.h): the debug switch, --no-state-cache. */
	bool no_state_cache;
	/*
	 * sweep_run() only, NULL by default. op_handlers[i], one per
	 * operation of the program, replaces handler for the interrupts
	 * injected into operation i (a handler made for what that operation
	 * does, as `reentry verify` derives them); an operation whose handler
	 * has no operation is not swept at all.
	 */
	const struct sweep_handler *op_handlers;
	/* Called for every trial that reports, with the run: its events
	 * (x->extra), their handler (x->extra_handler) and its report. */
	void (*on_report)(void *ctx, const struct exec *x);
	void *ctx;
};

struct sweep_result {
	unsigned long operations, boundaries, trials, reports;
	unsigned long pruned;		/* trials whose future was known clean */
	int nclasses;
	struct { char cls[32]; unsigned long count; } classes[SWEEP_MAX_CLASSES];
	bool reference_failed;		/* the program reports without injection */
	bool seeded;			/* random_run: */
	uint64_t seed;
	unsigned long pairs;		/* allowed (op, boundary, kind) triples */
	int nfirst;			/* events of the first failing trial */
	struct engine_event first[2];
	struct exec_report first_report;
};

/* Default kinds: every interrupt kind (NMI, hardirq, softirq, kprobe, irq_work, preempt). */
#define SWEEP_INTERRUPTS ((1u << EV_NR_INTERRUPTS) - 1)

void sweep_run(const struct program *p, const struct sweep_options *o, struct sweep_result *r);

/* Random schedules from a seeded generator (see sweep.c for the bound). */
void random_run(const struct program *p, const struct sweep_options *o, uint64_t seed,
		unsigned long trials, struct sweep_result *r);

/* Print the summary and, if any, the first report with its full trace. */
void sweep_print(FILE *out, const struct program *p, const struct sweep_options *o,
		 const struct sweep_result *r);

#endif /* REENTRY_FUZZ_SWEEP_H */
