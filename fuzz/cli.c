/*
 * fuzz/cli.c — the `reentry` command: its verbs, their help, dispatch.
 *
 *   reentry VERB [OPTION]... [FILE|DIR]...
 *   reentry --help                 the verbs, one line each
 *   reentry help VERB, reentry VERB --help   a verb's usage and every option
 *
 * Every verb's options go through one parser (cli_options.h); every program
 * is read one way (cli.h cli_load). Exit codes: 0 clean, 1 a report, 2 a
 * usage or input error (one line on stderr).
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGRAM_OPTIONS (CLI_OPT(OPT_TARGET) | CLI_OPT(OPT_BUG) | CLI_OPT(OPT_NO_BUGS) | \
			 CLI_OPT(OPT_CONFIG) | CLI_OPT(OPT_TEXT) | CLI_OPT(OPT_BINARY))
#define INJECT_OPTIONS (CLI_OPT(OPT_KINDS) | CLI_OPT(OPT_HANDLER))

static const char exit_runs[] = "0 clean, 1 a report, 2 a usage or input error";

static const struct cli_verb verbs[] = {
	{
		.name = "verify", .synopsis = "[FILE|DIR]...",
		.summary = "after a patch to core/: every regression, every seed swept, a verdict",
		.about = "Checks each regression (a program with '# expect:'), as reentry check does;\n"
			 "sweeps each other program (a seed) with every interrupt kind, once per\n"
			 "handler of a set made for it (docs/verify.md); --fuzz adds a burst of each\n"
			 "fuzz target. Then each distinct report (class and place) once, with a\n"
			 "minimized reproducer in -o DIR and the command that replays it. Runs in -j\n"
			 "worker processes; the output is the same for any -j.",
		.exit = "0 clean, 1 a report, 2 a usage, input or build error",
		.options = CLI_OPT(OPT_BUG) | CLI_OPT(OPT_DEPTH) | CLI_OPT(OPT_NO_STATE_CACHE) |
			   CLI_OPT(OPT_AUDIT_WRITES) | CLI_OPT(OPT_JOBS) |
			   CLI_OPT(OPT_FUZZ) | CLI_OPT(OPT_FUZZERS) | CLI_OPT(OPT_OUT_REPORTS) |
			   CLI_OPT(OPT_SOURCE),
		.operands = OPERANDS_CORPUS, .run = cmd_verify,
	},
	{
		.name = "replay", .synopsis = "FILE|DIR...",
		.summary = "run programs: each one's text form, its verdict and its trace",
		.about = "A binary input runs as the fuzz target its first byte names ran it, a text\n"
			 "program as its '# target:' line says (--target: as NAME runs it); then\n"
			 "--bug and --config apply. Several files: each after a '== FILE' line.",
		.exit = "0 every program clean, 1 a report, 2 a usage or input error",
		.options = PROGRAM_OPTIONS, .operands = OPERANDS_FILES, .run = cmd_replay,
	},
	{
		.name = "sweep", .synopsis = "FILE",
		.summary = "inject an interrupt at every boundary of every operation, one trial each",
		.about = "Every kind of --kinds at every boundary, one at a time (--depth 2: two, the\n"
			 "second later in the same operation, also inside the first's handler).",
		.exit = exit_runs,
		.options = PROGRAM_OPTIONS | INJECT_OPTIONS | CLI_OPT(OPT_DEPTH) | CLI_OPT(OPT_NO_STATE_CACHE) |
			   CLI_OPT(OPT_AUDIT_WRITES),
		.operands = OPERANDS_ONE_FILE, .run = cmd_sweep,
	},
	{
		.name = "random", .synopsis = "FILE",
		.summary = "inject interrupts by seeded random schedules",
		.about = "--trials schedules drawn from --seed: the same seed, the same trials.",
		.exit = exit_runs,
		.options = PROGRAM_OPTIONS | INJECT_OPTIONS | CLI_OPT(OPT_DEPTH) | CLI_OPT(OPT_NO_STATE_CACHE) |
			   CLI_OPT(OPT_AUDIT_WRITES) |
			   CLI_OPT(OPT_SEED) | CLI_OPT(OPT_TRIALS),
		.operands = OPERANDS_ONE_FILE, .run = cmd_random,
	},
	{
		.name = "minimize", .synopsis = "FILE",
		.summary = "shrink a failing program to a regression with the same report",
		.about = "Drops operations, events and handler operations while the report keeps its\n"
			 "class and place; writes the text form with its '# expect:' line.",
		.exit = "1 a report, minimized; 0 the program runs clean (nothing to minimize); 2 a usage or input error",
		.options = PROGRAM_OPTIONS | CLI_OPT(OPT_OUT_FILE),
		.operands = OPERANDS_ONE_FILE, .run = cmd_minimize,
	},
	{
		.name = "check", .synopsis = "FILE|DIR...",
		.summary = "run regressions: each verdict must be its '# expect:' class",
		.about = "A regression (corpus/regressions/) is a text program with a '# expect: CLASS'\n"
			 "line; one with '# bug:' lines must also run clean with them off. A\n"
			 "'# sweep: KINDS [handler OPS]' line makes its verdict a sweep's.",
		.exit = "0 every regression passes, 1 one fails, 2 a usage or input error",
		.options = CLI_OPT(OPT_TARGET) | CLI_OPT(OPT_TEXT),
		.operands = OPERANDS_FILES, .run = cmd_check,
	},
	{
		.name = "heatmap", .synopsis = "FILE|DIR... -o DIR",
		.summary = "where interrupts land in core/: a page (DIR/index.html) and a summary",
		.about = "Each input is swept (--depth, default 1) unless --replay; the page counts,\n"
			 "line by line of core/, the boundaries reached and the interrupts that landed\n"
			 "there.",
		.exit = "0 every run clean, 1 a run reported, 2 a usage or input error",
		.options = CLI_OPT(OPT_TARGET) | CLI_OPT(OPT_CONFIG) | CLI_OPT(OPT_TEXT) |
			   CLI_OPT(OPT_BINARY) | INJECT_OPTIONS | CLI_OPT(OPT_DEPTH) | CLI_OPT(OPT_REPLAY) |
			   CLI_OPT(OPT_SOURCE) | CLI_OPT(OPT_OUT_DIR),
		.operands = OPERANDS_FILES, .run = cmd_heatmap,
	},
	{
		.name = "decode", .synopsis = "FILE",
		.summary = "print a binary input as a text program",
		.about = "As the fuzz target its first byte names read it (--target: as NAME reads it):\n"
			 "the text replays as the binary does.",
		.exit = "0 printed, 2 a usage or input error",
		.options = CLI_OPT(OPT_TARGET) | CLI_OPT(OPT_BINARY),
		.operands = OPERANDS_ONE_FILE, .run = cmd_decode,
	},
	{
		.name = "encode", .synopsis = "FILE",
		.summary = "write a text program's binary form (a fuzzer's input)",
		.about = "Tagged for the fuzz target of its '# target:' line or --target. Refused if\n"
			 "the binary form, read back as that target reads it, would be another\n"
			 "program. '# bug:' and '# expect:' lines are not in the binary form.",
		.exit = "0 written, 2 a usage or input error",
		.options = CLI_OPT(OPT_TARGET) | CLI_OPT(OPT_TEXT) | CLI_OPT(OPT_OUT_FILE),
		.operands = OPERANDS_ONE_FILE, .run = cmd_encode,
	},
	{
		.name = "anchors", .synopsis = "FILE...",
		.summary = "rewrite a text program's ordinal anchors (@40) as function anchors",
		.about = "Each '@N KIND' becomes '@fn+K KIND' (the operation's K-th boundary in model\n"
			 "function fn, inlined or not), found by running the program once;\n"
			 "every other byte is kept. An event the run does not reach keeps its ordinal\n"
			 "(said on stderr). Function anchors stay put when a patch changes another\n"
			 "function: write regressions with them.",
		.exit = "0 rewritten, 1 an event left as an ordinal, 2 a usage or input error",
		.options = CLI_OPT(OPT_TARGET) | CLI_OPT(OPT_TEXT) | CLI_OPT(OPT_IN_PLACE),
		.operands = OPERANDS_FILES, .run = cmd_anchors,
	},
	{
		.name = "bugs", .synopsis = "",
		.summary = "list the historical bugs the model can switch back on (--bug NAME)",
		.exit = "0",
		.operands = OPERANDS_NONE, .run = cmd_bugs,
	},
	{
		.name = "stress", .synopsis = "",
		.summary = "a signal storm on real threads (reentry-stress; reentry stress --help)",
	},
};

#define NR_VERBS (sizeof(verbs) / sizeof(verbs[0]))

static const struct cli_verb *find_verb(const char *name)
{
	for (size_t i = 0; i < NR_VERBS; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

_Noreturn static void unknown_verb(const char *name)
{
	char list[256] = "";

	for (size_t i = 0; i < NR_VERBS; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s, ", verbs[i].name);
	die("unknown verb '%s' (%shelp; reentry --help says what each does)", name, list);
}

static void print_verbs(FILE *f)
{
	fprintf(f, "usage: reentry VERB [OPTION]... [FILE|DIR]...\n"
		   "Runs programs against a userspace model of SLUB's kmalloc_nolock() and\n"
		   "kfree_nolock(), injecting interrupts at its memory accesses.\n\nVerbs:\n");
	for (size_t i = 0; i < NR_VERBS; i++)
		fprintf(f, "  %-9s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "  %-9s %s\n", "help", "this list; 'reentry help VERB': a verb's usage and options");
	fprintf(f, "\n'reentry VERB --help' or 'reentry help VERB' prints a verb's usage and options.\n"
		   "Exit status: 0 clean, 1 a report, 2 a usage or input error.\n");
}

static void print_verb(const struct cli_verb *v, FILE *f)
{
	fprintf(f, "usage: reentry %s%s%s%s\n", v->name, v->operands == OPERANDS_NONE ? "" :
		" [OPTION]...", v->synopsis[0] ? " " : "", v->synopsis);
	fprintf(f, "%c%s.\n", v->summary[0] - 'a' + 'A', v->summary + 1);
	if (v->about)
		fprintf(f, "%s\n", v->about);
	fprintf(f, "\nOptions:\n");
	cli_print_options(f, v->options | CLI_OPT(OPT_HELP));
	if (v->operands == OPERANDS_CORPUS) {
		fprintf(f, "\nNo FILE: the project's corpus, corpus/regressions/ and every target's\n"
			   "corpus/text/TARGET/ of --source. DIR: its .txt files, and its\n"
			   "subdirectories', by name. FILE: a text program, or a binary input (a seed).\n"
			   "Each runs in its own target's configuration ('# target:', or the tag).\n");
	} else if (v->operands != OPERANDS_NONE) {
		fprintf(f, "\nFILE: a %s; - reads stdin.\n",
			v->run == cmd_decode ? "binary input" :
			v->run == cmd_encode || v->run == cmd_check ? "text program" :
			"program, text or binary by the rule below");
		if (v->operands == OPERANDS_FILES)
			fprintf(f, "DIR: every regular file in it, sorted by name (not hidden ones; it does\n"
				   "not recurse into subdirectories).\n");
		else
			fprintf(f, "One file: a directory is refused.\n");
		fprintf(f, "Text or binary, by rule: a file is text if it is UTF-8 (a leading BOM is\n"
			   "skipped) with no NUL and no control character but tab, CR and LF; anything\n"
			   "else is binary, as every fuzzer input and crash file is (byte 0: its\n"
			   "target's tag, 0x80..0x8f).%s\n",
			   (v->options & CLI_OPT(OPT_TEXT)) && (v->options & CLI_OPT(OPT_BINARY)) ?
			   " --text or --binary overrides the rule." :
			   v->options & CLI_OPT(OPT_TEXT) ? " --text overrides the rule." :
			   v->options & CLI_OPT(OPT_BINARY) ? " --binary overrides the rule." : "");
		if (v->operands == OPERANDS_FILES && (v->options & CLI_OPT(OPT_BINARY)))
			fprintf(f, "A fuzzer's corpus directory: --binary (an input of printable bytes is\n"
				   "binary too, there).\n");
	}
	fprintf(f, "Exit status: %s.\n", v->exit);
}

/*
 * The real-thread backend defines the same environment symbols as the
 * simulated machine, so it lives in its own executable, built beside this
 * one: run it with the same arguments (it parses them: its --help too).
 */
_Noreturn static void run_stress(int argc, char **argv)
{
	char self[4096], path[4200];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;
	char **args = calloc((size_t)argc + 2, sizeof(char *));

	if (n <= 0 || !args)
		die("stress: cannot find the reentry executable");
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/reentry-stress", self);
	args[0] = path;
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	execv(path, args);
	die("stress: cannot run %s: %s (built with the reentry target)", path, strerror(errno));
}

int main(int argc, char **argv)
{
	const struct cli_verb *v;
	struct cli_args a;
	char err[512];
	int status;

	if (argc < 2)
		die("usage: reentry VERB [OPTION]... [FILE|DIR]... (reentry --help lists the verbs)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		print_verbs(stdout);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		static char help[] = "--help";

		if (argc > 3)
			die("usage: reentry help [VERB]");
		v = find_verb(argv[2]);
		if (!v)
			unknown_verb(argv[2]);
		if (!v->run)
			run_stress(1, (char *[]){ help });
		print_verb(v, stdout);
		return 0;
	}
	if (argv[1][0] == '-')
		die("unknown option '%s' before the verb (reentry --help lists the verbs)", argv[1]);
	v = find_verb(argv[1]);
	if (!v)
		unknown_verb(argv[1]);
	if (!v->run)
		run_stress(argc - 2, argv + 2);
	if (!cli_parse(argc - 1, argv + 1, v->options | CLI_OPT(OPT_HELP), &a, err, sizeof(err)))
		die("%s: %s", v->name, err);
	if (a.help) {
		print_verb(v, stdout);
		cli_args_free(&a);
		return 0;
	}
	if (v->operands == OPERANDS_NONE && a.noperands)
		die("%s: takes no operand ('%s'; usage: reentry %s)", v->name, a.operands[0], v->name);
	if ((v->operands == OPERANDS_ONE_FILE || v->operands == OPERANDS_FILES) && !a.noperands)
		die("usage: reentry %s [OPTION]... %s (reentry %s --help)", v->name, v->synopsis,
		    v->name);
	if (v->operands == OPERANDS_ONE_FILE && a.noperands > 1)
		die("%s: one FILE at a time ('%s' is a second)", v->name, a.operands[1]);
	status = v->run(v, &a);
	cli_args_free(&a);
	return status;
}
