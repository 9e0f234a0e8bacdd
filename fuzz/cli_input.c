/* fuzz/cli_input.c — operands to files, files to programs (see cli.h). */
#include "cli.h"
#include "heatmap.h"
#include "input_form.h"
#include "target.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "reentry: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static void push(char ***files, int *n, const char *path)
{
	char **grown = realloc(*files, ((size_t)*n + 1) * sizeof(**files));

	if (!grown || !(grown[*n] = strdup(path)))
		die("out of memory");
	*files = grown;
	(*n)++;
}

char **cli_files(const struct cli_verb *v, const struct cli_args *a, int *nfiles)
{
	char **files = NULL;
	int n = 0;

	for (int i = 0; i < a->noperands; i++) {
		char *path = a->operands[i], **inside, err[512], dir[4096], *dirp = dir;
		struct stat st;
		int ninside;

		if (strcmp(path, "-") == 0) {
			push(&files, &n, path);
			continue;
		}
		if (stat(path, &st) != 0)
			die("%s: %s", path, strerror(errno));
		if (!S_ISDIR(st.st_mode)) {
			push(&files, &n, path);
			continue;
		}
		if (v->operands == OPERANDS_ONE_FILE)
			die("%s: is a directory (reentry %s takes one file)", path, v->name);
		/* "dir/" names its files "dir/file", not "dir//file" */
		snprintf(dir, sizeof(dir), "%s", path);
		while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
			dir[strlen(dir) - 1] = '\0';
		ninside = heatmap_inputs(&dirp, 1, &inside, err, sizeof(err));
		if (ninside < 0)
			die("%s", err);
		if (ninside == 0)
			die("%s: a directory without files", path);
		for (int k = 0; k < ninside; k++)
			push(&files, &n, inside[k]);
		heatmap_inputs_free(inside, ninside);
	}
	*nfiles = n;
	return files;
}

void cli_files_free(char **files, int nfiles)
{
	for (int i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
}

size_t cli_read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	struct stat st;
	size_t n;

	if (!f)
		die("%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		die("%s: is a directory", path);
	n = fread(buf, 1, cap, f);
	if (ferror(f))
		die("%s: read error: %s", path, strerror(errno));
	if (!feof(f) && fgetc(f) != EOF)
		die("%s: larger than %zu bytes", path, cap);
	if (f != stdin)
		fclose(f);
	return n;
}

/* "line 1, column 1: byte 0x86, not UTF-8", as the parser says where */
static const char *flaw_text(const struct text_flaw *flaw)
{
	static char text[128];

	if (flaw->byte == 0)
		snprintf(text, sizeof(text), "line %u, column %u: a NUL byte", flaw->line, flaw->column);
	else
		snprintf(text, sizeof(text), "line %u, column %u: byte 0x%02x, %s", flaw->line,
			 flaw->column, flaw->byte, flaw->why);
	return text;
}

static void note_untagged(const char *path, const struct cli_args *a, const struct text_flaw *why)
{
	char reason[128];

	if (a->form == FORM_BINARY)
		snprintf(reason, sizeof(reason), "--binary");
	else
		snprintf(reason, sizeof(reason), "%s", flaw_text(why));
	fprintf(stderr, "reentry: %s: untagged binary input (%s): run under its own configuration "
		"(a fuzz target's crash carries its target in byte 0; --target NAME runs it as that "
		"target)\n", path, reason);
}

void cli_load(const struct cli_verb *v, const struct cli_args *a, const char *path,
	      enum cli_form need, struct program *p)
{
	static uint8_t buf[CLI_MAX_INPUT + 1];
	size_t n = cli_read_file(path, buf, CLI_MAX_INPUT);
	struct text_flaw flaw = { 0 };
	size_t bom;
	char err[512];
	bool text;

	buf[n] = '\0';
	if (a->form == FORM_BY_RULE)
		text = input_is_text(buf, n, &flaw);
	else
		text = a->form == FORM_TEXT;
	/* an empty file is the empty program in either form (where engines start) */
	if (n == 0)
		need = FORM_BY_RULE;
	if (need == FORM_TEXT && !text)
		die("%s: binary by the rule (%s): reentry %s takes a text program", path,
		    flaw_text(&flaw), v->name);
	if (need == FORM_BINARY && text)
		die("%s: a text program (UTF-8 without NUL or control characters): reentry %s takes "
		    "a binary input (--binary reads it as one)", path, v->name);
	if (text) {
		/* the parser reads up to a NUL: one would cut the program short */
		if (input_find_nul(buf, n, &flaw))
			die("%s: %s (a text program has none)", path, flaw_text(&flaw));
		bom = input_bom(buf, n);
		if (!target_load(a->target, buf + bom, n - bom, true, p, err, sizeof(err)))
			die("%s: %s", path, err);
	} else {
		target_load(a->target, buf, n, false, p, err, sizeof(err));
		if (!a->target && p->target == TARGET_NONE && p->nops)
			note_untagged(path, a, &flaw);
	}
	if (a->no_bugs)
		p->bugs = 0;
	p->bugs |= a->bugs;
	for (int i = 0; i < a->nconfigs; i++)
		if (!program_config_parse(a->configs[i], &p->config, err, sizeof(err)))
			die("--config '%s': %s", a->configs[i], err);
}

void cli_print_program(const struct program *p)
{
	static char text[1 << 16];

	program_print(p, text, sizeof(text));
	fputs(text, stdout);
}
