/* inject/nolock_spin.h — a nolock call may only try locks (inject/nolock_spin.c). */
#ifndef REENTRY_INJECT_NOLOCK_SPIN_H
#define REENTRY_INJECT_NOLOCK_SPIN_H

#include "machine.h"

/* Called as the running context takes lock l (not a trylock) at model call
 * site pc: inside a kmalloc_nolock() or kfree_nolock() call it is a
 * "nolock-spin" report (kconfig.nolock_spin). */
void nolock_spin_check(const struct env_lock *l, const void *pc);

#endif /* REENTRY_INJECT_NOLOCK_SPIN_H */
