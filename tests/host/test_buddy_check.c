/*
 * Host tests for mm/buddy.c and mm/buddy_stats.c, second half: the consistency checker catches
 * corruption, free counts on demand equal a recount, randomized operations checked throughout,
 * and the small helpers (order_for_bytes, buddyinfo format). Harness: buddy_harness.h.
 */
#include "buddy_harness.h"

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
