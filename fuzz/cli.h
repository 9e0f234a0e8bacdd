/*
 * fuzz/cli.h — what the files of the `reentry` command share: its verbs, its
 * one way to fail, and its one way to read programs.
 *
 *   cli.c          main: the verb table, help, dispatch; `stress`
 *   cli_input.c    operands to files, files to programs (text or binary)
 *   cli_run.c      replay, check, minimize
 *   cli_explore.c  sweep, random, heatmap
 *   cli_format.c   decode, encode, anchors, bugs
 *   verify.c       verify
 *
 * The options are those of fuzz/cli_options.h, parsed once for every verb.
 */
#ifndef REENTRY_FUZZ_CLI_H
#define REENTRY_FUZZ_CLI_H

#include "cli_options.h"
#include "program.h"

enum cli_operands {
	OPERANDS_NONE,		/* bugs */
	OPERANDS_ONE_FILE,	/* one file; a directory is refused */
	OPERANDS_FILES,		/* files and directories, one or more */
	OPERANDS_CORPUS,	/* files and directories, or none: the project's corpus (verify) */
};

struct cli_verb {
	const char *name;
	const char *synopsis;	/* after "reentry NAME [OPTION]... " */
	const char *summary;	/* one line, for `reentry --help` */
	const char *about;	/* more, for `reentry NAME --help`, or NULL */
	const char *exit;	/* what its exit status says */
	uint32_t options;	/* CLI_OPT() bits; --help always */
	enum cli_operands operands;
	int (*run)(const struct cli_verb *v, struct cli_args *a);
};

/* One line on stderr, "reentry: " first, and exit 2. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The files a verb's operands name, in order: a directory gives its regular
 * files, hidden ones aside, sorted by name (not its subdirectories'); "-" is
 * stdin. A verb of one file refuses a directory ("is a directory"). Free
 * with cli_files_free().
 */
char **cli_files(const struct cli_verb *v, const struct cli_args *a, int *nfiles);
void cli_files_free(char **files, int nfiles);

/*
 * Read path's program as the target that ran it ran it (fuzz/target.h
 * target_load: a binary's tag, a text's "# target:" line, or --target), text
 * or binary by rule unless --text or --binary says; need is the form the
 * verb takes (FORM_BY_RULE: either). Then --bug none, --bug and --config
 * apply. An untagged binary input with operations, read without --target,
 * is said on stderr (the way it runs may not be the fuzzer's). Any other
 * problem dies.
 */
void cli_load(const struct cli_verb *v, const struct cli_args *a, const char *path,
	      enum cli_form need, struct program *p);

/* Judge regression p as `reentry check` does, with the bugs `always` on in
 * every run (a patch: see cli_run.c): true if it passes; the line check
 * prints for it ("ok   NAME: expect ..., got ...") in line. */
bool cli_check_program(struct program *p, uint64_t always, const char *name, char *line,
		       size_t size);

#define CLI_MAX_INPUT (1 << 20)	/* the largest program file read */

/* Read path ("-": stdin) into buf: at most cap bytes, or die (a directory,
 * a read error, a file larger than cap). Returns the length. */
size_t cli_read_file(const char *path, uint8_t *buf, size_t cap);

/* The text form of p on stdout. */
void cli_print_program(const struct program *p);

/* The verbs, by file. */
int cmd_replay(const struct cli_verb *v, struct cli_args *a);
int cmd_check(const struct cli_verb *v, struct cli_args *a);
int cmd_minimize(const struct cli_verb *v, struct cli_args *a);
int cmd_sweep(const struct cli_verb *v, struct cli_args *a);
int cmd_random(const struct cli_verb *v, struct cli_args *a);
int cmd_heatmap(const struct cli_verb *v, struct cli_args *a);
int cmd_decode(const struct cli_verb *v, struct cli_args *a);
int cmd_encode(const struct cli_verb *v, struct cli_args *a);
int cmd_anchors(const struct cli_verb *v, struct cli_args *a);
int cmd_bugs(const struct cli_verb *v, struct cli_args *a);
int cmd_verify(const struct cli_verb *v, struct cli_args *a);

#endif /* REENTRY_FUZZ_CLI_H */
