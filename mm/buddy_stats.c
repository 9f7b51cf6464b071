/*
 * buddy_stats: the buddy allocator's consistency check and statistics (buddy_check,
 * buddy_zone_nr_free, buddy_stats, buddy_print_info for buddyinfo), split from mm/buddy.c by
 * concern. The counts walk the free lists on demand (O(free blocks)), with the caller
 * keeping the allocator still (interrupts masked), so the hot paths keep no counters for them.
 */
#include "mm/buddy.h"
#include "buddy_internal.h"

#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

/* ---- checking and statistics --------------------------------------------------------- */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (unlikely(!(cond))) {                                                           \
			pr_err("mm: buddy_check: " __VA_ARGS__);                                   \
			return -EFAULT;                                                            \
		}                                                                                  \
	} while (0)

/* Per-order tallies of the free blocks found one way (lists) or the other (walk). */
struct tally {
	uint32_t blocks[BUDDY_NR_ORDERS];
	uint64_t pfn_sum[BUDDY_NR_ORDERS];
	uint32_t pages;
};

/* A block [pfn, pfn + 2^order) inside @zone and aligned to its size? */
static bool block_fits(const struct buddy_zone *zone, uint32_t pfn, unsigned order)
{
	return order <= BUDDY_MAX_ORDER && (pfn & (order_pages(order) - 1)) == 0 &&
	       pfn >= zone->start_pfn && pfn < zone->end_pfn &&
	       order_pages(order) <= zone->end_pfn - pfn;
}

/* Check the free lists of zone @z and tally them. */
static int check_lists(const struct buddy *b, enum zone_id z, struct tally *t)
{
	const struct buddy_zone *zone = &b->zones[z];

	for (unsigned o = 0; o < BUDDY_NR_ORDERS; o++) {
		const struct list_head *head = &zone->free_list[o];
		const struct list_head *node;
		uint32_t n = 0;

		CHECK(((zone->order_mask >> o) & 1u) == (head->next != head),
		      "zone %s order %u: order_mask disagrees with the list\n", zone->name, o);
		list_for_each(node, head)
		{
			const struct page *pg = list_entry(node, struct page, link);
			uint32_t pfn = buddy_page_pfn(b, pg);
			uint32_t buddy = pfn ^ order_pages(o);

			/* The zone cannot hold more blocks: stops a list that loops past its head.
			 */
			CHECK(n < (zone->managed_pages >> o),
			      "zone %s order %u: more than %u blocks listed\n", zone->name, o,
			      zone->managed_pages >> o);
			CHECK(node->next->prev == node && node->prev->next == node,
			      "zone %s order %u: broken links at pfn 0x%x\n", zone->name, o, pfn);
			CHECK(pg >= b->pages && pfn < b->nframes,
			      "zone %s order %u: list entry outside the page array\n", zone->name,
			      o);
			CHECK(block_fits(zone, pfn, o),
			      "zone %s order %u: free block 0x%x misaligned or outside the zone\n",
			      zone->name, o, pfn);
			CHECK((pg->flags & (PG_BUDDY | PG_HEAD)) == PG_BUDDY && pg->order == o &&
			          pg->zone == z,
			      "free block 0x%x: flags 0x%x order %u zone %u\n", pfn, pg->flags,
			      pg->order, pg->zone);
			CHECK(frame_is_free(b->bm, pfn),
			      "free block 0x%x order %u: used in the bitmap\n", pfn, o);
			/* The rest of the block's frames: walk_zone(), which must meet this block.
			 */
			CHECK(o == BUDDY_MAX_ORDER || !block_fits(zone, buddy, o) ||
			          !frame_is_free(b->bm, buddy) || b->pages[buddy].order != o ||
			          !(b->pages[buddy].flags & PG_BUDDY),
			      "free buddies 0x%x and 0x%x of order %u not merged\n", pfn, buddy, o);
			n++;
			t->blocks[o]++;
			t->pfn_sum[o] += pfn;
			t->pages += order_pages(o);
		}
	}
	return 0;
}

/*
 * Walk zone @z block by block: each allocated head (heads bitmap) and each free frame (a free
 * head) is checked and skipped whole; any other frame must be not-RAM. Tallies the free
 * blocks and counts the RAM frames reached.
 */
static int walk_zone(const struct buddy *b, enum zone_id z, struct tally *t, uint32_t *ram)
{
	const struct buddy_zone *zone = &b->zones[z];
	const struct frame_bitmap *bm = b->bm;
	uint32_t pfn = zone->start_pfn;

	while (pfn < zone->end_pfn) {
		uint32_t w = pfn / BITMAP_WORD_BITS;
		const struct page *pg = &b->pages[pfn];
		unsigned o;

		/* Fast skip: a whole word of not-RAM frames. */
		if (pfn % BITMAP_WORD_BITS == 0 && pfn + BITMAP_WORD_BITS <= zone->end_pfn &&
		    bm->ram[w] == 0 && b->heads[w] == 0 && bm->used[w] == UINT32_MAX) {
			pfn += BITMAP_WORD_BITS;
			continue;
		}
		if (bitmap_test(b->heads, pfn)) {
			o = pg->order;
			CHECK(pg->flags == PG_HEAD && block_fits(zone, pfn, o) && pg->zone == z &&
			          pg->refcount >= 1,
			      "allocated head 0x%x: flags 0x%x order %u zone %u refcount %u\n", pfn,
			      pg->flags, o, pg->zone, pg->refcount);
			CHECK(o == 0 ? !frame_is_free(bm, pfn)
			             : frame_range_all_used(bm, pfn, order_pages(o)),
			      "allocated block 0x%x order %u: free in the bitmap\n", pfn, o);
			CHECK(o == 0 ||
			          bitmap_range_all(b->heads, pfn + 1, order_pages(o) - 1, false),
			      "allocated block 0x%x order %u: holds another head\n", pfn, o);
			CHECK(o == 0 ? frame_is_ram(bm, pfn)
			             : bitmap_range_all(bm->ram, pfn, order_pages(o), true),
			      "allocated block 0x%x order %u: covers reserved frames\n", pfn, o);
			*ram += order_pages(o);
			pfn += order_pages(o);
		} else if (frame_is_free(bm, pfn)) {
			o = pg->order;
			CHECK((pg->flags & (PG_BUDDY | PG_HEAD)) == PG_BUDDY &&
			          block_fits(zone, pfn, o),
			      "free frame 0x%x is not the head of a free block\n", pfn);
			CHECK(o == 0 || frame_range_all_free(bm, pfn, order_pages(o)),
			      "free block 0x%x order %u: partly used in the bitmap\n", pfn, o);
			CHECK(o == 0 || bitmap_range_all(b->heads, pfn, order_pages(o), false),
			      "free block 0x%x order %u: holds an allocated head\n", pfn, o);
			t->blocks[o]++;
			t->pfn_sum[o] += pfn;
			t->pages += order_pages(o);
			*ram += order_pages(o);
			pfn += order_pages(o);
		} else {
			CHECK(!frame_is_ram(bm, pfn),
			      "RAM frame 0x%x is neither free nor in an allocated block\n", pfn);
			pfn++;
		}
	}
	return 0;
}

int buddy_check(const struct buddy *b)
{
	uint32_t free_sum = 0, managed_sum = 0;

	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		const struct buddy_zone *zone = &b->zones[z];
		struct tally listed, walked;
		uint32_t ram = 0;
		int err;

		memset(&listed, 0, sizeof(listed));
		memset(&walked, 0, sizeof(walked));
		err = check_lists(b, z, &listed);
		if (err)
			return err;
		err = walk_zone(b, z, &walked, &ram);
		if (err)
			return err;
		for (unsigned o = 0; o < BUDDY_NR_ORDERS; o++)
			CHECK(listed.blocks[o] == walked.blocks[o] &&
			          listed.pfn_sum[o] == walked.pfn_sum[o],
			      "zone %s order %u: the lists and the memory walk disagree\n",
			      zone->name, o);
		CHECK(frame_bitmap_count_free(b->bm, zone->start_pfn, zone->end_pfn) ==
		          listed.pages,
		      "zone %s: %u free frames in the bitmap, %u pages listed\n", zone->name,
		      frame_bitmap_count_free(b->bm, zone->start_pfn, zone->end_pfn), listed.pages);
		CHECK(ram == zone->managed_pages, "zone %s: managed_pages %u, recount %u\n",
		      zone->name, zone->managed_pages, ram);
		free_sum += listed.pages;
		managed_sum += zone->managed_pages;
	}
	CHECK(free_sum == b->bm->free_frames, "free pages: zones %u, bitmap %u\n", free_sum,
	      b->bm->free_frames);
	CHECK(managed_sum == b->managed_pages, "managed pages: zones %u, buddy %u\n", managed_sum,
	      b->managed_pages);
	return 0;
}

uint32_t buddy_zone_nr_free(const struct buddy_zone *zone, unsigned order)
{
	const struct list_head *head, *node;
	uint32_t n = 0;

	if (order > BUDDY_MAX_ORDER)
		return 0;
	head = &zone->free_list[order];
	list_for_each(node, head) n++;
	return n;
}

uint32_t buddy_zone_free_pages(const struct buddy_zone *zone)
{
	uint32_t pages = 0;

	for (unsigned o = 0; o < BUDDY_NR_ORDERS; o++)
		pages += buddy_zone_nr_free(zone, o) << o;
	return pages;
}

void buddy_stats(const struct buddy *b, struct buddy_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->total_bytes = pages_bytes(b->managed_pages);
	st->free_bytes = pages_bytes(buddy_free_pages(b));
	st->used_bytes = pages_bytes(b->managed_pages - buddy_free_pages(b));
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		st->zone_managed_pages[z] = b->zones[z].managed_pages;
		for (unsigned o = 0; o < BUDDY_NR_ORDERS; o++) {
			st->nr_free[z][o] = buddy_zone_nr_free(&b->zones[z], o);
			st->zone_free_pages[z] += st->nr_free[z][o] << o;
		}
	}
	st->bad_frees = b->bad_frees;
	st->poison_errors = b->poison_errors;
}

void buddy_print_info(const struct buddy *b)
{
	pr_info("mm: buddy: %u kB managed (DMA %u kB, Normal %u kB, HighMem %u kB)\n",
	        b->managed_pages << (PAGE_SHIFT - KIB_SHIFT),
	        b->zones[ZONE_DMA].managed_pages << (PAGE_SHIFT - KIB_SHIFT),
	        b->zones[ZONE_NORMAL].managed_pages << (PAGE_SHIFT - KIB_SHIFT),
	        b->zones[ZONE_HIGHMEM].managed_pages << (PAGE_SHIFT - KIB_SHIFT));
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		char line[INFO_LINE_MAX];
		int len = 0;

		for (unsigned o = 0; o < BUDDY_NR_ORDERS && len < (int)sizeof(line); o++)
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %5u",
			                 buddy_zone_nr_free(&b->zones[z], o));
		pr_info("mm: buddyinfo zone %-7s%s\n", b->zones[z].name, line);
	}
	pr_info("mm: meminfo total %u kB, free %u kB, used %u kB\n",
	        b->managed_pages << (PAGE_SHIFT - KIB_SHIFT),
	        buddy_free_pages(b) << (PAGE_SHIFT - KIB_SHIFT),
	        (b->managed_pages - buddy_free_pages(b)) << (PAGE_SHIFT - KIB_SHIFT));
}
