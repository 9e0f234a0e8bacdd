/*
 * fuzz/verify_handlers.c — the handlers `reentry verify` sweeps each seed
 * with (verify.h; docs/verify.md says which path of the model each one
 * reaches): derived from the seed's text, one per operation.
 */
#include "verify.h"

#include <string.h>

/* core/kmalloc.c's buckets (tests/test_verify.c compares them with the model's) */
static const unsigned int buckets[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 };
#define NR_BUCKETS ((int)(sizeof(buckets) / sizeof(buckets[0])))

/*
 * The other bucket: the first of these the seed never allocates from, so
 * that the handler's allocation always needs a new slab (the page
 * allocator's zone lock, a slab's obj_exts vector with memcg, the freelist
 * shuffle's entropy). Mid-sized buckets first: kmalloc-64 also holds the
 * sheaves, 8192 has no next bucket to retry in.
 */
static const unsigned int other_buckets[] = { 512, 1024, 256, 2048, 192, 128, 4096, 96, 32, 16, 8,
					      8192, 64 };

/* An operation that names no size of its own is sized as the default handler's allocation. */
#define DEFAULT_SIZE 64

static const char *const handler_names[NR_VERIFY_HANDLERS] = {
	[VH_SAME_BUCKET] = "same-bucket", [VH_OTHER_BUCKET] = "other-bucket",
	[VH_FREE_LOCAL] = "free-local", [VH_FREE_REMOTE] = "free-remote", [VH_ABA] = "aba",
	[VH_OWN] = "own",
};

const char *verify_handler_name(enum verify_handler h)
{
	return (unsigned int)h < NR_VERIFY_HANDLERS ? handler_names[h] : "?";
}

unsigned int verify_handler_kinds(enum verify_handler h)
{
	if (h == VH_OTHER_BUCKET)
		return (1u << EV_NMI) | (1u << EV_KPROBE) | (1u << EV_PREEMPT);
	if (h == VH_ABA)
		return (1u << EV_NMI) | (1u << EV_HARDIRQ);
	return SWEEP_INTERRUPTS;
}

unsigned int verify_bucket_size(int n)
{
	return n >= 0 && n < NR_BUCKETS ? buckets[n] : 0;
}

static int bucket_of(unsigned int size)
{
	for (int n = 0; size && n < NR_BUCKETS; n++)
		if (size <= buckets[n])
			return n;
	return -1;
}

/*
 * What the program's text says a slot holds at a point of the program: a
 * static guess (an allocation may fail, an event may not fire), good enough
 * to name an object a handler may free. A guess that is wrong costs
 * nothing: freeing an empty slot is a skipped operation.
 */
struct slot {
	bool live;
	bool nolock;		/* from kmalloc_nolock(): kfree_nolock() may free it */
	uint8_t cpu;		/* the CPU that allocated it */
	uint16_t size;
	int age;		/* allocation order */
};

static bool uses_slot(const struct op *op)
{
	return op->kind == OP_KMALLOC || op->kind == OP_KMALLOC_NOLOCK || op->kind == OP_CACHE_ALLOC ||
	       op->kind == OP_KFREE || op->kind == OP_KFREE_NOLOCK || op->kind == OP_CACHE_FREE ||
	       op->kind == OP_WRITE;
}

static bool frees(const struct op *op)
{
	return op->kind == OP_KFREE || op->kind == OP_KFREE_NOLOCK || op->kind == OP_CACHE_FREE;
}

static void track(struct slot *slots, const struct op *op, int cpu, int *clock)
{
	switch (op->kind) {
	case OP_KMALLOC:
	case OP_KMALLOC_NOLOCK:
	case OP_CACHE_ALLOC:
		slots[op->slot] = (struct slot){
			.live = true, .nolock = op->kind == OP_KMALLOC_NOLOCK, .cpu = (uint8_t)cpu,
			.size = op->kind == OP_CACHE_ALLOC ? 0 : op->size, .age = ++*clock,
		};
		break;
	case OP_KFREE:
	case OP_KFREE_NOLOCK:
	case OP_CACHE_FREE:
		slots[op->slot].live = false;
		break;
	default:
		break;
	}
}

static void mark(const struct op *op, bool *used, bool *bucket_used)
{
	if (uses_slot(op))
		used[op->slot] = true;
	if ((op->kind == OP_KMALLOC || op->kind == OP_KMALLOC_NOLOCK) && bucket_of(op->size) >= 0)
		bucket_used[bucket_of(op->size)] = true;
}

/* The size a same-bucket handler allocates during op: the size of the object it works on. */
static unsigned int op_size(const struct op *op, const struct slot *slots)
{
	unsigned int size = 0;

	switch (op->kind) {
	case OP_KMALLOC:
	case OP_KMALLOC_NOLOCK:
		size = op->size;
		break;
	case OP_KFREE:
	case OP_KFREE_NOLOCK:
	case OP_WRITE:
		if (slots[op->slot].live)
			size = slots[op->slot].size;
		break;
	default:
		break;
	}
	return bucket_of(size) >= 0 ? size : DEFAULT_SIZE;
}

/*
 * The object a free handler frees during an operation on `cpu` working in
 * `bucket`: a live object allocated on that CPU (local) or on another
 * (remote), not the one the operation frees (the oracle takes it out of the
 * heap before the free begins: freeing it again would be the program's
 * double free, skipped); of the same bucket if there is one, the newest
 * (the likeliest to be on the CPU's slab or sheaf). A kmalloc_nolock()
 * object if there is one (kfree_nolock(), legal in every context), else a
 * kmalloc() one (kfree(): a hardirq's, a softirq's or the irq_work's free
 * into the slab the operation holds — the only free a seed without
 * kmalloc_nolock() objects has, as where the arch lacks the 16-byte
 * cmpxchg; where kfree() is not allowed, in NMI, the executor skips it).
 * -1 if none.
 */
static int pick_of(const struct slot *slots, int exclude, int cpu, bool local, int bucket,
		   bool nolock)
{
	int best = -1;
	bool best_same = false;

	for (int s = 0; s < MAX_SLOTS; s++) {
		const struct slot *o = &slots[s];
		bool same;

		if (s == exclude || !o->live || o->nolock != nolock || bucket_of(o->size) < 0 ||
		    (o->cpu == cpu) != local)
			continue;
		same = bucket_of(o->size) == bucket;
		if (best < 0 || (same && !best_same) ||
		    (same == best_same && o->age > slots[best].age)) {
			best = s;
			best_same = same;
		}
	}
	return best;
}

static int pick(const struct slot *slots, int exclude, int cpu, bool local, int bucket)
{
	int v = pick_of(slots, exclude, cpu, local, bucket, true);

	return v >= 0 ? v : pick_of(slots, exclude, cpu, local, bucket, false);
}

static struct op nolock_alloc(int slot, unsigned int size, uint32_t gfp)
{
	return (struct op){ .kind = OP_KMALLOC_NOLOCK, .slot = (uint8_t)slot, .size = (uint16_t)size,
			    .gfp = gfp };
}

static struct op nolock_free(int slot)
{
	return (struct op){ .kind = OP_KFREE_NOLOCK, .slot = (uint8_t)slot };
}

bool verify_handlers(const struct program *p, enum verify_handler h, struct sweep_handler *out)
{
	bool used[MAX_SLOTS] = { false }, bucket_used[NR_BUCKETS] = { false }, any = false;
	struct slot slots[MAX_SLOTS] = { { 0 } };
	uint32_t gfp = __GFP_ZERO | (p->config.memcg ? __GFP_ACCOUNT : 0);
	unsigned int other = other_buckets[0];
	int clock = 0, x = 'x' - 'a', y = 'y' - 'a';

	if (h == VH_OWN && !p->sweep_kinds)
		return false;
	for (int i = 0; i < p->nops; i++)
		mark(&p->ops[i], used, bucket_used);
	for (int e = 0; e < p->nevents; e++)
		for (int j = 0; j < p->events[e].nops; j++)
			mark(&p->events[e].ops[j], used, bucket_used);
	for (int j = 0; p->sweep_kinds && j < p->sweep_nhandler; j++)
		mark(&p->sweep_handler[j], used, bucket_used);
	/* x, else the last free letter: the handler's object must not replace one
	 * of the program's; y (aba's second), else the next free one below x */
	for (int s = MAX_SLOTS - 1; used[x] && s >= 0; s--)
		if (!used[s])
			x = s;
	used[x] = true;
	for (int s = MAX_SLOTS - 1; used[y] && s >= 0; s--)
		if (!used[s])
			y = s;
	for (size_t k = 0; k < sizeof(other_buckets) / sizeof(other_buckets[0]); k++) {
		if (!bucket_used[bucket_of(other_buckets[k])]) {
			other = other_buckets[k];
			break;
		}
	}

	for (int i = 0; i < p->nops; i++) {
		const struct op *op = &p->ops[i];
		struct sweep_handler *hd = &out[i];
		unsigned int size = op_size(op, slots);
		int exclude = frees(op) ? op->slot : -1, v;

		memset(hd, 0, sizeof(*hd));
		switch (h) {
		case VH_SAME_BUCKET:
			hd->ops[hd->nops++] = nolock_alloc(x, size, gfp);
			break;
		case VH_OTHER_BUCKET:
			hd->ops[hd->nops++] = nolock_alloc(x, other, gfp);
			break;
		case VH_ABA:
			/* over an allocation only: the fast path that read the
			 * freelist's head and its next must find the head back
			 * with another next, the tid alone telling them apart */
			if (op->kind != OP_KMALLOC && op->kind != OP_KMALLOC_NOLOCK)
				break;
			hd->ops[hd->nops++] = nolock_alloc(x, size, gfp);
			hd->ops[hd->nops++] = nolock_alloc(y, size, gfp);
			hd->ops[hd->nops++] = nolock_free(x);
			break;
		case VH_FREE_LOCAL:
		case VH_FREE_REMOTE:
			v = pick(slots, exclude, op->cpu, h == VH_FREE_LOCAL, bucket_of(size));
			if (v >= 0 && slots[v].nolock)
				hd->ops[hd->nops++] = nolock_free(v);
			else if (v >= 0)
				hd->ops[hd->nops++] = (struct op){ .kind = OP_KFREE, .slot = (uint8_t)v };
			break;
		case VH_OWN:
			hd->nops = p->sweep_nhandler;
			memcpy(hd->ops, p->sweep_handler, (size_t)hd->nops * sizeof(hd->ops[0]));
			break;
		default:
			break;
		}
		any |= hd->nops > 0;
		/* then what the operation and its own events' handlers do */
		track(slots, op, op->cpu, &clock);
		for (int e = 0; e < p->nevents; e++)
			for (int j = 0; p->events[e].op == i && j < p->events[e].nops; j++)
				track(slots, &p->events[e].ops[j], op->cpu, &clock);
	}
	return any;
}
