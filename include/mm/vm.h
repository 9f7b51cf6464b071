/*
 * vm: user address spaces (mm/vm.c) — a page directory sharing the kernel half, the set of VM
 * areas (include/mm/vma.h: sorted, disjoint, equal neighbours merged), the break, the mmap
 * area and the stack, and every user page and page table they hold.
 *
 *   struct vm_space     one per process; not loaded in CR3 while it is built or torn down
 *   struct vm_area      [start, end) page-aligned, prot (VM_READ/WRITE/EXEC) and kind flags
 *
 * Policy: eager. vm_map() allocates and zeroes every page of a new accessible area at once (a
 * failure undoes the whole call: -ENOMEM, nothing left behind), fork copies every page, and
 * exec populates the top of the stack. Lazy (demand-zero on first touch, vm_fault): the stack
 * (VM_GROWSDOWN: 8 MiB reserved), areas mapped with VM_MAP_LAZY (MAP_NORESERVE) or PROT_NONE,
 * pages dropped by vm_discard (MADV_DONTNEED), and any absent page inside an area.
 *
 * Pages: lowmem frames (the kernel reaches them through the direct map to load ELF segments,
 * build the initial stack and copy at fork), zeroed, charged to the space's owner id
 * (struct vm_space.owner, the process's memory owner) whoever allocates them, and freed by
 * vm_unmap / vm_discard / vm_destroy. The page tables of the user half are charged to the
 * owner too (made by vm.c itself, before the walker is asked for a PTE); a table is freed
 * when no area is left in its 4 MiB span, and all of them by vm_destroy. The directory itself
 * comes from paging_pgdir_create (kernel-owned: one frame per process, freed by vm_destroy).
 *
 * Protection: x86 without PAE has no execute bit: VM_READ implies VM_EXEC. A read-only page
 * is present without PTE_W (CR0.WP: the kernel's copy helpers fault on it too). A PROT_NONE
 * page is NOT present: its PTE keeps the frame with the software bit PTE_PROTNONE (as Linux's
 * _PAGE_PROTNONE), so user accesses and the copy helpers both fault (vm_fault refuses: the
 * area allows nothing) and mprotect back restores the content.
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
#include "mm/vma.h"
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
/* vm_map only, not kept in the area: leave the pages absent (demand-zero on first touch). */
#define VM_MAP_LAZY (1u << 16)

/* Areas a space may have (Linux's default vm.max_map_count); one more is -ENOMEM. */
#define VM_MAX_AREAS 65530u

struct vm_space {
	pde_t *pgdir;         /* direct-map address of the page directory */
	struct vma_set areas; /* struct vm_area, sorted, disjoint, at most VM_MAX_AREAS */
	uint32_t owner;       /* memory owner charged for the user pages */
	uintptr_t brk_start;  /* page-aligned end of bss: the heap starts here */
	uintptr_t brk;        /* current break (brk_start <= brk) */
	uintptr_t mmap_top;   /* mmap searches top-down below this */
	uintptr_t stack_top;  /* one past the highest stack byte */
	uint32_t rss_pages;   /* present user pages */
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
 * with @prot and @flags (a kind, plus VM_MAP_LAZY); populated at once unless VM_GROWSDOWN,
 * VM_MAP_LAZY or PROT_NONE; merged with equal neighbours. Returns 0, -EINVAL (bad range),
 * -EEXIST (overlap) or -ENOMEM (no memory, or VM_MAX_AREAS reached; nothing changed).
 */
int vm_map(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot, uint32_t flags);

/*
 * Unmap [@start, @start + @len) (page-aligned, inside user space), splitting areas and
 * freeing their pages (and page tables left with no area); unmapping nothing is fine.
 * Returns 0, -EINVAL (bad range) or -ENOMEM (a split needed a node: nothing changed).
 */
int vm_unmap(struct vm_space *vm, uintptr_t start, size_t len);

/*
 * mprotect: give [@start, @start + @len) @prot, splitting and merging areas; pages keep their
 * content. Returns 0; -ENOMEM when part of the range is not mapped or a split needed a node
 * (nothing changed either way); -EINVAL for a bad range.
 */
int vm_protect(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot);

/*
 * MADV_DONTNEED: free the pages of [@start, @start + @len) that areas cover (the areas stay;
 * the next touch sees zeros). Returns 0, or -ENOMEM when part of the range is not mapped
 * (the mapped parts are still discarded, as Linux), -EINVAL for a bad range.
 */
int vm_discard(struct vm_space *vm, uintptr_t start, size_t len);

/*
 * mremap without MREMAP_FIXED unless @fixed: resize [@old, @old + @old_len) (inside one area)
 * to @new_len bytes, in place when the room above is free, else (with @may_move) at a new
 * address (or at @fixed, replacing what is there), moving the pages themselves. Shrinking
 * unmaps the tail. All lengths page-aligned. Returns the new start (a long: an address above
 * 2 GiB looks negative; errors are -4095..-1, Linux's IS_ERR_VALUE), or -EFAULT (not inside
 * one area), -ENOMEM (no room, no memory), -EINVAL.
 */
long vm_remap(struct vm_space *vm, uintptr_t old, size_t old_len, size_t new_len, bool may_move,
              uintptr_t fixed);

/*
 * mmap placement: the highest free range of @len bytes below vm->mmap_top (and above
 * USER_BASE), keeping USER_STACK_GAP below a VM_GROWSDOWN area. Returns its start, or 0.
 */
uintptr_t vm_find_free(struct vm_space *vm, size_t len);

/* True when [@start, @start + @len) overlaps no area. */
bool vm_range_free(struct vm_space *vm, uintptr_t start, size_t len);

/* True when areas cover all of [@start, @start + @len). */
bool vm_range_mapped(struct vm_space *vm, uintptr_t start, size_t len);

/* True when the page at @va (in an area) has a frame (present, or kept under PROT_NONE). */
bool vm_page_resident(struct vm_space *vm, uintptr_t va);

/*
 * brk(2): move the break to @newbrk if possible: not below brk_start, and the grown heap must
 * end a page below the next area (USER_STACK_GAP below the stack). Shrinking frees the pages;
 * regrowing gives zeroed ones. Returns the break in force afterwards (never an error).
 */
uintptr_t vm_brk(struct vm_space *vm, uintptr_t newbrk);

/*
 * Copy @src into the empty @dst: the same areas, and a fresh copy of every page with a frame
 * (fork), PROT_NONE ones included. Returns 0 or -ENOMEM (then vm_destroy(@dst) frees what was
 * copied).
 */
int vm_fork(struct vm_space *dst, const struct vm_space *src);

/*
 * Resolve a fault at @addr with #PF error @error: a page with no frame inside an area whose
 * prot allows the access gets a zeroed page. A protection fault, an access the area does not
 * allow (PROT_NONE, a write to a read-only area) and an address in no area are refused. Returns 0
 * (retry), -EFAULT (no area, or the access is not allowed) or -ENOMEM.
 */
int vm_fault(struct vm_space *vm, uintptr_t addr, uint32_t error);

/*
 * Kernel write of @len bytes at user address @uva of @vm (not necessarily loaded), through
 * the direct map, whatever the areas' protection (exec fills read-only segments with it);
 * pages without a frame inside areas are populated. Returns 0, -EFAULT, -ENOMEM.
 */
int vm_write(struct vm_space *vm, uintptr_t uva, const void *src, size_t len);

/* The area containing @addr, or NULL. */
struct vm_area *vm_find(struct vm_space *vm, uintptr_t addr);

/* Bytes of all areas (VSZ). */
uint64_t vm_size_bytes(const struct vm_space *vm);

#endif
