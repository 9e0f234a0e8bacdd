/* fuzz/target.c — the shared body of the fuzz targets (see target.h). */
#include "anchors.h"
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

#define SLUB_DEBUG_FZPU (SLUB_DEBUG_F | SLUB_DEBUG_Z | SLUB_DEBUG_P | SLUB_DEBUG_U)

/* What each target checks: the header comment of fuzz/targets/NAME.c. */
static const struct target targets[NR_TARGETS] = {
	[TARGET_NOLOCK] = {
		.id = TARGET_NOLOCK,
		.config = { .design = DESIGN_CPU_SLAB, .cpus = 2 },
		.input_cpus = true, .input_cpu_partial = true, .input_lockdep = true,
		.input_slab_objects = true, .input_shuffle = true, .input_cmpxchg128 = true,
	},
	[TARGET_NOLOCK_UP] = {
		.id = TARGET_NOLOCK_UP,
		.config = { .design = DESIGN_CPU_SLAB, .cpus = 1, .up = true },
		.input_cpu_partial = true, .input_lockdep = true,
		.input_slab_objects = true, .input_shuffle = true,
	},
	[TARGET_NOLOCK_TINY] = {
		.id = TARGET_NOLOCK_TINY,
		.config = { .design = DESIGN_CPU_SLAB, .cpus = 2, .slub_tiny = true },
		.input_cpus = true, .input_lockdep = true,
		.input_slab_objects = true, .input_shuffle = true,
	},
	[TARGET_NOLOCK_RT] = {
		.id = TARGET_NOLOCK_RT,
		.config = { .design = DESIGN_CPU_SLAB, .cpus = 2, .preempt_rt = true },
		.input_cpus = true, .input_cpu_partial = true,
		.input_slab_objects = true, .input_shuffle = true,
	},
	[TARGET_DEBUG_CACHES] = {
		.id = TARGET_DEBUG_CACHES,
		.config = { .design = DESIGN_CPU_SLAB, .cpus = 2, .slub_debug = SLUB_DEBUG_FZPU },
		.input_cpus = true, .input_lockdep = true,
		.input_slab_objects = true, .input_shuffle = true,
	},
	[TARGET_SHEAVES] = {
		.id = TARGET_SHEAVES,
		.config = { .design = DESIGN_SHEAVES, .alloc_flags_rule = RULE_ALLOC_TRYLOCK,
			    .cpus = 2 },
		.input_cpus = true, .input_lockdep = true,
		.input_slab_objects = true, .input_shuffle = true,
	},
	[TARGET_SHEAVES_RT] = {
		.id = TARGET_SHEAVES_RT,
		.config = { .design = DESIGN_SHEAVES, .alloc_flags_rule = RULE_ALLOC_TRYLOCK,
			    .cpus = 2, .preempt_rt = true },
		.input_cpus = true, .input_slab_objects = true, .input_shuffle = true,
	},
	[TARGET_SHEAVES_DEBUG] = {
		.id = TARGET_SHEAVES_DEBUG,
		.config = { .design = DESIGN_SHEAVES, .alloc_flags_rule = RULE_ALLOC_TRYLOCK,
			    .cpus = 2, .slub_debug = SLUB_DEBUG_FZPU },
		.input_cpus = true, .input_lockdep = true,
		.input_slab_objects = true, .input_shuffle = true,
	},
	[TARGET_MEMCG] = {
		.id = TARGET_MEMCG,
		.config = { .design = DESIGN_CPU_SLAB, .cpus = 2, .memcg = true },
		.input_cpus = true, .input_cpu_partial = true, .input_lockdep = true,
		.input_slab_objects = true, .input_shuffle = true, .input_tiny = true,
	},
};

const struct target *target_get(unsigned int id)
{
	return id > TARGET_NONE && id < NR_TARGETS ? &targets[id] : NULL;
}

/* t's configuration, with what t leaves open taken from `in`. */
static struct program_config target_config(const struct target *t,
					   const struct program_config *in)
{
	struct program_config c = t->config;

	if (t->input_cpus && !t->config.up)
		c.cpus = in->cpus;
	if (t->input_cpu_partial)
		c.no_cpu_partial = in->no_cpu_partial;
	if (t->input_lockdep)
		c.lockdep = in->lockdep;
	if (t->input_tiny)
		c.slub_tiny = in->slub_tiny;
	if (t->input_slab_objects)
		c.slab_objects = in->slab_objects;
	if (t->input_shuffle)
		c.shuffle = in->shuffle;
	if (t->input_cmpxchg128)
		c.no_cmpxchg128 = in->no_cmpxchg128;
	return c;
}

static void move_to_cpus(struct program *p)
{
	unsigned int cpus = p->config.up ? 1 : p->config.cpus;

	for (int i = 0; i < p->nops; i++)
		p->ops[i].cpu %= cpus;
	for (int i = 0; i < p->nevents; i++)
		p->events[i].cpu %= cpus;
}

void target_decode(const struct target *t, const uint8_t *data, size_t size, struct program *p)
{
	/* a few slab sizes, so that fresh worlds can be cached (exec.c) */
	static const uint8_t objects[] = { 0, 2, 8, 16 };
	uint8_t so;

	program_decode(data, size, p);
	p->config = target_config(t, &p->config);
	p->target = (uint8_t)t->id;
	if (p->config.cpus > 4)
		p->config.cpus = (uint8_t)(1 + p->config.cpus % 4);
	so = p->config.slab_objects;
	if (so != 0 && so != 2 && so != 8 && so != 16)
		p->config.slab_objects = objects[so % 4];
	move_to_cpus(p);
}

/* The config fields, all one byte wide, for target_apply()'s comparison. */
#define CONFIG_FIELD(f) { #f, offsetof(struct program_config, f) }
static const struct {
	const char *name;
	size_t offset;
} config_fields[] = {
	CONFIG_FIELD(design), CONFIG_FIELD(alloc_flags_rule), CONFIG_FIELD(cpus),
	CONFIG_FIELD(up), CONFIG_FIELD(preempt_rt), CONFIG_FIELD(slub_tiny),
	CONFIG_FIELD(lockdep), CONFIG_FIELD(no_cpu_partial), CONFIG_FIELD(no_cmpxchg128),
	CONFIG_FIELD(shuffle), CONFIG_FIELD(strict_api), CONFIG_FIELD(memcg),
	CONFIG_FIELD(slab_objects), CONFIG_FIELD(slub_debug), CONFIG_FIELD(no_debug_preempt),
	CONFIG_FIELD(no_bounded_work),
	CONFIG_FIELD(no_nolock_spin),
	CONFIG_FIELD(no_lockdep_irq),
	CONFIG_FIELD(no_lockdep_assert),
	CONFIG_FIELD(no_might_sleep),
	CONFIG_FIELD(no_api_contract),
	CONFIG_FIELD(no_kmemleak),
	CONFIG_FIELD(no_kasan),
};
_Static_assert(sizeof(struct program_config) == 23, "config_fields lists every field");

static uint8_t field(const struct program_config *c, size_t i)
{
	return *((const uint8_t *)c + config_fields[i].offset);
}

bool target_apply(const struct target *t, struct program *p, char *err, size_t errsize)
{
	static const struct program_config defaults = { .cpus = 2 };
	struct program_config c = target_config(t, &p->config);

	for (size_t i = 0; i < sizeof(config_fields) / sizeof(config_fields[0]); i++) {
		if (field(&p->config, i) != field(&c, i) && field(&p->config, i) != field(&defaults, i)) {
			struct program fixed = { .config = c };
			char line[256];

			program_print(&fixed, line, sizeof(line));
			line[strcspn(line, "\n")] = '\0';
			snprintf(err, errsize, "the config's %s is not what %s_fuzzer runs (%s)",
				 config_fields[i].name, program_target_name(t->id),
				 line + strlen("# config: "));
			return false;
		}
	}
	p->config = c;
	p->target = (uint8_t)t->id;
	move_to_cpus(p);
	return true;
}

bool target_load(const struct target *forced, const uint8_t *data, size_t size, bool text,
		 struct program *p, char *err, size_t errsize)
{
	const struct target *t;

	if (!text) {
		program_decode(data, size, p);
		t = forced ? forced : target_get(p->target);
		if (t)
			target_decode(t, data, size, p);
		return true;
	}
	if (!program_parse((const char *)data, p, err, errsize))
		return false;
	t = forced ? forced : target_get(p->target);
	return !t || target_apply(t, p, err, errsize);
}

static bool env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

static void report(const struct target *t, const struct program *p)
{
	static char text[1 << 16];
	static struct program shown;
	struct exec x = { .tracing = true };

	/* the run is deterministic: run it again, traced and with its anchors
	 * said by function (the same boundaries), for the report */
	shown = *p;
	anchors_convert(&shown, AT_FUNCTION);
	exec_run(&x, &shown);
	program_print(&shown, text, sizeof(text));
	fprintf(stderr, "reentry: %s in %s\n", x.report.cls, x.report.where);
	fprintf(stderr, "target   %s_fuzzer\n%s\n%s", program_target_name(t->id), text,
		x.trace ? x.trace : "");
	fprintf(stderr, "replay   reentry replay CRASH_FILE%s\n",
		p->bugs ? " --bug NAME (each of REENTRY_BUGS)" : "");
	exec_free(&x);
}

/* REENTRY_TRACE=1: every input's program, trace and verdict, as `reentry replay`. */
static void trace_input(const struct program *p)
{
	static char text[1 << 16];
	static struct program shown;
	struct exec x = { .tracing = true };
	bool clean;

	shown = *p;
	anchors_convert(&shown, AT_FUNCTION);
	clean = exec_run(&x, &shown);
	program_print(&shown, text, sizeof(text));
	fprintf(stderr, "%s\n", text);
	if (!clean)
		fprintf(stderr, "%s in %s\n", x.report.cls, x.report.where);
	fputs(x.trace ? x.trace : "", stderr);
	exec_free(&x);
}

/* An input this target does not run: said once (every input with REENTRY_TRACE). */
static void skipped(const struct target *t, const uint8_t *data)
{
	static bool said;
	const char *other = data[0] & TARGET_TAG ? program_target_name(data[0] & (uint8_t)~TARGET_TAG)
						 : NULL;
	char whose[64];

	if (said && !env_flag("REENTRY_TRACE"))
		return;
	said = true;
	if (other)
		snprintf(whose, sizeof(whose), "of %s_fuzzer", other);
	else
		snprintf(whose, sizeof(whose), "with no target tag");
	fprintf(stderr, "reentry: %s_fuzzer skipped an input %s (first byte 0x%02x): it runs only "
		"its own (0x%02x) and inputs without operations%s\n",
		program_target_name(t->id), whose, data[0], TARGET_TAG | t->id,
		env_flag("REENTRY_TRACE") ? "" : " (said once)");
}

/*
 * REENTRY_PRINT_BOUNDARIES=1: run operation by operation and print how many
 * boundaries the program's operations crossed. It proves that a build's
 * core/ really calls the boundary callbacks: a compiler that dropped the
 * load/store instrumentation (afl-cc strips -fsanitize-coverage=) gives 0.
 * ci/oss-fuzz/build.sh's ctest checks it on every engine's output.
 */
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

/* The target whose inputs this process runs: the custom mutator tags with it. */
static const struct target *running;
static bool last_skipped;

bool target_last_skipped(void)
{
	return last_skipped;
}

int target_run(enum target_id id, const uint8_t *data, size_t size)
{
	static struct program p;
	static struct exec x;
	static int print_boundaries = -1, trace = -1;
	const struct target *t = target_get(id);

	if (print_boundaries < 0) {
		print_boundaries = env_flag("REENTRY_PRINT_BOUNDARIES");
		trace = env_flag("REENTRY_TRACE");
	}
	running = t;
	target_decode(t, data, size, &p);
	last_skipped = p.nops && data[0] != (TARGET_TAG | t->id);
	if (last_skipped) {
		skipped(t, data);
		return 0;
	}
	p.bugs = env_bugs();
	if (trace)
		trace_input(&p);
	if (!(print_boundaries ? run_counting(&x, &p) : exec_run(&x, &p))) {
		report(t, &p);
		abort();
	}
	return 0;
}

/*
 * The custom mutator (libFuzzer looks for it): half the time libFuzzer's own
 * byte mutations, half the time a structural one (fuzz/mutate.c) that moves,
 * adds or changes interrupts, which byte mutations rarely place well. Every
 * input it returns carries the running target's tag.
 */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	static uint8_t out[PROGRAM_MAX_BYTES];
	size_t n;

	if (seed % 2 == 0 || !LLVMFuzzerMutate) {
		n = input_mutate(data, size, running ? running->id : TARGET_NONE, seed, out);
		if (n && n <= max_size) {
			memcpy(data, out, n);
			return n;
		}
	}
	n = LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max_size) : size;
	if (running && n)
		data[0] = (uint8_t)(TARGET_TAG | running->id);
	return n;
}
