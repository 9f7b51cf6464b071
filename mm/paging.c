/*
 * paging: one page-table walker (paging_walk) over any page directory, under every map,
 * lookup, unmap and protection change, and the making and freeing of directories.
 *
 * Design: a directory and its tables are lowmem frames, so the walker goes pgdir[PDX(va)] ->
 * phys_to_virt(table) -> table[PTX(va)] with two reads and no CR3 access; the same code
 * serves the running address space and one being built or torn down. A 4 MiB PDE is reported
 * to the caller, never walked into. See include/mm/paging.h for the kernel-half and TLB rules.
 */
#include "mm/paging.h"

#include "lib/string.h"

#include "lib/panic.h"
#include "lib/errno.h"
#include "mm/layout.h"
#include "mm/phys.h"
#include "x86/cpu.h"
#include "x86/pageops.h"

#define KERNEL_PDX    PDX(KERNEL_BASE)    /* first PDE of the kernel half */
#define RECURSIVE_PDX PDX(RECURSIVE_BASE) /* the PDE that points at its own directory */

pde_t *const kernel_pgdir = boot_page_dir;

pde_t *paging_current_pgdir(void)
{
	return phys_to_virt(read_cr3() & PTE_ADDR_MASK);
}

/* The page table a present 4 KiB-table PDE points at, through the direct map. */
static inline pte_t *pde_table(pde_t pde)
{
	return phys_to_virt(PTE_ADDR(pde));
}

/* Flush @va from the TLB when @pgdir's mapping of it can be cached (see paging.h). */
static void flush(pde_t *pgdir, uintptr_t va)
{
	if (va >= KERNEL_BASE || pgdir == paging_current_pgdir())
		invlpg(va);
}

/* May the walker make @va's page table in @pgdir? Not in the recursive window, and kernel-half
 * tables only in kernel_pgdir (the other directories hold copies of its PDEs). */
static bool may_make_table(const pde_t *pgdir, uintptr_t va)
{
	return va < RECURSIVE_BASE && (va < KERNEL_BASE || pgdir == kernel_pgdir);
}

/* Give @pgdir's 4 MiB span of @va a fresh zeroed table. Returns 0 or -ENOMEM (*@err filled). */
static int install_table(pde_t *pgdir, uintptr_t va, struct mm_error *err)
{
	uint32_t pt = mm_alloc_page_table(err);

	if (!pt)
		return -ENOMEM;
	/* Kernel-half tables are shared; user tables get PTE_U at the PDE so the PTE decides. */
	pgdir[PDX(va)] = pt | PTE_P | PTE_W | (va < KERNEL_BASE ? PTE_U : 0);
	if (pgdir == paging_current_pgdir()) /* the recursive window shows the new table */
		invlpg(RECURSIVE_BASE + PDX(va) * PAGE_SIZE);
	return 0;
}

pte_t *paging_walk(pde_t *pgdir, uintptr_t va, bool alloc, pde_t **large)
{
	pde_t *pde = &pgdir[PDX(va)];
	struct mm_error err;

	if (large)
		*large = NULL;
	if (va >= RECURSIVE_BASE)
		return NULL;
	if (*pde & PTE_P) {
		if (*pde & PTE_PS) {
			if (large)
				*large = pde;
			return NULL;
		}
	} else if (!alloc || !may_make_table(pgdir, va) || install_table(pgdir, va, &err) < 0) {
		return NULL;
	}
	return &pde_table(*pde)[PTX(va)];
}

/* The PTE of the present 4 KiB page at @va in @pgdir, or NULL (unmapped, or in a 4 MiB page). */
static pte_t *present_pte(pde_t *pgdir, uintptr_t va)
{
	pte_t *e = paging_walk(pgdir, va, false, NULL);

	return (e && (*e & PTE_P)) ? e : NULL;
}

bool paging_is_mapped(pde_t *pgdir, uintptr_t va)
{
	pde_t *large;
	pte_t *e = paging_walk(pgdir, va, false, &large);

	return large || (e && (*e & PTE_P));
}

int paging_lookup(pde_t *pgdir, uintptr_t va, uint32_t *pa)
{
	pde_t *large;
	pte_t *e = paging_walk(pgdir, va, false, &large);

	if (large) {
		*pa = (*large & ~(PDE_SPAN - 1)) | (va & (PDE_SPAN - 1));
		return 0;
	}
	if (!e || !(*e & PTE_P))
		return -EFAULT;
	*pa = PTE_ADDR(*e) | (va & PAGE_OFFSET_MASK);
	return 0;
}

void paging_prealloc_tables(uintptr_t start, uintptr_t end, const char *what)
{
	for (uintptr_t va = start; va < end; va += PDE_SPAN) {
		struct mm_error err;
		if (!(kernel_pgdir[PDX(va)] & PTE_P) && install_table(kernel_pgdir, va, &err) < 0)
			panic("mm: no page table for the %s: %llu bytes free", what,
			      (unsigned long long)err.available);
	}
}

int paging_map(pde_t *pgdir, uintptr_t va, uint32_t pa, uint32_t flags)
{
	pde_t *large;
	pte_t *e = paging_walk(pgdir, va, true, &large);

	if (!e)
		return (large || !may_make_table(pgdir, va)) ? -EINVAL : -ENOMEM;
	if (*e & PTE_P)
		return -EEXIST;
	*e = (pa & PTE_ADDR_MASK) | (flags & PAGE_OFFSET_MASK) | PTE_P;
	flush(pgdir, va);
	return 0;
}

int paging_unmap(pde_t *pgdir, uintptr_t va)
{
	pte_t *e = present_pte(pgdir, va);

	if (!e)
		return -EFAULT;
	*e = 0;
	flush(pgdir, va);
	return 0;
}

int paging_set_flags(pde_t *pgdir, uintptr_t va, uint32_t flags)
{
	pte_t *e = present_pte(pgdir, va);

	if (!e)
		return -EFAULT;
	*e = PTE_ADDR(*e) | (flags & PAGE_OFFSET_MASK) | PTE_P;
	flush(pgdir, va);
	return 0;
}

pde_t *paging_pgdir_create(struct mm_error *err)
{
	uint32_t pa = mm_alloc_page_table_gfp(0, err);
	pde_t *pgdir;

	if (!pa)
		return NULL;
	pgdir = phys_to_virt(pa);
	_Static_assert(KERNEL_PDX * sizeof(pde_t) % 256 == 0, "the halves are 256-byte blocks");
	clear_block(pgdir, KERNEL_PDX * sizeof(pde_t)); /* an empty user half */
	copy_block(&pgdir[KERNEL_PDX], &kernel_pgdir[KERNEL_PDX],
	           (PD_ENTRIES - KERNEL_PDX) * sizeof(pde_t)); /* the recursive slot: below */
	pgdir[RECURSIVE_PDX] = pa | PTE_P | PTE_W;
	return pgdir;
}

int paging_pgdir_free(pde_t *pgdir)
{
	if (pgdir == kernel_pgdir || pgdir == paging_current_pgdir())
		return -EBUSY;
	mm_free_page_table(virt_to_phys(pgdir));
	return 0;
}

int paging_pgdir_destroy(pde_t *pgdir)
{
	if (pgdir == kernel_pgdir || pgdir == paging_current_pgdir())
		return -EBUSY;
	for (unsigned i = 0; i < KERNEL_PDX; i++)
		if ((pgdir[i] & PTE_P) && !(pgdir[i] & PTE_PS))
			mm_free_page_table(PTE_ADDR(pgdir[i]));
	mm_free_page_table(virt_to_phys(pgdir));
	return 0;
}

void paging_init_early(void)
{
	paging_unmap(kernel_pgdir, (uintptr_t)boot_stack_guard);
	for (uintptr_t va = (uintptr_t)__text_start; va < (uintptr_t)__rodata_end; va += PAGE_SIZE)
		paging_set_flags(kernel_pgdir, va, PTE_P); /* read-only, kernel only */
	for (unsigned i = 0; i < BOOT_MAP_BYTES / PDE_SPAN; i++)
		kernel_pgdir[i] = 0; /* the identity mapping used by boot/entry.asm */
	write_cr3(read_cr3());
}
