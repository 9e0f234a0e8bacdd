/*
 * bench/bench_engine.c — the injection engine's figures (run by bench/engine.sh):
 *   1. boundaries per operation, for each API call and path;
 *   2. the cost of the boundary hook when no event is due (ns per boundary):
 *      the same operations timed with no hook and with the engine armed;
 *   3. sweep trials per second and the wall time of a bound-1 sweep of a
 *      16-operation program over every interrupt kind.
 * Wall-clock time is read here only, never in core/, inject/ or fuzz/.
 */
#include "../fuzz/sweep.h"
#include "../inject/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void no_event(void *ctx, const struct engine_fired *f)
{
	(void)ctx;
	(void)f;
}

static const struct engine_driver quiet = { .fired = no_event };

/* Boundaries of one call, counted as the engine counts them. */
#define COUNT(label, call) do {						\
	engine_arm(NULL, 0, &quiet);					\
	engine_begin_op(0);						\
	engine_harness_leave();						\
	call;								\
	engine_harness_enter();						\
	printf("  %-44s %6u\n", label, engine_ordinal());		\
	engine_end_op();						\
	engine_disarm();						\
} while (0)

static void boundaries_per_operation(void)
{
	void *p[8], *q;

	kconfig.nr_cpus = 2;
	kconfig.smp = true;
	machine_reset();
	kmem_init();
	printf("boundaries per operation (kmalloc-64, 4 objects per slab):\n");
	COUNT("kmalloc, slow path with a new slab", p[0] = kmalloc(64, GFP_KERNEL));
	COUNT("kmalloc, fast path", p[1] = kmalloc(64, GFP_KERNEL));
	COUNT("kfree, fast path (CPU slab)", kfree(p[1]));
	COUNT("kmalloc_nolock, fast path", p[1] = kmalloc_nolock(64, 0, NUMA_NO_NODE));
	COUNT("kfree_nolock, fast path", kfree_nolock(p[1]));
	p[1] = kmalloc(64, GFP_KERNEL);
	p[2] = kmalloc(64, GFP_KERNEL);
	p[3] = kmalloc(64, GFP_KERNEL);
	COUNT("kmalloc, slow path, CPU slab exhausted", p[4] = kmalloc(64, GFP_KERNEL));
	machine_set_cpu(1);
	COUNT("kfree, remote (full slab -> CPU partial)", kfree(p[0]));
	q = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	machine_set_cpu(0);
	COUNT("kfree_nolock, not this CPU's slab: deferred", kfree_nolock(q));
	COUNT("irq_work: drain one deferred object", machine_run_irq_work());
	for (int i = 1; i < 5; i++)
		kfree(p[i]);
}

/* ns per kmalloc+kfree pair with and without the hook; their difference per boundary. */
static void hook_cost(void)
{
	enum { PAIRS = 200000 };
	double t0, plain, armed;
	uint32_t per_pair;

	kconfig.nr_cpus = 2;
	kconfig.smp = true;
	machine_reset();
	kmem_init();
	kfree(kmalloc(64, GFP_KERNEL)); /* warm: the fast paths from here on */

	engine_arm(NULL, 0, &quiet);
	engine_begin_op(0);
	engine_harness_leave();
	kfree(kmalloc(64, GFP_KERNEL));
	per_pair = engine_ordinal();
	engine_harness_enter();
	engine_end_op();
	engine_disarm();

	for (int round = 0; round < 2; round++) {
		t0 = now();
		for (int i = 0; i < PAIRS; i++)
			kfree(kmalloc(64, GFP_KERNEL));
		plain = (now() - t0) / PAIRS * 1e9;

		/* one operation per pair, as a program runs them (and the
		 * livelock bound counts per operation) */
		engine_arm(NULL, 0, &quiet);
		t0 = now();
		for (int i = 0; i < PAIRS; i++) {
			engine_begin_op(0);
			engine_harness_leave();
			kfree(kmalloc(64, GFP_KERNEL));
			engine_harness_enter();
			engine_end_op();
		}
		armed = (now() - t0) / PAIRS * 1e9;
		engine_disarm();
		if (round == 1) /* the first round warms caches */
			printf("hook cost, no event due: kmalloc+kfree pair %.1f ns without the hook, "
			       "%.1f ns counted; %u boundaries per pair: %.2f ns per boundary\n",
			       plain, armed, per_pair, (armed - plain) / per_pair);
	}
}

static const char program16[] =
	"cpu0 task: a = kmalloc(64, GFP_KERNEL)\n"
	"cpu0 task: b = kmalloc_nolock(64, 0)\n"
	"cpu0 task: c = kmalloc(96, GFP_KERNEL)\n"
	"cpu0 task: d = kmalloc_nolock(128, __GFP_ZERO)\n"
	"cpu1 task: e = kmalloc(64, GFP_KERNEL)\n"
	"cpu0 task: f = kmalloc(64, GFP_KERNEL)\n"
	"cpu0 task: g = kmalloc(64, GFP_KERNEL)\n"
	"cpu0 task: kfree(a)\n"
	"cpu1 task: kfree_nolock(b)\n"
	"cpu0 task: h = kmalloc_nolock(64, 0)\n"
	"cpu0 irqs_off: i = kmalloc(32, GFP_ATOMIC)\n"
	"cpu0 task: kfree(c)\n"
	"cpu1 task: kfree(e)\n"
	"cpu0 task: kfree_nolock(d)\n"
	"cpu0 task: irq_work()\n"
	"cpu0 task: kfree(f)\n";

static void sweep_speed(void)
{
	static struct program p, holder;
	struct sweep_options o = { .kinds = SWEEP_INTERRUPTS, .depth = 1 };
	struct sweep_result r;
	char err[256];
	double t0, t;

	if (!program_parse(program16, &p, err, sizeof(err)) ||
	    !program_parse("cpu0 task: irq_work()  @1 nmi { p = kmalloc_nolock(64, 0) }\n",
			   &holder, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(2);
	}
	o.handler = holder.events[0].ops;
	o.nhandler = holder.events[0].nops;
	/* with the state cache (trials covered, pruned ones included), then
	 * without, in turn: the ratio from one run on a noisy machine */
	for (int cache = 1; cache >= 0; cache--) {
		o.no_state_cache = !cache;
		t0 = now();
		sweep_run(&p, &o, &r);
		t = now() - t0;
		printf("sweep of a %d-operation program, bound 1, every interrupt kind, %s: %lu boundaries, "
		       "%lu trials (%lu pruned, %.0f%%), %lu reports in %.3f s: %.0f trials/s\n",
		       p.nops, cache ? "state cache" : "no state cache", r.boundaries, r.trials, r.pruned,
		       r.trials ? 100.0 * (double)r.pruned / (double)r.trials : 0.0, r.reports, t,
		       (double)r.trials / t);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	boundaries_per_operation();
	hook_cost();
	sweep_speed();
	return 0;
}
