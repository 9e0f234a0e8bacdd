/*
 * inject/engine.c — interrupts and faults at boundaries (see engine.h).
 *
 * The boundary hook runs on every memory access of the model, so its common
 * path is one increment and one compare against the next due ordinal.
 */
#include "engine.h"
#include "callstack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define HAVE_SYMBOLIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_SYMBOLIZER 1
#endif
#ifdef HAVE_SYMBOLIZER
#include <sanitizer/common_interface_defs.h>
#endif

#define MAX_ARMED 64

static struct {
	struct engine_event events[MAX_ARMED];
	int nevents;
	struct engine_driver driver;
	int op;			/* current top-level operation, -1 outside */
	uint32_t ordinal;	/* boundaries of op so far */
	uint32_t next_due;	/* smallest ordinal of an unfired boundary event of op */
	bool fired[MAX_ARMED];	/* per event, for the current op */
	uint8_t by_function[MAX_ARMED];	/* the current op's events anchored by function */
	int nby_function;
	uint32_t occurrences[3];	/* FAULT_TRYLOCK, FAULT_PAGE_ALLOC, FAULT_MEMCG in op */
	uint16_t *record;
	uint32_t record_cap;
	int kprobe_depth;	/* kprobe handlers running (they do not nest) */
	bool busy;		/* the engine itself runs: model code it calls
				   (e.g. the deny list) must not count */
	int harness;		/* > 0: harness code runs (see engine_harness_enter) */
	bool track_requested;	/* engine_track() */
	bool track;		/* ... or the current op has an AT_FUNCTION event */
	struct fn_position here; /* tracking: the last boundary's position */
	struct engine_observer observer;	/* see engine_observe(); zero: none */
} e = { .op = -1 };

const char *event_kind_name(enum event_kind kind)
{
	static const char *const names[NR_EVENT_KINDS] = {
		[EV_NMI] = "nmi",
		[EV_HARDIRQ] = "hardirq",
		[EV_SOFTIRQ] = "softirq",
		[EV_KPROBE] = "kprobe",
		[EV_IRQ_WORK] = "irq_work",
		[EV_PREEMPT] = "preempt",
		[EV_FAIL_TRYLOCK] = "fail trylock",
		[EV_FAIL_PAGE_ALLOC] = "fail page_alloc",
		[EV_FAIL_MEMCG] = "fail memcg",
	};

	return (unsigned int)kind < NR_EVENT_KINDS ? names[kind] : "?";
}

/*
 * The discipline of when each kind may fire:
 *   NMI      anywhere, except inside an NMI (x86 NMIs do not nest);
 *   hardirq  where irqs are enabled; softirq: also not inside an interrupt,
 *            and never on RT, where softirqs run in threads (a preemption);
 *   kprobe   anywhere irqs on or off, not inside a kprobe handler (kprobes
 *            do not nest: the kernel counts a miss), not in NMI (the spec's
 *            kprobe handler sees in_nmi() false; an NMI may still nest
 *            inside a kprobe handler), and not inside a function on the
 *            model's NOKPROBE_SYMBOL list (nowhere, then, in a build whose
 *            core/ has no shadow call stack);
 *   irq_work where irqs are enabled;
 *   preempt  in task context where preemption is possible (preemptible());
 *   faults   anywhere.
 */
const char *engine_may_fire(enum event_kind kind)
{
	switch (kind) {
	case EV_NMI:
		return in_nmi() ? "NMIs do not nest" : NULL;
	case EV_HARDIRQ:
	case EV_IRQ_WORK:
		return irqs_disabled() ? "irqs disabled" : NULL;
	case EV_SOFTIRQ:
		if (kconfig.preempt_rt)
			return "RT: softirqs run in task context (ksoftirqd), not as interrupts";
		if (irqs_disabled())
			return "irqs disabled";
		return (in_nmi() || in_hardirq() || in_serving_softirq()) ? "in interrupt" : NULL;
	case EV_KPROBE: {
		const void *fn = callstack_innermost();

		if (e.kprobe_depth > 0)
			return "kprobes do not nest";
		if (in_nmi())
			return "in NMI (a kprobe handler runs with in_nmi() false)";
		/* no model function on the shadow call stack: a build without
		 * it (injection compiled out) cannot tell a kprobe inside a
		 * NOKPROBE_SYMBOL function from one outside, so it refuses */
		if (!fn)
			return "no shadow call stack: NOKPROBE_SYMBOL cannot be checked";
		return within_kprobe_blacklist(fn) ? "NOKPROBE_SYMBOL" : NULL;
	}
	case EV_PREEMPT:
		if (machine_context() != CTX_TASK)
			return "not in task context";
		return preemptible() ? NULL : "not preemptible";
	case EV_FAIL_TRYLOCK:
	case EV_FAIL_PAGE_ALLOC:
	case EV_FAIL_MEMCG:
		return NULL;
	default:
		return "unknown kind";
	}
}

/* The next ordinal the hook must look at: an event, or the livelock bound. */
static void compute_next_due(void)
{
	e.next_due = ENGINE_LIVELOCK_BOUNDARIES;
	for (int i = 0; i < e.nevents; i++) {
		const struct engine_event *ev = &e.events[i];

		if (ev->op == e.op && ev->anchor == AT_BOUNDARY && !e.fired[i] &&
		    ev->ordinal > e.ordinal && ev->ordinal < e.next_due)
			e.next_due = ev->ordinal;
	}
}

/* An interrupt fired: its context is entered, its handler about to run. */
static void landed(const struct engine_fired *f)
{
	if (e.observer.landed)
		e.observer.landed(e.observer.ctx, f);
}

static void preempted_task_runs(void *arg)
{
	const struct engine_fired *f = arg;

	landed(f);
	e.driver.fired(e.driver.ctx, f);
}

static void fire(const struct engine_event *ev, void *pc, const struct fn_position *at)
{
	struct engine_fired f = {
		.event = ev,
		.pc = pc,
		.fn = callstack_innermost(),
		.ordinal = e.ordinal,
		.at = *at,
		.depth = machine_depth(),
	};
	static const enum ctx_kind ctx_of[EV_NR_INTERRUPTS] = {
		[EV_NMI] = CTX_NMI,
		[EV_HARDIRQ] = CTX_HARDIRQ,
		[EV_SOFTIRQ] = CTX_SOFTIRQ,
		[EV_KPROBE] = CTX_KPROBE,
		[EV_IRQ_WORK] = CTX_HARDIRQ,
	};

	e.busy = true;
	f.refused = engine_may_fire(ev->kind);
	e.busy = false;
	machine_describe(f.state, sizeof(f.state));
	if (f.refused) {
		e.driver.fired(e.driver.ctx, &f);
		return;
	}
	switch (ev->kind) {
	case EV_NMI:
	case EV_HARDIRQ:
	case EV_SOFTIRQ:
	case EV_KPROBE:
		if (!machine_enter(ctx_of[ev->kind])) {
			f.refused = "context depth limit";
			e.driver.fired(e.driver.ctx, &f);
			return;
		}
		e.kprobe_depth += ev->kind == EV_KPROBE;
		landed(&f);
		e.driver.fired(e.driver.ctx, &f);
		e.kprobe_depth -= ev->kind == EV_KPROBE;
		machine_exit();
		break;
	case EV_IRQ_WORK:
		/* the irq_work interrupt: its own hardirq runs the pending work */
		machine_run_irq_work();
		if (!machine_enter(CTX_HARDIRQ)) {
			f.refused = "context depth limit";
			e.driver.fired(e.driver.ctx, &f);
			return;
		}
		landed(&f);
		e.driver.fired(e.driver.ctx, &f);
		machine_exit();
		break;
	case EV_PREEMPT:
		if (!machine_preempt(ev->cpu, preempted_task_runs, &f)) {
			f.refused = "context depth limit";
			e.driver.fired(e.driver.ctx, &f);
		}
		break;
	case EV_FAIL_TRYLOCK:
		machine_fail_trylocks(ev->count);
		e.driver.fired(e.driver.ctx, &f);
		break;
	case EV_FAIL_PAGE_ALLOC:
		machine_fail_page_allocs(ev->count);
		e.driver.fired(e.driver.ctx, &f);
		break;
	case EV_FAIL_MEMCG:
		machine_fail_memcg_charges(ev->count);
		e.driver.fired(e.driver.ctx, &f);
		break;
	default:
		break;
	}
}

static void record_here(void)
{
	uint16_t mask = 0;

	if (e.ordinal > e.record_cap)
		return;
	e.busy = true;
	for (int k = 0; k < NR_EVENT_KINDS; k++)
		if (!engine_may_fire((enum event_kind)k))
			mask |= (uint16_t)(1u << k);
	e.busy = false;
	e.record[e.ordinal - 1] = mask;
}

static void fire_due(void *pc)
{
	/* Several events may share an ordinal: they fire in schedule order, each
	 * after the previous one's handler (whose boundaries advance e.ordinal
	 * and move e.here: both kept as they were here). */
	uint32_t due = e.ordinal;
	static const struct fn_position nowhere;
	const struct fn_position here = e.track ? e.here : nowhere;
	const struct fn_position *at = &here;

	for (int i = 0; i < e.nevents; i++) {
		const struct engine_event *ev = &e.events[i];

		if (ev->op == e.op && ev->anchor == AT_BOUNDARY && !e.fired[i] &&
		    ev->ordinal == due) {
			e.fired[i] = true;
			fire(ev, pc, at);
		}
	}
	compute_next_due();
}

/* Events anchored by function due at this position; like fire_due(), each
 * after the previous one's handler (the position is this boundary's, kept:
 * a handler moves e.here). On tracked boundaries: kept free of sanitizer
 * checks, as boundary(). */
__attribute__((no_sanitize("address", "undefined")))
static void fire_due_by_function(void *pc)
{
	const char *fn = e.here.fn;
	uint32_t k = e.here.k;

	for (int j = 0; j < e.nby_function; j++) {
		int i = e.by_function[j];
		const struct engine_event *ev = &e.events[i];

		if (ev->ordinal == k && ev->fn == fn && !e.fired[i]) {
			const struct fn_position at = { .fn = fn, .k = k };

			e.fired[i] = true;
			fire(ev, pc, &at);
		}
	}
}

/* Called on every memory access of the model: kept free of sanitizer checks
 * (its state is the engine's own, never the model's). */
__attribute__((no_sanitize("address", "undefined")))
static void boundary(void *pc)
{
	if (e.op < 0 || e.busy || e.harness)
		return;
	e.ordinal++;
	if (__builtin_expect(e.record != NULL, 0))
		record_here();
	if (__builtin_expect(e.track, 0)) {
		fn_anchor_step(pc, &e.here);
		if (e.here.fn && e.nby_function)
			fire_due_by_function(pc);
	}
	if (__builtin_expect(e.ordinal >= e.next_due, 0)) {
		if (e.ordinal >= ENGINE_LIVELOCK_BOUNDARIES) {
			char where[128];

			engine_symbolize(pc, callstack_innermost(), where, sizeof(where));
			machine_report("livelock",
				       "no progress: operation %d passed %u boundaries, now at %s",
				       e.op, e.ordinal, where);
		}
		fire_due(pc);
	}
}

/* The boundary hook while an observer watches: the observer sees the
 * boundaries the engine counts (not the harness's, not the engine's own). */
__attribute__((no_sanitize("address", "undefined")))
static void observed_boundary(void *pc)
{
	if (e.op >= 0 && !e.busy && !e.harness)
		e.observer.boundary(e.observer.ctx, pc);
	boundary(pc);
}

static void install_boundary_hook(void)
{
	machine_boundary_hook = e.observer.boundary ? observed_boundary : boundary;
}

void engine_observe(const struct engine_observer *o)
{
	if (o)
		e.observer = *o;
	else
		memset(&e.observer, 0, sizeof(e.observer));
	if (machine_boundary_hook)	/* armed: switch hooks now */
		install_boundary_hook();
}

static bool fault(enum machine_fault kind)
{
	static const enum event_kind kind_of[] = {
		[FAULT_TRYLOCK] = EV_FAIL_TRYLOCK,
		[FAULT_PAGE_ALLOC] = EV_FAIL_PAGE_ALLOC,
		[FAULT_MEMCG] = EV_FAIL_MEMCG,
	};
	uint32_t n;

	if (e.op < 0 || e.busy || e.harness)
		return false;
	n = ++e.occurrences[kind];
	for (int i = 0; i < e.nevents; i++) {
		const struct engine_event *ev = &e.events[i];

		if (ev->op == e.op && ev->anchor == AT_OCCURRENCE && ev->kind == kind_of[kind] &&
		    n >= ev->ordinal && n < ev->ordinal + (uint32_t)ev->count) {
			if (n == ev->ordinal) {
				struct engine_fired f = {
					.event = ev,
					.pc = __builtin_return_address(0),
					.fn = callstack_innermost(),
					.ordinal = e.ordinal,
					.depth = machine_depth(),
				};

				machine_describe(f.state, sizeof(f.state));
				e.driver.fired(e.driver.ctx, &f);
			}
			return true;
		}
	}
	return false;
}

void engine_arm(const struct engine_event *events, int n, const struct engine_driver *driver)
{
	if (n > MAX_ARMED)
		n = MAX_ARMED;
	if (n > 0)
		memcpy(e.events, events, (size_t)n * sizeof(*events));
	e.nevents = n;
	for (int i = 0; i < n; i++)
		if (e.events[i].anchor == AT_FUNCTION) {
			/* compared by pointer with the positions' names; a name
			 * the table cannot hold is no function's: never reached */
			const char *fn = e.events[i].fn ? fn_anchor_intern(e.events[i].fn) : NULL;

			e.events[i].fn = fn ? fn : "";
		}
	e.driver = *driver;
	e.op = -1;
	e.nby_function = 0;
	e.ordinal = 0;
	e.next_due = ENGINE_LIVELOCK_BOUNDARIES;
	e.kprobe_depth = 0;
	e.busy = false;
	e.harness = 0;
	callstack_set_depth(0); /* a report may have unwound model frames */
	install_boundary_hook();
	machine_fault_hook = fault;
}

void engine_disarm(void)
{
	machine_boundary_hook = NULL;
	machine_fault_hook = NULL;
	e.op = -1;
	e.nevents = 0;
	e.record = NULL;
}

void engine_track(bool on)
{
	e.track_requested = on;
}

void engine_harness_enter(void)
{
	e.harness++;
}

void engine_harness_leave(void)
{
	e.harness--;
}

/* Operation op's events anchored by function, for fire_due_by_function(). */
static void collect_by_function(int op)
{
	e.nby_function = 0;
	for (int i = 0; i < e.nevents; i++)
		if (e.events[i].op == op && e.events[i].anchor == AT_FUNCTION)
			e.by_function[e.nby_function++] = (uint8_t)i;
}

void engine_begin_op(int op)
{
	e.op = op;
	/* positions cost a name lookup per boundary: only for an operation
	 * that needs them (its own events), or when a caller asked */
	collect_by_function(op);
	e.track = e.track_requested || e.nby_function > 0;
	e.ordinal = 0;
	e.harness = 1;
	/* an armed "@K fail ... xN" belongs to its operation */
	machine_fail_trylocks(0);
	machine_fail_page_allocs(0);
	machine_fail_memcg_charges(0);
	memset(e.fired, 0, sizeof(e.fired));
	memset(e.occurrences, 0, sizeof(e.occurrences));
	fn_anchor_reset();
	e.kprobe_depth = 0;
	compute_next_due();
}

void engine_end_op(void)
{
	e.op = -1;
}

uint32_t engine_ordinal(void)
{
	return e.ordinal;
}

uint32_t engine_occurrences(enum event_kind kind)
{
	switch (kind) {
	case EV_FAIL_TRYLOCK:
		return e.occurrences[FAULT_TRYLOCK];
	case EV_FAIL_PAGE_ALLOC:
		return e.occurrences[FAULT_PAGE_ALLOC];
	case EV_FAIL_MEMCG:
		return e.occurrences[FAULT_MEMCG];
	default:
		return 0;
	}
}

void engine_record(uint16_t *masks, uint32_t cap)
{
	e.record = masks;
	e.record_cap = cap;
}

/* Keep what follows "core/" (or the basename), so output is the same from any checkout. */
static const char *short_path(const char *path)
{
	const char *p = strstr(path, "/core/");

	if (p)
		return p + 1;
	p = strrchr(path, '/');
	return p ? p + 1 : path;
}

/*
 * The symbolizer gives the inlined frames of pc, innermost first, separated
 * by NULs. The frame that names a boundary is the first in a core/ .c file,
 * so that a boundary in an inlined helper (env.h's atomics, say) reads as
 * the model function and line that used it. False if pc is unknown.
 */
static bool source_frame(const void *pc, char *name, size_t namesize, char *file,
			 size_t filesize, unsigned int *line)
{
#ifdef HAVE_SYMBOLIZER
	char raw[1024];
	const char *frame = raw, *chosen = NULL, *bar, *bar2;

	memset(raw, 0, sizeof(raw));
	/* pc - 1: the call instruction, not the one after it */
	__sanitizer_symbolize_pc((void *)((const char *)pc - 1), "%f|%s|%l", raw, sizeof(raw) - 1);
	for (; *frame && frame < raw + sizeof(raw); frame += strlen(frame) + 1) {
		if (!chosen)
			chosen = frame;
		if (strstr(frame, "/core/") && strstr(frame, ".c|")) {
			chosen = frame;
			break;
		}
	}
	if (!chosen || !(bar = strchr(chosen, '|')) || !(bar2 = strchr(bar + 1, '|')))
		return false;
	snprintf(name, namesize, "%.*s", (int)(bar - chosen), chosen);
	snprintf(file, filesize, "%.*s", (int)(bar2 - bar - 1), bar + 1);
	*line = (unsigned int)strtoul(bar2 + 1, NULL, 10);
	return true;
#else
	(void)pc;
	(void)name;
	(void)namesize;
	(void)file;
	(void)filesize;
	(void)line;
	return false;
#endif
}

/* fn (the innermost real function) is added when the frame is a helper kept
 * out of line (the __no_kasan ones). */
void engine_symbolize(const void *pc, const void *fn, char *buf, size_t size)
{
	char name[128], file[256], in[128] = "";
	unsigned int line;

	if (!source_frame(pc, name, sizeof(name), file, sizeof(file), &line)) {
		snprintf(buf, size, "?");
		return;
	}
	if (!strstr(file, ".c") && fn) {
		engine_function_name(fn, in, sizeof(in));
		if (strcmp(in, name) == 0)
			in[0] = '\0';
	}
	snprintf(buf, size, "%s %s:%u%s%s", name, short_path(file), line, in[0] ? " in " : "", in);
}

void engine_pc_function(const void *pc, char *buf, size_t size)
{
	char file[256];
	unsigned int line;

	if (!source_frame(pc, buf, size, file, sizeof(file), &line))
		snprintf(buf, size, "?");
	else if (!strstr(file, ".c"))
		buf[0] = '\0';	/* a helper kept out of line: its caller's */
}

bool engine_can_symbolize(void)
{
#ifdef HAVE_SYMBOLIZER
	return true;
#else
	return false;
#endif
}

void engine_function_name(const void *fn, char *buf, size_t size)
{
#ifdef HAVE_SYMBOLIZER
	if (fn) {
		/* the symbolizer looks up pc - 1 (it takes return addresses) */
		__sanitizer_symbolize_pc((void *)((const char *)fn + 1), "%f", buf, size);
		return;
	}
#else
	(void)fn;
#endif
	snprintf(buf, size, "?");
}
