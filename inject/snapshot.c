/*
 * inject/snapshot.c — snapshots of the simulated world (see snapshot.h).
 *
 * The model's free objects are poisoned, so copying its memory must not go
 * through ASan's checked memcpy, and a restore must bring the poison back
 * with the bytes: a restore that copied bytes only would leave stale poison
 * (false reports) or stale unpoisoned memory (missed ones). Under ASan the
 * shadow bytes of each range are saved and written back as they were.
 */
#include "snapshot.h"
#include "digest.h"
#include "machine.h"

#include "../core/slab.h"

#include <stdlib.h>
#include <string.h>

#ifdef REENTRY_ASAN
static unsigned char *shadow_of(const char *p)
{
	static size_t scale, offset;

	if (!scale)
		__asan_get_shadow_mapping(&scale, &offset);
	return (unsigned char *)(((uintptr_t)p >> scale) + offset);
}

static size_t shadow_len(size_t len)
{
	return len / 8; /* ranges are page-aligned: 8 bytes per shadow byte */
}
#else
static size_t shadow_len(size_t len)
{
	(void)len;
	return 0;
}
#endif

/*
 * Copies and zeroes that neither ASan nor UBSan check and that the compiler
 * cannot turn into a (checked) memcpy/memset call: the string instructions
 * themselves, as fast as libc's for these page-sized ranges.
 */
static void raw_copy(void *dst, const void *src, size_t len)
{
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(len) : : "memory");
}

static void raw_zero(void *dst, size_t len)
{
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(len) : "a"(0) : "memory");
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * elem);
	if (!p)
		abort();
	return p;
}

static void save_range(void *start, size_t len, void *arg)
{
	struct snapshot *s = arg;
	size_t need = s->nbytes + len + shadow_len(len);
	size_t cap = (size_t)s->cap_ranges;

	s->ranges = grow(s->ranges, &cap, (size_t)s->nranges + 1, sizeof(*s->ranges));
	s->cap_ranges = (int)cap;
	s->bytes = grow(s->bytes, &s->cap_bytes, need, 1);
	s->ranges[s->nranges++] = (struct snapshot_range){ start, len };
	raw_copy(s->bytes + s->nbytes, start, len);
#ifdef REENTRY_ASAN
	raw_copy(s->bytes + s->nbytes + len, shadow_of(start), shadow_len(len));
#endif
	s->nbytes += len + shadow_len(len);
}

void snapshot_take(struct snapshot *s)
{
	/* zeroed: the books save only what they use, and digests compare
	 * the whole of each */
	if (!s->machine && !(s->machine = calloc(1, machine_state_size())))
		abort();
	machine_save(s->machine);
	s->nranges = 0;
	s->nbytes = 0;
	kmem_for_each_used_range(save_range, s);
}

/* Is [start, start + len) one of s's ranges? cursor: s's first range not
 * below the last one asked about (callers ask in address order). */
static bool has_range(const struct snapshot *s, int *cursor, const void *start, size_t len)
{
	while (*cursor < s->nranges && s->ranges[*cursor].start < (const char *)start)
		(*cursor)++;
	return *cursor < s->nranges && s->ranges[*cursor].start == start && s->ranges[*cursor].len == len;
}

/*
 * A block in use now may be free in the snapshot: make it what free memory
 * of a fresh world is — zero bytes (a fresh mapping) under free-memory
 * poison; the ranges restored below bring back their own bytes and poison.
 * Without the zeroing, a page a new slab takes would hold whatever an
 * earlier input left there, and an input's verdict (a missed __GFP_ZERO,
 * say) would depend on the inputs run before it in the same process. A
 * block that is one of the snapshot's ranges (the model's metadata, which
 * the walk itself reads, among them) is rewritten whole below: leave it.
 * Ranges are page-aligned.
 */
struct restore_walk {
	const struct snapshot *s;
	int cursor;
};

static void poison_range(void *start, size_t len, void *arg)
{
	struct restore_walk *w = arg;

	if (!has_range(w->s, &w->cursor, start, len)) {
		raw_zero(start, len);
		kasan_poison(start, len);
	}
}

void snapshot_restore(const struct snapshot *s)
{
	const unsigned char *b = s->bytes;
	struct restore_walk w = { s, 0 };

	kmem_for_each_used_range(poison_range, &w);
	for (int i = 0; i < s->nranges; i++) {
		char *start = s->ranges[i].start;
		size_t len = s->ranges[i].len;

		raw_copy(start, b, len);
#ifdef REENTRY_ASAN
		raw_copy(shadow_of(start), b + len, shadow_len(len));
#endif
		b += len + shadow_len(len);
	}
	machine_restore(s->machine);
}

void snapshot_free(struct snapshot *s)
{
	free(s->machine);
	free(s->ranges);
	free(s->bytes);
	*s = (struct snapshot){ 0 };
}

/* A range in use now that base does not have as a range: all of it. */
struct digest_walk {
	const struct snapshot *base;
	int cursor;
	struct digest *d;
};

static void digest_new_range(void *start, size_t len, void *arg)
{
	struct digest_walk *w = arg;

	if (has_range(w->base, &w->cursor, start, len))
		return;	/* compared with base below */
	digest_bytes(w->d, (uintptr_t)start, start, len);
#ifdef REENTRY_ASAN
	digest_bytes(w->d, (uintptr_t)shadow_of(start), shadow_of(start), shadow_len(len));
#endif
}

void snapshot_digest(const struct snapshot *base, struct digest *d)
{
	const unsigned char *b = base->bytes;
	struct digest_walk w = { base, 0, d };

	/* the ranges in use now that base does not have */
	kmem_for_each_used_range(digest_new_range, &w);
	/* base's ranges, whatever they hold now (freed: zero and poisoned) */
	for (int i = 0; i < base->nranges; i++) {
		char *start = base->ranges[i].start;
		size_t len = base->ranges[i].len;

		digest_changes(d, (uintptr_t)start, start, b, len);
#ifdef REENTRY_ASAN
		digest_changes(d, (uintptr_t)shadow_of(start), shadow_of(start), b + len, shadow_len(len));
#endif
		b += len + shadow_len(len);
	}
	machine_digest(base->machine, d);
}
