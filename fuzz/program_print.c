/*
 * fuzz/program_print.c — the text form of a program (grammar: program_parse.c),
 * printed in its canonical form: headers only when not the default, events
 * sorted, flags as names (composites first), handlers on the op's line.
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

static void emit_anchor(struct text_out *o, uint8_t anchor, const char *fn, uint32_t ordinal)
{
	char buf[PROGRAM_FN_LEN + 32];

	program_anchor_print(buf, sizeof(buf), anchor, fn, ordinal);
	emit(o, "%s", buf);
}

int program_anchor_print(char *buf, size_t size, uint8_t anchor, const char *fn,
			 uint32_t ordinal)
{
	if (anchor == AT_FUNCTION)
		return snprintf(buf, size, "@%.*s+%u", PROGRAM_FN_LEN, fn, ordinal);
	return snprintf(buf, size, "%c%u", anchor == AT_OCCURRENCE ? '#' : '@', ordinal);
}

static void emit_event(struct text_out *o, const struct event *ev)
{
	unsigned int flags;

	if (ev->kind >= NR_EVENT_KINDS) {
		emit(o, "@%u invalid_event_%u", ev->ordinal, ev->kind);
		return;
	}
	flags = event_flags[ev->kind];
	emit_anchor(o, ev->anchor, ev->fn, ev->ordinal);
	emit(o, " %s", event_kind_name(ev->kind));
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

	for (size_t i = 0; i < nr_config_bools; i++)
		if (config_get(c, i) != config_get(d, i))
			return false;
	return c->design == d->design && c->alloc_flags_rule == d->alloc_flags_rule &&
	       c->cpus == d->cpus && c->slab_objects == d->slab_objects &&
	       c->slub_debug == d->slub_debug;
}

/* slub_debug= letters, in the kernel's order: F (consistency checks), Z (red
 * zones), P (poisoning), U (store user). */

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
	for (size_t i = 0; i < nr_config_bools; i++)
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
	for (int i = 0; i < p->nunfired && i < MAX_EVENTS; i++) {
		const struct unfired *u = &p->unfired[i];

		emit(&o, "# unfired: op %u ", u->op);
		emit_anchor(&o, u->anchor, u->fn, u->ordinal);
		emit(&o, " %s\n", event_kind_name((enum event_kind)u->kind));
	}
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

