/*
 * page: physical frames, page numbers and struct page, the per-frame record of the buddy
 * allocator (mm/buddy.c).
 *
 * A physical frame is PAGE_SIZE bytes; frames are named by their page frame number (pfn =
 * physical address >> PAGE_SHIFT). Strata manages physical memory below 4 GiB only, so a
 * pfn always fits in 32 bits; physical addresses and sizes that can reach 4 GiB are uint64_t.
 *
 * struct page: one per frame in [0, managed frames), in an array whose storage the kernel
 * provides. Only the HEAD page of a block (the first frame of a free or allocated buddy
 * block) carries meaning; the other pages of a block are never read or written by the
 * allocator, so the array needs no initialisation at boot (see mm/buddy.c for why that is
 * safe: head-ness is decided by bitmaps, never by the contents of a struct page).
 *
 * Locking: struct page fields belong to the buddy allocator while the block is free, and to
 * the block's owner while it is allocated (except flags/order/zone, which stay the buddy's).
 * Single CPU; callers of the allocator mask interrupts.
 *
 * Reference count (allocated heads): 1 after allocation; every further user of the block (a
 * second mapping by copy-on-write, the shared zero page, a kernel pin) takes one with
 * get_page() and drops it with put_page(); the put that drops the last reference frees the
 * block. 32 bits, changed atomically, checked both ways: a get past PAGE_REF_MAX or on a
 * free block (count 0) and a put below zero panic (BUG_ON) and leave the count unchanged, so
 * it can never wrap and free a page still in use. An owner's page list holds one reference
 * per block; releasing an owner (sched/owner.c) drops that reference, so a block someone
 * else still references outlives the owner, charged to the kernel.
 */
#ifndef STRATA_MM_PAGE_H
#define STRATA_MM_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"
#include "lib/page_size.h" /* PAGE_SHIFT, PAGE_SIZE: 4 KiB */
#include "lib/panic.h"
#define PAGE_MASK (~((uint64_t)PAGE_SIZE - 1)) /* clears the offset of a physical address */

/* Physical addresses Strata manages end here (exclusive): 4 GiB. */
#define PHYS_LIMIT     (1ULL << 32)
#define PHYS_LIMIT_PFN ((uint32_t)(PHYS_LIMIT >> PAGE_SHIFT)) /* 0x100000 frames, fits u32 */

/* pfn <-> physical address. PFN_UP rounds a byte address up to the next whole frame. */
#define PFN_PHYS(pfn) ((uint64_t)(pfn) << PAGE_SHIFT)
#define PHYS_PFN(pa)  ((uint32_t)((uint64_t)(pa) >> PAGE_SHIFT))
#define PFN_UP(pa)    ((uint32_t)(((uint64_t)(pa) + PAGE_SIZE - 1) >> PAGE_SHIFT))
#define PFN_DOWN(pa)  PHYS_PFN(pa)

/* struct page flags (head pages only). */
#define PG_BUDDY    (1u << 0) /* head of a FREE block, linked on its zone's free list */
#define PG_HEAD     (1u << 1) /* head of an ALLOCATED block */
#define PG_POISONED (1u << 2) /* free block whose every byte holds PAGE_POISON_BYTE */
/* An allocated user page or page table (alloc_page_for): every reference it has is a table's
 * or a directory's that maps it, none its owner's, so the owner's release only hands it to
 * the kernel (it lives while mapped) instead of dropping a reference (sched/owner.c). */
#define PG_USER (1u << 3)

/* Owner ids: who an allocated block is charged to (per-task accounting comes later). */
#define PAGE_OWNER_KERNEL 0u

struct page {
	/* Free head: linkage on zone->free_list[order]. Allocated head: the owner's to use,
	 * uninitialised (e.g. the slab layer's partial list). */
	struct list_head link;
	uintptr_t private_data; /* allocated head: the owner's word, 0 after allocation */
	uint32_t owner;         /* allocated head: owner id (PAGE_OWNER_KERNEL by default) */
	uint32_t refcount;      /* allocated head: references, 1 after allocation (see above);
	                         * free head: unused; change only through the helpers below */
	uint8_t flags;          /* PG_* */
	uint8_t order;          /* head: the block is 2^order frames */
	uint8_t zone;           /* head: enum zone_id (mm/buddy.h) of the block */
};                              /* 24 bytes on i386 */

/* ---- reference count (allocated heads) ------------------------------------------------- */

#define PAGE_REF_MAX 0xFFFFFFFEu /* references a block may have; one more get panics */

/* The references to allocated head @pg right now. */
static inline uint32_t page_ref_count(const struct page *pg)
{
	return __atomic_load_n(&pg->refcount, __ATOMIC_RELAXED);
}

/*
 * Take one more reference to allocated head @pg. Panics (BUG_ON), with the count unchanged,
 * when @pg has no reference (a free block) or already PAGE_REF_MAX. No failure value.
 */
static inline void get_page(struct page *pg)
{
	/* One locked add; a count that was wrong is put back before the panic. */
	uint32_t old = __atomic_fetch_add(&pg->refcount, 1, __ATOMIC_ACQ_REL);

	if (unlikely(old == 0 || old >= PAGE_REF_MAX)) {
		__atomic_fetch_sub(&pg->refcount, 1, __ATOMIC_ACQ_REL);
		BUG_ON(old == 0 || old >= PAGE_REF_MAX);
	}
}

/*
 * Drop one reference to allocated head @pg. Returns true when it was the last one: the caller
 * must then free the block (put_page() does). Panics (BUG_ON), with the count unchanged, when
 * @pg has no reference left.
 */
static inline bool put_page_testzero(struct page *pg)
{
	uint32_t old = __atomic_fetch_sub(&pg->refcount, 1, __ATOMIC_ACQ_REL);

	if (unlikely(old == 0)) {
		__atomic_fetch_add(&pg->refcount, 1, __ATOMIC_ACQ_REL);
		BUG_ON(old == 0);
	}
	return old == 1;
}

/*
 * Drop one reference to the allocated block headed by @pg (from alloc_pages()); the last
 * one frees the block with free_pages(pg, pg->order). Returns true when it was freed.
 * Kernel only (mm/page_ref.c: it needs the page allocator); panics as put_page_testzero().
 */
bool put_page(struct page *pg);

#endif
