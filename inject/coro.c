/*
 * inject/coro.c — coroutines with their own stacks, annotated for ASan and
 * TSan.
 *
 * The switch is a few instructions of x86-64 assembly (save the callee-saved
 * registers, swap stack pointers) rather than swapcontext(): swapcontext
 * makes a system call per switch for the signal mask the machine never
 * changes, and ASan's interceptor of it prints a warning into every run.
 * Every switch tells the sanitizers which stack runs next: ASan keeps
 * separate bookkeeping per stack (without the annotations a switch looks
 * like a wild stack-pointer jump and it reports false stack errors), TSan
 * keeps one fiber per stack.
 */
#define _GNU_SOURCE
#include "coro.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if !defined(__x86_64__)
#error "inject/coro.c switches stacks with x86-64 assembly"
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORO_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define CORO_TSAN 1
#endif
#endif
#ifdef CORO_ASAN
#include <sanitizer/asan_interface.h>
#endif
#ifdef CORO_TSAN
#include <sanitizer/tsan_interface.h>
#endif

#define CORO_STACK_SIZE (512u * 1024u) /* ASan frames are large */
#define HOST (-1)			/* the host thread's own stack */

struct stack_of {
	void *sp;		/* saved stack pointer while switched out */
	void *bottom;		/* lowest address of the stack */
	size_t size;
	void *fake_stack;	/* ASan's fake-stack save across a switch */
	void *tsan_fiber;
};

struct coro {
	struct stack_of st;
	bool busy;
	void (*run)(void *arg);
	void *arg;
	int resumer;		/* who switched into it last: HOST or a slot */
};

static struct coro slots[CORO_MAX];
static struct stack_of host;
static int current = HOST;
static enum coro_status last_status;	/* what the coroutine that just switched out said */

static struct stack_of *stack_of(int who)
{
	return who == HOST ? &host : &slots[who].st;
}

static void host_stack_bounds(void)
{
	pthread_attr_t attr;

	if (host.size)
		return;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		pthread_attr_getstack(&attr, &host.bottom, &host.size);
		pthread_attr_destroy(&attr);
	}
#ifdef CORO_TSAN
	host.tsan_fiber = __tsan_get_current_fiber();
#endif
}

/*
 * Push the callee-saved registers, store the stack pointer in *save, load
 * `load`, pop the registers it saved and return into it. Everything else
 * is caller-saved in the SysV ABI, so the compiler has spilled it already.
 */
__attribute__((naked, noinline)) static void stack_switch(void **save, void *load)
{
	__asm__ volatile("pushq %rbp\n\t"
			 "pushq %rbx\n\t"
			 "pushq %r12\n\t"
			 "pushq %r13\n\t"
			 "pushq %r14\n\t"
			 "pushq %r15\n\t"
			 "movq %rsp, (%rdi)\n\t"
			 "movq %rsi, %rsp\n\t"
			 "popq %r15\n\t"
			 "popq %r14\n\t"
			 "popq %r13\n\t"
			 "popq %r12\n\t"
			 "popq %rbx\n\t"
			 "popq %rbp\n\t"
			 "ret\n\t");
}

/* Switch from the running stack to `to`; returns when something switches
 * back. dying: the running coroutine will never run again. */
static void switch_to(int to, bool dying)
{
	struct stack_of *from = stack_of(current), *dst = stack_of(to);

	current = to;
#ifdef CORO_ASAN
	__sanitizer_start_switch_fiber(dying ? NULL : &from->fake_stack, dst->bottom, dst->size);
#endif
#ifdef CORO_TSAN
	__tsan_switch_to_fiber(dst->tsan_fiber, 0);
#endif
	(void)dying;
	stack_switch(&from->sp, dst->sp);
#ifdef CORO_ASAN
	__sanitizer_finish_switch_fiber(from->fake_stack, NULL, NULL);
#endif
}

static void coro_entry(void)
{
	int self = current;
	struct coro *c = &slots[self];

#ifdef CORO_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	c->run(c->arg);
	c->busy = false;
	last_status = CORO_DONE;
	switch_to(c->resumer, true);
	abort(); /* never resumed: a done slot is restarted from coro_entry */
}

int coro_start(void (*run)(void *arg), void *arg, int *id)
{
	struct coro *c = NULL;
	int i;

	host_stack_bounds();
	for (i = 0; i < CORO_MAX && slots[i].busy; i++)
		;
	if (i == CORO_MAX)
		return -1;
	c = &slots[i];
	if (!c->st.bottom) {
		c->st.bottom = malloc(CORO_STACK_SIZE);
		if (!c->st.bottom) {
			fprintf(stderr, "reentry: cannot allocate a coroutine stack\n");
			abort();
		}
		c->st.size = CORO_STACK_SIZE;
#ifdef CORO_TSAN
		c->st.tsan_fiber = __tsan_create_fiber(0);
#endif
	}
	{
		/* A fresh stack that stack_switch() "returns" into coro_entry
		 * from: six zeroed registers, the entry address, and a slot
		 * standing for coro_entry's own return address, so that it
		 * starts with the stack aligned as after a call. */
		uintptr_t *top = (uintptr_t *)(((uintptr_t)c->st.bottom + c->st.size) & ~(uintptr_t)15);

		top[-1] = 0;
		top[-2] = (uintptr_t)coro_entry;
		for (int k = 3; k <= 8; k++)
			top[-k] = 0;
		c->st.sp = &top[-8];
	}
	c->busy = true;
	c->run = run;
	c->arg = arg;
	*id = i;
	return (int)coro_resume(i);
}

enum coro_status coro_resume(int id)
{
	slots[id].resumer = current;
	switch_to(id, false);
	return last_status;
}

void coro_yield(void)
{
	last_status = CORO_YIELDED;
	switch_to(slots[current].resumer, false);
}

_Noreturn void coro_abort(void)
{
	struct coro *c = &slots[current];

	c->busy = false;
	last_status = CORO_ABORTED;
	switch_to(c->resumer, true);
	abort();
}

int coro_current(void)
{
	return current;
}

void coro_reset(void)
{
	for (int i = 0; i < CORO_MAX; i++)
		slots[i].busy = false;
}
