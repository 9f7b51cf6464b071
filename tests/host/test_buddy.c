/*
 * Host tests for mm/buddy.c. Frames are numbers; their contents live in a calloc'd arena that
 * the map callback hands out (pfn -> arena + pfn * PAGE_SIZE).
 */
#include "buddy_harness.h"

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
