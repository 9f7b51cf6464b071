/*
 * slab_harness: the host harness shared by test_slab.c and test_slab_stats.c (a host page
 * provider, slab_init/teardown with exact page accounting). One test program per file.
 */
#ifndef STRATA_TESTS_HOST_SLAB_HARNESS_H
#define STRATA_TESTS_HOST_SLAB_HARNESS_H

#include "htest.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_pages.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "mm/slab.h"

#define MiB (1024u * 1024u)

/* Fake callers: reports print them with %pS (host: "0x%08x"). */
#define CALLER_A ((uintptr_t)0xc0101234u)
#define CALLER_B ((uintptr_t)0xc0105678u)
#define CALLER_C ((uintptr_t)0xc010abcdu)

/* ---- harness ------------------------------------------------------------------------------ */

static struct host_pages hp;
static size_t base_pages; /* provider pages held right after slab_init */

static inline bool setup(void)
{
	struct slab_page_ops ops;

	slab_set_debug(false);
	kmem_set_owner_ops(NULL);
	kmem_set_current_owner(0);
	if (host_pages_init(&hp, 64 * MiB) != 0)
		return false;
	ops = host_pages_ops(&hp);
	if (slab_init(&ops, 42) != 0)
		return false;
	base_pages = hp.pages_out;
	ht_log_clear();
	return true;
}

/* Stop the slab layer; every page must be back with the provider. */
static inline void teardown(void)
{
	HT_EXPECT_EQ(kmem_check_all(), 0);
	HT_EXPECT_EQ(slab_exit(), 0);
	HT_EXPECT_EQ(hp.pages_out, 0);
	host_pages_fini(&hp);
	slab_set_debug(false);
	kmem_set_owner_ops(NULL);
	kmem_set_current_owner(0);
}

/* True if the log holds the line formatted like the kernel formats it (%p, %pS). */
static inline struct kmem_cache_info info_of(struct kmem_cache *c)
{
	struct kmem_cache_info i;

	kmem_cache_get_info(c, &i);
	return i;
}

static const struct kmem_owner_ops test_owner_ops = { ht_owner_charge, NULL };

/* Owner charging through the shared fake ledger (tests/host/stubs.c), reset to empty. */
static inline void owners_reset(void)
{
	ht_owners_reset();
	kmem_set_owner_ops(&test_owner_ops);
}

#endif
