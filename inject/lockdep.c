/*
 * inject/lockdep.c — lockdep's irq-safety checks (CONFIG_PROVE_LOCKING), with
 * kconfig.lockdep and kconfig.lockdep_irq.
 *
 * A lock class is what one init site makes (the kernel's static
 * lock_class_key): here the name string env_lock_init() was given, so every
 * node's &n->list_lock is one class, as in the kernel. Each class records
 * the ways it was ever taken, each with the chain where it first was:
 *   IN-HARDIRQ-W   taken (not tried) in hardirq context
 *   HARDIRQ-ON-W   taken or tried with irqs enabled, or held while irqs
 *                  were enabled
 *   IN-SOFTIRQ-W   taken (not tried) in softirq context
 *   SOFTIRQ-ON-W   taken or tried with irqs and softirqs enabled
 *   INITIAL USE    taken or tried at all (outside NMI)
 * A class both IN-HARDIRQ-W and HARDIRQ-ON-W can deadlock: a hardirq that
 * lands where irqs are enabled and the lock is held spins on it for ever.
 * The first use that makes a class inconsistent is reported at once, with
 * both chains ("lockdep-irq"), whether or not an interrupt ever landed at
 * the bad moment: the kernel's "inconsistent {A} -> {B} usage".
 *
 * As the kernel's lockdep does:
 *  - a trylock never marks IN-*: it cannot deadlock on the lock it tries,
 *    which is why every path that may run in an interrupt only tries the
 *    locks a task takes with irqs on;
 *  - NMIs are not tracked (lockdep is off in NMI), except that a lock taken
 *    (not tried) in NMI must be of a class never used before: "inconsistent
 *    {INITIAL USE} -> {IN-NMI} usage". This is why mainline's
 *    local_lock_cpu_slab() only tries the per-CPU lock when LOCKDEP is on;
 *  - on PREEMPT_RT softirqs run in task context and are not accounted;
 *  - bit spinlocks (env_lock.untracked) are not seen at all.
 * The lockdep_assert*() checks (kconfig.lockdep_assert) are at the end.
 * A kprobe handler is in whatever context it probed (a tracepoint or fentry
 * BPF program; the model's kprobe keeps the interrupted NMI/hardirq bits).
 * Not modelled: the dependency graph (lock order, irq-safe -> irq-unsafe
 * inversions) and read locks (the model has none).
 */
#include "lockdep.h"
#include "chain.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum usage_bit {
	USED_IN_HARDIRQ,	/* each USED_IN bit excludes the ENABLED bit after it */
	ENABLED_HARDIRQ,
	USED_IN_SOFTIRQ,
	ENABLED_SOFTIRQ,
	USED,
	NR_USAGE_BITS
};

static const char *const usage_str[NR_USAGE_BITS] = {
	[USED_IN_HARDIRQ] = "IN-HARDIRQ-W",
	[ENABLED_HARDIRQ] = "HARDIRQ-ON-W",
	[USED_IN_SOFTIRQ] = "IN-SOFTIRQ-W",
	[ENABLED_SOFTIRQ] = "SOFTIRQ-ON-W",
	[USED] = "INITIAL USE",
};

#define MAX_CLASSES 32
#define MAX_TRACES (MAX_CLASSES * NR_USAGE_BITS)

struct lock_class {
	const char *name;		/* the init site's name string: the key */
	uint8_t usage;			/* 1 << enum usage_bit */
	uint8_t trace[NR_USAGE_BITS];	/* 1 + index into traces, 0: none */
};

/* Saved and restored as a prefix: the classes and traces in use. */
static struct {
	int nclasses, ntraces;
	struct lock_class classes[MAX_CLASSES];
	struct chain traces[MAX_TRACES];
} ld;

void lockdep_reset(void)
{
	ld.nclasses = 0;
	ld.ntraces = 0;
}

size_t lockdep_state_size(void)
{
	return sizeof(ld);
}

static size_t used_size(void)
{
	return offsetof(__typeof__(ld), traces) + (size_t)ld.ntraces * sizeof(ld.traces[0]);
}

size_t lockdep_save(void *buf)
{
	memcpy(buf, &ld, used_size());
	return used_size();
}

void lockdep_restore(const void *buf)
{
	memcpy(&ld, buf, offsetof(__typeof__(ld), traces));
	memcpy(ld.traces, (const char *)buf + offsetof(__typeof__(ld), traces),
	       (size_t)ld.ntraces * sizeof(ld.traces[0]));
}

static struct lock_class *find_class(const struct env_lock *l)
{
	for (int i = 0; i < ld.nclasses; i++)
		if (ld.classes[i].name == l->name)
			return &ld.classes[i];
	return NULL;
}

static struct lock_class *class_of(const struct env_lock *l)
{
	struct lock_class *c = find_class(l);

	if (c)
		return c;
	if (ld.nclasses == MAX_CLASSES)
		machine_report("lockdep", "BUG: MAX_LOCKDEP_KEYS too low! (%d lock classes)",
			       MAX_CLASSES);
	c = &ld.classes[ld.nclasses++];
	*c = (struct lock_class){ .name = l->name };
	return c;
}

static bool rt(void)
{
	return kconfig.preempt_rt;
}

/* The task's lockdep view of where it runs (the kernel's curr->...). */
static bool hardirq_context(void)
{
	return in_hardirq();
}

static bool softirq_context(void)
{
	return !rt() && in_serving_softirq();
}

static bool softirqs_enabled(void)
{
	return !rt() && !(machine_preempt_count() & SOFTIRQ_MASK);
}

/* "[HC1[1]:SC0[0]:HE0:SE1]", as lockdep prints the running context. */
static void irq_state(char *buf, size_t size)
{
	unsigned int pc = machine_preempt_count();

	snprintf(buf, size, "[HC%d[%u]:SC%d[%u]:HE%d:SE%d]", hardirq_context(),
		 (pc & HARDIRQ_MASK) >> 16, softirq_context(), (pc & SOFTIRQ_MASK) >> 8,
		 !irqs_disabled(), softirqs_enabled());
}

_Noreturn static void report(const struct lock_class *c, enum usage_bit prev,
			     const char *new_name, const struct chain *now, const char *verb)
{
	char state[48], here[260], there[260];
	const struct chain none = { 0 };
	const struct chain *then = c->trace[prev] ? &ld.traces[c->trace[prev] - 1] : &none;

	irq_state(state, sizeof(state));
	chain_format(now, here, sizeof(here));
	chain_format(then, there, sizeof(there));
	machine_report("lockdep-irq",
		       "WARNING: inconsistent lock state: inconsistent {%s} -> {%s} usage. "
		       "%s on cpu%d %s %s %s at %s; {%s} state was registered at %s",
		       usage_str[prev], new_name, ctx_kind_name(machine_context()), machine_cpu(),
		       state, verb, c->name, here, usage_str[prev], there);
}

/* Set a usage bit the class lacks; an exclusive bit already set is the report. */
static void mark(struct lock_class *c, enum usage_bit bit, const void *pc, const char *verb)
{
	struct chain *t;

	if (c->usage & (1u << bit))
		return;
	c->usage |= (uint8_t)(1u << bit);
	if (ld.ntraces < MAX_TRACES) {
		t = &ld.traces[ld.ntraces++];
		c->trace[bit] = (uint8_t)ld.ntraces;
		chain_capture(t, pc);
	}
	if (bit < USED && (c->usage & (1u << (bit ^ 1)))) {
		struct chain now;

		chain_capture(&now, pc);
		report(c, (enum usage_bit)(bit ^ 1), usage_str[bit], &now, verb);
	}
}

static bool checking(const struct env_lock *l)
{
	return kconfig.lockdep && kconfig.lockdep_irq && !l->untracked && l->name;
}

void lockdep_acquire(const struct env_lock *l, bool trylock, const void *pc)
{
	struct lock_class *c;

	if (!checking(l))
		return;
	if (in_nmi()) {
		/* lockdep is off in NMI; a lock taken there must be unused */
		c = find_class(l);
		if (!trylock && c && (c->usage & (1u << USED))) {
			struct chain now;

			chain_capture(&now, pc);
			report(c, USED, "IN-NMI", &now, "takes");
		}
		return;
	}
	c = class_of(l);
	if (!trylock) {
		if (hardirq_context())
			mark(c, USED_IN_HARDIRQ, pc, "takes");
		if (softirq_context())
			mark(c, USED_IN_SOFTIRQ, pc, "takes");
	}
	if (!irqs_disabled()) {
		mark(c, ENABLED_HARDIRQ, pc, trylock ? "tries" : "takes");
		if (softirqs_enabled())
			mark(c, ENABLED_SOFTIRQ, pc, trylock ? "tries" : "takes");
	}
	mark(c, USED, pc, "takes");
}

void lockdep_hardirqs_on(const void *pc)
{
	const struct env_lock *held[MACHINE_MAX_HELD];
	int n;

	if (!kconfig.lockdep || !kconfig.lockdep_irq || in_nmi())
		return;
	n = machine_task_held_locks(held, MACHINE_MAX_HELD);
	for (int i = 0; i < n; i++) {
		struct lock_class *c;

		if (!checking(held[i]))
			continue;
		c = class_of(held[i]);
		mark(c, ENABLED_HARDIRQ, pc, "enables irqs holding");
		if (softirqs_enabled())
			mark(c, ENABLED_SOFTIRQ, pc, "enables irqs holding");
	}
}

/*
 * The assertions (include/linux/lockdep.h lockdep_assert*()): the kernel
 * WARNs at the assertion's line, whose function and chain the report names.
 */
void env_lockdep_assert(bool cond, const char *what, const char *file, int line)
{
	const char *core = strstr(file, "core/");
	char state[160], here[300];
	struct chain now;

	if (cond || !kconfig.lockdep || !kconfig.lockdep_assert)
		return;
	machine_describe(state, sizeof(state));
	chain_capture(&now, __builtin_return_address(0));
	chain_format(&now, here, sizeof(here));
	machine_report("lockdep-assert", "WARNING: CPU: %d PID: %d at %s:%d %s failed: %s; %s",
		       machine_cpu(), machine_task(), core ? core : file, line, what, state, here);
}
