/*
 * commit: the overcommit arithmetic (contracts and the three modes in include/mm/commit.h).
 */
#include "mm/commit.h"

#include "lib/string.h"

#define USER_RESERVE_MAX_PAGES ((128ull << 20) >> 12) /* 128 MiB, Linux's cap */

uint64_t commit_limit(uint64_t ram_pages, uint32_t ratio, uint64_t swap_pages)
{
	return ram_pages * ratio / 100 + swap_pages;
}

uint64_t commit_user_reserve(uint64_t free_pages)
{
	uint64_t r = free_pages / 32;

	return r < USER_RESERVE_MAX_PAGES ? r : USER_RESERVE_MAX_PAGES;
}

bool commit_allowed(const struct commit_policy *p, uint64_t pages, uint64_t committed,
                    uint64_t ram_pages, uint64_t swap_pages, uint64_t space_pages)
{
	switch (p->mode) {
	case OVERCOMMIT_ALWAYS:
		return true;
	case OVERCOMMIT_GUESS:
		return pages <= ram_pages + swap_pages;
	case OVERCOMMIT_NEVER:
		break;
	}
	uint64_t allowed = commit_limit(ram_pages, p->ratio, swap_pages);
	uint64_t reserve =
	    space_pages / 32 < p->user_reserve_pages ? space_pages / 32 : p->user_reserve_pages;

	allowed = allowed > reserve ? allowed - reserve : 0;
	return committed + pages < allowed; /* as Linux: the total after the charge, strictly */
}

bool commit_parse_mode(const char *s, enum overcommit_mode *mode)
{
	if (!strcmp(s, "heuristic") || !strcmp(s, "0"))
		*mode = OVERCOMMIT_GUESS;
	else if (!strcmp(s, "always") || !strcmp(s, "1"))
		*mode = OVERCOMMIT_ALWAYS;
	else if (!strcmp(s, "never") || !strcmp(s, "2"))
		*mode = OVERCOMMIT_NEVER;
	else
		return false;
	return true;
}

const char *commit_mode_name(enum overcommit_mode mode)
{
	switch (mode) {
	case OVERCOMMIT_GUESS:
		return "heuristic";
	case OVERCOMMIT_ALWAYS:
		return "always";
	case OVERCOMMIT_NEVER:
		return "never";
	}
	return "?";
}
