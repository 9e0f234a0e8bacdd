/*
 * core/shuffle.c — freelist randomization of new slabs
 * (CONFIG_SLAB_FREELIST_RANDOM, kconfig.shuffle).
 *
 * Each cache has a fixed random order of its objects; a new slab's freelist
 * follows it from a random starting position. Normal callers draw that
 * position from the batched per-CPU entropy, which sits behind a per-CPU
 * local lock (drivers/char/random.c); a caller that may not spin must not
 * take that lock — an NMI over its holder would recurse into it — so it
 * draws from a per-CPU pseudo-random state with preemption off instead.
 * Deterministic: every generator is seeded from fixed values.
 */
#include "bugs.h"
#include "internal.h"
#include "prandom.h"

void shuffle_init(void)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		local_trylock_init(&world->entropy[cpu].lock);
		world->entropy[cpu].state = 0x5eed0000u + (uint64_t)cpu;
		world->slab_rnd_state[cpu] = 0x7a5d0000u + (uint64_t)cpu;
	}
}

/* models: mm/slub.c init_cache_random_seq() — a fixed permutation per cache */
void init_cache_random_seq(struct kmem_cache *s)
{
	uint64_t state = 0x51ab0000u + (uint64_t)(s - world->caches) * 131 + s->objects;

	s->random_seq_len = 0;
	if (!KCONFIG(shuffle) || s->objects < 2 || s->objects > MAX_RANDOM_SEQ)
		return;
	for (unsigned int i = 0; i < s->objects; i++)
		s->random_seq[i] = (uint16_t)i;
	for (unsigned int i = s->objects - 1; i > 0; i--) { /* Fisher-Yates */
		unsigned int j = (unsigned int)(splitmix64(&state) % (i + 1));
		uint16_t t = s->random_seq[i];

		s->random_seq[i] = s->random_seq[j];
		s->random_seq[j] = t;
	}
	s->random_seq_len = (uint16_t)s->objects;
}

/*
 * models: drivers/char/random.c get_random_u32_below() — batched entropy
 * under its lock. local_lock_irqsave() pins the task (irqs off; on RT,
 * migration off) before it looks up this CPU's lock; the model looks the
 * lock up itself, so it pins first too (as local_lock_cpu_slab() does).
 */
static unsigned int get_random_u32_below(unsigned int ceil)
{
	struct batched_entropy *e;
	unsigned long flags, pin = 0;
	unsigned int r;

	if (KCONFIG(preempt_rt))
		migrate_disable();
	else
		local_irq_save(pin);
	e = this_cpu_ptr(world->entropy);
	local_lock_irqsave(&e->lock, flags);
	r = (unsigned int)(splitmix64(&e->state) % ceil);
	local_unlock_irqrestore(&e->lock, flags);
	if (KCONFIG(preempt_rt))
		migrate_enable();
	else
		local_irq_restore(pin);
	return r;
}

/* models: lib/random32.c prandom_u32_state() on this CPU's slab_rnd_state */
static unsigned int prandom_below(unsigned int ceil)
{
	unsigned int r;

	preempt_disable();
	r = (unsigned int)(splitmix64(this_cpu_ptr(world->slab_rnd_state)) % ceil);
	preempt_enable();
	return r;
}

/*
 * models: mm/slub.c shuffle_freelist()
 * Link a new slab's objects in the cache's random order, from a random
 * position. False if the cache does not shuffle (the caller links them in
 * address order).
 */
bool shuffle_freelist(struct kmem_cache *s, struct slab *slab, bool allow_spin)
{
	unsigned int n = s->random_seq_len, pos;
	char *start = slab_address(slab), *cur, *next;

	if (!n)
		return false;
	pos = allow_spin || bug_on(BUG_SHUFFLE_ENTROPY_LOCK) ? get_random_u32_below(n)
							     : prandom_below(n);
	cur = start + (size_t)s->random_seq[pos] * s->size;
	slab->freelist = cur;
	for (unsigned int i = 1; i < n; i++) {
		next = start + (size_t)s->random_seq[(pos + i) % n] * s->size;
		set_freepointer(s, cur, next);
		cur = next;
	}
	set_freepointer(s, cur, NULL);
	return true;
}
