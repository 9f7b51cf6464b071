/*
 * page_list: a list of allocated blocks chained through their head pages' links (struct
 * page's link is the owner's while the block is allocated), for code that must hold many
 * blocks without allocating memory to remember them: memdemo, benchmarks, tests.
 * Each entry remembers its order in private_data. Not locked: one owner at a time.
 */
#ifndef STRATA_MM_PAGE_LIST_H
#define STRATA_MM_PAGE_LIST_H

#include <stddef.h>

#include "mm/page.h"

struct page_list {
	struct page_link head; /* circular; empty when head.next == &head */
	uint32_t blocks;
};

static inline void page_list_init(struct page_list *l)
{
	l->head.next = l->head.prev = &l->head;
	l->blocks = 0;
}

/* Add the allocated block (@pg, @order). */
static inline void page_list_push(struct page_list *l, struct page *pg, unsigned order)
{
	pg->private_data = order;
	pg->link.next = l->head.next;
	pg->link.prev = &l->head;
	l->head.next->prev = &pg->link;
	l->head.next = &pg->link;
	l->blocks++;
}

/* Remove and return the most recently added block (its order in *@order), or NULL. */
static inline struct page *page_list_pop(struct page_list *l, unsigned *order)
{
	struct page_link *n = l->head.next;
	if (n == &l->head)
		return NULL;
	l->head.next = n->next;
	n->next->prev = &l->head;
	l->blocks--;
	struct page *pg = (struct page *)(void *)((char *)n - offsetof(struct page, link));
	*order = (unsigned)pg->private_data;
	return pg;
}

#endif
