/*
 * pressure: memory pressure levels with hysteresis, and the shrink-hook registry.
 *
 * Design. All thresholds are turned into page counts once, in mm_pressure_init(): a level
 * boundary at P per mille is crossed when used * 1000 >= P * total, i.e. when
 * used >= ceil(P * total / 1000). Each level then holds while the used count stays in a band
 * [low, high) (see include/mm/pressure.h for the picture); the allocator's inline check only
 * compares against that band, and mm_pressure_update() — the rare path — picks the new level,
 * logs the one line for the transition, moves the band and, going up, runs the shrink hooks.
 * With total <= PRESSURE_MAX_PAGES every product fits in 32 bits, so no 64-bit division is
 * needed on i386.
 *
 * The registry is a fixed table (MM_SHRINKERS_MAX) of {name, fn, ctx}; `shrinking` guards
 * against re-entry when a hook frees pages and the allocator calls back into this file.
 *
 * Locking: single CPU, callers mask interrupts. The registry is changed at init time.
 */
#include "mm/pressure.h"

#include "lib/printk.h"
#include "lib/errno.h"
#include "mm/page.h"

#define KIB_PER_PAGE (PAGE_SIZE / 1024u)
#define PERCENT_DIV  10u /* per mille -> percent with one decimal */

struct shrinker {
	const char *name;
	mm_shrink_fn fn;
	void *ctx;
};

/* Registered hooks in slots [0, shrinker_count); guarded by the single-CPU rule. */
static struct shrinker shrinkers[MM_SHRINKERS_MAX];
static uint32_t shrinker_count;
static bool shrinking; /* hooks are running: do not start them again */

/* ceil(permille * total / 1000) without overflow for total <= PRESSURE_MAX_PAGES. */
static uint32_t threshold(uint32_t total, uint32_t permille)
{
	return (permille * total + PRESSURE_PERMILLE - 1) / PRESSURE_PERMILLE;
}

/* Move the band to @level's. */
static void set_band(struct mm_pressure *p, enum mm_pressure_level level)
{
	p->level = level;
	switch (level) {
	case MM_PRESSURE_NORMAL:
		p->low = 0;
		p->high = p->warn_pages;
		break;
	case MM_PRESSURE_WARNING:
		p->low = p->warn_exit_pages;
		p->high = p->crit_pages;
		break;
	case MM_PRESSURE_CRITICAL:
		p->low = p->crit_exit_pages;
		p->high = UINT32_MAX;
		break;
	}
}

int mm_pressure_init(struct mm_pressure *p, uint32_t total_pages)
{
	if (total_pages > PRESSURE_MAX_PAGES)
		return -EINVAL;
	p->total_pages = total_pages;
	p->warn_pages = threshold(total_pages, PRESSURE_WARN_PERMILLE);
	p->crit_pages = threshold(total_pages, PRESSURE_CRIT_PERMILLE);
	p->crit_exit_pages = threshold(total_pages, PRESSURE_CRIT_EXIT_PERMILLE);
	p->warn_exit_pages = threshold(total_pages, PRESSURE_WARN_EXIT_PERMILLE);
	p->transitions = 0;
	set_band(p, MM_PRESSURE_NORMAL);
	if (total_pages == 0)
		p->high = UINT32_MAX; /* tracking off: the band holds every count */
	return 0;
}

/* The level @used should be at, coming from @from (hysteresis on the way down). */
static enum mm_pressure_level level_for(const struct mm_pressure *p, enum mm_pressure_level from,
                                        uint32_t used)
{
	if (used >= p->crit_pages)
		return MM_PRESSURE_CRITICAL;
	if (from == MM_PRESSURE_CRITICAL && used >= p->crit_exit_pages)
		return MM_PRESSURE_CRITICAL;
	if (used >= p->warn_pages)
		return MM_PRESSURE_WARNING;
	if (from != MM_PRESSURE_NORMAL && used >= p->warn_exit_pages)
		return MM_PRESSURE_WARNING;
	return MM_PRESSURE_NORMAL;
}

const char *mm_pressure_level_name(enum mm_pressure_level level)
{
	switch (level) {
	case MM_PRESSURE_WARNING:
		return "WARNING";
	case MM_PRESSURE_CRITICAL:
		return "CRITICAL";
	default:
		return "normal";
	}
}

/* Run every hook at @level; returns the pages released. */
static uint32_t run_shrinkers(enum mm_pressure_level level)
{
	uint32_t released = 0;

	if (shrinking)
		return 0;
	shrinking = true;
	for (uint32_t i = 0; i < shrinker_count; i++)
		released += shrinkers[i].fn(shrinkers[i].ctx, level);
	shrinking = false;
	return released;
}

enum mm_pressure_level mm_pressure_update(struct mm_pressure *p, uint32_t used_pages)
{
	enum mm_pressure_level from = p->level;
	enum mm_pressure_level to;
	uint32_t used, permille;

	if (p->total_pages == 0)
		return p->level;
	used = MIN(used_pages, p->total_pages);
	to = level_for(p, from, used);
	if (to == from)
		return from; /* still inside the hysteresis gap */
	set_band(p, to);
	p->transitions++;
	permille = used * PRESSURE_PERMILLE / p->total_pages;
	printk(to == MM_PRESSURE_NORMAL ? LOG_INFO : LOG_WARNING,
	       "mm: memory pressure %s: %u.%u%% used (%llu kB of %llu kB)\n",
	       mm_pressure_level_name(to), permille / PERCENT_DIV, permille % PERCENT_DIV,
	       (unsigned long long)used * KIB_PER_PAGE,
	       (unsigned long long)p->total_pages * KIB_PER_PAGE);
	if (to > from)
		run_shrinkers(to); /* last: hooks may re-enter and change the level */
	return p->level;
}

int mm_shrinker_register(const char *name, mm_shrink_fn fn, void *ctx)
{
	if (name == NULL || fn == NULL)
		return -EINVAL;
	for (uint32_t i = 0; i < shrinker_count; i++)
		if (shrinkers[i].fn == fn && shrinkers[i].ctx == ctx)
			return -EEXIST;
	if (shrinker_count == MM_SHRINKERS_MAX)
		return -ENOSPC;
	shrinkers[shrinker_count++] = (struct shrinker){ name, fn, ctx };
	return 0;
}

int mm_shrinker_unregister(mm_shrink_fn fn, void *ctx)
{
	for (uint32_t i = 0; i < shrinker_count; i++) {
		if (shrinkers[i].fn != fn || shrinkers[i].ctx != ctx)
			continue;
		for (uint32_t j = i + 1; j < shrinker_count; j++)
			shrinkers[j - 1] = shrinkers[j];
		shrinker_count--;
		return 0;
	}
	return -ENOENT;
}

uint32_t mm_shrink_all(void)
{
	return run_shrinkers(MM_PRESSURE_CRITICAL);
}
