/*
 * tests/test_afl_mutator.c — the AFL++ custom mutator library
 * (fuzz/afl_mutator.c), loaded with dlopen() as afl-fuzz loads it
 * (AFL_CUSTOM_MUTATOR_LIBRARY): it starts for a named target and refuses an
 * unknown one; its mutations are programs of that target, tagged, drawn
 * from AFL++'s seed (the same seed, the same mutations); and its post
 * process tags whatever AFL++'s own mutations made.
 */
#include "test.h"

#include "../fuzz/program.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

struct afl_api {
	void *lib;
	void *(*init)(void *afl, unsigned int seed);
	size_t (*fuzz)(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
		       size_t add_buf_size, size_t max_size);
	size_t (*post_process)(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf);
	void (*deinit)(void *data);
};

static bool load(struct afl_api *a)
{
	a->lib = dlopen(REENTRY_AFL_MUTATOR, RTLD_NOW | RTLD_LOCAL);
	if (!a->lib) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return false;
	}
	*(void **)&a->init = dlsym(a->lib, "afl_custom_init");
	*(void **)&a->fuzz = dlsym(a->lib, "afl_custom_fuzz");
	*(void **)&a->post_process = dlsym(a->lib, "afl_custom_post_process");
	*(void **)&a->deinit = dlsym(a->lib, "afl_custom_deinit");
	return a->init && a->fuzz && a->post_process && a->deinit;
}

/* n mutations in a row from seed, each of the last one's output; their bytes joined. */
static size_t mutations(struct afl_api *a, unsigned int seed, uint8_t *all, size_t cap, int *made)
{
	static const char text[] = "cpu0 task: a = kmalloc_nolock(64, 0)\ncpu0 task: kfree_nolock(a)\n";
	static struct program p;
	uint8_t buf[PROGRAM_MAX_BYTES];
	size_t size, used = 0;
	char err[128];
	void *m = a->init(NULL, seed);

	*made = 0;
	if (!m || !program_parse(text, &p, err, sizeof(err)))
		return 0;
	size = program_encode(&p, buf, sizeof(buf));
	for (int i = 0; i < 50; i++) {
		uint8_t *out = NULL;
		size_t n = a->fuzz(m, buf, size, &out, NULL, 0, sizeof(buf));

		if (n != size || memcmp(out, buf, n) != 0)
			(*made)++;	/* else no draw applied: the input back as it came */
		if (!n || out[0] != (TARGET_TAG | TARGET_NOLOCK) || used + n > cap) {
			a->deinit(m);
			return 0;
		}
		memcpy(buf, out, n);
		size = n;
		memcpy(all + used, out, n);
		used += n;
	}
	a->deinit(m);
	return used;
}

TEST(afl_mutator_library_mutates_and_tags_for_its_target)
{
	static uint8_t one[1 << 16], two[1 << 16], other[1 << 16];
	struct afl_api a;
	size_t n1, n2, n3;
	int made;
	uint8_t untagged[] = { 0x07, 1, 2, 3 }, *out;
	void *m;

	CHECK(load(&a));
	setenv("REENTRY_TARGET", "no_such_target", 1);
	CHECK(a.init(NULL, 1) == NULL);
	setenv("REENTRY_TARGET", "nolock", 1);

	n1 = mutations(&a, 7, one, sizeof(one), &made);
	/* never 0 (AFL++ 4.04c stops on it), always tagged (checked inside),
	 * and mostly a change (43 of 50 for this seed: a draw may rewrite a
	 * value as it was) */
	CHECK(n1 > 0 && made >= 35);
	n2 = mutations(&a, 7, two, sizeof(two), &made);
	CHECK(n1 == n2 && memcmp(one, two, n1) == 0);	/* the same seed, the same mutations */
	n3 = mutations(&a, 8, other, sizeof(other), &made);
	CHECK(n3 != n1 || memcmp(one, other, n1) != 0);

	/* AFL++'s own mutations are tagged before the target runs them */
	m = a.init(NULL, 1);
	CHECK(m);
	CHECK(a.post_process(m, untagged, sizeof(untagged), &out) == sizeof(untagged));
	CHECK(out[0] == (TARGET_TAG | TARGET_NOLOCK) && out[1] == 1 && out[3] == 3);
	a.deinit(m);
	unsetenv("REENTRY_TARGET");
	dlclose(a.lib);
	return true;
}
