/*
 * inject/object_book.h — the books two debug checks keep of the allocator's
 * own objects (inject/api_contract.c, inject/kmemleak.c): a small unordered
 * set of live objects, each with who allocated it and how, saved in the
 * machine's snapshots. Lookups scan it: it holds the allocator's few own
 * objects, never a program's.
 */
#ifndef REENTRY_INJECT_OBJECT_BOOK_H
#define REENTRY_INJECT_OBJECT_BOOK_H

#include <stddef.h>
#include <stdint.h>

#define BOOK_MAX 512	/* objects booked at once; more go unbooked */

struct book_entry {
	const void *object;
	const void *cache;	/* kmem_cache_alloc()'s cache, else NULL */
	const void *alloc_in;	/* the model function that allocated it */
	const void *freed_in;	/* kfree_nolock()'s caller, if kmemleak was not told */
	uint8_t api;		/* enum env_slab_api of the allocation */
	uint8_t freed;		/* freed by kfree_nolock(), kmemleak not told */
};

struct object_book {
	int n;
	struct book_entry e[BOOK_MAX];
};

/* The entry of object, or -1. */
int book_find(const struct object_book *b, const void *object);
/* A new entry for object (zeroed but for it), NULL when the book is full. */
struct book_entry *book_add(struct object_book *b, const void *object);
/* Entry i goes (the last one takes its place). */
void book_forget(struct object_book *b, int i);

/* Snapshots: the bytes that hold a book, and only its used entries copied
 * (book_save() returns how many bytes that is). */
#define BOOK_STATE_SIZE sizeof(struct object_book)
size_t book_save(const struct object_book *b, void *buf);
void book_restore(struct object_book *b, const void *buf);

#endif /* REENTRY_INJECT_OBJECT_BOOK_H */
