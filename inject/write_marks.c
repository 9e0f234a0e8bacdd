/*
 * inject/write_marks.c — the arena's written lines (see write_marks.h), and
 * the ASan callbacks through which core/'s writes mark them.
 *
 * The callbacks opt out of ASan's and UBSan's checks (an instrumented
 * callback would call itself). Each ends in a tail call of ASan's own
 * check, so an ASan report's first frame is the model's access, as without
 * the callbacks.
 */
#include "write_marks.h"
#include "../core/env.h"

#include <stdlib.h>
#include <string.h>

#define NO_CHECKS __attribute__((no_sanitize("address", "undefined")))

struct write_marks write_marks;

void write_marks_attach(void *base, size_t len)
{
	size_t lines = (len + WRITE_MARK_LINE - 1) / WRITE_MARK_LINE;

	free(write_marks.bits);
	write_marks = (struct write_marks){ .base = (uintptr_t)base, .len = base ? len : 0 };
	write_marks.nwords = (lines + 63) / 64;
	write_marks.bits = calloc(write_marks.nwords ? write_marks.nwords : 1, sizeof(uint64_t));
	if (!write_marks.bits)
		abort();
}

void write_marks_reset(uint64_t id)
{
	memset(write_marks.bits, 0, write_marks.nwords * sizeof(uint64_t));
	write_marks.since = id;
}

#ifdef REENTRY_WRITE_MARKS
/* core/env.h's mark_written() is x86-64 asm: elsewhere it marks nothing. */
bool write_marks_complete(void)
{
#ifdef __x86_64__
	return true;
#else
	return false;
#endif
}

/*
 * core/ is compiled with -asan-memory-access-callback-prefix=__reentry_asan_
 * (CMakeLists.txt): ASan calls these where it would call __asan_* — always
 * for the mem intrinsics and accesses of unusual sizes, and for every
 * access of a function with more of them than ASan's call threshold.
 */
void __asan_load1(uintptr_t);
void __asan_load2(uintptr_t);
void __asan_load4(uintptr_t);
void __asan_load8(uintptr_t);
void __asan_load16(uintptr_t);
void __asan_loadN(uintptr_t, uintptr_t);
void __asan_store1(uintptr_t);
void __asan_store2(uintptr_t);
void __asan_store4(uintptr_t);
void __asan_store8(uintptr_t);
void __asan_store16(uintptr_t);
void __asan_storeN(uintptr_t, uintptr_t);
void *__asan_memcpy(void *, const void *, uintptr_t);
void *__asan_memmove(void *, const void *, uintptr_t);
void *__asan_memset(void *, int, uintptr_t);

#define LOAD(n)								\
	NO_CHECKS void __reentry_asan_load##n(uintptr_t a);		\
	NO_CHECKS void __reentry_asan_load##n(uintptr_t a)		\
	{								\
		__attribute__((musttail)) return __asan_load##n(a);	\
	}
#define STORE(n)							\
	NO_CHECKS void __reentry_asan_store##n(uintptr_t a);		\
	NO_CHECKS void __reentry_asan_store##n(uintptr_t a)		\
	{								\
		write_marks_note((const void *)a, n);			\
		__attribute__((musttail)) return __asan_store##n(a);	\
	}
LOAD(1) LOAD(2) LOAD(4) LOAD(8) LOAD(16)
STORE(1) STORE(2) STORE(4) STORE(8) STORE(16)

NO_CHECKS void __reentry_asan_loadN(uintptr_t a, uintptr_t n);
NO_CHECKS void __reentry_asan_loadN(uintptr_t a, uintptr_t n)
{
	__attribute__((musttail)) return __asan_loadN(a, n);
}

NO_CHECKS void __reentry_asan_storeN(uintptr_t a, uintptr_t n);
NO_CHECKS void __reentry_asan_storeN(uintptr_t a, uintptr_t n)
{
	write_marks_note((const void *)a, n);
	__attribute__((musttail)) return __asan_storeN(a, n);
}

NO_CHECKS void *__reentry_asan_memcpy(void *d, const void *s, uintptr_t n);
NO_CHECKS void *__reentry_asan_memcpy(void *d, const void *s, uintptr_t n)
{
	write_marks_note(d, n);
	__attribute__((musttail)) return __asan_memcpy(d, s, n);
}

NO_CHECKS void *__reentry_asan_memmove(void *d, const void *s, uintptr_t n);
NO_CHECKS void *__reentry_asan_memmove(void *d, const void *s, uintptr_t n)
{
	write_marks_note(d, n);
	__attribute__((musttail)) return __asan_memmove(d, s, n);
}

NO_CHECKS void *__reentry_asan_memset(void *d, int c, uintptr_t n);
NO_CHECKS void *__reentry_asan_memset(void *d, int c, uintptr_t n)
{
	write_marks_note(d, n);
	__attribute__((musttail)) return __asan_memset(d, c, n);
}
#else
bool write_marks_complete(void)
{
	return false;
}
#endif

#ifdef REENTRY_ASAN
/* KASAN's poison is ASan's shadow: a change of it is a write of the line. */
NO_CHECKS void env_kasan_poison(const void *p, size_t n)
{
	write_marks_note(p, n);
	ASAN_POISON_MEMORY_REGION(p, n);
}

NO_CHECKS void env_kasan_unpoison(const void *p, size_t n)
{
	write_marks_note(p, n);
	ASAN_UNPOISON_MEMORY_REGION(p, n);
}
#endif
