/*
 * fuzz/verify.c — `reentry verify` (see verify.h and docs/verify.md).
 *
 * The parent loads every input, makes the work items (a regression to
 * check, a seed to sweep with one handler of the set, a target to fuzz, then
 * a report to minimize) and hands them out one at a time to forked worker
 * processes, which send each result back over a pipe. Items go out biggest
 * first, so that a long sweep does not start last; results are kept by item
 * and printed in the items' own order, so the output is the same whatever
 * the number of workers and whichever finished first. A worker that dies
 * (a sanitizer report in the model kills the process) loses its item, which
 * becomes a report of its own; a new worker takes its place.
 */
#include "verify.h"
#include "anchors.h"
#include "cli.h"
#include "exec.h"
#include "minimize.h"
#include "target.h"

#include "../core/bugs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef REENTRY_SOURCE_DIR
#define REENTRY_SOURCE_DIR "."	/* CMake passes the project's source directory */
#endif

/* ---- inputs ---- */

struct input {
	char *path;		/* to open */
	char *name;		/* as printed: relative to the source tree for the default corpus */
	struct program prog;
	bool regression;	/* a '# expect:' line: checked, not swept */
	unsigned long cost;	/* sweep_cost() */
};

static struct input *inputs;
static int ninputs;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_input(const char *path, const char *name)
{
	struct input *grown = realloc(inputs, ((size_t)ninputs + 1) * sizeof(*inputs));

	if (!grown)
		die("out of memory");
	inputs = grown;
	memset(&inputs[ninputs], 0, sizeof(inputs[0]));
	inputs[ninputs].path = strdup(path);
	inputs[ninputs].name = strdup(name);
	if (!inputs[ninputs].path || !inputs[ninputs].name)
		die("out of memory");
	ninputs++;
}

static bool is_txt(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".txt") == 0;
}

/* A file, or a directory's .txt files and subdirectories, by name, hidden ones aside. */
static void add_path(const char *path, const char *name, bool top)
{
	struct stat st;
	struct dirent *d;
	char **entries = NULL;
	int n = 0;
	DIR *dir;

	if (stat(path, &st) != 0)
		die("verify: %s: %s", name, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (top || (S_ISREG(st.st_mode) && is_txt(name)))
			add_input(path, name);
		return;
	}
	dir = opendir(path);
	if (!dir)
		die("verify: %s: %s", name, strerror(errno));
	while ((d = readdir(dir))) {
		char **grown;

		if (d->d_name[0] == '.')
			continue;
		grown = realloc(entries, ((size_t)n + 1) * sizeof(*entries));
		if (!grown || !(grown[n] = strdup(d->d_name)))
			die("out of memory");
		entries = grown;
		n++;
	}
	closedir(dir);
	if (n)
		qsort(entries, (size_t)n, sizeof(*entries), by_name);
	for (int i = 0; i < n; i++) {
		char sub[4096], subname[4096];

		snprintf(sub, sizeof(sub), "%s/%s", path, entries[i]);
		snprintf(subname, sizeof(subname), "%s/%s", name, entries[i]);
		add_path(sub, subname, false);
		free(entries[i]);
	}
	free(entries);
}

/* ---- work items and their results ---- */

enum item_type { IT_CHECK, IT_SWEEP, IT_FUZZ, IT_MINIMIZE };

/* The fuzz targets: the model's, and the program format's own. */
static const char *fuzz_target_name(int t)
{
	return t + 1 < NR_TARGETS ? program_target_name((unsigned int)t + 1) : "decode";
}
#define NR_FUZZ_TARGETS NR_TARGETS

#define MAX_FOUND 64	/* distinct reports one item sends back */

/* One distinct report of an item: its first trial, and how many trials gave it. */
struct found {
	struct exec_report report;
	unsigned long trials;
	bool binary;		/* fuzz: a crash that replays clean or kills: keep the input */
	char input[256];	/* fuzz: the crash file */
	struct program prog;	/* the trial: the seed with its injected events */
};

struct sweep_out {
	unsigned long trials, pruned, reports;
	int nfound;
	unsigned long more;	/* failing trials of reports past MAX_FOUND */
	struct found found[MAX_FOUND];
};

struct check_out {
	bool ok;
	char line[1024];
};

struct fuzz_out {
	bool ran;
	unsigned long execs;
	char why[256];		/* !ran: why not */
	int nfound;
	struct found found[MAX_FOUND];
};

struct minimize_out {
	bool minimized;		/* else the text is the trial as found */
	bool replays;		/* the saved text gives the same report */
	bool killed;		/* minimizing killed the worker: not replayed */
	int nops, nevents;	/* left */
	struct exec_report key;
	char text[1 << 16];
};

/* What a minimize item gets: the report to minimize. */
struct minimize_in {
	struct found f;
	char from[512];		/* where it was found, for the reproducer's first line */
};

struct item {
	enum item_type type;
	int input;		/* check, sweep */
	int handler;		/* sweep: enum verify_handler */
	int target;		/* fuzz: index for fuzz_target_name() */
	int report;		/* minimize */
	unsigned long cost;	/* biggest first */
	/* the result */
	bool died;		/* its worker died: no result */
	int status;		/* died: the worker's wait status */
	void *out;		/* the worker's answer (its *_out struct) */
};

/* Everything the workers need to know, set before they fork. */
static struct {
	uint64_t bugs;
	int depth;
	bool no_state_cache;
	uint64_t fuzz;
	const char *fuzzers, *source, *out;
} cfg;

/* ---- the work, in a worker ---- */

/* The length of where's function: "slab_alloc_slow core/slub.c:823" is
 * slab_alloc_slow; a place without a source line ("kmalloc_nolock", "end of
 * program", a fuzzer's) is itself. */
static size_t place_function(const char *where)
{
	const char *src = strstr(where, " core/");

	if (!src)
		src = strstr(where, " inject/");
	return src ? (size_t)(src - where) : strlen(where);
}

/*
 * The dedup key: the class and the function where the report's interrupt
 * landed, not its line ("deadlock in update_freelist_inner", as syzbot
 * titles "KASAN: double-free in kfree"): one bug's trials land on several
 * lines of the function it breaks, and each would otherwise be a distinct
 * report, minimized and saved on its own. The line is still printed.
 */
static bool same_key(const struct exec_report *a, const struct exec_report *b)
{
	size_t n = place_function(a->where);

	return strcmp(a->cls, b->cls) == 0 && n == place_function(b->where) &&
	       strncmp(a->where, b->where, n) == 0;
}

static void collect(struct sweep_out *o, const struct exec_report *r, const struct exec *x,
		    const struct program *p)
{
	for (int i = 0; i < o->nfound; i++) {
		if (same_key(&o->found[i].report, r)) {
			o->found[i].trials++;
			return;
		}
	}
	if (o->nfound == MAX_FOUND) {
		o->more++;
		return;
	}
	memset(&o->found[o->nfound], 0, sizeof(o->found[0]));
	o->found[o->nfound].report = *r;
	o->found[o->nfound].trials = 1;
	if (x)
		exec_trial_program(x, &o->found[o->nfound].prog);
	else
		o->found[o->nfound].prog = *p;
	o->nfound++;
}

static void on_report(void *ctx, const struct exec *x)
{
	collect(ctx, &x->report, x, NULL);
}

static void *do_sweep(const struct item *it, size_t *len)
{
	static struct sweep_handler handlers[MAX_OPS];
	static struct sweep_out out;
	const struct program *p = &inputs[it->input].prog;
	struct sweep_options o = {
		.kinds = verify_handler_kinds((enum verify_handler)it->handler), .depth = cfg.depth,
		.no_state_cache = cfg.no_state_cache, .op_handlers = handlers,
		.on_report = on_report, .ctx = &out,
	};
	struct sweep_result r;

	out.nfound = 0;
	out.more = 0;
	verify_handlers(p, (enum verify_handler)it->handler, handlers);
	sweep_run(p, &o, &r);
	out.trials = r.trials;
	out.pruned = r.pruned;
	out.reports = r.reports;
	if (r.reference_failed)
		collect(&out, &r.first_report, NULL, p);
	/* what is used of it: most sweeps send no report */
	*len = offsetof(struct sweep_out, found) + (size_t)out.nfound * sizeof(out.found[0]);
	return &out;
}

static void *do_check(const struct item *it, size_t *len)
{
	static struct check_out out;
	static struct program p;

	p = inputs[it->input].prog;
	out.ok = cli_check_program(&p, cfg.bugs, inputs[it->input].name, out.line, sizeof(out.line));
	*len = sizeof(out);
	return &out;
}

static void mkdirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(buf, 0777);
		*s = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		die("verify: %s: %s", path, strerror(errno));
}

/* The bugs as REENTRY_BUGS names them, "a,b". */
static void bug_names(uint64_t bugs, const char *sep, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int b = 0; b < NR_SLAB_BUGS && n < size; b++)
		if (bugs & (1ull << b))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? sep : "", slab_bugs[b].name);
}

/* Run a fuzzer for cfg.fuzz seconds (killed if it overruns by a minute). */
static bool run_fuzzer(const char *target, const char *dir, char *why, size_t size)
{
	char bin[4096], log[4096], corpus[4096], seeds[4096], dict[4096], opts[4096], crashes[4200];
	char max_time[64], bugs[256], line[256], option[8][320];
	char *argv[24];
	int argc = 0, nopt = 0, status;
	time_t start = time(NULL);
	FILE *f;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/%s_fuzzer", cfg.fuzzers, target);
	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(corpus, sizeof(corpus), "%s/corpus", dir);
	snprintf(crashes, sizeof(crashes), "-artifact_prefix=%s/crashes/", dir);
	snprintf(seeds, sizeof(seeds), "%s/corpus/%s", cfg.source, target);
	snprintf(dict, sizeof(dict), "-dict=%s/corpus/%s.dict", cfg.source, target);
	snprintf(opts, sizeof(opts), "%s/corpus/%s.options", cfg.source, target);
	snprintf(max_time, sizeof(max_time), "-max_total_time=%llu", (unsigned long long)cfg.fuzz);
	argv[argc++] = bin;
	argv[argc++] = max_time;
	argv[argc++] = (char *)"-print_final_stats=1";
	argv[argc++] = crashes;
	if (access(dict + 6, R_OK) == 0)
		argv[argc++] = dict;
	/* the [libfuzzer] options of corpus/TARGET.options (OSS-Fuzz's format), as ci/fuzz.sh reads them */
	f = fopen(opts, "r");
	while (f && nopt < 8 && fgets(line, sizeof(line), f)) {
		char key[128], value[128];

		if (sscanf(line, " %127[^= ] = %127s", key, value) == 2) {
			snprintf(option[nopt], sizeof(option[0]), "-%s=%s", key, value);
			argv[argc++] = option[nopt++];
		}
	}
	if (f)
		fclose(f);
	argv[argc++] = corpus;
	if (access(seeds, R_OK) == 0)
		argv[argc++] = seeds;
	argv[argc] = NULL;
	mkdirs(corpus);
	bug_names(cfg.bugs, ",", bugs, sizeof(bugs));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, size, "fork: %s", strerror(errno));
		return false;
	}
	if (pid == 0) {
		FILE *l = freopen(log, "w", stdout);

		if (!l || dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
			_exit(126);
		if (bugs[0])
			setenv("REENTRY_BUGS", bugs, 1);
		else
			unsetenv("REENTRY_BUGS");
		execv(bin, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (time(NULL) - start > (time_t)cfg.fuzz + 60)
			kill(pid, SIGKILL);
		usleep(100 * 1000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 126) {
		snprintf(why, size, "%s did not run (see %s)", bin, log);
		return false;
	}
	return true;
}

/* Replay a fuzzer's crash file in a child (a sanitizer report kills it). */
static void replay_crash(const char *path, const char *target, struct fuzz_out *out)
{
	static uint8_t data[1 << 20];
	static struct program p;
	struct found *f;
	char err[256];
	int fds[2], status;
	size_t n;
	FILE *in = fopen(path, "rb");
	pid_t pid;

	if (!in || out->nfound == MAX_FOUND) {
		if (in)
			fclose(in);
		return;
	}
	n = fread(data, 1, sizeof(data), in);
	fclose(in);
	target_load(NULL, data, n, false, &p, err, sizeof(err));
	p.bugs |= cfg.bugs;
	f = &out->found[out->nfound++];
	memset(f, 0, sizeof(*f));
	f->trials = 1;
	f->prog = p;
	snprintf(f->input, sizeof(f->input), "%s", path);
	if (pipe(fds) != 0)
		die("verify: pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct exec x = { 0 };

		close(fds[0]);
		if (exec_run(&x, &p))
			_exit(0);	/* clean: anything else is a death */
		_exit(write(fds[1], &x.report, sizeof(x.report)) == (ssize_t)sizeof(x.report) ? 3 : 4);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &f->report, sizeof(f->report)) == (ssize_t)sizeof(f->report)) {
		close(fds[0]);
		waitpid(pid, &status, 0);
		return;
	}
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	/* the fuzzer's log has the report it saw (a sanitizer's, say) */
	f->binary = true;
	snprintf(f->report.cls, sizeof(f->report.cls), "fuzzer");
	snprintf(f->report.where, sizeof(f->report.where), "%s_fuzzer %s", target,
		 pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "(replays clean)" :
		 "(its replay dies)");
	snprintf(f->report.text, sizeof(f->report.text), "%s; the fuzzer's log: %s/fuzz/%s/log",
		 strrchr(path, '/') + 1, cfg.out, target);
}

static void *do_fuzz(const struct item *it, size_t *len)
{
	static struct fuzz_out out;
	const char *target = fuzz_target_name(it->target);
	char dir[4096], crashes[4200], log[4200], line[512];
	char **names = NULL;
	int n = 0;
	struct dirent *d;
	DIR *cd;
	FILE *f;

	memset(&out, 0, sizeof(out));
	*len = sizeof(out);
	snprintf(dir, sizeof(dir), "%s/fuzz/%s", cfg.out, target);
	snprintf(crashes, sizeof(crashes), "%s/crashes", dir);
	mkdirs(crashes);
	/* a crash file of an earlier run is not this run's report */
	cd = opendir(crashes);
	while (cd && (d = readdir(cd))) {
		char path[8400];

		snprintf(path, sizeof(path), "%s/%s", crashes, d->d_name);
		if (d->d_name[0] != '.')
			unlink(path);
	}
	if (cd)
		closedir(cd);
	out.ran = run_fuzzer(target, dir, out.why, sizeof(out.why));
	if (!out.ran)
		return &out;
	snprintf(log, sizeof(log), "%s/log", dir);
	f = fopen(log, "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "stat::number_of_executed_units: %lu", &out.execs);
	if (f)
		fclose(f);
	cd = opendir(crashes);
	while (cd && (d = readdir(cd))) {
		char **grown;

		if (d->d_name[0] == '.')
			continue;
		grown = realloc(names, ((size_t)n + 1) * sizeof(*names));
		if (!grown || !(grown[n] = strdup(d->d_name)))
			die("out of memory");
		names = grown;
		n++;
	}
	if (cd)
		closedir(cd);
	if (n)
		qsort(names, (size_t)n, sizeof(*names), by_name);
	for (int i = 0; i < n; i++) {
		char path[8400];

		snprintf(path, sizeof(path), "%s/%s", crashes, names[i]);
		replay_crash(path, target, &out);
		free(names[i]);
	}
	free(names);
	return &out;
}


/* The program a text reads back as (what `reentry replay` of the saved file runs). */
static bool reload(const char *text, struct program *p)
{
	char err[256];

	return target_load(NULL, (const uint8_t *)text, strlen(text), true, p, err, sizeof(err));
}

/* Does p give the report `key` (class and place)? */
static bool gives(const struct program *p, const struct exec_report *key)
{
	struct exec x = { 0 };
	bool same = !exec_run(&x, p) && same_key(&x.report, key);

	exec_free(&x);
	return same;
}

static void *do_minimize(const struct minimize_in *in, size_t *len)
{
	static struct minimize_out out;
	static struct program p, small;
	static char text[1 << 16];

	memset(&out, 0, sizeof(out));
	*len = sizeof(out);
	out.key = in->f.report;
	/* through the text form first: its events sorted, as the saved file will be read */
	program_print(&in->f.prog, text, sizeof(text));
	if (!reload(text, &p) || !gives(&p, &in->f.report))
		p = in->f.prog;
	small = p;
	out.minimized = program_minimize(&p, &small, &out.key) && same_key(&out.key, &in->f.report);
	if (!out.minimized) {
		/* said by function, as program_minimize() says what it kept */
		small = p;
		anchors_convert(&small, AT_FUNCTION);
		out.key = in->f.report;
	}
	snprintf(small.expect, sizeof(small.expect), "%s", out.key.cls);
	program_print(&small, text, sizeof(text));
	snprintf(out.text, sizeof(out.text), "# %s in %s (reentry verify: %s from %s: %d of %d "
		 "operations, %d of %d events)\n%s", out.key.cls, out.key.where,
		 out.minimized ? "minimized" : "not minimized", in->from, small.nops, p.nops,
		 small.nevents, p.nevents, text);
	out.nops = small.nops;
	out.nevents = small.nevents;
	out.replays = reload(out.text, &p) && gives(&p, &out.key);
	return &out;
}

/* ---- workers ---- */

/* A command to a worker, or its answer: the item, then len bytes. Workers
 * forked before later items were made: the command says all of the item. */
struct msg {
	uint32_t item;
	int32_t type, input, handler, target;
	uint64_t len;		/* of the payload that follows */
};

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

struct worker {
	pid_t pid;
	int cmd, res;		/* the parent's ends */
	int item;		/* in flight, or -1 */
};

static struct worker *workers;
static int nworkers;
static struct item *items;

_Noreturn static void worker_loop(int cmd, int res)
{
	static struct minimize_in in;
	struct msg m;

	while (read_all(cmd, &m, sizeof(m))) {
		const struct item one = { .type = (enum item_type)m.type, .input = m.input,
					  .handler = m.handler, .target = m.target };
		const struct item *it = &one;
		size_t len = 0;
		void *out = NULL;

		if (m.len && !read_all(cmd, &in, sizeof(in)))
			break;
		switch (it->type) {
		case IT_CHECK:
			out = do_check(it, &len);
			break;
		case IT_SWEEP:
			out = do_sweep(it, &len);
			break;
		case IT_FUZZ:
			out = do_fuzz(it, &len);
			break;
		case IT_MINIMIZE:
			out = do_minimize(&in, &len);
			break;
		}
		m.len = len;
		if (!write_all(res, &m, sizeof(m)) || !write_all(res, out, len))
			break;
	}
	/* no atexit handlers, no leak check: the parent's business */
	_exit(0);
}

static void spawn(struct worker *w)
{
	int cmd[2], res[2];

	if (pipe(cmd) != 0 || pipe(res) != 0)
		die("verify: pipe: %s", strerror(errno));
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0)
		die("verify: fork: %s", strerror(errno));
	if (w->pid == 0) {
		/* the other workers' pipes: held open here, their deaths would go unseen */
		for (int i = 0; i < nworkers; i++) {
			if (&workers[i] != w && workers[i].pid > 0) {
				close(workers[i].cmd);
				close(workers[i].res);
			}
		}
		close(cmd[1]);
		close(res[0]);
		worker_loop(cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	w->cmd = cmd[1];
	w->res = res[0];
	w->item = -1;
}

/* A worker that died (its wait status in *status): a new one in its place. */
static void restart(struct worker *w, int *status)
{
	int ignored;

	close(w->cmd);
	close(w->res);
	waitpid(w->pid, status ? status : &ignored, 0);
	spawn(w);
}

static void stop_workers(void)
{
	for (int i = 0; i < nworkers; i++) {
		int status;

		close(workers[i].cmd);
		close(workers[i].res);
		waitpid(workers[i].pid, &status, 0);
	}
}

static bool progress_on;

static void progress(const char *phase, int done, int total, int failing)
{
	if (!progress_on)
		return;
	fprintf(stderr, "\rverify: %s %d/%d, %d with reports\033[K", phase, done, total, failing);
	if (done == total)
		fprintf(stderr, "\r\033[K");
}

static bool has_report(const struct item *it)
{
	if (it->died)
		return true;
	switch (it->type) {
	case IT_CHECK:
		return !((const struct check_out *)it->out)->ok;
	case IT_SWEEP:
		return ((const struct sweep_out *)it->out)->reports > 0;
	case IT_FUZZ:
		return ((const struct fuzz_out *)it->out)->nfound > 0 ||
		       !((const struct fuzz_out *)it->out)->ran;
	default:
		return false;
	}
}

static bool dispatch(struct worker *w, int item, const void *payload, size_t len)
{
	const struct item *it = &items[item];
	struct msg m = { .item = (uint32_t)item, .type = it->type, .input = it->input,
			 .handler = it->handler, .target = it->target, .len = len };

	w->item = item;
	return write_all(w->cmd, &m, sizeof(m)) && (!len || write_all(w->cmd, payload, len));
}

/*
 * Run items[first..last) on the workers, biggest cost first; payloads[i]
 * (may be NULL) goes with item first + i.
 */
static void run_items(int first, int last, const char *phase, const void *const *payloads,
		      size_t payload_len)
{
	int n = last - first, *order = malloc((size_t)(n ? n : 1) * sizeof(int));
	int next = 0, done = 0, failing = 0;
	struct pollfd *fds = calloc((size_t)nworkers, sizeof(*fds));

	if (!order || !fds)
		die("out of memory");
	for (int i = 0; i < n; i++)
		order[i] = first + i;
	/* biggest first, then in item order: a stable order whatever qsort does */
	for (int i = 1; i < n; i++) {
		int v = order[i], j = i;

		while (j > 0 && items[order[j - 1]].cost < items[v].cost)
			order[j] = order[j - 1], j--;
		order[j] = v;
	}
	for (;;) {
		int busy = 0;

		for (int w = 0; w < nworkers; w++) {
			for (int tries = 0; workers[w].item < 0 && next < n; tries++) {
				int i = order[next];

				if (tries == 3)
					die("verify: the worker processes die before they take any work");
				if (dispatch(&workers[w], i, payloads ? payloads[i - first] : NULL,
					     payloads ? payload_len : 0)) {
					next++;
					break;
				}
				/* it died between two items: a new one takes the item */
				restart(&workers[w], NULL);
			}
			if (workers[w].item >= 0) {
				fds[busy].fd = workers[w].res;
				fds[busy].events = POLLIN;
				fds[busy].revents = 0;
				busy++;
			}
		}
		if (!busy)
			break;
		if (poll(fds, (nfds_t)busy, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("verify: poll: %s", strerror(errno));
		}
		for (int w = 0; w < nworkers; w++) {
			struct item *it;
			struct msg m;
			bool readable = false;

			for (int k = 0; k < busy; k++)
				if (fds[k].fd == workers[w].res && fds[k].revents)
					readable = true;
			if (workers[w].item < 0 || !readable)
				continue;
			it = &items[workers[w].item];
			if (read_all(workers[w].res, &m, sizeof(m)) && (it->out = malloc(m.len ? m.len : 1)) &&
			    read_all(workers[w].res, it->out, m.len)) {
				workers[w].item = -1;
			} else {
				/* the worker died with the item: the item is a report */
				free(it->out);
				it->out = NULL;
				it->died = true;
				restart(&workers[w], &it->status);
			}
			done++;
			failing += has_report(it);
			progress(phase, done, n, failing);
		}
	}
	free(order);
	free(fds);
}

/* ---- the reports ---- */

struct report {
	struct exec_report key;	/* cls and where: the dedup key */
	int item;		/* the first item that found it */
	const struct found *f;	/* its first trial; NULL: nothing to minimize */
	unsigned long trials;	/* failing trials, all items */
	int nitems;		/* items that found it */
	char name[160];		/* the reproducer's file, in the output directory */
	const struct minimize_out *min;
};

static struct report *reports;
static int nreports;

static int add_report(const struct exec_report *key, int item, const struct found *f,
		      unsigned long trials)
{
	struct report *grown;

	for (int r = 0; r < nreports; r++) {
		if (same_key(&reports[r].key, key)) {
			reports[r].trials += trials;
			reports[r].nitems += reports[r].item != item;
			return r;
		}
	}
	grown = realloc(reports, ((size_t)nreports + 1) * sizeof(*reports));
	if (!grown)
		die("out of memory");
	reports = grown;
	reports[nreports] = (struct report){ .key = *key, .item = item, .f = f, .trials = trials,
					     .nitems = 1 };
	return nreports++;
}

/* "deadlock in slab_alloc_inner core/slub.c:901" as a file name, as ci/fuzz.sh names them. */
static void file_name(const struct exec_report *key, char *buf, size_t size)
{
	char text[256];
	size_t n = 0;

	snprintf(text, sizeof(text), "%s %s", key->cls, key->where);
	for (const char *s = text; *s && n + 1 < size; s++) {
		bool keep = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			    (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-';

		if (keep)
			buf[n++] = *s;
		else if (n && buf[n - 1] != '-')
			buf[n++] = '-';
	}
	while (n && buf[n - 1] == '-')
		n--;
	buf[n] = '\0';
}

static const char *target_label(const struct program *p)
{
	const char *name = program_target_name(p->target);

	return name ? name : "(own config)";
}

/* "op 2 @31 kprobe { x = kmalloc_nolock(64, __GFP_ZERO) }": the events a trial added to its seed. */
static void describe_trial(const struct found *f, int seed_events, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int e = seed_events; e < f->prog.nevents && n < size; e++) {
		const struct event *ev = &f->prog.events[e];

		char anchor[PROGRAM_FN_LEN + 32];

		program_anchor_print(anchor, sizeof(anchor), ev->anchor, ev->fn, ev->ordinal);
		n += (size_t)snprintf(buf + n, size - n, "%sop %u %s %s", n ? ", " : "", ev->op,
				      anchor, event_kind_name((enum event_kind)ev->kind));
		if (ev->kind == EV_PREEMPT && n < size)
			n += (size_t)snprintf(buf + n, size - n, " cpu%u", ev->cpu);
		for (int j = 0; j < ev->nops && n < size; j++) {
			char op[128];

			op_print(&ev->ops[j], op, sizeof(op));
			n += (size_t)snprintf(buf + n, size - n, "%s%s", j ? "; " : " { ", op);
		}
		if (ev->nops && n < size)
			n += (size_t)snprintf(buf + n, size - n, " }");
	}
	if (!buf[0])
		snprintf(buf, size, "without any injected interrupt");
}

/* Where report r was first found, one line. */
static void found_where(const struct report *r, char *buf, size_t size)
{
	const struct item *it = &items[r->item];
	char trial[512];

	switch (it->type) {
	case IT_SWEEP:
		describe_trial(r->f, inputs[it->input].prog.nevents, trial, sizeof(trial));
		snprintf(buf, size, "%s, handler %s: %s", inputs[it->input].name,
			 verify_handler_name((enum verify_handler)it->handler), trial);
		break;
	case IT_FUZZ:
		snprintf(buf, size, "fuzzing %s_fuzzer: %s", fuzz_target_name(it->target), r->f->input);
		break;
	default:
		snprintf(buf, size, "%s", inputs[it->input].name);
		break;
	}
}

static void died_key(const struct item *it, struct exec_report *key)
{
	memset(key, 0, sizeof(*key));
	snprintf(key->cls, sizeof(key->cls), "worker-died");
	if (it->type == IT_SWEEP)
		snprintf(key->where, sizeof(key->where), "%s handler %s", inputs[it->input].name,
			 verify_handler_name((enum verify_handler)it->handler));
	else if (it->type == IT_FUZZ)
		snprintf(key->where, sizeof(key->where), "fuzzing %s_fuzzer", fuzz_target_name(it->target));
	else
		snprintf(key->where, sizeof(key->where), "%s", inputs[it->input].name);
	if (WIFSIGNALED(it->status))
		snprintf(key->text, sizeof(key->text), "killed by signal %d", WTERMSIG(it->status));
	else
		snprintf(key->text, sizeof(key->text), "exit status %d", WEXITSTATUS(it->status));
}

/*
 * A sweep whose worker died, run again alone with its stderr in a log: the
 * sanitizer's report there (exec.c's hook) ends with the trial's program,
 * which is kept as the reproducer, and its SUMMARY line gives the key, as
 * ci/fuzz.sh reads it: "undefined-behavior in core/internal.h:357:9". Not
 * minimized: every run of that program kills the process that runs it.
 */
struct died_out {
	struct exec_report key;
	char log[4096];
	char text[1 << 16];	/* the trial's program, "" if the log has none */
};

static const char *short_source(const char *path)
{
	static const char *const dirs[] = { "/core/", "/inject/", "/fuzz/" };

	for (int i = 0; i < 3; i++) {
		const char *at = strstr(path, dirs[i]);

		if (at)
			return at + 1;
	}
	return path;
}

static void rerun_died(struct item *it, int n)
{
	struct died_out *out = calloc(1, sizeof(*out));
	char line[1024];
	bool program = false;
	int status;
	size_t len = 0;
	FILE *f;
	pid_t pid;

	if (!out)
		die("out of memory");
	snprintf(out->log, sizeof(out->log), "%s/worker-died-%d.log", cfg.out, n);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(out->log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		size_t ignored;

		/* unbuffered: the process dies without flushing what the hook wrote */
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(126);
		setvbuf(stderr, NULL, _IONBF, 0);
		do_sweep(it, &ignored);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		die("verify: fork: %s", strerror(errno));
	it->out = out;
	f = fopen(out->log, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char tool[64], cls[64], where[512], fn[256] = "";

		if (sscanf(line, "SUMMARY: %63[A-Za-z]: %63s %511s in %255s", tool, cls, where, fn) >= 3 &&
		    !out->key.cls[0]) {
			snprintf(out->key.cls, sizeof(out->key.cls), "%s", cls);
			snprintf(out->key.where, sizeof(out->key.where), "%s%s%s", short_source(where),
				 fn[0] ? " in " : "", fn);
		}
		if (strncmp(line, "reentry: the program, with the trial's events", 45) == 0) {
			program = true;
			continue;
		}
		if (strncmp(line, "reentry: ", 9) == 0)
			program = false;
		if (program && len + strlen(line) < sizeof(out->text)) {
			memcpy(out->text + len, line, strlen(line) + 1);
			len += strlen(line);
		}
	}
	if (f)
		fclose(f);
	if (!out->key.cls[0]) {
		snprintf(out->key.cls, sizeof(out->key.cls), "worker-died");
		snprintf(out->key.where, sizeof(out->key.where), "%s handler %s",
			 inputs[it->input].name, verify_handler_name((enum verify_handler)it->handler));
	}
	if (WIFSIGNALED(it->status))
		snprintf(out->key.text, sizeof(out->key.text), "killed by signal %d", WTERMSIG(it->status));
	else
		snprintf(out->key.text, sizeof(out->key.text), "exit status %d", WEXITSTATUS(it->status));
}

/* Every item's reports, in item order: the first item to find a report names it. */
static void gather(int nitems)
{
	for (int i = 0; i < nitems; i++) {
		const struct item *it = &items[i];
		struct exec_report key;

		if (it->died && it->type == IT_SWEEP && it->out) {
			add_report(&((const struct died_out *)it->out)->key, i, NULL, 1);
			continue;
		}
		if (it->died) {
			died_key(it, &key);
			add_report(&key, i, NULL, 1);
			continue;
		}
		if (it->type == IT_CHECK && !((const struct check_out *)it->out)->ok) {
			memset(&key, 0, sizeof(key));
			snprintf(key.cls, sizeof(key.cls), "regression");
			snprintf(key.where, sizeof(key.where), "%s", inputs[it->input].name);
			snprintf(key.text, sizeof(key.text), "%s", ((const struct check_out *)it->out)->line);
			add_report(&key, i, NULL, 1);
		} else if (it->type == IT_SWEEP) {
			const struct sweep_out *o = it->out;

			for (int k = 0; k < o->nfound; k++)
				add_report(&o->found[k].report, i, &o->found[k], o->found[k].trials);
		} else if (it->type == IT_FUZZ) {
			const struct fuzz_out *o = it->out;

			for (int k = 0; k < o->nfound; k++)
				add_report(&o->found[k].report, i, &o->found[k], 1);
		}
	}
}

/* Did item i find report key? */
static bool item_found(const struct item *it, const struct exec_report *key)
{
	const struct found *found = NULL;
	int n = 0;

	if (it->died || !it->out)
		return false;
	if (it->type == IT_SWEEP) {
		found = ((const struct sweep_out *)it->out)->found;
		n = ((const struct sweep_out *)it->out)->nfound;
	} else if (it->type == IT_FUZZ) {
		found = ((const struct fuzz_out *)it->out)->found;
		n = ((const struct fuzz_out *)it->out)->nfound;
	}
	for (int k = 0; k < n; k++)
		if (same_key(&found[k].report, key))
			return true;
	return false;
}

/* The distinct reports found by the items `want` selects, by class: "deadlock 2, lost-object 1". */
static void classes(int nitems, bool (*want)(const struct item *, int), int arg, char *buf,
		    size_t size)
{
	char seen[64][32];
	int count[64], nseen = 0;
	size_t n = 0;

	for (int r = 0; r < nreports; r++) {
		bool hit = false;
		int c;

		for (int i = 0; i < nitems && !hit; i++)
			hit = want(&items[i], arg) && (item_found(&items[i], &reports[r].key) ||
						       (items[i].died && reports[r].item == i));
		if (!hit)
			continue;
		for (c = 0; c < nseen && strcmp(seen[c], reports[r].key.cls) != 0; c++)
			;
		if (c == nseen && nseen < 64) {
			snprintf(seen[nseen], sizeof(seen[0]), "%s", reports[r].key.cls);
			count[nseen++] = 0;
		}
		if (c < 64)
			count[c]++;
	}
	buf[0] = '\0';
	for (int c = 0; c < nseen && n < size; c++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s %d", c ? ", " : "", seen[c], count[c]);
	if (!nseen)
		snprintf(buf, size, "-");
}

static bool sweep_of_target(const struct item *it, int target)
{
	return it->type == IT_SWEEP && inputs[it->input].prog.target == target;
}

static bool sweep_with_handler(const struct item *it, int handler)
{
	return it->type == IT_SWEEP && it->handler == handler;
}

static bool fuzz_of_target(const struct item *it, int target)
{
	return it->type == IT_FUZZ && it->target == target;
}

/* "every kind", or "nmi,kprobe,preempt" */
static void kinds_text(unsigned int kinds, char *buf, size_t size)
{
	size_t n = 0;

	if (kinds == SWEEP_INTERRUPTS) {
		snprintf(buf, size, "every kind");
		return;
	}
	buf[0] = '\0';
	for (int k = 0; k < EV_NR_INTERRUPTS && n < size; k++)
		if (kinds & (1u << k))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "",
					      event_kind_name((enum event_kind)k));
}

/* The state cache's share (fuzz/state_cache.h): one line, so that a run
 * without the cache prints the same but for it. */
static void print_pruned(int nitems)
{
	unsigned long trials = 0, pruned = 0;

	if (cfg.no_state_cache)
		return;
	for (int i = 0; i < nitems; i++) {
		if (items[i].type != IT_SWEEP || items[i].died)
			continue;
		trials += ((const struct sweep_out *)items[i].out)->trials;
		pruned += ((const struct sweep_out *)items[i].out)->pruned;
	}
	printf("%-14s %lu of %lu trials: the state their injected operation left had a known clean "
	       "future\n", "pruned", pruned, trials);
}

static void print_tables(int nitems)
{
	char by_class[512], kinds[128];
	int checked = 0, failed = 0;

	printf("%-14s %5s %6s %9s %8s  %s\n", "target", "seeds", "sweeps", "trials", "failing",
	       "reports");
	for (int t = 0; t < NR_TARGETS; t++) {
		unsigned long trials = 0, failing = 0;
		int seeds = 0, sweeps = 0;
		const char *label = NULL;

		for (int i = 0; i < ninputs; i++) {
			if (!inputs[i].regression && inputs[i].prog.target == t) {
				seeds++;
				label = target_label(&inputs[i].prog);
			}
		}
		if (!seeds)
			continue;
		for (int i = 0; i < nitems; i++) {
			if (!sweep_of_target(&items[i], t) || items[i].died)
				continue;
			sweeps++;
			trials += ((const struct sweep_out *)items[i].out)->trials;
			failing += ((const struct sweep_out *)items[i].out)->reports;
		}
		classes(nitems, sweep_of_target, t, by_class, sizeof(by_class));
		printf("%-14s %5d %6d %9lu %8lu  %s\n", label, seeds, sweeps, trials, failing, by_class);
	}
	for (int i = 0; i < nitems; i++) {
		if (items[i].type != IT_CHECK)
			continue;
		checked++;
		failed += has_report(&items[i]);
	}
	if (checked)
		printf("%-14s %d checked, %d failed\n", "regressions", checked, failed);

	printf("\n%-14s %-19s %6s %9s %8s  %s\n", "handler", "kinds", "sweeps", "trials", "failing",
	       "reports");
	for (int h = 0; h < NR_VERIFY_HANDLERS; h++) {
		unsigned long trials = 0, failing = 0;
		int sweeps = 0;

		for (int i = 0; i < nitems; i++) {
			if (!sweep_with_handler(&items[i], h) || items[i].died)
				continue;
			sweeps++;
			trials += ((const struct sweep_out *)items[i].out)->trials;
			failing += ((const struct sweep_out *)items[i].out)->reports;
		}
		if (!sweeps)
			continue;
		classes(nitems, sweep_with_handler, h, by_class, sizeof(by_class));
		kinds_text(verify_handler_kinds((enum verify_handler)h), kinds, sizeof(kinds));
		printf("%-14s %-19s %6d %9lu %8lu  %s\n", verify_handler_name((enum verify_handler)h),
		       kinds, sweeps, trials, failing, by_class);
	}
	print_pruned(nitems);

	for (int i = 0, first = 1; i < nitems; i++) {
		const struct fuzz_out *o = items[i].out;

		if (items[i].type != IT_FUZZ)
			continue;
		if (first)
			printf("\n%-14s %14s  %s\n", "fuzz target", "execs", "reports");
		first = 0;
		classes(nitems, fuzz_of_target, items[i].target, by_class, sizeof(by_class));
		if (items[i].died)
			printf("%-14s %14s  %s\n", fuzz_target_name(items[i].target), "?", by_class);
		else if (!o->ran)
			printf("%-14s %14s  did not run: %s\n", fuzz_target_name(items[i].target), "-", o->why);
		else
			printf("%-14s %14lu  %s\n", fuzz_target_name(items[i].target), o->execs, by_class);
	}
}

static void print_reports(const char *bug_options, int nitems)
{
	unsigned long unlisted = 0;

	for (int i = 0; i < nitems; i++)
		if (items[i].type == IT_SWEEP && !items[i].died)
			unlisted += ((const struct sweep_out *)items[i].out)->more;
	printf("\n");
	if (!nreports) {
		printf("verdict  clean: no report\n");
		return;
	}
	printf("verdict  %d distinct report%s\n", nreports, nreports == 1 ? "" : "s");
	if (unlisted)
		printf("note     %lu failing trial%s gave a report past the first %d of %s sweep: not "
		       "listed (verify that seed alone, or fix these first)\n", unlisted,
		       unlisted == 1 ? "" : "s", MAX_FOUND, unlisted == 1 ? "its" : "their");
	for (int r = 0; r < nreports; r++) {
		const struct report *rep = &reports[r];
		const struct item *it = &items[rep->item];
		char where[1024];

		printf("\n[%d] %s in %s\n", r + 1, rep->key.cls, rep->key.where);
		if (it->died && it->out) {
			const struct died_out *d = it->out;

			printf("    found       %s, handler %s: its worker died (%s); the sanitizer's "
			       "report: %s\n", inputs[it->input].name,
			       verify_handler_name((enum verify_handler)it->handler), rep->key.text, d->log);
			if (!rep->name[0]) {
				printf("    reproducer  none: the report has no program (see the log)\n");
				continue;
			}
			printf("    reproducer  %s/%s (the trial, not minimized: it kills the process "
			       "that runs it)\n", cfg.out, rep->name);
			printf("    replay      reentry replay %s/%s\n", cfg.out, rep->name);
			continue;
		}
		if (it->died) {
			printf("    what        the worker process died (%s) in this work item: the "
			       "sanitizer's report on stderr names the trial\n", rep->key.text);
			if (it->type == IT_SWEEP)
				printf("    replay      reentry verify%s %s (the seed alone)\n", bug_options,
				       inputs[it->input].name);
			continue;
		}
		if (it->type == IT_CHECK) {
			printf("    check       %s\n", rep->key.text);
			/* reentry check has no --bug: the patch --bug stands for is verify's */
			printf("    replay      reentry %s%s %s\n", bug_options[0] ? "verify" : "check",
			       bug_options, inputs[it->input].name);
			continue;
		}
		found_where(rep, where, sizeof(where));
		printf("    found       %s\n", where);
		printf("    trials      %lu failing trial%s in %d work item%s\n", rep->trials,
		       rep->trials == 1 ? "" : "s", rep->nitems, rep->nitems == 1 ? "" : "s");
		if (rep->f->binary) {
			printf("    input       %s (%s)\n", rep->f->input, rep->key.text);
			printf("    replay      reentry replay %s\n", rep->f->input);
			continue;
		}
		printf("    reproducer  %s/%s (%s: %d operation%s, %d event%s)%s\n", cfg.out, rep->name,
		       rep->min->minimized ? "minimized" : "not minimized", rep->min->nops,
		       rep->min->nops == 1 ? "" : "s", rep->min->nevents,
		       rep->min->nevents == 1 ? "" : "s",
		       rep->min->killed ? "; minimizing it killed a worker: not replayed"
		       : rep->min->replays ? "" : "; WARNING: it does not replay as this report");
		printf("    replay      reentry replay %s/%s\n", cfg.out, rep->name);
	}
}

/* Save a report's reproducer as DIR/NAME.txt, NAME from its key. */
static void save(struct report *rep, const char *text)
{
	char path[4096];
	FILE *f;

	char base[128];

	file_name(&rep->key, base, sizeof(base));
	/* two keys that read the same as file names: the later one numbered */
	for (int dup = 1;; dup++) {
		bool taken = false;

		if (dup == 1)
			snprintf(rep->name, sizeof(rep->name), "%s.txt", base);
		else
			snprintf(rep->name, sizeof(rep->name), "%s-%d.txt", base, dup);
		for (int o = 0; o < nreports && !taken; o++)
			taken = &reports[o] != rep && strcmp(reports[o].name, rep->name) == 0;
		if (!taken)
			break;
	}
	snprintf(path, sizeof(path), "%s/%s", cfg.out, rep->name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die("verify: %s: %s", path, strerror(errno));
}

/*
 * A report whose minimization killed its worker (a sanitizer error on the
 * way: a removal turned the report into a crash) is still a report: its
 * trial is saved as found, said as it stands (the parent runs no model
 * code, so its anchors stay ordinals), with a note that replaying it may
 * kill reentry too.
 */
static struct minimize_out *unminimized(const struct minimize_in *in)
{
	static char text[1 << 16];
	struct minimize_out *out = calloc(1, sizeof(*out));
	struct program p = in->f.prog;

	if (!out)
		die("out of memory");
	out->key = in->f.report;
	out->killed = true;
	out->nops = p.nops;
	out->nevents = p.nevents;
	snprintf(p.expect, sizeof(p.expect), "%s", out->key.cls);
	program_print(&p, text, sizeof(text));
	snprintf(out->text, sizeof(out->text), "# %s in %s (reentry verify: not minimized from %s: "
		 "minimizing it killed the worker, so its replay may die of a sanitizer error "
		 "too)\n%s", out->key.cls, out->key.where, in->from, text);
	return out;
}

/* The reproducers: minimized by the workers, written here. */
static void save_reproducers(int first)
{
	static struct minimize_in *ins;
	const void **payloads;
	int n = 0;

	for (int r = 0; r < nreports; r++)
		n += reports[r].f && !reports[r].f->binary && !items[reports[r].item].died;
	ins = calloc((size_t)(n ? n : 1), sizeof(*ins));
	payloads = calloc((size_t)(n ? n : 1), sizeof(*payloads));
	if (!ins || !payloads)
		die("out of memory");
	for (int r = 0, k = 0; r < nreports; r++) {
		struct item *it;

		if (!reports[r].f || reports[r].f->binary || items[reports[r].item].died)
			continue;
		ins[k].f = *reports[r].f;
		found_where(&reports[r], ins[k].from, sizeof(ins[k].from));
		it = &items[first + k];
		*it = (struct item){ .type = IT_MINIMIZE, .report = r,
				     .cost = (unsigned long)reports[r].f->prog.nops };
		payloads[k] = &ins[k];
		k++;
	}
	run_items(first, first + n, "minimizing", payloads, sizeof(*ins));
	for (int k = 0; k < n; k++) {
		struct item *it = &items[first + k];

		if (it->died)
			it->out = unminimized(&ins[k]);
		reports[it->report].min = it->out;
		save(&reports[it->report], reports[it->report].min->text);
	}
	/* the trials of dead workers, as their logs gave them */
	for (int r = 0; r < nreports; r++) {
		const struct item *it = &items[reports[r].item];

		if (it->died && it->out && ((const struct died_out *)it->out)->text[0])
			save(&reports[r], ((const struct died_out *)it->out)->text);
	}
	free(payloads);
}

/*
 * The size of a program's sweeps, a guess from its text: trials grow with
 * its boundaries, each trial runs to the end: about boundaries squared. The
 * parent runs no model code (a run may start the sanitizer's symbolizer,
 * whose pipes forked workers would then share), so it cannot count them.
 */
static unsigned long sweep_cost(const struct program *p)
{
	unsigned long b = 1;

	for (int i = 0; i < p->nops; i++) {
		unsigned long w = p->ops[i].kind == OP_WRITE ? 1 :
				  p->ops[i].kind == OP_CACHE_CREATE ||
				  p->ops[i].kind == OP_CACHE_DESTROY ? 300 : 100;

		b += p->config.slub_debug ? 3 * w : w;
	}
	return b * b;
}

int cmd_verify(const struct cli_verb *v, struct cli_args *a)
{
	char path[4096], fuzzers[4096], bugs[512], bug_options[1024] = "", options[512];
	int nitems = 0, cap, status, fuzz_failed = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	cfg.source = a->source ? a->source : REENTRY_SOURCE_DIR;
	cfg.out = a->out ? a->out : "verify-out";
	cfg.depth = a->depth;
	cfg.no_state_cache = a->no_state_cache;
	cfg.fuzz = a->fuzz;
	cfg.bugs = a->bugs;
	snprintf(fuzzers, sizeof(fuzzers), "%s/build/fuzz", cfg.source);
	cfg.fuzzers = a->fuzzers ? a->fuzzers : fuzzers;
	bug_names(a->bugs, ",", bugs, sizeof(bugs));
	bug_names(a->bugs, " --bug ", options, sizeof(options));
	if (options[0])
		snprintf(bug_options, sizeof(bug_options), " --bug %s", options);

	/* what cannot run is said before anything runs */
	for (int t = 0; cfg.fuzz && t < NR_FUZZ_TARGETS; t++) {
		snprintf(path, sizeof(path), "%s/%s_fuzzer", cfg.fuzzers, fuzz_target_name(t));
		if (access(path, X_OK) != 0)
			die("verify: --fuzz: %s: %s (the fuzz preset builds the fuzzers: cmake --workflow "
			    "--preset fuzz; --fuzzers DIR says where they are)", path, strerror(errno));
	}
	if (!a->noperands) {
		static const char *const corpus[] = { "corpus/regressions", "corpus/text" };

		for (int i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/%s", cfg.source, corpus[i]);
			if (access(path, R_OK) != 0)
				die("verify: %s: %s (--source names the project's source directory)", path,
				    strerror(errno));
		}
		for (int i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/%s", cfg.source, corpus[i]);
			add_path(path, corpus[i], true);
		}
	}
	for (int i = 0; i < a->noperands; i++)
		add_path(a->operands[i], a->operands[i], true);
	if (!ninputs)
		die("verify: no program to verify (a directory gives its .txt files)");
	for (int i = 0; i < ninputs; i++) {
		/* --bug stands for a patch: a seed runs with it; a regression's check
		 * keeps it on where it turns the file's own '# bug:' lines off */
		struct cli_args own = *a;

		own.bugs = 0;
		cli_load(v, &own, inputs[i].path, FORM_BY_RULE, &inputs[i].prog);
		inputs[i].regression = inputs[i].prog.expect[0] != '\0';
		if (!inputs[i].regression)
			inputs[i].prog.bugs |= cfg.bugs;
		inputs[i].cost = sweep_cost(&inputs[i].prog);
	}
	mkdirs(cfg.out);

	/* the items: regressions, sweeps, fuzzing; then as many minimizations as reports */
	cap = ninputs * (1 + NR_VERIFY_HANDLERS) + NR_FUZZ_TARGETS;
	items = calloc((size_t)cap * 2 + 1, sizeof(*items));
	if (!items)
		die("out of memory");
	for (int i = 0; i < ninputs; i++)
		if (inputs[i].regression)
			items[nitems++] = (struct item){ .type = IT_CHECK, .input = i,
							 .cost = inputs[i].cost };
	for (int i = 0; i < ninputs; i++) {
		static struct sweep_handler handlers[MAX_OPS];

		for (int h = 0; !inputs[i].regression && h < NR_VERIFY_HANDLERS; h++)
			if (verify_handlers(&inputs[i].prog, (enum verify_handler)h, handlers))
				items[nitems++] = (struct item){ .type = IT_SWEEP, .input = i, .handler = h,
								 .cost = inputs[i].cost * (cfg.depth > 1 ? 100 : 1) };
	}
	for (int t = 0; cfg.fuzz && t < NR_FUZZ_TARGETS; t++)
		items[nitems++] = (struct item){ .type = IT_FUZZ, .target = t, .cost = ULONG_MAX };

	progress_on = isatty(STDERR_FILENO);
	signal(SIGPIPE, SIG_IGN);
	nworkers = (int)(a->jobs ? a->jobs : cores > 0 ? (unsigned long)cores : 1);
	workers = calloc((size_t)nworkers, sizeof(*workers));
	if (!workers)
		die("out of memory");
	for (int w = 0; w < nworkers; w++)
		spawn(&workers[w]);
	run_items(0, nitems, "work items", NULL, 0);
	for (int i = 0; i < nitems; i++)
		if (items[i].died && items[i].type == IT_SWEEP)
			rerun_died(&items[i], i);
	gather(nitems);
	if (nreports > cap)
		die("verify: %d distinct reports: too many to minimize", nreports);
	save_reproducers(nitems);
	stop_workers();

	{
		int seeds = 0, regressions = 0;

		for (int i = 0; i < ninputs; i++) {
			seeds += !inputs[i].regression;
			regressions += inputs[i].regression;
		}
		printf("verify   %d seed%s, %d regression%s; depth %d%s%s\n\n", seeds,
		       seeds == 1 ? "" : "s", regressions, regressions == 1 ? "" : "s", cfg.depth,
		       bugs[0] ? "; bugs " : "", bugs);
	}
	print_tables(nitems);
	print_reports(bug_options, nitems);
	for (int i = 0; i < nitems; i++)
		fuzz_failed += items[i].type == IT_FUZZ && !items[i].died &&
			       !((const struct fuzz_out *)items[i].out)->ran;
	status = fuzz_failed ? 2 : nreports ? 1 : 0;
	fflush(stdout);
	return status;
}
