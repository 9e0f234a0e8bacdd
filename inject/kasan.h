/* inject/kasan.h — KASAN's allocation side (inject/kasan.c). */
#ifndef REENTRY_INJECT_KASAN_H
#define REENTRY_INJECT_KASAN_H

#include <stdbool.h>

/*
 * The oracle's view of the program's live objects: holds(ctx, object) is
 * true when the running program holds object. While set, a program object
 * handed out again is left to the oracle's double-alloc report. NULL: no
 * program runs (a test calling the API), every such object is reported.
 */
void kasan_set_program(bool (*holds)(void *ctx, const void *object), void *ctx);

#endif /* REENTRY_INJECT_KASAN_H */
