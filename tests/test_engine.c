/*
 * tests/test_engine.c — the injection engine of inject/ and the drivers of
 * fuzz/ built on it: where boundaries are counted (only inside an operation,
 * only while the model runs), events firing at their (op, ordinal), the
 * discipline of when each kind may fire (engine_may_fire and the masks
 * engine_record keeps), nesting, faults at a boundary and at an occurrence,
 * preemption with migration, the livelock bound, snapshots (bytes, poison and
 * machine state), the executor's trace, and sweeps (trial counts, the seed-000
 * bug, determinism, depth 2).
 *
 * Two ways in: by hand (engine_arm + engine_begin_op around a direct model
 * call, with a logging driver below), or through the executor with a text
 * program (fuzz/program.h), which is what users and sweeps do.
 */
#include "test.h"

#include "../core/bugs.h"
#include "../core/internal.h"
#include "../fuzz/exec.h"
#include "../fuzz/program.h"
#include "../fuzz/sweep.h"
#include "../inject/callstack.h"
#include "../inject/engine.h"
#include "../inject/machine.h"
#include "../inject/snapshot.h"
#include "../inject/write_marks.h"

#include <stdlib.h>
#include <string.h>

/* ---- setup ---------------------------------------------------------- */

static void setup_config(int cpus, uint64_t bugs)
{
	test_kconfig(cpus);
	kconfig.design = DESIGN_CPU_SLAB;
	kconfig.alloc_flags_rule = RULE_GFP;
	kconfig.bugs = bugs;
	engine_disarm();
	boot_world();
}

static void setup(void)
{
	setup_config(2, 0);
}


/* ---- a logging driver ---------------------------------------------- */

#define LOG_MAX 32

/* What the driver saw of one event that reached its anchor. */
struct fired_rec {
	int id;
	enum event_kind kind;
	uint32_t at;		/* engine_ordinal() when it landed */
	int depth;		/* f->depth: where it landed */
	int inner_depth;	/* machine_depth() inside the callback */
	enum ctx_kind ctx;	/* machine_context() inside the callback */
	bool nmi, irqs_off, work_pending;
	int cpu;
	const char *refused;
	const void *fn;
	void *pc;
	char state[160];
};

static struct {
	int n;
	struct fired_rec r[LOG_MAX];
	bool handler;		/* fired interrupts run kmalloc_nolock(64) */
	void *objs[LOG_MAX];	/* what the handlers allocated */
	int nobjs;
	int handler_null;	/* handler allocations that returned NULL */
} lg;

static void log_fired(void *ctx, const struct engine_fired *f)
{
	struct fired_rec *r = lg.n < LOG_MAX ? &lg.r[lg.n] : NULL;

	(void)ctx;
	lg.n++;
	if (r) {
		*r = (struct fired_rec){
			.id = f->event->id,
			.kind = f->event->kind,
			.at = engine_ordinal(),
			.depth = f->depth,
			.inner_depth = machine_depth(),
			.ctx = machine_context(),
			.nmi = in_nmi(),
			.irqs_off = irqs_disabled(),
			.work_pending = machine_irq_work_pending(machine_cpu()),
			.cpu = machine_cpu(),
			.refused = f->refused,
			.fn = f->fn,
			.pc = f->pc,
		};
		snprintf(r->state, sizeof(r->state), "%s", f->state);
	}
	if (!f->refused && f->event->kind < EV_NR_INTERRUPTS && lg.handler) {
		/* the handler program: its boundaries count (nesting) */
		void *p = kmalloc_nolock(64, 0, NUMA_NO_NODE);

		if (!p)
			lg.handler_null++;
		else if (lg.nobjs < LOG_MAX)
			lg.objs[lg.nobjs++] = p;
	}
}

static const struct engine_driver log_driver = { .fired = log_fired };

static void arm(const struct engine_event *ev, int n, bool handler)
{
	memset(&lg, 0, sizeof(lg));
	lg.handler = handler;
	engine_arm(ev, n, &log_driver);
}

static struct engine_event at(enum event_kind kind, int op, uint32_t ordinal, int id)
{
	return (struct engine_event){
		.kind = kind, .anchor = AT_BOUNDARY, .op = op, .ordinal = ordinal,
		.count = 1, .id = id,
	};
}

static struct engine_event nth(enum event_kind kind, int op, uint32_t n, int count, int id)
{
	return (struct engine_event){
		.kind = kind, .anchor = AT_OCCURRENCE, .op = op, .ordinal = n,
		.count = count, .id = id,
	};
}

/* Free what the handlers allocated, drain, validate: a quiescent world. */
static bool quiesce(void)
{
	engine_disarm();
	for (int i = 0; i < lg.nobjs; i++)
		kfree_nolock(lg.objs[i]);
	lg.nobjs = 0;
	machine_drain_irq_work();
	return valid();
}

/* ---- operations run by hand ------------------------------------------ */

typedef void (*op_fn)(void);

static void *last;

static enum nolock_fail last_why;

static void op_nolock64(void)
{
	last = kmalloc_nolock_why(64, 0, NUMA_NO_NODE, &last_why);
}

static void op_kmalloc64(void)
{
	last = kmalloc(64, GFP_KERNEL);
}

static void op_kfree_last(void)
{
	kfree(last);
}

/* One top-level operation: the model runs only between leave and enter. */
static uint32_t run_op(int op, op_fn fn)
{
	engine_begin_op(op);
	engine_harness_leave();
	fn();
	engine_harness_enter();
	engine_end_op();
	return engine_ordinal();
}

/* The boundary count of fn as op 0 of a fresh world, and its masks. */
static uint32_t record_op(op_fn fn, uint16_t *masks, uint32_t cap)
{
	uint32_t n;

	arm(NULL, 0, false);
	engine_record(masks, cap);
	n = run_op(0, fn);
	engine_record(NULL, 0);
	engine_disarm();
	return n;
}

#define KBIT(k) (1u << (k))
#define MASK_CAP 4096
static uint16_t masks[MASK_CAP], masks2[MASK_CAP];

/* ---- programs --------------------------------------------------------- */

static struct program prog;
static struct exec ex, ex2;


/* A handler program, parsed as the handler of a one-line program. */
static struct program handler_holder;

static bool parse_handler(const char *ops, struct sweep_options *o)
{
	char text[256];

	snprintf(text, sizeof(text), "cpu0 task: irq_work()  @1 nmi { %s }\n", ops);
	if (!test_parse(text, &handler_holder))
		return false;
	o->handler = handler_holder.events[0].ops;
	o->nhandler = handler_holder.events[0].nops;
	return true;
}

static void reset_exec(struct exec *x)
{
	exec_free(x);
	memset(x, 0, sizeof(*x));
}

/* =====================================================================
 * Where boundaries count
 * ===================================================================== */

TEST(engine_boundaries_count_only_inside_ops_while_model_runs)
{
	void *a, *b, *c;
	uint32_t n;

	setup();
	arm(NULL, 0, false);
	CHECK_EQ(engine_ordinal(), 0);

	/* outside any operation: nothing counts */
	a = kmalloc(64, GFP_KERNEL);
	CHECK(a);
	CHECK_EQ(engine_ordinal(), 0);

	/* an operation starts in harness code: nothing counts yet */
	engine_begin_op(0);
	b = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	CHECK(b);
	CHECK_EQ(engine_ordinal(), 0);

	/* the model runs for the program: it counts */
	engine_harness_leave();
	c = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	engine_harness_enter();
	n = engine_ordinal();
	CHECK(c);
	CHECK(n > 0);

	/* the harness's own queries between calls do not */
	CHECK(validate_all());
	CHECK(virt_to_cache(c) == kmalloc_slab(64));
	kfree(b);
	CHECK_EQ(engine_ordinal(), n);

	/* nested harness brackets: still nothing */
	engine_harness_enter();
	engine_harness_leave();
	kfree(c);
	CHECK_EQ(engine_ordinal(), n);
	engine_end_op();

	/* after the operation: nothing */
	kfree(a);
	CHECK_EQ(engine_ordinal(), n);

	/* a new operation restarts the count */
	engine_begin_op(1);
	CHECK_EQ(engine_ordinal(), 0);
	engine_end_op();

	/* disarmed: no hook, nothing counts */
	engine_disarm();
	engine_begin_op(2);
	engine_harness_leave();
	a = kmalloc(64, GFP_KERNEL);
	engine_harness_enter();
	engine_end_op();
	CHECK_EQ(engine_ordinal(), 0);
	kfree(a);
	CHECK(valid());
	return true;
}

TEST(engine_op_boundary_counts_are_deterministic)
{
	static const op_fn ops[] = { op_kmalloc64, op_kmalloc64, op_kfree_last, op_nolock64,
				     op_nolock64 };
	uint32_t first[5], second[5];
	uint32_t *runs[2] = { first, second };

	for (int run = 0; run < 2; run++) {
		setup();
		arm(NULL, 0, false);
		for (int i = 0; i < 5; i++)
			runs[run][i] = run_op(i, ops[i]);
		engine_disarm();
	}
	for (int i = 0; i < 5; i++) {
		printf("op %d: %u boundaries\n", i, first[i]);
		CHECK(first[i] > 0);
		CHECK_EQ(first[i], second[i]);
	}
	/* the first allocation takes the slow path and a new slab: more work
	 * than the fast path of the second */
	CHECK(first[0] > first[1]);
	return true;
}

TEST(engine_recording_and_refused_events_do_not_shift_ordinals)
{
	struct engine_event ev[4];
	uint32_t plain, recorded, with_events;
	unsigned long flags;

	/* engine_may_fire() runs model code (the deny list): it must not count */
	setup();
	plain = record_op(op_kmalloc64, NULL, 0);
	setup();
	recorded = record_op(op_kmalloc64, masks, MASK_CAP);
	CHECK_EQ(plain, recorded);

	/* events whose handler runs no model code, refused events and faults
	 * that find nothing to fail: the operation has the same boundaries */
	setup();
	local_irq_save(flags);
	plain = record_op(op_nolock64, NULL, 0);
	local_irq_restore(flags);
	kfree_nolock(last);
	setup();
	ev[0] = at(EV_KPROBE, 0, 1, 0);		/* fires, empty handler (if it can) */
	ev[1] = at(EV_HARDIRQ, 0, 2, 1);	/* refused: irqs off */
	ev[2] = at(EV_FAIL_MEMCG, 0, 3, 2);	/* nothing to fail */
	ev[3] = at(EV_PREEMPT, 5, 3, 3);	/* another op's */
	arm(ev, 4, false);
	local_irq_save(flags);
	with_events = run_op(0, op_nolock64);
	local_irq_restore(flags);
	engine_disarm();
	CHECK_EQ(lg.n, 3);
#ifdef REENTRY_SHADOW_CALL_STACK
	CHECK(lg.r[0].refused == NULL);
#else
	CHECK(lg.r[0].refused && strstr(lg.r[0].refused, "shadow call stack"));
#endif
	CHECK(lg.r[1].refused != NULL);
	CHECK(lg.r[2].refused == NULL);
	CHECK_EQ(with_events, plain);
	kfree_nolock(last);
	CHECK(quiesce());
	return true;
}

/* =====================================================================
 * Events at their anchor
 * ===================================================================== */

TEST_INJECT(engine_event_fires_once_at_its_ordinal_and_op)
{
	struct engine_event ev[3];
	uint32_t n1;

	/* how many boundaries op 1 (a fast-path kmalloc) has */
	setup();
	arm(NULL, 0, false);
	run_op(0, op_kmalloc64);
	n1 = run_op(1, op_kmalloc64);
	engine_disarm();
	CHECK(n1 >= 4);

	setup();
	ev[0] = at(EV_NMI, 1, n1 / 2, 7);
	ev[1] = at(EV_NMI, 1, n1 + 1000, 8);	/* past the end of op 1 */
	ev[2] = at(EV_NMI, 3, 1, 9);		/* op 3 never runs */
	arm(ev, 3, false);
	run_op(0, op_kmalloc64);
	CHECK_EQ(lg.n, 0);			/* op 0 has no event */
	CHECK_EQ(run_op(1, op_kmalloc64), n1);	/* a handler without model calls */
	run_op(2, op_kmalloc64);
	engine_disarm();

	CHECK_EQ(lg.n, 1);
	CHECK_EQ(lg.r[0].id, 7);
	CHECK_EQ(lg.r[0].kind, EV_NMI);
	CHECK_EQ(lg.r[0].at, n1 / 2);
	CHECK(lg.r[0].refused == NULL);
	CHECK_EQ(lg.r[0].depth, 0);
	CHECK_EQ(lg.r[0].inner_depth, 1);
	CHECK_EQ(lg.r[0].ctx, CTX_NMI);
	CHECK(lg.r[0].nmi && lg.r[0].irqs_off);
	CHECK(lg.r[0].pc != NULL);
	CHECK(strncmp(lg.r[0].state, "cpu0 task [", 11) == 0);
	/* the NMI returned: the task is as it was */
	CHECK_EQ(machine_depth(), 0);
	CHECK(!in_nmi() && !irqs_disabled());
	CHECK(quiesce());
	return true;
}

/*
 * "Several events may share an ordinal: they fire in schedule order."
 * (inject/engine.c fire_due). Here the first one's handler runs model code.
 */
TEST(engine_events_sharing_an_ordinal_all_fire_in_order)
{
	struct engine_event ev[2];

	/* without a handler body */
	setup();
	ev[0] = at(EV_HARDIRQ, 0, 3, 0);
	ev[1] = at(EV_NMI, 0, 3, 1);
	arm(ev, 2, false);
	run_op(0, op_nolock64);
	engine_disarm();
	CHECK_EQ(lg.n, 2);
	CHECK_EQ(lg.r[0].id, 0);
	CHECK_EQ(lg.r[1].id, 1);
	CHECK_EQ(lg.r[1].at, 3);
	kfree_nolock(last);
	CHECK(quiesce());

	/* with a handler that makes boundaries of its own */
	setup();
	arm(ev, 2, true);
	run_op(0, op_nolock64);
	engine_disarm();
	if (lg.n != 2)
		fprintf(stderr, "BUG (inject/engine.c fire_due): the second event at the same "
				"ordinal was lost after the first one's handler advanced the "
				"ordinal (%d of 2 events reached the driver)\n", lg.n);
	CHECK_EQ(lg.n, 2);
	CHECK_EQ(lg.r[0].id, 0);
	CHECK_EQ(lg.r[1].id, 1);
	CHECK_EQ(lg.r[1].depth, 0);
	CHECK(lg.r[1].refused == NULL);
	kfree_nolock(last);
	CHECK(quiesce());
	return true;
}

/* =====================================================================
 * The discipline
 * ===================================================================== */

TEST(engine_hardirq_refused_with_irqs_disabled_nmi_fires)
{
	static const enum event_kind irq_kinds[] = { EV_HARDIRQ, EV_SOFTIRQ, EV_IRQ_WORK };
	struct engine_event ev[4];
	unsigned long flags;

	setup();
	for (int i = 0; i < 3; i++)
		ev[i] = at(irq_kinds[i], 0, 2, i);
	ev[3] = at(EV_NMI, 0, 2, 3);
	arm(ev, 4, false);
	engine_begin_op(0);
	engine_harness_leave();
	local_irq_save(flags);
	CHECK(strcmp(engine_may_fire(EV_HARDIRQ), "irqs disabled") == 0);
	CHECK(engine_may_fire(EV_NMI) == NULL);
	last = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	local_irq_restore(flags);
	engine_harness_enter();
	engine_end_op();
	engine_disarm();

	CHECK(last);
	CHECK_EQ(lg.n, 4);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(lg.r[i].kind, irq_kinds[i]);
		CHECK(lg.r[i].refused && strcmp(lg.r[i].refused, "irqs disabled") == 0);
		CHECK_EQ(lg.r[i].inner_depth, 0); /* not entered */
		CHECK(strstr(lg.r[i].state, "irqs off"));
	}
	CHECK(lg.r[3].refused == NULL);
	CHECK_EQ(lg.r[3].ctx, CTX_NMI);
	kfree_nolock(last);
	CHECK(quiesce());
	return true;
}

/*
 * The masks engine_record() keeps for the slow path of a first kmalloc():
 * bits consistent with each other, and with what an event armed at that
 * boundary really does.
 */
TEST_INJECT(engine_record_masks_match_firing_in_slow_path)
{
	const uint16_t faults = KBIT(EV_FAIL_TRYLOCK) | KBIT(EV_FAIL_PAGE_ALLOC) | KBIT(EV_FAIL_MEMCG);
	uint32_t n, irqs_off = 0, nokprobe = 0, not_preemptible_irqs_on = 0;
	uint32_t first_preempt_off = 0;

	setup();
	n = record_op(op_kmalloc64, masks, MASK_CAP);
	CHECK(n > 0 && n < MASK_CAP);
	for (uint32_t k = 1; k <= n; k++) {
		uint16_t m = masks[k - 1];
		bool hard = m & KBIT(EV_HARDIRQ);

		CHECK(m & KBIT(EV_NMI));		/* task context: never in NMI */
		CHECK_EQ(m & faults, faults);		/* faults: anywhere */
		CHECK_EQ(!!(m & KBIT(EV_IRQ_WORK)), hard);
		CHECK_EQ(!!(m & KBIT(EV_SOFTIRQ)), hard); /* task: not in interrupt */
		if (!hard) {
			CHECK(!(m & KBIT(EV_PREEMPT))); /* irqs off: not preemptible */
			irqs_off++;
		} else {
			if (!(m & KBIT(EV_PREEMPT))) {
				not_preemptible_irqs_on++;
				if (!first_preempt_off)
					first_preempt_off = k;
			}
		}
		if (!(m & KBIT(EV_KPROBE)))
			nokprobe++;
	}
	printf("%u boundaries: %u irqs off, %u preempt off with irqs on, %u NOKPROBE\n",
	       n, irqs_off, not_preemptible_irqs_on, nokprobe);
	CHECK(irqs_off > 0 && irqs_off < n);
	CHECK(nokprobe > 0 && nokprobe < n);
	CHECK(not_preemptible_irqs_on > 0);

	/* every boundary: a hardirq there fires iff the mask says so */
	for (uint32_t k = 1; k <= n; k++) {
		struct engine_event ev = at(EV_HARDIRQ, 0, k, 0);
		bool allowed = masks[k - 1] & KBIT(EV_HARDIRQ);

		setup();
		arm(&ev, 1, false);
		run_op(0, op_kmalloc64);
		engine_disarm();
		CHECK_EQ(lg.n, 1);
		CHECK_EQ(lg.r[0].at, k);
		if (allowed) {
			CHECK(lg.r[0].refused == NULL);
			CHECK_EQ(lg.r[0].ctx, CTX_HARDIRQ);
		} else {
			CHECK(lg.r[0].refused && strcmp(lg.r[0].refused, "irqs disabled") == 0);
			CHECK(strstr(lg.r[0].state, "irqs off"));
		}
	}
	/* a kprobe: refused exactly where the mask says, for the deny list */
	for (uint32_t k = 1; k <= n; k++) {
		struct engine_event ev = at(EV_KPROBE, 0, k, 0);
		bool allowed = masks[k - 1] & KBIT(EV_KPROBE);

		setup();
		arm(&ev, 1, false);
		run_op(0, op_kmalloc64);
		engine_disarm();
		CHECK_EQ(lg.n, 1);
		if (allowed) {
			CHECK(lg.r[0].refused == NULL);
			CHECK_EQ(lg.r[0].ctx, CTX_KPROBE);
		} else {
			CHECK(lg.r[0].refused && strcmp(lg.r[0].refused, "NOKPROBE_SYMBOL") == 0);
		}
	}
	/* a preemption with preempt disabled but irqs on */
	{
		struct engine_event ev = at(EV_PREEMPT, 0, first_preempt_off, 0);

		setup();
		arm(&ev, 1, false);
		run_op(0, op_kmalloc64);
		engine_disarm();
		CHECK_EQ(lg.n, 1);
		CHECK(lg.r[0].refused && strcmp(lg.r[0].refused, "not preemptible") == 0);
	}
	kfree(last);
	CHECK(valid());
	return true;
}

/* Inside an NMI handler: NMI, hardirq, softirq, irq_work and preempt may not fire. */
TEST_INJECT(engine_record_masks_inside_nmi_handler)
{
	const uint16_t never = KBIT(EV_NMI) | KBIT(EV_HARDIRQ) | KBIT(EV_SOFTIRQ) |
			       KBIT(EV_IRQ_WORK) | KBIT(EV_PREEMPT);
	struct engine_event ev = at(EV_NMI, 0, 2, 0);
	uint32_t alone, n;

	setup();
	alone = record_op(op_nolock64, NULL, 0);
	setup();
	arm(&ev, 1, true);
	engine_record(masks, MASK_CAP);
	n = run_op(0, op_nolock64);
	engine_record(NULL, 0);
	engine_disarm();
	CHECK_EQ(lg.n, 1);
	CHECK_EQ(lg.nobjs, 1);
	CHECK(n > alone + 2);	/* the handler's boundaries count in the op */
	/* boundaries 3 .. 2 + (n - alone) are the handler's */
	CHECK(masks[1] & KBIT(EV_NMI)); /* where it landed: task context */
	for (uint32_t k = 3; k <= 2 + (n - alone); k++) {
		CHECK_EQ(masks[k - 1] & never, 0);
		CHECK(masks[k - 1] & KBIT(EV_FAIL_TRYLOCK));
	}
	/* back in the task afterwards */
	CHECK(masks[n - 1] & KBIT(EV_NMI));
	kfree_nolock(last);
	CHECK(quiesce());
	return true;
}

/*
 * The handler's own boundaries follow the landing one: ordinal k + d is the
 * d-th boundary inside a handler that landed at k. An event there nests.
 */
TEST_INJECT(engine_nmi_inside_nmi_refused_kprobe_inside_kprobe_refused)
{
	struct engine_event ev[3];

	/* NMI, then a second NMI inside its handler, then a hardirq too */
	setup();
	ev[0] = at(EV_NMI, 0, 2, 0);
	ev[1] = at(EV_NMI, 0, 4, 1);
	ev[2] = at(EV_HARDIRQ, 0, 5, 2);
	arm(ev, 3, true);
	run_op(0, op_nolock64);
	engine_disarm();
	CHECK_EQ(lg.n, 3);
	CHECK(lg.r[0].refused == NULL);
	CHECK_EQ(lg.r[1].depth, 1);
	CHECK(lg.r[1].refused && strcmp(lg.r[1].refused, "NMIs do not nest") == 0);
	CHECK(strstr(lg.r[1].state, "NMI"));
	CHECK_EQ(lg.r[2].depth, 1);
	CHECK(lg.r[2].refused && strcmp(lg.r[2].refused, "irqs disabled") == 0);
	CHECK_EQ(lg.nobjs, 1);
	kfree_nolock(last);
	CHECK(quiesce());

	/* kprobe, a kprobe inside it (refused), then an NMI inside it (fires, depth 2) */
	setup();
	ev[0] = at(EV_KPROBE, 0, 2, 0);
	ev[1] = at(EV_KPROBE, 0, 4, 1);
	ev[2] = at(EV_NMI, 0, 6, 2);
	arm(ev, 3, true);
	run_op(0, op_nolock64);
	engine_disarm();
	CHECK_EQ(lg.n, 3);
	CHECK(lg.r[0].refused == NULL);
	CHECK_EQ(lg.r[0].ctx, CTX_KPROBE);
	CHECK(!lg.r[0].nmi);
	CHECK_EQ(lg.r[1].depth, 1);
	CHECK(lg.r[1].refused && strcmp(lg.r[1].refused, "kprobes do not nest") == 0);
	CHECK(lg.r[2].refused == NULL);
	CHECK_EQ(lg.r[2].depth, 1);
	CHECK_EQ(lg.r[2].inner_depth, 2);
	CHECK_EQ(lg.r[2].ctx, CTX_NMI);
	CHECK_EQ(lg.nobjs, 2);
	CHECK(lg.objs[0] != lg.objs[1]);
	kfree_nolock(last);
	CHECK(quiesce());
	return true;
}

TEST_INJECT(engine_softirq_refused_in_interrupt_preempt_refused_outside_task)
{
	struct engine_event ev[3];

	/* a softirq inside a softirq handler: irqs are on, but it is in interrupt */
	setup();
	ev[0] = at(EV_SOFTIRQ, 0, 2, 0);
	ev[1] = at(EV_SOFTIRQ, 0, 4, 1);
	ev[2] = at(EV_PREEMPT, 0, 5, 2);
	arm(ev, 3, true);
	run_op(0, op_nolock64);
	engine_disarm();
	CHECK_EQ(lg.n, 3);
	CHECK(lg.r[0].refused == NULL);
	CHECK_EQ(lg.r[0].ctx, CTX_SOFTIRQ);
	CHECK(!lg.r[0].irqs_off);
	CHECK(lg.r[1].refused && strcmp(lg.r[1].refused, "in interrupt") == 0);
	CHECK(lg.r[2].refused && strcmp(lg.r[2].refused, "not in task context") == 0);
	kfree_nolock(last);
	CHECK(quiesce());

	/* a preemption inside a preempt_disable() section */
	setup();
	ev[0] = at(EV_PREEMPT, 0, 2, 0);
	ev[0].cpu = 1;
	arm(ev, 1, true);
	preempt_disable();
	run_op(0, op_nolock64);
	preempt_enable();
	engine_disarm();
	CHECK_EQ(lg.n, 1);
	CHECK(lg.r[0].refused && strcmp(lg.r[0].refused, "not preemptible") == 0);
	CHECK_EQ(machine_cpu(), 0);
	CHECK_EQ(lg.nobjs, 0);
	kfree_nolock(last);
	CHECK(quiesce());
	return true;
}

/*
 * Seed 000's fix: kprobes stay out of slab_alloc_slow() (NOKPROBE_SYMBOL).
 * The same boundary with the historical bug switched on: the kprobe fires.
 */
TEST_INJECT(engine_kprobe_nokprobe_slow_path_unless_bug)
{
	struct engine_event ev;
	uint32_t n, k = 0, n_bug;

	setup();
	n = record_op(op_nolock64, masks, MASK_CAP);
	for (uint32_t i = 1; i <= n && !k; i++)
		if (!(masks[i - 1] & KBIT(EV_KPROBE)))
			k = i;
	CHECK(k > 0);

	setup();
	ev = at(EV_KPROBE, 0, k, 0);
	arm(&ev, 1, true);
	run_op(0, op_nolock64);
	engine_disarm();
	CHECK_EQ(lg.n, 1);
	CHECK(lg.r[0].refused && strcmp(lg.r[0].refused, "NOKPROBE_SYMBOL") == 0);
	CHECK(lg.r[0].fn != NULL);
	CHECK(within_kprobe_blacklist(lg.r[0].fn)); /* the innermost function is denied */
	CHECK_EQ(lg.nobjs, 0);
	kfree_nolock(last);
	CHECK(quiesce());

	/* the bug drops the deny-list entry: the same boundaries, kprobes everywhere */
	setup_config(2, 1ull << BUG_KPROBE_FASTPATH);
	n_bug = record_op(op_nolock64, masks2, MASK_CAP);
	CHECK_EQ(n_bug, n);
	for (uint32_t i = 1; i <= n; i++)
		CHECK(masks2[i - 1] & KBIT(EV_KPROBE));
	setup_config(2, 1ull << BUG_KPROBE_FASTPATH);
	arm(&ev, 1, true);
	run_op(0, op_nolock64);
	engine_disarm();
	CHECK_EQ(lg.n, 1);
	CHECK(lg.r[0].refused == NULL);
	CHECK_EQ(lg.r[0].ctx, CTX_KPROBE);
	kfree_nolock(last);
	CHECK(quiesce());
	kconfig.bugs = 0;
	return true;
}

/*
 * Found by bench/exec_rate.sh's injection-off build, which has no shadow
 * call stack: the kprobe check read "no innermost function" as "not on the
 * deny list", so kprobes fired inside slab_alloc_slow() and brought back
 * seed 000's lost object. Without a call stack a kprobe is refused.
 */
TEST(engine_kprobe_refused_without_a_shadow_call_stack)
{
	int depth = callstack_depth();
	const char *why;

	setup();
	callstack_set_depth(0);
	why = engine_may_fire(EV_KPROBE);
	callstack_set_depth(depth);
	CHECK(why != NULL);
	CHECK(strstr(why, "shadow call stack") != NULL);
	return true;
}

#ifdef REENTRY_ASAN
/*
 * Reports name model functions: engine_function_name() of the innermost
 * function (f->fn, a function's entry address from the shadow call stack),
 * and engine_symbolize() of every boundary of a fast-path allocation.
 */
TEST_ASAN(engine_symbolize_names_model_functions)
{
	struct engine_event ev;
	char name[128], where[256];
	uint32_t n, k = 0;

	setup();
	n = record_op(op_nolock64, masks, MASK_CAP);
	for (uint32_t i = 1; i <= n && !k; i++)
		if (!(masks[i - 1] & KBIT(EV_KPROBE)))
			k = i;
	CHECK(k > 0);
	setup();
	ev = at(EV_KPROBE, 0, k, 0);
	arm(&ev, 1, false);
	run_op(0, op_nolock64);
	engine_disarm();
	CHECK_EQ(lg.n, 1);
	engine_function_name(lg.r[0].fn, name, sizeof(name));
	engine_symbolize(lg.r[0].pc, lg.r[0].fn, where, sizeof(where));
	printf("NOKPROBE boundary %u: fn %s, at %s\n", k, name, where);
	CHECK(strstr(where, "slab_alloc_slow core/slub.c:") == where);
	/* every boundary of a fast-path allocation names a model function and line */
	kfree_nolock(last);
	arm(NULL, 0, false);
	n = run_op(1, op_nolock64);
	engine_disarm();
	kfree_nolock(last);
	CHECK(n > 0);
	for (uint32_t i = 1; i <= n; i++) {
		ev = at(EV_NMI, 1, i, 0);
		arm(&ev, 1, false);
		run_op(1, op_nolock64);
		engine_disarm();
		kfree_nolock(last);
		CHECK_EQ(lg.n, 1);
		engine_symbolize(lg.r[0].pc, lg.r[0].fn, where, sizeof(where));
		if (!strstr(where, "core/") || strstr(where, "<null>") || strchr(where, '?')) {
			fprintf(stderr, "boundary %u: \"%s\"\n", i, where);
			CHECK(!"every boundary names a model function and file:line");
		}
	}
	CHECK(quiesce());

	if (strcmp(name, "slab_alloc_slow") != 0)
		fprintf(stderr, "BUG (inject/engine.c engine_function_name): the function's entry "
				"address is symbolized as a return address (the sanitizer looks "
				"at fn - 1, the previous function's padding): got \"%s\"\n", name);
	CHECK(strcmp(name, "slab_alloc_slow") == 0);
	return true;
}
#endif

/* The driver hears of every event that reaches its anchor, fired or not
 * (engine.h, struct engine_driver) — also at the context depth limit. */
TEST_INJECT(engine_depth_limit_is_reported_to_the_driver)
{
	enum { P = MACHINE_MAX_DEPTH };	/* preemptions: the last one at the limit */
	struct engine_event ev[P + 2];
	int n = P + 2;

	/* a chain of preemptions, each landing on the first boundary of the
	 * previous one's handler; then, at the limit, an irq_work and an NMI */
	setup();
	for (int i = 0; i < P; i++) {
		ev[i] = at(EV_PREEMPT, 0, 1 + (uint32_t)i, i);
		ev[i].cpu = 0;
	}
	ev[P] = at(EV_IRQ_WORK, 0, P + 1, P);
	ev[P + 1] = at(EV_NMI, 0, P + 2, P + 1);
	arm(ev, n, true);
	run_op(0, op_nolock64);
	engine_disarm();
	printf("%d of %d events reached the driver\n", lg.n, n);
	for (int i = 0; i < lg.n && i < P - 1; i++) {
		CHECK_EQ(lg.r[i].id, i);
		CHECK(lg.r[i].refused == NULL);
		CHECK_EQ(lg.r[i].depth, i);
	}
	/* the NMI is refused and says why */
	CHECK(lg.n >= P);
	CHECK_EQ(lg.r[lg.n - 1].id, P + 1);
	CHECK_EQ(lg.r[lg.n - 1].depth, P - 1);
	CHECK(lg.r[lg.n - 1].refused && strcmp(lg.r[lg.n - 1].refused, "context depth limit") == 0);
	/* so must the preemption and the irq_work */
	if (lg.n != n)
		fprintf(stderr, "BUG (inject/engine.c fire, EV_PREEMPT / EV_IRQ_WORK): at the "
				"depth limit machine_preempt() / machine_enter() refuse, and the "
				"event silently never reaches the driver (%d of %d did; the NMI "
				"path reports \"context depth limit\")\n", lg.n, n);
	CHECK_EQ(lg.n, n);
	CHECK_EQ(lg.r[P - 1].id, P - 1);
	CHECK(lg.r[P - 1].refused && strcmp(lg.r[P - 1].refused, "context depth limit") == 0);
	CHECK_EQ(lg.r[P].id, P);
	CHECK(lg.r[P].refused && strcmp(lg.r[P].refused, "context depth limit") == 0);
	kfree_nolock(last);
	CHECK(quiesce());
	return true;
}

/* =====================================================================
 * irq_work, preemption and migration
 * ===================================================================== */

TEST_INJECT(engine_irq_work_event_drains_pending_work_first)
{
	struct kmem_cache *s;
	struct engine_event ev;
	void *p;

	setup();
	s = kmalloc_slab(64);
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	machine_set_cpu(1);
	kfree_nolock(p);	/* cpu0's slab: cpu1 defers it to irq_work */
	CHECK(machine_irq_work_pending(1));
	CHECK_EQ(slub_stat(s, FREE_DEFERRED), 1);

	ev = at(EV_IRQ_WORK, 0, 1, 0);
	arm(&ev, 1, false);
	run_op(0, op_nolock64); /* on cpu1 */
	engine_disarm();
	CHECK_EQ(lg.n, 1);
	CHECK(lg.r[0].refused == NULL);
	CHECK_EQ(lg.r[0].ctx, CTX_HARDIRQ);
	CHECK(!lg.r[0].work_pending);	/* the work ran before the handler */
	CHECK(!machine_irq_work_pending(1));
	CHECK(last);
	kfree_nolock(last);
	machine_set_cpu(0);
	CHECK(quiesce());
	return true;
}

TEST_INJECT(engine_preempt_migrates_task_to_target_cpu)
{
	struct engine_event ev = at(EV_PREEMPT, 0, 1, 0);

	setup();
	ev.cpu = 1;
	arm(&ev, 1, true);
	run_op(0, op_kmalloc64);
	engine_disarm();
	CHECK_EQ(lg.n, 1);
	CHECK(lg.r[0].refused == NULL);
	CHECK_EQ(lg.r[0].ctx, CTX_TASK);	/* another task runs the handler */
	CHECK_EQ(lg.r[0].inner_depth, 1);
	CHECK_EQ(lg.r[0].cpu, 0);		/* on the CPU it preempted */
	CHECK_EQ(lg.nobjs, 1);
	CHECK_EQ(machine_cpu(), 1);		/* the task resumed on cpu1 */
	CHECK_EQ(machine_depth(), 0);
	CHECK(last);
	CHECK(virt_to_cache(last) == kmalloc_slab(64));
	/* the op finished on cpu1: cpu1's CPU slab serves it */
	CHECK(virt_to_slab(last) == kmalloc_slab(64)->cpu_slab[1].slab);
	kfree(last);
	machine_set_cpu(0);
	CHECK(quiesce());
	return true;
}

/*
 * A migration between the fast path's tid read and its cmpxchg: the
 * cmpxchg on the new CPU's pair fails on the tid (which encodes the CPU),
 * the path retries (CMPXCHG_DOUBLE_CPU_FAIL), and the result is right.
 */
TEST_INJECT(engine_preempt_in_fast_path_retries_on_new_cpu)
{
	struct kmem_cache *s;
	uint32_t n;
	int found = 0;

	setup();
	s = kmalloc_slab(64);
	last = kmalloc(64, GFP_KERNEL);	/* cpu0 has a CPU slab with free objects */
	machine_set_cpu(1);
	kfree(kmalloc(64, GFP_KERNEL));	/* so has cpu1 */
	machine_set_cpu(0);
	kfree(last);
	arm(NULL, 0, false);
	n = run_op(0, op_kmalloc64);
	engine_disarm();
	CHECK(n > 0);

	for (uint32_t k = 1; k <= n; k++) {
		struct engine_event ev = at(EV_PREEMPT, 0, k, 0);
		unsigned long fails;
		void *keep;

		setup();
		s = kmalloc_slab(64);
		keep = kmalloc(64, GFP_KERNEL);
		machine_set_cpu(1);
		kfree(kmalloc(64, GFP_KERNEL));
		machine_set_cpu(0);
		kfree(keep);
		fails = slub_stat(s, CMPXCHG_DOUBLE_CPU_FAIL);
		ev.cpu = 1;
		arm(&ev, 1, false);	/* the other task does nothing */
		run_op(0, op_kmalloc64);
		engine_disarm();
		CHECK_EQ(lg.n, 1);
		CHECK(last);
		if (lg.r[0].refused)
			continue;
		CHECK_EQ(machine_cpu(), 1);
		if (slub_stat(s, CMPXCHG_DOUBLE_CPU_FAIL) > fails) {
			found++;
			/* the object came from the CPU the op finished on */
			CHECK(virt_to_slab(last) == s->cpu_slab[1].slab);
		}
		kfree(last);
		machine_set_cpu(0);
		CHECK(quiesce());
	}
	printf("%d of %u boundaries: a migration made the fast path retry\n", found, n);
	CHECK(found > 0);
	return true;
}

/* =====================================================================
 * Faults
 * ===================================================================== */

/* A node partial slab exists and the CPU slab is used up: the next nolock
 * allocation trylocks list_lock (the scenario of test_slub.c). */
static void partial_scenario(void *p[16])
{
	struct kmem_cache *s;

	setup_config(1, 0);
	kconfig.cpu_partial = false;
	kmem_init();
	s = kmalloc_slab(64);
	for (unsigned int i = 0; i < 3 * s->objects; i++)
		p[i] = kmalloc(64, GFP_KERNEL);
	kfree(p[0]);
	for (unsigned int i = 2 * s->objects; i < 3 * s->objects; i++)
		kfree(p[i]);
	for (unsigned int i = 2 * s->objects; i < 3 * s->objects; i++)
		p[i] = kmalloc(64, GFP_KERNEL);
}

static void free_scenario(void *p[16])
{
	struct kmem_cache *s = kmalloc_slab(64);

	for (unsigned int i = 1; i < 3 * s->objects; i++)
		kfree(p[i]);
	kfree(last);
}

TEST(engine_fail_trylock_at_boundary_takes_new_slab)
{
	struct kmem_cache *s;
	struct engine_event ev = at(EV_FAIL_TRYLOCK, 0, 1, 0);
	void *p[16];
	unsigned long slabs, partial;

	/* without the fault: the node partial slab serves it */
	partial_scenario(p);
	s = kmalloc_slab(64);
	slabs = slub_stat(s, ALLOC_SLAB);
	partial = slub_stat(s, ALLOC_FROM_PARTIAL);
	arm(NULL, 0, false);
	run_op(0, op_nolock64);
	engine_disarm();
	CHECK(last);
	CHECK_EQ(slub_stat(s, ALLOC_SLAB), slabs);
	CHECK_EQ(slub_stat(s, ALLOC_FROM_PARTIAL), partial + 1);
	free_scenario(p);
	CHECK(quiesce());

	/* with it: list_lock "held by another CPU", a new slab instead */
	partial_scenario(p);
	s = kmalloc_slab(64);
	slabs = slub_stat(s, ALLOC_SLAB);
	partial = slub_stat(s, ALLOC_FROM_PARTIAL);
	arm(&ev, 1, false);
	run_op(0, op_nolock64);
	engine_disarm();
	CHECK_EQ(lg.n, 1);
	CHECK(lg.r[0].refused == NULL);
	CHECK(last);
	CHECK_EQ(slub_stat(s, ALLOC_SLAB), slabs + 1);
	CHECK_EQ(slub_stat(s, ALLOC_FROM_PARTIAL), partial);
	CHECK_EQ(get_node(s, 0)->nr_partial, 1);
	free_scenario(p);
	CHECK(quiesce());
	return true;
}

/* Nolock allocations from four empty buckets: one page allocation each. */
static void *four[4];

static void op_four_buckets(void)
{
	static const size_t sizes[4] = { 16, 32, 64, 128 };

	for (int i = 0; i < 4; i++)
		four[i] = kmalloc_nolock(sizes[i], 0, NUMA_NO_NODE);
}

static bool four_buckets_with(const struct engine_event *ev, int n, const bool want_null[4])
{
	unsigned long failures;

	setup();
	failures = page_alloc_failures();
	arm(ev, n, false);
	run_op(0, op_four_buckets);
	engine_disarm();
	for (int i = 0; i < 4; i++) {
		if (want_null[i] != (four[i] == NULL)) {
			fprintf(stderr, "allocation %d: %s, expected %s\n", i + 1,
				four[i] ? "an object" : "NULL", want_null[i] ? "NULL" : "an object");
			return false;
		}
		if (four[i])
			kfree_nolock(four[i]);
	}
	{
		unsigned long want = 0;

		for (int i = 0; i < 4; i++)
			want += want_null[i];
		CHECK_EQ(page_alloc_failures() - failures, want);
	}
	return quiesce();
}

TEST(engine_fail_page_alloc_at_occurrence_and_count)
{
	static const bool none[4] = { false, false, false, false };
	static const bool second[4] = { false, true, false, false };
	static const bool second_third[4] = { false, true, true, false };
	struct engine_event ev;

	/* no fault: four slabs */
	CHECK(four_buckets_with(NULL, 0, none));

	/* #2 fail page_alloc: exactly the second, NULL with reason nomem */
	ev = nth(EV_FAIL_PAGE_ALLOC, 0, 2, 1, 0);
	CHECK(four_buckets_with(&ev, 1, second));
	CHECK_EQ(lg.n, 1);		/* the driver hears of it once */
	CHECK(lg.r[0].refused == NULL);
	CHECK_EQ(lg.r[0].kind, EV_FAIL_PAGE_ALLOC);

	/* #2 fail page_alloc x2: the second and the third */
	ev = nth(EV_FAIL_PAGE_ALLOC, 0, 2, 2, 0);
	CHECK(four_buckets_with(&ev, 1, second_third));
	CHECK_EQ(lg.n, 1);

	/* another op's fault: nothing */
	ev = nth(EV_FAIL_PAGE_ALLOC, 1, 1, 1, 0);
	CHECK(four_buckets_with(&ev, 1, none));
	CHECK_EQ(lg.n, 0);
	return true;
}

TEST(engine_fail_page_alloc_nolock_null_reason_is_nomem)
{
	struct engine_event ev = nth(EV_FAIL_PAGE_ALLOC, 0, 1, 1, 0);

	setup();
	arm(&ev, 1, false);
	run_op(0, op_nolock64);
	engine_disarm();
	CHECK(last == NULL);
	CHECK_EQ(last_why, NOLOCK_NOMEM);
	/* the fault is spent: the next op allocates */
	arm(&ev, 1, false);
	run_op(1, op_nolock64);
	engine_disarm();
	CHECK(last != NULL);
	kfree_nolock(last);
	CHECK(quiesce());
	return true;
}

/* "#N: the N-th page allocation of op `op`" — counting every page
 * allocation of the op, including one an armed `@K fail` countdown failed. */
TEST_INJECT(engine_occurrence_counts_include_countdown_failures)
{
	static const bool first_second[4] = { true, true, false, false };
	struct engine_event ev[2];

	ev[0] = at(EV_FAIL_PAGE_ALLOC, 0, 1, 0);	/* fails the next one: the 1st */
	ev[1] = nth(EV_FAIL_PAGE_ALLOC, 0, 2, 1, 1);	/* the 2nd */
	if (!four_buckets_with(ev, 2, first_second)) {
		fprintf(stderr, "BUG (inject/machine.c injected_fault): a page allocation "
				"failed by an armed countdown is not counted as an occurrence, "
				"so '#2 fail page_alloc' failed the 3rd one instead\n");
		return false;
	}
	return true;
}

/* Harness code inside an operation (oracle queries, executor checks) is not
 * the operation: its page allocations are not occurrences of the op. */
TEST(engine_occurrence_faults_ignore_harness_code)
{
	struct engine_event ev = nth(EV_FAIL_PAGE_ALLOC, 0, 1, 1, 0);
	void *h;

	setup();
	arm(&ev, 1, false);
	engine_begin_op(0);
	h = kmalloc_nolock(32, 0, NUMA_NO_NODE);	/* harness: a page allocation */
	engine_harness_leave();
	last = kmalloc_nolock(64, 0, NUMA_NO_NODE);	/* the op's first */
	engine_harness_enter();
	engine_end_op();
	engine_disarm();
	if (!h || last)
		fprintf(stderr, "BUG (inject/engine.c fault): occurrences are counted in "
				"harness code: the harness's allocation %s, the op's %s\n",
			h ? "succeeded" : "failed", last ? "succeeded" : "failed");
	CHECK(h != NULL);
	CHECK(last == NULL);
	kfree_nolock(h);
	CHECK(quiesce());
	return true;
}

/* =====================================================================
 * Livelock
 * ===================================================================== */

static void endless_op(void *arg)
{
	(void)arg;
	arm(NULL, 0, false);
	engine_begin_op(3);
	engine_harness_leave();
	for (;;) /* a retry loop that never ends */
		kfree(kmalloc(64, GFP_KERNEL));
}

TEST(engine_livelock_is_a_report_not_a_hang)
{
	const struct machine_report *r;

	setup();
	r = machine_try(endless_op, NULL);
	engine_disarm();
	CHECK(report_is(r, "livelock"));
	CHECK(strstr(r->text, "operation 3"));
	CHECK(strstr(r->text, "1000000 boundaries"));
	CHECK_EQ(engine_ordinal(), ENGINE_LIVELOCK_BOUNDARIES);
	/* a fresh arm resets everything a report left behind */
	setup();
	arm(NULL, 0, false);
	CHECK(run_op(0, op_kmalloc64) > 0);
	engine_disarm();
	kfree(last);
	CHECK(valid());
	return true;
}

/* =====================================================================
 * Snapshots
 * ===================================================================== */

struct census_set {
	int n;
	struct { struct kmem_cache *s; struct cache_census c; } e[MAX_CACHES];
};

static void collect(struct kmem_cache *s, const struct cache_census *c, void *arg)
{
	struct census_set *set = arg;

	if (set->n < MAX_CACHES) {
		set->e[set->n].s = s;
		set->e[set->n++].c = *c;
	}
}

static bool census_equal(const struct census_set *a, const struct census_set *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (a->e[i].s != b->e[i].s || memcmp(&a->e[i].c, &b->e[i].c, sizeof(a->e[i].c)))
			return false;
	return true;
}

TEST(engine_snapshot_restores_world_and_machine)
{
	static struct census_set before, after, mutated;
	struct snapshot snap = { 0 };
	struct kmem_cache *s;
	void *keep[6], *more[6], *again;
	unsigned long free_pages, flags;

	setup();
	s = kmalloc_slab(64);
	for (int i = 0; i < 6; i++)
		keep[i] = kmalloc(64, GFP_KERNEL);
	machine_set_cpu(1);
	kfree_nolock(keep[5]);	/* deferred: irq_work pending on cpu1 */
	machine_set_cpu(0);
	CHECK(machine_irq_work_pending(1));
	CHECK(validate_all_census(collect, &before));
	free_pages = nr_free_pages();

	snapshot_take(&snap);

	/* mutate everything: objects, slabs, pages, CPU, irq state, irq_work */
	machine_drain_irq_work();
	for (int i = 0; i < 4; i++)
		kfree(keep[i]);
	for (int i = 0; i < 6; i++)
		more[i] = kmalloc(96 + 32 * i, GFP_KERNEL);
	CHECK(validate_all_census(collect, &mutated));
	CHECK(!census_equal(&before, &mutated));
	machine_set_cpu(1);
	local_irq_save(flags);
	(void)flags;
	CHECK(machine_enter(CTX_NMI));

	snapshot_restore(&snap);

	CHECK_EQ(machine_cpu(), 0);
	CHECK_EQ(machine_depth(), 0);
	CHECK(!irqs_disabled());
	machine_set_cpu(1);
	CHECK(!irqs_disabled());
	CHECK_EQ(machine_depth(), 0);
	machine_set_cpu(0);
	CHECK(machine_irq_work_pending(1));
	CHECK(valid());
	CHECK(validate_all_census(collect, &after));
	CHECK(census_equal(&before, &after));
	CHECK_EQ(nr_free_pages(), free_pages);
	(void)more;

	/* the world goes on from the snapshot: same allocation as before it */
	again = kmalloc(64, GFP_KERNEL);
	snapshot_restore(&snap);
	CHECK(kmalloc(64, GFP_KERNEL) == again);

	/* and it can be finished cleanly */
	machine_drain_irq_work();
	for (int i = 0; i < 5; i++)
		kfree(keep[i]);
	kfree(again);
	CHECK(valid());
	{
		struct cache_census c;

		CHECK(cache_census(s, &c));
		CHECK_EQ(c.allocated, 0);
	}
	snapshot_free(&snap);
	return true;
}

#ifdef REENTRY_ASAN
TEST_ASAN(engine_snapshot_restores_kasan_poison)
{
	struct snapshot snap = { 0 };
	char *live, *born;

	setup();
	live = kmalloc(64, GFP_KERNEL);
	CHECK(!__asan_address_is_poisoned(live));
	snapshot_take(&snap);
	/* taking a snapshot leaves the poison as it was */
	CHECK(!__asan_address_is_poisoned(live));
	CHECK(__asan_address_is_poisoned(live + 64)); /* the next (free) object */

	kfree(live);
	CHECK(__asan_address_is_poisoned(live));
	born = kmalloc(200, GFP_KERNEL);	/* a new slab after the snapshot */
	CHECK(born && !__asan_address_is_poisoned(born));

	snapshot_restore(&snap);
	CHECK(!__asan_address_is_poisoned(live));	/* live again */
	CHECK(!__asan_address_is_poisoned(live + 63));
	CHECK(__asan_address_is_poisoned(live + 64));
	CHECK(__asan_address_is_poisoned(born));	/* never allocated, as of the snapshot */
	memset(live, 0x5a, 64);				/* usable without a report */
	CHECK(valid());
	kfree(live);
	CHECK(valid());
	snapshot_free(&snap);
	return true;
}
#endif

/* A page that was free at the snapshot holds zeros again after a restore,
 * whatever was written into it since: a fresh world's bytes, so that what
 * one input leaves in memory cannot change the verdict of the next one
 * (a missed __GFP_ZERO showed only when an earlier input had dirtied the
 * page: a libFuzzer crash that the plain driver did not reproduce). */
TEST(engine_snapshot_restore_zeroes_pages_free_at_the_snapshot)
{
	struct snapshot snap = { 0 };
	unsigned char *born, *again;
	size_t size = 2048;

	setup();
	snapshot_take(&snap);
	born = kmalloc(size, GFP_KERNEL);	/* a new slab after the snapshot */
	CHECK(born);
	memset(born, 0x5a, size);
	snapshot_restore(&snap);
	again = kmalloc(size, GFP_KERNEL);	/* the same page, handed out anew */
	CHECK(again == born);
	for (size_t i = 0; i < size; i++) {
		if (i >= kmalloc_slab(size)->offset && i < kmalloc_slab(size)->offset + sizeof(void *))
			continue;	/* the free pointer the allocator wrote */
		if (again[i] != 0) {
			fprintf(stderr, "byte %zu is %#x after the restore\n", i, again[i]);
			return false;
		}
	}
	kfree(again);
	CHECK(valid());
	snapshot_free(&snap);
	return true;
}

#ifdef REENTRY_ASAN
/*
 * The write marks see the model's own writes, whatever instructions the
 * compiler made of them (here: stores, a struct zeroed by memset, atomics,
 * KASAN's poisoning of a freed object), and the audit names the byte a write
 * from outside the model changed without a mark. A restore built on the
 * marks brings the world back exactly (the test binary audits every one).
 */
TEST_ASAN(engine_write_marks_see_the_model_and_the_audit_a_stray_write)
{
	struct snapshot snap = { 0 };
	unsigned char *keep, *quiet, *gone, *born, was;
	size_t offset;
	bool poison;

	setup();
	CHECK(write_marks_complete());
	keep = kmalloc(64, GFP_KERNEL);
	quiet = kmalloc(64, GFP_KERNEL);
	gone = kmalloc(64, GFP_KERNEL);
	was = keep[5];
	snapshot_take(&snap);

	keep[5] ^= 0xff;	/* not the model's write */
	CHECK(snapshot_unmarked_change(&snap, &offset, &poison));
	CHECK_EQ(offset, (size_t)((uintptr_t)(keep + 5) - write_marks.base));
	CHECK(!poison);
	write_marks_note(keep + 5, 1);
	CHECK(!snapshot_unmarked_change(&snap, &offset, &poison));

	ASAN_POISON_MEMORY_REGION(quiet + 8, 8);	/* nor is this */
	CHECK(snapshot_unmarked_change(&snap, &offset, &poison));
	CHECK_EQ(offset, (size_t)((uintptr_t)(quiet + 8) - write_marks.base));
	CHECK(poison);
	write_marks_note(quiet + 8, 8);
	CHECK(!snapshot_unmarked_change(&snap, &offset, &poison));

	kfree(gone);
	born = kmalloc(2048, GFP_KERNEL);	/* a new slab: memmap, slab, page */
	kfree_nolock(kmalloc(64, GFP_KERNEL));
	machine_drain_irq_work();
	CHECK(!snapshot_unmarked_change(&snap, &offset, &poison));

	snapshot_restore(&snap);
	CHECK_EQ(keep[5], was);
	CHECK(!__asan_address_is_poisoned(quiet + 8));
	CHECK(!__asan_address_is_poisoned(gone));
	CHECK(__asan_address_is_poisoned(born));
	CHECK(valid());
	kfree(keep);
	kfree(quiet);
	kfree(gone);
	CHECK(valid());
	snapshot_free(&snap);
	return true;
}
#endif

/* =====================================================================
 * The executor
 * ===================================================================== */

static const char nested_text[] =
	"cpu0 task: a = kmalloc_nolock(64, 0)  @2 kprobe { x = kmalloc_nolock(64, 0) }"
	"  @5 nmi { y = kmalloc_nolock(64, 0) }\n"
	"cpu1 task: b = kmalloc(64, GFP_KERNEL)  @3 hardirq { kfree_nolock(a) }\n"
	"cpu0 task: kfree(b)\n";

TEST_INJECT(engine_exec_nested_event_lands_in_earlier_handler)
{
	int x, y, a;

	CHECK(test_parse(nested_text, &prog));
	reset_exec(&ex);
	ex.tracing = true;
	exec_begin(&ex, &prog);
	CHECK(exec_ops(&ex, 0, 1));
	a = ex.st.slot['a' - 'a'];
	x = ex.st.slot['x' - 'a'];
	y = ex.st.slot['y' - 'a'];
	CHECK(a >= 0 && x >= 0 && y >= 0);
	CHECK(ex.st.objs[x].by_handler && ex.st.objs[y].by_handler);
	CHECK(!ex.st.objs[a].by_handler);
	CHECK_EQ(ex.st.objs[x].op, 0);
	/* the NMI at 5 landed inside the kprobe handler: two deeper in the trace */
	printf("%s", ex.trace);
	CHECK(strstr(ex.trace, "\n      @2 kprobe at "));
	CHECK(strstr(ex.trace, "\n        @5 nmi at "));
	CHECK(strstr(ex.trace, "\n          y = kmalloc_nolock(64, 0)"));
	CHECK(exec_ops(&ex, 1, prog.nops));
	CHECK(ex.st.slot['a' - 'a'] < 0); /* freed by the hardirq */
	CHECK(exec_finish(&ex));
	CHECK(strstr(ex.trace, "verdict  clean"));
	exec_free(&ex);
	return true;
}

TEST(engine_exec_trace_is_deterministic)
{
	CHECK(test_parse(nested_text, &prog));
	reset_exec(&ex);
	reset_exec(&ex2);
	ex.tracing = ex2.tracing = true;
	CHECK(exec_run(&ex, &prog));
	CHECK(exec_run(&ex2, &prog));
	CHECK(ex.trace && ex2.trace);
	CHECK(strcmp(ex.trace, ex2.trace) == 0);
	/* the same exec run again: the same trace */
	{
		char *copy = strdup(ex.trace);

		CHECK(exec_run(&ex, &prog));
		CHECK(strcmp(copy, ex.trace) == 0);
		free(copy);
	}
#ifdef REENTRY_ASAN
	/* events name the model function and line they landed at */
	CHECK(strstr(ex.trace, " at ") && strstr(ex.trace, "core/"));
#endif
	exec_free(&ex);
	exec_free(&ex2);
	return true;
}

TEST_INJECT(engine_exec_trace_shows_refused_events_and_why)
{
	static const char text[] =
		"cpu0 irqs_off: a = kmalloc_nolock(64, 0)  @2 hardirq { x = kmalloc_nolock(64, 0) }"
		"  @3 nmi { y = kmalloc_nolock(64, 0) }\n"
		"cpu0 preempt_off: b = kmalloc_nolock(64, 0)  @1 preempt cpu1 { z = kmalloc_nolock(64, 0) }\n";

	CHECK(test_parse(text, &prog));
	reset_exec(&ex);
	ex.tracing = true;
	exec_begin(&ex, &prog);
	CHECK(exec_ops(&ex, 0, prog.nops));
	printf("%s", ex.trace);
	CHECK(ex.st.slot['x' - 'a'] < 0);	/* the hardirq did not run */
	CHECK(ex.st.slot['y' - 'a'] >= 0);	/* the NMI did */
	CHECK(ex.st.slot['z' - 'a'] < 0);
	CHECK(strstr(ex.trace, "@2 hardirq at "));
	CHECK(strstr(ex.trace, "irqs off])  not fired: irqs disabled\n"));
	CHECK(strstr(ex.trace, "not fired: not preemptible\n"));
	CHECK_EQ(machine_cpu(), 0);		/* no migration */
	CHECK(exec_finish(&ex));
	exec_free(&ex);
	return true;
}

TEST(engine_exec_fault_text_program)
{
	/* '@1 fail trylock' before the list_lock trylock: a new slab instead of
	 * the node partial one; '#1 fail page_alloc' on a fresh bucket: NULL,
	 * blamed on a page allocation failure, which the oracle accepts */
	static const char text[] =
		"# config: cpus=1 no_cpu_partial\n"
		"cpu0 task: a = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 task: b = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 task: c = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 task: d = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 task: e = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 task: f = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 task: g = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 task: h = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 task: kfree(a)\n"
		"cpu0 task: j = kmalloc_nolock(64, 0)  @1 fail trylock\n"
		"cpu0 task: k = kmalloc_nolock(16, 0)  #1 fail page_alloc\n";
	struct kmem_cache *s;
	unsigned long slabs;

	CHECK(test_parse(text, &prog));
	reset_exec(&ex);
	ex.tracing = true;
	exec_begin(&ex, &prog);
	s = kmalloc_slab(64);
	CHECK(exec_ops(&ex, 0, 9));
	CHECK_EQ(get_node(s, 0)->nr_partial, 1);
	slabs = slub_stat(s, ALLOC_SLAB);
	CHECK(exec_ops(&ex, 9, 10));
	CHECK(ex.st.slot['j' - 'a'] >= 0);
	CHECK_EQ(slub_stat(s, ALLOC_SLAB), slabs + 1);
	CHECK_EQ(get_node(s, 0)->nr_partial, 1);
	CHECK(exec_ops(&ex, 10, 11));
	CHECK(ex.st.slot['k' - 'a'] < 0);
	CHECK_EQ(ex.st.nolock_null[NOLOCK_NOMEM], 1);
	CHECK(exec_finish(&ex));
	CHECK(strstr(ex.trace, "@1 fail trylock at "));
	CHECK(strstr(ex.trace, "#1 fail page_alloc at "));
	exec_free(&ex);
	return true;
}

/* An armed "@K fail memcg xN" belongs to its operation, as the trylock and
 * page allocation countdowns do: what op 0 did not use fails nothing in op 1. */
TEST(engine_fail_memcg_count_ends_with_its_operation)
{
	static const char text[] =
		"# config: cpus=1 memcg\n"
		"cpu0 task: a = kmalloc(64, GFP_KERNEL|__GFP_ACCOUNT)  @1 fail memcg x3\n"
		"cpu0 task: b = kmalloc(64, GFP_KERNEL|__GFP_ACCOUNT)\n";

	CHECK(test_parse(text, &prog));
	reset_exec(&ex);
	ex.tracing = true;
	exec_begin(&ex, &prog);
	CHECK(exec_ops(&ex, 0, 1));
	CHECK(ex.st.slot['a' - 'a'] < 0);	/* its charge failed */
	CHECK_EQ(memcg_charge_failures(), 1);
	CHECK(exec_ops(&ex, 1, 2));
	if (ex.st.slot['b' - 'a'] < 0) {
		fprintf(stderr, "op 1's charge failed: op 0's '@1 fail memcg x3' outlived its operation\n%s",
			ex.trace);
		return false;
	}
	CHECK_EQ(memcg_charge_failures(), 1);
	CHECK(exec_finish(&ex));
	exec_free(&ex);
	return true;
}

/* =====================================================================
 * Sweeps
 * ===================================================================== */

static const char small_text[] =
	"cpu0 task: a = kmalloc(64, GFP_KERNEL)\n"
	"cpu0 task: b = kmalloc_nolock(64, 0)\n"
	"cpu1 task: kfree(a)\n"
	"cpu0 task: kfree_nolock(b)\n";

TEST(engine_sweep_trials_are_the_allowed_pairs)
{
	const unsigned int kinds = KBIT(EV_NMI) | KBIT(EV_HARDIRQ) | KBIT(EV_PREEMPT);
	struct sweep_options o = { .kinds = kinds, .depth = 1 };
	struct sweep_result r;
	unsigned long want_trials = 0, want_boundaries = 0;

	CHECK(test_parse(small_text, &prog));
	CHECK(parse_handler("x = kmalloc_nolock(64, 0); kfree_nolock(x)", &o));

	/* independently: replay the prefix, record the op's masks */
	for (int i = 0; i < prog.nops; i++) {
		uint32_t n;

		reset_exec(&ex);
		exec_begin(&ex, &prog);
		CHECK(exec_ops(&ex, 0, i));
		ex.record = masks;
		ex.record_cap = MASK_CAP;
		CHECK(exec_ops(&ex, i, i + 1));
		n = engine_ordinal();
		CHECK(n > 0 && n < MASK_CAP);
		want_boundaries += n;
		for (uint32_t k = 0; k < n; k++)
			want_trials += (unsigned long)__builtin_popcount(masks[k] & kinds);
	}
	exec_free(&ex);

	sweep_run(&prog, &o, &r);
	sweep_print(stdout, &prog, &o, &r);
	CHECK(!r.reference_failed);
	CHECK_EQ(r.operations, 4);
	CHECK_EQ(r.boundaries, want_boundaries);
	CHECK_EQ(r.trials, want_trials);
	CHECK(r.trials > r.boundaries);	/* NMI alone is allowed everywhere */
	CHECK_EQ(r.reports, 0);
	CHECK_EQ(r.nclasses, 0);
	return true;
}

/* corpus/regressions/kprobe-fastpath-sweep.txt */
static const char kprobe_sweep_text[] =
	"# bug: kprobe_fastpath\n"
	"cpu0 task: a = kmalloc_nolock(64, 0)\n"
	"cpu0 task: b = kmalloc_nolock(64, 0)\n"
	"cpu0 task: c = kmalloc_nolock(64, 0)\n"
	"cpu0 task: d = kmalloc_nolock(64, 0)\n"
	"cpu0 task: e = kmalloc(64, GFP_KERNEL)  @slab_alloc_node_inner+3 hardirq { kfree_nolock(a) }\n"
	"cpu0 task: f = kmalloc(64, GFP_KERNEL)\n";

TEST_INJECT(engine_sweep_finds_seed_000_kprobe_fastpath)
{
	struct sweep_options o = { .kinds = KBIT(EV_KPROBE), .depth = 1 };
	struct sweep_result on, off;

	CHECK(test_parse(kprobe_sweep_text, &prog));
	CHECK(prog.bugs == 1ull << BUG_KPROBE_FASTPATH);
	CHECK(parse_handler("x = kmalloc_nolock(64, 0)", &o));

	sweep_run(&prog, &o, &on);
	CHECK(!on.reference_failed);
	CHECK(on.reports > 0);
	CHECK_EQ(on.nclasses, 1);
	CHECK(strcmp(on.classes[0].cls, "double-alloc") == 0);
	CHECK_EQ(on.classes[0].count, on.reports);
	CHECK(strcmp(on.first_report.cls, "double-alloc") == 0);
	CHECK_EQ(on.nfirst, 1);
	CHECK_EQ(on.first[0].kind, EV_KPROBE);
	CHECK_EQ(on.first_report.op, on.first[0].op);
#ifdef REENTRY_ASAN
	/* the report names the interrupted model function and line */
	CHECK(strstr(on.first_report.where, "slab_alloc_slow core/slub.c:"));
#endif
	/* with the bug on, a kprobe may fire at every boundary */
	CHECK_EQ(on.trials, on.boundaries);

	prog.bugs = 0;
	sweep_run(&prog, &o, &off);
	CHECK(!off.reference_failed);
	CHECK_EQ(off.reports, 0);
	CHECK_EQ(off.boundaries, on.boundaries);
	CHECK(off.trials < on.trials);	/* kept out of the slow path */
	kconfig.bugs = 0;
	return true;
}

TEST_INJECT(engine_sweep_is_deterministic)
{
	struct sweep_options o = { .kinds = SWEEP_INTERRUPTS, .depth = 1 };
	static struct sweep_result r1, r2;

	CHECK(test_parse(kprobe_sweep_text, &prog));
	CHECK(parse_handler("x = kmalloc_nolock(64, 0)", &o));
	sweep_run(&prog, &o, &r1);
	sweep_run(&prog, &o, &r2);
	CHECK(r1.reports > 0);
	CHECK_EQ(r1.operations, r2.operations);
	CHECK_EQ(r1.boundaries, r2.boundaries);
	CHECK_EQ(r1.trials, r2.trials);
	CHECK_EQ(r1.reports, r2.reports);
	CHECK_EQ(r1.nclasses, r2.nclasses);
	for (int i = 0; i < r1.nclasses; i++) {
		CHECK(strcmp(r1.classes[i].cls, r2.classes[i].cls) == 0);
		CHECK_EQ(r1.classes[i].count, r2.classes[i].count);
	}
	CHECK_EQ(r1.nfirst, r2.nfirst);
	CHECK_EQ(r1.first[0].op, r2.first[0].op);
	CHECK_EQ(r1.first[0].ordinal, r2.first[0].ordinal);
	CHECK_EQ(r1.first[0].kind, r2.first[0].kind);
	CHECK(strcmp(r1.first_report.cls, r2.first_report.cls) == 0);
	CHECK(strcmp(r1.first_report.text, r2.first_report.text) == 0);
	CHECK(strcmp(r1.first_report.where, r2.first_report.where) == 0);

	/* the first report replays from the start with its events: same verdict */
	reset_exec(&ex);
	ex.extra = r1.first;
	ex.nextra = r1.nfirst;
	ex.extra_handler = o.handler;
	ex.nextra_handler = o.nhandler;
	CHECK(!exec_run(&ex, &prog));
	CHECK(strcmp(ex.report.cls, r1.first_report.cls) == 0);
	CHECK(strcmp(ex.report.text, r1.first_report.text) == 0);
	exec_free(&ex);
	kconfig.bugs = 0;
	return true;
}

/*
 * Depth 2: each allowed first event, then each allowed second event later in
 * the same operation — which includes the first one's handler. Two ops with
 * a handful of boundaries each (too-large requests), whose handlers
 * allocate: most second events land inside the first handler.
 */
TEST_INJECT(engine_sweep_depth_2_counts_pairs_and_nests_in_handlers)
{
	static const char text[] =
		"cpu0 task: a = kmalloc_nolock(9000, 0)\n"
		"cpu0 task: b = kmalloc_nolock(9000, 0)\n";
	const unsigned int kinds = KBIT(EV_NMI) | KBIT(EV_KPROBE);
	struct sweep_options o1 = { .kinds = kinds, .depth = 1 };
	struct sweep_options o2;
	struct sweep_result r1, r2;
	unsigned long want1 = 0, want2 = 0, in_handler = 0;

	CHECK(test_parse(text, &prog));
	CHECK(parse_handler("x = kmalloc_nolock(64, 0)", &o1));
	o2 = o1;
	o2.depth = 2;

	/* independently: for each first event, record the op with it armed */
	for (int i = 0; i < prog.nops; i++) {
		uint32_t n;

		reset_exec(&ex);
		exec_begin(&ex, &prog);
		CHECK(exec_ops(&ex, 0, i));
		ex.record = masks;
		ex.record_cap = MASK_CAP;
		CHECK(exec_ops(&ex, i, i + 1));
		n = engine_ordinal();
		CHECK(n > 0);
		for (uint32_t k = 1; k <= n; k++) {
			for (int kind = 0; kind < NR_EVENT_KINDS; kind++) {
				struct engine_event ev = at((enum event_kind)kind, i, k, -1);
				uint32_t b2;

				if (!(masks[k - 1] & kinds & KBIT(kind)))
					continue;
				want1++;
				want2++;
				reset_exec(&ex);
				ex.extra = &ev;
				ex.nextra = 1;
				ex.extra_handler = o1.handler;
				ex.nextra_handler = o1.nhandler;
				exec_begin(&ex, &prog);
				CHECK(exec_ops(&ex, 0, i));
				ex.record = masks2;
				ex.record_cap = MASK_CAP;
				CHECK(exec_ops(&ex, i, i + 1));
				b2 = engine_ordinal();
				CHECK(b2 > n); /* the handler's boundaries */
				for (uint32_t k2 = k + 1; k2 <= b2; k2++) {
					int c = __builtin_popcount(masks2[k2 - 1] & kinds);

					want2 += (unsigned long)c;
					if (k2 <= k + (b2 - n))
						in_handler += (unsigned long)c;
				}
			}
		}
	}
	exec_free(&ex);

	sweep_run(&prog, &o1, &r1);
	sweep_run(&prog, &o2, &r2);
	printf("depth 1: %lu trials, depth 2: %lu trials (%lu second events in a handler)\n",
	       r1.trials, r2.trials, in_handler);
	CHECK(!r1.reference_failed && !r2.reference_failed);
	CHECK_EQ(r1.boundaries, r2.boundaries);
	CHECK_EQ(r1.trials, want1);
	CHECK_EQ(r2.trials, want2);
	CHECK(r2.trials > 2 * r1.trials);
	CHECK(in_handler > 0);
	CHECK_EQ(r1.reports, 0);
	CHECK_EQ(r2.reports, 0);
	return true;
}

TEST_INJECT(engine_sweep_reference_failure_is_reported_not_swept)
{
	/* a program that fails without injection: the sweep says so and runs no trial */
	static const char text[] =
		"# bug: kprobe_fastpath\n"
		"cpu0 task: a = kmalloc_nolock(64, 0)\n"
		"cpu0 task: b = kmalloc_nolock(64, 0)\n"
		"cpu0 task: c = kmalloc_nolock(64, 0)\n"
		"cpu0 task: d = kmalloc_nolock(64, 0)\n"
		"cpu0 task: e = kmalloc(64, GFP_KERNEL)  @slab_alloc_node_inner+3 hardirq "
		"{ kfree_nolock(a) }  @slab_alloc_slow+6 kprobe { x = kmalloc_nolock(64, 0) }\n"
		"cpu0 task: f = kmalloc(64, GFP_KERNEL)\n";
	struct sweep_options o = { .kinds = KBIT(EV_NMI), .depth = 1 };
	struct sweep_result r;

	CHECK(test_parse(text, &prog));
	CHECK(parse_handler("x = kmalloc_nolock(64, 0)", &o));
	sweep_run(&prog, &o, &r);
	CHECK(r.reference_failed);
	CHECK_EQ(r.trials, 0);
	CHECK_EQ(r.reports, 1);
	CHECK(strcmp(r.first_report.cls, "double-alloc") == 0);
	kconfig.bugs = 0;
	return true;
}

/* An event that never fires is never silent: past the operation's last
 * boundary or occurrence, or refused where it landed, the trace says so and
 * exec_event_fired() says so (reentry check fails a regression on it). */
TEST_INJECT(unfired_events_are_said)
{
	static const char text[] =
		"cpu0 task: a = kmalloc(64, GFP_KERNEL)  @1000 nmi { b = kmalloc_nolock(64, 0) }"
		"  #3 fail trylock\n"
		"cpu0 irqs_off: c = kmalloc(64, GFP_ATOMIC)  @1 hardirq\n"
		"cpu0 task: d = kmalloc(64, GFP_KERNEL)  @1 nmi\n";
	static struct program p;
	struct exec x = { .tracing = true };
	char err[256], name[64], why[160];

	CHECK(program_parse(text, &p, err, sizeof(err)));
	CHECK(exec_run(&x, &p));
	CHECK(strstr(x.trace, "      @1000 nmi: never reached (the operation has ") != NULL);
	CHECK(strstr(x.trace, "      #3 fail trylock: never reached (the operation made 0 trylocks)\n"));
	CHECK(strstr(x.trace, "hardirq at ") && strstr(x.trace, "not fired: irqs disabled"));
	/* events sorted: @1000, #3, @1 hardirq, @1 nmi */
	CHECK(!exec_event_fired(&x, 0, name, sizeof(name), why, sizeof(why)));
	CHECK(strcmp(name, "op 0 @1000 nmi") == 0 && strcmp(why, "never reached") == 0);
	CHECK(!exec_event_fired(&x, 1, name, sizeof(name), why, sizeof(why)));
	CHECK(strcmp(name, "op 0 #3 fail trylock") == 0);
	CHECK(!exec_event_fired(&x, 2, name, sizeof(name), why, sizeof(why)));
	CHECK(strcmp(name, "op 1 @1 hardirq") == 0 && strcmp(why, "refused where it landed") == 0);
	CHECK(exec_event_fired(&x, 3, name, sizeof(name), why, sizeof(why)));
	exec_free(&x);
	return true;
}

/* ---- report classes ---- */

/* The lost-object report counts in English: "1 object", "2 objects". */
TEST(engine_lost_object_report_says_1_object)
{
	static const char *const want[] = {
		"kmalloc-64: 1 object neither allocated nor free",
		"kmalloc-64: 2 objects neither allocated nor free",
	};

	for (int lost = 1; lost <= 2; lost++) {
		CHECK(test_parse("cpu0 task: a = kmalloc(64, GFP_KERNEL)\n", &prog));
		reset_exec(&ex);
		exec_begin(&ex, &prog);
		CHECK(exec_ops(&ex, 0, 1));
		/* objects the program never had: lost, as far as the oracle knows */
		for (int i = 0; i < lost; i++)
			CHECK(kmalloc(64, GFP_KERNEL) != NULL);
		CHECK(!exec_finish(&ex));
		CHECK(!strcmp(ex.report.cls, "lost-object"));
		if (strcmp(ex.report.text, want[lost - 1]) != 0) {
			fprintf(stderr, "report \"%s\", expected \"%s\"\n", ex.report.text, want[lost - 1]);
			return false;
		}
		exec_free(&ex);
	}
	return true;
}
