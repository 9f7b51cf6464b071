/*
 * Host tests for mm/memmap.c: sanitizing hostile boot loader maps, mem= clipping, named
 * reservations, metadata allocation, iteration and the boot-time print format.
 */
#include "htest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "mm/memmap.h"
#include "mm/page.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

static struct memmap map;

/* Expect range @i to be [base, end) of @type (and @name, may be NULL). */
static bool range_is(uint32_t i, uint64_t base, uint64_t end, uint32_t type, const char *name)
{
	const struct memmap_range *r = &map.ranges[i];

	if (i >= map.count || r->base != base || r->end != end || r->type != type)
		return false;
	if (name == NULL)
		return r->name == NULL;
	return r->name != NULL && strcmp(r->name, name) == 0;
}

/* The structural invariants every sanitized map must satisfy. */
static bool map_well_formed(void)
{
	for (uint32_t i = 0; i < map.count; i++) {
		const struct memmap_range *r = &map.ranges[i];

		if (r->base >= r->end || r->end > PHYS_LIMIT)
			return false;
		if (r->type < MEMMAP_USABLE || r->type > MEMMAP_KERNEL)
			return false;
		if (i > 0) {
			const struct memmap_range *p = &map.ranges[i - 1];

			if (p->end > r->base)
				return false; /* overlap or unsorted */
			if (p->end == r->base && p->type == r->type &&
			    ((p->name == NULL && r->name == NULL) ||
			     (p->name && r->name && strcmp(p->name, r->name) == 0)))
				return false; /* should have merged */
		}
	}
	return true;
}

/* The type the map gives address @a (0 = hole). */
static uint32_t type_at(uint64_t a)
{
	for (uint32_t i = 0; i < map.count; i++)
		if (map.ranges[i].base <= a && a < map.ranges[i].end)
			return map.ranges[i].type;
	return 0;
}

static const struct memmap_raw qemu_128m[] = {
	{ 0x0, 0x9fc00, 1 },        { 0x9fc00, 0x400, 2 },     { 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7ee0000, 1 }, { 0x7fe0000, 0x20000, 2 }, { 0xfffc0000, 0x40000, 2 },
};

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

HT_TEST(sanitize_qemu_map_as_is)
{
	HT_ASSERT_EQ(memmap_sanitize(&map, qemu_128m, N(qemu_128m), 0), 0);
	HT_ASSERT_EQ(map.count, 6);
	HT_EXPECT(range_is(0, 0x0, 0x9fc00, MEMMAP_USABLE, NULL));
	HT_EXPECT(range_is(1, 0x9fc00, 0xa0000, MEMMAP_RESERVED, NULL));
	HT_EXPECT(range_is(2, 0xf0000, 0x100000, MEMMAP_RESERVED, NULL));
	HT_EXPECT(range_is(3, 0x100000, 0x7fe0000, MEMMAP_USABLE, NULL));
	HT_EXPECT(range_is(4, 0x7fe0000, 0x8000000, MEMMAP_RESERVED, NULL));
	HT_EXPECT(range_is(5, 0xfffc0000, 0x100000000ULL, MEMMAP_RESERVED, NULL));
	HT_EXPECT_EQ(memmap_usable_bytes(&map), 0x9fc00 + 0x7ee0000);
	HT_EXPECT_EQ(memmap_end_pfn(&map), 0x7fe0);
	HT_EXPECT(map_well_formed());
	HT_EXPECT(!ht_log_contains("4 GiB")); /* the range ending exactly at 4 GiB is not cut */
}

HT_TEST(sanitize_unsorted_gives_same_map)
{
	struct memmap_raw shuffled[N(qemu_128m)];
	static const int order[] = { 5, 3, 0, 4, 1, 2 };
	struct memmap sorted;

	for (unsigned i = 0; i < N(qemu_128m); i++)
		shuffled[i] = qemu_128m[order[i]];
	HT_ASSERT_EQ(memmap_sanitize(&sorted, qemu_128m, N(qemu_128m), 0), 0);
	HT_ASSERT_EQ(memmap_sanitize(&map, shuffled, N(shuffled), 0), 0);
	HT_ASSERT_EQ(map.count, sorted.count);
	for (uint32_t i = 0; i < map.count; i++) {
		HT_EXPECT_EQ(map.ranges[i].base, sorted.ranges[i].base);
		HT_EXPECT_EQ(map.ranges[i].end, sorted.ranges[i].end);
		HT_EXPECT_EQ(map.ranges[i].type, sorted.ranges[i].type);
	}
}

HT_TEST(sanitize_reserved_wins_over_usable)
{
	static const struct memmap_raw raw[] = {
		{ 0, 16 * MiB, MEMMAP_USABLE },
		{ 4 * MiB, 1 * MiB, MEMMAP_RESERVED },
		{ 15 * MiB, 4 * MiB, MEMMAP_ACPI_NVS }, /* sticks out past the usable range */
	};

	HT_ASSERT_EQ(memmap_sanitize(&map, raw, N(raw), 0), 0);
	HT_ASSERT_EQ(map.count, 4);
	HT_EXPECT(range_is(0, 0, 4 * MiB, MEMMAP_USABLE, NULL));
	HT_EXPECT(range_is(1, 4 * MiB, 5 * MiB, MEMMAP_RESERVED, NULL));
	HT_EXPECT(range_is(2, 5 * MiB, 15 * MiB, MEMMAP_USABLE, NULL));
	HT_EXPECT(range_is(3, 15 * MiB, 19 * MiB, MEMMAP_ACPI_NVS, NULL));
}

HT_TEST(sanitize_reserved_kinds_higher_code_wins)
{
	static const struct memmap_raw raw[] = {
		{ 0x100000, 0x100000, MEMMAP_RESERVED },
		{ 0x180000, 0x100000, MEMMAP_BAD },
		{ 0x140000, 0x10000, MEMMAP_ACPI_RECLAIM },
		{ 0x100000, 0x400000, MEMMAP_USABLE },
	};

	HT_ASSERT_EQ(memmap_sanitize(&map, raw, N(raw), 0), 0);
	HT_ASSERT_EQ(map.count, 5);
	HT_EXPECT(range_is(0, 0x100000, 0x140000, MEMMAP_RESERVED, NULL));
	HT_EXPECT(range_is(1, 0x140000, 0x150000, MEMMAP_ACPI_RECLAIM, NULL));
	HT_EXPECT(range_is(2, 0x150000, 0x180000, MEMMAP_RESERVED, NULL));
	HT_EXPECT(range_is(3, 0x180000, 0x280000, MEMMAP_BAD, NULL));
	HT_EXPECT(range_is(4, 0x280000, 0x500000, MEMMAP_USABLE, NULL));
}

HT_TEST(sanitize_merges_adjacent_and_overlapping_same_type)
{
	static const struct memmap_raw raw[] = {
		{ 2 * MiB, 1 * MiB, MEMMAP_USABLE },
		{ 1 * MiB, 1 * MiB, MEMMAP_USABLE },        /* adjacent below */
		{ 2 * MiB + 4096, 2 * MiB, MEMMAP_USABLE }, /* overlapping */
		{ 4 * MiB + 4096, 1 * MiB, MEMMAP_USABLE }, /* adjacent above */
		{ 8 * MiB, 4096, MEMMAP_RESERVED },
		{ 8 * MiB + 4096, 4096, MEMMAP_RESERVED },
	};

	HT_ASSERT_EQ(memmap_sanitize(&map, raw, N(raw), 0), 0);
	HT_ASSERT_EQ(map.count, 2);
	HT_EXPECT(range_is(0, 1 * MiB, 5 * MiB + 4096, MEMMAP_USABLE, NULL));
	HT_EXPECT(range_is(1, 8 * MiB, 8 * MiB + 8192, MEMMAP_RESERVED, NULL));
}

HT_TEST(sanitize_drops_zero_length)
{
	static const struct memmap_raw raw[] = {
		{ 0x5000, 0, MEMMAP_RESERVED }, /* would split the usable range if kept */
		{ 0, 0x10000, MEMMAP_USABLE },
		{ 0x20000, 0, MEMMAP_USABLE },
	};

	HT_ASSERT_EQ(memmap_sanitize(&map, raw, N(raw), 0), 0);
	HT_ASSERT_EQ(map.count, 1);
	HT_EXPECT(range_is(0, 0, 0x10000, MEMMAP_USABLE, NULL));
}

HT_TEST(sanitize_wrapping_entry_ends_at_4g)
{
	static const struct memmap_raw raw[] = {
		{ 0x100000, 0x100000, MEMMAP_USABLE },
		{ 0xfff00000, UINT64_MAX - 0x1000, MEMMAP_RESERVED }, /* base + len wraps */
	};

	HT_ASSERT_EQ(memmap_sanitize(&map, raw, N(raw), 0), 0);
	HT_ASSERT_EQ(map.count, 2);
	HT_EXPECT(range_is(1, 0xfff00000, PHYS_LIMIT, MEMMAP_RESERVED, NULL));
	HT_EXPECT_EQ(ht_log_count("4 GiB"), 1);
}

HT_TEST(sanitize_above_4g_ignored_with_one_line)
{
	static const struct memmap_raw raw[] = {
		{ 0x100000, 0x1000000, MEMMAP_USABLE },
		{ 0x100000000ULL, 4 * GiB, MEMMAP_USABLE },
		{ 3 * GiB, 2 * GiB, MEMMAP_USABLE }, /* straddles 4 GiB */
		{ 0x200000000ULL, 0x1000, MEMMAP_RESERVED },
		{ UINT64_MAX - 0xfff, 0x1000, MEMMAP_USABLE },
	};

	ht_log_clear();
	HT_ASSERT_EQ(memmap_sanitize(&map, raw, N(raw), 0), 0);
	HT_ASSERT_EQ(map.count, 2);
	HT_EXPECT(range_is(0, 0x100000, 0x1100000, MEMMAP_USABLE, NULL));
	HT_EXPECT(range_is(1, 3 * GiB, 4 * GiB, MEMMAP_USABLE, NULL));
	HT_EXPECT_EQ(ht_log_count("\n"), 1);
	HT_EXPECT(ht_log_contains("mm: ignoring memory at or above 4 GiB (4 map entries cut)\n"));
	HT_EXPECT_EQ(memmap_end_pfn(&map), PHYS_LIMIT_PFN);

	/* One byte past 4 GiB is cut too; ending exactly at 4 GiB is not. */
	static const struct memmap_raw edge[] = { { 0xfffff000, 0x1001, MEMMAP_USABLE } };
	ht_log_clear();
	HT_ASSERT_EQ(memmap_sanitize(&map, edge, 1, 0), 0);
	HT_EXPECT(range_is(0, 0xfffff000, PHYS_LIMIT, MEMMAP_USABLE, NULL));
	HT_EXPECT(ht_log_contains("(1 map entries cut)"));
}

HT_TEST(sanitize_all_reserved_is_enomem)
{
	static const struct memmap_raw raw[] = {
		{ 0, 0x100000, MEMMAP_RESERVED },
		{ 0x100000, 0x100000, MEMMAP_BAD },
	};

	HT_EXPECT_EQ(memmap_sanitize(&map, raw, N(raw), 0), -ENOMEM);
	HT_EXPECT_EQ(map.count, 2); /* still filled, to print */
	HT_EXPECT_EQ(memmap_usable_bytes(&map), 0);
	HT_EXPECT_EQ(memmap_end_pfn(&map), 0);
	HT_EXPECT(ht_log_contains("mm: memory map has no usable RAM\n"));
}

HT_TEST(sanitize_empty_and_null)
{
	HT_EXPECT_EQ(memmap_sanitize(&map, NULL, 0, 0), -ENOMEM);
	HT_EXPECT_EQ(map.count, 0);
	HT_EXPECT_EQ(memmap_sanitize(&map, NULL, 3, 0), -EINVAL);
	HT_EXPECT_EQ(memmap_sanitize(NULL, qemu_128m, 1, 0), -EINVAL);
}

HT_TEST(sanitize_tiny_maps)
{
	static const struct memmap_raw half_page[] = { { 0x1000, 0x800, MEMMAP_USABLE } };
	static const struct memmap_raw straddle[] = { { 0x1800, 0x1000, MEMMAP_USABLE } };
	static const struct memmap_raw one_page[] = { { 0x1000, 0x1000, MEMMAP_USABLE } };

	HT_EXPECT_EQ(memmap_sanitize(&map, half_page, 1, 0), -ENOMEM);
	HT_EXPECT_EQ(memmap_sanitize(&map, straddle, 1, 0), -ENOMEM); /* no whole frame */
	HT_EXPECT_EQ(memmap_usable_bytes(&map), 0x1000);
	HT_EXPECT_EQ(memmap_sanitize(&map, one_page, 1, 0), 0);
	HT_EXPECT_EQ(memmap_end_pfn(&map), 2);
}

HT_TEST(sanitize_too_many_entries_uses_first_64)
{
	struct memmap_raw raw[100];

	for (unsigned i = 0; i < 100; i++) /* disjoint, alternating types, 64 KiB apart */
		raw[i] = (struct memmap_raw){ i * 0x20000ULL, 0x10000, (i % 2) ? 2u : 1u };
	ht_log_clear();
	HT_ASSERT_EQ(memmap_sanitize(&map, raw, 100, 0), 0);
	HT_EXPECT_EQ(map.count, MEMMAP_MAX_RAW);
	HT_EXPECT_EQ(map.ranges[map.count - 1].base, 63 * 0x20000ULL);
	HT_EXPECT(
	    ht_log_contains("mm: memory map has 100 entries; ignoring all but the first 64\n"));
	HT_EXPECT_EQ(ht_log_count("\n"), 1);
	HT_EXPECT(map_well_formed());
}

HT_TEST(sanitize_worst_case_fills_without_overflow)
{
	struct memmap_raw raw[MEMMAP_MAX_RAW];

	/* Nested entries: every base and end distinct, 127 pieces, alternating winners. */
	for (unsigned i = 0; i < MEMMAP_MAX_RAW; i++)
		raw[i] =
		    (struct memmap_raw){ i * 0x1000ULL, (2 * MEMMAP_MAX_RAW - 2 * i) * 0x1000ULL,
			                 (i % 2) ? 2u : 1u };
	HT_ASSERT_EQ(memmap_sanitize(&map, raw, MEMMAP_MAX_RAW, 0), 0);
	HT_EXPECT(map.count <= MEMMAP_MAX_RANGES);
	HT_EXPECT(map_well_formed());
	/* Reserved entries are odd and nested inside even ones: only [0, 0x1000) of entry 0 and
	 * its mirror at the top stay usable. */
	HT_EXPECT_EQ(type_at(0), MEMMAP_USABLE);
	HT_EXPECT_EQ(type_at(0x1000), MEMMAP_RESERVED);
	HT_EXPECT_EQ(type_at(2 * MEMMAP_MAX_RAW * 0x1000ULL - 1), MEMMAP_USABLE);
}

HT_TEST(sanitize_unknown_types_are_reserved)
{
	static const struct memmap_raw raw[] = {
		{ 0, 0x100000, MEMMAP_USABLE },
		{ 0x10000, 0x1000, 0 },
		{ 0x20000, 0x1000, 7 },
		{ 0x30000, 0x1000, 0xffffffffu },
	};

	HT_ASSERT_EQ(memmap_sanitize(&map, raw, N(raw), 0), 0);
	HT_EXPECT_EQ(type_at(0x10000), MEMMAP_RESERVED);
	HT_EXPECT_EQ(type_at(0x20800), MEMMAP_RESERVED);
	HT_EXPECT_EQ(type_at(0x30fff), MEMMAP_RESERVED);
	HT_EXPECT_EQ(type_at(0x31000), MEMMAP_USABLE);
	HT_EXPECT_EQ(map.count, 7);
}

HT_TEST(sanitize_mem_limit_clips_usable_only)
{
	static const struct memmap_raw raw[] = {
		{ 0x100000, 128 * MiB, MEMMAP_USABLE },
		{ 200 * MiB, 16 * MiB, MEMMAP_USABLE },        /* entirely above: dropped */
		{ 64 * MiB + 0x800, 0x1000, MEMMAP_RESERVED }, /* reserved above: kept */
	};

	ht_log_clear();
	HT_ASSERT_EQ(memmap_sanitize(&map, raw, N(raw), 64 * MiB), 0);
	HT_EXPECT_EQ(map.mem_limit, 64 * MiB);
	HT_ASSERT_EQ(map.count, 2);
	HT_EXPECT(range_is(0, 0x100000, 64 * MiB, MEMMAP_USABLE, NULL));
	HT_EXPECT(range_is(1, 64 * MiB + 0x800, 64 * MiB + 0x1800, MEMMAP_RESERVED, NULL));
	HT_EXPECT_EQ(memmap_end_pfn(&map), (64 * MiB) >> PAGE_SHIFT);
	HT_EXPECT(ht_log_contains("mm: mem= limit: ignoring usable RAM at or above 0x4000000\n"));
	/* A limit below all RAM leaves none. */
	HT_EXPECT_EQ(memmap_sanitize(&map, raw, N(raw), 0x100000), -ENOMEM);
	/* An unaligned limit: the last partial frame is not a whole frame. */
	HT_ASSERT_EQ(memmap_sanitize(&map, raw, N(raw), 32 * MiB + 0x800), 0);
	HT_EXPECT_EQ(map.ranges[0].end, 32 * MiB + 0x800);
	HT_EXPECT_EQ(memmap_end_pfn(&map), (32 * MiB) >> PAGE_SHIFT);
}

HT_TEST(next_usable_gives_whole_frames)
{
	static const struct memmap_raw raw[] = {
		{ 0x500, 0x3300, MEMMAP_USABLE }, /* [0x500, 0x3800): frames 1, 2 */
		{ 0x3800, 0x800, MEMMAP_RESERVED },
		{ 0x5000, 0x800, MEMMAP_USABLE }, /* no whole frame: skipped */
		{ 0x10000, 0x10000, MEMMAP_USABLE },
	};
	uint32_t cursor = 0, s, e;

	HT_ASSERT_EQ(memmap_sanitize(&map, raw, N(raw), 0), 0);
	HT_ASSERT(memmap_next_usable(&map, &cursor, &s, &e));
	HT_EXPECT_EQ(s, 1);
	HT_EXPECT_EQ(e, 3);
	HT_ASSERT(memmap_next_usable(&map, &cursor, &s, &e));
	HT_EXPECT_EQ(s, 0x10);
	HT_EXPECT_EQ(e, 0x20);
	HT_EXPECT(!memmap_next_usable(&map, &cursor, &s, &e));
	HT_EXPECT(!memmap_next_usable(&map, &cursor, &s, &e));
}

HT_TEST(reserve_carves_named_ranges)
{
	HT_ASSERT_EQ(memmap_sanitize(&map, qemu_128m, N(qemu_128m), 0), 0);
	HT_ASSERT_EQ(memmap_reserve(&map, 0, 0x100000, "first 1 MiB"), 0);
	HT_ASSERT_EQ(memmap_reserve(&map, 0x100000, 0x80000, "kernel image"), 0);
	HT_ASSERT_EQ(memmap_reserve(&map, 0x200000, 0x1000, "multiboot info"), 0);
	HT_EXPECT(map_well_formed());
	/* first 1 MiB: only the usable part becomes a named range; firmware ranges stay. */
	HT_EXPECT(range_is(0, 0, 0x9fc00, MEMMAP_KERNEL, "first 1 MiB"));
	HT_EXPECT(range_is(1, 0x9fc00, 0xa0000, MEMMAP_RESERVED, NULL));
	HT_EXPECT(range_is(2, 0xf0000, 0x100000, MEMMAP_RESERVED, NULL));
	HT_EXPECT(range_is(3, 0x100000, 0x180000, MEMMAP_KERNEL, "kernel image"));
	HT_EXPECT(range_is(4, 0x180000, 0x200000, MEMMAP_USABLE, NULL));
	HT_EXPECT(range_is(5, 0x200000, 0x201000, MEMMAP_KERNEL, "multiboot info"));
	HT_EXPECT(range_is(6, 0x201000, 0x7fe0000, MEMMAP_USABLE, NULL));
	HT_EXPECT_EQ(memmap_usable_bytes(&map), 0x80000 + 0x7fe0000 - 0x201000);

	/* Same name, touching: merges. Different name, touching: stays separate. */
	HT_ASSERT_EQ(memmap_reserve(&map, 0x180000, 0x1000, "kernel image"), 0);
	HT_EXPECT(range_is(3, 0x100000, 0x181000, MEMMAP_KERNEL, "kernel image"));
	HT_ASSERT_EQ(memmap_reserve(&map, 0x181000, 0x1000, "boot page tables"), 0);
	HT_EXPECT(range_is(4, 0x181000, 0x182000, MEMMAP_KERNEL, "boot page tables"));
	HT_EXPECT(map_well_formed());

	/* Reserving over reserved / absent memory changes nothing. */
	uint32_t before = map.count;
	HT_EXPECT_EQ(memmap_reserve(&map, 0x9fc00, 0x400, "x"), 0);
	HT_EXPECT_EQ(memmap_reserve(&map, 0x10000000, 0x1000, "x"), 0);
	HT_EXPECT_EQ(memmap_reserve(&map, 5 * GiB, 0x1000, "x"), 0);
	HT_EXPECT_EQ(map.count, before);

	/* A range spanning several usable ranges takes the usable parts of each. */
	HT_ASSERT_EQ(memmap_reserve(&map, 0x7f00000, 0x8000000, "top"), 0);
	HT_EXPECT_EQ(type_at(0x7f00000), MEMMAP_KERNEL);
	HT_EXPECT_EQ(type_at(0x7fe0000), MEMMAP_RESERVED);
	HT_EXPECT_EQ(type_at(0xfffc0000), MEMMAP_RESERVED);
	HT_EXPECT(map_well_formed());
}

HT_TEST(reserve_rejects_bad_arguments)
{
	HT_ASSERT_EQ(memmap_sanitize(&map, qemu_128m, N(qemu_128m), 0), 0);
	HT_EXPECT_EQ(memmap_reserve(&map, 0x100000, 0, "x"), -EINVAL);
	HT_EXPECT_EQ(memmap_reserve(&map, UINT64_MAX - 10, 100, "x"), -EINVAL);
	HT_EXPECT_EQ(memmap_reserve(&map, 0x100000, 0x1000, NULL), -EINVAL);
	HT_EXPECT_EQ(memmap_reserve(NULL, 0x100000, 0x1000, "x"), -EINVAL);
	HT_EXPECT_EQ(map.count, 6);
}

HT_TEST(reserve_full_map_is_enospc_and_unchanged)
{
	static const struct memmap_raw raw[] = { { 0, 64 * MiB, MEMMAP_USABLE } };
	struct memmap copy;
	static const char *const names[2] = { "a", "b" };
	int err = 0;
	unsigned i;

	HT_ASSERT_EQ(memmap_sanitize(&map, raw, 1, 0), 0);
	/* Alternate names so nothing merges; each middle carve adds two ranges. */
	for (i = 0; i < MEMMAP_MAX_RANGES && err == 0; i++)
		err = memmap_reserve(&map, (2 * i + 1) * 0x1000ULL, 0x1000, names[i % 2]);
	HT_EXPECT_EQ(err, -ENOSPC);
	HT_EXPECT(map.count <= MEMMAP_MAX_RANGES);
	HT_EXPECT(map.count >= MEMMAP_MAX_RANGES - 1);
	memcpy(&copy, &map, sizeof(map));
	HT_EXPECT_EQ(memmap_reserve(&map, 60 * MiB, 0x1000, "c"), -ENOSPC);
	HT_EXPECT(memcmp(&copy, &map, sizeof(map)) == 0);
	HT_EXPECT(ht_log_contains("mm: memory map full: cannot reserve c\n"));
	HT_EXPECT(map_well_formed());
}

HT_TEST(alloc_finds_lowest_aligned_fit)
{
	uint64_t pa = 0;

	HT_ASSERT_EQ(memmap_sanitize(&map, qemu_128m, N(qemu_128m), 0), 0);
	HT_ASSERT_EQ(memmap_reserve(&map, 0x100000, 0x123000, "kernel image"), 0);
	HT_ASSERT_EQ(memmap_alloc(&map, 0x5000, 0x10000, 0x100000, 8 * MiB, "frame bitmap", &pa),
	             0);
	HT_EXPECT_EQ(pa, 0x230000);
	HT_EXPECT_EQ(type_at(0x230000), MEMMAP_KERNEL);
	HT_EXPECT_EQ(type_at(0x234fff), MEMMAP_KERNEL);
	HT_EXPECT_EQ(type_at(0x235000), MEMMAP_USABLE);
	/* The next one lands after it. */
	HT_ASSERT_EQ(memmap_alloc(&map, 0x1000, 0x1000, 0x100000, 8 * MiB, "struct pages", &pa), 0);
	HT_EXPECT_EQ(pa, 0x223000);
	/* Too big for the window, bad alignment, zero size. */
	HT_EXPECT_EQ(memmap_alloc(&map, 8 * MiB, 0x1000, 0x100000, 8 * MiB, "x", &pa), -ENOMEM);
	HT_EXPECT_EQ(memmap_alloc(&map, 0x1000, 0x3000, 0, 8 * MiB, "x", &pa), -EINVAL);
	HT_EXPECT_EQ(memmap_alloc(&map, 0, 0x1000, 0, 8 * MiB, "x", &pa), -EINVAL);
	HT_EXPECT_EQ(memmap_alloc(&map, 0x1000, 0, 0, 8 * MiB, "x", &pa), -EINVAL);
	HT_EXPECT(map_well_formed());
}

HT_TEST(print_format_like_e820)
{
	HT_ASSERT_EQ(memmap_sanitize(&map, qemu_128m, N(qemu_128m), 0), 0);
	HT_ASSERT_EQ(memmap_reserve(&map, 0x100000, 0x100000, "kernel image"), 0);
	ht_log_clear();
	memmap_print(&map);
	HT_EXPECT(ht_log_contains("mm: [mem 0x0000000000000000-0x000000000009fbff] usable\n"));
	HT_EXPECT(ht_log_contains("mm: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"));
	HT_EXPECT(ht_log_contains(
	    "mm: [mem 0x0000000000100000-0x00000000001fffff] reserved (kernel image)\n"));
	HT_EXPECT(ht_log_contains("mm: [mem 0x0000000000200000-0x0000000007fdffff] usable\n"));
	HT_EXPECT(ht_log_contains("mm: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved\n"));
	HT_EXPECT(ht_log_contains("mm: usable RAM: 129535 kB in 2 ranges\n"));
	HT_EXPECT_EQ(ht_log_count("\n"), 8);
	HT_EXPECT(strcmp(memmap_type_name(MEMMAP_ACPI_RECLAIM), "ACPI data") == 0);
	HT_EXPECT(strcmp(memmap_type_name(MEMMAP_ACPI_NVS), "ACPI NVS") == 0);
	HT_EXPECT(strcmp(memmap_type_name(MEMMAP_BAD), "unusable") == 0);
}

/* ---- randomized hostile maps: compare against a brute-force model -------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	return ht_xorshift64(&rng_state);
}

/* A random address: mostly small page-ish values, some near 4 GiB and some huge. */
static uint64_t rand_addr(void)
{
	switch (rng() % 4) {
	case 0:
		return (rng() % 64) * 0x1000 + (rng() % 3 == 0 ? rng() % 0x1000 : 0);
	case 1:
		return PHYS_LIMIT - (rng() % 16) * 0x1000;
	case 2:
		return rng();
	default:
		return (rng() % 32) * 0x800;
	}
}

/* The model: the winning type at address @a for @raw (first 64 entries, @limit). */
static uint32_t model_type_at(const struct memmap_raw *raw, uint32_t n, uint64_t limit, uint64_t a)
{
	uint32_t best = 0;

	if (a >= PHYS_LIMIT)
		return 0;
	for (uint32_t i = 0; i < n && i < MEMMAP_MAX_RAW; i++) {
		uint64_t end =
		    raw[i].len > UINT64_MAX - raw[i].base ? UINT64_MAX : raw[i].base + raw[i].len;
		uint32_t t = (raw[i].type >= 1 && raw[i].type <= 5) ? raw[i].type : 2;

		if (raw[i].len == 0 || a < raw[i].base || a >= end)
			continue;
		if (t == MEMMAP_USABLE && limit && a >= limit)
			continue;
		if (t > best)
			best = t;
	}
	return best;
}

HT_TEST(sanitize_random_maps_match_model)
{
	struct memmap_raw raw[80];

	ht_log_echo = false;
	for (int iter = 0; iter < 3000; iter++) {
		uint32_t n = (uint32_t)(rng() % 80);
		uint64_t limit = rng() % 4 == 0 ? rand_addr() : 0;
		int err;

		for (uint32_t i = 0; i < n; i++) {
			raw[i].base = rand_addr();
			raw[i].len = rng() % 8 == 0 ? rng() : rand_addr() % (64 * 0x1000);
			raw[i].type = (uint32_t)(rng() % 7);
		}
		err = memmap_sanitize(&map, raw, n, limit);
		HT_ASSERT(err == 0 || err == -ENOMEM);
		HT_ASSERT(map_well_formed());
		/* Check the model at every boundary and next to it. */
		for (uint32_t i = 0; i < n && i < MEMMAP_MAX_RAW; i++) {
			uint64_t pts[4] = { raw[i].base, raw[i].base - 1, raw[i].base + raw[i].len,
				            raw[i].base + raw[i].len - 1 };
			for (int k = 0; k < 4; k++)
				HT_ASSERT_EQ(type_at(pts[k]), model_type_at(raw, n, limit, pts[k]));
		}
		for (int k = 0; k < 32; k++) {
			uint64_t a = rand_addr();
			HT_ASSERT_EQ(type_at(a), model_type_at(raw, n, limit, a));
		}
		/* Random reservations keep the map well formed and only turn usable into named. */
		for (int k = 0; k < 4; k++) {
			uint64_t base = rand_addr(), len = rand_addr() % (16 * 0x1000) + 1;
			uint64_t probe = base + len / 2;
			uint32_t before = type_at(probe);

			err = memmap_reserve(&map, base, len, k % 2 ? "odd" : "even");
			HT_ASSERT(err == 0 || err == -EINVAL || err == -ENOSPC);
			HT_ASSERT(map_well_formed());
			if (err == 0 && probe < PHYS_LIMIT && len <= UINT64_MAX - base)
				HT_ASSERT_EQ(type_at(probe),
				             before == MEMMAP_USABLE ? MEMMAP_KERNEL : before);
		}
	}
	ht_log_echo = true;
}
