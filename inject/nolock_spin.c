/*
 * inject/nolock_spin.c — a nolock call may only try locks
 * (kconfig.nolock_spin).
 *
 * kmalloc_nolock() and kfree_nolock() exist for callers that may not wait:
 * an NMI, a kprobe or tracepoint handler that may have interrupted the very
 * section that holds a lock. So every lock on their paths is tried, never
 * taken (that is what allow_spin = false selects: spin_trylock() of the
 * node's list_lock and the zone lock, a deferred deactivation instead of
 * deactivate_slab(), the barn's trylock); the per-CPU lock is taken only
 * after local_lock_is_locked() said this CPU does not hold it. A spinning
 * acquisition of any other lock inside such a call is reported at once,
 * whether or not the lock was free this time — as lockdep reports an
 * irq-unsafe use whether or not an interrupt lands: the deadlock itself
 * needs a handler inside the holder's section, a schedule a sweep may never
 * try. No kernel option checks this; it is the API's own contract
 * (gfpflags_allow_spinning() false).
 *
 * The call is the running context's (machine_nolock_call()): an interrupt
 * that lands inside a nolock call and takes a lock is not that call's doing.
 */
#include "nolock_spin.h"

#include "chain.h"

void nolock_spin_check(const struct env_lock *l, const void *pc)
{
	const struct machine_nolock_call *call = machine_nolock_call();
	struct chain now;
	char here[300];

	if (!kconfig.nolock_spin || !call->nest || call->may_spin || l->kind == LOCK_LOCAL)
		return;
	chain_capture(&now, pc);
	chain_format(&now, here, sizeof(here));
	if (call->size)
		machine_report("nolock-spin", "%s(%zu) spins on %s, a call that may only try locks; %s",
			       call->api, call->size, l->name, here);
	machine_report("nolock-spin", "%s() spins on %s, a call that may only try locks; %s",
		       call->api, l->name, here);
}
