/*
 * fuzz/oracle.c — the oracle: a shadow heap of every live object, checked at
 * every allocation and free, and the end-of-run checks.
 *
 *   a returned object lies in a slab of the right cache, starts an object,
 *   and overlaps no live object (else double-alloc or overlap);
 *   __GFP_ZERO objects are zero (not-zeroed);
 *   a live object keeps the pattern written at allocation until it is freed:
 *   the allocator wrote into live memory otherwise (corrupt-free);
 *   a NULL from kmalloc_nolock() has a reason that holds: busy only where an
 *   interrupted context can hold the lock, ENOMEM only after a page
 *   allocation failed (spurious-null otherwise); a NULL from kmalloc() only
 *   after a page allocation failed — in Design B or under the new
 *   alloc_flags rule, a real one, not a trylock that found the lock taken;
 *   a NULL from an __GFP_ACCOUNT allocation may also follow a failed memcg
 *   charge (memcg);
 *   at the end, with everything freed and deferred work drained, the
 *   validators pass and every cache holds no allocated object but obj_exts
 *   vectors (lost-object); with memcg every charged byte was uncharged and
 *   the page counter is zero once the stocks are drained (memcg-leak);
 *   kmemleak tracks no freed memory (inject/kmemleak.c's scan).
 */
#include "exec.h"

#include "../inject/kmemleak.h"
#include "../inject/write_marks.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

_Noreturn void oracle_fail(struct exec *x, const char *cls, const char *fmt, ...)
{
	char text[600];
	va_list ap;

	(void)x;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	machine_report(cls, "%s", text);
}

static const char *api_name(int api)
{
	static const char *const names[] = {
		[API_KMALLOC] = "kmalloc", [API_NOLOCK] = "kmalloc_nolock",
		[API_CACHE] = "kmem_cache_alloc", [API_LARGE] = "kmalloc (large)",
	};

	return names[api];
}

static void who(const struct exec *x, const struct live_object *o, char *buf, size_t size)
{
	(void)x;
	snprintf(buf, size, "%s by op %d%s", api_name(o->api), o->op,
		 o->by_handler ? " (in a handler)" : "");
}

/* The first byte of [p, p+size) that is not `byte`, or size. Objects run up
 * to tens of kilobytes and every free checks one: the common answer ("all
 * of them") is one memcmp of the object with itself shifted by a byte (libc
 * speed, and ASan checks the range once), the rare other one a word walk. */
static uint32_t first_other_byte(const unsigned char *p, uint32_t size, unsigned char byte)
{
	uint64_t word = 0x0101010101010101ull * byte, w;
	uint32_t k = 0;

	if (size == 0 || (p[0] == byte && memcmp(p, p + 1, size - 1) == 0))
		return size;
	for (; k + 8 <= size; k += 8) {
		memcpy(&w, p + k, 8);
		if (w != word)
			break;
	}
	for (; k < size; k++)
		if (p[k] != byte)
			return k;
	return size;
}

/* Can an interrupted context on this CPU hold a lock, so that busy is legal? */
static bool busy_possible(void)
{
	return machine_depth() > 0 || irqs_disabled() || !preemptible();
}

/*
 * Is an ordinary allocation held to "NULL only on a real page allocator
 * failure"? It is in the world of seed 001 (Design B) and wherever the new
 * alloc_flags rule is in force: an ordinary allocation there may spin, so a
 * trylock that found a lock taken cannot be why it failed. Design A under
 * the old rule (the 6.18 baseline its targets check) defines an allocation
 * whose gfp lacks the reclaim bits as one that may not spin, and is only
 * held to "after some page allocation failure" — the seed 001 problem exists
 * there too, but it is not what those targets look for.
 */
static bool ordinary_alloc_may_spin(void)
{
	return kconfig.design == DESIGN_SHEAVES || kconfig.alloc_flags_rule == RULE_ALLOC_TRYLOCK;
}

static void check_null(struct exec *x, const struct op *op, enum alloc_api api,
		       struct alloc_failures before, enum nolock_fail why)
{
	/* ENOMEM: a page allocation failed, or a new slab could not be placed
	 * because list_lock was taken (a caller that may not spin gives up) */
	bool page_failed = page_alloc_failures() + slab_trylock_failures() != before.any;
	bool real_failure = page_alloc_failures() - page_alloc_contended() != before.real;
	/* a failed memcg charge of an accounted allocation frees the object */
	bool memcg_failed = kconfig.memcg && memcg_charge_failures() != x->st.memcg_failures_before;

	if (api != API_NOLOCK) {
		if (op->size > KMALLOC_MAX_CACHE_SIZE || memcg_failed)
			return;
		if (ordinary_alloc_may_spin() && !real_failure)
			oracle_fail(x, "spurious-null",
				    "%s(%u, %#x) returned NULL without a real page allocation failure "
				    "(an ordinary allocation was treated as one that may not spin)",
				    api_name(api), op->size, op->gfp);
		if (!page_failed)
			oracle_fail(x, "spurious-null",
				    "%s(%u) returned NULL without a page allocation or memcg charge failure",
				    api_name(api), op->size);
		return;
	}
	x->st.nolock_null[why]++;
	switch (why) {
	case NOLOCK_BUSY:
		if (!busy_possible())
			oracle_fail(x, "spurious-null",
				    "kmalloc_nolock(%u) returned NULL as busy in plain task context",
				    op->size);
		break;
	case NOLOCK_NOMEM:
		if (!page_failed)
			oracle_fail(x, "spurious-null",
				    "kmalloc_nolock(%u) returned NULL as ENOMEM without a page allocation failure",
				    op->size);
		break;
	case NOLOCK_TOO_LARGE:
		if (op->size <= KMALLOC_MAX_CACHE_SIZE)
			oracle_fail(x, "spurious-null", "kmalloc_nolock(%u) returned NULL as too large",
				    op->size);
		break;
	case NOLOCK_CONTEXT:
		if (!(kconfig.preempt_rt && !preemptible()) &&
		    !(!kconfig.smp && (in_nmi() || irqs_disabled())))
			oracle_fail(x, "spurious-null",
				    "kmalloc_nolock(%u) refused the context: neither RT and not preemptible, nor UP in NMI or with irqs off",
				    op->size);
		break;
	case NOLOCK_UNSUPPORTED:
		if (kconfig.has_cmpxchg128)
			oracle_fail(x, "spurious-null",
				    "kmalloc_nolock(%u) returned NULL as unsupported with a 16-byte cmpxchg",
				    op->size);
		break;
	case NOLOCK_MEMCG:
		if (!memcg_failed || !(op->gfp & __GFP_ACCOUNT))
			oracle_fail(x, "spurious-null",
				    "kmalloc_nolock(%u) returned NULL as a failed memcg charge %s",
				    op->size, memcg_failed ? "without __GFP_ACCOUNT" : "that did not fail");
		break;
	default:
		oracle_fail(x, "spurious-null", "kmalloc_nolock(%u) returned NULL without a reason",
			    op->size);
	}
}

/* The caches a request may be served from. */
static bool right_cache(struct exec *x, const struct op *op, enum alloc_api api, struct kmem_cache *s)
{
	struct kmem_cache *bucket;

	switch (api) {
	case API_CACHE:
		return s == x->st.caches[op->cache];
	case API_NOLOCK:
		bucket = kmalloc_slab(op->size);
		if (s == bucket)
			return true;
		/* busy → once more in the next bucket */
		return bucket && s == kmalloc_slab(kmem_cache_object_size(bucket) + 1);
	default:
		return s == kmalloc_slab(op->size);
	}
}

/* Where p is, for a report: only computed when a check fails. */
static const char *at(const void *p, char where[96])
{
	describe_object(p, where, 96);
	return where;
}

void oracle_alloc(struct exec *x, const struct op *op, void *p, enum alloc_api api,
		  struct alloc_failures failures_before, enum nolock_fail why)
{
	struct live_object *o;
	char where[96], by[96];
	uint32_t size = op->size;

	if (!p) {
		check_null(x, op, api, failures_before, why);
		return;
	}
	if (p == ZERO_SIZE_PTR) {
		if (size)
			oracle_fail(x, "bad-pointer", "%s(%u) returned ZERO_SIZE_PTR", api_name(api), size);
		return;
	}
	if (api == API_CACHE)
		size = kmem_cache_object_size(x->st.caches[op->cache]);
	if (api == API_LARGE) {
		if (!arena_contains(p) || virt_to_cache(p))
			oracle_fail(x, "bad-pointer", "large kmalloc(%u) returned %s", size, at(p, where));
	} else {
		struct kmem_cache *s = virt_to_cache(p);

		if (!s || kmem_object_index(p) < 0)
			oracle_fail(x, "bad-pointer", "%s(%u) returned %s, not an object start",
				    api_name(api), size, at(p, where));
		if (!right_cache(x, op, api, s))
			oracle_fail(x, "wrong-cache", "%s(%u) returned an object of %s",
				    api_name(api), size, at(p, where));
	}
	for (int i = 0; i < x->st.nobjs; i++) {
		const struct live_object *l = &x->st.objs[i];

		if ((char *)p < (char *)l->p + (l->size ? l->size : 1) &&
		    (char *)l->p < (char *)p + (size ? size : 1)) {
			who(x, l, by, sizeof(by));
			oracle_fail(x, l->p == p ? "double-alloc" : "overlap",
				    "%s(%u) returned %s, %s (allocated by %s)", api_name(api), size, at(p, where),
				    l->p == p ? "already live" : "overlapping a live object", by);
		}
	}
	if (op->gfp & __GFP_ZERO) {
		uint32_t k = first_other_byte(p, size, 0);

		if (k < size)
			oracle_fail(x, "not-zeroed", "%s(%u, __GFP_ZERO) returned %s with byte %u = %#x",
				    api_name(api), size, at(p, where), k, ((unsigned char *)p)[k]);
	}
	if (x->st.nobjs == MAX_LIVE)
		oracle_fail(x, "bug", "harness: more than %d live objects", MAX_LIVE);

	o = &x->st.objs[x->st.nobjs];
	*o = (struct live_object){
		.p = p, .size = size, .api = (uint8_t)api, .cache = op->cache,
		.pattern = (uint8_t)(0x11 + 0x22 * (x->st.next_pattern++ % 7)),
		.slot = (int8_t)op->slot, .op = (int16_t)x->cur_op,
		.by_handler = machine_depth() > 0,
	};
	/* the slot's previous object stays live, unnamed: freed at the end */
	if (x->st.slot[op->slot] >= 0)
		x->st.objs[x->st.slot[op->slot]].slot = -1;
	x->st.slot[op->slot] = x->st.nobjs++;
	memset(p, o->pattern, size);
	write_marks_note(p, size);	/* not the model's write: say so */
}

bool oracle_holds(void *exec, const void *object)
{
	const struct exec *x = exec;

	for (int i = 0; i < x->st.nobjs; i++)
		if (x->st.objs[i].p == object)
			return true;
	return false;
}

static void check_pattern(struct exec *x, const struct live_object *o)
{
	char where[96], by[96];
	uint32_t k = first_other_byte(o->p, o->size, o->pattern);

	if (k < o->size) {
		describe_object(o->p, where, sizeof(where));
		who(x, o, by, sizeof(by));
		oracle_fail(x, "corrupt-free",
			    "%s (allocated by %s) changed at byte %u while live (%#x, expected %#x)",
			    where, by, k, ((unsigned char *)o->p)[k], o->pattern);
	}
}

/* Which frees the API contract allows for an object from each allocator. */
static const char *contract(const struct op *op, const struct live_object *o)
{
	switch (op->kind) {
	case OP_KFREE_NOLOCK:
		return o->api == API_NOLOCK ? NULL : "kfree_nolock() of an object not from kmalloc_nolock()";
	case OP_KFREE:
		if (o->api == API_NOLOCK && kconfig.design == DESIGN_CPU_SLAB)
			return "kfree() of a kmalloc_nolock() object (allowed only after 6.18)";
		return NULL;
	default: /* OP_CACHE_FREE */
		return o->api == API_CACHE && o->cache == op->cache ? NULL
			: "kmem_cache_free() of an object from another cache";
	}
}

bool oracle_before_free(struct exec *x, const struct op *op, int *index)
{
	int i = x->st.slot[op->slot];
	const char *why;

	if (i < 0) {
		exec_skip(x, "%c is empty", 'a' + op->slot);
		return false;
	}
	why = contract(op, &x->st.objs[i]);
	if (why && x->prog->config.strict_api)
		oracle_fail(x, "api-misuse", "%s", why);
	if (why) {
		exec_skip(x, "%s", why);
		return false;
	}
	check_pattern(x, &x->st.objs[i]);
	*index = i;
	return true;
}

void oracle_forget(struct exec *x, int i)
{
	struct exec_state *st = &x->st;

	if (st->objs[i].slot >= 0)
		st->slot[st->objs[i].slot] = -1;
	/* keep allocation order: the end-of-run frees walk it */
	memmove(&st->objs[i], &st->objs[i + 1], (size_t)(st->nobjs - i - 1) * sizeof(st->objs[0]));
	st->nobjs--;
	for (int s = 0; s < MAX_SLOTS; s++)
		if (st->slot[s] > i)
			st->slot[s]--;
}

/*
 * Free whatever is live with the API that matches its allocator, in
 * allocation order. Nothing reads the live set while these frees run, so it
 * is emptied once at the end rather than object by object.
 */
static void free_everything(struct exec *x)
{
	for (int i = 0; i < x->st.nobjs; i++) {
		const struct live_object *o = &x->st.objs[i];

		check_pattern(x, o);
		switch (o->api) {
		case API_NOLOCK:
			kfree_nolock(o->p);
			break;
		case API_CACHE:
			kmem_cache_free(x->st.caches[o->cache], o->p);
			break;
		default:
			kfree(o->p);
			break;
		}
	}
	x->st.nobjs = 0;
	for (int s = 0; s < MAX_SLOTS; s++)
		x->st.slot[s] = -1;
}

/* A validator failed: the class names the invariant it broke
 * (invariant-N-NAME), or is "invariant" for a rule without a number. */
static _Noreturn void oracle_fail_invariant(struct exec *x)
{
	oracle_fail(x, invariant_class(validate_invariant()), "%s", validate_error());
}

static void check_lost(struct kmem_cache *s, const struct cache_census *c, void *arg)
{
	/* memcg: the obj_exts vectors of live slabs are allocated objects the
	 * harness did not ask for (the validators checked each one) */
	unsigned long lost = c->allocated - c->objext_vectors;

	if (lost)
		oracle_fail(arg, "lost-object", "%s: %lu object%s neither allocated nor free",
			    kmem_cache_name(s), lost, lost == 1 ? "" : "s");
}

/*
 * Invariant 11: with nothing live, every accounted byte was uncharged, and
 * once the stocks are drained the page counter is back at zero.
 */
static void check_memcg_balance(struct exec *x)
{
	if (!kconfig.memcg)
		return;
	if (memcg_charged_bytes() != memcg_uncharged_bytes())
		oracle_fail(x, "memcg-leak", "memcg: %lu bytes charged but %lu uncharged with nothing live",
			    memcg_charged_bytes(), memcg_uncharged_bytes());
	memcg_drain_all_stock();
	if (memcg_usage_pages() != 0)
		oracle_fail(x, "memcg-leak", "memcg: %ld page%s still charged after every free and a "
			    "drain of every stock", memcg_usage_pages(), memcg_usage_pages() == 1 ? "" : "s");
}

void oracle_final(struct exec *x)
{
	for (int cpu = 0; cpu < kconfig.nr_cpus; cpu++) {
		machine_set_cpu(cpu);
		machine_run_irq_work();
	}
	machine_set_cpu(0);
	free_everything(x);
	/*
	 * Wait for the deferred frees as the kernel does (cache destruction
	 * does the same): through the model's own barrier, which every
	 * program runs, the empty one included. A fuzzer started on an empty
	 * corpus runs only the empty program and keeps it only if it reaches
	 * instrumented code: the world is booted once and then restored, and
	 * the validators are harness queries, without coverage. The machine's
	 * drain then runs whatever irq_work is left.
	 */
	defer_free_barrier();
	machine_drain_irq_work();
	/* kmemleak's scan: memory freed behind its back is a leak it reports */
	kmemleak_scan();
	/* with nothing live, anything a cache still counts as allocated is lost */
	if (!validate_all_census(check_lost, x))
		oracle_fail_invariant(x);
	check_memcg_balance(x);
	if (kconfig.memcg && !validate_all())
		oracle_fail_invariant(x);
}
