/*
 * vma: the pure interval logic of user address spaces (mm/vma.c) — a set of disjoint
 * page-aligned areas [start, end) with their protection and kind, and the operations on it:
 * find, insert, split (make a boundary), detach a range, merge equal neighbours, and find a
 * free range top-down. It allocates nothing and touches no page table: a caller that may
 * need new nodes (a split) asks vma_splits_needed() first, allocates that many, and hands
 * them in, so an operation either has everything it needs or changes nothing; nodes that
 * leave the set (detached or merged away) are handed back on a list for the caller to free.
 * Built for the kernel and the host (tests/host/test_vma.c); includes only lib/.
 *
 * Structure and cost: a doubly linked list sorted by start (areas never overlap, so it is
 * sorted by end too), with a count. find/insert/split/range checks are O(n) in the number of
 * areas; a process has a few dozen (program segments, heap, stack, glibc's mappings), and
 * the count is capped by the caller (VM_MAX_AREAS, include/mm/vm.h), so a list keeps the
 * code small. A balanced tree can replace it behind this interface.
 *
 * Locking: none here; the owner of the set serialises (include/mm/vm.h).
 */
#ifndef STRATA_MM_VMA_H
#define STRATA_MM_VMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/list.h"

/*
 * What backs an area's pages (opaque here; include/mm/pager.h): @obj (NULL: anonymous
 * memory) holds the bytes of [@base, @end) in user addresses, byte @va at object offset
 * @va - @base; pages at or past @end are anonymous. Addresses, not offsets, so both halves
 * of a split keep the same value. Areas merge only with equal backing.
 */
struct vma_backing {
	void *obj;
	uintptr_t base, end;
};

struct vm_area {
	struct list_head link;      /* vma_set.head, sorted by start */
	uintptr_t start, end;       /* page-aligned, start < end */
	uint32_t prot;              /* VM_READ | VM_WRITE | VM_EXEC (include/mm/vm.h) */
	uint32_t flags;             /* kind: VM_ELF ... (include/mm/vm.h); equal flags may merge */
	struct vma_backing backing; /* copied by splits; compared by merges */
};

struct vma_set {
	struct list_head head; /* struct vm_area.link, sorted by start, disjoint */
	uint32_t count;        /* areas on the list */
};

/* An empty set. */
void vma_set_init(struct vma_set *s);

/* The area containing @addr, or NULL. O(n). */
struct vm_area *vma_find(const struct vma_set *s, uintptr_t addr);

/* The first area ending after @addr (containing it or above it), or NULL. O(n). */
struct vm_area *vma_find_from(const struct vma_set *s, uintptr_t addr);

/* The area after @a in address order, or NULL. */
struct vm_area *vma_next(const struct vma_set *s, const struct vm_area *a);

/* True when no area overlaps [@start, @end) (@start < @end). */
bool vma_range_free(const struct vma_set *s, uintptr_t start, uintptr_t end);

/* True when areas cover every byte of [@start, @end) with no hole (@start < @end). */
bool vma_range_covered(const struct vma_set *s, uintptr_t start, uintptr_t end);

/* Link @a (its start/end/prot/flags filled, overlapping nothing) in address order. */
void vma_insert(struct vma_set *s, struct vm_area *a);

/*
 * The number of new nodes (0..2) that vma_split_range(@s, @start, @end) needs: one for each
 * of @start and @end that falls strictly inside an area (the same area counts twice).
 */
unsigned vma_splits_needed(const struct vma_set *s, uintptr_t start, uintptr_t end);

/*
 * Make area boundaries at @start and @end, taking nodes from @spares (an array of
 * vma_splits_needed() nodes; each taken entry is set to NULL, the rest stay for the caller
 * to free). Afterwards every area is either inside [@start, @end) or outside it. The two
 * halves of a split area keep its prot, flags and backing.
 */
void vma_split_range(struct vma_set *s, uintptr_t start, uintptr_t end, struct vm_area **spares);

/*
 * Move every area inside [@start, @end) (boundaries made by vma_split_range first) from @s to
 * the list @out, in address order. Returns the number moved.
 */
unsigned vma_detach_range(struct vma_set *s, uintptr_t start, uintptr_t end, struct list_head *out);

/*
 * Merge areas that touch [@start, @end] (the areas inside it and one neighbour on each side)
 * with their neighbours when adjacent (one's end is the other's start) with equal prot,
 * flags and backing. Nodes merged away are moved to @out for the caller to free. Returns their
 * number.
 */
unsigned vma_merge_range(struct vma_set *s, uintptr_t start, uintptr_t end, struct list_head *out);

/*
 * Top-down placement: the highest @start, page-aligned, with [@start, @start + @len) free,
 * @lo <= @start and @start + @len <= @hi, and @gap bytes free below every area with
 * @gap_flags in its flags (a stack's guard gap). @len page-aligned. Returns it, or 0 when
 * there is no such range (@lo must be above 0).
 */
uintptr_t vma_find_free(const struct vma_set *s, size_t len, uintptr_t lo, uintptr_t hi,
                        uint32_t gap_flags, uintptr_t gap);

#endif
