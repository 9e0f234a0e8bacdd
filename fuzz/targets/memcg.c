/*
 * memcg_fuzzer — Design A (the 6.18 per-CPU slabs), !RT, SMP, with memcg
 * accounting (core/memcontrol.c): programs of accounted and unaccounted
 * kmalloc/kfree, kmalloc_nolock/kfree_nolock and cache operations on 1-4
 * CPUs, with or without CONFIG_SLUB_TINY (the input's choice), with every
 * interrupt kind and faults (trylock, page allocation,
 * memcg charge) at boundaries — including inside the per-CPU obj_stock's
 * locked sections and between the read and the cmpxchg that installs a
 * slab's obj_exts vector. The memcg limit (16 pages) is low enough for
 * programs to reach it.
 *
 * Pass: the oracle of nolock_fuzzer (fuzz/oracle.c), where a NULL from an
 * __GFP_ACCOUNT allocation may also follow a failed charge; the validators
 * also check every obj_exts word (0, the failure sentinel, or a vector that
 * is a live object of a large enough kmalloc cache, whose words name the
 * memcg only for allocated objects — invariant 10) and the charge balance
 * (page counter = charged objects + stocks + parked bytes — invariant 11,
 * checked after every operation);
 * no nested metadata allocation deeper than 1 (invariant 13,
 * "objext-recursion"); and at the end, with everything freed and drained,
 * every charged byte was uncharged and the page counter is zero after the
 * stocks are drained ("memcg-leak"). Fail: any report, ASan, UBSan.
 */
#include "../target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return target_run(TARGET_MEMCG, data, size);
}
