/*
 * fuzz/program.h — a program: what the harness runs on the simulated machine.
 *
 * A program is a configuration, a list of top-level operations (each run on a
 * CPU, in task context or inside an irqs-off / preempt-off / raw-spinlock
 * section), and a schedule of events anchored to (operation index, boundary):
 * a boundary named by model function ("@slab_alloc_slow+3", text only) or by
 * ordinal ("@40", what fuzzers mutate). Events are interrupts that run a
 * short handler program in a nested context, and faults. Objects are named by slots (a..z) shared by the top-level
 * program and every handler, so a handler may free what the task allocated
 * and vice versa.
 *
 * Two forms round-trip: the binary form fuzzers mutate (every byte string
 * decodes to a valid program; fixed-size records, so small mutations make
 * small changes) and the text form people write regressions in. The exact
 * binary layout and the text grammar are documented at the top of
 * fuzz/program_binary.c and fuzz/program_parse.c.
 *
 * What "valid" means, for every program decode or parse produces:
 *   - config.cpus in 1..8, and 1 when config.up; slab_objects ≤ PROGRAM_MAX_SLAB_OBJECTS;
 *   - nops ≤ MAX_OPS, nevents ≤ MAX_EVENTS;
 *   - every op: kind < NR_OP_KINDS; top-level ops: cpu < cpus, section <
 *     NR_SECTIONS; handler ops: cpu = section = 0; slot < MAX_SLOTS, cache <
 *     MAX_USER_CACHES; fields the kind does not use are 0 (see struct op);
 *   - every event: kind < NR_EVENT_KINDS, op < nops, sorted by (op, anchor,
 *     ordinal); interrupts (EV_NMI … EV_PREEMPT) are AT_BOUNDARY or
 *     AT_FUNCTION (text only: fn a name), count 0,
 *     nops ≤ MAX_HANDLER_OPS; faults have nops 0 and count in
 *     1..PROGRAM_MAX_FAULT_COUNT; cpu < cpus for EV_PREEMPT, else 0;
 *     ordinal in 1..PROGRAM_MAX_ORDINAL (AT_BOUNDARY, AT_FUNCTION) or
 *     1..PROGRAM_MAX_OCCURRENCE (AT_OCCURRENCE).
 */
#ifndef REENTRY_FUZZ_PROGRAM_H
#define REENTRY_FUZZ_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../inject/engine.h"

#define PROGRAM_VERSION 1	/* byte 0 of an untagged binary input */
#define MAX_OPS 64		/* top-level operations */
#define MAX_EVENTS 16		/* schedule entries */
#define MAX_HANDLER_OPS 4	/* operations in one interrupt handler */
#define MAX_SLOTS 26		/* object variables a..z */
#define MAX_USER_CACHES 4	/* caches c0..c3 made by kmem_cache_create */

#define PROGRAM_MAX_ORDINAL 4096	/* boundary ordinals: 1..4096 */
#define PROGRAM_MAX_OCCURRENCE 64	/* occurrence ordinals (#N): 1..64 */
#define PROGRAM_MAX_FAULT_COUNT 16	/* fail … xN: 1..16 */
#define PROGRAM_FN_LEN 48	/* a function anchor's name, its NUL included */
#define PROGRAM_MAX_SLAB_OBJECTS 32	/* config slab_objects: 0 (default) .. 32 */
/* The largest binary form program_encode() writes: 4 header bytes and
 * 12-byte records (every op, every event and each of its handler ops). */
#define PROGRAM_MAX_BYTES (4 + 12 * (MAX_OPS + MAX_EVENTS * (1 + MAX_HANDLER_OPS)))

enum op_kind {
	OP_KMALLOC,		/* a = kmalloc(size, gfp) */
	OP_KFREE,		/* kfree(a) */
	OP_KMALLOC_NOLOCK,	/* a = kmalloc_nolock(size, gfp) */
	OP_KFREE_NOLOCK,	/* kfree_nolock(a) */
	OP_CACHE_CREATE,	/* c0 = kmem_cache_create(size, align, flags) */
	OP_CACHE_DESTROY,	/* kmem_cache_destroy(c0) */
	OP_CACHE_ALLOC,		/* a = kmem_cache_alloc(c0, gfp) */
	OP_CACHE_FREE,		/* kmem_cache_free(c0, a) */
	OP_IRQ_WORK,		/* irq_work(): run this CPU's pending irq_work */
	OP_WRITE,		/* write(a, offset, len): the harness writes into an object */
	NR_OP_KINDS
};

/* The section a top-level operation runs in (ignored for handler ops). */
enum op_section {
	SEC_NONE,		/* plain task context */
	SEC_IRQS_OFF,		/* local_irq_save() … local_irq_restore() around it */
	SEC_PREEMPT_OFF,	/* preempt_disable() … preempt_enable() */
	SEC_RAW_SPINLOCK,	/* raw_spin_lock() of a harness lock around it */
	NR_SECTIONS
};

/*
 * The fields each kind uses (all others are 0):
 *   kmalloc, kmalloc_nolock	slot (result), size, gfp
 *   kfree, kfree_nolock	slot
 *   kmem_cache_create		cache (result), size, arg = align (0 or a power
 *				of two ≤ 4096), flags
 *   kmem_cache_destroy		cache
 *   kmem_cache_alloc		slot (result), cache, gfp
 *   kmem_cache_free		cache, slot
 *   irq_work			-
 *   write			slot, arg = offset, size = length (as given: the
 *				executor clamps them to the object)
 */
struct op {
	uint8_t kind;		/* enum op_kind */
	uint8_t cpu;		/* top-level ops: CPU to run on (< config cpus) */
	uint8_t section;	/* enum op_section */
	uint8_t slot;		/* object slot, < MAX_SLOTS */
	uint8_t cache;		/* user cache index, < MAX_USER_CACHES */
	uint16_t size;		/* alloc size / create size / write length */
	uint16_t arg;		/* create: align; write: offset */
	uint32_t gfp;		/* gfp flags as given (may be invalid on purpose) */
	uint32_t flags;		/* create: slab flags */
};

/* enum event_kind and enum event_anchor: inject/engine.h */

struct event {
	uint8_t kind;		/* enum event_kind */
	uint8_t anchor;		/* enum event_anchor */
	uint8_t op;		/* top-level operation index */
	uint8_t cpu;		/* EV_PREEMPT: CPU the task resumes on */
	uint8_t count;		/* faults: how many in a row (≥ 1) */
	uint8_t nops;		/* interrupts: handler operations used */
	uint32_t ordinal;	/* see anchor; boundaries count from 1 */
	char fn[PROGRAM_FN_LEN];	/* AT_FUNCTION: a model function ("" otherwise) */
	struct op ops[MAX_HANDLER_OPS];	/* the handler program */
};

/*
 * The fuzz targets (fuzz/targets/NAME.c is NAME_fuzzer) a program can be for.
 * A target fixes part of the configuration; a program made by one (a crash
 * file) or written for one (a seed) says which, so that it replays as the
 * target ran it: byte 0 of the binary form is its tag, TARGET_TAG | id, and
 * the text form has a "# target: NAME" line. The numbers are in every crash
 * file ever saved: append only, never reorder.
 */
enum target_id {
	TARGET_NONE,		/* a program of its own configuration */
	TARGET_NOLOCK,
	TARGET_NOLOCK_UP,
	TARGET_NOLOCK_TINY,
	TARGET_NOLOCK_RT,
	TARGET_DEBUG_CACHES,
	TARGET_SHEAVES,
	TARGET_SHEAVES_RT,
	TARGET_SHEAVES_DEBUG,
	TARGET_MEMCG,
	NR_TARGETS
};
#define TARGET_TAG 0x80		/* byte 0 of a tagged input: TARGET_TAG | id */

/* "sheaves" for TARGET_SHEAVES; NULL for TARGET_NONE or out of range. */
const char *program_target_name(unsigned int id);
/* The id of a target named "sheaves" or "sheaves_fuzzer"; TARGET_NONE if none. */
enum target_id program_target_lookup(const char *name);

/* The handler of a sweep's interrupts when none is given (--handler, or a
 * "# sweep:" line without one). */
#define SWEEP_DEFAULT_HANDLER "p = kmalloc_nolock(64, 0)"

/* Kconfig overrides a program may carry (see core/env.h struct kconfig). */
struct program_config {
	uint8_t design;		/* enum slab_design */
	uint8_t alloc_flags_rule; /* enum alloc_flags_rule */
	uint8_t cpus;		/* 1..8 */
	bool up;		/* !SMP */
	bool preempt_rt, slub_tiny, lockdep;
	bool no_cpu_partial;
	bool no_cmpxchg128;
	bool shuffle;		/* CONFIG_SLAB_FREELIST_RANDOM */
	bool strict_api;	/* API misuse by the program is an "api-misuse" report
				   instead of a skipped operation (text only: fuzz
				   targets never set it, so their inputs replay alike) */
	bool memcg;		/* memcg accounting, core/memcontrol.c (text only) */
	bool no_debug_preempt;	/* CONFIG_DEBUG_PREEMPT's check off (text only) */
	bool no_bounded_work;	/* a nolock call's work not bounded (text only) */
	bool no_nolock_spin;	/* a nolock call's spinning locks not reported (text only) */
	bool no_lockdep_irq;	/* lockdep's irq-safety checks off (text only) */
	bool no_lockdep_assert;	/* lockdep_assert*() not checked (text only) */
	bool no_might_sleep;	/* might_sleep() not checked (text only) */
	bool no_api_contract;	/* the allocator's own frees not checked (text only) */
	bool no_kmemleak;	/* kmemleak's bookkeeping not checked (text only) */
	bool no_kasan;		/* KASAN's double-free not reported (text only) */
	uint8_t slab_objects;	/* 0: the default */
	uint8_t slub_debug;	/* the slub_debug= boot option, F=1 Z=2 P=4 U=8 (text
				   only: a target sets it, the binary form has none) */
};

enum { SLUB_DEBUG_F = 1, SLUB_DEBUG_Z = 2, SLUB_DEBUG_P = 4, SLUB_DEBUG_U = 8 };

struct program {
	uint8_t target;		/* enum target_id: the fuzz target it is for, or none */
	struct program_config config;
	uint64_t bugs;		/* historical bugs switched on (core bug registry bits) */
	int nops;
	struct op ops[MAX_OPS];
	int nevents;		/* sorted by (op, anchor, function, ordinal) */
	struct event events[MAX_EVENTS];
	char expect[32];	/* text form "# expect: CLASS", empty if none */
	/* text form "# sweep: KINDS [handler OPS]": a regression judged by a
	 * sweep of these interrupt kinds running this handler (default
	 * SWEEP_DEFAULT_HANDLER) instead of by one run */
	uint8_t sweep_kinds;	/* bit k: enum event_kind k; 0: no sweep line */
	/* text form "# unfired: op N @K kind": events a regression expects not
	 * to fire (reentry check fails one whose events do not all fire) */
	int nunfired;
	struct unfired {
		uint8_t op, anchor, kind;	/* enum event_anchor, enum event_kind */
		uint32_t ordinal;
		char fn[PROGRAM_FN_LEN];
	} unfired[MAX_EVENTS];
	uint8_t sweep_nhandler;
	struct op sweep_handler[MAX_HANDLER_OPS];
};

/*
 * Binary form. Never fails: any bytes give a valid program. The first byte is
 * the target tag (TARGET_TAG | id), any other value meaning none (inputs from
 * before tags have PROGRAM_VERSION there); every value decodes as version 1,
 * so old and mutated inputs stay meaningful. The binary form carries neither
 * bugs nor expect: decode sets bugs = 0 (targets take bugs from REENTRY_BUGS)
 * and expect = "". program_decode(NULL, 0, p) gives the empty program with
 * the default configuration.
 */
void program_decode(const uint8_t *data, size_t size, struct program *out);
/* Returns the number of bytes written (≤ cap), the exact inverse of decode for
 * the program it produces: decode(encode(p)) == p for every p that decode or
 * parse produced (bugs and expect aside). Writes whole records only, as many
 * as fit; PROGRAM_MAX_BYTES always suffices. The binary form has no function
 * anchors: 0 for a program with one (fuzz/anchors.h turns them into
 * ordinals first). */
size_t program_encode(const struct program *p, uint8_t *out, size_t cap);

/* Text form. Parse errors: returns false with "line L, column C: message" in err. */
bool program_parse(const char *text, struct program *out, char *err, size_t errsize);
/* The kconfig a program's config line asks for (fields the program cannot
 * set — bugs, arena size, memcg limit — are left alone). */
struct kconfig;
void program_config_apply(const struct program_config *c, struct kconfig *k);

/* Apply the items of a config line ("design=cpu_slab cpus=4 lockdep …", the
 * text after "# config:") on top of *cfg, e.g. for a `--config` override.
 * Booleans may be given bare or as name=0 / name=1. On error returns false
 * with "column C: message" in err and *cfg unchanged. */
bool program_config_parse(const char *text, struct program_config *cfg, char *err,
			  size_t errsize);
/* The items of a config line ("design=sheaves rule=alloc_trylock cpus=2
 * lockdep"): what "# config:" says, and what a trace's config line says.
 * Returns the length written (like snprintf). */
int program_config_print(const struct program_config *c, char *buf, size_t size);
/* Print the text form (round-trips through program_parse). Returns the length
 * written (like snprintf). */
int program_print(const struct program *p, char *buf, size_t size);

/* One operation as text, e.g. "a = kmalloc_nolock(64, __GFP_ZERO)". */
int op_print(const struct op *op, char *buf, size_t size);
/* Sort the events by (op, anchor, function, ordinal), stably: as decode and
 * parse leave them. */
void program_sort_events(struct program *p);
/* An event's anchor as text: "@slab_alloc_slow+3", "@40" or "#2". */
int program_anchor_print(char *buf, size_t size, uint8_t anchor, const char *fn,
			 uint32_t ordinal);
const char *op_kind_name(enum op_kind kind);

#endif /* REENTRY_FUZZ_PROGRAM_H */
