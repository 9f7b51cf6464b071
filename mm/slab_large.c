/*
 * slab_large: large objects — kmalloc's requests above its size classes — as one page block
 * each from the slab layer's page provider (include/mm/slab.h, "large objects").
 *
 * Design: the object starts max(KMEM_LARGE_HDR, align) bytes into its block; a struct
 * kmem_large right below it names the block, its order, the owner and the allocating caller,
 * and links it on kmem_large_objects, so owners, the leak scan and the statistics see every
 * large object. A header is trusted only if it lies outside any slab and its magic (XORed
 * with its own address) matches, so kfree() of a stray pointer is reported, not followed.
 */
#include "slab_internal.h"

#include "lib/errno.h"
#include "lib/preempt.h"

/* ---- large objects --------------------------------------------------------------------------- */

static void *kmem_large_alloc_unlocked(size_t size, size_t align, unsigned flags,
                                       struct mm_error *err, uintptr_t caller)
{
	struct mm_error local = { 0 };
	uint32_t owner = (flags & KM_KERNEL) ? KMEM_OWNER_KERNEL : this_cpu_state()->owner;
	size_t off, need, bytes;
	unsigned order = 0;
	struct kmem_large *h;
	uintptr_t block;

	if (!err)
		err = &local;
	err->kind = MM_OK;
	if (align < KMEM_LARGE_MIN_ALIGN)
		align = KMEM_LARGE_MIN_ALIGN;
	off = MAX((size_t)KMEM_LARGE_HDR, align);
	if (!is_pow2(align) || align > KMEM_REGION_SPAN_MAX / 2 ||
	    size > KMEM_REGION_SPAN_MAX - off) {
		err->kind = MM_INVALID_ARGUMENT;
		err->requested = size;
		return kmem_alloc_failed("kmalloc", size, flags, err, caller);
	}
	need = off + MAX(size, (size_t)1); /* a 0-byte object still gets a byte of its own */
	while (((size_t)PAGE_SIZE << order) < need)
		order++;
	bytes = (size_t)PAGE_SIZE << order;
	if (kmem_failslab(flags) || kmem_charge(owner, (int64_t)bytes, err) < 0)
		return kmem_alloc_failed("kmalloc", size, flags, err, caller);
	block = (uintptr_t)kmem_page_ops.alloc_pages(order, flags, err, kmem_page_ops.ctx);
	if (!block) {
		kmem_uncharge(owner, bytes);
		return kmem_alloc_failed("kmalloc", size, flags, err, caller);
	}
	h = (struct kmem_large *)(block + off - KMEM_LARGE_HDR);
	h->magic = KMEM_LARGE_MAGIC ^ (uintptr_t)h;
	h->block = (void *)block;
	h->size = size;
	h->caller = caller;
	h->owner = owner;
	h->order = order;
	list_add_tail(&h->link, &kmem_large_objects);
	kmem_large_pages += (size_t)1 << order;
	if (flags & KM_ZERO)
		memset((void *)(block + off), 0, size);
	return (void *)(block + off);
}

struct kmem_large *kmem_large_of(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct kmem_large *h;

	if (!in_region(a) || !IS_ALIGNED(a, KMEM_LARGE_MIN_ALIGN) ||
	    a - kmem_region.base < KMEM_LARGE_HDR)
		return NULL;
	h = (struct kmem_large *)(a - KMEM_LARGE_HDR);
	if (kmem_addr_is_slab((uintptr_t)h) || h->magic != (KMEM_LARGE_MAGIC ^ (uintptr_t)h))
		return NULL;
	return h;
}

static int kmem_large_free_unlocked(const void *p, uintptr_t caller)
{
	struct kmem_large *h = kmem_large_of(p);

	if (!h) {
		kmem_report("slab: free of %p, which is not an allocated object, by %pS\n", p,
		            (void *)caller);
		return -EINVAL;
	}
	h->magic = 0;
	list_del(&h->link);
	kmem_uncharge(h->owner, (size_t)PAGE_SIZE << h->order);
	kmem_large_pages -= (size_t)1 << h->order;
	kmem_page_ops.free_pages(h->block, h->order, kmem_page_ops.ctx);
	return 0;
}

size_t kmem_large_bytes(void)
{
	return kmem_large_pages * PAGE_SIZE;
}

/* ---- entry points: preemption off while the allocator state is in use (lib/preempt.h) ---- */

void *kmem_large_alloc(size_t size, size_t align, unsigned flags, struct mm_error *err,
                       uintptr_t caller)
{
	preempt_disable();
	void *r = kmem_large_alloc_unlocked(size, align, flags, err, caller);
	preempt_enable();
	return r;
}

int kmem_large_free(const void *p, uintptr_t caller)
{
	preempt_disable();
	int r = kmem_large_free_unlocked(p, caller);
	preempt_enable();
	return r;
}
