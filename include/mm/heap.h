/*
 * heap: the kernel glue of the slab layer and kmalloc (mm/heap.c). The slab layer's pages
 * come from the buddy allocator as direct-mapped lowmem blocks charged to the kernel (objects
 * are charged one by one to their owners); its shrink hook is registered with the pressure
 * code, so empty slabs go back to the buddy allocator when memory runs short.
 */
#ifndef STRATA_MM_HEAP_H
#define STRATA_MM_HEAP_H

#include <stdbool.h>

/* Start the slab layer and kmalloc (after mm_init), with slab debugging when @slub_debug
 * (the boot option, passed by kmain). Panics if it cannot. */
void heap_init(bool slub_debug);

#endif
