/*
 * Host tests of the OOM victim choice (mm/oom.c) against cases worked out from Linux 6.1's
 * oom_badness, select_bad_process and proc_oom_score: the score's parts, oom_score_adj's
 * scaling by total/1000, -1000 and unkillable never chosen, ties to the later candidate,
 * nothing killable, and /proc's 0..2000 scale.
 */
#include "htest.h"
#include "mm/oom.h"

#define TOTAL 100000u /* pages of RAM: adj counts 100 pages per unit */

HT_TEST(badness_is_rss_plus_tables_plus_scaled_adj)
{
	struct oom_candidate c = { .rss_pages = 500, .pt_pages = 3, .adj = 0 };
	HT_EXPECT_EQ(oom_badness(&c, TOTAL), 503);
	c.adj = 10;
	HT_EXPECT_EQ(oom_badness(&c, TOTAL), 503 + 10 * 100);
	c.adj = -5;
	HT_EXPECT_EQ(oom_badness(&c, TOTAL), 3); /* 503 - 500 */
	c.adj = -999;
	HT_EXPECT_EQ(oom_badness(&c, TOTAL), 503 - 99900); /* negative, still a candidate */
	c.adj = 1000;
	HT_EXPECT_EQ(oom_badness(&c, 999), 503); /* total / 1000 = 0: adj counts nothing */
}

HT_TEST(minus_1000_and_unkillable_score_none)
{
	struct oom_candidate c = { .rss_pages = 90000, .adj = OOM_SCORE_ADJ_MIN };
	HT_EXPECT_EQ(oom_badness(&c, TOTAL), OOM_BADNESS_NONE);
	c.adj = 0;
	c.unkillable = true;
	HT_EXPECT_EQ(oom_badness(&c, TOTAL), OOM_BADNESS_NONE);
}

struct choose_case {
	unsigned n;
	struct oom_candidate c[4];
	int victim;
};

static const struct choose_case choose_cases[] = {
	{ 0, { { 0 } }, -1 },              /* nobody */
	{ 1, { { 10, 1, 0, false } }, 0 }, /* the only one */
	{ 3, { { 10, 1, 0, false }, { 900, 2, 0, false }, { 50, 1, 0, false } }, 1 }, /* biggest */
	{ 2, { { 900, 0, 0, false }, { 100, 0, 9, false } }, 1 },    /* adj 9: 100 + 900 = 1000 */
	{ 2, { { 900, 0, 0, false }, { 100, 0, 8, false } }, 1 },    /* adj 8: 900, a tie */
	{ 2, { { 900, 0, 0, false }, { 100, 0, 7, false } }, 0 },    /* adj 7: 800 */
	{ 2, { { 500, 0, 0, false }, { 500, 0, 0, false } }, 1 },    /* tie: the later */
	{ 2, { { 900, 9, -1000, false }, { 1, 0, 0, false } }, 1 },  /* -1000 spared */
	{ 2, { { 900, 9, 0, true }, { 1, 0, 0, false } }, 1 },       /* init spared */
	{ 2, { { 900, 9, -1000, false }, { 5, 0, 0, true } }, -1 },  /* nothing killable */
	{ 2, { { 1, 0, -999, false }, { 0, 0, -1000, false } }, 0 }, /* negative score chosen */
	{ 3, { { 5, 0, -50, false }, { 1, 0, -60, false }, { 9, 0, -50, false } }, 2 },
};

HT_TEST(choice_follows_select_bad_process)
{
	for (unsigned i = 0; i < sizeof(choose_cases) / sizeof(choose_cases[0]); i++) {
		const struct choose_case *k = &choose_cases[i];
		int got = oom_choose(k->c, k->n, 1000 * 100); /* adj unit = 100 pages */
		HT_EXPECT_EQ(got, k->victim);
	}
}

HT_TEST(proc_oom_score_scale)
{
	HT_EXPECT_EQ(oom_score_scaled(OOM_BADNESS_NONE, TOTAL), 0u);
	HT_EXPECT_EQ(oom_score_scaled(0, TOTAL), 666u);          /* 1000 * 2 / 3 */
	HT_EXPECT_EQ(oom_score_scaled(TOTAL, TOTAL), 1333u);     /* all of RAM: 2000 * 2 / 3 */
	HT_EXPECT_EQ(oom_score_scaled(TOTAL / 2, TOTAL), 1000u); /* 1500 * 2 / 3 */
	HT_EXPECT_EQ(oom_score_scaled(-2 * (int64_t)TOTAL, TOTAL), 0u); /* clamped */
	HT_EXPECT_EQ(oom_score_scaled(5, 0), 0u);
}
