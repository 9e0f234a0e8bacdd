/*
 * inject/snapshot.h — save and restore the whole simulated world: the
 * machine's state, the model's memory (metadata and every allocated page)
 * and, under ASan, the poison of that memory. A sweep restores the state
 * before operation i instead of replaying operations 0..i-1.
 */
#ifndef REENTRY_INJECT_SNAPSHOT_H
#define REENTRY_INJECT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snapshot {
	uint64_t id;		/* the write marks' name for it (inject/write_marks.h) */
	void *machine;		/* machine_save() bytes */
	struct snapshot_range { char *start; size_t len; } *ranges;
	int nranges, cap_ranges;
	unsigned char *bytes;	/* contents of the ranges, then their shadow */
	size_t nbytes, cap_bytes;
	/* for each page of the arena, where its bytes and shadow are in
	 * bytes (SNAPSHOT_NOT_SAVED: free at the snapshot) */
	struct snapshot_page { uint32_t bytes, shadow; } *page;
	size_t npages;
};
#define SNAPSHOT_NOT_SAVED UINT32_MAX

void snapshot_take(struct snapshot *s);
/* Back to s: only the lines written since s was last taken or restored, if
 * the build marks every write (write_marks_complete()); else all of it. */
void snapshot_restore(const struct snapshot *s);
void snapshot_free(struct snapshot *s);

/*
 * A debug switch: at every restore and digest that trusts the write marks,
 * check the whole arena against the snapshot first, and abort naming the
 * first line that changed without a mark. For tests and `--audit-writes`.
 */
extern bool snapshot_audit;
/* The audit's check: has a byte (or the poison of 8 bytes) of the arena at
 * +*offset changed since s without a mark, while the marks say they are
 * relative to s? The first such, in address order. */
bool snapshot_unmarked_change(const struct snapshot *s, size_t *offset, bool *poison);

/*
 * The world's difference from base, into d (inject/digest.h): each 64-byte
 * line of the model's memory whose bytes or poison differ from base's, and
 * the machine. A line free in base is compared with free memory, which the
 * page allocator keeps zero and poisoned. Only written lines are read when
 * the marks are relative to base (a take or restore of base since).
 */
struct digest;
void snapshot_digest(const struct snapshot *base, struct digest *d);

#endif
