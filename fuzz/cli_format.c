/* fuzz/cli_format.c — the verbs about the program forms and the bug registry: decode, encode,
 * anchors, bugs. */
#include "anchors.h"
#include "cli.h"
#include "target.h"

#include "../core/bugs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A binary input in text form, as the target that ran it ran it. */
int cmd_decode(const struct cli_verb *v, struct cli_args *a)
{
	static struct program p;
	int nfiles;
	char **files = cli_files(v, a, &nfiles);

	cli_load(v, a, files[0], FORM_BINARY, &p);
	cli_files_free(files, nfiles);
	anchors_convert(&p, AT_FUNCTION);
	cli_print_program(&p);
	return 0;
}

/* The first line where a and b differ, in la and lb. */
static void first_difference(const char *a, const char *b, char *la, char *lb, size_t size)
{
	for (;;) {
		size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");

		if (na != nb || strncmp(a, b, na) != 0 || !a[na] || !b[nb])
			break;
		a += na + 1;
		b += nb + 1;
	}
	snprintf(la, size, "%.*s", (int)strcspn(a, "\n"), a);
	snprintf(lb, size, "%.*s", (int)strcspn(b, "\n"), b);
}

/*
 * The binary form is read back as a fuzz target reads it (its tag's
 * configuration, 1..4 CPUs, 0/2/8/16 objects per slab) or, untagged, with
 * none of the text-only config items: a program it cannot say is refused
 * rather than written as another one.
 */
static void check_encoding(const char *path, const struct program *p, const uint8_t *bin, size_t n)
{
	static struct program want, got;
	static char a[1 << 16], b[1 << 16];
	char la[256], lb[256], err[256];
	const char *target = program_target_name(p->target);

	want = *p;
	want.bugs = 0;		/* neither is in the binary form: said in encode --help */
	want.expect[0] = '\0';
	target_load(NULL, bin, n, false, &got, err, sizeof(err));
	program_print(&want, a, sizeof(a));
	program_print(&got, b, sizeof(b));
	if (strcmp(a, b) == 0)
		return;
	first_difference(a, b, la, lb, sizeof(la));
	if (strncmp(la, "# config:", 9) == 0 && strncmp(lb, "# config:", 9) != 0)
		snprintf(lb, sizeof(lb), "(no config line: the default)");
	if (target)
		die("%s: cannot be encoded for %s_fuzzer: '%s' would be read back as '%s' (a fuzz "
		    "target's inputs choose 1 to 4 CPUs and 0, 2, 8 or 16 objects per slab)", path,
		    target, la, lb);
	die("%s: cannot be encoded: '%s' would be read back as '%s' (the binary form has no "
	    "strict_api, memcg or slub_debug: a '# target:' line gives a fuzz target's)", path, la,
	    lb);
}

int cmd_encode(const struct cli_verb *v, struct cli_args *a)
{
	static uint8_t out[PROGRAM_MAX_BYTES];
	static struct program p;
	const char *to = a->out;
	int nfiles;
	char **files = cli_files(v, a, &nfiles);
	size_t n;
	FILE *f;

	cli_load(v, a, files[0], FORM_TEXT, &p);
	anchors_convert(&p, AT_BOUNDARY);
	for (int e = 0; e < p.nevents; e++)
		if (p.events[e].anchor == AT_FUNCTION) {
			char anchor[PROGRAM_FN_LEN + 32];

			program_anchor_print(anchor, sizeof(anchor), AT_FUNCTION, p.events[e].fn,
					     p.events[e].ordinal);
			die("%s: op %d %s %s is never reached, so it has no ordinal: the binary form "
			    "cannot say it (reentry replay shows where the operation went)", files[0],
			    p.events[e].op, anchor, event_kind_name(p.events[e].kind));
		}
	n = program_encode(&p, out, sizeof(out));
	check_encoding(files[0], &p, out, n);
	cli_files_free(files, nfiles);
	f = to ? fopen(to, "wb") : stdout;
	if (!f)
		die("%s: %s", to, strerror(errno));
	if (fwrite(out, 1, n, f) != n || (to && fclose(f) != 0))
		die("%s: write error", to ? to : "stdout");
	return 0;
}

int cmd_anchors(const struct cli_verb *v, struct cli_args *a)
{
	static struct program p;
	static char out[1 << 17];
	int nfiles, status = 0;
	char **files = cli_files(v, a, &nfiles);

	for (int i = 0; i < nfiles; i++) {
		static uint8_t text[CLI_MAX_INPUT + 1];
		int left, n;
		FILE *f;

		if (strcmp(files[i], "-") == 0)
			die("anchors: a file, not stdin: it is read twice (as a program, then its bytes)");
		cli_load(v, a, files[i], FORM_TEXT, &p);
		/* cli_load read it as a program; the rewrite needs its bytes */
		text[cli_read_file(files[i], text, CLI_MAX_INPUT)] = '\0';
		n = anchors_rewrite_text((const char *)text, &p, out, sizeof(out), &left);
		if (n >= (int)sizeof(out))
			die("%s: too long to rewrite", files[i]);
		if (left) {
			fprintf(stderr, "reentry: %s: %d event%s not reached: left as ordinal%s\n",
				files[i], left, left == 1 ? "" : "s", left == 1 ? "" : "s");
			status = 1;
		}
		if (!a->in_place) {
			fputs(out, stdout);
			continue;
		}
		f = fopen(files[i], "w");
		if (!f || fputs(out, f) == EOF || fclose(f) != 0)
			die("%s: write error", files[i]);
	}
	cli_files_free(files, nfiles);
	return status;
}

int cmd_bugs(const struct cli_verb *v, struct cli_args *a)
{
	(void)v;
	(void)a;
	for (int i = 0; i < NR_SLAB_BUGS; i++)
		printf("%-20s expect %-14s %s\n", slab_bugs[i].name, slab_bugs[i].expect,
		       slab_bugs[i].summary);
	return 0;
}
