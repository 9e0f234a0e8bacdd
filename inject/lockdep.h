/*
 * inject/lockdep.h — lockdep's irq-safety checks on the simulated machine
 * (inject/lockdep.c): the machine tells it of every lock acquisition and of
 * every irq enable with locks held.
 */
#ifndef REENTRY_INJECT_LOCKDEP_H
#define REENTRY_INJECT_LOCKDEP_H

#include "machine.h"

/* Lock l is being taken at model call site pc: a lock before it spins, a
 * trylock once it succeeded (as the kernel calls lock_acquire()). */
void lockdep_acquire(const struct env_lock *l, bool trylock, const void *pc);

/* Irqs go on at pc with locks held (lockdep_hardirqs_on()). */
void lockdep_hardirqs_on(const void *pc);

/* The usage state of every lock class: forgotten at reset (a boot), kept
 * in snapshots with the machine. */
void lockdep_reset(void);
size_t lockdep_state_size(void);
size_t lockdep_save(void *buf);	/* returns the bytes used */
void lockdep_restore(const void *buf);

#endif /* REENTRY_INJECT_LOCKDEP_H */
