/*
 * tests/test_machine.c — the simulated machine of inject/: contexts and
 * preempt_count, irq state, locks and lockdep-lite reports, irq_work, faults,
 * warnings, reports and the boundary hook.
 *
 * Reports end a run by longjmp, so every test that expects one runs the
 * offending code under machine_try() and checks the report's class.
 */
#include "test.h"

#include "../core/env.h"
#include "../inject/machine.h"

#include <string.h>

static void setup(void)
{
	kconfig.nr_cpus = 2;
	kconfig.smp = true;
	kconfig.lockdep = false;
	machine_reset();
}

/* ---- contexts ---------------------------------------------------- */

TEST(machine_reset_initial_state)
{
	setup();
	CHECK_EQ(machine_nr_cpus(), 2);
	CHECK_EQ(machine_cpu(), 0);
	CHECK_EQ(raw_smp_processor_id(), 0);
	CHECK_EQ(machine_depth(), 0);
	CHECK_EQ(machine_context(), CTX_TASK);
	CHECK_EQ(machine_preempt_count(), 0);
	CHECK(in_task() && preemptible() && !irqs_disabled());
	CHECK(!in_nmi() && !in_hardirq() && !in_serving_softirq());

	/* A reset undoes whatever the previous run left behind. */
	CHECK(machine_enter(CTX_NMI));
	preempt_disable();
	machine_set_cpu(1);
	machine_reset();
	CHECK_EQ(machine_cpu(), 0);
	CHECK_EQ(machine_depth(), 0);
	CHECK_EQ(machine_preempt_count(), 0);
	CHECK(!irqs_disabled());

	kconfig.smp = false;
	machine_reset();
	CHECK_EQ(machine_nr_cpus(), 1);
	return true;
}

TEST(machine_enter_sets_context_per_kind)
{
	static const struct {
		enum ctx_kind kind;
		unsigned int pc;
		bool nmi, hardirq, softirq, task, irqs_off;
	} want[] = {
		{ CTX_SOFTIRQ, SOFTIRQ_OFFSET, false, false, true, false, false },
		{ CTX_HARDIRQ, HARDIRQ_OFFSET, false, true, false, false, true },
		{ CTX_NMI, NMI_OFFSET + HARDIRQ_OFFSET, true, true, false, false, true },
		{ CTX_KPROBE, PREEMPT_OFFSET, false, false, false, true, false },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		setup();
		CHECK(machine_enter(want[i].kind));
		CHECK_EQ(machine_depth(), 1);
		CHECK_EQ(machine_context(), want[i].kind);
		CHECK_EQ(machine_preempt_count(), want[i].pc);
		CHECK_EQ(in_nmi(), want[i].nmi);
		CHECK_EQ(in_hardirq(), want[i].hardirq);
		CHECK_EQ(in_serving_softirq(), want[i].softirq);
		CHECK_EQ(in_task(), want[i].task);
		CHECK_EQ(irqs_disabled(), want[i].irqs_off);
		CHECK(!preemptible());
		machine_exit();
		CHECK_EQ(machine_depth(), 0);
		CHECK_EQ(machine_preempt_count(), 0);
		CHECK(in_task() && preemptible());
	}
	CHECK(strcmp(ctx_kind_name(CTX_NMI), "NMI") == 0);
	CHECK(strcmp(ctx_kind_name(CTX_TASK), "task") == 0);
	return true;
}

TEST(machine_hardirq_and_softirq_refused_with_irqs_off)
{
	unsigned long flags;

	setup();
	local_irq_save(flags);
	CHECK_EQ(flags, 0);
	CHECK(!machine_enter(CTX_HARDIRQ));
	CHECK(!machine_enter(CTX_SOFTIRQ));
	CHECK_EQ(machine_depth(), 0);
	CHECK_EQ(machine_preempt_count(), 0);
	CHECK(irqs_disabled());
	local_irq_restore(flags);
	CHECK(machine_enter(CTX_HARDIRQ));
	/* A hardirq runs with irqs off: no second hardirq inside it. */
	CHECK(!machine_enter(CTX_HARDIRQ));
	machine_exit();
	return true;
}

TEST(machine_softirq_never_nests_in_interrupt)
{
	setup();
	CHECK(machine_enter(CTX_SOFTIRQ));
	CHECK(!irqs_disabled());
	CHECK(!machine_enter(CTX_SOFTIRQ));
	/* But a hardirq may interrupt a softirq, which runs with irqs on. */
	CHECK(machine_enter(CTX_HARDIRQ));
	CHECK(in_hardirq() && in_serving_softirq());
	machine_exit();
	machine_exit();
	CHECK(in_task());
	return true;
}

TEST(machine_nmi_allowed_with_irqs_off)
{
	unsigned long flags;

	setup();
	local_irq_save(flags);
	CHECK(machine_enter(CTX_NMI));
	CHECK(in_nmi() && irqs_disabled());
	machine_exit();
	/* The interrupted irq state comes back, still off. */
	CHECK(irqs_disabled());
	CHECK(!in_nmi());
	local_irq_restore(flags);
	CHECK(!irqs_disabled());
	return true;
}

TEST(machine_kprobe_in_nmi_follows_interrupted)
{
	setup();
	CHECK(machine_enter(CTX_KPROBE));
	CHECK(!in_nmi() && in_task());
	CHECK(!irqs_disabled());
	machine_exit();

	CHECK(machine_enter(CTX_NMI));
	CHECK(machine_enter(CTX_KPROBE));
	CHECK_EQ(machine_context(), CTX_KPROBE);
	CHECK(in_nmi() && irqs_disabled() && !in_task());
	CHECK_EQ(machine_preempt_count(), NMI_OFFSET + HARDIRQ_OFFSET + PREEMPT_OFFSET);
	machine_exit();
	CHECK_EQ(machine_context(), CTX_NMI);
	machine_exit();

	/* A kprobe over irqs-off task code keeps irqs off. */
	unsigned long flags;
	local_irq_save(flags);
	CHECK(machine_enter(CTX_KPROBE));
	CHECK(irqs_disabled());
	machine_exit();
	local_irq_restore(flags);
	return true;
}

TEST(machine_depth_limit)
{
	setup();
	for (int d = 1; d < MACHINE_MAX_DEPTH; d++) {
		CHECK(machine_enter(d % 2 ? CTX_NMI : CTX_KPROBE));
		CHECK_EQ(machine_depth(), d);
	}
	unsigned int pc = machine_preempt_count();
	CHECK(!machine_enter(CTX_NMI));
	CHECK(!machine_enter(CTX_KPROBE));
	CHECK_EQ(machine_depth(), MACHINE_MAX_DEPTH - 1);
	CHECK_EQ(machine_preempt_count(), pc);
	for (int d = MACHINE_MAX_DEPTH - 1; d > 0; d--)
		machine_exit();
	CHECK_EQ(machine_preempt_count(), 0);
	CHECK(!irqs_disabled());
	return true;
}

TEST(machine_irqsave_restore_nesting)
{
	unsigned long outer, inner;

	setup();
	local_irq_save(outer);
	CHECK_EQ(outer, 0);
	CHECK(irqs_disabled() && !preemptible());
	local_irq_save(inner);
	CHECK_EQ(inner, 1);
	local_irq_restore(inner);
	CHECK(irqs_disabled());
	local_irq_restore(outer);
	CHECK(!irqs_disabled() && preemptible());
	CHECK_EQ(machine_warnings(), 0);

	/* Restoring with irqs on means a save/restore pair is broken. */
	local_irq_restore(outer);
	CHECK_EQ(machine_warnings(), 1);
	return true;
}

TEST(machine_set_cpu_keeps_each_cpu_stack)
{
	unsigned long flags;

	setup();
	CHECK(machine_enter(CTX_NMI));
	machine_set_cpu(1);
	CHECK_EQ(raw_smp_processor_id(), 1);
	CHECK_EQ(machine_depth(), 0);
	CHECK(in_task() && !irqs_disabled());
	local_irq_save(flags);
	machine_set_cpu(0);
	CHECK(in_nmi());
	machine_exit();
	machine_set_cpu(1);
	CHECK(irqs_disabled());
	local_irq_restore(flags);
	return true;
}

static void set_bad_cpu(void *arg)
{
	(void)arg;
	machine_set_cpu(2);
}

TEST(machine_set_cpu_bounds_checked)
{
	setup();
	CHECK(report_is(machine_try(set_bad_cpu, NULL), "bug"));
	return true;
}

/* ---- preempt, migrate, might_sleep -------------------------------- */

static void preempt_underflow(void *arg)
{
	(void)arg;
	preempt_disable();
	preempt_enable();
	preempt_enable();
}

static void preempt_underflow_in_hardirq(void *arg)
{
	(void)arg;
	machine_enter(CTX_HARDIRQ);
	preempt_enable();
}

TEST(machine_preempt_underflow_reported)
{
	setup();
	CHECK(report_is(machine_try(preempt_underflow, NULL), "lockdep"));
	/* In a hardirq the count is nonzero, but its preempt byte is not. */
	setup();
	CHECK(report_is(machine_try(preempt_underflow_in_hardirq, NULL), "lockdep"));
	return true;
}

static void migrate_underflow(void *arg)
{
	(void)arg;
	migrate_enable();
}

TEST(machine_migrate_disable_counts_per_task)
{
	setup();
	migrate_disable();
	migrate_disable();
	CHECK_EQ(machine_migrate_disabled(), 2);
	CHECK(preemptible()); /* migrate_disable() is not preempt_disable() */
	machine_set_cpu(1);
	CHECK_EQ(machine_migrate_disabled(), 0);
	machine_set_cpu(0);
	migrate_enable();
	migrate_enable();
	CHECK_EQ(machine_migrate_disabled(), 0);
	CHECK(report_is(machine_try(migrate_underflow, NULL), "lockdep"));
	return true;
}

static void sleep_in_nmi(void *arg)
{
	(void)arg;
	machine_enter(CTX_NMI);
	might_sleep();
}

static void sleep_under_spinlock(void *arg)
{
	spin_lock((spinlock_t *)arg);
	might_sleep();
}

TEST(machine_might_sleep_in_atomic)
{
	const struct machine_report *r;
	spinlock_t lock;

	setup();
	might_sleep(); /* task context, preemptible: fine */
	r = machine_try(sleep_in_nmi, NULL);
	CHECK(report_is(r, "might-sleep"));
	CHECK(strstr(r->text, "sleeping function called from invalid context"));
	CHECK(strstr(r->text, "cpu0 NMI"));

	/* spin_lock() disables preemption, as in the kernel. */
	setup();
	spin_lock_init(&lock);
	r = machine_try(sleep_under_spinlock, &lock);
	CHECK(report_is(r, "might-sleep"));
	CHECK(strstr(r->text, "&lock held"));
	return true;
}

/* ---- locks --------------------------------------------------------- */

TEST(machine_spin_lock_owner_and_preemption)
{
	spinlock_t lock;
	raw_spinlock_t raw;
	local_trylock_t local;
	unsigned long flags;

	setup();
	spin_lock_init(&lock);
	raw_spin_lock_init(&raw);
	local_trylock_init(&local);
	CHECK_EQ(lock.l.owner_cpu, -1);
	CHECK(strcmp(lock.l.name, "&lock") == 0);

	spin_lock(&lock);
	CHECK_EQ(lock.l.owner_cpu, 0);
	CHECK_EQ(lock.l.owner_depth, 0);
	CHECK(env_lock_held_by_current(&lock.l));
	CHECK_EQ(machine_preempt_count(), PREEMPT_OFFSET);
	raw_spin_lock(&raw);
	CHECK_EQ(machine_preempt_count(), 2 * PREEMPT_OFFSET);
	/* Unlock order need not mirror lock order. */
	spin_unlock(&lock);
	raw_spin_unlock(&raw);
	CHECK_EQ(lock.l.owner_cpu, -1);
	CHECK(preemptible());

	/* local_lock_irqsave() disables irqs, not preemption. */
	local_lock_irqsave(&local, flags);
	CHECK(irqs_disabled());
	CHECK_EQ(machine_preempt_count(), 0);
	local_unlock_irqrestore(&local, flags);
	CHECK(!irqs_disabled());

	spin_lock_irqsave(&lock, flags);
	CHECK(irqs_disabled());
	CHECK_EQ(machine_preempt_count(), PREEMPT_OFFSET);
	spin_unlock_irqrestore(&lock, flags);
	CHECK(preemptible());
	return true;
}

struct locks {
	spinlock_t spin;
	local_trylock_t local;
	unsigned long flags;
};

static void nmi_spins_on_task_lock(void *arg)
{
	struct locks *k = arg;

	spin_lock_irqsave(&k->spin, k->flags);
	machine_enter(CTX_NMI);
	spin_lock(&k->spin); /* must report, not hang */
}

TEST(machine_nmi_spin_on_held_lock_is_aa_deadlock)
{
	const struct machine_report *r;
	struct locks k;

	setup();
	spin_lock_init(&k.spin);
	r = machine_try(nmi_spins_on_task_lock, &k);
	CHECK(report_is(r, "deadlock"));
	CHECK(strstr(r->text, "AA deadlock: NMI on cpu0 spins on &k.spin held by task (depth 0) on the same CPU"));
	CHECK_EQ(r->cpu, 0);
	CHECK_EQ(r->depth, 1);
	return true;
}

static void spin_on_other_cpu_lock(void *arg)
{
	struct locks *k = arg;

	spin_lock(&k->spin);
	machine_set_cpu(1);
	machine_enter(CTX_HARDIRQ);
	spin_lock(&k->spin);
}

TEST(machine_spin_on_lock_held_by_other_cpu)
{
	const struct machine_report *r;
	struct locks k;

	setup();
	spin_lock_init(&k.spin);
	r = machine_try(spin_on_other_cpu_lock, &k);
	CHECK(report_is(r, "deadlock"));
	CHECK(strstr(r->text, "hardirq on cpu1 spins on &k.spin held by task (depth 0) on cpu0"));
	CHECK(strstr(r->text, "cannot run until this context returns"));
	CHECK_EQ(r->cpu, 1);
	return true;
}

static void local_lock_twice(void *arg)
{
	struct locks *k = arg;
	unsigned long flags2;

	local_lock_irqsave(&k->local, k->flags);
	machine_enter(CTX_NMI);
	local_lock_irqsave(&k->local, flags2);
}

TEST(machine_recursive_local_lock_is_deadlock)
{
	const struct machine_report *r;
	struct locks k;

	setup();
	local_trylock_init(&k.local);
	r = machine_try(local_lock_twice, &k);
	CHECK(report_is(r, "deadlock"));
	CHECK(strstr(r->text, "recursive local_lock"));
	CHECK(strstr(r->text, "&k.local"));
	return true;
}

TEST(machine_trylock_fails_on_held_lock_without_report)
{
	struct locks k;

	setup();
	spin_lock_init(&k.spin);
	spin_lock(&k.spin);
	CHECK(!spin_trylock(&k.spin));
	CHECK_EQ(machine_preempt_count(), PREEMPT_OFFSET); /* failure undoes its preempt_disable */
	machine_set_cpu(1);
	CHECK(!spin_trylock(&k.spin));
	CHECK_EQ(machine_preempt_count(), 0);
	machine_set_cpu(0);
	spin_unlock(&k.spin);
	CHECK(spin_trylock(&k.spin));
	CHECK_EQ(k.spin.l.owner_cpu, 0);
	spin_unlock(&k.spin);
	return true;
}

TEST(machine_trylock_in_nmi_over_holder_fails)
{
	struct locks k;
	unsigned long flags;

	setup();
	spin_lock_init(&k.spin);
	local_trylock_init(&k.local);
	local_lock_irqsave(&k.local, k.flags);
	spin_lock(&k.spin);
	CHECK(machine_enter(CTX_NMI));
	CHECK(!spin_trylock(&k.spin));
	CHECK(!local_trylock_irqsave(&k.local, flags));
	CHECK(irqs_disabled()); /* a failed irqsave trylock restores irqs (still off in NMI) */
	machine_exit();
	spin_unlock(&k.spin);
	local_unlock_irqrestore(&k.local, k.flags);
	CHECK(preemptible());
	return true;
}

TEST(machine_trylock_irqsave_failure_restores_irqs)
{
	struct locks k;
	unsigned long flags;

	setup();
	spin_lock_init(&k.spin);
	spin_lock(&k.spin);
	machine_set_cpu(1);
	CHECK(!spin_trylock_irqsave(&k.spin, flags));
	CHECK(!irqs_disabled());
	CHECK(preemptible());
	return true;
}

TEST(machine_local_lock_is_locked_per_cpu)
{
	struct locks k;

	setup();
	local_trylock_init(&k.local);
	CHECK(!local_lock_is_locked(&k.local));
	local_lock_irqsave(&k.local, k.flags);
	CHECK(local_lock_is_locked(&k.local));
	CHECK(machine_enter(CTX_NMI));
	CHECK(local_lock_is_locked(&k.local));
	CHECK(!env_lock_held_by_current(&k.local.l)); /* held, but by the interrupted task */
	machine_exit();
	CHECK(env_lock_held_by_current(&k.local.l));
	machine_set_cpu(1);
	CHECK(!local_lock_is_locked(&k.local));
	machine_set_cpu(0);
	local_unlock_irqrestore(&k.local, k.flags);
	CHECK(!local_lock_is_locked(&k.local));
	return true;
}

static void nmi_returns_holding_lock(void *arg)
{
	struct locks *k = arg;

	machine_enter(CTX_NMI);
	spin_lock(&k->spin);
	machine_exit();
}

static void hardirq_returns_irqs_off(void *arg)
{
	(void)arg;
	machine_enter(CTX_KPROBE);
	arch_local_irq_save();
	machine_exit();
}

static void softirq_returns_preempt_off(void *arg)
{
	(void)arg;
	machine_enter(CTX_SOFTIRQ);
	preempt_disable();
	machine_exit();
}

TEST(machine_exit_checks_locks_irqs_and_preempt)
{
	const struct machine_report *r;
	struct locks k;

	setup();
	spin_lock_init(&k.spin);
	r = machine_try(nmi_returns_holding_lock, &k);
	CHECK(report_is(r, "lockdep"));
	CHECK(strstr(r->text, "NMI on cpu0 returns holding &k.spin"));

	setup();
	r = machine_try(hardirq_returns_irqs_off, NULL);
	CHECK(report_is(r, "lockdep"));
	CHECK(strstr(r->text, "kprobe on cpu0 returns with irqs disabled"));

	setup();
	r = machine_try(softirq_returns_preempt_off, NULL);
	CHECK(report_is(r, "lockdep"));
	CHECK(strstr(r->text, "preempt_count"));
	return true;
}

static void nmi_unlocks_task_lock(void *arg)
{
	struct locks *k = arg;

	spin_lock(&k->spin);
	machine_enter(CTX_NMI);
	spin_unlock(&k->spin);
}

static void unlock_free_lock(void *arg)
{
	struct locks *k = arg;

	spin_unlock(&k->spin);
}

static void lock_uninitialised(void *arg)
{
	spinlock_t *lock = arg;

	spin_lock(lock);
}

TEST(machine_bad_unlock_reported)
{
	const struct machine_report *r;
	struct locks k;
	spinlock_t zeroed;

	setup();
	spin_lock_init(&k.spin);
	r = machine_try(nmi_unlocks_task_lock, &k);
	CHECK(report_is(r, "lockdep"));
	CHECK(strstr(r->text, "bad unlock balance"));

	setup();
	spin_lock_init(&k.spin);
	CHECK(report_is(machine_try(unlock_free_lock, &k), "lockdep"));

	setup();
	memset(&zeroed, 0, sizeof(zeroed));
	r = machine_try(lock_uninitialised, &zeroed);
	CHECK(report_is(r, "lockdep"));
	CHECK(strstr(r->text, "before init"));
	return true;
}

static void assert_held_in_nmi(void *arg)
{
	struct locks *k = arg;

	spin_lock(&k->spin);
	lockdep_assert_held(&k->spin);
	machine_enter(CTX_NMI);
	lockdep_assert_held(&k->spin);
}

TEST(machine_lockdep_assert_only_with_lockdep)
{
	const struct machine_report *r;
	struct locks k;

	setup();
	spin_lock_init(&k.spin);
	CHECK(machine_try(assert_held_in_nmi, &k) == NULL); /* lockdep off: silent */

	setup();
	kconfig.lockdep = true;
	spin_lock_init(&k.spin);
	r = machine_try(assert_held_in_nmi, &k);
	CHECK(report_is(r, "lockdep-assert"));
	CHECK(strstr(r->text, "lockdep_assert_held(&k->spin) failed"));
	CHECK_EQ(r->depth, 1);
	kconfig.lockdep = false;
	return true;
}

static struct locks up_locks;

static void up_trylock_in_nmi_over_holder(void *arg)
{
	(void)arg;
	spin_lock(&up_locks.spin);
	machine_enter(CTX_NMI);
	spin_trylock(&up_locks.spin); /* "succeeds" on UP: reported */
}

/*
 * UP: spinlocks never block and a trylock never fails (no other CPU exists
 * to hold the lock), but the machine still records owners, so a trylock
 * that "succeeds" on a lock the interrupted context holds is reported
 * (invariant 6) instead of silently running the critical section twice.
 */
TEST(machine_up_spinlocks_are_noops)
{
	struct locks *k = &up_locks;
	raw_spinlock_t raw;
	unsigned long flags;

	kconfig.nr_cpus = 2;
	kconfig.smp = false;
	kconfig.lockdep = true;
	machine_reset();
	CHECK_EQ(machine_nr_cpus(), 1);
	spin_lock_init(&k->spin);
	raw_spin_lock_init(&raw);
	local_trylock_init(&k->local);

	spin_lock(&k->spin);
	CHECK_EQ(k->spin.l.owner_cpu, 0); /* recorded, to detect re-entry */
	CHECK_EQ(machine_preempt_count(), PREEMPT_OFFSET);
	lockdep_assert_held(&k->spin);
	CHECK(machine_enter(CTX_NMI));
	machine_fail_trylocks(1); /* no other CPU exists to hold it */
	CHECK(raw_spin_trylock(&raw)); /* a free lock: succeeds despite the fault */
	raw_spin_unlock(&raw);
	machine_exit();
	spin_unlock(&k->spin);
	CHECK(preemptible());

	machine_reset();
	spin_lock_init(&k->spin);
	CHECK(report_is(machine_try(up_trylock_in_nmi_over_holder, NULL),
			"invariant-6-trylock-holder"));

	/* The local lock still tracks its acquired mark on UP. */
	machine_reset();
	local_trylock_init(&k->local);
	local_lock_irqsave(&k->local, flags);
	CHECK(machine_enter(CTX_NMI));
	CHECK(local_lock_is_locked(&k->local));
	CHECK(!local_trylock_irqsave(&k->local, k->flags));
	machine_exit();
	local_unlock_irqrestore(&k->local, flags);
	kconfig.lockdep = false;
	return true;
}

TEST(machine_trylock_fault_counts_down)
{
	struct locks k;
	unsigned long flags;

	setup();
	spin_lock_init(&k.spin);
	local_trylock_init(&k.local);
	machine_fail_trylocks(2);
	/* Only a remote CPU could make these fail: local locks are exempt. */
	CHECK(local_trylock_irqsave(&k.local, flags));
	local_unlock_irqrestore(&k.local, flags);
	CHECK(!spin_trylock(&k.spin));
	CHECK(!spin_trylock_irqsave(&k.spin, flags));
	CHECK(!irqs_disabled());
	CHECK_EQ(k.spin.l.owner_cpu, -1);
	CHECK(spin_trylock(&k.spin));
	spin_unlock(&k.spin);
	/* Faults only touch trylocks: spin_lock still takes the lock. */
	machine_fail_trylocks(1);
	spin_lock(&k.spin);
	spin_unlock(&k.spin);
	CHECK(!spin_trylock(&k.spin));
	CHECK(spin_trylock(&k.spin));
	spin_unlock(&k.spin);
	CHECK(preemptible());
	return true;
}

TEST(machine_page_alloc_fault_counts_down)
{
	setup();
	CHECK(!should_fail_alloc_page(0));
	machine_fail_page_allocs(2);
	CHECK(should_fail_alloc_page(0));
	CHECK(should_fail_alloc_page(3));
	CHECK(!should_fail_alloc_page(0));
	machine_fail_page_allocs(1);
	machine_reset(); /* a reset disarms faults */
	CHECK(!should_fail_alloc_page(0));
	return true;
}

/* ---- irq_work ------------------------------------------------------ */

struct work_log {
	struct irq_work w[3];
	int order[8];
	int n;
	int cpu[8];
	bool hardirq[8];
};

static struct work_log *wlog;

static void work_fn(struct irq_work *work)
{
	int id = (int)(work - wlog->w);

	wlog->cpu[wlog->n] = smp_processor_id();
	wlog->hardirq[wlog->n] = in_hardirq() && irqs_disabled();
	wlog->order[wlog->n++] = id;
	/* pending is cleared before the function runs: it may requeue. */
	if (id == 2 && wlog->n < 4 && !irq_work_queue(work))
		wlog->n = 100; /* fails the test's count check */
}

static void init_log(struct work_log *l)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < 3; i++)
		l->w[i] = IRQ_WORK_INIT(work_fn);
	wlog = l;
}

TEST(machine_irq_work_fifo_and_pending)
{
	struct work_log l;

	setup();
	init_log(&l);
	CHECK(!machine_irq_work_pending(0));
	CHECK(irq_work_queue(&l.w[1]));
	CHECK(irq_work_queue(&l.w[0]));
	CHECK(!irq_work_queue(&l.w[1])); /* already pending */
	CHECK(l.w[1].pending);
	CHECK_EQ(l.w[1].cpu, 0);
	CHECK(machine_irq_work_pending(0));
	CHECK(!machine_irq_work_pending(1));
	CHECK(machine_run_irq_work());
	CHECK_EQ(l.n, 2);
	CHECK_EQ(l.order[0], 1);
	CHECK_EQ(l.order[1], 0);
	CHECK(l.hardirq[0] && l.hardirq[1]);
	CHECK(!l.w[0].pending && !l.w[1].pending);
	CHECK(!machine_irq_work_pending(0));
	CHECK_EQ(machine_depth(), 0);
	CHECK(!irqs_disabled());
	return true;
}

TEST(machine_irq_work_requeued_by_itself_runs_again)
{
	struct work_log l;

	setup();
	init_log(&l);
	CHECK(irq_work_queue(&l.w[2]));
	CHECK(machine_run_irq_work());
	CHECK_EQ(l.n, 4); /* it requeued itself while n < 4 */
	CHECK(!machine_irq_work_pending(0));
	return true;
}

TEST(machine_irq_work_waits_for_irqs_on)
{
	struct work_log l;
	unsigned long flags;

	setup();
	init_log(&l);
	CHECK(machine_enter(CTX_NMI));
	CHECK(irq_work_queue(&l.w[0])); /* the NMI defers its work */
	CHECK(!machine_run_irq_work());
	machine_exit();
	local_irq_save(flags);
	CHECK(!machine_run_irq_work());
	CHECK_EQ(l.n, 0);
	CHECK(machine_irq_work_pending(0));
	local_irq_restore(flags);
	CHECK(machine_run_irq_work());
	CHECK_EQ(l.n, 1);
	return true;
}

TEST(machine_irq_work_drain_runs_each_cpu)
{
	struct work_log l;

	setup();
	init_log(&l);
	machine_set_cpu(1);
	CHECK(irq_work_queue(&l.w[0]));
	CHECK_EQ(l.w[0].cpu, 1);
	machine_set_cpu(0);
	CHECK(irq_work_queue(&l.w[1]));
	machine_drain_irq_work();
	CHECK_EQ(machine_cpu(), 0);
	CHECK_EQ(l.n, 2);
	CHECK_EQ(l.order[0], 1);
	CHECK_EQ(l.cpu[0], 0);
	CHECK_EQ(l.order[1], 0);
	CHECK_EQ(l.cpu[1], 1);
	CHECK(!machine_irq_work_pending(0) && !machine_irq_work_pending(1));
	return true;
}

static void sync_with_irqs_off(void *arg)
{
	struct work_log *l = arg;
	unsigned long flags;

	irq_work_queue(&l->w[0]);
	local_irq_save(flags);
	irq_work_sync(&l->w[0]);
}

TEST(machine_irq_work_sync)
{
	const struct machine_report *r;
	struct work_log l;

	setup();
	init_log(&l);
	irq_work_sync(&l.w[0]); /* not pending: returns at once */
	CHECK_EQ(l.n, 0);

	machine_set_cpu(1);
	CHECK(irq_work_queue(&l.w[0]));
	machine_set_cpu(0);
	CHECK(machine_enter(CTX_SOFTIRQ));
	irq_work_sync(&l.w[0]); /* runs it on cpu1, comes back */
	CHECK_EQ(machine_cpu(), 0);
	CHECK_EQ(machine_context(), CTX_SOFTIRQ);
	CHECK_EQ(l.n, 1);
	CHECK_EQ(l.cpu[0], 1);
	CHECK(!l.w[0].pending);
	machine_exit();

	CHECK(irq_work_queue(&l.w[1]));
	irq_work_sync(&l.w[1]); /* this CPU, irqs on: the irq_work interrupt runs it */
	CHECK_EQ(l.n, 2);

	setup();
	init_log(&l);
	r = machine_try(sync_with_irqs_off, &l);
	CHECK(report_is(r, "deadlock"));
	CHECK(strstr(r->text, "irq_work_sync"));
	return true;
}

/* ---- warnings, bugs, reports --------------------------------------- */

static void hit_bug(void *arg)
{
	(void)arg;
	BUG_ON(1 + 1 == 2);
}

TEST(machine_warnings_and_bugs)
{
	const struct machine_report *r;
	int line;

	setup();
	CHECK_EQ(machine_warnings(), 0);
	CHECK(strcmp(machine_last_warning(), "") == 0);
	CHECK(!WARN_ON_ONCE(0));
	line = __LINE__ + 1;
	CHECK(WARN_ON_ONCE(2 > 1));
	CHECK(WARN_ONCE(true, "second"));
	CHECK_EQ(machine_warnings(), 2);
	char want[128];
	snprintf(want, sizeof(want), "WARNING: second at %s:%d", __FILE__, line + 1);
	CHECK(strcmp(machine_last_warning(), want) == 0);
	machine_reset();
	CHECK_EQ(machine_warnings(), 0);

	r = machine_try(hit_bug, NULL);
	CHECK(report_is(r, "bug"));
	CHECK(strstr(r->text, "kernel BUG at "));
	CHECK(strstr(r->text, ": 1 + 1 == 2"));
	return true;
}

static int inner_ran, after_inner;

static void raise_lockdep(void *arg)
{
	(void)arg;
	inner_ran = 1;
	machine_report("lockdep", "inner %d", 42);
}

static void outer_fn(void *arg)
{
	const struct machine_report *r = machine_try(raise_lockdep, NULL);

	after_inner = r && strcmp(r->text, "inner 42") == 0;
	if (arg)
		machine_report("bug", "outer");
}

static void returns_normally(void *arg)
{
	*(int *)arg = 7;
}

TEST(machine_try_nests)
{
	const struct machine_report *r;
	int x = 0;

	setup();
	CHECK(machine_try(returns_normally, &x) == NULL);
	CHECK_EQ(x, 7);
	/* The inner report stops at the inner try; the outer one returns. */
	CHECK(machine_try(outer_fn, NULL) == NULL);
	CHECK(inner_ran && after_inner);
	/* After an inner report, the outer try is active again. */
	after_inner = 0;
	r = machine_try(outer_fn, &x);
	CHECK(after_inner);
	CHECK(report_is(r, "bug"));
	CHECK(strcmp(r->text, "outer") == 0);
	CHECK_EQ(r->cpu, 0);
	CHECK_EQ(r->depth, 0);
	return true;
}

TEST(machine_describe_text)
{
	struct locks k;
	raw_spinlock_t raw;
	char buf[128];

	setup();
	spin_lock_init(&k.spin);
	raw_spin_lock_init(&raw);
	machine_describe(buf, sizeof(buf));
	CHECK(strcmp(buf, "cpu0 task [irqs on]") == 0);
	spin_lock_irqsave(&k.spin, k.flags);
	CHECK(machine_enter(CTX_NMI));
	raw_spin_lock(&raw);
	machine_describe(buf, sizeof(buf));
	CHECK(strcmp(buf, "cpu0 NMI [&k.spin held, &raw held, irqs off]") == 0);
	/* Truncation keeps a terminated string. */
	machine_describe(buf, 10);
	CHECK(strcmp(buf, "cpu0 NMI ") == 0);
	raw_spin_unlock(&raw);
	machine_exit();
	spin_unlock_irqrestore(&k.spin, k.flags);
	machine_set_cpu(1);
	CHECK(machine_enter(CTX_SOFTIRQ));
	machine_describe(buf, sizeof(buf));
	CHECK(strcmp(buf, "cpu1 softirq [irqs on]") == 0);
	return true;
}

TEST(machine_arena_map_reused_while_size_unchanged)
{
	unsigned char *a, *b;

	setup();
	a = env_arena_map(1 << 20);
	CHECK(a != NULL);
	a[0] = 1;
	a[(1 << 20) - 1] = 2;
	b = env_arena_map(1 << 20);
	CHECK(a == b);
	CHECK_EQ(b[0], 1); /* reused as it was: the caller re-initialises */
	kasan_poison(a + 4096, 4096); /* a remap must not leave stale shadow */
	machine_reset();
	CHECK(env_arena_map(1 << 20) == a); /* reset does not touch the arena */
	b = env_arena_map(2 << 20);
	CHECK(b != NULL);
	CHECK_EQ(b[(2 << 20) - 1], 0);
	return true;
}

/* ---- boundaries ---------------------------------------------------- */

static int hook_calls;
static struct env_lock *hook_lock;
static int hook_owner[8];
static unsigned long *hook_word;
static unsigned long hook_seen[8];

static void counting_hook(void *pc)
{
	(void)pc;
	if (hook_calls < 8) {
		hook_owner[hook_calls] = hook_lock ? hook_lock->owner_cpu : -2;
		hook_seen[hook_calls] = hook_word ? *hook_word : 0;
	}
	hook_calls++;
}

TEST(machine_boundary_hook_on_lock_ops)
{
	struct locks k;
	unsigned long flags;

	setup();
	spin_lock_init(&k.spin);
	local_trylock_init(&k.local);
	machine_boundary_hook = counting_hook;
	hook_lock = &k.spin.l;

	spin_lock(&k.spin);
	CHECK_EQ(hook_calls, 1);
	CHECK_EQ(hook_owner[0], -1); /* the hook runs before the lock is taken */
	spin_unlock(&k.spin);
	CHECK_EQ(hook_calls, 2);
	CHECK_EQ(hook_owner[1], 0); /* ... and before it is released */
	CHECK(spin_trylock(&k.spin));
	CHECK(!spin_trylock(&k.spin));
	CHECK_EQ(hook_calls, 4);
	spin_unlock(&k.spin);
	local_lock_irqsave(&k.local, flags);
	local_unlock_irqrestore(&k.local, flags);
	CHECK(local_trylock_irqsave(&k.local, flags));
	local_unlock_irqrestore(&k.local, flags);
	CHECK_EQ(hook_calls, 9);

	machine_boundary_hook = NULL;
	spin_lock(&k.spin);
	spin_unlock(&k.spin);
	CHECK_EQ(hook_calls, 9);
	return true;
}

TEST(machine_boundary_hook_around_atomics)
{
	unsigned long word = 1;
	u128 pair = 5, old = 5;
	struct llist_head head = { NULL };
	struct llist_node node;

	setup();
	machine_boundary_hook = counting_hook;
	hook_word = &word;

	CHECK_EQ(cmpxchg(&word, 1ul, 2ul), 1);
	CHECK_EQ(hook_calls, 2);
	CHECK_EQ(hook_seen[0], 1); /* before the exchange */
	CHECK_EQ(hook_seen[1], 2); /* after it */
	CHECK_EQ(xchg(&word, 3ul), 2);
	CHECK_EQ(hook_calls, 4);
	CHECK_EQ(hook_seen[2], 2);
	CHECK_EQ(hook_seen[3], 3);
	CHECK(try_cmpxchg(&word, &(unsigned long){ 3 }, 4ul));
	CHECK_EQ(hook_calls, 6);

	CHECK(try_cmpxchg128(&pair, &old, (u128)6));
	CHECK_EQ(hook_calls, 8);
	CHECK(!try_cmpxchg128(&pair, &old, (u128)7));
	CHECK(old == 6);
	CHECK_EQ(hook_calls, 10);

	CHECK(llist_add(&node, &head)); /* one try_cmpxchg */
	CHECK_EQ(hook_calls, 12);
	CHECK(llist_del_all(&head) == &node); /* one xchg */
	CHECK_EQ(hook_calls, 14);
	CHECK(llist_empty(&head));

	env_boundary();
	CHECK_EQ(hook_calls, 15);
	machine_boundary_hook = NULL;
	return true;
}

/* The sanitizer callbacks are the same hook: core/ calls them per access. */
void __sanitizer_cov_load8(uint64_t *addr);
void __sanitizer_cov_store1(uint8_t *addr);
void __sanitizer_cov_load16(__int128 *addr);

TEST(machine_boundary_hook_from_coverage_callbacks)
{
	uint64_t q = 0;
	uint8_t b = 0;
	__int128 o = 0;

	setup();
	__sanitizer_cov_load8(&q); /* no hook: nothing happens */
	machine_boundary_hook = counting_hook;
	__sanitizer_cov_load8(&q);
	__sanitizer_cov_store1(&b);
	__sanitizer_cov_load16(&o);
	CHECK_EQ(hook_calls, 3);
	machine_boundary_hook = NULL;
	return true;
}

/* An interrupt taken at a lock's boundary sees the lock as it was before. */
static struct locks *nmi_locks;
static int nmi_trylock_ok = -1;

static void nmi_at_first_boundary(void *pc)
{
	(void)pc;
	machine_boundary_hook = NULL;
	if (!machine_enter(CTX_NMI))
		return;
	nmi_trylock_ok = spin_trylock(&nmi_locks->spin);
	if (nmi_trylock_ok)
		spin_unlock(&nmi_locks->spin);
	machine_exit();
}

TEST(machine_nmi_at_unlock_boundary_sees_lock_held)
{
	struct locks k;

	setup();
	spin_lock_init(&k.spin);
	nmi_locks = &k;
	spin_lock(&k.spin);
	machine_boundary_hook = nmi_at_first_boundary;
	spin_unlock(&k.spin);
	CHECK_EQ(nmi_trylock_ok, 0);
	CHECK_EQ(k.spin.l.owner_cpu, -1);

	machine_boundary_hook = nmi_at_first_boundary;
	spin_lock(&k.spin); /* the NMI takes and drops it first */
	CHECK_EQ(nmi_trylock_ok, 1);
	CHECK_EQ(k.spin.l.owner_cpu, 0);
	spin_unlock(&k.spin);
	return true;
}
