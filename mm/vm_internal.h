/*
 * vm_internal: what mm/vm.c (address spaces, areas, the fault handler's dispatch) and
 * mm/vm_pte.c (the page-table layer: PTE values, table sharing and copying, private and
 * shared frames, teardown) share. Private to the two; the policy is in include/mm/vm.h.
 */
#ifndef STRATA_MM_VM_INTERNAL_H
#define STRATA_MM_VM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/page_size.h"
#include "mm/layout.h"
#include "mm/page.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "x86/cpu.h"
#include "x86/mmu.h"

/* An exclusive user PDE: present, writable, user (the PTE decides). A table shared between
 * spaces since fork has its PDEs without PTE_W in every space that holds it. */
#define USER_PDE_FLAGS (PTE_P | PTE_W | PTE_U)
/* Fault-around: a file read fault maps the cached pages of this aligned window too. */
#define FAULT_AROUND_PAGES 32u

/* The shared zero page's frame (mm/vm.c allocates it with the first space). */
extern uint32_t vm_zero_pa;

static inline uint32_t page_pa(const struct page *pg)
{
	return (uint32_t)PFN_PHYS(page_to_pfn(pg));
}
static inline struct page *pa_page(uint32_t pa)
{
	return pfn_to_page(pa >> PAGE_SHIFT);
}
/*
 * The PTE value of frame @pa mapped with @prot: PROT_NONE keeps the frame not present; a
 * writable area's page is writable only when @exclusive (the one reference is this table's),
 * else read-only and marked PTE_COW for the write fault.
 */
static inline pte_t make_pte(uint32_t pa, uint32_t prot, bool exclusive)
{
	if (!(prot & VM_PROT_MASK))
		return pa | PTE_PROTNONE;
	if (!(prot & VM_WRITE))
		return pa | PTE_P | PTE_U;
	return pa | PTE_P | PTE_U | (exclusive ? PTE_W : PTE_COW);
}
/* Does PTE @e hold a frame? */
static inline bool pte_has_frame(pte_t e)
{
	return (e & (PTE_P | PTE_PROTNONE)) != 0;
}
/* Is frame @pa a private page only this table references (not the zero page)? */
static inline bool frame_exclusive(uint32_t pa)
{
	return pa != vm_zero_pa && page_ref_count(pa_page(pa)) == 1;
}
/* The table a present user PDE points at, through the direct map. */
static inline pte_t *pde_table(pde_t pde)
{
	return (pte_t *)phys_to_virt(PTE_ADDR(pde));
}
/*
 * Table bounds: a table's struct page keeps in private_data (0 after allocation: empty) the
 * index range [lo, hi) outside which every entry is 0, as lo | hi << 16 — a superset, grown
 * by every store of a frame and never shrunk, so that copying and tearing down a table scans
 * only the part that was ever used (a stack table holds a few entries at its top).
 */
static inline uint32_t bounds_lo(uint32_t b)
{
	return b & 0xFFFFu;
}
static inline uint32_t bounds_hi(uint32_t b)
{
	return b >> 16;
}
/* Grow the bounds of the table holding entry @e to include it. */
static inline void table_note(pte_t *e)
{
	struct page *tp = pa_page(virt_to_phys((void *)ALIGN_DOWN((uintptr_t)e, PAGE_SIZE)));
	uint32_t i = ((uintptr_t)e & (PAGE_SIZE - 1)) / sizeof(pte_t), b = tp->private_data;
	uint32_t lo = bounds_lo(b), hi = bounds_hi(b);

	if (hi == 0) {
		lo = i;
		hi = i + 1;
	} else if (i < lo) {
		lo = i;
	} else if (i >= hi) {
		hi = i + 1;
	} else {
		return;
	}
	tp->private_data = lo | hi << 16;
}
/*
 * Store @val in @vm's PTE @e for @va, flushing the TLB when @vm is loaded and the old entry
 * was present (the TLB never holds a not-present entry: filling one needs no flush).
 */
static inline void set_pte(struct vm_space *vm, pte_t *e, uintptr_t va, pte_t val)
{
	pte_t old = *e;

	*e = val;
	if (pte_has_frame(val))
		table_note(e);
	if ((old & PTE_P) && vm->pgdir == paging_current_pgdir())
		invlpg(va);
}
/* Drop every cached translation of @vm's user half when it is loaded (a PDE changed). */
static inline void flush_space(struct vm_space *vm)
{
	if (vm->pgdir == paging_current_pgdir())
		write_cr3(read_cr3());
}
/* The next page-table span boundary after @va (0 on wrap). */
static inline uintptr_t next_span(uintptr_t va)
{
	return ALIGN_DOWN(va, PDE_SPAN) + PDE_SPAN;
}

/* The page-table layer (mm/vm_pte.c; each contract is at its definition there). */
void vm_table_put(struct vm_space *vm, struct page *tbl);
pte_t *vm_pte_mut(struct vm_space *vm, uintptr_t va, bool alloc, int *err);
pte_t *vm_pte_peek(const struct vm_space *vm, uintptr_t va);
int vm_unshare_range(struct vm_space *vm, uintptr_t start, uintptr_t end);
pte_t *vm_make_private(struct vm_space *vm, const struct vm_area *a, uintptr_t va, int *err,
                       int *kind);
int vm_map_shared_page(struct vm_space *vm, const struct vm_area *a, uintptr_t va, pte_t *e);
pte_t *vm_resolve_page(struct vm_space *vm, const struct vm_area *a, uintptr_t va, int *err);
void vm_free_range(struct vm_space *vm, uintptr_t start, uintptr_t end, bool shared);
void vm_drop_empty_tables(struct vm_space *vm, uintptr_t start, uintptr_t end);
void vm_reprotect_range(struct vm_space *vm, const struct vm_area *a, uintptr_t start,
                        uintptr_t end, uint32_t prot);
int vm_map_file_page(struct vm_space *vm, const struct vm_area *a, uintptr_t va, pte_t *e);

#endif
