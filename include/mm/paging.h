/*
 * paging: the kernel's one page-table walker, over any page directory, and the operations
 * built on it (map, unmap, lookup, protection, directories made and freed).
 *
 * Every operation names the directory it works on. Page tables and directories live in
 * lowmem (the boot tables in the kernel image, later ones from mm_alloc_page_table), so the
 * walker reaches any directory's tables through the direct map: it never reads CR3 to find
 * them and never switches CR3 to look, so fork, exec, teardown and an auditor can walk an
 * address space that is not running. The recursive PDE (the last one of every directory
 * points at the directory itself, see include/mm/layout.h) stays for the kmap table; the
 * walker does not use it and refuses addresses in its window.
 *
 * Kernel half: every directory's PDEs for [KERNEL_BASE, RECURSIVE_BASE) are copies of
 * kernel_pgdir's, made when the directory is created, and those PDEs never change after boot
 * (the direct map and kmap tables are made in mm_init, the stack and vmalloc regions' tables
 * are preallocated). So a kernel mapping made in kernel_pgdir is seen by every directory,
 * and the walker refuses to add a kernel-half table to any other directory.
 *
 * TLB: a change is flushed (invlpg) when it can be cached: a kernel-half address (shared),
 * or any address of the directory in CR3. A directory that is not loaded needs no flush.
 * Locking: callers run with interrupts off or own the address range (single CPU).
 */
#ifndef STRATA_MM_PAGING_H
#define STRATA_MM_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/error.h"
#include "x86/mmu.h"

/* The kernel's page directory (boot/entry.asm's); the kernel-only users map in it. */
extern pde_t *const kernel_pgdir;

/* The directory loaded in CR3, as a direct-map address. Cannot fail. */
pde_t *paging_current_pgdir(void);

/*
 * The walker (xv6's walkpgdir): the PTE that maps @va in the directory @pgdir, present or
 * not, as a direct-map pointer the caller may read and write. Returns NULL when there is no
 * 4 KiB PTE for @va:
 *   - @va lies in a 4 MiB (PTE_PS) page: the walker does not walk into it; if @large is not
 *     NULL, *@large is set to that PDE so the caller can tell this case apart (otherwise, and
 *     in every other case, *@large is set to NULL);
 *   - @va's page table is absent and @alloc is false;
 *   - @alloc is true but no table could be made: no lowmem frame (out of memory), or @va is
 *     in the kernel half and @pgdir is not kernel_pgdir (the kernel half is shared);
 *   - @va is in the recursive window [RECURSIVE_BASE, 4 GiB).
 * With @alloc, an absent table is made: a zeroed lowmem frame from mm_alloc_page_table, its
 * PDE present and writable, and user-accessible below KERNEL_BASE (the PTE then decides).
 */
pte_t *paging_walk(pde_t *pgdir, uintptr_t va, bool alloc, pde_t **large);

/* True when a read of @va through @pgdir would not fault (present at both levels). */
bool paging_is_mapped(pde_t *pgdir, uintptr_t va);

/* Translate @va in @pgdir; returns 0 and stores the physical address, or -EFAULT if unmapped. */
int paging_lookup(pde_t *pgdir, uintptr_t va, uint32_t *pa);

/*
 * Map the 4 KiB page at @va in @pgdir to physical @pa with @flags (PTE_W, PTE_U; PTE_P is
 * implied), making the page table if needed. Returns 0; -EEXIST when @va is already mapped
 * (nothing changes); -ENOMEM when no page-table frame could be had; -EINVAL for an address
 * inside a 4 MiB page or the recursive window, or a kernel-half address whose table is absent
 * in a directory other than kernel_pgdir.
 */
int paging_map(pde_t *pgdir, uintptr_t va, uint32_t pa, uint32_t flags);

/* Remove the 4 KiB mapping of @va from @pgdir (flushed as above); -EFAULT if it was not mapped. */
int paging_unmap(pde_t *pgdir, uintptr_t va);

/* Replace the flag bits (PTE_W, PTE_U, ...) of the 4 KiB page at @va; -EFAULT if unmapped. */
int paging_set_flags(pde_t *pgdir, uintptr_t va, uint32_t flags);

/*
 * Give every 4 MiB span of [@start, @end) its page table in kernel_pgdir now (zeroed lowmem
 * frames), so the kernel half's PDEs never change later. Boot only, before any other
 * directory exists: panics naming @what ("vmalloc region") if a frame cannot be had.
 */
void paging_prealloc_tables(uintptr_t start, uintptr_t end, const char *what);

/*
 * A new page directory: a zeroed lowmem frame whose kernel half is a copy of kernel_pgdir's,
 * whose recursive PDE points at itself, and whose user half is empty. Not loaded in CR3.
 * Returns it (a direct-map address), or NULL with *@err filled when no frame could be had.
 */
pde_t *paging_pgdir_create(struct mm_error *err);

/*
 * Free @pgdir whose user half the caller has emptied already (no scan of it). Returns 0, or
 * -EBUSY for the kernel's directory or the one loaded in CR3 (nothing freed).
 */
int paging_pgdir_free(pde_t *pgdir);

/*
 * Free @pgdir from paging_pgdir_create and the page tables of its user half. The frames those
 * tables map are not freed: that is the address space's owner's job, done before this.
 * Returns 0; -EBUSY (nothing freed) for kernel_pgdir or the directory loaded in CR3.
 */
int paging_pgdir_destroy(pde_t *pgdir);

/*
 * Early boot: unmap the boot stack's guard page, make kernel text and rodata read-only
 * (CR0.WP is already on) and drop the identity mapping made by boot/entry.asm.
 * Call once the multiboot information has been copied out of low memory.
 */
void paging_init_early(void);

#endif
