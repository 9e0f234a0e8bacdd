/*
 * inject/write_marks.h — which 64-byte lines of the arena were written since
 * the last snapshot taken or restored, so that a restore copies back and a
 * digest reads only those (inject/snapshot.c).
 *
 * A line is marked by every write of the model, whatever instructions the
 * compiler made of it:
 *  - a store of 1 to 16 bytes: its coverage store callback, the boundary
 *    (inject/boundary.c) — the instrumentation runs after the optimizer,
 *    so a vector store the optimizer made of several is one of these;
 *  - memset/memcpy/memmove, including what the optimizer merged stores
 *    into (list_del()'s two NULL stores become a 16-byte memset), and
 *    stores of other sizes: under ASan, core/ is compiled with
 *    -asan-memory-access-callback-prefix, so ASan calls write_marks.c's
 *    callbacks for them instead of its own (which they then call);
 *  - atomics: the wrappers of core/env.h (env_boundary_wrote()); the
 *    per-CPU counters' asm increment and the memcg ledger's raw atomics
 *    mark their line themselves (mark_written());
 *  - KASAN's poisoning, which changes a line's shadow (env_kasan_poison());
 *  - writes of the harness itself into model memory (the machine's locks
 *    and irq_work, a program's write into its object): write_marks_note().
 * The second needs ASan: without it (builds without ASan, or with ASan from
 * the outside, as OSS-Fuzz's), write_marks_complete() is false and
 * snapshots compare every line in use instead. The audit (snapshot_audit,
 * `--audit-writes`, every unit test) checks at every digest and restore
 * that every line that changed was marked.
 */
#ifndef REENTRY_INJECT_WRITE_MARKS_H
#define REENTRY_INJECT_WRITE_MARKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/env.h"	/* struct write_marks */

#define WRITE_MARK_LINE 64

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
