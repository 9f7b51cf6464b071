/*
 * buddy_internal: small helpers shared by mm/buddy.c (allocation, free, init) and
 * mm/buddy_stats.c (the check and the statistics). Private to the buddy allocator.
 */
#ifndef STRATA_MM_BUDDY_INTERNAL_H
#define STRATA_MM_BUDDY_INTERNAL_H

#include <stdint.h>

#include "mm/page.h"

#define KIB_SHIFT     10  /* bytes -> kB */
#define INFO_LINE_MAX 160 /* one buddyinfo line */

/* Pages in a block of @order. */
static inline uint32_t order_pages(unsigned order)
{
	return 1u << order;
}

/* Bytes in @pages pages. */
static inline uint64_t pages_bytes(uint32_t pages)
{
	return (uint64_t)pages << PAGE_SHIFT;
}

#endif
