/*
 * fuzz/state_cache.c — the sweeps' state cache (see state_cache.h).
 *
 * What the digest leaves out, and why the future cannot depend on it:
 *  - where the last interrupt landed (exec_state.where, .last_where): it
 *    only names the place in a report's text, and only clean futures are
 *    reused;
 *  - which of the program's own events reached their anchor
 *    (exec.events_reached/fired): `reentry check`'s account of them, not
 *    read by a sweep's run;
 *  - the count of interrupts taken so far (machine.c: only differences of
 *    it are read);
 *  - free memory, which the page allocator keeps zero and poisoned.
 * The rest of the program and the kconfig are the same for every trial of
 * a sweep. Two different states collide with probability about 2^-128.
 *
 * The set is an open-addressing table of digests, grown at half full.
 */
#include "state_cache.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct state_cache {
	struct digest *slot;	/* {0, 0}: empty */
	size_t n, cap;
};

struct state_cache *state_cache_new(void)
{
	struct state_cache *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	return c;
}

void state_cache_free(struct state_cache *c)
{
	if (c)
		free(c->slot);
	free(c);
}

static bool empty(const struct digest *d)
{
	return !d->a && !d->b;
}

static size_t find(const struct state_cache *c, const struct digest *d)
{
	size_t i = d->a & (c->cap - 1);

	while (!empty(&c->slot[i]) && !digest_equal(&c->slot[i], d))
		i = (i + 1) & (c->cap - 1);
	return i;
}

bool state_cache_has(const struct state_cache *c, const struct digest *d)
{
	return c->cap && !empty(&c->slot[find(c, d)]);
}

void state_cache_add(struct state_cache *c, const struct digest *d)
{
	size_t i;

	if (empty(d))
		return;	/* the empty slot's mark: never a real digest's, but for 2^-128 */
	if (2 * (c->n + 1) > c->cap) {
		struct state_cache bigger = { .cap = c->cap ? 2 * c->cap : 1024 };

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (!bigger.slot)
			abort();
		for (size_t k = 0; k < c->cap; k++)
			if (!empty(&c->slot[k]))
				bigger.slot[find(&bigger, &c->slot[k])] = c->slot[k];
		bigger.n = c->n;
		free(c->slot);
		*c = bigger;
	}
	i = find(c, d);
	if (empty(&c->slot[i])) {
		c->slot[i] = *d;
		c->n++;
	}
}

struct digest state_after(const struct exec *x, int op, const struct snapshot *before,
			  const struct exec_state *oracle_before)
{
	struct digest d = DIGEST_INIT;

	/* where and last_where, exec_state's last fields, are left out */
	_Static_assert(offsetof(struct exec_state, last_where) + sizeof(x->st.last_where) ==
		       sizeof(struct exec_state), "last_where is exec_state's last field");
	digest_u64(&d, (uint64_t)op);
	snapshot_digest(before, &d);
	digest_changes(&d, 0, &x->st, oracle_before, offsetof(struct exec_state, where));
	return d;
}
