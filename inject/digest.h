/*
 * inject/digest.h — 128-bit digests of the simulated state, for the sweeps'
 * state cache (fuzz/state_cache.c): two runs whose states have the same
 * digest have, but for a collision (about 2^-128 per pair for the mixing
 * of whole digests, 2^-64 per differing 64-byte chunk), the same state.
 *
 * A state is digested as its difference from a base state it started from
 * (a snapshot): comparing is cheaper than hashing, and an operation changes
 * little. Two states reached from the same base have equal digests exactly
 * when they are equal: the digest is of the parts that differ from the base,
 * each with its address, in a fixed order.
 */
#ifndef REENTRY_INJECT_DIGEST_H
#define REENTRY_INJECT_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct digest {
	uint64_t a, b;
};

/* The empty digest. */
#define DIGEST_INIT ((struct digest){ 0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull })

/* Unchecked, as inject/digest.c's loops that inline them must be: clang
 * inlines nothing across differing sanitizer attributes. */
#define DIGEST_NO_CHECKS __attribute__((no_sanitize("address", "undefined")))

/* 8 bytes at p, unchecked (model memory may be poisoned), never a call. */
DIGEST_NO_CHECKS static inline uint64_t digest_load64(const void *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));	/* inlined: 8 bytes */
	return v;
}

DIGEST_NO_CHECKS static inline uint64_t digest_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

DIGEST_NO_CHECKS static inline void digest_u64(struct digest *d, uint64_t v)
{
	d->a = digest_rotl((d->a ^ v) * 0x9e3779b97f4a7c15ull, 29);
	d->b = digest_rotl((d->b + v) * 0xc2b2ae3d27d4eb4full, 31) ^ d->a;
}

/* All n bytes of p, under tag (e.g. their address). */
void digest_bytes(struct digest *d, uint64_t tag, const void *p, size_t n);
/* The 64-byte chunks of now[0..n) that differ from base[0..n), each under
 * tag + its offset. Reads poisoned memory: no sanitizer checks. */
void digest_changes(struct digest *d, uint64_t tag, const void *now, const void *base, size_t n);

#endif /* REENTRY_INJECT_DIGEST_H */
