/*
 * fuzz/cli.c — the `reentry` command.
 *
 *   reentry replay FILE... [--bug NAME] [--config ITEMS]   run: the program, trace and verdict
 *   reentry sweep FILE [--depth 2] [--kinds K,...] [--handler OPS] [--bug NAME]
 *   reentry decode FILE                    binary input → text form
 *   reentry encode TEXTFILE [-o OUT]       text form → binary input
 *   reentry bugs                           the historical-bug registry
 *   reentry random FILE [--seed S] [--trials N] [--depth 2] [--kinds K,...] [--handler OPS] [--bug NAME]
 *   reentry minimize FILE [-o OUT] [--bug NAME]   shrink a failing program, same report
 *   reentry check FILE...                  regressions: the verdict is what "# expect:" says
 *   reentry stress [--cpus N] [--seconds S] [--signal-rate HZ] ...   the signal-storm stress
 *                                          on real threads (runs reentry-stress, see fuzz/stress.c)
 *   reentry heatmap CORPUS... -o DIR [--replay] [--kinds K,...] [--handler OPS] [--source DIR]
 *                                          DIR/index.html: where interrupts land in core/
 *
 * Exit codes: 0 clean, 1 a report, 2 usage or input error (one line on stderr).
 */
#include "exec.h"
#include "heatmap.h"
#include "minimize.h"
#include "sweep.h"
#include "target.h"

#include "../core/bugs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INPUT (1 << 20)

_Noreturn static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "reentry: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t n;

	if (!f)
		die("%s: %s", path, strerror(errno));
	n = fread(buf, 1, cap, f);
	if (ferror(f))
		die("%s: read error", path);
	if (!feof(f))
		die("%s: larger than %zu bytes", path, cap);
	if (f != stdin)
		fclose(f);
	return n;
}

/* Text if it has no NUL and starts (after blanks) with '#' or a letter. */
static bool looks_like_text(const char *buf, size_t n)
{
	size_t i = 0;

	if (memchr(buf, '\0', n))
		return false;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	return i == n || buf[i] == '#' || (buf[i] >= 'a' && buf[i] <= 'z');
}

static void load_program(const char *path, struct program *p)
{
	static char buf[MAX_INPUT + 1];
	size_t n = read_file(path, buf, MAX_INPUT);
	char err[256];

	buf[n] = '\0';
	if (!target_load(NULL, (const uint8_t *)buf, n, looks_like_text(buf, n), p, err, sizeof(err)))
		die("%s: %s", path, err);
}

static void apply_bug(struct program *p, const char *name)
{
	int b = bug_lookup(name);

	if (b < 0)
		die("no historical bug named '%s' (see: reentry bugs)", name);
	p->bugs |= 1ull << b;
}

static int cmd_bugs(int argc, char **argv)
{
	(void)argv;
	if (argc != 0)
		die("usage: reentry bugs");
	for (int i = 0; i < NR_SLAB_BUGS; i++)
		printf("%-20s expect %-14s %s\n", slab_bugs[i].name, slab_bugs[i].expect,
		       slab_bugs[i].summary);
	return 0;
}

static void print_program(const struct program *p)
{
	static char text[1 << 16];

	program_print(p, text, sizeof(text));
	fputs(text, stdout);
}

static int cmd_replay(int argc, char **argv)
{
	const char *files[64];
	const char *bugs[8], *configs[8];
	int nfiles = 0, nbugs = 0, nconfigs = 0, status = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--bug") == 0 && i + 1 < argc && nbugs < 8)
			bugs[nbugs++] = argv[++i];
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc && nconfigs < 8)
			configs[nconfigs++] = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			die("replay: unknown option '%s'", argv[i]);
		else if (nfiles < 64)
			files[nfiles++] = argv[i];
	}
	if (!nfiles)
		die("usage: reentry replay FILE... [--bug NAME] [--config 'cpus=4 lockdep ...']");
	for (int f = 0; f < nfiles; f++) {
		static struct program p;
		struct exec x = { .tracing = true };

		load_program(files[f], &p);
		for (int b = 0; b < nbugs; b++)
			apply_bug(&p, bugs[b]);
		for (int c = 0; c < nconfigs; c++) {
			char err[256];

			if (!program_config_parse(configs[c], &p.config, err, sizeof(err)))
				die("--config '%s': %s", configs[c], err);
		}
		if (nfiles > 1)
			printf("== %s\n", files[f]);
		print_program(&p);
		printf("\n");
		if (!exec_run(&x, &p)) {
			printf("%s in %s\n", x.report.cls, x.report.where);
			status = 1;
		}
		fputs(x.trace, stdout);
		exec_free(&x);
	}
	return status;
}

static unsigned int parse_kinds(const char *list)
{
	unsigned int kinds = 0;
	char copy[256], *tok, *save;

	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int k;

		for (k = 0; k < EV_NR_INTERRUPTS; k++)
			if (strcmp(tok, event_kind_name((enum event_kind)k)) == 0)
				break;
		if (k == EV_NR_INTERRUPTS)
			die("sweep: unknown interrupt kind '%s' (nmi, hardirq, softirq, kprobe, irq_work, preempt)",
			    tok);
		kinds |= 1u << k;
	}
	return kinds;
}

/* A handler program, parsed as the handler of a one-line program. */
static void parse_handler(const char *ops, struct program *holder)
{
	char text[512], err[256];

	snprintf(text, sizeof(text), "cpu0 task: irq_work()  @1 nmi { %s }\n", ops);
	if (!program_parse(text, holder, err, sizeof(err)) || holder->nevents != 1)
		die("sweep: bad --handler '%s': %s", ops, err);
}

/* sweep and random share their options. */
static int explore(int argc, char **argv, bool random)
{
	static struct program p, holder;
	struct sweep_options o = { .kinds = SWEEP_INTERRUPTS, .depth = 1 };
	struct sweep_result r;
	const char *file = NULL, *handler = "p = kmalloc_nolock(64, 0)";
	const char *bugs[8];
	unsigned long trials = 10000;
	uint64_t seed = 1;
	int nbugs = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--depth") == 0 && i + 1 < argc) {
			o.depth = atoi(argv[++i]);
			if (o.depth < 1 || o.depth > 2)
				die("--depth is 1 or 2");
		} else if (strcmp(argv[i], "--kinds") == 0 && i + 1 < argc) {
			o.kinds = parse_kinds(argv[++i]);
		} else if (strcmp(argv[i], "--handler") == 0 && i + 1 < argc) {
			handler = argv[++i];
		} else if (strcmp(argv[i], "--bug") == 0 && i + 1 < argc && nbugs < 8) {
			bugs[nbugs++] = argv[++i];
		} else if (random && strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
		} else if (random && strcmp(argv[i], "--trials") == 0 && i + 1 < argc) {
			trials = strtoul(argv[++i], NULL, 0);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			die("%s: unknown option '%s'", random ? "random" : "sweep", argv[i]);
		} else if (!file) {
			file = argv[i];
		} else {
			die("one program at a time");
		}
	}
	if (!file)
		die("usage: reentry %s FILE [--depth 1|2] [--kinds nmi,kprobe,...] [--handler OPS] [--bug NAME]%s",
		    random ? "random" : "sweep", random ? " [--seed S] [--trials N]" : "");
	load_program(file, &p);
	for (int b = 0; b < nbugs; b++)
		apply_bug(&p, bugs[b]);
	parse_handler(handler, &holder);
	o.handler = holder.events[0].ops;
	o.nhandler = holder.events[0].nops;
	o.progress = isatty(STDERR_FILENO);
	if (random)
		random_run(&p, &o, seed, trials, &r);
	else
		sweep_run(&p, &o, &r);
	sweep_print(stdout, &p, &o, &r);
	return r.reports ? 1 : 0;
}

static int cmd_sweep(int argc, char **argv)
{
	return explore(argc, argv, false);
}

static int cmd_random(int argc, char **argv)
{
	return explore(argc, argv, true);
}

/* "# sweep: KINDS [handler OPS]" in a regression: its verdict is a sweep's. */
static bool sweep_header(const char *text, char *kinds, char *handler, size_t size)
{
	const char *line = strstr(text, "# sweep:");
	char rest[512];
	const char *h;
	size_t n;

	if (!line)
		return false;
	line += strlen("# sweep:");
	n = strcspn(line, "\n");
	snprintf(rest, sizeof(rest), "%.*s", (int)n, line);
	h = strstr(rest, " handler ");
	snprintf(handler, size, "%s", h ? h + strlen(" handler ") : "p = kmalloc_nolock(64, 0)");
	if (h)
		rest[h - rest] = '\0';
	if (sscanf(rest, " %255s", kinds) != 1)
		die("'# sweep:' needs the interrupt kinds, e.g. '# sweep: nmi,kprobe'");
	return true;
}

/* The verdict of a regression: a replay, or a sweep if it asks for one. */
static void verdict(const struct program *p, const char *text, char *cls, size_t size)
{
	char kinds[256], handler[256];

	if (sweep_header(text, kinds, handler, sizeof(handler))) {
		static struct program holder;
		struct sweep_options o = { .kinds = parse_kinds(kinds), .depth = 1 };
		struct sweep_result r;

		parse_handler(handler, &holder);
		o.handler = holder.events[0].ops;
		o.nhandler = holder.events[0].nops;
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
static int cmd_check(int argc, char **argv)
{
	static char text[MAX_INPUT + 1];
	int failed = 0;

	if (argc < 1)
		die("usage: reentry check FILE...");
	for (int f = 0; f < argc; f++) {
		static struct program p;
		char got[64], off[64] = "";
		char err[256];
		size_t n = read_file(argv[f], text, MAX_INPUT);
		bool ok;

		text[n] = '\0';
		if (!program_parse(text, &p, err, sizeof(err)))
			die("%s: %s", argv[f], err);
		if (!p.expect[0])
			die("%s: a regression needs a '# expect: CLASS' line", argv[f]);
		verdict(&p, text, got, sizeof(got));
		ok = strcmp(got, p.expect) == 0;
		if (p.bugs) {
			uint64_t bugs = p.bugs;

			p.bugs = 0;
			verdict(&p, text, off, sizeof(off));
			p.bugs = bugs;
			ok = ok && strcmp(off, "clean") == 0;
		}
		printf("%s %s: expect %s, got %s%s%s\n", ok ? "ok  " : "FAIL", argv[f], p.expect, got,
		       p.bugs ? "; with the bug off: " : "", p.bugs ? off : "");
		failed += !ok;
	}
	return failed ? 1 : 0;
}

/* The minimized program, in text form with its "# expect:" line: a regression. */
static int cmd_minimize(int argc, char **argv)
{
	static struct program p, small;
	static char text[1 << 16];
	const char *file = NULL, *to = NULL;
	const char *bugs[8];
	struct exec_report key;
	int nbugs = 0;
	FILE *f;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strcmp(argv[i], "--bug") == 0 && i + 1 < argc && nbugs < 8)
			bugs[nbugs++] = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			die("minimize: unknown option '%s'", argv[i]);
		else if (!file)
			file = argv[i];
		else
			die("usage: reentry minimize FILE [-o OUT] [--bug NAME]");
	}
	if (!file)
		die("usage: reentry minimize FILE [-o OUT] [--bug NAME]");
	load_program(file, &p);
	for (int b = 0; b < nbugs; b++)
		apply_bug(&p, bugs[b]);
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
	if (to)
		fclose(f);
	fprintf(stderr, "%s in %s: %d of %d operations, %d of %d events left\n", key.cls, key.where,
		small.nops, p.nops, small.nevents, p.nevents);
	return 1;
}

static int cmd_decode(int argc, char **argv)
{
	static uint8_t buf[MAX_INPUT];
	static struct program p;
	size_t n;

	if (argc != 1)
		die("usage: reentry decode FILE");
	n = read_file(argv[0], (char *)buf, sizeof(buf));
	program_decode(buf, n, &p);
	print_program(&p);
	return 0;
}

static int cmd_encode(int argc, char **argv)
{
	static uint8_t out[MAX_INPUT];
	static struct program p;
	const char *in = NULL, *to = NULL;
	size_t n;
	FILE *f;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (!in)
			in = argv[i];
		else
			die("usage: reentry encode TEXTFILE [-o OUT]");
	}
	if (!in)
		die("usage: reentry encode TEXTFILE [-o OUT]");
	load_program(in, &p);
	n = program_encode(&p, out, sizeof(out));
	f = to ? fopen(to, "wb") : stdout;
	if (!f)
		die("%s: %s", to, strerror(errno));
	if (fwrite(out, 1, n, f) != n)
		die("%s: write error", to ? to : "stdout");
	if (to)
		fclose(f);
	return 0;
}

/*
 * The real-thread backend defines the same environment symbols as the
 * simulated machine, so it lives in its own executable, built beside this
 * one: run it with the same arguments.
 */
static int cmd_stress(int argc, char **argv)
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

#ifndef REENTRY_SOURCE_DIR
#define REENTRY_SOURCE_DIR "."	/* CMake passes the project's source directory */
#endif

/* The injection heatmap of a corpus (fuzz/heatmap.h): swept by default, so
 * the page shows where interrupts can land, not only where the inputs put them. */
static int cmd_heatmap(int argc, char **argv)
{
	static const char usage[] = "usage: reentry heatmap CORPUS_DIR|FILE... -o DIR [--replay] "
				    "[--kinds nmi,kprobe,...] [--handler OPS] [--source DIR]";
	static struct program p, holder;
	struct heatmap_options o = { .sweep = true, .kinds = SWEEP_INTERRUPTS };
	const char *dir = NULL, *source = REENTRY_SOURCE_DIR, *handler = "p = kmalloc_nolock(64, 0)";
	char *paths[64], **files, page[4096], err[512];
	int npaths = 0, nfiles;
	struct heatmap *h;
	bool clean = true;
	FILE *f;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--replay") == 0)
			o.sweep = false;
		else if (strcmp(argv[i], "--kinds") == 0 && i + 1 < argc)
			o.kinds = parse_kinds(argv[++i]);
		else if (strcmp(argv[i], "--handler") == 0 && i + 1 < argc)
			handler = argv[++i];
		else if (strcmp(argv[i], "--source") == 0 && i + 1 < argc)
			source = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			die("heatmap: unknown option '%s' (%s)", argv[i], usage);
		else if (npaths < 64)
			paths[npaths++] = argv[i];
		else
			die("heatmap: at most 64 corpus paths");
	}
	if (!npaths || !dir)
		die("%s", usage);
	snprintf(page, sizeof(page), "%s/core", source);
	if (access(page, R_OK) != 0)
		die("heatmap: %s: %s (--source names the project's source directory)", page,
		    strerror(errno));
	nfiles = heatmap_inputs(paths, npaths, &files, err, sizeof(err));
	if (nfiles < 0)
		die("heatmap: %s", err);
	if (nfiles == 0)
		die("heatmap: no inputs in %s", paths[0]);
	parse_handler(handler, &holder);
	o.handler = holder.events[0].ops;
	o.nhandler = holder.events[0].nops;
	o.handler_text = handler;
	h = heatmap_new(&o);
	for (int i = 0; i < nfiles; i++) {
		load_program(files[i], &p);
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
	heatmap_inputs_free(files, nfiles);
	heatmap_free(h);
	return clean ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "replay", cmd_replay }, { "sweep", cmd_sweep }, { "decode", cmd_decode },
		{ "encode", cmd_encode }, { "bugs", cmd_bugs }, { "check", cmd_check },
		{ "random", cmd_random }, { "minimize", cmd_minimize }, { "stress", cmd_stress },
		{ "heatmap", cmd_heatmap },
	};

	if (argc < 2)
		die("usage: reentry replay|sweep|random|minimize|check|decode|encode|bugs|stress|heatmap ... (see README.md)");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 2, argv + 2);
	die("unknown command '%s' (replay, sweep, random, minimize, check, decode, encode, bugs, stress, heatmap)",
	    argv[1]);
}
