/*
 * tests/test_heatmap.c — the heatmap's counting (fuzz/heatmap.h): an
 * interrupt is counted once, on the line the trace says it landed; sites are
 * distinct boundaries, not visits; a sweep lands one interrupt per trial;
 * locks are those of the running context, not of the context it
 * interrupted; lock names map to what they are; corpus directories expand
 * sorted. Most need the sanitizer symbolizer (TEST_ASAN).
 */
#include "test.h"

#include "../core/internal.h"
#include "../fuzz/heatmap.h"
#include "../fuzz/sweep.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>	/* not sys/stat.h: core/internal.h has a stat() of its own */

static struct program prog;

static __attribute__((unused)) bool parse(const char *text)
{
	char err[256];

	if (!program_parse(text, &prog, err, sizeof(err))) {
		fprintf(stderr, "parse: %s\n", err);
		return false;
	}
	return true;
}

/* The bit of a lock label in h, -1 if h never saw that lock. */
static __attribute__((unused)) int lock_bit(const struct heatmap *h, const char *label)
{
	for (int i = 0; heatmap_lock_label(h, i); i++)
		if (strcmp(heatmap_lock_label(h, i), label) == 0)
			return i;
	return -1;
}

TEST(heatmap_lock_kind_names_the_models_locks)
{
	struct kmem_cache *s;

	kconfig.nr_cpus = 2;
	kconfig.smp = true;
	boot_world();
	s = kmalloc_slab(64);
	/* the names the model gives its locks at init */
	CHECK(strcmp(heatmap_lock_kind(per_cpu_ptr(s->cpu_slab, 0)->lock.l.name), "per-CPU lock") == 0);
	CHECK(strcmp(heatmap_lock_kind(s->node[0].list_lock.l.name), "list_lock") == 0);
	CHECK(strcmp(heatmap_lock_kind(world->zone.lock.l.name), "zone lock") == 0);
	/* Design B's, and an unknown one keeps its own name */
	CHECK(strcmp(heatmap_lock_kind("&barn->lock"), "barn->lock") == 0);
	CHECK(strcmp(heatmap_lock_kind("&something->else"), "&something->else") == 0);
	return true;
}

TEST(heatmap_inputs_expand_directories_sorted)
{
	char dir[] = "/tmp/reentry-heatmap-XXXXXX", path[256], sub[256], err[256];
	const char *names[] = { "b.bin", "a.txt", ".hidden", "c.bin" };
	char *paths[2], **files;
	int n;

	CHECK(mkdtemp(dir));
	for (int i = 0; i < 4; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "w");
		CHECK(f);
		fclose(f);
	}
	snprintf(sub, sizeof(sub), "%s/subXXXXXX", dir);
	CHECK(mkdtemp(sub));	/* a directory inside: not an input */
	paths[0] = dir;
	paths[1] = dir;		/* given twice: twice */
	n = heatmap_inputs(paths, 2, &files, err, sizeof(err));
	CHECK_EQ(n, 6);
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	CHECK(strcmp(files[0], path) == 0 && strcmp(files[3], path) == 0);
	snprintf(path, sizeof(path), "%s/c.bin", dir);
	CHECK(strcmp(files[2], path) == 0);
	heatmap_inputs_free(files, n);
	paths[0] = sub;		/* an empty directory: no inputs, not an error */
	CHECK_EQ(heatmap_inputs(paths, 1, &files, err, sizeof(err)), 0);
	heatmap_inputs_free(files, 0);
	paths[0] = "/nonexistent/reentry-corpus";
	CHECK_EQ(heatmap_inputs(paths, 1, &files, err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/reentry-corpus"));
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(sub);
	rmdir(dir);
	return true;
}

#ifdef REENTRY_ASAN
/* "fn core/slub.c:412" from the trace line of the first interrupt that fired. */
static bool landed_at(const char *trace, const char *kind, char *fn, char *file, unsigned int *line)
{
	char needle[32];
	const char *p;

	snprintf(needle, sizeof(needle), " %s at ", kind);
	p = strstr(trace, needle);
	return p && sscanf(p + strlen(needle), "%95s %95[^:]:%u", fn, file, line) == 3;
}

/*
 * One NMI in a replay: counted once, as an NMI, on the line and in the
 * function the trace names; nothing else landed. Replaying the input again
 * counts the NMI twice but reaches no new site.
 */
TEST_ASAN(heatmap_counts_an_interrupt_once_where_it_landed)
{
	struct heatmap_options o = { .sweep = false };
	struct heatmap_counts line, fn, total, total2;
	struct exec x = { .tracing = true };
	char name[96], file[96];
	unsigned int at;
	unsigned long runs;
	struct heatmap *h;

	CHECK(parse("cpu0 task: a = kmalloc_nolock(64, 0)\n"
		    "cpu0 task: b = kmalloc_nolock(64, 0)  @3 nmi { x = kmalloc_nolock(64, 0) }\n"));
	CHECK(exec_run(&x, &prog));
	CHECK(landed_at(x.trace, "nmi", name, file, &at));
	exec_free(&x);

	h = heatmap_new(&o);
	CHECK(heatmap_add(h, &prog, "one"));
	heatmap_resolve(h);
	CHECK_EQ(heatmap_unresolved(h), 0);
	CHECK(heatmap_line(h, file, at, &line));
	CHECK_EQ(line.landed[EV_NMI], 1);
	CHECK(line.sites >= 1);
	CHECK(heatmap_function(h, name, &fn));
	CHECK_EQ(fn.landed[EV_NMI], 1);
	heatmap_total(h, &total, &runs);
	CHECK_EQ(runs, 1);
	CHECK_EQ(total.landed[EV_NMI], 1);
	for (int k = 0; k < EV_NR_INTERRUPTS; k++)
		if (k != EV_NMI)
			CHECK_EQ(total.landed[k], 0);
	CHECK(total.contexts & (1u << CTX_NMI));	/* the handler ran in NMI */
	CHECK(!heatmap_line(h, "core/slub.c", 0, &line));

	/* the same input again: the same sites, twice the landings */
	CHECK(heatmap_add(h, &prog, "again"));
	heatmap_resolve(h);
	heatmap_total(h, &total2, &runs);
	CHECK_EQ(runs, 2);
	CHECK_EQ(total2.sites, total.sites);
	CHECK_EQ(total2.landed[EV_NMI], 2);
	CHECK(heatmap_line(h, file, at, &line));
	CHECK_EQ(line.landed[EV_NMI], 2);
	heatmap_free(h);
	return true;
}

/*
 * Two kmalloc_nolock()s swept with NMIs at depth, by sweep_run() (r) and by
 * a heatmap (returned, with what it added up); NULL if either fails.
 */
static struct heatmap *nmi_sweep(int depth, struct sweep_result *r, struct heatmap_counts *total,
				 unsigned long *runs)
{
	static struct program holder;
	struct heatmap_options o = { .sweep = true, .depth = depth, .kinds = 1u << EV_NMI };
	struct sweep_options so = { .kinds = 1u << EV_NMI, .depth = depth };
	struct heatmap *h;
	char err[256];

	if (!program_parse("cpu0 task: irq_work()  @1 nmi { p = kmalloc_nolock(64, 0) }\n", &holder,
			   err, sizeof(err)) ||
	    !parse("cpu0 task: a = kmalloc_nolock(64, 0)\n"
		   "cpu0 task: b = kmalloc_nolock(64, 0)\n"))
		return NULL;
	o.handler = so.handler = holder.events[0].ops;
	o.nhandler = so.nhandler = holder.events[0].nops;
	sweep_run(&prog, &so, r);
	h = heatmap_new(&o);
	if (!heatmap_add(h, &prog, "sweep")) {
		heatmap_free(h);
		return NULL;
	}
	heatmap_resolve(h);
	heatmap_total(h, total, runs);
	return h;
}

/*
 * A sweep of NMIs over one kmalloc_nolock(): every trial lands exactly one
 * NMI (the program has no schedule of its own), so the landings add up to
 * the trials, and every site of the task's fast path was interrupted.
 */
TEST_ASAN(heatmap_sweep_lands_one_interrupt_per_trial)
{
	struct sweep_result r;
	struct heatmap_counts total, fn;
	unsigned long runs;
	struct heatmap *h = nmi_sweep(1, &r, &total, &runs);

	CHECK(h);
	CHECK(r.trials > 10);
	CHECK_EQ(r.reports, 0);
	CHECK_EQ(runs, 1 + r.trials);
	CHECK_EQ(total.landed[EV_NMI], r.trials);
	CHECK_EQ(total.landed[EV_HARDIRQ] + total.landed[EV_KPROBE], 0);
	/* the second op takes the lockless fast path: interrupted there */
	CHECK(heatmap_function(h, "update_cpu_freelist_fast_inner", &fn));
	CHECK(fn.sites >= 1 && fn.landed[EV_NMI] >= fn.sites);
	heatmap_free(h);
	return true;
}

/* At depth 2 a trial lands two interrupts, each counted where it landed —
 * or one, when the first changed the operation's path so that it never
 * reaches the boundary the second was for (it was placed by the reference
 * run's count). */
TEST_ASAN(heatmap_sweep_at_depth_2_lands_up_to_two_interrupts_per_trial)
{
	struct sweep_result r;
	struct heatmap_counts total;
	unsigned long runs;
	struct heatmap *h = nmi_sweep(2, &r, &total, &runs);

	CHECK(h);
	CHECK(r.trials > 100);
	CHECK_EQ(r.reports, 0);
	CHECK_EQ(runs, 1 + r.trials);
	CHECK(total.landed[EV_NMI] > r.trials + r.trials / 2);
	CHECK(total.landed[EV_NMI] <= 2 * r.trials);
	heatmap_free(h);
	return true;
}

/*
 * Locks are the running context's: the task allocates holding a raw
 * spinlock (a raw_spin section) and an NMI frees on top of it. The task's
 * lines are marked with that lock; kfree_nolock(), which only the NMI ran,
 * is not: the NMI holds nothing. The slow path of a kmalloc() marks the
 * per-CPU lock where it holds it and not in kmalloc_slab().
 */
TEST_ASAN(heatmap_marks_the_locks_of_the_running_context)
{
	struct heatmap_options o = { .sweep = false };
	struct heatmap_counts c;
	struct heatmap *h;
	int raw, percpu;

	CHECK(parse("cpu0 task: a = kmalloc_nolock(64, 0)\n"
		    "cpu0 task: z = kmalloc(96, GFP_KERNEL)\n"
		    "cpu0 raw_spin: b = kmalloc_nolock(64, 0)  @2 nmi { kfree_nolock(a) }\n"));
	h = heatmap_new(&o);
	CHECK(heatmap_add(h, &prog, "locks"));
	heatmap_resolve(h);
	raw = lock_bit(h, "caller's raw_spinlock");
	percpu = lock_bit(h, "per-CPU lock");
	CHECK(raw >= 0 && percpu >= 0);

	CHECK(heatmap_function(h, "update_cpu_freelist_fast_inner", &c));
	CHECK(c.locks & (1u << raw));
	CHECK(heatmap_function(h, "kfree_nolock", &c));
	CHECK_EQ(c.landed[EV_NMI], 0);
	CHECK_EQ(c.locks, 0);
	CHECK_EQ(c.contexts, 1u << CTX_NMI);
	CHECK(heatmap_function(h, "local_unlock_cpu_slab", &c));
	CHECK(c.locks & (1u << percpu));
	CHECK(heatmap_function(h, "kmalloc_slab", &c));
	CHECK(!(c.locks & (1u << percpu)));
	heatmap_free(h);
	return true;
}
#endif
