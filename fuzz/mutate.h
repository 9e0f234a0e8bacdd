/* fuzz/mutate.h — structure-aware mutations of programs (see mutate.c). */
#ifndef REENTRY_FUZZ_MUTATE_H
#define REENTRY_FUZZ_MUTATE_H

#include "program.h"

/* Mutate p in place, a little, deterministically from seed. False if the
 * mutation drawn did not apply (the caller falls back to a byte mutation). */
bool program_mutate(struct program *p, uint64_t seed);

/*
 * The fuzzers' custom mutators' step (fuzz/target.c for libFuzzer,
 * fuzz/afl_mutator.c for AFL++): the binary input data[0..size) decoded,
 * made the input of target (enum target_id), mutated from seed and encoded
 * into out (PROGRAM_MAX_BYTES). Its size, or 0 if the mutation drawn did
 * not apply.
 */
size_t input_mutate(const uint8_t *data, size_t size, unsigned int target, uint64_t seed, uint8_t *out);

#endif
