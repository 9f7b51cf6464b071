/*
 * Host tests for kernel/lib/ksym.c: ksym_lookup_in() on hand-built tables (first, middle and last
 * symbol, addresses before the first symbol and at/after text_end, one-entry and empty
 * tables, a large table against a linear scan) and ksym_snprint() with the host's empty
 * kernel table.
 */
#include "htest.h"

#include <stdint.h>
#include <string.h>

#include "lib/ksym.h"

static const char names[] = "_start\0kmain\0memset\0last_fn";
static const struct ksym syms[] = {
	{ 0xc0100000u, 0 },
	{ 0xc0100040u, 7 },
	{ 0xc0100100u, 13 },
	{ 0xc0100200u, 20 },
};
static const struct ksym_table table = { syms, 4, names, 0xc0100280u };

/* Look @addr up in @t and expect @want_name + @want_off. */
static void expect_sym(const struct ksym_table *t, uint32_t addr, const char *want_name,
                       uint32_t want_off, int line)
{
	const char *name = NULL;
	uint32_t off = 0xdead;
	char m[160];

	if (!ksym_lookup_in(t, addr, &name, &off) || strcmp(name, want_name) != 0 ||
	    off != want_off) {
		snprintf(m, sizeof(m), "0x%08x: got %s+0x%x, want %s+0x%x", addr,
		         name ? name : "(none)", off, want_name, want_off);
		ht_fail(__FILE__, line, m);
	}
}

/* Expect @addr to be outside every symbol of @t, with the outputs untouched. */
static void expect_none(const struct ksym_table *t, uint32_t addr, int line)
{
	const char *name = "untouched";
	uint32_t off = 0xdead;

	if (ksym_lookup_in(t, addr, &name, &off) || strcmp(name, "untouched") != 0 ||
	    off != 0xdead) {
		char m[80];

		snprintf(m, sizeof(m), "0x%08x: found a symbol", addr);
		ht_fail(__FILE__, line, m);
	}
}

#define EXPECT_SYM(t, addr, name, off) expect_sym(t, addr, name, off, __LINE__)
#define EXPECT_NONE(t, addr)           expect_none(t, addr, __LINE__)

HT_TEST(lookup_starts_and_middles)
{
	EXPECT_SYM(&table, 0xc0100000u, "_start", 0);
	EXPECT_SYM(&table, 0xc0100001u, "_start", 1);
	EXPECT_SYM(&table, 0xc010003fu, "_start", 0x3f);
	EXPECT_SYM(&table, 0xc0100040u, "kmain", 0);
	EXPECT_SYM(&table, 0xc0100080u, "kmain", 0x40);
	EXPECT_SYM(&table, 0xc01000ffu, "kmain", 0xbf);
	EXPECT_SYM(&table, 0xc0100100u, "memset", 0);
	EXPECT_SYM(&table, 0xc01001ffu, "memset", 0xff);
}

HT_TEST(lookup_last_symbol_and_text_end)
{
	EXPECT_SYM(&table, 0xc0100200u, "last_fn", 0);
	EXPECT_SYM(&table, 0xc010027fu, "last_fn", 0x7f);
	EXPECT_NONE(&table, 0xc0100280u);
	EXPECT_NONE(&table, 0xc0100281u);
	EXPECT_NONE(&table, 0xffffffffu);
}

HT_TEST(lookup_before_first)
{
	EXPECT_NONE(&table, 0xc00fffffu);
	EXPECT_NONE(&table, 0);
	EXPECT_NONE(&table, 0x00100000u);
}

HT_TEST(lookup_null_outputs)
{
	const char *name = NULL;
	uint32_t off = 0;

	HT_EXPECT(ksym_lookup_in(&table, 0xc0100044u, NULL, NULL));
	HT_EXPECT(ksym_lookup_in(&table, 0xc0100044u, &name, NULL));
	HT_EXPECT(name && strcmp(name, "kmain") == 0);
	HT_EXPECT(ksym_lookup_in(&table, 0xc0100044u, NULL, &off));
	HT_EXPECT_EQ(off, 4);
}

HT_TEST(lookup_single_entry)
{
	static const struct ksym one[] = { { 0x1000u, 0 } };
	static const struct ksym_table t = { one, 1, "only", 0x1010u };

	EXPECT_NONE(&t, 0xfffu);
	EXPECT_SYM(&t, 0x1000u, "only", 0);
	EXPECT_SYM(&t, 0x100fu, "only", 0xf);
	EXPECT_NONE(&t, 0x1010u);
}

HT_TEST(lookup_empty_table)
{
	static const struct ksym_table empty = { NULL, 0, "", 0 };
	static const struct ksym_table empty_with_end = { NULL, 0, "", 0xffffffffu };

	EXPECT_NONE(&empty, 0);
	EXPECT_NONE(&empty, 0xc0100000u);
	EXPECT_NONE(&empty_with_end, 0);
	EXPECT_NONE(&empty_with_end, 0xc0100000u);
	EXPECT_NONE(NULL, 0xc0100000u);
	EXPECT_NONE(&ksym_kernel_table, 0xc0100000u); /* the host stub is empty */
}

HT_TEST(lookup_up_to_top_of_address_space)
{
	static const struct ksym top[] = { { 0xfffffff0u, 0 }, { 0xfffffff8u, 2 } };
	static const struct ksym_table t = { top, 2, "a\0b", 0xffffffffu };

	EXPECT_SYM(&t, 0xfffffff0u, "a", 0);
	EXPECT_SYM(&t, 0xfffffff7u, "a", 7);
	EXPECT_SYM(&t, 0xfffffffeu, "b", 6);
	EXPECT_NONE(&t, 0xffffffffu);
}

/* Many symbols with uneven gaps, checked against a linear scan at every boundary. */
HT_TEST(lookup_large_table_matches_linear_scan)
{
	enum { N = 1000 };
	static struct ksym big[N];
	static char bignames[N * 8];
	struct ksym_table t = { big, N, bignames, 0 };
	uint32_t addr = 0xc0100000u;
	uint32_t probe;
	int i, j;

	for (i = 0; i < N; i++) {
		big[i].addr = addr;
		big[i].name_off = (uint32_t)(i * 8);
		snprintf(bignames + i * 8, 8, "f%u", (unsigned int)i % 1000u);
		addr += 1 + (uint32_t)((i * 37) % 97);
	}
	t.text_end = addr;

	for (i = 0; i < N; i++) {
		for (j = -1; j <= 1; j++) {
			const char *name;
			uint32_t off;
			int k, want = -1;

			probe = big[i].addr + (uint32_t)j;
			for (k = 0; k < N; k++) {
				if (big[k].addr <= probe)
					want = k;
			}
			if (probe >= t.text_end)
				want = -1;
			if (want < 0) {
				HT_ASSERT(!ksym_lookup_in(&t, probe, &name, &off));
				continue;
			}
			HT_ASSERT(ksym_lookup_in(&t, probe, &name, &off));
			HT_ASSERT(name == bignames + want * 8);
			HT_ASSERT_EQ(off, probe - big[want].addr);
		}
	}
	probe = t.text_end - 1;
	HT_EXPECT(ksym_lookup_in(&t, probe, NULL, NULL));
	HT_EXPECT(!ksym_lookup_in(&t, t.text_end, NULL, NULL));
}

HT_TEST(snprint_unknown_address)
{
	char buf[32];

	HT_EXPECT_EQ(ksym_snprint(buf, sizeof(buf), 0xc0101234u), 10);
	HT_EXPECT(strcmp(buf, "0xc0101234") == 0);
	HT_EXPECT_EQ(ksym_snprint(buf, sizeof(buf), 0x42), 10);
	HT_EXPECT(strcmp(buf, "0x00000042") == 0);
	HT_EXPECT_EQ(ksym_snprint(buf, 5, 0x42), 10); /* truncated, full length returned */
	HT_EXPECT(strcmp(buf, "0x00") == 0);
}
