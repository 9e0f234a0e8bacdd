/*
 * fuzz/program_parse.c — the text form of a program: what people write
 * regressions in, parsed into struct program (program.h).
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
 *             | no_debug_preempt | no_bounded_work | no_nolock_spin | no_lockdep_irq
 *             | no_lockdep_assert | no_might_sleep | no_api_contract
 *             | no_kmemleak | no_kasan
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
 *   event    := at interrupt [handler] | at fault | '#'N fault
 *   at       := '@'FN '+'K            (the operation's K-th boundary in model
 *                                      function FN, inlined or not: survives
 *                                      patches to other functions)
 *             | '@'N                  (the operation's N-th boundary: an
 *                                      ordinal, what the binary form carries)
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
#include "program_tables.h"

#include "../core/bugs.h"
#include "../core/slab.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

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
		if (v & (v - 1))
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

/* One more handler operation into ops[*n] (an event's or a sweep's handler). */
static bool parse_handler_op(struct cursor *c, struct op *ops, uint8_t *n)
{
	if (*n == MAX_HANDLER_OPS)
		return fail_at(c, c->p, "too many handler operations (at most %d)", MAX_HANDLER_OPS);
	if (!parse_op(c, &ops[*n]))
		return false;
	++*n;
	return true;
}

/* '{' [op (';' op)* [';']] '}' */
static bool parse_handler(struct cursor *c, struct event *ev)
{
	c->p++;	/* '{' */
	if (accept(c, '}'))
		return true;
	for (;;) {
		if (!parse_handler_op(c, ev->ops, &ev->nops))
			return false;
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

/* "@K kind", "@fn+K kind" or "#K kind" (c at the '@' or '#'):
 * the anchor, ordinal and kind of ev. */
static bool parse_anchor_kind(struct cursor *c, struct event *ev, enum event_anchor anchor)
{
	const char *s, *kind_at;
	size_t n;
	uint64_t v;
	int kind = -1;

	c->p++;
	s = c->p;
	if (anchor == AT_BOUNDARY && s < c->end && (is_ident(*s) && !is_digit(*s))) {
		/* a function anchor */
		anchor = AT_FUNCTION;
		ident(c, &n);
		if (n >= PROGRAM_FN_LEN)
			return fail_at(c, s, "a function name has at most %d characters",
				       PROGRAM_FN_LEN - 1);
		memcpy(ev->fn, s, n);
		ev->fn[n] = '\0';
		if (c->p >= c->end || *c->p != '+')
			return fail_at(c, c->p, "expected '+K' after the function: @%s+K is the "
				       "operation's K-th boundary in %s", ev->fn, ev->fn);
		c->p++;
		s = c->p;
	}
	ev->anchor = (uint8_t)anchor;
	if (anchor != AT_OCCURRENCE) {
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
		return fail_at(c, kind_at, "%s is an interrupt: anchor it at a boundary (@fn+K, "
			       "@N); #N counts occurrences, for faults", event_kind_name(kind));
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

/* "# unfired: op N @fn+K kind" (any anchor): an event the regression
 * expects not to fire. */
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
		return fail_at(c, s, "expected 'op N @fn+K kind' (an event of the program)");
	if (!number(c, MAX_OPS - 1, &v, "an operation index"))
		return false;
	peek(c);
	if (*c->p != '@' && *c->p != '#')
		return fail_at(c, c->p, "expected '@fn+K', '@K' or '#K' after the operation");
	if (!parse_anchor_kind(c, &ev, *c->p == '@' ? AT_BOUNDARY : AT_OCCURRENCE))
		return false;
	p->unfired[p->nunfired] = (struct unfired){
		.op = (uint8_t)v, .anchor = ev.anchor, .kind = ev.kind, .ordinal = ev.ordinal,
	};
	memcpy(p->unfired[p->nunfired++].fn, ev.fn, sizeof(ev.fn));
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
			return fail_at(c, c->p, "unexpected '%c': expected an event (@fn+K, @N, #N) "
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
				       "no_debug_preempt, no_bounded_work, no_nolock_spin, no_lockdep_irq, "
				       "no_lockdep_assert, no_might_sleep, no_api_contract, no_kmemleak, "
				       "no_kasan)");
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
		for (i = 0; i < (int)nr_config_bools; i++)
			if (token_is(key, klen, config_bools[i].name))
				break;
		if (i == (int)nr_config_bools)
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
		if (!parse_handler_op(c, p->sweep_handler, &p->sweep_nhandler))
			return false;
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
	program_sort_events(out);
	return true;
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

