/*
 * fuzz/target.h — what every fuzz target shares.
 *
 * A target fixes the kernel configuration it checks (design, RT, TINY, ...)
 * and lets the input choose only what the target leaves open (CPUs, CPU
 * partial lists, LOCKDEP, objects per slab). Historical bugs are switched on
 * by the environment: REENTRY_BUGS=name[,name]. Every input starts from a
 * fully reset machine; a report prints "reentry: CLASS in WHERE", the
 * program in text form and the trace, then aborts so the engine keeps the
 * input as a crash.
 */
#ifndef REENTRY_FUZZ_TARGET_H
#define REENTRY_FUZZ_TARGET_H

#include "program.h"

#include <stddef.h>
#include <stdint.h>

struct target {
	const char *name;		/* "nolock" → nolock_fuzzer */
	struct program_config config;	/* the configuration checked */
	bool input_cpus;		/* the input may choose 1..4 CPUs */
	bool input_cpu_partial;		/* ... CONFIG_SLUB_CPU_PARTIAL on or off */
	bool input_lockdep;		/* ... CONFIG_LOCKDEP on or off */
	bool input_slab_objects;	/* ... objects per slab */
	bool input_shuffle;		/* ... freelist randomization on or off */
	bool input_tiny;		/* ... CONFIG_SLUB_TINY on or off */
};

/* Decode, apply the target's configuration and REENTRY_BUGS, run. 0, or abort(). */
int target_run(const struct target *t, const uint8_t *data, size_t size);
/* The program an input becomes under target t (what target_run runs). */
void target_program(const struct target *t, const uint8_t *data, size_t size, struct program *p);

#endif /* REENTRY_FUZZ_TARGET_H */
