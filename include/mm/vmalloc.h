/*
 * vmalloc: virtually contiguous kernel memory in [VMALLOC_BASE, RECURSIVE_BASE) built from
 * single frames (any zone, HIGHMEM first), for large buffers that need not be physically
 * contiguous. Each area is followed by an unmapped guard page, so running off its end faults.
 *
 * Locking: the area table is changed with interrupts masked (single CPU).
 */
#ifndef STRATA_MM_VMALLOC_H
#define STRATA_MM_VMALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "mm/buddy.h"
#include "mm/error.h"

#define VMALLOC_PAGES ((RECURSIVE_BASE - VMALLOC_BASE) / PAGE_SIZE)

void vmalloc_init(void);

/*
 * Allocate @size bytes (rounded up to pages) of mapped kernel memory. @gfp: __GFP_ZERO,
 * __GFP_NOFAIL. Returns the address, or NULL with *@err filled (MM_OUT_OF_MEMORY when frames
 * or address space run out: for address space, available/total are the region's bytes).
 */
void *vmalloc(size_t size, gfp_t gfp, struct mm_error *err);

/* Free an area from vmalloc(); NULL is a no-op; any other address is reported, -EINVAL. */
int vfree(void *addr);

/* Size in bytes of the vmalloc area at @addr, or 0 if @addr does not start one. */
size_t vmalloc_size(const void *addr);

/* True when @addr lies in the guard page after a vmalloc area. */
bool vmalloc_is_guard(uintptr_t addr);

void vmalloc_stats(uint64_t *total, uint64_t *used);

#endif
