/*
 * tests/test_mutate.c — the structure-aware mutations (fuzz/mutate.c): they
 * grow a program from nothing, insert operations without losing an event's
 * operation, aim handlers and new operations at the sizes and objects the
 * program has, and are a function of their seed.
 */
#include "test.h"

#include "../core/slab.h"
#include "../fuzz/mutate.h"
#include "../fuzz/program.h"

#include <string.h>

static const char two_allocs[] =
	"cpu0 task: a = kmalloc(64, GFP_KERNEL)\n"
	"cpu0 task: b = kmalloc_nolock(64, 0)  @3 nmi { kfree_nolock(a) }\n";

TEST(mutate_grows_a_program_from_nothing)
{
	static struct program p;

	for (uint64_t seed = 1; seed <= 100; seed++) {
		memset(&p, 0, sizeof(p));
		CHECK(program_mutate(&p, seed));
		CHECK_EQ(p.nops, 1);
		CHECK(p.ops[0].kind == OP_KMALLOC || p.ops[0].kind == OP_KMALLOC_NOLOCK);
		CHECK(p.ops[0].size > 0);
	}
	return true;
}

/* An operation inserted before an event's operation takes the event along. */
TEST(mutate_inserted_operations_keep_each_event_on_its_operation)
{
	static struct program base, p;
	int grown = 0;

	CHECK(test_parse(two_allocs, &base));
	for (uint64_t seed = 1; seed <= 2000; seed++) {
		p = base;
		if (!program_mutate(&p, seed) || p.nops <= base.nops)
			continue;
		grown++;
		CHECK_EQ(p.nevents, 1);
		/* the event's operation is still the kmalloc_nolock(64, 0) */
		CHECK(p.ops[p.events[0].op].kind == OP_KMALLOC_NOLOCK);
		CHECK_EQ(p.ops[p.events[0].op].size, 64);
		CHECK_EQ(p.events[0].ordinal, 3);
	}
	CHECK(grown > 300);	/* three of the eleven mutations insert */
	return true;
}

/*
 * A new handler's allocation asks for one of the program's sizes at least
 * half the time (otherwise one of ten buckets), and its free names an
 * object the program allocated at least two times in three (three in four
 * by design, and one in thirteen of the rest by chance).
 */
TEST(mutate_handlers_aim_at_the_programs_sizes_and_objects)
{
	static struct program base, p;
	int allocs = 0, same_size = 0, frees = 0, held = 0;

	CHECK(test_parse("cpu0 task: a = kmalloc(64, GFP_KERNEL)\n"
			 "cpu0 task: b = kmalloc_nolock(64, 0)\n", &base));
	for (uint64_t seed = 1; seed <= 4000; seed++) {
		p = base;
		if (!program_mutate(&p, seed))
			continue;
		for (int e = 0; e < p.nevents; e++) {
			for (int k = 0; k < p.events[e].nops; k++) {
				const struct op *op = &p.events[e].ops[k];

				if (op->kind == OP_KMALLOC_NOLOCK) {
					allocs++;
					same_size += op->size == 64;
				} else if (op->kind == OP_KFREE_NOLOCK) {
					frees++;
					held += op->slot == 0 || op->slot == 1;
				}
			}
		}
	}
	CHECK(allocs > 100 && frees > 50);
	CHECK(2 * same_size >= allocs);
	CHECK(3 * held >= 2 * frees);
	return true;
}

TEST(mutate_is_a_function_of_its_seed)
{
	static struct program base, p, q;
	static uint8_t a[PROGRAM_MAX_BYTES], b[PROGRAM_MAX_BYTES];

	CHECK(test_parse(two_allocs, &base));
	for (uint64_t seed = 1; seed <= 200; seed++) {
		size_t na, nb;

		p = base;
		q = base;
		CHECK(program_mutate(&p, seed) == program_mutate(&q, seed));
		na = program_encode(&p, a, sizeof(a));
		nb = program_encode(&q, b, sizeof(b));
		CHECK(na == nb && memcmp(a, b, na) == 0);
	}
	return true;
}
