/*
 * vm: user address spaces (mm/vm.c) — a page directory sharing the kernel half, the list of
 * VM areas, the break, the mmap area and the stack, and every user page they hold.
 *
 *   struct vm_space     one per process; not loaded in CR3 while it is built or torn down
 *   struct vm_area      [start, end) page-aligned, prot (VM_READ/WRITE/EXEC) and kind flags;
 *                       areas never overlap; the list is sorted by start
 *
 * Policy (this issue): eager. vm_map() allocates and zeroes every page of a new area at once
 * (a failure undoes the whole call: -ENOMEM, nothing left behind), fork copies every present
 * page, and exec populates the top of the stack. The one lazy case is the stack area
 * (VM_GROWSDOWN: 8 MiB reserved, populated on demand by vm_fault) and any page of an area
 * that is absent (demand-zero). The next issue (COW, zero page) changes vm_fault only.
 *
 * Pages: lowmem frames (the kernel reaches them through the direct map to load ELF segments,
 * build the initial stack and copy at fork), zeroed, charged to the space's owner id
 * (struct vm_space.owner, the process's memory owner) whoever allocates them, and freed by
 * vm_unmap / vm_destroy. Page tables come from mm_alloc_page_table (kernel-owned frames) and
 * are freed with the directory by vm_destroy.
 *
 * x86 without PAE has no execute bit: VM_READ implies VM_EXEC. A PROT_NONE area keeps its
 * pages mapped supervisor-only (a user access faults; the kernel's copy helpers could still
 * reach them).
 *
 * Locking: one CPU; a space is used by its own process (syscalls, faults) or by fork/exec/
 * exit while that process runs in the kernel, so no lock is taken. The #PF handler reaches the
 * running process's space through the resolver hook (include/mm/fault.h).
 */
#ifndef STRATA_MM_VM_H
#define STRATA_MM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/list.h"
#include "x86/mmu.h"

/* prot bits: Linux's PROT_* values. */
#define VM_READ      0x1u
#define VM_WRITE     0x2u
#define VM_EXEC      0x4u
#define VM_PROT_MASK (VM_READ | VM_WRITE | VM_EXEC)

/* Kinds (struct vm_area.flags). */
#define VM_ELF       (1u << 0) /* a PT_LOAD segment */
#define VM_HEAP      (1u << 1) /* the brk area */
#define VM_ANON      (1u << 2) /* mmap anonymous private */
#define VM_GROWSDOWN (1u << 3) /* the stack: reserved, populated on demand */

struct vm_area {
	struct list_head link; /* vm_space.areas, sorted by start */
	uintptr_t start, end;  /* page-aligned, start < end */
	uint32_t prot;         /* VM_READ | VM_WRITE | VM_EXEC */
	uint32_t flags;        /* VM_ELF ... */
};

struct vm_space {
	pde_t *pgdir; /* direct-map address of the page directory */
	struct list_head areas;
	uint32_t owner;      /* memory owner charged for the user pages */
	uintptr_t brk_start; /* page-aligned end of bss: the heap starts here */
	uintptr_t brk;       /* current break (brk_start <= brk) */
	uintptr_t mmap_top;  /* mmap searches top-down below this */
	uintptr_t stack_top; /* one past the highest stack byte */
	uint32_t rss_pages;  /* present user pages */
};

/* An empty space (kernel half shared, no areas) charged to @owner. NULL when out of memory. */
struct vm_space *vm_create(uint32_t owner);

/*
 * Free every user page, page table and area of @vm and its directory. @vm must not be the
 * directory loaded in CR3 (switch to the kernel's first). NULL is a no-op.
 */
void vm_destroy(struct vm_space *vm);

/*
 * New area [@start, @start + @len) (page-aligned, inside user space, overlapping nothing)
 * with @prot and @flags; populated at once unless VM_GROWSDOWN. Returns 0, -EINVAL (bad
 * range), -EEXIST (overlap) or -ENOMEM (nothing changed).
 */
int vm_map(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot, uint32_t flags);

/* Unmap [@start, @start + @len) (page-aligned), splitting areas. Returns 0, -EINVAL, -ENOMEM. */
int vm_unmap(struct vm_space *vm, uintptr_t start, size_t len);

/*
 * mprotect: give [@start, @start + @len) @prot. Returns 0; -ENOMEM when part of the range is
 * not mapped (nothing changed) or an area could not be split; -EINVAL for a bad range.
 */
int vm_protect(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot);

/*
 * mmap placement: the highest free range of @len bytes below vm->mmap_top (and above
 * USER_BASE). Returns its start, or 0 when there is none.
 */
uintptr_t vm_find_free(struct vm_space *vm, size_t len);

/* True when [@start, @start + @len) overlaps no area. */
bool vm_range_free(struct vm_space *vm, uintptr_t start, size_t len);

/* brk(2): move the break to @newbrk if possible. Returns the break in force afterwards. */
uintptr_t vm_brk(struct vm_space *vm, uintptr_t newbrk);

/*
 * Copy @src into the empty @dst: the same areas, and a fresh copy of every present page
 * (fork). Returns 0 or -ENOMEM (then vm_destroy(@dst) frees what was copied).
 */
int vm_fork(struct vm_space *dst, const struct vm_space *src);

/*
 * Resolve a fault at @addr with #PF error @error: a not-present page inside an area whose
 * prot allows the access gets a zeroed page. Returns 0 (retry), -EFAULT (no area, or the
 * access is not allowed) or -ENOMEM.
 */
int vm_fault(struct vm_space *vm, uintptr_t addr, uint32_t error);

/*
 * Kernel write of @len bytes at user address @uva of @vm (not necessarily loaded), through
 * the direct map; absent pages inside areas are populated. Returns 0, -EFAULT, -ENOMEM.
 */
int vm_write(struct vm_space *vm, uintptr_t uva, const void *src, size_t len);

/* The area containing @addr, or NULL. */
struct vm_area *vm_find(struct vm_space *vm, uintptr_t addr);

/* Bytes of all areas (VSZ). */
uint64_t vm_size_bytes(const struct vm_space *vm);

#endif
