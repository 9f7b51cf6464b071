/*
 * Host tests for mm/bitmap.c: initialisation from a sanitized map, boot-time allocation with
 * the next-free hint, contiguous aligned runs, bad frees (logged, nothing changes), the
 * word-wise range operations against a bit-by-bit model, and the hand-over to the buddy.
 */
#include "htest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "mm/bitmap.h"
#include "mm/memmap.h"
#include "mm/page.h"

#define MiB (1024ULL * 1024)

static struct memmap map;
static struct frame_bitmap bm;
static uint32_t storage[2 * BITMAP_WORDS(PHYS_LIMIT_PFN)];

/* RAM: frames [1, 0x9f) (partial frame at 0x9f000..0x9fc00 dropped), [0x100, 0x800) minus a
 * reserved hole at [0x300, 0x305), and [0x900, 0x1000). */
static const struct memmap_raw raw[] = {
	{ 0x1000, 0x9fc00 - 0x1000, MEMMAP_USABLE },
	{ 0x100000, 0x700000, MEMMAP_USABLE },
	{ 0x300000, 0x5000, MEMMAP_RESERVED },
	{ 0x900000, 0x700000, MEMMAP_USABLE },
};
#define NFRAMES    0x1000u
#define RAM_FRAMES ((0x9fu - 1) + (0x800u - 0x100u - 5) + (0x1000u - 0x900u))

static void setup(void)
{
	HT_EXPECT_EQ(memmap_sanitize(&map, raw, 4, 0), 0);
	HT_EXPECT_EQ(memmap_end_pfn(&map), NFRAMES);
	HT_EXPECT_EQ(frame_bitmap_init(&bm, storage, sizeof(storage), NFRAMES, &map), 0);
}

HT_TEST(init_from_map)
{
	struct frame_stats st;

	setup();
	frame_bitmap_stats(&bm, &st);
	HT_EXPECT_EQ(st.ram_frames, RAM_FRAMES);
	HT_EXPECT_EQ(st.free_frames, RAM_FRAMES);
	HT_EXPECT_EQ(st.used_frames, 0);
	HT_EXPECT_EQ(frame_bitmap_storage_bytes(NFRAMES), 2 * (NFRAMES / 32) * 4);
	HT_EXPECT_EQ(frame_bitmap_storage_bytes(33), 2 * 4096 / 8); /* padded to 16 MiB */
	HT_EXPECT(!frame_is_ram(&bm, 0));
	HT_EXPECT(frame_is_ram(&bm, 1) && frame_is_free(&bm, 1));
	HT_EXPECT(frame_is_ram(&bm, 0x9e));
	HT_EXPECT(!frame_is_ram(&bm, 0x9f)); /* partial frame */
	HT_EXPECT(!frame_is_free(&bm, 0x9f));
	HT_EXPECT(frame_is_ram(&bm, 0x2ff) && !frame_is_ram(&bm, 0x300));
	HT_EXPECT(!frame_is_ram(&bm, 0x304) && frame_is_ram(&bm, 0x305));
	HT_EXPECT(!frame_is_ram(&bm, 0x8ff) && frame_is_ram(&bm, 0x900));
	HT_EXPECT(!frame_is_ram(&bm, NFRAMES) && !frame_is_free(&bm, NFRAMES));
	HT_EXPECT_EQ(frame_bitmap_count_free(&bm, 0, NFRAMES), RAM_FRAMES);
	HT_EXPECT_EQ(frame_bitmap_count_free(&bm, 0x2f0, 0x310), 0x20 - 5);
}

HT_TEST(init_limits_to_nframes_and_rejects_bad_input)
{
	HT_ASSERT_EQ(memmap_sanitize(&map, raw, 4, 0), 0);
	HT_ASSERT_EQ(frame_bitmap_init(&bm, storage, sizeof(storage), 0x200, &map), 0);
	HT_EXPECT_EQ(bm.ram_frames, (0x9fu - 1) + (0x200u - 0x100u));
	HT_EXPECT(!frame_is_free(&bm, 0x200));
	/* bits past nframes in the last word stay used */
	HT_ASSERT_EQ(frame_bitmap_init(&bm, storage, sizeof(storage), 0x101, &map), 0);
	HT_EXPECT_EQ(storage[0x100 / 32], 0xfffffffeu);
	HT_EXPECT_EQ(frame_bitmap_init(&bm, storage, 8, 0x200, &map), -ENOSPC);
	HT_EXPECT_EQ(frame_bitmap_init(&bm, storage, sizeof(storage), 0, &map), -EINVAL);
	HT_EXPECT_EQ(frame_bitmap_init(&bm, storage, sizeof(storage), PHYS_LIMIT_PFN + 1, &map),
	             -EINVAL);
	HT_EXPECT_EQ(frame_bitmap_init(&bm, (char *)storage + 1, 1024, 0x20, &map), -EINVAL);
	HT_EXPECT_EQ(frame_bitmap_init(&bm, NULL, 1024, 0x20, &map), -EINVAL);
	HT_EXPECT_EQ(frame_bitmap_init(&bm, storage, sizeof(storage), 0x20, NULL), -EINVAL);
	/* the full 4 GiB fits the static storage */
	HT_EXPECT_EQ(frame_bitmap_init(&bm, storage, sizeof(storage), PHYS_LIMIT_PFN, &map), 0);
}

HT_TEST(alloc_lowest_first_and_hint)
{
	setup();
	HT_EXPECT_EQ(frame_alloc(&bm), 1);
	HT_EXPECT_EQ(frame_alloc(&bm), 2);
	HT_EXPECT_EQ(frame_alloc(&bm), 3);
	HT_EXPECT_EQ(bm.free_frames, RAM_FRAMES - 3);
	HT_EXPECT_EQ(frame_free(&bm, 2), 0);
	HT_EXPECT_EQ(frame_alloc(&bm), 2); /* the hint moved back */
	/* Fill the first range; the next comes from 0x100. */
	for (uint32_t p = 4; p < 0x9f; p++)
		HT_ASSERT_EQ(frame_alloc(&bm), p);
	HT_EXPECT_EQ(frame_alloc(&bm), 0x100);
	HT_EXPECT_EQ(bm.hint, 0x100 / 32);
	/* A free far below the hint is found again (the hint moves back to its word). */
	HT_EXPECT_EQ(frame_free(&bm, 0x40), 0);
	HT_EXPECT_EQ(frame_alloc(&bm), 0x40);
	HT_EXPECT_EQ(frame_alloc(&bm), 0x101);
}

HT_TEST(alloc_exhausts_exactly_ram)
{
	static uint8_t seen[NFRAMES];
	uint32_t n = 0, pfn;

	setup();
	memset(seen, 0, sizeof(seen));
	while ((pfn = frame_alloc(&bm)) != FRAME_NONE) {
		HT_ASSERT(pfn < NFRAMES);
		HT_ASSERT(!seen[pfn]);
		HT_ASSERT(frame_is_ram(&bm, pfn));
		seen[pfn] = 1;
		n++;
	}
	HT_EXPECT_EQ(n, RAM_FRAMES);
	HT_EXPECT_EQ(bm.free_frames, 0);
	HT_EXPECT_EQ(frame_alloc_contiguous(&bm, 1, 1), FRAME_NONE);
	/* free all: back to the start */
	for (pfn = 0; pfn < NFRAMES; pfn++)
		if (seen[pfn])
			HT_ASSERT_EQ(frame_free(&bm, pfn), 0);
	HT_EXPECT_EQ(bm.free_frames, RAM_FRAMES);
	HT_EXPECT_EQ(frame_bitmap_count_free(&bm, 0, NFRAMES), RAM_FRAMES);
}

HT_TEST(bad_frees_are_reported_and_change_nothing)
{
	static uint32_t before[2 * NFRAMES / 32];
	struct frame_stats s1, s2;

	setup();
	HT_ASSERT_EQ(frame_alloc(&bm), 1);
	memcpy(before, storage, sizeof(before));
	frame_bitmap_stats(&bm, &s1);

	ht_log_clear();
	HT_EXPECT_EQ(frame_free(&bm, 0x234), -EINVAL);
	HT_EXPECT(ht_log_contains("mm: bad frame_free(0x234000) from "));
	HT_EXPECT(ht_log_contains(": already free\n"));
	HT_EXPECT_EQ(frame_free(&bm, 0x302), -EFAULT);
	HT_EXPECT(ht_log_contains("mm: bad frame_free(0x302000) from "));
	HT_EXPECT(ht_log_contains(": reserved\n"));
	HT_EXPECT_EQ(frame_free(&bm, 0), -EFAULT); /* never RAM */
	HT_EXPECT(ht_log_contains("mm: bad frame_free(0x0) from "));
	HT_EXPECT_EQ(frame_free(&bm, NFRAMES), -EFAULT);
	HT_EXPECT(ht_log_contains("mm: bad frame_free(0x1000000) from "));
	HT_EXPECT(ht_log_contains(": outside RAM\n"));
	HT_EXPECT_EQ(frame_free(&bm, UINT32_MAX - 1), -EFAULT);
	HT_EXPECT_EQ(ht_log_count("mm: bad frame_free("), 5);

	frame_bitmap_stats(&bm, &s2);
	HT_EXPECT(memcmp(before, storage, sizeof(before)) == 0);
	HT_EXPECT_EQ(s1.free_frames, s2.free_frames);
	/* and a double free of a really allocated frame: first ok, second reported */
	HT_EXPECT_EQ(frame_free(&bm, 1), 0);
	HT_EXPECT_EQ(frame_free(&bm, 1), -EINVAL);
	HT_EXPECT(ht_log_contains("mm: bad frame_free(0x1000) from "));
	HT_EXPECT_EQ(bm.free_frames, RAM_FRAMES);
}

HT_TEST(contiguous_aligned_runs)
{
	uint32_t p;

	setup();
	/* 16 frames aligned to 16: the first range [1, 0x9f) has 0x10. */
	p = frame_alloc_contiguous(&bm, 16, 16);
	HT_EXPECT_EQ(p, 0x10);
	HT_EXPECT(frame_range_all_used(&bm, 0x10, 16));
	HT_EXPECT(frame_is_free(&bm, 0x0f) && frame_is_free(&bm, 0x20));
	HT_EXPECT_EQ(bm.free_frames, RAM_FRAMES - 16);
	/* Unaligned: the lowest run, starting at 1. */
	HT_EXPECT_EQ(frame_alloc_contiguous(&bm, 15, 0), 1);
	/* 0x100 frames aligned to 0x100: [0x100, 0x200) fits, nothing lower. */
	HT_EXPECT_EQ(frame_alloc_contiguous(&bm, 0x100, 0x100), 0x100);
	/* A run that cannot cross the reserved hole at [0x300, 0x305). */
	HT_EXPECT_EQ(frame_alloc_contiguous(&bm, 0x101, 1), 0x200 + 0x105);
	/* Too big for any range (the ranges are not adjacent). */
	HT_EXPECT_EQ(frame_alloc_contiguous(&bm, 0x701, 1), FRAME_NONE);
	HT_EXPECT_EQ(frame_alloc_contiguous(&bm, 0, 1), FRAME_NONE);
	HT_EXPECT_EQ(frame_alloc_contiguous(&bm, 4, 3), FRAME_NONE);
	HT_EXPECT_EQ(frame_alloc_contiguous(&bm, RAM_FRAMES + 1, 1), FRAME_NONE);
	HT_EXPECT_EQ(frame_alloc_contiguous(&bm, 0x700, 0x100), 0x900);
	HT_EXPECT_EQ(bm.free_frames, frame_bitmap_count_free(&bm, 0, NFRAMES));
}

HT_TEST(range_ops_match_bit_model)
{
	static uint8_t model[NFRAMES]; /* 1 = used */
	uint64_t seed = 12345;

	setup();
	for (uint32_t p = 0; p < NFRAMES; p++)
		model[p] = !frame_is_free(&bm, p);
	for (int iter = 0; iter < 100000; iter++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		uint32_t start = (uint32_t)(seed >> 33) % NFRAMES;
		uint32_t count = 1 + (uint32_t)(seed >> 20) % (iter % 2 ? 8 : 200);
		bool all_free = true, all_used = true;

		if (count > NFRAMES - start)
			count = NFRAMES - start;
		for (uint32_t p = start; p < start + count; p++) {
			all_free &= !model[p];
			all_used &= model[p] && frame_is_ram(&bm, p);
		}
		HT_ASSERT_EQ(frame_range_all_free(&bm, start, count), all_free);
		if (all_free) {
			frame_range_set_used(&bm, start, count);
			memset(&model[start], 1, count);
		} else if (all_used) {
			frame_range_set_free(&bm, start, count);
			memset(&model[start], 0, count);
		}
		if (iter % 1000 == 0) {
			uint32_t n = 0;

			for (uint32_t p = 0; p < NFRAMES; p++) {
				HT_ASSERT_EQ(frame_is_free(&bm, p), !model[p]);
				n += !model[p];
			}
			HT_ASSERT_EQ(bm.free_frames, n);
			HT_ASSERT_EQ(frame_bitmap_count_free(&bm, 0, NFRAMES), n);
		}
	}
	HT_EXPECT(!frame_range_all_free(&bm, NFRAMES - 1, 2)); /* out of range */
	HT_EXPECT(!frame_range_all_used(&bm, NFRAMES, 1));
	HT_EXPECT(!frame_range_all_free(&bm, 5, 0));
}

HT_TEST(raw_bitmap_helpers_cross_words)
{
	uint32_t w[4] = { 0, 0, 0, 0 };

	bitmap_set_range(w, 30, 36); /* bits 30..65 */
	HT_EXPECT_EQ(w[0], 0xc0000000u);
	HT_EXPECT_EQ(w[1], 0xffffffffu);
	HT_EXPECT_EQ(w[2], 0x3u);
	HT_EXPECT(bitmap_range_all(w, 30, 36, true));
	HT_EXPECT(!bitmap_range_all(w, 29, 36, true));
	HT_EXPECT(bitmap_range_all(w, 66, 62, false));
	bitmap_clear_range(w, 31, 34); /* leaves 30 and 65 */
	HT_EXPECT_EQ(w[0], 0x40000000u);
	HT_EXPECT_EQ(w[1], 0);
	HT_EXPECT_EQ(w[2], 0x2u);
	bitmap_set_range(w, 96, 32);
	HT_EXPECT_EQ(w[3], 0xffffffffu);
	bitmap_set(w, 7);
	HT_EXPECT(bitmap_test(w, 7));
	bitmap_clear(w, 7);
	HT_EXPECT(!bitmap_test(w, 7));
}

HT_TEST(handover_stops_boot_allocation)
{
	setup();
	HT_ASSERT_EQ(frame_alloc(&bm), 1);
	frame_bitmap_handover(&bm);
	ht_log_clear();
	HT_EXPECT_EQ(frame_alloc(&bm), FRAME_NONE);
	HT_EXPECT(ht_log_contains("after the buddy allocator took over\n"));
	HT_EXPECT_EQ(frame_alloc_contiguous(&bm, 2, 1), FRAME_NONE);
	HT_EXPECT_EQ(frame_free(&bm, 1), -EBUSY);
	HT_EXPECT(ht_log_contains(": the buddy allocator owns free memory\n"));
	HT_EXPECT_EQ(bm.free_frames, RAM_FRAMES - 1);
}

/* Is frame @pfn wholly inside a usable range of map? (the model for init) */
static bool model_ram(uint32_t pfn)
{
	for (uint32_t i = 0; i < map.count; i++) {
		const struct memmap_range *r = &map.ranges[i];

		if (r->type == MEMMAP_USABLE && r->base <= PFN_PHYS(pfn) &&
		    PFN_PHYS(pfn + 1) <= r->end)
			return true;
	}
	return false;
}

HT_TEST(init_random_maps_match_model)
{
	uint64_t seed = 0xb17b17;
	struct memmap_raw r[12];
	int checked = 0;

	ht_log_echo = false;
	for (int iter = 0; iter < 300; iter++) {
		uint32_t n = 1 + (uint32_t)(iter % 12), nframes, words, ram = 0;

		for (uint32_t i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			r[i].base =
			    (seed >> 20) % (3 * 4096 * 0x1000ULL) + ((seed >> 8) & 1 ? 0 : 0x800);
			r[i].len =
			    (seed >> 40) % (300 * 0x1000ULL) + ((seed >> 4) & 1 ? 0x1000 : 7);
			r[i].type = (seed >> 60) % 3 == 0 ? MEMMAP_RESERVED : MEMMAP_USABLE;
		}
		if (memmap_sanitize(&map, r, n, 0) != 0)
			continue;
		nframes = memmap_end_pfn(&map) - (iter % 3 == 0 ? (uint32_t)(seed % 40) : 0);
		if (nframes == 0 || nframes > memmap_end_pfn(&map))
			continue;
		HT_ASSERT_EQ(frame_bitmap_init(&bm, storage, sizeof(storage), nframes, &map), 0);
		words = FRAME_BITMAP_WORDS(nframes);
		for (uint32_t pfn = 0; pfn < words * 32; pfn++) {
			bool want = pfn < nframes && model_ram(pfn);

			HT_ASSERT_EQ(bitmap_test(bm.ram, pfn), want);
			HT_ASSERT_EQ(bitmap_test(bm.used, pfn), !want);
			ram += want;
		}
		HT_ASSERT_EQ(bm.ram_frames, ram);
		HT_ASSERT_EQ(bm.free_frames, ram);
		checked++;
	}
	ht_log_echo = true;
	HT_EXPECT(checked > 250);
}
