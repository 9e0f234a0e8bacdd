/*
 * fuzz/program.c — the program format of fuzz/program.h: the binary form
 * fuzzers mutate (decode/encode) and the text form people write (parse/print).
 *
 * Binary form, version 1
 * ----------------------
 * Built for mutation: a 4-byte header, then fixed-size 12-byte records. Each
 * byte of a record feeds one field (or two small fields packed in bit
 * ranges), every byte value means something, and records refer to one
 * another only by position (an event belongs to the op record before it), so
 * flipping a byte changes one field of one record and inserting or removing a
 * record shifts nothing else. A missing header byte reads as 0, which is the
 * default; a trailing partial record is ignored. Multi-byte fields are
 * little-endian.
 *
 *   header
 *     0     target: TARGET_TAG | id names the fuzz target the input is for
 *           (program.h, enum target_id); any other value is no target
 *           (untagged inputs, written before tags existed, have
 *           PROGRAM_VERSION here). Every value decodes as version 1, so old
 *           and mutated inputs keep their meaning.
 *     1     cpus = 1 + ((b + 1) & 7): 0 → 2 (the default), 1 → 3, … 6 → 8, 7 → 1
 *     2     config bits: 0 up, 1 preempt_rt, 2 slub_tiny, 3 lockdep,
 *           4 no_cpu_partial, 5 no_cmpxchg128, 6 design (1: sheaves),
 *           7 alloc_flags_rule (1: alloc_trylock). up forces cpus = 1.
 *     3     slab_objects = b % (PROGRAM_MAX_SLAB_OBJECTS + 1) (0: the default),
 *           shuffle = (b / (PROGRAM_MAX_SLAB_OBJECTS + 1)) & 1
 *
 *   The low bits of a record's byte 0 say what it is: xx0 a top-level op
 *   (half of all byte values: most records are operations), 01 an event,
 *   11 a handler op.
 *
 *   op record (top-level or handler op)
 *     0     top-level: kind = (b >> 1) % NR_OP_KINDS; handler: kind = (b >> 2) % NR_OP_KINDS
 *     1     top-level ops only: cpu = (b & 7) % cpus, section = (b >> 3) & 3
 *     2     slot = b % MAX_SLOTS
 *     3     cache = b & 3; kmem_cache_create: align = align_classes[(b >> 2) % 14]
 *     4     size class: b % 19 → size_classes[] below, or 18: the raw size in 6-7
 *     5     gfp class: b % 19 → gfp_classes[], or 18: the raw gfp in 8-11;
 *           kmem_cache_create: slab flag class b % 12 → slab_flag_classes[],
 *           or 11: the raw slab flags in 8-11
 *     6-7   raw size (size class escape)
 *     8-11  raw gfp or slab flags (class escape); write: offset in 8-9
 *   Only the bytes a kind uses are read (struct op says which); the encoder
 *   writes 0 in the others.
 *
 *   event record
 *     0     kind = (b >> 2) % NR_EVENT_KINDS
 *     1     faults: bit 0 set → AT_OCCURRENCE, else AT_BOUNDARY (interrupts
 *           are always AT_BOUNDARY)
 *     2-3   ordinal v: AT_BOUNDARY 1 + (v & 255) if bit 15 is clear, else
 *           1 + (v & 4095); AT_OCCURRENCE 1 + (v & 63). Operations have tens
 *           to a few hundred boundaries, so half of all values land in the
 *           first 256 and the rest still reach PROGRAM_MAX_ORDINAL.
 *     4     faults: count = 1 + (b & 15); EV_PREEMPT: cpu = (b & 7) % cpus
 *     5-11  unused
 *
 *   Structure:
 *   - A top-level op record appends an op; once MAX_OPS ops exist, further op
 *     records are ignored, with the events that follow them.
 *   - An event record belongs to the op of the last top-level op record
 *     before it (to op 0 if none came yet; dropped if the program has no op).
 *     Once MAX_EVENTS events exist, further event records are ignored.
 *   - A handler op record is appended to the handler of the closest event
 *     record before it (other handler op records between them are fine). It
 *     is ignored if a top-level op record came between them, if that event
 *     is a fault or was ignored, and beyond MAX_HANDLER_OPS.
 *   - Events are then sorted (stably) by (op, anchor, ordinal).
 *   The encoder writes each op record followed by its events, each followed by
 *   its handler op records, so decode(encode(p)) == p.
 *
 * Text form
 * ---------
 * One line per top-level op; '#' lines are headers or comments:
 *
 *   line     := blank | '#' comment | header | opline
 *   header   := '#' 'config:' item*          (before the first op line)
 *             | '#' 'target:' NAME           (a fuzz target: nolock, sheaves, ...)
 *             | '#' 'bug:' NAME (',' NAME)*  (names from core/bugs.c)
 *             | '#' 'expect:' CLASS          (e.g. double-alloc, clean)
 *             | '#' 'unfired:' 'op' N ('@'K | '#'K) KIND  (an event that must not
 *                                            fire: reentry check)
 *             | '#' 'sweep:' KIND (',' KIND)* ['handler' op (';' op)*]
 *                                            (a regression judged by a sweep;
 *                                             KIND an interrupt, the handler
 *                                             by default SWEEP_DEFAULT_HANDLER)
 *   item     := design=cpu_slab|sheaves | rule=gfp|alloc_trylock | cpus=1..8
 *             | slab_objects=0..32 | up | preempt_rt | slub_tiny | lockdep
 *             | no_cpu_partial | no_cmpxchg128 | shuffle | strict_api | memcg
 *             | no_debug_preempt | no_bounded_work | no_lockdep_irq
 *             | no_lockdep_assert | no_might_sleep | no_api_contract
 *             | no_kmemleak
 *             | slub_debug=FZPU                   (booleans also as name=0|1;
 *                                                  strict_api, memcg, the
 *                                                  no_ checks (debug checks
 *                                                  switched off), slub_debug:
 *                                                  text only)
 *   opline   := 'cpu'N section ':' op event* [comment]
 *   section  := task | irqs_off | preempt_off | raw_spin
 *   op       := S = kmalloc(SIZE, GFP)       | kfree(S)
 *             | S = kmalloc_nolock(SIZE, GFP) | kfree_nolock(S)
 *             | C = kmem_cache_create(SIZE, ALIGN, SLABFLAGS)
 *             | kmem_cache_destroy(C)        | S = kmem_cache_alloc(C, GFP)
 *             | kmem_cache_free(C, S)        | irq_work() | write(S, OFFSET, LEN)
 *   S        := a..z                 C := c0..c3
 *   GFP      := term ('|' term)*     term := a name from core/slab.h | number
 *   event    := '@'N interrupt [handler] | '@'N fault | '#'N fault
 *   interrupt:= nmi | hardirq | softirq | kprobe | irq_work | preempt cpuK
 *   fault    := fail (trylock | page_alloc | memcg) ['x'COUNT]
 *   handler  := '{' [op (';' op)* [';']] '}'
 *   comment  := '#' followed by a blank or the end of the line
 * Numbers are decimal or 0x-hex. A '#' directly followed by a digit is an
 * occurrence anchor, not a comment. Print writes the canonical form: headers
 * only when not the default, events sorted, flags as names (composites
 * first), handlers on the op's line.
 *
 * Nothing here depends on addresses, time or randomness: the same input
 * gives the same program, byte for byte.
 */
#include "program.h"

#include "../core/bugs.h"
#include "../core/slab.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define HEADER_SIZE 4
#define RECORD_SIZE 12
/* Byte 0 of a record: bit 0 clear, a top-level op; else bits 0-1 say which. */
#define REC_TYPE_MASK 0x03
#define REC_EVENT 0x01
#define REC_HANDLER 0x03
/* Boundary ordinals: bit 15 of the field picks the long range. */
#define ORDINAL_LONG 0x8000
#define ORDINAL_SHORT_MAX 256

_Static_assert(PROGRAM_MAX_BYTES == HEADER_SIZE + RECORD_SIZE *
	       (MAX_OPS + MAX_EVENTS * (1 + MAX_HANDLER_OPS)), "PROGRAM_MAX_BYTES");
_Static_assert(MAX_USER_CACHES <= 4, "the cache index has 2 bits");
_Static_assert(NR_SECTIONS <= 4, "the section has 2 bits");
_Static_assert((PROGRAM_MAX_ORDINAL & (PROGRAM_MAX_ORDINAL - 1)) == 0, "mask");
_Static_assert((PROGRAM_MAX_OCCURRENCE & (PROGRAM_MAX_OCCURRENCE - 1)) == 0, "mask");
_Static_assert(PROGRAM_MAX_FAULT_COUNT == 16, "the fault count has 4 bits");
_Static_assert(MAX_SLOTS <= 26, "slots are letters");

/* ------------------------------------------------------------------ */
/* Tables                                                              */
/* ------------------------------------------------------------------ */

/*
 * What each op kind takes. `result` is what it assigns ('s' a slot, 'c' a
 * cache, 0 nothing); `args` its arguments in text order: s slot, c cache,
 * z size, a align, o offset, g gfp, f slab flags. Decode, encode, print and
 * parse all follow this table.
 */
struct op_info {
	const char *name;
	char result;
	const char *args;
	const char *usage;	/* for error messages */
};

static const struct op_info op_info[NR_OP_KINDS] = {
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
static bool op_uses(const struct op *op, char field)
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

static const char *const section_names[NR_SECTIONS] = {
	[SEC_NONE] = "task",
	[SEC_IRQS_OFF] = "irqs_off",
	[SEC_PREEMPT_OFF] = "preempt_off",
	[SEC_RAW_SPINLOCK] = "raw_spin",
};

/*
 * What each event kind carries. Its text name is event_kind_name() of
 * inject/engine.c ("nmi", …, "preempt", "fail trylock", …): a fault's name is
 * "fail " and the fault.
 */
#define EVF_INTERRUPT	0x1	/* runs a handler (possibly empty) */
#define EVF_FAULT	0x2	/* has a count, may be anchored by occurrence */
#define EVF_CPU		0x4	/* names a CPU */

static const unsigned int event_flags[NR_EVENT_KINDS] = {
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
#define FAULT_PREFIX "fail "

static const char *const design_names[] = {
	[DESIGN_CPU_SLAB] = "cpu_slab",
	[DESIGN_SHEAVES] = "sheaves",
};

static const char *const rule_names[] = {
	[RULE_GFP] = "gfp",
	[RULE_ALLOC_TRYLOCK] = "alloc_trylock",
};

/* The config booleans, in print order, with their bit in header byte 2
 * (TEXT_ONLY: not in the binary form; a target sets it). */
#define TEXT_ONLY 8u
static const struct {
	const char *name;
	size_t offset;
	unsigned int bit;
} config_bools[] = {
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
	{ "no_lockdep_irq", offsetof(struct program_config, no_lockdep_irq), TEXT_ONLY },
	{ "no_lockdep_assert", offsetof(struct program_config, no_lockdep_assert), TEXT_ONLY },
	{ "no_might_sleep", offsetof(struct program_config, no_might_sleep), TEXT_ONLY },
	{ "no_api_contract", offsetof(struct program_config, no_api_contract), TEXT_ONLY },
	{ "no_kmemleak", offsetof(struct program_config, no_kmemleak), TEXT_ONLY },
};
#define CONFIG_DESIGN_BIT 6
#define CONFIG_RULE_BIT 7

static bool config_get(const struct program_config *c, size_t i)
{
	return *(const bool *)((const char *)c + config_bools[i].offset);
}

static void config_set(struct program_config *c, size_t i, bool v)
{
	*(bool *)((char *)c + config_bools[i].offset) = v;
}

static const struct program_config default_config = { .cpus = 2 };

/*
 * Flag names for parse and print. Print takes the entries marked `print` in
 * table order, each when all its bits are still left: composites first, then
 * single flags; leftover bits print as hex. Parse accepts every entry.
 */
struct flag_name {
	const char *name;
	uint32_t mask;
	bool print;
};

static const struct flag_name gfp_names[] = {
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
static const struct flag_name slab_flag_names[] = {
	{ "SLAB_DEBUG_FLAGS", SLAB_DEBUG_FLAGS, false },
	{ "SLAB_CONSISTENCY_CHECKS", SLAB_CONSISTENCY_CHECKS, true },
	{ "SLAB_RED_ZONE", SLAB_RED_ZONE, true },
	{ "SLAB_POISON", SLAB_POISON, true },
	{ "SLAB_HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN, true },
	{ "SLAB_STORE_USER", SLAB_STORE_USER, true },
	{ "SLAB_ACCOUNT", SLAB_ACCOUNT, true },
	{ NULL, 0, false },
};

/*
 * Binary value classes: one byte picks an interesting value, or the escape
 * (the index one past the table) takes the raw value from the record. The
 * common sizes are bucket boundaries (8192 is the largest kmalloc bucket,
 * 8193 goes to the page allocator), 96/192 the odd buckets, 100 an odd size.
 */
static const uint16_t size_classes[] = {
	0, 1, 8, 16, 24, 32, 64, 96, 100, 128, 192, 256, 512, 1024, 2048, 4096, 8192, 8193,
};

/* The first five are all kmalloc_nolock() accepts; the rest it must refuse. */
static const uint32_t gfp_classes[] = {
	0,
	__GFP_ZERO,
	__GFP_ACCOUNT,
	__GFP_ZERO | __GFP_ACCOUNT,
	__GFP_NO_OBJ_EXT,
	GFP_KERNEL,
	GFP_KERNEL | __GFP_ZERO,
	GFP_KERNEL | __GFP_ACCOUNT,
	GFP_ATOMIC,
	GFP_ATOMIC | __GFP_ZERO,
	GFP_NOWAIT,
	GFP_NOWAIT | __GFP_ZERO,
	__GFP_NOWARN,
	__GFP_NOFAIL,
	GFP_KERNEL | __GFP_NOFAIL,
	__GFP_HIGH,
	__GFP_KSWAPD_RECLAIM,
	__GFP_DIRECT_RECLAIM,
};

static const uint32_t slab_flag_classes[] = {
	0,
	SLAB_HWCACHE_ALIGN,
	SLAB_ACCOUNT,
	SLAB_RED_ZONE,
	SLAB_POISON,
	SLAB_STORE_USER,
	SLAB_CONSISTENCY_CHECKS,
	SLAB_RED_ZONE | SLAB_POISON,
	SLAB_RED_ZONE | SLAB_STORE_USER,
	SLAB_DEBUG_FLAGS,
	SLAB_DEBUG_FLAGS | SLAB_ACCOUNT,
};

/* kmem_cache_create() alignments: 0 (the default) or a power of two. */
static const uint16_t align_classes[] = {
	0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096,
};
#define MAX_ALIGN 4096

const char *op_kind_name(enum op_kind kind)
{
	return (unsigned int)kind < NR_OP_KINDS ? op_info[kind].name : "?";
}

/* ------------------------------------------------------------------ */
/* Binary form                                                         */
/* ------------------------------------------------------------------ */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* The class byte for v in table (the index, or n: the escape). */
static uint8_t class_of16(const uint16_t *table, size_t n, uint16_t v)
{
	size_t i;

	for (i = 0; i < n && table[i] != v; i++)
		;
	return (uint8_t)i;
}

static uint8_t class_of32(const uint32_t *table, size_t n, uint32_t v)
{
	size_t i;

	for (i = 0; i < n && table[i] != v; i++)
		;
	return (uint8_t)i;
}

static void decode_config(const uint8_t *data, size_t size, struct program_config *c)
{
	uint8_t hdr[HEADER_SIZE] = { 0 };

	if (size)
		memcpy(hdr, data, size < HEADER_SIZE ? size : HEADER_SIZE);
	memset(c, 0, sizeof(*c));
	c->cpus = 1 + ((hdr[1] + 1) & 7);
	for (size_t i = 0; i < ARRAY_SIZE(config_bools); i++)
		if (config_bools[i].bit != TEXT_ONLY)
			config_set(c, i, hdr[2] >> config_bools[i].bit & 1);
	c->design = hdr[2] >> CONFIG_DESIGN_BIT & 1;
	c->alloc_flags_rule = hdr[2] >> CONFIG_RULE_BIT & 1;
	c->slab_objects = hdr[3] % (PROGRAM_MAX_SLAB_OBJECTS + 1);
	c->shuffle = hdr[3] / (PROGRAM_MAX_SLAB_OBJECTS + 1) & 1;
	if (c->up)
		c->cpus = 1;
}

static void encode_config(const struct program_config *c, uint8_t *hdr)
{
	hdr[1] = (uint8_t)((c->cpus - 2) & 7);
	hdr[2] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(config_bools); i++)
		if (config_get(c, i))
			hdr[2] |= (uint8_t)(config_bools[i].bit == TEXT_ONLY ? 0 : 1u << config_bools[i].bit);
	hdr[2] |= (c->design & 1) << CONFIG_DESIGN_BIT;
	hdr[2] |= (c->alloc_flags_rule & 1) << CONFIG_RULE_BIT;
	hdr[3] = (uint8_t)(c->slab_objects + (c->shuffle ? PROGRAM_MAX_SLAB_OBJECTS + 1 : 0));
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

static uint8_t decode_target(uint8_t byte0)
{
	unsigned int id = byte0 & (uint8_t)~TARGET_TAG;

	return (byte0 & TARGET_TAG) && id > TARGET_NONE && id < NR_TARGETS ? (uint8_t)id
									  : TARGET_NONE;
}

static uint8_t encode_target(uint8_t target)
{
	return target > TARGET_NONE && target < NR_TARGETS ? (uint8_t)(TARGET_TAG | target)
							     : PROGRAM_VERSION;
}

static void decode_op(const uint8_t *r, bool top, unsigned int cpus, struct op *op)
{
	memset(op, 0, sizeof(*op));
	op->kind = (r[0] >> (top ? 1 : 2)) % NR_OP_KINDS;
	if (top) {
		op->cpu = (r[1] & 7) % cpus;
		op->section = (r[1] >> 3) & 3;
	}
	if (op_uses(op, 's'))
		op->slot = r[2] % MAX_SLOTS;
	if (op_uses(op, 'c'))
		op->cache = r[3] & 3;
	if (op_uses(op, 'a'))
		op->arg = align_classes[(r[3] >> 2) % ARRAY_SIZE(align_classes)];
	if (op_uses(op, 'z')) {
		unsigned int c = r[4] % (ARRAY_SIZE(size_classes) + 1);

		op->size = c < ARRAY_SIZE(size_classes) ? size_classes[c] : get16(r + 6);
	}
	if (op_uses(op, 'g')) {
		unsigned int c = r[5] % (ARRAY_SIZE(gfp_classes) + 1);

		op->gfp = c < ARRAY_SIZE(gfp_classes) ? gfp_classes[c] : get32(r + 8);
	}
	if (op_uses(op, 'f')) {
		unsigned int c = r[5] % (ARRAY_SIZE(slab_flag_classes) + 1);

		op->flags = c < ARRAY_SIZE(slab_flag_classes) ? slab_flag_classes[c] : get32(r + 8);
	}
	if (op_uses(op, 'o'))
		op->arg = get16(r + 8);
}

static void encode_op(const struct op *op, bool top, uint8_t *r)
{
	uint8_t c;

	if (top)
		r[0] = (uint8_t)((op->kind % NR_OP_KINDS) << 1);
	else
		r[0] = (uint8_t)((op->kind % NR_OP_KINDS) << 2 | REC_HANDLER);
	if (top)
		r[1] = (uint8_t)((op->cpu & 7) | (op->section & 3) << 3);
	if (op_uses(op, 's'))
		r[2] = op->slot;
	if (op_uses(op, 'c'))
		r[3] = op->cache & 3;
	if (op_uses(op, 'a')) {
		c = class_of16(align_classes, ARRAY_SIZE(align_classes), op->arg);
		r[3] |= (uint8_t)((c % ARRAY_SIZE(align_classes)) << 2);
	}
	if (op_uses(op, 'z')) {
		r[4] = c = class_of16(size_classes, ARRAY_SIZE(size_classes), op->size);
		if (c == ARRAY_SIZE(size_classes))
			put16(r + 6, op->size);
	}
	if (op_uses(op, 'g')) {
		r[5] = c = class_of32(gfp_classes, ARRAY_SIZE(gfp_classes), op->gfp);
		if (c == ARRAY_SIZE(gfp_classes))
			put32(r + 8, op->gfp);
	}
	if (op_uses(op, 'f')) {
		r[5] = c = class_of32(slab_flag_classes, ARRAY_SIZE(slab_flag_classes), op->flags);
		if (c == ARRAY_SIZE(slab_flag_classes))
			put32(r + 8, op->flags);
	}
	if (op_uses(op, 'o'))
		put16(r + 8, op->arg);
}

static void decode_event(const uint8_t *r, unsigned int cpus, int op, struct event *ev)
{
	unsigned int flags;
	uint16_t v = get16(r + 2);

	memset(ev, 0, sizeof(*ev));
	ev->kind = (r[0] >> 2) % NR_EVENT_KINDS;
	ev->op = (uint8_t)op;
	flags = event_flags[ev->kind];
	if (flags & EVF_FAULT) {
		ev->anchor = (r[1] & 1) ? AT_OCCURRENCE : AT_BOUNDARY;
		ev->count = 1 + (r[4] & (PROGRAM_MAX_FAULT_COUNT - 1));
	}
	if (flags & EVF_CPU)
		ev->cpu = (r[4] & 7) % cpus;
	if (ev->anchor == AT_OCCURRENCE)
		ev->ordinal = 1 + (v & (PROGRAM_MAX_OCCURRENCE - 1));
	else if (v & ORDINAL_LONG)
		ev->ordinal = 1 + (v & (PROGRAM_MAX_ORDINAL - 1));
	else
		ev->ordinal = 1 + (v & (ORDINAL_SHORT_MAX - 1));
}

static void encode_event(const struct event *ev, uint8_t *r)
{
	unsigned int kind = ev->kind % NR_EVENT_KINDS;

	r[0] = (uint8_t)(REC_EVENT | kind << 2);
	r[1] = ev->anchor == AT_OCCURRENCE;
	if (ev->anchor == AT_OCCURRENCE || ev->ordinal <= ORDINAL_SHORT_MAX)
		put16(r + 2, (uint16_t)(ev->ordinal - 1));
	else
		put16(r + 2, (uint16_t)(ORDINAL_LONG | (ev->ordinal - 1)));
	if (event_flags[kind] & EVF_FAULT)
		r[4] = (uint8_t)((ev->count - 1) & (PROGRAM_MAX_FAULT_COUNT - 1));
	if (event_flags[kind] & EVF_CPU)
		r[4] = ev->cpu & 7;
}

static bool event_before(const struct event *a, const struct event *b)
{
	if (a->op != b->op)
		return a->op < b->op;
	if (a->anchor != b->anchor)
		return a->anchor < b->anchor;
	return a->ordinal < b->ordinal;
}

/* Stable (insertion) sort by (op, anchor, ordinal): events at the same point
 * keep their order, so encode → decode gives them back as they were. */
static void sort_events(struct program *p)
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

void program_decode(const uint8_t *data, size_t size, struct program *out)
{
	struct event *ev = NULL;	/* whose handler takes handler op records */
	bool op_ignored = false;	/* the last op record was beyond MAX_OPS */
	unsigned int cpus;

	memset(out, 0, sizeof(*out));
	out->target = size ? decode_target(data[0]) : TARGET_NONE;
	decode_config(data, size, &out->config);
	cpus = out->config.cpus;

	for (size_t at = HEADER_SIZE; at + RECORD_SIZE <= size; at += RECORD_SIZE) {
		const uint8_t *r = data + at;

		if ((r[0] & REC_TYPE_MASK) == REC_EVENT) {
			ev = NULL;
			if (op_ignored || out->nevents == MAX_EVENTS)
				continue;
			ev = &out->events[out->nevents++];
			decode_event(r, cpus, out->nops ? out->nops - 1 : 0, ev);
			if (!(event_flags[ev->kind] & EVF_INTERRUPT))
				ev = NULL;
		} else if ((r[0] & REC_TYPE_MASK) == REC_HANDLER) {
			if (!ev || ev->nops == MAX_HANDLER_OPS)
				continue;
			decode_op(r, false, cpus, &ev->ops[ev->nops++]);
		} else {
			ev = NULL;
			op_ignored = out->nops == MAX_OPS;
			if (!op_ignored)
				decode_op(r, true, cpus, &out->ops[out->nops++]);
		}
	}
	if (!out->nops) {
		memset(out->events, 0, sizeof(out->events));
		out->nevents = 0;
	}
	sort_events(out);
}

/* Appends zeroed records while they fit. */
struct record_writer {
	uint8_t *out;
	size_t cap, len;
};

static uint8_t *next_record(struct record_writer *w)
{
	uint8_t *r;

	if (w->len + RECORD_SIZE > w->cap)
		return NULL;
	r = w->out + w->len;
	memset(r, 0, RECORD_SIZE);
	w->len += RECORD_SIZE;
	return r;
}

size_t program_encode(const struct program *p, uint8_t *out, size_t cap)
{
	struct record_writer w = { .out = out, .cap = cap, .len = HEADER_SIZE };
	int nops = p->nops < 0 ? 0 : p->nops > MAX_OPS ? MAX_OPS : p->nops;
	int nevents = p->nevents < 0 ? 0 : p->nevents > MAX_EVENTS ? MAX_EVENTS : p->nevents;
	uint8_t *r;

	if (cap < HEADER_SIZE)
		return 0;
	encode_config(&p->config, out);
	out[0] = encode_target(p->target);

	for (int i = 0; i < nops; i++) {
		if (!(r = next_record(&w)))
			return w.len;
		encode_op(&p->ops[i], true, r);

		for (int e = 0; e < nevents; e++) {
			const struct event *ev = &p->events[e];
			int n = ev->nops > MAX_HANDLER_OPS ? MAX_HANDLER_OPS : ev->nops;

			if (ev->op != i)
				continue;
			if (!(r = next_record(&w)))
				return w.len;
			encode_event(ev, r);
			if (!(event_flags[ev->kind % NR_EVENT_KINDS] & EVF_INTERRUPT))
				continue;
			for (int j = 0; j < n; j++) {
				if (!(r = next_record(&w)))
					return w.len;
				encode_op(&ev->ops[j], false, r);
			}
		}
	}
	return w.len;
}

/* ------------------------------------------------------------------ */
/* Text form: print                                                    */
/* ------------------------------------------------------------------ */

/* snprintf-style output: counts everything, stores what fits. */
struct text_out {
	char *buf;
	size_t size, len;
};

__attribute__((format(printf, 2, 3)))
static void emit(struct text_out *o, const char *fmt, ...)
{
	char *dst = o->len < o->size ? o->buf + o->len : NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, dst ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void emit_flags(struct text_out *o, uint32_t v, const struct flag_name *names)
{
	const char *sep = "";

	if (!v) {
		emit(o, "0");
		return;
	}
	for (const struct flag_name *n = names; n->name; n++) {
		if (!n->print || (v & n->mask) != n->mask)
			continue;
		emit(o, "%s%s", sep, n->name);
		sep = "|";
		v &= ~n->mask;
	}
	if (v)
		emit(o, "%s0x%x", sep, v);
}

static void emit_field(struct text_out *o, const struct op *op, char field)
{
	switch (field) {
	case 's':
		emit(o, "%c", 'a' + op->slot % MAX_SLOTS);
		break;
	case 'c':
		emit(o, "c%u", op->cache);
		break;
	case 'z':
		emit(o, "%u", op->size);
		break;
	case 'a':
	case 'o':
		emit(o, "%u", op->arg);
		break;
	case 'g':
		emit_flags(o, op->gfp, gfp_names);
		break;
	case 'f':
		emit_flags(o, op->flags, slab_flag_names);
		break;
	}
}

static void emit_op(struct text_out *o, const struct op *op)
{
	const struct op_info *info;

	if (op->kind >= NR_OP_KINDS) {
		emit(o, "invalid_op_%u()", op->kind);
		return;
	}
	info = &op_info[op->kind];
	if (info->result) {
		emit_field(o, op, info->result);
		emit(o, " = ");
	}
	emit(o, "%s(", info->name);
	for (const char *a = info->args; *a; a++) {
		if (a != info->args)
			emit(o, ", ");
		emit_field(o, op, *a);
	}
	emit(o, ")");
}

int op_print(const struct op *op, char *buf, size_t size)
{
	struct text_out o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	emit_op(&o, op);
	return (int)o.len;
}

static void emit_event(struct text_out *o, const struct event *ev)
{
	unsigned int flags;

	if (ev->kind >= NR_EVENT_KINDS) {
		emit(o, "@%u invalid_event_%u", ev->ordinal, ev->kind);
		return;
	}
	flags = event_flags[ev->kind];
	emit(o, "%c%u %s", ev->anchor == AT_OCCURRENCE ? '#' : '@', ev->ordinal,
	     event_kind_name(ev->kind));
	if (flags & EVF_CPU)
		emit(o, " cpu%u", ev->cpu);
	if ((flags & EVF_FAULT) && ev->count > 1)
		emit(o, " x%u", ev->count);
	if ((flags & EVF_INTERRUPT) && ev->nops > 0) {
		emit(o, " { ");
		for (int i = 0; i < ev->nops && i < MAX_HANDLER_OPS; i++) {
			if (i)
				emit(o, "; ");
			emit_op(o, &ev->ops[i]);
		}
		emit(o, " }");
	}
}

static bool config_is_default(const struct program_config *c)
{
	const struct program_config *d = &default_config;

	for (size_t i = 0; i < ARRAY_SIZE(config_bools); i++)
		if (config_get(c, i) != config_get(d, i))
			return false;
	return c->design == d->design && c->alloc_flags_rule == d->alloc_flags_rule &&
	       c->cpus == d->cpus && c->slab_objects == d->slab_objects &&
	       c->slub_debug == d->slub_debug;
}

/* slub_debug= letters, in the kernel's order: F (consistency checks), Z (red
 * zones), P (poisoning), U (store user). */
static const char slub_debug_letters[] = "FZPU";

static const char *name_or(const char *const *names, size_t n, unsigned int i)
{
	return i < n && names[i] ? names[i] : "?";
}

static void emit_config(struct text_out *o, const struct program_config *c)
{
	emit(o, "design=%s", name_or(design_names, ARRAY_SIZE(design_names), c->design));
	if (c->alloc_flags_rule != default_config.alloc_flags_rule)
		emit(o, " rule=%s", name_or(rule_names, ARRAY_SIZE(rule_names), c->alloc_flags_rule));
	emit(o, " cpus=%u", c->cpus);
	for (size_t i = 0; i < ARRAY_SIZE(config_bools); i++)
		if (config_get(c, i))
			emit(o, " %s", config_bools[i].name);
	if (c->slab_objects)
		emit(o, " slab_objects=%u", c->slab_objects);
	if (c->slub_debug) {
		emit(o, " slub_debug=");
		for (int i = 0; i < 4; i++)
			if (c->slub_debug & (1u << i))
				emit(o, "%c", slub_debug_letters[i]);
	}
}

/* " handler OPS", unless the handler is the default one. */
static void emit_sweep_handler(struct text_out *o, const struct program *p)
{
	char ops[512], op[160];
	struct text_out h = { ops, sizeof(ops), 0 };

	ops[0] = '\0';
	for (int i = 0; i < p->sweep_nhandler && i < MAX_HANDLER_OPS; i++) {
		op_print(&p->sweep_handler[i], op, sizeof(op));
		emit(&h, "%s%s", i ? "; " : "", op);
	}
	if (strcmp(ops, SWEEP_DEFAULT_HANDLER) != 0)
		emit(o, " handler %s", ops);
}

int program_config_print(const struct program_config *c, char *buf, size_t size)
{
	struct text_out o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	emit_config(&o, c);
	return (int)o.len;
}

int program_print(const struct program *p, char *buf, size_t size)
{
	struct text_out o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	if (program_target_name(p->target))
		emit(&o, "# target: %s\n", program_target_name(p->target));
	if (!config_is_default(&p->config)) {
		emit(&o, "# config: ");
		emit_config(&o, &p->config);
		emit(&o, "\n");
	}
	if (p->bugs) {
		const char *sep = "";

		emit(&o, "# bug: ");
		for (int i = 0; i < NR_SLAB_BUGS; i++) {
			if (!(p->bugs & (1ull << i)))
				continue;
			emit(&o, "%s%s", sep, slab_bugs[i].name);
			sep = ",";
		}
		emit(&o, "\n");
	}
	if (p->sweep_kinds) {
		const char *sep = "";

		emit(&o, "# sweep: ");
		for (int k = 0; k < EV_NR_INTERRUPTS; k++) {
			if (!(p->sweep_kinds & (1u << k)))
				continue;
			emit(&o, "%s%s", sep, event_kind_name((enum event_kind)k));
			sep = ",";
		}
		emit_sweep_handler(&o, p);
		emit(&o, "\n");
	}
	for (int i = 0; i < p->nunfired && i < MAX_EVENTS; i++)
		emit(&o, "# unfired: op %u %s%u %s\n", p->unfired[i].op,
		     p->unfired[i].anchor == AT_OCCURRENCE ? "#" : "@", p->unfired[i].ordinal,
		     event_kind_name((enum event_kind)p->unfired[i].kind));
	if (p->expect[0])
		emit(&o, "# expect: %.*s\n", (int)sizeof(p->expect), p->expect);

	for (int i = 0; i < p->nops && i < MAX_OPS; i++) {
		const struct op *op = &p->ops[i];

		emit(&o, "cpu%u %s: ", op->cpu,
		     name_or(section_names, NR_SECTIONS, op->section));
		emit_op(&o, op);
		for (int e = 0; e < p->nevents && e < MAX_EVENTS; e++) {
			if (p->events[e].op != i)
				continue;
			emit(&o, "  ");
			emit_event(&o, &p->events[e]);
		}
		emit(&o, "\n");
	}
	return (int)o.len;
}

/* ------------------------------------------------------------------ */
/* Text form: parse                                                    */
/* ------------------------------------------------------------------ */

/* The parser works on one line at a time; every error names where it is. */
struct cursor {
	const char *p, *end;	/* position and end of the current line */
	const char *line_start;
	int line;		/* 1-based; 0: a lone config string (no line number) */
	char *err;
	size_t errsize;
	bool failed;
};

/* Record the first error, at `at`, and return false. */
__attribute__((format(printf, 3, 4)))
static bool fail_at(struct cursor *c, const char *at, const char *fmt, ...)
{
	int col = (int)(at - c->line_start) + 1;
	va_list ap;
	int n;

	if (c->failed || !c->err || !c->errsize) {
		c->failed = true;
		return false;
	}
	c->failed = true;
	if (c->line)
		n = snprintf(c->err, c->errsize, "line %d, column %d: ", c->line, col);
	else
		n = snprintf(c->err, c->errsize, "column %d: ", col);
	if (n < 0 || (size_t)n >= c->errsize)
		return false;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errsize - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static bool is_ident(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* The next character after blanks, '\0' at the end of the line. */
static char peek(struct cursor *c)
{
	while (c->p < c->end && is_blank(*c->p))
		c->p++;
	return c->p < c->end ? *c->p : '\0';
}

static char peek2(struct cursor *c)
{
	return c->p + 1 < c->end ? c->p[1] : '\0';
}

static bool accept(struct cursor *c, char ch)
{
	if (peek(c) != ch)
		return false;
	c->p++;
	return true;
}

/* A token for messages: quoted, at most 40 characters. */
#define TOK(s, n) (int)((n) > 40 ? 40 : (n)), (s)

/* An identifier ([A-Za-z0-9_]+) after blanks; *len = 0 if there is none. */
static const char *ident(struct cursor *c, size_t *len)
{
	const char *start;

	peek(c);
	start = c->p;
	while (c->p < c->end && is_ident(*c->p))
		c->p++;
	*len = (size_t)(c->p - start);
	return start;
}

static bool token_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static int lookup(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && token_is(s, len, names[i]))
			return (int)i;
	return -1;
}

/* A decimal or 0x-hex number ≤ max, after blanks. */
static bool number(struct cursor *c, uint64_t max, uint64_t *val, const char *what)
{
	const char *start;
	unsigned int base = 10;
	uint64_t v = 0;
	bool any = false;

	peek(c);
	start = c->p;
	if (c->end - c->p >= 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X')) {
		base = 16;
		c->p += 2;
	}
	for (; c->p < c->end; c->p++) {
		char ch = (char)tolower((unsigned char)*c->p);
		unsigned int d;

		if (is_digit(ch))
			d = (unsigned int)(ch - '0');
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = (unsigned int)(ch - 'a' + 10);
		else
			break;
		v = v * base + d;
		any = true;
		if (v > max)
			return fail_at(c, start, "%s must be at most %llu", what,
				       (unsigned long long)max);
	}
	if (!any || (c->p < c->end && is_ident(*c->p)))
		return fail_at(c, start, "expected %s (a number)", what);
	*val = v;
	return true;
}

static bool expect_end(struct cursor *c)
{
	if (peek(c))
		return fail_at(c, c->p, "unexpected '%c', expected the end of the line", *c->p);
	return true;
}

static bool slot_token(struct cursor *c, const char *s, size_t n, uint8_t *slot)
{
	if (n == 0)
		return fail_at(c, s, "expected a slot (a..%c)", 'a' + MAX_SLOTS - 1);
	if (n != 1 || s[0] < 'a' || s[0] >= 'a' + MAX_SLOTS)
		return fail_at(c, s, "bad slot '%.*s' (slots are a..%c)", TOK(s, n),
			       'a' + MAX_SLOTS - 1);
	*slot = (uint8_t)(s[0] - 'a');
	return true;
}

static bool cache_token(struct cursor *c, const char *s, size_t n, uint8_t *cache)
{
	if (n == 0)
		return fail_at(c, s, "expected a cache (c0..c%d)", MAX_USER_CACHES - 1);
	if (n != 2 || s[0] != 'c' || s[1] < '0' || s[1] >= '0' + MAX_USER_CACHES)
		return fail_at(c, s, "bad cache '%.*s' (caches are c0..c%d)", TOK(s, n),
			       MAX_USER_CACHES - 1);
	*cache = (uint8_t)(s[1] - '0');
	return true;
}

/* "cpuN" with N < cpus. */
static bool cpu_token(struct cursor *c, const char *s, size_t n, unsigned int cpus,
		      uint8_t *cpu)
{
	unsigned int v = 0;

	if (n < 4 || n > 6 || memcmp(s, "cpu", 3) != 0)
		return fail_at(c, s, "expected a CPU (cpu0..cpu%u)", cpus - 1);
	for (size_t i = 3; i < n; i++) {
		if (!is_digit(s[i]))
			return fail_at(c, s, "expected a CPU (cpu0..cpu%u)", cpus - 1);
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v >= cpus)
		return fail_at(c, s + 3, "cpu%u does not exist (cpus=%u)", v, cpus);
	*cpu = (uint8_t)v;
	return true;
}

/* term ('|' term)*: names from the table or numbers. */
static bool parse_flags(struct cursor *c, const struct flag_name *names, const char *what,
			uint32_t *out)
{
	uint32_t v = 0;

	do {
		const char *s;
		size_t n;
		uint64_t x;

		if (is_digit(peek(c))) {
			if (!number(c, UINT32_MAX, &x, "a flags value"))
				return false;
			v |= (uint32_t)x;
			continue;
		}
		s = ident(c, &n);
		if (!n)
			return fail_at(c, s, "expected a %s (0, a name or 0x…)", what);
		for (const struct flag_name *f = names;; f++) {
			if (!f->name)
				return fail_at(c, s, "unknown %s '%.*s'", what, TOK(s, n));
			if (token_is(s, n, f->name)) {
				v |= f->mask;
				break;
			}
		}
	} while (accept(c, '|'));
	*out = v;
	return true;
}

static bool parse_field(struct cursor *c, struct op *op, char field)
{
	const char *s;
	size_t n;
	uint64_t v;

	switch (field) {
	case 's':
		s = ident(c, &n);
		return slot_token(c, s, n, &op->slot);
	case 'c':
		s = ident(c, &n);
		return cache_token(c, s, n, &op->cache);
	case 'z':
		if (!number(c, UINT16_MAX, &v, op->kind == OP_WRITE ? "a length" : "a size"))
			return false;
		op->size = (uint16_t)v;
		return true;
	case 'o':
		if (!number(c, UINT16_MAX, &v, "an offset"))
			return false;
		op->arg = (uint16_t)v;
		return true;
	case 'a':
		peek(c);
		s = c->p;
		if (!number(c, MAX_ALIGN, &v, "an alignment"))
			return false;
		if (class_of16(align_classes, ARRAY_SIZE(align_classes), (uint16_t)v) ==
		    ARRAY_SIZE(align_classes))
			return fail_at(c, s, "an alignment must be 0 or a power of two up to %d",
				       MAX_ALIGN);
		op->arg = (uint16_t)v;
		return true;
	case 'g':
		return parse_flags(c, gfp_names, "gfp flag", &op->gfp);
	case 'f':
		return parse_flags(c, slab_flag_names, "slab flag", &op->flags);
	}
	return false;
}

/* [result '='] name '(' args ')' */
static bool parse_op(struct cursor *c, struct op *op)
{
	const struct op_info *info;
	const char *res = NULL, *name;
	size_t res_len = 0, len;
	int kind = -1;

	memset(op, 0, sizeof(*op));
	name = ident(c, &len);
	if (!len)
		return fail_at(c, name, "expected an operation");
	if (accept(c, '=')) {
		res = name;
		res_len = len;
		name = ident(c, &len);
		if (!len)
			return fail_at(c, name, "expected an operation after '='");
	}
	for (int k = 0; k < NR_OP_KINDS; k++)
		if (token_is(name, len, op_info[k].name))
			kind = k;
	if (kind < 0)
		return fail_at(c, name, "unknown operation '%.*s'", TOK(name, len));
	op->kind = (uint8_t)kind;
	info = &op_info[kind];

	if (info->result && !res)
		return fail_at(c, name, "%s needs a result: %s", info->name, info->usage);
	if (!info->result && res)
		return fail_at(c, res, "%s has no result to assign: %s", info->name, info->usage);
	if (res && info->result == 's' && !slot_token(c, res, res_len, &op->slot))
		return false;
	if (res && info->result == 'c' && !cache_token(c, res, res_len, &op->cache))
		return false;

	if (!accept(c, '('))
		return fail_at(c, c->p, "expected '(': %s", info->usage);
	for (const char *a = info->args; *a; a++) {
		if (a != info->args && !accept(c, ','))
			return fail_at(c, c->p, peek(c) == ')' ? "too few arguments: %s" :
				       "expected ',': %s", info->usage);
		if (!parse_field(c, op, *a))
			return false;
	}
	if (!accept(c, ')'))
		return fail_at(c, c->p, peek(c) == ',' ? "too many arguments: %s" :
			       "expected ')': %s", info->usage);
	return true;
}

/* '{' [op (';' op)* [';']] '}' */
static bool parse_handler(struct cursor *c, struct event *ev)
{
	c->p++;	/* '{' */
	if (accept(c, '}'))
		return true;
	for (;;) {
		if (ev->nops == MAX_HANDLER_OPS)
			return fail_at(c, c->p, "too many handler operations (at most %d)",
				       MAX_HANDLER_OPS);
		if (!parse_op(c, &ev->ops[ev->nops]))
			return false;
		ev->nops++;
		if (accept(c, ';')) {
			if (accept(c, '}'))
				return true;
			continue;
		}
		if (accept(c, '}'))
			return true;
		if (!peek(c))
			return fail_at(c, c->p, "expected '}' to close the handler");
		return fail_at(c, c->p, "expected ';' or '}'");
	}
}

#define EVENT_KINDS_HELP \
	"nmi, hardirq, softirq, kprobe, irq_work, preempt cpuN, fail trylock|page_alloc|memcg"

/* '@'N kind … or '#'N fault …, at the cursor ('@' or '#'). */
/* "@K kind" or "#K kind" (c at the '@' or '#'): the anchor, ordinal and kind of ev. */
static bool parse_anchor_kind(struct cursor *c, struct event *ev, enum event_anchor anchor)
{
	const char *s, *kind_at;
	size_t n;
	uint64_t v;
	int kind = -1;

	ev->anchor = (uint8_t)anchor;
	c->p++;
	s = c->p;
	if (anchor == AT_BOUNDARY) {
		if (!number(c, PROGRAM_MAX_ORDINAL, &v, "a boundary ordinal"))
			return false;
	} else if (!number(c, PROGRAM_MAX_OCCURRENCE, &v, "an occurrence ordinal")) {
		return false;
	}
	if (v == 0)
		return fail_at(c, s, "ordinals count from 1");
	ev->ordinal = (uint32_t)v;

	kind_at = s = ident(c, &n);
	if (token_is(s, n, "fail")) {	/* FAULT_PREFIX */
		s = ident(c, &n);
		for (int k = 0; k < NR_EVENT_KINDS; k++)
			if ((event_flags[k] & EVF_FAULT) &&
			    token_is(s, n, event_kind_name(k) + strlen(FAULT_PREFIX)))
				kind = k;
		if (kind < 0)
			return fail_at(c, s, "unknown fault '%.*s' (trylock, page_alloc, memcg)",
				       TOK(s, n));
	} else {
		for (int k = 0; k < NR_EVENT_KINDS; k++)
			if (!(event_flags[k] & EVF_FAULT) && token_is(s, n, event_kind_name(k)))
				kind = k;
		if (kind < 0 && !n)
			return fail_at(c, s, "expected an event (" EVENT_KINDS_HELP ")");
		if (kind < 0)
			return fail_at(c, s, "unknown event '%.*s' (" EVENT_KINDS_HELP ")", TOK(s, n));
	}
	ev->kind = (uint8_t)kind;
	if (anchor == AT_OCCURRENCE && !(event_flags[kind] & EVF_FAULT))
		return fail_at(c, kind_at, "%s is an interrupt: anchor it at a boundary (@N); "
			       "#N counts occurrences, for faults", event_kind_name(kind));
	return true;
}

static bool parse_event(struct cursor *c, struct program *p, enum event_anchor anchor)
{
	const char *at = c->p, *s;
	struct event *ev;
	unsigned int flags;
	size_t n;
	uint64_t v;

	if (p->nevents == MAX_EVENTS)
		return fail_at(c, at, "too many events (at most %d)", MAX_EVENTS);
	ev = &p->events[p->nevents];
	memset(ev, 0, sizeof(*ev));
	ev->op = (uint8_t)(p->nops - 1);
	if (!parse_anchor_kind(c, ev, anchor))
		return false;
	flags = event_flags[ev->kind];
	if (flags & EVF_CPU) {
		s = ident(c, &n);
		if (!cpu_token(c, s, n, p->config.cpus, &ev->cpu))
			return false;
	}
	if (flags & EVF_FAULT) {
		ev->count = 1;
		if (peek(c) == 'x' && is_digit(peek2(c))) {
			c->p++;
			s = c->p;
			if (!number(c, PROGRAM_MAX_FAULT_COUNT, &v, "a fault count"))
				return false;
			if (v == 0)
				return fail_at(c, s, "a fault count is at least 1");
			ev->count = (uint8_t)v;
		}
		if (peek(c) == '{')
			return fail_at(c, c->p, "a fault has no handler");
	}
	if ((flags & EVF_INTERRUPT) && peek(c) == '{' && !parse_handler(c, ev))
		return false;
	p->nevents++;
	return true;
}

/* "# unfired: op N @K kind": an event the regression expects not to fire. */
static bool parse_unfired(struct cursor *c, struct program *p)
{
	struct event ev = { 0 };
	const char *s;
	size_t n;
	uint64_t v;

	if (p->nunfired == MAX_EVENTS)
		return fail_at(c, c->p, "too many '# unfired:' lines (at most %d)", MAX_EVENTS);
	s = ident(c, &n);
	if (!token_is(s, n, "op"))
		return fail_at(c, s, "expected 'op N @K kind' (an event of the program)");
	if (!number(c, MAX_OPS - 1, &v, "an operation index"))
		return false;
	peek(c);
	if (*c->p != '@' && *c->p != '#')
		return fail_at(c, c->p, "expected '@K' or '#K' after the operation");
	if (!parse_anchor_kind(c, &ev, *c->p == '@' ? AT_BOUNDARY : AT_OCCURRENCE))
		return false;
	p->unfired[p->nunfired++] = (struct unfired){
		.op = (uint8_t)v, .anchor = ev.anchor, .kind = ev.kind, .ordinal = ev.ordinal,
	};
	return expect_end(c);
}

/* cpuN section ':' op event* [comment] */
static bool parse_op_line(struct cursor *c, struct program *p)
{
	struct op op;
	const char *s;
	size_t n;
	uint8_t cpu;
	int section;

	peek(c);
	if (p->nops == MAX_OPS)
		return fail_at(c, c->p, "too many operations (at most %d)", MAX_OPS);
	s = ident(c, &n);
	if (n < 4 || memcmp(s, "cpu", 3) != 0 || !is_digit(s[3]))
		return fail_at(c, s, "expected 'cpuN section:' before the operation, "
			       "as in 'cpu0 task: a = kmalloc(64, GFP_KERNEL)'");
	if (!cpu_token(c, s, n, p->config.cpus, &cpu))
		return false;
	s = ident(c, &n);
	section = lookup(section_names, NR_SECTIONS, s, n);
	if (section < 0 && !n)
		return fail_at(c, s, "expected a section (task, irqs_off, preempt_off, raw_spin)");
	if (section < 0)
		return fail_at(c, s, "unknown section '%.*s' (task, irqs_off, preempt_off, raw_spin)",
			       TOK(s, n));
	if (!accept(c, ':'))
		return fail_at(c, c->p, "expected ':' after the section");
	if (!parse_op(c, &op))
		return false;
	op.cpu = cpu;
	op.section = (uint8_t)section;
	p->ops[p->nops++] = op;

	for (;;) {
		char ch = peek(c);

		if (!ch)
			break;
		if (ch == '#') {
			if (!peek2(c) || is_blank(peek2(c)))
				break;	/* a comment */
			if (!is_digit(peek2(c)))
				return fail_at(c, c->p, "'#' followed by a number is an occurrence "
					       "anchor; a comment needs a blank after '#'");
			if (!parse_event(c, p, AT_OCCURRENCE))
				return false;
		} else if (ch == '@') {
			if (!parse_event(c, p, AT_BOUNDARY))
				return false;
		} else {
			return fail_at(c, c->p, "unexpected '%c': expected an event (@N, #N) "
				       "or a comment (# …)", ch);
		}
	}
	return true;
}

/* Config items, applied to *cfg only if they all parse. */
static bool parse_config_items(struct cursor *c, struct program_config *cfg)
{
	struct program_config n = *cfg;
	const char *cpus_at = NULL;

	while (peek(c)) {
		const char *key, *s;
		size_t klen, len;
		bool has_value;
		uint64_t v;
		int i;

		key = ident(c, &klen);
		if (!klen)
			return fail_at(c, key, "expected a config item (design=, rule=, cpus=, "
				       "slab_objects=, slub_debug=, up, preempt_rt, slub_tiny, lockdep, "
				       "no_cpu_partial, no_cmpxchg128, shuffle, strict_api, memcg, "
				       "no_debug_preempt, no_bounded_work, no_lockdep_irq, no_lockdep_assert, "
				       "no_might_sleep, no_api_contract, no_kmemleak)");
		has_value = accept(c, '=');

		if (token_is(key, klen, "design") || token_is(key, klen, "rule")) {
			bool design = token_is(key, klen, "design");

			if (!has_value)
				return fail_at(c, key, design ? "design=cpu_slab|sheaves needs a value"
					       : "rule=gfp|alloc_trylock needs a value");
			s = ident(c, &len);
			i = design ? lookup(design_names, ARRAY_SIZE(design_names), s, len)
				   : lookup(rule_names, ARRAY_SIZE(rule_names), s, len);
			if (i < 0)
				return fail_at(c, s, design ? "unknown design '%.*s' (cpu_slab, sheaves)"
					       : "unknown rule '%.*s' (gfp, alloc_trylock)", TOK(s, len));
			if (design)
				n.design = (uint8_t)i;
			else
				n.alloc_flags_rule = (uint8_t)i;
			continue;
		}
		if (token_is(key, klen, "slub_debug")) {
			const char *letter;

			if (!has_value)
				return fail_at(c, key, "slub_debug needs letters from FZPU");
			s = ident(c, &len);
			if (!len)
				return fail_at(c, c->p, "slub_debug needs letters from FZPU");
			n.slub_debug = 0;
			for (size_t k = 0; k < len; k++) {
				letter = strchr(slub_debug_letters, s[k]);
				if (!s[k] || !letter)
					return fail_at(c, s + k, "slub_debug: '%c' is not one of FZPU", s[k]);
				n.slub_debug |= (uint8_t)(1u << (letter - slub_debug_letters));
			}
			continue;
		}
		if (token_is(key, klen, "cpus") || token_is(key, klen, "slab_objects")) {
			bool cpus = token_is(key, klen, "cpus");

			if (!has_value)
				return fail_at(c, key, "%.*s needs a value", TOK(key, klen));
			peek(c);
			s = c->p;
			if (!number(c, cpus ? NR_CPUS : PROGRAM_MAX_SLAB_OBJECTS, &v, cpus ? "cpus" :
				    "slab_objects"))
				return false;
			if (cpus && v == 0)
				return fail_at(c, s, "cpus must be at least 1");
			if (cpus) {
				n.cpus = (uint8_t)v;
				cpus_at = s;
			} else {
				n.slab_objects = (uint8_t)v;
			}
			continue;
		}
		for (i = 0; i < (int)ARRAY_SIZE(config_bools); i++)
			if (token_is(key, klen, config_bools[i].name))
				break;
		if (i == (int)ARRAY_SIZE(config_bools))
			return fail_at(c, key, "unknown config item '%.*s'", TOK(key, klen));
		v = 1;
		if (has_value && !number(c, 1, &v, "a boolean"))
			return false;
		config_set(&n, (size_t)i, v);
	}
	if (n.up) {
		if (cpus_at && n.cpus != 1)
			return fail_at(c, cpus_at, "up (no SMP) means cpus=1");
		n.cpus = 1;
	}
	*cfg = n;
	return true;
}

static bool parse_bugs(struct cursor *c, struct program *p)
{
	do {
		char name[64];
		const char *s;
		size_t n;
		int bug;

		s = ident(c, &n);
		if (!n)
			return fail_at(c, s, "expected a bug name (see 'reentry bugs')");
		if (n >= sizeof(name))
			return fail_at(c, s, "unknown bug '%.*s'", TOK(s, n));
		memcpy(name, s, n);
		name[n] = '\0';
		bug = bug_lookup(name);
		if (bug < 0)
			return fail_at(c, s, "unknown bug '%s' (see 'reentry bugs')", name);
		p->bugs |= 1ull << bug;
	} while (accept(c, ','));
	return expect_end(c);
}

static bool parse_expect(struct cursor *c, struct program *p, const char *hash)
{
	const char *s;
	size_t n;

	if (p->expect[0])
		return fail_at(c, hash, "a second '# expect:' line");
	peek(c);
	s = c->p;
	while (c->p < c->end && (is_ident(*c->p) || *c->p == '-' || *c->p == '.'))
		c->p++;
	n = (size_t)(c->p - s);
	if (!n)
		return fail_at(c, s, "expected a report class (e.g. double-alloc, clean)");
	if (n >= sizeof(p->expect))
		return fail_at(c, s, "report class longer than %zu characters",
			       sizeof(p->expect) - 1);
	memcpy(p->expect, s, n);
	p->expect[n] = '\0';
	return expect_end(c);
}

static bool parse_sweep_handler(struct cursor *c, struct program *p)
{
	p->sweep_nhandler = 0;
	if (!peek(c))
		return true;
	for (;;) {
		if (p->sweep_nhandler == MAX_HANDLER_OPS)
			return fail_at(c, c->p, "too many handler operations (at most %d)",
				       MAX_HANDLER_OPS);
		if (!parse_op(c, &p->sweep_handler[p->sweep_nhandler]))
			return false;
		p->sweep_nhandler++;
		if (!accept(c, ';'))
			return expect_end(c);
		if (!peek(c))
			return true;
	}
}

/* "# sweep: nmi,kprobe handler x = kmalloc_nolock(64, 0); kfree_nolock(x)" */
static bool parse_sweep(struct cursor *c, struct program *p, const char *hash)
{
	struct cursor dflt = { .err = c->err, .errsize = c->errsize };
	const char *s;
	size_t n;

	if (p->sweep_kinds)
		return fail_at(c, hash, "a second '# sweep:' line");
	do {
		int k;

		s = ident(c, &n);
		for (k = 0; k < EV_NR_INTERRUPTS; k++)
			if (token_is(s, n, event_kind_name((enum event_kind)k)))
				break;
		if (k == EV_NR_INTERRUPTS)
			return fail_at(c, s, "expected an interrupt kind (nmi, hardirq, softirq, "
				       "kprobe, irq_work, preempt)");
		p->sweep_kinds |= (uint8_t)(1u << k);
	} while (accept(c, ','));
	s = ident(c, &n);
	if (token_is(s, n, "handler"))
		return parse_sweep_handler(c, p);
	if (n)
		return fail_at(c, s, "expected 'handler' or the end of the line");
	dflt.p = dflt.line_start = SWEEP_DEFAULT_HANDLER;
	dflt.end = dflt.p + strlen(dflt.p);
	return parse_sweep_handler(&dflt, p) && expect_end(c);
}

static bool parse_target(struct cursor *c, struct program *p, const char *hash)
{
	char name[64];
	const char *s;
	size_t n;

	if (p->target)
		return fail_at(c, hash, "a second '# target:' line");
	s = ident(c, &n);
	if (!n)
		return fail_at(c, s, "expected a fuzz target's name (e.g. nolock, sheaves)");
	snprintf(name, sizeof(name), "%.*s", TOK(s, n));
	p->target = (uint8_t)program_target_lookup(name);
	if (!p->target) {
		char names[256] = "";

		for (int id = 1; id < NR_TARGETS; id++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 id > 1 ? ", " : "", program_target_name((unsigned int)id));
		return fail_at(c, s, "no fuzz target named '%s' (%s)", name, names);
	}
	return expect_end(c);
}

/* A line starting with '#': a header (# target:, # config:, # bug:, # sweep:,
 * # unfired:, # expect:) or a comment. */
static bool parse_hash_line(struct cursor *c, struct program *p)
{
	const char *hash = c->p, *s;
	size_t n;

	c->p++;
	s = ident(c, &n);
	if (!(token_is(s, n, "config") || token_is(s, n, "bug") || token_is(s, n, "expect") ||
	      token_is(s, n, "target") || token_is(s, n, "sweep") || token_is(s, n, "unfired")) ||
	    !accept(c, ':'))
		return true;	/* a comment */
	if (p->nops)
		return fail_at(c, hash, "header lines ('# %.*s:') go before the first operation",
			       TOK(s, n));
	if (token_is(s, n, "config"))
		return parse_config_items(c, &p->config);
	if (token_is(s, n, "bug"))
		return parse_bugs(c, p);
	if (token_is(s, n, "target"))
		return parse_target(c, p, hash);
	if (token_is(s, n, "sweep"))
		return parse_sweep(c, p, hash);
	if (token_is(s, n, "unfired"))
		return parse_unfired(c, p);
	return parse_expect(c, p, hash);
}

bool program_parse(const char *text, struct program *out, char *err, size_t errsize)
{
	struct cursor c = { .err = err, .errsize = errsize };
	const char *line = text ? text : "";

	if (err && errsize)
		err[0] = '\0';
	program_decode(NULL, 0, out);
	for (c.line = 1;; c.line++) {
		const char *nl = strchr(line, '\n');
		char ch;

		c.p = c.line_start = line;
		c.end = nl ? nl : line + strlen(line);
		ch = peek(&c);
		if (ch == '#')
			parse_hash_line(&c, out);
		else if (ch)
			parse_op_line(&c, out);
		if (c.failed) {
			program_decode(NULL, 0, out);
			return false;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	sort_events(out);
	return true;
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
	k->lockdep_irq = !c->no_lockdep_irq;
	k->lockdep_assert = !c->no_lockdep_assert;
	k->debug_atomic_sleep = !c->no_might_sleep;
	k->api_contract = !c->no_api_contract;
	k->kmemleak = !c->no_kmemleak;
}

bool program_config_parse(const char *text, struct program_config *cfg, char *err,
			  size_t errsize)
{
	struct cursor c = { .err = err, .errsize = errsize };

	if (err && errsize)
		err[0] = '\0';
	c.p = c.line_start = text;
	c.end = text + strlen(text);
	return parse_config_items(&c, cfg);
}
