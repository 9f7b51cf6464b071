/*
 * Guest tests of the page-table walker over a directory that is not loaded (mm/paging.c):
 * a second directory made by copying the kernel half is given a user mapping through the
 * walker while CR3 keeps the kernel's; lookups through both directories must answer for
 * their own tables only; the kernel half is shared (a vmalloc mapping made afterwards is
 * seen through both, and no kernel-half table may be added to the copy); 4 MiB direct-map
 * PDEs are reported, never walked into; and after unmapping and freeing the directory with
 * its tables the free page count and the page-table count are back exactly where they were.
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "mm/layout.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "mm/vmalloc.h"

#define TEST_VA   0x40000123u /* a user-half address, not page aligned */
#define TEST_PAGE (TEST_VA & ~PAGE_OFFSET_MASK)

struct counts {
	uint64_t free, page_tables; /* bytes, as meminfo prints them */
};

static struct counts counts_now(void)
{
	struct mm_meminfo mi;

	mm_meminfo(&mi);
	return (struct counts){ mi.free, mi.page_tables };
}

/* A new directory, and the counts from before it in *@before; NULL (a failure) if none. */
static pde_t *pgdir_begin(struct ktest_ctx *t, struct counts *before)
{
	struct mm_error err;
	pde_t *pd;

	*before = counts_now();
	pd = paging_pgdir_create(&err);
	if (!pd)
		ktest_fail(t, __FILE__, __LINE__, "paging_pgdir_create failed");
	return pd;
}

/* Destroy @pd and expect the free pages and page tables back at @before exactly. */
static void pgdir_end(struct ktest_ctx *t, pde_t *pd, const struct counts *before)
{
	struct counts after;

	KEXPECT_EQ(t, paging_pgdir_destroy(pd), 0);
	after = counts_now();
	KEXPECT_EQ(t, after.free, before->free);
	KEXPECT_EQ(t, after.page_tables, before->page_tables);
}

KTEST(paging, map_in_a_directory_not_loaded)
{
	struct counts before;
	struct mm_error err;
	uint32_t pa, got;
	pde_t *pd = pgdir_begin(t, &before);

	KASSERT(t, pd != NULL);
	KEXPECT(t, pd != kernel_pgdir);
	KEXPECT(t, paging_current_pgdir() == kernel_pgdir); /* nothing switched CR3 */
	KEXPECT_EQ(t, pd[PDX(RECURSIVE_BASE)] & PTE_ADDR_MASK, virt_to_phys(pd));

	/* an empty user half: a walk without alloc finds no table and makes none */
	KEXPECT(t, paging_walk(pd, TEST_VA, false, NULL) == NULL);
	KEXPECT_EQ(t, pd[PDX(TEST_VA)], 0);
	KEXPECT(t, !paging_is_mapped(pd, TEST_VA));

	struct page *pg = alloc_pages(0, GFP_HIGHUSER | __GFP_KOWNED, &err);
	KASSERT(t, pg != NULL);
	pa = page_to_pfn(pg) << PAGE_SHIFT;

	KASSERT_EQ(t, paging_map(pd, TEST_PAGE, pa, PTE_W | PTE_U), 0);
	/* the directory and one table */
	KEXPECT_EQ(t, counts_now().page_tables, before.page_tables + 2 * PAGE_SIZE);
	KEXPECT(t, (pd[PDX(TEST_VA)] & (PTE_P | PTE_W | PTE_U)) == (PTE_P | PTE_W | PTE_U));
	pte_t *e = paging_walk(pd, TEST_VA, false, NULL);
	KASSERT(t, e != NULL);
	KEXPECT_EQ(t, *e, pa | PTE_P | PTE_W | PTE_U);
	KEXPECT(t, paging_is_mapped(pd, TEST_VA));
	KEXPECT_EQ(t, paging_lookup(pd, TEST_VA, &got), 0);
	KEXPECT_EQ(t, got, pa | (TEST_VA & PAGE_OFFSET_MASK));
	KEXPECT_EQ(t, paging_map(pd, TEST_PAGE, pa, PTE_W), -EEXIST);
	KEXPECT_EQ(t, *e, pa | PTE_P | PTE_W | PTE_U); /* unchanged */
	KEXPECT_EQ(t, paging_set_flags(pd, TEST_PAGE, PTE_U), 0);
	KEXPECT_EQ(t, *e, pa | PTE_P | PTE_U);

	/* the running directory (the kernel's) does not see it, and got no table */
	KEXPECT(t, !paging_is_mapped(paging_current_pgdir(), TEST_VA));
	KEXPECT_EQ(t, paging_lookup(kernel_pgdir, TEST_VA, &got), -EFAULT);
	KEXPECT_EQ(t, kernel_pgdir[PDX(TEST_VA)], 0);

	KEXPECT_EQ(t, paging_unmap(pd, TEST_PAGE), 0);
	KEXPECT(t, !paging_is_mapped(pd, TEST_VA));
	KEXPECT_EQ(t, paging_lookup(pd, TEST_VA, &got), -EFAULT);
	KEXPECT_EQ(t, paging_unmap(pd, TEST_PAGE), -EFAULT);
	KEXPECT(t, paging_walk(pd, TEST_VA, false, NULL) != NULL); /* the table stays */

	KEXPECT_EQ(t, free_pages(pg, 0), 0);
	pgdir_end(t, pd, &before);
}

KTEST(paging, kernel_half_is_shared)
{
	struct counts before;
	struct mm_error err;
	uint32_t pa_k, pa_u;
	pde_t *pd = pgdir_begin(t, &before);

	KASSERT(t, pd != NULL);
	for (unsigned i = PDX(KERNEL_BASE); i < PDX(RECURSIVE_BASE); i++)
		KASSERT_EQ(t, pd[i], kernel_pgdir[i]);

	/* kernel text through either directory: the same frame */
	KEXPECT_EQ(t, paging_lookup(pd, (uintptr_t)counts_now, &pa_u), 0);
	KEXPECT_EQ(t, paging_lookup(kernel_pgdir, (uintptr_t)counts_now, &pa_k), 0);
	KEXPECT_EQ(t, pa_u, pa_k);

	/* a kernel mapping made after the copy is seen through the copy (shared tables) */
	uint8_t *v = vmalloc(PAGE_SIZE, 0, &err);
	KASSERT(t, v != NULL);
	KEXPECT_EQ(t, paging_lookup(kernel_pgdir, (uintptr_t)v, &pa_k), 0);
	KEXPECT_EQ(t, paging_lookup(pd, (uintptr_t)v, &pa_u), 0);
	KEXPECT_EQ(t, pa_u, pa_k);
	KEXPECT_EQ(t, vfree(v), 0);
	KEXPECT(t, !paging_is_mapped(pd, (uintptr_t)v));

	/* no kernel-half table may be added to a copy; none is in the recursive window */
	if (!(kernel_pgdir[PDX(DEVICE_BASE)] & PTE_P)) {
		KEXPECT(t, paging_walk(pd, DEVICE_BASE, true, NULL) == NULL);
		KEXPECT_EQ(t, paging_map(pd, DEVICE_BASE, 0, PTE_W), -EINVAL);
		KEXPECT_EQ(t, pd[PDX(DEVICE_BASE)], 0);
	}
	KEXPECT(t, paging_walk(pd, RECURSIVE_BASE, true, NULL) == NULL);
	KEXPECT_EQ(t, paging_map(pd, RECURSIVE_BASE + PAGE_SIZE, 0, PTE_W), -EINVAL);
	KEXPECT_EQ(t, paging_map(kernel_pgdir, RECURSIVE_BASE, 0, PTE_W), -EINVAL);

	pgdir_end(t, pd, &before);
}

KTEST(paging, large_pages_are_reported_not_walked)
{
	uintptr_t va = KERNEL_BASE + BOOT_MAP_BYTES + 0x1234; /* the first 4 MiB direct-map page */
	pde_t *large = NULL;
	uint32_t pa;

	if (mm_lowmem_end() <= BOOT_MAP_BYTES)
		return; /* no 4 MiB pages on this machine */
	KEXPECT(t, paging_walk(kernel_pgdir, va, false, &large) == NULL);
	KEXPECT(t, large == &kernel_pgdir[PDX(va)]);
	KEXPECT(t, large && (*large & PTE_PS));
	KEXPECT(t, paging_walk(kernel_pgdir, va, true, &large) == NULL); /* alloc never replaces */
	KEXPECT(t, large && (*large & PTE_PS));
	KEXPECT(t, paging_is_mapped(kernel_pgdir, va));
	KEXPECT_EQ(t, paging_lookup(kernel_pgdir, va, &pa), 0);
	KEXPECT_EQ(t, pa, BOOT_MAP_BYTES + 0x1234);
	KEXPECT_EQ(t, paging_map(kernel_pgdir, va & ~PAGE_OFFSET_MASK, 0, PTE_W), -EINVAL);
	KEXPECT_EQ(t, paging_unmap(kernel_pgdir, va & ~PAGE_OFFSET_MASK), -EFAULT);
	KEXPECT_EQ(t, paging_set_flags(kernel_pgdir, va & ~PAGE_OFFSET_MASK, 0), -EFAULT);
	KEXPECT(t, paging_is_mapped(kernel_pgdir, va)); /* still there */

	/* a 4 KiB page: *large is cleared */
	large = kernel_pgdir;
	KEXPECT(t, paging_walk(kernel_pgdir, (uintptr_t)counts_now, false, &large) != NULL);
	KEXPECT(t, large == NULL);
}

KTEST(paging, destroy_refuses_live_directories)
{
	KEXPECT_EQ(t, paging_pgdir_destroy(kernel_pgdir), -EBUSY);
	KEXPECT_EQ(t, paging_pgdir_destroy(paging_current_pgdir()), -EBUSY);
	KEXPECT(t, paging_is_mapped(kernel_pgdir, (uintptr_t)counts_now));
}
