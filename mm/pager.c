/*
 * pager: the providers behind the fault handler — private anonymous pages, shared anonymous
 * objects, memory-backed file objects and their page cache (contracts in include/mm/pager.h).
 *
 * The registry is a list (a handful of programs are ever mapped); an object's cache is an
 * array of page pointers, one per page of the object, allocated with the object.
 */
#include "mm/pager.h"

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "x86/cpu.h"
#include "x86/pageops.h"

static struct list_head objects = LIST_HEAD_INIT(objects);
static struct vm_object_stats stats;

/* Fill the new page @dst for slot @pgoff of @obj: its bytes (the tail past the end zeroed)
 * for a memory object, zeros for a shared one. */
static void fill_slot(const struct vm_object *obj, uint32_t pgoff, uint8_t *dst, bool shared)
{
	uint32_t off = pgoff << PAGE_SHIFT;
	uint32_t n = shared ? 0 : obj->size - off < PAGE_SIZE ? obj->size - off : PAGE_SIZE;

	vm_object_read_page(obj, off, dst, n);
}

/*
 * Both providers' get_page: the page in slot @pgoff with a reference for the caller, made and
 * filled (fill_slot) on first use, the object keeping one reference of its own. 0, -EFAULT
 * (past the end, also when a resize cut it meanwhile) or -ENOMEM.
 */
static int cache_get_page(struct vm_object *obj, uint32_t pgoff, struct page **out, bool shared)
{
	struct mm_error err;
	struct page *pg;
	uint32_t flags;

	if (pgoff >= obj->npages)
		return -EFAULT;
	flags = irq_save();
	if ((pg = obj->cache[pgoff]) != NULL) {
		get_page(pg);
		stats.hits++;
		irq_restore(flags);
		*out = pg;
		return 0;
	}
	irq_restore(flags);
	pg = alloc_pages(0, GFP_KERNEL | __GFP_KOWNED, &err);
	if (!pg)
		return -ENOMEM;
	fill_slot(obj, pgoff, phys_to_virt(PFN_PHYS(page_to_pfn(pg))), shared);
	flags = irq_save();
	if (pgoff >= obj->npages || obj->cache[pgoff]) { /* resized or filled meanwhile (we slept
		                                          * in the allocator): use that one */
		free_pages(pg, 0);
		pg = pgoff < obj->npages ? obj->cache[pgoff] : NULL;
	} else {
		obj->cache[pgoff] = pg; /* the object's reference */
		obj->cached++;
		if (shared) {
			stats.shmem++;
		} else {
			stats.cached++;
			stats.fills++;
		}
	}
	if (pg)
		get_page(pg); /* the caller's */
	irq_restore(flags);
	if (!pg)
		return -EFAULT;
	*out = pg;
	return 0;
}

/* The memory provider's get_page: the cached page, or a new one filled from the bytes. */
static int memory_get_page(struct vm_object *obj, uint32_t pgoff, struct page **out)
{
	return cache_get_page(obj, pgoff, out, false);
}

static const struct pager_ops memory_pager = { "memory", memory_get_page, NULL };

/* The shared provider's get_page: the object's page, or a new zeroed one. */
static int shared_get_page(struct vm_object *obj, uint32_t pgoff, struct page **out)
{
	return cache_get_page(obj, pgoff, out, true);
}

/* Drop the object's pages from slot @from on. */
static void shared_drop_pages(struct vm_object *obj, uint32_t from)
{
	for (uint32_t i = from; i < obj->npages; i++) {
		uint32_t flags = irq_save();
		struct page *pg = obj->cache[i];

		obj->cache[i] = NULL;
		if (pg) {
			obj->cached--;
			stats.shmem--;
		}
		irq_restore(flags);
		if (pg)
			put_page(pg);
	}
}

static void shared_release(struct vm_object *obj)
{
	if (obj->on_release)
		obj->on_release(obj);
	shared_drop_pages(obj, 0);
	stats.committed -= obj->npages;
	stats.objects--;
	kfree(obj->cache);
	kfree(obj);
}

static const struct pager_ops shared_pager = { "shared", shared_get_page, shared_release };

/* Pages covering @size bytes, or 0 when that is more than a 32-bit space holds. */
static uint32_t pages_for(uint64_t size)
{
	uint64_t n = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;

	return n > (1u << 20) ? 0 : (uint32_t)n;
}

struct page *pager_anon_page(uint32_t owner, bool zero)
{
	struct page *pg = alloc_page_for(owner);

	if (pg && zero)
		clear_page(phys_to_virt(PFN_PHYS(page_to_pfn(pg))));
	return pg;
}

struct vm_object *vm_object_shared(uint64_t size)
{
	uint32_t n = pages_for(size);
	struct vm_object *obj;

	if ((size && !n) || !vm_commit_check(n, NULL) || !(obj = kzalloc(sizeof(*obj), KM_KERNEL)))
		return NULL;
	if (n && !(obj->cache = kzalloc(n * sizeof(*obj->cache), KM_KERNEL))) {
		kfree(obj);
		return NULL;
	}
	obj->ops = &shared_pager;
	obj->size = (uint32_t)MIN(size, (uint64_t)UINT32_MAX);
	obj->npages = n;
	stats.committed += n;
	obj->refs = 1;
	list_init(&obj->link);
	stats.objects++;
	return obj;
}

/* The pinned provider's get_page: the page the object was made with. */
static int pinned_get_page(struct vm_object *obj, uint32_t pgoff, struct page **out)
{
	if (pgoff >= obj->npages)
		return -EFAULT;
	get_page(obj->cache[pgoff]);
	*out = obj->cache[pgoff];
	return 0;
}

static const struct pager_ops pinned_pager = { "pinned", pinned_get_page, NULL };

struct vm_object *vm_object_pinned(struct page *const pages[], uint32_t n)
{
	struct vm_object *obj = kzalloc(sizeof(*obj), KM_KERNEL);

	if (!obj || !n || !(obj->cache = kzalloc(n * sizeof(*obj->cache), KM_KERNEL))) {
		kfree(obj);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		obj->cache[i] = pages[i];
	obj->ops = &pinned_pager;
	obj->size = n << PAGE_SHIFT;
	obj->npages = obj->cached = n;
	obj->refs = 1;
	list_init(&obj->link);
	return obj;
}

bool vm_object_is_shared(const struct vm_object *obj)
{
	return obj->ops == &shared_pager;
}

int vm_object_resize(struct vm_object *obj, uint64_t size)
{
	uint32_t n = pages_for(size);

	if (!vm_object_is_shared(obj))
		return -EINVAL;
	if (size && !n)
		return -ENOMEM;
	if (n > obj->npages) {
		if (!vm_commit_check(n - obj->npages, NULL))
			return -ENOMEM;
		struct page **cache = kzalloc(n * sizeof(*cache), KM_KERNEL);
		if (!cache)
			return -ENOMEM;
		uint32_t flags = irq_save();
		if (obj->npages)
			memcpy(cache, obj->cache, obj->npages * sizeof(*cache));
		struct page **old = obj->cache;
		obj->cache = cache;
		stats.committed += n - obj->npages;
		obj->npages = n;
		irq_restore(flags);
		kfree(old);
	} else if (n < obj->npages) {
		shared_drop_pages(obj, n);
		stats.committed -= obj->npages - n;
		obj->npages = n;
	}
	obj->size = (uint32_t)MIN(size, (uint64_t)UINT32_MAX);
	return 0;
}

void vm_object_get(struct vm_object *obj)
{
	uint32_t flags = irq_save();
	obj->refs++;
	irq_restore(flags);
}

void vm_object_put(struct vm_object *obj)
{
	if (!obj)
		return;
	uint32_t flags = irq_save();
	bool last = --obj->refs == 0;
	irq_restore(flags);
	if (last && obj->ops->release)
		obj->ops->release(obj);
}

struct vm_object *vm_object_memory(const void *data, uint32_t size)
{
	struct vm_object *obj;

	if (!size)
		return NULL;
	list_for_each_entry(obj, &objects, link)
	{
		if (obj->data == data && obj->size == size)
			return obj;
	}
	obj = kzalloc(sizeof(*obj), KM_KERNEL);
	if (!obj)
		return NULL;
	obj->npages = (uint32_t)(((uint64_t)size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	obj->cache = kzalloc(obj->npages * sizeof(*obj->cache), KM_KERNEL);
	if (!obj->cache) {
		kfree(obj);
		return NULL;
	}
	obj->ops = &memory_pager;
	obj->data = data;
	obj->size = size;
	obj->refs = 1; /* the registry's: a memory object is never released */
	list_add_tail(&obj->link, &objects);
	stats.objects++;
	return obj;
}

int vm_object_get_page(struct vm_object *obj, uint32_t pgoff, struct page **out)
{
	return obj->ops->get_page(obj, pgoff, out);
}

struct page *vm_object_peek_page(struct vm_object *obj, uint32_t pgoff)
{
	uint32_t flags = irq_save();
	struct page *pg = pgoff < obj->npages ? obj->cache[pgoff] : NULL;

	if (pg)
		get_page(pg);
	irq_restore(flags);
	return pg;
}

void vm_object_read_page(const struct vm_object *obj, uint32_t off, void *page, uint32_t len)
{
	/* The bytes: 256-byte steps 16 bytes a move (the file data is only 4-byte aligned), the
	 * rest by memcpy; then zeros from there, 256-byte steps again from the next boundary. */
	uint32_t bulk = ALIGN_DOWN(len, 256u), zeros = ALIGN_UP(len, 256u);
	uint8_t *dst = page;

	if (bulk)
		copy_block_usrc(dst, obj->data + off, bulk);
	memcpy(dst + bulk, obj->data + off + bulk, len - bulk);
	memset(dst + len, 0, zeros - len);
	if (zeros < PAGE_SIZE)
		clear_block(dst + zeros, PAGE_SIZE - zeros);
}

uint32_t vm_object_shrink(void)
{
	struct vm_object *obj;
	uint32_t freed = 0;

	list_for_each_entry(obj, &objects, link)
	{
		for (uint32_t i = 0; i < obj->npages && obj->cached; i++) {
			uint32_t flags = irq_save();
			struct page *pg = obj->cache[i];

			if (pg && page_ref_count(pg) == 1) {
				obj->cache[i] = NULL;
				obj->cached--;
				stats.cached--;
				stats.shrunk++;
				put_page(pg);
				freed++;
			}
			irq_restore(flags);
		}
	}
	return freed;
}

uint32_t vm_object_drop_unused(void)
{
	struct vm_object *obj, *n;
	uint32_t dropped = 0;

	vm_object_shrink();
	list_for_each_entry_safe(obj, n, &objects, link)
	{
		uint32_t flags = irq_save();
		bool unused = obj->ops == &memory_pager && obj->refs == 1 && obj->cached == 0;

		if (unused) {
			list_del(&obj->link);
			stats.objects--;
		}
		irq_restore(flags);
		if (unused) {
			kfree(obj->cache);
			kfree(obj);
			dropped++;
		}
	}
	return dropped;
}

/* Count @obj's cached pages with a reference beyond the cache's own. */
static uint32_t mapped_in(const struct vm_object *obj)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < obj->npages; i++)
		if (obj->cache[i] && page_ref_count(obj->cache[i]) > 1)
			n++;
	return n;
}

uint32_t vm_object_mapped_pages(void)
{
	const struct vm_object *obj;
	uint32_t n = 0, flags = irq_save();

	list_for_each_entry(obj, &objects, link) n += mapped_in(obj);
	irq_restore(flags);
	return n;
}

void vm_object_get_stats(struct vm_object_stats *out)
{
	*out = stats;
}
