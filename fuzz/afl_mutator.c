/*
 * fuzz/afl_mutator.c — the structure-aware mutator (fuzz/mutate.c) as an
 * AFL++ custom mutator library (AFL_CUSTOM_MUTATOR_LIBRARY, the
 * afl_custom_* API of AFL++ 4.x). libFuzzer finds LLVMFuzzerCustomMutator
 * in the target itself (fuzz/target.c); AFL++'s libAFLDriver does not, so
 * without this library AFL++ fuzzed with byte mutations only: they rarely
 * place an interrupt well, and they break the target tag of byte 0, which
 * makes a target skip the input.
 *
 * The library serves one target, named by REENTRY_TARGET (ci/fuzz.sh sets
 * it): every input it returns carries that target's tag, the structural
 * mutations' (afl_custom_fuzz) as much as AFL++'s own, which
 * afl_custom_post_process tags before each run. Its draws come from the
 * seed AFL++ gives it (afl-fuzz -s): the same seed, the same mutations.
 */
#include "mutate.h"
#include "program.h"
#include "../core/prandom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reentry_mutator {
	uint64_t rng;
	enum target_id target;		/* TARGET_NONE: tag nothing */
	uint8_t out[PROGRAM_MAX_BYTES];
	uint8_t *tagged;		/* post_process's copy */
	size_t tagged_cap;
};

#define AFL_API __attribute__((visibility("default")))
AFL_API void *afl_custom_init(void *afl, unsigned int seed);
AFL_API size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
		       size_t add_buf_size, size_t max_size);
AFL_API size_t afl_custom_post_process(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf);
AFL_API void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
	struct reentry_mutator *m = calloc(1, sizeof(*m));
	const char *name = getenv("REENTRY_TARGET");

	(void)afl;
	if (!m)
		return NULL;
	m->rng = seed;
	m->target = TARGET_NONE;
	if (name && *name) {
		enum target_id id = program_target_lookup(name);

		if (id == TARGET_NONE) {
			fprintf(stderr, "reentry AFL++ mutator: REENTRY_TARGET: no fuzz target named '%s'\n",
				name);
			free(m);
			return NULL;	/* afl-fuzz stops: a mutator that failed to start */
		}
		m->target = id;
	}
	return m;
}

/*
 * One structural mutation of buf. A draw may not apply (an event to move in
 * a program without one): draw again, a few times. AFL++ 4.04c takes a
 * size of 0 for an error and stops, so if none applies the input goes back
 * as it came (tagged): one execution spent, nothing lost.
 */
#define DRAWS 16

AFL_API size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
			       size_t add_buf_size, size_t max_size)
{
	struct reentry_mutator *m = data;
	size_t n;

	(void)add_buf;
	(void)add_buf_size;
	for (int i = 0; i < DRAWS; i++) {
		n = input_mutate(buf, buf_size, m->target, splitmix64(&m->rng), m->out);
		if (n && n <= max_size) {
			*out_buf = m->out;
			return n;
		}
	}
	n = buf_size < max_size ? buf_size : max_size;
	n = n < sizeof(m->out) ? n : sizeof(m->out);
	memcpy(m->out, buf, n);
	if (n && m->target != TARGET_NONE)
		m->out[0] = (uint8_t)(TARGET_TAG | m->target);
	*out_buf = m->out;
	return n;
}

/* Every input the target runs carries its tag, whatever mutated it. */
size_t afl_custom_post_process(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf)
{
	struct reentry_mutator *m = data;

	*out_buf = buf;
	if (m->target == TARGET_NONE || !buf_size || buf[0] == (TARGET_TAG | m->target))
		return buf_size;
	if (m->tagged_cap < buf_size) {
		uint8_t *t = realloc(m->tagged, buf_size);

		if (!t)
			return buf_size;
		m->tagged = t;
		m->tagged_cap = buf_size;
	}
	memcpy(m->tagged, buf, buf_size);
	m->tagged[0] = (uint8_t)(TARGET_TAG | m->target);
	*out_buf = m->tagged;
	return buf_size;
}

void afl_custom_deinit(void *data)
{
	struct reentry_mutator *m = data;

	if (m)
		free(m->tagged);
	free(m);
}
