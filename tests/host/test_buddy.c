/*
 * Host tests for mm/buddy.c. Frames are numbers; their contents live in a calloc'd arena that
 * the map callback hands out (pfn -> arena + pfn * PAGE_SIZE).
 */
#include "htest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "mm/bitmap.h"
#include "mm/buddy.h"
#include "mm/error.h"
#include "mm/memmap.h"
#include "mm/page.h"
#include "mm/pressure.h"

#define MiB     (1024ULL * 1024)
#define MAX_RAW 8

/* ---- harness -------------------------------------------------------------------------------- */

static struct memmap map;
static struct frame_bitmap bm;
static struct buddy bd;
static void *bm_storage;
static void *pg_storage;
static uint8_t *arena;
static uint32_t nframes;
static uint32_t map_calls;

static void *arena_map(void *ctx, uint32_t pfn)
{
	(void)ctx;
	map_calls++;
	if (pfn >= nframes)
		abort();
	return arena + (size_t)pfn * PAGE_SIZE;
}

static void arena_unmap(void *ctx, uint32_t pfn, void *va)
{
	(void)ctx;
	if (va != arena + (size_t)pfn * PAGE_SIZE)
		abort();
}

struct setup_opts {
	uint32_t normal_end_pfn;
	bool poison;
	bool init_on_alloc;
	bool no_arena; /* big layouts: no contents access expected */
};

/* Build map -> bitmap -> buddy over @n raw entries. Returns buddy_init()'s result. */
static int setup_raw(const struct memmap_raw *raw, uint32_t n, const struct setup_opts *o,
                     uint32_t boot_allocs)
{
	struct buddy_config cfg;
	size_t bytes;

	free(bm_storage);
	free(pg_storage);
	free(arena);
	bm_storage = pg_storage = NULL;
	arena = NULL;
	if (memmap_sanitize(&map, raw, n, 0) != 0)
		return -1;
	nframes = memmap_end_pfn(&map);
	bytes = frame_bitmap_storage_bytes(nframes);
	bm_storage = malloc(bytes);
	if (frame_bitmap_init(&bm, bm_storage, bytes, nframes, &map) != 0)
		return -1;
	for (uint32_t i = 0; i < boot_allocs; i++)
		frame_alloc(&bm);
	if (!o->no_arena)
		arena = calloc(nframes, PAGE_SIZE);
	memset(&cfg, 0, sizeof(cfg));
	cfg.storage_bytes = buddy_storage_bytes(nframes);
	pg_storage = malloc(cfg.storage_bytes);
	memset(pg_storage, 0x5a, cfg.storage_bytes); /* garbage: init must not rely on zeroes */
	cfg.storage = pg_storage;
	cfg.normal_end_pfn = o->normal_end_pfn;
	cfg.map = arena_map;
	cfg.unmap = arena_unmap;
	cfg.debug_pagealloc = o->poison;
	cfg.init_on_alloc = o->init_on_alloc;
	return buddy_init(&bd, &bm, &cfg);
}

/* One usable range [0, frames) with default options. */
static int setup_flat(uint32_t frames)
{
	struct memmap_raw raw = { 0, (uint64_t)frames * PAGE_SIZE, MEMMAP_USABLE };
	struct setup_opts o = { 0, false, false, false };

	return setup_raw(&raw, 1, &o, 0);
}

static uint32_t pfn_of(struct page *pg)
{
	return buddy_page_pfn(&bd, pg);
}

static uint32_t total_free_blocks(enum zone_id z, unsigned order)
{
	return buddy_zone_nr_free(&bd.zones[z], order);
}

/*
 * Free blocks per zone and order recounted from the frame bitmap alone, independently of the
 * free lists: in a fully coalesced buddy system the free blocks are exactly the maximal
 * aligned free blocks, i.e. each free run cut greedily into the largest aligned blocks that
 * fit (at most 2^BUDDY_MAX_ORDER frames; zone bounds are multiples of that).
 */
static void recount_free_blocks(uint32_t counts[ZONE_COUNT][BUDDY_NR_ORDERS],
                                uint32_t pages[ZONE_COUNT])
{
	memset(counts, 0, sizeof(uint32_t) * ZONE_COUNT * BUDDY_NR_ORDERS);
	memset(pages, 0, sizeof(uint32_t) * ZONE_COUNT);
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		uint32_t pfn = bd.zones[z].start_pfn, end = bd.zones[z].end_pfn;

		while (pfn < end) {
			uint32_t run_end = pfn;

			while (run_end < end && frame_is_free(&bm, run_end))
				run_end++;
			while (pfn < run_end) {
				unsigned o = 0;

				while (o < BUDDY_MAX_ORDER && (pfn & ((2u << o) - 1)) == 0 &&
				       pfn + (2u << o) <= run_end)
					o++;
				counts[z][o]++;
				pages[z] += 1u << o;
				pfn += 1u << o;
			}
			if (pfn < end)
				pfn++; /* a used frame (or none: the run ended the zone) */
		}
	}
}

/* The on-demand counts (buddy_stats, buddy_zone_nr_free/free_pages/has_free) == a recount. */
static bool counts_match_recount(void)
{
	uint32_t counts[ZONE_COUNT][BUDDY_NR_ORDERS], pages[ZONE_COUNT], free = 0;
	struct buddy_stats st;
	bool ok = true;

	recount_free_blocks(counts, pages);
	buddy_stats(&bd, &st);
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		const struct buddy_zone *zone = &bd.zones[z];

		for (unsigned o = 0; o < BUDDY_NR_ORDERS; o++)
			ok = ok && st.nr_free[z][o] == counts[z][o] &&
			     buddy_zone_nr_free(zone, o) == counts[z][o] &&
			     buddy_zone_has_free(zone, o) == (counts[z][o] != 0);
		ok = ok && st.zone_free_pages[z] == pages[z] &&
		     buddy_zone_free_pages(zone) == pages[z];
		free += pages[z];
	}
	return ok && st.free_bytes == (uint64_t)free * PAGE_SIZE && free == buddy_free_pages(&bd);
}

/* Everything observable about the allocator except the bad-free counter. */
struct snapshot {
	struct buddy_stats st;
	uint32_t *used;
	uint32_t *heads;
	uint32_t words;
};

static void snap(struct snapshot *s)
{
	s->words = BITMAP_WORDS(nframes);
	buddy_stats(&bd, &s->st);
	s->st.bad_frees = 0;
	s->used = malloc(s->words * sizeof(uint32_t));
	s->heads = malloc(s->words * sizeof(uint32_t));
	memcpy(s->used, bm.used, s->words * sizeof(uint32_t));
	memcpy(s->heads, bd.heads, s->words * sizeof(uint32_t));
}

static bool snap_equal_and_free(struct snapshot *a, struct snapshot *b)
{
	bool eq = memcmp(&a->st, &b->st, sizeof(a->st)) == 0 &&
	          memcmp(a->used, b->used, a->words * sizeof(uint32_t)) == 0 &&
	          memcmp(a->heads, b->heads, a->words * sizeof(uint32_t)) == 0;

	free(a->used);
	free(a->heads);
	free(b->used);
	free(b->heads);
	return eq;
}

/* The free blocks as a sorted list of (pfn << 4 | order). */
static uint32_t free_blocks(uint64_t *out, uint32_t max)
{
	uint32_t n = 0;

	for (unsigned z = 0; z < ZONE_COUNT; z++)
		for (unsigned o = 0; o < BUDDY_NR_ORDERS; o++) {
			const struct page *pg;
			list_for_each_entry(pg, &bd.zones[z].free_list[o], link)
			{
				if (n == max)
					break;
				out[n++] = ((uint64_t)(pg - bd.pages) << 4) | o;
			}
		}
	for (uint32_t i = 1; i < n; i++) /* insertion sort: small lists */
		for (uint32_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			uint64_t t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* ---- init ----------------------------------------------------------------------------------- */

HT_TEST(init_frees_largest_aligned_blocks)
{
	/* 16 MiB exactly: one order-12 block. */
	HT_ASSERT_EQ(setup_flat(4096), 0);
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 12), 1);
	HT_EXPECT_EQ(buddy_free_pages(&bd), 4096);
	HT_EXPECT_EQ(bd.managed_pages, 4096);
	HT_EXPECT_EQ(map_calls, 0); /* init never touches contents */
	HT_EXPECT_EQ(buddy_check(&bd), 0);

	struct memmap_raw raw = { PAGE_SIZE, 4094ULL * PAGE_SIZE, MEMMAP_USABLE };
	struct setup_opts o = { 0, false, false, false };
	HT_ASSERT_EQ(setup_raw(&raw, 1, &o, 0), 0);
	/* Frames [1, 4095): 1 + 2 + ... + 1024 on the way up, 1024 + ... + 1 down. */
	for (unsigned k = 0; k <= 10; k++)
		HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, k), 2);
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 11), 0);
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 12), 0);
	HT_EXPECT_EQ(buddy_free_pages(&bd), 4094);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	ht_log_clear();
	buddy_print_info(&bd);
	HT_EXPECT(ht_log_contains("mm: buddy: 16376 kB managed (DMA 16376 kB, Normal 0 kB, "
	                          "HighMem 0 kB)\n"));
}

HT_TEST(init_rejects_bad_config)
{
	struct buddy_config cfg;
	static uint8_t small[64];

	HT_ASSERT_EQ(setup_flat(64), 0);
	/* the bitmap is handed over now */
	memset(&cfg, 0, sizeof(cfg));
	cfg.storage = pg_storage;
	cfg.storage_bytes = buddy_storage_bytes(64);
	cfg.map = arena_map;
	HT_EXPECT_EQ(buddy_init(&bd, &bm, &cfg), -EINVAL);
	bm.handed_over = false;
	cfg.map = NULL;
	HT_EXPECT_EQ(buddy_init(&bd, &bm, &cfg), -EINVAL);
	cfg.map = arena_map;
	cfg.storage = small;
	cfg.storage_bytes = sizeof(small);
	HT_EXPECT_EQ(buddy_init(&bd, &bm, &cfg), -ENOSPC);
	HT_EXPECT_EQ(buddy_init(NULL, &bm, &cfg), -EINVAL);
	HT_EXPECT_EQ(buddy_storage_bytes(64), 64 * sizeof(struct page) + 2 * sizeof(uint32_t));
}

HT_TEST(init_adopts_boot_allocations)
{
	struct memmap_raw raw = { 0, 1024ULL * PAGE_SIZE, MEMMAP_USABLE };
	struct setup_opts o = { 0, false, false, false };

	HT_ASSERT_EQ(setup_raw(&raw, 1, &o, 3), 0); /* frames 0, 1, 2 taken during boot */
	HT_EXPECT_EQ(bd.managed_pages, 1024);
	HT_EXPECT_EQ(buddy_free_pages(&bd), 1021);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	HT_EXPECT(bd.pages[1].flags == PG_HEAD && bd.pages[1].refcount == 1);
	HT_EXPECT_EQ(buddy_free(&bd, 1, 0), 0);
	HT_EXPECT_EQ(buddy_free(&bd, 0, 0), 0);
	HT_EXPECT_EQ(buddy_free(&bd, 2, 0), 0);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 10), 1); /* all merged back into 4 MiB */
	HT_EXPECT_EQ(bm.free_frames, 1024);
}

HT_TEST(init_3g_is_per_block_not_per_frame)
{
	/* 3 GiB of RAM above 1 MiB, with firmware holes; no arena (contents never touched). */
	static const struct memmap_raw raw[] = {
		{ 0, 0x9fc00, MEMMAP_USABLE },
		{ 0x100000, 0xbff00000ULL - 0x100000, MEMMAP_USABLE },
		{ 0x8000000, 0x3000, MEMMAP_RESERVED },
	};
	struct setup_opts o = { (uint32_t)((896 * MiB) >> PAGE_SHIFT), false, false, true };
	uint32_t blocks = 0;

	HT_ASSERT_EQ(setup_raw(raw, 3, &o, 0), 0);
	for (unsigned z = 0; z < ZONE_COUNT; z++)
		for (unsigned k = 0; k < BUDDY_NR_ORDERS; k++)
			blocks += buddy_zone_nr_free(&bd.zones[z], k);
	HT_EXPECT(blocks < 240);
	HT_EXPECT_EQ(bd.zones[ZONE_NORMAL].start_pfn, 4096);
	HT_EXPECT_EQ(bd.zones[ZONE_HIGHMEM].start_pfn, (896 * MiB) >> PAGE_SHIFT);
	HT_EXPECT_EQ(bd.zones[ZONE_HIGHMEM].end_pfn, 0xbff00);
	HT_EXPECT_EQ(bd.managed_pages, 0x9f + (0xbff00 - 0x100) - 3);
	HT_EXPECT_EQ(buddy_free_pages(&bd), bd.managed_pages);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

/* ---- split and coalesce --------------------------------------------------------------------- */

HT_TEST(split_and_coalesce_at_every_order)
{
	HT_ASSERT_EQ(setup_flat(4096), 0);
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		struct mm_error err;
		struct page *pg = buddy_alloc(&bd, order, GFP_KERNEL, &err);

		HT_ASSERT(pg != NULL);
		HT_EXPECT_EQ(pfn_of(pg), 0); /* the lowest half at each split */
		HT_EXPECT(pg->flags == PG_HEAD && pg->order == order && pg->refcount == 1 &&
		          pg->owner == PAGE_OWNER_KERNEL && pg->zone == ZONE_DMA);
		/* One free block at each order from @order up to 11, none at 12. */
		for (unsigned k = 0; k < BUDDY_NR_ORDERS; k++)
			HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, k),
			             (k >= order && k < BUDDY_MAX_ORDER) ? 1 : 0);
		HT_EXPECT_EQ(buddy_free_pages(&bd), 4096 - (1u << order));
		HT_EXPECT(frame_range_all_used(&bm, 0, 1u << order));
		HT_EXPECT_EQ(buddy_check(&bd), 0);
		HT_ASSERT_EQ(buddy_free(&bd, 0, order), 0);
		HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 12), 1);
		HT_EXPECT_EQ(buddy_free_pages(&bd), 4096);
		HT_EXPECT_EQ(buddy_check(&bd), 0);
	}
}

HT_TEST(coalesce_needs_both_buddies)
{
	struct page *a, *b, *c;

	HT_ASSERT_EQ(setup_flat(4096), 0);
	a = buddy_alloc(&bd, 0, 0, NULL);
	b = buddy_alloc(&bd, 0, 0, NULL);
	c = buddy_alloc(&bd, 1, 0, NULL);
	HT_ASSERT(a && b && c);
	HT_EXPECT_EQ(pfn_of(a), 0);
	HT_EXPECT_EQ(pfn_of(b), 1);
	HT_EXPECT_EQ(pfn_of(c), 2);
	HT_EXPECT_EQ(buddy_free(&bd, 0, 0), 0); /* buddy 1 is allocated: no merge */
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 0), 1);
	HT_EXPECT_EQ(buddy_free(&bd, 2, 1), 0); /* buddy [0,2) not whole: no merge */
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 1), 1);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	HT_EXPECT_EQ(buddy_free(&bd, 1, 0), 0); /* 0+1 -> [0,2), + [2,4) -> ... -> order 12 */
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 0), 0);
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 1), 0);
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 12), 1);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

HT_TEST(blocks_aligned_to_their_size)
{
	struct page *held[64];
	unsigned orders[64];
	uint64_t seed = 7;

	HT_ASSERT_EQ(setup_flat(8192), 0); /* 32 MiB: DMA and a bit of Normal */
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 64; i++) {
			seed = seed * 6364136223846793005ULL + 1;
			orders[i] = (unsigned)(seed >> 59) % 8;
			held[i] = buddy_alloc(&bd, orders[i], 0, NULL);
			HT_ASSERT(held[i] != NULL);
			HT_ASSERT_EQ(pfn_of(held[i]) & ((1u << orders[i]) - 1), 0);
		}
		HT_ASSERT_EQ(buddy_check(&bd), 0);
		for (int i = 0; i < 64; i++)
			HT_ASSERT_EQ(buddy_free(&bd, pfn_of(held[i]), orders[i]), 0);
	}
	HT_EXPECT_EQ(buddy_free_pages(&bd), 8192);
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 12), 1);
	HT_EXPECT_EQ(total_free_blocks(ZONE_NORMAL, 12), 1);
}

HT_TEST(exhaustion_then_free_all_restores_exact_blocks)
{
	static const struct memmap_raw raw[] = {
		{ 0x3000, 0x5fd000, MEMMAP_USABLE }, /* [3, 0x600): odd edges */
		{ 0x700000, 0x123000, MEMMAP_USABLE },
		{ 0x100000, 0x2000, MEMMAP_RESERVED },
	};
	struct setup_opts o = { 0, false, false, false };
	static uint64_t before[512], after[512];
	static uint32_t got[4096];
	uint32_t nb, na, n = 0;
	struct mm_error err;
	struct page *pg;

	HT_ASSERT_EQ(setup_raw(raw, 3, &o, 0), 0);
	HT_ASSERT_EQ(buddy_check(&bd), 0);
	nb = free_blocks(before, 512);
	ht_log_echo = false;
	while ((pg = buddy_alloc(&bd, 0, GFP_KERNEL, &err)) != NULL)
		got[n++] = pfn_of(pg);
	ht_log_echo = true;
	HT_EXPECT_EQ(n, bd.managed_pages);
	HT_EXPECT_EQ(buddy_free_pages(&bd), 0);
	HT_EXPECT_EQ(bm.free_frames, 0);
	HT_EXPECT_EQ(err.kind, MM_OUT_OF_MEMORY);
	HT_EXPECT_EQ(err.requested, PAGE_SIZE);
	HT_EXPECT_EQ(err.available, 0);
	HT_EXPECT_EQ(err.used, (uint64_t)n * PAGE_SIZE);
	HT_EXPECT_EQ(err.total, (uint64_t)n * PAGE_SIZE);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	/* Free in an interleaved order: odd indices first, then even. */
	for (uint32_t i = 1; i < n; i += 2)
		HT_ASSERT_EQ(buddy_free(&bd, got[i], 0), 0);
	HT_ASSERT_EQ(buddy_check(&bd), 0);
	for (uint32_t i = 0; i < n; i += 2)
		HT_ASSERT_EQ(buddy_free(&bd, got[i], 0), 0);
	HT_ASSERT_EQ(buddy_check(&bd), 0);
	na = free_blocks(after, 512);
	HT_ASSERT_EQ(na, nb);
	HT_EXPECT(memcmp(before, after, nb * sizeof(before[0])) == 0);
}

/* ---- zones ---------------------------------------------------------------------------------- */

/* 80 MiB: DMA [0, 16M), Normal [16M, 48M), HighMem [48M, 80M). */
static int setup_zones(void)
{
	struct memmap_raw raw = { 0, 80 * MiB, MEMMAP_USABLE };
	struct setup_opts o = { (uint32_t)((48 * MiB) >> PAGE_SHIFT), false, false, true };

	return setup_raw(&raw, 1, &o, 0);
}

HT_TEST(zone_layout_and_preference)
{
	struct page *pg;

	HT_ASSERT_EQ(setup_zones(), 0);
	HT_EXPECT_EQ(bd.zones[ZONE_DMA].managed_pages, 4096);
	HT_EXPECT_EQ(bd.zones[ZONE_NORMAL].managed_pages, 8192);
	HT_EXPECT_EQ(bd.zones[ZONE_HIGHMEM].managed_pages, 8192);
	pg = buddy_alloc(&bd, 0, GFP_KERNEL, NULL);
	HT_EXPECT(pg && buddy_pfn_zone(&bd, pfn_of(pg)) == ZONE_NORMAL && pg->zone == ZONE_NORMAL);
	pg = buddy_alloc(&bd, 3, GFP_HIGHUSER, NULL);
	HT_EXPECT(pg && pfn_of(pg) >= 12288 && pg->zone == ZONE_HIGHMEM);
	pg = buddy_alloc(&bd, 0, GFP_DMA, NULL);
	HT_EXPECT(pg && pfn_of(pg) < 4096 && pg->zone == ZONE_DMA);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

/* Allocate order-12 blocks with @gfp until it fails; returns how many. */
static uint32_t drain(gfp_t gfp, uint32_t *pfns, uint32_t max, struct mm_error *err)
{
	uint32_t n = 0;
	struct page *pg;

	while (n < max && (pg = buddy_alloc(&bd, BUDDY_MAX_ORDER, gfp, err)) != NULL)
		pfns[n++] = pfn_of(pg);
	return n;
}

HT_TEST(zone_fallback_highmem_normal_dma)
{
	uint32_t pfns[32];
	struct mm_error err;
	uint32_t n;

	HT_ASSERT_EQ(setup_zones(), 0);
	ht_log_echo = false;
	n = drain(GFP_HIGHUSER, pfns, 32, &err);
	ht_log_echo = true;
	HT_ASSERT_EQ(n, 5); /* 2 HighMem, 2 Normal, 1 DMA */
	HT_EXPECT_EQ(buddy_pfn_zone(&bd, pfns[0]), ZONE_HIGHMEM);
	HT_EXPECT_EQ(buddy_pfn_zone(&bd, pfns[1]), ZONE_HIGHMEM);
	HT_EXPECT_EQ(buddy_pfn_zone(&bd, pfns[2]), ZONE_NORMAL);
	HT_EXPECT_EQ(buddy_pfn_zone(&bd, pfns[3]), ZONE_NORMAL);
	HT_EXPECT_EQ(buddy_pfn_zone(&bd, pfns[4]), ZONE_DMA);
	HT_EXPECT_EQ(err.kind, MM_OUT_OF_MEMORY);
	HT_EXPECT_EQ(err.total, 80 * MiB);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

HT_TEST(zone_normal_never_uses_highmem)
{
	uint32_t pfns[32];
	struct mm_error err;

	HT_ASSERT_EQ(setup_zones(), 0);
	ht_log_echo = false;
	HT_EXPECT_EQ(drain(GFP_KERNEL, pfns, 32, &err), 3); /* 2 Normal + 1 DMA */
	ht_log_echo = true;
	HT_EXPECT_EQ(buddy_pfn_zone(&bd, pfns[2]), ZONE_DMA);
	HT_EXPECT_EQ(err.kind, MM_OUT_OF_MEMORY);
	HT_EXPECT_EQ(err.requested, 16 * MiB);
	HT_EXPECT_EQ(err.available, 0);
	HT_EXPECT_EQ(err.used, 48 * MiB); /* Normal + DMA only */
	HT_EXPECT_EQ(err.total, 48 * MiB);
	HT_EXPECT_EQ(buddy_zone_free_pages(&bd.zones[ZONE_HIGHMEM]), 8192);
}

HT_TEST(zone_dma_only_dma)
{
	uint32_t pfns[32];
	struct mm_error err;

	HT_ASSERT_EQ(setup_zones(), 0);
	ht_log_echo = false;
	HT_EXPECT_EQ(drain(GFP_DMA, pfns, 32, &err), 1);
	ht_log_echo = true;
	HT_EXPECT_EQ(pfns[0], 0);
	HT_EXPECT_EQ(err.used, 16 * MiB);
	HT_EXPECT_EQ(err.total, 16 * MiB);
	HT_EXPECT_EQ(buddy_zone_free_pages(&bd.zones[ZONE_NORMAL]), 8192);
	HT_EXPECT(buddy_alloc(&bd, 0, GFP_KERNEL, NULL) != NULL);
}

HT_TEST(zone_boundary_rounded_to_max_block)
{
	/* Normal "ends" at 36 MiB + 4 KiB: rounded down to 32 MiB so no buddy pair straddles. */
	struct memmap_raw raw = { 0, 40 * MiB, MEMMAP_USABLE };
	struct setup_opts o = { (uint32_t)((36 * MiB) >> PAGE_SHIFT) + 1, false, false, true };
	struct page *pg;

	HT_ASSERT_EQ(setup_raw(&raw, 1, &o, 0), 0);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	HT_EXPECT_EQ(bd.zones[ZONE_NORMAL].end_pfn, 8192);
	HT_EXPECT_EQ(bd.zones[ZONE_HIGHMEM].start_pfn, 8192);
	HT_EXPECT_EQ(bd.zones[ZONE_NORMAL].managed_pages, 4096);
	HT_EXPECT_EQ(bd.zones[ZONE_HIGHMEM].managed_pages, 2048);
	/* HighMem [32M, 40M): one order-11 block; its order-11 "buddy" at 24M is Normal. */
	HT_EXPECT_EQ(total_free_blocks(ZONE_HIGHMEM, 11), 1);
	pg = buddy_alloc(&bd, 11, GFP_HIGHUSER, NULL);
	HT_ASSERT(pg != NULL);
	HT_EXPECT_EQ(pfn_of(pg), 8192);
	HT_EXPECT_EQ(buddy_free(&bd, 8192, 11), 0);
	HT_EXPECT_EQ(total_free_blocks(ZONE_HIGHMEM, 11), 1);
	HT_EXPECT_EQ(total_free_blocks(ZONE_NORMAL, 12), 1);
	/* A limit below 16 MiB leaves Normal empty. */
	o.normal_end_pfn = 4095;
	HT_ASSERT_EQ(setup_raw(&raw, 1, &o, 0), 0);
	HT_EXPECT_EQ(bd.zones[ZONE_NORMAL].start_pfn, bd.zones[ZONE_NORMAL].end_pfn);
	pg = buddy_alloc(&bd, 0, GFP_KERNEL, NULL);
	HT_EXPECT(pg != NULL && pfn_of(pg) < 4096);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

/* ---- bad frees ------------------------------------------------------------------------------ */

/* Does the log hold "mm: bad buddy_free(<pa>, order <o>) from " and ": <why>\n"? */
static bool logged_bad_free(uint32_t pfn, unsigned order, const char *why)
{
	char head[96], tail[96];

	snprintf(head, sizeof(head), "mm: bad buddy_free(0x%llx, order %u) from ",
	         (unsigned long long)pfn * PAGE_SIZE, order);
	snprintf(tail, sizeof(tail), ": %s\n", why);
	return ht_log_contains(head) && ht_log_contains(tail);
}

HT_TEST(bad_frees_reported_and_change_nothing)
{
	static const struct memmap_raw raw[] = {
		{ 0, 0x800000, MEMMAP_USABLE },
		{ 0x400000, 0x1000, MEMMAP_RESERVED }, /* frame 0x400 is not RAM */
	};
	struct setup_opts o = { 0, false, false, false };
	struct snapshot s1, s2;
	struct page *a, *b;
	uint32_t pa, pb;

	HT_ASSERT_EQ(setup_raw(raw, 2, &o, 0), 0);
	a = buddy_alloc(&bd, 2, 0, NULL);
	b = buddy_alloc(&bd, 0, 0, NULL);
	HT_ASSERT(a && b);
	pa = pfn_of(a);
	pb = pfn_of(b);
	HT_ASSERT_EQ(buddy_free(&bd, pb, 0), 0);
	snap(&s1);
	ht_log_clear();

	HT_EXPECT_EQ(buddy_free(&bd, pb, 0), -EINVAL);
	HT_EXPECT(logged_bad_free(pb, 0, "already free"));
	HT_EXPECT_EQ(buddy_free(&bd, 0x100, 3), -EINVAL); /* inside a free block */
	HT_EXPECT(logged_bad_free(0x100, 3, "already free"));
	HT_EXPECT_EQ(buddy_free(&bd, pa + 1, 0), -EINVAL); /* tail of the order-2 block */
	HT_EXPECT(logged_bad_free(pa + 1, 0, "not the head of an allocated block"));
	HT_EXPECT_EQ(buddy_free(&bd, pa, 1), -EINVAL);
	HT_EXPECT(logged_bad_free(pa, 1, "wrong order (block is order 2)"));
	HT_EXPECT_EQ(buddy_free(&bd, 0x400, 0), -EFAULT);
	HT_EXPECT(logged_bad_free(0x400, 0, "reserved"));
	HT_EXPECT_EQ(buddy_free(&bd, 0x800, 0), -EFAULT);
	HT_EXPECT(logged_bad_free(0x800, 0, "outside managed memory"));
	HT_EXPECT_EQ(buddy_free(&bd, UINT32_MAX, 0), -EFAULT);
	HT_EXPECT_EQ(buddy_free(&bd, pa, 13), -EINVAL);
	HT_EXPECT(logged_bad_free(pa, 13, "order too large"));
	HT_EXPECT_EQ(ht_log_count("mm: bad buddy_free("), 8);

	snap(&s2);
	HT_EXPECT(snap_equal_and_free(&s1, &s2));
	HT_EXPECT_EQ(bd.bad_frees, 8);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	HT_EXPECT_EQ(buddy_free(&bd, pa, 2), 0); /* the real one still works */
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	HT_EXPECT_EQ(buddy_free_pages(&bd), bd.managed_pages);
}

static __attribute__((noinline)) int free_from_named_caller(uint32_t pfn)
{
	return buddy_free_caller(&bd, pfn, 0, 0x1234);
}

HT_TEST(bad_free_names_the_caller)
{
	HT_ASSERT_EQ(setup_flat(64), 0);
	ht_log_clear();
	HT_EXPECT_EQ(free_from_named_caller(5), -EINVAL);
	/* No symbol table on the host: %pS falls back to the address. */
	HT_EXPECT(
	    ht_log_contains("mm: bad buddy_free(0x5000, order 0) from 0x00001234: already free\n"));
}

/* ---- errors and NOFAIL ---------------------------------------------------------------------- */

HT_TEST(structured_error_fields_exact)
{
	static const struct memmap_raw raw[] = { { 0x1000, 0xfff000, MEMMAP_USABLE } };
	struct setup_opts o = { 0, false, false, false };
	struct mm_error err;
	char msg[160];

	HT_ASSERT_EQ(setup_raw(raw, 1, &o, 0), 0); /* 4095 frames: no order-12 block */
	HT_ASSERT(buddy_alloc(&bd, 0, 0, NULL) != NULL);
	HT_EXPECT(buddy_alloc(&bd, 12, 0, &err) == NULL);
	HT_EXPECT_EQ(err.kind, MM_OUT_OF_MEMORY);
	HT_EXPECT_EQ(err.requested, 16 * MiB);
	HT_EXPECT_EQ(err.available, 4094ULL * PAGE_SIZE);
	HT_EXPECT_EQ(err.used, 1ULL * PAGE_SIZE);
	HT_EXPECT_EQ(err.total, 4095ULL * PAGE_SIZE);
	mm_error_format(&err, msg, sizeof(msg));
	HT_EXPECT(strcmp(msg, "OOM: requested 16777216 bytes, only 16769024 available "
	                      "(4096 used / 16773120 total)") == 0);

	ht_log_clear();
	HT_EXPECT(buddy_alloc(&bd, 13, 0, &err) == NULL);
	HT_EXPECT_EQ(err.kind, MM_INVALID_ARGUMENT);
	HT_EXPECT_EQ(err.requested, 32 * MiB);
	HT_EXPECT(ht_log_contains("mm: bad buddy_alloc(order 13, gfp 0x0) from "));
	HT_EXPECT(buddy_alloc(&bd, 0, __GFP_DMA | __GFP_HIGHMEM, &err) == NULL);
	HT_EXPECT_EQ(err.kind, MM_INVALID_ARGUMENT);
	HT_EXPECT(buddy_alloc(&bd, 0, 1u << 20, &err) == NULL);
	HT_EXPECT_EQ(err.kind, MM_INVALID_ARGUMENT);
	HT_EXPECT(buddy_alloc(&bd, 200, 0, &err) == NULL);
	HT_EXPECT_EQ(err.requested, UINT64_MAX);
	HT_EXPECT_EQ(buddy_free_pages(&bd), 4094);
	HT_EXPECT_EQ(buddy_check(&bd), 0);

	struct mm_error lim = { MM_EXCEEDS_LIMIT, 8192, 0, 0, 0, 65536, 61440 };
	mm_error_format(&lim, msg, sizeof(msg));
	HT_EXPECT(strcmp(msg, "exceeds task limit: requested 8192, limit 65536, current 61440") ==
	          0);
	struct mm_error ok = { MM_OK, 0, 0, 0, 0, 0, 0 };
	mm_error_format(&ok, msg, sizeof(msg));
	HT_EXPECT(strcmp(msg, "ok") == 0);
}

HT_TEST(nofail_panics_with_report)
{
	jmp_buf jb;
	struct page *volatile pg = NULL;

	HT_ASSERT_EQ(setup_flat(16), 0);
	HT_ASSERT(buddy_alloc(&bd, 4, 0, NULL) != NULL);
	ht_panic_jmp = &jb;
	ht_panic_msg[0] = '\0';
	if (setjmp(jb) == 0) {
		pg = buddy_alloc(&bd, 0, __GFP_NOFAIL, NULL);
		HT_EXPECT(!"no panic");
	}
	ht_panic_jmp = NULL;
	HT_EXPECT(pg == NULL);
	HT_EXPECT(strncmp(ht_panic_msg, "out of memory: order-0 allocation (gfp 0x8) from ",
	                  strlen("out of memory: order-0 allocation (gfp 0x8) from ")) == 0);
	HT_EXPECT(strstr(ht_panic_msg, ": OOM: requested 4096 bytes, only 0 available "
	                               "(65536 used / 65536 total)") != NULL);
	HT_EXPECT_EQ(buddy_check(&bd), 0);

	/* NOFAIL with an invalid order panics too. */
	ht_panic_jmp = &jb;
	if (setjmp(jb) == 0) {
		buddy_alloc(&bd, 14, __GFP_NOFAIL, NULL);
		HT_EXPECT(!"no panic");
	}
	ht_panic_jmp = NULL;
	HT_EXPECT(strncmp(ht_panic_msg, "out of memory: invalid order-14", 31) == 0);
}

/* ---- shrink hooks on OOM -------------------------------------------------------------------- */

static uint32_t held_pfn = UINT32_MAX;
static uint32_t shrink_calls;

static uint32_t give_back(void *ctx, enum mm_pressure_level level)
{
	(void)ctx;
	shrink_calls++;
	if (level != MM_PRESSURE_CRITICAL || held_pfn == UINT32_MAX)
		return 0;
	buddy_free(&bd, held_pfn, 0); /* re-enters the allocator */
	held_pfn = UINT32_MAX;
	return 1;
}

HT_TEST(oom_runs_shrinkers_and_retries)
{
	struct page *pg;
	uint32_t n = 0;

	HT_ASSERT_EQ(setup_flat(64), 0);
	while (buddy_alloc(&bd, 0, 0, NULL) != NULL)
		n++;
	HT_ASSERT_EQ(n, 64);
	HT_ASSERT_EQ(buddy_free(&bd, 17, 0), 0);
	pg = buddy_alloc(&bd, 0, 0, NULL);
	HT_ASSERT(pg != NULL);
	held_pfn = pfn_of(pg); /* a "cache" holds frame 17 */
	HT_ASSERT_EQ(mm_shrinker_register("test cache", give_back, NULL), 0);
	shrink_calls = 0;
	pg = buddy_alloc(&bd, 0, 0, NULL);
	HT_EXPECT(pg != NULL && pfn_of(pg) == 17);
	HT_EXPECT_EQ(shrink_calls, 1);
	/* Nothing left to give: one more call, then failure. */
	HT_EXPECT(buddy_alloc(&bd, 0, 0, NULL) == NULL);
	HT_EXPECT_EQ(shrink_calls, 2);
	HT_EXPECT_EQ(mm_shrinker_unregister(give_back, NULL), 0);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

/* ---- pressure from the allocator ------------------------------------------------------------ */

HT_TEST(allocator_drives_pressure_levels)
{
	uint32_t pfns[1000];

	HT_ASSERT_EQ(setup_flat(1000), 0);
	ht_log_clear();
	for (uint32_t i = 0; i < 799; i++)
		pfns[i] = pfn_of(buddy_alloc(&bd, 0, 0, NULL));
	HT_EXPECT(!ht_log_contains("memory pressure"));
	pfns[799] = pfn_of(buddy_alloc(&bd, 0, 0, NULL));
	HT_EXPECT(
	    ht_log_contains("mm: memory pressure WARNING: 80.0% used (3200 kB of 4000 kB)\n"));
	/* storm around the threshold: no more lines */
	for (int i = 0; i < 1000; i++) {
		HT_ASSERT_EQ(buddy_free(&bd, pfns[799], 0), 0);
		pfns[799] = pfn_of(buddy_alloc(&bd, 0, 0, NULL));
	}
	HT_EXPECT_EQ(ht_log_count("memory pressure"), 1);
	for (uint32_t i = 800; i < 953; i++)
		pfns[i] = pfn_of(buddy_alloc(&bd, 0, 0, NULL));
	HT_EXPECT(
	    ht_log_contains("mm: memory pressure CRITICAL: 95.0% used (3800 kB of 4000 kB)\n"));
	for (uint32_t i = 953; i-- > 700;)
		HT_ASSERT_EQ(buddy_free(&bd, pfns[i], 0), 0);
	HT_EXPECT(
	    ht_log_contains("mm: memory pressure WARNING: 89.9% used (3596 kB of 4000 kB)\n"));
	HT_EXPECT(ht_log_contains("mm: memory pressure normal: 74.9% used (2996 kB of 4000 kB)\n"));
	HT_EXPECT_EQ(ht_log_count("memory pressure"), 4);
	HT_EXPECT_EQ(bd.pressure.level, MM_PRESSURE_NORMAL);
}

/* ---- poisoning and zeroing ------------------------------------------------------------------ */

static int setup_debug(uint32_t frames, bool poison, bool init_on_alloc)
{
	struct memmap_raw raw = { 0, (uint64_t)frames * PAGE_SIZE, MEMMAP_USABLE };
	struct setup_opts o = { 0, poison, init_on_alloc, false };

	return setup_raw(&raw, 1, &o, 0);
}

HT_TEST(poison_detects_corrupted_byte)
{
	struct page *pg;
	uint32_t pfn;

	HT_ASSERT_EQ(setup_debug(64, true, false), 0);
	pg = buddy_alloc(&bd, 0, 0, NULL);
	HT_ASSERT(pg != NULL);
	pfn = pfn_of(pg);
	HT_ASSERT_EQ(buddy_free(&bd, pfn, 0), 0);
	for (uint32_t i = 0; i < PAGE_SIZE; i++)
		HT_ASSERT_EQ(arena[(size_t)pfn * PAGE_SIZE + i], PAGE_POISON_BYTE);
	/* A clean reuse reports nothing. */
	ht_log_clear();
	pg = buddy_alloc(&bd, 0, 0, NULL);
	HT_ASSERT(pg != NULL && pfn_of(pg) == pfn);
	HT_EXPECT(!ht_log_contains("poison"));
	HT_ASSERT_EQ(buddy_free(&bd, pfn, 0), 0);
	/* A use-after-free write at byte 0x123 (and a later one) is reported at the first. */
	arena[(size_t)pfn * PAGE_SIZE + 0x123] = 0x42;
	arena[(size_t)pfn * PAGE_SIZE + 0x800] = 0x43;
	ht_log_clear();
	pg = buddy_alloc(&bd, 0, 0, NULL);
	HT_ASSERT(pg != NULL && pfn_of(pg) == pfn);
	HT_EXPECT_EQ(pfn, 0);
	HT_EXPECT(ht_log_contains("mm: page poison overwritten at 0x123: 0x42 instead of 0xaa "
	                          "(order-0 block 0x0, allocation from "));
	HT_EXPECT_EQ(bd.poison_errors, 1);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

HT_TEST(poison_follows_merge_and_split)
{
	struct page *a, *b, *c;
	bool all_poison = true;

	HT_ASSERT_EQ(setup_debug(64, true, false), 0);
	a = buddy_alloc(&bd, 0, 0, NULL); /* 0 */
	b = buddy_alloc(&bd, 0, 0, NULL); /* 1 */
	HT_ASSERT(a && b);
	HT_ASSERT_EQ(buddy_free(&bd, 0, 0), 0);
	HT_ASSERT_EQ(buddy_free(&bd, 1, 0), 0); /* merges up with never-poisoned buddies */
	HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, 6), 1);
	HT_EXPECT(bd.pages[0].flags & PG_POISONED); /* they were poisoned on the way */
	for (size_t i = 0; i < 64 * PAGE_SIZE; i++)
		all_poison &= arena[i] == PAGE_POISON_BYTE;
	HT_EXPECT(all_poison);
	ht_log_clear();
	c = buddy_alloc(&bd, 1, 0, NULL);
	HT_ASSERT(c != NULL && pfn_of(c) == 0);
	HT_EXPECT(!ht_log_contains("poison"));
	/* Corrupt the second page of the freed order-1 block: found, address exact. */
	HT_ASSERT_EQ(buddy_free(&bd, 0, 1), 0);
	arena[PAGE_SIZE + 7] = 0;
	ht_log_clear();
	HT_ASSERT(buddy_alloc(&bd, 1, 0, NULL) == c);
	HT_EXPECT(ht_log_contains("mm: page poison overwritten at 0x1007: 0x00 instead of 0xaa "
	                          "(order-1 block 0x0, allocation from "));
	HT_EXPECT_EQ(bd.poison_errors, 1);
	/* After a split, the half holding the corruption reports it, the other does not. */
	memset(arena, 0x11, 2 * PAGE_SIZE); /* the owner wrote to it */
	HT_ASSERT_EQ(buddy_free(&bd, 0, 1), 0);
	arena[PAGE_SIZE + 0xffe] = 0x99;
	ht_log_clear();
	HT_ASSERT(pfn_of(buddy_alloc(&bd, 0, 0, NULL)) == 0);
	HT_EXPECT(!ht_log_contains("poison"));
	HT_ASSERT(pfn_of(buddy_alloc(&bd, 0, 0, NULL)) == 1);
	HT_EXPECT(ht_log_contains("mm: page poison overwritten at 0x1ffe: 0x99 instead of 0xaa "
	                          "(order-0 block 0x1000, allocation from "));
	HT_EXPECT_EQ(bd.poison_errors, 2);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

HT_TEST(gfp_zero_and_init_on_alloc)
{
	struct page *pg;
	uint32_t pfn;
	bool all_zero = true, untouched = true;

	HT_ASSERT_EQ(setup_debug(64, false, false), 0);
	pg = buddy_alloc(&bd, 2, 0, NULL);
	pfn = pfn_of(pg);
	memset(arena + (size_t)pfn * PAGE_SIZE, 0x55, 4 * PAGE_SIZE);
	HT_ASSERT_EQ(buddy_free(&bd, pfn, 2), 0);
	/* Without zeroing, contents survive. */
	pg = buddy_alloc(&bd, 2, 0, NULL);
	HT_ASSERT(pfn_of(pg) == pfn);
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		untouched &= arena[(size_t)pfn * PAGE_SIZE + i] == 0x55;
	HT_EXPECT(untouched);
	HT_ASSERT_EQ(buddy_free(&bd, pfn, 2), 0);
	pg = buddy_alloc(&bd, 2, __GFP_ZERO, NULL);
	HT_ASSERT(pfn_of(pg) == pfn);
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		all_zero &= arena[(size_t)pfn * PAGE_SIZE + i] == 0;
	HT_EXPECT(all_zero);
	/* init_on_alloc: zero without the flag. */
	memset(arena + (size_t)pfn * PAGE_SIZE, 0x55, 4 * PAGE_SIZE);
	HT_ASSERT_EQ(buddy_free(&bd, pfn, 2), 0);
	buddy_set_debug(&bd, false, true);
	pg = buddy_alloc(&bd, 2, 0, NULL);
	HT_ASSERT(pfn_of(pg) == pfn);
	all_zero = true;
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		all_zero &= arena[(size_t)pfn * PAGE_SIZE + i] == 0;
	HT_EXPECT(all_zero);
	/* poison + zero: the poison is checked first, then the block is zeroed. */
	buddy_set_debug(&bd, true, false);
	HT_ASSERT_EQ(buddy_free(&bd, pfn, 2), 0);
	ht_log_clear();
	pg = buddy_alloc(&bd, 2, __GFP_ZERO, NULL);
	HT_EXPECT(!ht_log_contains("poison"));
	HT_EXPECT_EQ(arena[(size_t)pfn * PAGE_SIZE + 100], 0);
}

/* ---- the checker catches corruption --------------------------------------------------------- */

HT_TEST(check_detects_inconsistencies)
{
	struct page *pg;
	uint32_t pfn;

	HT_ASSERT_EQ(setup_flat(256), 0);
	pg = buddy_alloc(&bd, 0, 0, NULL);
	pfn = pfn_of(pg);
	HT_ASSERT_EQ(buddy_check(&bd), 0);

	/* a free block marked used in the bitmap */
	bitmap_set(bm.used, 2);
	ht_log_clear();
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	HT_EXPECT(ht_log_contains("mm: buddy_check: free block 0x2 order 1: used in the bitmap\n"));
	bitmap_clear(bm.used, 2);
	HT_EXPECT_EQ(buddy_check(&bd), 0);

	/* an allocated frame marked free */
	bitmap_clear(bm.used, pfn);
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	bitmap_set(bm.used, pfn);

	/* counters off by one */
	bm.free_frames++;
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	bm.free_frames--;
	bd.zones[ZONE_DMA].managed_pages++;
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	bd.zones[ZONE_DMA].managed_pages--;
	/* order_mask off by one bit: a listed order missing, an empty order present (there is
	 * no per-order count any more: the mask is the only thing kept beside the lists) */
	HT_ASSERT(buddy_zone_has_free(&bd.zones[ZONE_DMA], 1));
	bd.zones[ZONE_DMA].order_mask ^= 1u << 1;
	ht_log_clear();
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	HT_EXPECT(ht_log_contains("mm: buddy_check: zone DMA order 1: order_mask disagrees with "
	                          "the list\n"));
	bd.zones[ZONE_DMA].order_mask ^= 1u << 1;
	HT_ASSERT(!buddy_zone_has_free(&bd.zones[ZONE_DMA], BUDDY_MAX_ORDER));
	bd.zones[ZONE_DMA].order_mask ^= 1u << BUDDY_MAX_ORDER;
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	bd.zones[ZONE_DMA].order_mask ^= 1u << BUDDY_MAX_ORDER;
	HT_EXPECT_EQ(buddy_check(&bd), 0);

	/* wrong order in a free head */
	bd.pages[2].order = 0;
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	bd.pages[2].order = 1;

	/* an allocated head lost its flag */
	bd.pages[pfn].flags = 0;
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	bd.pages[pfn].flags = PG_HEAD;

	/* a leaked frame: used, RAM, but in no block */
	bitmap_clear(bd.heads, pfn);
	ht_log_clear();
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	HT_EXPECT(ht_log_contains("is neither free nor in an allocated block"));
	bitmap_set(bd.heads, pfn);

	/* two free buddies of one order that did not merge: free frame 0 by hand */
	HT_ASSERT_EQ(buddy_check(&bd), 0);
	HT_ASSERT_EQ(pfn, 0);
	bitmap_clear(bd.heads, 0);
	frame_range_set_free(&bm, 0, 1);
	bd.pages[0].flags = PG_BUDDY;
	bd.pages[0].order = 0;
	bd.pages[0].refcount = 0;
	list_add(&bd.pages[0].link, &bd.zones[ZONE_DMA].free_list[0]);
	bd.zones[ZONE_DMA].order_mask |= 1;
	ht_log_clear();
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	HT_EXPECT(
	    ht_log_contains("mm: buddy_check: free buddies 0x0 and 0x1 of order 0 not merged\n") ||
	    ht_log_contains("mm: buddy_check: free buddies 0x1 and 0x0 of order 0 not merged\n"));
}

HT_TEST(check_stops_on_a_list_cycle)
{
	/* Two blocks on one list made into a ring that skips the list head: the links are
	 * consistent node by node, so only the bound on the walk (no per-order count any more)
	 * stops buddy_check. */
	struct memmap_raw raw = { PAGE_SIZE, 4094ULL * PAGE_SIZE, MEMMAP_USABLE };
	struct setup_opts o = { 0, false, false, false };
	HT_ASSERT_EQ(setup_raw(&raw, 1, &o, 0), 0);
	struct list_head *head = &bd.zones[ZONE_DMA].free_list[4];
	struct list_head *a = head->next, *b = a->next;
	HT_ASSERT(a != head && b != head && b->next == head);
	b->next = a;
	a->prev = b;
	ht_log_clear();
	HT_EXPECT_EQ(buddy_check(&bd), -EFAULT);
	HT_EXPECT(ht_log_contains("mm: buddy_check: zone DMA order 4: more than"));
	b->next = head;
	a->prev = head;
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

/* ---- counts on demand ------------------------------------------------------------------------ */

HT_TEST(counts_on_demand_equal_recount)
{
	struct page *held[64];
	unsigned n = 0;

	/* Frames [1, 4095): two blocks of each order 0..10 (see init_frees_largest_aligned_blocks).
	 */
	struct memmap_raw raw = { PAGE_SIZE, 4094ULL * PAGE_SIZE, MEMMAP_USABLE };
	struct setup_opts o = { 0, false, false, false };
	HT_ASSERT_EQ(setup_raw(&raw, 1, &o, 0), 0);
	HT_EXPECT(counts_match_recount());
	HT_EXPECT_EQ(buddy_zone_free_pages(&bd.zones[ZONE_DMA]), 4094);
	HT_EXPECT_EQ(buddy_zone_free_pages(&bd.zones[ZONE_NORMAL]), 0);
	HT_EXPECT(buddy_zone_has_free(&bd.zones[ZONE_DMA], 10));
	HT_EXPECT(!buddy_zone_has_free(&bd.zones[ZONE_DMA], 11));
	HT_EXPECT(!buddy_zone_has_free(&bd.zones[ZONE_DMA], BUDDY_NR_ORDERS)); /* out of range */
	HT_EXPECT_EQ(buddy_zone_nr_free(&bd.zones[ZONE_DMA], BUDDY_NR_ORDERS), 0);

	/* Splits and merges move blocks between the lists: the counts follow every step. */
	for (unsigned order = 0; order < 6; order++)
		for (unsigned k = 0; k < 5; k++) {
			held[n] = buddy_alloc(&bd, order, GFP_DMA, NULL);
			HT_ASSERT(held[n] != NULL);
			n++;
			HT_EXPECT(counts_match_recount());
		}
	while (n > 0) {
		n--;
		HT_ASSERT_EQ(buddy_free(&bd, pfn_of(held[n]), held[n]->order), 0);
		HT_EXPECT(counts_match_recount());
	}
	for (unsigned k = 0; k <= 10; k++)
		HT_EXPECT_EQ(total_free_blocks(ZONE_DMA, k), 2);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

HT_TEST(order_mask_follows_emptied_lists)
{
	struct page *a, *b;

	/* One order-12 block: each split fills lists 0..11 with one block, each merge empties
	 * them again; order_mask must say exactly which lists hold a block after every step. */
	HT_ASSERT_EQ(setup_flat(4096), 0);
	HT_EXPECT_EQ(bd.zones[ZONE_DMA].order_mask, 1u << 12);
	a = buddy_alloc(&bd, 0, GFP_DMA, NULL);
	HT_ASSERT(a != NULL);
	HT_EXPECT_EQ(bd.zones[ZONE_DMA].order_mask, (1u << 12) - 1); /* 0..11, not 12 */
	b = buddy_alloc(&bd, 0, GFP_DMA, NULL); /* takes the order-0 half: list 0 empties */
	HT_ASSERT(b != NULL);
	HT_EXPECT_EQ(bd.zones[ZONE_DMA].order_mask, (1u << 12) - 2);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	HT_ASSERT_EQ(buddy_free(&bd, pfn_of(a), 0), 0); /* buddy b allocated: list 0 again */
	HT_EXPECT_EQ(bd.zones[ZONE_DMA].order_mask, (1u << 12) - 1);
	HT_ASSERT_EQ(buddy_free(&bd, pfn_of(b), 0), 0); /* merges all the way up */
	HT_EXPECT_EQ(bd.zones[ZONE_DMA].order_mask, 1u << 12);
	HT_EXPECT_EQ(buddy_check(&bd), 0);

	/* A removal from a list that keeps other blocks leaves its bit set. */
	struct memmap_raw raw = { PAGE_SIZE, 4094ULL * PAGE_SIZE, MEMMAP_USABLE };
	struct setup_opts o = { 0, false, false, false };
	HT_ASSERT_EQ(setup_raw(&raw, 1, &o, 0), 0);
	a = buddy_alloc(&bd, 3, GFP_DMA, NULL); /* one of the two order-3 blocks */
	HT_ASSERT(a != NULL);
	HT_EXPECT(buddy_zone_has_free(&bd.zones[ZONE_DMA], 3));
	b = buddy_alloc(&bd, 3, GFP_DMA, NULL); /* the other one: list 3 empties */
	HT_ASSERT(b != NULL);
	HT_EXPECT(!buddy_zone_has_free(&bd.zones[ZONE_DMA], 3));
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	HT_EXPECT(counts_match_recount());
}

HT_TEST(split_writes_free_heads_in_full)
{
	/* Split halves get flags, order and zone in one store: each must read back exactly, in
	 * a zone whose id is not 0, over a struct page array full of garbage (setup_raw). */
	struct memmap_raw raw = { 0, 8192ULL * PAGE_SIZE, MEMMAP_USABLE };
	struct setup_opts o = { 0, false, false, true };
	HT_ASSERT_EQ(setup_raw(&raw, 1, &o, 0), 0);
	struct page *pg = buddy_alloc(&bd, 0, GFP_KERNEL, NULL);
	HT_ASSERT(pg != NULL);
	HT_EXPECT_EQ(pfn_of(pg), 4096);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
		const struct page *half = &bd.pages[4096 + (1u << k)];

		HT_EXPECT(half->flags == PG_BUDDY && half->order == k && half->zone == ZONE_NORMAL);
	}
	HT_EXPECT(pg->flags == PG_HEAD && pg->order == 0 && pg->zone == ZONE_NORMAL);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	HT_ASSERT_EQ(buddy_free(&bd, 4096, 0), 0);
	HT_EXPECT(bd.pages[4096].flags == PG_BUDDY && bd.pages[4096].order == 12 &&
	          bd.pages[4096].zone == ZONE_NORMAL);
	HT_EXPECT_EQ(buddy_check(&bd), 0);
}

/* ---- randomized ----------------------------------------------------------------------------- */

struct live {
	uint32_t pfn;
	uint8_t order;
};

/*
 * @ops random operations on a @frames arena (with reserved holes) against a model that owns
 * each frame; buddy_check() every @check_every ops. Returns the number of failed checks.
 */
static void random_ops(uint32_t frames, uint32_t ops, uint32_t check_every, uint64_t seed,
                       uint32_t max_order, uint32_t recount_every)
{
	const struct memmap_raw raw[] = {
		{ 0x2000, (uint64_t)frames * PAGE_SIZE - 0x2000, MEMMAP_USABLE },
		{ (uint64_t)frames * PAGE_SIZE / 3, 0x3000, MEMMAP_RESERVED },
	};
	struct setup_opts o = { frames > 8192 ? 8192u : 0u, false, false, true };
	static struct live live[8192];
	uint8_t *owner;
	uint32_t nlive = 0, fails = 0, allocs = 0;

	HT_ASSERT_EQ(setup_raw(raw, 2, &o, 5), 0);
	owner = calloc(frames, 1);
	ht_log_echo = false;
	for (uint32_t i = 0; i < ops && fails == 0; i++) {
		ht_xorshift64(&seed);
		bool do_alloc = nlive == 0 || (nlive < 8192 && (seed % 100) < 52);

		if (do_alloc) {
			unsigned order = (unsigned)((seed >> 8) % 16);
			gfp_t gfp = (seed >> 16) % 3 == 0   ? GFP_HIGHUSER
			            : (seed >> 16) % 3 == 1 ? GFP_KERNEL
			                                    : GFP_DMA;
			struct page *pg;

			order = order < 10 ? order % 3 : order - 10; /* mostly small */
			if (order > max_order)
				order = max_order;
			pg = buddy_alloc(&bd, order, gfp, NULL);
			if (pg) {
				uint32_t pfn = pfn_of(pg);

				if (pfn & ((1u << order) - 1))
					fails++;
				for (uint32_t f = pfn; f < pfn + (1u << order); f++) {
					if (f >= frames || owner[f] || !frame_is_ram(&bm, f))
						fails++;
					else
						owner[f] = 1;
				}
				live[nlive].pfn = pfn;
				live[nlive].order = (uint8_t)order;
				nlive++;
				allocs++;
			}
		} else {
			uint32_t k = (uint32_t)((seed >> 24) % nlive);

			if (buddy_free(&bd, live[k].pfn, live[k].order) != 0)
				fails++;
			memset(owner + live[k].pfn, 0, 1u << live[k].order);
			live[k] = live[--nlive];
		}
		if (i % check_every == 0 && buddy_check(&bd) != 0)
			fails++;
		if (i % recount_every == 0 && !counts_match_recount())
			fails++;
	}
	ht_log_echo = true;
	HT_EXPECT_EQ(fails, 0);
	HT_EXPECT(allocs > ops / 4);
	while (nlive > 0) {
		nlive--;
		HT_ASSERT_EQ(buddy_free(&bd, live[nlive].pfn, live[nlive].order), 0);
	}
	HT_EXPECT_EQ(buddy_check(&bd), 0);
	HT_EXPECT(counts_match_recount());
	HT_EXPECT_EQ(buddy_free_pages(&bd) + 5,
	             bd.managed_pages); /* only the boot frames are in use */
	free(owner);
}

HT_TEST(random_1m_ops_checked_every_op)
{
	random_ops(512, 1000000, 1, 0x5eed5eed5eedULL, 6, 101);
}

HT_TEST(random_ops_40m_three_zones)
{
	random_ops(8192 + 2048, 200000, 97, 0xabcdef12345ULL, BUDDY_MAX_ORDER, 499);
}

/* ---- helpers -------------------------------------------------------------------------------- */

HT_TEST(order_for_bytes)
{
	HT_EXPECT_EQ(buddy_order_for(0), 0);
	HT_EXPECT_EQ(buddy_order_for(1), 0);
	HT_EXPECT_EQ(buddy_order_for(4096), 0);
	HT_EXPECT_EQ(buddy_order_for(4097), 1);
	HT_EXPECT_EQ(buddy_order_for(16 * MiB), 12);
	HT_EXPECT(buddy_order_for(16 * MiB + 1) > BUDDY_MAX_ORDER);
}

HT_TEST(print_info_format)
{
	HT_ASSERT_EQ(setup_flat(4096 + 3), 0);
	ht_log_clear();
	buddy_print_info(&bd);
	HT_EXPECT(ht_log_contains("mm: buddyinfo zone DMA         0     0     0     0     0     0"
	                          "     0     0     0     0     0     0     1\n"));
	HT_EXPECT(ht_log_contains("mm: buddyinfo zone Normal      1     1     0     0     0     0"
	                          "     0     0     0     0     0     0     0\n"));
	HT_EXPECT(ht_log_contains("mm: meminfo total 16396 kB, free 16396 kB, used 0 kB\n"));
	struct buddy_stats st;
	buddy_stats(&bd, &st);
	HT_EXPECT_EQ(st.total_bytes, 4099ULL * PAGE_SIZE);
	HT_EXPECT_EQ(st.zone_free_pages[ZONE_NORMAL], 3);
	HT_EXPECT_EQ(st.nr_free[ZONE_DMA][12], 1);
}
