/*
 * paging: one page-table walker (paging_walk) under every lookup, unmap and protection change.
 * See include/mm/paging.h for the recursive-mapping scheme.
 */
#include "mm/paging.h"

#include "lib/panic.h"
#include "lib/errno.h"
#include "mm/layout.h"
#include "mm/phys.h"
#include "x86/cpu.h"

static inline pde_t *pde_of(uintptr_t va)
{
	return (pde_t *)(RECURSIVE_PD + PDX(va) * sizeof(pde_t));
}

static inline pte_t *pte_of(uintptr_t va)
{
	return (pte_t *)(RECURSIVE_BASE + (va >> PAGE_SHIFT) * sizeof(pte_t));
}

pte_t *paging_walk(uintptr_t va, bool *large)
{
	pde_t *pde = pde_of(va);

	*large = false;
	if (!(*pde & PTE_P))
		return 0;
	if (*pde & PTE_PS) {
		*large = true;
		return pde;
	}
	return pte_of(va);
}

bool paging_is_mapped(uintptr_t va)
{
	bool large;
	pte_t *e = paging_walk(va, &large);

	return e && (*e & PTE_P);
}

int paging_lookup(uintptr_t va, uint32_t *pa)
{
	bool large;
	pte_t *e = paging_walk(va, &large);

	if (!e || !(*e & PTE_P))
		return -EFAULT;
	if (large)
		*pa = (*e & ~(PDE_SPAN - 1)) | (va & (PDE_SPAN - 1));
	else
		*pa = PTE_ADDR(*e) | (va & PAGE_OFFSET_MASK);
	return 0;
}

/* Give the 4 MiB span of @va a fresh zeroed page table. Returns 0 or -ENOMEM (*@err filled). */
static int install_table(uintptr_t va, struct mm_error *err)
{
	uint32_t pt = mm_alloc_page_table(err);
	if (!pt)
		return -ENOMEM;
	/* Kernel-half tables are shared; user tables get PTE_U at the PDE so the PTE decides. */
	*pde_of(va) = pt | PTE_P | PTE_W | (va < KERNEL_BASE ? PTE_U : 0);
	invlpg((uintptr_t)pte_of(va & ~(PDE_SPAN - 1)));
	return 0;
}

void paging_prealloc_tables(uintptr_t start, uintptr_t end, const char *what)
{
	for (uintptr_t va = start; va < end; va += PDE_SPAN) {
		struct mm_error err;
		if (!(*pde_of(va) & PTE_P) && install_table(va, &err) < 0)
			panic("mm: no page table for the %s: %llu bytes free", what,
			      (unsigned long long)err.available);
	}
}

int paging_map(uintptr_t va, uint32_t pa, uint32_t flags)
{
	bool large;
	pte_t *e;

	if (va >= RECURSIVE_BASE)
		return -EINVAL;
	e = paging_walk(va, &large);
	if (large)
		return -EINVAL;
	if (!e) {
		struct mm_error err;
		if (install_table(va, &err) < 0)
			return -ENOMEM;
		e = paging_walk(va, &large);
	}
	if (*e & PTE_P)
		return -EEXIST;
	*e = (pa & PTE_ADDR_MASK) | (flags & PAGE_OFFSET_MASK) | PTE_P;
	invlpg(va);
	return 0;
}

/* The PTE of the present 4 KiB page at @va, or NULL (unmapped, or part of a 4 MiB page). */
static pte_t *small_page_pte(uintptr_t va)
{
	bool large;
	pte_t *e = paging_walk(va, &large);

	return (e && (*e & PTE_P) && !large) ? e : 0;
}

int paging_unmap(uintptr_t va)
{
	pte_t *e = small_page_pte(va);

	if (!e)
		return -EFAULT;
	*e = 0;
	invlpg(va);
	return 0;
}

int paging_set_flags(uintptr_t va, uint32_t flags)
{
	pte_t *e = small_page_pte(va);

	if (!e)
		return -EFAULT;
	*e = PTE_ADDR(*e) | (flags & PAGE_OFFSET_MASK) | PTE_P;
	invlpg(va);
	return 0;
}

void paging_init_early(void)
{
	pde_t *pd = (pde_t *)RECURSIVE_PD;

	paging_unmap((uintptr_t)boot_stack_guard);
	for (uintptr_t va = (uintptr_t)__text_start; va < (uintptr_t)__rodata_end; va += PAGE_SIZE)
		paging_set_flags(va, PTE_P); /* read-only, kernel only */
	for (unsigned i = 0; i < BOOT_MAP_BYTES / PDE_SPAN; i++)
		pd[i] = 0; /* the identity mapping used by boot/entry.asm */
	write_cr3(read_cr3());
}
