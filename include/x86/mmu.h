/*
 * mmu: x86 two-level paging without PAE.
 *
 *   virtual address:  | 31 .. 22 | 21 .. 12 | 11 .. 0 |
 *                     |   PDX    |   PTX    | offset  |
 *   CR3 -> page directory (1024 PDEs) -> page table (1024 PTEs) -> 4 KiB frame
 *   A PDE with PTE_PS maps a 4 MiB page directly (needs CR4.PSE).
 *
 * The last PDE points at the directory itself (recursive mapping), so page table N is visible
 * at RECURSIVE_BASE + N * 4 KiB and the directory at RECURSIVE_PD (include/mm/layout.h).
 */
#ifndef STRATA_X86_MMU_H
#define STRATA_X86_MMU_H

#include <stdint.h>

#include "lib/page_size.h" /* PAGE_SHIFT, PAGE_SIZE: one definition, shared with mm */

#define PAGE_OFFSET_MASK (PAGE_SIZE - 1)
#define PTE_ADDR_MASK    0xFFFFF000u
#define PDX_SHIFT        22
#define PT_ENTRIES       1024
#define PD_ENTRIES       1024
#define PDE_SPAN         (1u << PDX_SHIFT) /* bytes one PDE covers: 4 MiB */

#define PDX(va) (((uint32_t)(va) >> PDX_SHIFT) & 0x3FFu)
#define PTX(va) (((uint32_t)(va) >> PAGE_SHIFT) & 0x3FFu)

/* Page directory / table entry bits. */
#define PTE_P       (1u << 0) /* present */
#define PTE_W       (1u << 1) /* writable */
#define PTE_U       (1u << 2) /* user accessible */
#define PTE_PWT     (1u << 3) /* write-through */
#define PTE_PCD     (1u << 4) /* cache disabled */
#define PTE_A       (1u << 5) /* accessed */
#define PTE_D       (1u << 6) /* dirty */
#define PTE_PS      (1u << 7) /* 4 MiB page (in a PDE) */
#define PTE_G       (1u << 8) /* global */
#define PTE_COW     (1u << 9) /* software: copy-on-write page (available bit) */
#define PTE_ADDR(e) ((e)&PTE_ADDR_MASK)

/* #PF error code bits. */
#define PF_P    (1u << 0) /* 0: not present, 1: protection violation */
#define PF_W    (1u << 1) /* 0: read, 1: write */
#define PF_U    (1u << 2) /* 0: kernel mode, 1: user mode */
#define PF_RSVD (1u << 3) /* reserved bit set in an entry */
#define PF_I    (1u << 4) /* instruction fetch */

typedef uint32_t pte_t;
typedef uint32_t pde_t;

#endif
