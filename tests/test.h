/*
 * tests/test.h — a tiny test harness in the style of the kernel's userspace
 * harnesses: `TEST(name) { ... return true; }` registers test_name; CHECK()
 * failures print file:line:function and fail the test. CMake finds every
 * TEST(name) line and registers it as its own ctest test, run in its own
 * process (`reentry_tests NAME`), so each test starts from a fresh machine.
 */
#ifndef REENTRY_TESTS_TEST_H
#define REENTRY_TESTS_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef bool (*test_fn)(void);
void test_register(const char *name, test_fn fn);

#define TEST(name)							\
	static bool test_##name(void);					\
	__attribute__((constructor)) static void register_##name(void)	\
	{ test_register(#name, test_##name); }				\
	static bool test_##name(void)

/* A test that needs ASan (KASAN poisoning): wrap it in #ifdef REENTRY_ASAN;
 * CMake registers TEST_ASAN lines only in sanitized builds. */
#define TEST_ASAN(name) TEST(name)

/* A test of where boundaries land (ordinals, sweeps, masks): CMake registers
 * TEST_INJECT lines only in builds with the load/store boundaries (not in
 * the release preset, which compiles injection out). */
#define TEST_INJECT(name) TEST(name)

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n",	\
			__FILE__, __LINE__, __func__, #cond);		\
		return false;						\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long __a = (long long)(a), __b = (long long)(b);		\
	if (__a != __b) {						\
		fprintf(stderr, "%s:%d: %s: CHECK_EQ failed: %s == %s (%lld != %lld)\n", \
			__FILE__, __LINE__, __func__, #a, #b, __a, __b); \
		return false;						\
	}								\
} while (0)

/* The seed for randomized tests: $REENTRY_SEED or a fixed default; printed. */
uint64_t test_seed(void);
/* A small deterministic PRNG (core/prandom.h's splitmix64) for tests. */
uint64_t test_rand(uint64_t *state);

/* The configuration every variant's tests start from: cpus CPUs, SMP, !RT,
 * no SLUB_TINY, no lockdep, CPU partial lists, a 16-byte cmpxchg, 4 objects
 * per slab. A test file sets its variant's fields after it, then boots. */
void test_kconfig(int cpus);
/* A fresh machine and model for kconfig as it is now. */
void boot_world(void);

/* Do the model's validators pass? Says what failed otherwise. */
bool valid(void);
#define CHECK_VALID() CHECK(valid())
/* The validators must fail, with a message containing what. */
bool invalid_because(const char *what);

/* Is r a report of class cls? Says what it got otherwise (and prints r). */
struct machine_report;
bool report_is(const struct machine_report *r, const char *cls);

/* Parse a program's text into p; says why not (and the text) otherwise. */
struct program;
bool test_parse(const char *text, struct program *p);

#endif
