/*
 * core/kmalloc.c — the kmalloc buckets, kmalloc()/kfree(), and large
 * kmalloc straight from the page allocator.
 */
#include "internal.h"

static const unsigned int kmalloc_sizes[KMALLOC_CACHES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

/* models: mm/slab_common.c create_kmalloc_caches() */
void create_kmalloc_caches(void)
{
	for (int i = 0; i < KMALLOC_CACHES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "kmalloc-%u", kmalloc_sizes[i]);
		world->kmalloc_caches[i] = kmem_cache_open(name, kmalloc_sizes[i], 8, SLAB_KMALLOC);
		BUG_ON(!world->kmalloc_caches[i]);
	}
}

/* models: mm/slab_common.c kmalloc_slab() — the smallest bucket that fits. */
struct kmem_cache *kmalloc_slab(size_t size)
{
	for (int i = 0; i < KMALLOC_CACHES; i++)
		if (size <= kmalloc_sizes[i])
			return world->kmalloc_caches[i];
	return NULL;
}

__harness_query struct kmem_cache *kmalloc_cache_nth(int n)
{
	return n >= 0 && n < KMALLOC_CACHES ? world->kmalloc_caches[n] : NULL;
}

static unsigned int get_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* models: mm/slub.c ___kmalloc_large_node() */
static void *kmalloc_large_node_slow(size_t size, gfp_t flags)
{
	unsigned int order = get_order(size);
	struct page *page;
	void *ptr;

	if (order > MAX_PAGE_ORDER)
		return NULL;
	page = alloc_pages(flags, order);
	if (!page)
		return NULL;
	page->flags |= PG_large_kmalloc;
	ptr = page_address(page);
	if (flags & __GFP_ZERO)
		memset(ptr, 0, size);
	kasan_poison((char *)ptr + size, (PAGE_SIZE << order) - size);
	return ptr;
}

/* models: mm/slub.c __kmalloc_noprof() */
void *kmalloc(size_t size, gfp_t flags)
{
	void *p;

	flags &= ~__SLAB_ALLOC_FLAGS; /* the slab's own alloc_flags are not the caller's */
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		p = kmalloc_large_node_slow(size, flags);
	else
		p = slab_alloc_node(kmalloc_slab(size), flags, NUMA_NO_NODE, size);
	if (p)
		env_slab_api(ENV_KMALLOC, p, NULL, flags);
	return p;
}

/* models: mm/slub.c free_large_kmalloc() */
static void free_large_kmalloc(struct page *page, void *object)
{
	unsigned int order = page->order;

	kasan_unpoison(object, PAGE_SIZE << order);
	page->flags &= ~PG_large_kmalloc;
	free_pages_inner(page, order);
}

/*
 * models: mm/slub.c kfree()
 * A pointer that is neither a slab object nor the start of a large kmalloc
 * warns and is ignored.
 */
void kfree(const void *object)
{
	void *x = (void *)object;
	struct slab *slab;
	struct page *page;

	if (ZERO_OR_NULL_PTR(object))
		return;
	env_slab_api(ENV_KFREE, object, NULL, 0);
	slab = virt_to_slab(object);
	if (slab) {
		slab_free_object(slab, x);
		return;
	}
	page = virt_to_page(object);
	if (WARN_ONCE(!page || !(page->flags & PG_large_kmalloc),
		      "kfree: not a slab object nor a large kmalloc"))
		return;
	free_large_kmalloc(page, x);
}
