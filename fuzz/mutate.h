/* fuzz/mutate.h — structure-aware mutations of programs (see mutate.c). */
#ifndef REENTRY_FUZZ_MUTATE_H
#define REENTRY_FUZZ_MUTATE_H

#include "program.h"

/* Mutate p in place, a little, deterministically from seed. False if the
 * mutation drawn did not apply (the caller falls back to a byte mutation). */
bool program_mutate(struct program *p, uint64_t seed);

#endif
