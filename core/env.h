/*
 * core/env.h — the kernel environment the allocator model runs in.
 *
 * This is the only header core/ includes from outside itself. It declares the
 * kernel primitives the model needs (CPU and context queries, irq and preempt
 * control, locks, irq_work, atomics, warnings, KASAN-style poisoning) and the
 * Kconfig-like runtime configuration. inject/ implements it as a simulated
 * machine (one context runs at a time, interrupts are nested calls); a second
 * backend may implement it with real threads. core/ never knows which.
 *
 * Every atomic wrapper below calls env_boundary() before and after the atomic
 * instruction: compiler instrumentation does not see atomics, so the wrappers
 * make them boundaries where the engine may take an interrupt.
 */
#ifndef REENTRY_CORE_ENV_H
#define REENTRY_CORE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REENTRY_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define REENTRY_ASAN 1
#endif
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define REENTRY_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define REENTRY_TSAN 1
#endif
#ifdef REENTRY_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* ------------------------------------------------------------------ */
/* Configuration: the runtime equivalent of the kernel's Kconfig.      */
/* ------------------------------------------------------------------ */

#define NR_CPUS 8 /* CONFIG_NR_CPUS: the most CPUs a machine may have */

enum slab_design {
	DESIGN_CPU_SLAB, /* 6.18: per-CPU slabs, (freelist, tid) fast path */
	DESIGN_SHEAVES,	 /* 7.0+: per-CPU sheaves and the barn */
};

enum alloc_flags_rule {
	RULE_GFP,	  /* "may not spin" = gfp lacks __GFP_RECLAIM bits */
	RULE_ALLOC_TRYLOCK, /* "may not spin" = SLAB_ALLOC_TRYLOCK, set by kmalloc_nolock only */
};

struct kconfig {
	enum slab_design design;
	enum alloc_flags_rule alloc_flags_rule;
	int nr_cpus;		/* 1 with smp=false */
	bool smp;		/* false: UP, spinlocks are no-ops */
	bool preempt_rt;	/* CONFIG_PREEMPT_RT */
	bool slub_tiny;		/* CONFIG_SLUB_TINY */
	bool lockdep;		/* CONFIG_LOCKDEP (lockdep_assert*, asserted trylock) */
	bool lockdep_irq;	/* with lockdep: its irq-safety checks (inconsistent lock state) */
	bool lockdep_assert;	/* with lockdep: lockdep_assert*() checked */
	bool debug_atomic_sleep; /* CONFIG_DEBUG_ATOMIC_SLEEP (might_sleep() checked) */
	bool api_contract;	/* the allocator's own frees use the API its allocations need */
	bool kmemleak;		/* CONFIG_DEBUG_KMEMLEAK's bookkeeping checked */
	bool kasan;		/* KASAN's double-free and double-unpoison reports (ASan builds) */
	bool debug_preempt;	/* CONFIG_DEBUG_PREEMPT (smp_processor_id() checked) */
	bool bounded_work;	/* a nolock call's pages and retries bounded (env_nolock_work) */
	bool nolock_spin;	/* a nolock call may only try locks (inject/nolock_spin.c) */
	bool cpu_partial;	/* CONFIG_SLUB_CPU_PARTIAL */
	bool shuffle;		/* CONFIG_SLAB_FREELIST_RANDOM */
	bool has_cmpxchg128;	/* the arch has a 16-byte compare-and-exchange */
	unsigned int slab_objects; /* objects per slab (tiny by default) */
	unsigned int arena_pages;  /* simulated pages in the arena */
	unsigned int slub_debug;   /* the slub_debug= boot option: SLAB_* debug flags
				      every cache gets (kmalloc caches included) */
	bool memcg;		/* CONFIG_MEMCG with kmem accounting on (core/memcontrol.c) */
	unsigned int memcg_limit_pages; /* memory.max of the one memcg, in pages */
	uint64_t bugs;		/* historical bugs switched back on (core/bugs.h) */
};

/* The configuration in force; set it before kmem_init(). Defined in core/. */
extern struct kconfig kconfig;

/*
 * How core/ reads what the kernel fixes at build or boot time: KCONFIG(preempt_rt)
 * is the model's IS_ENABLED(CONFIG_PREEMPT_RT), read_fixed(x) a static key or
 * a boot-time constant. The kernel's code pays no memory access for these (a
 * constant folded in, a patched branch), so the model's read is no boundary
 * either: inline asm, which the load/store instrumentation does not see. One
 * way for every such read, so that whether a path tests the configuration
 * never changes where its interrupts can land.
 */
#if defined(__x86_64__)
#define read_fixed(x)                                                           \
	({                                                                      \
		__typeof__(x) read_fixed_v_;                                    \
		__asm__("mov %1, %0" : "=r"(read_fixed_v_) : "m"(x));          \
		read_fixed_v_;                                                  \
	})
#else
#define read_fixed(x) (x)
#endif
#define KCONFIG(field) read_fixed(kconfig.field)

/* ------------------------------------------------------------------ */
/* CPUs and contexts                                                   */
/* ------------------------------------------------------------------ */

/*
 * smp_processor_id() is checked as CONFIG_DEBUG_PREEMPT checks it (with
 * kconfig.debug_preempt): called where the task could be preempted and
 * moved to another CPU, it is a "debug-preempt" report. raw_smp_processor_id()
 * is never checked: for callers that cope with a stale CPU number.
 */
int smp_processor_id(void);
int raw_smp_processor_id(void);
bool in_nmi(void);
bool in_hardirq(void);
bool in_serving_softirq(void);
bool in_task(void);
bool irqs_disabled(void);
bool preemptible(void);

unsigned long arch_local_irq_save(void);
void arch_local_irq_restore(unsigned long flags);
#define local_irq_save(flags) ((flags) = arch_local_irq_save())
#define local_irq_restore(flags) arch_local_irq_restore(flags)

void preempt_disable(void);
void preempt_enable(void);
void migrate_disable(void);
void migrate_enable(void);

/*
 * CONFIG_DEBUG_ATOMIC_SLEEP (kconfig.debug_atomic_sleep): might_sleep() where
 * the task may not sleep (not preemptible: a preempt count, irqs off) is a
 * "might-sleep" report, "BUG: sleeping function called from invalid context
 * at FILE:LINE", whether or not it would have slept this time.
 */
void env_might_sleep(const char *file, int line);
#define might_sleep() env_might_sleep(__FILE__, __LINE__)

/*
 * A per-CPU variable is an array indexed by CPU. this_cpu_ptr() goes through
 * the checked smp_processor_id(), as the kernel's does with DEBUG_PREEMPT;
 * raw_cpu_ptr() does not. The kernel's this_cpu_*() operations (this_cpu_read,
 * this_cpu_cmpxchg, ...) are single preempt-safe instructions it does not
 * check: the model writes them with raw_cpu_ptr().
 */
#define this_cpu_ptr(percpu) (&(percpu)[smp_processor_id()])
#define raw_cpu_ptr(percpu) (&(percpu)[raw_smp_processor_id()])
#define per_cpu_ptr(percpu, cpu) (&(percpu)[(cpu)])

/* ------------------------------------------------------------------ */
/* Locks. Every lock records its owner so the machine can detect       */
/* self-deadlock at once instead of hanging.                           */
/* ------------------------------------------------------------------ */

enum env_lock_kind {
	LOCK_SPIN,	/* spinlock_t: sleeping (rtmutex) on PREEMPT_RT */
	LOCK_RAW_SPIN,	/* raw_spinlock_t: always spins */
	LOCK_LOCAL,	/* local_trylock_t: irq-disable on !RT, per-CPU sleeping lock on RT */
	LOCK_KIND_MASK = 0x0f,
	LOCK_UNTRACKED = 0x10,	/* or'ed into env_lock_init()'s kind: no lockdep map */
};

struct env_lock {
	const char *name;	/* as written at init, e.g. "&n->list_lock" */
	int8_t kind;		/* enum env_lock_kind */
	int8_t owner_cpu;	/* -1: free */
	int8_t owner_depth;	/* context depth of the owner on owner_cpu */
	int8_t untracked;	/* lockdep does not see it (a bit spinlock) */
	int16_t owner_task;	/* task that owned the CPU when taken */
};

typedef struct { struct env_lock l; } spinlock_t;
typedef struct { struct env_lock l; } raw_spinlock_t;
typedef struct { struct env_lock l; } local_trylock_t;

void env_lock_init(struct env_lock *l, enum env_lock_kind kind, const char *name);
void env_lock(struct env_lock *l);
bool env_trylock(struct env_lock *l);
void env_unlock(struct env_lock *l);
bool env_lock_is_locked(struct env_lock *l); /* local_lock_is_locked() semantics */
bool env_lock_held_by_current(struct env_lock *l);

#define spin_lock_init(lk) env_lock_init(&(lk)->l, LOCK_SPIN, #lk)
#define raw_spin_lock_init(lk) env_lock_init(&(lk)->l, LOCK_RAW_SPIN, #lk)
#define local_trylock_init(lk) env_lock_init(&(lk)->l, LOCK_LOCAL, #lk)
/*
 * A bit spinlock (include/linux/bit_spinlock.h: slab_lock() is one) is a
 * raw spinlock without a lockdep map: lockdep never sees it taken.
 */
#define bit_spin_lock_init(lk) env_lock_init(&(lk)->l, LOCK_RAW_SPIN | LOCK_UNTRACKED, #lk)

#define spin_lock(lk) env_lock(&(lk)->l)
#define spin_trylock(lk) env_trylock(&(lk)->l)
#define spin_unlock(lk) env_unlock(&(lk)->l)
#define raw_spin_lock(lk) env_lock(&(lk)->l)
#define raw_spin_trylock(lk) env_trylock(&(lk)->l)
#define raw_spin_unlock(lk) env_unlock(&(lk)->l)

/*
 * The irqsave forms save and disable irqs first, as the kernel does (on RT,
 * spinlock_t and local locks leave irqs alone: the implementation decides).
 */
unsigned long env_lock_irqsave(struct env_lock *l);
bool env_trylock_irqsave(struct env_lock *l, unsigned long *flags);
void env_unlock_irqrestore(struct env_lock *l, unsigned long flags);

#define spin_lock_irqsave(lk, flags) ((flags) = env_lock_irqsave(&(lk)->l))
#define spin_trylock_irqsave(lk, flags) env_trylock_irqsave(&(lk)->l, &(flags))
#define spin_unlock_irqrestore(lk, flags) env_unlock_irqrestore(&(lk)->l, (flags))
#define raw_spin_lock_irqsave(lk, flags) ((flags) = env_lock_irqsave(&(lk)->l))
#define raw_spin_trylock_irqsave(lk, flags) env_trylock_irqsave(&(lk)->l, &(flags))
#define raw_spin_unlock_irqrestore(lk, flags) env_unlock_irqrestore(&(lk)->l, (flags))
#define local_lock_irqsave(lk, flags) ((flags) = env_lock_irqsave(&(lk)->l))
#define local_trylock_irqsave(lk, flags) env_trylock_irqsave(&(lk)->l, &(flags))
#define local_unlock_irqrestore(lk, flags) env_unlock_irqrestore(&(lk)->l, (flags))
#define local_lock_is_locked(lk) env_lock_is_locked(&(lk)->l)

/*
 * lockdep's assertions (include/linux/lockdep.h): active only with
 * kconfig.lockdep, like the kernel's, and kconfig.lockdep_assert. A false
 * one is a "lockdep-assert" report, the kernel's WARNING at its line. Held
 * means held by the running context (env_lock_held_by_current()).
 */
void env_lockdep_assert(bool cond, const char *what, const char *file, int line);
#define lockdep_assert(c) env_lockdep_assert((c), "lockdep_assert(" #c ")", __FILE__, __LINE__)
#define lockdep_assert_held(lk) \
	env_lockdep_assert(env_lock_held_by_current(&(lk)->l), "lockdep_assert_held(" #lk ")", \
			   __FILE__, __LINE__)
#define lockdep_assert_irqs_disabled() \
	env_lockdep_assert(irqs_disabled(), "lockdep_assert_irqs_disabled()", __FILE__, __LINE__)

/* ------------------------------------------------------------------ */
/* irq_work: deferred work run on the queuing CPU where irqs are on.   */
/* ------------------------------------------------------------------ */

struct irq_work {
	void (*func)(struct irq_work *work);
	struct irq_work *next;	/* on the owning CPU's pending list */
	int8_t pending;
	int8_t cpu;		/* CPU it was queued on */
};

#define IRQ_WORK_INIT(fn) ((struct irq_work){ .func = (fn), .cpu = -1 })

/* Queue on this CPU; false if it was already pending. */
bool irq_work_queue(struct irq_work *work);
/* Wait until the work is not pending: runs it on its CPU if it is. */
void irq_work_sync(struct irq_work *work);

/* ------------------------------------------------------------------ */
/* Boundaries, faults, warnings, bugs                                  */
/* ------------------------------------------------------------------ */

/* A point where the engine may take an interrupt (see the header comment). */
void env_boundary(void);
/* The same, after an atomic that may have written [p, p + n): the coverage
 * store callbacks do not see atomics, and a sweep's restore copies back only
 * the lines written since its snapshot (inject/write_marks.h). */
void env_boundary_wrote(const void *p, size_t n);
/*
 * Which 64-byte lines of the arena were written since the last snapshot,
 * one bit each (inject/write_marks.h keeps them). Here for the writes no
 * instrumentation sees, which mark their line themselves: mark_written().
 */
struct write_marks {
	uintptr_t base;		/* the arena */
	size_t len;
	uint64_t *bits;		/* line l: bit l % 64 of bits[l / 64] */
	size_t nwords;
	uint64_t since;		/* the snapshot the marks are relative to (0: none) */
};
extern struct write_marks write_marks;

/*
 * The line of p was written where no instrumentation sees it (asm, a raw
 * atomic). In asm itself: a call would make the compiler reload, after it,
 * what it held in registers, and each reload is a new boundary. Only ASan
 * builds use the marks (inject/write_marks.h).
 */
#if defined(REENTRY_ASAN) && defined(__x86_64__)
#define mark_written(p) __asm__ volatile(				\
	"mov %[at], %%rax\n\t"						\
	"sub %[base], %%rax\n\t"					\
	"cmp %[len], %%rax\n\t"						\
	"jae 1f\n\t"							\
	"shr $6, %%rax\n\t"						\
	"mov %[bits], %%rcx\n\t"					\
	"bts %%rax, (%%rcx)\n"						\
	"1:"								\
	: : [at] "r"(p), [base] "m"(write_marks.base),			\
	    [len] "m"(write_marks.len), [bits] "m"(write_marks.bits)	\
	: "rax", "rcx", "cc")
#else
#define mark_written(p) ((void)(p))
#endif

/* fail_page_alloc: may the page allocator fail this request? */
bool should_fail_alloc_page(unsigned int order);

/* Injected memcg charge failure: may this charge fail (as if over the limit)? */
bool should_fail_memcg_charge(void);

/*
 * A broken invariant the model detects itself and names (e.g.
 * "objext-recursion"): ends the run with a report of class cls. Does not
 * return. (env_bug() is the unnamed kernel BUG, class "bug".)
 */
_Noreturn void env_report(const char *cls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A kernel WARN: counted and recorded by the environment, execution goes on. */
void env_warn(const char *what, const char *file, int line);
#define WARN_ON_ONCE(cond) ({ bool __w = !!(cond); if (__w) env_warn(#cond, __FILE__, __LINE__); __w; })
#define WARN_ONCE(cond, msg) ({ bool __w = !!(cond); if (__w) env_warn(msg, __FILE__, __LINE__); __w; })

/*
 * A slab error report (mm/slub.c slab_err()/object_err(): "BUG <cache>: ..."),
 * for a corruption a debug cache's checks found: a red zone or poison
 * overwritten, a double free, a bad free pointer. The kernel prints it and
 * goes on (the model repairs what it reported, as the kernel does); an
 * environment may instead end the run with it — the simulated machine raises
 * a "slab-error" report naming the cache and the object.
 */
void env_slab_error(const char *cache, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Bounded work per nolock call (kconfig.bounded_work): kmalloc_nolock() and
 * kfree_nolock() may be called where nothing can wait for them, so each call
 * may make only a few page allocations (its own slab, one in the retry's
 * bucket, metadata) and go round its retry loops only a few times. The model
 * brackets each call with env_nolock_begin()/env_nolock_end() and counts its
 * work with env_nolock_work(); the environment reports "unbounded-work" when
 * a count passes its bound. Each context counts its own calls (an interrupt
 * that lands inside a call is not that call's work); a nested call in the
 * same context (the obj_exts vector's kmalloc_nolock()) is its caller's work.
 * Within the same brackets such a call may only try locks
 * (kconfig.nolock_spin): taking one that spins is a "nolock-spin" report,
 * unless may_spin says its caller passed a gfp that allows spinning (a
 * misuse the model warns about, after which the kernel does spin).
 */
enum nolock_work {
	NOLOCK_WORK_PAGES,	/* a page allocation, made or failed */
	NOLOCK_WORK_RETRIES,	/* a retry loop's back edge, a failed cmpxchg */
	NR_NOLOCK_WORK
};
void env_nolock_begin(const char *api, size_t size, bool may_spin);
void env_nolock_end(void);
void env_nolock_work(enum nolock_work what);
/* Brackets the rest of the scope as one call, whatever return ends it (the
 * kernel's guard() idiom): env_nolock_end() runs as the scope ends. */
static inline __attribute__((always_inline)) void env_nolock_guard_end(const int *unused)
{
	(void)unused;
	env_nolock_end();
}
#define env_nolock_guard(api, size, may_spin)					\
	const int __nolock_guard __attribute__((cleanup(env_nolock_guard_end), unused)) = \
		(env_nolock_begin((api), (size), (may_spin)), 0)

/*
 * The slab API's own calls — the allocator's (obj_exts vectors, sheaves) as
 * much as a program's: each allocation says which API made the object, each
 * free which API frees it, so that the environment can keep its own books:
 * the API contract on the allocator's own allocations (kconfig.api_contract:
 * kfree_nolock() only of kmalloc_nolock() objects, kfree() of them only
 * after 6.18, kmem_cache_free() with the object's cache) and kmemleak's
 * (kconfig.kmemleak: objects registered at allocation by a caller that may
 * spin — gfp is the allocation's — and forgotten by kfree(), not by
 * kfree_nolock()).
 */
enum env_slab_api {
	ENV_KMALLOC, ENV_KMALLOC_NOLOCK, ENV_KMEM_CACHE_ALLOC,	/* allocations */
	ENV_KFREE, ENV_KFREE_NOLOCK, ENV_KMEM_CACHE_FREE,	/* frees */
};
void env_slab_api(enum env_slab_api api, const void *object, const void *cache, unsigned int gfp);

/*
 * KASAN's allocation side: slab_post_alloc_hook() is about to unpoison an
 * object that is not poisoned — not free in KASAN's eyes. The environment
 * reports it ("kasan"), unless its program holds the object: then the
 * oracle's double-alloc report, which names both allocations, says it.
 */
void env_kasan_double_unpoison(const void *object);

/* A kernel BUG: a broken invariant the model detected itself. Does not return. */
_Noreturn void env_bug(const char *what, const char *file, int line);
#define BUG_ON(cond) do { if (cond) env_bug(#cond, __FILE__, __LINE__); } while (0)
#define VM_BUG_ON(cond) BUG_ON(cond)

/*
 * NOKPROBE_SYMBOL(fn) (include/linux/kprobes.h): kprobes may not fire inside
 * fn itself (its callees are not covered, as in the kernel). The engine asks
 * within_kprobe_blacklist() with the innermost model function. An entry made
 * with NOKPROBE_SYMBOL_UNLESS_BUG is dropped while that historical bug is on.
 */
struct kprobe_blacklist_entry {
	const void *fn;
	const char *name;
	int unless_bug;		/* enum slab_bug, or -1 */
};
#define NOKPROBE_SYMBOL_UNLESS_BUG(fname, bug)					\
	static const struct kprobe_blacklist_entry __nokprobe_##fname		\
	__attribute__((used, section("reentry_nokprobe"), aligned(8))) =	\
		{ (const void *)(fname), #fname, (bug) }
#define NOKPROBE_SYMBOL(fname) NOKPROBE_SYMBOL_UNLESS_BUG(fname, -1)
bool within_kprobe_blacklist(const void *fn);

/* One mapping, made once per size, that holds all of core/'s state and pages. */
void *env_arena_map(size_t bytes);

/* ------------------------------------------------------------------ */
/* KASAN: poisoning of free objects and red zones (ASan underneath).   */
/* ------------------------------------------------------------------ */

#ifdef REENTRY_ASAN
/* ASan's (un)poisoning, through the environment: a sweep's snapshot must
 * learn that the shadow of these bytes changed (inject/write_marks.h). */
void env_kasan_poison(const void *p, size_t n);
void env_kasan_unpoison(const void *p, size_t n);
#define kasan_poison(p, n) env_kasan_poison((p), (n))
#define kasan_unpoison(p, n) env_kasan_unpoison((p), (n))
#else
#define kasan_poison(p, n) ((void)(p), (void)(n))
#define kasan_unpoison(p, n) ((void)(p), (void)(n))
#endif

/*
 * mm/slub.c is not KASAN-instrumented in the kernel: it reads free pointers
 * inside free (poisoned) objects. The few model helpers that must do the
 * same carry __no_kasan; everything else stays checked. Such a helper cannot
 * be inlined into checked code (inlining would drop the exemption), so it
 * stays out of line but off the shadow call stack (no_instrument_function):
 * to the kprobe deny list it is part of its caller, as inline code is.
 */
#define __no_kasan __attribute__((no_sanitize("address"), noinline, no_instrument_function, unused))

/*
 * The harness's own view into the model (validators, censuses, snapshots'
 * range walks, describing an object) is not the system under test: no
 * coverage feedback for the fuzzers and no boundaries.
 */
#define __harness_query __attribute__((no_sanitize("coverage")))

/*
 * What the kernel inlines, the model inlines: core/ is built with
 * -fno-inline-functions and -finstrument-functions-after-inlining, so only
 * real (non-inline) functions appear on the engine's shadow call stack —
 * which is what decides whether a kprobe may fire (NOKPROBE_SYMBOL covers a
 * function's own code, including what was inlined into it).
 */
#ifndef __always_inline	/* glibc's <sys/cdefs.h> has the same one */
#define __always_inline inline __attribute__((always_inline))
#endif

/* ------------------------------------------------------------------ */
/* Atomics. Each is a boundary before and after the atomic.           */
/* ------------------------------------------------------------------ */

/*
 * Under ThreadSanitizer (the real-thread backend's tsan build) the marked
 * accesses are relaxed atomics, which is what the kernel's are on x86, so
 * TSan tells a marked racy access from a real race. Elsewhere they stay
 * volatile accesses: the builds with boundaries keep their memory accesses.
 */
#ifdef REENTRY_TSAN
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#else
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#endif

/*
 * KCSAN assumes plain aligned word stores atomic
 * (CONFIG_KCSAN_ASSUME_PLAIN_WRITES_ATOMIC) and the kernel leans on it: a
 * field written plainly under a lock is read with READ_ONCE without it, and
 * a pair read plainly is re-checked by the cmpxchg that consumes it.
 * ThreadSanitizer assumes nothing, so the model marks those accesses:
 * plain_load(x) / plain_store(x, v) are the plain access in every build but
 * the TSan one — the same memory accesses, so the boundaries (and the
 * regressions' @N ordinals) do not move — and relaxed atomics under TSan.
 */
#ifdef REENTRY_TSAN
#define plain_load(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define plain_store(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#else
#define plain_load(x) (x)
#define plain_store(x, v) ((x) = (v))
#endif
#define barrier() __asm__ __volatile__("" ::: "memory")

/* Returns the value found at ptr (equal to old when the exchange happened). */
#define cmpxchg(ptr, old, new) ({					\
	__typeof__(ptr) __p = (ptr);					\
	__typeof__(*(ptr)) __o = (old);					\
	env_boundary();							\
	__atomic_compare_exchange_n(__p, &__o, (new), false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);	\
	env_boundary_wrote(__p, sizeof(*__p));				\
	__o;								\
})

#define try_cmpxchg(ptr, oldp, new) ({					\
	__typeof__(ptr) __p = (ptr);					\
	bool __ok;							\
	env_boundary();							\
	__ok = __atomic_compare_exchange_n(__p, (oldp), (new), false,	\
				__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);	\
	env_boundary_wrote(__p, sizeof(*__p));				\
	__ok;								\
})

#define xchg(ptr, v) ({							\
	__typeof__(ptr) __p = (ptr);					\
	__typeof__(*(ptr)) __r;						\
	env_boundary();							\
	__r = __atomic_exchange_n(__p, (v), __ATOMIC_SEQ_CST);		\
	env_boundary_wrote(__p, sizeof(*__p));				\
	__r;								\
})

/* atomic_long_t (include/linux/atomic.h), for counters several contexts update. */
typedef struct { long counter; } atomic_long_t;

static __always_inline void atomic_long_add(long i, atomic_long_t *v)
{
	env_boundary();
	__atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST);
	env_boundary_wrote(v, sizeof(*v));
}

static __always_inline long atomic_long_add_return(long i, atomic_long_t *v)
{
	long r;

	env_boundary();
	r = __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
	env_boundary_wrote(v, sizeof(*v));
	return r;
}

static __always_inline long atomic_long_read(const atomic_long_t *v)
{
	return READ_ONCE(v->counter);
}

/*
 * this_cpu_inc(): one instruction on x86, so an interrupt lands before or
 * after it, never inside. On x86 it is that instruction, an unlocked incl
 * (as the kernel's %gs-relative one: only this CPU's contexts touch the
 * counter, and a locked add cost the fast path a third of its time); in
 * asm, so no boundary, as before, and so it marks its line written itself
 * (mark_written()). Elsewhere, and under TSan (which must see the access),
 * an uninstrumented relaxed atomic add.
 */
#if defined(__x86_64__) && !defined(REENTRY_TSAN)
#define this_cpu_inc_counter(var) do {					\
	__typeof__(&(var)) __v = &(var);	/* one address: no reload */	\
	__asm__ volatile("incl %0" : "+m"(*__v));			\
	mark_written(__v);						\
} while (0)
#else
#define this_cpu_inc_counter(var) __atomic_fetch_add(&(var), 1, __ATOMIC_RELAXED)
#endif

typedef unsigned __int128 u128;

/* The 16-byte compare-and-exchange (cmpxchg16b; needs -mcx16). */
static __always_inline bool try_cmpxchg128(u128 *ptr, u128 *old, u128 new)
{
	bool ok;

	env_boundary();
	ok = __atomic_compare_exchange_n(ptr, old, new, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	env_boundary_wrote(ptr, sizeof(*ptr));
	return ok;
}

/* Lock-free singly linked list (include/linux/llist.h). */
struct llist_node { struct llist_node *next; };
struct llist_head { struct llist_node *first; };

/* Nodes may live inside free (poisoned) objects: see __no_kasan. */
static __no_kasan bool llist_add(struct llist_node *node, struct llist_head *head)
{
	struct llist_node *first = READ_ONCE(head->first);

	do {
		node->next = first;
	} while (!try_cmpxchg(&head->first, &first, node));
	return first == NULL;
}

static __always_inline struct llist_node *llist_del_all(struct llist_head *head)
{
	return xchg(&head->first, (struct llist_node *)NULL);
}

static __always_inline bool llist_empty(const struct llist_head *head)
{
	return READ_ONCE(head->first) == NULL;
}

static __no_kasan struct llist_node *llist_next(const struct llist_node *node)
{
	return node->next;
}

#endif /* REENTRY_CORE_ENV_H */
