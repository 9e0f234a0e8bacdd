/*
 * inject/boundary.c — where core/ hands control to the injection engine.
 *
 * core/ is compiled with SanitizerCoverage trace-loads/trace-stores, so each
 * of its loads and stores calls one of the callbacks below, and its atomic
 * wrappers call env_boundary() and env_boundary_wrote(). Each is a boundary:
 * the engine's hook may take an interrupt there. A store, and an atomic,
 * also marks the line it wrote (inject/write_marks.h). They run on every
 * memory access of the model, so they are one load of the hook pointer, a
 * predictable branch and, for a store, the mark's few instructions; this file
 * must never be compiled with coverage flags (it would call itself) and
 * opts out of ASan/UBSan checks it does not need.
 *
 * Never define __sanitizer_cov_trace_pc*: libFuzzer and AFL++ own them.
 */
#include "machine.h"
#include "write_marks.h"

#define HOT __attribute__((noinline, no_sanitize("address", "undefined")))

/* Only builds whose marks are complete use them (write_marks_complete()):
 * elsewhere the hot callbacks leave them alone. */
#ifdef REENTRY_WRITE_MARKS
#define WRITE_MARKS 1
#else
#define WRITE_MARKS 0
#endif

void (*machine_boundary_hook)(void *pc);

/* noinline: __builtin_return_address(0) must be the model's call site. */
HOT void env_boundary(void)
{
	void (*hook)(void *pc) = machine_boundary_hook;

	if (__builtin_expect(hook != NULL, 0))
		hook(__builtin_return_address(0));
}

HOT void env_boundary_wrote(const void *p, size_t n)
{
	void (*hook)(void *pc) = machine_boundary_hook;

	if (WRITE_MARKS)
		write_marks_note(p, n);
	if (__builtin_expect(hook != NULL, 0))
		hook(__builtin_return_address(0));
}

/* clang 14's runtimes give no weak defaults: every size must be defined.
 * These are the write marks of every plain store of the model. */
#define COV_CALLBACK(name, type, store)					\
	HOT void name(type *addr);					\
	HOT void name(type *addr)					\
	{								\
		void (*hook)(void *pc) = machine_boundary_hook;		\
									\
		if (store && WRITE_MARKS)				\
			write_marks_note(addr, sizeof(type));		\
		if (__builtin_expect(hook != NULL, 0))			\
			hook(__builtin_return_address(0));		\
	}

COV_CALLBACK(__sanitizer_cov_load1, uint8_t, false)
COV_CALLBACK(__sanitizer_cov_load2, uint16_t, false)
COV_CALLBACK(__sanitizer_cov_load4, uint32_t, false)
COV_CALLBACK(__sanitizer_cov_load8, uint64_t, false)
COV_CALLBACK(__sanitizer_cov_load16, __int128, false)
COV_CALLBACK(__sanitizer_cov_store1, uint8_t, true)
COV_CALLBACK(__sanitizer_cov_store2, uint16_t, true)
COV_CALLBACK(__sanitizer_cov_store4, uint32_t, true)
COV_CALLBACK(__sanitizer_cov_store8, uint64_t, true)
COV_CALLBACK(__sanitizer_cov_store16, __int128, true)

#ifdef REENTRY_OWN_COUNTERS_INIT
/* Plain builds: inline-8bit-counters only carries trace-loads/stores (clang
 * 14 emits no load/store callbacks without a coverage kind: see the root
 * CMakeLists.txt); nobody reads the counters, so their init is a no-op. */
void __sanitizer_cov_8bit_counters_init(char *start, char *end);
void __sanitizer_cov_8bit_counters_init(char *start, char *end)
{
	(void)start;
	(void)end;
}
#endif
