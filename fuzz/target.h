/*
 * fuzz/target.h — the fuzz targets and what they share.
 *
 * A target fixes the kernel configuration it checks (design, RT, TINY, ...)
 * and lets the input choose only what the target leaves open (CPUs, CPU
 * partial lists, LOCKDEP, objects per slab, freelist shuffling). Historical
 * bugs are switched on by the environment: REENTRY_BUGS=name[,name]. Every
 * input starts from a fully reset machine; a report prints "reentry: CLASS
 * in WHERE", the program in text form and the trace, then aborts so the
 * engine keeps the input as a crash.
 *
 * Crash files replay as found. A target runs only inputs that carry its own
 * tag in byte 0 (program.h, enum target_id), and inputs with no operation
 * (an empty file: where every engine starts); its custom mutator writes the
 * tag into every input it makes. So every input a target can crash on names
 * the target, and `reentry replay CRASH` — which decodes a tagged input the
 * way the target does — gives the verdict the fuzzer saw, whatever engine
 * (libFuzzer, AFL++, OSS-Fuzz's) found it. An input of another target, or an
 * untagged one, is skipped (no model code runs, so no engine keeps it), with
 * a note on stderr the first time.
 *
 * REENTRY_TRACE=1 makes a target print every input's program, trace and
 * verdict on stderr (e.g. `REENTRY_TRACE=1 sheaves_fuzzer CRASH`, as OSS-Fuzz
 * reproduces a crash).
 */
#ifndef REENTRY_FUZZ_TARGET_H
#define REENTRY_FUZZ_TARGET_H

#include "program.h"

#include <stddef.h>
#include <stdint.h>

struct target {
	enum target_id id;		/* its tag; program_target_name() its name */
	struct program_config config;	/* the configuration checked */
	bool input_cpus;		/* the input may choose 1..4 CPUs */
	bool input_cpu_partial;		/* ... CONFIG_SLUB_CPU_PARTIAL on or off */
	bool input_lockdep;		/* ... CONFIG_LOCKDEP on or off */
	bool input_slab_objects;	/* ... objects per slab (0, 2, 8 or 16) */
	bool input_shuffle;		/* ... freelist randomization on or off */
	bool input_tiny;		/* ... CONFIG_SLUB_TINY on or off */
	bool input_cmpxchg128;		/* ... an arch with or without the 16-byte cmpxchg */
};

/* The target of an id; NULL for TARGET_NONE or out of range. */
const struct target *target_get(unsigned int id);

/* The fuzz target's entry: run the input if it is the target's (see above).
 * Returns 0 (a report aborts). A skipped input runs no model code, so no
 * engine keeps it; 0 rather than libFuzzer's -1 "reject", which honggfuzz
 * takes for a fatal error. */
int target_run(enum target_id id, const uint8_t *data, size_t size);
/* Was the last input skipped (the plain driver must not call it a pass)? */
bool target_last_skipped(void);

/* The program a binary input is under target t: decoded, with t's
 * configuration (what target_run runs, bugs aside). */
void target_decode(const struct target *t, const uint8_t *data, size_t size, struct program *p);

/* A program under target t: t's configuration, with what t leaves open kept
 * from the program's own; the program's operations move to the CPUs that
 * exist. false, with a message in err, when the program's config sets what t
 * fixes to something else (a config item left at its default is fine). */
bool target_apply(const struct target *t, struct program *p, char *err, size_t errsize);

/*
 * A file's program, as the target that ran it ran it: a binary input under
 * the target its tag names, a text program (data NUL-terminated) under its
 * "# target:" line; a `forced` target (--target) overrides either. false,
 * with a message in err, for a text that does not parse or contradicts its
 * target.
 */
bool target_load(const struct target *forced, const uint8_t *data, size_t size, bool text,
		 struct program *p, char *err, size_t errsize);

#endif /* REENTRY_FUZZ_TARGET_H */
