/* inject/api_contract.h — the books of inject/api_contract.c, kept with the machine. */
#ifndef REENTRY_INJECT_API_CONTRACT_H
#define REENTRY_INJECT_API_CONTRACT_H

#include "machine.h"
#include "object_book.h"

/* The API call env_slab_api() was told of (inject/slab_api.c); caller:
 * the model function that made it, NULL for the harness's. */
void api_contract_note(enum env_slab_api api, const void *object, const void *cache,
		       const void *caller);

/* The booking of the allocator's own live object, or NULL (a program's, a
 * free one, or past the books' size). Kept whatever the switches. */
const struct book_entry *api_contract_lookup(const void *object);
/* "kmalloc_nolock()" for ENV_KMALLOC_NOLOCK, ... */
const char *api_contract_api_name(enum env_slab_api api);

void api_contract_reset(void);
size_t api_contract_state_size(void);
size_t api_contract_save(void *buf);	/* returns the bytes used */
void api_contract_restore(const void *buf);

#endif /* REENTRY_INJECT_API_CONTRACT_H */
