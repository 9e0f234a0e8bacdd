/*
 * tests/test_debug_checks.c — the kernel's own debug checks as oracles
 * (issue 16): each check reports where the kernel's would, and stays quiet
 * where the kernel's does.
 *
 * CONFIG_DEBUG_PREEMPT: smp_processor_id() and this_cpu_ptr() are reported
 * ("debug-preempt") where the task could move to another CPU; the raw_
 * variants never are.
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
