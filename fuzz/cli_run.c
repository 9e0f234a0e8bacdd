/* fuzz/cli_run.c — the verbs that run a program as it is: replay, check, minimize. */
#include "anchors.h"
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

		cli_load(v, a, files[f], FORM_BY_RULE, &p);
		anchors_convert(&p, AT_FUNCTION);
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

/*
 * The verdict of a regression: a replay, or a sweep if it asks for one. The
 * run that decided it goes in *run (the replay; a sweep's first failing
 * trial, or the plain program when the sweep is clean), for events_fire().
 */
static void verdict(const struct program *p, char *cls, size_t size, struct exec *run)
{
	if (p->sweep_kinds) {
		struct sweep_options o = { .kinds = p->sweep_kinds, .depth = 1,
					   .handler = p->sweep_handler, .nhandler = p->sweep_nhandler };
		struct sweep_result r;

		sweep_run(p, &o, &r);
		snprintf(cls, size, "%s", r.reports ? r.first_report.cls : "clean");
		if (r.reports) {
			run->extra = r.first;
			run->nextra = r.nfirst;
			run->extra_handler = o.handler;
			run->nextra_handler = o.nhandler;
		}
		exec_run(run, p);
		run->extra = NULL;
		run->nextra = 0;
	} else {
		snprintf(cls, size, "%s", exec_run(run, p) ? "clean" : run->report.cls);
	}
}

/* Is event e of p one the regression lists in a "# unfired:" line? Which one, or -1. */
static int listed_unfired(const struct program *p, int e)
{
	const struct event *ev = &p->events[e];

	for (int i = 0; i < p->nunfired; i++)
		if (p->unfired[i].op == ev->op && p->unfired[i].anchor == ev->anchor &&
		    p->unfired[i].kind == ev->kind && p->unfired[i].ordinal == ev->ordinal &&
		    strcmp(p->unfired[i].fn, ev->fn) == 0)
			return i;
	return -1;
}

/*
 * Every event of a regression fires in the run that decided its verdict
 * (bugs on; up to the operation a report ends it in), unless the regression
 * says "# unfired: op 2 @slab_alloc_slow+40 nmi" for it: an event whose anchor a patch moved
 * past its operation's end no longer tests what the regression says. A
 * "# unfired:" line for an event that fires, or that names no event, is
 * stale and fails too. The reason goes in `why`.
 */
static bool events_fire(const struct program *p, const struct exec *x, char *why, size_t size)
{
	bool matched[MAX_EVENTS] = { false };
	int ran = p->nops;

	/* a report ends the run: events of its operation and later ones had no chance */
	if (x->reported && x->report.op >= 0)
		ran = x->report.op;
	why[0] = '\0';
	for (int e = 0; e < p->nevents; e++) {
		char name[96], reason[192];
		int listed;

		if (p->events[e].op >= ran ||
		    exec_event_fired(x, e, name, sizeof(name), reason, sizeof(reason)))
			continue;
		listed = listed_unfired(p, e);
		if (listed < 0) {
			snprintf(why, size, "%s did not fire (%s): fix its anchor, or say "
				 "'# unfired: %s' if that is the point", name, reason, name);
			return false;
		}
		matched[listed] = true;
	}
	for (int i = 0; i < p->nunfired; i++) {
		if (!matched[i]) {
			const struct unfired *u = &p->unfired[i];
			char anchor[PROGRAM_FN_LEN + 32];

			program_anchor_print(anchor, sizeof(anchor), u->anchor, u->fn, u->ordinal);
			snprintf(why, size, "'# unfired: op %u %s %s' names an event that fires, "
				 "or none", u->op, anchor, event_kind_name((enum event_kind)u->kind));
			return false;
		}
	}
	return true;
}

/*
 * A regression passes when its verdict is its "# expect:" class and its
 * events all fire (events_fire()); one with a "# bug:" line must also be
 * clean with the bug off, so that it keeps proving the fix as well as the
 * detection (there, an event the fix refuses is the fix at work). The bugs
 * `always` stay on in both runs: they stand for a patch of the source
 * (reentry verify --bug), which no "# bug:" line switches off.
 */
bool cli_check_program(struct program *p, uint64_t always, const char *name, char *line,
		       size_t size)
{
	char got[64], off[64] = "", why[256];
	struct exec run = { 0 }, off_run = { 0 };
	uint64_t own = p->bugs;
	bool ok, fired;

	p->bugs = own | always;
	verdict(p, got, sizeof(got), &run);
	fired = events_fire(p, &run, why, sizeof(why));
	exec_free(&run);
	ok = strcmp(got, p->expect) == 0 && fired;
	if (own) {
		p->bugs = always;
		verdict(p, off, sizeof(off), &off_run);
		exec_free(&off_run);
		ok = ok && strcmp(off, "clean") == 0;
	}
	p->bugs = own;
	snprintf(line, size, "%s %s: expect %s, got %s%s%s%s%s", ok ? "ok  " : "FAIL", name, p->expect,
		 got, !own ? "" : always ? "; with its '# bug:' off (--bug still on): " :
		 "; with the bug off: ", own ? off : "", fired ? "" : "; ", fired ? "" : why);
	return ok;
}

int cmd_check(const struct cli_verb *v, struct cli_args *a)
{
	int nfiles, failed = 0;
	char **files = cli_files(v, a, &nfiles);

	for (int f = 0; f < nfiles; f++) {
		static struct program p;
		char line[1024];

		cli_load(v, a, files[f], FORM_TEXT, &p);
		if (!p.expect[0])
			die("%s: a regression needs a '# expect: CLASS' line", files[f]);
		failed += !cli_check_program(&p, 0, files[f], line, sizeof(line));
		printf("%s\n", line);
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
	int nfiles;
	char **files = cli_files(v, a, &nfiles);
	FILE *f;

	cli_load(v, a, files[0], FORM_BY_RULE, &p);
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
