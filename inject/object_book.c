/* inject/object_book.c — the debug checks' books of objects (see object_book.h). */
#include "object_book.h"

#include <string.h>

int book_find(const struct object_book *b, const void *object)
{
	for (int i = b->n - 1; i >= 0; i--)
		if (b->e[i].object == object)
			return i;
	return -1;
}

struct book_entry *book_add(struct object_book *b, const void *object)
{
	struct book_entry *e;

	if (b->n == BOOK_MAX)
		return NULL;
	e = &b->e[b->n++];
	memset(e, 0, sizeof(*e));
	e->object = object;
	return e;
}

void book_forget(struct object_book *b, int i)
{
	b->e[i] = b->e[--b->n];
}

size_t book_save(const struct object_book *b, void *buf)
{
	size_t n = offsetof(struct object_book, e) + (size_t)b->n * sizeof(b->e[0]);

	memcpy(buf, b, n);
	return n;
}

void book_restore(struct object_book *b, const void *buf)
{
	memcpy(b, buf, offsetof(struct object_book, e));
	memcpy(b->e, (const char *)buf + offsetof(struct object_book, e),
	       (size_t)b->n * sizeof(b->e[0]));
}
