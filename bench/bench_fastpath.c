/*
 * bench/bench_fastpath.c — the fast path's speed against glibc, in one run
 * (run by bench/fastpath.sh on the release preset: -O3, no sanitizers,
 * injection compiled out, the simulated machine as the environment):
 *   kmalloc_nolock(64)+kfree_nolock pairs per second on one CPU's slab,
 *   kmalloc(64)+kfree pairs per second,
 *   glibc malloc(64)+free pairs per second,
 * each timed ROUNDS times, interleaved, and the ratio of the medians.
 * Wall-clock time is read here only, never in core/, inject/ or fuzz/.
 */
#include "../core/slab.h"
#include "../inject/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { PAIRS = 2000000, ROUNDS = 7 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The compiler may not drop an allocation it sees unused (clang elides
 * malloc+free pairs): the pointer escapes into an empty asm. */
#define escape(p) __asm__ volatile("" : : "r"(p) : "memory")

static double nolock_pairs(void)
{
	double t0 = now();

	for (int i = 0; i < PAIRS; i++) {
		void *p = kmalloc_nolock(64, 0, NUMA_NO_NODE);

		escape(p);
		kfree_nolock(p);
	}
	return PAIRS / (now() - t0);
}

static double kmalloc_pairs(void)
{
	double t0 = now();

	for (int i = 0; i < PAIRS; i++) {
		void *p = kmalloc(64, GFP_KERNEL);

		escape(p);
		kfree(p);
	}
	return PAIRS / (now() - t0);
}

static double glibc_pairs(void)
{
	double t0 = now();

	for (int i = 0; i < PAIRS; i++) {
		void *p = malloc(64);

		escape(p);
		free(p);
	}
	return PAIRS / (now() - t0);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp);
	return v[ROUNDS / 2];
}

int main(void)
{
	double nl[ROUNDS], km[ROUNDS], gl[ROUNDS];

	kconfig.nr_cpus = 2;
	kconfig.smp = true;
	machine_reset();
	kmem_init();
	/* Warm up: the first pair makes the CPU slab; glibc fills its tcache. */
	nolock_pairs();
	kmalloc_pairs();
	glibc_pairs();
	for (int r = 0; r < ROUNDS; r++) {
		nl[r] = nolock_pairs();
		km[r] = kmalloc_pairs();
		gl[r] = glibc_pairs();
		printf("round %d: kmalloc_nolock+kfree_nolock %.1f M pairs/s, kmalloc+kfree %.1f M pairs/s, glibc malloc+free %.1f M pairs/s\n",
		       r + 1, nl[r] / 1e6, km[r] / 1e6, gl[r] / 1e6);
	}
	double n = median(nl), k = median(km), g = median(gl);

	printf("median: kmalloc_nolock+kfree_nolock %.1f M pairs/s (%.1f ns), kmalloc+kfree %.1f M pairs/s (%.1f ns), glibc %.1f M pairs/s (%.1f ns)\n",
	       n / 1e6, 1e9 / n, k / 1e6, 1e9 / k, g / 1e6, 1e9 / g);
	printf("glibc is %.2fx the nolock pair's rate, %.2fx kmalloc+kfree's\n", g / n, g / k);
	if (!validate_all()) {
		printf("validator failed after the benchmark: %s\n", validate_error());
		return 1;
	}
	return 0;
}
