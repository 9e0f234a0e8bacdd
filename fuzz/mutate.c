/*
 * fuzz/mutate.c — structure-aware mutations of programs, for the fuzz
 * targets' custom mutator (fuzz/target.c).
 *
 * Byte-level mutations of the binary form find new operations easily but
 * move an interrupt only by chance: the window where an event matters is
 * often a handful of boundaries wide (inside one locked section). These
 * mutations work on the decoded program: nudge an event by a few
 * boundaries, move it to another operation, change its kind, add or drop
 * one, change a handler operation. And they grow the program the way a
 * window opens: another allocation like one it has (filling a slab is what
 * leads to the slow paths), a free of an object it holds, a write into
 * one, an object's whole life (allocated, written, freed: stale bytes for
 * the next user of its memory). Handlers and new operations favour the
 * sizes the program already allocates and the objects it holds: a handler
 * in the interrupted operation's bucket is what meets its per-CPU state, a
 * free needs a live object. Deterministic: all randomness comes from the
 * seed the fuzzing engine passes in.
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

static bool allocates(const struct op *op)
{
	return op->kind == OP_KMALLOC || op->kind == OP_KMALLOC_NOLOCK || op->kind == OP_CACHE_ALLOC;
}

/* Half the time a size the program's kmalloc()s ask for, else a bucket's. */
static uint16_t some_size(const struct program *p, uint64_t *st)
{
	static const uint16_t sizes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 1024, 8192 };
	uint16_t seen[MAX_OPS];
	uint32_t n = 0;

	for (int i = 0; i < p->nops; i++)
		if (p->ops[i].kind == OP_KMALLOC || p->ops[i].kind == OP_KMALLOC_NOLOCK)
			seen[n++] = p->ops[i].size;
	if (n && below(st, 2))
		return seen[below(st, n)];
	return sizes[below(st, sizeof(sizes) / sizeof(sizes[0]))];
}

/* Mostly a slot the program or a handler allocates into (a handler that
 * frees what it allocated is an ABA), else any. */
static uint8_t some_slot(const struct program *p, uint64_t *st)
{
	uint8_t seen[MAX_OPS + MAX_EVENTS * MAX_HANDLER_OPS];
	uint32_t n = 0;

	for (int i = 0; i < p->nops; i++)
		if (allocates(&p->ops[i]))
			seen[n++] = p->ops[i].slot;
	for (int e = 0; e < p->nevents; e++)
		for (int k = 0; k < p->events[e].nops; k++)
			if (allocates(&p->events[e].ops[k]))
				seen[n++] = p->events[e].ops[k].slot;
	if (n && below(st, 4))
		return seen[below(st, n)];
	return (uint8_t)below(st, MAX_SLOTS);
}

static uint32_t nolock_gfp(const struct program *p, uint64_t *st)
{
	uint32_t gfp = below(st, 4) ? 0 : __GFP_ZERO;

	if (memcg_target(p) && below(st, 2))
		gfp |= __GFP_ACCOUNT;
	return gfp;
}

/*
 * The size of the object operation i allocates, frees or writes (the last
 * allocation into its slot before it), 0 if none: the bucket whose per-CPU
 * state the operation holds while an interrupt lands in it.
 */
static uint16_t size_at(const struct program *p, int i)
{
	if (p->ops[i].kind == OP_KMALLOC || p->ops[i].kind == OP_KMALLOC_NOLOCK)
		return p->ops[i].size;
	if (p->ops[i].kind != OP_KFREE && p->ops[i].kind != OP_KFREE_NOLOCK && p->ops[i].kind != OP_WRITE)
		return 0;
	for (int k = i - 1; k >= 0; k--)
		if (allocates(&p->ops[k]) && p->ops[k].slot == p->ops[i].slot)
			return p->ops[k].kind == OP_CACHE_ALLOC ? 0 : p->ops[k].size;
	return 0;
}

/* A handler operation a kmalloc_nolock() caller would write, for an
 * interrupt in operation at: half its allocations in that operation's
 * bucket. */
static struct op random_handler_op(const struct program *p, int at, uint64_t *st)
{
	struct op op = { .slot = (uint8_t)below(st, MAX_SLOTS) };
	uint16_t here = size_at(p, at);

	switch (below(st, 4)) {
	case 0:
	case 1:
		op.kind = OP_KMALLOC_NOLOCK;
		op.size = here && below(st, 2) ? here : some_size(p, st);
		op.gfp = nolock_gfp(p, st);
		break;
	case 2:
		op.kind = OP_KFREE_NOLOCK;
		op.slot = some_slot(p, st);
		break;
	default:
		op.kind = OP_WRITE;
		op.slot = some_slot(p, st);
		op.size = (uint16_t)(1 + below(st, 64));
		break;
	}
	return op;
}

/* A task's allocation, free or write into an object (what the next user
 * of its memory must not see), on the CPU of the operation it goes next to. */
static struct op random_task_op(const struct program *p, uint64_t *st, uint8_t cpu)
{
	struct op op = { .cpu = cpu, .slot = (uint8_t)below(st, MAX_SLOTS) };

	switch (below(st, 5)) {
	case 0:
		op.kind = OP_KMALLOC;
		op.size = some_size(p, st);
		op.gfp = GFP_KERNEL | (below(st, 4) ? 0 : __GFP_ZERO);
		if (memcg_target(p) && below(st, 2))
			op.gfp |= __GFP_ACCOUNT;
		break;
	case 1:
		op.kind = OP_KMALLOC_NOLOCK;
		op.size = some_size(p, st);
		op.gfp = nolock_gfp(p, st);
		break;
	case 2:
		op.kind = OP_KFREE;
		op.slot = some_slot(p, st);
		break;
	case 3:
		op.kind = OP_KFREE_NOLOCK;
		op.slot = some_slot(p, st);
		break;
	default:
		op.kind = OP_WRITE;
		op.slot = some_slot(p, st);
		op.size = some_size(p, st);	/* the whole object, mostly */
		break;
	}
	return op;
}

/* Put op at index at: the events of the operations after it move with them. */
static bool insert_op(struct program *p, int at, struct op op)
{
	if (p->nops == MAX_OPS)
		return false;
	memmove(&p->ops[at + 1], &p->ops[at], (size_t)(p->nops - at) * sizeof(p->ops[0]));
	p->ops[at] = op;
	p->nops++;
	for (int i = 0; i < p->nevents; i++)
		if (p->events[i].op >= at)
			p->events[i].op++;
	return true;
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
	/* most operations have fewer than 160 boundaries, fast paths a few
	 * dozen: small ordinals more often */
	ev->ordinal = 1 + below(st, 1 + below(st, 160));
	ev->count = 1;
	ev->cpu = (uint8_t)below(st, p->config.cpus ? p->config.cpus : 1);
	if (ev->kind < EV_NR_INTERRUPTS && ev->kind != EV_IRQ_WORK) {
		ev->nops = (uint8_t)(1 + below(st, 2));
		for (int i = 0; i < ev->nops; i++)
			ev->ops[i] = random_handler_op(p, ev->op, st);
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

	if (p->nops == 0) {	/* from nothing: a first allocation */
		do
			p->ops[0] = random_task_op(p, &st, 0);
		while (!allocates(&p->ops[0]));
		p->nops = 1;
		return true;
	}
	ev = p->nevents ? &p->events[below(&st, (uint32_t)p->nevents)] : NULL;
	switch (below(&st, 11)) {
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
	case 7: { /* another operation like one the program has, next to it;
		   * a copy of an allocation into another slot, so that the
		   * program holds both objects by name */
		int i = (int)below(&st, (uint32_t)p->nops);
		struct op op = p->ops[i];

		if (allocates(&op))
			op.slot = (uint8_t)below(&st, MAX_SLOTS);
		else
			op = random_task_op(p, &st, op.cpu);
		if (!insert_op(p, i + 1, op))
			return false;
		break;
	}
	case 8: { /* a new allocation or free anywhere */
		int i = (int)below(&st, (uint32_t)p->nops + 1);

		if (!insert_op(p, i, random_task_op(p, &st, p->ops[i < p->nops ? i : i - 1].cpu)))
			return false;
		break;
	}
	case 9: { /* an object's whole life: allocated, written, freed — what
		   * leaves stale bytes for the next user of its memory */
		int i = (int)below(&st, (uint32_t)p->nops + 1);
		uint8_t cpu = p->ops[i < p->nops ? i : i - 1].cpu;
		struct op alloc = random_task_op(p, &st, cpu);

		if (p->nops + 3 > MAX_OPS)
			return false;
		while (!allocates(&alloc))
			alloc = random_task_op(p, &st, cpu);
		insert_op(p, i, alloc);
		insert_op(p, i + 1, (struct op){ .kind = OP_WRITE, .cpu = cpu, .slot = alloc.slot,
						 .size = alloc.size });
		insert_op(p, i + 2, (struct op){ .kind = below(&st, 2) ? OP_KFREE : OP_KFREE_NOLOCK,
						 .cpu = cpu, .slot = alloc.slot });
		break;
	}
	default: /* change or add a handler operation */
		if (!ev || ev->kind >= EV_NR_INTERRUPTS)
			return false;
		if (ev->nops < MAX_HANDLER_OPS && below(&st, 2))
			ev->ops[ev->nops++] = random_handler_op(p, ev->op, &st);
		else if (ev->nops)
			ev->ops[below(&st, ev->nops)] = random_handler_op(p, ev->op, &st);
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
