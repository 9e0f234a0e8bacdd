/*
 * inject/threaded.h — the real-thread backend of core/env.h.
 *
 * The second implementation of core/'s environment (the first is the
 * simulated machine of machine.c/boundary.c/engine.c; both define the same
 * env symbols, so each goes into its own executable: this one into
 * `reentry-stress`). Here every simulated CPU is a real pthread:
 *
 *   - smp_processor_id() is the calling thread's CPU (thread-local); a CPU's
 *     per-CPU data is touched only by its thread and the signal handlers
 *     that interrupt it (and by the harness while the world is stopped);
 *   - preempt_count, the irq-disabled flag and the context stack are per CPU,
 *     changed only by that CPU's thread and its handlers;
 *   - locks are real: an atomic compare-and-exchange on struct env_lock's
 *     owner_cpu, spinning with backoff; a spin on a lock the same CPU holds
 *     (an interrupted context) is reported at once as a deadlock, a spin
 *     longer than THREADED_SPIN_LIMIT_S as a cross-CPU one;
 *   - interrupts are real signals sent to a CPU's thread, one signal number
 *     per kind. They are soft-masked like powerpc's lazy irq masking: a
 *     hardirq-kind signal that arrives while its CPU has irqs disabled only
 *     marks itself pending, and runs when irqs are restored; an NMI-kind
 *     signal runs at once (in_nmi() true); a kprobe-kind signal runs at once
 *     in the interrupted context (preemption disabled, in_nmi() as it was),
 *     unless the interrupted model function is on the NOKPROBE_SYMBOL list
 *     or a kprobe handler is already running (a "missed" kprobe, as the
 *     kernel counts them);
 *   - irq_work is queued on its CPU and runs in a hardirq context on that
 *     CPU's thread when irqs are on (at local_irq_restore(), at the end of a
 *     hardirq, or when the CPU's task polls);
 *   - no boundaries: env_boundary() is a no-op and core/ is built without
 *     the load/store callbacks. Interleavings come from the OS scheduler and
 *     from signals, not from an engine, so nothing here is reproducible.
 *
 * Reports (deadlock, lockdep, BUG_ON, WARN, slab errors) go to the driver's
 * report function, which prints them like a kernel report and ends the
 * process. It is called with the interrupt signals blocked on the reporting
 * thread: no handler runs there again.
 */
#ifndef REENTRY_INJECT_THREADED_H
#define REENTRY_INJECT_THREADED_H

#include "../core/env.h"

#include <signal.h>

enum irq_kind {
	IRQ_HARDIRQ,	/* SIGUSR1: deferred while irqs are disabled */
	IRQ_NMI,	/* SIGUSR2: runs at once, in_nmi() */
	IRQ_KPROBE,	/* SIGURG: runs at once, unless NOKPROBE or nested */
	NR_IRQ_KINDS
};

const char *irq_kind_name(enum irq_kind kind);

/* A spin on a lock held by another CPU longer than this is reported (long:
 * on a loaded machine a preempted holder may stay off-CPU for a while). */
#define THREADED_SPIN_LIMIT_S 30

/* What a CPU's signals did, since threaded_init(). Read with relaxed atomics. */
struct threaded_counts {
	unsigned long received[NR_IRQ_KINDS];	/* signals delivered */
	unsigned long deferred;		/* hardirqs that waited for irqs on */
	unsigned long kprobe_missed;	/* kprobes not run (NOKPROBE or nested) */
	unsigned long irq_work_runs;	/* irq_work functions run */
};

/*
 * Set up ncpus CPUs (every CPU in task context, irqs on) and install the
 * signal handlers. handler(kind) is what each interrupt runs, in its context;
 * report(cls, text) must not return. Call once, before any CPU thread starts,
 * after kconfig is set.
 */
void threaded_init(int ncpus, void (*handler)(enum irq_kind kind),
		   void (*report)(const char *cls, const char *text));

/* The calling thread becomes CPU cpu. A CPU thread calls this first; the
 * harness may also call it while the world is stopped, to act as a CPU
 * (free objects, drain irq_work), and threaded_bind(-1) to stop. */
void threaded_bind(int cpu);
/* The CPU thread of cpu, for threaded_raise(). */
void threaded_set_thread(int cpu, pthread_t thread);
/* Send an interrupt of kind to cpu's thread. */
void threaded_raise(int cpu, enum irq_kind kind);
/* Block (true) or unblock the interrupt signals for the calling thread. */
void threaded_mask_signals(bool block);

/* Task context with irqs on: run this CPU's pending irq_work, as its
 * self-IPI would. */
void threaded_poll(void);
/* Whether cpu has irq_work queued (quiescent or from that CPU). */
bool threaded_irq_work_pending(int cpu);

void threaded_counts(int cpu, struct threaded_counts *out);
/* Context depth of the calling CPU (0: task) and its kind name. */
int threaded_depth(void);
/* "cpu2 NMI (interrupted task [irqs off])": where the calling CPU is. */
void threaded_describe(char *buf, size_t size);
/* The arena env_arena_map() made. */
void threaded_arena(char **base, size_t *size);

#endif /* REENTRY_INJECT_THREADED_H */
