/*
 * Host tests for mm/pressure.c: thresholds in pages, one log line per transition, hysteresis,
 * no flooding under an allocation storm, and the shrink-hook registry.
 */
#include "htest.h"

#include <stdint.h>
#include <string.h>

#include "lib/errno.h"
#include "mm/pressure.h"

static struct mm_pressure p;

static unsigned log_lines(void)
{
	return ht_log_count("mm: memory pressure ");
}

/* Feed every count from @from to @to (inclusive, either direction) through the fast check. */
static void sweep(uint32_t from, uint32_t to)
{
	if (from <= to)
		for (uint32_t u = from; u <= to; u++)
			mm_pressure_check(&p, u);
	else
		for (uint32_t u = from + 1; u-- > to;)
			mm_pressure_check(&p, u);
}

HT_TEST(thresholds_in_pages)
{
	HT_ASSERT_EQ(mm_pressure_init(&p, 1000), 0);
	HT_EXPECT_EQ(p.warn_pages, 800);
	HT_EXPECT_EQ(p.crit_pages, 950);
	HT_EXPECT_EQ(p.crit_exit_pages, 900);
	HT_EXPECT_EQ(p.warn_exit_pages, 750);
	HT_EXPECT_EQ(p.level, MM_PRESSURE_NORMAL);
	HT_EXPECT_EQ(p.low, 0);
	HT_EXPECT_EQ(p.high, 800);
	/* Rounded up: 80% of 7 pages is 5.6, so the 6th page crosses. */
	HT_ASSERT_EQ(mm_pressure_init(&p, 7), 0);
	HT_EXPECT_EQ(p.warn_pages, 6);
	HT_EXPECT_EQ(p.crit_pages, 7);
	HT_EXPECT_EQ(mm_pressure_init(&p, PRESSURE_MAX_PAGES), 0);
	HT_EXPECT_EQ(p.crit_pages, (uint32_t)(((uint64_t)PRESSURE_MAX_PAGES * 950 + 999) / 1000));
	HT_EXPECT_EQ(mm_pressure_init(&p, PRESSURE_MAX_PAGES + 1), -EINVAL);
}

HT_TEST(crossings_log_once_each_with_exact_text)
{
	HT_ASSERT_EQ(mm_pressure_init(&p, 1000), 0);
	ht_log_clear();
	sweep(0, 799);
	HT_EXPECT_EQ(log_lines(), 0);
	mm_pressure_check(&p, 800);
	HT_EXPECT(
	    ht_log_contains("mm: memory pressure WARNING: 80.0% used (3200 kB of 4000 kB)\n"));
	HT_EXPECT_EQ(p.level, MM_PRESSURE_WARNING);
	HT_EXPECT_EQ(p.low, 750);
	HT_EXPECT_EQ(p.high, 950);
	sweep(800, 953);
	HT_EXPECT(
	    ht_log_contains("mm: memory pressure CRITICAL: 95.0% used (3800 kB of 4000 kB)\n"));
	HT_EXPECT_EQ(log_lines(), 2);
	sweep(953, 1000);
	HT_EXPECT_EQ(log_lines(), 2);
	HT_EXPECT_EQ(p.transitions, 2);
}

HT_TEST(hysteresis_on_the_way_down)
{
	HT_ASSERT_EQ(mm_pressure_init(&p, 1000), 0);
	sweep(0, 1000);
	ht_log_clear();
	sweep(1000, 900); /* still CRITICAL: 90.0% is not below 90% */
	HT_EXPECT_EQ(log_lines(), 0);
	HT_EXPECT_EQ(p.level, MM_PRESSURE_CRITICAL);
	/* the slow path agrees with the band (it is also called directly) */
	HT_EXPECT_EQ(mm_pressure_update(&p, 920), MM_PRESSURE_CRITICAL);
	HT_EXPECT_EQ(mm_pressure_update(&p, 900), MM_PRESSURE_CRITICAL);
	HT_EXPECT_EQ(log_lines(), 0);
	mm_pressure_check(&p, 899);
	HT_EXPECT(
	    ht_log_contains("mm: memory pressure WARNING: 89.9% used (3596 kB of 4000 kB)\n"));
	sweep(899, 750); /* WARNING holds down to 75.0% */
	HT_EXPECT_EQ(mm_pressure_update(&p, 760), MM_PRESSURE_WARNING);
	HT_EXPECT_EQ(log_lines(), 1);
	HT_EXPECT_EQ(p.level, MM_PRESSURE_WARNING);
	mm_pressure_check(&p, 749);
	HT_EXPECT(ht_log_contains("mm: memory pressure normal: 74.9% used (2996 kB of 4000 kB)\n"));
	HT_EXPECT_EQ(log_lines(), 2);
	/* And back up: 75..79.9% is NORMAL again (no line), 80% WARNING. */
	sweep(749, 799);
	HT_EXPECT_EQ(log_lines(), 2);
	mm_pressure_check(&p, 800);
	HT_EXPECT_EQ(log_lines(), 3);
	/* From CRITICAL's exit back up to 95%: CRITICAL again, a real transition. */
	sweep(800, 950);
	sweep(950, 899);
	sweep(899, 950);
	HT_EXPECT_EQ(ht_log_count("CRITICAL"), 2);
}

HT_TEST(jumps_skip_levels_with_one_line)
{
	HT_ASSERT_EQ(mm_pressure_init(&p, 1000), 0);
	ht_log_clear();
	mm_pressure_check(&p, 999);
	HT_EXPECT_EQ(log_lines(), 1);
	HT_EXPECT(
	    ht_log_contains("mm: memory pressure CRITICAL: 99.9% used (3996 kB of 4000 kB)\n"));
	mm_pressure_check(&p, 10);
	HT_EXPECT_EQ(log_lines(), 2);
	HT_EXPECT(ht_log_contains("mm: memory pressure normal: 1.0% used (40 kB of 4000 kB)\n"));
	HT_EXPECT_EQ(p.level, MM_PRESSURE_NORMAL);
	/* more than total clamps to 100% */
	mm_pressure_check(&p, 5000);
	HT_EXPECT(
	    ht_log_contains("mm: memory pressure CRITICAL: 100.0% used (4000 kB of 4000 kB)\n"));
}

HT_TEST(storm_does_not_flood)
{
	HT_ASSERT_EQ(mm_pressure_init(&p, 32768), 0); /* 128 MiB */
	ht_log_clear();
	for (int i = 0; i < 100000; i++) { /* alloc/free around 80% */
		mm_pressure_check(&p, p.warn_pages);
		mm_pressure_check(&p, p.warn_pages - 1);
	}
	HT_EXPECT_EQ(log_lines(), 1);
	for (int i = 0; i < 100000; i++) { /* and around 95% */
		mm_pressure_check(&p, p.crit_pages - 1 - (uint32_t)(i % 50));
		mm_pressure_check(&p, p.crit_pages);
	}
	HT_EXPECT_EQ(log_lines(), 2);
	HT_EXPECT_EQ(p.transitions, 2);
	HT_EXPECT(
	    ht_log_contains("mm: memory pressure WARNING: 80.0% used (104860 kB of 131072 kB)\n"));
}

HT_TEST(disabled_when_total_is_zero)
{
	HT_ASSERT_EQ(mm_pressure_init(&p, 0), 0);
	ht_log_clear();
	sweep(0, 100);
	HT_EXPECT_EQ(mm_pressure_update(&p, 5), MM_PRESSURE_NORMAL);
	HT_EXPECT_EQ(log_lines(), 0);
	HT_EXPECT(strcmp(mm_pressure_level_name(MM_PRESSURE_WARNING), "WARNING") == 0);
	HT_EXPECT(strcmp(mm_pressure_level_name(MM_PRESSURE_NORMAL), "normal") == 0);
}

/* ---- shrink hooks ------------------------------------------------------------------------- */

static unsigned calls_a, calls_b;
static enum mm_pressure_level last_level_a;

static uint32_t hook_a(void *ctx, enum mm_pressure_level level)
{
	(void)ctx;
	calls_a++;
	last_level_a = level;
	return 3;
}

static uint32_t hook_b(void *ctx, enum mm_pressure_level level)
{
	(void)level;
	calls_b++;
	return *(uint32_t *)ctx;
}

/* A hook that re-enters: the guard must stop the nested run. */
static uint32_t nested_result;
static uint32_t hook_reenter(void *ctx, enum mm_pressure_level level)
{
	(void)ctx;
	(void)level;
	calls_b++;
	nested_result = mm_shrink_all();
	mm_pressure_check(&p, p.total_pages); /* a transition inside a hook: logged, no hooks */
	return 1;
}

HT_TEST(hooks_run_when_entering_warning_and_critical)
{
	uint32_t seven = 7;

	HT_ASSERT_EQ(mm_shrinker_register("a", hook_a, NULL), 0);
	HT_ASSERT_EQ(mm_shrinker_register("b", hook_b, &seven), 0);
	calls_a = calls_b = 0;
	HT_ASSERT_EQ(mm_pressure_init(&p, 1000), 0);
	sweep(0, 800);
	HT_EXPECT_EQ(calls_a, 1);
	HT_EXPECT_EQ(calls_b, 1);
	HT_EXPECT_EQ(last_level_a, MM_PRESSURE_WARNING);
	sweep(800, 949); /* same level: no more calls */
	HT_EXPECT_EQ(calls_a, 1);
	mm_pressure_check(&p, 950);
	HT_EXPECT_EQ(calls_a, 2);
	HT_EXPECT_EQ(last_level_a, MM_PRESSURE_CRITICAL);
	sweep(950, 0); /* going down never shrinks */
	HT_EXPECT_EQ(calls_a, 2);
	HT_EXPECT_EQ(calls_b, 2);
	/* The OOM retry: all hooks, CRITICAL, pages summed. */
	HT_EXPECT_EQ(mm_shrink_all(), 10);
	HT_EXPECT_EQ(calls_a, 3);
	HT_EXPECT_EQ(last_level_a, MM_PRESSURE_CRITICAL);
	HT_EXPECT_EQ(mm_shrinker_unregister(hook_a, NULL), 0);
	HT_EXPECT_EQ(mm_shrink_all(), 7);
	HT_EXPECT_EQ(calls_a, 3);
	HT_EXPECT_EQ(mm_shrinker_unregister(hook_b, &seven), 0);
	HT_EXPECT_EQ(mm_shrink_all(), 0);
}

HT_TEST(registry_errors)
{
	static uint32_t ctx[MM_SHRINKERS_MAX + 1];

	HT_EXPECT_EQ(mm_shrinker_register(NULL, hook_a, NULL), -EINVAL);
	HT_EXPECT_EQ(mm_shrinker_register("x", NULL, NULL), -EINVAL);
	HT_EXPECT_EQ(mm_shrinker_unregister(hook_a, NULL), -ENOENT);
	for (unsigned i = 0; i < MM_SHRINKERS_MAX; i++)
		HT_ASSERT_EQ(mm_shrinker_register("b", hook_b, &ctx[i]), 0);
	HT_EXPECT_EQ(mm_shrinker_register("b", hook_b, &ctx[0]), -EEXIST);
	HT_EXPECT_EQ(mm_shrinker_register("b", hook_b, &ctx[MM_SHRINKERS_MAX]), -ENOSPC);
	for (unsigned i = 0; i < MM_SHRINKERS_MAX; i++)
		ctx[i] = i;
	HT_EXPECT_EQ(mm_shrink_all(), MM_SHRINKERS_MAX * (MM_SHRINKERS_MAX - 1) / 2);
	HT_EXPECT_EQ(mm_shrinker_unregister(hook_b, &ctx[3]), 0); /* from the middle */
	HT_EXPECT_EQ(mm_shrink_all(), MM_SHRINKERS_MAX * (MM_SHRINKERS_MAX - 1) / 2 - 3);
	for (unsigned i = 0; i < MM_SHRINKERS_MAX; i++)
		if (i != 3)
			HT_ASSERT_EQ(mm_shrinker_unregister(hook_b, &ctx[i]), 0);
	HT_EXPECT_EQ(mm_shrink_all(), 0);
}

HT_TEST(hooks_are_not_reentered)
{
	HT_ASSERT_EQ(mm_shrinker_register("reenter", hook_reenter, NULL), 0);
	HT_ASSERT_EQ(mm_pressure_init(&p, 1000), 0);
	calls_b = 0;
	nested_result = 99;
	ht_log_clear();
	mm_pressure_check(&p, 800); /* WARNING; the hook pushes to CRITICAL inside */
	HT_EXPECT_EQ(calls_b, 1);
	HT_EXPECT_EQ(nested_result, 0);
	HT_EXPECT_EQ(p.level, MM_PRESSURE_CRITICAL);
	HT_EXPECT_EQ(log_lines(), 2);
	nested_result = 99;
	HT_EXPECT_EQ(mm_shrink_all(), 1);
	HT_EXPECT_EQ(nested_result, 0);
	HT_EXPECT_EQ(calls_b, 2);
	HT_EXPECT_EQ(mm_shrinker_unregister(hook_reenter, NULL), 0);
}
