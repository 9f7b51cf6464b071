/*
 * buddy: the binary buddy page allocator (orders 0..12, zones DMA / Normal / HighMem).
 *
 * Design.
 *  - Each zone keeps one intrusive free list (lib/list.h) per order, threaded through the
 *    head struct page of each free block (O(1) insert and removal), and
 *    order_mask (bit o = list o non-empty) so allocation finds the smallest sufficient order
 *    with one count-trailing-zeros instead of a loop over the lists. A removal sees that it
 *    emptied the list when the node's two neighbours are the same node (the list head).
 *    There is no count of blocks per order: it cost every split and merge step a
 *    read-modify-write, and only statistics want it, so buddy_stats() counts the lists.
 *  - Allocation takes a block of the smallest available order >= the request and splits it,
 *    putting each upper half on the list one order down (split_block(): a split step is two
 *    pointer updates, one store for the half's flags/order/zone and the list insertion, about
 *    a dozen instructions). Free validates first, then merges
 *    with the buddy (pfn ^ 2^order) while that buddy is a free block of the same order, and
 *    puts the result on its list. Zone bounds are multiples of the largest block (16 MiB),
 *    so a buddy is always in the same zone and the merge needs no zone test; the frame
 *    bitmap is padded to 16 MiB with used bits, so it needs no bound test either.
 *  - Order 0 has fast paths inlined into both entry points of each kind: allocation pops an
 *    order-0 block of the first zone, free pushes the page when its buddy frame is in use.
 *    Splitting for order 0 (alloc0_split), other orders (alloc_any, free_any) and coalescing
 *    (merge_plain) are out of line; rare paths (bad requests, OOM, bad frees, poisoning)
 *    are cold functions. Measured under qemu -icount (tests/kernel/bench_buddy.c).
 *  - Only HEAD pages carry meaning. Whether a frame is a head is never read from struct page:
 *      * the frame bitmap (mm/bitmap.c) says which frames are free; a free frame whose pfn is
 *        aligned to 2^order is the head of a free block of order <= order (a larger free
 *        block would contain the block being freed next to it), so "buddy is free in the
 *        bitmap and its struct page says this order" identifies a mergeable buddy exactly;
 *      * a second bitmap, `heads`, marks the heads of allocated blocks, so a free of a tail
 *        page, or of garbage, is caught before its struct page is trusted.
 *    So the struct page array needs no initialisation: buddy_init only writes the head page
 *    of each initial block, and boot costs O(blocks + frames / 32). Interior pages may hold
 *    stale fields from an earlier life as a head; nothing reads them.
 *  - The bitmap and the buddy never disagree: alloc marks the block used, free marks it free,
 *    each with one word-wise range operation (an order-12 block is 128 word stores).
 *  - debug_pagealloc: a freed block is filled with PAGE_POISON_BYTE and its head gets
 *    PG_POISONED; halves inherit the flag on split; when a poisoned block merges with a
 *    buddy that was never poisoned, the buddy is poisoned then (so every frame is poisoned at
 *    most once before its next allocation, and enabling the option costs nothing at boot);
 *    with the option off, a freed block and everything it merges with lose the flag.
 *    Allocation checks a poisoned block (word-wise, then the exact byte) and reports the
 *    first overwritten byte; blocks never poisoned (free since boot) are not checked.
 *  - After every alloc/free the used page count is compared against the pressure band
 *    (mm/pressure.c): two compares unless a threshold is crossed.
 *
 * Locking: none inside. Single CPU; callers mask interrupts around every call, which also
 * covers the frame bitmap and the pressure state this file updates. Shrink hooks may re-enter
 * buddy_free() from inside buddy_alloc()/buddy_free(); they run only when this file's state is
 * consistent (after the operation, or before the OOM retry).
 */
#include "mm/buddy.h"
#include "buddy_internal.h"

#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define MAX_BLOCK_PAGES  (1u << BUDDY_MAX_ORDER)
#define ORDER_SHIFT_MAX  51  /* PAGE_SIZE << order still fits 64 bits up to here */
#define MM_ERROR_MSG_MAX 160 /* room for mm_error_format()'s report */
#define POISON_WORD      (0x01010101u * PAGE_POISON_BYTE)
#define GFP_CHECK_POISON (1u << 31) /* internal, in gfp_force: check poisoned blocks */
/*
 * The caller to report: the explicit one of the *_caller entry points, or (0) the return
 * address of the entry point the hot path is inlined into. Evaluated only on the rare paths,
 * so the fast paths do not spend instructions on it.
 */
#define CALLER(c)      ((c) ? (c) : RET_ADDR())
#define BUDDY_COLD     __attribute__((noinline, cold))       /* rare paths out of the hot code */
#define BUDDY_INLINE   inline __attribute__((always_inline)) /* pieces of the hot paths */
#define BUDDY_NOINLINE __attribute__((noinline))             /* kept out of them */

static const char *const zone_names[ZONE_COUNT] = { "DMA", "Normal", "HighMem" };

/* The zone a request starts in, by its zone bits; ZONE_COUNT = invalid (DMA with HIGHMEM). */
#define GFP_ZONE_MASK (__GFP_DMA | __GFP_HIGHMEM)
static const uint8_t first_zone[GFP_ZONE_MASK + 1] = {
	[0] = ZONE_NORMAL,
	[__GFP_DMA] = ZONE_DMA,
	[__GFP_HIGHMEM] = ZONE_HIGHMEM,
	[__GFP_DMA | __GFP_HIGHMEM] = ZONE_COUNT,
};

/* ---- small helpers ------------------------------------------------------------------- */

/*
 * A head's flags, order and zone are adjacent bytes of struct page (asserted below), so the
 * hot loops write all three with one 32-bit store of head_bits(flags, order, zone). The
 * fourth byte it writes (padding today) belongs to the buddy too: only free heads get it.
 */
_Static_assert(offsetof(struct page, order) == offsetof(struct page, flags) + 1 &&
                   offsetof(struct page, zone) == offsetof(struct page, flags) + 2 &&
                   offsetof(struct page, flags) + sizeof(uint32_t) <= sizeof(struct page),
               "struct page: flags, order and zone must be adjacent bytes, with a byte after");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "head_bits() puts flags lowest");

#define HEAD_ORDER_ONE (1u << 8) /* head_bits(0, 1, 0): one order, to step the order field */

static inline uint32_t head_bits(uint8_t flags, unsigned order, uint8_t zone)
{
	return (uint32_t)flags | (uint32_t)order << 8 | (uint32_t)zone << 16;
}

/* Set flags, order and zone of head @pg from head_bits() @bits, in one store. */
static inline void set_head_bits(struct page *pg, uint32_t bits)
{
	__builtin_memcpy((unsigned char *)pg + offsetof(struct page, flags), &bits, sizeof(bits));
}

enum zone_id buddy_pfn_zone(const struct buddy *b, uint32_t pfn)
{
	if (pfn < b->zones[ZONE_NORMAL].start_pfn)
		return ZONE_DMA;
	if (pfn < b->zones[ZONE_HIGHMEM].start_pfn)
		return ZONE_NORMAL;
	return ZONE_HIGHMEM;
}

/* Put the free block [pfn, pfn + 2^order) on @zone's list; @flags: PG_POISONED or 0. */
static inline void free_list_add(struct buddy *b, struct buddy_zone *zone, uint32_t pfn,
                                 unsigned order, uint8_t flags)
{
	struct page *pg = &b->pages[pfn];

	set_head_bits(pg, head_bits(PG_BUDDY | flags, order, zone->id));
	list_add(&pg->link, &zone->free_list[order]);
	zone->order_mask |= 1u << order;
}

/* Take the free head @pg (of @order, in @zone) off its list, keeping order_mask exact. */
static inline void free_list_del(struct buddy_zone *zone, struct page *pg, unsigned order)
{
	if (list_unlink(&pg->link))              /* it was the only block: the list is empty now */
		zone->order_mask ^= 1u << order; /* the bit was set: the list was not empty */
}

/*
 * Split the free block @pg of @order_from in @zone (already off its list) down to @order:
 * each step halves it and puts the upper half on the list one order down, as a free head
 * with PG_BUDDY | @flags. The head @pg itself is left to the caller. A step walks two
 * pointers down (the half's struct page and its list) and steps the order inside the
 * head_bits() value, so it keeps no order or pfn of its own.
 */
static BUDDY_INLINE void split_block(struct buddy_zone *zone, struct page *pg, unsigned order_from,
                                     unsigned order, uint8_t flags)
{
	const uintptr_t stop = sizeof(struct page) << order;
	uintptr_t span = sizeof(struct page) << order_from; /* bytes of the block to halve */
	uintptr_t half = (uintptr_t)pg + span;              /* its end, then its upper half */
	struct list_head *list = &zone->free_list[order_from];
	uint32_t bits = head_bits(PG_BUDDY | flags, order_from, zone->id);

	zone->order_mask |= order_pages(order_from) - order_pages(order); /* [order, from) */
	do {
		struct page *pg_half;

		span >>= 1;
		half -= span;
		list--;
		bits -= HEAD_ORDER_ONE;
		pg_half = (struct page *)half;
		set_head_bits(pg_half, bits);
		list_add(&pg_half->link, list);
	} while (span != stop);
}

/* ---- contents: poison and zero ------------------------------------------------------- */

/* Fill every byte of the block with @byte through the map callback. Cannot fail. */
static BUDDY_COLD void fill_block(struct buddy *b, uint32_t pfn, unsigned order, uint8_t byte)
{
	for (uint32_t i = 0; i < order_pages(order); i++) {
		void *va = b->map(b->map_ctx, pfn + i);

		memset(va, byte, PAGE_SIZE);
		if (b->unmap)
			b->unmap(b->map_ctx, pfn + i, va);
	}
}

/* Report the first byte of the block that lost its poison; returns true if one did. */
static BUDDY_COLD bool check_poison(struct buddy *b, uint32_t pfn, unsigned order, uintptr_t caller)
{
	for (uint32_t i = 0; i < order_pages(order); i++) {
		const uint8_t *va = b->map(b->map_ctx, pfn + i);
		const uint32_t *words = (const uint32_t *)va;
		uint32_t bad = PAGE_SIZE;

		for (uint32_t w = 0; w < PAGE_SIZE / sizeof(uint32_t); w++) {
			if (words[w] != POISON_WORD) {
				bad = w * sizeof(uint32_t);
				while (va[bad] == PAGE_POISON_BYTE)
					bad++;
				break;
			}
		}
		if (bad < PAGE_SIZE) {
			pr_err("mm: page poison overwritten at 0x%llx: 0x%02x instead of 0x%02x "
			       "(order-%u block 0x%llx, allocation from %pS)\n",
			       (unsigned long long)(PFN_PHYS(pfn + i) + bad), va[bad],
			       PAGE_POISON_BYTE, order, (unsigned long long)PFN_PHYS(pfn),
			       (void *)caller);
		}
		if (b->unmap)
			b->unmap(b->map_ctx, pfn + i, (void *)(uintptr_t)va);
		if (bad < PAGE_SIZE) {
			b->poison_errors++;
			return true;
		}
	}
	return false;
}

/*
 * The debug work of an allocation (before the head is rewritten): check the poison of a
 * poisoned block when debug_pagealloc is on, then zero it for __GFP_ZERO / init_on_alloc.
 */
static BUDDY_COLD void alloc_debug(struct buddy *b, uint32_t pfn, unsigned order, gfp_t gfp,
                                   uintptr_t caller)
{
	if ((gfp & GFP_CHECK_POISON) && (b->pages[pfn].flags & PG_POISONED))
		check_poison(b, pfn, order, caller);
	if (gfp & __GFP_ZERO)
		fill_block(b, pfn, order, 0);
}

/* Recompute the gfp bits every allocation gets from the debug options. */
static void set_gfp_force(struct buddy *b)
{
	b->gfp_force = (b->poison ? GFP_CHECK_POISON : 0) | (b->init_on_alloc ? __GFP_ZERO : 0);
}

/* ---- init ---------------------------------------------------------------------------- */

size_t buddy_storage_bytes(uint32_t nframes)
{
	return (size_t)nframes * sizeof(struct page) +
	       (size_t)BITMAP_WORDS(nframes) * sizeof(uint32_t);
}

/*
 * Put the free run [start, end) of zone @z on the lists as the largest aligned blocks; the
 * cost is per block (at most 2 * BUDDY_MAX_ORDER + run / 2^12 of them), not per frame.
 */
static void add_free_run(struct buddy *b, enum zone_id z, uint32_t start, uint32_t end)
{
	b->zones[z].managed_pages += end - start;
	while (start < end) {
		unsigned order = 31u - (unsigned)__builtin_clz(end - start); /* fits the run */

		if (start != 0)
			order = MIN(order, (unsigned)__builtin_ctz(start)); /* aligned */
		order = MIN(order, (unsigned)BUDDY_MAX_ORDER);
		free_list_add(b, &b->zones[z], start, order, 0);
		start += order_pages(order);
	}
}

/* Make frame @pfn, allocated during early boot, an allocated order-0 block. */
static void adopt_boot_frame(struct buddy *b, enum zone_id z, uint32_t pfn)
{
	struct page *pg = &b->pages[pfn];

	bitmap_set(b->heads, pfn);
	pg->flags = PG_HEAD;
	pg->order = 0;
	pg->zone = (uint8_t)z;
	pg->refcount = 1;
	pg->owner = PAGE_OWNER_KERNEL;
	pg->private_data = 0;
	list_init(&pg->link);
	b->zones[z].managed_pages++;
}

#define NO_RUN UINT32_MAX

/*
 * Scan the bitmap over zone @z: free runs go on the free lists, boot-allocated RAM frames
 * become order-0 blocks. Whole free words and whole not-RAM words are skipped by tight loops
 * (a few instructions per 32 frames); only mixed words and the zone's partial edge words are
 * looked at bit by bit. Both add to managed_pages (every RAM frame is one or the other).
 */
static void take_zone(struct buddy *b, enum zone_id z)
{
	struct buddy_zone *zone = &b->zones[z];
	const uint32_t *used = b->bm->used, *ram = b->bm->ram;
	uint32_t end = zone->end_pfn;
	uint32_t full_end = end / BITMAP_WORD_BITS; /* words below it lie wholly before end */
	uint32_t run = NO_RUN;                      /* start of the open free run */
	uint32_t pfn = zone->start_pfn;

	while (pfn < end) {
		uint32_t word = pfn / BITMAP_WORD_BITS;

		if (pfn % BITMAP_WORD_BITS == 0 && word < full_end) {
			if (used[word] == 0) {
				if (run == NO_RUN)
					run = pfn;
				do
					word++;
				while (word < full_end && used[word] == 0);
				pfn = word * BITMAP_WORD_BITS;
				continue;
			}
			if (used[word] == UINT32_MAX && ram[word] == 0) {
				if (run != NO_RUN)
					add_free_run(b, z, run, pfn);
				run = NO_RUN;
				do
					word++;
				while (word < full_end && used[word] == UINT32_MAX &&
				       ram[word] == 0);
				pfn = word * BITMAP_WORD_BITS;
				continue;
			}
		}
		/* A mixed or partial word: bit by bit up to its end (or the zone's). */
		uint32_t stop = MIN(end, (word + 1) * BITMAP_WORD_BITS);

		for (; pfn < stop; pfn++) {
			if (!bitmap_test(used, pfn)) {
				if (run == NO_RUN)
					run = pfn;
				continue;
			}
			if (run != NO_RUN)
				add_free_run(b, z, run, pfn);
			run = NO_RUN;
			if (bitmap_test(ram, pfn))
				adopt_boot_frame(b, z, pfn);
		}
	}
	if (run != NO_RUN)
		add_free_run(b, z, run, end);
}

int buddy_init(struct buddy *b, struct frame_bitmap *bm, const struct buddy_config *cfg)
{
	uint32_t n, bounds[ZONE_COUNT + 1];

	if (b == NULL || bm == NULL || cfg == NULL || cfg->storage == NULL || cfg->map == NULL ||
	    bm->handed_over || bm->nframes == 0)
		return -EINVAL;
	n = bm->nframes;
	if (cfg->storage_bytes < buddy_storage_bytes(n) ||
	    !IS_ALIGNED((uintptr_t)cfg->storage, sizeof(void *)))
		return -ENOSPC;

	memset(b, 0, sizeof(*b));
	b->bm = bm;
	b->nframes = n;
	b->pages = cfg->storage;
	b->heads = (uint32_t *)(b->pages + n); /* sizeof(struct page) keeps 4-byte alignment */
	memset(b->heads, 0, BITMAP_WORDS(n) * sizeof(uint32_t));
	b->map = cfg->map;
	b->unmap = cfg->unmap;
	b->map_ctx = cfg->map_ctx;
	b->poison = cfg->debug_pagealloc;
	b->init_on_alloc = cfg->init_on_alloc;
	set_gfp_force(b);

	bounds[ZONE_DMA] = 0;
	bounds[ZONE_NORMAL] = MIN((uint32_t)ZONE_DMA_END_PFN, n);
	/* Zone bounds are multiples of MAX_BLOCK_PAGES (DMA's 16 MiB already is), so no pair of
	 * buddies ever straddles two zones and the merge loop needs no zone test. */
	bounds[ZONE_HIGHMEM] =
	    (cfg->normal_end_pfn == 0 || cfg->normal_end_pfn >= n)
		? n /* all RAM is lowmem: no HighMem zone */
		: MIN(MAX(ALIGN_DOWN(cfg->normal_end_pfn, MAX_BLOCK_PAGES), bounds[ZONE_NORMAL]),
	              n);
	bounds[ZONE_COUNT] = n;
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		struct buddy_zone *zone = &b->zones[z];

		zone->name = zone_names[z];
		zone->id = (uint8_t)z;
		zone->start_pfn = bounds[z];
		zone->end_pfn = bounds[z + 1];
		for (unsigned o = 0; o < BUDDY_NR_ORDERS; o++)
			list_init(&zone->free_list[o]);
		take_zone(b, z);
		b->managed_pages += zone->managed_pages;
	}
	frame_bitmap_handover(bm);
	mm_pressure_init(&b->pressure, b->managed_pages); /* <= 2^20 pages: cannot fail */
	mm_pressure_check(&b->pressure, b->managed_pages - b->bm->free_frames);
	return 0; /* no log line here: buddy_print_info() reports, outside the timed boot path */
}

void buddy_set_debug(struct buddy *b, bool debug_pagealloc, bool init_on_alloc)
{
	b->poison = debug_pagealloc;
	b->init_on_alloc = init_on_alloc;
	set_gfp_force(b);
}

/* ---- allocation ---------------------------------------------------------------------- */

/* Fill *@err for a failed request of @order that could use zone @first and those below. */
static void fill_oom(const struct buddy *b, enum zone_id first, unsigned order,
                     struct mm_error *err)
{
	uint32_t free = 0, managed = 0;

	for (int z = (int)first; z >= ZONE_DMA; z--) {
		free += buddy_zone_free_pages(&b->zones[z]);
		managed += b->zones[z].managed_pages;
	}
	memset(err, 0, sizeof(*err));
	err->kind = MM_OUT_OF_MEMORY;
	err->requested = pages_bytes(order_pages(order));
	err->available = pages_bytes(free);
	err->used = pages_bytes(managed - free);
	err->total = pages_bytes(managed);
}

/*
 * Take a block of at least @order from zone *@zp or, failing that, from the zones below it
 * (HIGHMEM -> NORMAL -> DMA: the fallback order is just "the next lower zone id"), and split
 * it down to @order. Returns the head pfn and sets *@zp to its zone, or UINT32_MAX.
 */
static BUDDY_INLINE uint32_t take_block(struct buddy *b, unsigned order, enum zone_id *zp)
{
	struct buddy_zone *zone = &b->zones[*zp];

	for (;; zone--) {
		uint32_t avail = zone->order_mask >> order;
		struct page *pg;
		unsigned o;
		uint32_t pfn;

		if (avail == 0) {
			if (zone == &b->zones[ZONE_DMA])
				return UINT32_MAX;
			continue;
		}
		o = order + (unsigned)__builtin_ctz(avail);
		pg = list_first_entry(&zone->free_list[o], struct page, link);
		free_list_del(zone, pg, o);
		pfn = buddy_page_pfn(b, pg);
		if (o > order)
			split_block(zone, pg, o, order, pg->flags & PG_POISONED);
		*zp = zone->id;
		return pfn;
	}
}

/*
 * Make the block [pfn, pfn + 2^order) taken from zone @z an allocated block: bitmap, head
 * bit, counters, debug checks, the head page. Returns its head page.
 */
static BUDDY_INLINE struct page *finish_alloc(struct buddy *b, uint32_t pfn, unsigned order,
                                              gfp_t gfp, enum zone_id z, uintptr_t caller)
{
	struct page *pg = &b->pages[pfn];

	frame_range_set_used(b->bm, pfn, order_pages(order));
	bitmap_set(b->heads, pfn);
	if (unlikely((gfp | b->gfp_force) & (__GFP_ZERO | GFP_CHECK_POISON)))
		alloc_debug(b, pfn, order, gfp | b->gfp_force, CALLER(caller));
	pg->flags = PG_HEAD;
	pg->order = (uint8_t)order;
	pg->zone = (uint8_t)z;
	pg->refcount = 1;
	pg->owner = PAGE_OWNER_KERNEL;
	pg->private_data = 0;
	mm_pressure_check(&b->pressure, b->managed_pages - b->bm->free_frames);
	return pg;
}

/* The rare path of a bad request: report it, fill *@err, panic under __GFP_NOFAIL. */
static BUDDY_COLD struct page *alloc_invalid(unsigned order, gfp_t gfp, struct mm_error *err,
                                             uintptr_t caller)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->kind = MM_INVALID_ARGUMENT;
		err->requested =
		    order <= ORDER_SHIFT_MAX ? (uint64_t)PAGE_SIZE << order : UINT64_MAX;
	}
	pr_err("mm: bad buddy_alloc(order %u, gfp 0x%x) from %pS\n", order, gfp, (void *)caller);
	if (gfp & __GFP_NOFAIL)
		panic("out of memory: invalid order-%u allocation (gfp 0x%x) from %pS", order, gfp,
		      (void *)caller);
	return NULL;
}

/*
 * The rare path of an empty zone list: let the shrink hooks return memory and retry once;
 * then fill *@err and fail, or panic under __GFP_NOFAIL.
 */
static BUDDY_COLD struct page *alloc_slow(struct buddy *b, enum zone_id first, unsigned order,
                                          gfp_t gfp, struct mm_error *err, uintptr_t caller)
{
	struct mm_error local;
	enum zone_id z = first;
	uint32_t pfn;

	if (mm_shrink_all() > 0) {
		pfn = take_block(b, order, &z);
		if (pfn != UINT32_MAX)
			return finish_alloc(b, pfn, order, gfp, z, caller);
	}
	if (err == NULL)
		err = &local;
	fill_oom(b, first, order, err);
	if (gfp & __GFP_NOFAIL) {
		char msg[MM_ERROR_MSG_MAX];

		mm_error_format(err, msg, sizeof(msg));
		panic("out of memory: order-%u allocation (gfp 0x%x) from %pS: %s", order, gfp,
		      (void *)caller, msg);
	}
	return NULL;
}

/* The general allocation path: any order, zone fallback, splitting, failure. */
static BUDDY_NOINLINE struct page *alloc_any(struct buddy *b, unsigned order, gfp_t gfp,
                                             struct mm_error *err, uintptr_t caller)
{
	enum zone_id first, z;
	uint32_t pfn;

	first = (enum zone_id)first_zone[gfp & GFP_ZONE_MASK];
	if (unlikely(order > BUDDY_MAX_ORDER || (gfp & ~__GFP_ALL) || first == ZONE_COUNT))
		return alloc_invalid(order, gfp, err, caller);
	z = first;
	pfn = take_block(b, order, &z);
	if (unlikely(pfn == UINT32_MAX))
		return alloc_slow(b, first, order, gfp, err, caller);
	return finish_alloc(b, pfn, order, gfp, z, caller);
}

/*
 * Order 0 from @zone, which has a free block: take the first block of its smallest order and
 * split it down to one frame (@split false: the caller knows an order-0 block is there). No
 * fallback, no failure. A free head already carries its zone, and order 0 unless split.
 */
static BUDDY_INLINE struct page *alloc0(struct buddy *b, struct buddy_zone *zone, gfp_t gfp,
                                        uintptr_t caller, bool split)
{
	unsigned o = split ? (unsigned)__builtin_ctz(zone->order_mask) : 0;
	struct list_head *head = &zone->free_list[o];
	struct list_head *node = head->next, *next = node->next;
	struct page *pg = list_entry(node, struct page, link);
	uint32_t pfn = buddy_page_pfn(b, pg);
	uint32_t w = pfn / BITMAP_WORD_BITS, bit = 1u << (pfn % BITMAP_WORD_BITS);
	struct frame_bitmap *bm = b->bm;

	list_join(head, next); /* pop the first block */
	if (next == head)      /* the list is empty now */
		zone->order_mask ^= 1u << o;
	if (split && o != 0) {
		split_block(zone, pg, o, 0, pg->flags & PG_POISONED);
		pg->order = 0;
	}
	bm->used[w] |= bit;
	bm->free_frames--;
	b->heads[w] |= bit;
	if (unlikely((gfp | b->gfp_force) & (__GFP_ZERO | GFP_CHECK_POISON)))
		alloc_debug(b, pfn, 0, gfp | b->gfp_force, CALLER(caller));
	pg->flags = PG_HEAD; /* order 0 and the zone are already right */
	pg->refcount = 1;
	pg->owner = PAGE_OWNER_KERNEL;
	pg->private_data = 0;
	mm_pressure_check(&b->pressure, b->managed_pages - bm->free_frames);
	return pg;
}

/* Order 0 that needs a split, out of the fast path (@caller already resolved). */
static BUDDY_NOINLINE struct page *alloc0_split(struct buddy *b, struct buddy_zone *zone, gfp_t gfp,
                                                uintptr_t caller)
{
	return alloc0(b, zone, gfp, caller, true);
}

/*
 * Both entry points: order 0 from the request's first zone takes the fast path (no call at
 * all when an order-0 block is there); everything else goes through alloc_any().
 */
static BUDDY_INLINE struct page *alloc_entry(struct buddy *b, unsigned order, gfp_t gfp,
                                             struct mm_error *err, uintptr_t caller)
{
	unsigned first = first_zone[gfp & GFP_ZONE_MASK];

	if (likely(order == 0 && !(gfp & ~__GFP_ALL) && first != ZONE_COUNT)) {
		struct buddy_zone *zone = &b->zones[first];

		if (likely(zone->order_mask & 1u))
			return alloc0(b, zone, gfp, caller, false);
		if (zone->order_mask != 0)
			return alloc0_split(b, zone, gfp, CALLER(caller));
	}
	return alloc_any(b, order, gfp, err, CALLER(caller));
}

BUDDY_FASTCALL struct page *buddy_alloc_caller(struct buddy *b, unsigned order, gfp_t gfp,
                                               struct mm_error *err, uintptr_t caller)
{
	return alloc_entry(b, order, gfp, err, caller);
}

BUDDY_FASTCALL struct page *buddy_alloc(struct buddy *b, unsigned order, gfp_t gfp,
                                        struct mm_error *err)
{
	return alloc_entry(b, order, gfp, err, 0);
}

/* ---- free ---------------------------------------------------------------------------- */

static const char reason_wrong_order[] = "wrong order";

/* Why freeing (pfn, order) would be wrong, or NULL when it is a valid free; sets *@errp. */
static const char *bad_free_reason(const struct buddy *b, uint32_t pfn, unsigned order, int *errp)
{
	*errp = -EINVAL;
	if (order > BUDDY_MAX_ORDER)
		return "order too large";
	*errp = -EFAULT;
	if (pfn >= b->nframes)
		return "outside managed memory";
	if (!frame_is_ram(b->bm, pfn))
		return "reserved";
	*errp = -EINVAL;
	if (frame_is_free(b->bm, pfn))
		return "already free";
	if (!bitmap_test(b->heads, pfn))
		return "not the head of an allocated block";
	if (b->pages[pfn].order != order)
		return reason_wrong_order; /* the head is valid: its order can be reported */
	return NULL;
}

/* Report a bad free (see buddy_free()) and count it; returns its error code. */
static BUDDY_COLD int report_bad_free(struct buddy *b, uint32_t pfn, unsigned order,
                                      uintptr_t caller)
{
	int err;
	const char *why = bad_free_reason(b, pfn, order, &err);

	b->bad_frees++;
	if (why == reason_wrong_order)
		pr_err("mm: bad buddy_free(0x%llx, order %u) from %pS: %s (block is order %u)\n",
		       (unsigned long long)PFN_PHYS(pfn), order, (void *)caller, why,
		       b->pages[pfn].order);
	else
		pr_err("mm: bad buddy_free(0x%llx, order %u) from %pS: %s\n",
		       (unsigned long long)PFN_PHYS(pfn), order, (void *)caller, why);
	return err;
}

/*
 * Coalesce the just-freed block [pfn, pfn + 2^o) of @zone with its free buddies and put the
 * result on its list. @poisoned is PG_POISONED (the block was poisoned: poison what merges
 * into it) or 0; callers pass a constant so each copy has only the code it needs.
 */
static BUDDY_INLINE void merge_and_list(struct buddy *b, struct buddy_zone *zone, uint32_t pfn,
                                        unsigned o, uint8_t poisoned)
{
	struct page *const pages = b->pages;
	const uint32_t *const used = b->bm->used;
	uint32_t size = order_pages(o); /* 2^o, the size of the block being merged */

	/* The loop keeps the size, not the order: it gives the buddy (one xor), the order_mask
	 * bit and the loop bound, and the order for the compare is one count-trailing-zeros.
	 * One live value less than with both, which matters with i386's six registers. */
	for (; size < MAX_BLOCK_PAGES; size <<= 1) {
		uint32_t buddy = pfn ^ size;
		struct page *pg;

		/* Zone bounds are multiples of the largest block, so the buddy is in this zone or
		 * in the bitmap's padding; a used bit covers allocated, reserved and padding. */
		if (bitmap_test(used, buddy))
			break;
		pg = &pages[buddy]; /* free and aligned: a free head of order <= log2(size) */
		if (pg->order != (uint8_t)__builtin_ctz(size))
			break;
		if (list_unlink(&pg->link)) /* free_list_del(), with the mask bit at hand */
			zone->order_mask ^= size;
		if (poisoned && !(pg->flags & PG_POISONED))
			fill_block(b, buddy, pg->order, PAGE_POISON_BYTE); /* keep it all checked */
		pfn &= buddy; /* the lower of the two: clears the size bit */
		/* pg is an interior page now: its stale fields are never read (see the top) */
	}
	free_list_add(b, zone, pfn, (unsigned)__builtin_ctz(size), poisoned);
}

/* debug_pagealloc's free: poison the block, then merge keeping the whole result poisoned. */
static BUDDY_COLD void free_poisoned(struct buddy *b, struct buddy_zone *zone, uint32_t pfn,
                                     unsigned order)
{
	fill_block(b, pfn, order, PAGE_POISON_BYTE);
	merge_and_list(b, zone, pfn, order, PG_POISONED);
}

/* Coalescing (out of the order-0 fast path): merge_and_list without poison. */
static BUDDY_NOINLINE void merge_plain(struct buddy *b, struct buddy_zone *zone, uint32_t pfn,
                                       unsigned order)
{
	merge_and_list(b, zone, pfn, order, 0);
}

/* The general free path: any order, validated before anything changes. */
static BUDDY_NOINLINE int free_any(struct buddy *b, uint32_t pfn, unsigned order, uintptr_t caller)
{
	struct frame_bitmap *const bm = b->bm;
	struct buddy_zone *zone;

	/* The fast form of bad_free_reason(): all checks before anything changes. A head bit
	 * implies RAM and used (buddy_check() verifies it), so that is all it takes. */
	if (unlikely(order > BUDDY_MAX_ORDER || pfn >= b->nframes || !bitmap_test(b->heads, pfn) ||
	             b->pages[pfn].order != order))
		return report_bad_free(b, pfn, order, caller);

	zone = &b->zones[b->pages[pfn].zone]; /* a valid allocated head: set by finish_alloc */
	bitmap_clear(b->heads, pfn);
	frame_range_set_free(bm, pfn, order_pages(order));
	if (unlikely(b->poison))
		free_poisoned(b, zone, pfn, order);
	else
		merge_and_list(b, zone, pfn, order, 0);
	mm_pressure_check(&b->pressure, b->managed_pages - bm->free_frames);
	return 0;
}

/*
 * The order-0 fast path: the same checks as free_any(); when the buddy frame is in use (no
 * merge possible) the page goes straight onto the order-0 list, keeping its order and zone.
 */
static BUDDY_INLINE int free_entry(struct buddy *b, uint32_t pfn, unsigned order, uintptr_t caller)
{
	struct frame_bitmap *bm = b->bm;
	struct buddy_zone *zone;
	struct page *pg;
	uint32_t w, bit;

	if (unlikely(order != 0 || pfn >= b->nframes || b->poison))
		return free_any(b, pfn, order, CALLER(caller));
	w = pfn / BITMAP_WORD_BITS;
	bit = 1u << (pfn % BITMAP_WORD_BITS);
	pg = &b->pages[pfn];
	if (unlikely(!(b->heads[w] & bit) || pg->order != 0))
		return report_bad_free(b, pfn, 0, CALLER(caller));
	b->heads[w] &= ~bit;
	bm->used[w] &= ~bit;
	bm->free_frames++;
	zone = &b->zones[pg->zone];
	if (!(bm->used[w] & (1u << ((pfn ^ 1u) % BITMAP_WORD_BITS)))) {
		merge_plain(b, zone, pfn, 0); /* the buddy frame is free: try to coalesce */
	} else {
		pg->flags = PG_BUDDY;
		list_add(&pg->link, &zone->free_list[0]);
		zone->order_mask |= 1u;
	}
	mm_pressure_check(&b->pressure, b->managed_pages - bm->free_frames);
	return 0;
}

BUDDY_FASTCALL int buddy_free_caller(struct buddy *b, uint32_t pfn, unsigned order,
                                     uintptr_t caller)
{
	return free_entry(b, pfn, order, caller);
}

BUDDY_FASTCALL int buddy_free(struct buddy *b, uint32_t pfn, unsigned order)
{
	return free_entry(b, pfn, order, 0);
}
