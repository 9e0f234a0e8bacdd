/* fuzz/cli_explore.c — the verbs that inject interrupts of their own: sweep, random, heatmap. */
#include "cli.h"
#include "heatmap.h"
#include "sweep.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* sweep and random share their options. */
static int explore(const struct cli_verb *v, struct cli_args *a, bool random)
{
	static struct program p;
	struct sweep_options o = {
		.kinds = a->kinds, .depth = a->depth, .no_state_cache = a->no_state_cache,
		.handler = a->handler_ops, .nhandler = a->nhandler,
		.progress = isatty(STDERR_FILENO),
	};
	struct sweep_result r;
	int nfiles;
	char **files = cli_files(v, a, &nfiles);

	cli_load(v, a, files[0], FORM_BY_RULE, &p);
	cli_files_free(files, nfiles);
	if (random)
		random_run(&p, &o, a->seed, (unsigned long)a->trials, &r);
	else
		sweep_run(&p, &o, &r);
	sweep_print(stdout, &p, &o, &r);
	return r.reports ? 1 : 0;
}

int cmd_sweep(const struct cli_verb *v, struct cli_args *a)
{
	return explore(v, a, false);
}

int cmd_random(const struct cli_verb *v, struct cli_args *a)
{
	return explore(v, a, true);
}

#ifndef REENTRY_SOURCE_DIR
#define REENTRY_SOURCE_DIR "."	/* CMake passes the project's source directory */
#endif

/* The injection heatmap of a corpus (fuzz/heatmap.h): swept by default, so
 * the page shows where interrupts can land, not only where the inputs put them. */
int cmd_heatmap(const struct cli_verb *v, struct cli_args *a)
{
	static struct program p;
	struct heatmap_options o = {
		.sweep = !a->replay, .depth = a->depth, .kinds = a->kinds,
		.handler = a->handler_ops, .nhandler = a->nhandler, .handler_text = a->handler,
	};
	const char *dir = a->out, *source = a->source ? a->source : REENTRY_SOURCE_DIR;
	char **files, page[4096], err[512];
	int nfiles;
	struct heatmap *h;
	bool clean = true;
	FILE *f;

	if (!dir)
		die("heatmap: -o DIR is required: where the page goes (reentry heatmap --help)");
	if (a->replay && a->depth > 1)
		die("heatmap: --depth is the sweep's, and --replay does not sweep");
	snprintf(page, sizeof(page), "%s/core", source);
	if (access(page, R_OK) != 0)
		die("heatmap: %s: %s (--source names the project's source directory)", page,
		    strerror(errno));
	files = cli_files(v, a, &nfiles);
	h = heatmap_new(&o);
	for (int i = 0; i < nfiles; i++) {

		cli_load(v, a, files[i], FORM_BY_RULE, &p);
		clean &= heatmap_add(h, &p, files[i]);
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\r%d/%d inputs%s", i + 1, nfiles, i + 1 == nfiles ? "\n" : "");
	}
	heatmap_resolve(h);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		die("%s: %s", dir, strerror(errno));
	snprintf(page, sizeof(page), "%s/index.html", dir);
	f = fopen(page, "w");
	if (!f)
		die("%s: %s", page, strerror(errno));
	if (!heatmap_write_html(h, source, f, err, sizeof(err)))
		die("heatmap: %s", err);
	if (fclose(f) != 0)
		die("%s: write error", page);
	heatmap_print_summary(h, stdout);
	printf("page     %s\n", page);
	cli_files_free(files, nfiles);
	heatmap_free(h);
	return clean ? 0 : 1;
}
