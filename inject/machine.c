/*
 * inject/machine.c — the simulated machine: CPUs, contexts, irq and preempt
 * state, locks with owners, irq_work, faults, warnings and reports.
 *
 * One host thread plays every CPU, and only the top context of the current
 * CPU ever runs. So a lock held by anyone else can never be released while
 * the current context waits: every would-be spin is a deadlock of the
 * simulation and is reported at once (see the comment in machine.h).
 *
 * Semantics are the kernel's, with PREEMPT_RT (kconfig.preempt_rt) as the
 * kernel has it: spinlock_t and local locks become sleeping locks owned by a
 * task, and a task that blocks on one really stops while the holder runs —
 * preempting tasks run as coroutines for that (inject/coro.c; see "PREEMPT_RT"
 * below).
 */
#include "machine.h"
#include "callstack.h"
#include "coro.h"
#include "engine.h"
#include "api_contract.h"
#include "digest.h"
#include "kmemleak.h"
#include "lockdep.h"
#include "nolock_spin.h"
#include "write_marks.h"

#include "../core/slab.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

/* What a context entry pushed, so that its exit can check and undo it. */
struct frame {
	enum ctx_kind kind;
	int task;			/* CTX_TASK frames: the task that runs in it */
	bool irqs_off_before;		/* the interrupted context's state */
	unsigned int pc_before;
	bool irqs_off_entry;		/* the state entry produced: exit expects it back */
	unsigned int pc_entry;
	int cs_depth;			/* the shadow call stack's depth at entry */
	struct machine_nolock_call nolock;	/* an interrupt's (or preempting task's) call */
};

/* A lock this CPU holds, and the context depth that took it. */
struct held_lock {
	struct env_lock *lock;
	int depth;
};

/*
 * One simulated CPU. Invariants:
 *   frames[0].kind == CTX_TASK, 0 <= depth < MACHINE_MAX_DEPTH;
 *   every held[i].depth <= depth (a context never returns holding a lock:
 *   machine_exit reports it first);
 *   l->owner_cpu == this cpu  <=>  l is in held[0..nheld) (SMP locks, and
 *   LOCK_LOCAL on UP);
 *   work_head..work_tail are exactly the works with pending == 1 and
 *   cpu == this cpu, in queueing order.
 */
struct cpu {
	struct frame frames[MACHINE_MAX_DEPTH];
	int depth;
	unsigned int preempt_count;	/* layout of include/linux/preempt.h */
	bool irqs_off;
	struct held_lock held[MACHINE_MAX_HELD];
	int nheld;
	struct irq_work *work_head, *work_tail;
	int task;			/* the task this CPU runs (changes on migration) */
};

/* One task per CPU; task i starts on CPU i and moves only by migration.
 * On RT a preempting task is a coroutine: task NR_CPUS + its slot. */
struct task {
	int migrate_disable;
	bool percpu_thread;	/* bound to its CPU (RT's irq_work thread) */
	struct machine_nolock_call nolock;	/* the task's call, wherever it runs */
};

#define MACHINE_TASKS (NR_CPUS + CORO_MAX)

static struct {
	struct cpu cpus[NR_CPUS];
	struct task tasks[MACHINE_TASKS];
	int ncpus;
	bool up;		/* !kconfig.smp: zero-initialised state means SMP */
	bool rt;		/* kconfig.preempt_rt */
	int cur;		/* the CPU that runs */
	int fail_trylocks;	/* faults still armed */
	int fail_page_allocs;
	int fail_memcg_charges;
	unsigned int warnings;
	char last_warning[256];
	unsigned long entries;	/* interrupts and preemptions so far (last:
				   machine_digest() leaves it out) */
} m = { .ncpus = 1 };

static struct machine_report report;

/* The debug checks' books (inject/lockdep.c, ...): per boot, so reset with
 * the machine and saved in its snapshots. */
static const struct {
	void (*reset)(void);
	size_t (*size)(void);
	size_t (*save)(void *buf);	/* returns the bytes it used */
	void (*restore)(const void *buf);
} books[] = {
	{ lockdep_reset, lockdep_state_size, lockdep_save, lockdep_restore },
	{ api_contract_reset, api_contract_state_size, api_contract_save, api_contract_restore },
	{ kmemleak_reset, kmemleak_state_size, kmemleak_save, kmemleak_restore },
};

bool (*machine_fault_hook)(enum machine_fault fault);

/* The engine sees (and counts) every occurrence; an armed countdown fails
 * the next ones whatever the engine says. */
static bool injected_fault(enum machine_fault fault, int *armed)
{
	bool (*hook)(enum machine_fault) = machine_fault_hook;
	bool failed = hook && hook(fault);

	if (*armed > 0) {
		(*armed)--;
		return true;
	}
	return failed;
}
static sigjmp_buf *try_env;	/* innermost machine_try(), NULL if none */
static int try_stack = -1;	/* the coroutine (or -1, the host stack) try_env is on */

static void *arena;
static size_t arena_size;

/* The machine keeps locks and irq_work in the model's memory: its writes
 * there are not the model's, and must mark their lines themselves. */
#define model_wrote(p) write_marks_note((p), sizeof(*(p)))

static struct cpu *cur(void)
{
	return &m.cpus[m.cur];
}

/* The task running on this CPU: the innermost task frame's (interrupt
 * contexts run on behalf of the task they interrupted, as `current` does). */
static int current_task(void)
{
	const struct cpu *c = cur();

	for (int d = c->depth; d > 0; d--)
		if (c->frames[d].kind == CTX_TASK)
			return c->frames[d].task;
	return c->task;
}

static void rt_forget_blocked(void);
static int nwoken;		/* RT: blocked tasks whose lock was released */
static void migrate_after_preemption(int to_cpu);
static bool rt_preempt(int to_cpu, void (*run)(void *arg), void *arg);
static void rt_irq_work_thread(void *arg);
static void rt_run_woken(void);
static void rt_lock(struct env_lock *l, void *pc);
static bool run_irq_work_batches(bool hardirq);
static bool rt_trylock(struct env_lock *l, void *pc);
static void rt_wake_waiters(struct env_lock *l);
_Noreturn static void raise_report(void);

static const char *cur_kind_name(void)
{
	return ctx_kind_name(cur()->frames[cur()->depth].kind);
}

static const char *lock_name(const struct env_lock *l)
{
	return l->name ? l->name : "(uninitialised lock)";
}

/*
 * A lock operation is an atomic in the kernel, so it is a boundary. The
 * public lock functions pass their caller's address so the engine sees the
 * model's call site, not this file.
 */
static void boundary_at(void *pc)
{
	void (*hook)(void *pc) = machine_boundary_hook;

	if (hook)
		hook(pc);
}

/* ------------------------------------------------------------------ */
/* Reset, CPUs, contexts                                               */
/* ------------------------------------------------------------------ */

void machine_reset(void)
{
	int n = kconfig.smp ? kconfig.nr_cpus : 1;

	if (n < 1 || n > NR_CPUS) {
		fprintf(stderr, "reentry: bug: kconfig.nr_cpus = %d, must be 1..%d\n",
			kconfig.nr_cpus, NR_CPUS);
		abort();
	}
	memset(m.cpus, 0, sizeof(m.cpus));
	memset(m.tasks, 0, sizeof(m.tasks));
	for (int i = 0; i < NR_CPUS; i++) {
		m.cpus[i].frames[0].kind = CTX_TASK;
		m.cpus[i].task = i;
	}
	m.ncpus = n;
	m.up = !kconfig.smp;
	m.rt = kconfig.preempt_rt;
	rt_forget_blocked();
	m.cur = 0;
	m.fail_trylocks = 0;
	m.fail_page_allocs = 0;
	m.fail_memcg_charges = 0;
	m.warnings = 0;
	m.last_warning[0] = '\0';
	m.entries = 0;
	memset(&report, 0, sizeof(report));
	for (size_t i = 0; i < sizeof(books) / sizeof(books[0]); i++)
		books[i].reset();
}

void machine_set_cpu(int cpu)
{
	if (cpu < 0 || cpu >= m.ncpus)
		machine_report("bug", "machine_set_cpu(%d): the machine has %d CPUs",
			       cpu, m.ncpus);
	m.cur = cpu;
}

int machine_cpu(void)
{
	return m.cur;
}

int machine_nr_cpus(void)
{
	return m.ncpus;
}

int machine_task(void)
{
	return current_task();
}

int raw_smp_processor_id(void)
{
	return m.cur;
}

/*
 * CONFIG_DEBUG_PREEMPT (lib/smp_processor_id.c): the CPU number is only
 * stable while the task cannot move, so using it anywhere else is reported
 * at once, whether or not a migration happens to follow. The task cannot
 * move when preemption is off (any preempt_count: also every interrupt
 * context), irqs are off, it may run on one CPU only (a per-CPU thread, or a
 * machine with one CPU), or it has migration disabled. The raw_ variants
 * are the deliberate exceptions: the caller copes with a stale CPU.
 */
static bool cpu_pinned(void)
{
	const struct cpu *c = cur();
	int task = current_task();

	return c->preempt_count || c->irqs_off || m.ncpus == 1 ||
	       m.tasks[task].percpu_thread || m.tasks[task].migrate_disable;
}

int smp_processor_id(void)
{
	if (kconfig.debug_preempt && !cpu_pinned()) {
		char caller[128];

		/* the model function whose code asked: this_cpu_ptr() and
		 * smp_processor_id() are inline in it */
		engine_function_name(callstack_innermost(), caller, sizeof(caller));
		machine_report("debug-preempt",
			       "BUG: using smp_processor_id() in preemptible [%08x] code: task%d/%d, caller is %s (cpu%d, migrate_disable %d)",
			       cur()->preempt_count, current_task(), current_task(), caller,
			       m.cur, m.tasks[current_task()].migrate_disable);
	}
	return m.cur;
}

unsigned long machine_entries(void)
{
	return m.entries;
}

/*
 * Whose nolock call is running: the task at depth 0 (it may migrate: its
 * call goes with it) and an RT preempting task (a coroutine, task NR_CPUS +
 * slot) keep theirs in the task; an interrupt and a !RT preempting op (a
 * frame of the same task number) in their frame, which entry zeroes.
 */
struct machine_nolock_call *machine_nolock_call(void)
{
	struct cpu *c = cur();
	struct frame *f = &c->frames[c->depth];

	if (c->depth == 0)
		return &m.tasks[c->task].nolock;
	if (f->kind == CTX_TASK && f->task != c->task)
		return &m.tasks[f->task].nolock;
	return &f->nolock;
}

const char *ctx_kind_name(enum ctx_kind kind)
{
	switch (kind) {
	case CTX_TASK: return "task";
	case CTX_SOFTIRQ: return "softirq";
	case CTX_HARDIRQ: return "hardirq";
	case CTX_NMI: return "NMI";
	case CTX_KPROBE: return "kprobe";
	}
	return "?";
}

bool machine_enter(enum ctx_kind kind)
{
	struct cpu *c = cur();
	unsigned int add;
	bool irqs_off = c->irqs_off;

	if (c->depth + 1 >= MACHINE_MAX_DEPTH)
		return false;
	switch (kind) {
	case CTX_SOFTIRQ:
		/* Softirqs run on irq exit or in ksoftirqd, never inside
		 * another interrupt or softirq (!in_interrupt()). */
		if (c->irqs_off || (c->preempt_count & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK)))
			return false;
		add = SOFTIRQ_OFFSET;
		break;
	case CTX_HARDIRQ:
		if (c->irqs_off)
			return false;
		add = HARDIRQ_OFFSET;
		irqs_off = true;
		break;
	case CTX_NMI:
		add = NMI_OFFSET + HARDIRQ_OFFSET;
		irqs_off = true;
		break;
	case CTX_KPROBE:
		/* Synchronous: the interrupted NMI/hardirq bits stay, so
		 * in_nmi() is whatever the probed code had. On RT the kind
		 * stands for a BPF program at an fentry or tracepoint, which
		 * runs with migration disabled but stays preemptible. */
		add = m.rt ? 0 : PREEMPT_OFFSET;
		break;
	default:
		return false;
	}
	c->depth++;
	c->frames[c->depth] = (struct frame){
		.kind = kind,
		.irqs_off_before = c->irqs_off,
		.pc_before = c->preempt_count,
		.irqs_off_entry = irqs_off,
		.pc_entry = c->preempt_count + add,
		.cs_depth = callstack_depth(),
	};
	c->preempt_count += add;
	c->irqs_off = irqs_off;
	m.entries++;
	if (kind == CTX_KPROBE && m.rt)
		migrate_disable();
	return true;
}

void machine_exit(void)
{
	struct cpu *c = cur();
	struct frame *f = &c->frames[c->depth];

	if (c->depth == 0)
		machine_report("bug", "machine_exit() in task context on cpu%d", m.cur);
	if (f->kind == CTX_KPROBE && m.rt)
		migrate_enable();
	for (int i = 0; i < c->nheld; i++)
		if (c->held[i].depth == c->depth)
			machine_report("lockdep", "%s on cpu%d returns holding %s",
				       ctx_kind_name(f->kind), m.cur,
				       lock_name(c->held[i].lock));
	if (c->preempt_count != f->pc_entry)
		machine_report("lockdep",
			       "%s on cpu%d entered with preempt_count %#x, exited with %#x",
			       ctx_kind_name(f->kind), m.cur, f->pc_entry, c->preempt_count);
	if (c->irqs_off != f->irqs_off_entry)
		machine_report("lockdep", "%s on cpu%d returns with irqs %s (entered with irqs %s)",
			       ctx_kind_name(f->kind), m.cur,
			       c->irqs_off ? "disabled" : "enabled",
			       f->irqs_off_entry ? "disabled" : "enabled");
	c->preempt_count = f->pc_before;
	c->irqs_off = f->irqs_off_before;
	c->depth--;
}

int machine_depth(void)
{
	return cur()->depth;
}

enum ctx_kind machine_frame(int d, int *callstack_depth_at_entry)
{
	const struct cpu *c = cur();

	if (d < 0 || d > c->depth)
		d = c->depth;
	*callstack_depth_at_entry = d ? c->frames[d].cs_depth : 0;
	return c->frames[d].kind;
}

enum ctx_kind machine_context(void)
{
	return cur()->frames[cur()->depth].kind;
}

unsigned int machine_preempt_count(void)
{
	return cur()->preempt_count;
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

/* RT runs softirqs in task context: serving one does not count as atomic. */
bool preemptible(void)
{
	unsigned int atomic = cur()->preempt_count & ~(m.rt ? SOFTIRQ_MASK : 0u);

	return atomic == 0 && !cur()->irqs_off;
}

/*
 * Preemption at a point where the task is preemptible: another task runs
 * run(arg) on this CPU, then the task resumes — on to_cpu if it may migrate
 * (migrate_disable() == 0) and to_cpu is idle, else where it was.
 */
bool machine_preempt(int to_cpu, void (*run)(void *arg), void *arg)
{
	struct cpu *c = cur();

	if (c->frames[c->depth].kind != CTX_TASK || !preemptible() ||
	    c->depth + 1 >= MACHINE_MAX_DEPTH)
		return false;
	m.entries++;
	if (m.rt)
		return rt_preempt(to_cpu, run, arg);
	c->depth++;
	c->frames[c->depth] = (struct frame){
		.kind = CTX_TASK,
		.task = c->task,
		.irqs_off_before = false,
		.pc_before = 0,
		.irqs_off_entry = false,
		.pc_entry = 0,
		.cs_depth = callstack_depth(),
	};
	if (run)
		run(arg);
	machine_exit();
	migrate_after_preemption(to_cpu);
	return true;
}

/* The preempted task resumes — on to_cpu if it may migrate and to_cpu is idle. */
static void migrate_after_preemption(int to_cpu)
{
	struct cpu *c = cur();

	if (to_cpu >= 0 && to_cpu < m.ncpus && to_cpu != m.cur && c->depth == 0 &&
	    m.tasks[c->task].migrate_disable == 0) {
		struct cpu *t = &m.cpus[to_cpu];

		if (t->depth == 0 && t->nheld == 0 && !t->irqs_off && t->preempt_count == 0) {
			int task = c->task;

			/* the idle task of to_cpu takes the place we leave */
			c->task = t->task;
			t->task = task;
			m.cur = to_cpu;
		}
	}
}

/* The whole machine state, for snapshots (see machine.h). */
size_t machine_state_size(void)
{
	size_t size = sizeof(m);

	for (size_t i = 0; i < sizeof(books) / sizeof(books[0]); i++)
		size += books[i].size();
	return size;
}

/* Each book gets its largest size in the buffer; it saves what it uses. */
void machine_save(void *buf)
{
	char *p = (char *)buf + sizeof(m);

	memcpy(buf, &m, sizeof(m));
	for (size_t i = 0; i < sizeof(books) / sizeof(books[0]); i++) {
		books[i].save(p);
		p += books[i].size();
	}
}

void machine_restore(const void *buf)
{
	const char *p = (const char *)buf + sizeof(m);

	memcpy(&m, buf, sizeof(m));
	for (size_t i = 0; i < sizeof(books) / sizeof(books[0]); i++) {
		books[i].restore(p);
		p += books[i].size();
	}
	rt_forget_blocked();
	memset(&report, 0, sizeof(report));
}

/*
 * m and each book's used bytes, compared with base's. m.entries, m's last
 * field, is left out: only differences of it are ever read
 * (bounded_work.c), so two machines that differ in it alone run on alike.
 */
void machine_digest(const void *base, struct digest *d)
{
	static char *now;
	const char *b = (const char *)base + sizeof(m);

	if (!now && !(now = malloc(machine_state_size())))
		abort();
	_Static_assert(offsetof(__typeof__(m), entries) + sizeof(m.entries) == sizeof(m),
		       "entries is m's last field");
	digest_changes(d, 1, &m, base, offsetof(__typeof__(m), entries));
	for (size_t i = 0; i < sizeof(books) / sizeof(books[0]); i++) {
		size_t used = books[i].save(now);

		digest_changes(d, (i + 2) << 32, now, b, used);
		b += books[i].size();
	}
}

void machine_arena(void **base, size_t *size)
{
	*base = arena;
	*size = arena_size;
}

/* ------------------------------------------------------------------ */
/* irq and preempt control                                             */
/* ------------------------------------------------------------------ */

unsigned long arch_local_irq_save(void)
{
	unsigned long flags = cur()->irqs_off;

	cur()->irqs_off = true;
	return flags;
}

/* pc: the model's call site, for lockdep when irqs go on with locks held. */
static void irq_restore_at(unsigned long flags, const void *pc)
{
	struct cpu *c = cur();

	/* CONFIG_DEBUG_IRQFLAGS: a restore always pairs with a save, which
	 * left irqs off; finding them on means the pairing is broken. */
	if (!c->irqs_off)
		env_warn("raw_local_irq_restore() called with IRQs enabled",
			 "inject/machine.c", __LINE__);
	c->irqs_off = flags != 0;
	if (!c->irqs_off && c->nheld)
		lockdep_hardirqs_on(pc);
	if (nwoken)
		rt_run_woken();
}

void arch_local_irq_restore(unsigned long flags)
{
	irq_restore_at(flags, __builtin_return_address(0));
}

void preempt_disable(void)
{
	struct cpu *c = cur();

	if ((c->preempt_count & PREEMPT_MASK) == PREEMPT_MASK)
		machine_report("lockdep", "preempt_count overflow on cpu%d (%#x)",
			       m.cur, c->preempt_count);
	c->preempt_count += PREEMPT_OFFSET;
}

void preempt_enable(void)
{
	struct cpu *c = cur();

	/* Only the PREEMPT_MASK byte: borrowing from the irq bits would
	 * silently turn a hardirq into task context. */
	if ((c->preempt_count & PREEMPT_MASK) == 0)
		machine_report("lockdep", "preempt_count underflow: preempt_enable() in %s on cpu%d (preempt_count %#x)",
			       cur_kind_name(), m.cur, c->preempt_count);
	c->preempt_count -= PREEMPT_OFFSET;
	if (nwoken)
		rt_run_woken();
}

/* Per task: RT's sleeping locks and SLUB's CPU pinning on RT take it
 * instead of preempt_disable(); a task with it raised never migrates. */
void migrate_disable(void)
{
	m.tasks[current_task()].migrate_disable++;
}

void migrate_enable(void)
{
	struct task *t = &m.tasks[current_task()];

	if (t->migrate_disable == 0)
		machine_report("lockdep", "migrate_enable() underflow in %s on cpu%d",
			       cur_kind_name(), m.cur);
	t->migrate_disable--;
}

int machine_migrate_disabled(void)
{
	return m.tasks[current_task()].migrate_disable;
}

/* "BUG: sleeping function called from invalid context", naming what would
 * sleep (an RT sleeping lock), unless the task may sleep here. might_sleep()
 * is inject/might_sleep.c's. */
static void check_may_sleep(const char *what)
{
	char where[256];

	if (preemptible())
		return;
	machine_describe(where, sizeof(where));
	machine_report("sleep-in-atomic",
		       "BUG: sleeping function called from invalid context: %s%s, in_atomic(): %d, irqs_disabled(): %d, preempt_count %#x",
		       what, where, (cur()->preempt_count & ~(m.rt ? SOFTIRQ_MASK : 0u)) != 0,
		       cur()->irqs_off, cur()->preempt_count);
}


/* ------------------------------------------------------------------ */
/* Locks                                                               */
/* ------------------------------------------------------------------ */

/*
 * On UP the spinning part of spinlock_t and raw_spinlock_t compiles away:
 * lock and trylock always succeed and record no owner, only the preempt
 * disable remains. This is what lets a nested context "take" a lock the
 * interrupted context holds; the model must not rely on the lock there.
 * local_trylock_t keeps its acquired mark on UP.
 */
static bool lock_is_noop(const struct env_lock *l)
{
	return m.up && l->kind != LOCK_LOCAL;
}

/*
 * On UP a spinlock is a no-op, so taking or trying one the interrupted
 * context holds "succeeds" and the critical section runs twice at once.
 * The kernel cannot see it; the machine still records owners on UP to say
 * so (invariant 6, trylock-holder). An NMI never gets here: kmalloc_nolock()
 * bails out in NMI on UP. A kprobe over a spin_lock_irqsave() region can.
 */
static void up_reentry_check(const struct env_lock *l)
{
	if (l->owner_cpu >= 0)
		machine_report(invariant_class(6),
			       "UP: %s on cpu%d takes %s, held by the %s it interrupted (depth %d): on UP "
			       "spin_trylock() succeeds and the critical section is re-entered",
			       cur_kind_name(), m.cur, lock_name(l),
			       ctx_kind_name(cur()->frames[l->owner_depth].kind), l->owner_depth);
}

/*
 * spin_lock() is preempt_disable() then the atomic; local_lock_irqsave()
 * only disables irqs (the irqsave wrapper does that), so LOCK_LOCAL leaves
 * preempt_count alone. RT's sleeping locks (rt_lock() below) take
 * migrate_disable() instead and check that the task may sleep.
 */
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

/* RT: spinlock_t and local locks are sleeping locks (rtmutex underneath). */
static bool sleeping_lock(const struct env_lock *l)
{
	return m.rt && l->kind != LOCK_RAW_SPIN;
}

/* Like DEBUG_SPINLOCK's magic check: a lock in zeroed or corrupted memory
 * would otherwise look owned by cpu0, or index past the CPUs. */
static void check_lock(const struct env_lock *l)
{
	if (!l->name)
		machine_report("lockdep", "lock used before init (bad magic) in %s on cpu%d",
			       cur_kind_name(), m.cur);
	if (l->owner_cpu < -1 || l->owner_cpu >= m.ncpus ||
	    (l->owner_cpu >= 0 && (l->owner_depth < 0 || l->owner_depth >= MACHINE_MAX_DEPTH)))
		machine_report("lockdep", "%s has a corrupt owner (cpu %d, depth %d) in %s on cpu%d",
			       lock_name(l), l->owner_cpu, l->owner_depth,
			       cur_kind_name(), m.cur);
}

static void take(struct env_lock *l)
{
	struct cpu *c = cur();

	if (c->nheld == MACHINE_MAX_HELD)
		machine_report("lockdep", "BUG: MAX_LOCK_DEPTH too low: %s on cpu%d takes %s with %d locks held",
			       cur_kind_name(), m.cur, lock_name(l), c->nheld);
	l->owner_cpu = (int8_t)m.cur;
	l->owner_depth = (int8_t)c->depth;
	l->owner_task = (int16_t)current_task();
	model_wrote(l);
	c->held[c->nheld++] = (struct held_lock){ .lock = l, .depth = c->depth };
}

/* A spin on a held lock never ends in a one-thread machine: say why. */
_Noreturn static void report_spin(const struct env_lock *l)
{
	const struct cpu *o = &m.cpus[l->owner_cpu];
	const char *okind = l->owner_depth <= o->depth
		? ctx_kind_name(o->frames[l->owner_depth].kind) : "?";

	if (l->owner_cpu != m.cur)
		machine_report("deadlock",
			       "deadlock: %s on cpu%d spins on %s held by %s (depth %d) on cpu%d, which cannot run until this context returns",
			       cur_kind_name(), m.cur, lock_name(l), okind,
			       l->owner_depth, l->owner_cpu);
	if (l->kind == LOCK_LOCAL)
		machine_report("deadlock",
			       "recursive local_lock: %s on cpu%d takes %s already acquired by %s (depth %d) on the same CPU",
			       cur_kind_name(), m.cur, lock_name(l), okind, l->owner_depth);
	machine_report("deadlock",
		       "AA deadlock: %s on cpu%d spins on %s held by %s (depth %d) on the same CPU",
		       cur_kind_name(), m.cur, lock_name(l), okind, l->owner_depth);
}

static void lock_at(struct env_lock *l, void *pc)
{
	check_lock(l);
	nolock_spin_check(l, pc);
	if (sleeping_lock(l)) {
		rt_lock(l, pc);
		return;
	}
	lock_preempt_disable(l);
	lockdep_acquire(l, false, pc);
	boundary_at(pc);
	if (lock_is_noop(l))
		up_reentry_check(l);
	else if (l->owner_cpu >= 0)
		report_spin(l);
	take(l);
}

static bool trylock_at(struct env_lock *l, void *pc)
{
	check_lock(l);
	if (sleeping_lock(l))
		return rt_trylock(l, pc);
	lock_preempt_disable(l);
	boundary_at(pc);
	if (lock_is_noop(l)) {
		up_reentry_check(l);
		lockdep_acquire(l, true, pc);
		take(l);
		return true;
	}
	/* The fault stands for a remote CPU holding the lock. Nobody else
	 * can hold a CPU's local lock: its trylock fails only when this CPU
	 * holds it, which is modelled exactly (and slub's
	 * local_lock_cpu_slab() asserts that its trylock succeeds). */
	if (l->kind != LOCK_LOCAL && injected_fault(FAULT_TRYLOCK, &m.fail_trylocks)) {
		lock_preempt_enable(l);
		return false;
	}
	if (l->owner_cpu >= 0) {
		lock_preempt_enable(l);
		return false;
	}
	lockdep_acquire(l, true, pc);
	take(l);
	return true;
}

static void unlock_at(struct env_lock *l, void *pc)
{
	struct cpu *c = cur();
	int i;

	check_lock(l);
	boundary_at(pc);
	if (l->owner_cpu < 0)
		machine_report("lockdep", "bad unlock balance: %s on cpu%d releases %s, which is not held",
			       cur_kind_name(), m.cur, lock_name(l));
	if (l->owner_cpu != m.cur || l->owner_depth != c->depth ||
	    (sleeping_lock(l) && l->owner_task != current_task()))
		machine_report("lockdep", "bad unlock balance: %s on cpu%d (depth %d) releases %s held by depth %d on cpu%d",
			       cur_kind_name(), m.cur, c->depth, lock_name(l),
			       l->owner_depth, l->owner_cpu);
	for (i = c->nheld - 1; i >= 0 && c->held[i].lock != l; i--)
		;
	if (i < 0)
		machine_report("bug", "%s owned by cpu%d is missing from its held-lock stack",
			       lock_name(l), m.cur);
	for (; i < c->nheld - 1; i++)
		c->held[i] = c->held[i + 1];
	c->nheld--;
	l->owner_cpu = -1;
	l->owner_depth = -1;
	l->owner_task = -1;
	model_wrote(l);
	if (sleeping_lock(l)) {
		migrate_enable();
		rt_wake_waiters(l);
		return;
	}
	lock_preempt_enable(l);
}

void env_lock_init(struct env_lock *l, enum env_lock_kind kind, const char *name)
{
	l->name = name;
	l->kind = (int8_t)(kind & LOCK_KIND_MASK);
	l->untracked = (kind & LOCK_UNTRACKED) != 0;
	l->owner_cpu = -1;
	l->owner_depth = -1;
	l->owner_task = -1;
	model_wrote(l);
}

void env_lock(struct env_lock *l)
{
	lock_at(l, __builtin_return_address(0));
}

bool env_trylock(struct env_lock *l)
{
	return trylock_at(l, __builtin_return_address(0));
}

void env_unlock(struct env_lock *l)
{
	unlock_at(l, __builtin_return_address(0));
}

/* On RT the irqsave forms of sleeping locks leave irqs alone (flags 0). */
unsigned long env_lock_irqsave(struct env_lock *l)
{
	unsigned long flags;

	if (sleeping_lock(l)) {
		lock_at(l, __builtin_return_address(0));
		return 0;
	}
	flags = arch_local_irq_save();
	lock_at(l, __builtin_return_address(0));
	return flags;
}

bool env_trylock_irqsave(struct env_lock *l, unsigned long *flags)
{
	if (sleeping_lock(l)) {
		*flags = 0;
		return trylock_at(l, __builtin_return_address(0));
	}
	*flags = arch_local_irq_save();
	if (trylock_at(l, __builtin_return_address(0)))
		return true;
	irq_restore_at(*flags, __builtin_return_address(0));
	return false;
}

void env_unlock_irqrestore(struct env_lock *l, unsigned long flags)
{
	unlock_at(l, __builtin_return_address(0));
	if (!sleeping_lock(l))
		irq_restore_at(flags, __builtin_return_address(0));
}

/* local_lock_is_locked(): on !RT acquired on this CPU (irqs were off, so
 * only a context this one interrupted can hold it); on RT owned by the
 * current task. */
bool env_lock_is_locked(struct env_lock *l)
{
	if (sleeping_lock(l))
		return l->owner_cpu >= 0 && l->owner_task == current_task();
	return l->owner_cpu == m.cur;
}

bool env_lock_held_by_current(struct env_lock *l)
{
	if (sleeping_lock(l))
		return l->owner_cpu >= 0 && l->owner_task == current_task();
	return l->owner_cpu == m.cur && l->owner_depth == cur()->depth;
}


/* ------------------------------------------------------------------ */
/* PREEMPT_RT: sleeping locks, blocking tasks, the irq_work thread     */
/* ------------------------------------------------------------------ */

/*
 * On RT a preempting task runs as a coroutine (task NR_CPUS + slot). When
 * it blocks on a sleeping lock, its frames and held locks are lifted off
 * the CPU and kept here; the task it preempted (or whoever resumed it) runs
 * on. The unlock marks it woken, and it runs again at the next point where
 * the CPU is preemptible in task context — at once if the unlocker is.
 * Invariants: a blocked task that is not woken waits on a lock another
 * task holds; its frames are on no CPU's stack; its held locks name it as
 * owner. Waking at preempt_enable() or an irq restore is a real preemption
 * point: the kernel reschedules there too.
 */
struct blocked_task {
	bool used;		/* blocked (woken or not) */
	bool woken;		/* its lock was released: it may run again */
	int cpu;
	struct env_lock *on;
	unsigned int preempt_count;	/* the CPU's state in the task when it blocked */
	bool irqs_off;
	int base;		/* depth of its task frame when it blocked */
	int nframes;
	struct frame frames[MACHINE_MAX_DEPTH];
	int nheld;
	struct held_lock held[MACHINE_MAX_HELD];
};

static struct blocked_task blocked[CORO_MAX];

static void (*sched_hook)(void *ctx, const char *what);
static void *sched_ctx;

void machine_set_sched_hook(void (*hook)(void *ctx, const char *what), void *ctx)
{
	sched_hook = hook;
	sched_ctx = ctx;
}

static void sched_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sched_event(const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (!sched_hook)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sched_hook(sched_ctx, what);
}

static void rt_forget_blocked(void)
{
	memset(blocked, 0, sizeof(blocked));
	nwoken = 0;
	coro_reset();
}

static int task_of_coro(int slot)
{
	return NR_CPUS + slot;
}

/* A sleeping lock where the task may not sleep (irqs off, preemption off,
 * hard interrupt). */
static void rt_might_sleep(const struct env_lock *l)
{
	char what[96];

	snprintf(what, sizeof(what), "rt_spin_lock(%s) in ", lock_name(l));
	check_may_sleep(what);
}

/* The task that runs once the frames from base up are lifted off. */
static int task_of_frame_below(const struct cpu *c, int base)
{
	for (int d = base - 1; d > 0; d--)
		if (c->frames[d].kind == CTX_TASK)
			return c->frames[d].task;
	return c->task;
}

/* Lift the running coroutine's frames and locks off the CPU and switch away
 * until a waker puts them back (rt_run_woken). */
static void rt_block_on(struct env_lock *l)
{
	struct cpu *c = cur();
	int self = coro_current(), me = current_task(), base, n = 0;
	struct blocked_task *b;

	/* Who would have to run for the lock to be released? */
	for (int owner = l->owner_task, hops = 0; ; hops++) {
		struct blocked_task *ob = owner >= NR_CPUS ? &blocked[owner - NR_CPUS] : NULL;

		if (owner == me || hops > CORO_MAX)
			machine_report("deadlock",
				       "deadlock: task %d on cpu%d blocks on %s, whose owner waits (through %d task%s) for task %d itself",
				       me, m.cur, lock_name(l), hops, hops == 1 ? "" : "s", me);
		if (!ob || !ob->used)
			break;
		owner = ob->on->owner_task;
	}
	if (self < 0 || me != task_of_coro(self))
		machine_report("deadlock",
			       "deadlock: task %d on cpu%d blocks on %s held by task %d, which cannot run before this task does",
			       me, m.cur, lock_name(l), l->owner_task);
	for (base = c->depth; base > 0 && !(c->frames[base].kind == CTX_TASK && c->frames[base].task == me); base--)
		;
	b = &blocked[self];
	*b = (struct blocked_task){ .used = true, .cpu = m.cur, .on = l, .base = base,
				    .preempt_count = c->preempt_count, .irqs_off = c->irqs_off };
	for (int d = base; d <= c->depth; d++)
		b->frames[b->nframes++] = c->frames[d];
	for (int i = 0; i < c->nheld; i++) {
		if (c->held[i].depth >= base)
			b->held[b->nheld++] = c->held[i];
		else
			c->held[n++] = c->held[i];
	}
	c->nheld = n;
	sched_event("task %d blocks on %s (held by task %d); task %d runs on",
		    me, lock_name(l), l->owner_task, task_of_frame_below(c, base));
	c->preempt_count = c->frames[base].pc_before;
	c->irqs_off = c->frames[base].irqs_off_before;
	c->depth = base - 1;
	coro_yield();
	/* rt_run_woken() put us back, on the same CPU, possibly higher up */
}

static void rt_lock(struct env_lock *l, void *pc)
{
	rt_might_sleep(l);
	migrate_disable();
	lockdep_acquire(l, false, pc);
	boundary_at(pc);
	while (l->owner_cpu >= 0) {
		if (l->owner_task == current_task())
			machine_report("deadlock",
				       "recursive rt_spin_lock: task %d in %s on cpu%d takes %s, which it already holds",
				       current_task(), cur_kind_name(), m.cur, lock_name(l));
		rt_block_on(l);
	}
	take(l);
}

/* RT's local_trylock() refuses in NMI and hardirq; a spinlock_t trylock
 * there would be a bug of the caller (the rtmutex is not NMI-safe). */
static bool rt_trylock(struct env_lock *l, void *pc)
{
	if (in_nmi() || in_hardirq()) {
		if (l->kind == LOCK_LOCAL)
			return false;
		machine_report("lockdep", "rt_spin_trylock(%s) in %s on cpu%d: a sleeping lock in hard interrupt context",
			       lock_name(l), cur_kind_name(), m.cur);
	}
	migrate_disable();
	boundary_at(pc);
	if ((l->kind != LOCK_LOCAL && injected_fault(FAULT_TRYLOCK, &m.fail_trylocks)) ||
	    l->owner_cpu >= 0) {
		migrate_enable();
		return false;
	}
	lockdep_acquire(l, true, pc);
	take(l);
	return true;
}

static void rt_wake_waiters(struct env_lock *l)
{
	for (int i = 0; i < CORO_MAX; i++) {
		if (blocked[i].used && !blocked[i].woken && blocked[i].on == l) {
			blocked[i].woken = true;
			nwoken++;
		}
	}
	rt_run_woken();
}

/* Put a woken task back on top of this CPU's stack and let it run until it
 * finishes or blocks again. Only where the CPU could switch tasks. */
static void rt_run_woken(void)
{
	struct cpu *c;

	if (!nwoken)
		return;
	c = cur();
	for (int i = 0; i < CORO_MAX; i++) {
		struct blocked_task *b = &blocked[i];
		int base = c->depth + 1, shift;

		if (!b->used || !b->woken || b->cpu != m.cur)
			continue;
		if (c->frames[c->depth].kind != CTX_TASK || !preemptible() ||
		    base + b->nframes > MACHINE_MAX_DEPTH || c->nheld + b->nheld > MACHINE_MAX_HELD)
			return;
		shift = base - b->base;
		for (int k = 0; k < b->nframes; k++)
			c->frames[base + k] = b->frames[k];
		c->frames[base].pc_before = c->preempt_count;
		c->frames[base].irqs_off_before = c->irqs_off;
		for (int k = 0; k < b->nheld; k++) {
			struct held_lock h = b->held[k];

			h.depth += shift;
			h.lock->owner_depth = (int8_t)h.depth;
			model_wrote(h.lock);
			c->held[c->nheld++] = h;
		}
		c->depth = base + b->nframes - 1;
		c->preempt_count = b->preempt_count;
		c->irqs_off = b->irqs_off;
		b->used = false;
		b->woken = false;
		nwoken--;
		sched_event("task %d wakes (%s was released) and runs", task_of_coro(i), lock_name(b->on));
		if (coro_resume(i) == CORO_ABORTED)
			raise_report();
		i = -1; /* the set changed: look again from the start */
	}
}

struct rt_task_start {
	void (*run)(void *arg);
	void *arg;
	bool percpu_thread;
};

/* A preempting task's body, on its own stack. */
static void rt_task_main(void *p)
{
	struct rt_task_start start = *(struct rt_task_start *)p;
	struct cpu *c = cur();
	int me = task_of_coro(coro_current());

	m.tasks[me].migrate_disable = 0;
	m.tasks[me].percpu_thread = start.percpu_thread;
	m.tasks[me].nolock = (struct machine_nolock_call){ 0 };
	c->depth++;
	c->frames[c->depth] = (struct frame){
		.kind = CTX_TASK,
		.task = me,
		.irqs_off_before = c->irqs_off,
		.pc_before = c->preempt_count,
		.irqs_off_entry = c->irqs_off,
		.pc_entry = c->preempt_count,
		.cs_depth = callstack_depth(),
	};
	if (start.run)
		start.run(start.arg);
	machine_exit();
}

static bool rt_preempt(int to_cpu, void (*run)(void *arg), void *arg)
{
	/* the irq_work thread is a per-CPU kthread, bound to its CPU */
	struct rt_task_start start = { run, arg, run == rt_irq_work_thread };
	int slot, status;

	status = coro_start(rt_task_main, &start, &slot);
	if (status < 0)
		return false;	/* every coroutine busy: no more tasks to run */
	if (status == CORO_ABORTED)
		raise_report();
	if (status == CORO_DONE)
		migrate_after_preemption(to_cpu);
	/* CORO_YIELDED: it blocked on a lock this task holds; we run on */
	return true;
}

/* The RT irq_work thread's body: the pending batches of this CPU. */
static void rt_irq_work_thread(void *arg)
{
	(void)arg;
	run_irq_work_batches(false);
}

/* Blocked tasks left at a quiescent point are lost wakeups or deadlocks;
 * woken ones run now. */
void machine_settle(void)
{
	rt_run_woken();
	for (int i = 0; i < CORO_MAX; i++)
		if (blocked[i].used)
			machine_report("deadlock",
				       "task %d on cpu%d is still blocked on %s (held by task %d) when the operation ends",
				       task_of_coro(i), blocked[i].cpu, lock_name(blocked[i].on),
				       blocked[i].on->owner_task);
}

/* ------------------------------------------------------------------ */
/* irq_work                                                            */
/* ------------------------------------------------------------------ */

bool irq_work_queue(struct irq_work *work)
{
	struct cpu *c;

	/* irq_work_claim() is an atomic: a boundary like the lock ops. */
	boundary_at(__builtin_return_address(0));
	if (work->pending)
		return false;
	c = cur();
	work->pending = 1;
	work->cpu = (int8_t)m.cur;
	work->next = NULL;
	model_wrote(work);
	if (c->work_tail) {
		c->work_tail->next = work;
		model_wrote(c->work_tail);
	} else {
		c->work_head = work;
	}
	c->work_tail = work;
	return true;
}

/* Run this CPU's pending irq_work. Each round is one irq_work interrupt
 * (with hardirq, its own hardirq context) running the batch queued before
 * it; work queued by the batch raises the next one. */
static bool run_irq_work_batches(bool hardirq)
{
	struct cpu *c = cur();
	int cpu = m.cur;

	while (c->work_head) {
		struct irq_work *batch = c->work_head;

		if (hardirq && !machine_enter(CTX_HARDIRQ))
			return false;
		c->work_head = c->work_tail = NULL;
		while (batch) {
			struct irq_work *w = batch;

			batch = w->next;
			w->next = NULL;
			/* Cleared first, as irq_work_single() does: the
			 * function may queue it again. */
			w->pending = 0;
			model_wrote(w);
			w->func(w);
			if (m.cur != cpu)
				machine_report("bug", "irq_work function switched from cpu%d to cpu%d",
					       cpu, m.cur);
		}
		if (hardirq)
			machine_exit();
	}
	return true;
}

/*
 * !RT: the irq_work interrupt, where irqs are on. RT: irq_work without
 * IRQ_WORK_HARD_IRQ runs in the per-CPU irq_work thread, a task that gets
 * the CPU where the current one is preemptible (and may block on the
 * sleeping locks the work takes).
 */
bool machine_run_irq_work(void)
{
	struct cpu *c = cur();

	if (m.rt) {
		if (!c->work_head)
			return !c->irqs_off;
		if (c->frames[c->depth].kind != CTX_TASK || !preemptible())
			return false;
		return rt_preempt(-1, rt_irq_work_thread, NULL);
	}
	if (c->irqs_off)
		return false;
	return run_irq_work_batches(true);
}

void machine_drain_irq_work(void)
{
	int orig = m.cur;
	bool again = true;

	while (again) {
		again = false;
		for (int i = 0; i < m.ncpus; i++) {
			if (!m.cpus[i].work_head)
				continue;
			m.cur = i;
			if (!machine_run_irq_work())
				machine_report("bug", "machine_drain_irq_work: cpu%d cannot run its irq_work (irqs disabled or too deep)",
					       i);
			again = true;
		}
	}
	m.cur = orig;
}

bool machine_irq_work_pending(int cpu)
{
	return cpu >= 0 && cpu < m.ncpus && m.cpus[cpu].work_head != NULL;
}

/* On RT irq_work_sync() sleeps (rcuwait) until the thread ran the work. */
void irq_work_sync(struct irq_work *work)
{
	int orig = m.cur;
	bool ran;

	if (m.rt)
		might_sleep();
	if (!work->pending)
		return;
	if (work->cpu == m.cur && cur()->irqs_off)
		machine_report("deadlock",
			       "irq_work_sync would wait forever: %s on cpu%d has irqs disabled and the work is queued on this CPU",
			       cur_kind_name(), m.cur);
	m.cur = work->cpu;
	ran = machine_run_irq_work();
	m.cur = orig;
	if (!ran)
		machine_report("deadlock",
			       "irq_work_sync on cpu%d waits for cpu%d, which has irqs disabled and cannot run until this context returns",
			       orig, (int)work->cpu);
}

/* ------------------------------------------------------------------ */
/* Faults, warnings, bugs, the arena                                   */
/* ------------------------------------------------------------------ */

void machine_fail_trylocks(int n)
{
	m.fail_trylocks = n;
}

void machine_fail_page_allocs(int n)
{
	m.fail_page_allocs = n;
}

bool should_fail_alloc_page(unsigned int order)
{
	(void)order;
	return injected_fault(FAULT_PAGE_ALLOC, &m.fail_page_allocs);
}

void machine_fail_memcg_charges(int n)
{
	m.fail_memcg_charges = n;
}

bool should_fail_memcg_charge(void)
{
	return injected_fault(FAULT_MEMCG, &m.fail_memcg_charges);
}

void env_warn(const char *what, const char *file, int line)
{
	m.warnings++;
	snprintf(m.last_warning, sizeof(m.last_warning), "WARNING: %s at %s:%d",
		 what, file, line);
}

unsigned int machine_warnings(void)
{
	return m.warnings;
}

const char *machine_last_warning(void)
{
	return m.last_warning;
}

_Noreturn void env_bug(const char *what, const char *file, int line)
{
	machine_report("bug", "kernel BUG at %s:%d: %s", file, line, what);
}

_Noreturn void env_report(const char *cls, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	machine_report(cls, "%s", msg);
}

/* A debug cache's slab error ends the run here: class "slab-error". */
void env_slab_error(const char *cache, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	machine_report("slab-error", "BUG %s: %s", cache, msg);
}

/*
 * Reused while the size is unchanged: mapping is the expensive part of a
 * reset. A reused arena keeps its bytes and its ASan poison; the caller
 * re-initialises both (kmem_init() does).
 */
void *env_arena_map(size_t bytes)
{
	if (arena && arena_size == bytes)
		return arena;
	if (arena) {
		/* Stale shadow must not outlive the mapping. */
		kasan_unpoison(arena, arena_size);
		munmap(arena, arena_size);
		arena = NULL;
	}
	arena = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		arena = NULL;
		machine_report("bug", "env_arena_map: cannot map %zu bytes", bytes);
	}
	arena_size = bytes;
	write_marks_attach(arena, arena ? bytes : 0);
	return arena;
}

/* ------------------------------------------------------------------ */
/* Reports                                                             */
/* ------------------------------------------------------------------ */

/*
 * The report lives in one static slot: the pointer machine_try() returns
 * stays valid until the next report or machine_reset().
 */
const struct machine_report *machine_try(void (*fn)(void *arg), void *arg)
{
	sigjmp_buf env;
	sigjmp_buf *prev = try_env;
	int prev_stack = try_stack;

	/* savemask 0: the machine never touches the host signal mask. */
	if (sigsetjmp(env, 0)) {
		try_env = prev;
		try_stack = prev_stack;
		return &report;
	}
	try_env = &env;
	try_stack = coro_current();
	fn(arg);
	try_env = prev;
	try_stack = prev_stack;
	return NULL;
}

/* Unwind to the innermost machine_try(). A jump never crosses stacks: from
 * a coroutine whose stack does not hold that try, leave the coroutine, and
 * whoever resumed it raises again (rt_preempt, rt_run_woken). */
_Noreturn static void raise_report(void)
{
	if (!try_env) {
		fprintf(stderr, "reentry: %s: %s\n", report.cls, report.text);
		abort();
	}
	if (try_stack != coro_current())
		coro_abort();
	siglongjmp(*try_env, 1);
}

_Noreturn void machine_report(const char *cls, const char *fmt, ...)
{
	va_list ap;

	snprintf(report.cls, sizeof(report.cls), "%s", cls);
	va_start(ap, fmt);
	vsnprintf(report.text, sizeof(report.text), fmt, ap);
	va_end(ap);
	report.cpu = m.cur;
	report.depth = cur()->depth;
	raise_report();
}

int machine_task_held_locks(const struct env_lock **locks, int max)
{
	const struct cpu *c = cur();
	int n = 0, task = current_task();

	for (int i = 0; i < c->nheld && n < max; i++)
		if (c->held[i].lock->owner_task == task)
			locks[n++] = c->held[i].lock;
	return n;
}

int machine_held_locks(const char **names, int max)
{
	const struct cpu *c = cur();
	int n = 0;

	for (int i = 0; i < c->nheld && n < max; i++)
		if (c->held[i].depth == c->depth)
			names[n++] = lock_name(c->held[i].lock);
	return n;
}

void machine_describe(char *buf, size_t size)
{
	const struct cpu *c = cur();
	size_t n;

	if (size == 0)
		return;
	n = (size_t)snprintf(buf, size, "cpu%d %s [", m.cur, cur_kind_name());
	for (int i = 0; i < c->nheld && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s held, ",
				      lock_name(c->held[i].lock));
	if (n < size)
		snprintf(buf + n, size - n, "irqs %s]", c->irqs_off ? "off" : "on");
}
