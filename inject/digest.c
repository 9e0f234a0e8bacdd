/*
 * inject/digest.c — state digests (see digest.h).
 *
 * A 64-byte chunk is reduced to two 64-bit words by four independent
 * multiply lanes each (so that the CPU runs them side by side), with its
 * tag, so that equal bytes at different places differ; the two words then
 * go into the running digest. Reading the model's memory must bypass ASan
 * (free objects are poisoned) and must not become a call to an intercepted
 * memcmp or memcpy: the loops read words themselves.
 */
#include "digest.h"

#include <stdbool.h>

#define NO_CHECKS DIGEST_NO_CHECKS

static const uint64_t K[8] = {
	0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull, 0xd6e8feb86659fd93ull,
	0xff51afd7ed558ccdull, 0xc4ceb9fe1a85ec53ull, 0x87c37b91114253d5ull, 0x4cf5ad432745937full,
};

/* The 64 bytes at p (the last n of them, n < 64, zero-padded) under tag. */
NO_CHECKS static void digest_chunk(struct digest *d, uint64_t tag, const unsigned char *p, size_t n)
{
	uint64_t w[8] = { 0 }, x[4], y[4];

	if (n == 64) {
		for (int i = 0; i < 8; i++)
			w[i] = digest_load64(p + 8 * i);
	} else {
		for (size_t i = 0; i < n; i++)
			w[i / 8] |= (uint64_t)p[i] << (8 * (i % 8));
		tag ^= n << 56;
	}
	for (int j = 0; j < 4; j++) {
		x[j] = digest_rotl((w[j] ^ tag) * K[j], 31) ^ w[j + 4];
		y[j] = digest_rotl((w[j + 4] + tag) * K[j + 4], 27) ^ w[j];
		x[j] *= K[(j + 1) & 7];
		y[j] *= K[(j + 5) & 7];
	}
	digest_u64(d, x[0] ^ digest_rotl(x[1], 16) ^ digest_rotl(x[2], 32) ^ digest_rotl(x[3], 48));
	digest_u64(d, y[0] ^ digest_rotl(y[1], 16) ^ digest_rotl(y[2], 32) ^ digest_rotl(y[3], 48));
}

NO_CHECKS void digest_bytes(struct digest *d, uint64_t tag, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i = 0;

	digest_u64(d, tag);
	digest_u64(d, n);
	for (; i + 64 <= n; i += 64)
		digest_chunk(d, tag + i, c + i, 64);
	if (i < n)
		digest_chunk(d, tag + i, c + i, n - i);
}

/* Do the 64 bytes at a and b differ? Word by word, vectorizable. */
NO_CHECKS static inline bool chunk_differs(const unsigned char *a, const unsigned char *b)
{
	uint64_t x = 0;

	for (int i = 0; i < 64; i += 8)
		x |= digest_load64(a + i) ^ digest_load64(b + i);
	return x != 0;
}

NO_CHECKS void digest_changes(struct digest *d, uint64_t tag, const void *now, const void *base, size_t n)
{
	const unsigned char *x = now;
	const unsigned char *y = base;
	size_t i = 0;

	for (; i + 64 <= n; i += 64) {
		if (chunk_differs(x + i, y + i))
			digest_chunk(d, tag + i, x + i, 64);
	}
	for (; i < n; i++)
		if (x[i] != y[i])
			digest_chunk(d, tag + i, x + i, 1);
}
