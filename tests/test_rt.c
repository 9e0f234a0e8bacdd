/*
 * tests/test_rt.c — PREEMPT_RT: sleeping locks owned by tasks, a task that
 * blocks on one really stops while the holder runs (coroutines), lockdep's
 * "sleeping function called from invalid context", the RT rules of
 * kmalloc_nolock()/kfree_nolock() and the irq_work thread.
 */
#include "test.h"

#include "../core/internal.h"
#include "../inject/engine.h"
#include "../inject/machine.h"

#include <string.h>

static void rt_setup(int cpus)
{
	test_kconfig(cpus);
	kconfig.preempt_rt = true;
	boot_world();
}

static int events[32], nevents;

static void note(int what)
{
	if (nevents < 32)
		events[nevents++] = what;
}

static bool events_are(const int *want, int n)
{
	if (nevents != n || memcmp(events, want, sizeof(int) * (size_t)n) != 0) {
		fprintf(stderr, "events:");
		for (int i = 0; i < nevents; i++)
			fprintf(stderr, " %d", events[i]);
		fprintf(stderr, " (want %d of them)\n", n);
		return false;
	}
	return true;
}

static spinlock_t lock_a, lock_b;

/* ---- sleeping locks ---- */

static void takes_a(void *unused)
{
	(void)unused;
	note(2);
	spin_lock(&lock_a);	/* held by the preempted task: blocks */
	note(3);
	spin_unlock(&lock_a);
	note(4);
}

TEST(rt_spinlock_keeps_the_task_preemptible_and_pins_it)
{
	rt_setup(2);
	spin_lock_init(&lock_a);
	spin_lock(&lock_a);
	CHECK(preemptible());
	CHECK_EQ(machine_preempt_count(), 0);
	CHECK_EQ(machine_migrate_disabled(), 1);
	spin_unlock(&lock_a);
	CHECK_EQ(machine_migrate_disabled(), 0);
	return true;
}

TEST(rt_preempting_task_blocks_until_the_holder_unlocks)
{
	static const int want[] = { 2, 1, 3, 4, 5 };

	rt_setup(2);
	spin_lock_init(&lock_a);
	spin_lock(&lock_a);
	CHECK(machine_preempt(-1, takes_a, NULL)); /* it runs, blocks, we go on */
	note(1);
	CHECK_EQ(machine_depth(), 0);
	spin_unlock(&lock_a);	/* the blocked task takes it and finishes */
	note(5);
	CHECK(events_are(want, 5));
	CHECK(machine_try((void (*)(void *))machine_settle, NULL) == NULL);
	return true;
}

static void takes_b_then_a(void *unused)
{
	(void)unused;
	spin_lock(&lock_b);
	spin_lock(&lock_a);	/* blocks: the preempted task holds a */
	spin_unlock(&lock_a);
	spin_unlock(&lock_b);
}

static void abba(void *unused)
{
	(void)unused;
	spin_lock(&lock_a);
	machine_preempt(-1, takes_b_then_a, NULL);
	spin_lock(&lock_b);	/* held by the task that waits for a */
}

TEST(rt_abba_between_tasks_is_a_deadlock_report)
{
	const struct machine_report *r;

	rt_setup(2);
	spin_lock_init(&lock_a);
	spin_lock_init(&lock_b);
	r = machine_try(abba, NULL);
	CHECK(report_is(r, "deadlock"));
	CHECK(strstr(r->text, "lock_b") != NULL);
	return true;
}

static void recursive(void *unused)
{
	(void)unused;
	spin_lock(&lock_a);
	spin_lock(&lock_a);
}

TEST(rt_recursive_spin_lock_is_a_deadlock_report)
{
	const struct machine_report *r;

	rt_setup(1);
	spin_lock_init(&lock_a);
	r = machine_try(recursive, NULL);
	CHECK(report_is(r, "deadlock"));
	CHECK(strstr(r->text, "recursive") != NULL);
	return true;
}

static raw_spinlock_t raw;

static void sleeping_lock_under_raw_spinlock(void *unused)
{
	(void)unused;
	raw_spin_lock(&raw);
	spin_lock(&lock_a);
}

static void sleeping_lock_irqs_off(void *unused)
{
	unsigned long flags;

	(void)unused;
	local_irq_save(flags);
	spin_lock(&lock_a);
}

static void sleeping_lock_in_hardirq(void *unused)
{
	(void)unused;
	machine_enter(CTX_HARDIRQ);
	spin_lock(&lock_a);
}

TEST(rt_sleeping_lock_in_atomic_context_is_reported)
{
	void (*atomic[])(void *) = { sleeping_lock_under_raw_spinlock, sleeping_lock_irqs_off,
				     sleeping_lock_in_hardirq };

	for (unsigned int i = 0; i < sizeof(atomic) / sizeof(atomic[0]); i++) {
		const struct machine_report *r;

		rt_setup(1);
		raw_spin_lock_init(&raw);
		spin_lock_init(&lock_a);
		r = machine_try(atomic[i], NULL);
		CHECK(report_is(r, "sleep-in-atomic"));
		CHECK(strstr(r->text, "rt_spin_lock(&lock_a)") != NULL);
	}
	return true;
}

static bool preempter_sees_it_locked = true;

static void look_at_local_lock(void *ll)
{
	preempter_sees_it_locked = local_lock_is_locked((local_trylock_t *)ll);
}

TEST(rt_local_lock_is_locked_means_owned_by_the_current_task)
{
	static local_trylock_t ll;
	unsigned long flags;

	rt_setup(1);
	local_trylock_init(&ll);
	local_lock_irqsave(&ll, flags);
	CHECK(!irqs_disabled());	/* RT: the irqsave form leaves irqs on */
	CHECK(local_lock_is_locked(&ll));
	/* a BPF program in this task (the kprobe kind on RT) sees it locked */
	CHECK(machine_enter(CTX_KPROBE));
	CHECK(preemptible());
	CHECK(local_lock_is_locked(&ll));
	CHECK(!local_trylock_irqsave(&ll, flags));
	machine_exit();
	/* another task on the same CPU does not */
	CHECK(machine_preempt(-1, look_at_local_lock, &ll));
	CHECK(!preempter_sees_it_locked);
	local_unlock_irqrestore(&ll, flags);
	CHECK(!local_lock_is_locked(&ll));
	/* RT's local_trylock refuses in hard interrupt context */
	CHECK(machine_enter(CTX_NMI));
	CHECK(!local_trylock_irqsave(&ll, flags));
	machine_exit();
	return true;
}

/* ---- kmalloc_nolock / kfree_nolock on RT ---- */

static enum nolock_fail why;
static void *got;

static void nolock_alloc_64(void *unused)
{
	(void)unused;
	got = kmalloc_nolock_why(64, 0, NUMA_NO_NODE, &why);
}

TEST(rt_kmalloc_nolock_refuses_where_not_preemptible)
{
	unsigned long flags;

	rt_setup(1);
	nolock_alloc_64(NULL);
	CHECK(got && why == NOLOCK_OK);
	kfree_nolock(got);

	CHECK(machine_enter(CTX_NMI));
	nolock_alloc_64(NULL);
	CHECK(!got && why == NOLOCK_CONTEXT);
	machine_exit();

	CHECK(machine_enter(CTX_HARDIRQ));
	nolock_alloc_64(NULL);
	CHECK(!got && why == NOLOCK_CONTEXT);
	machine_exit();

	preempt_disable();	/* the 6.18 fix: not preemptible is enough */
	nolock_alloc_64(NULL);
	CHECK(!got && why == NOLOCK_CONTEXT);
	preempt_enable();

	local_irq_save(flags);
	nolock_alloc_64(NULL);
	CHECK(!got && why == NOLOCK_CONTEXT);
	local_irq_restore(flags);
	machine_drain_irq_work();
	CHECK_VALID();
	return true;
}

TEST(rt_bpf_in_the_task_holding_the_cpu_lock_gets_the_next_bucket)
{
	struct kmem_cache *s64;
	unsigned long flags;

	rt_setup(1);
	s64 = kmalloc_slab(64);
	local_lock_irqsave(&this_cpu_ptr(s64->cpu_slab)->lock, flags);
	CHECK(machine_enter(CTX_KPROBE));
	nolock_alloc_64(NULL);
	machine_exit();
	local_unlock_irqrestore(&this_cpu_ptr(s64->cpu_slab)->lock, flags);
	CHECK(got && why == NOLOCK_OK);
	CHECK(virt_to_slab(got)->slab_cache != s64);
	CHECK(virt_to_slab(got)->slab_cache->object_size > 64);
	kfree_nolock(got);
	machine_drain_irq_work();
	CHECK_VALID();
	return true;
}

static struct kmem_cache *blocked_cache;

static void kmalloc_in_preempting_task(void *unused)
{
	(void)unused;
	note(2);
	got = kmalloc(64, GFP_KERNEL); /* RT: no lockless fast path, takes the CPU lock */
	note(3);
}

TEST(rt_allocation_blocks_on_the_cpu_lock_of_a_preempted_task)
{
	static const int want[] = { 2, 1, 3, 4 };
	unsigned long flags;
	void *warm;

	rt_setup(1);
	blocked_cache = kmalloc_slab(64);
	warm = kmalloc(64, GFP_KERNEL);	/* a CPU slab with free objects */
	CHECK(warm);
	local_lock_irqsave(&this_cpu_ptr(blocked_cache->cpu_slab)->lock, flags);
	CHECK(machine_preempt(-1, kmalloc_in_preempting_task, NULL));
	note(1);
	CHECK(!got);		/* still blocked */
	local_unlock_irqrestore(&this_cpu_ptr(blocked_cache->cpu_slab)->lock, flags);
	note(4);
	CHECK(events_are(want, 4));
	CHECK(got && virt_to_slab(got)->slab_cache == blocked_cache);
	kfree(got);
	kfree(warm);
	CHECK_VALID();
	return true;
}

static bool work_in_task, work_preemptible;

static void record_context(struct irq_work *w)
{
	(void)w;
	work_in_task = in_task() && machine_context() == CTX_TASK;
	work_preemptible = preemptible();
}

TEST(rt_irq_work_runs_in_a_preemptible_thread)
{
	static struct irq_work w;
	unsigned long flags;

	rt_setup(1);
	w = IRQ_WORK_INIT(record_context);
	CHECK(irq_work_queue(&w));
	local_irq_save(flags);
	CHECK(!machine_run_irq_work());	/* the thread cannot preempt here */
	local_irq_restore(flags);
	CHECK(machine_run_irq_work());
	CHECK(work_in_task && work_preemptible);
	CHECK(!machine_irq_work_pending(0));
	return true;
}

TEST(rt_kfree_nolock_defers_when_the_task_holds_the_cpu_lock)
{
	struct kmem_cache *s64;
	unsigned long flags;
	void *p;

	rt_setup(1);
	s64 = kmalloc_slab(64);
	p = kmalloc_nolock(64, 0, NUMA_NO_NODE);
	CHECK(p && virt_to_slab(p) == this_cpu_ptr(s64->cpu_slab)->slab);
	local_lock_irqsave(&this_cpu_ptr(s64->cpu_slab)->lock, flags);
	CHECK(machine_enter(CTX_KPROBE));
	kfree_nolock(p);	/* the lock is ours: pushing would corrupt our own section */
	machine_exit();
	CHECK(!llist_empty(&this_cpu_ptr(world->defer_free_objects)->objects));
	local_unlock_irqrestore(&this_cpu_ptr(s64->cpu_slab)->lock, flags);
	machine_drain_irq_work();
	CHECK(llist_empty(&this_cpu_ptr(world->defer_free_objects)->objects));
	CHECK_VALID();
	return true;
}

TEST(rt_softirq_never_fires_as_an_interrupt)
{
	rt_setup(1);
	CHECK(engine_may_fire(EV_SOFTIRQ) != NULL);
	CHECK(engine_may_fire(EV_PREEMPT) == NULL);	/* ksoftirqd preempts instead */
	kconfig.preempt_rt = false;
	machine_reset();
	CHECK(engine_may_fire(EV_SOFTIRQ) == NULL);
	return true;
}
