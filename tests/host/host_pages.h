/*
 * host_pages: the page provider for the slab layer in host tests, fuzzers and the host
 * benchmark. A small buddy allocator over one aligned_alloc arena, with accounting
 * (pages out, calls), a page limit and a fail-the-Nth-call switch for OOM tests, and, under
 * AddressSanitizer, free pages poisoned so any slab access to a page it gave back is caught.
 *
 * Header-only (static functions) so each test program includes it without a Makefile rule.
 *
 *     static struct host_pages hp;
 *     host_pages_init(&hp, 64 << 20);           // 64 MiB arena
 *     struct slab_page_ops ops = host_pages_ops(&hp);
 *     slab_init(&ops, 1);
 *     ...
 *     host_pages_fini(&hp);
 */
#ifndef STRATA_HOST_PAGES_H
#define STRATA_HOST_PAGES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/error.h"
#include "mm/page.h"
#include "mm/slab.h"

#if defined(__SANITIZE_ADDRESS__)
#define HP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HP_ASAN 1
#endif
#endif
#ifdef HP_ASAN
#include <sanitizer/asan_interface.h>
#define HP_POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define HP_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define HP_POISON(p, n)   ((void)(p), (void)(n))
#define HP_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define HP_MAX_ORDER 10    /* 4 MiB blocks */
#define HP_FREE      0x80u /* state: head of a free block (low bits: order) */
#define HP_USED      0x40u /* state: head of an allocated block */

struct host_pages {
	char *arena;
	uint32_t npages;
	uint8_t *state;       /* per page: HP_FREE|order, HP_USED|order, or 0 */
	int32_t *next, *prev; /* free-list links, by page index */
	int32_t head[HP_MAX_ORDER + 1];
	size_t pages_out; /* pages allocated now */
	size_t peak_pages;
	unsigned long allocs, frees, failures;
	size_t limit_pages;  /* 0: none; else allocations past it fail (OOM) */
	long fail_countdown; /* > 0: the call that brings it to 0 fails; -1 off */
	bool poison;         /* ASan-poison free pages (default on) */
};

static void hp_push(struct host_pages *hp, int32_t pg, unsigned order)
{
	hp->state[pg] = (uint8_t)(HP_FREE | order);
	hp->prev[pg] = -1;
	hp->next[pg] = hp->head[order];
	if (hp->head[order] >= 0)
		hp->prev[hp->head[order]] = pg;
	hp->head[order] = pg;
	if (hp->poison)
		HP_POISON(hp->arena + (size_t)pg * PAGE_SIZE, (size_t)PAGE_SIZE << order);
}

static void hp_unlink(struct host_pages *hp, int32_t pg, unsigned order)
{
	if (hp->prev[pg] >= 0)
		hp->next[hp->prev[pg]] = hp->next[pg];
	else
		hp->head[order] = hp->next[pg];
	if (hp->next[pg] >= 0)
		hp->prev[hp->next[pg]] = hp->prev[pg];
	hp->state[pg] = 0;
}

/* Set up an arena of @bytes (a multiple of the largest block). Returns 0 or -1. */
static __attribute__((unused)) int host_pages_init(struct host_pages *hp, size_t bytes)
{
	size_t block = (size_t)PAGE_SIZE << HP_MAX_ORDER;

	memset(hp, 0, sizeof(*hp));
	bytes = (bytes + block - 1) / block * block;
	hp->arena = aligned_alloc(block, bytes);
	hp->npages = (uint32_t)(bytes / PAGE_SIZE);
	hp->state = calloc(hp->npages, 1);
	hp->next = calloc(hp->npages, sizeof(int32_t));
	hp->prev = calloc(hp->npages, sizeof(int32_t));
	if (!hp->arena || !hp->state || !hp->next || !hp->prev)
		return -1;
	hp->fail_countdown = -1;
	hp->poison = true;
	for (unsigned o = 0; o <= HP_MAX_ORDER; o++)
		hp->head[o] = -1;
	for (uint32_t pg = hp->npages; pg > 0; pg -= 1u << HP_MAX_ORDER)
		hp_push(hp, (int32_t)(pg - (1u << HP_MAX_ORDER)), HP_MAX_ORDER);
	return 0;
}

static __attribute__((unused)) void host_pages_fini(struct host_pages *hp)
{
	HP_UNPOISON(hp->arena, (size_t)hp->npages * PAGE_SIZE);
	free(hp->arena);
	free(hp->state);
	free(hp->next);
	free(hp->prev);
	memset(hp, 0, sizeof(*hp));
}

static void *host_alloc_pages(unsigned order, uint32_t flags, struct mm_error *err, void *ctx)
{
	struct host_pages *hp = ctx;
	unsigned o = order;
	int32_t pg;

	(void)flags;
	if (hp->fail_countdown > 0 && --hp->fail_countdown == 0)
		goto oom;
	if (order > HP_MAX_ORDER ||
	    (hp->limit_pages && hp->pages_out + (1u << order) > hp->limit_pages))
		goto oom;
	while (o <= HP_MAX_ORDER && hp->head[o] < 0)
		o++;
	if (o > HP_MAX_ORDER)
		goto oom;
	pg = hp->head[o];
	hp_unlink(hp, pg, o);
	while (o > order) {
		o--;
		hp_push(hp, pg + (1 << o), o);
	}
	hp->state[pg] = (uint8_t)(HP_USED | order);
	hp->pages_out += 1u << order;
	if (hp->pages_out > hp->peak_pages)
		hp->peak_pages = hp->pages_out;
	hp->allocs++;
	HP_UNPOISON(hp->arena + (size_t)pg * PAGE_SIZE, (size_t)PAGE_SIZE << order);
	return hp->arena + (size_t)pg * PAGE_SIZE;
oom:
	hp->failures++;
	err->kind = MM_OUT_OF_MEMORY;
	err->requested = (uint64_t)PAGE_SIZE << order;
	err->total = (uint64_t)hp->npages * PAGE_SIZE;
	err->used = (uint64_t)hp->pages_out * PAGE_SIZE;
	err->available = hp->limit_pages ? (uint64_t)(hp->limit_pages - hp->pages_out) * PAGE_SIZE
	                                 : err->total - err->used;
	return NULL;
}

static void host_free_pages(void *addr, unsigned order, void *ctx)
{
	struct host_pages *hp = ctx;
	int32_t pg = (int32_t)(((char *)addr - hp->arena) / PAGE_SIZE);

	if ((char *)addr < hp->arena || (uint32_t)pg >= hp->npages ||
	    hp->state[pg] != (HP_USED | order)) {
		fprintf(stderr, "host_pages: bad free of %p order %u\n", addr, order);
		abort();
	}
	hp->state[pg] = 0;
	hp->pages_out -= 1u << order;
	hp->frees++;
	while (order < HP_MAX_ORDER) {
		int32_t buddy = pg ^ (1 << order);

		if (hp->state[buddy] != (HP_FREE | order))
			break;
		hp_unlink(hp, buddy, order);
		pg = MIN(pg, buddy);
		order++;
	}
	hp_push(hp, pg, order);
}

static __attribute__((unused)) struct slab_page_ops host_pages_ops(struct host_pages *hp)
{
	struct slab_page_ops ops = {
		.alloc_pages = host_alloc_pages,
		.free_pages = host_free_pages,
		.ctx = hp,
		.base = (uintptr_t)hp->arena,
		.span = (size_t)hp->npages * PAGE_SIZE,
	};
	return ops;
}

#endif
