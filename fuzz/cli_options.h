/*
 * fuzz/cli_options.h — the options of the `reentry` verbs: one table, one
 * parser (getopt_long), for every verb.
 *
 * Each option is defined once (its name, value, help line and how its value
 * is checked); a verb names the options it takes. GNU conventions: options
 * and operands in any order, `--name=value` or `--name value`, unambiguous
 * abbreviations of long names, `--` ends the options. Values are checked as
 * they are parsed, before anything runs: numbers strictly (decimal or 0x
 * hex, nothing after them, in range), bug and target names against their
 * registries, config items by the config line's parser. A repeated option
 * adds to the last (bugs, config items); nothing is limited in number.
 */
#ifndef REENTRY_FUZZ_CLI_OPTIONS_H
#define REENTRY_FUZZ_CLI_OPTIONS_H

#include "target.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_option {
	OPT_TARGET,		/* --target NAME */
	OPT_BUG,		/* --bug NAME[,NAME] | none */
	OPT_NO_BUGS,		/* --no-bugs */
	OPT_CONFIG,		/* --config ITEMS */
	OPT_TEXT,		/* --text */
	OPT_BINARY,		/* --binary */
	OPT_DEPTH,		/* --depth 1|2 */
	OPT_NO_STATE_CACHE,	/* --no-state-cache */
	OPT_AUDIT_WRITES,	/* --audit-writes */
	OPT_KINDS,		/* --kinds K,... */
	OPT_HANDLER,		/* --handler OPS */
	OPT_SEED,		/* --seed S */
	OPT_TRIALS,		/* --trials N */
	OPT_OUT_FILE,		/* -o, --output OUT: a file, else stdout */
	OPT_OUT_DIR,		/* -o, --output DIR: a directory (heatmap) */
	OPT_REPLAY,		/* --replay */
	OPT_SOURCE,		/* --source DIR */
	OPT_JOBS,		/* -j, --jobs N */
	OPT_FUZZ,		/* --fuzz SECONDS */
	OPT_FUZZERS,		/* --fuzzers DIR */
	OPT_OUT_REPORTS,	/* -o, --output DIR: reproducers (verify) */
	OPT_IN_PLACE,		/* -i, --in-place */
	OPT_HELP,		/* -h, --help */
	NR_CLI_OPTIONS
};
#define CLI_OPT(o) (1u << (o))

/* How a verb reads its files: text or binary by rule, or as it is told. */
enum cli_form { FORM_BY_RULE, FORM_TEXT, FORM_BINARY };

struct cli_args {
	char **operands;		/* what is not an option, in order */
	int noperands;
	const struct target *target;	/* --target; NULL: each file's own */
	uint64_t bugs;			/* --bug NAME: registry bits to switch on */
	bool no_bugs;			/* --bug none, --no-bugs: the file's own off */
	const char **configs;		/* --config: applied in this order */
	int nconfigs;
	enum cli_form form;		/* --text, --binary */
	int depth;			/* --depth (1) */
	bool no_state_cache;		/* --no-state-cache */
	unsigned int kinds;		/* --kinds (every interrupt kind) */
	const char *handler;		/* --handler ("p = kmalloc_nolock(64, 0)") */
	struct op handler_ops[MAX_HANDLER_OPS];	/* ... parsed */
	int nhandler;
	uint64_t seed;			/* --seed (1) */
	uint64_t trials;		/* --trials (10000) */
	const char *out;		/* -o (NULL) */
	bool replay;			/* --replay */
	const char *source;		/* --source (NULL) */
	unsigned int jobs;		/* --jobs (0: the online cores) */
	uint64_t fuzz;			/* --fuzz: seconds per target (0: none) */
	const char *fuzzers;		/* --fuzzers (NULL) */
	bool in_place;			/* -i, --in-place */
	bool help;			/* -h, --help */
};

/*
 * Parse a verb's arguments: argv[0] is the verb, then its options and
 * operands in any order; accepted is a mask of CLI_OPT() bits. False, with
 * one line in err naming the option and what is wrong with it, at the first
 * bad one. Free with cli_args_free().
 */
bool cli_parse(int argc, char **argv, uint32_t accepted, struct cli_args *a, char *err,
	       size_t errsize);
void cli_args_free(struct cli_args *a);

/* The accepted options, one line each, for a verb's --help. */
void cli_print_options(FILE *f, uint32_t accepted);

/* A whole number: decimal digits or 0x and hex digits, all of s, in lo..hi.
 * No sign, no blanks, no suffix. */
bool cli_number(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* The interrupt kinds of a list "nmi,kprobe" as enum event_kind bits; false,
 * with err set, for an unknown or missing kind. */
bool cli_kinds(const char *list, unsigned int *kinds, char *err, size_t errsize);

/* A handler program "p = kmalloc_nolock(64, 0); kfree_nolock(p)" as the
 * operations of one interrupt: at most MAX_HANDLER_OPS; false, err set, if not. */
bool cli_handler(const char *ops, struct op *out, int *n, char *err, size_t errsize);

#endif /* REENTRY_FUZZ_CLI_OPTIONS_H */
