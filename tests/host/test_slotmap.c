/*
 * Host tests for lib/slotmap (include/lib/slotmap.h, kernel/lib/slotmap.c): lowest-first
 * allocation, a full table, a table whose size is not a multiple of 32 (the last word's
 * spare bits are never handed out), first-fit runs across word boundaries and past whole
 * taken words, failures that change nothing, and a long random sequence against a
 * bool-per-slot model.
 */
#include "htest.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lib/slotmap.h"

#define NSLOTS 100u /* three whole words and four bits of a fourth */

static uint32_t words[SLOTMAP_WORDS(NSLOTS)];
static struct slotmap map = SLOTMAP_INIT(words, NSLOTS);

/* A fresh, empty table (the spare bits of the last word included). */
static void setup(void)
{
	slotmap_reset(&map);
	HT_EXPECT_EQ(words[SLOTMAP_WORDS(NSLOTS) - 1], 0);
}

/* Number of taken slots. */
static uint32_t taken(void)
{
	uint32_t n = 0;

	for (uint32_t s = 0; s < NSLOTS; s++)
		n += slotmap_test(&map, s);
	return n;
}

HT_TEST(alloc_is_lowest_first)
{
	setup();
	HT_EXPECT_EQ(slotmap_alloc(&map), 0);
	HT_EXPECT_EQ(slotmap_alloc(&map), 1);
	HT_EXPECT_EQ(slotmap_alloc(&map), 2);
	slotmap_free(&map, 1);
	HT_EXPECT(!slotmap_test(&map, 1));
	HT_EXPECT_EQ(slotmap_alloc(&map), 1);
	HT_EXPECT_EQ(taken(), 3);
}

HT_TEST(full_table_fails_and_changes_nothing)
{
	setup();
	for (uint32_t s = 0; s < NSLOTS; s++)
		HT_ASSERT_EQ(slotmap_alloc(&map), s);
	HT_EXPECT_EQ(slotmap_alloc(&map), NSLOTS); /* not 100..127: those bits are not slots */
	HT_EXPECT_EQ(words[SLOTMAP_WORDS(NSLOTS) - 1], 0xFu);
	HT_EXPECT_EQ(slotmap_alloc_run(&map, 1), NSLOTS);
	slotmap_free(&map, 64);
	HT_EXPECT_EQ(slotmap_alloc(&map), 64);
}

HT_TEST(free_of_a_free_slot_changes_nothing)
{
	setup();
	slotmap_free(&map, 5);
	HT_EXPECT_EQ(taken(), 0);
	slotmap_set(&map, 5);
	HT_EXPECT(slotmap_test(&map, 5));
	HT_EXPECT_EQ(slotmap_alloc(&map), 0);
	HT_EXPECT_EQ(taken(), 2);
}

HT_TEST(run_is_first_fit_across_words)
{
	setup();
	/* taken: [0, 30) and 33; free: 30..32 (three slots across the word boundary), 34.. */
	HT_ASSERT_EQ(slotmap_alloc_run(&map, 30), 0);
	slotmap_set(&map, 33);
	HT_EXPECT_EQ(slotmap_alloc_run(&map, 4), 34); /* 30..32 is too short */
	HT_EXPECT_EQ(slotmap_alloc_run(&map, 3), 30); /* now it fits exactly */
	for (uint32_t s = 30; s < 38; s++)
		HT_EXPECT(slotmap_test(&map, s));
	HT_EXPECT_EQ(taken(), 38);
}

HT_TEST(run_skips_whole_taken_words)
{
	setup();
	HT_ASSERT_EQ(slotmap_alloc_run(&map, 64), 0); /* two whole words */
	HT_EXPECT_EQ(words[0], UINT32_MAX);
	HT_EXPECT_EQ(words[1], UINT32_MAX);
	HT_EXPECT_EQ(slotmap_alloc_run(&map, 36), 64); /* the rest, exactly: ends at NSLOTS */
	HT_EXPECT_EQ(taken(), NSLOTS);
	HT_EXPECT_EQ(words[SLOTMAP_WORDS(NSLOTS) - 1], 0xFu);
}

HT_TEST(run_failures_change_nothing)
{
	setup();
	slotmap_set(&map, 50);
	HT_EXPECT_EQ(slotmap_alloc_run(&map, 0), NSLOTS);
	HT_EXPECT_EQ(slotmap_alloc_run(&map, NSLOTS + 1), NSLOTS);
	HT_EXPECT_EQ(slotmap_alloc_run(&map, 51), NSLOTS); /* 50 free each side of slot 50 */
	HT_EXPECT_EQ(taken(), 1);
	HT_EXPECT_EQ(slotmap_alloc_run(&map, 50), 0);
	HT_EXPECT_EQ(slotmap_alloc_run(&map, 49), 51); /* ends at slot 99, the last */
	HT_EXPECT_EQ(taken(), NSLOTS);
}

HT_TEST(free_run_and_reset)
{
	setup();
	HT_ASSERT_EQ(slotmap_alloc_run(&map, 80), 0);
	slotmap_free_run(&map, 10, 40);
	HT_EXPECT_EQ(taken(), 40);
	HT_EXPECT(slotmap_test(&map, 9) && !slotmap_test(&map, 10));
	HT_EXPECT(!slotmap_test(&map, 49) && slotmap_test(&map, 50));
	HT_EXPECT_EQ(slotmap_alloc_run(&map, 40), 10);
	slotmap_reset(&map);
	HT_EXPECT_EQ(taken(), 0);
}

/* The model's answer for a first-fit run of @n: its start, or NSLOTS. */
static uint32_t model_run(const bool *model, uint32_t n)
{
	uint32_t run = 0;

	for (uint32_t s = 0; s < NSLOTS; s++) {
		run = model[s] ? 0 : run + 1;
		if (run == n)
			return s + 1 - n;
	}
	return NSLOTS;
}

HT_TEST(random_operations_match_a_model)
{
	bool model[NSLOTS];
	uint64_t seed = 0x5107A9u;

	setup();
	memset(model, 0, sizeof(model));
	for (int step = 0; step < 20000; step++) {
		uint64_t r = ht_xorshift64(&seed);
		uint32_t s = (uint32_t)(r >> 8) % NSLOTS;
		uint32_t n = 1 + (uint32_t)(r >> 24) % 12;

		switch (r % 4) {
		case 0: { /* one slot */
			uint32_t want = model_run(model, 1);
			HT_ASSERT_EQ(slotmap_alloc(&map), want);
			if (want < NSLOTS)
				model[want] = true;
			break;
		}
		case 1: { /* a run */
			uint32_t want = model_run(model, n);
			HT_ASSERT_EQ(slotmap_alloc_run(&map, n), want);
			for (uint32_t i = 0; want < NSLOTS && i < n; i++)
				model[want + i] = true;
			break;
		}
		case 2:
			slotmap_free(&map, s);
			model[s] = false;
			break;
		default:
			if (s + n > NSLOTS)
				n = NSLOTS - s;
			slotmap_free_run(&map, s, n);
			for (uint32_t i = 0; i < n; i++)
				model[s + i] = false;
			break;
		}
		for (uint32_t i = 0; i < NSLOTS; i++)
			HT_ASSERT_EQ(slotmap_test(&map, i), model[i]);
		HT_ASSERT_EQ(words[SLOTMAP_WORDS(NSLOTS) - 1] >> (NSLOTS % 32), 0);
	}
}
