/*
 * tests/test_program.c — the program format (fuzz/program.h): every byte
 * string decodes to a valid program, binary and text forms round-trip,
 * single-byte mutations make local changes, the binary layout is pinned by
 * hand-built records, the format's examples and the issues' parse and
 * print canonically, parse errors name the right line and column, flag
 * printing, header lines, comments versus #N anchors, and every limit.
 */
#include "test.h"

#include "../core/bugs.h"
#include "../core/slab.h"
#include "../fuzz/program.h"

#include <stdlib.h>
#include <string.h>

#define RANDOM_INPUTS 20000
#define MAX_INPUT 600
#define TEXT_SIZE (1 << 17)

static char text1[TEXT_SIZE], text2[TEXT_SIZE];
static char err[256];

/* ---- helpers ---- */

static size_t random_input(uint64_t *st, uint8_t *buf, size_t max)
{
	size_t n = test_rand(st) % (max + 1);

	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)test_rand(st);
	return n;
}

static bool op_eq(const struct op *a, const struct op *b)
{
	return a->kind == b->kind && a->cpu == b->cpu && a->section == b->section &&
	       a->slot == b->slot && a->cache == b->cache && a->size == b->size &&
	       a->arg == b->arg && a->gfp == b->gfp && a->flags == b->flags;
}

/* Everything but the op index. */
static bool event_eq_but_op(const struct event *a, const struct event *b)
{
	if (a->kind != b->kind || a->anchor != b->anchor || a->cpu != b->cpu ||
	    a->count != b->count || a->nops != b->nops || a->ordinal != b->ordinal ||
	    strcmp(a->fn, b->fn) != 0)
		return false;
	for (int i = 0; i < a->nops; i++)
		if (!op_eq(&a->ops[i], &b->ops[i]))
			return false;
	return true;
}

static bool config_eq(const struct program_config *a, const struct program_config *b)
{
	return a->design == b->design && a->alloc_flags_rule == b->alloc_flags_rule &&
	       a->cpus == b->cpus && a->up == b->up && a->preempt_rt == b->preempt_rt &&
	       a->slub_tiny == b->slub_tiny && a->lockdep == b->lockdep &&
	       a->no_cpu_partial == b->no_cpu_partial && a->no_cmpxchg128 == b->no_cmpxchg128 &&
	       a->slab_objects == b->slab_objects;
}

/* Field by field; `meta`: bugs and expect too (the binary form has neither). */
static bool prog_eq(const struct program *a, const struct program *b, bool meta)
{
	if (!config_eq(&a->config, &b->config)) {
		fprintf(stderr, "config differs\n");
		return false;
	}
	if (meta && (a->bugs != b->bugs || strcmp(a->expect, b->expect) != 0)) {
		fprintf(stderr, "bugs or expect differ\n");
		return false;
	}
	if (a->nops != b->nops || a->nevents != b->nevents) {
		fprintf(stderr, "nops %d/%d nevents %d/%d\n", a->nops, b->nops, a->nevents,
			b->nevents);
		return false;
	}
	for (int i = 0; i < a->nops; i++) {
		if (!op_eq(&a->ops[i], &b->ops[i])) {
			fprintf(stderr, "op %d differs\n", i);
			return false;
		}
	}
	for (int i = 0; i < a->nevents; i++) {
		if (a->events[i].op != b->events[i].op ||
		    !event_eq_but_op(&a->events[i], &b->events[i])) {
			fprintf(stderr, "event %d differs\n", i);
			return false;
		}
	}
	return true;
}

/* The fields each kind uses, written independently of fuzz/program_tables.h. */
enum { U_SLOT = 1, U_CACHE = 2, U_SIZE = 4, U_ARG = 8, U_GFP = 16, U_FLAGS = 32 };
static const unsigned int kind_uses[NR_OP_KINDS] = {
	[OP_KMALLOC] = U_SLOT | U_SIZE | U_GFP,
	[OP_KFREE] = U_SLOT,
	[OP_KMALLOC_NOLOCK] = U_SLOT | U_SIZE | U_GFP,
	[OP_KFREE_NOLOCK] = U_SLOT,
	[OP_CACHE_CREATE] = U_CACHE | U_SIZE | U_ARG | U_FLAGS,
	[OP_CACHE_DESTROY] = U_CACHE,
	[OP_CACHE_ALLOC] = U_SLOT | U_CACHE | U_GFP,
	[OP_CACHE_FREE] = U_CACHE | U_SLOT,
	[OP_IRQ_WORK] = 0,
	[OP_WRITE] = U_SLOT | U_ARG | U_SIZE,
};

static bool valid_op(const struct op *op, bool top, unsigned int cpus)
{
	unsigned int u;

	CHECK(op->kind < NR_OP_KINDS);
	u = kind_uses[op->kind];
	if (top) {
		CHECK(op->cpu < cpus);
		CHECK(op->section < NR_SECTIONS);
	} else {
		CHECK_EQ(op->cpu, 0);
		CHECK_EQ(op->section, 0);
	}
	CHECK(op->slot < MAX_SLOTS);
	CHECK(op->cache < MAX_USER_CACHES);
	if (!(u & U_SLOT))
		CHECK_EQ(op->slot, 0);
	if (!(u & U_CACHE))
		CHECK_EQ(op->cache, 0);
	if (!(u & U_SIZE))
		CHECK_EQ(op->size, 0);
	if (!(u & U_ARG))
		CHECK_EQ(op->arg, 0);
	if (!(u & U_GFP))
		CHECK_EQ(op->gfp, 0);
	if (!(u & U_FLAGS))
		CHECK_EQ(op->flags, 0);
	if (op->kind == OP_CACHE_CREATE)	/* 0 or a power of two ≤ 4096 */
		CHECK(op->arg <= 4096 && (op->arg & (op->arg - 1)) == 0);
	return true;
}

static bool program_valid(const struct program *p)
{
	const struct program_config *c = &p->config;

	CHECK(c->cpus >= 1 && c->cpus <= 8);
	if (c->up)
		CHECK_EQ(c->cpus, 1);
	CHECK(c->design <= DESIGN_SHEAVES);
	CHECK(c->alloc_flags_rule <= RULE_ALLOC_TRYLOCK);
	CHECK(c->slab_objects <= PROGRAM_MAX_SLAB_OBJECTS);
	CHECK(p->nops >= 0 && p->nops <= MAX_OPS);
	CHECK(p->nevents >= 0 && p->nevents <= MAX_EVENTS);
	for (int i = 0; i < p->nops; i++)
		CHECK(valid_op(&p->ops[i], true, c->cpus));
	for (int i = 0; i < p->nevents; i++) {
		const struct event *ev = &p->events[i];

		CHECK(ev->kind < NR_EVENT_KINDS);
		CHECK(ev->op < p->nops);
		CHECK(ev->nops <= MAX_HANDLER_OPS);
		CHECK(ev->anchor == AT_BOUNDARY || ev->anchor == AT_OCCURRENCE ||
		      ev->anchor == AT_FUNCTION);
		CHECK(ev->ordinal >= 1);
		if (ev->anchor == AT_OCCURRENCE)
			CHECK(ev->ordinal <= PROGRAM_MAX_OCCURRENCE);
		else
			CHECK(ev->ordinal <= PROGRAM_MAX_ORDINAL);
		CHECK(ev->anchor == AT_FUNCTION ? ev->fn[0] != '\0' : ev->fn[0] == '\0');
		if (ev->kind >= EV_FAIL_TRYLOCK) {
			CHECK(ev->count >= 1 && ev->count <= PROGRAM_MAX_FAULT_COUNT);
			CHECK_EQ(ev->nops, 0);
		} else {
			CHECK(ev->anchor != AT_OCCURRENCE);
			CHECK_EQ(ev->count, 0);
		}
		if (ev->kind == EV_PREEMPT)
			CHECK(ev->cpu < c->cpus);
		else
			CHECK_EQ(ev->cpu, 0);
		for (int j = 0; j < ev->nops; j++)
			CHECK(valid_op(&ev->ops[j], false, c->cpus));
		if (i > 0) {
			const struct event *pr = &p->events[i - 1];

			CHECK(pr->op < ev->op || (pr->op == ev->op && (pr->anchor < ev->anchor ||
				(pr->anchor == ev->anchor && pr->ordinal <= ev->ordinal))));
		}
	}
	return true;
}


/* Parse, print, and compare with the canonical text; print → parse → print. */
static bool canonical(const char *text, const char *want)
{
	struct program p, q;
	int n;

	CHECK(test_parse(text, &p));
	CHECK(program_valid(&p));
	n = program_print(&p, text1, sizeof(text1));
	CHECK(n >= 0 && (size_t)n < sizeof(text1));
	if (strcmp(text1, want) != 0) {
		fprintf(stderr, "printed:\n%s--- wanted:\n%s---\n", text1, want);
		return false;
	}
	CHECK(test_parse(text1, &q));
	CHECK(prog_eq(&p, &q, true));
	program_print(&q, text2, sizeof(text2));
	CHECK(strcmp(text1, text2) == 0);
	return true;
}

/* Parse must fail at `line`, at the column where the last `at` in that line
 * starts (at == "": the end of the line), with `msg` in the message. */
static bool parse_fails(const char *text, int line, const char *at, const char *msg)
{
	struct program p;
	char want[64];
	const char *l = text, *end, *hit;
	int col;

	for (int i = 1; i < line; i++)
		l = strchr(l, '\n') + 1;
	end = strchr(l, '\n');
	if (!end)
		end = l + strlen(l);
	if (!*at) {
		col = (int)(end - l) + 1;
	} else {
		hit = NULL;
		for (const char *h = strstr(l, at); h && h < end; h = strstr(h + 1, at))
			hit = h;
		CHECK(hit);
		col = (int)(hit - l) + 1;
	}
	snprintf(want, sizeof(want), "line %d, column %d: ", line, col);
	if (program_parse(text, &p, err, sizeof(err))) {
		fprintf(stderr, "parse of \"%s\" succeeded, wanted %s%s\n", text, want, msg);
		return false;
	}
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, msg)) {
		fprintf(stderr, "parse of \"%s\": got \"%s\", wanted \"%s…%s…\"\n", text, err,
			want, msg);
		return false;
	}
	/* A failed parse leaves the empty program. */
	CHECK_EQ(p.nops, 0);
	CHECK_EQ(p.nevents, 0);
	return true;
}

static bool print_op_is(const struct op *op, const char *want)
{
	char buf[512];

	op_print(op, buf, sizeof(buf));
	if (strcmp(buf, want) != 0) {
		fprintf(stderr, "op printed \"%s\", wanted \"%s\"\n", buf, want);
		return false;
	}
	return true;
}

/* ---- binary form ---- */

TEST(program_decode_empty)
{
	static const uint8_t zeros[16], ones[15] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	uint8_t buf[PROGRAM_MAX_BYTES];
	struct program p;

	program_decode(NULL, 0, &p);
	CHECK(program_valid(&p));
	CHECK_EQ(p.nops, 0);
	CHECK_EQ(p.nevents, 0);
	CHECK_EQ(p.bugs, 0);
	CHECK_EQ(p.expect[0], 0);
	CHECK_EQ(p.config.cpus, 2);
	CHECK(!p.config.up && !p.config.preempt_rt && !p.config.slub_tiny && !p.config.lockdep &&
	      !p.config.no_cpu_partial && !p.config.no_cmpxchg128);
	CHECK_EQ(p.config.design, DESIGN_CPU_SLAB);
	CHECK_EQ(p.config.alloc_flags_rule, RULE_GFP);
	CHECK_EQ(p.config.slab_objects, 0);
	/* The empty program prints as nothing and encodes as a bare header. */
	CHECK_EQ(program_print(&p, text1, sizeof(text1)), 0);
	CHECK_EQ(text1[0], 0);
	CHECK_EQ(program_encode(&p, buf, sizeof(buf)), 4);
	CHECK(buf[0] == PROGRAM_VERSION && buf[1] == 0 && buf[2] == 0 && buf[3] == 0);

	/* Up to a whole record short: no operation, valid config. */
	for (size_t n = 0; n < sizeof(zeros); n++) {
		program_decode(zeros, n, &p);
		CHECK(program_valid(&p));
		CHECK_EQ(p.nops, n == 16 ? 1 : 0);
		CHECK_EQ(p.config.cpus, 2);
	}
	for (size_t n = 0; n <= sizeof(ones); n++) {
		program_decode(ones, n, &p);
		CHECK(program_valid(&p));
		CHECK_EQ(p.nops, 0);
	}
	return true;
}

TEST(program_decode_random_valid)
{
	uint64_t st = test_seed();
	uint8_t buf[MAX_INPUT];
	struct program p;
	long ops = 0, events = 0, handler_ops = 0;

	for (int i = 0; i < RANDOM_INPUTS; i++) {
		size_t n = random_input(&st, buf, sizeof(buf));

		program_decode(buf, n, &p);
		if (!program_valid(&p)) {
			fprintf(stderr, "input %d (%zu bytes) decodes to an invalid program\n", i, n);
			return false;
		}
		ops += p.nops;
		events += p.nevents;
		for (int e = 0; e < p.nevents; e++)
			handler_ops += p.events[e].nops;
	}
	/* Random bytes exercise every part of the format. */
	printf("%ld ops, %ld events, %ld handler ops\n", ops, events, handler_ops);
	CHECK(ops > RANDOM_INPUTS && events > RANDOM_INPUTS && handler_ops > RANDOM_INPUTS);
	return true;
}

TEST(program_binary_roundtrip)
{
	uint64_t st = test_seed();
	uint8_t buf[MAX_INPUT], enc[PROGRAM_MAX_BYTES], enc2[PROGRAM_MAX_BYTES];
	struct program p, q;

	for (int i = 0; i < RANDOM_INPUTS; i++) {
		size_t n = random_input(&st, buf, sizeof(buf)), m, m2;

		program_decode(buf, n, &p);
		m = program_encode(&p, enc, sizeof(enc));
		CHECK(m >= 4 && m <= PROGRAM_MAX_BYTES && (m - 4) % 12 == 0);
		program_decode(enc, m, &q);
		if (!prog_eq(&p, &q, true)) {
			fprintf(stderr, "input %d: decode(encode(p)) != p\n", i);
			return false;
		}
		/* encode is canonical: a second round gives the same bytes. */
		m2 = program_encode(&q, enc2, sizeof(enc2));
		CHECK_EQ(m2, m);
		CHECK(memcmp(enc, enc2, m) == 0);
	}
	return true;
}

TEST(program_text_roundtrip)
{
	uint64_t st = test_seed();
	uint8_t buf[MAX_INPUT], enc[PROGRAM_MAX_BYTES];
	struct program p, q, r;

	for (int i = 0; i < RANDOM_INPUTS; i++) {
		size_t n = random_input(&st, buf, sizeof(buf));
		int len;

		program_decode(buf, n, &p);
		len = program_print(&p, text1, sizeof(text1));
		CHECK(len >= 0 && (size_t)len < sizeof(text1));
		CHECK_EQ(strlen(text1), len);
		if (!test_parse(text1, &q)) {
			fprintf(stderr, "input %d: its print does not parse\n", i);
			return false;
		}
		if (!prog_eq(&p, &q, true)) {
			fprintf(stderr, "input %d: parse(print(p)) != p:\n%s", i, text1);
			return false;
		}
		program_print(&q, text2, sizeof(text2));
		CHECK(strcmp(text1, text2) == 0);
		/* And a parsed program round-trips through the binary form. */
		program_decode(enc, program_encode(&q, enc, sizeof(enc)), &r);
		CHECK(prog_eq(&q, &r, true));
	}
	return true;
}

/* Ops that differ between a and b, around a common prefix and suffix: a
 * single-record change leaves at most one on each side. */
static bool ops_local(const struct program *a, const struct program *b)
{
	int na = a->nops, nb = b->nops, min = na < nb ? na : nb, pre = 0, suf = 0;

	while (pre < min && op_eq(&a->ops[pre], &b->ops[pre]))
		pre++;
	while (suf < min - pre && op_eq(&a->ops[na - 1 - suf], &b->ops[nb - 1 - suf]))
		suf++;
	CHECK(na - pre - suf <= 1);
	CHECK(nb - pre - suf <= 1);
	return true;
}

/* Events of a not in b plus events of b not in a, as multisets, ignoring
 * which op they hang on (a removed or inserted op record re-anchors the
 * events after it without changing them). */
static int events_changed(const struct program *a, const struct program *b)
{
	bool used[MAX_EVENTS] = { false };
	int matched = 0;

	for (int i = 0; i < a->nevents; i++) {
		for (int j = 0; j < b->nevents; j++) {
			if (!used[j] && event_eq_but_op(&a->events[i], &b->events[j])) {
				used[j] = true;
				matched++;
				break;
			}
		}
	}
	return a->nevents - matched + b->nevents - matched;
}

TEST(program_mutation_local)
{
	uint64_t st = test_seed();
	uint8_t buf[4 + 12 * 40];
	struct program p, q;
	int worst = 0;

	for (int i = 0; i < RANDOM_INPUTS; i++) {
		size_t n = 4 + 12 * (test_rand(&st) % 41), at;
		uint8_t old, val;
		int changed;

		for (size_t j = 0; j < n; j++)
			buf[j] = (uint8_t)test_rand(&st);
		program_decode(buf, n, &p);
		if (n == 4)
			continue;
		at = 4 + test_rand(&st) % (n - 4);
		old = buf[at];
		do
			val = (uint8_t)test_rand(&st);
		while (val == old);
		buf[at] = val;
		program_decode(buf, n, &q);

		CHECK(config_eq(&p.config, &q.config));
		if (!ops_local(&p, &q)) {
			fprintf(stderr, "input %d: byte %zu %#x -> %#x changed several ops\n", i, at,
				old, val);
			return false;
		}
		/* Without any op, events have nothing to hang on. */
		if (!p.nops || !q.nops)
			continue;
		changed = events_changed(&p, &q);
		if (changed > worst)
			worst = changed;
		if (changed > 4) {
			fprintf(stderr, "input %d: byte %zu %#x -> %#x changed %d events\n", i, at,
				old, val, changed);
			return false;
		}
	}
	printf("at most %d events changed by one byte\n", worst);
	return true;
}

/* Byte 0 is the target tag: it sets p->target and nothing else. */
TEST(program_target_byte)
{
	uint64_t st = test_seed();
	uint8_t buf[MAX_INPUT], enc[PROGRAM_MAX_BYTES];
	struct program p, q;

	for (int i = 0; i < 200; i++) {
		size_t n = random_input(&st, buf, sizeof(buf));

		if (!n)
			continue;
		buf[0] = PROGRAM_VERSION;
		program_decode(buf, n, &p);
		CHECK_EQ(p.target, TARGET_NONE);
		CHECK_EQ(program_encode(&p, enc, sizeof(enc)) > 0, 1);
		CHECK_EQ(enc[0], PROGRAM_VERSION);
		for (int v = 0; v < 256; v++) {
			bool tag = (v & TARGET_TAG) && (v & ~TARGET_TAG) > TARGET_NONE &&
				   (v & ~TARGET_TAG) < NR_TARGETS;

			buf[0] = (uint8_t)v;
			program_decode(buf, n, &q);
			CHECK_EQ(q.target, tag ? v & ~TARGET_TAG : TARGET_NONE);
			CHECK_EQ(program_encode(&q, enc, sizeof(enc)) > 0, 1);
			CHECK_EQ(enc[0], tag ? v : PROGRAM_VERSION);
			q.target = TARGET_NONE;
			/* decode clears the whole struct, padding included */
			CHECK(memcmp(&p, &q, sizeof(p)) == 0);
		}
	}
	return true;
}

/* "# target: NAME" round-trips and names only real targets. */
TEST(program_target_line)
{
	struct program p;
	char text[4096], err[256];

	CHECK(program_parse("# target: sheaves_fuzzer\ncpu0 task: irq_work()\n", &p, err, sizeof(err)));
	CHECK_EQ(p.target, TARGET_SHEAVES);
	program_print(&p, text, sizeof(text));
	CHECK(strncmp(text, "# target: sheaves\n", 18) == 0);
	CHECK(!program_parse("# target: sheaf\ncpu0 task: irq_work()\n", &p, err, sizeof(err)));
	CHECK(strstr(err, "no fuzz target named 'sheaf'") != NULL);
	CHECK(!program_parse("# target: nolock\n# target: nolock\n", &p, err, sizeof(err)));
	for (int id = 1; id < NR_TARGETS; id++)
		CHECK_EQ(program_target_lookup(program_target_name((unsigned int)id)), id);
	CHECK_EQ(program_target_lookup("decode"), TARGET_NONE);
	return true;
}

/* Freelist shuffling is in the binary form: header byte 3, beside slab_objects. */
TEST(program_shuffle_byte)
{
	struct program p, q;
	uint8_t enc[PROGRAM_MAX_BYTES];
	char err[256];

	CHECK(program_parse("# config: shuffle slab_objects=8\ncpu0 task: irq_work()\n", &p, err,
			    sizeof(err)));
	program_decode(enc, program_encode(&p, enc, sizeof(enc)), &q);
	CHECK(q.config.shuffle && q.config.slab_objects == 8);
	CHECK_EQ(enc[3], 8 + PROGRAM_MAX_SLAB_OBJECTS + 1);
	return true;
}

TEST(program_config_bytes)
{
	static const struct { uint8_t cpus; int want; } cpus[] = {
		{ 0, 2 }, { 1, 3 }, { 2, 4 }, { 5, 7 }, { 6, 8 }, { 7, 1 }, { 8, 2 }, { 0xff, 1 },
	};
	uint8_t hdr[4] = { PROGRAM_VERSION, 0, 0, 0 };
	struct program p;

	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		hdr[1] = cpus[i].cpus;
		program_decode(hdr, 4, &p);
		CHECK_EQ(p.config.cpus, cpus[i].want);
	}
	hdr[1] = 6;		/* 8 CPUs, but up wins */
	hdr[2] = 0x01;
	program_decode(hdr, 4, &p);
	CHECK(p.config.up);
	CHECK_EQ(p.config.cpus, 1);
	hdr[2] = 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40 | 0x80;
	program_decode(hdr, 4, &p);
	CHECK(!p.config.up && p.config.preempt_rt && p.config.slub_tiny && p.config.lockdep &&
	      p.config.no_cpu_partial && p.config.no_cmpxchg128);
	CHECK_EQ(p.config.design, DESIGN_SHEAVES);
	CHECK_EQ(p.config.alloc_flags_rule, RULE_ALLOC_TRYLOCK);
	CHECK_EQ(p.config.cpus, 8);
	for (int v = 0; v < 256; v++) {
		hdr[3] = (uint8_t)v;
		program_decode(hdr, 4, &p);
		CHECK_EQ(p.config.slab_objects, v % (PROGRAM_MAX_SLAB_OBJECTS + 1));
	}
	/* A missing header byte reads as 0, the default. */
	program_decode(hdr, 2, &p);
	CHECK_EQ(p.config.cpus, 8);
	CHECK(!p.config.lockdep);
	CHECK_EQ(p.config.slab_objects, 0);
	return true;
}

/* Hand-built records pin the documented layout (fuzz/program_binary.c). */
TEST(program_record_layout)
{
	uint8_t in[4 + 12 * 6] = { PROGRAM_VERSION, 0, 0, 0 };
	uint8_t *r = in + 4;
	struct program p;

	/* cpu1 irqs_off: b = kmalloc_nolock(64, __GFP_ZERO) */
	r[0] = OP_KMALLOC_NOLOCK << 1;
	r[1] = 1 | SEC_IRQS_OFF << 3;
	r[2] = 1;
	r[4] = 6;		/* size class 6: 64 */
	r[5] = 1;		/* gfp class 1: __GFP_ZERO */
	r += 12;
	/* @37 kprobe */
	r[0] = 0x01 | EV_KPROBE << 2;
	r[2] = 36;
	r += 12;
	/* handler: x = kmalloc_nolock(5000, 0x12345678), raw escapes */
	r[0] = 0x03 | OP_KMALLOC_NOLOCK << 2;
	r[1] = 0xff;		/* ignored in a handler */
	r[2] = 23;
	r[4] = 18;
	r[5] = 18;
	r[6] = 5000 & 0xff;
	r[7] = 5000 >> 8;
	r[8] = 0x78;
	r[9] = 0x56;
	r[10] = 0x34;
	r[11] = 0x12;
	r += 12;
	/* #3 fail page_alloc x4: sorts after the kprobe (boundaries first) */
	r[0] = 0x01 | EV_FAIL_PAGE_ALLOC << 2;
	r[1] = 1;
	r[2] = 2;
	r[4] = 3;
	r += 12;
	/* cpu0 task: c2 = kmem_cache_create(8193, 64, SLAB_RED_ZONE|SLAB_POISON) */
	r[0] = OP_CACHE_CREATE << 1;
	r[2] = 7;		/* slot: unused by create, ignored */
	r[3] = 2 | 7 << 2;	/* cache 2, align class 7: 64 */
	r[4] = 17;		/* 8193 */
	r[5] = 7;		/* RED_ZONE|POISON */
	r += 12;
	/* cpu0 task: write(a, 0x1234, 24) */
	r[0] = OP_WRITE << 1;
	r[4] = 4;
	r[5] = 9;		/* gfp class: unused by write, ignored */
	r[8] = 0x34;
	r[9] = 0x12;

	program_decode(in, sizeof(in), &p);
	CHECK(program_valid(&p));
	program_print(&p, text1, sizeof(text1));
	if (strcmp(text1,
		   "cpu1 irqs_off: b = kmalloc_nolock(64, __GFP_ZERO)  @37 kprobe "
		   "{ x = kmalloc_nolock(5000, __GFP_MOVABLE|__GFP_RECLAIMABLE|__GFP_HIGH|__GFP_IO|"
		   "__GFP_DIRECT_RECLAIM|__GFP_RETRY_MAYFAIL|__GFP_THISNODE|0x12141200) }  "
		   "#3 fail page_alloc x4\n"
		   "cpu0 task: c2 = kmem_cache_create(8193, 64, SLAB_RED_ZONE|SLAB_POISON)\n"
		   "cpu0 task: write(a, 4660, 24)\n") != 0) {
		fprintf(stderr, "printed:\n%s", text1);
		return false;
	}
	CHECK_EQ(p.events[0].ops[0].gfp, 0x12345678);
	CHECK_EQ(p.events[0].ops[0].cpu, 0);
	CHECK_EQ(p.events[1].anchor, AT_OCCURRENCE);
	CHECK_EQ(p.ops[1].slot, 0);
	return true;
}

TEST(program_ordinal_ranges)
{
	static const struct { uint16_t v; uint8_t anchor; uint32_t ordinal; } cases[] = {
		{ 0x0000, 0, 1 }, { 0x00ff, 0, 256 }, { 0x7fff, 0, 256 }, { 0x1234, 0, 0x35 },
		{ 0x8000, 0, 1 }, { 0x83e7, 0, 1000 }, { 0x8fff, 0, 4096 }, { 0xffff, 0, 4096 },
		{ 0x0000, 1, 1 }, { 0x003f, 1, 64 }, { 0xffff, 1, 64 },
	};
	uint8_t in[4 + 24] = { PROGRAM_VERSION }, enc[PROGRAM_MAX_BYTES];
	struct program p, q;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *r = in + 4 + 12;	/* after op 0 */

		r[0] = 0x01 | EV_FAIL_TRYLOCK << 2;
		r[1] = cases[i].anchor;
		r[2] = (uint8_t)cases[i].v;
		r[3] = (uint8_t)(cases[i].v >> 8);
		program_decode(in, sizeof(in), &p);
		CHECK(program_valid(&p));
		CHECK_EQ(p.events[0].anchor, cases[i].anchor);
		CHECK_EQ(p.events[0].ordinal, cases[i].ordinal);
		program_decode(enc, program_encode(&p, enc, sizeof(enc)), &q);
		CHECK(prog_eq(&p, &q, true));
	}
	/* The encoder uses the short form up to 256, the long one beyond. */
	for (uint32_t ord = 1; ord <= PROGRAM_MAX_ORDINAL; ord++) {
		p.events[0].anchor = AT_BOUNDARY;
		p.events[0].ordinal = ord;
		CHECK(program_encode(&p, enc, sizeof(enc)) == sizeof(in));
		CHECK_EQ(enc[4 + 12 + 2] | enc[4 + 12 + 3] << 8, ord <= 256 ? ord - 1 : 0x8000 | (ord - 1));
		program_decode(enc, sizeof(in), &q);
		CHECK_EQ(q.events[0].ordinal, ord);
	}
	return true;
}

TEST(program_event_anchoring)
{
	uint8_t in[4 + 12 * 12] = { PROGRAM_VERSION, 0, 0, 0 };
	uint8_t *r = in + 4;
	struct program p;

#define EVENT(kind, ord) (r[0] = 0x01 | (kind) << 2, r[2] = (ord) - 1, r += 12)
#define HANDLER() (r[0] = 0x03 | OP_IRQ_WORK << 2, r += 12)
#define TOPOP() (r[0] = OP_IRQ_WORK << 1, r += 12)
	EVENT(EV_NMI, 9);		/* before any op: anchors to op 0 */
	HANDLER();
	TOPOP();			/* op 0 */
	HANDLER();			/* after an op record: ignored */
	EVENT(EV_HARDIRQ, 5);
	EVENT(EV_FAIL_TRYLOCK, 7);
	HANDLER();			/* after a fault: ignored */
	TOPOP();			/* op 1 */
	EVENT(EV_SOFTIRQ, 3);
	HANDLER();
	HANDLER();
	EVENT(EV_SOFTIRQ, 3);		/* same point: keeps record order */
	program_decode(in, (size_t)(r - in), &p);
	CHECK(program_valid(&p));
	CHECK_EQ(p.nops, 2);
	CHECK_EQ(p.nevents, 5);
	CHECK(p.events[0].op == 0 && p.events[0].kind == EV_HARDIRQ && p.events[0].nops == 0);
	CHECK(p.events[1].op == 0 && p.events[1].kind == EV_FAIL_TRYLOCK);
	CHECK(p.events[2].op == 0 && p.events[2].kind == EV_NMI && p.events[2].nops == 1);
	CHECK(p.events[3].op == 1 && p.events[3].nops == 2);
	CHECK(p.events[4].op == 1 && p.events[4].nops == 0);

	/* Events with no op to hang on are dropped. */
	memset(in + 4, 0, sizeof(in) - 4);
	r = in + 4;
	EVENT(EV_NMI, 1);
	HANDLER();
	program_decode(in, (size_t)(r - in), &p);
	CHECK(program_valid(&p));
	CHECK_EQ(p.nevents, 0);
	CHECK_EQ(p.nops, 0);

	/* A handler takes at most MAX_HANDLER_OPS records. */
	memset(in + 4, 0, sizeof(in) - 4);
	r = in + 4;
	TOPOP();
	EVENT(EV_KPROBE, 1);
	for (int i = 0; i < 6; i++)
		HANDLER();
	program_decode(in, (size_t)(r - in), &p);
	CHECK(program_valid(&p));
	CHECK_EQ(p.events[0].nops, MAX_HANDLER_OPS);
#undef EVENT
#undef HANDLER
#undef TOPOP
	return true;
}

TEST(program_limits_binary)
{
	static uint8_t in[4 + 12 * 200];
	uint8_t *r = in + 4;
	struct program p;

	/* 70 op records, then an event: the op records past 64 and the
	 * event that follows them are ignored. */
	for (int i = 0; i < 70; i++, r += 12) {
		r[0] = OP_KFREE << 1;
		r[2] = (uint8_t)i;
	}
	r[0] = 0x01 | EV_NMI << 2;
	r += 12;
	program_decode(in, (size_t)(r - in), &p);
	CHECK(program_valid(&p));
	CHECK_EQ(p.nops, MAX_OPS);
	CHECK_EQ(p.ops[MAX_OPS - 1].slot, (MAX_OPS - 1) % MAX_SLOTS);
	CHECK_EQ(p.nevents, 0);

	/* 20 events on one op: the first 16 count. */
	memset(in, 0, sizeof(in));
	r = in + 4;
	r += 12;	/* op 0: kmalloc(0, 0) */
	for (int i = 0; i < 20; i++, r += 12) {
		r[0] = 0x01 | EV_NMI << 2;
		r[2] = (uint8_t)(100 - i);
	}
	program_decode(in, (size_t)(r - in), &p);
	CHECK(program_valid(&p));
	CHECK_EQ(p.nevents, MAX_EVENTS);
	CHECK_EQ(p.events[0].ordinal, 101 - (MAX_EVENTS - 1));
	CHECK_EQ(p.events[MAX_EVENTS - 1].ordinal, 101);

	/* The largest program encodes in PROGRAM_MAX_BYTES. */
	memset(in, 0, sizeof(in));
	r = in + 4;
	for (int i = 0; i < MAX_OPS; i++, r += 12)
		;
	for (int i = 0; i < MAX_EVENTS; i++) {
		r[0] = 0x01 | EV_KPROBE << 2;
		r += 12;
		for (int j = 0; j < MAX_HANDLER_OPS; j++, r += 12)
			r[0] = 0x03;
	}
	program_decode(in, (size_t)(r - in), &p);
	CHECK_EQ(p.nops, MAX_OPS);
	CHECK_EQ(p.nevents, MAX_EVENTS);
	{
		static uint8_t enc[PROGRAM_MAX_BYTES + 64];

		CHECK_EQ(program_encode(&p, enc, sizeof(enc)), PROGRAM_MAX_BYTES);
	}
	return true;
}

TEST(program_encode_cap)
{
	static const char *text =
		"cpu0 task: a = kmalloc(64, GFP_KERNEL)  @3 nmi { b = kmalloc_nolock(8, 0); kfree_nolock(b) }\n"
		"cpu1 task: kfree(a)  #2 fail trylock x2\n";
	uint8_t full[PROGRAM_MAX_BYTES];
	struct program p, q;
	size_t n;

	CHECK(test_parse(text, &p));
	n = program_encode(&p, full, sizeof(full));
	CHECK_EQ(n, 4 + 12 * 6);
	for (size_t cap = 0; cap <= n + 12; cap++) {
		uint8_t *buf = malloc(cap ? cap : 1);	/* exact size: ASan sees any overflow */
		size_t m = program_encode(&p, buf, cap);

		CHECK(m <= cap);
		if (cap < 4)
			CHECK_EQ(m, 0);
		else
			CHECK_EQ(m, cap >= n ? n : 4 + (cap - 4) / 12 * 12);
		CHECK(memcmp(buf, full, m) == 0);
		program_decode(buf, m, &q);
		CHECK(program_valid(&q));
		CHECK(q.nops <= p.nops);
		free(buf);
	}
	return true;
}

TEST(program_decode_deterministic)
{
	uint64_t st = test_seed();
	uint8_t buf[MAX_INPUT];
	struct program *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));

	CHECK(a && b);
	for (int i = 0; i < 1000; i++) {
		size_t n = random_input(&st, buf, sizeof(buf));

		memset(a, 0, sizeof(*a));
		memset(b, 0xa5, sizeof(*b));
		program_decode(buf, n, a);
		program_decode(buf, n, b);
		CHECK(memcmp(a, b, sizeof(*a)) == 0);
		/* parse too leaves nothing of what was there before */
		program_print(a, text1, sizeof(text1));
		memset(a, 0x5a, sizeof(*a));
		CHECK(test_parse(text1, a));
		CHECK(memcmp(a, b, sizeof(*a)) == 0);
	}
	free(a);
	free(b);
	return true;
}

/* ---- text form ---- */

TEST(program_design_example)
{
	static const char *text =
		"# config: design=cpu_slab cpus=2\n"
		"# bug: kprobe_fastpath\n"
		"# expect: double-alloc\n"
		"cpu0 task: a = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 task: b = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 task: c = kmalloc(64, GFP_KERNEL)  @37 kprobe { x = kmalloc_nolock(64, 0) }\n"
		"cpu0 task: kfree(a)\n"
		"cpu1 task: kfree(b)                      # remote free\n";
	struct program p;

	CHECK(test_parse(text, &p));
	CHECK(program_valid(&p));
	CHECK_EQ(p.bugs, 1ull << BUG_KPROBE_FASTPATH);
	CHECK(strcmp(p.expect, "double-alloc") == 0);
	CHECK_EQ(p.nops, 5);
	CHECK_EQ(p.ops[2].kind, OP_KMALLOC);
	CHECK_EQ(p.ops[2].slot, 2);
	CHECK_EQ(p.ops[2].size, 64);
	CHECK_EQ(p.ops[2].gfp, GFP_KERNEL);
	CHECK_EQ(p.ops[4].cpu, 1);
	CHECK_EQ(p.nevents, 1);
	CHECK(p.events[0].op == 2 && p.events[0].kind == EV_KPROBE &&
	      p.events[0].anchor == AT_BOUNDARY && p.events[0].ordinal == 37);
	CHECK_EQ(p.events[0].nops, 1);
	CHECK(p.events[0].ops[0].kind == OP_KMALLOC_NOLOCK && p.events[0].ops[0].slot == 'x' - 'a');
	/* design=cpu_slab cpus=2 is the default config: no config line. */
	return canonical(text,
			 "# bug: kprobe_fastpath\n"
			 "# expect: double-alloc\n"
			 "cpu0 task: a = kmalloc(64, GFP_KERNEL)\n"
			 "cpu0 task: b = kmalloc(64, GFP_KERNEL)\n"
			 "cpu0 task: c = kmalloc(64, GFP_KERNEL)  @37 kprobe { x = kmalloc_nolock(64, 0) }\n"
			 "cpu0 task: kfree(a)\n"
			 "cpu1 task: kfree(b)\n");
}

TEST(program_issue_example)
{
	static const char *text =
		"# config: design=cpu_slab cpus=2 lockdep no_cpu_partial slab_objects=4\n"
		"# bug: kprobe_fastpath\n"
		"# expect: double-alloc\n"
		"cpu0 task: a = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 irqs_off: b = kmalloc_nolock(64, __GFP_ZERO)   @37 kprobe { x = kmalloc_nolock(64, 0); kfree_nolock(a) }\n"
		"cpu1 task: kfree(b)                                   # remote free\n"
		"cpu0 preempt_off: c0 = kmem_cache_create(96, 8, 0)\n"
		"cpu0 raw_spin: a = kmem_cache_alloc(c0, GFP_ATOMIC)  @5 fail trylock  #2 fail page_alloc x3  @40 preempt cpu1 { kfree(a) }  @12 nmi { irq_work() }\n"
		"cpu0 task: write(a, 0, 16)\n";
	uint8_t enc[PROGRAM_MAX_BYTES];
	struct program p, q;
	const struct event *ev;

	CHECK(test_parse(text, &p));
	CHECK(program_valid(&p));
	CHECK(p.config.lockdep && p.config.no_cpu_partial);
	CHECK_EQ(p.config.slab_objects, 4);
	CHECK_EQ(p.nops, 6);
	CHECK_EQ(p.ops[1].section, SEC_IRQS_OFF);
	CHECK_EQ(p.ops[1].gfp, __GFP_ZERO);
	CHECK(p.ops[3].kind == OP_CACHE_CREATE && p.ops[3].section == SEC_PREEMPT_OFF &&
	      p.ops[3].cache == 0 && p.ops[3].size == 96 && p.ops[3].arg == 8 && p.ops[3].flags == 0);
	CHECK(p.ops[4].kind == OP_CACHE_ALLOC && p.ops[4].section == SEC_RAW_SPINLOCK &&
	      p.ops[4].gfp == GFP_ATOMIC);
	CHECK(p.ops[5].kind == OP_WRITE && p.ops[5].arg == 0 && p.ops[5].size == 16);
	CHECK_EQ(p.nevents, 5);
	CHECK_EQ(p.events[0].nops, 2);
	/* op 4's events, sorted: @5, @12, @40, then #2 */
	ev = &p.events[1];
	CHECK(ev[0].op == 4 && ev[0].kind == EV_FAIL_TRYLOCK && ev[0].ordinal == 5 && ev[0].count == 1);
	CHECK(ev[1].kind == EV_NMI && ev[1].ordinal == 12 && ev[1].nops == 1 &&
	      ev[1].ops[0].kind == OP_IRQ_WORK);
	CHECK(ev[2].kind == EV_PREEMPT && ev[2].cpu == 1 && ev[2].ordinal == 40);
	CHECK(ev[3].kind == EV_FAIL_PAGE_ALLOC && ev[3].anchor == AT_OCCURRENCE &&
	      ev[3].ordinal == 2 && ev[3].count == 3);

	/* Binary round trip (the binary form carries no bugs or expect). */
	program_decode(enc, program_encode(&p, enc, sizeof(enc)), &q);
	CHECK(prog_eq(&p, &q, false));
	CHECK_EQ(q.bugs, 0);
	CHECK_EQ(q.expect[0], 0);

	return canonical(text,
		"# config: design=cpu_slab cpus=2 lockdep no_cpu_partial slab_objects=4\n"
		"# bug: kprobe_fastpath\n"
		"# expect: double-alloc\n"
		"cpu0 task: a = kmalloc(64, GFP_KERNEL)\n"
		"cpu0 irqs_off: b = kmalloc_nolock(64, __GFP_ZERO)  @37 kprobe { x = kmalloc_nolock(64, 0); kfree_nolock(a) }\n"
		"cpu1 task: kfree(b)\n"
		"cpu0 preempt_off: c0 = kmem_cache_create(96, 8, 0)\n"
		"cpu0 raw_spin: a = kmem_cache_alloc(c0, GFP_ATOMIC)  @5 fail trylock  @12 nmi { irq_work() }  @40 preempt cpu1 { kfree(a) }  #2 fail page_alloc x3\n"
		"cpu0 task: write(a, 0, 16)\n");
}

TEST(program_parse_errors)
{
	static const struct { const char *text; int line; const char *at, *msg; } bad[] = {
		{ "cpu0 task: a = kmalloc(64, GFP_KERNEL", 1, "", "expected ')'" },
		{ "\n\ncpu0 task: a = kmalloc(64, GFP_KERNEL)\ncpu0 task: frob(a)", 4, "frob",
		  "unknown operation 'frob'" },
		{ "cpu2 task: kfree(a)", 1, "2", "cpu2 does not exist (cpus=2)" },
		{ "cpu0 task: kfree(A)", 1, "A", "bad slot 'A'" },
		{ "cpu0 task: kfree(ab)", 1, "ab", "bad slot 'ab'" },
		{ "cpu0 task: kfree()", 1, ")", "expected a slot" },
		{ "cpu0 task: kfree(a)  #3 nmi", 1, "nmi", "anchor it at a boundary" },
		{ "cpu0 task: a = kmalloc(64, GFP_BOGUS)", 1, "GFP_BOGUS",
		  "unknown gfp flag 'GFP_BOGUS'" },
		{ "cpu0 task: a = kmalloc(64, GFP_KERNEL|)", 1, ")", "expected a gfp flag" },
		{ "cpu0 task: a = kmalloc(64, 0x1ffffffff)", 1, "0x1", "must be at most 4294967295" },
		{ "# bug: kprobe_fastpath,nosuchbug", 1, "nosuch", "unknown bug 'nosuchbug'" },
		{ "cpu0 task: kfree(a)\n# config: cpus=4", 2, "#", "before the first operation" },
		{ "# config: cpus=9", 1, "9", "cpus must be at most 8" },
		{ "# config: cpus=0", 1, "0", "cpus must be at least 1" },
		{ "# config: lockdep frob", 1, "frob", "unknown config item 'frob'" },
		{ "# config: design=slob", 1, "slob", "unknown design 'slob'" },
		{ "# config: design", 1, "design", "needs a value" },
		{ "# config: up cpus=2", 1, "2", "up (no SMP) means cpus=1" },
		{ "# config: lockdep=2", 1, "2", "a boolean must be at most 1" },
		{ "cpu0 task: kfree(a)  @0 nmi", 1, "0", "ordinals count from 1" },
		{ "cpu0 task: kfree(a)  @ nmi", 1, "nmi", "expected a boundary ordinal" },
		{ "cpu0 task: kfree(a)  #1x", 1, "1x", "expected an occurrence ordinal" },
		{ "cpu0 task: kfree(a)  #foo", 1, "#", "a comment needs a blank after '#'" },
		{ "cpu0 task: kfree(a)  @3 fail trylock { kfree(a) }", 1, "{", "a fault has no handler" },
		{ "cpu0 task: kfree(a)  @3 fail lock", 1, "lock", "unknown fault 'lock'" },
		{ "cpu0 task: kfree(a)  @3 fail trylock x0", 1, "0", "a fault count is at least 1" },
		{ "cpu0 task: kfree(a)  @3 bogus", 1, "bogus", "unknown event 'bogus'" },
		{ "cpu0 task: kfree(a)  @3", 1, "", "expected an event" },
		{ "cpu0 task: kfree(a)  @3 nmi { kfree(a) kfree(b) }", 1, "kfree(b)",
		  "expected ';' or '}'" },
		{ "cpu0 task: kfree(a)  @3 nmi { kfree(a)", 1, "", "expected '}'" },
		{ "cpu0 task: kfree(a)  @3 nmi { bogus(a) }", 1, "bogus", "unknown operation" },
		{ "cpu0 task: kfree(a, b)", 1, ",", "too many arguments: kfree(a)" },
		{ "cpu0 task: a = kmalloc(64)", 1, ")", "too few arguments: a = kmalloc(size, gfp)" },
		{ "cpu0 task: kmalloc(64, 0)", 1, "kmalloc", "kmalloc needs a result" },
		{ "cpu0 task: a = kfree(b)", 1, "a =", "kfree has no result" },
		{ "cpu0 task: a = kmem_cache_create(64, 0, 0)", 1, "a =", "bad cache 'a'" },
		{ "cpu0 task: kfree a", 1, "a", "expected '('" },
		{ "cpu0 bogus: kfree(a)", 1, "bogus", "unknown section 'bogus'" },
		{ "cpu0: kfree(a)", 1, ":", "expected a section" },
		{ "cpu0 task kfree(a)", 1, "kfree", "expected ':'" },
		{ "kfree(a)", 1, "kfree", "expected 'cpuN section:'" },
		{ "  cpux task: kfree(a)", 1, "cpux", "expected 'cpuN section:'" },
		{ "cpu0 task: c9 = kmem_cache_create(96, 8, 0)", 1, "c9", "bad cache 'c9'" },
		{ "cpu0 task: c0 = kmem_cache_create(96, 3, 0)", 1, "3,", "power of two" },
		{ "cpu0 task: c0 = kmem_cache_create(96, 8192, 0)", 1, "8192", "at most 4096" },
		{ "cpu0 task: c0 = kmem_cache_create(96, 8, SLAB_BOGUS)", 1, "SLAB_BOGUS",
		  "unknown slab flag" },
		{ "cpu0 task: a = kmalloc(65536, 0)", 1, "65536", "a size must be at most 65535" },
		{ "cpu0 task: a = kmalloc(12x, 0)", 1, "12x", "expected a size" },
		{ "cpu0 task: write(a, 70000, 1)", 1, "70000", "an offset must be at most 65535" },
		{ "cpu0 task: kfree(a)  @3 preempt cpu5", 1, "5", "cpu5 does not exist" },
		{ "cpu0 task: kfree(a)  @3 preempt", 1, "", "expected a CPU" },
		{ "# expect: double-alloc\n# expect: leak", 2, "#", "a second '# expect:' line" },
		{ "# expect:", 1, "", "expected a report class" },
		{ "# expect: a b", 1, "b", "expected the end of the line" },
		{ "cpu0 task: kfree(a) junk", 1, "junk", "unexpected 'j'" },
		{ "\r\n# comment\r\ncpu0 task: kfree(a)\r\ncpu0 task: kfree(%)\r\n", 4, "%",
		  "expected a slot" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!parse_fails(bad[i].text, bad[i].line, bad[i].at, bad[i].msg))
			return false;
	return true;
}

TEST(program_gfp_print)
{
	static const struct { uint32_t gfp; const char *text; } cases[] = {
		{ 0, "0" },
		{ GFP_KERNEL, "GFP_KERNEL" },
		{ GFP_ATOMIC, "GFP_ATOMIC" },
		{ GFP_NOWAIT, "GFP_NOWAIT" },
		{ GFP_KERNEL | __GFP_ZERO, "GFP_KERNEL|__GFP_ZERO" },
		{ GFP_KERNEL | __GFP_HIGH, "GFP_KERNEL|__GFP_HIGH" },
		{ GFP_ATOMIC | __GFP_NOWARN, "GFP_ATOMIC|__GFP_NOWARN" },
		{ GFP_KERNEL | __GFP_NOFAIL, "GFP_KERNEL|__GFP_NOFAIL" },
		{ __GFP_ZERO | __GFP_ACCOUNT, "__GFP_ZERO|__GFP_ACCOUNT" },
		{ __GFP_RECLAIM, "__GFP_DIRECT_RECLAIM|__GFP_KSWAPD_RECLAIM" },
		{ __GFP_NO_OBJ_EXT, "__GFP_NO_OBJ_EXT" },
		{ 0x80000000u, "0x80000000" },
		{ __GFP_ZERO | 0x10000000u, "__GFP_ZERO|0x10000000" },
		{ 0x200u, "0x200" },
	};
	static const struct { const char *in; uint32_t gfp; } parses[] = {
		{ "0", 0 },
		{ "GFP_KERNEL|0x100", GFP_KERNEL | __GFP_ZERO },
		{ "__GFP_RECLAIM | __GFP_IO | __GFP_FS", GFP_KERNEL },
		{ "256", __GFP_ZERO },
		{ "0X400000", __GFP_ACCOUNT },
		{ "__GFP_DMA|__GFP_HIGHMEM|__GFP_DMA32|__GFP_MOVABLE|__GFP_RECLAIMABLE", 0x1f },
		{ "__GFP_NOWAIT_IS_NOT_A_NAME|0", 0xffffffff },	/* must fail */
	};
	struct op op = { .kind = OP_KMALLOC_NOLOCK, .slot = 3, .size = 100 };
	char text[320], want[256];
	struct program p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		op.gfp = cases[i].gfp;
		snprintf(want, sizeof(want), "d = kmalloc_nolock(100, %s)", cases[i].text);
		CHECK(print_op_is(&op, want));
		/* and back */
		snprintf(text, sizeof(text), "cpu0 task: %s\n", want);
		CHECK(test_parse(text, &p));
		CHECK_EQ(p.ops[0].gfp, cases[i].gfp);
	}
	for (size_t i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		bool ok;

		snprintf(text, sizeof(text), "cpu0 task: a = kmalloc(8, %s)", parses[i].in);
		ok = program_parse(text, &p, err, sizeof(err));
		if (parses[i].gfp == 0xffffffff) {
			CHECK(!ok);
			CHECK(strstr(err, "unknown gfp flag '__GFP_NOWAIT_IS_NOT_A_NAME'"));
			continue;
		}
		CHECK(test_parse(text, &p));
		CHECK_EQ(p.ops[0].gfp, parses[i].gfp);
	}
	return true;
}

TEST(program_slab_flags_print)
{
	static const struct { uint32_t flags; const char *text; } cases[] = {
		{ 0, "0" },
		{ SLAB_RED_ZONE | SLAB_POISON, "SLAB_RED_ZONE|SLAB_POISON" },
		{ SLAB_DEBUG_FLAGS,
		  "SLAB_CONSISTENCY_CHECKS|SLAB_RED_ZONE|SLAB_POISON|SLAB_STORE_USER" },
		{ SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT, "SLAB_HWCACHE_ALIGN|SLAB_ACCOUNT" },
		{ SLAB_KMALLOC, "0x1000" },
		{ SLAB_POISON | 0x1u, "SLAB_POISON|0x1" },
	};
	struct op op = { .kind = OP_CACHE_CREATE, .cache = 1, .size = 24, .arg = 16 };
	char text[320], want[256];
	struct program p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		op.flags = cases[i].flags;
		snprintf(want, sizeof(want), "c1 = kmem_cache_create(24, 16, %s)", cases[i].text);
		CHECK(print_op_is(&op, want));
		snprintf(text, sizeof(text), "cpu0 task: %s", want);
		CHECK(test_parse(text, &p));
		CHECK_EQ(p.ops[0].flags, cases[i].flags);
	}
	CHECK(test_parse("cpu0 task: c3 = kmem_cache_create(24, 0, SLAB_DEBUG_FLAGS|SLAB_ACCOUNT)", &p));
	CHECK_EQ(p.ops[0].flags, SLAB_DEBUG_FLAGS | SLAB_ACCOUNT);
	CHECK_EQ(p.ops[0].cache, 3);
	return true;
}

TEST(program_headers)
{
	struct program p;

	CHECK(canonical("# config: slab_objects=8 design=sheaves no_cmpxchg128 rule=alloc_trylock "
			"cpus=4 slub_tiny preempt_rt\n",
			"# config: design=sheaves rule=alloc_trylock cpus=4 preempt_rt slub_tiny "
			"no_cmpxchg128 slab_objects=8\n"));
	CHECK(test_parse("# config: design=sheaves rule=alloc_trylock\n", &p));
	CHECK_EQ(p.config.design, DESIGN_SHEAVES);
	CHECK_EQ(p.config.alloc_flags_rule, RULE_ALLOC_TRYLOCK);
	/* up means one CPU */
	CHECK(canonical("# config: up\n", "# config: design=cpu_slab cpus=1 up\n"));
	CHECK(canonical("# config: cpus=1 up\n", "# config: design=cpu_slab cpus=1 up\n"));
	/* defaults print nothing; booleans as name=0|1; lines accumulate */
	CHECK(canonical("# config: design=cpu_slab rule=gfp cpus=2 slab_objects=0\n", ""));
	CHECK(canonical("# config: lockdep=1 lockdep=0\n", ""));
	CHECK(canonical("#config:cpus=3\n# config: lockdep\n#  config :  no_cpu_partial=1\n",
			"# config: design=cpu_slab cpus=3 lockdep no_cpu_partial\n"));
	/* bugs: comma-separated, repeated names are fine */
	CHECK(canonical("# bug: kprobe_fastpath , kprobe_fastpath\n", "# bug: kprobe_fastpath\n"));
	CHECK(canonical("# bug: kprobe_fastpath\n# bug: kprobe_fastpath\n",
			"# bug: kprobe_fastpath\n"));
	/* expect: any class word */
	CHECK(canonical("# expect:clean\n", "# expect: clean\n"));
	CHECK(canonical("# expect: invariant-3-cpu-tid\n", "# expect: invariant-3-cpu-tid\n"));
	/* other # lines are comments, anywhere */
	CHECK(canonical("# a comment\n#config-ish but not a header\n# configure: no\n"
			"#\n##\n#!\ncpu0 task: irq_work()\n# bug in a comment: fine\n"
			"   # indented\n",
			"cpu0 task: irq_work()\n"));
	/* all three, in order */
	CHECK(canonical("# expect: leak\n# bug: kprobe_fastpath\n# config: lockdep\n",
			"# config: design=cpu_slab cpus=2 lockdep\n# bug: kprobe_fastpath\n"
			"# expect: leak\n"));
	CHECK(test_parse("# config: cpus=8\ncpu7 task: irq_work()  @1 preempt cpu7", &p));
	CHECK_EQ(p.ops[0].cpu, 7);
	return true;
}

TEST(program_comment_vs_anchor)
{
	struct program p;

	CHECK(test_parse("cpu0 task: a = kmalloc(8, 0)  # a comment @5 nmi #5 fail trylock", &p));
	CHECK_EQ(p.nevents, 0);
	CHECK(test_parse("cpu0 task: a = kmalloc(8, 0)  #5 fail trylock # then a comment", &p));
	CHECK_EQ(p.nevents, 1);
	CHECK(p.events[0].anchor == AT_OCCURRENCE && p.events[0].ordinal == 5);
	CHECK(test_parse("cpu0 task: a = kmalloc(8, 0) #", &p));
	CHECK_EQ(p.nevents, 0);
	CHECK(test_parse("cpu0 task: a = kmalloc(8, 0)\t#\tcomment", &p));
	CHECK(test_parse("cpu0 task: a = kmalloc(8, 0)#5 fail memcg#6 fail memcg x2 #", &p));
	CHECK_EQ(p.nevents, 2);
	CHECK(p.events[1].kind == EV_FAIL_MEMCG && p.events[1].count == 2);
	CHECK(test_parse("cpu0 task: a = kmalloc(8, 0)  @7 fail page_alloc  #7 fail page_alloc", &p));
	CHECK(p.events[0].anchor == AT_BOUNDARY && p.events[1].anchor == AT_OCCURRENCE);
	/* At the start of a line, '#' always begins a comment or header. */
	CHECK(test_parse("#5 fail trylock\n", &p));
	CHECK_EQ(p.nops, 0);
	/* Handlers: empty, absent, trailing ';' */
	CHECK(canonical("cpu0 task: irq_work()  @1 irq_work {}  @2 nmi { }  @3 hardirq "
			"{ irq_work(); }  @4 softirq\n",
			"cpu0 task: irq_work()  @1 irq_work  @2 nmi  @3 hardirq { irq_work() }  "
			"@4 softirq\n"));
	/* CRLF line ends */
	CHECK(test_parse("cpu0 task: a = kmalloc(8, 0)\r\n# c\r\ncpu1 task: kfree(a)  # x\r\n", &p));
	CHECK_EQ(p.nops, 2);
	return true;
}

TEST(program_limits_text)
{
	static char text[TEXT_SIZE];
	struct program p;
	size_t n = 0;

	/* 64 ops are fine, the 65th is an error on its own line. */
	for (int i = 0; i < MAX_OPS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "cpu0 task: irq_work()\n");
	CHECK(test_parse(text, &p));
	CHECK_EQ(p.nops, MAX_OPS);
	snprintf(text + n, sizeof(text) - n, "cpu0 task: irq_work()\n");
	CHECK(parse_fails(text, MAX_OPS + 1, "cpu0", "too many operations (at most 64)"));

	/* 16 events are fine, the 17th is not. */
	n = (size_t)snprintf(text, sizeof(text), "cpu0 task: irq_work()");
	for (int i = 0; i < MAX_EVENTS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "  @%d nmi", i + 1);
	CHECK(test_parse(text, &p));
	CHECK_EQ(p.nevents, MAX_EVENTS);
	snprintf(text + n, sizeof(text) - n, "  @99 nmi");
	CHECK(parse_fails(text, 1, "@99", "too many events (at most 16)"));
	/* events of different lines count together */
	CHECK(parse_fails("cpu0 task: irq_work()  @1 nmi  @2 nmi  @3 nmi  @4 nmi  @5 nmi  @6 nmi"
			  "  @7 nmi  @8 nmi\ncpu0 task: irq_work()  @1 nmi  @2 nmi  @3 nmi  @4 nmi"
			  "  @5 nmi  @6 nmi  @7 nmi  @8 nmi  @9 nmi", 2, "@9", "too many events"));

	/* 4 handler ops, not 5 */
	CHECK(test_parse("cpu0 task: irq_work()  @1 nmi { irq_work(); irq_work(); irq_work(); "
		       "irq_work() }", &p));
	CHECK_EQ(p.events[0].nops, MAX_HANDLER_OPS);
	CHECK(parse_fails("cpu0 task: irq_work()  @1 nmi { irq_work(); irq_work(); irq_work(); "
			  "irq_work(); kfree(z) }", 1, "kfree", "too many handler operations (at most 4)"));

	/* ordinals, counts, sizes, slots, caches at their limits */
	CHECK(test_parse("cpu0 task: irq_work()  @4096 nmi  #64 fail trylock x16", &p));
	CHECK_EQ(p.events[0].ordinal, PROGRAM_MAX_ORDINAL);
	CHECK_EQ(p.events[1].ordinal, PROGRAM_MAX_OCCURRENCE);
	CHECK_EQ(p.events[1].count, PROGRAM_MAX_FAULT_COUNT);
	CHECK(parse_fails("cpu0 task: irq_work()  @4097 nmi", 1, "4097",
			  "a boundary ordinal must be at most 4096"));
	CHECK(parse_fails("cpu0 task: irq_work()  #65 fail trylock", 1, "65",
			  "an occurrence ordinal must be at most 64"));
	CHECK(parse_fails("cpu0 task: irq_work()  #1 fail trylock x17", 1, "17",
			  "a fault count must be at most 16"));
	CHECK(test_parse("cpu0 task: z = kmalloc(65535, 0xffffffff)\ncpu0 task: write(z, 65535, 65535)\n"
		       "cpu0 task: c3 = kmem_cache_create(0, 4096, 0xffffffff)", &p));
	CHECK_EQ(p.ops[0].slot, MAX_SLOTS - 1);
	CHECK_EQ(p.ops[0].size, 65535);
	CHECK_EQ(p.ops[0].gfp, 0xffffffffu);
	CHECK_EQ(p.ops[1].arg, 65535);
	CHECK_EQ(p.ops[2].cache, MAX_USER_CACHES - 1);
	CHECK(test_parse("# config: slab_objects=32", &p));
	CHECK(parse_fails("# config: slab_objects=33", 1, "33", "slab_objects must be at most 32"));
	CHECK(test_parse("# expect: 0123456789012345678901234567890", &p));	/* 31 */
	CHECK(parse_fails("# expect: 01234567890123456789012345678901", 1,
			  "01234567890123456789012345678901", "report class longer than 31 characters"));
	return true;
}

TEST(program_config_parse)
{
	struct program_config c, saved;
	struct program p;

	program_decode(NULL, 0, &p);
	c = p.config;
	CHECK(program_config_parse("cpus=4 lockdep", &c, err, sizeof(err)));
	CHECK(c.cpus == 4 && c.lockdep);
	CHECK(program_config_parse("lockdep=0 design=sheaves", &c, err, sizeof(err)));
	CHECK(!c.lockdep && c.cpus == 4 && c.design == DESIGN_SHEAVES);
	CHECK(program_config_parse("", &c, err, sizeof(err)));
	/* errors leave the config as it was */
	saved = c;
	CHECK(!program_config_parse("lockdep cpus=0", &c, err, sizeof(err)));
	CHECK(strcmp(err, "column 14: cpus must be at least 1") == 0);
	CHECK(config_eq(&c, &saved));
	CHECK(!program_config_parse("frob", &c, err, sizeof(err)));
	CHECK(strcmp(err, "column 1: unknown config item 'frob'") == 0);
	/* up overrides the CPU count unless it contradicts it */
	CHECK(program_config_parse("up", &c, err, sizeof(err)));
	CHECK(c.up && c.cpus == 1);
	CHECK(!program_config_parse("cpus=3", &c, err, sizeof(err)));
	CHECK(strcmp(err, "column 6: up (no SMP) means cpus=1") == 0);
	CHECK(c.up && c.cpus == 1);
	CHECK(program_config_parse("up=0 cpus=3", &c, err, sizeof(err)));
	CHECK(!c.up && c.cpus == 3);
	/* a tiny error buffer is fine */
	CHECK(!program_config_parse("frob", &c, err, 4));
	CHECK(strlen(err) == 3);
	CHECK(!program_config_parse("frob", &c, NULL, 0));
	return true;
}

TEST(program_names)
{
	struct op op = { .kind = OP_KMALLOC, .slot = 0, .size = 64, .gfp = GFP_KERNEL };
	struct program p;
	char small[8];
	int n;

	for (int i = 0; i < NR_OP_KINDS; i++) {
		CHECK(op_kind_name(i) && strcmp(op_kind_name(i), "?") != 0);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(op_kind_name(i), op_kind_name(j)) != 0);
	}
	for (int i = 0; i < NR_EVENT_KINDS; i++) {
		CHECK(event_kind_name(i) && strcmp(event_kind_name(i), "?") != 0);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(event_kind_name(i), event_kind_name(j)) != 0);
	}
	CHECK(strcmp(op_kind_name(OP_KFREE_NOLOCK), "kfree_nolock") == 0);
	CHECK(strcmp(event_kind_name(EV_FAIL_PAGE_ALLOC), "fail page_alloc") == 0);
	CHECK(strcmp(op_kind_name(NR_OP_KINDS), "?") == 0);
	CHECK(strcmp(event_kind_name(NR_EVENT_KINDS), "?") == 0);

	/* op_print and program_print are snprintf-like */
	CHECK(print_op_is(&op, "a = kmalloc(64, GFP_KERNEL)"));
	n = op_print(&op, small, sizeof(small));
	CHECK_EQ(n, strlen("a = kmalloc(64, GFP_KERNEL)"));
	CHECK(strcmp(small, "a = kma") == 0);
	CHECK_EQ(op_print(&op, NULL, 0), n);
	CHECK(test_parse("cpu1 preempt_off: kmem_cache_free(c2, q)  @9 kprobe { write(q, 8, 100) }", &p));
	n = program_print(&p, NULL, 0);
	CHECK_EQ(n, program_print(&p, text1, sizeof(text1)));
	CHECK(strcmp(text1, "cpu1 preempt_off: kmem_cache_free(c2, q)  @9 kprobe "
		      "{ write(q, 8, 100) }\n") == 0);
	CHECK_EQ(program_print(&p, small, sizeof(small)), n);
	CHECK(strcmp(small, "cpu1 pr") == 0);
	return true;
}

/* "# sweep:" is part of the grammar: kinds, an optional handler (the default
 * one when omitted), printed back as written; mistakes are parse errors. */
TEST(program_sweep_line)
{
	struct program p;
	char text[4096], err[256];

	CHECK(program_parse("# sweep: nmi,kprobe\ncpu0 task: irq_work()\n", &p, err, sizeof(err)));
	CHECK_EQ(p.sweep_kinds, 1u << EV_NMI | 1u << EV_KPROBE);
	CHECK(p.sweep_nhandler == 1 && p.sweep_handler[0].kind == OP_KMALLOC_NOLOCK);
	program_print(&p, text, sizeof(text));
	CHECK(strncmp(text, "# sweep: nmi,kprobe\n", 20) == 0);
	CHECK(program_parse("# sweep: irq_work handler x = kmalloc_nolock(8192, 0); kfree_nolock(x)\n",
			    &p, err, sizeof(err)));
	CHECK(p.sweep_kinds == 1u << EV_IRQ_WORK && p.sweep_nhandler == 2);
	program_print(&p, text, sizeof(text));
	CHECK(strcmp(text, "# sweep: irq_work handler x = kmalloc_nolock(8192, 0); kfree_nolock(x)\n") == 0);
	CHECK(!program_parse("# sweep: nmi,fiq\n", &p, err, sizeof(err)));
	CHECK(strstr(err, "expected an interrupt kind") != NULL);
	CHECK(!program_parse("# sweep: nmi handler kmalloc(\n", &p, err, sizeof(err)));
	CHECK(!program_parse("# sweep: nmi\n# sweep: kprobe\n", &p, err, sizeof(err)));
	CHECK(!program_parse("# sweep: nmi extra\n", &p, err, sizeof(err)));
	return true;
}

/* "# unfired: op N @K kind" is part of the grammar: parsed, printed back,
 * mistakes are parse errors (reentry check matches it against the events). */
TEST(program_unfired_line)
{
	struct program p;
	char text[4096], err[256];

	CHECK(program_parse("# unfired: op 0 #1 fail trylock\n# unfired: op 2 @40 nmi\n"
			    "cpu0 task: irq_work()\n", &p, err, sizeof(err)));
	CHECK_EQ(p.nunfired, 2);
	CHECK(p.unfired[0].op == 0 && p.unfired[0].anchor == AT_OCCURRENCE &&
	      p.unfired[0].kind == EV_FAIL_TRYLOCK && p.unfired[0].ordinal == 1);
	CHECK(p.unfired[1].op == 2 && p.unfired[1].kind == EV_NMI && p.unfired[1].ordinal == 40);
	program_print(&p, text, sizeof(text));
	CHECK(strncmp(text, "# unfired: op 0 #1 fail trylock\n# unfired: op 2 @40 nmi\n", 56) == 0);
	CHECK(!program_parse("# unfired: op 0 #1 nmi\n", &p, err, sizeof(err)));
	CHECK(strstr(err, "is an interrupt") != NULL);
	CHECK(!program_parse("# unfired: 0 @1 nmi\n", &p, err, sizeof(err)));
	CHECK(!program_parse("# unfired: op 0 @1 nmi extra\n", &p, err, sizeof(err)));
	return true;
}

/* Function anchors: "@fn+K" parses, prints back as written, names the
 * function on "# unfired:" lines too, and the binary form refuses it (it has
 * ordinals only: encode converts by a run, fuzz/anchors.c). */
TEST(program_function_anchors_text)
{
	static struct program p;
	uint8_t buf[PROGRAM_MAX_BYTES];

	CHECK(canonical("# unfired: op 0 @slab_alloc_slow+6 kprobe\n"
			"cpu0 task: a = kmalloc(64, GFP_KERNEL)  @slab_alloc_slow+6 kprobe "
			"{ x = kmalloc_nolock(64, 0) }  @get_partial_node+1 fail trylock x2  @3 nmi\n",
			"# unfired: op 0 @slab_alloc_slow+6 kprobe\n"
			"cpu0 task: a = kmalloc(64, GFP_KERNEL)  @3 nmi  "
			"@get_partial_node+1 fail trylock x2  "
			"@slab_alloc_slow+6 kprobe { x = kmalloc_nolock(64, 0) }\n"));
	CHECK(test_parse("cpu0 task: kfree(a)  @slab_alloc_slow+6 nmi\n", &p));
	CHECK_EQ(p.events[0].anchor, AT_FUNCTION);
	CHECK(strcmp(p.events[0].fn, "slab_alloc_slow") == 0 && p.events[0].ordinal == 6);
	CHECK_EQ(program_encode(&p, buf, sizeof(buf)), 0);
	CHECK(parse_fails("cpu0 task: kfree(a)  @slab_alloc_slow nmi", 1, " nmi",
			  "expected '+K' after the function"));
	CHECK(parse_fails("cpu0 task: kfree(a)  @slab_alloc_slow+0 nmi", 1, "0",
			  "ordinals count from 1"));
	CHECK(parse_fails("cpu0 task: kfree(a)  @slab_alloc_slow+4097 nmi", 1, "4097", ""));
	CHECK(parse_fails("cpu0 task: kfree(a)  "
			  "@a_function_name_far_too_long_for_any_model_function_x+1 nmi", 1,
			  "a_function", "a function name has at most 47 characters"));
	return true;
}
