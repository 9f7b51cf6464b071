/*
 * buddy: the physical page allocator after boot (mm/buddy.c). Blocks of 2^order frames,
 * order 0..BUDDY_MAX_ORDER (4 KiB .. 16 MiB), in three zones, with a struct page per frame.
 *
 * Zones (frame ranges, never crossed by a block):
 *   ZONE_DMA     [0, 16 MiB)                       ISA DMA reachable
 *   ZONE_NORMAL  [16 MiB, normal end)              direct-mapped lowmem (the kernel passes
 *                                                  the end, e.g. LOWMEM_LIMIT; it is rounded
 *                                                  down to a multiple of 16 MiB)
 *   ZONE_HIGHMEM [normal end, end of RAM)          reached through kmap slots
 * Fallback: a HIGHMEM request may use HIGHMEM, NORMAL, DMA (in that order); NORMAL (the
 * default) NORMAL, DMA; DMA only DMA.
 *
 * The allocator never touches frame contents itself: poisoning and zeroing go through the
 * map/unmap callbacks the kernel passes (direct map or a kmap slot; an arena on the host).
 *
 * Boot sequence (the kernel glue, mm_init in mm/phys.c; error handling left out). The boot
 * options arrive as parameters (struct mm_boot_params, filled by kmain): mm never reads the
 * command line.
 *
 *   static struct memmap map;             static struct frame_bitmap bm;
 *   static struct buddy buddy;
 *   memmap_sanitize(&map, p->map, p->map_count, p->mem_limit);
 *   memmap_reserve(&map, 0, 1 MiB, "first 1 MiB");
 *   memmap_reserve(&map, image_start, image_len, "kernel image");
 *   memmap_reserve(&map, mbi, mbi_len, "multiboot info");  ... "boot page tables"
 *   uint32_t n = memmap_end_pfn(&map);
 *   // metadata must lie where the kernel can reach it: the boot map at first, the direct
 *   // map (< LOWMEM_LIMIT) once built; struct pages take 24 bytes per frame (18 MiB for 3 GiB)
 *   memmap_alloc(&map, frame_bitmap_storage_bytes(n), PAGE_SIZE, 1 MiB, mapped_limit,
 *                "frame bitmap", &bm_pa);
 *   memmap_alloc(&map, buddy_storage_bytes(n), PAGE_SIZE, 1 MiB, mapped_limit,
 *                "struct page array", &pg_pa);
 *   memmap_print(&map);
 *   frame_bitmap_init(&bm, phys_to_virt(bm_pa), size, n, &map);
 *   ... early frame_alloc() (e.g. page tables for the direct map) ...
 *   struct buddy_config cfg = { .storage = phys_to_virt(pg_pa), .storage_bytes = size2,
 *           .normal_end_pfn = LOWMEM_LIMIT >> PAGE_SHIFT, .map = map_fn, .unmap = unmap_fn,
 *           .debug_pagealloc = p->debug_pagealloc,
 *           .init_on_alloc = p->init_on_alloc };
 *   buddy_init(&buddy, &bm, &cfg);        // hands every free frame to the buddy allocator
 *   struct page *pg = buddy_alloc(&buddy, 0, GFP_KERNEL, &err);  // NULL + err on failure
 *   buddy_free(&buddy, buddy_page_pfn(&buddy, pg), 0);
 *
 * Frames that early boot took with frame_alloc*() become allocated order-0 blocks at
 * buddy_init(), so they can later be freed with buddy_free(pfn, 0).
 *
 * Locking: a struct buddy has no lock. Single CPU: every caller masks interrupts around
 * buddy_alloc/buddy_free (and the bitmap they update). See mm/buddy.c for the invariants.
 */
#ifndef STRATA_MM_BUDDY_H
#define STRATA_MM_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/bitmap.h"
#include "mm/error.h"
#include "mm/layout.h"
#include "mm/page.h"
#include "mm/pressure.h"

#define BUDDY_MAX_ORDER  12 /* 2^12 frames = 16 MiB */
#define BUDDY_NR_ORDERS  (BUDDY_MAX_ORDER + 1)
#define ZONE_DMA_END_PFN (DMA_ZONE_END >> PAGE_SHIFT)

/* Ordered: a request falls back to the zones with lower ids (mm/buddy.c relies on it). */
enum zone_id { ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, ZONE_COUNT };

/* Allocation flags. */
typedef uint32_t gfp_t;
#define __GFP_DMA     (1u << 0) /* from ZONE_DMA only */
#define __GFP_HIGHMEM (1u << 1) /* prefer ZONE_HIGHMEM, fall back to NORMAL, then DMA */
#define __GFP_ZERO    (1u << 2) /* zero the block */
#define __GFP_NOFAIL  (1u << 3) /* failure is a bug: panic("out of memory: ...") */
#define __GFP_ALL     (__GFP_DMA | __GFP_HIGHMEM | __GFP_ZERO | __GFP_NOFAIL)
#define GFP_KERNEL    0u /* ZONE_NORMAL, falling back to DMA */
#define GFP_DMA       __GFP_DMA
#define GFP_HIGHUSER  __GFP_HIGHMEM

#define PAGE_POISON_BYTE 0xaa /* debug_pagealloc: freed pages are filled with this */

/*
 * The hot entry points take their first three arguments in registers on i386 (as Linux i386
 * did with -mregparm=3): a cdecl call costs about a dozen instructions per alloc+free pair,
 * a large share of the budget. Callers only need this header; do not take their address.
 */
#if defined(__i386__)
#define BUDDY_FASTCALL __attribute__((regparm(3)))
#else
#define BUDDY_FASTCALL
#endif

/* Contents access: map frame @pfn and return its address; unmap releases it (may be NULL). */
typedef void *(*buddy_map_fn)(void *ctx, uint32_t pfn);
typedef void (*buddy_unmap_fn)(void *ctx, uint32_t pfn, void *va);

/*
 * One zone. Invariants (checked by buddy_check()):
 *  - free_list[o] holds blocks of 2^o frames, each aligned to its size, inside
 *    [start_pfn, end_pfn), free in the bitmap; bit o of order_mask == list o non-empty;
 *  - no two free buddies of one order (they would have merged);
 *  - the free block sizes add up to the zone's free bits in the bitmap;
 *  - managed_pages == free pages + pages in allocated blocks (the zone's RAM frames).
 * There is no count of blocks per order: keeping one costs every split and merge step a few
 * instructions, and only statistics need it, so buddy_zone_nr_free() counts the list instead.
 */
struct buddy_zone {
	const char *name;            /* "DMA", "Normal", "HighMem" */
	uint8_t id;                  /* enum zone_id of this zone */
	uint32_t start_pfn, end_pfn; /* [start, end); empty when equal */
	uint32_t managed_pages;
	uint32_t order_mask; /* bit o set iff free_list[o] is non-empty */
	struct list_head free_list[BUDDY_NR_ORDERS];
};

struct buddy_config {
	void *storage; /* buddy_storage_bytes(nframes) bytes, pointer-aligned */
	size_t storage_bytes;
	uint32_t normal_end_pfn; /* end of ZONE_NORMAL, rounded down to 16 MiB (the largest
	                          * block); 0, or at least the frames managed: no HIGHMEM */
	buddy_map_fn map;        /* required */
	buddy_unmap_fn unmap;    /* optional */
	void *map_ctx;
	bool debug_pagealloc; /* poison freed blocks, check the poison on allocation */
	bool init_on_alloc;   /* zero every block on allocation */
};

struct buddy_stats {
	uint64_t total_bytes; /* managed */
	uint64_t free_bytes;
	uint64_t used_bytes;
	uint32_t zone_managed_pages[ZONE_COUNT];
	uint32_t zone_free_pages[ZONE_COUNT];
	uint32_t nr_free[ZONE_COUNT][BUDDY_NR_ORDERS]; /* free blocks per order (buddyinfo),
	                                                * counted on the free lists */
	uint32_t bad_frees;                            /* frees rejected so far */
	uint32_t poison_errors;                        /* corrupted free blocks found so far */
};

/* The allocator. Fields are the buddy's; read them through buddy_stats(). */
struct buddy {
	struct frame_bitmap *bm; /* mirror: a frame is used in bm iff not in a free block */
	struct page *pages;      /* pages[pfn], pfn in [0, nframes); only heads are valid */
	uint32_t *heads;         /* bit per frame: 1 = head of an allocated block */
	uint32_t nframes;
	struct buddy_zone zones[ZONE_COUNT];
	uint32_t managed_pages; /* sum over the zones; the free sum is bm->free_frames */
	buddy_map_fn map;
	buddy_unmap_fn unmap;
	void *map_ctx;
	bool poison; /* debug_pagealloc */
	bool init_on_alloc;
	gfp_t gfp_force; /* gfp bits every allocation gets from the two above */
	uint32_t bad_frees;
	uint32_t poison_errors;
	struct mm_pressure pressure; /* updated after every alloc/free */
};

/* Bytes of storage buddy_init() needs for @nframes frames (struct pages + head bitmap). */
size_t buddy_storage_bytes(uint32_t nframes);

/*
 * Take over physical memory from @bm (initialised, not yet handed over): set up the zones,
 * put every free frame on the free lists as the largest aligned blocks that fit (cost per
 * block and per 32 frames, not per frame; the struct page array is not cleared), make every
 * frame early boot allocated an allocated order-0 block, and start pressure tracking.
 * Returns 0; -EINVAL for a NULL pointer / missing map callback / @bm already handed over;
 * -ENOSPC when the storage is too small or misaligned.
 */
int buddy_init(struct buddy *b, struct frame_bitmap *bm, const struct buddy_config *cfg);

/*
 * Allocate 2^@order contiguous frames, from the zones @gfp allows (see above). On failure
 * the shrink hooks run once (mm_shrink_all()) and the allocation is retried.
 * Returns the head page, or NULL with *@err filled (if @err is not NULL):
 *   MM_OUT_OF_MEMORY: requested = block bytes; available / used / total = free / used /
 *                     managed bytes of the zones the request may use;
 *   MM_INVALID_ARGUMENT: order > BUDDY_MAX_ORDER, unknown gfp bits, DMA with HIGHMEM.
 * With __GFP_NOFAIL, failure panics ("out of memory: ...") instead of returning NULL.
 * debug_pagealloc: a poisoned block is checked, and the first overwritten byte is reported
 * ("mm: page poison overwritten at 0x...") — the block is still returned.
 */
BUDDY_FASTCALL struct page *buddy_alloc(struct buddy *b, unsigned order, gfp_t gfp,
                                        struct mm_error *err);

/* buddy_alloc() reporting @caller (a return address) instead of its own caller. */
BUDDY_FASTCALL struct page *buddy_alloc_caller(struct buddy *b, unsigned order, gfp_t gfp,
                                               struct mm_error *err, uintptr_t caller);

/*
 * Free the block of 2^@order frames whose head is @pfn, coalescing with free buddies.
 * Checked before anything changes: a bad free is logged with the caller's symbol,
 *   "mm: bad buddy_free(0x1234000, order 0) from func+0x12: already free"
 * (or: "outside managed memory", "reserved", "not the head of an allocated block",
 * "wrong order (block is order N)", "order too large"), counted, and changes nothing.
 * Returns 0; -EFAULT (outside / reserved), -EINVAL (the other cases).
 */
BUDDY_FASTCALL int buddy_free(struct buddy *b, uint32_t pfn, unsigned order);
BUDDY_FASTCALL int buddy_free_caller(struct buddy *b, uint32_t pfn, unsigned order,
                                     uintptr_t caller);

/*
 * Verify every invariant (struct buddy_zone's list above, plus: the bitmap and the buddy agree
 * frame by frame, each head's flags/order/zone are consistent, no RAM frame is lost, the
 * counters equal a recount). Cost: O(blocks + frames / 32). Logs the first violation as
 * "mm: buddy_check: ..." and returns -EFAULT; returns 0 when all hold.
 */
int buddy_check(const struct buddy *b);

/*
 * Fill *@st. The per-order and per-zone free counts are counted on the free lists (there are
 * no such counters on the hot paths): O(free blocks), for statistics, not for hot paths.
 */
void buddy_stats(const struct buddy *b, struct buddy_stats *st);

/* Turn debug_pagealloc / init_on_alloc on or off at run time. */
void buddy_set_debug(struct buddy *b, bool debug_pagealloc, bool init_on_alloc);

/* The zone a frame belongs to. */
enum zone_id buddy_pfn_zone(const struct buddy *b, uint32_t pfn);

/*
 * Print the zones' sizes, free blocks per order and zone (like /proc/buddyinfo) and the
 * byte totals:
 *   mm: buddy: 130048 kB managed (DMA 15744 kB, Normal 114304 kB, HighMem 0 kB)
 *   mm: buddyinfo zone Normal      1    0    2 ...   (13 columns, order 0..12)
 *   mm: meminfo total 130048 kB, free 126400 kB, used 3648 kB
 */
void buddy_print_info(const struct buddy *b);

/* Free blocks of 2^@order frames in @zone, counted on its free list: O(those blocks). */
uint32_t buddy_zone_nr_free(const struct buddy_zone *zone, unsigned order);

/* Free pages in @zone, summed over its free lists: O(free blocks of the zone). */
uint32_t buddy_zone_free_pages(const struct buddy_zone *zone);

/* Does @zone have a free block of exactly 2^@order frames? O(1) (order_mask). */
static inline bool buddy_zone_has_free(const struct buddy_zone *zone, unsigned order)
{
	return order < BUDDY_NR_ORDERS && ((zone->order_mask >> order) & 1u);
}

/* Free pages in all zones (the bitmap's count: the two never disagree). */
static inline uint32_t buddy_free_pages(const struct buddy *b)
{
	return b->bm->free_frames;
}

static inline uint32_t buddy_page_pfn(const struct buddy *b, const struct page *pg)
{
	return (uint32_t)(pg - b->pages);
}

static inline struct page *buddy_pfn_page(const struct buddy *b, uint32_t pfn)
{
	return &b->pages[pfn];
}

/* The smallest order whose block holds @bytes (0 for 0); > BUDDY_MAX_ORDER if none does. */
static inline unsigned buddy_order_for(uint64_t bytes)
{
	unsigned order = 0;

	while (((uint64_t)PAGE_SIZE << order) < bytes && order <= BUDDY_MAX_ORDER)
		order++;
	return order;
}

#endif
