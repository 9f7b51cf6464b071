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
 */
#ifndef STRATA_MM_PAGE_H
#define STRATA_MM_PAGE_H

#include <stdint.h>

#include "lib/list.h"
#include "lib/page_size.h"              /* PAGE_SHIFT, PAGE_SIZE: 4 KiB */
#define PAGE_MASK  (~((uint64_t)PAGE_SIZE - 1)) /* clears the offset of a physical address */

/* Physical addresses Strata manages end here (exclusive): 4 GiB. */
#define PHYS_LIMIT     (1ULL << 32)
#define PHYS_LIMIT_PFN ((uint32_t)(PHYS_LIMIT >> PAGE_SHIFT)) /* 0x100000 frames, fits u32 */

/* pfn <-> physical address. PFN_UP rounds a byte address up to the next whole frame. */
#define PFN_PHYS(pfn)  ((uint64_t)(pfn) << PAGE_SHIFT)
#define PHYS_PFN(pa)   ((uint32_t)((uint64_t)(pa) >> PAGE_SHIFT))
#define PFN_UP(pa)     ((uint32_t)(((uint64_t)(pa) + PAGE_SIZE - 1) >> PAGE_SHIFT))
#define PFN_DOWN(pa)   PHYS_PFN(pa)

/*
 * Transitional: the page link used to be its own list type. It is lib/list.h's list_head now;
 * this name stays only until sched/ (task.h's page list, owner.c) spells list_head itself.
 */
#define page_link list_head

/* struct page flags (head pages only). */
#define PG_BUDDY    (1u << 0) /* head of a FREE block, linked on its zone's free list */
#define PG_HEAD     (1u << 1) /* head of an ALLOCATED block */
#define PG_POISONED (1u << 2) /* free block whose every byte holds PAGE_POISON_BYTE */

/* Owner ids: who an allocated block is charged to (per-task accounting comes later). */
#define PAGE_OWNER_KERNEL 0u

struct page {
	/* Free head: linkage on zone->free_list[order]. Allocated head: the owner's to use,
	 * uninitialised (e.g. the slab layer's partial list). */
	struct list_head link;
	uintptr_t private_data; /* allocated head: the owner's word, 0 after allocation */
	uint32_t owner;         /* allocated head: owner id (PAGE_OWNER_KERNEL by default) */
	uint16_t refcount;      /* allocated head: 1 after allocation (free head: unused) */
	uint8_t flags;          /* PG_* */
	uint8_t order;          /* head: the block is 2^order frames */
	uint8_t zone;           /* head: enum zone_id (mm/buddy.h) of the block */
};                              /* 24 bytes on i386 */

#endif
