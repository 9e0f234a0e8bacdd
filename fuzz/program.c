/*
 * fuzz/program.c — what the program format's three parts share (see
 * program_tables.h): the tables of op kinds, event kinds, config booleans
 * and flag names; the target names; the event order; and how a program's
 * configuration becomes the model's kconfig.
 *
 * The parts: program_binary.c (the binary form fuzzers mutate),
 * program_print.c and program_parse.c (the text form people write).
 * Nothing here depends on addresses, time or randomness: the same input
 * gives the same program, byte for byte.
 */
#include "program.h"
#include "program_tables.h"

#include "../core/bugs.h"
#include "../core/slab.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

_Static_assert(MAX_SLOTS <= 26, "slots are letters");
/* ------------------------------------------------------------------ */
/* Tables                                                              */
/* ------------------------------------------------------------------ */


const struct op_info op_info[NR_OP_KINDS] = {
	[OP_KMALLOC]		= { "kmalloc", 's', "zg", "a = kmalloc(size, gfp)" },
	[OP_KFREE]		= { "kfree", 0, "s", "kfree(a)" },
	[OP_KMALLOC_NOLOCK]	= { "kmalloc_nolock", 's', "zg", "a = kmalloc_nolock(size, gfp)" },
	[OP_KFREE_NOLOCK]	= { "kfree_nolock", 0, "s", "kfree_nolock(a)" },
	[OP_CACHE_CREATE]	= { "kmem_cache_create", 'c', "zaf",
				    "c0 = kmem_cache_create(size, align, slab_flags)" },
	[OP_CACHE_DESTROY]	= { "kmem_cache_destroy", 0, "c", "kmem_cache_destroy(c0)" },
	[OP_CACHE_ALLOC]	= { "kmem_cache_alloc", 's', "cg", "a = kmem_cache_alloc(c0, gfp)" },
	[OP_CACHE_FREE]		= { "kmem_cache_free", 0, "cs", "kmem_cache_free(c0, a)" },
	[OP_IRQ_WORK]		= { "irq_work", 0, "", "irq_work()" },
	[OP_WRITE]		= { "write", 0, "soz", "write(a, offset, len)" },
};

/* Does op take (or assign) field? A bit per letter, from op_info: this runs
 * for every field of every record decoded or encoded. */
bool op_uses(const struct op *op, char field)
{
	static uint32_t uses[NR_OP_KINDS];
	static bool ready;

	if (!ready) {
		for (int k = 0; k < NR_OP_KINDS; k++) {
			if (op_info[k].result)
				uses[k] |= 1u << (op_info[k].result - 'a');
			for (const char *a = op_info[k].args; *a; a++)
				uses[k] |= 1u << (*a - 'a');
		}
		ready = true;
	}
	return uses[op->kind] & (1u << (field - 'a'));
}

const char *const section_names[NR_SECTIONS] = {
	[SEC_NONE] = "task",
	[SEC_IRQS_OFF] = "irqs_off",
	[SEC_PREEMPT_OFF] = "preempt_off",
	[SEC_RAW_SPINLOCK] = "raw_spin",
};


const unsigned int event_flags[NR_EVENT_KINDS] = {
	[EV_NMI]		= EVF_INTERRUPT,
	[EV_HARDIRQ]		= EVF_INTERRUPT,
	[EV_SOFTIRQ]		= EVF_INTERRUPT,
	[EV_KPROBE]		= EVF_INTERRUPT,
	[EV_IRQ_WORK]		= EVF_INTERRUPT,
	[EV_PREEMPT]		= EVF_INTERRUPT | EVF_CPU,
	[EV_FAIL_TRYLOCK]	= EVF_FAULT,
	[EV_FAIL_PAGE_ALLOC]	= EVF_FAULT,
	[EV_FAIL_MEMCG]		= EVF_FAULT,
};

const char *const design_names[NR_DESIGN_NAMES] = {
	[DESIGN_CPU_SLAB] = "cpu_slab",
	[DESIGN_SHEAVES] = "sheaves",
};

const char *const rule_names[NR_RULE_NAMES] = {
	[RULE_GFP] = "gfp",
	[RULE_ALLOC_TRYLOCK] = "alloc_trylock",
};

/* The config booleans, in print order, with their bit in header byte 2 */
const struct config_bool config_bools[] = {
	{ "up", offsetof(struct program_config, up), 0 },
	{ "preempt_rt", offsetof(struct program_config, preempt_rt), 1 },
	{ "slub_tiny", offsetof(struct program_config, slub_tiny), 2 },
	{ "lockdep", offsetof(struct program_config, lockdep), 3 },
	{ "no_cpu_partial", offsetof(struct program_config, no_cpu_partial), 4 },
	{ "no_cmpxchg128", offsetof(struct program_config, no_cmpxchg128), 5 },
	{ "shuffle", offsetof(struct program_config, shuffle), TEXT_ONLY }, /* header byte 3 */
	{ "strict_api", offsetof(struct program_config, strict_api), TEXT_ONLY },
	{ "memcg", offsetof(struct program_config, memcg), TEXT_ONLY },
	{ "no_debug_preempt", offsetof(struct program_config, no_debug_preempt), TEXT_ONLY },
	{ "no_bounded_work", offsetof(struct program_config, no_bounded_work), TEXT_ONLY },
	{ "no_nolock_spin", offsetof(struct program_config, no_nolock_spin), TEXT_ONLY },
	{ "no_lockdep_irq", offsetof(struct program_config, no_lockdep_irq), TEXT_ONLY },
	{ "no_lockdep_assert", offsetof(struct program_config, no_lockdep_assert), TEXT_ONLY },
	{ "no_might_sleep", offsetof(struct program_config, no_might_sleep), TEXT_ONLY },
	{ "no_api_contract", offsetof(struct program_config, no_api_contract), TEXT_ONLY },
	{ "no_kmemleak", offsetof(struct program_config, no_kmemleak), TEXT_ONLY },
	{ "no_kasan", offsetof(struct program_config, no_kasan), TEXT_ONLY },
};
const size_t nr_config_bools = sizeof(config_bools) / sizeof(config_bools[0]);

bool config_get(const struct program_config *c, size_t i)
{
	return *(const bool *)((const char *)c + config_bools[i].offset);
}

void config_set(struct program_config *c, size_t i, bool v)
{
	*(bool *)((char *)c + config_bools[i].offset) = v;
}

const char slub_debug_letters[] = "FZPU";

const struct program_config default_config = { .cpus = 2 };


const struct flag_name gfp_names[] = {
	{ "GFP_KERNEL", GFP_KERNEL, true },
	{ "GFP_ATOMIC", GFP_ATOMIC, true },
	{ "GFP_NOWAIT", GFP_NOWAIT, true },
	{ "__GFP_RECLAIM", __GFP_RECLAIM, false },
	{ "__GFP_DMA", __GFP_DMA, true },
	{ "__GFP_HIGHMEM", __GFP_HIGHMEM, true },
	{ "__GFP_DMA32", __GFP_DMA32, true },
	{ "__GFP_MOVABLE", __GFP_MOVABLE, true },
	{ "__GFP_RECLAIMABLE", __GFP_RECLAIMABLE, true },
	{ "__GFP_HIGH", __GFP_HIGH, true },
	{ "__GFP_IO", __GFP_IO, true },
	{ "__GFP_FS", __GFP_FS, true },
	{ "__GFP_ZERO", __GFP_ZERO, true },
	{ "__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM, true },
	{ "__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM, true },
	{ "__GFP_NOWARN", __GFP_NOWARN, true },
	{ "__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL, true },
	{ "__GFP_NOFAIL", __GFP_NOFAIL, true },
	{ "__GFP_NORETRY", __GFP_NORETRY, true },
	{ "__GFP_NOMEMALLOC", __GFP_NOMEMALLOC, true },
	{ "__GFP_THISNODE", __GFP_THISNODE, true },
	{ "__GFP_ACCOUNT", __GFP_ACCOUNT, true },
	{ "__GFP_NO_OBJ_EXT", __GFP_NO_OBJ_EXT, true },
	{ NULL, 0, false },
};

/* SLAB_KMALLOC and __CMPXCHG_DOUBLE are internal: they print as hex. */
const struct flag_name slab_flag_names[] = {
	{ "SLAB_DEBUG_FLAGS", SLAB_DEBUG_FLAGS, false },
	{ "SLAB_CONSISTENCY_CHECKS", SLAB_CONSISTENCY_CHECKS, true },
	{ "SLAB_RED_ZONE", SLAB_RED_ZONE, true },
	{ "SLAB_POISON", SLAB_POISON, true },
	{ "SLAB_HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN, true },
	{ "SLAB_STORE_USER", SLAB_STORE_USER, true },
	{ "SLAB_ACCOUNT", SLAB_ACCOUNT, true },
	{ NULL, 0, false },
};

const char *op_kind_name(enum op_kind kind)
{
	return (unsigned int)kind < NR_OP_KINDS ? op_info[kind].name : "?";
}

static const char *const target_names[NR_TARGETS] = {
	[TARGET_NOLOCK] = "nolock",
	[TARGET_NOLOCK_UP] = "nolock_up",
	[TARGET_NOLOCK_TINY] = "nolock_tiny",
	[TARGET_NOLOCK_RT] = "nolock_rt",
	[TARGET_DEBUG_CACHES] = "debug_caches",
	[TARGET_SHEAVES] = "sheaves",
	[TARGET_SHEAVES_RT] = "sheaves_rt",
	[TARGET_SHEAVES_DEBUG] = "sheaves_debug",
	[TARGET_MEMCG] = "memcg",
};
_Static_assert(NR_TARGETS <= TARGET_TAG, "a tag is TARGET_TAG | id");

const char *program_target_name(unsigned int id)
{
	return id < NR_TARGETS ? target_names[id] : NULL;
}

enum target_id program_target_lookup(const char *name)
{
	size_t n = strlen(name);

	if (n > 7 && strcmp(name + n - 7, "_fuzzer") == 0)
		n -= 7;
	for (int id = 1; id < NR_TARGETS; id++)
		if (strlen(target_names[id]) == n && strncmp(target_names[id], name, n) == 0)
			return (enum target_id)id;
	return TARGET_NONE;
}

static bool event_before(const struct event *a, const struct event *b)
{
	if (a->op != b->op)
		return a->op < b->op;
	if (a->anchor != b->anchor)
		return a->anchor < b->anchor;
	if (a->anchor == AT_FUNCTION && strcmp(a->fn, b->fn) != 0)
		return strcmp(a->fn, b->fn) < 0;
	return a->ordinal < b->ordinal;
}

/* Stable (insertion) sort by (op, anchor, function, ordinal): events at the same point
 * keep their order, so encode → decode gives them back as they were. */
void program_sort_events(struct program *p)
{
	for (int i = 1; i < p->nevents; i++) {
		struct event ev = p->events[i];
		int j = i;

		while (j > 0 && event_before(&ev, &p->events[j - 1])) {
			p->events[j] = p->events[j - 1];
			j--;
		}
		p->events[j] = ev;
	}
}

void program_config_apply(const struct program_config *c, struct kconfig *k)
{
	k->design = (enum slab_design)c->design;
	k->alloc_flags_rule = (enum alloc_flags_rule)c->alloc_flags_rule;
	k->nr_cpus = c->up ? 1 : (c->cpus >= 1 && c->cpus <= NR_CPUS ? c->cpus : 2);
	k->smp = !c->up;
	k->preempt_rt = c->preempt_rt;
	k->slub_tiny = c->slub_tiny;
	k->lockdep = c->lockdep;
	k->cpu_partial = !c->no_cpu_partial;
	k->shuffle = c->shuffle;
	k->has_cmpxchg128 = !c->no_cmpxchg128;
	k->slab_objects = c->slab_objects ? c->slab_objects : 4;
	k->slub_debug = (c->slub_debug & SLUB_DEBUG_F ? SLAB_CONSISTENCY_CHECKS : 0) |
			(c->slub_debug & SLUB_DEBUG_Z ? SLAB_RED_ZONE : 0) |
			(c->slub_debug & SLUB_DEBUG_P ? SLAB_POISON : 0) |
			(c->slub_debug & SLUB_DEBUG_U ? SLAB_STORE_USER : 0);
	k->memcg = c->memcg;
	k->debug_preempt = !c->no_debug_preempt;
	k->bounded_work = !c->no_bounded_work;
	k->nolock_spin = !c->no_nolock_spin;
	k->lockdep_irq = !c->no_lockdep_irq;
	k->lockdep_assert = !c->no_lockdep_assert;
	k->debug_atomic_sleep = !c->no_might_sleep;
	k->api_contract = !c->no_api_contract;
	k->kmemleak = !c->no_kmemleak;
	k->kasan = !c->no_kasan;
}

