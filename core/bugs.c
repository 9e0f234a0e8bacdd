/* core/bugs.c — the entries of the historical-bug registry (core/bugs.h). */
#include "bugs.h"

const struct slab_bug_info slab_bugs[NR_SLAB_BUGS] = {
	[BUG_KPROBE_FASTPATH] = {
		.name = "kprobe_fastpath",
		.summary = "a kprobe inside the slow path's locked section reaches the lockless "
			   "fast path, because kmalloc_nolock() only checks the per-CPU lock in NMI; "
			   "the fix keeps kprobes out of the slow path (NOKPROBE_SYMBOL(___slab_alloc))",
		.reference = "seed 000: the 6.18 series \"slab: Re-entrant kmalloc_nolock()\" and its review",
		.expect = "double-alloc",
	},
	[BUG_NMI_FREE_NO_DEFER] = {
		.name = "nmi_free_no_defer",
		.summary = "kfree_nolock() in an NMI pushes onto this CPU's freelist with the lockless "
			   "cmpxchg while the interrupted context holds the per-CPU lock and is in the "
			   "middle of plain accesses to the same (freelist, tid) pair; the fix defers the "
			   "free when in_nmi() and the lock is held",
		.reference = "the 6.18 series: do_slab_free()'s allow_spin branch (review of "
			     "\"slab: Re-entrant kmalloc_nolock()\")",
		.expect = "lost-object",
	},
	[BUG_LIST_LOCK_SPIN] = {
		.name = "list_lock_spin",
		.summary = "a nolock allocation takes a node's list_lock with spin_lock instead of "
			   "spin_trylock, so an NMI that interrupted the holder deadlocks; the fix "
			   "trylocks when the caller may not spin",
		.reference = "the 6.18 series: get_partial_node()'s gfpflags_allow_spinning() test",
		.expect = "deadlock",
	},
	[BUG_ZERO_SKIPPED] = {
		.name = "zero_skipped",
		.summary = "kmalloc_nolock() forgets __GFP_ZERO when the busy bucket's retry serves "
			   "the object from the next bucket",
		.reference = "a class of bug (one path of several forgets the init flag); modelled on "
			     "the retry in kmalloc_nolock_noprof()",
		.expect = "not-zeroed",
	},
	[BUG_SHUFFLE_ENTROPY_LOCK] = {
		.name = "shuffle_entropy_lock",
		.summary = "with freelist randomization, a nolock allocation that makes a new slab "
			   "draws its random start from the batched entropy, whose per-CPU local lock an "
			   "interrupted context may hold; the fix uses a lockless per-CPU state there",
		.reference = "the 6.18 series: shuffle_freelist() with allow_spin false "
			     "(\"slab: Re-entrant kmalloc_nolock()\" review)",
		.expect = "deadlock",
	},
	[BUG_SHEAVES_NMI_NO_TRYLOCK] = {
		.name = "sheaves_nmi_no_trylock",
		.summary = "Design B: a caller that may not spin (kmalloc_nolock(), kfree_nolock()) takes "
			   "this CPU's sheaves lock with local_lock() instead of local_trylock(), so an NMI "
			   "or kprobe that interrupted the holder in alloc_from_pcs()/free_to_pcs() "
			   "deadlocks; the fix only ever tries the lock and falls back to the slab level",
		.reference = "a class of bug, not a known upstream commit: the 7.0 sheaves code only "
			     "trylocks the per-CPU lock (alloc_from_pcs(), free_to_pcs()) for this reason",
		.expect = "deadlock",
	},
	[BUG_RT_FREE_NOLOCK_SLEEPS] = {
		.name = "rt_free_nolock_sleeps",
		.summary = "on PREEMPT_RT, kfree_nolock() of an object of this CPU's slab, called "
			   "where the task may not sleep (hardirq, NMI, under a raw spinlock), takes the "
			   "per-CPU local lock, a sleeping lock there, unless the current task already "
			   "holds it; the model's fix defers the free wherever the task is not "
			   "preemptible, the rule the 6.18 fix applied to kmalloc_nolock()",
		.reference = "found by this harness in the 6.18 do_slab_free() (allow_spin false, "
			     "!USE_LOCKLESS_FAST_PATH()) as modelled; not confirmed upstream; the 7.0 "
			     "sheaves rewrite (kfree_nolock() defers when free_to_pcs() fails) has no such path",
		.expect = "sleep-in-atomic",
	},
	[BUG_UP_TRYLOCK_REENTERS] = {
		.name = "up_trylock_reenters",
		.summary = "on a UP kernel spin_trylock() always succeeds, and kmalloc_nolock() bails "
			   "out only in NMI: a kprobe or tracepoint BPF program inside a "
			   "spin_lock_irqsave() section (the zone lock while a new slab is allocated) "
			   "\"takes\" the same lock and changes what the interrupted code is changing; "
			   "the model's fix refuses on UP wherever irqs are disabled",
		.reference = "found by this harness (nolock_up_fuzzer) in the 6.18 kmalloc_nolock() as "
			     "modelled, whose UP rule covers NMI only; not confirmed upstream",
		.expect = "invariant-6-trylock-holder",
	},
	[BUG_OBJEXT_RECURSION] = {
		.name = "objext_recursion",
		.summary = "with memcg, the nested allocation of a slab's obj_exts vector keeps the "
			   "caller's __GFP_ACCOUNT and lacks __GFP_NO_OBJ_EXT, so the vector is itself "
			   "accounted and its slab needs a vector too: metadata allocations recurse; "
			   "the fix clears OBJCGS_CLEAR_MASK and sets __GFP_NO_OBJ_EXT",
		.reference = "a class of bug: mm/memcontrol.c OBJCGS_CLEAR_MASK and __GFP_NO_OBJ_EXT "
			     "(added for the obj_exts recursion of allocation profiling, and passed by "
			     "kmalloc_nolock()'s nested vector allocation in the 6.18 series)",
		.expect = "objext-recursion",
	},
	[BUG_MEMCG_ABORT_SPINS] = {
		.name = "memcg_abort_spins",
		.summary = "with memcg, when kmalloc_nolock() got an object but the charge failed, "
			   "memcg_alloc_abort_single() frees it with the spinning free path "
			   "(__slab_free(): list_lock, the zone lock, the per-CPU lock), which an NMI or "
			   "kprobe over the holder deadlocks on; the fix defers the free when the caller "
			   "may not spin",
		.reference = "\"mm/slab: fix a deadlock in memcg_alloc_abort_single()\" (Harry Yoo, "
			     "2026, RFC 3/4 of the kmalloc_nolock fixes; Fixes: af92793e52c3 \"slab: "
			     "Introduce kmalloc_nolock() and kfree_nolock().\")",
		.expect = "deadlock",
	},
	[BUG_OBJEXTS_SENTINEL_RACE] = {
		.name = "objexts_sentinel_race",
		.summary = "with memcg, a context installing a slab's obj_exts vector by cmpxchg from "
			   "the value it read gives up when the cmpxchg fails, assuming a racing "
			   "context installed a vector; but an interrupting context whose own vector "
			   "allocation failed stored the failure sentinel instead, so the caller ends "
			   "with no vector and dereferences NULL; the fix reads the word again and "
			   "replaces the sentinel",
		.reference = "\"slab: Avoid race on slab->obj_exts in alloc_slab_obj_exts\" (Hao Ge, "
			     "Oct 2025, Fixes: f7381b911640 \"slab: mark slab->obj_exts allocation "
			     "failures unconditionally\"): mark_failed_objexts_alloc() by cmpxchg from "
			     "0, and a retry when the install's cmpxchg fails; the model's bug is the "
			     "second half (the first, a plain store of the sentinel, is not modelled)",
		.expect = "null-deref",
	},
	[BUG_DEFER_FREE_PREEMPTIBLE] = {
		.name = "defer_free_preemptible",
		.summary = "kfree_nolock() of an object that is not on this CPU's slab defers it to "
			   "this CPU's list with this_cpu_ptr(), but a caller in task context may be "
			   "preemptible and migratable (an obj_exts vector freed on the way to a new "
			   "slab), so the list and the irq_work may be another CPU's by the time they "
			   "are used; CONFIG_DEBUG_PREEMPT reports it at once; the fix disables "
			   "preemption around the lookup and the queueing",
		.reference = "\"BUG: using smp_processor_id() in preemptible code ... caller is "
			     "defer_free\" (Ran Xiaokai, Sep 2025, on the 6.18 series; Fixes: "
			     "af92793e52c3 \"slab: Introduce kmalloc_nolock() and kfree_nolock().\"); "
			     "review chose preemption off (guard(preempt)()) over raw_cpu_ptr()",
		.expect = "debug-preempt",
	},
	[BUG_NOLOCK_NEW_SLAB_LOOP] = {
		.name = "nolock_new_slab_loop",
		.summary = "a debug cache's slow path goes back for another new slab when it cannot "
			   "place the one it made, also for a caller that may not spin: a nolock "
			   "allocation that interrupted the list_lock holder makes slab after slab "
			   "(each deferred) until the pages run out and it returns NULL, a failure the "
			   "caller takes for lack of memory; the fix fails such a caller at once",
		.reference = "a class of bug (a retry loop that does not stop for a caller that may "
			     "not spin), modelled on ___slab_alloc()'s alloc_single_from_new_slab() "
			     "failure in the 6.18 series, where only spinning callers try again",
		.expect = "unbounded-work",
	},
	[BUG_SLOW_PATH_NO_BUSY_CHECK] = {
		.name = "slow_path_no_busy_check",
		.summary = "__slab_alloc() enters the slow path without first testing whether this "
			   "CPU's lock is held: on PREEMPT_RT, where the per-CPU lock is a sleeping "
			   "lock held in preemptible sections, a kprobe or tracepoint BPF program over "
			   "the task's own locked section (do_slab_free()) allocates with "
			   "kmalloc_nolock() and takes the same lock again; the fix returns busy, and "
			   "kmalloc_nolock() retries in the next bucket",
		.reference = "the local_lock_is_locked() test of __slab_alloc() in the 6.18 series "
			     "(\"slab: Re-entrant kmalloc_nolock()\"); dropping it is the example patch "
			     "of this harness's issue 14, not a known upstream bug",
		.expect = "deadlock",
	},
	[BUG_FASTPATH_SAME_TID] = {
		.name = "fastpath_same_tid",
		.summary = "the lockless fast path's compare-and-exchange writes back the tid it read "
			   "instead of the next one, so an interrupt that allocates the freelist's head "
			   "and the object after it, then frees the head, leaves a (freelist, tid) pair "
			   "the interrupted fast path cannot tell from the one it read: it installs its "
			   "stale next, an object already allocated",
		.reference = "a class of bug: what the tid of __update_cpu_freelist_fast() is bumped "
			     "for; the mutation bench's drop-tid-bump mutant, which reentry verify "
			     "missed until its aba handler",
		.expect = "invariant-1-object-place",
	},
	[BUG_NMI_NO_BUSY_CHECK] = {
		.name = "nmi_no_busy_check",
		.summary = "kmalloc_nolock() in NMI does not test the per-CPU lock before the "
			   "allocation, so an NMI over the slow path's locked section takes the "
			   "lockless fast path on the (freelist, tid) pair the slow path is using",
		.reference = "a class of bug: the in_nmi() && local_lock_is_locked() test of "
			     "kmalloc_nolock_noprof() (6.18); the mutation bench's drop-context-check "
			     "mutant, whose reports once made reentry verify exit 2 (a minimization "
			     "that killed its worker)",
		.expect = "double-alloc",
	},
	[BUG_PUT_PARTIALS_IRQS_ON] = {
		.name = "put_partials_irqs_on",
		.summary = "__put_partials() takes list_lock with spin_lock(), as if its caller had "
			   "irqs disabled, but put_cpu_partial() calls it after dropping the per-CPU "
			   "lock, with irqs on; list_lock is also taken in hardirq context (the irq_work "
			   "that frees deferred objects, a GFP_ATOMIC allocation), so a hardirq landing "
			   "in that section deadlocks on it; lockdep reports the inconsistent usage "
			   "whether or not one lands; the fix takes it with spin_lock_irqsave()",
		.reference = "a class of bug, modelled on \"mm, slub: only disable irq with spin_lock "
			     "in __unfreeze_partials()\" (Vlastimil Babka, 2021, the 5.15 series that "
			     "made the CPU partial list's callers run with irqs on): the irq disabling "
			     "moved into the lock operations, and a lock left plain would be this bug",
		.expect = "lockdep-irq",
	},
	[BUG_FREEZE_SLAB_IRQS_ON] = {
		.name = "freeze_slab_irqs_on",
		.summary = "freeze_slab() updates a partial slab's freelist with __slab_update_freelist(), "
			   "the variant for callers with irqs disabled, though ___slab_alloc() calls it "
			   "with irqs on: with a 16-byte cmpxchg nothing goes wrong, without one (debug "
			   "caches, or an arch without it) the slab's bit spinlock is taken with irqs on "
			   "and an interrupt that frees to the same slab spins on it for ever; "
			   "lockdep_assert_irqs_disabled() reports it on every machine; the fix: "
			   "slab_update_freelist(), which disables irqs around the bit spinlock",
		.reference = "a class of bug: mm/slub.c's __slab_update_freelist() asserts irqs are "
			     "disabled (lockdep_assert_irqs_disabled() under USE_LOCKLESS_FAST_PATH()) "
			     "so that a caller of the wrong variant is found on the machines where it is "
			     "harmless too",
		.expect = "lockdep-assert",
	},
	[BUG_NEW_SLAB_PINNED] = {
		.name = "new_slab_pinned",
		.summary = "___slab_alloc() calls new_slab() with the CPU still pinned "
			   "(slub_get_cpu_ptr(): preemption off on !RT), so a caller's GFP_KERNEL "
			   "page allocation, which may sleep in reclaim, runs in atomic context; the "
			   "model's page allocator never sleeps, so nothing else sees it; "
			   "CONFIG_DEBUG_ATOMIC_SLEEP's might_sleep() reports it; the fix unpins "
			   "around the call (slub_put_cpu_ptr() ... slub_get_cpu_ptr())",
		.reference = "a class of bug, modelled on \"mm, slub: restore irqs around calling "
			     "new_slab()\" (Vlastimil Babka, 2021, the 5.15 series): new_slab() is "
			     "called with the CPU unpinned because the page allocator may sleep",
		.expect = "might-sleep",
	},
	[BUG_OBJEXTS_FREE_NOLOCK] = {
		.name = "objexts_free_nolock",
		.summary = "with memcg, free_slab_obj_exts() frees every obj_exts vector with "
			   "kfree_nolock(), which works from any context, also a vector kmalloc() "
			   "allocated for a caller that could spin: kfree_nolock() is only for "
			   "kmalloc_nolock() objects (it skips the hooks, kmemleak's among them, "
			   "that a kmalloc() object was registered with); the fix frees each vector "
			   "with the API that allocated it (OBJEXTS_NOSPIN_ALLOC)",
		.reference = "a class of bug: mm/slub.c free_slab_obj_exts() of the 6.18 series "
			     "chooses kfree_nolock() or kfree() by OBJEXTS_NOSPIN_ALLOC; kfree_nolock() "
			     "accepts kmalloc_nolock() objects only",
		.expect = "api-contract",
	},
	[BUG_SHEAF_FREE_SKIPS_KFREE] = {
		.name = "sheaf_free_skips_kfree",
		.summary = "Design B: free_empty_sheaf() gives a sheaf back straight to its slab with "
			   "KASAN's free hook only, not through kfree(): the sheaf was a kzalloc() "
			   "object kmemleak registered, and nobody tells kmemleak it is gone, so it "
			   "keeps tracking freed memory (a false leak at its next scan, or a refused "
			   "insert when the memory is allocated again); the fix: kfree()",
		.reference = "a class of bug: mm/slub.c free_empty_sheaf() frees with kfree(), whose "
			     "slab_free_hook() calls kmemleak_free_recursive()",
		.expect = "kmemleak",
	},
	[BUG_NOLOCK_FLUSH_SPINS] = {
		.name = "nolock_flush_spins",
		.summary = "___slab_alloc() finds a CPU slab installed by an interrupt while it made "
			   "its new slab and flushes it with deactivate_slab(), which takes list_lock "
			   "with spin_lock_irqsave(), also for a caller that may not spin: an NMI over "
			   "list_lock's holder would deadlock, and the nolock-spin check reports the "
			   "spinning take whether or not one lands (the fix: defer_deactivate_slab())",
		.reference = "the kmalloc_nolock series (6.18): ___slab_alloc()'s retry_load_slab "
			     "defers the deactivation when !allow_spin; the mutation bench's "
			     "drop-allow-spin mutant there, which reentry verify missed before the "
			     "nolock-spin check",
		.expect = "nolock-spin",
	},
	[BUG_DEFERRED_FREE_HOOKS_TWICE] = {
		.name = "deferred_free_hooks_twice",
		.summary = "the deferred-free irq_work frees each object through the free hooks "
			   "again, as slab_free() would, though kfree_nolock() already ran them: "
			   "KASAN poisons the object a second time, a double free it reports (the "
			   "fix: the slab-level free, __slab_free(), without the hooks)",
		.reference = "a class of bug: mm/slub.c free_deferred_objects() calls __slab_free(), "
			     "not slab_free(), for objects kfree_nolock() deferred",
		.expect = "kasan",
	},
	[BUG_MEMCG_ABORT_SKIPS_FREE_HOOK] = {
		.name = "memcg_abort_skips_free_hook",
		.summary = "memcg: when the charge fails, memcg_alloc_abort_single() gives the object "
			   "back to its slab without slab_free_hook(), though slab_post_alloc_hook() "
			   "had unpoisoned it: KASAN never poisons it again, and the next allocation "
			   "that gets it unpoisons an object KASAN has live; nothing else sees it (the "
			   "fix: the free hook first)",
		.reference = "a class of bug: mm/slub.c memcg_alloc_abort_single() runs "
			     "slab_free_hook() before do_slab_free(): the charge comes after KASAN "
			     "unpoisoned the object",
		.expect = "kasan",
	},
};

int bug_lookup(const char *name)
{
	for (int i = 0; i < NR_SLAB_BUGS; i++)
		if (strcmp(slab_bugs[i].name, name) == 0)
			return i;
	return -1;
}

/* The NOKPROBE_SYMBOL entries, collected by the linker in one section. */
extern const struct kprobe_blacklist_entry __start_reentry_nokprobe[];
extern const struct kprobe_blacklist_entry __stop_reentry_nokprobe[];

/* models: kernel/kprobes.c within_kprobe_blacklist() */
bool within_kprobe_blacklist(const void *fn)
{
	for (const struct kprobe_blacklist_entry *e = __start_reentry_nokprobe;
	     e < __stop_reentry_nokprobe; e++)
		if (e->fn == fn && !(e->unless_bug >= 0 && bug_on(e->unless_bug)))
			return true;
	return false;
}
