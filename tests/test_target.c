/*
 * tests/test_target.c — the fuzz targets' configurations, as the CLI replays
 * them: a crash file's tag decides the configuration, a text program's
 * "# target:" line too, and a target runs only its own inputs.
 */
#include "test.h"

#include "../fuzz/target.h"

#include <string.h>

static size_t encode_text(const char *text, uint8_t *out, size_t cap)
{
	struct program p;
	char err[256];

	if (!program_parse(text, &p, err, sizeof(err)))
		return 0;
	return program_encode(&p, out, cap);
}

/* The bytes decide nothing a target fixes: a sheaves_fuzzer input whose
 * header bits say Design A, RT and UP still runs sheaves, !RT, SMP. */
TEST(target_decode_fixes_the_config)
{
	uint8_t in[PROGRAM_MAX_BYTES];
	size_t n = encode_text("cpu1 task: a = kmalloc(64, GFP_KERNEL)\n", in, sizeof(in));
	struct program p;
	char err[256];

	CHECK(n > 4);
	in[0] = TARGET_TAG | TARGET_SHEAVES;
	in[2] = 0xff;	/* up, rt, tiny, lockdep, no_cpu_partial, no_cmpxchg128, design, rule */
	CHECK(target_load(NULL, in, n, false, &p, err, sizeof(err)));
	CHECK_EQ(p.target, TARGET_SHEAVES);
	CHECK_EQ(p.config.design, DESIGN_SHEAVES);
	CHECK(!p.config.preempt_rt && !p.config.up && !p.config.slub_tiny && !p.config.no_cmpxchg128);
	CHECK(p.config.lockdep);	/* left open by sheaves_fuzzer: the input's */
	CHECK_EQ(p.config.cpus, 1);	/* the up bit decodes as cpus=1: an input choice */
	/* untagged, the same bytes are a program of their own configuration */
	in[0] = PROGRAM_VERSION;
	CHECK(target_load(NULL, in, n, false, &p, err, sizeof(err)));
	CHECK(p.target == TARGET_NONE && p.config.up && p.config.preempt_rt);
	/* ... unless a target is forced */
	CHECK(target_load(target_get(TARGET_NOLOCK_RT), in, n, false, &p, err, sizeof(err)));
	CHECK(p.target == TARGET_NOLOCK_RT && p.config.preempt_rt && !p.config.up);
	CHECK_EQ(p.config.design, DESIGN_CPU_SLAB);
	return true;
}

/* Text: the target's configuration, and a config line may only add what the
 * target leaves open. */
TEST(target_text_line)
{
	static const char ok[] = "# target: memcg\n# config: cpus=3 slub_tiny\ncpu2 task: irq_work()\n";
	static const char bad[] = "# target: sheaves\n# config: preempt_rt\ncpu0 task: irq_work()\n";
	static const char up[] = "# target: nolock_up\ncpu1 task: irq_work()\n";
	struct program p;
	char err[256];

	CHECK(target_load(NULL, (const uint8_t *)ok, sizeof(ok) - 1, true, &p, err, sizeof(err)));
	CHECK(p.config.memcg && p.config.slub_tiny && p.config.cpus == 3);
	CHECK(!target_load(NULL, (const uint8_t *)bad, sizeof(bad) - 1, true, &p, err, sizeof(err)));
	CHECK(strstr(err, "preempt_rt is not what sheaves_fuzzer runs") != NULL);
	CHECK(strstr(err, "design=sheaves") != NULL);
	/* a UP target: the operation moves to the one CPU */
	CHECK(target_load(NULL, (const uint8_t *)up, sizeof(up) - 1, true, &p, err, sizeof(err)));
	CHECK(p.config.up && p.config.cpus == 1 && p.ops[0].cpu == 0);
	return true;
}

/* A target runs its own inputs and inputs without operations; another
 * target's, or an untagged one, is skipped, never run as its own. */
TEST(target_runs_only_its_inputs)
{
	uint8_t in[PROGRAM_MAX_BYTES];
	size_t n = encode_text("cpu0 task: a = kmalloc(64, GFP_KERNEL)\n", in, sizeof(in));

	CHECK(n > 4);
	in[0] = TARGET_TAG | TARGET_NOLOCK;
	CHECK(target_run(TARGET_NOLOCK, in, n) == 0 && !target_last_skipped());
	CHECK(target_run(TARGET_SHEAVES, in, n) == 0 && target_last_skipped());
	in[0] = PROGRAM_VERSION;
	CHECK(target_run(TARGET_NOLOCK, in, n) == 0 && target_last_skipped());
	CHECK(target_run(TARGET_NOLOCK, in, 4) == 0 && !target_last_skipped());	/* no operation */
	CHECK(target_run(TARGET_SHEAVES, in, 0) == 0 && !target_last_skipped());	/* empty */
	return true;
}
