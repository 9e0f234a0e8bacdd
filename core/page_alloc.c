/*
 * core/page_alloc.c — the page allocator: one zone, a buddy allocator over
 * the arena's pages, a normal path that spins on the zone lock and a
 * _nolock path that only trylocks (alloc_pages_nolock, free_pages_nolock).
 */
#include "internal.h"

void *page_address(const struct page *page)
{
	return world->pages + page_index(page) * PAGE_SIZE;
}

unsigned long page_index(const struct page *page)
{
	return (unsigned long)(page - world->memmap);
}

struct page *virt_to_page(const void *x)
{
	uintptr_t p = (uintptr_t)x, base = (uintptr_t)world->pages;

	if (p < base || p >= base + world->nr_pages * PAGE_SIZE)
		return NULL;
	return &world->memmap[(p - base) / PAGE_SIZE];
}

__harness_query bool arena_contains(const void *x)
{
	return world && virt_to_page(x);
}

struct page *compound_head(struct page *page)
{
	return (page->flags & PG_tail) ? &world->memmap[page->head] : page;
}

__harness_query unsigned long nr_free_pages(void)
{
	return world->zone.free_pages;
}

__harness_query unsigned long page_alloc_contended(void)
{
	return __atomic_load_n(&world->alloc_contended, __ATOMIC_RELAXED);
}

__harness_query unsigned long page_alloc_failures(void)
{
	return (unsigned long)atomic_long_read(&world->zone.alloc_failures);
}

__harness_query unsigned long nr_arena_pages(void)
{
	return world->nr_pages;
}

/*
 * models: mm/page_alloc.c __free_one_page() — merge with free buddies.
 * A freed block is zeroed first, as init_on_free does: free memory then
 * holds no state, so a snapshot of the world need only save the pages in
 * use, and the next owner of a block sees what a fresh world's would, not
 * what an earlier run left (a verdict never depends on runs before it).
 */
static void free_one_page_inner(struct zone *zone, struct page *page, unsigned int order)
{
	unsigned long idx = page_index(page);

	kasan_unpoison(page_address(page), PAGE_SIZE << order);
	memset(page_address(page), 0, PAGE_SIZE << order);
	kasan_poison(page_address(page), PAGE_SIZE << order);
	for (unsigned long i = 0; i < (1ul << order); i++)
		world->memmap[idx + i].flags = 0;
	zone->free_pages += 1ul << order;

	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_idx = idx ^ (1ul << order);
		struct page *buddy = &world->memmap[buddy_idx];

		/* The buddy may be another CPU's allocated page, whose owner
		 * changes its flags without the zone lock: a racy read, as the
		 * kernel's page_is_buddy(); PG_buddy is only ever set here. */
		if (buddy_idx + (1ul << order) > world->nr_pages ||
		    !(plain_load(buddy->flags) & PG_buddy) || buddy->order != order)
			break;
		list_del(&buddy->buddy_list);
		zone->nr_free[order]--;
		buddy->flags = 0;
		idx &= ~(1ul << order);
		order++;
	}
	page = &world->memmap[idx];
	page->flags = PG_buddy;
	page->order = order;
	list_add(&page->buddy_list, &zone->free_area[order]);
	zone->nr_free[order]++;
}

/* Frees whose trylock failed wait here for the next holder of the lock. */
static void free_trylock_pages(struct zone *zone)
{
	struct llist_node *pos = llist_del_all(&zone->trylock_free_pages);

	while (pos) {
		struct page *page = container_of(pos, struct page, deferred);

		pos = llist_next(pos);
		free_one_page_inner(zone, page, page->order);
	}
}

/* models: mm/page_alloc.c __rmqueue_smallest() */
static struct page *rmqueue_smallest_inner(struct zone *zone, unsigned int order)
{
	for (unsigned int o = order; o <= MAX_PAGE_ORDER; o++) {
		struct page *page;
		unsigned long idx;

		if (list_empty(&zone->free_area[o]))
			continue;
		page = list_entry(zone->free_area[o].next, struct page, buddy_list);
		list_del(&page->buddy_list);
		zone->nr_free[o]--;
		idx = page_index(page);
		while (o > order) {	/* give back the upper halves */
			struct page *buddy;

			o--;
			buddy = &world->memmap[idx + (1ul << o)];
			buddy->flags = PG_buddy;
			buddy->order = o;
			list_add(&buddy->buddy_list, &zone->free_area[o]);
			zone->nr_free[o]++;
		}
		page->flags = PG_head;
		page->order = order;
		page->head = (unsigned int)idx;
		for (unsigned long i = 1; i < (1ul << order); i++) {
			world->memmap[idx + i].flags = PG_tail;
			world->memmap[idx + i].head = (unsigned int)idx;
		}
		zone->free_pages -= 1ul << order;
		kasan_unpoison(page_address(page), PAGE_SIZE << order);
		return page;
	}
	return NULL;
}

void page_alloc_init(void)
{
	struct zone *zone = &world->zone;

	spin_lock_init(&zone->lock);
	for (int o = 0; o <= MAX_PAGE_ORDER; o++)
		INIT_LIST_HEAD(&zone->free_area[o]);
	for (unsigned long i = 0; i < world->nr_pages; i++) {
		world->memmap[i].flags = PG_head; /* as if allocated, then freed */
		world->memmap[i].head = (unsigned int)i;
		free_one_page_inner(zone, &world->memmap[i], 0);
	}
}

/* models: mm/page_alloc.c alloc_pages() */
struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct zone *zone = &world->zone;
	struct page *page = NULL;
	unsigned long flags;

	env_nolock_work(NOLOCK_WORK_PAGES);
	might_alloc(gfp); /* prepare_alloc_pages() */
	if (order <= MAX_PAGE_ORDER && !should_fail_alloc_page(order)) {
		spin_lock_irqsave(&zone->lock, flags);
		free_trylock_pages(zone);
		page = rmqueue_smallest_inner(zone, order);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	if (!page)
		atomic_long_add(1, &zone->alloc_failures);
	return page;
}

/*
 * models: mm/page_alloc.c alloc_pages_nolock()
 * Callable from any context (on RT not from NMI or hardirq): the zone lock
 * is only tried, there is no reclaim, and failure is final.
 */
struct page *alloc_pages_nolock(unsigned int order)
{
	struct zone *zone = &world->zone;
	struct page *page = NULL;
	unsigned long flags;

	env_nolock_work(NOLOCK_WORK_PAGES);
	/* RT: the zone lock is a sleeping lock, not for hard interrupts. */
	if (KCONFIG(preempt_rt) && (in_nmi() || in_hardirq()))
		return NULL;
	if (order <= MAX_PAGE_ORDER && !should_fail_alloc_page(order)) {
		if (spin_trylock_irqsave(&zone->lock, flags)) {
			free_trylock_pages(zone);
			page = rmqueue_smallest_inner(zone, order);
			spin_unlock_irqrestore(&zone->lock, flags);
		} else {
			/* model only, for the oracle; uninstrumented: no boundary */
			this_cpu_inc_counter(world->alloc_contended);
		}
	}
	if (!page)
		atomic_long_add(1, &zone->alloc_failures);
	return page;
}

/* models: mm/page_alloc.c __free_pages() */
void free_pages_inner(struct page *page, unsigned int order)
{
	struct zone *zone = &world->zone;
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	free_trylock_pages(zone);
	free_one_page_inner(zone, page, order);
	spin_unlock_irqrestore(&zone->lock, flags);
}

/* models: mm/page_alloc.c free_pages_nolock() */
void free_pages_nolock(struct page *page, unsigned int order)
{
	struct zone *zone = &world->zone;
	unsigned long flags;

	if (!spin_trylock_irqsave(&zone->lock, flags)) {
		page->order = order;
		llist_add(&page->deferred, &zone->trylock_free_pages);
		return;
	}
	free_trylock_pages(zone);
	free_one_page_inner(zone, page, order);
	spin_unlock_irqrestore(&zone->lock, flags);
}

/* Robust against a corrupted memmap (a model bug may have written it): a
 * block never leaves the arena, and a page that starts none counts as one. */
__harness_query unsigned long page_block_pages(unsigned long i)
{
	const struct page *page = &world->memmap[i];
	unsigned long n = 1;

	if ((page->flags & (PG_head | PG_buddy)) && page->order <= MAX_PAGE_ORDER)
		n = 1ul << page->order;
	return n < world->nr_pages - i ? n : world->nr_pages - i;
}

__harness_query void kmem_for_each_used_range(void (*cb)(void *start, size_t len, void *arg), void *arg)
{
	cb(world, (size_t)(world->pages - (char *)world), arg);
	for (unsigned long i = 0, n; i < world->nr_pages; i += n) {
		n = page_block_pages(i);
		if (world->memmap[i].flags & PG_head)
			cb(page_address(&world->memmap[i]), n * PAGE_SIZE, arg);
	}
}
