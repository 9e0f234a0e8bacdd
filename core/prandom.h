/*
 * core/prandom.h — the one pseudo-random generator of reentry (splitmix64):
 * small, seeded, the same sequence everywhere. core/ uses it for freelist
 * randomization, fuzz/ and tests/ for schedules and mutations. Randomness in
 * reentry always comes from a seed the user can see and pass back.
 */
#ifndef REENTRY_CORE_PRANDOM_H
#define REENTRY_CORE_PRANDOM_H

#include <stdint.h>

static inline uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
