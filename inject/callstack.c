/*
 * inject/callstack.c — a shadow call stack of the model's functions.
 *
 * core/ is compiled with -finstrument-functions-after-inlining, so every
 * real (non-inlined) model function calls these on entry and exit. The
 * innermost one is what a kprobe at the current boundary would be probing:
 * the engine checks it against the model's NOKPROBE_SYMBOL list.
 */
#include "callstack.h"

#include <stddef.h>

#define CALLSTACK_MAX 256

static const void *stack[CALLSTACK_MAX];
static int depth;

#define HOT __attribute__((no_sanitize("address", "undefined")))

HOT void __cyg_profile_func_enter(void *fn, void *caller);
HOT void __cyg_profile_func_enter(void *fn, void *caller)
{
	(void)caller;
	if (depth < CALLSTACK_MAX)
		stack[depth] = fn;
	depth++;
}

HOT void __cyg_profile_func_exit(void *fn, void *caller);
HOT void __cyg_profile_func_exit(void *fn, void *caller)
{
	(void)fn;
	(void)caller;
	if (depth > 0)
		depth--;
}

const void *callstack_innermost(void)
{
	if (depth == 0)
		return NULL;
	return stack[(depth <= CALLSTACK_MAX ? depth : CALLSTACK_MAX) - 1];
}

const void *callstack_frame(int i)
{
	return i >= 0 && i < depth && i < CALLSTACK_MAX ? stack[i] : NULL;
}

int callstack_depth(void)
{
	return depth;
}

void callstack_set_depth(int d)
{
	depth = d;
}
