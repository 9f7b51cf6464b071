/*
 * vma: the pure interval logic of user address spaces (mm/vma.c) — a set of disjoint
 * page-aligned areas [start, end) with their protection and kind, and the operations on it:
 * find, insert, split (make a boundary), detach a range, merge equal neighbours, and find a
 * free range top-down. It allocates nothing and touches no page table: a caller that may
 * need new nodes (a split) asks vma_splits_needed() first, allocates that many, and hands
 * them in, so an operation either has everything it needs or changes nothing; nodes that
 * leave the set (detached or merged away) are handed back on a list for the caller to free.
 * Built for the kernel and the host (tests/host/test_vma.c, tests/fuzz/fuzz_vma.c); includes
 * only lib/.
 *
 * Structure and cost: every area is on two intrusive structures at once. A doubly linked
 * list sorted by start (areas never overlap, so it is sorted by end too) gives O(1) next and
 * prev for walks (list_for_each_entry over vma_set.head is allowed, read-only). An AVL tree
 * keyed by start (struct vma_node, height-balanced: height <= 1.44 log2(n + 2)) gives the
 * lookups: vma_find, vma_find_from, vma_range_free, vma_range_covered and vma_splits_needed
 * are O(log n); vma_insert and one split are O(log n); vma_detach_range and vma_merge_range
 * are O(log n) to find the range plus O(log n) per area moved out. Each tree node also
 * carries, for its subtree, the largest free window below an area ("gap": the area's start
 * less the previous area's end) and the OR of the areas' flags; with these vma_find_free is
 * O(log n), plus O(log n) more for each area having @gap_flags whose guard gap turns away a
 * window that was otherwise large enough (a process has one such area, its stack).
 * vma_set_clear is O(1). n is capped by the caller (VM_MAX_AREAS, include/mm/vm.h).
 *
 * Rules for callers: the list and tree fields of a node (link, node) belong to this file:
 * never link, unlink or reorder an area by hand, only through these functions (vma_insert
 * resets both fields, so a node copied by assignment, or taken from a cleared set, may be
 * handed in as it is). start, end and flags of an area in a set must not be changed in place
 * (the tree is ordered by them and caches the gaps and flags): flags through vma_set_flags;
 * prot may be, followed by vma_merge_range over the changed range.
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

struct vm_area;

/* An area's place in the tree of its set (owned by mm/vma.c). */
struct vma_node {
	struct vm_area *parent, *left, *right;
	uintptr_t gap;     /* free bytes below this area: start - previous area's end (or 0) */
	uintptr_t max_gap; /* the largest gap in this subtree */
	uint32_t flags_or; /* the OR of flags over this subtree */
	uint32_t height;   /* of this subtree: 1 for a leaf */
};

struct vm_area {
	struct list_head link;      /* vma_set.head, sorted by start */
	uintptr_t start, end;       /* page-aligned, start < end */
	uint32_t prot;              /* VM_READ | VM_WRITE | VM_EXEC (include/mm/vm.h) */
	uint32_t flags;             /* kind: VM_ELF ... (include/mm/vm.h); equal flags may merge */
	struct vma_backing backing; /* copied by splits; compared by merges */
	struct vma_node node;       /* the tree of vma_set.root */
};

struct vma_set {
	struct list_head head; /* struct vm_area.link, sorted by start, disjoint */
	uint32_t count;        /* areas on the list (and in the tree) */
	struct vm_area *root;  /* the AVL tree of the same areas, keyed by start */
};

/* An empty set. */
void vma_set_init(struct vma_set *s);

/*
 * Move every area of @s, in address order, to the tail of the list @out (through their link
 * fields) and leave @s empty. For teardown: the caller frees the nodes from @out. O(1).
 */
void vma_set_clear(struct vma_set *s, struct list_head *out);

/* The area containing @addr, or NULL. O(log n). */
struct vm_area *vma_find(const struct vma_set *s, uintptr_t addr);

/* The first area ending after @addr (containing it or above it), or NULL. O(log n). */
struct vm_area *vma_find_from(const struct vma_set *s, uintptr_t addr);

/* The area after @a in address order, or NULL. O(1). */
struct vm_area *vma_next(const struct vma_set *s, const struct vm_area *a);

/* The area before @a in address order, or NULL. O(1). */
struct vm_area *vma_prev(const struct vma_set *s, const struct vm_area *a);

/* True when no area overlaps [@start, @end) (@start < @end). O(log n). */
bool vma_range_free(const struct vma_set *s, uintptr_t start, uintptr_t end);

/* True when areas cover every byte of [@start, @end) with no hole (@start < @end). O(log n). */
bool vma_range_covered(const struct vma_set *s, uintptr_t start, uintptr_t end);

/*
 * Link @a (its start/end/prot/flags filled, overlapping nothing) in address order. Its link
 * and node fields are overwritten, never read. O(log n), appending in order included.
 */
void vma_insert(struct vma_set *s, struct vm_area *a);

/* Give @a (in @s) the flags @flags, refreshing what the tree caches of them. O(log n). */
void vma_set_flags(struct vma_set *s, struct vm_area *a, uint32_t flags);

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
 * there is no such range (@lo must be above 0). Cost in the header comment.
 */
uintptr_t vma_find_free(const struct vma_set *s, size_t len, uintptr_t lo, uintptr_t hi,
                        uint32_t gap_flags, uintptr_t gap);

/*
 * Check every invariant of @s: the list sorted, disjoint, non-empty areas, counted right;
 * the tree holding the same areas in the same order, its parent links, heights, AVL balance
 * and cached gaps, maxima and flags right. Returns NULL when all hold, else a constant string
 * naming the first one broken. When @height is not NULL it receives the tree's height.
 * O(n); for tests, fuzzers and debugging.
 */
const char *vma_check(const struct vma_set *s, uint32_t *height);

#ifdef STRATA_HOST
/* Host builds only: tree nodes the lookups have stepped through (tests bound it by log n). */
extern unsigned long vma_nodes_visited;
#endif

#endif
