/*
 * tests/test_debug_checks.c — the kernel's own debug checks as oracles
 * (issue 16): each check reports where the kernel's would, and stays quiet
 * where the kernel's does.
 *
 * CONFIG_DEBUG_PREEMPT: smp_processor_id() and this_cpu_ptr() are reported
 * ("debug-preempt") where the task could move to another CPU; the raw_
 * variants never are.
 *
 * Bounded work per nolock call: a call that makes more than a few page
 * allocations or retries is reported ("unbounded-work"); each context counts
 * its own calls.
 *
 * CONFIG_DEBUG_ATOMIC_SLEEP: might_sleep() (might_alloc() for a gfp that
 * may reclaim) where the task may not sleep is reported ("might-sleep").
 */
#include "test.h"

#include "../core/bugs.h"
#include "../core/internal.h"
#include "../inject/machine.h"

#include <string.h>

static int percpu_counter[NR_CPUS];

static void use_cpu_id(void *arg)
{
	(void)arg;
	(void)smp_processor_id();
}

static void use_this_cpu_ptr(void *arg)
{
	(void)arg;
	(*this_cpu_ptr(percpu_counter))++;
}

static void use_raw_variants(void *arg)
{
	(void)arg;
	(void)raw_smp_processor_id();
	(*raw_cpu_ptr(percpu_counter))++;
}

static void use_cpu_id_preempt_off(void *arg)
{
	(void)arg;
	preempt_disable();
	(void)smp_processor_id();
	preempt_enable();
}

static void use_cpu_id_irqs_off(void *arg)
{
	unsigned long flags;

	(void)arg;
	local_irq_save(flags);
	(*this_cpu_ptr(percpu_counter))++;
	local_irq_restore(flags);
}

static void use_cpu_id_migrate_off(void *arg)
{
	(void)arg;
	migrate_disable();
	(void)smp_processor_id();
	migrate_enable();
}

static void use_cpu_id_in(void *arg)
{
	enum ctx_kind kind = *(enum ctx_kind *)arg;

	if (!machine_enter(kind))
		machine_report("bug", "test: cannot enter %s", ctx_kind_name(kind));
	(void)smp_processor_id();
	machine_exit();
}

static void machine_setup(int cpus, bool rt)
{
	test_kconfig(cpus);
	kconfig.preempt_rt = rt;
	machine_reset();
}

TEST(debug_preempt_reports_cpu_use_where_the_task_could_migrate)
{
	static const enum ctx_kind pinned_kinds[] = { CTX_SOFTIRQ, CTX_HARDIRQ, CTX_NMI, CTX_KPROBE };
	const struct machine_report *r;

	machine_setup(2, false);
	r = machine_try(use_cpu_id, NULL);
	CHECK(report_is(r, "debug-preempt"));
	CHECK(strstr(r->text, "BUG: using smp_processor_id() in preemptible [00000000] code"));
	CHECK(strstr(r->text, "caller is "));
	machine_setup(2, false);
	CHECK(report_is(machine_try(use_this_cpu_ptr, NULL), "debug-preempt"));

	/* where the task cannot move, nothing */
	machine_setup(2, false);
	CHECK(!machine_try(use_raw_variants, NULL));
	CHECK(!machine_try(use_cpu_id_preempt_off, NULL));
	CHECK(!machine_try(use_cpu_id_irqs_off, NULL));
	CHECK(!machine_try(use_cpu_id_migrate_off, NULL));
	for (size_t i = 0; i < sizeof(pinned_kinds) / sizeof(pinned_kinds[0]); i++) {
		enum ctx_kind kind = pinned_kinds[i];

		CHECK(!machine_try(use_cpu_id_in, &kind));
	}
	/* on RT a kprobe (a BPF program) stays preemptible, migration off */
	machine_setup(2, true);
	{
		enum ctx_kind kind = CTX_KPROBE;

		CHECK(!machine_try(use_cpu_id_in, &kind));
	}
	/* one CPU: every task is bound to it */
	machine_setup(1, false);
	CHECK(!machine_try(use_cpu_id, NULL));
	/* the check switched off */
	machine_setup(2, false);
	kconfig.debug_preempt = false;
	CHECK(!machine_try(use_cpu_id, NULL));
	kconfig.debug_preempt = true;
	return true;
}

static void *nolock_obj;

static void free_other_cpus_object(void *arg)
{
	(void)arg;
	kfree_nolock(nolock_obj);
}

/* kfree_nolock() in task context of another CPU's object: deferred to this
 * CPU's list, under preempt_disable() — unless the historical bug is on. */
TEST(debug_preempt_catches_defer_free_preemptible)
{
	const struct machine_report *r;

	for (int bug = 0; bug < 2; bug++) {
		test_kconfig(2);
		kconfig.bugs = bug ? 1ull << BUG_DEFER_FREE_PREEMPTIBLE : 0;
		boot_world();
		machine_set_cpu(1);
		nolock_obj = kmalloc_nolock(64, 0, NUMA_NO_NODE);
		CHECK(nolock_obj);
		machine_set_cpu(0);
		r = machine_try(free_other_cpus_object, NULL);
		if (!bug) {
			CHECK(!r);
			machine_drain_irq_work();
			CHECK_VALID();
			continue;
		}
		CHECK(report_is(r, "debug-preempt"));
		/* named from the shadow call stack (a build without the
		 * symbolizer names it "?") */
		CHECK(strstr(r->text, "caller is defer_free") || strstr(r->text, "caller is ?"));
	}
	kconfig.bugs = 0;
	return true;
}

/* Work done by hand through the hooks core/ calls (core/env.h). */
static void nolock_work(enum nolock_work w, int n)
{
	for (int i = 0; i < n; i++)
		env_nolock_work(w);
}

static void five_pages(void *arg)
{
	(void)arg;
	env_nolock_begin("kmalloc_nolock", 64, false);
	nolock_work(NOLOCK_WORK_PAGES, 5);
	env_nolock_end();
}

/* Four pages in the task's call, four in an NMI's own call on top of it,
 * two of them in a nested call (the NMI call's metadata): nobody passed 4. */
static void pages_split_by_an_interrupt(void *arg)
{
	(void)arg;
	env_nolock_begin("kmalloc_nolock", 64, false);
	nolock_work(NOLOCK_WORK_PAGES, 4);
	if (!machine_enter(CTX_NMI))
		machine_report("bug", "test: cannot enter NMI");
	env_nolock_begin("kmalloc_nolock", 128, false);
	nolock_work(NOLOCK_WORK_PAGES, 2);
	env_nolock_begin("kmalloc_nolock", 16, false);
	nolock_work(NOLOCK_WORK_PAGES, 2);
	env_nolock_end();
	env_nolock_end();
	machine_exit();
	env_nolock_end();
	/* outside any nolock call nothing counts */
	nolock_work(NOLOCK_WORK_PAGES, 10);
	/* a new call starts from zero */
	env_nolock_begin("kfree_nolock", 0, false);
	nolock_work(NOLOCK_WORK_PAGES, 4);
	env_nolock_end();
}

/* n interrupts land inside the call, then *(int *)arg retries */
static int retries;
static void retries_with_interrupts(void *arg)
{
	int n = *(int *)arg;

	env_nolock_begin("kfree_nolock", 0, false);
	for (int i = 0; i < n; i++) {
		if (!machine_enter(CTX_HARDIRQ))
			machine_report("bug", "test: cannot enter hardirq");
		machine_exit();
	}
	nolock_work(NOLOCK_WORK_RETRIES, retries);
	env_nolock_end();
}

TEST(bounded_work_reports_a_nolock_call_past_its_bounds)
{
	const struct machine_report *r;
	int n;

	machine_setup(2, false);
	r = machine_try(five_pages, NULL);
	CHECK(report_is(r, "unbounded-work"));
	CHECK(strstr(r->text, "kmalloc_nolock(64) made 5 page allocations (bound 4)"));
	machine_setup(2, false);
	CHECK(!machine_try(pages_split_by_an_interrupt, NULL));

	/* retries: 8, plus one for each interrupt that entered meanwhile */
	machine_setup(2, false);
	n = 0;
	retries = 8;
	CHECK(!machine_try(retries_with_interrupts, &n));
	retries = 9;
	r = machine_try(retries_with_interrupts, &n);
	CHECK(report_is(r, "unbounded-work"));
	CHECK(strstr(r->text, "kfree_nolock() made 9 retries (bound 8)"));
	machine_setup(2, false);
	n = 3;
	retries = 11;
	CHECK(!machine_try(retries_with_interrupts, &n));
	retries = 12;
	CHECK(report_is(machine_try(retries_with_interrupts, &n), "unbounded-work"));

	/* the check switched off */
	machine_setup(2, false);
	kconfig.bounded_work = false;
	CHECK(!machine_try(five_pages, NULL));
	kconfig.bounded_work = true;
	return true;
}

/* The registry bug: an NMI's kmalloc_nolock() over the task's list_lock in a
 * debug cache goes back for new slab after new slab. */
static void nmi_alloc_over_list_lock(void *arg)
{
	struct kmem_cache_node *n = get_node(kmalloc_slab(64), 0);
	unsigned long flags;

	(void)arg;
	spin_lock_irqsave(&n->list_lock, flags);
	if (!machine_enter(CTX_NMI))
		machine_report("bug", "test: cannot enter NMI");
	nolock_obj = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	machine_exit();
	spin_unlock_irqrestore(&n->list_lock, flags);
}

TEST(bounded_work_catches_nolock_new_slab_loop)
{
	const struct machine_report *r;

	for (int bug = 0; bug < 2; bug++) {
		test_kconfig(2);
		kconfig.slub_debug = SLAB_CONSISTENCY_CHECKS;
		kconfig.bugs = bug ? 1ull << BUG_NOLOCK_NEW_SLAB_LOOP : 0;
		boot_world();
		r = machine_try(nmi_alloc_over_list_lock, NULL);
		if (!bug) {
			/* the fix: the NMI's call fails at once */
			CHECK(!r);
			CHECK(!nolock_obj);
			continue;
		}
		CHECK(report_is(r, "unbounded-work"));
		CHECK(strstr(r->text, "page allocations (bound 4)"));
	}
	kconfig.bugs = 0;
	kconfig.slub_debug = 0;
	return true;
}

/*
 * A nolock call may only try locks: a spinning take inside one is reported
 * ("nolock-spin") though the lock is free; a trylock, the per-CPU local lock
 * (taken after local_lock_is_locked() said it is free), a take outside any
 * nolock call, an interrupt's take over a nolock call and a call whose
 * caller's gfp allows spinning are not.
 */
static spinlock_t test_lock;
static local_trylock_t test_local_lock;

enum nolock_take { TAKE_SPIN, TAKE_TRY, TAKE_LOCAL, TAKE_OUTSIDE, TAKE_IN_IRQ, TAKE_MAY_SPIN };

static void take_in_nolock_call(void *arg)
{
	enum nolock_take how = *(enum nolock_take *)arg;
	unsigned long flags;

	spin_lock_init(&test_lock);
	local_trylock_init(&test_local_lock);
	if (how != TAKE_OUTSIDE)
		env_nolock_begin("kmalloc_nolock", 64, how == TAKE_MAY_SPIN);
	if (how == TAKE_IN_IRQ && !machine_enter(CTX_HARDIRQ))
		machine_report("bug", "test: cannot enter hardirq");
	if (how == TAKE_TRY) {
		if (spin_trylock_irqsave(&test_lock, flags))
			spin_unlock_irqrestore(&test_lock, flags);
	} else if (how == TAKE_LOCAL) {
		local_lock_irqsave(&test_local_lock, flags);
		local_unlock_irqrestore(&test_local_lock, flags);
	} else {
		spin_lock_irqsave(&test_lock, flags);
		spin_unlock_irqrestore(&test_lock, flags);
	}
	if (how == TAKE_IN_IRQ)
		machine_exit();
	if (how != TAKE_OUTSIDE)
		env_nolock_end();
}

TEST(nolock_spin_reports_a_spinning_take_in_a_nolock_call)
{
	const struct machine_report *r;
	enum nolock_take how;

	machine_setup(2, false);
	how = TAKE_SPIN;
	r = machine_try(take_in_nolock_call, &how);
	CHECK(report_is(r, "nolock-spin"));
	CHECK(strstr(r->text, "kmalloc_nolock(64) spins on &test_lock, a call that may only try locks"));
	for (how = TAKE_TRY; how <= TAKE_MAY_SPIN; how++) {
		machine_setup(2, false);
		CHECK(!machine_try(take_in_nolock_call, &how));
	}
	/* the check switched off */
	machine_setup(2, false);
	kconfig.nolock_spin = false;
	how = TAKE_SPIN;
	CHECK(!machine_try(take_in_nolock_call, &how));
	kconfig.nolock_spin = true;
	return true;
}

/*
 * CONFIG_DEBUG_ATOMIC_SLEEP: might_sleep() where the task may not sleep is
 * reported ("might-sleep"), whether or not it would have slept.
 */
static void might_sleep_in(void *arg)
{
	enum ctx_kind kind = *(enum ctx_kind *)arg;

	if (kind != CTX_TASK && !machine_enter(kind))
		machine_report("bug", "test: cannot enter %s", ctx_kind_name(kind));
	might_sleep();
	if (kind != CTX_TASK)
		machine_exit();
}

static void might_sleep_preempt_off(void *arg)
{
	(void)arg;
	preempt_disable();
	might_sleep();
	preempt_enable();
}

static void might_sleep_irqs_off(void *arg)
{
	unsigned long flags;

	(void)arg;
	local_irq_save(flags);
	might_sleep();
	local_irq_restore(flags);
}

static void kmalloc_irqs_off(void *arg)
{
	unsigned long flags;

	local_irq_save(flags);
	nolock_obj = kmalloc(64, *(gfp_t *)arg);
	local_irq_restore(flags);
}

TEST(might_sleep_reports_sleeping_in_atomic_context)
{
	static const enum ctx_kind atomic_kinds[] = { CTX_SOFTIRQ, CTX_HARDIRQ, CTX_NMI, CTX_KPROBE };
	enum ctx_kind kind = CTX_TASK;
	const struct machine_report *r;
	gfp_t gfp;

	machine_setup(2, false);
	CHECK(!machine_try(might_sleep_in, &kind));
	r = machine_try(might_sleep_preempt_off, NULL);
	CHECK(report_is(r, "might-sleep"));
	CHECK(strstr(r->text, "BUG: sleeping function called from invalid context at "));
	CHECK(strstr(r->text, "in_atomic(): 1, irqs_disabled(): 0, pid: 0; preempt_count: 0x1, expected: 0"));
	machine_setup(2, false);
	r = machine_try(might_sleep_irqs_off, NULL);
	CHECK(report_is(r, "might-sleep"));
	CHECK(strstr(r->text, "in_atomic(): 0, irqs_disabled(): 1"));
	for (size_t i = 0; i < sizeof(atomic_kinds) / sizeof(atomic_kinds[0]); i++) {
		machine_setup(2, false);
		kind = atomic_kinds[i];
		CHECK(report_is(machine_try(might_sleep_in, &kind), "might-sleep"));
	}
	/* RT: a BPF program at a tracepoint stays preemptible; softirqs are threads */
	machine_setup(2, true);
	kind = CTX_KPROBE;
	CHECK(!machine_try(might_sleep_in, &kind));
	kind = CTX_SOFTIRQ;
	CHECK(!machine_try(might_sleep_in, &kind));
	/* the check switched off */
	machine_setup(2, false);
	kconfig.debug_atomic_sleep = false;
	CHECK(!machine_try(might_sleep_preempt_off, NULL));
	kconfig.debug_atomic_sleep = true;

	/* in the model: slab_pre_alloc_hook()'s might_alloc() */
	test_kconfig(2);
	boot_world();
	gfp = GFP_KERNEL;
	r = machine_try(kmalloc_irqs_off, &gfp);
	CHECK(report_is(r, "might-sleep"));
	CHECK(strstr(r->text, "kmalloc (cpu0 task)") || strstr(r->text, "? (cpu0 task)"));
	boot_world();
	gfp = GFP_ATOMIC;
	CHECK(!machine_try(kmalloc_irqs_off, &gfp));
	kfree(nolock_obj);
	return true;
}

/* The registry bug new_slab_pinned: a new slab's pages are allocated with
 * the CPU still pinned (preemption off), for a GFP_KERNEL caller too. */
static void kmalloc_new_slab(void *arg)
{
	nolock_obj = kmalloc(64, *(gfp_t *)arg);
}

TEST(might_sleep_catches_new_slab_pinned)
{
	const struct machine_report *r;
	gfp_t gfp = GFP_KERNEL;

	for (int bug = 0; bug < 2; bug++) {
		test_kconfig(2);
		kconfig.bugs = bug ? 1ull << BUG_NEW_SLAB_PINNED : 0;
		boot_world();
		r = machine_try(kmalloc_new_slab, &gfp);
		if (!bug) {
			CHECK(!r && nolock_obj);
			kfree(nolock_obj);
			CHECK_VALID();
			continue;
		}
		CHECK(report_is(r, "might-sleep"));
		CHECK(strstr(r->text, "in_atomic(): 1, irqs_disabled(): 0"));
		CHECK(strstr(r->text, "alloc_pages core/page_alloc.c:") || strstr(r->text, "? "));
		CHECK(strstr(r->text, "<- new_slab <- slab_alloc_slow <-") || strstr(r->text, "? <- ?"));
		/* a caller that may not sleep is fine pinned; so is RT (migration off) */
		boot_world();
		gfp = GFP_ATOMIC;
		CHECK(!machine_try(kmalloc_new_slab, &gfp));
		gfp = GFP_KERNEL;
		kconfig.preempt_rt = true;
		boot_world();
		CHECK(!machine_try(kmalloc_new_slab, &gfp));
		kconfig.preempt_rt = false;
	}
	kconfig.bugs = 0;
	return true;
}
