/*
 * fuzz/exec.h — running a program on the simulated machine, with the oracle.
 *
 * exec_begin() resets the machine and the model for the program's config;
 * exec_ops() runs top-level operations under the engine, checking every
 * result against the shadow heap (fuzz/oracle.c); exec_finish() frees every
 * live object, drains deferred work on every CPU and runs the end checks
 * (validators, lost objects). The first report ends the run. Same program,
 * same output, byte for byte.
 */
#ifndef REENTRY_FUZZ_EXEC_H
#define REENTRY_FUZZ_EXEC_H

#include "program.h"

#include "../core/slab.h"

#define MAX_LIVE 160	/* objects live at once: every op and handler op may allocate */

enum alloc_api { API_KMALLOC, API_NOLOCK, API_CACHE, API_LARGE };

/* The shadow heap's record of one live object. */
struct live_object {
	void *p;
	uint32_t size;		/* as requested */
	uint8_t api;		/* enum alloc_api */
	uint8_t cache;		/* API_CACHE: user cache index */
	uint8_t pattern;	/* every requested byte holds it while live */
	int8_t slot;		/* the slot naming it, -1 once overwritten */
	int16_t op;		/* top-level operation that allocated it */
	bool by_handler;	/* allocated inside an interrupt handler */
};

struct exec_report {
	char cls[32];		/* double-alloc, overlap, deadlock, ... */
	char where[160];	/* model function and file:line: where the last
				   interrupt of the operation landed, else the API */
	char text[640];		/* the verdict, one line */
	int op;			/* top-level operation it happened in, -1: at the end */
};

/* Everything the oracle knows: plain data, copied by snapshots. */
struct exec_state {
	struct live_object objs[MAX_LIVE];
	int nobjs;
	int slot[MAX_SLOTS];	/* index into objs, -1 if empty */
	struct kmem_cache *caches[MAX_USER_CACHES];
	uint8_t next_pattern;
	unsigned long nolock_null[NR_NOLOCK_FAIL]; /* by reason */
	unsigned long skipped;	/* operations illegal where they were placed */
	unsigned long memcg_failures_before; /* memcg_charge_failures() when the
						current allocation began */
	/* where the last interrupt landed (engine_symbolize() arguments),
	 * symbolized only for a report or a trace: symbolizing costs more than
	 * the rest of an event */
	struct landing { const void *pc, *fn; } where; /* in the current op */
	struct landing last_where;	/* ... in the whole run: end-of-run reports */
	/* where and last_where stay last: fuzz/state_cache.c leaves them out */
};

struct exec {
	const struct program *prog;
	/* extra events on top of the program's schedule (sweeps); their
	 * handler is extra_handler */
	const struct engine_event *extra;
	int nextra;
	const struct op *extra_handler;
	int nextra_handler;

	uint16_t *record;	/* sweeps: record which kinds may fire at each */
	uint32_t record_cap;	/* boundary of the first operation run */

	bool tracing;		/* keep a human-readable trace */
	char *trace;		/* NUL-terminated, grows */
	size_t trace_len, trace_cap;

	/* the program's events (bit = index in prog->events) that reached
	 * their anchor, and those of them that fired there (not refused) */
	uint32_t events_reached, events_fired;
	/* where each event reached its anchor, as an ordinal and (when
	 * track_anchors, or the event is anchored by function) by function:
	 * the program's events, then the extra ones (fuzz/anchors.h) */
	bool track_anchors;
	struct event_landing {
		uint32_t ordinal;
		struct fn_position at;
	} landed[MAX_EVENTS], extra_landed[4];
	/* AT_FUNCTION events that never reached: their function's boundaries
	 * in their operation, for the trace and reentry check */
	uint32_t fn_seen[MAX_EVENTS];

	struct exec_state st;
	int destroying;		/* 1 + the user cache kmem_cache_destroy() is destroying, or 0 */
	int cur_op;
	bool reported;
	struct exec_report report;
};

/* Apply the program's config to kconfig, reset machine and model. */
void exec_begin(struct exec *x, const struct program *p);
/* Run top-level operations [from, to). False if a report ended the run. */
bool exec_ops(struct exec *x, int from, int to);
/* Free everything, drain, check. False if a report. */
bool exec_finish(struct exec *x);
/* Resume a run from a snapshot of the world taken between operations: the
 * oracle state st must come from the same point. */
void exec_resume(struct exec *x, const struct exec_state *st);
/* All three. */
bool exec_run(struct exec *x, const struct program *p);
void exec_free(struct exec *x);

/* Printf into the trace (no-op unless tracing). */
void exec_tracef(struct exec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An operation illegal where the program put it: counted, and said in the trace. */
void exec_skip(struct exec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Did event e of the program fire in the run (reach its anchor, and not be
 * refused there)? If not: its name in `name` ("op 2 @slab_alloc_slow+3 nmi",
 * as a regression's "# unfired:" line says it) and why in *why ("never
 * reached", "refused where it landed", or for a function anchor that was
 * not reached "stale anchor: the operation has 2 boundaries in
 * slab_alloc_slow"). */
bool exec_event_fired(const struct exec *x, int e, char *name, size_t size, char *why,
		      size_t whysize);

/*
 * The program of a run as a text program: its own events and the ones a
 * sweep or random trial added (x->extra), with their handler, so that the
 * trial can be replayed (and minimized) from the text alone.
 */
void exec_trial_program(const struct exec *x, struct program *out);

/* The config line of a trace or a sweep: the program's config items (as
 * "# config:" says them) and its bugs, "design=cpu_slab cpus=2 bug=NAME". */
void exec_config_line(const struct program *p, char *buf, size_t size);

/* ---- the oracle (fuzz/oracle.c) ---- */

/* Raise an oracle report: ends the run like a machine report. */
_Noreturn void oracle_fail(struct exec *x, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Check a fresh allocation and record it (p may be NULL). */
/* Failure counts before an allocation: any that explains an ENOMEM (page
 * allocations that failed, new slabs that could not be placed), and the real
 * page allocator failures among them (no memory, or an injected
 * fail_page_alloc: not a trylock that found the zone lock taken). */
struct alloc_failures {
	unsigned long any;
	unsigned long real;
};
void oracle_alloc(struct exec *x, const struct op *op, void *p, enum alloc_api api,
		  struct alloc_failures before, enum nolock_fail why);
/* Check a live object before it is freed and forget it. Returns false if the
 * free must be skipped (empty slot, or an API the contract forbids). */
bool oracle_before_free(struct exec *x, const struct op *op, int *index);
void oracle_forget(struct exec *x, int index);
/* Does the program hold object (a live object it allocated)? For KASAN's
 * allocation side (inject/kasan.h): such an object is the oracle's report. */
bool oracle_holds(void *exec, const void *object);
/* End of run: every cache holds no allocated object, validators pass. */
void oracle_final(struct exec *x);

#endif /* REENTRY_FUZZ_EXEC_H */
