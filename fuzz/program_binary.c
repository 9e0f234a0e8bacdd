/*
 * fuzz/program_binary.c — the binary form of a program (program.h): what
 * fuzzers mutate. Every byte string decodes to a valid program.
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
	for (size_t i = 0; i < nr_config_bools; i++)
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
	for (size_t i = 0; i < nr_config_bools; i++)
		if (config_get(c, i))
			hdr[2] |= (uint8_t)(config_bools[i].bit == TEXT_ONLY ? 0 : 1u << config_bools[i].bit);
	hdr[2] |= (c->design & 1) << CONFIG_DESIGN_BIT;
	hdr[2] |= (c->alloc_flags_rule & 1) << CONFIG_RULE_BIT;
	hdr[3] = (uint8_t)(c->slab_objects + (c->shuffle ? PROGRAM_MAX_SLAB_OBJECTS + 1 : 0));
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
	program_sort_events(out);
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
	for (int e = 0; e < nevents; e++)
		if (p->events[e].anchor == AT_FUNCTION)
			return 0;	/* the binary form has ordinals only */
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

