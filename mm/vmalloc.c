/*
 * vmalloc: the kernel's virtually contiguous region (see include/mm/vmalloc.h).
 *
 * Address space is handed out first-fit from a slot map of the region's pages (lib/slotmap.h,
 * one slot per page); area_pages[i] holds
 * the length in pages of the area starting at page i (0 elsewhere), so vfree needs no header
 * inside the area. Each area reserves one extra page, left unmapped, as its guard.
 * Invariants: every page of an area and its guard is taken in `busy`; area_pages[start] > 0 iff
 * an area starts there; used_pages is the sum of mapped pages.
 */
#include "mm/vmalloc.h"

#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/slotmap.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "x86/cpu.h"
#include "x86/mmu.h"

static uint32_t busy_words[SLOTMAP_WORDS(VMALLOC_PAGES)];
static struct slotmap busy = SLOTMAP_INIT(busy_words, VMALLOC_PAGES);
static uint16_t area_pages[VMALLOC_PAGES];
static uint32_t used_pages;

/*
 * Start with an empty region and its page tables already in place, so the kernel's page
 * directory entries never change after boot (address spaces made later can share them) and
 * a vfree returns every frame its vmalloc took.
 */
void vmalloc_init(void)
{
	slotmap_reset(&busy);
	memset(area_pages, 0, sizeof(area_pages));
	used_pages = 0;
	paging_prealloc_tables(VMALLOC_BASE, RECURSIVE_BASE, "vmalloc region");
}

/* Unmap and free the first @mapped pages of the area at page @start. */
static void release(uint32_t start, uint32_t mapped)
{
	for (uint32_t i = 0; i < mapped; i++) {
		uintptr_t va = VMALLOC_BASE + (start + i) * PAGE_SIZE;
		uint32_t pa;
		if (paging_lookup(kernel_pgdir, va, &pa) == 0) {
			paging_unmap(kernel_pgdir, va);
			free_pages(pfn_to_page(pa >> PAGE_SHIFT), 0);
		}
	}
}

void *vmalloc(size_t size, gfp_t gfp, struct mm_error *err)
{
	struct mm_error local;
	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	uint32_t n = (uint32_t)((size + PAGE_SIZE - 1) / PAGE_SIZE);
	if (size == 0 || n + 1 > VMALLOC_PAGES || n > UINT16_MAX) {
		err->kind = MM_INVALID_ARGUMENT;
		err->requested = size;
		return 0;
	}
	uint32_t flags = irq_save();
	uint32_t start = slotmap_alloc_run(&busy, n + 1); /* first fit, the area and its guard */
	if (start == VMALLOC_PAGES) {
		irq_restore(flags);
		err->kind = MM_OUT_OF_MEMORY;
		err->requested = size;
		err->total = (uint64_t)VMALLOC_PAGES * PAGE_SIZE;
		err->used = (uint64_t)used_pages * PAGE_SIZE;
		err->available = err->total - err->used;
		if (gfp & __GFP_NOFAIL)
			panic("out of memory: vmalloc(%zu): no address space", size);
		return 0;
	}
	area_pages[start] = (uint16_t)n;
	irq_restore(flags);

	for (uint32_t i = 0; i < n; i++) {
		struct page *pg = alloc_pages(
		    0, (gfp & (__GFP_ZERO | __GFP_NOFAIL)) | __GFP_HIGHMEM | __GFP_KOWNED, err);
		uintptr_t va = VMALLOC_BASE + (start + i) * PAGE_SIZE;
		if (!pg || paging_map(kernel_pgdir, va, page_to_pfn(pg) << PAGE_SHIFT, PTE_W) < 0) {
			if (pg)
				free_pages(pg, 0);
			release(start, i);
			flags = irq_save();
			area_pages[start] = 0;
			slotmap_free_run(&busy, start, n + 1);
			irq_restore(flags);
			if (err->kind == MM_OK)
				err->kind = MM_OUT_OF_MEMORY;
			err->requested = size;
			return 0;
		}
	}
	flags = irq_save();
	used_pages += n;
	irq_restore(flags);
	return (void *)(VMALLOC_BASE + start * PAGE_SIZE);
}

static bool area_start(uintptr_t a, uint32_t *start)
{
	if (a < VMALLOC_BASE || a >= RECURSIVE_BASE || (a & PAGE_OFFSET_MASK))
		return false;
	*start = (uint32_t)((a - VMALLOC_BASE) >> PAGE_SHIFT);
	return area_pages[*start] != 0;
}

int vfree(void *addr)
{
	uint32_t start;

	if (!addr)
		return 0;
	if (!area_start((uintptr_t)addr, &start)) {
		pr_err("mm: bad vfree(%p) from %pS: not a vmalloc area\n", addr,
		       (void *)RET_ADDR());
		return -EINVAL;
	}
	uint32_t n = area_pages[start];
	release(start, n);
	uint32_t flags = irq_save();
	area_pages[start] = 0;
	slotmap_free_run(&busy, start, n + 1);
	used_pages -= n;
	irq_restore(flags);
	return 0;
}

size_t vmalloc_size(const void *addr)
{
	uint32_t start;
	return area_start((uintptr_t)addr, &start) ? (size_t)area_pages[start] * PAGE_SIZE : 0;
}

bool vmalloc_is_guard(uintptr_t a)
{
	if (a < VMALLOC_BASE + PAGE_SIZE || a >= RECURSIVE_BASE)
		return false;
	uint32_t page = (uint32_t)((a - VMALLOC_BASE) >> PAGE_SHIFT);
	/* the guard follows an area: find the area that ends right before it */
	for (uint32_t s = page; s-- > 0;) {
		if (area_pages[s])
			return s + area_pages[s] == page;
		if (!slotmap_test(&busy, s))
			return false;
	}
	return false;
}

void vmalloc_stats(uint64_t *total, uint64_t *used)
{
	*total = (uint64_t)VMALLOC_PAGES * PAGE_SIZE;
	*used = (uint64_t)used_pages * PAGE_SIZE;
}
