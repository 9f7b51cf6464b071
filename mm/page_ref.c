/*
 * page_ref: put_page(), the one place a dropped page reference frees its block (contract in
 * include/mm/page.h, which has the reference rules and the helpers get_page() and
 * put_page_testzero()). Kernel only: it calls the page allocator, so the host tests exercise
 * the counting helpers and the guest tests this file.
 */
#include "mm/page.h"

#include "mm/phys.h"

bool put_page(struct page *pg)
{
	if (!put_page_testzero(pg))
		return false;
	free_pages(pg, pg->order);
	return true;
}
