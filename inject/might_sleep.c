/*
 * inject/might_sleep.c — CONFIG_DEBUG_ATOMIC_SLEEP's might_sleep() check
 * (kconfig.debug_atomic_sleep).
 *
 * might_sleep() marks code that may sleep: mainline's might_alloc() in
 * slab_pre_alloc_hook() and the page allocator for a gfp that allows
 * direct reclaim, the slab_mutex of cache creation and destruction, RT's
 * irq_work_sync(). Called where the task may not sleep — a preempt count
 * (every interrupt context, a spinlock held on !RT) or irqs off — it is
 * reported at once, whether or not this call would have slept: the model's
 * page allocator never does, so without the check such a path runs clean.
 * (An RT sleeping lock taken there is the machine's "sleep-in-atomic": the
 * lock really blocks, it is not a debug check.)
 */
#include "chain.h"
#include "machine.h"

#include <stdio.h>
#include <string.h>

/* core/slub.c, inject/machine.c: the path from the source directory. */
static const char *short_file(const char *file)
{
	const char *p = strstr(file, "core/");

	if (!p)
		p = strstr(file, "inject/");
	return p ? p : file;
}

void env_might_sleep(const char *file, int line)
{
	unsigned int pc = machine_preempt_count();
	char state[160], here[300];
	struct chain now;
	bool atomic;

	if (!kconfig.debug_atomic_sleep || preemptible())
		return;
	/* RT serves softirqs in a thread: not atomic (as preemptible() says) */
	atomic = (pc & ~(kconfig.preempt_rt ? SOFTIRQ_MASK : 0u)) != 0;
	machine_describe(state, sizeof(state));
	chain_capture(&now, __builtin_return_address(0));
	chain_format(&now, here, sizeof(here));
	machine_report("might-sleep",
		       "BUG: sleeping function called from invalid context at %s:%d; in_atomic(): %d, "
		       "irqs_disabled(): %d, pid: %d; preempt_count: %#x, expected: 0; %s; %s",
		       short_file(file), line, atomic, irqs_disabled(), machine_task(), pc, state,
		       here);
}
