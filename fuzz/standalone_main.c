/*
 * fuzz/standalone_main.c — the plain driver: a fuzz target built without a
 * fuzzing engine runs each file given (directories: each file in them, in
 * name order) through LLVMFuzzerTestOneInput once. ctest uses it to replay
 * the seed corpora; it is also the quickest way to rerun a crash.
 */
#include "target.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return 2;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* an input the target does not run (not its own) is not a pass */
	LLVMFuzzerTestOneInput(buf, n);
	if (target_last_skipped()) {
		printf("skipped %s (%zu bytes): not an input of this target\n", path, n);
		return 1;
	}
	printf("ok %s (%zu bytes)\n", path, n);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
	char *names[4096];
	int n = 0, status = 0;
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return run_file(dir);
	while ((d = readdir(dp)) && n < 4096) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (d->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			names[n++] = strdup(path);
	}
	closedir(dp);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++) {
		status |= run_file(names[i]);
		free(names[i]);
	}
	return status;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		status |= run_dir(argv[i]);
	return status;
}
