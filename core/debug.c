/*
 * core/debug.c — debug caches (SLAB_CONSISTENCY_CHECKS, SLAB_RED_ZONE,
 * SLAB_POISON, SLAB_STORE_USER): the object layout, red zones and poison
 * written on every alloc and free, user tracks, and the consistency checks
 * that turn a corruption into a slab error report naming the cache and the
 * object, as the kernel's "BUG <cache>: ..." report does. The single-object
 * alloc/free paths that call these are in core/slub.c.
 *
 * The layout and the ASan choices are described in core/internal.h (the
 * debug.c section). In short: the red zone of a SLAB_RED_ZONE cache is never
 * ASan-poisoned, so that a harness write past the object reaches it and the
 * checks below find it; free objects and the metadata stay poisoned, so the
 * byte-level accessors here are KASAN-exempt, as mm/slub.c itself is.
 *
 * The checks run where the kernel runs them: only for SLAB_CONSISTENCY_CHECKS
 * caches, on alloc (the object must still look free: red zone inactive,
 * poison intact, a valid free pointer) and on free (a valid object, not on
 * the freelist, red zone active) and when a slab is freed. The validators
 * (core/validate.c) check the same patterns for every debug cache at
 * quiescent points.
 *
 * env_slab_error() may return (the kernel reports and goes on): each check
 * then repairs what it reported, as the kernel does. In the simulated machine
 * it ends the run with a "slab-error" report.
 */
#include "internal.h"

#include <stdarg.h>

/* ---- raw access to object bytes and metadata (KASAN-exempt) ---- */

/*
 * Byte loops through volatile pointers: a memset()/memcmp() call would go
 * through ASan's interceptors, which check the (poisoned) range whatever the
 * calling function's attributes say. Whole aligned words where possible.
 */
static __no_kasan void fill_bytes(void *start, uint8_t val, unsigned int n)
{
	volatile uint8_t *p = start;
	uint64_t word = 0x0101010101010101ull * val;
	unsigned int i = 0;

	while (i < n) {
		if (!((uintptr_t)(p + i) & 7) && n - i >= 8) {
			*(volatile uint64_t *)(p + i) = word;
			i += 8;
		} else {
			p[i++] = val;
		}
	}
}

/* Index of the first byte of [start, start + n) that is not val, or -1. */
static __no_kasan long first_mismatch(const void *start, uint8_t val, unsigned int n, uint8_t *found)
{
	const volatile uint8_t *p = start;
	uint64_t word = 0x0101010101010101ull * val;
	unsigned int i = 0;

	while (i < n) {
		if (!((uintptr_t)(p + i) & 7) && n - i >= 8 &&
		    *(const volatile uint64_t *)(p + i) == word) {
			i += 8;
			continue;
		}
		if (p[i] != val) {
			*found = p[i];
			return i;
		}
		i++;
	}
	return -1;
}

static __no_kasan void write_track(void *where, const struct track *t)
{
	volatile struct track *dst = where;

	dst->when = t->when;
	dst->cpu = t->cpu;
	dst->context = t->context;
}

static __no_kasan void read_track(const void *where, struct track *t)
{
	const volatile struct track *src = where;

	t->when = src->when;
	t->cpu = src->cpu;
	t->context = src->context;
}

static void *track_address(struct kmem_cache *s, const void *object, enum track_item alloc)
{
	return (char *)object + get_info_end(s) + alloc * sizeof(struct track);
}

static long object_nr(struct kmem_cache *s, struct slab *slab, const void *object)
{
	return (long)(((const char *)object - (const char *)slab_address(slab)) / (long)s->size);
}

/* ---- reports ---- */

/* models: mm/slub.c slab_err() */
static void slab_err(struct kmem_cache *s, struct slab *slab, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void slab_err(struct kmem_cache *s, struct slab *slab, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	env_slab_error(s->name, "%s (slab %lu: objects %u used %u)", msg, slab_index(slab),
		       slab->objects, slab->inuse);
}

/* models: mm/slub.c object_err() */
static void object_err(struct kmem_cache *s, struct slab *slab, const void *object, const char *reason)
{
	env_slab_error(s->name, "%s: object #%ld of slab %lu", reason, object_nr(s, slab, object),
		       slab_index(slab));
}

/* ---- layout ---- */

/*
 * models: mm/slub.c calculate_sizes() — the debug part
 * Red zone: the padding up to a word, or a whole word if there is none.
 * Free pointer: after the red zone with SLAB_POISON (inside, the poison could
 * not be checked), else mid-object. Then the two tracks, then alignment.
 */
void calculate_sizes_debug(struct kmem_cache *s)
{
	unsigned int word = (unsigned int)sizeof(void *);
	unsigned int size = (s->object_size + word - 1) & ~(word - 1);

	if ((s->flags & SLAB_RED_ZONE) && size == s->object_size)
		size += word;
	s->inuse = size;
	if (s->flags & SLAB_POISON) {
		s->offset = size;
		size += word;
	} else {
		s->offset = (s->object_size / 2) & ~(word - 1);
	}
	if (s->flags & SLAB_STORE_USER)
		size += 2 * (unsigned int)sizeof(struct track);
	s->size = (size + s->align - 1) / s->align * s->align;
}

/* ---- writing the patterns ---- */

/*
 * models: mm/slub.c init_object()
 * Poison the object (SLAB_POISON: POISON_FREE bytes, POISON_END last; on
 * alloc too, as the kernel does) and set the red zone to val: inactive for
 * a free object, active for an allocated one.
 */
void init_object(struct kmem_cache *s, void *object, uint8_t val)
{
	uint8_t *p = object;

	if (s->flags & SLAB_POISON) {
		fill_bytes(p, POISON_FREE, s->object_size - 1);
		fill_bytes(p + s->object_size - 1, POISON_END, 1);
	}
	if (s->flags & SLAB_RED_ZONE)
		fill_bytes(p + s->object_size, val, s->inuse - s->object_size);
}

/* models: mm/slub.c init_tracking() */
static void init_tracking(struct kmem_cache *s, void *object)
{
	static const struct track none;

	if (!(s->flags & SLAB_STORE_USER))
		return;
	write_track(track_address(s, object, TRACK_ALLOC), &none);
	write_track(track_address(s, object, TRACK_FREE), &none);
}

/*
 * models: mm/slub.c setup_object_debug()
 * A new slab's object: free-looking patterns and empty tracks. ASan: the red
 * zone is unpoisoned here, once and for all (see core/internal.h).
 */
void setup_object_debug(struct kmem_cache *s, void *object)
{
	if (!(s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE | SLAB_POISON)))
		return;
	init_object(s, object, SLUB_RED_INACTIVE);
	init_tracking(s, object);
	if (s->flags & SLAB_RED_ZONE)
		kasan_unpoison((char *)object + s->object_size, s->inuse - s->object_size);
}

/*
 * models: mm/slub.c set_track()
 * Who: the CPU and the context kind. When: the world's own counter, so that
 * a replay records the same tracks.
 */
void set_track(struct kmem_cache *s, void *object, enum track_item alloc)
{
	/* ++world->track_clock, racy across CPUs as a timestamp is (two CPUs
	 * may stamp the same value): marked for TSan, the same accesses elsewhere. */
	unsigned long when = plain_load(world->track_clock) + 1;

	plain_store(world->track_clock, when);
	struct track t = {
		.when = when,
		.cpu = smp_processor_id(),
		.context = in_nmi() ? 3 : in_hardirq() ? 2 : in_serving_softirq() ? 1 : 0,
	};

	write_track(track_address(s, object, alloc), &t);
}

__harness_query void get_track_copy(struct kmem_cache *s, const void *object, enum track_item alloc,
				    struct track *out)
{
	read_track(track_address(s, object, alloc), out);
}

/* ---- checks ---- */

/* models: mm/slub.c check_valid_pointer() — NULL, or the start of an object of slab. */
static bool check_valid_pointer(struct kmem_cache *s, struct slab *slab, const void *object)
{
	const char *base = slab_address(slab);
	unsigned long off;

	if (!object)
		return true;
	if ((const char *)object < base)
		return false;
	off = (unsigned long)((const char *)object - base);
	return off / s->size < slab->objects && off % s->size == 0;
}

/*
 * models: mm/slub.c check_bytes_and_report()
 * Every byte of [start, start + bytes) must be value; the first that is not
 * is reported, and the range restored.
 */
static bool check_bytes_and_report(struct kmem_cache *s, struct slab *slab, uint8_t *object,
				   const char *what, uint8_t *start, uint8_t value, unsigned int bytes)
{
	uint8_t found = 0;
	long i = first_mismatch(start, value, bytes, &found);

	if (i < 0)
		return true;
	env_slab_error(s->name, "%s overwritten: 0x%02x instead of 0x%02x at offset %ld of object #%ld of slab %lu",
		       what, found, value, (long)(start - object) + i, object_nr(s, slab, object),
		       slab_index(slab));
	fill_bytes(start, value, bytes); /* restore */
	return false;
}

/*
 * models: mm/slub.c check_object()
 * val is the red zone value the object should have: SLUB_RED_INACTIVE for a
 * free object (whose poison is checked too), SLUB_RED_ACTIVE for an
 * allocated one. The free pointer must be valid wherever it cannot be
 * mistaken for the caller's data (outside the object, or the object free).
 */
bool check_object(struct kmem_cache *s, struct slab *slab, void *object, uint8_t val)
{
	uint8_t *p = object;
	bool ok = true;

	if ((s->flags & SLAB_RED_ZONE) &&
	    !check_bytes_and_report(s, slab, p, "Right Redzone", p + s->object_size, val,
				    s->inuse - s->object_size))
		ok = false;
	if ((s->flags & SLAB_POISON) && val != SLUB_RED_ACTIVE) {
		if (!check_bytes_and_report(s, slab, p, "Poison", p, POISON_FREE, s->object_size - 1))
			ok = false;
		if (!check_bytes_and_report(s, slab, p, "End Poison", p + s->object_size - 1,
					    POISON_END, 1))
			ok = false;
	}
	if ((freeptr_outside_object(s) || val != SLUB_RED_ACTIVE) &&
	    !check_valid_pointer(s, slab, get_freepointer(s, p))) {
		object_err(s, slab, p, "Freepointer corrupt");
		/* nothing better to do than cut the chain here */
		set_freepointer(s, p, NULL);
		ok = false;
	}
	return ok;
}

/* models: mm/slub.c check_slab() */
static bool check_slab(struct kmem_cache *s, struct slab *slab)
{
	struct page *page = virt_to_page(slab_address(slab));

	if (!page || !(page->flags & PG_slab)) {
		slab_err(s, slab, "Not a valid slab page");
		return false;
	}
	if (slab->objects > s->objects) {
		slab_err(s, slab, "objects %u > max %u", slab->objects, s->objects);
		return false;
	}
	if (slab->inuse > slab->objects) {
		slab_err(s, slab, "inuse %u > max %u", slab->inuse, slab->objects);
		return false;
	}
	return true;
}

/*
 * models: mm/slub.c on_freelist()
 * Is search on slab's freelist? A corrupt link is reported and the chain cut
 * there; a chain longer than the slab (a cycle) is reported.
 */
static bool on_freelist(struct kmem_cache *s, struct slab *slab, void *search)
{
	void *fp = slab->freelist, *object = NULL;
	unsigned int nr = 0;

	while (fp && nr <= slab->objects) {
		if (fp == search)
			return true;
		if (!check_valid_pointer(s, slab, fp)) {
			if (object) {
				object_err(s, slab, object, "Freechain corrupt");
				set_freepointer(s, object, NULL);
			} else {
				slab_err(s, slab, "Freepointer corrupt");
				slab->freelist = NULL;
				slab->inuse = slab->objects;
			}
			return false;
		}
		object = fp;
		fp = get_freepointer(s, object);
		nr++;
	}
	if (nr > slab->objects)
		slab_err(s, slab, "Freelist cycle: more than %u free objects", slab->objects);
	return search == NULL;
}

/* ---- alloc and free processing ---- */

/* models: mm/slub.c alloc_consistency_checks() */
static bool alloc_consistency_checks(struct kmem_cache *s, struct slab *slab, void *object)
{
	if (!check_slab(s, slab))
		return false;
	if (!check_valid_pointer(s, slab, object)) {
		env_slab_error(s->name, "Freelist Pointer check fails: slab %lu hands out a pointer off its objects",
			       slab_index(slab));
		return false;
	}
	return check_object(s, slab, object, SLUB_RED_INACTIVE);
}

/*
 * models: mm/slub.c alloc_debug_processing()
 * The object was just taken off slab's freelist (under list_lock, or from a
 * slab nobody else sees yet). On a failed check the slab is given up: all
 * its objects marked used and the slab frozen, so nothing takes from it
 * again (a leak, as in the kernel).
 */
bool alloc_debug_processing(struct kmem_cache *s, struct slab *slab, void *object,
			    unsigned int orig_size)
{
	(void)orig_size; /* no kmalloc red zone: see core/internal.h */
	if ((s->flags & SLAB_CONSISTENCY_CHECKS) && !alloc_consistency_checks(s, slab, object))
		goto bad;
	init_object(s, object, SLUB_RED_ACTIVE);
	return true;

bad:
	slab->inuse = slab->objects;
	slab->freelist = NULL;
	slab->frozen = 1;
	return false;
}

/* models: mm/slub.c free_consistency_checks() */
static bool free_consistency_checks(struct kmem_cache *s, struct slab *slab, void *object)
{
	if (!check_valid_pointer(s, slab, object)) {
		slab_err(s, slab, "Invalid object pointer (offset %ld)",
			 (long)((char *)object - (char *)slab_address(slab)));
		return false;
	}
	if (on_freelist(s, slab, object)) {
		object_err(s, slab, object, "Object already free");
		return false;
	}
	if (!check_object(s, slab, object, SLUB_RED_ACTIVE))
		return false;
	if (s != slab->slab_cache) {
		object_err(s, slab, object, "page slab pointer corrupt.");
		return false;
	}
	return true;
}

/*
 * models: mm/slub.c free_debug_processing()
 * Caller holds list_lock. Checks each object of the chain head..tail
 * (*bulk_cnt of them), records the free track, writes the free patterns.
 * False: nothing may be freed (the objects are leaked).
 */
bool free_debug_processing(struct kmem_cache *s, struct slab *slab, void *head, void *tail,
			   int *bulk_cnt)
{
	void *object = head;
	bool ok = false;
	int cnt = 0;

	if ((s->flags & SLAB_CONSISTENCY_CHECKS) && !check_slab(s, slab))
		return false;
	if ((int)slab->inuse < *bulk_cnt) {
		slab_err(s, slab, "Slab has %u allocated objects but %d are to be freed",
			 slab->inuse, *bulk_cnt);
		return false;
	}
	for (;;) {
		if (++cnt > *bulk_cnt)
			break;
		if ((s->flags & SLAB_CONSISTENCY_CHECKS) && !free_consistency_checks(s, slab, object))
			return false;
		if (s->flags & SLAB_STORE_USER)
			set_track(s, object, TRACK_FREE);
		/* with SLAB_POISON the free pointer is outside: the chain survives */
		init_object(s, object, SLUB_RED_INACTIVE);
		if (object == tail) {
			ok = true;
			break;
		}
		object = get_freepointer(s, object);
	}
	if (cnt != *bulk_cnt) {
		slab_err(s, slab, "Bulk free expected %d objects but found %d", *bulk_cnt, cnt);
		*bulk_cnt = cnt;
	}
	return ok;
}

/* models: mm/slub.c free_slab() — the SLAB_CONSISTENCY_CHECKS part: every object must look free. */
void free_slab_debug(struct kmem_cache *s, struct slab *slab)
{
	char *start = slab_address(slab);

	for (unsigned int i = 0; i < slab->objects; i++)
		check_object(s, slab, start + i * s->size, SLUB_RED_INACTIVE);
}
