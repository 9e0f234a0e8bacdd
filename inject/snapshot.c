/*
 * inject/snapshot.c — snapshots of the simulated world (see snapshot.h).
 *
 * The model's free objects are poisoned, so copying its memory must not go
 * through ASan's checked memcpy, and a restore must bring the poison back
 * with the bytes: a restore that copied bytes only would leave stale poison
 * (false reports) or stale unpoisoned memory (missed ones). Under ASan the
 * shadow bytes of each range are saved and written back as they were.
 *
 * Restores and digests work in 64-byte lines. Right after a take or
 * restore of s, the write marks (write_marks.h) name every line written
 * since, so a restore of s copies back only those, and a digest against s
 * reads only those; otherwise (another snapshot's marks, or a build whose
 * marks are not complete) every line in use now or at s.
 */
#include "snapshot.h"
#include "digest.h"
#include "machine.h"
#include "write_marks.h"

#include "../core/slab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096
#define LINE WRITE_MARK_LINE
#define LINE_SHADOW (LINE / 8)
#define NO_CHECKS __attribute__((no_sanitize("address", "undefined")))

bool snapshot_audit;

#ifdef REENTRY_ASAN
NO_CHECKS static inline unsigned char *shadow_of(const char *p)
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

static uint64_t last_id;

/* Where each page of the arena is in s->bytes. A line's bit in a line set
 * (write_marks.bits and the like) is bit l % 64 of word l / 64: one word
 * per page. */
_Static_assert(PAGE / LINE == 64, "a page is one word of a line set");

static void index_pages(struct snapshot *s)
{
	size_t npages = write_marks.len / PAGE, off = 0;

	if (s->npages != npages) {
		free(s->page);
		s->page = malloc((npages ? npages : 1) * sizeof(*s->page));
		if (!s->page)
			abort();
		s->npages = npages;
	}
	for (size_t i = 0; i < npages; i++)
		s->page[i] = (struct snapshot_page){ SNAPSHOT_NOT_SAVED, SNAPSHOT_NOT_SAVED };
	for (int i = 0; i < s->nranges; i++) {
		size_t first = ((uintptr_t)s->ranges[i].start - write_marks.base) / PAGE;
		size_t len = s->ranges[i].len;

		for (size_t k = 0; k < len / PAGE && first + k < npages; k++)
			s->page[first + k] = (struct snapshot_page){
				(uint32_t)(off + k * PAGE), (uint32_t)(off + len + shadow_len(k * PAGE)),
			};
		off += len + shadow_len(len);
	}
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
	s->id = ++last_id;
	index_pages(s);
	write_marks_reset(s->id);
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */
/* ------------------------------------------------------------------ */

/* What ASAN_POISON_MEMORY_REGION() writes: the shadow of free memory. */
#define FREE_SHADOW 0xf7f7f7f7f7f7f7f7ull

NO_CHECKS static inline unsigned char *line_at(size_t l)
{
	return (unsigned char *)write_marks.base + l * LINE;
}

/* Line l's bytes and shadow in s; false if l was free at s. */
NO_CHECKS static inline bool line_saved(const struct snapshot *s, size_t l, const unsigned char **bytes,
		       const unsigned char **shadow)
{
	const struct snapshot_page *pg = &s->page[l / 64];

	if (pg->bytes == SNAPSHOT_NOT_SAVED)
		return false;
	*bytes = s->bytes + pg->bytes + (l % 64) * LINE;
	*shadow = s->bytes + pg->shadow + (l % 64) * LINE_SHADOW;
	return true;
}

/* Do line l's bytes or poison differ from s's (free memory if it was free)? */
NO_CHECKS static inline bool line_changed(const struct snapshot *s, size_t l)
{
	const unsigned char *now = line_at(l), *bytes, *shadow;
	uint64_t x = 0;

	if (line_saved(s, l, &bytes, &shadow)) {
		for (int i = 0; i < LINE; i += 8)
			x |= digest_load64(now + i) ^ digest_load64(bytes + i);
#ifdef REENTRY_ASAN
		x |= digest_load64(shadow_of((const char *)now)) ^ digest_load64(shadow);
#endif
	} else {
		for (int i = 0; i < LINE; i += 8)
			x |= digest_load64(now + i);
#ifdef REENTRY_ASAN
		x |= digest_load64(shadow_of((const char *)now)) ^ FREE_SHADOW;
#endif
	}
	return x != 0;
}

/* l: each line of the line set set, in address order. */
#define for_each_line(l, set)							\
	for (size_t w_ = 0; w_ < write_marks.nwords; w_++)			\
		for (uint64_t b_ = (set)[w_], l = 0;				\
		     b_ && (l = w_ * 64 + (size_t)__builtin_ctzll(b_), 1);	\
		     b_ &= b_ - 1)

/*
 * Every line that can differ from s without marks to say which: the lines
 * in use now or at s (free memory is zero and poisoned in both).
 */
static uint64_t *all_lines;
static size_t all_lines_words;

static void add_range(void *start, size_t len, void *arg)
{
	uint64_t *set = arg;
	size_t first = ((uintptr_t)start - write_marks.base) / PAGE;

	for (size_t k = 0; k < len / PAGE && first + k < write_marks.nwords; k++)
		set[first + k] = ~0ull;
}

static const uint64_t *lines_in_use(const struct snapshot *s)
{
	if (all_lines_words < write_marks.nwords) {
		free(all_lines);
		all_lines = malloc(write_marks.nwords * sizeof(*all_lines));
		if (!all_lines)
			abort();
		all_lines_words = write_marks.nwords;
	}
	memset(all_lines, 0, write_marks.nwords * sizeof(*all_lines));
	kmem_for_each_used_range(add_range, all_lines);
	for (int i = 0; i < s->nranges; i++)
		add_range(s->ranges[i].start, s->ranges[i].len, all_lines);
	return all_lines;
}

/* Are the marks a complete list of the lines written since s? */
static bool marks_since(const struct snapshot *s)
{
	return write_marks_complete() && s->id && write_marks.since == s->id;
}

/* Which of line l's bytes (or, past LINE, its shadow's) first differs. */
NO_CHECKS static size_t first_change(const struct snapshot *s, size_t l)
{
	const unsigned char *now = line_at(l), *bytes = NULL, *shadow = NULL;
	bool saved = line_saved(s, l, &bytes, &shadow);

	for (size_t i = 0; i < LINE; i++)
		if (now[i] != (saved ? bytes[i] : 0))
			return i;
#ifdef REENTRY_ASAN
	for (size_t i = 0; i < LINE_SHADOW; i++)
		if (shadow_of((const char *)now)[i] != (saved ? shadow[i] : (unsigned char)FREE_SHADOW))
			return LINE + i;
#endif
	return 0;
}

bool snapshot_unmarked_change(const struct snapshot *s, size_t *offset, bool *poison)
{
	for_each_line(l, lines_in_use(s)) {
		if (!(write_marks.bits[l / 64] & (1ull << (l % 64))) && line_changed(s, l)) {
			size_t at = first_change(s, l);

			*poison = at >= LINE;
			*offset = l * LINE + (at < LINE ? at : (at - LINE) * 8);
			return true;
		}
	}
	return false;
}

static void audit(const struct snapshot *s)
{
	size_t offset;
	bool poison;

	if (snapshot_unmarked_change(s, &offset, &poison)) {
		fprintf(stderr, "reentry: write audit: the arena's %s at +%#zx changed since the snapshot, "
			"and no write marked its line\n", poison ? "poison of the 8 bytes" : "byte", offset);
		abort();
	}
}

/* ------------------------------------------------------------------ */
/* Restore                                                             */
/* ------------------------------------------------------------------ */

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

static void restore_all(const struct snapshot *s)
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
}

NO_CHECKS static inline void store64(unsigned char *p, uint64_t v)
{
	__builtin_memcpy(p, &v, sizeof(v));
}

/*
 * The written lines only: each back to its bytes and poison at s, or to
 * free memory's. A page written whole (a slab's new page: KASAN unpoisoned
 * it) in one copy; a line in inlined word copies (a constant-size
 * __builtin_memcpy is never a call: a call would be ASan's checked one).
 */
NO_CHECKS static void restore_marked(const struct snapshot *s)
{
	for (size_t w = 0; w < write_marks.nwords; w++) {
		uint64_t bits = write_marks.bits[w];
		const struct snapshot_page *pg = &s->page[w];
		unsigned char *page = line_at(w * 64);
		bool saved = pg->bytes != SNAPSHOT_NOT_SAVED;
		const unsigned char *bytes = saved ? s->bytes + pg->bytes : NULL;

		if (!bits)
			continue;
		if (bits == ~0ull) {
			if (saved)
				raw_copy(page, bytes, PAGE);
			else
				raw_zero(page, PAGE);
#ifdef REENTRY_ASAN
			if (saved)
				raw_copy(shadow_of((char *)page), s->bytes + pg->shadow, PAGE / 8);
			else
				for (int i = 0; i < PAGE / 8; i += 8)
					store64(shadow_of((char *)page) + i, FREE_SHADOW);
#endif
			continue;
		}
		for (; bits; bits &= bits - 1) {
			size_t i = (size_t)__builtin_ctzll(bits);

			if (saved)
				__builtin_memcpy(page + i * LINE, bytes + i * LINE, LINE);
			else
				__builtin_memset(page + i * LINE, 0, LINE);
#ifdef REENTRY_ASAN
			store64(shadow_of((char *)page) + i * LINE_SHADOW,
				saved ? digest_load64(s->bytes + pg->shadow + i * LINE_SHADOW) : FREE_SHADOW);
#endif
		}
	}
}

void snapshot_restore(const struct snapshot *s)
{
	if (marks_since(s)) {
		if (snapshot_audit)
			audit(s);
		restore_marked(s);
	} else {
		restore_all(s);
	}
	machine_restore(s->machine);
	write_marks_reset(s->id);
}

void snapshot_free(struct snapshot *s)
{
	free(s->machine);
	free(s->ranges);
	free(s->bytes);
	free(s->page);
	*s = (struct snapshot){ 0 };
}

/* ------------------------------------------------------------------ */
/* Digest                                                              */
/* ------------------------------------------------------------------ */

void snapshot_digest(const struct snapshot *base, struct digest *d)
{
	const uint64_t *lines = write_marks.bits;

	if (!marks_since(base))
		lines = lines_in_use(base);
	else if (snapshot_audit)
		audit(base);
	for_each_line(l, lines) {
		if (!line_changed(base, l))
			continue;
		digest_bytes(d, l, line_at(l), LINE);
#ifdef REENTRY_ASAN
		digest_u64(d, digest_load64(shadow_of((const char *)line_at(l))));
#endif
	}
	machine_digest(base->machine, d);
}
