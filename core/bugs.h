/*
 * core/bugs.h — the historical-bug registry: named, documented bugs from the
 * kmalloc_nolock series and its review that can be switched back on at run
 * time (kconfig.bugs). Each is a one-line guard in the model, each has a
 * regression in corpus/regressions/ that must report with the bug on and
 * be clean with it off. They prove the harness still finds what it should.
 */
#ifndef REENTRY_CORE_BUGS_H
#define REENTRY_CORE_BUGS_H

#include "env.h"

enum slab_bug {
	BUG_KPROBE_FASTPATH,	/* seed 000 */
	BUG_NMI_FREE_NO_DEFER,
	BUG_LIST_LOCK_SPIN,
	BUG_ZERO_SKIPPED,
	BUG_SHUFFLE_ENTROPY_LOCK,
	BUG_RT_FREE_NOLOCK_SLEEPS,
	BUG_UP_TRYLOCK_REENTERS,
	BUG_SHEAVES_NMI_NO_TRYLOCK,	/* Design B */
	BUG_OBJEXT_RECURSION,
	BUG_MEMCG_ABORT_SPINS,
	BUG_OBJEXTS_SENTINEL_RACE,
	BUG_DEFER_FREE_PREEMPTIBLE,
	BUG_NOLOCK_NEW_SLAB_LOOP,
	BUG_SLOW_PATH_NO_BUSY_CHECK,
	BUG_FASTPATH_SAME_TID,
	BUG_NMI_NO_BUSY_CHECK,
	BUG_PUT_PARTIALS_IRQS_ON,
	BUG_FREEZE_SLAB_IRQS_ON,
	BUG_NEW_SLAB_PINNED,
	BUG_OBJEXTS_FREE_NOLOCK,
	BUG_SHEAF_FREE_SKIPS_KFREE,
	BUG_NOLOCK_FLUSH_SPINS,
	BUG_DEFERRED_FREE_HOOKS_TWICE,
	BUG_MEMCG_ABORT_SKIPS_FREE_HOOK,
	NR_SLAB_BUGS
};

struct slab_bug_info {
	const char *name;	/* as given to --bug / REENTRY_BUGS */
	const char *summary;	/* one line */
	const char *reference;	/* where it comes from */
	const char *expect;	/* the report class its regression expects */
};

extern const struct slab_bug_info slab_bugs[NR_SLAB_BUGS];

/* Is the bug switched on? Read as build-time config is (KCONFIG: no boundary). */
static inline bool bug_on(enum slab_bug bug)
{
	return KCONFIG(bugs) & (1ull << bug);
}

/* The bug's index, or -1 if no bug has that name. */
int bug_lookup(const char *name);

#endif /* REENTRY_CORE_BUGS_H */
