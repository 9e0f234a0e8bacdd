/*
 * inject/machine.h — the simulated machine that implements core/env.h.
 *
 * One host thread simulates every CPU. Each CPU has a task and a stack of
 * contexts (task → softirq → hardirq → NMI; a kprobe handler is a synchronous
 * context pushed on top of whatever it interrupted). Only the top context of
 * the CPU that is "current" runs; an interrupt is a nested call: push a
 * context, run the handler, pop it. Because nothing runs concurrently, a lock
 * held by anyone else can never be released while we wait, so lockdep-lite
 * reports every would-be spin on a held lock at once instead of hanging.
 *
 * Reports end the run: machine_report() longjmps to the innermost
 * machine_try(); with none active it prints the report and aborts.
 */
#ifndef REENTRY_INJECT_MACHINE_H
#define REENTRY_INJECT_MACHINE_H

#include "../core/env.h"

#include <stdarg.h>

enum ctx_kind {
	CTX_TASK,
	CTX_SOFTIRQ,
	CTX_HARDIRQ,
	CTX_NMI,
	CTX_KPROBE, /* kprobe / tracepoint / fentry BPF handler: synchronous, in_nmi() as interrupted */
};

#define MACHINE_MAX_DEPTH 8	 /* contexts stacked on one CPU, task included */
#define MACHINE_MAX_HELD 16	 /* locks held at once on one CPU */

/* preempt_count layout, as in include/linux/preempt.h */
#define PREEMPT_OFFSET 0x00000001u
#define PREEMPT_MASK 0x000000ffu
#define SOFTIRQ_OFFSET 0x00000100u
#define SOFTIRQ_MASK 0x0000ff00u
#define HARDIRQ_OFFSET 0x00010000u
#define HARDIRQ_MASK 0x000f0000u
#define NMI_OFFSET 0x00100000u
#define NMI_MASK 0x00f00000u

struct machine_report {
	char cls[32];	/* report class: deadlock, lockdep, sleep-in-atomic, bug, ... */
	char text[640];	/* one line, kernel-report style */
	int cpu;	/* CPU and context depth where it was raised */
	int depth;
};

/* Reset every CPU to task context, irqs on, preempt 0, nothing held or pending.
 * Reads kconfig (nr_cpus, smp, preempt_rt). Clears warnings, faults and reports. */
void machine_reset(void);

/* Which CPU runs from now on. The CPU left behind keeps its context stack. */
void machine_set_cpu(int cpu);
int machine_cpu(void);
int machine_nr_cpus(void);		/* CPUs since the last reset (1 on UP) */
/* The task running on this CPU (`current`: an interrupt runs on behalf of
 * the task it interrupted). */
int machine_task(void);
/* The current task's migrate_disable() depth (0: it may move CPUs). */
int machine_migrate_disabled(void);

/* Push a context on the current CPU. Returns false (and changes nothing) when
 * the kind may not fire now: a hardirq or softirq with irqs disabled, or the
 * depth limit. Entering NMI/hardirq disables irqs; kprobe disables preemption. */
bool machine_enter(enum ctx_kind kind);
/* Pop the top context. Reports (class lockdep) a lock it still holds or irq or
 * preempt state it did not restore, then restores the interrupted state. */
void machine_exit(void);
int machine_depth(void);		/* 0 = task context */
/* Context d of this CPU (0: the task; past the top: the top): its kind, and
 * the shadow call stack's depth when it was entered (0 for the task). */
enum ctx_kind machine_frame(int d, int *callstack_depth_at_entry);
enum ctx_kind machine_context(void);	/* kind of the top context */
const char *ctx_kind_name(enum ctx_kind kind); /* "task", "NMI", ... */
unsigned int machine_preempt_count(void);

/* Run this CPU's pending irq_work in a hardirq context, as the irq_work
 * interrupt would. Returns false if irqs are disabled (nothing ran). */
bool machine_run_irq_work(void);
/* Run pending irq_work on every CPU (each must be in task context, irqs on). */
void machine_drain_irq_work(void);
bool machine_irq_work_pending(int cpu);

/* Faults: make the next n trylocks (any lock) fail as if another CPU held
 * the lock; make the next n page allocations fail. */
void machine_fail_trylocks(int n);
void machine_fail_page_allocs(int n);
/* ... make the next n memcg charges fail (as if over the limit). */
void machine_fail_memcg_charges(int n);

/* Faults anchored by occurrence: the engine's hook is asked (and counts) at
 * each trylock of a spinlock (not a local lock), each page allocation and
 * each memcg charge (with memcg); an armed countdown above fails it
 * whatever the hook says. NULL: no hook. */
enum machine_fault { FAULT_TRYLOCK, FAULT_PAGE_ALLOC, FAULT_MEMCG };
extern bool (*machine_fault_hook)(enum machine_fault fault);

/* Preempt the current task where it is preemptible (task context, preempt
 * count 0, irqs on): another task runs run(arg) on this CPU, then the task
 * resumes, migrated to to_cpu if it may migrate and to_cpu is idle. Returns
 * false (nothing ran) if the task is not preemptible here. On RT the other
 * task runs on its own stack (inject/coro.c): if it blocks on a sleeping
 * lock the preempted task holds, this returns early and the preempted task
 * runs on; its unlock lets the blocked task finish. */
bool machine_preempt(int to_cpu, void (*run)(void *arg), void *arg);

/* At a quiescent point (a top-level operation ended): on RT, run tasks
 * whose lock was released; a task still blocked is reported (deadlock). */
void machine_settle(void);
/* Told of each RT task switch a sleeping lock causes ("task 9 blocks on
 * &n->list_lock ..."), for traces. NULL: nobody listens. */
void machine_set_sched_hook(void (*hook)(void *ctx, const char *what), void *ctx);

/* Snapshots: the whole machine state as bytes (contexts, locks held, pending
 * irq_work, faults armed, warnings). restore also clears the report slot. */
size_t machine_state_size(void);
void machine_save(void *buf);
void machine_restore(const void *buf);
/* The machine's difference from a machine_save() of base into d
 * (inject/digest.h): what the rest of a run can depend on. */
struct digest;
void machine_digest(const void *base, struct digest *d);
/* The arena mapping env_arena_map() made (NULL, 0 if none). */
void machine_arena(void **base, size_t *size);

/* Warnings raised by env_warn(): counted, the last one kept. */
unsigned int machine_warnings(void);
const char *machine_last_warning(void);

/* Run fn(arg) with a recovery point: returns NULL if it returned normally,
 * else the report that ended it. After a report the machine state is
 * undefined until machine_reset(). Nests. */
const struct machine_report *machine_try(void (*fn)(void *arg), void *arg);

/* Raise a report and end the run (see machine_try). */
_Noreturn void machine_report(const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The names of the locks the running context took and still holds (not
 * those of the contexts it interrupted), as written at init ("&c->lock");
 * at most max of them. Returns how many. */
int machine_held_locks(const char **names, int max);
/* The locks the current task holds on this CPU, its interrupted contexts'
 * included (lockdep's held-lock stack of `current`); at most max. */
int machine_task_held_locks(const struct env_lock **locks, int max);

/* The nolock call open in the running context and the work it has done
 * (inject/bounded_work.c counts it). Each task has one, each interrupt frame
 * (and each preempting task frame) has its own: an interrupt's calls are not
 * the work of the call it interrupted. */
struct machine_nolock_call {
	const char *api;	/* the outermost call's name: "kmalloc_nolock" */
	size_t size;
	bool may_spin;		/* its caller's gfp allows spinning (a misuse) */
	int nest;		/* calls open here; a nested one is its caller's work */
	unsigned long entries;	/* machine_entries() when it began */
	unsigned int work[NR_NOLOCK_WORK];
};
struct machine_nolock_call *machine_nolock_call(void);
/* Contexts entered so far (interrupts, preemptions), on every CPU. */
unsigned long machine_entries(void);

/* Describe the current CPU's state for traces: "cpu0 NMI [&n->list_lock held, irqs off]". */
void machine_describe(char *buf, size_t size);

/* The boundary hook (env_boundary() and the load/store callbacks call it):
 * NULL until the injection engine installs one. */
extern void (*machine_boundary_hook)(void *pc);

#endif /* REENTRY_INJECT_MACHINE_H */
