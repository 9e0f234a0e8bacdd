/* inject/callstack.h — the model's shadow call stack (see callstack.c). */
#ifndef REENTRY_INJECT_CALLSTACK_H
#define REENTRY_INJECT_CALLSTACK_H

/* The innermost model function now running, NULL outside the model. */
const void *callstack_innermost(void);
/* Frame i of the stack (0: outermost), NULL past the innermost or past
 * what the stack keeps. */
const void *callstack_frame(int i);
/* Depth, to restore after a report unwound the host stack with longjmp. */
int callstack_depth(void);
void callstack_set_depth(int depth);

#endif
