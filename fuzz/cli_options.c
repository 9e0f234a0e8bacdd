/* fuzz/cli_options.c — the verbs' options (see cli_options.h). */
#include "cli_options.h"
#include "sweep.h"

#include "../core/bugs.h"
#include "../inject/snapshot.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;	/* the long name */
	int short_name;		/* its one-letter form, or 0 */
	const char *value;	/* the value's name in the help, NULL for a flag */
	const char *help;	/* one line */
} options[NR_CLI_OPTIONS] = {
	[OPT_TARGET] = { "target", 0, "NAME", "read programs as fuzz target NAME does (not as tagged)" },
	[OPT_BUG] = { "bug", 0, "NAME", "switch on historical bug NAME (see reentry bugs); repeatable" },
	[OPT_NO_BUGS] = { "no-bugs", 0, NULL, "switch off the file's own '# bug:' lines (or: --bug none)" },
	[OPT_CONFIG] = { "config", 0, "ITEMS", "then set config items, as '# config:' ('cpus=4 lockdep')" },
	[OPT_TEXT] = { "text", 0, NULL, "read files as text, whatever the rule says (a NUL still fails)" },
	[OPT_BINARY] = { "binary", 0, NULL, "read files as binary inputs, whatever the rule says" },
	[OPT_DEPTH] = { "depth", 0, "N", "interrupts per trial: 1 (the default) or 2" },
	[OPT_NO_STATE_CACHE] = { "no-state-cache", 0, NULL, "run every trial to its end (debug: no state caching)" },
	[OPT_AUDIT_WRITES] = { "audit-writes", 0, NULL, "check the write marks against the whole arena (debug: slow)" },
	[OPT_KINDS] = { "kinds", 0, "K,...", "interrupt kinds (default: nmi,hardirq,softirq,kprobe,irq_work,preempt)" },
	[OPT_HANDLER] = { "handler", 0, "OPS", "their handler, ops split by ';' (default '" SWEEP_DEFAULT_HANDLER "')" },
	[OPT_SEED] = { "seed", 0, "S", "seed of the random schedules, 0..2^64-1 (default 1)" },
	[OPT_TRIALS] = { "trials", 0, "N", "random schedules to run, 1..2^64-1 (default 10000)" },
	[OPT_OUT_FILE] = { "output", 'o', "OUT", "write to the file OUT instead of stdout" },
	[OPT_OUT_DIR] = { "output", 'o', "DIR", "write the page to DIR/index.html (required; made if missing)" },
	[OPT_REPLAY] = { "replay", 0, NULL, "run each input as written instead of sweeping it" },
	[OPT_SOURCE] = { "source", 0, "DIR", "the project's source tree: its core/, its corpus/ (default: the build's)" },
	[OPT_JOBS] = { "jobs", 'j', "N", "N worker processes, 1..1024 (default: the online cores)" },
	[OPT_FUZZ] = { "fuzz", 0, "SECONDS", "then fuzz each target for SECONDS, 1..86400 (default: no fuzzing)" },
	[OPT_FUZZERS] = { "fuzzers", 0, "DIR", "the libFuzzer binaries (default: build/fuzz in the source tree)" },
	[OPT_OUT_REPORTS] = { "output", 'o', "DIR", "save reproducers in DIR (default verify-out; made if missing)" },
	[OPT_IN_PLACE] = { "in-place", 'i', NULL, "rewrite each file instead of printing it" },
	[OPT_HELP] = { "help", 'h', NULL, "print this help and exit" },
};

/* getopt_long's value for option o: its letter, or past every char. */
static int option_val(int o)
{
	return options[o].short_name ? options[o].short_name : 256 + o;
}

static int option_of(int val, uint32_t accepted)
{
	for (int o = 0; o < NR_CLI_OPTIONS; o++)
		if ((accepted & CLI_OPT(o)) && option_val(o) == val)
			return o;
	return -1;
}

static bool fail(char *err, size_t errsize, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return false;
}

bool cli_number(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	const char *digits = s;
	int base = 10;
	unsigned long long v;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		digits = s + 2;
		base = 16;
	}
	/* strtoull would take blanks, a sign (wrapping "-5" round) and nothing */
	if (!(base == 16 ? isxdigit((unsigned char)digits[0]) : isdigit((unsigned char)digits[0])))
		return false;
	errno = 0;
	v = strtoull(digits, &end, base);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool number_option(int o, const char *v, uint64_t lo, uint64_t hi, uint64_t *out,
			  char *err, size_t errsize)
{
	char range[64];

	if (cli_number(v, lo, hi, out))
		return true;
	if (hi == UINT64_MAX)
		snprintf(range, sizeof(range), "%llu..2^64-1", (unsigned long long)lo);
	else
		snprintf(range, sizeof(range), "%llu..%llu", (unsigned long long)lo,
			 (unsigned long long)hi);
	return fail(err, errsize, "option '--%s': '%s' is not a whole number in %s", options[o].name,
		    v, range);
}

static void target_names(char *buf, size_t size)
{
	buf[0] = '\0';
	for (unsigned int id = 1; id < NR_TARGETS; id++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", id > 1 ? ", " : "",
			 program_target_name(id));
}

bool cli_kinds(const char *list, unsigned int *kinds, char *err, size_t errsize)
{
	const char *s = list;

	*kinds = 0;
	for (;;) {
		size_t n = strcspn(s, ",");
		int k;

		for (k = 0; k < EV_NR_INTERRUPTS; k++) {
			const char *name = event_kind_name((enum event_kind)k);

			if (strlen(name) == n && strncmp(s, name, n) == 0)
				break;
		}
		if (k == EV_NR_INTERRUPTS)
			return fail(err, errsize, "unknown interrupt kind '%.*s' (nmi, hardirq, softirq, "
				    "kprobe, irq_work, preempt)", (int)n, s);
		*kinds |= 1u << k;
		if (!s[n])
			return true;
		s += n + 1;
	}
}

bool cli_handler(const char *ops, struct op *out, int *n, char *err, size_t errsize)
{
	static struct program holder;
	char text[512];

	/* the handler of a one-line program's one interrupt */
	snprintf(text, sizeof(text), "cpu0 task: irq_work()  @1 nmi { %s }\n", ops);
	if (strlen(ops) > 400 || strchr(ops, '\n'))
		return fail(err, errsize, "not one line of at most 400 characters");
	if (!program_parse(text, &holder, err, errsize))
		return false;
	if (holder.nevents != 1)
		return fail(err, errsize, "not a handler's operations");
	memcpy(out, holder.events[0].ops, sizeof(holder.events[0].ops));
	*n = holder.events[0].nops;
	return true;
}

static bool bug_option(const char *v, struct cli_args *a, char *err, size_t errsize)
{
	const char *s = v;

	for (;;) {
		size_t n = strcspn(s, ",");
		char name[64];
		int b;

		snprintf(name, sizeof(name), "%.*s", (int)n, s);
		if (!n)
			return fail(err, errsize, "option '--bug': '%s' names no bug (reentry bugs lists them)", v);
		if (strcmp(name, "none") == 0) {
			a->no_bugs = true;
		} else if ((b = bug_lookup(name)) >= 0) {
			a->bugs |= 1ull << b;
		} else {
			return fail(err, errsize, "option '--bug': no historical bug named '%.*s' "
				    "(reentry bugs lists them; --bug none switches off the file's own)",
				    (int)n, s);
		}
		if (!s[n])
			return true;
		s += n + 1;
	}
}

static bool apply(int o, const char *v, struct cli_args *a, char *err, size_t errsize)
{
	struct program_config scratch = { 0 };
	char names[256];
	enum target_id id;
	uint64_t n;

	switch (o) {
	case OPT_TARGET:
		id = program_target_lookup(v);
		if (id == TARGET_NONE) {
			target_names(names, sizeof(names));
			return fail(err, errsize, "option '--target': no fuzz target named '%s' (%s)", v,
				    names);
		}
		a->target = target_get(id);
		return true;
	case OPT_BUG:
		return bug_option(v, a, err, errsize);
	case OPT_NO_BUGS:
		a->no_bugs = true;
		return true;
	case OPT_CONFIG:
		if (!program_config_parse(v, &scratch, names, sizeof(names)))
			return fail(err, errsize, "option '--config': '%s': %s", v, names);
		a->configs[a->nconfigs++] = v;
		return true;
	case OPT_TEXT:
	case OPT_BINARY:
		if (a->form != FORM_BY_RULE && a->form != (o == OPT_TEXT ? FORM_TEXT : FORM_BINARY))
			return fail(err, errsize, "options '--text' and '--binary' contradict each other");
		a->form = o == OPT_TEXT ? FORM_TEXT : FORM_BINARY;
		return true;
	case OPT_DEPTH:
		if (!number_option(o, v, 1, 2, &n, err, errsize))
			return false;
		a->depth = (int)n;
		return true;
	case OPT_NO_STATE_CACHE:
		a->no_state_cache = true;
		return true;
	case OPT_AUDIT_WRITES:
		snapshot_audit = true;	/* the process's: workers inherit it */
		return true;
	case OPT_KINDS:
		if (!cli_kinds(v, &a->kinds, names, sizeof(names)))
			return fail(err, errsize, "option '--kinds': %s", names);
		return true;
	case OPT_HANDLER:
		a->handler = v;
		if (!cli_handler(v, a->handler_ops, &a->nhandler, names, sizeof(names)))
			return fail(err, errsize, "option '--handler': '%s': %s", v, names);
		return true;
	case OPT_SEED:
		return number_option(o, v, 0, UINT64_MAX, &a->seed, err, errsize);
	case OPT_TRIALS:
		/* random_run() counts trials in an unsigned long */
		return number_option(o, v, 1, ULONG_MAX, &a->trials, err, errsize);
	case OPT_JOBS:
		if (!number_option(o, v, 1, 1024, &n, err, errsize))
			return false;
		a->jobs = (unsigned int)n;
		return true;
	case OPT_FUZZ:
		return number_option(o, v, 1, 86400, &a->fuzz, err, errsize);
	case OPT_FUZZERS:
		if (!*v)
			return fail(err, errsize, "option '--fuzzers' needs a value");
		a->fuzzers = v;
		return true;
	case OPT_OUT_FILE:
	case OPT_OUT_DIR:
	case OPT_OUT_REPORTS:
		if (!*v)
			return fail(err, errsize, "option '-o' needs a value");
		a->out = v;
		return true;
	case OPT_REPLAY:
		a->replay = true;
		return true;
	case OPT_SOURCE:
		a->source = v;
		return true;
	case OPT_IN_PLACE:
		a->in_place = true;
		return true;
	case OPT_HELP:
		a->help = true;
		return true;
	}
	return fail(err, errsize, "option %d: not handled", o);
}

/* What getopt_long refused: an unknown, ambiguous or misused option. */
static bool refused(const char *verb, const char *arg, int optopt_val, uint32_t accepted,
		    char *err, size_t errsize)
{
	int o = option_of(optopt_val, accepted);
	char name[64], matches[256] = "";
	int nmatches = 0;

	if (optopt_val && o >= 0)	/* a flag given a value: --replay=x */
		return fail(err, errsize, "option '--%s' takes no value", options[o].name);
	if (optopt_val)			/* an unknown letter, maybe in a cluster: -xv */
		return fail(err, errsize, "unknown option '-%c' (reentry %s --help lists the options)",
			    optopt_val, verb);
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
	for (int i = 0; i < NR_CLI_OPTIONS; i++) {
		if (!(accepted & CLI_OPT(i)) || strncmp(options[i].name, name, strlen(name)) != 0)
			continue;
		nmatches++;
		snprintf(matches + strlen(matches), sizeof(matches) - strlen(matches), "%s--%s",
			 nmatches > 1 ? ", " : "", options[i].name);
	}
	if (nmatches > 1 && strncmp(arg, "--", 2) == 0)
		return fail(err, errsize, "option '%s' is ambiguous (%s)", arg, matches);
	return fail(err, errsize, "unknown option '%s' (reentry %s --help lists the options)", arg,
		    verb);
}

bool cli_parse(int argc, char **argv, uint32_t accepted, struct cli_args *a, char *err,
	       size_t errsize)
{
	struct option longopts[NR_CLI_OPTIONS + 1];
	/*
	 * '-': operands come back in order, as option 1, whatever
	 * POSIXLY_CORRECT says (options may follow files); ':': a missing
	 * value is told apart from an unknown option.
	 */
	char shorts[2 * NR_CLI_OPTIONS + 3] = "-:";
	int n = 0, c;

	memset(a, 0, sizeof(*a));
	a->depth = 1;
	a->kinds = SWEEP_INTERRUPTS;
	a->handler = SWEEP_DEFAULT_HANDLER;
	a->seed = 1;
	a->trials = 10000;
	if (!cli_handler(a->handler, a->handler_ops, &a->nhandler, err, errsize))
		return false;
	a->configs = calloc((size_t)argc + 1, sizeof(*a->configs));
	a->operands = calloc((size_t)argc + 1, sizeof(*a->operands));
	if (!a->configs || !a->operands)
		return fail(err, errsize, "out of memory");
	for (int o = 0; o < NR_CLI_OPTIONS; o++) {
		if (!(accepted & CLI_OPT(o)))
			continue;
		longopts[n++] = (struct option){ options[o].name,
						 options[o].value ? required_argument : no_argument,
						 NULL, option_val(o) };
		if (options[o].short_name) {
			size_t len = strlen(shorts);

			shorts[len] = (char)options[o].short_name;
			if (options[o].value)
				shorts[++len] = ':';
			shorts[len + 1] = '\0';
		}
	}
	longopts[n] = (struct option){ 0 };
	opterr = 0;	/* its messages are ours, one line */
	optind = 0;	/* 0, not 1: glibc starts over (the unit tests parse many times) */
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		int o = option_of(c, accepted);

		if (c == 1) {
			a->operands[a->noperands++] = optarg;
			continue;
		}
		if (c == ':') {
			o = option_of(optopt, accepted);
			return fail(err, errsize, "option '%s' needs a value (%s %s)", argv[optind - 1],
				    argv[optind - 1], o >= 0 ? options[o].value : "VALUE");
		}
		if (c == '?')
			return refused(argv[0], argv[optind - 1], optopt, accepted, err, errsize);
		if (o < 0)
			return fail(err, errsize, "option '%c': not handled", c);
		if (!apply(o, optarg, a, err, errsize))
			return false;
	}
	while (optind < argc)		/* after "--" */
		a->operands[a->noperands++] = argv[optind++];
	return true;
}

void cli_args_free(struct cli_args *a)
{
	free(a->configs);
	free(a->operands);
	a->configs = NULL;
	a->operands = NULL;
	a->noperands = 0;
	a->nconfigs = 0;
}

void cli_print_options(FILE *f, uint32_t accepted)
{
	char names[256];

	for (int o = 0; o < NR_CLI_OPTIONS; o++) {
		char left[64];
		const char *value = options[o].value;

		if (!(accepted & CLI_OPT(o)))
			continue;
		if (options[o].short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", options[o].short_name,
				 options[o].name, value ? " " : "", value ? value : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", options[o].name, value ? " " : "",
				 value ? value : "");
		fprintf(f, "  %-20s %s\n", left, options[o].help);
	}
	if (accepted & CLI_OPT(OPT_TARGET)) {
		target_names(names, sizeof(names));
		fprintf(f, "Targets: %s (or NAME_fuzzer).\n", names);
	}
}
