/*
 * fuzz/exec.c — the executor: runs a program's operations on the simulated
 * machine, fires its schedule through the engine, and keeps the trace.
 *
 * Operations that are illegal where a program puts them (a spinning kmalloc
 * in an NMI handler, GFP_KERNEL with irqs off, kmem_cache_destroy of a cache
 * with live objects, a free of an empty slot) are skipped and counted, not
 * run: a program is a test of the allocator, not of its caller. Any byte
 * string is a valid fuzz input, so the executor must never blame the
 * allocator for the program's own mistakes.
 */
#include "exec.h"

#include "../core/bugs.h"
#include "../inject/engine.h"
#include "../inject/kasan.h"
#include "../inject/snapshot.h"
#include "../inject/write_marks.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static raw_spinlock_t harness_lock;	/* the raw spinlock of SEC_RAW_SPINLOCK */

void exec_tracef(struct exec *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!x->tracing)
		return;
	for (;;) {
		size_t room = x->trace_cap - x->trace_len;

		if (!x->trace) {
			x->trace_cap = 4096;
			x->trace = malloc(x->trace_cap);
			if (!x->trace)
				abort();
			continue;
		}
		va_start(ap, fmt);
		n = vsnprintf(x->trace + x->trace_len, room, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < room)
			break;
		x->trace_cap = x->trace_cap ? 2 * x->trace_cap + (size_t)n : 4096;
		x->trace = realloc(x->trace, x->trace_cap);
		if (!x->trace)
			abort();
	}
	x->trace_len += (size_t)n;
}

void exec_free(struct exec *x)
{
	free(x->trace);
	x->trace = NULL;
	x->trace_len = x->trace_cap = 0;
}

void exec_config_line(const struct program *p, char *buf, size_t size)
{
	size_t n = (size_t)program_config_print(&p->config, buf, size);

	for (int b = 0; b < NR_SLAB_BUGS && n < size; b++)
		if (p->bugs & (1ull << b))
			n += (size_t)snprintf(buf + n, size - n, " bug=%s", slab_bugs[b].name);
}

/* ---- running operations ---- */

static void run_op(struct exec *x, const struct op *op, bool top_level);

static const char *section_name(int section)
{
	static const char *const names[NR_SECTIONS] = {
		[SEC_NONE] = "task", [SEC_IRQS_OFF] = "irqs_off",
		[SEC_PREEMPT_OFF] = "preempt_off", [SEC_RAW_SPINLOCK] = "raw_spin",
	};

	return section < NR_SECTIONS ? names[section] : "?";
}

static void indent(struct exec *x)
{
	exec_tracef(x, "%*s", 6 + 2 * machine_depth(), "");
}

void exec_skip(struct exec *x, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	x->st.skipped++;
	indent(x);
	exec_tracef(x, "skipped: %s\n", why);
}

/* An RT task blocked on a sleeping lock or woke up: say so in the trace. */
static void sched_traced(void *ctx, const char *what)
{
	struct exec *x = ctx;

	indent(x);
	exec_tracef(x, "%s\n", what);
}

/* The engine landed an event: log it, and run its handler if it fired. */
static void event_fired(void *ctx, const struct engine_fired *f)
{
	struct exec *x = ctx;
	const struct engine_event *ev = f->event;
	const struct op *ops;
	int nops;
	char where[160];

	engine_harness_enter();
	if (ev->id >= 0) {
		if (!(x->events_reached & (1u << ev->id)))
			x->landed[ev->id] = (struct event_landing){ f->ordinal, f->at };
		x->events_reached |= 1u << ev->id;
		if (!f->refused)
			x->events_fired |= 1u << ev->id;
	} else if (-1 - ev->id < 4) {
		x->extra_landed[-1 - ev->id] = (struct event_landing){ f->ordinal, f->at };
	}
	if (!f->refused && ev->kind < EV_NR_INTERRUPTS) {
		x->st.where = (struct landing){ f->pc, f->fn };
		x->st.last_where = x->st.where;
	}
	if (x->tracing) {
		char anchor[PROGRAM_FN_LEN + 32];

		program_anchor_print(anchor, sizeof(anchor), (uint8_t)ev->anchor, ev->fn,
				     ev->ordinal);
		engine_symbolize(f->pc, f->fn, where, sizeof(where));
		exec_tracef(x, "%*s%s %s at %s  (%s)%s%s\n", 6 + 2 * f->depth, "", anchor,
			    event_kind_name(ev->kind), where, f->state,
			    f->refused ? "  not fired: " : "", f->refused ? f->refused : "");
	}
	if (!f->refused && ev->kind < EV_NR_INTERRUPTS) {
		if (ev->id < 0) {
			ops = x->extra_handler;
			nops = x->nextra_handler;
		} else {
			ops = x->prog->events[ev->id].ops;
			nops = x->prog->events[ev->id].nops;
		}
		for (int i = 0; i < nops; i++)
			run_op(x, &ops[i], false);
	}
	engine_harness_leave();
}

/* May this context spin on locks or sleep? What a handler may call depends on it. */
static bool context_may_spin(void)
{
	return !in_nmi() && machine_context() != CTX_KPROBE;
}

/*
 * Skip an operation that is illegal here; say why in the trace. A
 * kmalloc_nolock() given reclaim bits is not a nolock call any more: the
 * kernel warns and then lets it spin (and sleep), so it is judged like
 * kmalloc().
 */
static bool illegal(struct exec *x, const struct op *op)
{
	bool allocates = op->kind == OP_KMALLOC || op->kind == OP_CACHE_ALLOC ||
			 op->kind == OP_KMALLOC_NOLOCK;
	bool spins = !(op->kind == OP_KMALLOC_NOLOCK || op->kind == OP_KFREE_NOLOCK ||
		       op->kind == OP_WRITE) ||
		     (op->kind == OP_KMALLOC_NOLOCK && (op->gfp & __GFP_RECLAIM));
	const char *why = NULL;

	if (spins && !context_may_spin())
		why = "may not spin here (NMI or kprobe): only nolock calls";
	else if ((op->kind == OP_CACHE_CREATE || op->kind == OP_CACHE_DESTROY) && !preemptible())
		why = "kmem_cache_create/destroy may sleep";
	else if ((op->kind == OP_CACHE_CREATE || op->kind == OP_CACHE_DESTROY) && machine_depth() > 0)
		/* the kernel serializes them with slab_mutex, which the model
		 * does not have: only top-level operations create and destroy */
		why = "kmem_cache_create/destroy only at top level (slab_mutex)";
	else if ((op->kind == OP_CACHE_ALLOC || op->kind == OP_CACHE_FREE) &&
		 x->destroying == op->cache + 1)
		why = "the cache is being destroyed (using it now is the caller's bug)";
	else if (allocates && (op->gfp & __GFP_DIRECT_RECLAIM) && !preemptible())
		why = "a sleeping gfp in atomic context";
	else if (kconfig.preempt_rt && spins && !preemptible() &&
		 !(allocates && !(op->gfp & __GFP_RECLAIM) && kconfig.design == DESIGN_SHEAVES &&
		   (kconfig.alloc_flags_rule == RULE_GFP || x->prog->config.strict_api)))
		/* With sheaves, an allocation whose gfp has no reclaim bit is
		 * left in under the old alloc_flags rule: "no reclaim bits"
		 * then promises that the allocator does not spin, so what it
		 * does is its business (seed 001). Under the new rule such a
		 * call may spin, so it is the caller's bug like any spinning
		 * call here: skipped, unless strict_api asks to see what it
		 * does (seed 001's scenario (b): a sleeping lock taken in
		 * atomic context). The 6.18 per-CPU slab takes its local lock
		 * on every allocation. */
		why = "RT: spinlock_t sleeps, a spinning call needs a preemptible context";
	else if (op->kind == OP_IRQ_WORK && machine_depth() > 0)
		why = "irq_work() is a top-level operation";
	if (!why)
		return false;
	exec_skip(x, "%s", why);
	return true;
}

static void trace_result(struct exec *x, const void *p)
{
	char what[96];

	if (!x->tracing)
		return;
	if (!p) {
		snprintf(what, sizeof(what), "NULL");
	} else if (p == ZERO_SIZE_PTR) {
		snprintf(what, sizeof(what), "ZERO_SIZE_PTR");
	} else {
		describe_object(p, what, sizeof(what));
	}
	indent(x);
	exec_tracef(x, "-> %s\n", what);
}

static void do_alloc(struct exec *x, const struct op *op)
{
	struct alloc_failures failures = {
		.any = page_alloc_failures() + slab_trylock_failures(),
		.real = page_alloc_failures() - page_alloc_contended(),
	};
	/* __GFP_OBJEXT_NESTED is the model's own mark, not a flag callers pass */
	gfp_t gfp = op->gfp & ~__GFP_OBJEXT_NESTED;
	enum nolock_fail why = NOLOCK_OK;
	enum alloc_api api;
	unsigned long memcg_failures = memcg_charge_failures();
	void *p;

	switch (op->kind) {
	case OP_KMALLOC:
		engine_harness_leave();
		p = kmalloc(op->size, gfp);
		engine_harness_enter();
		api = op->size > KMALLOC_MAX_CACHE_SIZE ? API_LARGE : API_KMALLOC;
		break;
	case OP_KMALLOC_NOLOCK:
		if ((op->gfp & ~GFP_NOLOCK_ALLOWED) && x->prog->config.strict_api)
			oracle_fail(x, "api-misuse", "kmalloc_nolock(%u) with gfp %#x: only __GFP_ACCOUNT and __GFP_ZERO are allowed",
				    op->size, (unsigned int)op->gfp);
		engine_harness_leave();
		p = kmalloc_nolock_why(op->size, gfp, NUMA_NO_NODE, &why);
		engine_harness_enter();
		api = API_NOLOCK;
		break;
	default: /* OP_CACHE_ALLOC */
		if (!x->st.caches[op->cache]) {
			exec_skip(x, "c%d does not exist", op->cache);
			return;
		}
		engine_harness_leave();
		p = kmem_cache_alloc(x->st.caches[op->cache], gfp);
		engine_harness_enter();
		api = API_CACHE;
		break;
	}
	trace_result(x, p);
	/* handlers that ran meanwhile did their own allocations: set it last */
	x->st.memcg_failures_before = memcg_failures;
	oracle_alloc(x, op, p, api, failures, why);
}

/*
 * The object leaves the shadow heap before the free is called: once the
 * allocator has it back (a cmpxchg in the middle of kfree_nolock(), say), an
 * interrupt may legitimately be handed the same object.
 */
static void do_free(struct exec *x, const struct op *op)
{
	struct kmem_cache *s = x->st.caches[op->cache];
	void *p;
	int i;

	if (!oracle_before_free(x, op, &i))
		return;
	p = x->st.objs[i].p;
	oracle_forget(x, i);
	engine_harness_leave();
	switch (op->kind) {
	case OP_KFREE:
		kfree(p);
		break;
	case OP_KFREE_NOLOCK:
		kfree_nolock(p);
		break;
	default: /* OP_CACHE_FREE */
		kmem_cache_free(s, p);
		break;
	}
	engine_harness_enter();
}

static void do_cache_op(struct exec *x, const struct op *op)
{
	struct kmem_cache **s = &x->st.caches[op->cache];

	if (op->kind == OP_CACHE_CREATE) {
		char name[8];

		if (*s) {
			exec_skip(x, "c%d exists", op->cache);
			return;
		}
		snprintf(name, sizeof(name), "c%d", op->cache);
		engine_harness_leave();
		*s = kmem_cache_create(name, op->size, op->arg, op->flags);
		engine_harness_enter();
		indent(x);
		exec_tracef(x, "-> %s\n", *s ? "created" : "NULL");
		return;
	}
	for (int i = 0; i < x->st.nobjs; i++) {
		if (x->st.objs[i].api == API_CACHE && x->st.objs[i].cache == op->cache) {
			exec_skip(x, "c%d still has live objects", op->cache);
			return;
		}
	}
	if (!*s) {
		exec_skip(x, "c%d does not exist", op->cache);
		return;
	}
	x->destroying = op->cache + 1;
	engine_harness_leave();
	kmem_cache_destroy(*s);
	engine_harness_enter();
	x->destroying = 0;
	*s = NULL;
}

static void do_write(struct exec *x, const struct op *op)
{
	int i = x->st.slot[op->slot];
	struct live_object *o;
	uint32_t off, len;

	if (i < 0) {
		exec_skip(x, "%c is empty", 'a' + op->slot);
		return;
	}
	o = &x->st.objs[i];
	/* within what was asked for: the pattern is rewritten, not changed */
	off = o->size ? op->arg % o->size : 0;
	len = op->size < o->size - off ? op->size : o->size - off;
	memset((char *)o->p + off, o->pattern, len);
	write_marks_note((char *)o->p + off, len);	/* not the model's write: say so */
}

static void run_op(struct exec *x, const struct op *op, bool top_level)
{
	char text[128];
	bool ran;

	if (x->tracing) {
		op_print(op, text, sizeof(text));
		if (top_level)
			exec_tracef(x, "op %-2d cpu%d %-11s %s\n", x->cur_op, machine_cpu(),
				    section_name(op->section), text);
		else {
			indent(x);
			exec_tracef(x, "%s\n", text);
		}
	}
	if (illegal(x, op))
		return;
	switch (op->kind) {
	case OP_KMALLOC:
	case OP_KMALLOC_NOLOCK:
	case OP_CACHE_ALLOC:
		do_alloc(x, op);
		break;
	case OP_KFREE:
	case OP_KFREE_NOLOCK:
	case OP_CACHE_FREE:
		do_free(x, op);
		break;
	case OP_CACHE_CREATE:
	case OP_CACHE_DESTROY:
		do_cache_op(x, op);
		break;
	case OP_IRQ_WORK:
		engine_harness_leave();
		ran = machine_run_irq_work();
		engine_harness_enter();
		if (!ran) {
			indent(x);
			exec_tracef(x, "irqs disabled: the irq_work waits\n");
		}
		break;
	case OP_WRITE:
		do_write(x, op);
		break;
	default:
		break;
	}
}

/* Why a function-anchored event was not reached, once its op ended: how far
 * its function got in the operation. */
static void function_unreached(const struct exec *x, int e, char *buf, size_t size)
{
	const struct event *ev = &x->prog->events[e];
	uint32_t k = x->fn_seen[e];

	if (!fn_anchor_names_known())
		snprintf(buf, size, "this build cannot name model functions: function anchors need "
			 "the sanitizers' symbolizer (the test or fuzz preset)");
	else if (!k)
		snprintf(buf, size, "no boundary of the operation is in %s", ev->fn);
	else
		snprintf(buf, size, "the operation has %u boundar%s in %s", k, k == 1 ? "y" : "ies",
			 ev->fn);
}

/* The op's events that never reached their anchor: said in the trace, so
 * that a schedule that misses its operation is never silent; for a function
 * anchor, what its function did is kept for exec_event_fired(). */
static void unreached(struct exec *x, int i)
{
	uint32_t boundaries = engine_ordinal();

	for (int e = 0; e < x->prog->nevents; e++) {
		const struct event *ev = &x->prog->events[e];
		char why[160];

		if (ev->op != i || (x->events_reached & (1u << e)))
			continue;
		if (ev->anchor == AT_FUNCTION)
			x->fn_seen[e] = fn_anchor_seen(fn_anchor_intern(ev->fn));
		if (!x->tracing)
			continue;
		if (ev->anchor == AT_OCCURRENCE) {
			static const char *const what[] = {
				[EV_FAIL_TRYLOCK] = "trylock", [EV_FAIL_PAGE_ALLOC] = "page allocation",
				[EV_FAIL_MEMCG] = "memcg charge",
			};
			uint32_t n = engine_occurrences((enum event_kind)ev->kind);

			exec_tracef(x, "      #%u %s: never reached (the operation made %u %s%s)\n",
				    ev->ordinal, event_kind_name((enum event_kind)ev->kind), n,
				    what[ev->kind], n == 1 ? "" : "s");
		} else if (ev->anchor == AT_FUNCTION) {
			char anchor[PROGRAM_FN_LEN + 32];

			program_anchor_print(anchor, sizeof(anchor), ev->anchor, ev->fn, ev->ordinal);
			function_unreached(x, e, why, sizeof(why));
			exec_tracef(x, "      %s %s: never reached (%s)\n", anchor,
				    event_kind_name((enum event_kind)ev->kind), why);
		} else {
			exec_tracef(x, "      @%u %s: never reached (the operation has %u boundar%s)\n",
				    ev->ordinal, event_kind_name((enum event_kind)ev->kind), boundaries,
				    boundaries == 1 ? "y" : "ies");
		}
	}
}

bool exec_event_fired(const struct exec *x, int e, char *name, size_t size, char *why,
		      size_t whysize)
{
	const struct event *ev = &x->prog->events[e];
	char anchor[PROGRAM_FN_LEN + 32];

	if (x->events_fired & (1u << e))
		return true;
	program_anchor_print(anchor, sizeof(anchor), ev->anchor, ev->fn, ev->ordinal);
	snprintf(name, size, "op %d %s %s", ev->op, anchor, event_kind_name((enum event_kind)ev->kind));
	if (x->events_reached & (1u << e)) {
		snprintf(why, whysize, "refused where it landed");
	} else if (ev->anchor == AT_FUNCTION) {
		char seen[160];

		function_unreached(x, e, seen, sizeof(seen));
		snprintf(why, whysize, "stale anchor: %s", seen);
	} else {
		snprintf(why, whysize, "never reached");
	}
	return false;
}

static void run_top_level(struct exec *x, int i)
{
	const struct op *op = &x->prog->ops[i];
	unsigned long flags = 0;

	x->cur_op = i;
	x->st.where = (struct landing){ 0 };
	machine_set_cpu(op->cpu < kconfig.nr_cpus && !x->prog->config.up ? op->cpu : 0);
	switch (op->section) {
	case SEC_IRQS_OFF:
		local_irq_save(flags);
		break;
	case SEC_PREEMPT_OFF:
		preempt_disable();
		break;
	case SEC_RAW_SPINLOCK:
		raw_spin_lock(&harness_lock);
		break;
	}
	engine_begin_op(i);
	run_op(x, op, true);
	engine_end_op();
	unreached(x, i);
	switch (op->section) {
	case SEC_IRQS_OFF:
		local_irq_restore(flags);
		break;
	case SEC_PREEMPT_OFF:
		preempt_enable();
		break;
	case SEC_RAW_SPINLOCK:
		raw_spin_unlock(&harness_lock);
		break;
	}
	machine_settle(); /* RT: no task may stay blocked past its operation */
	/* between operations nothing is in flight: invariant 11 must hold */
	if (kconfig.memcg && !validate_memcg_balance())
		oracle_fail(x, invariant_class(11), "after op %d: %s", i, validate_error());
}

/* ---- runs, reports ---- */

static void capture(struct exec *x, const struct machine_report *r)
{
	x->reported = true;
	snprintf(x->report.cls, sizeof(x->report.cls), "%s", r->cls);
	snprintf(x->report.text, sizeof(x->report.text), "%s", r->text);
	x->report.op = x->cur_op;
	/* the dedup key's place: where the op's last interrupt landed; at the
	 * end of the run, the run's last one */
	if (x->st.where.pc)
		engine_symbolize(x->st.where.pc, x->st.where.fn, x->report.where, sizeof(x->report.where));
	else if (x->cur_op >= 0 && x->cur_op < x->prog->nops)
		snprintf(x->report.where, sizeof(x->report.where), "%s",
			 op_kind_name(x->prog->ops[x->cur_op].kind));
	else if (x->st.last_where.pc)
		engine_symbolize(x->st.last_where.pc, x->st.last_where.fn, x->report.where,
				 sizeof(x->report.where));
	else
		snprintf(x->report.where, sizeof(x->report.where), "end of program");
	engine_end_op();
	exec_tracef(x, "verdict  %s: %s\n", r->cls, r->text);
}

static struct { int from, to; } range;

static void ops_body(void *arg)
{
	struct exec *x = arg;

	for (int i = range.from; i < range.to; i++) {
		run_top_level(x, i);
		engine_record(NULL, 0); /* only the first operation is recorded */
	}
}

/* The program's schedule plus the extra events, in (op, ordinal) order. */
static void arm(struct exec *x)
{
	struct engine_event ev[MAX_EVENTS + 4];
	int n = 0;

	for (int i = 0; i < x->prog->nevents; i++) {
		const struct event *e = &x->prog->events[i];

		ev[n++] = (struct engine_event){
			.kind = e->kind, .anchor = e->anchor, .op = e->op,
			.ordinal = e->ordinal, .cpu = e->cpu, .count = e->count, .id = i,
			.fn = e->anchor == AT_FUNCTION ? e->fn : NULL,
		};
	}
	for (int i = 0; i < x->nextra && n < MAX_EVENTS + 4; i++) {
		ev[n] = x->extra[i];
		ev[n++].id = -1 - i;	/* extra event i */
	}
	engine_track(x->track_anchors);
	engine_arm(ev, n, &(struct engine_driver){ .fired = event_fired, .ctx = x });
	machine_set_sched_hook(x->tracing ? sched_traced : NULL, x);
}

/*
 * A fresh machine and model for kconfig. Building one (kmem_init) touches
 * every page of the arena; restoring a snapshot of a fresh one only touches
 * what the last run used. Fuzz inputs choose among a few hundred
 * configurations: keep the most recent ones.
 */
#define PRISTINE_WORLDS 64

/* Byte by byte: memcmp() is a libc call that libFuzzer intercepts (to learn
 * compared bytes), and this runs for every cached world of every input. */
static bool same_kconfig(const struct kconfig *a, const struct kconfig *b)
{
	const unsigned char *pa = (const void *)a, *pb = (const void *)b;

	for (size_t i = 0; i < sizeof(*a); i++)
		if (pa[i] != pb[i])
			return false;
	return true;
}

static void fresh_world(void)
{
	static struct {
		struct snapshot world;
		struct kconfig config;
		void *arena;	/* a snapshot holds addresses in this mapping */
	} pristine[PRISTINE_WORLDS];
	static unsigned int next, last_hit;
	size_t size;
	void *arena;

	machine_arena(&arena, &size);
	/* consecutive inputs mostly share a configuration: try the last first */
	for (unsigned int n = 0, i = last_hit; n < PRISTINE_WORLDS; n++, i = (i + 1) % PRISTINE_WORLDS) {
		if (pristine[i].arena && pristine[i].arena == arena &&
		    same_kconfig(&pristine[i].config, &kconfig)) {
			snapshot_restore(&pristine[i].world);
			last_hit = i;
			return;
		}
	}
	machine_reset();
	kmem_init();
	/* replace the oldest */
	snapshot_take(&pristine[next].world);
	pristine[next].config = kconfig;
	machine_arena(&pristine[next].arena, &size);
	next = (next + 1) % PRISTINE_WORLDS;
}

/* The run in progress, for a sanitizer report (the end of this file). */
static struct exec *running;

void exec_begin(struct exec *x, const struct program *p)
{
	const struct program_config *c = &p->config;

	running = x;
	x->prog = p;
	x->reported = false;
	x->destroying = 0;
	x->cur_op = -1;
	x->trace_len = 0;
	x->events_reached = x->events_fired = 0;
	if (x->trace)
		x->trace[0] = '\0';
	memset(&x->st, 0, sizeof(x->st));
	for (int i = 0; i < MAX_SLOTS; i++)
		x->st.slot[i] = -1;

	program_config_apply(c, &kconfig);
	kconfig.bugs = p->bugs;
	kconfig.arena_pages = 256;	/* 1 MiB: small enough to reset fast, big enough to run out */
	kconfig.memcg_limit_pages = 16;	/* 64 KiB: the sixth live accounted 8 KiB object (3 pages each) fails */

	engine_disarm();
	fresh_world();
	raw_spin_lock_init(&harness_lock);
	if (x->tracing) {
		char line[256];

		exec_config_line(p, line, sizeof(line));
		exec_tracef(x, "config  %s\n", line);
	}
}

bool exec_ops(struct exec *x, int from, int to)
{
	const struct machine_report *r;

	if (x->reported)
		return false;
	arm(x);
	range.from = from;
	range.to = to < x->prog->nops ? to : x->prog->nops;
	if (x->record)
		engine_record(x->record, x->record_cap);
	kasan_set_program(oracle_holds, x);
	r = machine_try(ops_body, x);
	kasan_set_program(NULL, NULL);
	engine_disarm();
	if (r)
		capture(x, r);
	return !r;
}

static void finish_body(void *arg)
{
	struct exec *x = arg;

	x->cur_op = -1;
	x->st.where = (struct landing){ 0 };
	oracle_final(x);
}

bool exec_finish(struct exec *x)
{
	const struct machine_report *r;

	if (x->reported)
		return false;
	kasan_set_program(oracle_holds, x);
	r = machine_try(finish_body, x);
	kasan_set_program(NULL, NULL);
	if (r) {
		capture(x, r);
	} else {
		exec_tracef(x, "counts   %lu skipped; kmalloc_nolock NULL: %lu busy, %lu nomem, %lu too large, "
			    "%lu context, %lu unsupported\n", x->st.skipped, x->st.nolock_null[NOLOCK_BUSY],
			    x->st.nolock_null[NOLOCK_NOMEM], x->st.nolock_null[NOLOCK_TOO_LARGE],
			    x->st.nolock_null[NOLOCK_CONTEXT], x->st.nolock_null[NOLOCK_UNSUPPORTED]);
		if (kconfig.memcg)
			exec_tracef(x, "memcg    %lu charge failures, %lu kmalloc_nolock NULL; %lu bytes "
				    "charged and uncharged; %lu obj_exts races lost\n",
				    memcg_charge_failures(), x->st.nolock_null[NOLOCK_MEMCG],
				    memcg_charged_bytes(), memcg_objexts_race_lost());
		exec_tracef(x, "verdict  clean\n");
	}
	return !r;
}

void exec_resume(struct exec *x, const struct exec_state *st)
{
	running = x;
	x->st = *st;
	x->destroying = 0;
	x->reported = false;
	x->cur_op = -1;
	x->trace_len = 0;
	raw_spin_lock_init(&harness_lock); /* a report may have left it held */
}

bool exec_run(struct exec *x, const struct program *p)
{
	exec_begin(x, p);
	return exec_ops(x, 0, p->nops) && exec_finish(x);
}

/* ---- a sanitizer report names its trial ---- */

/* The run's program with its trial's events (exec.h). */
void exec_trial_program(const struct exec *x, struct program *out)
{
	*out = *x->prog;
	for (int i = 0; i < x->nextra && out->nevents < MAX_EVENTS; i++) {
		const struct engine_event *e = &x->extra[i];
		struct event *ev = &out->events[out->nevents++];

		memset(ev, 0, sizeof(*ev));
		ev->kind = (uint8_t)e->kind;
		ev->anchor = (uint8_t)e->anchor;
		ev->op = (uint8_t)e->op;
		ev->ordinal = e->ordinal;
		ev->cpu = e->kind == EV_PREEMPT ? (uint8_t)e->cpu : 0;
		ev->count = e->kind >= EV_NR_INTERRUPTS ? (uint8_t)e->count : 0;
		if (e->kind < EV_NR_INTERRUPTS) {
			ev->nops = (uint8_t)(x->nextra_handler < MAX_HANDLER_OPS ? x->nextra_handler
										 : MAX_HANDLER_OPS);
			memcpy(ev->ops, x->extra_handler, ev->nops * sizeof(ev->ops[0]));
		}
	}
}

/*
 * ASan and UBSan end every report with its summary line, through this
 * hook, just before the process dies: after it, say which run it was — the
 * operation, the trial's injected events, the program (a replayable text,
 * the trial's events in it) and the trace so far when the run was traced.
 * Without it a sanitizer error in a sweep is four lines and no trial. (Not
 * the death callback: libFuzzer owns that one, to save the crash.)
 */
void __sanitizer_report_error_summary(const char *summary);
void __sanitizer_report_error_summary(const char *summary)
{
	static char text[1 << 16];
	static struct program trial;
	const struct exec *x = running;

	fprintf(stderr, "%s\n", summary);
	if (!x || !x->prog)
		return;
	exec_trial_program(x, &trial);
	program_print(&trial, text, sizeof(text));
	fprintf(stderr, "reentry: the sanitizer report above happened in op %d", x->cur_op);
	if (x->cur_op >= 0 && x->cur_op < x->prog->nops) {
		char op[160];

		op_print(&x->prog->ops[x->cur_op], op, sizeof(op));
		fprintf(stderr, " (%s)", op);
	} else {
		fprintf(stderr, " (the end-of-run checks)");
	}
	for (int i = 0; i < x->nextra; i++)
		fprintf(stderr, "%s op %d @%u %s", i ? "," : "; the trial injected", x->extra[i].op,
			x->extra[i].ordinal, event_kind_name(x->extra[i].kind));
	fprintf(stderr, ".\nreentry: the program, with the trial's events (replay it with "
		"reentry replay FILE):\n%s", text);
	if (x->tracing && x->trace && x->trace[0])
		fprintf(stderr, "reentry: the trace so far:\n%s", x->trace);
}

/* UBSan's reports carry their stack (a user's UBSAN_OPTIONS still wins). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1";
}
