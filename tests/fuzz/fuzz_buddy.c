/*
 * libFuzzer target for mm/buddy.c (with mm/memmap.c and mm/bitmap.c underneath).
 *
 * The input is decoded as: a 4-byte layout header (arena size, a reserved hole, the Normal
 * zone's end, boot-time allocations, debug options), then a sequence of operations:
 *   alloc(order, gfp) / free(a live block) / bogus free(pfn, order)
 * A model tracks which frames each live block owns. After every operation buddy_check() must
 * pass, a successful allocation must be aligned, inside RAM and disjoint from every live
 * block, a valid free must succeed, and a bogus free must fail and change no counter.
 * Any violation abort()s, which libFuzzer reports with the input.
 *
 *   make build/fuzz/fuzz_buddy && ./build/fuzz/fuzz_buddy -runs=100000
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "htest.h"
#include "mm/bitmap.h"
#include "mm/buddy.h"
#include "mm/memmap.h"
#include "mm/page.h"

#define MAX_LIVE        512
#define SMALL_MAX_PAGES 1024u /* arenas with real contents (poisoning, zeroing) */
/* Big layouts (32..40 MiB, no contents access) have all three zones when Normal ends at
 * 32 MiB; the Normal end is rounded down to 16 MiB by buddy_init, so other values test that. */

struct live {
	uint32_t pfn;
	uint8_t order;
};

struct cursor {
	const uint8_t *p;
	size_t left;
};

static uint8_t next(struct cursor *c)
{
	if (c->left == 0)
		return 0;
	c->left--;
	return *c->p++;
}

static uint8_t *arena;
static uint32_t arena_pages;

static void *fz_map(void *ctx, uint32_t pfn)
{
	(void)ctx;
	if (arena == NULL || pfn >= arena_pages)
		abort(); /* contents touched where the layout promised none */
	return arena + (size_t)pfn * PAGE_SIZE;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memmap map;
	static struct live live[MAX_LIVE];
	struct cursor c = { data, size };
	struct frame_bitmap bm;
	struct buddy b;
	struct buddy_config cfg;
	struct memmap_raw raw[2];
	uint8_t h0 = next(&c), h1 = next(&c), h2 = next(&c), h3 = next(&c);
	bool big = h0 & 1;
	uint32_t frames =
	    big ? 8192u + 16u * (h0 >> 1) + (h1 & 15) : 16u + ((uint32_t)(h0 >> 1) << 3) + (h1 & 7);
	uint32_t nlive = 0;
	uint8_t *owner;
	void *bm_store, *pg_store;
	size_t bm_bytes;

	ht_log_echo = false;
	if (!big && frames > SMALL_MAX_PAGES)
		frames = SMALL_MAX_PAGES;
	raw[0] =
	    (struct memmap_raw){ PAGE_SIZE, (uint64_t)(frames - 1) * PAGE_SIZE, MEMMAP_USABLE };
	raw[1] = (struct memmap_raw){ (uint64_t)(h2 % frames) * PAGE_SIZE + (h1 >> 5) * 512,
		                      (uint64_t)(h3 & 15) * PAGE_SIZE, MEMMAP_RESERVED };
	if (memmap_sanitize(&map, raw, 2, 0) != 0)
		return 0;
	frames = memmap_end_pfn(&map);
	bm_bytes = frame_bitmap_storage_bytes(frames);
	bm_store = malloc(bm_bytes);
	CHECK(frame_bitmap_init(&bm, bm_store, bm_bytes, frames, &map) == 0);
	for (unsigned i = 0; i < (h3 >> 6); i++) { /* early boot allocations: order-0 blocks */
		uint32_t pfn = frame_alloc(&bm);

		if (pfn != FRAME_NONE)
			live[nlive++] = (struct live){ pfn, 0 };
	}

	arena_pages = frames;
	arena = big ? NULL : calloc(frames, PAGE_SIZE);
	memset(&cfg, 0, sizeof(cfg));
	cfg.storage_bytes = buddy_storage_bytes(frames);
	pg_store = malloc(cfg.storage_bytes);
	memset(pg_store, h2, cfg.storage_bytes); /* garbage */
	cfg.storage = pg_store;
	cfg.normal_end_pfn = big ? 4096u + (uint32_t)h2 * 32u : 0;
	cfg.map = fz_map;
	cfg.debug_pagealloc = !big && (h3 & 16);
	cfg.init_on_alloc = !big && (h3 & 32);
	CHECK(buddy_init(&b, &bm, &cfg) == 0);
	CHECK(buddy_check(&b) == 0);
	owner = calloc(frames, 1);
	for (uint32_t i = 0; i < nlive; i++)
		owner[live[i].pfn] = 1;

	while (c.left > 0) {
		uint8_t op = next(&c);
		uint8_t arg = next(&c);

		if ((op & 3) <= 1) {                                  /* alloc */
			unsigned order = arg % (BUDDY_MAX_ORDER + 2); /* 13 is invalid */
			gfp_t gfp = (op >> 2) & (__GFP_DMA | __GFP_HIGHMEM | __GFP_ZERO);
			struct mm_error err;
			struct page *pg;

			if (big)
				gfp &= ~__GFP_ZERO;
			if (nlive == MAX_LIVE)
				continue;
			pg = buddy_alloc(&b, order, gfp, &err);
			if (pg == NULL) {
				bool invalid = order > BUDDY_MAX_ORDER ||
				               ((gfp & __GFP_DMA) && (gfp & __GFP_HIGHMEM));

				CHECK(err.kind ==
				      (invalid ? MM_INVALID_ARGUMENT : MM_OUT_OF_MEMORY));
				CHECK(err.kind != MM_OUT_OF_MEMORY ||
				      err.used + err.available == err.total);
			} else {
				uint32_t pfn = buddy_page_pfn(&b, pg);

				CHECK(order <= BUDDY_MAX_ORDER);
				CHECK((pfn & ((1u << order) - 1)) == 0);
				CHECK(pg->order == order && pg->flags == PG_HEAD);
				if (gfp & __GFP_DMA)
					CHECK(buddy_pfn_zone(&b, pfn) == ZONE_DMA);
				if (!(gfp & __GFP_HIGHMEM))
					CHECK(buddy_pfn_zone(&b, pfn) != ZONE_HIGHMEM);
				for (uint32_t f = pfn; f < pfn + (1u << order); f++) {
					CHECK(f < frames && !owner[f] && frame_is_ram(&bm, f));
					owner[f] = 1;
				}
				if (arena && (gfp & __GFP_ZERO))
					for (size_t i = 0; i < ((size_t)PAGE_SIZE << order); i++)
						CHECK(arena[(size_t)pfn * PAGE_SIZE + i] == 0);
				live[nlive].pfn = pfn;
				live[nlive].order = (uint8_t)order;
				nlive++;
			}
		} else if ((op & 3) == 2) { /* free a live block */
			if (nlive == 0)
				continue;
			uint32_t k = arg % nlive;

			CHECK(buddy_free(&b, live[k].pfn, live[k].order) == 0);
			memset(owner + live[k].pfn, 0, 1u << live[k].order);
			live[k] = live[--nlive];
		} else { /* bogus free: must fail unless it names a live block exactly */
			uint32_t pfn = ((uint32_t)(op >> 2) << 8 | arg) % (frames + 8);
			unsigned order = (op >> 6) % 3;
			uint32_t free_before = buddy_free_pages(&b);
			int k = -1;

			for (uint32_t i = 0; i < nlive; i++)
				if (live[i].pfn == pfn)
					k = (int)i;
			if (k >= 0 && live[k].order == order) {
				CHECK(buddy_free(&b, pfn, order) == 0);
				memset(owner + pfn, 0, 1u << order);
				live[k] = live[--nlive];
			} else {
				CHECK(buddy_free(&b, pfn, order) < 0);
				CHECK(buddy_free_pages(&b) == free_before);
			}
		}
		CHECK(buddy_check(&b) == 0);
	}

	while (nlive > 0) {
		nlive--;
		CHECK(buddy_free(&b, live[nlive].pfn, live[nlive].order) == 0);
	}
	CHECK(buddy_check(&b) == 0);
	CHECK(buddy_free_pages(&b) == b.managed_pages && bm.free_frames == b.managed_pages);
	free(owner);
	free(pg_store);
	free(bm_store);
	free(arena);
	arena = NULL;
	return 0;
}
