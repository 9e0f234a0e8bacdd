/*
 * inject/threaded.c — core/env.h on real threads and real signals (see
 * threaded.h for the model of the machine).
 *
 * Who touches what:
 *   struct tcpu cpus[i]: only CPU i's thread and the signal handlers running
 *   on it — except while the world is stopped, when the harness may bind
 *   itself to CPU i (pthread barriers order those accesses). A signal handler
 *   interrupts its thread between two instructions, so the fields it reads
 *   (irqs_off, preempt_count, the pending marks) are written with a compiler
 *   signal fence around them: the handler sees them exactly as the
 *   interrupted code left them.
 *   struct env_lock owner fields: any CPU, with atomics.
 *   struct irq_work pending/cpu: any CPU (irq_work_sync), with atomics.
 *
 * Wall clock: only to give up on a spin that lasts seconds (a cross-CPU
 * deadlock). This backend is not part of the deterministic simulated machine.
 */
#define _GNU_SOURCE
#include "threaded.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

/* preempt_count layout, as in include/linux/preempt.h (and machine.h) */
#define PREEMPT_OFFSET 0x00000001u
#define PREEMPT_MASK 0x000000ffu
#define SOFTIRQ_OFFSET 0x00000100u
#define HARDIRQ_OFFSET 0x00010000u
#define HARDIRQ_MASK 0x000f0000u
#define NMI_OFFSET 0x00100000u
#define NMI_MASK 0x00f00000u

#define MAX_DEPTH 8
#define MAX_HELD 16
#define CALLSTACK_MAX 256

enum ctx { CTX_TASK, CTX_HARDIRQ, CTX_NMI, CTX_KPROBE };

static const char *const ctx_names[] = { "task", "hardirq", "NMI", "kprobe" };

static const int irq_signals[NR_IRQ_KINDS] = {
	[IRQ_HARDIRQ] = SIGUSR1, [IRQ_NMI] = SIGUSR2, [IRQ_KPROBE] = SIGURG,
};

struct frame {
	enum ctx kind;
	unsigned int pc_before, pc_entry;	/* preempt_count */
	bool irqs_before, irqs_entry;
};

/*
 * One CPU. Invariants (between two instructions of its thread):
 *   frames[0].kind == CTX_TASK, 0 <= depth < MAX_DEPTH;
 *   held[0..nheld) are the locks whose owner_cpu is this CPU, in the order
 *   taken, each with the depth that took it (<= depth);
 *   hardirq_pending ⇒ a hardirq-kind signal arrived while irqs_off;
 *   work_head lists the irq_works queued here with pending == 1.
 */
struct tcpu {
	struct frame frames[MAX_DEPTH];
	int depth;
	unsigned int preempt_count;
	bool irqs_off;
	bool kprobe_active;
	int hardirq_pending;		/* atomic (signal-safe) */
	struct irq_work *work_head;	/* atomic llist, LIFO */
	struct env_lock *held[MAX_HELD];
	int held_depth[MAX_HELD];
	int nheld;
	pthread_t thread;
	struct threaded_counts counts;	/* relaxed atomics */
};

static struct tcpu cpus[NR_CPUS];
static int ncpus;
static void (*irq_handler)(enum irq_kind kind);
static void (*report_fn)(const char *cls, const char *text);
static char *arena;
static size_t arena_size;

static __thread int my_cpu = -1;
/* The shadow call stack (-finstrument-functions on core/): per thread. */
static __thread const void *callstack[CALLSTACK_MAX];
static __thread int callstack_depth;

#define fence() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#define count(field) __atomic_fetch_add(&(field), 1, __ATOMIC_RELAXED)

const char *irq_kind_name(enum irq_kind kind)
{
	static const char *const names[] = { "hardirq", "NMI", "kprobe" };

	return kind < NR_IRQ_KINDS ? names[kind] : "?";
}

_Noreturn static void report(const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn static void report(const char *cls, const char *fmt, ...)
{
	char text[600];
	va_list ap;

	/* Before anything else: no interrupt on this thread from here on. A
	 * handler that ran while the report is written would find a report
	 * under way and wait for it to end the process, on the very thread
	 * that writes it: the process would hang instead of reporting. */
	threaded_mask_signals(true);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (report_fn)
		report_fn(cls, text);
	fprintf(stderr, "reentry-stress: %s: %s\n", cls, text);
	_exit(1);
}

static struct tcpu *cur(void)
{
	int cpu = my_cpu;

	if (cpu < 0 || cpu >= ncpus) {
		fprintf(stderr, "reentry-stress: bug: the model ran on a thread that is no CPU (%d)\n", cpu);
		abort();
	}
	return &cpus[cpu];
}

static const char *cur_kind_name(void)
{
	struct tcpu *c = cur();

	return ctx_names[c->frames[c->depth].kind];
}

/* ------------------------------------------------------------------ */
/* Contexts                                                            */
/* ------------------------------------------------------------------ */

/*
 * A signal may interrupt any of these helpers; whatever it pushes it pops
 * before the interrupted code goes on. So a slot is reserved (the depth or
 * the count raised) before it is filled: a nested handler then uses the
 * next slot instead of overwriting this one.
 */
static void ctx_enter(struct tcpu *c, enum ctx kind, unsigned int add, bool irqs_off)
{
	int d = c->depth + 1;
	struct frame *f;

	if (d >= MAX_DEPTH)
		report("bug", "context stack overflow on cpu%d", my_cpu);
	f = &c->frames[d];
	f->kind = CTX_TASK;	/* until filled: a nested handler may describe it */
	fence();
	c->depth = d;
	fence();
	f->kind = kind;
	f->pc_before = c->preempt_count;
	f->irqs_before = c->irqs_off;
	f->pc_entry = c->preempt_count + add;
	f->irqs_entry = irqs_off;
	fence();
	c->preempt_count += add;
	c->irqs_off = irqs_off;
	fence();
}

static void replay_pending(struct tcpu *c);

static void ctx_exit(struct tcpu *c)
{
	struct frame *f = &c->frames[c->depth];

	for (int i = 0; i < c->nheld; i++)
		if (c->held_depth[i] == c->depth)
			report("lockdep", "%s on cpu%d returns holding %s", ctx_names[f->kind],
			       my_cpu, c->held[i] ? c->held[i]->name : "?");
	if (c->preempt_count != f->pc_entry)
		report("lockdep", "%s on cpu%d entered with preempt_count %#x, exited with %#x",
		       ctx_names[f->kind], my_cpu, f->pc_entry, c->preempt_count);
	if (c->irqs_off != f->irqs_entry)
		report("lockdep", "%s on cpu%d returns with irqs %s", ctx_names[f->kind], my_cpu,
		       c->irqs_off ? "disabled" : "enabled");
	fence();
	c->preempt_count = f->pc_before;
	c->irqs_off = f->irqs_before;
	c->depth--;
	fence();
}

/* The queued irq_work of this CPU, oldest first, run in one hardirq. */
static void run_irq_work(struct tcpu *c)
{
	struct irq_work *w = __atomic_exchange_n(&c->work_head, NULL, __ATOMIC_ACQUIRE);
	struct irq_work *fifo = NULL;

	while (w) {
		struct irq_work *next = w->next;

		w->next = fifo;
		fifo = w;
		w = next;
	}
	while (fifo) {
		w = fifo;
		fifo = w->next;
		w->next = NULL;
		/* Cleared first, as irq_work_single() does: func may queue it again. */
		__atomic_store_n(&w->pending, 0, __ATOMIC_RELEASE);
		count(c->counts.irq_work_runs);
		w->func(w);
	}
}

static void hardirq(struct tcpu *c)
{
	ctx_enter(c, CTX_HARDIRQ, HARDIRQ_OFFSET, true);
	irq_handler(IRQ_HARDIRQ);
	ctx_exit(c);
}

static void irq_work_interrupt(struct tcpu *c)
{
	ctx_enter(c, CTX_HARDIRQ, HARDIRQ_OFFSET, true);
	run_irq_work(c);
	ctx_exit(c);
}

/*
 * Irqs just became enabled (a restore, or the return of the context that
 * had them off): what arrived meanwhile runs now, as powerpc's
 * irq-restore replays the interrupts it soft-masked.
 */
static void replay_pending(struct tcpu *c)
{
	while (!c->irqs_off) {
		if (__atomic_exchange_n(&c->hardirq_pending, 0, __ATOMIC_RELAXED))
			hardirq(c);
		else if (__atomic_load_n(&c->work_head, __ATOMIC_RELAXED) &&
			 !(c->preempt_count & NMI_MASK))
			irq_work_interrupt(c);
		else
			break;
	}
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = errno;
	int cpu = my_cpu;
	struct tcpu *c;
	enum irq_kind kind = sig == SIGUSR1 ? IRQ_HARDIRQ : sig == SIGUSR2 ? IRQ_NMI : IRQ_KPROBE;

	(void)si;
	(void)uc;
	if (cpu < 0 || cpu >= ncpus)	/* the harness thread, or a CPU thread winding up */
		return;
	c = &cpus[cpu];
	count(c->counts.received[kind]);
	switch (kind) {
	case IRQ_HARDIRQ:
		if (c->irqs_off) {
			__atomic_store_n(&c->hardirq_pending, 1, __ATOMIC_RELAXED);
			count(c->counts.deferred);
			break;
		}
		hardirq(c);
		replay_pending(c);
		break;
	case IRQ_NMI:
		ctx_enter(c, CTX_NMI, NMI_OFFSET + HARDIRQ_OFFSET, true);
		irq_handler(IRQ_NMI);
		ctx_exit(c);
		replay_pending(c);	/* a hardirq that came during the NMI */
		break;
	case IRQ_KPROBE: {
		int d = callstack_depth;
		const void *fn = d > 0 && d <= CALLSTACK_MAX ? callstack[d - 1] : NULL;

		/* As the engine's discipline (inject/engine.c): kprobe_running()
		 * — a probe hit inside a handler is missed; not in NMI; and
		 * NOKPROBE_SYMBOL functions are never probed. */
		if (c->kprobe_active || (c->preempt_count & NMI_MASK) ||
		    (fn && within_kprobe_blacklist(fn))) {
			count(c->counts.kprobe_missed);
			break;
		}
		c->kprobe_active = true;
		ctx_enter(c, CTX_KPROBE, PREEMPT_OFFSET, c->irqs_off);
		irq_handler(IRQ_KPROBE);
		ctx_exit(c);
		c->kprobe_active = false;
		replay_pending(c);
		break;
	}
	default:
		break;
	}
	errno = saved_errno;
}

void threaded_init(int n, void (*handler)(enum irq_kind kind),
		   void (*rep)(const char *cls, const char *text))
{
	struct sigaction sa = { 0 };

	if (n < 1 || n > NR_CPUS) {
		fprintf(stderr, "reentry-stress: bug: %d CPUs, must be 1..%d\n", n, NR_CPUS);
		abort();
	}
	memset(cpus, 0, sizeof(cpus));
	for (int i = 0; i < NR_CPUS; i++)
		cpus[i].frames[0].kind = CTX_TASK;
	ncpus = n;
	irq_handler = handler;
	report_fn = rep;
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (int k = 0; k < NR_IRQ_KINDS; k++)
		sigaction(irq_signals[k], &sa, NULL);
}

void threaded_bind(int cpu)
{
	my_cpu = cpu;
}

void threaded_set_thread(int cpu, pthread_t thread)
{
	cpus[cpu].thread = thread;
}

void threaded_raise(int cpu, enum irq_kind kind)
{
	pthread_kill(cpus[cpu].thread, irq_signals[kind]);
}

void threaded_mask_signals(bool block)
{
	sigset_t set;

	sigemptyset(&set);
	for (int k = 0; k < NR_IRQ_KINDS; k++)
		sigaddset(&set, irq_signals[k]);
	pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

void threaded_poll(void)
{
	struct tcpu *c = cur();

	if (c->depth != 0 || c->irqs_off)
		report("bug", "threaded_poll() on cpu%d outside task context with irqs on", my_cpu);
	replay_pending(c);
}

bool threaded_irq_work_pending(int cpu)
{
	return __atomic_load_n(&cpus[cpu].work_head, __ATOMIC_RELAXED) != NULL;
}

void threaded_counts(int cpu, struct threaded_counts *out)
{
	const struct threaded_counts *c = &cpus[cpu].counts;

	for (int k = 0; k < NR_IRQ_KINDS; k++)
		out->received[k] = __atomic_load_n(&c->received[k], __ATOMIC_RELAXED);
	out->deferred = __atomic_load_n(&c->deferred, __ATOMIC_RELAXED);
	out->kprobe_missed = __atomic_load_n(&c->kprobe_missed, __ATOMIC_RELAXED);
	out->irq_work_runs = __atomic_load_n(&c->irq_work_runs, __ATOMIC_RELAXED);
}

int threaded_depth(void)
{
	return cur()->depth;
}

void threaded_describe(char *buf, size_t size)
{
	struct tcpu *c;
	size_t n;

	if (my_cpu < 0 || my_cpu >= ncpus) {
		snprintf(buf, size, "harness thread");
		return;
	}
	c = cur();
	n = (size_t)snprintf(buf, size, "cpu%d %s", my_cpu, ctx_names[c->frames[c->depth].kind]);
	for (int d = c->depth - 1; d >= 0 && n < size; d--)
		n += (size_t)snprintf(buf + n, size - n, " (interrupted %s)", ctx_names[c->frames[d].kind]);
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n, " [");
	for (int i = 0; i < c->nheld && n < size; i++)
		if (c->held[i])
			n += (size_t)snprintf(buf + n, size - n, "%s held, ", c->held[i]->name);
	if (n < size)
		snprintf(buf + n, size - n, "irqs %s, preempt_count %#x]",
			 c->irqs_off ? "off" : "on", c->preempt_count);
}

void threaded_arena(char **base, size_t *size)
{
	*base = arena;
	*size = arena_size;
}

/* ------------------------------------------------------------------ */
/* core/env.h: CPUs and contexts                                       */
/* ------------------------------------------------------------------ */

/*
 * Never checked here (kconfig.debug_preempt is the simulated machine's):
 * each CPU's task is its own thread, bound to that CPU for good, which is
 * the per-CPU thread DEBUG_PREEMPT exempts.
 */
int smp_processor_id(void)
{
	return (int)(cur() - cpus);
}

int raw_smp_processor_id(void)
{
	return smp_processor_id();
}

/*
 * Bounded work per nolock call (kconfig.bounded_work) is the simulated
 * machine's check (inject/bounded_work.c): real threads count nothing.
 */
void env_nolock_begin(const char *api, size_t size, bool may_spin)
{
	(void)api;
	(void)size;
	(void)may_spin;
}

void env_nolock_end(void)
{
}

/* The API contract on the allocator's own allocations is the simulated
 * machine's check (inject/api_contract.c): real threads keep no books. */
void env_slab_api(enum env_slab_api api, const void *object, const void *cache, unsigned int gfp)
{
	(void)api;
	(void)object;
	(void)cache;
	(void)gfp;
}

/* Only ASan builds call it, and the threaded backend is TSan's. */
void env_kasan_double_unpoison(const void *object)
{
	(void)object;
}

#ifdef REENTRY_ASAN
/* Built under the test preset's ASan too: poison only, no snapshots here. */
void env_kasan_poison(const void *p, size_t n)
{
	ASAN_POISON_MEMORY_REGION(p, n);
}

void env_kasan_unpoison(const void *p, size_t n)
{
	ASAN_UNPOISON_MEMORY_REGION(p, n);
}
#endif

void env_nolock_work(enum nolock_work what)
{
	(void)what;
}

bool in_nmi(void)
{
	return cur()->preempt_count & NMI_MASK;
}

bool in_hardirq(void)
{
	return cur()->preempt_count & HARDIRQ_MASK;
}

bool in_serving_softirq(void)
{
	return cur()->preempt_count & SOFTIRQ_OFFSET;
}

bool in_task(void)
{
	return !(cur()->preempt_count & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET));
}

bool irqs_disabled(void)
{
	return cur()->irqs_off;
}

bool preemptible(void)
{
	return cur()->preempt_count == 0 && !cur()->irqs_off;
}

unsigned long arch_local_irq_save(void)
{
	struct tcpu *c = cur();
	unsigned long flags = c->irqs_off;

	fence();
	c->irqs_off = true;
	fence();
	return flags;
}

void arch_local_irq_restore(unsigned long flags)
{
	struct tcpu *c = cur();

	if (!c->irqs_off)
		report("warning", "WARNING: raw_local_irq_restore() called with IRQs enabled (%s on cpu%d)",
		       cur_kind_name(), my_cpu);
	fence();
	c->irqs_off = flags != 0;
	fence();
	replay_pending(c);
}

void preempt_disable(void)
{
	struct tcpu *c = cur();

	if ((c->preempt_count & PREEMPT_MASK) == PREEMPT_MASK)
		report("lockdep", "preempt_count overflow on cpu%d", my_cpu);
	c->preempt_count += PREEMPT_OFFSET;
	fence();
}

void preempt_enable(void)
{
	struct tcpu *c = cur();

	if ((c->preempt_count & PREEMPT_MASK) == 0)
		report("lockdep", "preempt_count underflow: preempt_enable() in %s on cpu%d",
		       cur_kind_name(), my_cpu);
	fence();
	c->preempt_count -= PREEMPT_OFFSET;
}

/* Tasks never migrate here: one thread is one CPU. */
void migrate_disable(void)
{
}

void migrate_enable(void)
{
}

void env_might_sleep(const char *file, int line)
{
	char where[256];

	if (!kconfig.debug_atomic_sleep || preemptible())
		return;
	threaded_describe(where, sizeof(where));
	report("might-sleep", "BUG: sleeping function called from invalid context at %s:%d: %s",
	       file, line, where);
}

/* ------------------------------------------------------------------ */
/* core/env.h: locks                                                   */
/* ------------------------------------------------------------------ */

static void check_lock(const struct env_lock *l)
{
	if (!l->name)
		report("lockdep", "lock used before init (bad magic) in %s on cpu%d",
		       cur_kind_name(), my_cpu);
}

static void lock_preempt_disable(const struct env_lock *l)
{
	if (l->kind != LOCK_LOCAL)
		preempt_disable();
}

static void lock_preempt_enable(const struct env_lock *l)
{
	if (l->kind != LOCK_LOCAL)
		preempt_enable();
}

static bool acquire(struct env_lock *l, int8_t *found)
{
	*found = -1;
	return __atomic_compare_exchange_n(&l->owner_cpu, found, (int8_t)my_cpu, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void took(struct tcpu *c, struct env_lock *l)
{
	int n = c->nheld;

	if (n == MAX_HELD)
		report("lockdep", "BUG: MAX_LOCK_DEPTH too low: cpu%d takes %s", my_cpu, l->name);
	__atomic_store_n(&l->owner_depth, (int8_t)c->depth, __ATOMIC_RELAXED);
	__atomic_store_n(&l->owner_task, (int16_t)my_cpu, __ATOMIC_RELAXED);
	c->held[n] = NULL;	/* reserved (see ctx_enter) */
	c->held_depth[n] = -1;
	fence();
	c->nheld = n + 1;
	fence();
	c->held[n] = l;
	c->held_depth[n] = c->depth;
	fence();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Spin with backoff. A lock this CPU holds can only be an interrupted
 * context's: spinning on it never ends, so say so at once. */
static void spin(struct env_lock *l)
{
	struct tcpu *c = cur();
	double start = 0;
	int8_t owner;

	for (unsigned long n = 0; !acquire(l, &owner); n++) {
		if (owner == my_cpu) {
			int d = __atomic_load_n(&l->owner_depth, __ATOMIC_RELAXED);
			const char *okind = d >= 0 && d <= c->depth ? ctx_names[c->frames[d].kind] : "?";

			report("deadlock", "%s: %s on cpu%d spins on %s held by %s (depth %d) on the same CPU",
			       l->kind == LOCK_LOCAL ? "recursive local_lock" : "AA deadlock",
			       cur_kind_name(), my_cpu, l->name, okind, d);
		}
		if (n < 64) {
			__builtin_ia32_pause();
			continue;
		}
		sched_yield();
		if ((n & 1023) == 0) {
			if (start == 0)
				start = now_s();
			else if (now_s() - start > THREADED_SPIN_LIMIT_S)
				report("deadlock", "deadlock: %s on cpu%d spun %d s on %s held by cpu%d",
				       cur_kind_name(), my_cpu, THREADED_SPIN_LIMIT_S, l->name, owner);
		}
	}
	took(c, l);
}

void env_lock_init(struct env_lock *l, enum env_lock_kind kind, const char *name)
{
	l->name = name;
	l->kind = (int8_t)(kind & LOCK_KIND_MASK);
	l->untracked = (kind & LOCK_UNTRACKED) != 0;
	__atomic_store_n(&l->owner_depth, (int8_t)-1, __ATOMIC_RELAXED);
	__atomic_store_n(&l->owner_task, (int16_t)-1, __ATOMIC_RELAXED);
	__atomic_store_n(&l->owner_cpu, (int8_t)-1, __ATOMIC_RELEASE);
}

void env_lock(struct env_lock *l)
{
	check_lock(l);
	lock_preempt_disable(l);
	spin(l);
}

bool env_trylock(struct env_lock *l)
{
	int8_t owner;

	check_lock(l);
	lock_preempt_disable(l);
	if (!acquire(l, &owner)) {
		lock_preempt_enable(l);
		return false;
	}
	took(cur(), l);
	return true;
}

void env_unlock(struct env_lock *l)
{
	struct tcpu *c = cur();
	int i;

	check_lock(l);
	if (__atomic_load_n(&l->owner_cpu, __ATOMIC_RELAXED) != my_cpu ||
	    __atomic_load_n(&l->owner_depth, __ATOMIC_RELAXED) != c->depth)
		report("lockdep", "bad unlock balance: %s on cpu%d (depth %d) releases %s held by cpu%d depth %d",
		       cur_kind_name(), my_cpu, c->depth, l->name,
		       __atomic_load_n(&l->owner_cpu, __ATOMIC_RELAXED),
		       __atomic_load_n(&l->owner_depth, __ATOMIC_RELAXED));
	for (i = c->nheld - 1; i >= 0 && c->held[i] != l; i--)
		;
	if (i < 0)
		report("bug", "%s owned by cpu%d is missing from its held-lock stack", l->name, my_cpu);
	/* Close the gap first, then release the last slot (see ctx_enter). */
	for (; i < c->nheld - 1; i++) {
		c->held[i] = c->held[i + 1];
		c->held_depth[i] = c->held_depth[i + 1];
		fence();
	}
	c->nheld--;
	fence();
	__atomic_store_n(&l->owner_depth, (int8_t)-1, __ATOMIC_RELAXED);
	__atomic_store_n(&l->owner_task, (int16_t)-1, __ATOMIC_RELAXED);
	__atomic_store_n(&l->owner_cpu, (int8_t)-1, __ATOMIC_RELEASE);
	lock_preempt_enable(l);
}

unsigned long env_lock_irqsave(struct env_lock *l)
{
	unsigned long flags = arch_local_irq_save();

	env_lock(l);
	return flags;
}

bool env_trylock_irqsave(struct env_lock *l, unsigned long *flags)
{
	*flags = arch_local_irq_save();
	if (env_trylock(l))
		return true;
	arch_local_irq_restore(*flags);
	return false;
}

void env_unlock_irqrestore(struct env_lock *l, unsigned long flags)
{
	env_unlock(l);
	arch_local_irq_restore(flags);
}

bool env_lock_is_locked(struct env_lock *l)
{
	return __atomic_load_n(&l->owner_cpu, __ATOMIC_RELAXED) == my_cpu;
}

bool env_lock_held_by_current(struct env_lock *l)
{
	return __atomic_load_n(&l->owner_cpu, __ATOMIC_RELAXED) == my_cpu &&
	       __atomic_load_n(&l->owner_depth, __ATOMIC_RELAXED) == cur()->depth;
}

void env_lockdep_assert(bool cond, const char *what, const char *file, int line)
{
	if (kconfig.lockdep && kconfig.lockdep_assert && !cond)
		report("lockdep-assert", "WARNING: CPU: %d at %s:%d: %s failed (%s)",
		       my_cpu, file, line, what, cur_kind_name());
}

/* ------------------------------------------------------------------ */
/* core/env.h: irq_work                                                */
/* ------------------------------------------------------------------ */

bool irq_work_queue(struct irq_work *work)
{
	struct tcpu *c = cur();
	int8_t idle = 0;
	struct irq_work *first;

	if (!__atomic_compare_exchange_n(&work->pending, &idle, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return false;
	__atomic_store_n(&work->cpu, (int8_t)my_cpu, __ATOMIC_RELAXED);
	first = __atomic_load_n(&c->work_head, __ATOMIC_RELAXED);
	do {
		work->next = first;
	} while (!__atomic_compare_exchange_n(&c->work_head, &first, work, false,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	/* The self-IPI: taken at once if irqs are on, else when they are restored. */
	if (!c->irqs_off && !(c->preempt_count & NMI_MASK))
		replay_pending(c);
	return true;
}

void irq_work_sync(struct irq_work *work)
{
	struct tcpu *c = cur();
	double start = 0;

	for (unsigned long n = 0; __atomic_load_n(&work->pending, __ATOMIC_ACQUIRE); n++) {
		int cpu = __atomic_load_n(&work->cpu, __ATOMIC_RELAXED);

		if (cpu == my_cpu) {
			if (c->irqs_off)
				report("deadlock", "irq_work_sync would wait forever: %s on cpu%d has irqs disabled and the work is queued on this CPU",
				       cur_kind_name(), my_cpu);
			irq_work_interrupt(c);
			continue;
		}
		sched_yield();
		if ((n & 1023) == 0) {
			if (start == 0)
				start = now_s();
			else if (now_s() - start > THREADED_SPIN_LIMIT_S)
				report("deadlock", "irq_work_sync on cpu%d waited %d s for cpu%d",
				       my_cpu, THREADED_SPIN_LIMIT_S, cpu);
		}
	}
}

/* ------------------------------------------------------------------ */
/* core/env.h: boundaries, faults, warnings, bugs, the arena           */
/* ------------------------------------------------------------------ */

/* No engine: interleavings come from threads and signals. */
void env_boundary(void)
{
}

void env_boundary_wrote(const void *p, size_t n)
{
	(void)p;
	(void)n;
}

/* No snapshots here: the per-CPU counters' marks (core/env.h) go nowhere. */
struct write_marks write_marks;

/* No fault injection: only real page allocator failures. */
bool should_fail_alloc_page(unsigned int order)
{
	(void)order;
	return false;
}

/* The stress tool injects no memcg faults: a charge fails only at the limit. */
bool should_fail_memcg_charge(void)
{
	return false;
}

_Noreturn void env_report(const char *cls, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(cls, "%s", msg);
}

/* panic_on_warn: a stress run stops at the first WARN. */
void env_warn(const char *what, const char *file, int line)
{
	report("warning", "WARNING: %s at %s:%d (%s on cpu%d)", what, file, line,
	       cur_kind_name(), my_cpu);
}

_Noreturn void env_bug(const char *what, const char *file, int line)
{
	report("bug", "kernel BUG at %s:%d: %s", file, line, what);
}

void env_slab_error(const char *cache, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report("slab-error", "BUG %s: %s", cache, msg);
}

void *env_arena_map(size_t bytes)
{
	if (arena && arena_size == bytes)
		return arena;
	if (arena) {
		kasan_unpoison(arena, arena_size);
		munmap(arena, arena_size);
	}
	arena = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		arena = NULL;
		report("bug", "env_arena_map: cannot map %zu bytes", bytes);
	}
	arena_size = bytes;
	return arena;
}

/* ------------------------------------------------------------------ */
/* The shadow call stack (for the kprobe deny list)                     */
/* ------------------------------------------------------------------ */

#define HOT __attribute__((no_sanitize("address", "undefined", "thread")))

/* Depth first, then the slot: a signal between the two sees the caller as
 * innermost (off by one function for one kprobe), never a slot it then
 * overwrites under the interrupted code. */
HOT void __cyg_profile_func_enter(void *fn, void *caller);
HOT void __cyg_profile_func_enter(void *fn, void *caller)
{
	int d = callstack_depth;

	(void)caller;
	callstack_depth = d + 1;
	fence();
	if (d < CALLSTACK_MAX)
		callstack[d] = fn;
}

HOT void __cyg_profile_func_exit(void *fn, void *caller);
HOT void __cyg_profile_func_exit(void *fn, void *caller)
{
	(void)fn;
	(void)caller;
	if (callstack_depth > 0)
		callstack_depth--;
}
