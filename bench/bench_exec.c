/*
 * bench/bench_exec.c — what one fuzz input costs the harness, without a
 * fuzzing engine: the inputs of a directory are read into memory once, then
 * run through nolock_fuzzer's LLVMFuzzerTestOneInput round after round, and
 * the CPU time of the process (not the wall clock: the machine is shared) is
 * divided by the executions. An engine adds its own cost per input on top
 * (libFuzzer's is measured by bench/exec_cost.sh).
 *
 * Usage: reentry_bench_exec DIR [ROUNDS]   (default 5 rounds)
 * Prints: "N inputs x R rounds: U us per execution (E exec/s per CPU second)".
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUTS 8192

struct input {
	uint8_t *data;
	size_t size;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct input inputs[MAX_INPUTS];
	static char *names[MAX_INPUTS];
	int n = 0, rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct dirent *d;
	DIR *dp;
	double start, spent;

	if (argc < 2 || rounds <= 0 || !(dp = opendir(argv[1]))) {
		fprintf(stderr, "usage: reentry_bench_exec DIR [ROUNDS]\n");
		return 2;
	}
	while ((d = readdir(dp)) && n < MAX_INPUTS)
		if (d->d_name[0] != '.')
			names[n++] = strdup(d->d_name);
	closedir(dp);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) != 0) {
			fprintf(stderr, "reentry_bench_exec: cannot read %s\n", path);
			return 2;
		}
		inputs[i].size = (size_t)ftell(f);
		inputs[i].data = malloc(inputs[i].size + 1);
		rewind(f);
		if (!inputs[i].data || fread(inputs[i].data, 1, inputs[i].size, f) != inputs[i].size) {
			fprintf(stderr, "reentry_bench_exec: cannot read %s\n", path);
			return 2;
		}
		fclose(f);
	}
	if (!n) {
		fprintf(stderr, "reentry_bench_exec: %s holds no inputs\n", argv[1]);
		return 2;
	}
	/* a first round warms the caches of fresh worlds (fuzz/exec.c) */
	for (int i = 0; i < n; i++)
		LLVMFuzzerTestOneInput(inputs[i].data, inputs[i].size);
	start = cpu_seconds();
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			LLVMFuzzerTestOneInput(inputs[i].data, inputs[i].size);
	spent = cpu_seconds() - start;
	printf("%d inputs x %d rounds: %.1f us per execution (%.0f exec/s per CPU second)\n", n, rounds,
	       spent * 1e6 / ((double)n * rounds), (double)n * rounds / spent);
	return 0;
}
