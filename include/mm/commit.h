/*
 * commit: the overcommit policy — Linux's vm.overcommit_memory and overcommit_ratio — as pure
 * arithmetic (mm/commit.c; host-tested by tests/host/test_commit.c). The state it decides on
 * (the pages committed so far, RAM, the space asking) is the caller's: mm/vm.c charges
 * address spaces (include/mm/vm.h, Commitment) and mm/pager.c shared objects.
 *
 *   heuristic (0, the default)  refuse only a single request larger than RAM + swap
 *   always    (1)               never refuse
 *   never     (2)               refuse when the committed total would pass CommitLimit,
 *                               RAM * overcommit_ratio / 100 + swap, less a reserve of
 *                               min(the asking space's size / 32, user_reserve) for it to
 *                               recover with (Linux's __vm_enough_memory; root has no
 *                               admin reserve taken away)
 *
 * Strata has no swap (0). Locking: none; the caller serialises.
 */
#ifndef STRATA_MM_COMMIT_H
#define STRATA_MM_COMMIT_H

#include <stdbool.h>
#include <stdint.h>

enum overcommit_mode {
	OVERCOMMIT_GUESS = 0,
	OVERCOMMIT_ALWAYS = 1,
	OVERCOMMIT_NEVER = 2,
};

#define OVERCOMMIT_RATIO_DEFAULT 50u /* percent, as Linux */

struct commit_policy {
	enum overcommit_mode mode;
	uint32_t ratio;              /* overcommit_ratio, percent */
	uint64_t user_reserve_pages; /* Linux's user_reserve_kbytes, in pages */
};

/* CommitLimit in pages: @ram_pages * @ratio / 100 + @swap_pages. */
uint64_t commit_limit(uint64_t ram_pages, uint32_t ratio, uint64_t swap_pages);

/*
 * Linux's user reserve at boot: min(free pages / 32, 128 MiB in pages) for @free_pages free.
 */
uint64_t commit_user_reserve(uint64_t free_pages);

/*
 * May @pages more be committed under @p, with @committed pages committed now, @ram_pages of
 * RAM, @swap_pages of swap, by a space of @space_pages (its size: the reserve it keeps)?
 * True or false; never fails.
 */
bool commit_allowed(const struct commit_policy *p, uint64_t pages, uint64_t committed,
                    uint64_t ram_pages, uint64_t swap_pages, uint64_t space_pages);

/* Parse "heuristic", "always", "never" or "0".."2" into *@mode. False when it is neither. */
bool commit_parse_mode(const char *s, enum overcommit_mode *mode);

/* The name of @mode ("heuristic", "always", "never"). */
const char *commit_mode_name(enum overcommit_mode mode);

#endif
