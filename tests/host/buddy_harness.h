/*
 * buddy_harness: the host harness shared by test_buddy.c and test_buddy_check.c. Frames are
 * numbers; their contents live in a calloc'd arena that the map callback hands out
 * (pfn -> arena + pfn * PAGE_SIZE). One test program per file, so each has its own state.
 */
#ifndef STRATA_TESTS_HOST_BUDDY_HARNESS_H
#define STRATA_TESTS_HOST_BUDDY_HARNESS_H

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

static inline void *arena_map(void *ctx, uint32_t pfn)
{
	(void)ctx;
	map_calls++;
	if (pfn >= nframes)
		abort();
	return arena + (size_t)pfn * PAGE_SIZE;
}

static inline void arena_unmap(void *ctx, uint32_t pfn, void *va)
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
static inline int setup_raw(const struct memmap_raw *raw, uint32_t n, const struct setup_opts *o,
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
static inline int setup_flat(uint32_t frames)
{
	struct memmap_raw raw = { 0, (uint64_t)frames * PAGE_SIZE, MEMMAP_USABLE };
	struct setup_opts o = { 0, false, false, false };

	return setup_raw(&raw, 1, &o, 0);
}

static inline uint32_t pfn_of(struct page *pg)
{
	return buddy_page_pfn(&bd, pg);
}

static inline uint32_t total_free_blocks(enum zone_id z, unsigned order)
{
	return buddy_zone_nr_free(&bd.zones[z], order);
}

/*
 * Free blocks per zone and order recounted from the frame bitmap alone, independently of the
 * free lists: in a fully coalesced buddy system the free blocks are exactly the maximal
 * aligned free blocks, i.e. each free run cut greedily into the largest aligned blocks that
 * fit (at most 2^BUDDY_MAX_ORDER frames; zone bounds are multiples of that).
 */
static inline void recount_free_blocks(uint32_t counts[ZONE_COUNT][BUDDY_NR_ORDERS],
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
static inline bool counts_match_recount(void)
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

static inline void snap(struct snapshot *s)
{
	s->words = BITMAP_WORDS(nframes);
	buddy_stats(&bd, &s->st);
	s->st.bad_frees = 0;
	s->used = malloc(s->words * sizeof(uint32_t));
	s->heads = malloc(s->words * sizeof(uint32_t));
	memcpy(s->used, bm.used, s->words * sizeof(uint32_t));
	memcpy(s->heads, bd.heads, s->words * sizeof(uint32_t));
}

static inline bool snap_equal_and_free(struct snapshot *a, struct snapshot *b)
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
static inline uint32_t free_blocks(uint64_t *out, uint32_t max)
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

#endif
