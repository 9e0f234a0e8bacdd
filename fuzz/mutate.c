/*
 * fuzz/mutate.c — structure-aware mutations of programs, for the fuzz
 * targets' custom mutator (fuzz/target.c).
 *
 * Byte-level mutations of the binary form find new operations easily but
 * move an interrupt only by chance: the window where an event matters is
 * often a handful of boundaries wide (inside one locked section). These
 * mutations work on the decoded program: nudge an event by a few
 * boundaries, move it to another operation, change its kind, add or drop
 * one, change a handler operation. Deterministic: all randomness comes from
 * the seed the fuzzing engine passes in.
 */
#include "mutate.h"
#include "../core/prandom.h"

#include "../core/slab.h"

#include <string.h>

static uint32_t below(uint64_t *state, uint32_t n)
{
	return n ? (uint32_t)(splitmix64(state) % n) : 0;
}

/*
 * With memcg (memcg_fuzzer, or a text program's own config), handlers also
 * allocate accounted objects and faults include failed charges. The binary
 * form carries no memcg bit: the target the program is for says it (the
 * mutators set it: fuzz/target.c, fuzz/afl_mutator.c). Other targets'
 * mutations stay exactly as they were.
 */
static bool memcg_target(const struct program *p)
{
	return p->target == TARGET_MEMCG || p->config.memcg;
}

/* A handler operation a kmalloc_nolock() caller would write. */
static struct op random_handler_op(const struct program *p, uint64_t *st)
{
	static const uint16_t sizes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 1024, 8192 };
	struct op op = { .slot = (uint8_t)below(st, MAX_SLOTS) };

	switch (below(st, 4)) {
	case 0:
	case 1:
		op.kind = OP_KMALLOC_NOLOCK;
		op.size = sizes[below(st, sizeof(sizes) / sizeof(sizes[0]))];
		op.gfp = below(st, 4) ? 0 : __GFP_ZERO;
		if (memcg_target(p) && below(st, 2))
			op.gfp |= __GFP_ACCOUNT;
		break;
	case 2:
		op.kind = OP_KFREE_NOLOCK;
		break;
	default:
		op.kind = OP_WRITE;
		op.size = (uint16_t)(1 + below(st, 64));
		break;
	}
	return op;
}

static void random_event(const struct program *p, uint64_t *st, struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->op = (uint8_t)below(st, (uint32_t)p->nops);
	ev->kind = (uint8_t)below(st, EV_NR_INTERRUPTS + 2); /* mostly interrupts, some faults */
	if (ev->kind >= EV_NR_INTERRUPTS) {
		uint32_t k = below(st, memcg_target(p) ? 3 : 2);

		ev->kind = k == 2 ? EV_FAIL_MEMCG : k ? EV_FAIL_TRYLOCK : EV_FAIL_PAGE_ALLOC;
	}
	ev->anchor = AT_BOUNDARY;
	ev->ordinal = 1 + below(st, 160);	/* most operations have fewer boundaries */
	ev->count = 1;
	ev->cpu = (uint8_t)below(st, p->config.cpus ? p->config.cpus : 1);
	if (ev->kind < EV_NR_INTERRUPTS && ev->kind != EV_IRQ_WORK) {
		ev->nops = (uint8_t)(1 + below(st, 2));
		for (int i = 0; i < ev->nops; i++)
			ev->ops[i] = random_handler_op(p, st);
	}
}

/* Events stay sorted by (op, anchor, ordinal), as the decoder leaves them. */
static void sort_events(struct program *p)
{
	for (int i = 1; i < p->nevents; i++) {
		struct event e = p->events[i];
		int j = i;

		while (j > 0 && (p->events[j - 1].op > e.op ||
				 (p->events[j - 1].op == e.op &&
				  (p->events[j - 1].anchor > e.anchor ||
				   (p->events[j - 1].anchor == e.anchor &&
				    p->events[j - 1].ordinal > e.ordinal))))) {
			p->events[j] = p->events[j - 1];
			j--;
		}
		p->events[j] = e;
	}
}

bool program_mutate(struct program *p, uint64_t seed)
{
	uint64_t st = seed;
	struct event *ev;

	if (p->nops == 0)
		return false;
	ev = p->nevents ? &p->events[below(&st, (uint32_t)p->nevents)] : NULL;
	switch (below(&st, 8)) {
	case 0:
	case 1:
	case 2: { /* nudge an event by a few boundaries: the common case */
		int32_t delta = (int32_t)below(&st, 33) - 16;
		uint32_t max = ev && ev->anchor == AT_OCCURRENCE ? PROGRAM_MAX_OCCURRENCE
								 : PROGRAM_MAX_ORDINAL;

		if (!ev || delta == 0)
			return false;
		if ((int32_t)ev->ordinal + delta < 1 || ev->ordinal + (uint32_t)delta > max)
			return false;
		ev->ordinal = (uint32_t)((int32_t)ev->ordinal + delta);
		break;
	}
	case 3: /* another kind of interrupt at the same place */
		if (!ev || ev->kind >= EV_NR_INTERRUPTS)
			return false;
		ev->kind = (uint8_t)below(&st, EV_NR_INTERRUPTS);
		if (ev->kind == EV_PREEMPT)
			ev->cpu = (uint8_t)below(&st, p->config.cpus ? p->config.cpus : 1);
		break;
	case 4: /* the same event in another operation */
		if (!ev)
			return false;
		ev->op = (uint8_t)below(&st, (uint32_t)p->nops);
		break;
	case 5: /* a new event */
		if (p->nevents == MAX_EVENTS)
			return false;
		random_event(p, &st, &p->events[p->nevents++]);
		break;
	case 6: /* drop one */
		if (!ev)
			return false;
		*ev = p->events[--p->nevents];
		break;
	default: /* change or add a handler operation */
		if (!ev || ev->kind >= EV_NR_INTERRUPTS)
			return false;
		if (ev->nops < MAX_HANDLER_OPS && below(&st, 2))
			ev->ops[ev->nops++] = random_handler_op(p, &st);
		else if (ev->nops)
			ev->ops[below(&st, ev->nops)] = random_handler_op(p, &st);
		else
			return false;
		break;
	}
	sort_events(p);
	return true;
}

size_t input_mutate(const uint8_t *data, size_t size, unsigned int target, uint64_t seed, uint8_t *out)
{
	static struct program p;

	program_decode(data, size, &p);
	if (target != TARGET_NONE)
		p.target = (uint8_t)target;
	if (!program_mutate(&p, seed))
		return 0;
	return program_encode(&p, out, PROGRAM_MAX_BYTES);
}
