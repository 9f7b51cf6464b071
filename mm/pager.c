/*
 * pager: memory-backed file objects and their page cache (contracts in include/mm/pager.h).
 *
 * The registry is a list (a handful of programs are ever mapped); an object's cache is an
 * array of page pointers, one per page of the object, allocated with the object.
 */
#include "mm/pager.h"

#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/phys.h"
#include "x86/cpu.h"
#include "x86/pageops.h"

static struct list_head objects = LIST_HEAD_INIT(objects);
static struct vm_object_stats stats;

/* The memory provider's get_page: the cached page, or a new one filled from the bytes. */
static int memory_get_page(struct vm_object *obj, uint32_t pgoff, struct page **out)
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
	uint8_t *dst = phys_to_virt(PFN_PHYS(page_to_pfn(pg)));
	uint32_t off = pgoff << PAGE_SHIFT,
		 n = obj->size - off < PAGE_SIZE ? obj->size - off : PAGE_SIZE;
	if (n < PAGE_SIZE)
		clear_page(dst);
	memcpy(dst, obj->data + off, n);
	flags = irq_save();
	if (obj->cache[pgoff]) { /* filled meanwhile (we slept in the allocator): use that one */
		free_pages(pg, 0);
		pg = obj->cache[pgoff];
	} else {
		obj->cache[pgoff] = pg; /* the cache's reference */
		obj->cached++;
		stats.cached++;
		stats.fills++;
	}
	get_page(pg); /* the caller's */
	irq_restore(flags);
	*out = pg;
	return 0;
}

static const struct pager_ops memory_pager = { "memory", memory_get_page };

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

void vm_object_read(const struct vm_object *obj, uint32_t off, void *dst, uint32_t len)
{
	memcpy(dst, obj->data + off, len);
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

void vm_object_get_stats(struct vm_object_stats *out)
{
	*out = stats;
}
