/* fuzz/target.c — the shared body of the fuzz targets (see target.h). */
#include "target.h"
#include "exec.h"
#include "mutate.h"

#include "../core/bugs.h"
#include "../inject/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* REENTRY_BUGS, read once; an unknown name is a usage error, not a crash. */
static uint64_t env_bugs(void)
{
	static bool read;
	static uint64_t bugs;
	const char *list;
	char copy[256], *tok, *save;

	if (read)
		return bugs;
	read = true;
	list = getenv("REENTRY_BUGS");
	if (!list || !*list)
		return 0;
	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int b = bug_lookup(tok);

		if (b < 0) {
			fprintf(stderr, "reentry: REENTRY_BUGS: no historical bug named '%s'\n", tok);
			exit(2);
		}
		bugs |= 1ull << b;
	}
	return bugs;
}

void target_program(const struct target *t, const uint8_t *data, size_t size, struct program *p)
{
	struct program_config in;

	program_decode(data, size, p);
	in = p->config;
	p->config = t->config;
	if (t->input_cpus && !t->config.up)
		p->config.cpus = in.cpus > 4 ? (uint8_t)(1 + in.cpus % 4) : in.cpus;
	if (t->input_cpu_partial)
		p->config.no_cpu_partial = in.no_cpu_partial;
	if (t->input_lockdep)
		p->config.lockdep = in.lockdep;
	if (t->input_tiny)
		p->config.slub_tiny = in.slub_tiny;
	if (t->input_slab_objects) {
		/* a few slab sizes, so that fresh worlds can be cached (exec.c) */
		static const uint8_t objects[] = { 0, 2, 8, 16 };

		p->config.slab_objects = objects[in.slab_objects % 4];
	}
	/* the binary form has no bit for it: the slab-objects byte lends one */
	if (t->input_shuffle)
		p->config.shuffle = in.slab_objects & 4;
	/* CPUs the target took away: operations move to the CPUs that exist */
	for (int i = 0; i < p->nops; i++)
		p->ops[i].cpu %= p->config.up ? 1 : p->config.cpus;
	for (int i = 0; i < p->nevents; i++)
		p->events[i].cpu %= p->config.up ? 1 : p->config.cpus;
	p->bugs = env_bugs();
}

static void report(const struct target *t, const struct program *p)
{
	static char text[1 << 16];
	struct exec x = { .tracing = true };

	/* the run is deterministic: run it again, traced, for the report */
	exec_run(&x, p);
	program_print(p, text, sizeof(text));
	fprintf(stderr, "reentry: %s in %s\n", x.report.cls, x.report.where);
	fprintf(stderr, "target   %s_fuzzer\n%s\n%s", t->name, text, x.trace ? x.trace : "");
	fprintf(stderr, "replay   reentry replay CRASH_FILE%s%s\n",
		p->bugs ? " with REENTRY_BUGS set as for this run, or --bug NAME" : "", "");
	exec_free(&x);
}

/*
 * REENTRY_PRINT_BOUNDARIES=1: run operation by operation and print how many
 * boundaries the program's operations crossed. It proves that a build's
 * core/ really calls the boundary callbacks: a compiler that dropped the
 * load/store instrumentation (afl-cc strips -fsanitize-coverage=) gives 0.
 * ci/oss-fuzz/build.sh's ctest checks it on every engine's output.
 */
static bool print_boundaries(void)
{
	static int on = -1;

	if (on < 0) {
		const char *v = getenv("REENTRY_PRINT_BOUNDARIES");

		on = v && *v && strcmp(v, "0") != 0;
	}
	return on;
}

static bool run_counting(struct exec *x, const struct program *p)
{
	unsigned long boundaries = 0;
	bool ok = true;

	exec_begin(x, p);
	for (int i = 0; ok && i < p->nops; i++) {
		ok = exec_ops(x, i, i + 1);
		boundaries += engine_ordinal();
	}
	fprintf(stderr, "reentry: %lu boundaries in %d operations\n", boundaries, p->nops);
	return ok && exec_finish(x);
}

int target_run(const struct target *t, const uint8_t *data, size_t size)
{
	static struct program p;
	static struct exec x;

	target_program(t, data, size, &p);
	if (!(print_boundaries() ? run_counting(&x, &p) : exec_run(&x, &p))) {
		report(t, &p);
		abort();
	}
	return 0;
}

/*
 * The custom mutator (libFuzzer looks for it): half the time libFuzzer's own
 * byte mutations, half the time a structural one (fuzz/mutate.c) that moves,
 * adds or changes interrupts, which byte mutations rarely place well.
 */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	static struct program p;
	static uint8_t out[PROGRAM_MAX_BYTES];
	size_t n;

	if (seed % 2 == 0 || !LLVMFuzzerMutate) {
		program_decode(data, size, &p);
		if (program_mutate(&p, seed)) {
			n = program_encode(&p, out, sizeof(out));
			if (n <= max_size) {
				memcpy(data, out, n);
				return n;
			}
		}
	}
	return LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max_size) : size;
}
