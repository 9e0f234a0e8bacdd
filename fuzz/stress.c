/*
 * fuzz/stress.c — `reentry-stress` (run as `reentry stress ...`): the
 * signal-storm stress test on the real-thread backend (inject/threaded.c).
 *
 *   reentry stress [--cpus N] [--seconds S] [--signal-rate HZ]
 *                  [--kinds hardirq,nmi,kprobe] [--check-ms MS]
 *                  [--config ITEMS] [--bug NAME]... [--seed S]
 *                  [--stuck-seconds S]
 *
 * Every CPU is a thread running seeded random traffic in task context:
 * kmalloc/kfree, kmalloc_nolock/kfree_nolock, irqs-off and preempt-off
 * sections, and cross-CPU frees (objects handed between CPUs through a
 * shared exchange of atomic slots). The main thread is the interrupt
 * controller: it sends hardirq-, NMI- and kprobe-kind signals to random CPU
 * threads at --signal-rate per second in all; each handler runs
 * kmalloc_nolock/kfree_nolock (freeing objects others allocated, too).
 *
 * The oracle (its checks are fuzz/oracle.c's, done with atomics so that
 * handlers can run them):
 *   an allocation returns the start of an object of a large enough kmalloc
 *   cache that no one else holds (a map of live objects, one atomic slot per
 *   8 bytes of the arena: double-alloc otherwise); __GFP_ZERO objects are
 *   zero (not-zeroed); a live object keeps the pattern written at allocation
 *   until it is freed (corrupt-free);
 *   at quiescent points — every --check-ms the world stops: each CPU thread
 *   masks the interrupt signals, runs its pending irq_work and parks at a
 *   barrier — the validators pass and each cache's census of allocated
 *   objects equals what the harness holds (lost-object); at the end, with
 *   everything freed and every CPU's deferred work run, nothing is allocated.
 *   The backend reports deadlocks, lockdep and context errors, WARN and BUG.
 *
 * A run never hangs: a report blocks the interrupt signals on its thread
 * before anything else and ends the process; a watchdog thread ends a run
 * that stops making progress (see "the watchdog" below).
 *
 * Exit codes: 0 clean, 1 a report, 2 usage, 3 stuck (the watchdog ended a
 * run that made no progress: a livelock the backend does not detect, or a
 * bug of this harness). The seed fixes each CPU's operations and the
 * interrupt controller's choices; thread and signal timing are the OS's, so
 * a report is not reproducible by its seed alone. Wall clock (--seconds, the
 * signal rate, progress lines, the watchdog) is used only by this tool: it
 * is outside the deterministic simulated machine.
 */
#define _GNU_SOURCE
#include "program.h"

#include "../core/bugs.h"
#include "../core/prandom.h"
#include "../core/slab.h"
#include "../inject/threaded.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OWN_MAX 48		/* objects a CPU's task holds at most */
#define EXCHANGE_SLOTS 64	/* objects in flight between CPUs */
#define MAX_SIZE 512		/* largest request (kmalloc-512) */
#define NR_BUCKETS 16
#define NR_REASONS (NOLOCK_UNSUPPORTED + 1)
#define ARENA_PAGES 2048	/* 8 MiB: far more than OWN_MAX·cpus + EXCHANGE_SLOTS objects need */
/* No progress for this long is stuck: longer than a CPU may spin on another
 * CPU's lock before it reports a deadlock itself. */
#define STUCK_S_DEFAULT (THREADED_SPIN_LIMIT_S + 15)
#define REPORT_GRACE_S 10	/* a report begun this long ago has failed to end the process */
#define EXIT_STUCK 3

/* ---- options ---- */

static struct {
	int cpus;
	double seconds;
	double rate;
	unsigned kinds;		/* 1 << enum irq_kind */
	int check_ms;
	uint64_t seed;
	uint64_t bugs;
	struct program_config cfg;
	char config_text[256];
	double stuck_s;
	int wedge_cpu;		/* testing the watchdog: this CPU hangs (-1: none) */
} opt = { .cpus = 4, .seconds = 5, .rate = 20000, .kinds = 7, .check_ms = 250,
	  .stuck_s = STUCK_S_DEFAULT, .wedge_cpu = -1 };

_Noreturn static void usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn static void usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "reentry stress: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static double parse_number(const char *name, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi)
		usage("%s: '%s' is not a number in %g..%g", name, s, lo, hi);
	return v;
}

static unsigned parse_kinds(const char *s)
{
	unsigned mask = 0;
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int k;

		for (k = 0; k < NR_IRQ_KINDS; k++)
			if (strcasecmp(tok, irq_kind_name(k)) == 0)
				break;
		if (k == NR_IRQ_KINDS)
			usage("--kinds: unknown kind '%s' (hardirq, nmi, kprobe)", tok);
		mask |= 1u << k;
	}
	if (!mask)
		usage("--kinds: no kind given");
	return mask;
}

/* What --config may ask of the real-thread backend (the simulated machine
 * runs every configuration). */
static const char supported_configs[] =
	"runs design=cpu_slab on SMP, !PREEMPT_RT kernels without memcg (not design=sheaves, "
	"up, preempt_rt or memcg: the simulated machine runs those, e.g. reentry replay "
	"--config); of the config items it takes rule=, slab_objects=, slub_debug=, slub_tiny, "
	"lockdep, no_cpu_partial, no_cmpxchg128 and shuffle; --cpus sets the CPUs";

static void parse_args(int argc, char **argv)
{
	bool seeded = false;
	char err[256];

	static struct program defaults;

	program_decode(NULL, 0, &defaults);
	opt.cfg = defaults.config;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			printf("usage: reentry stress [--cpus N] [--seconds S] [--signal-rate HZ] "
			       "[--kinds hardirq,nmi,kprobe] [--check-ms MS] [--config ITEMS] "
			       "[--bug NAME]... [--seed S] [--stuck-seconds S]\n"
			       "  --stuck-seconds S    end a run whose main thread makes no progress for S s,\n"
			       "                       or that outlives --seconds by 2·S, with exit status 3\n"
			       "                       (default %d; below %d a CPU waiting out a cross-CPU\n"
			       "                       deadlock is taken for stuck)\n"
			       "  --test-wedge-cpu N   testing the watchdog: CPU N's thread hangs after its\n"
			       "                       first operation\n"
			       "The real-thread backend %s.\n"
			       "exit status: 0 clean, 1 a report, 2 usage, 3 stuck\n",
			       STUCK_S_DEFAULT, THREADED_SPIN_LIMIT_S, supported_configs);
			exit(0);
		}
		if (!v)
			usage("%s: missing value (see --help)", a);
		i++;
		if (strcmp(a, "--cpus") == 0) {
			opt.cpus = (int)parse_number(a, v, 1, NR_CPUS);
		} else if (strcmp(a, "--seconds") == 0) {
			opt.seconds = parse_number(a, v, 0.001, 1e6);
		} else if (strcmp(a, "--signal-rate") == 0) {
			opt.rate = parse_number(a, v, 0, 1e7);
		} else if (strcmp(a, "--kinds") == 0) {
			opt.kinds = parse_kinds(v);
		} else if (strcmp(a, "--check-ms") == 0) {
			opt.check_ms = (int)parse_number(a, v, 1, 1e7);
		} else if (strcmp(a, "--stuck-seconds") == 0) {
			opt.stuck_s = parse_number(a, v, 1, 1e6);
		} else if (strcmp(a, "--test-wedge-cpu") == 0) {
			opt.wedge_cpu = (int)parse_number(a, v, 0, NR_CPUS - 1);
		} else if (strcmp(a, "--seed") == 0) {
			char *end;

			errno = 0;
			opt.seed = strtoull(v, &end, 0);
			if (errno || end == v || *end)
				usage("--seed: '%s' is not a number", v);
			seeded = true;
		} else if (strcmp(a, "--bug") == 0) {
			int b = bug_lookup(v);

			if (b < 0)
				usage("no historical bug named '%s' (see: reentry bugs)", v);
			opt.bugs |= 1ull << b;
		} else if (strcmp(a, "--config") == 0) {
			if (!program_config_parse(v, &opt.cfg, err, sizeof(err)))
				usage("--config: %s", err);
			snprintf(opt.config_text, sizeof(opt.config_text), "%s", v);
		} else {
			usage("unknown option '%s' (see --help)", a);
		}
	}
	if (opt.cfg.design != DESIGN_CPU_SLAB || opt.cfg.up || opt.cfg.preempt_rt || opt.cfg.memcg)
		usage("--config: %s is not run by the real-thread backend, which %s",
		      opt.cfg.design != DESIGN_CPU_SLAB ? "design=sheaves" : opt.cfg.up ? "up" :
		      opt.cfg.preempt_rt ? "preempt_rt" : "memcg", supported_configs);
	if (opt.wedge_cpu >= opt.cpus)
		usage("--test-wedge-cpu: %d is not one of the %d CPUs", opt.wedge_cpu, opt.cpus);
	/* Outside the deterministic machine: an unseeded run draws its seed
	 * from the clock, and prints it. */
	if (!seeded)
		opt.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}

/* The program_config → kconfig mapping of fuzz/exec.c, for one world. */
static void apply_config(void)
{
	const struct program_config *c = &opt.cfg;

	program_config_apply(c, &kconfig);
	/* this backend: --cpus (not the config's cpus=), SMP, !RT, no memcg
	 * (parse_args() refused a config that asks otherwise) */
	kconfig.nr_cpus = opt.cpus;
	kconfig.smp = true;
	kconfig.preempt_rt = false;
	kconfig.memcg = false;
	kconfig.bugs = opt.bugs;
	kconfig.arena_pages = ARENA_PAGES;
}

/* ---- reports ---- */

static int reported;	/* a report is under way: the process is about to end */
static __thread bool reporting;	/* this thread writes one */
static int in_check;	/* the main thread runs a quiescent check */

static void config_line(char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "cpus=%d signal-rate=%g kinds=", opt.cpus, opt.rate);

	for (int k = 0; k < NR_IRQ_KINDS && n < size; k++)
		if (opt.kinds & (1u << k))
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
					      (opt.kinds & ((1u << k) - 1)) ? "," : "", irq_kind_name(k));
	if (opt.config_text[0] && n < size)
		n += (size_t)snprintf(buf + n, size - n, " config='%s'", opt.config_text);
	for (int b = 0; b < NR_SLAB_BUGS && n < size; b++)
		if (opt.bugs & (1ull << b))
			n += (size_t)snprintf(buf + n, size - n, " bug=%s", slab_bugs[b].name);
}

static pthread_t main_thread;

/*
 * The first report wins and ends the process; the others wait for it. Each
 * blocks the interrupt signals on its thread first (threaded.c's report()
 * has, fail() has not): a handler that ran while this thread reports would
 * report too, find the report under way and wait, forever, for the thread it
 * interrupted. So a waiting reporter is always on another thread than the
 * winner, and a report inside a report has no one to wait for.
 */
static void stress_report(const char *cls, const char *text)
{
	static const char nested[] = "reentry: stress: a report failed while it was written\n";
	char where[400], cfg[300], buf[2048];
	int n;

	threaded_mask_signals(true);
	if (reporting) {
		if (write(2, nested, sizeof(nested) - 1) < 0)
			_exit(1);
		_exit(1);
	}
	reporting = true;
	if (__atomic_exchange_n(&reported, 1, __ATOMIC_ACQ_REL))
		for (;;)
			pause();	/* until the winner's _exit() (or the watchdog's) */
	if (__atomic_load_n(&in_check, __ATOMIC_RELAXED) && pthread_equal(pthread_self(), main_thread))
		snprintf(where, sizeof(where), "quiescent check: every CPU parked, its irq_work run");
	else
		threaded_describe(where, sizeof(where));
	config_line(cfg, sizeof(cfg));
	n = snprintf(buf, sizeof(buf),
		     "==================================================================\n"
		     "BUG: reentry-stress: %s\n"
		     "%s\n"
		     "where   %s\n"
		     "config  %s\n"
		     "seed    %llu (the interleaving is the OS's: rerun with the seed to stress the same traffic)\n"
		     "==================================================================\n"
		     "reentry: %s in stress\n",
		     cls, text, where, cfg, (unsigned long long)opt.seed, cls);
	fflush(stdout);
	if (write(2, buf, (size_t)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1)) < 0)
		_exit(1);
	_exit(1);
}

_Noreturn static void fail(const char *cls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn static void fail(const char *cls, const char *fmt, ...)
{
	char text[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	stress_report(cls, text);
	_exit(1);
}

/* ---- the shadow of live objects ---- */

static char *arena_base;
static size_t arena_bytes;
static uint16_t *live_size;	/* per 8 arena bytes: the size a live object was asked with */
static struct kmem_cache *buckets[NR_BUCKETS];
static int nr_buckets;
static long live_per_bucket[NR_BUCKETS];

static uint16_t *live_slot(const void *p)
{
	return &live_size[((const char *)p - arena_base) >> 3];
}

static int bucket_of(const struct kmem_cache *s)
{
	for (int i = 0; i < nr_buckets; i++)
		if (buckets[i] == s)
			return i;
	return -1;
}

static unsigned char pattern_of(const void *p)
{
	return (unsigned char)((((uintptr_t)p >> 3) * 131u + 7u) | 1u);
}

/* A returned object: checked, marked live, patterned. */
static void track_alloc(void *p, size_t size, bool zero, const char *api)
{
	char what[96];
	struct kmem_cache *s;
	int b;

	if (!arena_contains(p) || kmem_object_index(p) < 0 || !(s = virt_to_cache(p)) ||
	    kmem_cache_object_size(s) < size || (b = bucket_of(s)) < 0)
		fail("bad-object", "%s(%zu) returned %p, not the start of a large enough kmalloc object",
		     api, size, p);
	if (__atomic_exchange_n(live_slot(p), (uint16_t)size, __ATOMIC_ACQ_REL)) {
		describe_object(p, what, sizeof(what));
		fail("double-alloc", "%s(%zu) returned %s, already live", api, size, what);
	}
	__atomic_fetch_add(&live_per_bucket[b], 1, __ATOMIC_RELAXED);
	if (zero) {
		for (size_t i = 0; i < size; i++)
			if (((unsigned char *)p)[i]) {
				describe_object(p, what, sizeof(what));
				fail("not-zeroed", "%s(%zu, __GFP_ZERO) returned %s with byte %zu = %#x",
				     api, size, what, i, ((unsigned char *)p)[i]);
			}
	}
	memset(p, pattern_of(p), size);
}

/* Before a free: the pattern is intact; the object stops being live. */
static void track_free(void *p, const char *api)
{
	uint16_t size = __atomic_load_n(live_slot(p), __ATOMIC_ACQUIRE);
	unsigned char want = pattern_of(p);
	char what[96];

	for (unsigned i = 0; i < size; i++)
		if (((unsigned char *)p)[i] != want) {
			describe_object(p, what, sizeof(what));
			fail("corrupt-free", "%s(%s): byte %u of the live object is %#x, not the pattern %#x: the allocator wrote into live memory",
			     api, what, i, ((unsigned char *)p)[i], want);
		}
	if (__atomic_exchange_n(live_slot(p), 0, __ATOMIC_ACQ_REL) != size || size == 0)
		fail("harness", "%s(%p): the stress harness freed an object it did not hold", api, p);
	__atomic_fetch_sub(&live_per_bucket[bucket_of(virt_to_cache(p))], 1, __ATOMIC_RELAXED);
}

/* ---- the exchange: objects handed between CPUs and contexts ---- */

/* Slot values: the object's address | 1 if kmalloc_nolock() allocated it
 * (only those may go to kfree_nolock()). */
static uintptr_t exchange[EXCHANGE_SLOTS];

static bool exchange_put(void *p, bool nolock, uint64_t r)
{
	uintptr_t v = (uintptr_t)p | nolock;

	for (int i = 0; i < 8; i++) {
		uintptr_t empty = 0;

		if (__atomic_compare_exchange_n(&exchange[(r + i) % EXCHANGE_SLOTS], &empty, v, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/* Take an object (only a nolock one if nolock_only). */
static void *exchange_take(bool nolock_only, bool *nolock, uint64_t r)
{
	for (int i = 0; i < 8; i++) {
		uintptr_t *slot = &exchange[(r + i) % EXCHANGE_SLOTS];
		uintptr_t v = __atomic_load_n(slot, __ATOMIC_RELAXED);

		if (!v || (nolock_only && !(v & 1)))
			continue;
		if (__atomic_compare_exchange_n(slot, &v, 0, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			*nolock = v & 1;
			return (void *)(v & ~(uintptr_t)1);
		}
	}
	return NULL;
}

/* ---- CPUs ---- */

struct owned {
	void *p;
	bool nolock;
};

struct worker {
	uint64_t rng;
	uint64_t irq_rng[8];		/* one per context depth: nested handlers */
	struct owned own[OWN_MAX];
	int nown;
	pthread_t thread;
	/* relaxed atomics: written by the CPU and its handlers, read by main */
	unsigned long ops;
	unsigned long irq_ops;
	unsigned long nolock_null[NR_REASONS];
	unsigned long kmalloc_null;
	int parked, ended;	/* at the stop-the-world barrier; its thread returned */
} __attribute__((aligned(64)));

static struct worker workers[NR_CPUS];
static int stop_flag, stw_request;
static pthread_barrier_t stw_in, stw_out;
static __thread struct worker *me;

#define bump(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)

static size_t pick_size(uint64_t r)
{
	/* Half the traffic on kmalloc-64 (contention on one bucket), the rest anywhere. */
	return r & 1 ? 64 : 1 + (r >> 1) % MAX_SIZE;
}

static void *do_kmalloc_nolock(uint64_t r)
{
	size_t size = pick_size(r);
	gfp_t gfp = (r >> 20) % 4 == 0 ? __GFP_ZERO : 0;
	enum nolock_fail why;
	void *p = kmalloc_nolock_why(size, gfp, NUMA_NO_NODE, &why);

	if (!p) {
		bump(me->nolock_null[why < NR_REASONS ? why : 0]);
		return NULL;
	}
	track_alloc(p, size, gfp & __GFP_ZERO, "kmalloc_nolock");
	return p;
}

static void *do_kmalloc(uint64_t r, gfp_t gfp)
{
	size_t size = pick_size(r);
	void *p;

	if ((r >> 20) % 4 == 0)
		gfp |= __GFP_ZERO;
	p = kmalloc(size, gfp);
	if (!p) {
		bump(me->kmalloc_null);
		return NULL;
	}
	track_alloc(p, size, gfp & __GFP_ZERO, "kmalloc");
	return p;
}

static void free_object(void *p, bool nolock, bool use_nolock)
{
	if (nolock && use_nolock) {
		track_free(p, "kfree_nolock");
		kfree_nolock(p);
	} else {
		track_free(p, "kfree");
		kfree(p);
	}
}

/* What an interrupt runs: kmalloc_nolock/kfree_nolock, as a BPF program would. */
static void irq_handler(enum irq_kind kind)
{
	int d = threaded_depth();
	uint64_t *rng = &me->irq_rng[d < 8 ? d : 7];
	int n = 1 + (int)(splitmix64(rng) % 2);

	(void)kind;
	for (int i = 0; i < n; i++) {
		uint64_t r = splitmix64(rng);
		void *p;
		bool nl;

		switch (r % 3) {
		case 0:	/* allocate and free at once */
			if ((p = do_kmalloc_nolock(r >> 8)))
				free_object(p, true, true);
			break;
		case 1:	/* allocate for someone else to free */
			if ((p = do_kmalloc_nolock(r >> 8)) && !exchange_put(p, true, r >> 40))
				free_object(p, true, true);
			break;
		default: /* free what another CPU or context allocated */
			if ((p = exchange_take(true, &nl, r >> 40)))
				free_object(p, true, true);
			break;
		}
		bump(me->irq_ops);
	}
}

static void own_add(void *p, bool nolock)
{
	me->own[me->nown++] = (struct owned){ p, nolock };
}

static struct owned own_take(uint64_t r)
{
	int i = (int)(r % (uint64_t)me->nown);
	struct owned o = me->own[i];

	me->own[i] = me->own[--me->nown];
	return o;
}

/* A few operations with irqs (or preemption) off: nolock ones and GFP_ATOMIC. */
static void atomic_section_ops(void)
{
	int n = 1 + (int)(splitmix64(&me->rng) % 3);

	for (int i = 0; i < n; i++) {
		uint64_t r = splitmix64(&me->rng);
		void *p;

		if (r % 3 == 0 && me->nown > 0) {
			struct owned o = own_take(r >> 8);

			free_object(o.p, o.nolock, (r >> 4) & 1);
		} else if (me->nown < OWN_MAX) {
			p = r % 3 == 1 ? do_kmalloc_nolock(r >> 8) : do_kmalloc(r >> 8, GFP_ATOMIC);
			if (p)
				own_add(p, r % 3 == 1);
		}
	}
}

static void task_op(void)
{
	uint64_t r = splitmix64(&me->rng);
	unsigned k = r % 100;
	void *p;
	bool nl;

	r >>= 8;
	if (k < 40 && me->nown < OWN_MAX) {
		bool nolock = r % 3 == 0;

		p = nolock ? do_kmalloc_nolock(r >> 2) : do_kmalloc(r >> 2, r % 3 == 1 ? GFP_KERNEL : GFP_ATOMIC);
		if (p)
			own_add(p, nolock);
	} else if (k < 70 && me->nown > 0) {
		struct owned o = own_take(r);

		free_object(o.p, o.nolock, (r >> 32) & 1);
	} else if (k < 80 && me->nown > 0) {
		struct owned o = own_take(r);

		if (!exchange_put(o.p, o.nolock, r >> 16))
			free_object(o.p, o.nolock, false);
	} else if (k < 90) {
		if ((p = exchange_take(false, &nl, r)))	/* usually a remote free */
			free_object(p, nl, (r >> 32) & 1);
	} else if (k < 95) {
		unsigned long flags;

		local_irq_save(flags);
		atomic_section_ops();
		local_irq_restore(flags);
	} else {
		preempt_disable();
		atomic_section_ops();
		preempt_enable();
	}
	bump(me->ops);
}

static void park(void)
{
	threaded_mask_signals(true);
	threaded_poll();
	__atomic_store_n(&me->parked, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&stw_in);
	pthread_barrier_wait(&stw_out);
	__atomic_store_n(&me->parked, 0, __ATOMIC_RELAXED);
	threaded_mask_signals(false);
}

/* --test-wedge-cpu: this CPU stops taking part, as a CPU stuck in a
 * livelock would; only the watchdog can end the run. */
_Noreturn static void wedge(void)
{
	task_op();
	threaded_mask_signals(true);
	for (;;)
		pause();
}

static void *cpu_thread(void *arg)
{
	int cpu = (int)(intptr_t)arg;

	me = &workers[cpu];
	threaded_bind(cpu);
	threaded_mask_signals(false);
	if (cpu == opt.wedge_cpu)
		wedge();
	while (!__atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&stw_request, __ATOMIC_ACQUIRE))
			park();
		task_op();
		threaded_poll();
	}
	/* Wind up: no more interrupts here; main frees what this CPU holds. */
	threaded_mask_signals(true);
	threaded_poll();
	threaded_bind(-1);
	__atomic_store_n(&me->ended, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* ---- quiescent checks ---- */

static bool final_check;

static void census_each(struct kmem_cache *s, const struct cache_census *c, void *arg)
{
	int b = bucket_of(s);
	long held = b >= 0 ? __atomic_load_n(&live_per_bucket[b], __ATOMIC_RELAXED) : 0;

	(void)arg;
	if ((long)c->allocated != held)
		fail("lost-object", "%s: the census counts %lu allocated objects (%lu slabs, %lu free, %lu deferred), the CPUs and the exchange hold %ld%s",
		     kmem_cache_name(s), c->allocated, c->slabs, c->free, c->deferred, held,
		     final_check ? " (at the end, everything freed and drained)" : "");
}

/* The world is stopped (or the CPU threads are gone): act as CPU 0. */
static void validate_world(void)
{
	threaded_bind(0);
	__atomic_store_n(&in_check, 1, __ATOMIC_RELAXED);
	if (!validate_all_census(census_each, NULL))
		fail(invariant_class(validate_invariant()), "validator: %s", validate_error());
	__atomic_store_n(&in_check, 0, __ATOMIC_RELAXED);
	threaded_bind(-1);
}

static unsigned long checks;

static void step(const char *what, int cpu);

static void stop_the_world_check(void)
{
	step("a quiescent check, waiting for every CPU to park", -1);
	__atomic_store_n(&stw_request, 1, __ATOMIC_RELEASE);
	pthread_barrier_wait(&stw_in);
	__atomic_store_n(&stw_request, 0, __ATOMIC_RELEASE);
	step("a quiescent check, validating", -1);
	validate_world();
	checks++;
	pthread_barrier_wait(&stw_out);
	step("sending signals", -1);
}

/* After the CPU threads ended: free everything as its CPU would, drain. */
static void free_everything(void)
{
	bool nl, more = true;
	void *p;

	for (int cpu = 0; cpu < opt.cpus; cpu++) {
		me = &workers[cpu];
		threaded_bind(cpu);
		while (me->nown > 0) {
			struct owned o = own_take(0);

			free_object(o.p, o.nolock, false);
		}
		if (cpu == 0)
			for (int i = 0; i < EXCHANGE_SLOTS; i++)
				if ((p = exchange_take(false, &nl, (uint64_t)i)))
					free_object(p, nl, false);
	}
	while (more) {
		more = false;
		for (int cpu = 0; cpu < opt.cpus; cpu++) {
			threaded_bind(cpu);
			threaded_poll();
		}
		for (int cpu = 0; cpu < opt.cpus; cpu++)
			more |= threaded_irq_work_pending(cpu);
	}
	threaded_bind(-1);
	me = NULL;
}

/* ---- the watchdog ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * A stress run ends with a verdict, never a hang: a hung CI job loses every
 * result. The watchdog is a thread that only watches (its interrupt signals
 * blocked; it reads counters, never the model). Once a second it looks at
 * the main thread's heartbeat and ends the process, exit status 3 and a line
 * "reentry: stress: stuck: ..." saying where, when
 *   - the main thread made no progress for --stuck-seconds: a CPU that never
 *     parks for a quiescent check, a CPU thread that never ends, a drain that
 *     never empties (a CPU spinning on another's lock reports a deadlock
 *     itself after THREADED_SPIN_LIMIT_S, so the default waits longer);
 *   - the run outlived --seconds by twice --stuck-seconds;
 *   - a report began REPORT_GRACE_S seconds ago and the process still runs.
 * Its clock only decides to give up: nothing it reads reaches a verdict.
 */
static unsigned long heartbeat;		/* the main thread: one more at each step */
static const char *phase = "starting";	/* what the main thread does */
static int phase_cpu = -1;		/* and on which CPU, if on one */

static void step(const char *what, int cpu)
{
	__atomic_store_n(&phase, what, __ATOMIC_RELAXED);
	__atomic_store_n(&phase_cpu, cpu, __ATOMIC_RELAXED);
	__atomic_fetch_add(&heartbeat, 1, __ATOMIC_RELAXED);
}

struct cpu_progress {
	unsigned long ops, irq_ops;
};

static void progress_of(struct cpu_progress *p)
{
	for (int cpu = 0; cpu < opt.cpus; cpu++) {
		p[cpu].ops = __atomic_load_n(&workers[cpu].ops, __ATOMIC_RELAXED);
		p[cpu].irq_ops = __atomic_load_n(&workers[cpu].irq_ops, __ATOMIC_RELAXED);
	}
}

/* Where each CPU is, against what it had done when the main thread last moved. */
static size_t describe_cpus(char *buf, size_t size, const struct cpu_progress *then)
{
	struct cpu_progress now[NR_CPUS];
	size_t n = 0;

	progress_of(now);
	for (int cpu = 0; cpu < opt.cpus && n < size; cpu++) {
		const struct worker *w = &workers[cpu];

		if (__atomic_load_n(&w->ended, __ATOMIC_RELAXED))
			n += (size_t)snprintf(buf + n, size - n, "; cpu%d ended", cpu);
		else if (__atomic_load_n(&w->parked, __ATOMIC_RELAXED))
			n += (size_t)snprintf(buf + n, size - n, "; cpu%d parked", cpu);
		else if (now[cpu].ops == then[cpu].ops && now[cpu].irq_ops == then[cpu].irq_ops)
			n += (size_t)snprintf(buf + n, size - n,
					      "; cpu%d has not finished an operation since", cpu);
		else
			n += (size_t)snprintf(buf + n, size - n,
					      "; cpu%d running (%lu task ops, %lu handler ops since)", cpu,
					      now[cpu].ops - then[cpu].ops, now[cpu].irq_ops - then[cpu].irq_ops);
	}
	return n < size ? n : size - 1;
}

_Noreturn static void stuck(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn static void stuck(const char *fmt, ...)
{
	char buf[2048];
	size_t n = 0;
	va_list ap;

	n += (size_t)snprintf(buf, sizeof(buf), "reentry: stress: stuck: ");
	va_start(ap, fmt);
	n += (size_t)vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "; seed %llu (a livelock the backend does not detect, or a bug of the stress harness)\n",
				      (unsigned long long)opt.seed);
	if (n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	if (write(2, buf, n) < 0)
		_exit(EXIT_STUCK);
	_exit(EXIT_STUCK);
}

static void *watchdog(void *arg)
{
	const struct timespec second = { 1, 0 };
	double start = now_s(), moved = start, report_seen = 0;
	unsigned long last = __atomic_load_n(&heartbeat, __ATOMIC_RELAXED);
	struct cpu_progress then[NR_CPUS];
	char where[160], cpus[1200];

	(void)arg;
	threaded_mask_signals(true);
	progress_of(then);
	for (;;) {
		unsigned long beat;
		const char *what;
		int cpu;
		double t;

		nanosleep(&second, NULL);
		t = now_s();
		beat = __atomic_load_n(&heartbeat, __ATOMIC_RELAXED);
		if (beat != last) {
			last = beat;
			moved = t;
			progress_of(then);
		}
		if (__atomic_load_n(&reported, __ATOMIC_ACQUIRE)) {
			if (report_seen == 0)
				report_seen = t;
			else if (t - report_seen >= REPORT_GRACE_S)
				stuck("a report began %d s ago and has not ended the process", REPORT_GRACE_S);
			continue;
		}
		if (t - moved < opt.stuck_s && t - start < opt.seconds + 2 * opt.stuck_s)
			continue;
		/* Claim the end of the process, unless a report just did. */
		if (__atomic_exchange_n(&reported, 1, __ATOMIC_ACQ_REL))
			continue;
		what = __atomic_load_n(&phase, __ATOMIC_RELAXED);
		cpu = __atomic_load_n(&phase_cpu, __ATOMIC_RELAXED);
		if (cpu >= 0)
			snprintf(where, sizeof(where), "%s (cpu%d)", what, cpu);
		else
			snprintf(where, sizeof(where), "%s", what);
		describe_cpus(cpus, sizeof(cpus), then);
		if (t - moved >= opt.stuck_s)
			stuck("the main thread made no progress for %.0f s, in %s%s", t - moved, where, cpus);
		stuck("the run was to end after %g s and still runs %.0f s later, in %s%s",
		      opt.seconds, t - start - opt.seconds, where, cpus);
	}
	return NULL;
}

/* ---- main: the interrupt controller ---- */

struct totals {
	unsigned long ops, irq_ops, null[NR_REASONS], kmalloc_null;
	struct threaded_counts sig;
};

static void sum(struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (int cpu = 0; cpu < opt.cpus; cpu++) {
		struct worker *w = &workers[cpu];
		struct threaded_counts c;

		t->ops += __atomic_load_n(&w->ops, __ATOMIC_RELAXED);
		t->irq_ops += __atomic_load_n(&w->irq_ops, __ATOMIC_RELAXED);
		t->kmalloc_null += __atomic_load_n(&w->kmalloc_null, __ATOMIC_RELAXED);
		for (int r = 0; r < NR_REASONS; r++)
			t->null[r] += __atomic_load_n(&w->nolock_null[r], __ATOMIC_RELAXED);
		threaded_counts(cpu, &c);
		for (int k = 0; k < NR_IRQ_KINDS; k++)
			t->sig.received[k] += c.received[k];
		t->sig.deferred += c.deferred;
		t->sig.kprobe_missed += c.kprobe_missed;
		t->sig.irq_work_runs += c.irq_work_runs;
	}
}

static unsigned long nulls(const struct totals *t)
{
	unsigned long n = 0;

	for (int r = 0; r < NR_REASONS; r++)
		n += t->null[r];
	return n;
}

static unsigned long signals(const struct totals *t)
{
	return t->sig.received[0] + t->sig.received[1] + t->sig.received[2];
}

static void null_reasons(const struct totals *t, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int r = 1; r < NR_REASONS && n < size; r++)
		if (t->null[r])
			n += (size_t)snprintf(buf + n, size - n, "%s%s %lu", n ? ", " : "",
					      nolock_fail_name(r), t->null[r]);
}

int main(int argc, char **argv)
{
	struct totals prev = { 0 }, now;
	double start, next_progress, next_check;
	uint64_t ctl = 0;
	unsigned long sent = 0;
	char cfg[300], reasons[200];
	int kinds[NR_IRQ_KINDS], nkinds = 0;
	pthread_t watchdog_thread;

	main_thread = pthread_self();
	parse_args(argc, argv);
	apply_config();
	for (int k = 0; k < NR_IRQ_KINDS; k++)
		if (opt.kinds & (1u << k))
			kinds[nkinds++] = k;
	threaded_init(opt.cpus, irq_handler, stress_report);
	threaded_mask_signals(true);	/* the controller takes no interrupts */
	if (pthread_create(&watchdog_thread, NULL, watchdog, NULL))
		usage("cannot create the watchdog thread");

	threaded_bind(0);
	kmem_init();
	threaded_bind(-1);
	threaded_arena(&arena_base, &arena_bytes);
	live_size = calloc(arena_bytes / 8 + 1, sizeof(*live_size));
	if (!live_size)
		usage("out of memory");
	for (nr_buckets = 0; nr_buckets < NR_BUCKETS && kmalloc_cache_nth(nr_buckets); nr_buckets++)
		buckets[nr_buckets] = kmalloc_cache_nth(nr_buckets);

	config_line(cfg, sizeof(cfg));
	printf("reentry stress: %s seconds=%g check-ms=%d seed=%llu\n", cfg, opt.seconds,
	       opt.check_ms, (unsigned long long)opt.seed);
	fflush(stdout);

	ctl = opt.seed ^ 0xc0ffee;
	pthread_barrier_init(&stw_in, NULL, (unsigned)opt.cpus + 1);
	pthread_barrier_init(&stw_out, NULL, (unsigned)opt.cpus + 1);
	for (int cpu = 0; cpu < opt.cpus; cpu++) {
		uint64_t s = opt.seed + 0x100000001b3ull * (uint64_t)(cpu + 1);

		workers[cpu].rng = splitmix64(&s);
		for (int d = 0; d < 8; d++)
			workers[cpu].irq_rng[d] = splitmix64(&s);
		if (pthread_create(&workers[cpu].thread, NULL, cpu_thread, (void *)(intptr_t)cpu))
			usage("cannot create CPU threads");
		threaded_set_thread(cpu, workers[cpu].thread);
	}

	start = now_s();
	next_progress = start + 1;
	next_check = start + opt.check_ms / 1000.0;
	step("sending signals", -1);
	for (;;) {
		double t = now_s(), elapsed = t - start;
		unsigned long due = (unsigned long)(opt.rate * elapsed);
		struct timespec tick = { 0, 200000 };

		__atomic_fetch_add(&heartbeat, 1, __ATOMIC_RELAXED);
		if (elapsed >= opt.seconds)
			break;
		/* Signals are sent in the little batches that came due. */
		for (; sent < due && nkinds; sent++) {
			uint64_t r = splitmix64(&ctl);

			threaded_raise((int)(r % (uint64_t)opt.cpus), kinds[(r >> 32) % (uint64_t)nkinds]);
		}
		if (t >= next_check) {
			stop_the_world_check();
			next_check = now_s() + opt.check_ms / 1000.0;
		}
		if (t >= next_progress) {
			sum(&now);
			null_reasons(&now, reasons, sizeof(reasons));
			printf("[%4.0fs] ops/s %lu  handler ops/s %lu  signals/s %lu (hardirq %lu, deferred %lu, NMI %lu, kprobe %lu, missed %lu)  nolock NULLs %lu%s%s%s  checks %lu\n",
			       elapsed, now.ops - prev.ops, now.irq_ops - prev.irq_ops,
			       signals(&now) - signals(&prev),
			       now.sig.received[IRQ_HARDIRQ] - prev.sig.received[IRQ_HARDIRQ],
			       now.sig.deferred - prev.sig.deferred,
			       now.sig.received[IRQ_NMI] - prev.sig.received[IRQ_NMI],
			       now.sig.received[IRQ_KPROBE] - prev.sig.received[IRQ_KPROBE],
			       now.sig.kprobe_missed - prev.sig.kprobe_missed,
			       nulls(&now) - nulls(&prev), reasons[0] ? " (total: " : "", reasons,
			       reasons[0] ? ")" : "", checks);
			fflush(stdout);
			prev = now;
			next_progress += 1;
		}
		nanosleep(&tick, NULL);
	}

	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
	for (int cpu = 0; cpu < opt.cpus; cpu++) {
		step("waiting for a CPU thread to end", cpu);
		pthread_join(workers[cpu].thread, NULL);
	}
	step("the check after the CPU threads ended", -1);
	validate_world();
	checks++;
	step("freeing everything and draining irq_work", -1);
	free_everything();
	final_check = true;
	step("the final check", -1);
	validate_world();
	checks++;
	step("the summary", -1);

	sum(&now);
	null_reasons(&now, reasons, sizeof(reasons));
	printf("summary: %.1f s, %d CPUs, %lu task ops, %lu handler ops, %lu signals (hardirq %lu of which %lu deferred, NMI %lu, kprobe %lu of which %lu missed), %lu irq_work runs, nolock NULLs %lu%s%s%s, kmalloc NULLs %lu, %lu quiescent checks: no report\n",
	       now_s() - start, opt.cpus, now.ops, now.irq_ops, signals(&now),
	       now.sig.received[IRQ_HARDIRQ], now.sig.deferred, now.sig.received[IRQ_NMI],
	       now.sig.received[IRQ_KPROBE], now.sig.kprobe_missed, now.sig.irq_work_runs,
	       nulls(&now), reasons[0] ? " (" : "", reasons, reasons[0] ? ")" : "",
	       now.kmalloc_null, checks);
	printf("seed %llu\n", (unsigned long long)opt.seed);
	return 0;
}
