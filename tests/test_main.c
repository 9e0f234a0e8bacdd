/* tests/test_main.c — runs one registered test by name, or lists them. */
#include "test.h"

#include "../core/prandom.h"
#include "../core/slab.h"
#include "../fuzz/program.h"
#include "../inject/machine.h"
#include "../inject/snapshot.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TESTS 512

static struct { const char *name; test_fn fn; } tests[MAX_TESTS];
static int ntests;

void test_register(const char *name, test_fn fn)
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "too many tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

uint64_t test_seed(void)
{
	const char *s = getenv("REENTRY_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 0x5eed;

	printf("seed %" PRIu64 " (set REENTRY_SEED to replay)\n", seed);
	return seed;
}

uint64_t test_rand(uint64_t *state)
{
	return splitmix64(state);
}

void test_kconfig(int cpus)
{
	kconfig.nr_cpus = cpus;
	kconfig.smp = true;
	kconfig.slub_tiny = false;
	kconfig.preempt_rt = false;
	kconfig.lockdep = false;
	kconfig.cpu_partial = true;
	kconfig.has_cmpxchg128 = true;
	kconfig.slab_objects = 4;
	kconfig.debug_preempt = true;
	kconfig.bounded_work = true;
	kconfig.nolock_spin = true;
	kconfig.kmemleak = true;
	kconfig.kasan = true;
	kconfig.api_contract = true;
	kconfig.debug_atomic_sleep = true;
	kconfig.lockdep_assert = true;
	kconfig.lockdep_irq = true;
}

void boot_world(void)
{
	machine_reset();
	kmem_init();
}

bool valid(void)
{
	if (!validate_all()) {
		fprintf(stderr, "validator: %s\n", validate_error());
		return false;
	}
	return true;
}

bool invalid_because(const char *what)
{
	if (validate_all()) {
		fprintf(stderr, "validators passed, expected a failure about \"%s\"\n", what);
		return false;
	}
	if (!strstr(validate_error(), what)) {
		fprintf(stderr, "validator said \"%s\", expected \"%s\"\n", validate_error(), what);
		return false;
	}
	printf("validator (as expected): %s\n", validate_error());
	return true;
}

bool report_is(const struct machine_report *r, const char *cls)
{
	if (!r) {
		fprintf(stderr, "expected a %s report, got none\n", cls);
		return false;
	}
	if (strcmp(r->cls, cls) != 0) {
		fprintf(stderr, "expected a %s report, got %s: %s\n", cls, r->cls, r->text);
		return false;
	}
	printf("report (as expected): %s: %s\n", r->cls, r->text);
	return true;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (int i = 0; i < ntests; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: reentry_tests NAME | --list\n");
		return 2;
	}
	/* every snapshot restore and digest checks that the write marks saw
	 * every change (a test that writes model memory itself must say so:
	 * write_marks_note()) */
	snapshot_audit = true;
	for (int i = 0; i < ntests; i++) {
		if (strcmp(tests[i].name, argv[1]) == 0) {
			bool ok = tests[i].fn();

			printf("%s: %s\n", tests[i].name, ok ? "ok" : "FAILED");
			return ok ? 0 : 1;
		}
	}
	fprintf(stderr, "reentry_tests: no test named '%s'\n", argv[1]);
	return 2;
}

bool test_parse(const char *text, struct program *p)
{
	char err[256];

	if (!program_parse(text, p, err, sizeof(err))) {
		fprintf(stderr, "program_parse: %s\n--- text:\n%s\n---\n", err, text);
		return false;
	}
	return true;
}
