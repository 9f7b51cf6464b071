/*
 * Host tests for struct page's reference count (include/mm/page.h): 32 bits wide, get and
 * put count exactly, the last put is reported (so the caller frees), and both misuses — a
 * get past PAGE_REF_MAX and a put below zero — panic with the count unchanged instead of
 * wrapping. put_page() itself (the free) is tested in the kernel (tests/kernel/test_owner.c).
 */
#include "htest.h"

#include <string.h>

#include "mm/page.h"

/* A fresh allocated head as the buddy allocator hands it out: one reference. */
static struct page fresh_page(void)
{
	struct page pg;

	memset(&pg, 0, sizeof(pg));
	pg.flags = PG_HEAD;
	pg.refcount = 1;
	return pg;
}

HT_TEST(refcount_is_32_bit_and_struct_page_stays_24_bytes)
{
	struct page pg = fresh_page();

	HT_EXPECT_EQ(sizeof(pg.refcount), 4);
	HT_EXPECT(sizeof(struct page) <= 6 * sizeof(void *));
	pg.refcount = 0x10000; /* past what 16 bits held */
	get_page(&pg);
	HT_EXPECT_EQ(page_ref_count(&pg), 0x10001);
}

HT_TEST(get_and_put_count_exactly_and_report_the_last_put)
{
	struct page pg = fresh_page();

	for (unsigned i = 0; i < 70000; i++) /* more than a 16-bit count could hold */
		get_page(&pg);
	HT_EXPECT_EQ(page_ref_count(&pg), 70001);
	for (unsigned i = 0; i < 70000; i++)
		HT_ASSERT(!put_page_testzero(&pg));
	HT_EXPECT_EQ(page_ref_count(&pg), 1);
	HT_EXPECT(put_page_testzero(&pg)); /* the last one: the caller frees */
	HT_EXPECT_EQ(page_ref_count(&pg), 0);
}

HT_TEST(get_past_the_maximum_panics_without_wrapping)
{
	static struct page pg; /* static: read after longjmp */
	jmp_buf jb;

	pg = fresh_page();
	pg.refcount = PAGE_REF_MAX - 1;
	get_page(&pg);
	HT_EXPECT_EQ(page_ref_count(&pg), PAGE_REF_MAX);
	ht_panic_jmp = &jb;
	if (setjmp(jb) == 0) {
		get_page(&pg);
		HT_EXPECT(!"get_page past PAGE_REF_MAX did not panic");
	}
	ht_panic_jmp = NULL;
	HT_EXPECT(strstr(ht_panic_msg, "BUG_ON(old == 0 || old >= PAGE_REF_MAX)") != NULL);
	HT_EXPECT_EQ(page_ref_count(&pg), PAGE_REF_MAX);
	HT_EXPECT(!put_page_testzero(&pg));
	HT_EXPECT_EQ(page_ref_count(&pg), PAGE_REF_MAX - 1);
}

HT_TEST(get_on_a_free_page_and_put_below_zero_panic)
{
	static struct page pg; /* static: read after longjmp */
	jmp_buf jb;

	pg = fresh_page();
	HT_EXPECT(put_page_testzero(&pg));
	ht_panic_jmp = &jb;
	if (setjmp(jb) == 0) {
		put_page_testzero(&pg);
		HT_EXPECT(!"put_page_testzero at 0 did not panic");
	}
	HT_EXPECT(strstr(ht_panic_msg, "BUG_ON(old == 0)") != NULL);
	HT_EXPECT_EQ(page_ref_count(&pg), 0);
	ht_panic_msg[0] = '\0';
	if (setjmp(jb) == 0) {
		get_page(&pg);
		HT_EXPECT(!"get_page on a free page did not panic");
	}
	ht_panic_jmp = NULL;
	HT_EXPECT(strstr(ht_panic_msg, "BUG_ON(old == 0 || old >= PAGE_REF_MAX)") != NULL);
	HT_EXPECT_EQ(page_ref_count(&pg), 0);
}
