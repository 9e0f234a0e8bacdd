/*
 * inject/write_marks.h — which 64-byte lines of the arena were written since
 * the last snapshot taken or restored, so that a restore copies back and a
 * digest reads only those (inject/snapshot.c).
 *
 * A line is marked by every write of the model that the compiler placed:
 *  - under ASan, core/ is compiled so that ASan's every check is a call
 *    (-asan-instrumentation-with-call-threshold=0) to callbacks of ours
 *    (-asan-memory-access-callback-prefix, write_marks.c): stores of every
 *    size, vector stores, atomics and memset/memcpy/memmove, whatever the
 *    optimizer merged them into — ASan checks what is left after it;
 *  - the coverage store callbacks of the boundaries (inject/boundary.c),
 *    for the few model helpers that opt out of ASan (__no_kasan);
 *  - KASAN's poisoning, which changes a line's shadow (env_kasan_poison());
 *  - writes of the harness itself into model memory (a program's write
 *    into its object), which call write_marks_note().
 * Only the first is a complete record: without it (builds without ASan, or
 * with ASan from the outside, as OSS-Fuzz's), write_marks_complete() is
 * false and snapshots compare every line in use instead. The audit
 * (snapshot_audit) checks, at every digest and restore, that every line
 * that changed was marked.
 */
#ifndef REENTRY_INJECT_WRITE_MARKS_H
#define REENTRY_INJECT_WRITE_MARKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WRITE_MARK_LINE 64

struct write_marks {
	uintptr_t base;		/* the arena */
	size_t len;
	uint64_t *bits;		/* one per line */
	size_t nwords;
	uint64_t since;		/* the snapshot the marks are relative to (0: none) */
};
extern struct write_marks write_marks;

/* [p, p + n) was written. Cheap: it runs on every store of the model. */
__attribute__((no_sanitize("address", "undefined")))
static inline void write_marks_note(const void *p, size_t n)
{
	uintptr_t off = (uintptr_t)p - write_marks.base;
	size_t first, last;

	if (off >= write_marks.len || !n)
		return;
	first = off / WRITE_MARK_LINE;
	last = (off + n - 1 < write_marks.len ? off + n - 1 : write_marks.len - 1) / WRITE_MARK_LINE;
	if (__builtin_expect(first == last, 1)) {
		write_marks.bits[first / 64] |= 1ull << (first % 64);
		return;
	}
	for (size_t l = first; l <= last; ) {
		if (l % 64 == 0 && l + 63 <= last) {	/* a whole page */
			write_marks.bits[l / 64] = ~0ull;
			l += 64;
		} else {
			write_marks.bits[l / 64] |= 1ull << (l % 64);
			l++;
		}
	}
}

/* The arena is now [base, base + len): no line marked, relative to nothing. */
void write_marks_attach(void *base, size_t len);
/* Start over relative to snapshot id. */
void write_marks_reset(uint64_t id);
/* Does every write of the model mark its lines (this build)? */
bool write_marks_complete(void);

#endif /* REENTRY_INJECT_WRITE_MARKS_H */
