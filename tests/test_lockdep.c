/*
 * tests/test_lockdep.c — lockdep's checks as oracles (issue 16), with
 * kconfig.lockdep on, as the kernel's need CONFIG_LOCKDEP.
 *
 * Irq safety ("lockdep-irq"): a lock class taken in hardirq (or softirq)
 * context and also taken with irqs (softirqs) enabled is reported at the
 * first use that makes it inconsistent, whether or not an interrupt ever
 * landed while it was held; trylocks never make a class irq-safe; NMIs are
 * not tracked, but a lock taken (not tried) in NMI must be of a class never
 * used before.
 *
 * Assertions ("lockdep-assert"): lockdep_assert_held(),
 * lockdep_assert_irqs_disabled() and lockdep_assert(), where mainline has them.
 */
#include "test.h"

#include "../core/bugs.h"
#include "../core/internal.h"
#include "../inject/machine.h"

#include <string.h>

static void lockdep_setup(bool rt)
{
	test_kconfig(2);
	kconfig.preempt_rt = rt;
	kconfig.lockdep = true;
	machine_reset();
}

static raw_spinlock_t tl;	/* the class "&tl" */

static void enter(enum ctx_kind kind)
{
	if (!machine_enter(kind))
		machine_report("bug", "test: cannot enter %s", ctx_kind_name(kind));
}

/* One use of tl: how (a letter) and where (the context). */
enum use { TAKE, TRY, TAKE_IRQSAVE, TAKE_THEN_IRQS_ON };

static void use_tl(enum use how)
{
	unsigned long flags;

	switch (how) {
	case TAKE:
		raw_spin_lock(&tl);
		raw_spin_unlock(&tl);
		break;
	case TRY:
		if (raw_spin_trylock(&tl))
			raw_spin_unlock(&tl);
		break;
	case TAKE_IRQSAVE:
		raw_spin_lock_irqsave(&tl, flags);
		raw_spin_unlock_irqrestore(&tl, flags);
		break;
	case TAKE_THEN_IRQS_ON:
		/* taken with irqs off, but irqs come back on while it is held */
		local_irq_save(flags);
		raw_spin_lock(&tl);
		local_irq_restore(flags);
		raw_spin_unlock(&tl);
		break;
	}
}

struct two_uses {
	enum ctx_kind where1;
	enum use how1;
	enum ctx_kind where2;
	enum use how2;
};

static void use_in(enum ctx_kind where, enum use how)
{
	if (where != CTX_TASK)
		enter(where);
	use_tl(how);
	if (where != CTX_TASK)
		machine_exit();
}

static void two_uses(void *arg)
{
	const struct two_uses *u = arg;

	use_in(u->where1, u->how1);
	use_in(u->where2, u->how2);
}

static const struct machine_report *run(bool rt, enum ctx_kind w1, enum use h1,
					enum ctx_kind w2, enum use h2)
{
	struct two_uses u = { w1, h1, w2, h2 };

	lockdep_setup(rt);
	raw_spin_lock_init(&tl);
	return machine_try(two_uses, &u);
}

TEST(lockdep_irq_reports_inconsistent_lock_state)
{
	const struct machine_report *r;

	/* taken with irqs on, then in a hardirq: and the other way round */
	r = run(false, CTX_TASK, TAKE, CTX_HARDIRQ, TAKE);
	CHECK(report_is(r, "lockdep-irq"));
	CHECK(strstr(r->text, "WARNING: inconsistent lock state: inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage. "
			      "hardirq on cpu0 [HC1[1]:SC0[0]:HE0:SE1] takes &tl at "));
	CHECK(strstr(r->text, "; {HARDIRQ-ON-W} state was registered at "));
	CHECK(strstr(r->text, "(cpu0 hardirq)") && strstr(r->text, "(cpu0 task)"));
	r = run(false, CTX_HARDIRQ, TAKE, CTX_TASK, TAKE);
	CHECK(report_is(r, "lockdep-irq"));
	CHECK(strstr(r->text, "inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage. task on cpu0 [HC0[0]:SC0[0]:HE1:SE1] takes &tl"));
	/* a trylock with irqs on makes the class hardirq-unsafe too */
	CHECK(report_is(run(false, CTX_TASK, TRY, CTX_HARDIRQ, TAKE), "lockdep-irq"));
	/* so does enabling irqs while holding it */
	r = run(false, CTX_HARDIRQ, TAKE, CTX_TASK, TAKE_THEN_IRQS_ON);
	CHECK(report_is(r, "lockdep-irq"));
	CHECK(strstr(r->text, "enables irqs holding &tl"));
	/* softirq: taken in one, and with softirqs enabled in a task */
	r = run(false, CTX_TASK, TAKE_IRQSAVE, CTX_SOFTIRQ, TAKE);
	CHECK(!r);
	r = run(false, CTX_SOFTIRQ, TAKE, CTX_TASK, TAKE);
	CHECK(report_is(r, "lockdep-irq"));
	CHECK(strstr(r->text, "inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage"));
	/* a lock taken in NMI must be of a class never used before */
	r = run(false, CTX_TASK, TAKE_IRQSAVE, CTX_NMI, TAKE);
	CHECK(report_is(r, "lockdep-irq"));
	CHECK(strstr(r->text, "inconsistent {INITIAL USE} -> {IN-NMI} usage"));

	/* consistent uses: nothing */
	CHECK(!run(false, CTX_TASK, TAKE_IRQSAVE, CTX_HARDIRQ, TAKE));
	CHECK(!run(false, CTX_HARDIRQ, TAKE, CTX_TASK, TAKE_IRQSAVE));
	/* a trylock in an interrupt cannot deadlock: it never marks IN-* */
	CHECK(!run(false, CTX_TASK, TAKE, CTX_HARDIRQ, TRY));
	CHECK(!run(false, CTX_TASK, TAKE, CTX_SOFTIRQ, TRY));
	CHECK(!run(false, CTX_TASK, TAKE, CTX_NMI, TRY));
	/* NMI is not tracked: first used there, nothing to compare with */
	CHECK(!run(false, CTX_NMI, TAKE, CTX_TASK, TAKE));
	/* a kprobe handler is in the context it probed: a task's */
	CHECK(!run(false, CTX_TASK, TAKE, CTX_KPROBE, TAKE));
	/* PREEMPT_RT has no softirq accounting */
	CHECK(!run(true, CTX_SOFTIRQ, TAKE, CTX_TASK, TAKE));
	CHECK(report_is(run(true, CTX_TASK, TAKE, CTX_HARDIRQ, TAKE), "lockdep-irq"));

	/* the checks switched off, or lockdep off: nothing */
	lockdep_setup(false);
	kconfig.lockdep_irq = false;
	{
		struct two_uses u = { CTX_TASK, TAKE, CTX_HARDIRQ, TAKE };

		CHECK(!machine_try(two_uses, &u));
		kconfig.lockdep_irq = true;
		kconfig.lockdep = false;
		machine_reset();
		CHECK(!machine_try(two_uses, &u));
	}
	return true;
}

/* A bit spinlock has no lockdep map: lockdep never sees it. */
static void bit_spin_both_ways(void *arg)
{
	(void)arg;
	raw_spin_lock(&tl);
	raw_spin_unlock(&tl);
	enter(CTX_HARDIRQ);
	raw_spin_lock(&tl);
	raw_spin_unlock(&tl);
	machine_exit();
}

TEST(lockdep_irq_does_not_see_bit_spinlocks)
{
	lockdep_setup(false);
	bit_spin_lock_init(&tl);
	CHECK(!machine_try(bit_spin_both_ways, NULL));
	lockdep_setup(false);
	raw_spin_lock_init(&tl);
	CHECK(report_is(machine_try(bit_spin_both_ways, NULL), "lockdep-irq"));
	return true;
}

/*
 * The registry bug put_partials_irqs_on: draining the CPU partial list takes
 * list_lock with irqs on in a task's kfree(), and the irq_work's deferred
 * frees drain it in hardirq context. No interrupt lands inside either
 * section, yet lockdep reports the class at the second.
 */
static void *objs[24];

static void drain_in_task_then_in_hardirq(void *arg)
{
	(void)arg;
	for (int i = 0; i < 13; i++)	/* three full slabs and the CPU slab */
		objs[i] = kmalloc(64, GFP_KERNEL);
	for (int i = 0; i < 12; i += 4) {	/* the third free drains two to the node */
		kfree(objs[i]);
		objs[i] = NULL;
	}
	for (int i = 13; i < 21; i++)
		objs[i] = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	for (int i = 13; i < 18; i += i == 13 ? 3 : 1) {	/* 13, 16, 17 */
		kfree_nolock(objs[i]);	/* deferred: not this CPU's slab */
		if (!machine_run_irq_work())
			machine_report("bug", "test: irq_work did not run");
		objs[i] = NULL;
	}
}

TEST(lockdep_irq_catches_put_partials_irqs_on)
{
	const struct machine_report *r;

	for (int bug = 0; bug < 2; bug++) {
		lockdep_setup(false);
		kconfig.bugs = bug ? 1ull << BUG_PUT_PARTIALS_IRQS_ON : 0;
		boot_world();
		memset(objs, 0, sizeof(objs));
		r = machine_try(drain_in_task_then_in_hardirq, NULL);
		if (!bug) {
			CHECK(!r);
			for (int i = 0; i < 21; i++) {
				if (objs[i] && i < 13)
					kfree(objs[i]);
				else if (objs[i])
					kfree_nolock(objs[i]);
			}
			machine_drain_irq_work();
			CHECK_VALID();
			continue;
		}
		CHECK(report_is(r, "lockdep-irq"));
		CHECK(strstr(r->text, "inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage. hardirq on cpu0"));
		CHECK(strstr(r->text, "takes &s->node[0].list_lock at "));
		/* both chains name the model functions (a build without the
		 * symbolizer names them "?") */
		CHECK(strstr(r->text, "put_cpu_partial <- slab_free_inner <- free_deferred_objects (cpu0 hardirq)") ||
		      strstr(r->text, "? <- ?"));
		CHECK(strstr(r->text, "<- kfree (cpu0 task)") || strstr(r->text, "? <- ?"));
	}
	kconfig.bugs = 0;
	return true;
}

/*
 * lockdep_assert_held(), lockdep_assert_irqs_disabled() and lockdep_assert():
 * with lockdep, a false one is a "lockdep-assert" report, the kernel's
 * WARNING at the assertion's line. Held means held by the running context.
 */
enum assertion { HELD, HELD_BY_INTERRUPTED, NOT_HELD, IRQS_OFF, IRQS_ON, IN_HARDIRQ, FALSE_COND };

static void assert_one(void *arg)
{
	enum assertion a = *(enum assertion *)arg;
	unsigned long flags;

	switch (a) {
	case HELD:
		raw_spin_lock(&tl);
		lockdep_assert_held(&tl);
		raw_spin_unlock(&tl);
		break;
	case HELD_BY_INTERRUPTED:
		raw_spin_lock(&tl);
		enter(CTX_NMI);
		lockdep_assert_held(&tl);
		machine_exit();
		raw_spin_unlock(&tl);
		break;
	case NOT_HELD:
		lockdep_assert_held(&tl);
		break;
	case IRQS_OFF:
		local_irq_save(flags);
		lockdep_assert_irqs_disabled();
		local_irq_restore(flags);
		break;
	case IRQS_ON:
		lockdep_assert_irqs_disabled();
		break;
	case IN_HARDIRQ:
		enter(CTX_HARDIRQ);
		lockdep_assert_irqs_disabled();
		machine_exit();
		break;
	case FALSE_COND:
		lockdep_assert(a == HELD);
		break;
	}
}

static const struct machine_report *assert_run(enum assertion a)
{
	lockdep_setup(false);
	raw_spin_lock_init(&tl);
	return machine_try(assert_one, &a);
}

TEST(lockdep_assert_reports_a_false_assertion)
{
	const struct machine_report *r;

	CHECK(!assert_run(HELD));
	CHECK(!assert_run(IRQS_OFF));
	CHECK(!assert_run(IN_HARDIRQ));
	r = assert_run(NOT_HELD);
	CHECK(report_is(r, "lockdep-assert"));
	CHECK(strstr(r->text, "WARNING: CPU: 0 PID: 0 at "));
	CHECK(strstr(r->text, " lockdep_assert_held(&tl) failed: cpu0 task [irqs on]; "));
	/* the lock of the context it interrupted is not the NMI's */
	r = assert_run(HELD_BY_INTERRUPTED);
	CHECK(report_is(r, "lockdep-assert"));
	CHECK(strstr(r->text, "lockdep_assert_held(&tl) failed: cpu0 NMI [&tl held, irqs off]"));
	r = assert_run(IRQS_ON);
	CHECK(report_is(r, "lockdep-assert"));
	CHECK(strstr(r->text, "lockdep_assert_irqs_disabled() failed: cpu0 task [irqs on]"));
	r = assert_run(FALSE_COND);
	CHECK(report_is(r, "lockdep-assert"));
	CHECK(strstr(r->text, "lockdep_assert(a == HELD) failed"));

	/* without lockdep, or with the check off: nothing */
	lockdep_setup(false);
	kconfig.lockdep = false;
	{
		enum assertion a = NOT_HELD;

		CHECK(!machine_try(assert_one, &a));
		a = IRQS_ON;
		CHECK(!machine_try(assert_one, &a));
		kconfig.lockdep = true;
		kconfig.lockdep_assert = false;
		CHECK(!machine_try(assert_one, &a));
		a = NOT_HELD;
		CHECK(!machine_try(assert_one, &a));
		kconfig.lockdep_assert = true;
	}
	return true;
}

/*
 * The registry bug freeze_slab_irqs_on: ___slab_alloc() freezes a node
 * partial slab with irqs on through __slab_update_freelist(), harmless with
 * the 16-byte cmpxchg; lockdep_assert_irqs_disabled() reports it anyway.
 */
static void alloc_from_node_partial(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++)	/* a full slab, and the CPU slab */
		objs[i] = kmalloc(64, GFP_KERNEL);
	kfree(objs[0]);			/* no CPU partial list: to the node */
	objs[0] = NULL;
	for (int i = 5; i < 9; i++)	/* the CPU slab runs out: the node's */
		objs[i] = kmalloc(64, GFP_KERNEL);
}

TEST(lockdep_assert_catches_freeze_slab_irqs_on)
{
	const struct machine_report *r;

	for (int bug = 0; bug < 2; bug++) {
		lockdep_setup(false);
		kconfig.cpu_partial = false;
		kconfig.bugs = bug ? 1ull << BUG_FREEZE_SLAB_IRQS_ON : 0;
		boot_world();
		memset(objs, 0, sizeof(objs));
		r = machine_try(alloc_from_node_partial, NULL);
		if (!bug) {
			CHECK(!r);
			CHECK(objs[8]);
			for (int i = 0; i < 9; i++)
				kfree(objs[i]);
			CHECK_VALID();
			continue;
		}
		CHECK(report_is(r, "lockdep-assert"));
		CHECK(strstr(r->text, "lockdep_assert_irqs_disabled() failed: cpu0 task [irqs on]"));
		CHECK(strstr(r->text, "in slab_alloc_slow <- ") || strstr(r->text, "? in ?"));
	}
	kconfig.bugs = 0;
	kconfig.cpu_partial = true;
	return true;
}
