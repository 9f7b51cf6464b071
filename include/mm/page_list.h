/*
 * page_list: a list of allocated blocks chained through their head pages' links (struct
 * page's link is the owner's while the block is allocated), for code that must hold many
 * blocks without allocating memory to remember them: memdemo, benchmarks, tests.
 * Each entry remembers its order in private_data. Built on lib/list.h. Not locked: one owner
 * at a time.
 */
#ifndef STRATA_MM_PAGE_LIST_H
#define STRATA_MM_PAGE_LIST_H

#include <stddef.h>

#include "mm/page.h"

struct page_list {
	struct list_head head; /* the blocks' head pages, newest first */
	uint32_t blocks;
};

/* Start an empty list. Cannot fail. */
static inline void page_list_init(struct page_list *l)
{
	list_init(&l->head);
	l->blocks = 0;
}

/* Add the allocated block (@pg, @order). Cannot fail. */
static inline void page_list_push(struct page_list *l, struct page *pg, unsigned order)
{
	pg->private_data = order;
	list_add(&pg->link, &l->head);
	l->blocks++;
}

/* Remove and return the most recently added block (its order in *@order), or NULL. */
static inline struct page *page_list_pop(struct page_list *l, unsigned *order)
{
	struct page *pg = list_first_entry_or_null(&l->head, struct page, link);

	if (!pg)
		return NULL;
	list_del(&pg->link);
	l->blocks--;
	*order = (unsigned)pg->private_data;
	return pg;
}

#endif
