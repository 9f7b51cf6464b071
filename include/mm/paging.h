/*
 * paging: the kernel's one page-table walker and the operations built on it.
 *
 * Page tables are reached through the recursive mapping (include/mm/layout.h): the last PDE
 * of every directory points at the directory, so the PTE for va is at
 * RECURSIVE_BASE + (va >> 12) * 4 and its PDE at RECURSIVE_PD + PDX(va) * 4.
 * Locking: callers run with interrupts off or own the address range (single CPU).
 */
#ifndef STRATA_MM_PAGING_H
#define STRATA_MM_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "x86/mmu.h"

/*
 * The walker: the PTE that maps @va in the current address space, or NULL when its page
 * table is absent. For a 4 MiB page the PDE itself is returned and *@large set true.
 */
pte_t *paging_walk(uintptr_t va, bool *large);

/* True when a read of @va would not fault (present at both levels). */
bool paging_is_mapped(uintptr_t va);

/* Translate @va; returns 0 and stores the physical address, or -EFAULT when unmapped. */
int paging_lookup(uintptr_t va, uint32_t *pa);

/*
 * Map the 4 KiB page at @va to physical @pa with @flags (PTE_W, PTE_U; PTE_P is implied),
 * allocating the page table if needed (a zeroed lowmem frame). Returns 0; -EEXIST when @va is
 * already mapped (nothing changes); -ENOMEM when no page-table frame could be had; -EINVAL for
 * an address inside a 4 MiB page or the recursive window.
 */
int paging_map(uintptr_t va, uint32_t pa, uint32_t flags);

/*
 * Give every 4 MiB span of [@start, @end) its page table now (zeroed lowmem frames), so the
 * kernel's page directory entries for that region never change later. Boot only: panics
 * naming @what ("vmalloc region") if a frame cannot be had.
 */
void paging_prealloc_tables(uintptr_t start, uintptr_t end, const char *what);

/* Remove the mapping of the 4 KiB page at @va and flush it; -EFAULT if it was not mapped. */
int paging_unmap(uintptr_t va);

/* Replace the flag bits (PTE_W, PTE_U, ...) of the 4 KiB page at @va; -EFAULT if unmapped. */
int paging_set_flags(uintptr_t va, uint32_t flags);

/*
 * Early boot: unmap the boot stack's guard page, make kernel text and rodata read-only
 * (CR0.WP is already on) and drop the identity mapping made by boot/entry.asm.
 * Call once the multiboot information has been copied out of low memory.
 */
void paging_init_early(void);

#endif
