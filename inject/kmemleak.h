/* inject/kmemleak.h — kmemleak's books (inject/kmemleak.c), kept with the machine. */
#ifndef REENTRY_INJECT_KMEMLEAK_H
#define REENTRY_INJECT_KMEMLEAK_H

#include "machine.h"

/* A slab API call (inject/slab_api.c); caller: the model function that
 * made it, NULL for the harness's. */
void kmemleak_note(enum env_slab_api api, const void *object, unsigned int gfp, const void *caller);

/* The scan, at the end of a run with everything freed and drained: an
 * object kmemleak still tracks whose memory was freed without telling it is
 * a leak it would report ("unreferenced object"). */
void kmemleak_scan(void);

void kmemleak_reset(void);
size_t kmemleak_state_size(void);
size_t kmemleak_save(void *buf);	/* returns the bytes used */
void kmemleak_restore(const void *buf);

#endif /* REENTRY_INJECT_KMEMLEAK_H */
