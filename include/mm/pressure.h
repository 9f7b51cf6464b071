/*
 * pressure: memory pressure levels with hysteresis, and the registry of shrink hooks
 * (mm/pressure.c). Pure logic: it knows pages, not allocators.
 *
 * Levels and transitions (percent of managed pages in use):
 *
 *            >= 80%              >= 95%
 *   NORMAL ---------> WARNING ---------> CRITICAL
 *          <---------         <---------
 *             < 75%              < 90%
 *
 * A jump can skip a level (NORMAL -> CRITICAL at >= 95%, CRITICAL -> NORMAL below 75%). Each
 * transition logs exactly one line, e.g.
 *   mm: memory pressure WARNING: 81.2% used (106496 kB of 131072 kB)
 *   mm: memory pressure CRITICAL: 95.3% used (...)
 *   mm: memory pressure normal: 74.9% used (...)
 * and because leaving a level needs a 5-point drop, an allocation storm that hovers around a
 * threshold cannot flood the log. Percentages are truncated to one decimal, integer math.
 *
 * Cost: the allocator calls mm_pressure_check() after every alloc/free; it compares the used
 * page count against the precomputed band [low, high) of the current level (two compares, no
 * division) and only calls mm_pressure_update() when the count leaves the band.
 *
 * Shrink hooks: caches (the slab layer) register a hook that gives memory back. Hooks run
 *   - once on each upward transition into WARNING or CRITICAL (with that level), and
 *   - from mm_shrink_all() (with MM_PRESSURE_CRITICAL), which the buddy allocator calls once
 *     before failing an allocation, then retries.
 * Hooks run synchronously inside the allocator call that crossed the threshold, after the
 * allocator's state is consistent; they may free pages (re-entering the allocator) but must
 * not allocate, and must not assume their own subsystem is idle (the allocation that crossed
 * the threshold may come from it). Re-entry is guarded: while hooks run, another
 * mm_shrink_all() or transition does not call them again.
 *
 * Locking: single CPU, callers mask interrupts (the buddy allocator's callers do).
 */
#ifndef STRATA_MM_PRESSURE_H
#define STRATA_MM_PRESSURE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/compiler.h"

enum mm_pressure_level {
	MM_PRESSURE_NORMAL,
	MM_PRESSURE_WARNING,
	MM_PRESSURE_CRITICAL,
};

#define PRESSURE_PERMILLE           1000u
#define PRESSURE_WARN_PERMILLE      800u /* enter WARNING at >= 80.0% */
#define PRESSURE_CRIT_PERMILLE      950u /* enter CRITICAL at >= 95.0% */
#define PRESSURE_CRIT_EXIT_PERMILLE 900u /* leave CRITICAL below 90.0% */
#define PRESSURE_WARN_EXIT_PERMILLE 750u /* leave WARNING below 75.0% */
#define PRESSURE_MAX_PAGES          (UINT32_MAX / PRESSURE_PERMILLE) /* keeps the math in 32 bits */

struct mm_pressure {
	uint32_t total_pages; /* managed pages; 0 = pressure tracking off */
	uint32_t warn_pages;  /* thresholds, in pages: used >= warn_pages is >= 80% */
	uint32_t crit_pages;
	uint32_t crit_exit_pages;
	uint32_t warn_exit_pages;
	uint32_t low, high; /* the current level holds while low <= used < high */
	enum mm_pressure_level level;
	uint32_t transitions; /* level changes so far (each logged once) */
};

/*
 * Start tracking @total_pages managed pages at level NORMAL (@total_pages 0 turns tracking
 * off). Returns 0, or -EINVAL when @total_pages > PRESSURE_MAX_PAGES.
 */
int mm_pressure_init(struct mm_pressure *p, uint32_t total_pages);

/*
 * Re-evaluate the level for @used_pages: on a transition log one line and, if the level went
 * up to WARNING or CRITICAL, run the shrink hooks. Returns the (new) level. Never fails.
 */
enum mm_pressure_level mm_pressure_update(struct mm_pressure *p, uint32_t used_pages);

/* The allocator's per-operation call: a no-op unless @used_pages left the current band. */
static inline void mm_pressure_check(struct mm_pressure *p, uint32_t used_pages)
{
	if (unlikely(used_pages >= p->high || used_pages < p->low))
		mm_pressure_update(p, used_pages);
}

/* "normal", "WARNING", "CRITICAL". */
const char *mm_pressure_level_name(enum mm_pressure_level level);

/* A shrink hook: give back what it can at @level; returns the number of pages released. */
typedef uint32_t (*mm_shrink_fn)(void *ctx, enum mm_pressure_level level);

#define MM_SHRINKERS_MAX 8

/*
 * Register @fn(@ctx) under @name (a string literal, for reports).
 * Returns 0; -EINVAL for a NULL @fn or @name; -EEXIST if (@fn, @ctx) is registered;
 * -ENOSPC when MM_SHRINKERS_MAX hooks are registered.
 */
int mm_shrinker_register(const char *name, mm_shrink_fn fn, void *ctx);

/* Remove the hook (@fn, @ctx). Returns 0, or -ENOENT when it is not registered. */
int mm_shrinker_unregister(mm_shrink_fn fn, void *ctx);

/*
 * Run every hook at MM_PRESSURE_CRITICAL (the OOM retry). Returns the pages they released;
 * 0 when no hook is registered or hooks are already running (re-entry).
 */
uint32_t mm_shrink_all(void);

#endif
