/*
 * inject/snapshot.h — save and restore the whole simulated world: the
 * machine's state, the model's memory (metadata and every allocated page)
 * and, under ASan, the poison of that memory. A sweep restores the state
 * before operation i instead of replaying operations 0..i-1.
 */
#ifndef REENTRY_INJECT_SNAPSHOT_H
#define REENTRY_INJECT_SNAPSHOT_H

#include <stddef.h>

struct snapshot {
	void *machine;		/* machine_save() bytes */
	struct snapshot_range { char *start; size_t len; } *ranges;
	int nranges, cap_ranges;
	unsigned char *bytes;	/* contents of the ranges, then their shadow */
	size_t nbytes, cap_bytes;
};

void snapshot_take(struct snapshot *s);
void snapshot_restore(const struct snapshot *s);
void snapshot_free(struct snapshot *s);

/*
 * The world's difference from base, into d (inject/digest.h): the model's
 * memory in use now or in base, its poison, and the machine. Free memory
 * is not read: the page allocator keeps it zero and poisoned, so it holds
 * no state.
 */
struct digest;
void snapshot_digest(const struct snapshot *base, struct digest *d);

#endif
