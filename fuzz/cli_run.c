/* fuzz/cli_run.c — the verbs that run a program as it is: replay, check, minimize. */
#include "cli.h"
#include "exec.h"
#include "minimize.h"
#include "sweep.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Each program: its text form, its verdict and its trace. */
int cmd_replay(const struct cli_verb *v, struct cli_args *a)
{
	int nfiles, status = 0;
	char **files = cli_files(v, a, &nfiles);

	for (int f = 0; f < nfiles; f++) {
		static struct program p;
		struct exec x = { .tracing = true };
		struct cli_input in;

		cli_load(v, a, files[f], FORM_BY_RULE, &p, &in);
		if (nfiles > 1)
			printf("== %s\n", files[f]);
		cli_print_program(&p);
		printf("\n");
		if (!exec_run(&x, &p)) {
			printf("%s in %s\n", x.report.cls, x.report.where);
			status = 1;
		}
		fputs(x.trace, stdout);
		exec_free(&x);
	}
	cli_files_free(files, nfiles);
	return status;
}

/* "# sweep: KINDS [handler OPS]" in a regression: its verdict is a sweep's. */
static bool sweep_header(const char *path, const char *text, struct sweep_options *o,
			 struct op *handler)
{
	const char *line = strstr(text, "# sweep:");
	char rest[512], kinds[256], err[256];
	const char *h;
	size_t n;

	if (!line)
		return false;
	line += strlen("# sweep:");
	n = strcspn(line, "\n");
	snprintf(rest, sizeof(rest), "%.*s", (int)n, line);
	h = strstr(rest, " handler ");
	if (!cli_handler(h ? h + strlen(" handler ") : "p = kmalloc_nolock(64, 0)", handler,
			 &o->nhandler, err, sizeof(err)))
		die("%s: '# sweep:' handler: %s", path, err);
	o->handler = handler;
	if (h)
		rest[h - rest] = '\0';
	if (sscanf(rest, " %255s", kinds) != 1)
		die("%s: '# sweep:' needs the interrupt kinds, e.g. '# sweep: nmi,kprobe'", path);
	if (!cli_kinds(kinds, &o->kinds, err, sizeof(err)))
		die("%s: '# sweep:': %s", path, err);
	return true;
}

/* The verdict of a regression: a replay, or a sweep if it asks for one. */
static void verdict(const struct program *p, const struct cli_input *in, char *cls, size_t size)
{
	struct sweep_options o = { .depth = 1 };
	struct op handler[MAX_HANDLER_OPS];

	if (sweep_header(in->path, in->source, &o, handler)) {
		struct sweep_result r;

		sweep_run(p, &o, &r);
		snprintf(cls, size, "%s", r.reports ? r.first_report.cls : "clean");
	} else {
		struct exec x = { 0 };

		snprintf(cls, size, "%s", exec_run(&x, p) ? "clean" : x.report.cls);
		exec_free(&x);
	}
}

/*
 * A regression passes when its verdict is its "# expect:" class; one with a
 * "# bug:" line must also be clean with the bug off, so that it keeps
 * proving the fix as well as the detection.
 */
int cmd_check(const struct cli_verb *v, struct cli_args *a)
{
	int nfiles, failed = 0;
	char **files = cli_files(v, a, &nfiles);

	for (int f = 0; f < nfiles; f++) {
		static struct program p;
		char got[64], off[64] = "";
		struct cli_input in;
		bool ok;

		cli_load(v, a, files[f], FORM_TEXT, &p, &in);
		if (!p.expect[0])
			die("%s: a regression needs a '# expect: CLASS' line", files[f]);
		verdict(&p, &in, got, sizeof(got));
		ok = strcmp(got, p.expect) == 0;
		if (p.bugs) {
			uint64_t bugs = p.bugs;

			p.bugs = 0;
			verdict(&p, &in, off, sizeof(off));
			p.bugs = bugs;
			ok = ok && strcmp(off, "clean") == 0;
		}
		printf("%s %s: expect %s, got %s%s%s\n", ok ? "ok  " : "FAIL", files[f], p.expect, got,
		       p.bugs ? "; with the bug off: " : "", p.bugs ? off : "");
		failed += !ok;
	}
	cli_files_free(files, nfiles);
	return failed ? 1 : 0;
}

/* The minimized program, in text form with its "# expect:" line: a regression. */
int cmd_minimize(const struct cli_verb *v, struct cli_args *a)
{
	static struct program p, small;
	static char text[1 << 16];
	const char *file = a->operands[0], *to = a->out;
	struct exec_report key;
	struct cli_input in;
	int nfiles;
	char **files = cli_files(v, a, &nfiles);
	FILE *f;

	cli_load(v, a, files[0], FORM_BY_RULE, &p, &in);
	cli_files_free(files, nfiles);
	if (!program_minimize(&p, &small, &key)) {
		fprintf(stderr, "reentry: minimize: %s runs clean: nothing to minimize\n", file);
		return 0;
	}
	program_print(&small, text, sizeof(text));
	f = to ? fopen(to, "w") : stdout;
	if (!f)
		die("%s: %s", to, strerror(errno));
	fprintf(f, "# %s in %s (minimized from %s: %d of %d operations, %d of %d events)\n%s",
		key.cls, key.where, file, small.nops, p.nops, small.nevents, p.nevents, text);
	if (to && fclose(f) != 0)
		die("%s: write error", to);
	fprintf(stderr, "%s in %s: %d of %d operations, %d of %d events left\n", key.cls, key.where,
		small.nops, p.nops, small.nevents, p.nevents);
	return 1;
}
