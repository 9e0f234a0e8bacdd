/*
 * inject/engine.h — the injection engine: interrupts and faults at boundaries.
 *
 * Every memory access of core/ (load/store callbacks) and every atomic and
 * lock operation is a boundary. Inside a top-level operation the engine
 * counts them: boundary k of operation i is the k-th one since the operation
 * began, counting the boundaries of any handler that interrupted it too (so
 * an event later in the same operation may land inside an earlier handler:
 * that is how interrupts nest). Boundaries outside an operation do not count.
 *
 * A schedule is a list of events anchored to (operation, boundary ordinal),
 * or for faults to (operation, n-th occurrence). At its boundary an event
 * fires if the kind may fire there (see engine_may_fire()); the engine
 * enters the context, calls the driver to run the handler program, and
 * leaves the context. The driver owns programs and the trace; the engine
 * only knows when and where.
 */
#ifndef REENTRY_INJECT_ENGINE_H
#define REENTRY_INJECT_ENGINE_H

#include "fn_anchor.h"
#include "machine.h"

enum event_kind {
	EV_NMI,			/* interrupts */
	EV_HARDIRQ,
	EV_SOFTIRQ,
	EV_KPROBE,		/* kprobe / tracepoint / fentry BPF handler */
	EV_IRQ_WORK,		/* the irq_work interrupt: drains deferred frees, then the handler */
	EV_PREEMPT,		/* the task is preempted: another task runs the handler,
				   then the task resumes on CPU `cpu` */
	EV_FAIL_TRYLOCK,	/* faults: the next `count` trylocks fail */
	EV_FAIL_PAGE_ALLOC,	/* the next `count` page allocations fail */
	EV_FAIL_MEMCG,		/* the next `count` memcg charges fail (when memcg exists) */
	NR_EVENT_KINDS
};

#define EV_NR_INTERRUPTS (EV_PREEMPT + 1)	/* kinds that run a handler */

/* Where an event is anchored. */
enum event_anchor {
	AT_BOUNDARY,		/* `ordinal` is the boundary ordinal within op `op` */
	AT_OCCURRENCE,		/* faults only: the `ordinal`-th trylock / page allocation
				   / charge of op `op` (1-based) fails */
	AT_FUNCTION,		/* the `ordinal`-th boundary of op `op` in model function
				   `fn` (fn_anchor.h) */
};

/* An event as the engine sees it; `id` is the driver's, handed back. */
struct engine_event {
	enum event_kind kind;
	enum event_anchor anchor;
	int op;
	uint32_t ordinal;
	const char *fn;		/* AT_FUNCTION: the function's name */
	int cpu;		/* EV_PREEMPT */
	int count;		/* faults */
	int id;
};

/* Why an event did or did not fire where it landed. */
struct engine_fired {
	const struct engine_event *event;
	void *pc;		/* the boundary's code location (resolve with engine_symbolize) */
	const void *fn;		/* innermost model function (shadow call stack), may be NULL */
	uint32_t ordinal;	/* the boundary (AT_OCCURRENCE: the last one counted) */
	struct fn_position at;	/* ... by function, when tracking (engine_track) */
	int depth;		/* context depth where it landed */
	const char *refused;	/* NULL if it fired, else why not ("irqs disabled", ...) */
	char state[160];	/* the interrupted context: "cpu0 task [&c->lock held, irqs off]" */
};

struct engine_driver {
	/* Called for every event that reaches its anchor. If f->refused is
	 * NULL the engine has entered the event's context (or preempted the
	 * task): run the handler program now. Either way, log it. */
	void (*fired)(void *ctx, const struct engine_fired *f);
	void *ctx;
};

/* Arm a schedule (events sorted by op, then ordinal; copied). Installs the
 * boundary and fault hooks. */
void engine_arm(const struct engine_event *events, int n, const struct engine_driver *driver);
void engine_disarm(void);

/* Bracket each top-level operation. Inside it, boundaries count only while
 * the model runs for the program: the harness's own calls into the model
 * (oracle queries, the checks around a call) are bracketed by
 * engine_harness_enter/leave, and an operation starts in harness code. The
 * executor leaves the harness just around each API call, and enters it
 * again at the top of each event it is handed (and leaves on return). */
void engine_begin_op(int op);
void engine_end_op(void);
void engine_harness_enter(void);
void engine_harness_leave(void);
/* Track every boundary's function position (fn_anchor.h), for
 * engine_fired.at: to convert anchors; from the next operation on. An
 * operation with events anchored AT_FUNCTION turns it on by itself; it costs
 * a lookup per boundary. */
void engine_track(bool on);
/* Boundaries counted so far in the current (or last) operation. */
uint32_t engine_ordinal(void);
/* Trylocks, page allocations or memcg charges (a fault kind) so far in it. */
uint32_t engine_occurrences(enum event_kind kind);

/* Record, for each boundary of the operations that follow, the set of event
 * kinds that may fire there (bit k = kind k), into masks[0..cap). A recording
 * is per operation: engine_begin_op() restarts it. NULL stops recording. */
void engine_record(uint16_t *masks, uint32_t cap);

/*
 * Watch a run (the heatmap, fuzz/heatmap.c): boundary() sees every counted
 * boundary, before any event due there fires; landed() sees every interrupt
 * that fired, once its context is entered and before its handler runs.
 * engine_observe(NULL) stops. Without an observer the boundary hook is the
 * plain one, so watching costs nothing when nobody watches.
 */
struct engine_observer {
	void (*boundary)(void *ctx, void *pc);
	void (*landed)(void *ctx, const struct engine_fired *f);
	void *ctx;
};
void engine_observe(const struct engine_observer *o);

/* May an event of this kind fire here, now? NULL if yes, else the reason. */
const char *engine_may_fire(enum event_kind kind);

/* Boundaries after which an operation is a livelock (retry loop without end). */
#define ENGINE_LIVELOCK_BOUNDARIES 1000000u

/* "slab_alloc_slow core/slub.c:412" for a boundary pc (fn: the innermost
 * model function, may be NULL); "?" if unknown. */
void engine_symbolize(const void *pc, const void *fn, char *buf, size_t size);
/* The name of a model function, for fn from engine_fired. */
void engine_function_name(const void *fn, char *buf, size_t size);
/* The model function a boundary pc is in (inlined or not): the function
 * engine_symbolize() names; "?" if unknown, "" if pc is in a helper kept out
 * of line (the boundary is then its caller's: the innermost real function). */
void engine_pc_function(const void *pc, char *buf, size_t size);
/* Can this build name functions and lines (the sanitizers' symbolizer)? */
bool engine_can_symbolize(void);

const char *event_kind_name(enum event_kind kind);

#endif /* REENTRY_INJECT_ENGINE_H */
