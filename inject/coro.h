/*
 * inject/coro.h — coroutines for the simulated machine's extra tasks.
 *
 * On PREEMPT_RT a task that blocks on a sleeping lock must really stop and
 * let the lock's holder — a task it preempted — run until the unlock. A
 * nested call cannot do that (the holder's frames are below ours on the one
 * host stack), so such tasks run on their own stacks (ucontext), switched
 * with ASan's fiber annotations so that ASan follows every switch.
 *
 * A coroutine runs until it returns or calls coro_yield(); both give control
 * back to whoever started or resumed it. Only one thing runs at a time.
 */
#ifndef REENTRY_INJECT_CORO_H
#define REENTRY_INJECT_CORO_H

#include <stdbool.h>

#define CORO_MAX 6 /* coroutines alive at once (nested preemptions, irq_work threads) */

enum coro_status {
	CORO_DONE,	/* run() returned; the slot is free again */
	CORO_YIELDED,	/* it called coro_yield(); coro_resume() continues it */
	CORO_ABORTED,	/* it called coro_abort(): a report must be raised here */
};

/* Start run(arg) on a free coroutine; returns when it returns or yields.
 * *id receives its slot (0..CORO_MAX-1). Returns -1 with no free slot. */
int coro_start(void (*run)(void *arg), void *arg, int *id);
/* Continue a yielded coroutine until it returns or yields again. */
enum coro_status coro_resume(int id);
/* From inside a coroutine: give control back to whoever ran it. */
void coro_yield(void);
/* From inside a coroutine: leave it for good, its resumer gets CORO_ABORTED. */
_Noreturn void coro_abort(void);
/* The running coroutine's slot, or -1 on the host thread's own stack. */
int coro_current(void);
/* Forget every coroutine (their stacks are kept for reuse): after a report
 * cut them short, or at a machine reset. */
void coro_reset(void);

#endif /* REENTRY_INJECT_CORO_H */
