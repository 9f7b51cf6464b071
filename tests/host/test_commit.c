/*
 * Host tests of the overcommit arithmetic (mm/commit.c) against a table of cases worked out
 * from Linux 6.1's __vm_enough_memory and vm_commit_limit: each mode's verdict at the edges,
 * CommitLimit's rounding, the reserve a space keeps in mode never, the user reserve's cap,
 * and the mode names both ways.
 */
#include "htest.h"
#include "mm/commit.h"

#include <string.h>

struct commit_case {
	enum overcommit_mode mode;
	uint32_t ratio;
	uint64_t pages, committed, ram, space;
	bool allowed;
};

/* RAM 1,000 pages, no swap, user reserve 10 pages. */
static const struct commit_case cases[] = {
	{ OVERCOMMIT_ALWAYS, 50, 1000000, 5000000, 1000, 0, true },
	{ OVERCOMMIT_GUESS, 50, 1000, 999999, 1000, 0, true }, /* = RAM: allowed */
	{ OVERCOMMIT_GUESS, 50, 1001, 0, 1000, 0, false },     /* one more than RAM */
	{ OVERCOMMIT_NEVER, 50, 499, 0, 1000, 0, true },       /* limit 500: 499 < 500 */
	{ OVERCOMMIT_NEVER, 50, 500, 0, 1000, 0, false },      /* the total must stay below */
	{ OVERCOMMIT_NEVER, 50, 100, 399, 1000, 0, true },     /* 499 */
	{ OVERCOMMIT_NEVER, 50, 100, 400, 1000, 0, false },    /* 500 */
	{ OVERCOMMIT_NEVER, 50, 1, 489, 1000, 640, false },    /* reserve 20 -> 10 (cap): 490 */
	{ OVERCOMMIT_NEVER, 50, 1, 488, 1000, 640, true },     /* 489 < 490 */
	{ OVERCOMMIT_NEVER, 50, 1, 488, 1000, 96, true },      /* reserve 96/32 = 3: 497 */
	{ OVERCOMMIT_NEVER, 100, 999, 0, 1000, 0, true },      /* ratio 100: limit = RAM */
	{ OVERCOMMIT_NEVER, 0, 1, 0, 1000, 0, false },         /* ratio 0: nothing */
	{ OVERCOMMIT_NEVER, 1, 0, 0, 1000, 1000000, false },   /* limit 10, reserve 10: none */
};

HT_TEST(each_mode_decides_as_linux)
{
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct commit_case *c = &cases[i];
		struct commit_policy p = { c->mode, c->ratio, 10 };
		HT_EXPECT(commit_allowed(&p, c->pages, c->committed, c->ram, 0, c->space) ==
		          c->allowed);
	}
}

HT_TEST(commit_limit_is_ram_times_ratio_plus_swap)
{
	HT_EXPECT(commit_limit(1000, 50, 0) == 500);
	HT_EXPECT(commit_limit(1001, 50, 0) == 500); /* rounds down */
	HT_EXPECT(commit_limit(1000, 150, 7) == 1507);
	HT_EXPECT(commit_limit(62000, 50, 0) == 31000);
}

HT_TEST(the_user_reserve_is_a_32nd_of_free_memory_up_to_128_mib)
{
	HT_EXPECT(commit_user_reserve(3200) == 100);
	HT_EXPECT(commit_user_reserve(32u << 20) == 32768); /* 128 MiB of pages */
	HT_EXPECT(commit_user_reserve(0) == 0);
}

HT_TEST(modes_parse_by_name_and_number)
{
	enum overcommit_mode m = OVERCOMMIT_ALWAYS;

	HT_EXPECT(commit_parse_mode("never", &m) && m == OVERCOMMIT_NEVER);
	HT_EXPECT(commit_parse_mode("0", &m) && m == OVERCOMMIT_GUESS);
	HT_EXPECT(commit_parse_mode("always", &m) && m == OVERCOMMIT_ALWAYS);
	HT_EXPECT(commit_parse_mode("2", &m) && m == OVERCOMMIT_NEVER);
	HT_EXPECT(!commit_parse_mode("3", &m) && m == OVERCOMMIT_NEVER);
	HT_EXPECT(!commit_parse_mode("", &m));
	HT_EXPECT(!strcmp(commit_mode_name(OVERCOMMIT_GUESS), "heuristic"));
}
